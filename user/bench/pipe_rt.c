// SPDX-License-Identifier: MIT
/*
 * Pipe round trip (issue 12): two processes ping-pong over two pipes, the
 * parent writing N bytes and reading N back, the child reading N and
 * writing N back; one iteration is one round trip. N = 1 byte and 64 KiB
 * (one pipe's whole capacity, so every write fits and wakes the reader).
 * With --matrix (issue 15's comparison for channels, tools/ipcbench.py):
 * 1 byte, 64 bytes and 4 KiB, between processes and between threads, on
 * one CPU and across two (user/lib/pingpong.h).
 */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "bench.h"
#include "pingpong.h"

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

/* ---- the --matrix transport: two pipes, the client's side and the server's ---- */

struct pm {
	int down[2], up[2]; /* client -> server, server -> client */
	size_t n;
	char cbuf[4096], sbuf[4096];
};

static int pm_open(void *ctx)
{
	struct pm *m = ctx;

	if (pipe(m->down))
		return -1;
	if (pipe(m->up)) {
		close(m->down[0]);
		close(m->down[1]);
		return -1;
	}
	return 0;
}

static void pm_keep(void *ctx, int server)
{
	struct pm *m = ctx;

	close(server ? m->down[1] : m->down[0]);
	close(server ? m->up[0] : m->up[1]);
}

static long pm_client(void *ctx, long iters)
{
	struct pm *m = ctx;
	long i;

	for (i = 0; i < iters; i++)
		if (write(m->down[1], m->cbuf, m->n) != (ssize_t)m->n ||
		    !read_full(m->up[0], m->cbuf, m->n))
			break;
	return i;
}

static void pm_serve(void *ctx)
{
	struct pm *m = ctx;

	while (read_full(m->down[0], m->sbuf, m->n))
		if (write(m->up[1], m->sbuf, m->n) != (ssize_t)m->n)
			break;
}

static void pm_close(void *ctx, int server)
{
	struct pm *m = ctx;

	close(server ? m->down[0] : m->down[1]);
	close(server ? m->up[1] : m->up[0]);
}

static const struct pp_transport pm_ops = { pm_open, pm_keep, pm_client, pm_serve, pm_close };

static void matrix(void)
{
	static struct pm m;
	static const struct {
		const char *name;
		size_t n;
	} figs[] = { { "pipe-1B", 1 }, { "pipe-64B", 64 }, { "pipe-4KiB", 4096 } };
	unsigned i;

	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < sizeof(figs) / sizeof(figs[0]); i++) {
		m.n = figs[i].n;
		pp_figure(figs[i].name, &pm_ops, &m);
	}
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1 && !strcmp(argv[1], "--matrix")) {
		matrix();
		return 0;
	}
	one("pipe-roundtrip-1B", 1, 2000);
	one("pipe-roundtrip-64KiB", BIG, 200);
	return 0;
}
