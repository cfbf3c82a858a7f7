/* SPDX-License-Identifier: MIT */
/*
 * A terminal line discipline as pure mechanism, driven by a termios as
 * POSIX.1 "General Terminal Interface" and Linux's n_tty describe it:
 * bytes typed on a terminal go in one at a time (from an IRQ handler,
 * say), are edited into lines (ICANON) or queued as they come, echoed,
 * and turned into signals (ISIG); they come out of a queue that a reader
 * task drains. The timing of non-canonical reads (VMIN, VTIME) is decided
 * here too, from a clock the caller passes in. The kernel's TTY layer owns
 * one per terminal, supplies the echo sink and does the locking, waking
 * and waiting; see the comment on struct ldisc.
 */
#pragma once

#include <cairn/linux/termios.h>

#include <lib/format.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef EAGAIN
#define EAGAIN 11 /* Linux's number, as include/cairn/errno.h would have it */
#endif

/* Capacities, fixed so that the discipline needs no allocator. */
#define LDISC_LINE_MAX   255  /* bytes of one line being edited, its end excluded */
#define LDISC_QUEUE_SIZE 4096 /* bytes of finished input waiting for a reader; a power of 2 */
#define LDISC_MARKS      32   /* pending record ends that are not '\n' (^D, VEOL) */

/*
 * The older interface in flags, a view of the termios (ldisc_set_flags):
 * each stands for the termios bits named.
 */
#define LDISC_ECHO          (1u << 0) /* ECHO */
#define LDISC_ISIG          (1u << 1) /* ISIG */
#define LDISC_ICRNL         (1u << 2) /* ICRNL */
#define LDISC_ONLCR         (1u << 3) /* OPOST and ONLCR */
#define LDISC_DEFAULT_FLAGS (LDISC_ECHO | LDISC_ISIG | LDISC_ICRNL | LDISC_ONLCR)

/* What ldisc_input() reports, as a bit mask (0: nothing to do). */
#define LDISC_EV_READABLE (1u << 0) /* a reader can now make progress: wake it */
#define LDISC_EV_SIGINT   (1u << 1) /* VINTR under ISIG: SIGINT to the foreground group */
#define LDISC_EV_SIGQUIT  (1u << 2) /* VQUIT under ISIG: SIGQUIT */
#define LDISC_EV_SIGTSTP  (1u << 3) /* VSUSP under ISIG: SIGTSTP */
#define LDISC_EV_SIGNALS  (LDISC_EV_SIGINT | LDISC_EV_SIGQUIT | LDISC_EV_SIGTSTP)

/* The default control characters (Linux's INIT_C_CC). */
#define LDISC_CTRL(c)  (0x1f & (c))
#define LDISC_VINTR    LDISC_CTRL('C')
#define LDISC_VQUIT    0x1c
#define LDISC_VEOF     LDISC_CTRL('D')
#define LDISC_VKILL    LDISC_CTRL('U')
#define LDISC_VWERASE  LDISC_CTRL('W')
#define LDISC_VERASE   0x7f
#define LDISC_VSUSP    LDISC_CTRL('Z')
#define LDISC_BELL     0x07
#define LDISC_VDISABLE 0 /* _POSIX_VDISABLE: a c_cc slot holding it matches nothing */

/* Canonical (ICANON) or not: ldisc_set_mode()'s older interface. */
enum ldisc_mode {
	LDISC_CANONICAL, /* line editing; a read returns at most one line */
	LDISC_RAW,       /* every byte is input at once */
};

/* A record boundary in the queue that is not a newline: where ^D or VEOL was typed. */
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
	fmt_sink_fn out;                      /* where echo and processed output go; may be NULL */
	void *out_ctx;                        /* passed to out */
	struct termios tio;                   /* the settings everything here follows */
	bool lnext;                           /* VLNEXT came: the next byte is taken literally */
	uint8_t line[LDISC_LINE_MAX];         /* the line being edited (canonical mode) */
	size_t line_len;                      /* bytes in line[] */
	uint8_t queue[LDISC_QUEUE_SIZE];      /* finished input, a ring */
	uint32_t q_rd, q_wr;                  /* free-running byte counters into queue[] */
	uint32_t q_newlines;                  /* '\n' bytes in the queue */
	struct ldisc_mark marks[LDISC_MARKS]; /* a ring, in queue order */
	uint32_t m_rd, m_wr;                  /* free-running counters into marks[] */
};

/* Linux's tty_std_termios: canonical, echoing (ECHOE, ECHOK, ECHOCTL, ECHOKE), ISIG, IEXTEN. */
extern const struct termios ldisc_std_termios;

/*
 * Set up @ld with ldisc_std_termios, empty, echoing to @out(@ctx, ...)
 * (NULL: no output at all).
 */
void ldisc_init(struct ldisc *ld, fmt_sink_fn out, void *ctx);

/*
 * Replace the settings. Leaving canonical mode hands the line being
 * edited to the queue as it is (no newline added); entering it makes
 * input already queued without a newline at its end one record, so a
 * canonical reader gets it.
 */
void ldisc_set_termios(struct ldisc *ld, const struct termios *tio);
const struct termios *ldisc_termios(const struct ldisc *ld);
bool ldisc_canonical(const struct ldisc *ld);

/* The older interface: ICANON on or off / the LDISC_* flags' termios bits. */
void ldisc_set_mode(struct ldisc *ld, enum ldisc_mode mode);
void ldisc_set_flags(struct ldisc *ld, uint32_t flags);
uint32_t ldisc_flags(const struct ldisc *ld);

/*
 * Take one byte typed on the terminal: input processing (ISTRIP, IGNCR,
 * ICRNL, INLCR, IXON's start and stop), signals (ISIG), editing (ICANON:
 * VERASE, VKILL, VWERASE, VLNEXT, VREPRINT, VEOF, VEOL, VEOL2), echo,
 * queueing. Returns a mask of LDISC_EV_* for the caller to act on (wake
 * readers, signal). A byte that does not fit (a full line or queue) is
 * refused with a bell ("\a") on the output. IRQ context is fine.
 */
unsigned ldisc_input(struct ldisc *ld, uint8_t c);

/* ldisc_input() for each of @n bytes at @s; returns the union of the events. */
unsigned ldisc_input_buf(struct ldisc *ld, const void *s, size_t n);

/*
 * True if ldisc_read() would return data or end-of-file now rather than
 * -EAGAIN: in canonical mode a whole line (or record) is queued, else any
 * byte. What a blocked reader waits for.
 */
bool ldisc_readable(const struct ldisc *ld);

/*
 * Read up to @n bytes of input into @buf. In canonical mode one read returns
 * at most one line (with its newline) or one record; what does not fit in
 * @n stays for the next read. Returns the number of bytes read, 0 for an
 * end-of-file mark (^D on an empty line; consumed, so the next read goes on
 * past it) or at once when @n is 0, or -EAGAIN if nothing is readable.
 */
long ldisc_read(struct ldisc *ld, void *buf, size_t n);

/* Bytes in the input queue, readable or not (FIONREAD). */
size_t ldisc_queued(const struct ldisc *ld);

/* Discard the line being edited and all queued input, end-of-file marks too. */
void ldisc_flush(struct ldisc *ld);

/*
 * Output processing: send @n bytes from @s (or one byte @c) to the terminal
 * through the output sink, as OPOST says: ONLCR ("\n" to "\r\n") and OCRNL
 * ("\r" to "\n"). For what programs write to the terminal; echo already
 * goes through it.
 */
void ldisc_write(struct ldisc *ld, const void *s, size_t n);
void ldisc_output_byte(struct ldisc *ld, uint8_t c);

/*
 * A non-canonical read in progress, for ldisc_read_done(): what it asked
 * for, what it has, when it started and when its last byte came (ns on
 * any monotonic clock).
 */
struct ldisc_read_timing {
	size_t want;
	size_t got;
	uint64_t start_ns;
	uint64_t last_ns;
};

#define LDISC_NO_DEADLINE UINT64_MAX

/*
 * Whether a read of @rt has finished at @now_ns by the termios's VMIN and
 * VTIME (termios(3): MIN 0 TIME 0 returns at once; MIN > 0 TIME 0 waits
 * for MIN bytes; MIN 0 TIME > 0 waits up to TIME tenths of a second for
 * one; MIN > 0 TIME > 0 waits for MIN bytes or TIME after the last one,
 * the timer starting with the first byte). A read that has all it asked
 * for is done. If not done, *@deadline_ns is when it will be even without
 * more input (LDISC_NO_DEADLINE: never). Canonical reads take one record
 * and are done: this says so.
 */
bool ldisc_read_done(const struct ldisc *ld, const struct ldisc_read_timing *rt, uint64_t now_ns,
                     uint64_t *deadline_ns);

/* For ldisc_input.c: the queue and the echo, shared between the two files. */
void ldisc_put(struct ldisc *ld, const char *s, size_t n);
void ldisc_q_push(struct ldisc *ld, const uint8_t *s, size_t n);
uint32_t ldisc_q_space(const struct ldisc *ld);
bool ldisc_m_push(struct ldisc *ld, bool eof);
bool ldisc_marks_full(const struct ldisc *ld);
