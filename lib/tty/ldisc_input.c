// SPDX-License-Identifier: MIT
/*
 * The line discipline's input path: each typed byte through input
 * processing (c_iflag), signal characters (ISIG), canonical editing
 * (ICANON with IEXTEN's extras) and echo (ECHO and its companions), as
 * POSIX.1's General Terminal Interface and Linux's n_tty do it. Echo takes
 * each UTF-8 character as one column, shows a stored control character as
 * two under ECHOCTL ("^X") and a tab as reaching the next multiple of 8
 * counted from the start of the line, so an erase takes back as many.
 */
#include <lib/string.h>

#include "lib/tty/ldisc.h"

/* A run of erase sequences is sent in pieces of this many columns. */
#define LDISC_ERASE_CHUNK 16
#define LDISC_TAB         8

static bool lflag(const struct ldisc *ld, uint32_t f)
{
	return ld->tio.c_lflag & f;
}

/* Whether @c is the control character in slot @v (a disabled slot matches nothing). */
static bool is_cc(const struct ldisc *ld, unsigned v, uint8_t c)
{
	return ld->tio.c_cc[v] != LDISC_VDISABLE && ld->tio.c_cc[v] == c;
}

static void ldisc_bell(struct ldisc *ld)
{
	ldisc_put(ld, "\a", 1);
}

static bool is_utf8_cont(uint8_t c)
{
	return (c & 0xc0) == 0x80;
}

static bool shows_as_caret(const struct ldisc *ld, uint8_t c)
{
	return lflag(ld, ECHOCTL) && (c < 0x20 || c == 0x7f) && c != '\t' && c != '\n';
}

/* Echo byte @c as stored: "^X" for controls under ECHOCTL, a newline processed. */
static void echo_char(struct ldisc *ld, uint8_t c)
{
	char ctl[2] = { '^', (char)(c ^ 0x40) };

	if (shows_as_caret(ld, c))
		ldisc_put(ld, ctl, 2);
	else
		ldisc_output_byte(ld, c);
}

static void echo_if(struct ldisc *ld, uint8_t c)
{
	if (lflag(ld, ECHO))
		echo_char(ld, c);
}

/* The columns the echo of the line's first @n bytes took. */
static size_t line_cols(const struct ldisc *ld, size_t n)
{
	size_t col = 0, i;
	uint8_t c;

	for (i = 0; i < n; i++) {
		c = ld->line[i];
		if (c == '\t')
			col += LDISC_TAB - col % LDISC_TAB;
		else if (shows_as_caret(ld, c))
			col += 2;
		else if (!is_utf8_cont(c))
			col++;
	}
	return col;
}

/* Take @cols columns of echo back: "\b \b" for each, or only "\b" over a tab's blanks. */
static void echo_erase(struct ldisc *ld, size_t cols, bool tab)
{
	static const char seq[] = "\b \b";
	char buf[LDISC_ERASE_CHUNK * 3];
	size_t i, n, w = tab ? 1 : 3;

	while (cols) {
		n = cols < LDISC_ERASE_CHUNK ? cols : LDISC_ERASE_CHUNK;
		for (i = 0; i < n; i++)
			memcpy(buf + w * i, tab ? "\b" : seq, w);
		ldisc_put(ld, buf, w * n);
		cols -= n;
	}
}

/* Drop the line's last character (all of a UTF-8 sequence) and, under ECHOE, its echo. */
static void erase_char(struct ldisc *ld)
{
	size_t before = line_cols(ld, ld->line_len), tail = 0;
	bool tab;
	uint8_t c;

	if (!ld->line_len)
		return;
	c = ld->line[--ld->line_len];
	tab = c == '\t';
	if (is_utf8_cont(c)) {
		while (ld->line_len && tail < 3 && is_utf8_cont(ld->line[ld->line_len - 1])) {
			ld->line_len--;
			tail++;
		}
		if (ld->line_len && ld->line[ld->line_len - 1] >= 0xc0)
			ld->line_len--;
	}
	if (lflag(ld, ECHO) && lflag(ld, ECHOE))
		echo_erase(ld, before - line_cols(ld, ld->line_len), tab);
}

static bool is_blank(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/* VWERASE: erase the blanks before the cursor, then the word before them. */
static void erase_word(struct ldisc *ld)
{
	while (ld->line_len && is_blank(ld->line[ld->line_len - 1]))
		erase_char(ld);
	while (ld->line_len && !is_blank(ld->line[ld->line_len - 1]))
		erase_char(ld);
}

/* VKILL: the whole line; erased on the screen under ECHOKE, else the kill char and a newline. */
static void kill_line(struct ldisc *ld, uint8_t c)
{
	if (!ld->line_len)
		return;
	if (lflag(ld, ECHO) && lflag(ld, ECHOKE) && lflag(ld, ECHOE)) {
		while (ld->line_len)
			erase_char(ld);
		return;
	}
	ld->line_len = 0;
	echo_if(ld, c);
	if (lflag(ld, ECHO) && lflag(ld, ECHOK))
		ldisc_output_byte(ld, '\n');
}

/* VERASE without ECHOE shows the erase character itself (POSIX). */
static void erase_key(struct ldisc *ld, uint8_t c)
{
	if (!ld->line_len)
		return;
	if (!lflag(ld, ECHOE))
		echo_if(ld, c);
	erase_char(ld);
}

/* VREPRINT: the character, a newline, and the line so far again. */
static void reprint(struct ldisc *ld, uint8_t c)
{
	size_t i;

	if (!lflag(ld, ECHO))
		return;
	echo_char(ld, c);
	ldisc_output_byte(ld, '\n');
	for (i = 0; i < ld->line_len; i++)
		echo_char(ld, ld->line[i]);
}

/*
 * A line ends with @c ('\n', VEOL or VEOL2): the line and @c go to the
 * queue, or nothing does if they do not fit. An end other than '\n' is
 * marked as a record boundary.
 */
static unsigned line_finish(struct ldisc *ld, uint8_t c)
{
	if (ld->line_len + 1 > ldisc_q_space(ld) || (c != '\n' && ldisc_marks_full(ld))) {
		ldisc_bell(ld);
		return 0;
	}
	ldisc_q_push(ld, ld->line, ld->line_len);
	ldisc_q_push(ld, &c, 1);
	if (c != '\n')
		(void)ldisc_m_push(ld, false);
	ld->line_len = 0;
	if (lflag(ld, ECHO) || (c == '\n' && lflag(ld, ECHONL)))
		echo_char(ld, c);
	return LDISC_EV_READABLE;
}

/*
 * VEOF: the line so far becomes a record without a newline; on an empty
 * line that is an empty record, which readers see as end-of-file.
 */
static unsigned line_eof(struct ldisc *ld)
{
	if (ld->line_len > ldisc_q_space(ld) || ldisc_marks_full(ld)) {
		ldisc_bell(ld);
		return 0;
	}
	ldisc_q_push(ld, ld->line, ld->line_len);
	(void)ldisc_m_push(ld, ld->line_len == 0);
	ld->line_len = 0;
	return LDISC_EV_READABLE;
}

/* Any other byte joins the line if there is room. */
static unsigned line_add(struct ldisc *ld, uint8_t c)
{
	if (ld->line_len == LDISC_LINE_MAX) {
		ldisc_bell(ld);
		return 0;
	}
	ld->line[ld->line_len++] = c;
	echo_if(ld, c);
	return 0;
}

/* Canonical mode: the editing characters, line ends, the rest into the line. */
static unsigned input_canonical(struct ldisc *ld, uint8_t c)
{
	bool iexten = lflag(ld, IEXTEN);

	if (is_cc(ld, VERASE, c))
		erase_key(ld, c);
	else if (is_cc(ld, VKILL, c))
		kill_line(ld, c);
	else if (iexten && is_cc(ld, VWERASE, c))
		erase_word(ld);
	else if (iexten && is_cc(ld, VREPRINT, c))
		reprint(ld, c);
	else if (iexten && is_cc(ld, VLNEXT, c)) {
		ld->lnext = true;
		if (lflag(ld, ECHO) && lflag(ld, ECHOCTL))
			ldisc_put(ld, "^\b", 2); /* a placeholder the next character covers */
	} else if (c == '\n' || is_cc(ld, VEOL, c) || (iexten && is_cc(ld, VEOL2, c)))
		return line_finish(ld, c);
	else if (is_cc(ld, VEOF, c))
		return line_eof(ld);
	else
		return line_add(ld, c);
	return 0;
}

/* Non-canonical mode: every byte is input at once. */
static unsigned input_raw(struct ldisc *ld, uint8_t c)
{
	if (!ldisc_q_space(ld)) {
		ldisc_bell(ld);
		return 0;
	}
	ldisc_q_push(ld, &c, 1);
	echo_if(ld, c);
	return LDISC_EV_READABLE;
}

/* The signal a byte sends under ISIG, as an event; 0 for none. */
static unsigned signal_event(const struct ldisc *ld, uint8_t c)
{
	if (is_cc(ld, VINTR, c))
		return LDISC_EV_SIGINT;
	if (is_cc(ld, VQUIT, c))
		return LDISC_EV_SIGQUIT;
	if (is_cc(ld, VSUSP, c))
		return LDISC_EV_SIGTSTP;
	return 0;
}

/* A signal character: the input typed so far goes (unless NOFLSH), the character echoes. */
static unsigned input_signal(struct ldisc *ld, uint8_t c, unsigned ev)
{
	if (!lflag(ld, NOFLSH))
		ldisc_flush(ld);
	echo_if(ld, c);
	return ev;
}

/* Input processing of c_iflag; false: the byte is dropped (IGNCR, IXON's start/stop). */
static bool input_map(struct ldisc *ld, uint8_t *c)
{
	uint32_t iflag = ld->tio.c_iflag;

	if (iflag & ISTRIP)
		*c &= 0x7f;
	if (*c == '\r') {
		if (iflag & IGNCR)
			return false;
		if (iflag & ICRNL)
			*c = '\n';
	} else if (*c == '\n' && (iflag & INLCR)) {
		*c = '\r';
	}
	/* Output is never held back, so IXON's stop and start have nothing more to do. */
	if ((iflag & IXON) && (is_cc(ld, VSTOP, *c) || is_cc(ld, VSTART, *c)))
		return false;
	return true;
}

unsigned ldisc_input(struct ldisc *ld, uint8_t c)
{
	unsigned ev;

	if (ld->lnext && ldisc_canonical(ld)) {
		ld->lnext = false;
		if (ld->tio.c_iflag & ISTRIP)
			c &= 0x7f;
		return line_add(ld, c);
	}
	if (!input_map(ld, &c))
		return 0;
	if (lflag(ld, ISIG) && (ev = signal_event(ld, c)))
		return input_signal(ld, c, ev);
	if (ldisc_canonical(ld))
		return input_canonical(ld, c);
	return input_raw(ld, c);
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
