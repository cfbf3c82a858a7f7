// SPDX-License-Identifier: MIT
/*
 * The line discipline's queue and settings: the input queue with its record
 * boundaries, what a reader takes from it, switching between canonical and
 * non-canonical input, output processing, and the VMIN/VTIME timing of
 * non-canonical reads. The typed bytes' path (editing, signals, echo) is
 * lib/tty/ldisc_input.c.
 */
#include "lib/tty/ldisc.h"

#include <lib/string.h>

/* Linux's tty_std_termios (drivers/tty/tty_io.c) with its INIT_C_CC. */
const struct termios ldisc_std_termios = {
	.c_iflag = ICRNL | IXON,
	.c_oflag = OPOST | ONLCR,
	.c_cflag = B38400 | CS8 | CREAD | HUPCL,
	.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
	.c_cc = { [VINTR] = LDISC_VINTR,
	          [VQUIT] = LDISC_VQUIT,
	          [VERASE] = LDISC_VERASE,
	          [VKILL] = LDISC_VKILL,
	          [VEOF] = LDISC_VEOF,
	          [VMIN] = 1,
	          [VSTART] = LDISC_CTRL('Q'),
	          [VSTOP] = LDISC_CTRL('S'),
	          [VSUSP] = LDISC_VSUSP,
	          [VREPRINT] = LDISC_CTRL('R'),
	          [VDISCARD] = LDISC_CTRL('O'),
	          [VWERASE] = LDISC_VWERASE,
	          [VLNEXT] = LDISC_CTRL('V') },
};

void ldisc_put(struct ldisc *ld, const char *s, size_t n)
{
	if (ld->out && n)
		ld->out(ld->out_ctx, s, n);
}

/* Queue accounting: counters run freely, their difference is the fill. */
static uint32_t q_count(const struct ldisc *ld)
{
	return ld->q_wr - ld->q_rd;
}

uint32_t ldisc_q_space(const struct ldisc *ld)
{
	return LDISC_QUEUE_SIZE - q_count(ld);
}

static uint32_t m_count(const struct ldisc *ld)
{
	return ld->m_wr - ld->m_rd;
}

bool ldisc_marks_full(const struct ldisc *ld)
{
	return m_count(ld) == LDISC_MARKS;
}

static struct ldisc_mark *m_head(struct ldisc *ld)
{
	return &ld->marks[ld->m_rd % LDISC_MARKS];
}

void ldisc_q_push(struct ldisc *ld, const uint8_t *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		ld->queue[ld->q_wr++ % LDISC_QUEUE_SIZE] = s[i];
		ld->q_newlines += s[i] == '\n';
	}
}

/* Add a record boundary at the current end of the queue; false if the ring is full. */
bool ldisc_m_push(struct ldisc *ld, bool eof)
{
	struct ldisc_mark *m;

	if (ldisc_marks_full(ld))
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
	ld->tio = ldisc_std_termios;
}

bool ldisc_canonical(const struct ldisc *ld)
{
	return ld->tio.c_lflag & ICANON;
}

const struct termios *ldisc_termios(const struct ldisc *ld)
{
	return &ld->tio;
}

/*
 * Mode changes keep the bytes typed so far, as far as the queue has room for
 * the line being edited. Non-canonical input left without a newline is
 * closed as a record for canonical readers; if the mark ring is full it
 * stays open and joins the next line instead.
 */
static void switch_mode(struct ldisc *ld, bool canonical)
{
	uint8_t last;

	if (!canonical) {
		if (ld->line_len > ldisc_q_space(ld))
			ld->line_len = ldisc_q_space(ld);
		ldisc_q_push(ld, ld->line, ld->line_len);
		ld->line_len = 0;
		ld->lnext = false;
	} else if (q_count(ld)) {
		last = ld->queue[(ld->q_wr - 1) % LDISC_QUEUE_SIZE];
		if (last != '\n')
			(void)ldisc_m_push(ld, false);
	}
}

void ldisc_set_termios(struct ldisc *ld, const struct termios *tio)
{
	bool canonical = tio->c_lflag & ICANON;

	if (canonical != ldisc_canonical(ld))
		switch_mode(ld, canonical);
	ld->tio = *tio;
}

void ldisc_set_mode(struct ldisc *ld, enum ldisc_mode mode)
{
	struct termios tio = ld->tio;

	if (mode == LDISC_CANONICAL)
		tio.c_lflag |= ICANON;
	else
		tio.c_lflag &= ~(uint32_t)ICANON;
	ldisc_set_termios(ld, &tio);
}

static void set_bits(uint32_t *word, uint32_t bits, bool on)
{
	*word = on ? (*word | bits) : (*word & ~bits);
}

void ldisc_set_flags(struct ldisc *ld, uint32_t flags)
{
	struct termios *t = &ld->tio;

	set_bits(&t->c_lflag, ECHO, flags & LDISC_ECHO);
	set_bits(&t->c_lflag, ISIG, flags & LDISC_ISIG);
	set_bits(&t->c_iflag, ICRNL, flags & LDISC_ICRNL);
	if (flags & LDISC_ONLCR)
		t->c_oflag |= OPOST | ONLCR;
	else
		t->c_oflag &= ~(uint32_t)ONLCR;
}

uint32_t ldisc_flags(const struct ldisc *ld)
{
	const struct termios *t = &ld->tio;
	uint32_t f = 0;

	if (t->c_lflag & ECHO)
		f |= LDISC_ECHO;
	if (t->c_lflag & ISIG)
		f |= LDISC_ISIG;
	if (t->c_iflag & ICRNL)
		f |= LDISC_ICRNL;
	if ((t->c_oflag & OPOST) && (t->c_oflag & ONLCR))
		f |= LDISC_ONLCR;
	return f;
}

void ldisc_flush(struct ldisc *ld)
{
	ld->line_len = 0;
	ld->lnext = false;
	ld->q_rd = ld->q_wr;
	ld->q_newlines = 0;
	ld->m_rd = ld->m_wr;
}

size_t ldisc_queued(const struct ldisc *ld)
{
	return q_count(ld);
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
	if (!ldisc_canonical(ld))
		return q_count(ld) || first_eof(ld);
	return ld->q_newlines || m_count(ld);
}

/* How many bytes one read may take at most before meeting a record boundary. */
static uint32_t read_limit(struct ldisc *ld)
{
	const struct ldisc_mark *eof;

	if (ldisc_canonical(ld))
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
			if (ldisc_canonical(ld)) {
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
	const uint32_t of = ld->tio.c_oflag;
	const char *p = s;
	size_t start = 0, i;

	if (!(of & OPOST) || !(of & (ONLCR | OCRNL))) {
		ldisc_put(ld, p, n);
		return;
	}
	for (i = 0; i < n; i++) {
		if (p[i] == '\n' && (of & ONLCR)) {
			ldisc_put(ld, p + start, i - start);
			ldisc_put(ld, "\r\n", 2);
			start = i + 1;
		} else if (p[i] == '\r' && (of & OCRNL)) {
			ldisc_put(ld, p + start, i - start);
			ldisc_put(ld, "\n", 1);
			start = i + 1;
		}
	}
	ldisc_put(ld, p + start, n - start);
}

void ldisc_output_byte(struct ldisc *ld, uint8_t c)
{
	ldisc_write(ld, &c, 1);
}

/* A tenth of a second, VTIME's unit, in ns. */
#define LDISC_DECISECOND_NS 100000000ull

/* The four cases of termios(3), from the rule for MIN > 0 and the one for TIME > 0. */
bool ldisc_read_done(const struct ldisc *ld, const struct ldisc_read_timing *rt, uint64_t now_ns,
                     uint64_t *deadline_ns)
{
	size_t min = ld->tio.c_cc[VMIN];
	uint64_t time = ld->tio.c_cc[VTIME] * LDISC_DECISECOND_NS, from;

	*deadline_ns = LDISC_NO_DEADLINE;
	if (ldisc_canonical(ld) || rt->got >= rt->want)
		return true;
	if (min > rt->want)
		min = rt->want;
	if (min && rt->got >= min)
		return true;
	if (!time)
		return !min; /* MIN 0 TIME 0: what there is, at once */
	if (min && !rt->got)
		return false; /* the timer starts with the first byte */
	if (!min && rt->got)
		return true; /* MIN 0: one byte is enough */
	from = rt->got ? rt->last_ns : rt->start_ns;
	if (now_ns - from >= time)
		return true;
	*deadline_ns = from + time;
	return false;
}
