/* SPDX-License-Identifier: MIT */
/*
 * A terminal line discipline as pure mechanism: bytes typed on a terminal
 * go in one at a time (from an IRQ handler, say), are edited into lines and
 * echoed, and come out of a queue that a reader task drains with POSIX-like
 * semantics. The kernel's TTY layer owns one per terminal, supplies the echo
 * sink and does the locking and the waking; see the comment on struct ldisc.
 */
#pragma once

#include <lib/format.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef EAGAIN
#define EAGAIN 11 /* Linux's number, as include/cairn/errno.h would have it */
#endif

/* Capacities, fixed so that the discipline needs no allocator. */
#define LDISC_LINE_MAX   255  /* bytes of one line being edited, newline excluded */
#define LDISC_QUEUE_SIZE 4096 /* bytes of finished input waiting for a reader; a power of 2 */
#define LDISC_MARKS      32   /* pending ^D records (partial lines and end-of-file marks) */

/* Flags (ldisc_set_flags); all four are set by ldisc_init(). */
#define LDISC_ECHO          (1u << 0) /* echo input back to the terminal */
#define LDISC_ISIG          (1u << 1) /* ^C discards input and reports LDISC_EV_SIGINT */
#define LDISC_ICRNL         (1u << 2) /* input: carriage return becomes newline */
#define LDISC_ONLCR         (1u << 3) /* output: newline becomes carriage return + newline */
#define LDISC_DEFAULT_FLAGS (LDISC_ECHO | LDISC_ISIG | LDISC_ICRNL | LDISC_ONLCR)

/* What ldisc_input() reports, as a bit mask (0: nothing to do). */
#define LDISC_EV_READABLE (1u << 0) /* a reader can now make progress: wake it */
#define LDISC_EV_SIGINT   (1u << 1) /* ^C under LDISC_ISIG: interrupt the foreground task */

/* The input control characters. */
#define LDISC_CTRL(c) (0x1f & (c))
#define LDISC_VINTR   LDISC_CTRL('C')
#define LDISC_VEOF    LDISC_CTRL('D')
#define LDISC_VKILL   LDISC_CTRL('U')
#define LDISC_VWERASE LDISC_CTRL('W')
#define LDISC_BELL    0x07

enum ldisc_mode {
	LDISC_CANONICAL, /* line editing; a read returns at most one line */
	LDISC_RAW,       /* every byte is input at once; no editing, no signals */
};

/* A record boundary in the queue that is not a newline: where ^D was typed. */
struct ldisc_mark {
	uint32_t pos; /* queue position (a q_wr value) the record ends at */
	bool eof;     /* an empty record: a read there returns 0 once */
};

/*
 * One terminal's discipline. Fields are private; use the functions below.
 * It does no locking: every call on one instance must be serialized by the
 * caller (in the kernel, one IRQ-safe spinlock around ldisc_input() from the
 * driver's IRQ handler and ldisc_read() from tasks). Nothing here sleeps or
 * allocates. The output sink is called from inside ldisc_input() and
 * ldisc_write(), under that lock, so it must only queue or poll bytes out.
 */
struct ldisc {
	fmt_sink_fn out; /* where echo and processed output go; may be NULL */
	void *out_ctx;   /* passed to out */
	enum ldisc_mode mode;
	uint32_t flags;                       /* LDISC_ECHO... */
	uint8_t line[LDISC_LINE_MAX];         /* the line being edited (canonical mode) */
	size_t line_len;                      /* bytes in line[] */
	uint8_t queue[LDISC_QUEUE_SIZE];      /* finished input, a ring */
	uint32_t q_rd, q_wr;                  /* free-running byte counters into queue[] */
	uint32_t q_newlines;                  /* '\n' bytes in the queue */
	struct ldisc_mark marks[LDISC_MARKS]; /* a ring, in queue order */
	uint32_t m_rd, m_wr;                  /* free-running counters into marks[] */
};

/*
 * Set up @ld in canonical mode with LDISC_DEFAULT_FLAGS, empty, echoing to
 * @out(@ctx, ...) (NULL: no output at all).
 */
void ldisc_init(struct ldisc *ld, fmt_sink_fn out, void *ctx);

/*
 * Switch mode. Leaving canonical mode hands the line being edited to the
 * queue as it is (no newline added); entering it makes input already queued
 * without a newline at its end one record, so a canonical reader gets it.
 */
void ldisc_set_mode(struct ldisc *ld, enum ldisc_mode mode);

/* Replace the flags with @flags (LDISC_ECHO...); unknown bits are dropped. */
void ldisc_set_flags(struct ldisc *ld, uint32_t flags);
uint32_t ldisc_flags(const struct ldisc *ld);

/*
 * Take one byte typed on the terminal: edit, echo, queue. Returns a mask of
 * LDISC_EV_* for the caller to act on (wake readers, signal). A byte that does
 * not fit (a full line or queue) is refused with a bell ("\a") on the output.
 * IRQ context is fine.
 */
unsigned ldisc_input(struct ldisc *ld, uint8_t c);

/* ldisc_input() for each of @n bytes at @s; returns the union of the events. */
unsigned ldisc_input_buf(struct ldisc *ld, const void *s, size_t n);

/*
 * True if ldisc_read() would return data or end-of-file now rather than
 * -EAGAIN: in canonical mode a whole line (or ^D record) is queued, in raw mode
 * any byte. What a blocked reader waits for.
 */
bool ldisc_readable(const struct ldisc *ld);

/*
 * Read up to @n bytes of input into @buf. In canonical mode one read returns
 * at most one line (with its newline) or one ^D record; what does not fit in
 * @n stays for the next read. Returns the number of bytes read, 0 for an
 * end-of-file mark (^D on an empty line; consumed, so the next read goes on
 * past it) or at once when @n is 0, or -EAGAIN if nothing is readable.
 */
long ldisc_read(struct ldisc *ld, void *buf, size_t n);

/* Bytes in the input queue, readable or not (for statistics and tests). */
size_t ldisc_queued(const struct ldisc *ld);

/* Discard the line being edited and all queued input, end-of-file marks too. */
void ldisc_flush(struct ldisc *ld);

/*
 * Output processing: send @n bytes from @s (or one byte @c) to the terminal
 * through the output sink, "\n" becoming "\r\n" under LDISC_ONLCR. For what
 * programs write to the terminal; echo already goes through it.
 */
void ldisc_write(struct ldisc *ld, const void *s, size_t n);
void ldisc_output_byte(struct ldisc *ld, uint8_t c);
