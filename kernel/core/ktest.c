// SPDX-License-Identifier: MIT
/*
 * Kernel test runner: walks the .ktests section, runs each test under a
 * jump buffer so a failure, fault or panic returns here, and reports TAP
 * version 13 on the console. Tests run one at a time on the boot CPU.
 */
#include "core/ktest.h"

#include <lib/format.h>
#include <lib/string.h>

#include <stdarg.h>

#include "arch/arch.h"
#include "core/log.h"
#include "core/panic.h"

extern const struct ktest __start_ktests[], __stop_ktests[];

#define CATCH_DEPTH 4

/* The runner's state; single CPU, tests run one at a time. */
static struct {
	const struct ktest *test; /* running test, or NULL */
	struct arch_jmp_buf test_jb;
	char message[256]; /* why the test ended early */
	unsigned catch_depth;
	struct arch_jmp_buf catch_jb[CATCH_DEPTH];
	struct ktest_fault *catch_out[CATCH_DEPTH];
	unsigned ended_by; /* vector, KTEST_PANIC, or ENDED_FAIL */
} run;

#define ENDED_FAIL 1000
#define ENDED_SKIP 1001

bool ktest_active(void)
{
	return run.test != NULL;
}

void ktest_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = fmt_snprintf(run.message, sizeof(run.message), "%s:%d: ", file, line);
	va_start(ap, fmt);
	fmt_vsnprintf(run.message + n, sizeof(run.message) - (size_t)n, fmt, ap);
	va_end(ap);
	run.ended_by = ENDED_FAIL;
	if (run.test)
		arch_longjmp(&run.test_jb, 1);
	panic("ktest_fail outside a test: %s", run.message);
}

void ktest_skip(const char *reason)
{
	fmt_snprintf(run.message, sizeof(run.message), "%s", reason);
	run.ended_by = ENDED_SKIP;
	if (run.test)
		arch_longjmp(&run.test_jb, 1);
	panic("ktest_skip outside a test");
}

/* A caught event: resume the innermost ktest_catch(), else end the test. */
static void ktest_event(unsigned vector, uint64_t error, uint64_t addr, uint64_t pc,
                        const char *what)
{
	if (run.catch_depth > 0) {
		unsigned d = --run.catch_depth;
		struct ktest_fault *f = run.catch_out[d];

		f->vector = vector;
		f->error = error;
		f->addr = addr;
		f->pc = pc;
		fmt_snprintf(f->what, sizeof(f->what), "%s", what);
		arch_longjmp(&run.catch_jb[d], 1);
	}
	if (!run.test)
		return;
	run.ended_by = vector;
	fmt_snprintf(run.message, sizeof(run.message), "%s", what);
	arch_longjmp(&run.test_jb, 1);
}

bool ktest_expects(unsigned vector)
{
	if (run.catch_depth > 0)
		return true;
	if (!run.test)
		return false;
	if (vector == KTEST_PANIC)
		return run.test->expect == KTEST_EXPECT_PANIC;
	return run.test->expect == KTEST_EXPECT_FAULT && run.test->vector == vector;
}

void ktest_on_fault(unsigned vector, uint64_t error, uint64_t addr, uint64_t pc, const char *what)
{
	ktest_event(vector, error, addr, pc, what);
}

void ktest_on_panic(const char *msg)
{
	ktest_event(KTEST_PANIC, 0, 0, 0, msg);
}

int ktest_catch(void (*fn)(void *), void *arg, struct ktest_fault *f)
{
	unsigned d = run.catch_depth;

	if (d >= CATCH_DEPTH)
		ktest_fail(__FILE__, __LINE__, "ktest_catch nested too deep");
	memset(f, 0, sizeof(*f));
	run.catch_out[d] = f;
	if (arch_setjmp(&run.catch_jb[d]) != 0)
		return 1;
	run.catch_depth = d + 1;
	fn(arg);
	run.catch_depth = d;
	return 0;
}

static bool matches(const struct ktest *t, const char *filter)
{
	char full[128];

	fmt_snprintf(full, sizeof(full), "%s.%s", t->suite, t->name);
	return strncmp(full, filter, strlen(filter)) == 0;
}

/* Run one test; returns true when it behaved as declared. */
static __attribute__((noinline)) bool run_one(const struct ktest *t)
{
	run.message[0] = 0;
	run.catch_depth = 0;
	run.ended_by = 0;
	run.test = t;
	if (arch_setjmp(&run.test_jb) == 0) {
		t->fn();
		run.ended_by = 0;
	}
	run.test = NULL;
	if (run.ended_by == ENDED_SKIP)
		return true;
	switch (t->expect) {
	case KTEST_EXPECT_PANIC:
		if (run.ended_by == KTEST_PANIC)
			return true;
		break;
	case KTEST_EXPECT_FAULT:
		if (run.ended_by == t->vector)
			return true;
		break;
	default:
		if (run.ended_by == 0)
			return true;
		break;
	}
	if (run.ended_by == 0)
		fmt_snprintf(run.message, sizeof(run.message), "%s:%d: returned, but must %s",
		             t->file, t->line, t->expect == KTEST_EXPECT_PANIC ? "panic" : "fault");
	return false;
}

int ktest_run(const char *filter)
{
	const struct ktest *t;
	unsigned total = 0, passed = 0, n = 0;

	for (t = __start_ktests; t < __stop_ktests; t++)
		total += matches(t, filter);
	kprintf("TAP version 13\n1..%u\n", total);
	for (t = __start_ktests; t < __stop_ktests; t++) {
		if (!matches(t, filter))
			continue;
		n++;
		if (run_one(t)) {
			passed++;
			if (run.ended_by == ENDED_SKIP)
				kprintf("ok %u - %s.%s # SKIP %s\n", n, t->suite, t->name,
				        run.message);
			else
				kprintf("ok %u - %s.%s\n", n, t->suite, t->name);
		} else {
			kprintf("not ok %u - %s.%s\n  ---\n  at: %s:%d\n  message: \"%s\"\n  ...\n",
			        n, t->suite, t->name, t->file, t->line, run.message);
		}
	}
	kprintf("ktest: %u passed, %u failed\n", passed, total - passed);
	return passed == total ? 0 : -1;
}
