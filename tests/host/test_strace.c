/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/strace's formatter: each argument kind, strings read
 * through the callback (escaped, cut, unreadable), unknown numbers,
 * results with errno names and addresses, and truncation to the buffer.
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
#include <lib/strace/strace.h>

/* "User memory" for the tests: addresses below 0x1000 are unreadable. */
static long read_str(void *ctx, uint64_t uaddr, char *buf, size_t size)
{
	const char *s = (const char *)(uintptr_t)uaddr;
	size_t n = 0;

	(void)ctx;
	if (uaddr < 0x1000)
		return -14;
	while (n + 1 < size && s[n]) {
		buf[n] = s[n];
		n++;
	}
	buf[n] = 0;
	return (long)n;
}

static const char *call(long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                        uint64_t a5)
{
	static char out[256];
	const uint64_t args[6] = { a0, a1, a2, a3, a4, a5 };

	strace_format_call(out, sizeof(out), nr, args, read_str, NULL);
	return out;
}

static void mmap_like_strace(void **state)
{
	(void)state;
	assert_string_equal(
		call(SYS_mmap, 0, 8192, 3, 0x22, (uint64_t)-1, 0),
		"mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)");
	assert_string_equal(
		call(SYS_mmap, 0x7f0000, 4096, 0, 0x100012, 3, 0x1000),
		"mmap(0x7f0000, 4096, PROT_NONE, MAP_PRIVATE|MAP_FIXED|MAP_FIXED_NOREPLACE, 3, "
		"0x1000)");
	assert_string_equal(call(SYS_mprotect, 0x1000, 4096, 0x80000005, 0, 0, 0),
	                    "mprotect(0x1000, 4096, PROT_READ|PROT_EXEC|0x80000000)");
}

static void strings_and_open_flags(void **state)
{
	(void)state;
	assert_string_equal(call(SYS_open, (uintptr_t) "/etc/passwd", 02000101, 0644, 0, 0, 0),
	                    "open(\"/etc/passwd\", O_WRONLY|O_CREAT|O_CLOEXEC, 0644)");
	assert_string_equal(call(SYS_openat, (uint64_t)-100, (uintptr_t) "a\"b\n\x01", 0, 0, 0, 0),
	                    "openat(AT_FDCWD, \"a\\\"b\\n\\x01\", O_RDONLY, 00)");
	assert_string_equal(call(SYS_execve, 0x10, 0, 0, 0, 0, 0), "execve(0x10, NULL, NULL)");
	assert_string_equal(call(SYS_chdir, (uintptr_t) "0123456789012345678901234567890123456789",
	                         0, 0, 0, 0, 0),
	                    "chdir(\"01234567890123456789012345678901\"...)");
}

static void clone_signals_futex_clocks(void **state)
{
	(void)state;
	assert_string_equal(
		call(SYS_clone, 0x3d0f00, 0x7000, 0x10, 0x20, 0x30, 0),
		"clone(CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_"
		"SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, 0x7000, "
		"0x10, 0x20, 0x30)");
	assert_string_equal(call(SYS_clone, 0x1200011, 0, 0, 0x20, 0, 0),
	                    "clone(CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, NULL, NULL, "
	                    "0x20, 0)");
	assert_string_equal(call(SYS_kill, 5, 9, 0, 0, 0, 0), "kill(5, SIGKILL)");
	assert_string_equal(call(SYS_tkill, 5, 35, 0, 0, 0, 0), "tkill(5, SIGRT_3)");
	assert_string_equal(call(SYS_tkill, 5, 99, 0, 0, 0, 0), "tkill(5, 99)");
	assert_string_equal(call(SYS_futex, 0x1000, 128, 2, 0, 0, 0),
	                    "futex(0x1000, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0)");
	assert_string_equal(
		call(SYS_futex, 0x1000, 9 | 256, 2, 0, 0, 0xffffffff),
		"futex(0x1000, FUTEX_WAIT_BITSET|FUTEX_CLOCK_REALTIME, 2, NULL, NULL, -1)");
	assert_string_equal(call(SYS_clock_gettime, 1, 0x2000, 0, 0, 0, 0),
	                    "clock_gettime(CLOCK_MONOTONIC, 0x2000)");
	assert_string_equal(call(SYS_clock_gettime, 10, 0x2000, 0, 0, 0, 0),
	                    "clock_gettime(10, 0x2000)");
}

static void unknown_and_no_args(void **state)
{
	(void)state;
	assert_string_equal(call(SYS_getppid, 1, 2, 3, 4, 5, 6), "getppid()");
	assert_string_equal(call(400, 1, 2, 3, 4, 5, 6),
	                    "syscall_400(0x1, 0x2, 0x3, 0x4, 0x5, 0x6)");
	assert_string_equal(call(-1, 0, 0, 0, 0, 0, 0), "syscall_-1(0, 0, 0, 0, 0, 0)");
}

static void results(void **state)
{
	char out[64];

	(void)state;
	strace_format_result(out, sizeof(out), SYS_open, -2);
	assert_string_equal(out, " = -1 ENOENT");
	strace_format_result(out, sizeof(out), SYS_read, -512);
	assert_string_equal(out, " = ? ERESTARTSYS");
	strace_format_result(out, sizeof(out), SYS_mmap, 0x7f0000001000);
	assert_string_equal(out, " = 0x7f0000001000");
	strace_format_result(out, sizeof(out), SYS_write, 12);
	assert_string_equal(out, " = 12");
	strace_format_result(out, sizeof(out), SYS_write, -1000);
	assert_string_equal(out, " = -1000");
	assert_string_equal(strace_errno_name(38), "ENOSYS");
	assert_string_equal(strace_errno_name(133), "EHWPOISON");
	assert_null(strace_errno_name(41));
	assert_null(strace_errno_name(0));
	assert_null(strace_errno_name(600));
}

static void truncates_safely(void **state)
{
	char out[10];
	const uint64_t args[6] = { 0, 8192, 3, 0x22, (uint64_t)-1, 0 };
	size_t n;

	(void)state;
	memset(out, 'x', sizeof(out));
	n = strace_format_call(out, sizeof(out), SYS_mmap, args, read_str, NULL);
	assert_int_equal(n,
	                 strlen("mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, "
	                        "-1, 0)"));
	assert_string_equal(out, "mmap(NULL");
	n = strace_format_call(out, 0, SYS_mmap, args, NULL, NULL);
	assert_true(n > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mmap_like_strace),
		cmocka_unit_test(strings_and_open_flags),
		cmocka_unit_test(clone_signals_futex_clocks),
		cmocka_unit_test(unknown_and_no_args),
		cmocka_unit_test(results),
		cmocka_unit_test(truncates_safely),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
