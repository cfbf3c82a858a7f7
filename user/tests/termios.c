// SPDX-License-Identifier: MIT
/*
 * The console's termios, with input typed through TIOCSTI: the default
 * local modes, canonical editing (erase, kill, word erase, end-of-file),
 * FIONREAD and the flushes (TCFLSH, TCSETSF), the input mappings
 * (ICRNL off, INLCR, IGNCR), non-canonical reads by VMIN and VTIME,
 * O_NONBLOCK, and poll and select on the terminal as vi uses them. Echo is
 * off while it types, and the settings are restored at the end.
 */
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <termios.h>

#include "utest.h"

#define PLAN 21

static struct termios saved;

/* Type @s on the console as if from its keyboard. */
static void type(const char *s)
{
	while (*s)
		if (ioctl(0, TIOCSTI, s++) < 0)
			tap_diag("TIOCSTI: %s", tap_errno_name(errno));
}

/* One read of up to @n bytes; true if it returned exactly @want. */
static bool reads(size_t n, const char *want)
{
	char buf[64];
	ssize_t got = read(0, buf, n);

	return got == (ssize_t)strlen(want) && memcmp(buf, want, (size_t)got) == 0;
}

/* The saved settings with echo off and @iflag, non-canonical with @min/@time if @raw. */
static void set(tcflag_t iflag, bool raw, cc_t min, cc_t time)
{
	struct termios t = saved;

	t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	t.c_iflag = iflag;
	if (raw) {
		t.c_lflag &= ~(tcflag_t)(ICANON | ISIG | IEXTEN);
		t.c_cc[VMIN] = min;
		t.c_cc[VTIME] = time;
	}
	tcsetattr(0, TCSAFLUSH, &t);
}

static int queued(void)
{
	int n = -1;

	ioctl(0, FIONREAD, &n);
	return n;
}

static long long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void defaults(void)
{
	tap_ok(tcgetattr(0, &saved) == 0, "tcgetattr");
	tap_diag("lflag %#o iflag %#o oflag %#o", (unsigned)saved.c_lflag, (unsigned)saved.c_iflag,
	         (unsigned)saved.c_oflag);
	tap_diag("intr %d quit %d erase %d kill %d eof %d min %d time %d susp %d werase %d",
	         saved.c_cc[VINTR], saved.c_cc[VQUIT], saved.c_cc[VERASE], saved.c_cc[VKILL],
	         saved.c_cc[VEOF], saved.c_cc[VMIN], saved.c_cc[VTIME], saved.c_cc[VSUSP],
	         saved.c_cc[VWERASE]);
}

static void canonical(void)
{
	set(ICRNL, false, 0, 0);
	type("ab\177c\r");
	tap_ok(reads(64, "ac\n"), "erase, and CR read as NL");
	type("one two\027three\n");
	tap_ok(reads(64, "one three\n"), "word erase");
	type("junk\025ok\n");
	tap_ok(reads(64, "ok\n"), "kill");
	type("xy\004");
	tap_ok(reads(64, "xy"), "end-of-file after text hands the text over");
	type("\004");
	tap_ok(reads(64, ""), "end-of-file on an empty line reads 0");
	type("line\n");
	tap_ok(reads(2, "li") && reads(64, "ne\n"), "a short read leaves the rest of the line");
	type("abc\n");
	tap_ok(queued() == 4, "FIONREAD counts a typed line (%d)", queued());
	tcflush(0, TCIFLUSH);
	tap_ok(queued() == 0, "TCFLSH drops it");
	type("junk\n");
	set(ICRNL, false, 0, 0); /* TCSETSF */
	tap_ok(queued() == 0, "TCSETSF drops pending input");
}

static void mappings(void)
{
	set(0, false, 0, 0);
	type("a\r\n");
	tap_ok(reads(64, "a\r\n"), "without ICRNL a CR stays in the line");
	set(INLCR | IGNCR, true, 1, 0);
	type("b\r\n");
	tap_ok(reads(64, "b\r"), "IGNCR drops CR, INLCR turns NL into CR");
}

static void noncanonical(void)
{
	long long t0;
	int fl;

	set(ICRNL, true, 0, 0);
	tap_ok(reads(8, ""), "MIN 0 TIME 0 with nothing typed reads 0");
	set(ICRNL, true, 0, 2);
	t0 = ms_now();
	tap_ok(reads(8, "") && ms_now() - t0 >= 150, "MIN 0 TIME 2 reads 0 after 0.2 s");
	set(ICRNL, true, 2, 0);
	type("xyz");
	tap_ok(reads(8, "xyz"), "MIN 2: all that is there");
	type("\003\r");
	tap_ok(reads(8, "\003\n"), "no ISIG, no ICANON: ^C is a byte");
	set(ICRNL, true, 1, 0);
	fl = fcntl(0, F_GETFL);
	fcntl(0, F_SETFL, fl | O_NONBLOCK);
	tap_errno(read(0, &t0, 1), EAGAIN, "O_NONBLOCK with nothing typed");
	fcntl(0, F_SETFL, fl);
}

static void readiness(void)
{
	struct pollfd p = { .fd = 0, .events = POLLIN };
	struct timeval tv = { 0, 50000 };
	fd_set rd;

	set(ICRNL, true, 1, 0);
	tap_ok(poll(&p, 1, 30) == 0, "poll: nothing to read, times out");
	type("\033");
	tap_ok(poll(&p, 1, 30) == 1 && (p.revents & POLLIN), "poll: a typed ESC is readable");
	FD_ZERO(&rd);
	FD_SET(0, &rd);
	tap_ok(select(1, &rd, NULL, NULL, &tv) == 1 && FD_ISSET(0, &rd), "select sees it too");
	tap_ok(reads(8, "\033"), "and it reads");
}

int main(void)
{
	tap_plan(PLAN);
	defaults();
	canonical();
	mappings();
	noncanonical();
	readiness();
	tcsetattr(0, TCSAFLUSH, &saved);
	return tap_done(PLAN);
}
