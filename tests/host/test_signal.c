/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/signal: default actions against signal(7)'s table,
 * the order in which pending signals are taken, rt_sigprocmask's updates,
 * kill's permission rule, frame placement on the normal and the alternate
 * stack, sigaltstack's checks and the restart rules of interrupted calls.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka.h needs the standard headers above it. */
#include <cairn/errno.h>

#include <lib/signal/signal.h>

#include <cmocka.h>

static void default_actions_follow_signal7(void **state)
{
	static const struct {
		int sig;
		enum sig_action act;
	} table[] = {
		{ SIGHUP, SIG_ACT_TERM },   { SIGINT, SIG_ACT_TERM },
		{ SIGQUIT, SIG_ACT_CORE },  { SIGILL, SIG_ACT_CORE },
		{ SIGTRAP, SIG_ACT_CORE },  { SIGABRT, SIG_ACT_CORE },
		{ SIGBUS, SIG_ACT_CORE },   { SIGFPE, SIG_ACT_CORE },
		{ SIGKILL, SIG_ACT_TERM },  { SIGUSR1, SIG_ACT_TERM },
		{ SIGSEGV, SIG_ACT_CORE },  { SIGUSR2, SIG_ACT_TERM },
		{ SIGPIPE, SIG_ACT_TERM },  { SIGALRM, SIG_ACT_TERM },
		{ SIGTERM, SIG_ACT_TERM },  { SIGSTKFLT, SIG_ACT_TERM },
		{ SIGCHLD, SIG_ACT_IGN },   { SIGCONT, SIG_ACT_CONT },
		{ SIGSTOP, SIG_ACT_STOP },  { SIGTSTP, SIG_ACT_STOP },
		{ SIGTTIN, SIG_ACT_STOP },  { SIGTTOU, SIG_ACT_STOP },
		{ SIGURG, SIG_ACT_IGN },    { SIGXCPU, SIG_ACT_CORE },
		{ SIGXFSZ, SIG_ACT_CORE },  { SIGVTALRM, SIG_ACT_TERM },
		{ SIGPROF, SIG_ACT_TERM },  { SIGWINCH, SIG_ACT_IGN },
		{ SIGIO, SIG_ACT_TERM },    { SIGPWR, SIG_ACT_TERM },
		{ SIGSYS, SIG_ACT_CORE },   { SIGRTMIN, SIG_ACT_TERM },
		{ SIGRTMAX, SIG_ACT_TERM },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		assert_int_equal(sig_default_action(table[i].sig), table[i].act);
	assert_false(sig_valid(0));
	assert_false(sig_valid(65));
	assert_false(sig_valid(-1));
	assert_true(sig_valid(64));
}

static void next_takes_faults_then_lowest(void **state)
{
	(void)state;
	assert_int_equal(sig_next(0, 0), 0);
	assert_int_equal(sig_next(SIG_BIT(SIGINT) | SIG_BIT(SIGTERM), 0), SIGINT);
	assert_int_equal(sig_next(SIG_BIT(SIGINT) | SIG_BIT(SIGSEGV), 0), SIGSEGV);
	assert_int_equal(sig_next(SIG_BIT(SIGHUP) | SIG_BIT(SIGFPE) | SIG_BIT(SIGBUS), 0), SIGBUS);
	/* A blocked fault waits; the others go in order. */
	assert_int_equal(sig_next(SIG_BIT(SIGHUP) | SIG_BIT(SIGSEGV), SIG_BIT(SIGSEGV)), SIGHUP);
	assert_int_equal(sig_next(SIG_BIT(SIGRTMAX), 0), SIGRTMAX);
	assert_int_equal(sig_next(SIG_BIT(SIGRTMAX) | SIG_BIT(40), 0), 40);
	assert_int_equal(sig_next(SIG_BIT(SIGUSR1), SIG_BIT(SIGUSR1)), 0);
	assert_int_equal(sig_next(~0ull, ~0ull), 0);
}

static void mask_update_never_blocks_kill_or_stop(void **state)
{
	uint64_t out = 0x1234;

	(void)state;
	assert_int_equal(sig_mask_update(0, SIG_BLOCK, ~0ull, &out), 0);
	assert_int_equal(out, ~0ull & ~SIG_UNCATCHABLE);
	assert_int_equal(sig_mask_update(out, SIG_UNBLOCK, SIG_BIT(SIGINT), &out), 0);
	assert_int_equal(out & SIG_BIT(SIGINT), 0);
	assert_int_not_equal(out & SIG_BIT(SIGTERM), 0);
	assert_int_equal(
		sig_mask_update(out, SIG_SETMASK, SIG_BIT(SIGUSR1) | SIG_BIT(SIGKILL), &out), 0);
	assert_int_equal(out, SIG_BIT(SIGUSR1));
	out = 7;
	assert_int_equal(sig_mask_update(0, 3, 0, &out), -EINVAL);
	assert_int_equal(sig_mask_update(0, -1, 0, &out), -EINVAL);
	assert_int_equal(out, 7);
}

static void kill_permission_follows_the_uids(void **state)
{
	struct sig_creds root = { 0, 0, 0 }, alice = { 1000, 1000, 1000 },
			 bob = { 1001, 1001, 1001 };
	struct sig_creds setuid_alice = { 1001, 1000,
		                          1000 }; /* bob running alice's setuid program */

	(void)state;
	assert_true(sig_kill_permitted(&root, &alice, SIGKILL, false));
	assert_true(sig_kill_permitted(&alice, &alice, SIGTERM, false));
	assert_false(sig_kill_permitted(&alice, &bob, SIGTERM, false));
	assert_false(sig_kill_permitted(&bob, &root, SIGKILL, false));
	/* The real uid of the sender matches the target's uid. */
	assert_true(sig_kill_permitted(&setuid_alice, &bob, SIGTERM, false));
	assert_true(sig_kill_permitted(&setuid_alice, &alice, SIGTERM, false));
	/* SIGCONT crosses users inside one session only. */
	assert_true(sig_kill_permitted(&alice, &bob, SIGCONT, true));
	assert_false(sig_kill_permitted(&alice, &bob, SIGCONT, false));
	assert_false(sig_kill_permitted(&alice, &bob, SIGTERM, true));
}

static void frame_on_the_normal_stack_skips_the_red_zone(void **state)
{
	struct sig_stack_req req = { .sp = 0x7fff0000, .frame_size = 440, .fpu_size = 512 };
	struct sig_stack_place pl;

	(void)state;
	assert_int_equal(sig_place_frame(&req, &pl), 0);
	assert_false(pl.onstack);
	assert_int_equal(pl.fpu % 64, 0);
	assert_true(pl.fpu + 512 <= req.sp - 128);
	assert_true(pl.frame + 440 <= pl.fpu);
	/* As after a call: (sp + 8) is 16-byte aligned. */
	assert_int_equal((pl.frame + 8) % 16, 0);
	/* An odd stack pointer still gives aligned results. */
	req.sp = 0x7fff0003;
	assert_int_equal(sig_place_frame(&req, &pl), 0);
	assert_int_equal(pl.fpu % 64, 0);
	assert_int_equal((pl.frame + 8) % 16, 0);
	/* A stack pointer near 0 would wrap. */
	req.sp = 600;
	assert_int_equal(sig_place_frame(&req, &pl), -EFAULT);
}

static void frame_on_the_alternate_stack(void **state)
{
	struct sig_stack_req req = { .sp = 0x7fff0000,
		                     .ss_sp = 0x10000,
		                     .ss_size = 8192,
		                     .want_onstack = true,
		                     .frame_size = 440,
		                     .fpu_size = 512 };
	struct sig_stack_place pl;

	(void)state;
	assert_int_equal(sig_place_frame(&req, &pl), 0);
	assert_true(pl.onstack);
	assert_true(pl.fpu + 512 <= 0x10000 + 8192);
	assert_true(pl.frame >= 0x10000);
	/* Nested: already on the alternate stack, the frame goes below sp. */
	req.sp = pl.frame;
	assert_int_equal(sig_place_frame(&req, &pl), 0);
	assert_true(pl.onstack);
	assert_true(pl.fpu + 512 <= req.sp - 128);
	/* Deep nesting falls off the bottom: refused. */
	req.sp = 0x10000 + 1000;
	assert_int_equal(sig_place_frame(&req, &pl), -EFAULT);
	/* Disabled, or without SA_ONSTACK: the normal stack. */
	req.sp = 0x7fff0000;
	req.ss_flags = SS_DISABLE;
	assert_int_equal(sig_place_frame(&req, &pl), 0);
	assert_false(pl.onstack);
	req.ss_flags = 0;
	req.want_onstack = false;
	assert_int_equal(sig_place_frame(&req, &pl), 0);
	assert_false(pl.onstack);
}

static void altstack_checks(void **state)
{
	(void)state;
	assert_int_equal(sig_altstack_check(0x7000, 0, 0, 0, MINSIGSTKSZ), 0);
	assert_int_equal(sig_altstack_check(0x7000, 0, 0, SS_ONSTACK, MINSIGSTKSZ), 0);
	assert_int_equal(sig_altstack_check(0x7000, 0, 0, SS_AUTODISARM, MINSIGSTKSZ), 0);
	assert_int_equal(sig_altstack_check(0x7000, 0, 0, 0, MINSIGSTKSZ - 1), -ENOMEM);
	assert_int_equal(sig_altstack_check(0x7000, 0, 0, SS_DISABLE, 0), 0);
	assert_int_equal(sig_altstack_check(0x7000, 0, 0, 4, MINSIGSTKSZ), -EINVAL);
	/* Running on it: no change allowed. */
	assert_int_equal(sig_altstack_check(0x7000, 0x6000, 0x2000, 0, MINSIGSTKSZ), -EPERM);
	assert_true(sig_on_altstack(0x8000, 0x6000, 0x2000));
	assert_false(sig_on_altstack(0x6000, 0x6000, 0x2000));
	assert_false(sig_on_altstack(0x7000, 0x6000, 0));
}

static void restart_rules_match_linux(void **state)
{
	(void)state;
	assert_int_equal(sig_restart_rule(-ERESTARTSYS, true, false), SIG_RESTART_EINTR);
	assert_int_equal(sig_restart_rule(-ERESTARTSYS, true, true), SIG_RESTART_AGAIN);
	assert_int_equal(sig_restart_rule(-ERESTARTSYS, false, false), SIG_RESTART_AGAIN);
	assert_int_equal(sig_restart_rule(-ERESTARTNOINTR, true, false), SIG_RESTART_AGAIN);
	assert_int_equal(sig_restart_rule(-ERESTARTNOHAND, true, true), SIG_RESTART_EINTR);
	assert_int_equal(sig_restart_rule(-ERESTARTNOHAND, false, false), SIG_RESTART_AGAIN);
	assert_int_equal(sig_restart_rule(-ERESTART_RESTARTBLOCK, true, true), SIG_RESTART_EINTR);
	assert_int_equal(sig_restart_rule(-EINTR, true, true), SIG_RESTART_NONE);
	assert_int_equal(sig_restart_rule(0, false, false), SIG_RESTART_NONE);
	assert_int_equal(sig_restart_rule(512, true, true), SIG_RESTART_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_actions_follow_signal7),
		cmocka_unit_test(next_takes_faults_then_lowest),
		cmocka_unit_test(mask_update_never_blocks_kill_or_stop),
		cmocka_unit_test(kill_permission_follows_the_uids),
		cmocka_unit_test(frame_on_the_normal_stack_skips_the_red_zone),
		cmocka_unit_test(frame_on_the_alternate_stack),
		cmocka_unit_test(altstack_checks),
		cmocka_unit_test(restart_rules_match_linux),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
