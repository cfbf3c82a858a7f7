// SPDX-License-Identifier: MIT
/*
 * Copy-on-write after fork: parent and child each see only their own writes
 * to data, bss, heap, stack and private anonymous mappings, in both orders,
 * across a grandchild too; a MAP_SHARED mapping stays shared.
 */
#include "utest.h"

#define PAGES 16
#define PAGE  4096

static char data_area[PAGES * PAGE] = { 1 }; /* .data: initialised, so file-backed in the ELF */
static char bss_area[PAGES * PAGE];          /* .bss: demand-zero */

struct areas {
	char *p[5];
	const char *name[5];
};

static void fill(struct areas *a, char v)
{
	int i, j;

	for (i = 0; i < 5; i++)
		for (j = 0; j < PAGES; j++)
			memset(a->p[i] + j * PAGE, v + j, 64);
}

/* The first area (by index) whose bytes are not what fill(@v) wrote, or -1. */
static int check(struct areas *a, char v)
{
	int i, j, k;

	for (i = 0; i < 5; i++)
		for (j = 0; j < PAGES; j++)
			for (k = 0; k < 64; k++)
				if (a->p[i][j * PAGE + k] != (char)(v + j))
					return i;
	return -1;
}

int main(void)
{
	char stack_area[PAGES * PAGE];
	volatile int *sync = ut_shared(PAGE);
	char *shared = ut_shared(PAGE);
	struct areas a = {
		{ data_area, bss_area, malloc(PAGES * PAGE), stack_area,
		  mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		       0) },
		{ "data", "bss", "heap", "stack", "mmap" },
	};
	pid_t pid;
	int st, bad;

	tap_plan(8);
	fill(&a, 'A');
	pid = fork();
	if (pid == 0) {
		/* The child sees the parent's bytes, writes its own, and sees only those. */
		bad = check(&a, 'A');
		fill(&a, 'B');
		bad = bad >= 0 ? bad : check(&a, 'B');
		shared[0] = 'S';
		__atomic_store_n(&sync[0], 1, __ATOMIC_RELEASE);
		/* Wait for the parent's own writes, then check they did not reach us. */
		if (!ut_await(&sync[1], 1, 20000))
			_exit(20);
		bad = bad >= 0 ? bad : check(&a, 'B');
		_exit(bad >= 0 ? 10 + bad : 0);
	}
	tap_ok(ut_await(&sync[0], 1, 20000), "the child wrote its copy");
	bad = check(&a, 'A');
	tap_ok(bad < 0, "the parent still sees its own bytes (%s)", bad < 0 ? "all" : a.name[bad]);
	tap_ok(shared[0] == 'S', "a MAP_SHARED page carries the child's write");
	fill(&a, 'C');
	__atomic_store_n(&sync[1], 1, __ATOMIC_RELEASE);
	st = ut_wait(pid);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child saw only its own writes: %s",
	       ut_status(st));
	tap_ok(check(&a, 'C') < 0, "the parent sees its later writes");

	/* Three generations share the same frames; each writes in turn. */
	pid = fork();
	if (pid == 0) {
		pid_t g = fork();

		if (g == 0) {
			fill(&a, 'G');
			_exit(check(&a, 'G') < 0 ? 0 : 1);
		}
		st = ut_wait(g);
		bad = check(&a, 'C');
		fill(&a, 'D');
		_exit(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0 && bad < 0 &&
		                      check(&a, 'D') < 0
		              ? 0
		              : 1);
	}
	st = ut_wait(pid);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	       "child and grandchild each keep their own copy");
	tap_ok(check(&a, 'C') < 0, "the parent's copy is untouched by both");
	/* Now every other copy is gone: writing again must still work. */
	fill(&a, 'E');
	tap_ok(check(&a, 'E') < 0, "writes after the children exited");
	return tap_done(8);
}
