/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/strace/sysent: the system-call table built from
 * kernel/syscall/syscalls.def against the C library's own numbers
 * (<sys/syscall.h> on the build machine holds Linux's uapi facts), and
 * the table's internal consistency.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

/* The code under test. */
#include <lib/strace/sysent.h>

/* A few numbers every x86_64 Linux has, checked against the host's header. */
static void numbers_match_host(void **state)
{
	(void)state;
	assert_string_equal(sysent_lookup(SYS_read)->name, "read");
	assert_string_equal(sysent_lookup(SYS_mmap)->name, "mmap");
	assert_string_equal(sysent_lookup(SYS_clone)->name, "clone");
	assert_string_equal(sysent_lookup(SYS_futex)->name, "futex");
	assert_string_equal(sysent_lookup(SYS_exit_group)->name, "exit_group");
	assert_string_equal(sysent_lookup(SYS_rseq)->name, "rseq");
	assert_string_equal(sysent_lookup(SYS_pidfd_send_signal)->name, "pidfd_send_signal");
	assert_string_equal(sysent_lookup(SYS_clone3)->name, "clone3");
	assert_int_equal(sysent_find("getppid"), SYS_getppid);
	assert_int_equal(sysent_find("newfstatat"), SYS_newfstatat);
}

/* Numbers x86_64 never assigned, and those beyond the table, have no entry. */
static void holes_and_bounds(void **state)
{
	(void)state;
	assert_null(sysent_lookup(-1));
	assert_null(sysent_lookup(335));
	assert_null(sysent_lookup(423));
	assert_non_null(sysent_lookup(424));
	assert_non_null(sysent_lookup(SYSENT_COUNT - 1));
	assert_null(sysent_lookup(SYSENT_COUNT));
	assert_null(sysent_lookup(512));
	assert_int_equal(sysent_find("no_such_call"), -1);
}

/* Every entry: a unique name, its kinds filled exactly up to nargs, a known owner. */
static void entries_consistent(void **state)
{
	int named = 0;

	(void)state;
	for (long nr = 0; nr < SYSENT_COUNT; nr++) {
		const struct sysent *e = sysent_lookup(nr);

		if (!e)
			continue;
		named++;
		assert_int_equal(sysent_find(e->name), nr);
		assert_true(e->nargs <= SYSENT_MAX_ARGS);
		assert_true(e->owner <= SYSOWN_PROC);
		for (int i = 0; i < SYSENT_MAX_ARGS; i++) {
			if (i < e->nargs)
				assert_true(e->kind[i] != SYSARG__ && e->kind[i] < SYSARG_NKINDS);
			else
				assert_int_equal(e->kind[i], SYSARG__);
		}
	}
	/* 0..334 and 424..462. */
	assert_int_equal(named, 335 + 39);
}

/* A few signatures strace depends on. */
static void known_signatures(void **state)
{
	const struct sysent *mmap = sysent_lookup(SYS_mmap);
	const struct sysent *clone = sysent_lookup(SYS_clone);

	(void)state;
	assert_int_equal(mmap->nargs, 6);
	assert_int_equal(mmap->kind[2], SYSARG_PROT);
	assert_int_equal(mmap->kind[3], SYSARG_MAPF);
	assert_int_equal(mmap->kind[4], SYSARG_FD);
	assert_int_equal(clone->kind[0], SYSARG_CLONE);
	assert_int_equal(sysent_lookup(SYS_getppid)->nargs, 0);
	assert_int_equal(sysent_lookup(SYS_open)->kind[0], SYSARG_S);
	assert_int_equal(sysent_lookup(SYS_read)->owner, SYSOWN_SYS);
	assert_int_equal(sysent_lookup(SYS_mmap)->owner, SYSOWN_MM);
	assert_int_equal(sysent_lookup(SYS_open)->owner, SYSOWN_SYS); /* the files issue */
	assert_int_equal(sysent_lookup(SYS_shmget)->owner, SYSOWN_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(numbers_match_host),
		cmocka_unit_test(holes_and_bounds),
		cmocka_unit_test(entries_consistent),
		cmocka_unit_test(known_signatures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
