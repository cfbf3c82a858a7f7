// SPDX-License-Identifier: MIT
/*
 * Bulk TCP over loopback, checksummed end to end: a child process sends
 * 8 MiB of pseudo-random bytes in writes of varying sizes while the
 * parent reads them in reads of other sizes, then the same the other way;
 * both ends compute FNV-1a over what passed and compare. The transfer's
 * speed is printed masked (never compared): the figures live in make
 * bench.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "utest.h"

#define TOTAL (8u << 20)

static uint64_t fnv(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/* The byte stream: xorshift32 from a fixed seed, so both ends know it. */
static void fill(uint8_t *p, size_t n, uint32_t *x)
{
	for (size_t i = 0; i < n; i++) {
		*x ^= *x << 13;
		*x ^= *x >> 17;
		*x ^= *x << 5;
		p[i] = (uint8_t)*x;
	}
}

/* Send TOTAL bytes in writes of 1..64 KiB; returns the checksum of what was sent, 0 on error. */
static uint64_t sender(int fd)
{
	static uint8_t buf[65536];
	uint64_t h = 0xcbf29ce484222325ull;
	uint32_t x = 2463534242u, sz = 1;
	size_t left = TOTAL;

	while (left) {
		size_t n = sz < left ? sz : left;
		ssize_t w;

		fill(buf, n, &x);
		h = fnv(h, buf, n);
		for (size_t off = 0; off < n; off += (size_t)w) {
			w = write(fd, buf + off, n - off);
			if (w <= 0)
				return 0;
		}
		left -= n;
		sz = (sz * 7 + 4093) % 65536 + 1;
	}
	return h;
}

/* Read until EOF in reads of 3..32 KiB; the checksum and the byte count. */
static uint64_t receiver(int fd, size_t *got)
{
	static uint8_t buf[32768];
	uint64_t h = 0xcbf29ce484222325ull;
	size_t sz = 3;
	ssize_t r;

	*got = 0;
	while ((r = read(fd, buf, sz)) > 0) {
		h = fnv(h, buf, (size_t)r);
		*got += (size_t)r;
		sz = (sz * 5 + 1) % sizeof(buf) + 1;
	}
	return r < 0 ? 0 : h;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* One direction: the child sends (@child_sends) or receives; both sums compared. */
static void transfer(int c, int s, bool child_sends, const char *what)
{
	uint64_t *shared = ut_shared(sizeof(uint64_t));
	int mine = child_sends ? s : c, theirs = child_sends ? c : s, st;
	double t0 = now_s();
	size_t got = 0;
	uint64_t h;
	pid_t pid = fork();

	if (pid == 0) {
		close(mine);
		if (child_sends)
			*shared = sender(theirs);
		else
			*shared = receiver(theirs, &got);
		_exit(got == TOTAL || child_sends ? 0 : 1);
	}
	close(theirs);
	if (child_sends) {
		h = receiver(mine, &got);
	} else {
		h = sender(mine);
		got = TOTAL;
		shutdown(mine, SHUT_WR);
	}
	st = ut_wait(pid);
	tap_ok(st == 0 && got == TOTAL, "%s: 8 MiB arrived (%s)", what, ut_status(st));
	tap_ok(h != 0 && h == *shared, "%s: the checksums match", what);
	tap_masked("%s: %.1f MB/s", what, TOTAL / (now_s() - t0) / 1e6);
	close(mine);
}

static int pair(int *c, int *s)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 1) < 0 ||
	    getsockname(l, (struct sockaddr *)&a, &len) < 0)
		return -1;
	*c = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(*c, (struct sockaddr *)&a, sizeof(a)) < 0)
		return -1;
	*s = accept(l, NULL, NULL);
	close(l);
	return *s >= 0 ? 0 : -1;
}

int main(void)
{
	int c, s;

	setvbuf(stdout, NULL, _IONBF, 0);
	tap_ok(pair(&c, &s) == 0, "a connected pair");
	transfer(c, s, true, "client to server");
	tap_ok(pair(&c, &s) == 0, "another pair");
	transfer(c, s, false, "server to client");
	tap_plan(tap_count);
	return tap_done(tap_count);
}
