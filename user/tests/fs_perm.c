// SPDX-License-Identifier: MIT
/*
 * Permissions (issue 12, part 5): root makes files and directories, then
 * a child that became uid 65534 ("nobody") tries them: mode bits for
 * owner, group (also through supplementary groups) and others, search
 * permission on directories, the sticky bit, chmod/chown/utimensat by a
 * non-owner, a write that clears a setuid bit, a setuid executable, and
 * kill(2) of another user's process. The child's TAP points continue the
 * parent's numbering; the counts come back through shared memory.
 */
#include <grp.h>
#include <signal.h>

#include "fsutil.h"

#define NOBODY  65534
#define OTHER   1000 /* the owner of the setuid program */
#define TESTGRP 4242

static const char *self_path; /* this program, for the setuid copy */

struct counts {
	int count, failed;
};

/* Run @fn in a child with uid/gid @uid and supplementary groups @groups; merge its points. */
static void as_user(void (*fn)(void), uid_t uid, const gid_t *groups, int ngroups)
{
	struct counts *c = ut_shared(sizeof(*c));
	pid_t pid;
	int st;

	c->count = tap_count;
	c->failed = tap_failed;
	pid = fork();
	if (pid == 0) {
		if (setgroups(ngroups, groups) || setgid(uid) || setuid(uid)) {
			tap_ok(false, "become uid %d: %s", (int)uid, tap_errno_name(errno));
		} else {
			fn();
		}
		c->count = tap_count;
		c->failed = tap_failed;
		_exit(0);
	}
	st = ut_wait(pid);
	tap_count = c->count;
	tap_failed = c->failed;
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child as uid %d ended: %s", (int)uid,
	       ut_status(st));
	munmap(c, sizeof(*c));
}

static void setup(void)
{
	ut_put("secret", "root only", 9);
	chmod("secret", 0600);
	ut_put("public", "anyone", 6);
	ut_put("shared", "group", 5);
	chown("shared", 0, TESTGRP);
	chmod("shared", 0640);
	ut_put("everyone", "rw", 2);
	chmod("everyone", 0666);
	ut_put("suid", "x", 1);
	chmod("suid", 04777);
	mkdir("closed", 0700);
	ut_put("closed/in", "in", 2);
	mkdir("search", 0711);
	ut_put("search/in", "in", 2);
	mkdir("sticky", 0755);
	chmod("sticky", 01777);
	ut_put("sticky/roots", "r", 1);
	chmod("sticky/roots", 0666);
}

static void nobody_files(void)
{
	char buf[16];

	tap_errno(open("secret", O_RDONLY), EACCES, "nobody reads root's 0600 file");
	tap_errno(open("public", O_WRONLY), EACCES, "nobody writes root's 0644 file");
	tap_ok(ut_get("public", buf, sizeof(buf)) == 6, "but reads it: %s", buf);
	tap_errno(open("shared", O_RDONLY), EACCES, "nobody outside group 4242 reads a 0640 file");
	tap_errno(access("secret", R_OK), EACCES, "access R_OK agrees");
	tap_errno(access("public", R_OK), 0, "access R_OK of the 0644 file");
	tap_errno(chmod("public", 0666), EPERM, "nobody chmods root's file");
	tap_errno(chown("public", NOBODY, NOBODY), EPERM, "nobody takes root's file");
	tap_errno(truncate("public", 0), EACCES, "nobody truncates root's file");
	tap_errno(utimensat(AT_FDCWD, "everyone", NULL, 0), 0,
	          "nobody sets a writable file's times to now");
	tap_errno(utimensat(AT_FDCWD, "everyone", (struct timespec[2]){ { 1, 0 }, { 1, 0 } }, 0),
	          EPERM, "but not to a time of its choice");
	tap_errno(utimensat(AT_FDCWD, "public", NULL, 0), EACCES,
	          "nor the times of a file it cannot write");
	tap_ok(write(open("suid", O_WRONLY), "y", 1) == 1, "nobody writes a 04777 file");
	tap_ok(ut_mode("suid") == (S_IFREG | 0777), "which loses its setuid bit: %o",
	       ut_mode("suid") & 07777);
}

static void nobody_dirs(void)
{
	char buf[16];

	tap_errno(open("new", O_CREAT | O_WRONLY, 0644), EACCES,
	          "nobody creates a file in root's 0755 directory");
	tap_errno(unlink("public"), EACCES, "nobody unlinks there");
	tap_errno(rename("public", "moved"), EACCES, "nobody renames there");
	tap_errno(mkdir("newdir", 0755), EACCES, "nobody makes a directory there");
	tap_errno(stat("closed/in", &(struct stat){ 0 }), EACCES,
	          "nobody walks through a 0700 directory");
	tap_errno(open("closed", O_RDONLY | O_DIRECTORY), EACCES, "nor lists it");
	tap_ok(ut_get("search/in", buf, sizeof(buf)) == 2,
	       "nobody reads a file through a 0711 directory");
	tap_errno(open("search", O_RDONLY | O_DIRECTORY), EACCES, "but cannot list it");
	tap_errno(chdir("closed"), EACCES, "chdir into the 0700 directory");
	tap_errno(close(open("sticky/mine", O_CREAT | O_WRONLY, 0644)), 0,
	          "nobody creates a file in a 1777 directory");
	tap_errno(unlink("sticky/roots"), EPERM, "but cannot unlink root's file there");
	tap_errno(rename("sticky/roots", "sticky/taken"), EPERM, "nor rename it");
	tap_errno(rename("sticky/mine", "sticky/roots"), EPERM, "nor rename over it");
	tap_errno(unlink("sticky/mine"), 0, "and unlinks its own");
}

static void nobody_groups(void)
{
	char buf[16];

	tap_ok(ut_get("shared", buf, sizeof(buf)) == 5,
	       "nobody with supplementary group 4242 reads the 0640 file: %s", buf);
	tap_errno(open("shared", O_WRONLY), EACCES, "but cannot write it");
	tap_errno(close(open("sticky/g", O_CREAT | O_WRONLY, 0644)), 0, "makes a file");
	tap_errno(chown("sticky/g", -1, TESTGRP), 0, "gives it to a group it is in");
	tap_errno(chown("sticky/g", -1, 1), EPERM, "not to one it is not in");
	tap_errno(chown("sticky/g", 0, -1), EPERM, "nor to another user");
	tap_errno(chmod("sticky/g", 0600), 0, "chmods its own file");
	unlink("sticky/g");
}

static void nobody_exec_and_kill(void)
{
	char *argv[] = { "suid-copy", "--ids", NULL };
	pid_t pid, target = (pid_t)strtol(getenv("FS_PERM_TARGET"), NULL, 10);
	int st;

	pid = fork();
	if (pid == 0) {
		execv("prog", argv);
		_exit(127);
	}
	st = ut_wait(pid);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	       "a setuid-1000 program run by nobody has euid 1000, uid 65534: %s", ut_status(st));
	tap_errno(kill(target, 0), EPERM, "nobody signals root's process (signal 0)");
	tap_errno(kill(target, SIGTERM), EPERM, "nobody sends it SIGTERM");
	tap_errno(kill(getpid(), 0), 0, "nobody signals itself");
}

/* The setuid copy's check of its own ids, run as "prog --ids". */
static int ids_mode(void)
{
	return geteuid() == OTHER && getuid() == NOBODY ? 0 : 1;
}

static void copy_self(void)
{
	static char buf[4 << 20];
	int in = open(self_path, O_RDONLY);
	long n = in < 0 ? -1 : read(in, buf, sizeof(buf));

	close(in);
	tap_ok(n > 0 && ut_put("prog", buf, n) == 0, "copy this program");
	tap_errno(chown("prog", OTHER, OTHER), 0, "give it to uid 1000");
	tap_errno(chmod("prog", 04755), 0, "and make it setuid");
}

int main(int argc, char **argv)
{
	const char *dir;
	gid_t groups[1] = { TESTGRP };
	char env[32];
	pid_t target;

	if (argc > 1 && !strcmp(argv[1], "--ids"))
		return ids_mode();
	self_path = argv[0];
	dir = ut_scratch("fs_perm");
	if (!dir || chdir(dir) != 0 || chmod(".", 0755) != 0) {
		tap_line("Bail out! no scratch directory: %s", tap_errno_name(errno));
		return 1;
	}
	umask(022);
	setup();
	copy_self();
	tap_errno(open("secret", O_RDONLY) >= 0 ? 0 : -1, 0, "root reads its 0600 file");
	chmod("secret", 0);
	tap_errno(open("secret", O_RDWR) >= 0 ? 0 : -1, 0, "and a mode 0 file");
	chmod("secret", 0600);
	target = fork();
	if (target == 0) {
		pause();
		_exit(0);
	}
	snprintf(env, sizeof(env), "%d", (int)target);
	setenv("FS_PERM_TARGET", env, 1);
	as_user(nobody_files, NOBODY, NULL, 0);
	as_user(nobody_dirs, NOBODY, NULL, 0);
	as_user(nobody_groups, NOBODY, groups, 1);
	as_user(nobody_exec_and_kill, NOBODY, NULL, 0);
	kill(target, SIGKILL);
	ut_wait(target);
	chdir("/");
	tap_ok(ut_rmtree(dir) == 0, "the scratch directory is removed");
	tap_plan(tap_count);
	return tap_failed ? 1 : 0;
}
