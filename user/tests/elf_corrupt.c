// SPDX-License-Identifier: MIT
/*
 * execve of corrupt ELF files (made by tools/mkbadelf.py from user/elf/good.c)
 * must fail with ENOEXEC or EINVAL and leave the caller running; the good
 * file itself must run. Linux accepts some of these (it maps overlapping
 * segments, jumps to an entry outside them), so this program's output is
 * checked on Cairn only (tools/usertest.py).
 */
#include "utest.h"

static const char *const bad[] = {
	"truncated",   "not-elf",    "wrong-machine",     "bad-phentsize",   "phdrs-past-end",
	"overlapping", "huge-memsz", "filesz-over-memsz", "offset-past-end", "entry-outside",
};
#define NBAD (sizeof(bad) / sizeof(bad[0]))

/* Exec @path in a child; returns its status, with the execve errno in *@err (0 if it ran). */
static int try_exec(const char *path, int *shared_errno)
{
	char *const argv[] = { (char *)path, NULL };
	char *const envp[] = { NULL };
	pid_t pid;

	*shared_errno = 0;
	pid = fork();
	if (pid == 0) {
		execve(path, argv, envp);
		*shared_errno = errno;
		_exit(100);
	}
	return pid < 0 ? -1 : ut_wait(pid);
}

int main(void)
{
	int *err = ut_shared(4096);
	char path[64];
	size_t i;
	int st;

	tap_plan(NBAD + 2);
	st = try_exec("/t/elf/good", err);
	tap_ok(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "good ELF runs: %s",
	       ut_status(st));
	for (i = 0; i < NBAD; i++) {
		snprintf(path, sizeof(path), "/t/elf/%s", bad[i]);
		st = try_exec(path, err);
		if (st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 100)
			tap_ok(*err == ENOEXEC || *err == EINVAL, "%s: execve fails with %s",
			       bad[i], tap_errno_name(*err));
		else
			tap_ok(false, "%s: execve did not fail (the child ended with %s)", bad[i],
			       ut_status(st));
	}
	st = try_exec("/t/elf/no-such-file", err);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 100 && *err == ENOENT,
	       "missing file: execve fails with %s", tap_errno_name(*err));
	return tap_done(NBAD + 2);
}
