// SPDX-License-Identifier: MIT
/*
 * Helpers the memory-object tests share (user/tests/ipc_vmo*.c): checks
 * that remember the first failing line, a read that catches SIGBUS,
 * mapping a handle, patterns, the kernel's object counts, and the TAP
 * loop that runs a table of points (each "# SKIP not Cairn" on Linux).
 * Header-only, like tap.h.
 */
#pragma once

#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>

#include "cairn.h"
#include "utest.h"

#define PG 4096ul
#define RW (PROT_READ | PROT_WRITE)

/* The line of the first check that failed in the current point (0: none). */
static int vt_failed_line;
#define CK(cond)                                   \
	do {                                       \
		if (!(cond) && !vt_failed_line)    \
			vt_failed_line = __LINE__; \
	} while (0)

static __thread sigjmp_buf vt_env;

__attribute__((unused)) static void vt_on_bus(int sig)
{
	(void)sig;
	siglongjmp(vt_env, 1);
}

/* Whether reading @p raises SIGBUS. */
__attribute__((unused)) static bool vt_read_bus(volatile char *p)
{
	struct sigaction sa = { .sa_handler = vt_on_bus }, old;
	volatile bool bus = false;

	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(vt_env, 1) == 0)
		(void)*p;
	else
		bus = true;
	sigaction(SIGBUS, &old, NULL);
	return bus;
}

__attribute__((unused)) static void *vt_map(int h, size_t len, int prot, int flags, long off)
{
	return mmap(NULL, len, prot, flags, h, off);
}

__attribute__((unused)) static bool vt_mapped(void *p)
{
	return p != MAP_FAILED;
}

/* The errno of a mapping that must fail (0 if it did not: it is undone). */
__attribute__((unused)) static int vt_map_fails(int h, size_t len, int prot, int flags)
{
	void *p = mmap(NULL, len, prot, flags, h, 0);

	if (p == MAP_FAILED)
		return errno;
	munmap(p, len);
	return 0;
}

__attribute__((unused)) static void vt_fill(uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 31 + seed);
}

__attribute__((unused)) static bool vt_same(const uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (uint8_t)(i * 31 + seed))
			return false;
	return true;
}

__attribute__((unused)) static struct cairn_objcount vt_counts(void)
{
	struct cairn_objcount c = { 0 };

	cairn_object_count(&c);
	return c;
}

/* Wait (a dead child's space may go just after the reaping) for @c0's objects and pages. */
__attribute__((unused)) static void vt_wait_counts(const struct cairn_objcount *c0)
{
	struct cairn_objcount c1 = vt_counts();

	for (int i = 0; i < 100 && (c1.vmo_pages != c0->vmo_pages ||
	                            c1.objects[CAIRN_OBJ_VMO] != c0->objects[CAIRN_OBJ_VMO]);
	     i++) {
		ut_sleep_ms(20);
		c1 = vt_counts();
	}
	CK(c1.objects[CAIRN_OBJ_VMO] == c0->objects[CAIRN_OBJ_VMO]);
	CK(c1.vmo_pages == c0->vmo_pages);
	CK(c1.handles == c0->handles);
	CK(c1.messages == c0->messages);
}

/* One test point: a function of CK() checks and what it shows. */
struct vt_point {
	void (*fn)(void);
	const char *what;
};

/* Run @n points as TAP (all skipped off Cairn); the program's exit status. */
__attribute__((unused)) static int vt_run(const struct vt_point *points, int n)
{
	bool cairn = cairn_present();

	tap_plan(n);
	for (int i = 0; i < n; i++) {
		if (!cairn) {
			tap_ok(true, "%s # SKIP not Cairn", points[i].what);
			continue;
		}
		vt_failed_line = 0;
		points[i].fn();
		if (vt_failed_line)
			tap_masked("first failed check at line %d", vt_failed_line);
		tap_ok(!vt_failed_line, "%s", points[i].what);
	}
	return tap_done(n);
}
