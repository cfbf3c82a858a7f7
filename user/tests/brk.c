// SPDX-License-Identifier: MIT
/*
 * The program break, called directly (brk(2) returns the new or the old
 * break, never -1): growing, writing, shrinking (the freed pages fault),
 * growing again (they come back zeroed), refusals, and malloc churn on top.
 */
#include <setjmp.h>

#include "utest.h"

static sigjmp_buf env;

static void on_segv(int sig)
{
	siglongjmp(env, 1);
}

static uintptr_t sys_brk(uintptr_t to)
{
	return (uintptr_t)syscall(SYS_brk, to);
}

static bool faults(volatile char *p)
{
	signal(SIGSEGV, on_segv);
	if (sigsetjmp(env, 1) == 0) {
		*p = 1;
		return false;
	}
	return true;
}

int main(void)
{
	uintptr_t start = sys_brk(0), top, b;
	char *p;
	int i, good = 0;

	tap_plan(9);
	tap_ok(start != 0, "brk(0) returns the current break");
	/* The break may start anywhere in its first page; grow to page ends. */
	top = (start + 0xfff) & ~0xffful;
	b = sys_brk(top + 16 * 4096);
	tap_ok(b == top + 16 * 4096, "brk grows by 16 pages");
	p = (char *)top;
	memset(p, 'b', 16 * 4096);
	tap_ok(p[0] == 'b' && p[16 * 4096 - 1] == 'b', "the new pages hold what we wrote");
	b = sys_brk(top + 4096);
	tap_ok(b == top + 4096 && faults(p + 2 * 4096) && !faults(p), "shrinking unmaps the tail");
	b = sys_brk(top + 16 * 4096);
	tap_ok(b == top + 16 * 4096 && p[5 * 4096] == 0, "growing again gives zeroed pages");
	b = sys_brk(start - 0x100000);
	tap_ok(b == top + 16 * 4096, "a break below its start is refused (the old one returned)");
	b = sys_brk(0x7fffffffff00ul);
	tap_ok(b == top + 16 * 4096, "a break near the user limit is refused");
	tap_ok(sys_brk(0) == top + 16 * 4096, "and the break did not move");
	for (i = 0; i < 2000; i++) {
		char *m = malloc(1 + (i * 37) % 5000);

		if (m) {
			m[0] = (char)i;
			good += m[0] == (char)i;
		}
		if (i % 3)
			free(m);
	}
	tap_ok(good == 2000, "malloc churn on top: %d of 2000", good);
	return tap_done(9);
}
