/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/tty/ldisc.c: canonical editing and its echo, ^C, ^D and
 * end-of-file, one line per read, raw mode, mode switches, full buffers,
 * output processing, and a long random run checked against a small model
 * of canonical input written here.
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

/* Everything the discipline wrote to the terminal. */
struct capture {
	char buf[1 << 16];
	size_t n;
};

static void capture_sink(void *ctx, const char *s, size_t len)
{
	struct capture *c = ctx;

	assert_true(c->n + len <= sizeof(c->buf));
	memcpy(c->buf + c->n, s, len);
	c->n += len;
}

/* A discipline and its output, shared by a test's steps. */
struct fixture {
	struct ldisc ld;
	struct capture out;
};

static int fx_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	ldisc_init(&f->ld, capture_sink, &f->out);
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	free(*state);
	return 0;
}

/* Feed the NUL-terminated @s; returns the union of the events. */
static unsigned feed(struct fixture *f, const char *s)
{
	return ldisc_input_buf(&f->ld, s, strlen(s));
}

/* Require that the output since the last check is exactly @want, then forget it. */
static void expect_out(struct fixture *f, const char *want)
{
	if (f->out.n != strlen(want) || memcmp(f->out.buf, want, f->out.n) != 0)
		fail_msg("output \"%.*s\" (%zu bytes), want \"%s\"", (int)f->out.n, f->out.buf,
		         f->out.n, want);
	f->out.n = 0;
}

/* Read with a buffer of @n bytes and require exactly @want (NULL: -EAGAIN). */
static void expect_read(struct fixture *f, size_t n, const char *want)
{
	char buf[8192];
	long got;

	assert_true(n <= sizeof(buf));
	got = ldisc_read(&f->ld, buf, n);
	if (!want) {
		assert_int_equal(got, -EAGAIN);
		return;
	}
	if (got != (long)strlen(want) || memcmp(buf, want, (size_t)got) != 0)
		fail_msg("read %ld \"%.*s\", want \"%s\"", got, got > 0 ? (int)got : 0, buf, want);
}

static void canonical_line(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(feed(f, "hello"), 0);
	assert_false(ldisc_readable(&f->ld));
	expect_read(f, 100, NULL);
	assert_int_equal(feed(f, "\r"), LDISC_EV_READABLE);
	expect_out(f, "hello\r\n");
	assert_true(ldisc_readable(&f->ld));
	assert_int_equal(ldisc_queued(&f->ld), 6);
	expect_read(f, 100, "hello\n");
	assert_false(ldisc_readable(&f->ld));
	expect_read(f, 100, NULL);
	/* A newline ends a line too, and reading 0 bytes is always 0. */
	feed(f, "x\n");
	assert_int_equal(ldisc_read(&f->ld, NULL, 0), 0);
	expect_read(f, 100, "x\n");
}

static void one_line_per_read(void **state)
{
	struct fixture *f = *state;

	feed(f, "a\nbb\n\nccc\n");
	expect_read(f, 100, "a\n");
	expect_read(f, 100, "bb\n");
	expect_read(f, 100, "\n");
	/* What does not fit stays for the next read. */
	expect_read(f, 2, "cc");
	assert_true(ldisc_readable(&f->ld));
	expect_read(f, 1, "c");
	expect_read(f, 100, "\n");
	expect_read(f, 100, NULL);
}

static void backspace_and_utf8(void **state)
{
	struct fixture *f = *state;

	feed(f, "\x7f\x7f");
	expect_out(f, "");
	feed(f, "abc\x7f\x7f"
	        "d\n");
	expect_out(f, "abc\b \b\b \bd\r\n");
	expect_read(f, 100, "ad\n");
	/* Only VERASE erases: ^H is a character like the others (Linux). */
	feed(f, "x\by\n");
	expect_out(f, "x^Hy\r\n");
	expect_read(f, 100, "x\by\n");
	/* A multi-byte character goes in one erase, whatever its length. */
	feed(f, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	f->out.n = 0;
	feed(f, "\x7f");
	expect_out(f, "\b \b");
	feed(f, "\x7f");
	expect_out(f, "\b \b");
	feed(f, "\n");
	expect_read(f, 100, "\xc3\xa9\n");
	/* Stray continuation bytes are one column. */
	feed(f, "a\x80\x80\x7f\n");
	expect_read(f, 100, "a\n");
}

static void control_chars_echo_as_caret(void **state)
{
	struct fixture *f = *state;

	/* ECHOCTL: controls as ^X, but a tab as itself, erased back to where it began. */
	feed(f, "a\x01\tb");
	expect_out(f, "a^A\tb");
	feed(f, "\x7f\x7f");
	expect_out(f, "\b \b\b\b\b\b\b");
	feed(f, "\x7f");
	expect_out(f, "\b \b\b \b");
	feed(f, "\n");
	expect_read(f, 100, "a\n");
}

static void kill_and_word_erase(void **state)
{
	struct fixture *f = *state;

	feed(f, "abc de");
	f->out.n = 0;
	feed(f, "\x15");
	expect_out(f, "\b \b\b \b\b \b\b \b\b \b\b \b");
	feed(f, "x\n");
	expect_read(f, 100, "x\n");

	feed(f, "ls  foo  ");
	f->out.n = 0;
	feed(f, "\x17");
	expect_out(f, "\b \b\b \b\b \b\b \b\b \b");
	feed(f, "bar\n");
	expect_read(f, 100, "ls  bar\n");
	f->out.n = 0;
	/* On an empty line both do nothing; ^W takes tabs as blanks. */
	feed(f, "\x15\x17");
	expect_out(f, "");
	feed(f, "a\tb\x17\x17\n");
	expect_read(f, 100, "\n");
}

static void kill_long_line(void **state)
{
	struct fixture *f = *state;
	char want[3 * 100 + 1] = "";
	int i;

	for (i = 0; i < 100; i++) {
		feed(f, "y");
		strcat(want, "\b \b");
	}
	f->out.n = 0;
	feed(f, "\x15");
	expect_out(f, want);
}

static void line_too_long_rings_bell(void **state)
{
	struct fixture *f = *state;
	char line[LDISC_LINE_MAX + 2];
	int i;

	for (i = 0; i < LDISC_LINE_MAX; i++)
		ldisc_input(&f->ld, 'x');
	f->out.n = 0;
	assert_int_equal(ldisc_input(&f->ld, 'y'), 0);
	expect_out(f, "\a");
	/* Editing still works at the limit. */
	feed(f, "\x7fz\n");
	memset(line, 'x', LDISC_LINE_MAX - 1);
	line[LDISC_LINE_MAX - 1] = 'z';
	line[LDISC_LINE_MAX] = '\n';
	line[LDISC_LINE_MAX + 1] = '\0';
	expect_read(f, LDISC_LINE_MAX + 1, line);
}

static void interrupt(void **state)
{
	struct fixture *f = *state;

	feed(f, "first\n");
	feed(f, "abc");
	f->out.n = 0;
	assert_int_equal(feed(f, "\x03"), LDISC_EV_SIGINT);
	expect_out(f, "^C"); /* as Linux: the newline is the shell's to print */
	/* The line and the unread input are gone (POSIX without NOFLSH). */
	assert_false(ldisc_readable(&f->ld));
	assert_int_equal(ldisc_queued(&f->ld), 0);
	feed(f, "ok\n");
	expect_read(f, 100, "ok\n");

	/* Without ISIG, ^C is an ordinary character. */
	ldisc_set_flags(&f->ld, LDISC_DEFAULT_FLAGS & ~LDISC_ISIG);
	f->out.n = 0;
	assert_int_equal(feed(f, "a\x03\n"), LDISC_EV_READABLE);
	expect_out(f, "a^C\r\n");
	expect_read(f, 100, "a\x03\n");
}

static void end_of_file(void **state)
{
	struct fixture *f = *state;

	/* ^D on an empty line: one read returns 0, the next waits. */
	assert_int_equal(feed(f, "\x04"), LDISC_EV_READABLE);
	expect_out(f, "");
	assert_true(ldisc_readable(&f->ld));
	expect_read(f, 100, "");
	assert_false(ldisc_readable(&f->ld));
	expect_read(f, 100, NULL);

	/* Twice: two ends of file. After a line: the line first. */
	feed(f, "\x04\004a\n\x04");
	expect_read(f, 100, "");
	expect_read(f, 100, "");
	expect_read(f, 100, "a\n");
	expect_read(f, 100, "");
	expect_read(f, 100, NULL);

	/* Elsewhere ^D hands over the partial line, without a newline. */
	feed(f, "abc\x04");
	expect_out(f, "a\r\nabc");
	expect_read(f, 2, "ab");
	expect_read(f, 100, "c");
	expect_read(f, 100, NULL);
	feed(f, "abc\004def\x04\004g\n");
	expect_read(f, 100, "abc");
	expect_read(f, 100, "def");
	expect_read(f, 100, "");
	expect_read(f, 100, "g\n");
}

static void echo_off(void **state)
{
	struct fixture *f = *state;
	int i;

	ldisc_set_flags(&f->ld, LDISC_ISIG | LDISC_ICRNL | LDISC_ONLCR);
	assert_int_equal(ldisc_flags(&f->ld), LDISC_ISIG | LDISC_ICRNL | LDISC_ONLCR);
	feed(f, "secret\x7f\x15pw\x01\x17x\r\x03");
	expect_out(f, "");
	/* The bell is not echo: it still sounds. */
	for (i = 0; i <= LDISC_LINE_MAX; i++)
		ldisc_input(&f->ld, 'x');
	expect_out(f, "\a");
}

static void raw_mode(void **state)
{
	struct fixture *f = *state;

	ldisc_set_mode(&f->ld, LDISC_RAW);
	ldisc_set_flags(&f->ld, LDISC_ECHO | LDISC_ICRNL | LDISC_ONLCR);
	assert_int_equal(feed(f, "a"), LDISC_EV_READABLE);
	assert_true(ldisc_readable(&f->ld));
	/* No editing, no signals without ISIG, no records: every byte as typed. */
	assert_int_equal(feed(f, "\x7f\x03\x04\x15\nb"), LDISC_EV_READABLE);
	expect_out(f, "a^?^C^D^U\r\nb");
	expect_read(f, 3, "a\x7f\x03");
	expect_read(f, 100, "\x04\x15\nb");
	expect_read(f, 100, NULL);
	/* ICRNL applies; without it CR stays CR. Echo off: silence. */
	feed(f, "\r");
	expect_read(f, 100, "\n");
	ldisc_set_flags(&f->ld, 0);
	f->out.n = 0;
	feed(f, "\r\n");
	expect_out(f, "");
	expect_read(f, 100, "\r\n");
}

static void mode_switches_keep_input(void **state)
{
	struct fixture *f = *state;

	/* The line being edited goes to the queue as it is. */
	feed(f, "done\npart");
	ldisc_set_mode(&f->ld, LDISC_RAW);
	ldisc_set_mode(&f->ld, LDISC_RAW);
	expect_read(f, 100, "done\npart");
	/* Raw bytes without a newline become one record for canonical reads. */
	feed(f, "xy");
	ldisc_set_mode(&f->ld, LDISC_CANONICAL);
	assert_true(ldisc_readable(&f->ld));
	feed(f, "next\n");
	expect_read(f, 100, "xy");
	expect_read(f, 100, "next\n");
	/* Raw bytes that end in a newline need no record. */
	ldisc_set_mode(&f->ld, LDISC_RAW);
	feed(f, "1\n2\n");
	ldisc_set_mode(&f->ld, LDISC_CANONICAL);
	expect_read(f, 100, "1\n");
	expect_read(f, 100, "2\n");
	expect_read(f, 100, NULL);
	/* An end-of-file mark stops raw reads too. */
	feed(f, "a\x04\x04");
	ldisc_set_mode(&f->ld, LDISC_RAW);
	feed(f, "b");
	expect_read(f, 100, "a");
	expect_read(f, 100, "");
	expect_read(f, 100, "b");
}

static void full_queue(void **state)
{
	struct fixture *f = *state;
	char line[100];
	int lines = 0;

	/* 99-byte lines until one does not fit: it stays in the edit buffer. */
	memset(line, 'q', 98);
	line[98] = '\n';
	line[99] = '\0';
	while (!(feed(f, line) == 0 && f->out.n && f->out.buf[f->out.n - 1] == '\a')) {
		lines++;
		f->out.n = 0;
	}
	assert_int_equal(lines, LDISC_QUEUE_SIZE / 99);
	assert_int_equal(ldisc_queued(&f->ld), lines * 99);
	/* ^D cannot push it either; after a read there is room. */
	f->out.n = 0;
	assert_int_equal(feed(f, "\x04"), 0);
	expect_out(f, "\a");
	expect_read(f, 100, line);
	assert_int_equal(feed(f, "\n"), LDISC_EV_READABLE);
	while (lines-- > 0)
		expect_read(f, 100, line);
	expect_read(f, 100, NULL);

	/* Raw mode drops what does not fit, with a bell. */
	ldisc_set_mode(&f->ld, LDISC_RAW);
	ldisc_set_flags(&f->ld, 0);
	while (ldisc_queued(&f->ld) < LDISC_QUEUE_SIZE)
		assert_int_equal(feed(f, "r"), LDISC_EV_READABLE);
	f->out.n = 0;
	assert_int_equal(feed(f, "s"), 0);
	expect_out(f, "\a");
	ldisc_flush(&f->ld);
	assert_false(ldisc_readable(&f->ld));
}

static void too_many_eof_marks(void **state)
{
	struct fixture *f = *state;
	int i;

	for (i = 0; i < LDISC_MARKS; i++)
		assert_int_equal(feed(f, "\x04"), LDISC_EV_READABLE);
	assert_int_equal(feed(f, "\x04"), 0);
	expect_out(f, "\a");
	for (i = 0; i < LDISC_MARKS; i++)
		expect_read(f, 10, "");
	expect_read(f, 10, NULL);
}

static void output_processing(void **state)
{
	struct fixture *f = *state;

	ldisc_write(&f->ld, "a\nb\n\nc", 6);
	expect_out(f, "a\r\nb\r\n\r\nc");
	ldisc_output_byte(&f->ld, '\n');
	ldisc_output_byte(&f->ld, 'z');
	expect_out(f, "\r\nz");
	ldisc_set_flags(&f->ld, LDISC_ECHO);
	ldisc_write(&f->ld, "a\nb", 3);
	expect_out(f, "a\nb");
	/* With no sink nothing is written anywhere, and input still works. */
	ldisc_init(&f->ld, NULL, NULL);
	ldisc_write(&f->ld, "x\n", 2);
	feed(f, "quiet\n");
	expect_read(f, 100, "quiet\n");
}

/*
 * The model: canonical input of printable ASCII, backspace, ^U, ^D and
 * newline, with the discipline's capacities.
 */
#define MODEL_RECS 8192 /* more than the queue and the marks can hold */

struct model {
	char line[LDISC_LINE_MAX + 1];
	size_t len;
	char rec[MODEL_RECS][LDISC_LINE_MAX + 2]; /* finished records (a ring), unread part */
	size_t rec_len[MODEL_RECS];
	bool rec_mark[MODEL_RECS]; /* ended by ^D, so it holds one of the marks */
	size_t head, tail;         /* free-running indices into the ring */
	size_t queued, marks;
	size_t max_queued, max_marks; /* the most there ever were */
};

static void model_push(struct model *m, bool mark)
{
	size_t t = m->tail++ % MODEL_RECS;

	memcpy(m->rec[t], m->line, m->len);
	m->rec_len[t] = m->len;
	m->rec_mark[t] = mark;
	m->queued += m->len;
	m->marks += mark;
	m->len = 0;
	if (m->queued > m->max_queued)
		m->max_queued = m->queued;
	if (m->marks > m->max_marks)
		m->max_marks = m->marks;
}

static void model_input(struct model *m, char c)
{
	if (c == '\x7f') {
		m->len -= m->len > 0;
	} else if (c == '\x15') {
		m->len = 0;
	} else if (c == '\n') {
		if (m->queued + m->len + 1 <= LDISC_QUEUE_SIZE) {
			m->line[m->len++] = '\n';
			model_push(m, false);
		}
	} else if (c == '\x04') {
		if (m->queued + m->len <= LDISC_QUEUE_SIZE && m->marks < LDISC_MARKS)
			model_push(m, true);
	} else if (m->len < LDISC_LINE_MAX) {
		m->line[m->len++] = c;
	}
}

/* What a read of @n bytes returns according to the model (-1: would block). */
static long model_read(struct model *m, char *buf, size_t n)
{
	size_t h = m->head % MODEL_RECS, k;

	if (m->head == m->tail)
		return -1;
	k = m->rec_len[h] < n ? m->rec_len[h] : n;
	memcpy(buf, m->rec[h], k);
	memmove(m->rec[h], m->rec[h] + k, m->rec_len[h] - k);
	m->rec_len[h] -= k;
	m->queued -= k;
	if (m->rec_len[h] == 0) {
		m->marks -= m->rec_mark[h];
		m->head++;
	}
	return (long)k;
}

/* One random step: a read of 1 to @max_read bytes one time in @read_one_in, else a byte typed. */
static void random_step(struct fixture *f, struct model *m, int read_one_in, size_t max_read)
{
	static const char alphabet[] = "abc \x7f\x15\n\x04";
	char got[300], want[300], c;
	long gn, wn;
	size_t n;

	if (rand() % read_one_in) {
		c = alphabet[rand() % (sizeof(alphabet) - 1)];
		ldisc_input(&f->ld, (uint8_t)c);
		model_input(m, c);
		f->out.n = 0;
		return;
	}
	n = 1 + (size_t)rand() % max_read;
	gn = ldisc_read(&f->ld, got, n);
	wn = model_read(m, want, n);
	assert_int_equal(gn, wn < 0 ? -EAGAIN : wn);
	assert_true(gn <= 0 || memcmp(got, want, (size_t)gn) == 0);
	assert_int_equal(ldisc_readable(&f->ld), m->head != m->tail);
	assert_int_equal(ldisc_queued(&f->ld), m->queued);
}

static void random_against_model(void **state)
{
	struct fixture *f = *state;
	static struct model model;
	struct model *m = &model;
	int step;

	srand(6);
	/* Reads that keep up, then too few to, so the queue and the marks fill, then more. */
	for (step = 0; step < 100000; step++)
		random_step(f, m, 4, 8);
	for (step = 0; step < 100000; step++)
		random_step(f, m, 50, 4);
	for (step = 0; step < 100000; step++)
		random_step(f, m, 2, 16);
	assert_int_equal(m->max_queued, LDISC_QUEUE_SIZE);
	assert_int_equal(m->max_marks, LDISC_MARKS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(canonical_line, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(one_line_per_read, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(backspace_and_utf8, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(control_chars_echo_as_caret, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(kill_and_word_erase, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(kill_long_line, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(line_too_long_rings_bell, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(interrupt, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(end_of_file, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(echo_off, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(raw_mode, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(mode_switches_keep_input, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(full_queue, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(too_many_eof_marks, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(output_processing, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(random_against_model, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
