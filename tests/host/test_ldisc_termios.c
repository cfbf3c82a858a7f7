/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/tty/ldisc's termios: the signal characters and their
 * configured values, input mapping (ICRNL, INLCR, IGNCR, ISTRIP, IXON),
 * the echo flags (ECHOE, ECHOK, ECHOKE, ECHONL, ECHOCTL), IEXTEN's
 * VLNEXT and VREPRINT, VEOL, output processing (OPOST, OCRNL), and the
 * four VMIN/VTIME cases of non-canonical reads on a clock the test sets.
 */
#include <lib/tty/ldisc.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

#define MS 1000000ull /* ns */

struct fixture {
	struct ldisc ld;
	char out[4096];
	size_t n;
};

static void sink(void *ctx, const char *s, size_t len)
{
	struct fixture *f = ctx;

	assert_true(f->n + len <= sizeof(f->out));
	memcpy(f->out + f->n, s, len);
	f->n += len;
}

static int fx_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	ldisc_init(&f->ld, sink, f);
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	free(*state);
	return 0;
}

static unsigned feed(struct fixture *f, const char *s)
{
	return ldisc_input_buf(&f->ld, s, strlen(s));
}

static void expect_out(struct fixture *f, const char *want)
{
	if (f->n != strlen(want) || memcmp(f->out, want, f->n) != 0)
		fail_msg("output \"%.*s\" (%zu bytes), want \"%s\"", (int)f->n, f->out, f->n, want);
	f->n = 0;
}

/* Read with a buffer of @n bytes and require exactly @want (NULL: -EAGAIN). */
static void expect_read(struct fixture *f, size_t n, const char *want)
{
	char buf[512];
	long got = ldisc_read(&f->ld, buf, n);

	if (!want) {
		assert_int_equal(got, -EAGAIN);
		return;
	}
	if (got != (long)strlen(want) || memcmp(buf, want, (size_t)got) != 0)
		fail_msg("read %ld \"%.*s\", want \"%s\"", got, got > 0 ? (int)got : 0, buf, want);
}

/* Change the settings with @fn applied to a copy of the current ones. */
static void set(struct fixture *f, void (*fn)(struct termios *t))
{
	struct termios t = *ldisc_termios(&f->ld);

	fn(&t);
	ldisc_set_termios(&f->ld, &t);
}

static void signal_characters(void **state)
{
	struct fixture *f = *state;

	feed(f, "abc");
	f->n = 0;
	assert_int_equal(feed(f, "\x1c"), LDISC_EV_SIGQUIT);
	expect_out(f, "^\\");
	assert_int_equal(ldisc_queued(&f->ld), 0);
	assert_int_equal(feed(f, "\x1a"), LDISC_EV_SIGTSTP);
	expect_out(f, "^Z");
	/* Signals work in non-canonical mode too, as long as ISIG is on. */
	ldisc_set_mode(&f->ld, LDISC_RAW);
	assert_int_equal(feed(f, "\x03"), LDISC_EV_SIGINT);
	ldisc_set_mode(&f->ld, LDISC_CANONICAL);
}

static void intr_is_x(struct termios *t)
{
	t->c_cc[VINTR] = 'x';
	t->c_cc[VQUIT] = 0; /* _POSIX_VDISABLE */
	t->c_lflag |= NOFLSH;
}

static void configured_characters(void **state)
{
	struct fixture *f = *state;

	set(f, intr_is_x);
	feed(f, "ab\n");
	assert_int_equal(feed(f, "\x03\x1c"), 0); /* ^C and ^\ are ordinary now */
	assert_int_equal(feed(f, "x"), LDISC_EV_SIGINT);
	/* NOFLSH: what was typed stays. */
	expect_read(f, 100, "ab\n");
	feed(f, "\n");
	expect_read(f, 100, "\x03\x1c\n");
	/* A NUL typed is not the disabled slot's value. */
	assert_int_equal(ldisc_input(&f->ld, 0), 0);
}

static void iflag_map(struct termios *t)
{
	t->c_iflag = INLCR | IGNCR | ISTRIP;
	t->c_lflag &= ~(uint32_t)ICANON;
}

static void input_mapping(void **state)
{
	struct fixture *f = *state;

	/* IXON (on by default) eats ^S and ^Q; ICRNL maps CR. */
	feed(f, "a\x13\x11\r");
	expect_read(f, 100, "a\n");
	set(f, iflag_map);
	feed(f, "\r\n\xe1");
	expect_read(f, 100, "\ra"); /* CR ignored, NL to CR, the 8th bit stripped */
	feed(f, "\x13");
	expect_read(f, 100, "\x13");
}

static void echo_plain(struct termios *t)
{
	t->c_lflag &= ~(uint32_t)(ECHOE | ECHOKE | ECHOCTL);
}

static void echo_flags(void **state)
{
	struct fixture *f = *state;

	/* Without ECHOE the erase character shows itself; ECHOK then takes a new line. */
	set(f, echo_plain);
	feed(f, "ab\x7f");
	expect_out(f, "ab\x7f");
	feed(f, "c\x15");
	expect_out(f, "c\x15\r\n");
	feed(f, "d\n");
	expect_read(f, 100, "d\n");
	/* ECHONL: the newline echoes with ECHO off. */
	ldisc_set_flags(&f->ld, LDISC_ISIG | LDISC_ICRNL | LDISC_ONLCR);
	f->n = 0;
	feed(f, "hidden\n");
	expect_out(f, "");
	{
		struct termios t = *ldisc_termios(&f->ld);

		t.c_lflag |= ECHONL;
		ldisc_set_termios(&f->ld, &t);
	}
	feed(f, "pw\n");
	expect_out(f, "\r\n");
}

static void eol_is_semicolon(struct termios *t)
{
	t->c_cc[VEOL] = ';';
}

static void iexten_and_eol(void **state)
{
	struct fixture *f = *state;

	/* ^V takes the next byte literally, even a signal or editing character. */
	assert_int_equal(feed(f, "a\x16\x03\x16\x7f\n"), LDISC_EV_READABLE);
	expect_read(f, 100, "a\x03\x7f\n");
	f->n = 0;
	feed(f, "ls\x12");
	expect_out(f, "ls^R\r\nls");
	feed(f, "\x15");
	f->n = 0;
	/* VEOL ends a record and stays in it. */
	set(f, eol_is_semicolon);
	assert_int_equal(feed(f, "ab;cd"), LDISC_EV_READABLE);
	expect_read(f, 100, "ab;");
	expect_read(f, 100, NULL);
}

static void output_flags(void **state)
{
	struct fixture *f = *state;
	struct termios t = *ldisc_termios(&f->ld);

	t.c_oflag |= OCRNL;
	ldisc_set_termios(&f->ld, &t);
	ldisc_write(&f->ld, "a\rb\n", 4);
	expect_out(f, "a\nb\r\n");
	t.c_oflag &= ~(uint32_t)OPOST;
	ldisc_set_termios(&f->ld, &t);
	ldisc_write(&f->ld, "a\rb\n", 4);
	expect_out(f, "a\rb\n");
}

/* Non-canonical with VMIN @min and VTIME @time. */
static void set_min_time(struct fixture *f, uint8_t min, uint8_t time)
{
	struct termios t = *ldisc_termios(&f->ld);

	t.c_lflag &= ~(uint32_t)(ICANON | ECHO);
	t.c_cc[VMIN] = min;
	t.c_cc[VTIME] = time;
	ldisc_set_termios(&f->ld, &t);
}

static bool done(struct fixture *f, size_t want, size_t got, uint64_t last, uint64_t now,
                 uint64_t *deadline)
{
	struct ldisc_read_timing rt = { want, got, 1000 * MS, last };

	return ldisc_read_done(&f->ld, &rt, now, deadline);
}

static void vmin_vtime(void **state)
{
	struct fixture *f = *state;
	const uint64_t t0 = 1000 * MS;
	uint64_t d;

	/* MIN 0, TIME 0: a poll, done at once with whatever there was. */
	set_min_time(f, 0, 0);
	assert_true(done(f, 10, 0, 0, t0, &d));
	/* MIN 3, TIME 0: until 3 bytes (or all asked for), no deadline. */
	set_min_time(f, 3, 0);
	assert_false(done(f, 10, 2, t0, t0 + 5000 * MS, &d));
	assert_true(d == LDISC_NO_DEADLINE);
	assert_true(done(f, 10, 3, t0, t0, &d));
	assert_true(done(f, 2, 2, t0, t0, &d));
	/* MIN 0, TIME 5: one byte, or 0.5 s from the start. */
	set_min_time(f, 0, 5);
	assert_false(done(f, 10, 0, 0, t0 + 100 * MS, &d));
	assert_true(d == t0 + 500 * MS);
	assert_true(done(f, 10, 0, 0, t0 + 500 * MS, &d));
	assert_true(done(f, 10, 1, t0, t0, &d));
	/* MIN 4, TIME 2: the timer starts at the first byte and restarts at each. */
	set_min_time(f, 4, 2);
	assert_false(done(f, 10, 0, 0, t0 + 9000 * MS, &d));
	assert_true(d == LDISC_NO_DEADLINE);
	assert_false(done(f, 10, 1, t0 + 300 * MS, t0 + 400 * MS, &d));
	assert_true(d == t0 + 500 * MS);
	assert_true(done(f, 10, 1, t0 + 300 * MS, t0 + 500 * MS, &d));
	assert_true(done(f, 10, 4, t0, t0, &d));
	/* Canonical reads are one record: always done. */
	ldisc_set_mode(&f->ld, LDISC_CANONICAL);
	assert_true(done(f, 10, 0, 0, t0, &d));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(signal_characters, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(configured_characters, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(input_mapping, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(echo_flags, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(iexten_and_eol, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(output_flags, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(vmin_vtime, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
