// SPDX-License-Identifier: MIT
/*
 * Bulk data between two processes, 1 MiB per transfer: the producer fills
 * the bytes, the consumer reads one byte of each 64 and answers. Three ways:
 *   bulk-1MiB-pipe     through a pipe (copied in and out of the kernel);
 *   bulk-1MiB-shared   in shared memory mapped once by both, a 1-byte
 *                      notice each way over pipes: a memfd on Linux, a
 *                      memory object (docs/vmo.md) on Cairn;
 *   bulk-1MiB-handoff  the object's handle sent with every transfer and
 *                      mapped, read and unmapped by the consumer: a memfd
 *                      over AF_UNIX with SCM_RIGHTS on Linux, a memory
 *                      object's handle in a channel call on Cairn.
 * Each kernel uses its own shared-memory object; tools/userbench.py prints
 * the figures side by side.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "bench.h"
#include "cairn.h"

#define SIZE  (1ul << 20)
#define ITERS 20

struct bulk {
	int to[2], back[2]; /* pipes (or a socket pair in to[] for the Linux handoff) */
	int32_t ch[2];      /* Cairn's channel for the handoff */
	int obj;            /* the memfd or the memory object's handle */
	uint8_t *map;       /* the producer's mapping of it */
	uint8_t *buf;       /* the pipe's buffers */
	pid_t pid;
	bool cairn;
};

/* What the consumer does with each transfer: read one byte in 64. */
static unsigned check(const uint8_t *p)
{
	unsigned sum = 0;

	for (size_t i = 0; i < SIZE; i += 64)
		sum += p[i];
	return sum;
}

static bool full_read(int fd, uint8_t *p, size_t n)
{
	for (ssize_t r; n; n -= (size_t)r, p += r)
		if ((r = read(fd, p, n)) <= 0)
			return false;
	return true;
}

static bool full_write(int fd, const uint8_t *p, size_t n)
{
	for (ssize_t r; n; n -= (size_t)r, p += r)
		if ((r = write(fd, p, n)) <= 0)
			return false;
	return true;
}

/* ---- the consumers (children): they run until their input ends ---- */

static void consume_pipe(struct bulk *b)
{
	uint8_t ack;

	while (full_read(b->to[0], b->buf, SIZE)) {
		ack = (uint8_t)check(b->buf);
		if (write(b->back[1], &ack, 1) != 1)
			break;
	}
}

static void consume_shared(struct bulk *b)
{
	uint8_t n;

	while (read(b->to[0], &n, 1) == 1) {
		n = (uint8_t)check(b->map);
		if (write(b->back[1], &n, 1) != 1)
			break;
	}
}

/* Map the object @fd, read it, unmap it, close it: what a handoff costs the consumer. */
static uint8_t take(int fd)
{
	uint8_t *p = mmap(NULL, SIZE, PROT_READ, MAP_SHARED, fd, 0);
	uint8_t r = 0;

	if (p != MAP_FAILED) {
		r = (uint8_t)check(p);
		munmap(p, SIZE);
	}
	close(fd);
	return r;
}

static void consume_handoff_linux(struct bulk *b)
{
	char cbuf[CMSG_SPACE(sizeof(int))], byte;
	struct iovec iov = { &byte, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;
	int fd;

	for (;;) {
		m.msg_control = cbuf;
		m.msg_controllen = sizeof(cbuf);
		if (recvmsg(b->to[1], &m, 0) != 1 || !(c = CMSG_FIRSTHDR(&m)))
			return;
		memcpy(&fd, CMSG_DATA(c), sizeof(fd));
		byte = (char)take(fd);
		if (write(b->to[1], &byte, 1) != 1)
			return;
	}
}

static void consume_handoff_cairn(struct bulk *b)
{
	struct cairn_handle_xfer x;
	struct cairn_call c = { .flags = CAIRN_CALL_REPLY_WAIT };
	uint8_t ack;

	c.rd.handles = (uint64_t)(uintptr_t)&x;
	c.wr.bytes = (uint64_t)(uintptr_t)&ack;
	for (;;) {
		c.rd.nhandles = 1;
		c.rd.nbytes = 0;
		if (cairn_channel_call(b->ch[1], &c, CAIRN_DEADLINE_NEVER) || c.rd.nhandles != 1)
			return;
		ack = take(x.handle);
		c.wr.nbytes = 1;
		c.wr.txid = c.rd.txid;
	}
}

/* ---- the producer's rounds ---- */

static long round_pipe(void *arg, long iters)
{
	struct bulk *b = arg;
	uint8_t ack;

	for (long i = 0; i < iters; i++) {
		memset(b->buf, (int)i, SIZE);
		if (!full_write(b->to[1], b->buf, SIZE) || read(b->back[0], &ack, 1) != 1)
			return i;
	}
	return iters;
}

static long round_shared(void *arg, long iters)
{
	struct bulk *b = arg;
	uint8_t n = 0;

	for (long i = 0; i < iters; i++) {
		memset(b->map, (int)i, SIZE);
		if (write(b->to[1], &n, 1) != 1 || read(b->back[0], &n, 1) != 1)
			return i;
	}
	return iters;
}

static bool send_linux(struct bulk *b)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, byte = 0;
	struct iovec iov = { &byte, 1 };
	struct msghdr m = { .msg_iov = &iov,
		            .msg_iovlen = 1,
		            .msg_control = cbuf,
		            .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &b->obj, sizeof(int));
	return sendmsg(b->to[0], &m, 0) == 1 && read(b->to[0], &byte, 1) == 1;
}

static bool send_cairn(struct bulk *b)
{
	struct cairn_handle_xfer x = { .type = CAIRN_OBJ_VMO, .rights = CAIRN_RIGHT_SAME_RIGHTS };
	struct cairn_call c = { .flags = 0 };
	uint8_t ack;

	/* The handle sent leaves the sender: send a duplicate, as a real producer keeps its own. */
	x.handle = (int32_t)cairn_handle_dup(
		b->obj, CAIRN_RIGHT_READ | CAIRN_RIGHT_MAP | CAIRN_RIGHT_TRANSFER, 0);
	c.wr.handles = (uint64_t)(uintptr_t)&x;
	c.wr.nhandles = 1;
	c.rd.bytes = (uint64_t)(uintptr_t)&ack;
	c.rd.nbytes = 1;
	return x.handle >= 0 && cairn_channel_call(b->ch[0], &c, CAIRN_DEADLINE_NEVER) == 0;
}

static long round_handoff(void *arg, long iters)
{
	struct bulk *b = arg;

	for (long i = 0; i < iters; i++) {
		memset(b->map, (int)i, SIZE);
		if (!(b->cairn ? send_cairn(b) : send_linux(b)))
			return i;
	}
	return iters;
}

/* ---- set-up ---- */

/* The kernel's own shared-memory object of SIZE bytes, mapped: a memfd or a memory object. */
static int make_object(struct bulk *b)
{
	b->obj = b->cairn ? (int)cairn_vmo_create(SIZE, 0) : (int)syscall(SYS_memfd_create, "b", 0);
	if (b->obj < 0 || (!b->cairn && ftruncate(b->obj, SIZE)))
		return -1;
	b->map = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, b->obj, 0);
	return b->map == MAP_FAILED ? -1 : 0;
}

/* Close @fd (if open) and forget it, so a later descriptor with its number is not closed. */
static void drop(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/*
 * One figure: fork the consumer, which first closes the producer's ends
 * (@theirs, -1 ended) so that the producer closing them ends its loop.
 */
static void run(const char *name, void (*consume)(struct bulk *), long (*round)(void *, long),
                struct bulk *b, int *const *theirs)
{
	int st;

	b->pid = fork();
	if (b->pid == 0) {
		for (int i = 0; theirs[i]; i++)
			drop(theirs[i]);
		consume(b);
		_exit(0);
	}
	bench_run(name, round, b, ITERS);
	drop(&b->to[0]);
	drop(&b->to[1]);
	drop(&b->ch[0]);
	waitpid(b->pid, &st, 0);
	drop(&b->ch[1]);
}

int main(void)
{
	struct bulk b = { .cairn = cairn_present(), .ch = { -1, -1 } };
	int *const pipes[] = { &b.to[1], &b.back[0], NULL };
	int *const sock[] = { &b.to[0], &b.back[0], NULL };
	int *const chan[] = { &b.ch[0], &b.back[0], NULL };

	b.buf = malloc(SIZE);
	if (!b.buf || pipe(b.to) || pipe(b.back))
		return 1;
	run("bulk-1MiB-pipe", consume_pipe, round_pipe, &b, pipes);
	if (make_object(&b) || pipe(b.to))
		return 1;
	run("bulk-1MiB-shared", consume_shared, round_shared, &b, pipes);
	if (b.cairn ? cairn_channel_create(b.ch, 0) != 0
	            : socketpair(AF_UNIX, SOCK_STREAM, 0, b.to) != 0)
		return 1;
	run("bulk-1MiB-handoff", b.cairn ? consume_handoff_cairn : consume_handoff_linux,
	    round_handoff, &b, b.cairn ? chan : sock);
	return 0;
}
