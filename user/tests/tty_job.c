// SPDX-License-Identifier: MIT
/*
 * Job control on a terminal (a pseudo-terminal's slave). A child starts a
 * session and takes the terminal as its controlling one (TIOCSCTTY); it
 * reads and moves the foreground group (TIOCGPGRP, TIOCSPGRP, TIOCGSID); members of background
 * groups are stopped when they read (SIGTTIN), write under TOSTOP or
 * change the settings (SIGTTOU), or get EIO when they cannot be stopped;
 * ^C, ^\ and ^Z typed (TIOCSTI) reach the foreground group; a new window
 * size sends SIGWINCH; TIOCNOTTY by the leader hangs its foreground group
 * up; and once the session ended the terminal is free for another. The
 * runner's own process keeps no terminal.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>

#include "utest.h"

#define SESSION_POINTS 26
#define PLAN           (SESSION_POINTS + 1)
#define NO_GROUP       0x3ffffff /* above any pid_max: no such group */

static volatile sig_atomic_t got_int, got_quit, got_tstp, got_winch;
/*
 * The terminal of the tests: a pseudo-terminal's slave, opened with
 * O_NOCTTY (the session takes it with TIOCSCTTY). A pty rather than the
 * serial console: Linux never stops reads and writes through /dev/console,
 * and a hang-up of its serial line makes console writes fail for a while.
 * The master is the runner's, never read (echo is off while it types).
 */
static int tfd = -1, mfd = -1;
static char slave_name[64];

static void on_signal(int sig)
{
	got_int += sig == SIGINT;
	got_quit += sig == SIGQUIT;
	got_tstp += sig == SIGTSTP;
	got_winch += sig == SIGWINCH;
}

/* Run @fn in a child in a background group of its own; returns its pid. */
static pid_t in_background(int (*fn)(void))
{
	pid_t pid = fork();

	if (pid == 0) {
		close(mfd);
		setpgid(0, 0);
		signal(SIGTTOU, SIG_DFL); /* the leader ignores it, as shells do */
		_exit(fn());
	}
	if (pid > 0)
		setpgid(pid, pid);
	return pid;
}

/* Run @fn in a plain child (same group); returns its pid. */
static pid_t in_child(int (*fn)(void))
{
	pid_t pid = fork();

	if (pid == 0) {
		close(mfd);
		_exit(fn());
	}
	return pid;
}

/* Whether @pid stopped with @sig; it is then killed and reaped. */
static bool stopped_by(pid_t pid, int sig)
{
	int st = -1;
	bool ok = waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st) && WSTOPSIG(st) == sig;

	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return ok;
}

/* Whether stopped @pid, continued by a group SIGCONT as a shell's bg does, stops again. */
static bool continued_stops_again(pid_t pid)
{
	int st = -1;
	bool ok = waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st);

	ok = ok && kill(-pid, SIGCONT) == 0;
	ok = ok && waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st) && WSTOPSIG(st) == SIGTTIN;
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return ok;
}

/* The errno of a child's call, as its exit code (0: it succeeded). */
static int exit_code(pid_t pid)
{
	int st = ut_wait(pid);

	return WIFEXITED(st) ? WEXITSTATUS(st) : 1000 + st;
}

static int read_one(void)
{
	char c;

	return read(tfd, &c, 1) < 0 ? errno : 0;
}

static int read_ignoring_ttin(void)
{
	signal(SIGTTIN, SIG_IGN);
	return read_one();
}

static int write_line(void)
{
	static const char line[] = "# a background write\n";

	return write(tfd, line, sizeof(line) - 1) < 0 ? errno : 0;
}

static int set_attrs(void)
{
	struct termios t;

	if (tcgetattr(tfd, &t) < 0)
		return errno;
	return tcsetattr(tfd, TCSANOW, &t) < 0 ? errno : 0;
}

static int set_attrs_ignoring_ttou(void)
{
	signal(SIGTTOU, SIG_IGN);
	return set_attrs();
}

static int sctty(void)
{
	return ioctl(tfd, TIOCSCTTY, 0) < 0 ? errno : 0;
}

static int new_session_sctty(void)
{
	close(mfd); /* a child must not keep the master */
	if (setsid() < 0)
		return 100 + errno;
	return sctty();
}

static int sleep_long(void)
{
	signal(SIGHUP, SIG_DFL); /* the leader ignores it while it hangs up */
	ut_sleep_ms(5000);
	return 0;
}

/* In front: type ^C, ^\ and ^Z on the terminal; exit 0 if each signal came once. */
static int type_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int i;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sigaction(SIGTSTP, &sa, NULL);
	for (i = 0; i < 500 && tcgetpgrp(tfd) != getpgrp(); i++)
		ut_sleep_ms(2);
	if (ioctl(tfd, TIOCSTI, "\003") < 0 || ioctl(tfd, TIOCSTI, "\034") < 0 ||
	    ioctl(tfd, TIOCSTI, "\032") < 0)
		return errno;
	return got_int == 1 && got_quit == 1 && got_tstp == 1 ? 0 : 99;
}

/* Make @fn's background group the foreground while it runs; its exit code. */
static int in_front(int (*fn)(void))
{
	pid_t pid = in_background(fn);
	int code;

	tcsetpgrp(tfd, pid);
	code = exit_code(pid);
	tcsetpgrp(tfd, getpgrp()); /* from the background: SIGTTOU is ignored */
	return code;
}

static void echo(bool on)
{
	struct termios t;

	tcgetattr(tfd, &t);
	t.c_lflag = on ? t.c_lflag | ECHO : t.c_lflag & ~(tcflag_t)ECHO;
	tcsetattr(tfd, TCSANOW, &t);
}

static void tostop(bool on)
{
	struct termios t;

	tcgetattr(tfd, &t);
	t.c_lflag = on ? t.c_lflag | TOSTOP : t.c_lflag & ~(tcflag_t)TOSTOP;
	tcsetattr(tfd, TCSANOW, &t);
}

static void acquire(void)
{
	pid_t pg = 0, sid = 0;

	tap_errno(setsid(), 0, "setsid");
	tap_errno(ioctl(tfd, TIOCGPGRP, &pg), ENOTTY,
	          "TIOCGPGRP before the session has a terminal");
	tap_errno(ioctl(tfd, TIOCSCTTY, 0), 0, "TIOCSCTTY by the session leader");
	tap_ok(ioctl(tfd, TIOCGPGRP, &pg) == 0 && pg == getpid(), "its group is in front");
	tap_ok(ioctl(tfd, TIOCGSID, &sid) == 0 && sid == getpid(), "TIOCGSID is its session");
	tap_errno(ioctl(tfd, TIOCSCTTY, 0), 0, "TIOCSCTTY again: already ours");
	tap_ok(exit_code(in_background(sctty)) == EPERM, "TIOCSCTTY by a member: EPERM");
	tap_ok(exit_code(in_child(new_session_sctty)) == EPERM,
	       "TIOCSCTTY from another session while this one holds it: EPERM");
}

static void background(void)
{
	tap_ok(stopped_by(in_background(read_one), SIGTTIN), "a background read stops: SIGTTIN");
	tap_ok(continued_stops_again(in_background(read_one)),
	       "kill(-pgid, SIGCONT) continues it (bg): its read stops it again");
	tap_ok(exit_code(in_background(read_ignoring_ttin)) == EIO,
	       "a background read that ignores SIGTTIN: EIO");
	tap_ok(exit_code(in_background(write_line)) == 0, "a background write without TOSTOP");
	tostop(true);
	tap_ok(stopped_by(in_background(write_line), SIGTTOU), "with TOSTOP it stops: SIGTTOU");
	tostop(false);
	tap_ok(stopped_by(in_background(set_attrs), SIGTTOU), "a background tcsetattr: SIGTTOU");
	tap_ok(exit_code(in_background(set_attrs_ignoring_ttou)) == 0,
	       "a background tcsetattr that ignores SIGTTOU goes through");
}

static void foreground(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct winsize ws, big;
	int pg;

	pg = NO_GROUP;
	tap_errno(ioctl(tfd, TIOCSPGRP, &pg), ESRCH, "TIOCSPGRP to a group that does not exist");
	pg = 1;
	tap_errno(ioctl(tfd, TIOCSPGRP, &pg), EPERM, "TIOCSPGRP to init's group (another session)");
	pg = -1;
	tap_errno(ioctl(tfd, TIOCSPGRP, &pg), EINVAL, "TIOCSPGRP to -1");
	echo(false);
	tap_ok(in_front(type_signals) == 0, "typed ^C, ^\\ and ^Z reach the foreground group");
	echo(true);
	tap_ok(tcgetpgrp(tfd) == getpgrp(), "the leader is in front again");
	sigaction(SIGWINCH, &sa, NULL);
	ioctl(tfd, TIOCGWINSZ, &ws);
	big = ws;
	big.ws_row = 51;
	big.ws_col = 132;
	ioctl(tfd, TIOCSWINSZ, &big);
	ioctl(tfd, TIOCGWINSZ, &big);
	ioctl(tfd, TIOCSWINSZ, &ws);
	tap_ok(big.ws_row == 51 && big.ws_col == 132 && got_winch == 2,
	       "TIOCSWINSZ: the size reads back, SIGWINCH for each change (%d)", (int)got_winch);
}

static void hang_up(void)
{
	pid_t pid = in_background(sleep_long), pg = 0;
	int st;

	signal(SIGHUP, SIG_IGN); /* a failed tcsetpgrp must not end the test with us */
	tap_errno(tcsetpgrp(tfd, pid), 0, "the sleeper's group in front");
	tap_errno(ioctl(tfd, TIOCNOTTY), 0, "TIOCNOTTY by the leader");
	st = ut_wait(pid);
	tap_ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGHUP, "its foreground group was hung up: %s",
	       ut_status(st));
	tap_errno(ioctl(tfd, TIOCGPGRP, &pg), ENOTTY, "TIOCGPGRP after TIOCNOTTY");
	tap_errno(ioctl(tfd, TIOCSCTTY, 0), 0, "the leader takes it back");
}

static int session(void)
{
	signal(SIGTTOU, SIG_IGN);
	acquire();
	background();
	foreground();
	hang_up();
	return tap_failed ? 1 : 0;
}

int main(void)
{
	pid_t pid;
	int st;

	tap_plan(PLAN);
	/* Linux's test initramfs has no devpts (tests/pty.c does the same). */
	mkdir("/dev/pts", 0755);
	mount("devpts", "/dev/pts", "devpts", 0, "ptmxmode=0666");
	if (access("/dev/ptmx", F_OK) != 0)
		mknod("/dev/ptmx", S_IFCHR | 0666, makedev(5, 2));
	mfd = posix_openpt(O_RDWR | O_NOCTTY);
	if (mfd < 0 || grantpt(mfd) < 0 || unlockpt(mfd) < 0 ||
	    ptsname_r(mfd, slave_name, sizeof(slave_name)) != 0)
		tap_diag("no pseudo-terminal: %s", tap_errno_name(errno));
	tfd = open(slave_name, O_RDWR | O_NOCTTY);
	pid = fork();
	if (pid == 0)
		_exit(session());
	st = ut_wait(pid);
	/* The session's points were numbered by the child. */
	tap_count = SESSION_POINTS;
	tap_failed = !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	tap_ok(exit_code(in_child(new_session_sctty)) == 0,
	       "after the session ended, a new one takes the terminal");
	return tap_done(PLAN);
}
