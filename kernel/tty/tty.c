// SPDX-License-Identifier: MIT
/*
 * The terminal core: lib/tty's line discipline under an IRQ-safe lock, the
 * input path devices and tests feed (echo, waking readers, ^C), blocking
 * reads, and the output path with its output processing ("\n" to "\r\n")
 * shared by writers, echo and the kernel log. Each output lock hold covers
 * whole lines, which is what keeps lines from interleaving; the locks and
 * their order are described at struct tty (tty/internal.h).
 */
#include "tty/tty.h"

#include <cairn/errno.h>

#include <arch/spinlock.h>
#include <lib/format.h>

#include "core/percpu.h"
#include "core/smp.h"
#include "mm/heap.h"
#include "proc/signal.h"
#include "time/time.h"
#include "tty/internal.h"

#define TTY_OUT_BUF     256 /* bytes processed for the backend at a time */
#define TTY_WRITE_BATCH 256 /* a write holds the output lock to the first newline past this */
#define TTY_PRINTF_BUF  256 /* tty_printf()'s formatting buffer */

/* The canonical mode's flags, and raw mode's: output processing only. */
#define TTY_FLAGS_CANONICAL LDISC_DEFAULT_FLAGS
#define TTY_FLAGS_RAW       LDISC_ONLCR

/* Send @n bytes to the backend, "\n" as "\r\n" if @onlcr. */
static void out_locked(struct tty *t, const char *s, size_t n,
                       bool onlcr) __no_thread_safety_analysis
{
	char buf[TTY_OUT_BUF];
	size_t len = 0, i;

	if (!n)
		return;
	for (i = 0; i < n; i++) {
		if (len + 2 > sizeof(buf)) {
			t->be.write(t->be.ctx, buf, len);
			len = 0;
		}
		if (onlcr && s[i] == '\n')
			buf[len++] = '\r';
		buf[len++] = s[i];
	}
	t->be.write(t->be.ctx, buf, len);
	t->mid_line = s[n - 1] != '\n';
}

/* The line discipline's output (echo): already processed, so sent as it is. */
static void echo_sink(void *ctx, const char *s, size_t n)
{
	struct tty *t = ctx;
	uint64_t flags = 0;
	bool taken = smp_output_lock(&t->out_lock, &flags);

	out_locked(t, s, n, false);
	smp_output_unlock(&t->out_lock, taken, flags);
}

/* log_console.write: a log line starts on a line of its own. */
static void log_write(struct log_console *c, const char *s, size_t n, unsigned lflags)
{
	struct tty *t = (struct tty *)c; /* logcon is the first member */
	uint64_t flags = 0;
	bool taken = smp_output_lock(&t->out_lock, &flags);

	if ((lflags & LOG_WRITE_LINE) && t->mid_line)
		out_locked(t, "\n", 1, true);
	out_locked(t, s, n, true);
	smp_output_unlock(&t->out_lock, taken, flags);
}

void tty_setup(struct tty *t, const char *name, const struct tty_backend *be)
{
	t->logcon.write = log_write;
	t->name = name;
	t->be = *be;
	spin_init(&t->src_lock, "tty.src");
	spin_init(&t->in_lock, "tty.in");
	spin_init(&t->out_lock, "tty.out");
	ldisc_init(&t->ld, echo_sink, t);
	t->ws.ws_col = (uint16_t)be->cols;
	t->ws.ws_row = (uint16_t)be->rows;
	waitq_init(&t->readers, "tty.readers");
}

struct tty *tty_create(const char *name, const struct tty_backend *be)
{
	struct tty *t = kmalloc_flags(sizeof(*t), KM_ZERO | KM_MAY_FAIL);

	if (t)
		tty_setup(t, name, be);
	return t;
}

void tty_destroy_embedded(struct tty *t)
{
	tty_job_forget(t);
	tty_show_log(t, false, false);
}

void tty_destroy(struct tty *t)
{
	tty_destroy_embedded(t);
	kfree(t);
}

bool tty_hungup(struct tty *t)
{
	return __atomic_load_n(&t->hungup, __ATOMIC_ACQUIRE);
}

const char *tty_name(const struct tty *t)
{
	return t->name;
}

unsigned tty_cols(const struct tty *t)
{
	return __atomic_load_n(&t->ws.ws_col, __ATOMIC_RELAXED);
}

unsigned tty_rows(const struct tty *t)
{
	return __atomic_load_n(&t->ws.ws_row, __ATOMIC_RELAXED);
}

uint32_t tty_rdev(const struct tty *t)
{
	return t->rdev;
}

void tty_show_log(struct tty *t, bool on, bool replay)
{
	if (on == t->showing_log)
		return;
	t->showing_log = on;
	if (on)
		log_console_add(&t->logcon, replay);
	else
		log_console_remove(&t->logcon);
}

void tty_inject(struct tty *t, const void *buf, size_t n)
{
	void (*fn)(void *ctx) = NULL;
	void *ctx = NULL;
	uint64_t flags;
	unsigned ev;

	flags = spin_lock_irqsave(&t->in_lock);
	ev = ldisc_input_buf(&t->ld, buf, n);
	if ((ev & LDISC_EV_SIGINT) && t->sigint_fn) {
		fn = t->sigint_fn;
		ctx = t->sigint_ctx;
		/* Under the lock, so tty_set_sigint() knows to wait for this call. */
		__atomic_add_fetch(&t->sigint_busy, 1, __ATOMIC_ACQ_REL);
	}
	spin_unlock_irqrestore(&t->in_lock, flags);
	if (ev & LDISC_EV_READABLE)
		waitq_wake_all(&t->readers);
	if (fn) {
		fn(ctx);
		__atomic_sub_fetch(&t->sigint_busy, 1, __ATOMIC_RELEASE);
	}
	/* The foreground process group gets the signal typed (as on Linux). */
	if (ev & LDISC_EV_SIGINT)
		tty_job_signal(t, SIGINT);
	if (ev & LDISC_EV_SIGQUIT)
		tty_job_signal(t, SIGQUIT);
	if (ev & LDISC_EV_SIGTSTP)
		tty_job_signal(t, SIGTSTP);
}

void tty_set_sigint(struct tty *t, void (*fn)(void *ctx), void *ctx)
{
	uint64_t flags = spin_lock_irqsave(&t->in_lock);

	t->sigint_fn = fn;
	t->sigint_ctx = ctx;
	spin_unlock_irqrestore(&t->in_lock, flags);
	while (__atomic_load_n(&t->sigint_busy, __ATOMIC_ACQUIRE))
		arch_cpu_relax();
}

void tty_set_raw(struct tty *t, bool raw)
{
	tty_set_mode(t, !raw, raw ? TTY_FLAGS_RAW : TTY_FLAGS_CANONICAL);
}

/* Apply the mode and flags; wake readers if a line typed before is readable now. */
static void apply_mode_locked(struct tty *t, bool canonical, uint32_t ld_flags, bool *readable)
	__must_hold(&t->in_lock)
{
	ldisc_set_mode(&t->ld, canonical ? LDISC_CANONICAL : LDISC_RAW);
	ldisc_set_flags(&t->ld, ld_flags);
	*readable = ldisc_readable(&t->ld);
}

void tty_set_mode(struct tty *t, bool canonical, uint32_t ld_flags)
{
	uint64_t flags = spin_lock_irqsave(&t->in_lock);
	bool readable;

	apply_mode_locked(t, canonical, ld_flags, &readable);
	spin_unlock_irqrestore(&t->in_lock, flags);
	if (readable)
		waitq_wake_all(&t->readers);
}

void tty_get_mode(struct tty *t, bool *canonical, uint32_t *ld_flags)
{
	uint64_t flags = spin_lock_irqsave(&t->in_lock);

	*canonical = ldisc_canonical(&t->ld);
	*ld_flags = ldisc_flags(&t->ld);
	spin_unlock_irqrestore(&t->in_lock, flags);
}

void tty_get_termios(struct tty *t, struct termios *out)
{
	uint64_t flags = spin_lock_irqsave(&t->in_lock);

	*out = *ldisc_termios(&t->ld);
	spin_unlock_irqrestore(&t->in_lock, flags);
}

void tty_set_termios(struct tty *t, const struct termios *tio, bool flush)
{
	uint64_t flags = spin_lock_irqsave(&t->in_lock);
	bool readable;

	if (flush)
		ldisc_flush(&t->ld);
	ldisc_set_termios(&t->ld, tio);
	readable = ldisc_readable(&t->ld);
	spin_unlock_irqrestore(&t->in_lock, flags);
	if (readable)
		waitq_wake_all(&t->readers);
}

void tty_flush_input(struct tty *t)
{
	uint64_t flags = spin_lock_irqsave(&t->in_lock);

	ldisc_flush(&t->ld);
	spin_unlock_irqrestore(&t->in_lock, flags);
}

size_t tty_input_queued(struct tty *t)
{
	uint64_t flags = spin_lock_irqsave(&t->in_lock);
	size_t n = ldisc_queued(&t->ld);

	spin_unlock_irqrestore(&t->in_lock, flags);
	return n;
}

bool tty_input_ready(struct tty *t)
{
	uint64_t flags = spin_lock_irqsave(&t->in_lock);
	bool ready = ldisc_readable(&t->ld) || tty_hungup(t);

	spin_unlock_irqrestore(&t->in_lock, flags);
	return ready;
}

long tty_take(struct tty *t, void *buf, size_t n)
{
	uint64_t flags = spin_lock_irqsave(&t->in_lock);
	long got = ldisc_read(&t->ld, buf, n);

	spin_unlock_irqrestore(&t->in_lock, flags);
	return got;
}

bool tty_read_done(struct tty *t, const struct ldisc_read_timing *rt, uint64_t *deadline_ns)
{
	uint64_t now = clock_monotonic_ns(), flags = spin_lock_irqsave(&t->in_lock);
	bool done = ldisc_read_done(&t->ld, rt, now, deadline_ns);

	spin_unlock_irqrestore(&t->in_lock, flags);
	return done;
}

bool tty_canonical(struct tty *t)
{
	uint64_t flags = spin_lock_irqsave(&t->in_lock);
	bool canon = ldisc_canonical(&t->ld);

	spin_unlock_irqrestore(&t->in_lock, flags);
	return canon;
}

/* A tty_read() in progress: waitq_wait()'s condition reads when there is input. */
struct read_req {
	struct tty *t;
	void *buf;
	size_t n;
	long got;
	bool (*interrupted)(void); /* or NULL */
};

static bool read_ready(void *ctx)
{
	struct read_req *r = ctx;
	uint64_t flags = spin_lock_irqsave(&r->t->in_lock);
	long got = ldisc_read(&r->t->ld, r->buf, r->n);

	spin_unlock_irqrestore(&r->t->in_lock, flags);
	if (got == -EAGAIN) {
		if (!r->interrupted || !r->interrupted())
			return false;
		got = -EINTR;
	}
	r->got = got;
	return true;
}

long tty_read(struct tty *t, void *buf, size_t n)
{
	return tty_read_opts(t, buf, n, false, NULL);
}

long tty_read_opts(struct tty *t, void *buf, size_t n, bool nonblock, bool (*interrupted)(void))
{
	struct read_req r = { .t = t, .buf = buf, .n = n, .got = 0, .interrupted = interrupted };
	int err;

	if (!n)
		return 0;
	if (nonblock)
		return read_ready(&r) ? r.got : -EAGAIN;
	err = waitq_wait(&t->readers, read_ready, &r, WAIT_KILLABLE, TIME_NEVER);
	return err ? err : r.got;
}

/* How much of @s to write in one hold of the output lock: through a newline past the batch. */
static size_t write_segment(const char *s, size_t n)
{
	size_t i;

	for (i = TTY_WRITE_BATCH; i < n; i++)
		if (s[i - 1] == '\n')
			return i;
	return n;
}

/* tty_write() with ONLCR on or off. */
static void write_out(struct tty *t, const char *s, size_t n, bool onlcr)
{
	uint64_t flags = 0;
	bool taken;
	size_t k;

	while (n) {
		k = write_segment(s, n);
		taken = smp_output_lock(&t->out_lock, &flags);
		out_locked(t, s, k, onlcr);
		smp_output_unlock(&t->out_lock, taken, flags);
		s += k;
		n -= k;
	}
}

void tty_write(struct tty *t, const void *buf, size_t n)
{
	write_out(t, buf, n, true);
}

void tty_write_user(struct tty *t, const void *buf, size_t n)
{
	uint64_t flags = spin_lock_irqsave(&t->in_lock);
	uint32_t oflag = ldisc_termios(&t->ld)->c_oflag;

	spin_unlock_irqrestore(&t->in_lock, flags);
	write_out(t, buf, n, (oflag & OPOST) && (oflag & ONLCR));
}

bool tty_tostop(struct tty *t)
{
	uint64_t flags = spin_lock_irqsave(&t->in_lock);
	bool on = ldisc_termios(&t->ld)->c_lflag & TOSTOP;

	spin_unlock_irqrestore(&t->in_lock, flags);
	return on;
}

/* tty_printf()'s buffer, sent to the backend when full and at the end. */
struct printf_buf {
	struct tty *t;
	size_t len;
	char text[TTY_PRINTF_BUF];
};

static void printf_sink(void *ctx, const char *s, size_t n)
{
	struct printf_buf *b = ctx;

	while (n--) {
		if (b->len == sizeof(b->text)) {
			out_locked(b->t, b->text, b->len, true);
			b->len = 0;
		}
		b->text[b->len++] = *s++;
	}
}

/*
 * One hold of the output lock for the whole call, formatting included
 * (it never sleeps), so even a line longer than the buffer stays whole.
 */
void tty_printf(struct tty *t, const char *fmt, ...)
{
	struct printf_buf b = { .t = t, .len = 0 };
	uint64_t flags = 0;
	bool taken;
	va_list ap;

	va_start(ap, fmt);
	taken = smp_output_lock(&t->out_lock, &flags);
	fmt_vformat(printf_sink, &b, fmt, ap);
	out_locked(t, b.text, b.len, true);
	smp_output_unlock(&t->out_lock, taken, flags);
	va_end(ap);
}

void tty_clear(struct tty *t)
{
	static const char seq[] = "\x1b[H\x1b[2J";

	tty_write(t, seq, sizeof(seq) - 1);
}
