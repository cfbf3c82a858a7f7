// SPDX-License-Identifier: MIT
/*
 * kbdstat: the kernel's memory and object counts, for a leak check from the
 * shell (tools/e2e_kbd.py). `kbdstat` prints them as one line of numbers;
 * `kbdstat check NUMBERS...` compares the counts now with those, retrying
 * for up to 5 s while the kernel's caches and reapers settle, prints what
 * differs and exits 0 only when nothing does: no frame (apart from the
 * heap's growth, cairn_memstat_frames_apart), heap block, object, handle
 * kernel task, object, handle or message more than at the baseline.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cairn.h"

/* The numbers printed, in order. */
enum {
	F_FREE,
	F_HEAP_BYTES,
	F_HEAP_LIVE,
	F_TASKS,
	F_HANDLES,
	F_MESSAGES,
	F_OBJ0,
	F_N = F_OBJ0 + 7
};

static int snapshot(long long v[F_N])
{
	struct cairn_memstat m = { .version = CAIRN_MEMSTAT_VERSION, .size = sizeof(m) };
	struct cairn_objcount c = { .version = CAIRN_OBJCOUNT_VERSION, .size = sizeof(c) };
	int i;

	if (cairn_syscall6(CAIRN_SYS_MEMSTAT, (long)&m, 0, 0, 0, 0, 0) ||
	    cairn_object_count(&c) < 0)
		return -1;
	v[F_FREE] = (long long)m.frames_free;
	v[F_HEAP_BYTES] = (long long)m.heap_bytes;
	v[F_HEAP_LIVE] = (long long)m.heap_live;
	v[F_TASKS] = (long long)m.tasks;
	v[F_HANDLES] = (long long)c.handles;
	v[F_MESSAGES] = (long long)c.messages;
	for (i = 0; i < 7; i++)
		v[F_OBJ0 + i] = (long long)c.objects[i + 1];
	return 0;
}

static long long slack; /* bytes of frames allowed apart */

/* What differs from @base: frames, heap blocks, objects and handles; 0 when nothing. */
static long long apart(const long long base[F_N], const long long now[F_N], int print)
{
	struct cairn_memstat b = { .frames_free = (uint64_t)base[F_FREE],
		                   .heap_bytes = (uint64_t)base[F_HEAP_BYTES] };
	struct cairn_memstat n = { .frames_free = (uint64_t)now[F_FREE],
		                   .heap_bytes = (uint64_t)now[F_HEAP_BYTES] };
	long long frames = cairn_memstat_frames_apart(&b, &n), bad = llabs(frames) > slack;
	int i;

	for (i = F_HEAP_LIVE; i < F_N; i++)
		bad += now[i] != base[i];
	if (print) {
		printf("kbdstat: frames %lld bytes, heap %lld blocks, tasks %lld, handles %lld,"
		       " messages %lld, objects",
		       frames, now[F_HEAP_LIVE] - base[F_HEAP_LIVE], now[F_TASKS] - base[F_TASKS],
		       now[F_HANDLES] - base[F_HANDLES], now[F_MESSAGES] - base[F_MESSAGES]);
		for (i = F_OBJ0; i < F_N; i++)
			printf(" %lld", now[i] - base[i]);
		printf(" from the baseline; the heap grew %lld bytes\n",
		       now[F_HEAP_BYTES] - base[F_HEAP_BYTES]);
	}
	return bad;
}

int main(int argc, char **argv)
{
	long long base[F_N], now[F_N];
	struct timespec pause = { 0, 20000000 };
	int i, first;

	if (snapshot(now)) {
		fprintf(stderr, "kbdstat: not Cairn\n");
		return 2;
	}
	if (argc == 1) {
		for (i = 0; i < F_N; i++)
			printf("%lld%c", now[i], i + 1 < F_N ? ' ' : '\n');
		return 0;
	}
	first = argc >= 4 && !strcmp(argv[2], "-s") ? 4 : 2;
	if (first == 4)
		slack = strtoll(argv[3], NULL, 10);
	if (strcmp(argv[1], "check") || argc != first + F_N) {
		fprintf(stderr, "usage: kbdstat [check [-s SLACK] %d numbers]\n", F_N);
		return 2;
	}
	for (i = 0; i < F_N; i++)
		base[i] = strtoll(argv[first + i], NULL, 10);
	for (i = 0; i < 250 && apart(base, now, 0); i++) {
		nanosleep(&pause, NULL);
		snapshot(now);
	}
	return apart(base, now, 1) ? 1 : 0;
}
