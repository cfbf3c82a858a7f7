// SPDX-License-Identifier: MIT
/*
 * A tiny TAP helper for Cairn's user test programs, header-only so that each
 * test is one .c file built with both musl and glibc. Output goes straight to
 * descriptor 1 with write(2), one line per call: no stdio buffer that a
 * fork() would duplicate or an exit by signal would lose.
 *
 * Lines starting with "#~ " carry values that change run to run (addresses,
 * pids); the differential runner (tools/usertest.py) leaves them out of the
 * comparison with Linux. Every other line must be the same on both kernels.
 */
#pragma once

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int tap_count;  /* test points printed so far */
static int tap_failed; /* of which failed */

/* Print one formatted line (the newline is added) with a single write. */
__attribute__((format(printf, 1, 2), unused)) static void tap_line(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	while (write(1, buf, n) < 0 && errno == EINTR)
		;
}

/* The symbolic name of an errno value, the same text on every libc. */
__attribute__((unused)) static const char *tap_errno_name(int e)
{
	static const struct {
		int num;
		const char *name;
	} names[] = {
		{ 0, "OK" },
		{ EPERM, "EPERM" },
		{ ENOENT, "ENOENT" },
		{ ESRCH, "ESRCH" },
		{ EINTR, "EINTR" },
		{ EIO, "EIO" },
		{ E2BIG, "E2BIG" },
		{ ENOEXEC, "ENOEXEC" },
		{ EBADF, "EBADF" },
		{ ECHILD, "ECHILD" },
		{ EAGAIN, "EAGAIN" },
		{ ENOMEM, "ENOMEM" },
		{ EACCES, "EACCES" },
		{ EFAULT, "EFAULT" },
		{ EBUSY, "EBUSY" },
		{ EEXIST, "EEXIST" },
		{ ENOTDIR, "ENOTDIR" },
		{ EINVAL, "EINVAL" },
		{ ENOTTY, "ENOTTY" },
		{ EFBIG, "EFBIG" },
		{ ENOSPC, "ENOSPC" },
		{ ERANGE, "ERANGE" },
		{ ENOSYS, "ENOSYS" },
		{ ETIMEDOUT, "ETIMEDOUT" },
		{ EOVERFLOW, "EOVERFLOW" },
		{ EBADFD, "EBADFD" },
		{ ENAMETOOLONG, "ENAMETOOLONG" },
		{ EOPNOTSUPP, "EOPNOTSUPP" },
		{ ENXIO, "ENXIO" },
		{ EXDEV, "EXDEV" },
		{ ENODEV, "ENODEV" },
		{ EISDIR, "EISDIR" },
		{ ENFILE, "ENFILE" },
		{ EMFILE, "EMFILE" },
		{ ETXTBSY, "ETXTBSY" },
		{ ESPIPE, "ESPIPE" },
		{ EROFS, "EROFS" },
		{ EMLINK, "EMLINK" },
		{ EPIPE, "EPIPE" },
		{ ENOTEMPTY, "ENOTEMPTY" },
		{ ELOOP, "ELOOP" },
		{ ENOTSOCK, "ENOTSOCK" },
		{ ESTALE, "ESTALE" },
		{ ELIBBAD, "ELIBBAD" },
		{ ENODATA, "ENODATA" },
	};
	static char other[16];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].num == e)
			return names[i].name;
	snprintf(other, sizeof(other), "errno%d", e);
	return other;
}

/* Announce @n test points (TAP's plan line). */
__attribute__((unused)) static void tap_plan(int n)
{
	tap_line("1..%d", n);
}

/* Record one test point; returns @ok so callers can branch on it. */
__attribute__((format(printf, 2, 3), unused)) static bool tap_ok(bool ok, const char *fmt, ...)
{
	char desc[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	tap_count++;
	if (!ok)
		tap_failed++;
	tap_line("%s %d - %s", ok ? "ok" : "not ok", tap_count, desc);
	return ok;
}

/*
 * Check that the call just made returned @got with errno @want (0: success,
 * any result but -1) and print "ok N - WHAT: NAME" with the errno's name, so
 * the errno itself is part of the compared output. errno is read on entry,
 * after the arguments (the call itself) were evaluated.
 */
__attribute__((unused)) static bool tap_errno(long got, int want, const char *what)
{
	int e = got == -1 ? errno : 0;

	return tap_ok(e == want, "%s: %s", what, tap_errno_name(e));
}

/* A diagnostic line that both kernels must print the same. */
#define tap_diag(...)   tap_line("# " __VA_ARGS__)
/* A line whose values differ run to run: never compared. */
#define tap_masked(...) tap_line("#~ " __VA_ARGS__)

/* End of the program: exit 0 when every point passed and the plan was met. */
__attribute__((unused)) static int tap_done(int planned)
{
	if (planned >= 0 && planned != tap_count) {
		tap_line("# planned %d tests, ran %d", planned, tap_count);
		return 1;
	}
	return tap_failed ? 1 : 0;
}
