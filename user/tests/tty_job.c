// SPDX-License-Identifier: MIT
/*
 * Job control on the console. A child starts a session and takes the
 * console as its controlling terminal (TIOCSCTTY); it reads and moves the
 * foreground group (TIOCGPGRP, TIOCSPGRP, TIOCGSID); members of background
 * groups are stopped when they read /dev/ttyS0 (SIGTTIN), write it under TOSTOP or
 * change the settings (SIGTTOU), or get EIO when they cannot be stopped;
 * ^C, ^\ and ^Z typed (TIOCSTI) reach the foreground group; a new window
 * size sends SIGWINCH; TIOCNOTTY by the leader hangs its foreground group
 * up; and once the session ended the console is free for another. The
 * runner's own process keeps no terminal.
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>

#include "utest.h"

#define SESSION_POINTS 25
#define PLAN           (SESSION_POINTS + 1)
#define NO_GROUP       0x3ffffff /* above any pid_max: no such group */

static volatile sig_atomic_t got_int, got_quit, got_tstp, got_winch;
/*
 * The serial line by its own name: reads and writes through /dev/console
 * are never stopped (Linux's job_control() and n_tty_write() skip it).
 */
static int tfd = -1;

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

	if (pid == 0)
		_exit(fn());
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

	if (tcgetattr(0, &t) < 0)
		return errno;
	return tcsetattr(0, TCSANOW, &t) < 0 ? errno : 0;
}

static int set_attrs_ignoring_ttou(void)
{
	signal(SIGTTOU, SIG_IGN);
	return set_attrs();
}

static int sctty(void)
{
	return ioctl(0, TIOCSCTTY, 0) < 0 ? errno : 0;
}

static int new_session_sctty(void)
{
	if (setsid() < 0)
		return 100 + errno;
	return sctty();
}

static int sleep_long(void)
{
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
	for (i = 0; i < 500 && tcgetpgrp(0) != getpgrp(); i++)
		ut_sleep_ms(2);
	if (ioctl(0, TIOCSTI, "\003") < 0 || ioctl(0, TIOCSTI, "\034") < 0 ||
	    ioctl(0, TIOCSTI, "\032") < 0)
		return errno;
	return got_int == 1 && got_quit == 1 && got_tstp == 1 ? 0 : 99;
}

/* Make @fn's background group the foreground while it runs; its exit code. */
static int in_front(int (*fn)(void))
{
	pid_t pid = in_background(fn);
	int code;

	tcsetpgrp(0, pid);
	code = exit_code(pid);
	tcsetpgrp(0, getpgrp()); /* from the background: SIGTTOU is ignored */
	return code;
}

static void echo(bool on)
{
	struct termios t;

	tcgetattr(0, &t);
	t.c_lflag = on ? t.c_lflag | ECHO : t.c_lflag & ~(tcflag_t)ECHO;
	tcsetattr(0, TCSANOW, &t);
}

static void tostop(bool on)
{
	struct termios t;

	tcgetattr(0, &t);
	t.c_lflag = on ? t.c_lflag | TOSTOP : t.c_lflag & ~(tcflag_t)TOSTOP;
	tcsetattr(0, TCSANOW, &t);
}

static void acquire(void)
{
	pid_t pg = 0, sid = 0;

	tap_errno(setsid(), 0, "setsid");
	tap_errno(ioctl(0, TIOCGPGRP, &pg), ENOTTY, "TIOCGPGRP before the session has a terminal");
	tap_errno(ioctl(0, TIOCSCTTY, 0), 0, "TIOCSCTTY by the session leader");
	tap_ok(ioctl(0, TIOCGPGRP, &pg) == 0 && pg == getpid(), "its group is in front");
	tap_ok(ioctl(0, TIOCGSID, &sid) == 0 && sid == getpid(), "TIOCGSID is its session");
	tap_errno(ioctl(0, TIOCSCTTY, 0), 0, "TIOCSCTTY again: already ours");
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
	tap_errno(ioctl(0, TIOCSPGRP, &pg), ESRCH, "TIOCSPGRP to a group that does not exist");
	pg = 1;
	tap_errno(ioctl(0, TIOCSPGRP, &pg), EPERM, "TIOCSPGRP to init's group (another session)");
	pg = -1;
	tap_errno(ioctl(0, TIOCSPGRP, &pg), EINVAL, "TIOCSPGRP to -1");
	echo(false);
	tap_ok(in_front(type_signals) == 0, "typed ^C, ^\\ and ^Z reach the foreground group");
	echo(true);
	tap_ok(tcgetpgrp(0) == getpgrp(), "the leader is in front again");
	sigaction(SIGWINCH, &sa, NULL);
	ioctl(0, TIOCGWINSZ, &ws);
	big = ws;
	big.ws_row = 51;
	big.ws_col = 132;
	ioctl(0, TIOCSWINSZ, &big);
	ioctl(0, TIOCGWINSZ, &big);
	ioctl(0, TIOCSWINSZ, &ws);
	tap_ok(big.ws_row == 51 && big.ws_col == 132 && got_winch == 2,
	       "TIOCSWINSZ: the size reads back, SIGWINCH for each change (%d)", (int)got_winch);
}

static void hang_up(void)
{
	pid_t pid = in_background(sleep_long), pg = 0;
	int st;

	tcsetpgrp(0, pid);
	tap_errno(ioctl(0, TIOCNOTTY), 0, "TIOCNOTTY by the leader");
	st = ut_wait(pid);
	tap_ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGHUP, "its foreground group was hung up: %s",
	       ut_status(st));
	tap_errno(ioctl(0, TIOCGPGRP, &pg), ENOTTY, "TIOCGPGRP after TIOCNOTTY");
	tap_errno(ioctl(0, TIOCSCTTY, 0), 0, "the leader takes it back");
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
	/* Linux's test initramfs has only /dev/console; Cairn's devfs has ttyS0. */
	if (mknod("/dev/ttyS0", S_IFCHR | 0600, makedev(4, 64)) < 0 && errno != EEXIST)
		tap_diag("mknod /dev/ttyS0: %s", tap_errno_name(errno));
	tfd = open("/dev/ttyS0", O_RDWR | O_NOCTTY);
	if (tfd < 0)
		tap_diag("open /dev/ttyS0: %s", tap_errno_name(errno));
	pid = fork();
	if (pid == 0)
		_exit(session());
	st = ut_wait(pid);
	/* The session's points were numbered by the child. */
	tap_count = SESSION_POINTS;
	tap_failed = !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	tap_ok(exit_code(in_child(new_session_sctty)) == 0,
	       "after the session ended, a new one takes the console");
	return tap_done(PLAN);
}
