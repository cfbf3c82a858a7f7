// SPDX-License-Identifier: MIT
/*
 * exec and the file system: "#!" scripts (argv as Linux builds it, nested
 * interpreters up to Linux's limit, the lines it refuses), the errors of
 * files that cannot run, close-on-exec descriptors, fexecve and
 * execveat, set-user-ID and set-group-ID programs (and a nosuid mount
 * that ignores them), an exec-only program run by an ordinary user, and
 * descriptor tables shared with CLONE_FILES or copied by fork. The
 * program is also its own helper: with EF_MODE set it prints what it was
 * started with (argv, ids, descriptors) as diagnostics both kernels must
 * print the same, and exits.
 */
#include <fcntl.h>
#include <grp.h>
#include <sys/auxv.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "utest.h"

#define DIR_ "/tmp/ef"

static const char *self; /* this program's path, as the runner gave it */
extern char **environ;

/* ---- the helper side ---- */

static int helper(const char *mode, int argc, char **argv)
{
	uid_t r, e, s;
	gid_t gr, ge, gs;
	int i;

	if (!strcmp(mode, "args")) {
		for (i = 0; i < argc; i++)
			tap_diag("argv[%d] = \"%s\"", i, argv[i]);
	} else if (!strcmp(mode, "ids")) {
		getresuid(&r, &e, &s);
		getresgid(&gr, &ge, &gs);
		tap_diag("uids %u %u %u gids %u %u %u secure %lu", r, e, s, gr, ge, gs,
		         getauxval(AT_SECURE));
	} else if (!strcmp(mode, "fds")) {
		for (i = 3; i < 6; i++)
			tap_diag("fd %d: %s", i, fcntl(i, F_GETFD) < 0 ? "closed" : "open");
	}
	return 0;
}

/* ---- the test side ---- */

/* Write @text to @path with @mode (replacing it). */
static int put_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) && chmod(path, mode) == 0 ? 0 : -1;
}

/* Copy this program to @path with @mode, owned by @uid:@gid. */
static int copy_self(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	static char buf[65536];
	int in = open(self, O_RDONLY), out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0700);
	ssize_t n = 0;

	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			n = -1;
	close(in);
	close(out);
	if (n < 0 || in < 0 || out < 0 || chown(path, uid, gid) != 0)
		return -1;
	return chmod(path, mode); /* after chown, which clears the set-id bits */
}

/*
 * Run @path with @argv in a child (EF_MODE=@mode) after @prep (may be NULL)
 * ran in it; returns exec's errno (0: it ran and exited 0; -1 another end).
 */
static int run(const char *mode, const char *path, char *const argv[], void (*prep)(void))
{
	int *shared = ut_shared(sizeof(int)), st;
	char env[32];
	char *envp[] = { env, NULL };
	pid_t pid;

	snprintf(env, sizeof(env), "EF_MODE=%s", mode);
	pid = fork();
	if (pid == 0) {
		if (prep)
			prep();
		execve(path, argv, envp);
		*shared = errno;
		_exit(127);
	}
	st = ut_wait(pid);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		return *shared;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static void check_run(const char *what, const char *mode, const char *path, int want)
{
	char *argv[] = { (char *)path, "one", "two words", NULL };
	int got = run(mode, path, argv, NULL);

	tap_ok(got == want, "%s: %s", what, got < 0 ? "died" : tap_errno_name(got));
}

static void scripts(void)
{
	char line[600], name[64], prev[64];
	int i;

	snprintf(line, sizeof(line), "#!%s -x  y z \t\necho not reached\n", self);
	put_file(DIR_ "/s1", line, 0755);
	check_run("script with an argument", "args", DIR_ "/s1", 0);
	snprintf(line, sizeof(line), "#!  %s \t \n", self);
	put_file(DIR_ "/s2", line, 0755);
	check_run("script with blanks around the name", "args", DIR_ "/s2", 0);
	put_file(DIR_ "/s3", "#!" DIR_ "/s1 nested\n", 0755);
	check_run("script whose interpreter is a script", "args", DIR_ "/s3", 0);
	/* A chain of 5 scripts runs, of 6 is ELOOP (Linux: depth > 5). */
	snprintf(prev, sizeof(prev), "%s", self);
	for (i = 1; i <= 6; i++) {
		snprintf(name, sizeof(name), DIR_ "/chain%d", i);
		snprintf(line, sizeof(line), "#!%s\n", prev);
		put_file(name, line, 0755);
		snprintf(prev, sizeof(prev), "%s", name);
	}
	check_run("5 scripts deep", "args", DIR_ "/chain5", 0);
	check_run("6 scripts deep", "args", DIR_ "/chain6", ELOOP);
	put_file(DIR_ "/nointerp", "#!" DIR_ "/missing\n", 0755);
	check_run("a missing interpreter", "args", DIR_ "/nointerp", ENOENT);
	put_file(DIR_ "/noname", "#!   \n", 0755);
	check_run("a #! line without a name", "args", DIR_ "/noname", ENOEXEC);
	memset(line, 'a', sizeof(line));
	memcpy(line, "#!/", 3);
	line[sizeof(line) - 1] = '\0';
	put_file(DIR_ "/longname", line, 0755);
	check_run("an interpreter name past 256 bytes", "args", DIR_ "/longname", ENOEXEC);
}

static void bad_files(void)
{
	put_file(DIR_ "/junk", "this is not a program\n", 0755);
	check_run("neither ELF nor script", "args", DIR_ "/junk", ENOEXEC);
	put_file(DIR_ "/noexec", "#!/bin/sh\n", 0644);
	check_run("no execute bit", "args", DIR_ "/noexec", EACCES);
	check_run("a directory", "args", DIR_, EACCES);
	check_run("a missing file", "args", DIR_ "/nothing", ENOENT);
	check_run("a path through a file", "args", DIR_ "/junk/x", ENOTDIR);
}

static int cloexec_fd = -1;

static void open_fds(void)
{
	/* fd 3 survives exec, fd 4 is close-on-exec, fd 5 stays closed. */
	dup2(open("/", O_RDONLY), 3);
	dup2(open("/", O_RDONLY | O_CLOEXEC), 4);
	fcntl(4, F_SETFD, FD_CLOEXEC);
	close(5);
}

static void fexec_script(void)
{
	char *argv[] = { "s1", "a", NULL };
	char *envp[] = { "EF_MODE=args", NULL };

	dup2(open(DIR_ "/s1", O_RDONLY), 7);
	fcntl(7, F_SETFD, cloexec_fd ? FD_CLOEXEC : 0);
	syscall(SYS_execveat, 7, "", argv, envp, AT_EMPTY_PATH);
	_exit(errno == ENOENT ? 3 : 4);
}

static void descriptors(void)
{
	char *argv[] = { (char *)self, NULL };
	int st;
	pid_t pid;

	tap_ok(run("fds", self, argv, open_fds) == 0, "close-on-exec descriptors close at exec");
	/* fexecve of a script through a descriptor: /dev/fd/N, unless close-on-exec. */
	cloexec_fd = 0;
	pid = fork();
	if (pid == 0)
		fexec_script();
	st = ut_wait(pid);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "fexecve of a script: %s", ut_status(st));
	cloexec_fd = 1;
	pid = fork();
	if (pid == 0)
		fexec_script();
	st = ut_wait(pid);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 3, "fexecve of a script on a close-on-exec fd");
	symlink(self, DIR_ "/link");
	errno = 0;
	pid = fork();
	if (pid == 0) {
		syscall(SYS_execveat, AT_FDCWD, DIR_ "/link", argv, environ, AT_SYMLINK_NOFOLLOW);
		_exit(errno == ELOOP ? 0 : 1);
	}
	st = ut_wait(pid);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "execveat AT_SYMLINK_NOFOLLOW on a link");
}

static void become_2000(void)
{
	if (setgroups(0, NULL) || setresgid(2000, 2000, 2000) || setresuid(2000, 2000, 2000))
		_exit(126);
}

static void setid(void)
{
	char *argv[] = { "suid", NULL };

	tap_ok(copy_self(DIR_ "/suid", 06755, 1000, 1001) == 0, "a set-id copy of the program");
	tap_ok(run("ids", DIR_ "/suid", argv, become_2000) == 0, "set-user-ID and set-group-ID");
	copy_self(DIR_ "/sgid-nox", 02745, 1000, 1001);
	tap_ok(run("ids", DIR_ "/sgid-nox", argv, become_2000) == 0,
	       "S_ISGID without group execute is no set-group-ID");
	copy_self(DIR_ "/exec-only", 0711, 0, 0);
	tap_ok(run("ids", DIR_ "/exec-only", argv, become_2000) == 0,
	       "an ordinary user runs an execute-only program");
	mkdir(DIR_ "/ns", 0755);
	tap_errno(mount("none", DIR_ "/ns", "tmpfs", MS_NOSUID, NULL), 0, "mount a nosuid tmpfs");
	copy_self(DIR_ "/ns/suid", 06755, 1000, 1001);
	tap_ok(run("ids", DIR_ "/ns/suid", argv, become_2000) == 0,
	       "a nosuid mount ignores set-id");
	umount2(DIR_ "/ns", 0);
}

static void private_file(void)
{
	pid_t pid;
	int st;

	put_file(DIR_ "/secret", "root only\n", 0600);
	pid = fork();
	if (pid == 0) {
		become_2000();
		_exit(open(DIR_ "/secret", O_RDONLY) < 0 && errno == EACCES ? 0 : 1);
	}
	st = ut_wait(pid);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "another user cannot open root's 0600 file");
}

/* Open a file at fd 9 in a child made with @flags; whether the parent then has fd 9. */
static bool child_fd_visible(unsigned long flags)
{
	long pid;

	close(9);
	pid = syscall(SYS_clone, flags | SIGCHLD, 0, NULL, NULL, 0);
	if (pid == 0) {
		dup2(open("/", O_RDONLY), 9);
		_exit(0);
	}
	ut_wait((pid_t)pid);
	return fcntl(9, F_GETFD) >= 0;
}

int main(int argc, char **argv)
{
	const char *mode = getenv("EF_MODE");

	if (mode)
		return helper(mode, argc, argv);
	self = argv[0];
	tap_plan(26);
	mkdir("/tmp", 01777);
	mkdir(DIR_, 0755);
	scripts();
	bad_files();
	descriptors();
	setid();
	private_file();
	tap_ok(child_fd_visible(CLONE_FILES), "CLONE_FILES shares the table");
	tap_ok(!child_fd_visible(0), "fork copies the table");
	return tap_done(26);
}
