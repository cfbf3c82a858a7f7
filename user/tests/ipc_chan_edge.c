// SPDX-License-Identifier: MIT
/*
 * The edges of Cairn's channels (docs/channels.md): a read whose handles
 * do not fit the descriptor table, a handle closed under a blocked call,
 * messages carrying handles to objects that are gone, loops refused, a
 * chain of 2,000 nested channels closed at once, and processes that exit
 * with queues full of handles, after which the kernel's object counts
 * (cairn_object_count) and memory (cairn_memstat) are back where they
 * were. Every point is skipped on Linux.
 */
#include <pthread.h>
#include <sys/resource.h>

#include "cairn.h"
#include "chantest.h"
#include "utest.h"

/* Wait up to 5 s for the counts to come back to @base (threads and processes end lazily). */
static bool counts_back(const struct cairn_objcount *base)
{
	struct cairn_objcount now;

	for (int i = 0; i < 250; i++) {
		if (ct_counts(&now) && ct_counts_equal(base, &now))
			return true;
		ut_sleep_ms(20);
	}
	ct_counts_show("base", base);
	ct_counts_show("now", &now);
	return false;
}

/* A read whose handles do not fit: -EMFILE, the message kept, read once fds are free. */
static bool t_emfile(void)
{
	struct rlimit old, low = { .rlim_cur = 64, .rlim_max = 0 };
	struct cairn_objcount before, after;
	struct cairn_handle_xfer x[8];
	int32_t h[2], p[2], q[2];
	struct cairn_msg m;
	int fill[64], n = 0;

	CT_EQ(getrlimit(RLIMIT_NOFILE, &old), 0);
	low.rlim_max = old.rlim_max;
	CT_EQ(cairn_channel_create(h, 0), 0);
	CT_EQ(cairn_channel_create(p, 0), 0);
	for (int i = 0; i < 8; i++)
		x[i] = ct_xfer((int)cairn_handle_dup(p[0], CAIRN_RIGHT_SAME_RIGHTS, 0),
		               CAIRN_RIGHT_SAME_RIGHTS);
	CT_EQ(ct_write(h[0], "eight", 5, x, 8, 0), 0);
	CT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
	while (n < 64 && (fill[n] = dup(0)) >= 0)
		n++;
	close(fill[--n]);
	CT_CHECK(ct_counts(&before));
	CT_EQ(cairn_channel_create(q, 0), -EMFILE); /* one descriptor free: nothing made */
	CT_CHECK(ct_counts(&after) && ct_counts_equal(&before, &after));
	for (int i = 0; i < 2; i++)
		close(fill[--n]);
	CT_EQ(ct_read(h[1], NULL, 8, x, 8, 0, &m), -EMFILE);
	CT_EQ(ct_signals(h[1]) & CAIRN_SIG_READABLE, CAIRN_SIG_READABLE);
	for (int i = 0; i < 3; i++) /* the three free slots are free again */
		CT_CHECK((fill[n++] = dup(0)) >= 0);
	for (int i = 0; i < 8; i++)
		close(fill[--n]);
	char b[8];
	CT_EQ(ct_read(h[1], b, 8, x, 8, 0, &m), 0);
	CT_CHECK(m.nhandles == 8 && m.nbytes == 5);
	for (int i = 0; i < 8; i++) {
		CT_EQ(ct_type(x[i].handle), CAIRN_OBJ_CHANNEL);
		close(x[i].handle);
	}
	while (n > 0)
		close(fill[--n]);
	CT_EQ(setrlimit(RLIMIT_NOFILE, &old), 0);
	close(p[0]);
	close(p[1]);
	close(h[0]);
	close(h[1]);
	return true;
}

struct caller {
	int h;
	volatile long ret;
	volatile int done;
	char reply[16];
};

static void *call_once(void *arg)
{
	struct caller *k = arg;
	struct cairn_call c = { .flags = 0 };

	c.wr.bytes = (uint64_t)(uintptr_t) "req";
	c.wr.nbytes = 3;
	c.rd.bytes = (uint64_t)(uintptr_t)k->reply;
	c.rd.nbytes = sizeof(k->reply);
	k->ret = cairn_channel_call(k->h, &c, CAIRN_DEADLINE_NEVER);
	__atomic_store_n(&k->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/*
 * Another thread closes the caller's handle: the call keeps it (as read(2)
 * keeps a file closed under it) and ends with the reply, or -EPIPE when
 * the peer closes.
 */
static bool t_close_under_call(void)
{
	struct cairn_objcount base;
	struct caller k = { .ret = 1, .done = 0 };
	struct cairn_msg m;
	int32_t h[2];
	pthread_t t;
	char b[8];

	CT_CHECK(ct_counts(&base));
	for (int round = 0; round < 2; round++) {
		k.done = 0;
		CT_EQ(cairn_channel_create(h, 0), 0);
		k.h = h[0];
		CT_EQ(pthread_create(&t, NULL, call_once, &k), 0);
		CT_EQ(ct_read(h[1], b, 8, NULL, 0, CAIRN_MSG_WAIT, &m), 0);
		close(h[0]);
		ut_sleep_ms(20);
		CT_EQ(k.done, 0);
		CT_EQ(ct_signals(h[1]) & CAIRN_SIG_PEER_CLOSED, 0); /* the call holds the end */
		if (round == 0) {
			close(h[1]);
		} else {
			m.bytes = (uint64_t)(uintptr_t) "answer";
			m.nbytes = 6;
			CT_EQ(cairn_channel_write(h[1], &m, 0), 0);
		}
		CT_CHECK(ut_await(&k.done, 1, 5000));
		pthread_join(t, NULL);
		CT_EQ(k.ret, round == 0 ? -EPIPE : 0);
		if (round == 1) {
			CT_CHECK(!memcmp(k.reply, "answer", 6));
			CT_EQ(ct_signals(h[1]) & CAIRN_SIG_PEER_CLOSED, CAIRN_SIG_PEER_CLOSED);
			close(h[1]);
		}
	}
	return counts_back(&base);
}

/* Handles to objects that are gone arrive with the signals that say so. */
static bool t_dead_objects(void)
{
	struct cairn_handle_xfer x;
	int32_t h[2], a[2];
	struct cairn_msg m;
	char b[4];
	pid_t pid;

	CT_EQ(cairn_channel_create(h, 0), 0);
	CT_EQ(cairn_channel_create(a, 0), 0);
	close(a[1]);
	x = ct_xfer(a[0], CAIRN_RIGHT_SAME_RIGHTS);
	CT_EQ(ct_write(h[0], "", 0, &x, 1, 0), 0);
	CT_EQ(ct_read(h[1], b, 4, &x, 1, 0, &m), 0);
	CT_EQ(ct_signals(x.handle) & CAIRN_SIG_PEER_CLOSED, CAIRN_SIG_PEER_CLOSED);
	close(x.handle);
	pid = fork();
	if (pid == 0) {
		x = ct_xfer((int)cairn_process_self(0), CAIRN_RIGHT_SAME_RIGHTS);
		_exit(ct_write(h[0], "p", 1, &x, 1, 0) ? 1 : 0);
	}
	CT_CHECK(pid > 0);
	CT_EQ(ut_wait(pid), 0);
	CT_EQ(ct_read(h[1], b, 4, &x, 1, 0, &m), 0);
	CT_EQ(x.type, CAIRN_OBJ_PROCESS);
	CT_EQ(ct_signals(x.handle) & CAIRN_SIG_TERMINATED, CAIRN_SIG_TERMINATED);
	close(x.handle);
	close(h[0]);
	close(h[1]);
	return true;
}

/* An end never goes into its own queue, directly or inside another end. */
static bool t_loops(void)
{
	struct cairn_handle_xfer x;
	int32_t ab[2], cd[2];
	struct cairn_msg m;
	char b[4];

	CT_EQ(cairn_channel_create(ab, 0), 0);
	CT_EQ(cairn_channel_create(cd, 0), 0);
	x = ct_xfer(ab[1], CAIRN_RIGHT_SAME_RIGHTS);
	CT_EQ(ct_write(ab[0], "", 0, &x, 1, 0), -ELOOP); /* b into b's queue */
	x = ct_xfer(ab[0], CAIRN_RIGHT_SAME_RIGHTS);
	CT_EQ(ct_write(ab[0], "", 0, &x, 1, 0), -EINVAL); /* the writing end itself */
	x = ct_xfer(ab[1], CAIRN_RIGHT_SAME_RIGHTS);
	CT_EQ(ct_write(cd[0], "", 0, &x, 1, 0), 0); /* b into d's queue */
	x = ct_xfer(cd[1], CAIRN_RIGHT_SAME_RIGHTS);
	CT_EQ(ct_write(ab[0], "", 0, &x, 1, 0), -ELOOP); /* d (holding b) into b's queue */
	CT_CHECK(ct_open(cd[1]));
	CT_EQ(ct_read(cd[1], b, 4, &x, 1, 0, &m), 0); /* b back out: now d may go in */
	int bb = x.handle;
	x = ct_xfer(cd[1], CAIRN_RIGHT_SAME_RIGHTS);
	CT_EQ(ct_write(ab[0], "", 0, &x, 1, 0), 0);
	close(bb);
	close(ab[0]);
	close(cd[0]);
	return true;
}

/* 1,000 channels each queued inside the next: closing the last frees them all. */
static bool t_nested_chain(void)
{
	struct cairn_objcount base;
	struct cairn_handle_xfer x;
	int cur = -1;

	CT_CHECK(ct_counts(&base));
	for (int i = 0; i < 1000; i++) {
		int32_t p[2];

		CT_EQ(cairn_channel_create(p, 0), 0);
		if (cur >= 0) {
			x = ct_xfer(cur, CAIRN_RIGHT_SAME_RIGHTS);
			CT_EQ(ct_write(p[0], "n", 1, &x, 1, 0), 0);
		}
		close(p[0]);
		cur = p[1];
	}
	close(cur);
	return counts_back(&base);
}

/* A child's mess: channels inside channels, memory and process handles, all unread. */
static int litter(void)
{
	int32_t a[2], b[2], c[2];
	struct cairn_handle_xfer x[4];
	long v, p;
	int n = 0;

	if (cairn_channel_create(a, 0) || cairn_channel_create(b, 0) || cairn_channel_create(c, 0))
		return 1;
	v = cairn_vmo_create(3 * 4096, 0);
	p = cairn_process_self(0);
	x[0] = ct_xfer(c[1], CAIRN_RIGHT_SAME_RIGHTS);
	if (ct_write(c[0], "to c1", 5, NULL, 0, 0) || ct_write(b[0], "c1", 2, x, 1, 0))
		return 2;
	x[n++] = ct_xfer(b[1], CAIRN_RIGHT_SAME_RIGHTS);
	if (v >= 0) {
		cairn_vmo_write((int)v, "data", 0, 4);
		x[n++] = ct_xfer((int)v, CAIRN_RIGHT_SAME_RIGHTS);
	}
	if (p >= 0)
		x[n++] = ct_xfer((int)p, CAIRN_RIGHT_SAME_RIGHTS);
	if (ct_write(a[0], "b1 vmo proc", 11, x, (uint32_t)n, 0))
		return 3;
	return 0;
}

static int round_of(int n)
{
	int good = 0;

	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(litter());
		if (pid > 0 && ut_wait(pid) == 0)
			good++;
	}
	return good;
}

/* Processes that exit with queues full of handles leave nothing behind. */
static bool t_exit_with_handles(void)
{
	struct cairn_memstat mbase, now;
	struct cairn_objcount base;
	long long frames = 0, heap = 0;

	CT_EQ(round_of(50), 50); /* the kernel's high-water marks, kept for good */
	CT_CHECK(ct_counts(&base) && cairn_memstat_read(&mbase));
	CT_EQ(round_of(50), 50);
	CT_CHECK(counts_back(&base));
	for (int i = 0; i < 250; i++) {
		CT_CHECK(cairn_memstat_read(&now));
		frames = cairn_memstat_frames_apart(&mbase, &now);
		heap = (long long)now.heap_live - (long long)mbase.heap_live;
		if (frames == 0 && heap == 0)
			break;
		ut_sleep_ms(20);
	}
	if (frames || heap)
		CT_FAIL("frames %lld, heap blocks %lld from the baseline", frames, heap);
	return true;
}

static const struct ct_test tests[] = {
	{ "descriptors run out: create and read -EMFILE, the message kept", t_emfile },
	{ "a handle closed under a blocked call: reply or -EPIPE", t_close_under_call },
	{ "handles to a closed channel and a dead process say so", t_dead_objects },
	{ "loops are refused with -ELOOP", t_loops },
	{ "1000 nested channels freed by one close", t_nested_chain },
	{ "processes exit with queues full of handles: nothing kept", t_exit_with_handles },
};

int main(void)
{
	return ct_run(tests, (int)(sizeof(tests) / sizeof(tests[0])));
}
