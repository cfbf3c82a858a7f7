// SPDX-License-Identifier: MIT
/*
 * Processes that exit with channel queues full of unread messages that
 * carry handles (channel ends, memory objects, process and thread
 * handles, a handle to an end whose peer is closed, ends nested in
 * queues of ends nested in queues), 100 of them, twice. On Cairn
 * every kernel object, handle and message must be gone afterwards
 * (cairn_object_count back at its baseline) and the kernel's memory back
 * where it was (cairn_memstat), as issue 15 asks. Linux has none of these
 * calls: there every point is a SKIP with the same text.
 */
#include <sys/wait.h>

#include "cairn.h"
#include "chantest.h"
#include "utest.h"

#define ROUND 100
#define NTEST 6

/* Move @n handles of @hs (each with all its rights) and @len bytes through @h. */
static long send(int h, const int *hs, uint32_t n, uint32_t len)
{
	static const char bytes[4096];
	struct cairn_handle_xfer x[CAIRN_MSG_MAX_HANDLES];

	for (uint32_t i = 0; i < n; i++)
		x[i] = ct_xfer(hs[i], CAIRN_RIGHT_SAME_RIGHTS);
	return ct_write(h, bytes, len, x, n, 0);
}

/*
 * Fill queues and leave: what the kernel must release when the process's
 * table is closed. Returns 0, or the step that failed.
 */
static int litter(void)
{
	int32_t a[2], c[2], d[2], e[2];
	int v, p, t, hs[CAIRN_MSG_MAX_HANDLES], gone;

	if (cairn_channel_create(a, 0) || cairn_channel_create(c, 0) || cairn_channel_create(d, 0))
		return 1;
	v = (int)cairn_vmo_create(3 * 4096, 0);
	p = (int)cairn_process_self(0);
	t = (int)cairn_thread_self(0);
	if (v < 0 || p < 0 || t < 0 || cairn_vmo_write(v, "x", 8192, 1))
		return 2;
	/* A full load: 64 handles, all copies of the memory object. */
	for (int i = 0; i < 64; i++)
		hs[i] = (int)cairn_handle_dup(v, CAIRN_RIGHT_SAME_RIGHTS, 0);
	if (send(a[0], hs, 64, 4096))
		return 3;
	/* One end of c, the process and the thread, queued at a[1]. */
	hs[0] = c[0];
	hs[1] = p;
	hs[2] = t;
	if (send(a[0], hs, 3, 16))
		return 4;
	/* A handle to an end whose peer is already closed. */
	gone = (int)cairn_handle_dup(d[0], CAIRN_RIGHT_SAME_RIGHTS, 0);
	close(d[1]);
	hs[0] = gone;
	if (send(c[1], hs, 1, 1))
		return 5;
	/* a[1] into c[0]'s queue, which a[1]'s own queue holds: a loop, refused. */
	hs[0] = a[1];
	if (send(c[1], hs, 1, 1) != -ELOOP)
		return 6;
	/* A nesting that is no loop: e[1] in c[0]'s queue, c[0] in a[1]'s. */
	if (cairn_channel_create(e, 0))
		return 7;
	hs[0] = e[1];
	if (send(c[1], hs, 1, 1) || send(e[0], hs + 1, 0, 100))
		return 8;
	return 0;
}

static int round_of(int n)
{
	int good = 0, st;

	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(litter());
		st = pid < 0 ? -1 : ut_wait(pid);
		if (st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0)
			good++;
		else if (i == 0)
			tap_diag("the first child: %s", ut_status(st));
	}
	return good;
}

/* Memory back at @base: the reaper and deferred frees may need a moment. */
static bool memory_back(const struct cairn_memstat *base)
{
	struct cairn_memstat now;
	long long frames = 0, heap = 0;

	for (int i = 0; i < 250; i++) {
		cairn_memstat_read(&now);
		frames = cairn_memstat_frames_apart(base, &now);
		heap = (long long)now.heap_live - (long long)base->heap_live;
		if (frames == 0 && heap == 0)
			break;
		ut_sleep_ms(20);
	}
	tap_masked("frames %lld apart, heap %lld blocks from the baseline", frames, heap);
	return frames == 0 && heap == 0;
}

int main(void)
{
	static const char *const what[NTEST] = {
		"processes filled queues with handles and exited",
		"no object, handle or message left after the first round",
		"again",
		"no object, handle or message left after the second",
		"every object type back at its count",
		"no frame or heap block kept",
	};
	struct cairn_objcount base, now;
	struct cairn_memstat mbase;
	bool ok[NTEST];

	tap_plan(NTEST);
	if (!cairn_present()) {
		for (int i = 0; i < NTEST; i++)
			tap_ok(true, "%s # SKIP not Cairn", what[i]);
		return tap_done(NTEST);
	}
	ct_counts(&base);
	ct_counts_show("before", &base);
	/* The first round also reaches the high-water marks the kernel keeps for good. */
	ok[0] = round_of(ROUND) == ROUND;
	ct_counts(&now);
	ok[1] = ct_counts_equal(&base, &now);
	cairn_memstat_read(&mbase);
	ok[2] = round_of(ROUND) == ROUND;
	ct_counts(&now);
	ct_counts_show("after", &now);
	ok[3] = ct_counts_equal(&base, &now);
	ok[4] = true;
	for (int i = 1; i < CAIRN_OBJ_TYPES; i++)
		ok[4] = ok[4] && now.objects[i] == base.objects[i];
	ok[5] = memory_back(&mbase);
	for (int i = 0; i < NTEST; i++)
		tap_ok(ok[i], "%s", what[i]);
	return tap_done(NTEST);
}
