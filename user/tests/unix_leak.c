// SPDX-License-Identifier: MIT
/*
 * Processes that exit with AF_UNIX queues full of unread messages and
 * descriptors in flight (pipes, files, listeners with unaccepted
 * connections, sockets sent over themselves): 200 of them, twice. On
 * Cairn the kernel's free memory and heap blocks must be back where they
 * were before the second round (cairn_memstat, include/cairn/cairn_sys.h);
 * Linux answers that call with ENOSYS and the point is skipped there.
 */
#include <fcntl.h>

#include "cairn.h"
#include "unixsock.h"

#define ROUND 200

/* Fill queues and leave: everything is closed by exit. */
static int litter(int i)
{
	int sv[2], dg[2], p[2], l, c, fd;
	struct sockaddr_un a;
	socklen_t alen;
	char name[32];
	int fds[5];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) || socketpair(AF_UNIX, SOCK_DGRAM, 0, dg) ||
	    pipe(p))
		return 1;
	fd = open("/tmp/ux_leak_file", O_RDWR | O_CREAT, 0600);
	snprintf(name, sizeof(name), "cairn-ux-leak-%d", i);
	alen = ux_abstract(&a, name);
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || bind(l, (struct sockaddr *)&a, alen) || listen(l, 4) ||
	    connect(c, (struct sockaddr *)&a, alen) || write(c, "unaccepted", 10) != 10)
		return 2;
	fds[0] = p[0];
	fds[1] = p[1];
	fds[2] = fd;
	fds[3] = l;
	fds[4] = sv[0];
	if (ux_send_fds(sv[0], fds, 5, 's') != 1 || ux_send_fds(dg[0], fds, 5, 'd') != 1 ||
	    ux_send_fds(dg[1], &dg[1], 1, 'e') != 1 || write(sv[1], "unread", 6) != 6)
		return 3;
	return 0;
}

static int round_of(int n)
{
	int good = 0, st;

	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(litter(i));
		st = pid < 0 ? -1 : ut_wait(pid);
		if (st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0)
			good++;
	}
	return good;
}

static void check_leaks(const struct cairn_memstat *base)
{
	const char *what = "no frame or heap block kept by processes that left queues full";
	struct cairn_memstat now;
	long long frames = 0, heap = 0;

	if (!cairn_memstat_read(&now)) {
		tap_ok(true, "%s # SKIP not Cairn", what);
		return;
	}
	for (int i = 0; i < 250; i++) {
		cairn_memstat_read(&now);
		frames = cairn_memstat_frames_apart(base, &now);
		heap = (long long)now.heap_live - (long long)base->heap_live;
		if (frames == 0 && heap == 0)
			break;
		ut_sleep_ms(20);
	}
	tap_masked("frames %lld bytes, heap %lld blocks from the baseline", frames, heap);
	tap_ok(frames == 0 && heap == 0, "%s", what);
}

int main(void)
{
	struct cairn_memstat base;
	int n;

	tap_plan(3);
	ux_tmp();
	/* The first round reaches the high-water marks the kernel keeps for good. */
	n = round_of(ROUND);
	tap_ok(n == ROUND, "%d of %d processes filled their queues and exited", n, ROUND);
	cairn_memstat_read(&base);
	n = round_of(ROUND);
	tap_ok(n == ROUND, "again: %d of %d", n, ROUND);
	check_leaks(&base);
	unlink("/tmp/ux_leak_file");
	return tap_done(3);
}
