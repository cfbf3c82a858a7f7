// SPDX-License-Identifier: MIT
/*
 * The line discipline: canonical-mode editing (erase, kill, word erase,
 * ^C, ^D) with its echo, the raw mode, and the input queue with its record
 * boundaries. Echo assumes each UTF-8 character takes one column and shows a
 * stored control character as two ("^X"), so erasing one takes back as many.
 */
#include "lib/tty/ldisc.h"

#include <lib/string.h>

#define LDISC_ALL_FLAGS (LDISC_ECHO | LDISC_ISIG | LDISC_ICRNL | LDISC_ONLCR)

/* A run of erase sequences is sent in pieces of this many columns. */
#define LDISC_ERASE_CHUNK 16

static void ldisc_put(struct ldisc *ld, const char *s, size_t n)
{
	if (ld->out && n)
		ld->out(ld->out_ctx, s, n);
}

static void ldisc_echo(struct ldisc *ld, const char *s, size_t n)
{
	if (ld->flags & LDISC_ECHO)
		ldisc_put(ld, s, n);
}

static void ldisc_bell(struct ldisc *ld)
{
	ldisc_put(ld, "\a", 1);
}

static bool is_utf8_cont(uint8_t c)
{
	return (c & 0xc0) == 0x80;
}

/* Columns the echo of a stored byte took: "^X" for controls, 0 for UTF-8 tails. */
static size_t echo_width(uint8_t c)
{
	if (c < 0x20)
		return 2;
	return is_utf8_cont(c) ? 0 : 1;
}

/* Echo one byte of the line being edited. */
static void ldisc_echo_stored(struct ldisc *ld, uint8_t c)
{
	char ctl[2] = { '^', (char)(c ^ 0x40) };

	if (c < 0x20)
		ldisc_echo(ld, ctl, 2);
	else
		ldisc_echo(ld, (const char *)&c, 1);
}

/* Take @cols columns of echo back: "\b \b" for each. */
static void ldisc_echo_erase(struct ldisc *ld, size_t cols)
{
	static const char seq[] = "\b \b";
	char buf[LDISC_ERASE_CHUNK * 3];
	size_t i, n;

	while (cols) {
		n = cols < LDISC_ERASE_CHUNK ? cols : LDISC_ERASE_CHUNK;
		for (i = 0; i < n; i++)
			memcpy(buf + 3 * i, seq, 3);
		ldisc_echo(ld, buf, 3 * n);
		cols -= n;
	}
}

/* Queue accounting: counters run freely, their difference is the fill. */
static uint32_t q_count(const struct ldisc *ld)
{
	return ld->q_wr - ld->q_rd;
}

static uint32_t q_space(const struct ldisc *ld)
{
	return LDISC_QUEUE_SIZE - q_count(ld);
}

static uint32_t m_count(const struct ldisc *ld)
{
	return ld->m_wr - ld->m_rd;
}

static struct ldisc_mark *m_head(struct ldisc *ld)
{
	return &ld->marks[ld->m_rd % LDISC_MARKS];
}

static void q_push(struct ldisc *ld, const uint8_t *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		ld->queue[ld->q_wr++ % LDISC_QUEUE_SIZE] = s[i];
		ld->q_newlines += s[i] == '\n';
	}
}

/* Add a record boundary at the current end of the queue; false if the ring is full. */
static bool m_push(struct ldisc *ld, bool eof)
{
	struct ldisc_mark *m;

	if (m_count(ld) == LDISC_MARKS)
		return false;
	m = &ld->marks[ld->m_wr++ % LDISC_MARKS];
	m->pos = ld->q_wr;
	m->eof = eof;
	return true;
}

void ldisc_init(struct ldisc *ld, fmt_sink_fn out, void *ctx)
{
	memset(ld, 0, sizeof(*ld));
	ld->out = out;
	ld->out_ctx = ctx;
	ld->mode = LDISC_CANONICAL;
	ld->flags = LDISC_DEFAULT_FLAGS;
}

void ldisc_set_flags(struct ldisc *ld, uint32_t flags)
{
	ld->flags = flags & LDISC_ALL_FLAGS;
}

uint32_t ldisc_flags(const struct ldisc *ld)
{
	return ld->flags;
}

/*
 * Mode changes keep the bytes typed so far, as far as the queue has room for
 * the line being edited. Raw input left without a newline is closed as a
 * record for canonical readers; if the mark ring is full it stays open and
 * joins the next line instead.
 */
void ldisc_set_mode(struct ldisc *ld, enum ldisc_mode mode)
{
	uint8_t last;

	if (mode == ld->mode)
		return;
	if (mode == LDISC_RAW) {
		if (ld->line_len > q_space(ld))
			ld->line_len = q_space(ld);
		q_push(ld, ld->line, ld->line_len);
		ld->line_len = 0;
	} else if (q_count(ld)) {
		last = ld->queue[(ld->q_wr - 1) % LDISC_QUEUE_SIZE];
		if (last != '\n')
			(void)m_push(ld, false);
	}
	ld->mode = mode;
}

void ldisc_flush(struct ldisc *ld)
{
	ld->line_len = 0;
	ld->q_rd = ld->q_wr;
	ld->q_newlines = 0;
	ld->m_rd = ld->m_wr;
}

size_t ldisc_queued(const struct ldisc *ld)
{
	return q_count(ld);
}

/* Erase the last character of the line, all of a UTF-8 sequence; returns its columns. */
static size_t line_erase_char(struct ldisc *ld)
{
	size_t tail = 0;
	uint8_t c;

	if (!ld->line_len)
		return 0;
	c = ld->line[--ld->line_len];
	if (!is_utf8_cont(c))
		return echo_width(c);
	while (ld->line_len && tail < 3 && is_utf8_cont(ld->line[ld->line_len - 1])) {
		ld->line_len--;
		tail++;
	}
	if (ld->line_len && ld->line[ld->line_len - 1] >= 0xc0)
		ld->line_len--;
	return 1;
}

static bool is_blank(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/* ^W: erase the blanks before the cursor, then the word before them. */
static void line_erase_word(struct ldisc *ld)
{
	size_t cols = 0;

	while (ld->line_len && is_blank(ld->line[ld->line_len - 1]))
		cols += line_erase_char(ld);
	while (ld->line_len && !is_blank(ld->line[ld->line_len - 1]))
		cols += line_erase_char(ld);
	ldisc_echo_erase(ld, cols);
}

/* ^U: erase the whole line. */
static void line_kill(struct ldisc *ld)
{
	size_t cols = 0;

	while (ld->line_len)
		cols += line_erase_char(ld);
	ldisc_echo_erase(ld, cols);
}

/* Enter: the line and a newline go to the queue, or nothing does if they do not fit. */
static unsigned line_finish(struct ldisc *ld)
{
	static const uint8_t nl = '\n';

	if (ld->line_len + 1 > q_space(ld)) {
		ldisc_bell(ld);
		return 0;
	}
	q_push(ld, ld->line, ld->line_len);
	q_push(ld, &nl, 1);
	ld->line_len = 0;
	ldisc_echo(ld, "\r\n", 2);
	return LDISC_EV_READABLE;
}

/*
 * ^D: the line so far becomes a record without a newline; on an empty line
 * that is an empty record, which readers see as end-of-file.
 */
static unsigned line_eof(struct ldisc *ld)
{
	if (ld->line_len > q_space(ld) || m_count(ld) == LDISC_MARKS) {
		ldisc_bell(ld);
		return 0;
	}
	q_push(ld, ld->line, ld->line_len);
	(void)m_push(ld, ld->line_len == 0);
	ld->line_len = 0;
	return LDISC_EV_READABLE;
}

/* ^C under ISIG: drop everything typed, as POSIX does without NOFLSH. */
static unsigned line_interrupt(struct ldisc *ld)
{
	ldisc_flush(ld);
	ldisc_echo(ld, "^C\r\n", 4);
	return LDISC_EV_SIGINT;
}

/* Any other byte: it joins the line if there is room. */
static unsigned line_add(struct ldisc *ld, uint8_t c)
{
	if (ld->line_len == LDISC_LINE_MAX) {
		ldisc_bell(ld);
		return 0;
	}
	ld->line[ld->line_len++] = c;
	ldisc_echo_stored(ld, c);
	return 0;
}

static unsigned input_canonical(struct ldisc *ld, uint8_t c)
{
	switch (c) {
	case '\r':
	case '\n':
		return line_finish(ld);
	case 0x7f:
	case '\b':
		ldisc_echo_erase(ld, line_erase_char(ld));
		return 0;
	case LDISC_VKILL:
		line_kill(ld);
		return 0;
	case LDISC_VWERASE:
		line_erase_word(ld);
		return 0;
	case LDISC_VEOF:
		return line_eof(ld);
	case LDISC_VINTR:
		if (ld->flags & LDISC_ISIG)
			return line_interrupt(ld);
		return line_add(ld, c);
	default:
		return line_add(ld, c);
	}
}

static unsigned input_raw(struct ldisc *ld, uint8_t c)
{
	if (!q_space(ld)) {
		ldisc_bell(ld);
		return 0;
	}
	q_push(ld, &c, 1);
	if (ld->flags & LDISC_ECHO)
		ldisc_output_byte(ld, c);
	return LDISC_EV_READABLE;
}

unsigned ldisc_input(struct ldisc *ld, uint8_t c)
{
	if (c == '\r' && (ld->flags & LDISC_ICRNL))
		c = '\n';
	if (ld->mode == LDISC_RAW)
		return input_raw(ld, c);
	return input_canonical(ld, c);
}

unsigned ldisc_input_buf(struct ldisc *ld, const void *s, size_t n)
{
	const uint8_t *p = s;
	unsigned ev = 0;
	size_t i;

	for (i = 0; i < n; i++)
		ev |= ldisc_input(ld, p[i]);
	return ev;
}

/* The first end-of-file mark that raw reads must stop at, if any. */
static const struct ldisc_mark *first_eof(const struct ldisc *ld)
{
	uint32_t i;

	for (i = ld->m_rd; i != ld->m_wr; i++)
		if (ld->marks[i % LDISC_MARKS].eof)
			return &ld->marks[i % LDISC_MARKS];
	return NULL;
}

bool ldisc_readable(const struct ldisc *ld)
{
	if (ld->mode == LDISC_RAW)
		return q_count(ld) || first_eof(ld);
	return ld->q_newlines || m_count(ld);
}

/* How many bytes one read may take at most before meeting a record boundary. */
static uint32_t read_limit(struct ldisc *ld)
{
	const struct ldisc_mark *eof;

	if (ld->mode == LDISC_CANONICAL)
		return m_count(ld) ? m_head(ld)->pos - ld->q_rd : q_count(ld);
	eof = first_eof(ld);
	return eof ? eof->pos - ld->q_rd : q_count(ld);
}

/* Drop the boundaries a read of @n bytes from @from went up to or past, except end-of-file. */
static void marks_consumed(struct ldisc *ld, uint32_t from, uint32_t n)
{
	struct ldisc_mark *m;

	while (m_count(ld)) {
		m = m_head(ld);
		if (m->eof || m->pos - from > n)
			break;
		ld->m_rd++;
	}
}

long ldisc_read(struct ldisc *ld, void *buf, size_t n)
{
	uint8_t *dst = buf, c;
	uint32_t from = ld->q_rd, limit, i;

	if (!n)
		return 0;
	if (!ldisc_readable(ld))
		return -EAGAIN;
	if (m_count(ld) && m_head(ld)->eof && m_head(ld)->pos == ld->q_rd) {
		ld->m_rd++;
		return 0;
	}
	limit = read_limit(ld);
	if (limit > n)
		limit = (uint32_t)n;
	for (i = 0; i < limit; i++) {
		c = ld->queue[ld->q_rd++ % LDISC_QUEUE_SIZE];
		dst[i] = c;
		if (c == '\n') {
			ld->q_newlines--;
			if (ld->mode == LDISC_CANONICAL) {
				i++;
				break;
			}
		}
	}
	marks_consumed(ld, from, i);
	return (long)i;
}

void ldisc_write(struct ldisc *ld, const void *s, size_t n)
{
	const char *p = s;
	size_t start = 0, i;

	if (!(ld->flags & LDISC_ONLCR)) {
		ldisc_put(ld, p, n);
		return;
	}
	for (i = 0; i < n; i++) {
		if (p[i] != '\n')
			continue;
		ldisc_put(ld, p + start, i - start);
		ldisc_put(ld, "\r\n", 2);
		start = i + 1;
	}
	ldisc_put(ld, p + start, n - start);
}

void ldisc_output_byte(struct ldisc *ld, uint8_t c)
{
	ldisc_write(ld, &c, 1);
}
