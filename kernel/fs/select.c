// SPDX-License-Identifier: MIT
/*
 * select and pselect6 over the poll machinery of fs/poll.c: the three
 * fd_set bit arrays are copied in (as many 64-bit words as nfds needs,
 * as Linux copies them), each descriptor with a bit set is polled, and
 * the result sets and the time left are written back. The mapping of
 * poll events to the three sets is Linux's (fs/select.c's POLLIN_SET,
 * POLLOUT_SET and POLLEX_SET). Semantics: docs/pipes-poll.md.
 */
#include <cairn/errno.h>
#include <cairn/linux/poll.h>
#include <cairn/linux/time.h>

#include <lib/string.h>
#include <lib/timespec/timespec.h>

#include "fs/file.h"
#include "fs/poll.h"
#include "fs/poll_internal.h"
#include "mm/heap.h"
#include "mm/uaccess.h"
#include "syscall/syscall.h"
#include "time/time.h"

#define SELECT_IN  (POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR)
#define SELECT_OUT (POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR)
#define SELECT_EX  (POLLPRI)

/* nfds above this is cut down to it, as Linux cuts it to the table's size. */
#define SELECT_MAX_FDS FDTABLE_MAX
#define SELECT_WORDS   (SELECT_MAX_FDS / 64)

/* The sets asked (set[0..2]: in, out, ex) and answered (res[0..2]). */
struct select_req {
	unsigned n;
	bool given[3];
	uint64_t set[3][SELECT_WORDS];
	uint64_t res[3][SELECT_WORDS];
};

static const unsigned select_events[3] = { SELECT_IN, SELECT_OUT, SELECT_EX };

/* Poll descriptor @fd for the sets whose @bit is asked; returns how many it satisfies. */
static long select_one(struct select_req *r, unsigned fd, struct poll_table *pt)
{
	unsigned w = fd / 64;
	uint64_t bit = 1ull << (fd % 64);
	struct file *f = fd_get((int)fd);
	unsigned ev;
	long count = 0;

	if (!f)
		return -EBADF;
	ev = vfs_poll(f, pt);
	file_put(f);
	for (int s = 0; s < 3; s++) {
		if ((r->set[s][w] & bit) && (ev & select_events[s])) {
			r->res[s][w] |= bit;
			count++;
		}
	}
	return count;
}

static long select_scan(void *ctx, struct poll_table *pt)
{
	struct select_req *r = ctx;
	long count = 0;

	memset(r->res, 0, sizeof(r->res));
	for (unsigned w = 0; w * 64 < r->n; w++) {
		uint64_t any = r->set[0][w] | r->set[1][w] | r->set[2][w];

		while (any) {
			unsigned fd = w * 64 + (unsigned)__builtin_ctzll(any);
			long c;

			any &= any - 1;
			if (fd >= r->n)
				break;
			c = select_one(r, fd, count ? NULL : pt);
			if (c < 0)
				return c;
			count += c;
		}
	}
	return count;
}

/* Copy the sets in: as many words as @r->n needs, only those given. */
static int select_copy_in(struct select_req *r, const uint64_t uset[3])
{
	size_t bytes = (r->n + 63) / 64 * sizeof(uint64_t);

	memset(r->set, 0, sizeof(r->set));
	for (int s = 0; s < 3; s++) {
		r->given[s] = uset[s] != 0;
		if (r->given[s] && copy_from_user(r->set[s], (const void *)uset[s], bytes))
			return -EFAULT;
	}
	return 0;
}

static int select_copy_out(const struct select_req *r, const uint64_t uset[3])
{
	size_t bytes = (r->n + 63) / 64 * sizeof(uint64_t);

	for (int s = 0; s < 3; s++) {
		if (r->given[s] && copy_to_user((void *)uset[s], r->res[s], bytes))
			return -EFAULT;
	}
	return 0;
}

/* The common part: @n descriptors, the user sets @uset, until @deadline. */
static long core_select(int64_t n, const uint64_t uset[3], uint64_t deadline)
{
	struct select_req *r;
	long ret;

	if (n < 0 || (int)n < 0)
		return -EINVAL;
	r = kmalloc_flags(sizeof(*r), KM_MAY_FAIL);
	if (!r)
		return -ENOMEM;
	r->n = (unsigned)(n > SELECT_MAX_FDS ? SELECT_MAX_FDS : n);
	ret = select_copy_in(r, uset);
	if (!ret)
		ret = poll_run(select_scan, r, deadline);
	if (ret >= 0 && select_copy_out(r, uset))
		ret = -EFAULT;
	kfree(r);
	return ret;
}

/* @tv (checked non-negative) in ns, saturating; tv_usec may exceed a second (Linux). */
static uint64_t select_timeval_ns(const struct timeval *tv)
{
	uint64_t sec = (uint64_t)tv->tv_sec + (uint64_t)tv->tv_usec / 1000000u;
	uint64_t ns = (uint64_t)(tv->tv_usec % 1000000) * 1000u;

	if (sec > (UINT64_MAX - ns) / 1000000000ull)
		return UINT64_MAX;
	return sec * 1000000000ull + ns;
}

/* A user timeval (@utv, 0: none) as a deadline: 0, -EFAULT or -EINVAL. */
static int select_timeval_deadline(uint64_t utv, uint64_t *deadline)
{
	struct timeval tv;
	uint64_t ns;

	*deadline = TIME_NEVER;
	if (!utv)
		return 0;
	if (copy_from_user(&tv, (const void *)utv, sizeof(tv)))
		return -EFAULT;
	if (tv.tv_sec < 0 || tv.tv_usec < 0)
		return -EINVAL;
	ns = select_timeval_ns(&tv);
	*deadline = ns ? poll_deadline(ns) : 0;
	return 0;
}

long sys_select(uint64_t n, uint64_t uin, uint64_t uout, uint64_t uex, uint64_t utv, uint64_t a5)
{
	const uint64_t uset[3] = { uin, uout, uex };
	uint64_t deadline;
	struct timeval tv;
	long ret;

	ret = select_timeval_deadline(utv, &deadline);
	if (ret)
		return ret;
	ret = core_select((int64_t)(int)n, uset, deadline);
	/* The time left goes back, as Linux does (without STICKY_TIMEOUTS). */
	if (utv && deadline && deadline != TIME_NEVER) {
		tv = ns_to_timeval(poll_time_left(deadline));
		if (copy_to_user((void *)utv, &tv, sizeof(tv)) && ret == -ERESTARTNOHAND)
			ret = -EINTR;
	}
	return ret;
}

/* pselect6's sixth argument: the signal mask and its size. */
struct pselect_sigarg {
	uint64_t set; /* user address of the sigset, 0: none */
	uint64_t size;
};

long sys_pselect6(uint64_t n, uint64_t uin, uint64_t uout, uint64_t uex, uint64_t uts,
                  uint64_t usig)
{
	const uint64_t uset[3] = { uin, uout, uex };
	struct pselect_sigarg sa = { 0, 0 };
	uint64_t deadline;
	long ret;

	ret = poll_timespec_deadline(uts, &deadline);
	if (ret)
		return ret;
	if (usig && copy_from_user(&sa, (const void *)usig, sizeof(sa)))
		return -EFAULT;
	ret = poll_sigmask_set(sa.set, sa.size);
	if (ret)
		return ret;
	ret = core_select((int64_t)(int)n, uset, deadline);
	poll_timespec_update(uts, deadline);
	poll_sigmask_restore(sa.set, ret);
	return ret;
}
