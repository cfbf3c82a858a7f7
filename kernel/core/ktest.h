/* SPDX-License-Identifier: MIT */
/*
 * The in-kernel test harness. TEST(suite, name) registers a test in the
 * .ktests linker section; the runner (kernel command line "ktest" or
 * "ktest=suite" or "ktest=suite.name") runs them, reports TAP on the
 * console and leaves QEMU through isa-debug-exit. A test that faults or
 * panics unexpectedly fails and the run goes on with the next test.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

enum ktest_expect {
	KTEST_EXPECT_RETURN = 0, /* the test must return normally */
	KTEST_EXPECT_PANIC = 1,  /* the test must end in panic() */
	KTEST_EXPECT_FAULT = 2,  /* the test must raise CPU exception .vector */
};

struct ktest {
	const char *suite;
	const char *name;
	void (*fn)(void);
	const char *file;
	int line;
	uint8_t expect; /* enum ktest_expect */
	uint8_t vector; /* for KTEST_EXPECT_FAULT */
};

#define KTEST_DEFINE(suite, name, exp, vec)                                                    \
	static void ktest_fn_##suite##_##name(void);                                           \
	static const struct ktest ktest_##suite##_##name                                       \
		__attribute__((used, section(".ktests"), aligned(8))) = {                      \
			#suite, #name, ktest_fn_##suite##_##name, __FILE__, __LINE__, exp, vec \
		};                                                                             \
	static void ktest_fn_##suite##_##name(void)

#define TEST(suite, name)                    KTEST_DEFINE(suite, name, KTEST_EXPECT_RETURN, 0)
#define TEST_MUST_PANIC(suite, name)         KTEST_DEFINE(suite, name, KTEST_EXPECT_PANIC, 0)
#define TEST_MUST_FAULT(suite, name, vector) KTEST_DEFINE(suite, name, KTEST_EXPECT_FAULT, vector)

/* Fail the running test with a message; does not return. */
__attribute__((noreturn, format(printf, 3, 4))) void ktest_fail(const char *file, int line,
                                                                const char *fmt, ...);

/* End the running test as skipped (TAP "# SKIP"), e.g. when the CPU lacks a feature. */
__attribute__((noreturn)) void ktest_skip(const char *reason);

#define EXPECT_TRUE(c)                                                     \
	do {                                                               \
		if (!(c))                                                  \
			ktest_fail(__FILE__, __LINE__, "expected %s", #c); \
	} while (0)

#define EXPECT_EQ(a, b)                                                                           \
	do {                                                                                      \
		long long ka_ = (long long)(a), kb_ = (long long)(b);                             \
		if (ka_ != kb_)                                                                   \
			ktest_fail(__FILE__, __LINE__, "%s == %s: 0x%llx != 0x%llx", #a, #b, ka_, \
			           kb_);                                                          \
	} while (0)

#define EXPECT_STREQ(a, b)                                                                        \
	do {                                                                                      \
		const char *ka_ = (a), *kb_ = (b);                                                \
		if (strcmp(ka_, kb_) != 0)                                                        \
			ktest_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a, #b, ka_, \
			           kb_);                                                          \
	} while (0)

/* What ktest_catch() saw. */
struct ktest_fault {
	unsigned vector; /* CPU exception vector, or KTEST_PANIC */
	uint64_t error;  /* error code the CPU pushed (0 if none) */
	uint64_t addr;   /* faulting address (CR2) for page faults */
	uint64_t pc;     /* instruction that faulted */
	char what[160];  /* the decoded description, as the panic report prints it */
};

#define KTEST_PANIC 256

/*
 * Run @fn(@arg) and catch a CPU exception or panic it raises. Returns 0 if
 * @fn returned normally, 1 if it faulted or panicked (details in *@f).
 * Catches nest; usable only in tests.
 */
int ktest_catch(void (*fn)(void *), void *arg, struct ktest_fault *f);

/*
 * Hooks for the trap and panic paths: when a test (or ktest_catch) is
 * waiting for this event, these jump back to it and do not return.
 */
void ktest_on_fault(unsigned vector, uint64_t error, uint64_t addr, uint64_t pc, const char *what);
void ktest_on_panic(const char *msg);
bool ktest_active(void);
/* True when the running test (or ktest_catch) is waiting for exactly this event. */
bool ktest_expects(unsigned vector);

/* Run every test whose "suite.name" starts with @filter ("" for all). */
int ktest_run(const char *filter);
