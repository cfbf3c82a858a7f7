// SPDX-License-Identifier: MIT
/*
 * Pipe round trip (issue 12): two processes ping-pong over two pipes, the
 * parent writing N bytes and reading N back, the child reading N and
 * writing N back; one iteration is one round trip. N = 1 byte and 64 KiB
 * (one pipe's whole capacity, so every write fits and wakes the reader).
 */
#include <signal.h>
#include <sys/wait.h>

#include "bench.h"

#define BIG (64 * 1024)

struct pp {
	int to_child, from_child; /* the parent's ends */
	size_t n;
};

static char buf[BIG];

/* Read exactly @n bytes; false on end of file or an error. */
static int read_full(int fd, char *b, size_t n)
{
	ssize_t r;

	while (n) {
		r = read(fd, b, n);
		if (r <= 0)
			return 0;
		b += r;
		n -= (size_t)r;
	}
	return 1;
}

static long round_pp(void *arg, long iters)
{
	struct pp *p = arg;
	long i;

	for (i = 0; i < iters; i++) {
		if (write(p->to_child, buf, p->n) != (ssize_t)p->n ||
		    !read_full(p->from_child, buf, p->n))
			break;
	}
	return i;
}

/* The child echoes whatever comes, in chunks of @n, until end of file. */
static void echo_child(int in, int out, size_t n)
{
	static char cbuf[BIG];

	while (read_full(in, cbuf, n))
		if (write(out, cbuf, n) != (ssize_t)n)
			break;
	_exit(0);
}

static void one(const char *name, size_t n, long iters)
{
	int down[2], up[2];
	struct pp p;
	pid_t pid;

	if (pipe(down) || pipe(up)) {
		printf("bench %s failed (pipe)\n", name);
		return;
	}
	pid = fork();
	if (pid == 0) {
		close(down[1]);
		close(up[0]);
		echo_child(down[0], up[1], n);
	}
	close(down[0]);
	close(up[1]);
	p = (struct pp){ down[1], up[0], n };
	bench_run(name, round_pp, &p, iters);
	close(down[1]);
	close(up[0]);
	waitpid(pid, NULL, 0);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	one("pipe-roundtrip-1B", 1, 2000);
	one("pipe-roundtrip-64KiB", BIG, 200);
	return 0;
}
