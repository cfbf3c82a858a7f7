// SPDX-License-Identifier: MIT
/*
 * Kernel test runner: walks the .ktests section, runs each test under a
 * jump buffer so a failure, fault or panic returns here, and reports TAP
 * version 13 on the console. Tests run one at a time on the boot CPU;
 * ktest_catch() works on any CPU (each has its own stack of catches), and a
 * fault on another CPU that nothing there catches is a real panic.
 */
#include "core/ktest.h"

#include <lib/format.h>
#include <lib/string.h>

#include <stdarg.h>

#include "arch/arch.h"
#include "core/log.h"
#include "core/panic.h"
#include "core/percpu.h"

extern const struct ktest __start_ktests[], __stop_ktests[];

#define CATCH_DEPTH 4

/* The runner's state; tests run one at a time on run.cpu. */
static struct {
	const struct ktest *test; /* running test, or NULL */
	unsigned cpu;             /* the CPU running it */
	struct arch_jmp_buf test_jb;
	char message[256]; /* why the test ended early */
	unsigned ended_by; /* vector, KTEST_PANIC, or ENDED_FAIL */
} run;

/* Each CPU's ktest_catch() frames; only that CPU touches its own. */
static struct ktest_catches {
	unsigned depth;
	struct arch_jmp_buf jb[CATCH_DEPTH];
	struct ktest_fault *out[CATCH_DEPTH];
} catches[SMP_MAX_CPUS];

static struct ktest_catches *my_catches(void)
{
	return &catches[arch_cpu_index() % SMP_MAX_CPUS];
}

/* True when a test is running on this very CPU. */
static bool test_here(void)
{
	return run.test && arch_cpu_index() == run.cpu;
}

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
	if (test_here())
		arch_longjmp(&run.test_jb, 1);
	panic("ktest_fail outside the test's CPU: %s", run.message);
}

void ktest_skip(const char *reason)
{
	fmt_snprintf(run.message, sizeof(run.message), "%s", reason);
	run.ended_by = ENDED_SKIP;
	if (test_here())
		arch_longjmp(&run.test_jb, 1);
	panic("ktest_skip outside a test");
}

/* A caught event: resume the innermost ktest_catch(), else end the test. */
static void ktest_event(unsigned vector, uint64_t error, uint64_t addr, uint64_t pc,
                        const char *what)
{
	struct ktest_catches *c = my_catches();

	if (c->depth > 0) {
		unsigned d = --c->depth;
		struct ktest_fault *f = c->out[d];

		f->vector = vector;
		f->error = error;
		f->addr = addr;
		f->pc = pc;
		fmt_snprintf(f->what, sizeof(f->what), "%s", what);
		arch_longjmp(&c->jb[d], 1);
	}
	if (!test_here())
		return;
	run.ended_by = vector;
	fmt_snprintf(run.message, sizeof(run.message), "%s", what);
	arch_longjmp(&run.test_jb, 1);
}

bool ktest_expects(unsigned vector)
{
	if (my_catches()->depth > 0)
		return true;
	if (!test_here())
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
	struct ktest_catches *c = my_catches();
	unsigned d = c->depth;

	if (d >= CATCH_DEPTH)
		ktest_fail(__FILE__, __LINE__, "ktest_catch nested too deep");
	memset(f, 0, sizeof(*f));
	c->out[d] = f;
	if (arch_setjmp(&c->jb[d]) != 0)
		return 1;
	c->depth = d + 1;
	fn(arg);
	c->depth = d;
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
	my_catches()->depth = 0;
	run.ended_by = 0;
	run.cpu = arch_cpu_index();
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
