// SPDX-License-Identifier: MIT
/*
 * Kernel log output. Each line is formatted into a buffer first, then, under
 * the console lock, appended to the log ring and written in one piece to
 * every registered console, so lines from different CPUs never interleave
 * and reach all consoles (and the ring) in the same order. Before any
 * console registers the text goes straight to the serial port.
 *
 * The ring keeps whole lines: when it is full the oldest line goes, all of
 * it. It counts bytes with free-running 64-bit positions, so a reader can
 * tell when the text it was copying has been overwritten.
 *
 * Locks: [L] console_lock, the innermost lock but for the consoles' own
 * (docs/locking.md).
 */
#include "core/log.h"

#include <lib/format.h>
#include <lib/string.h>

#include "core/percpu.h"
#include "core/smp.h"
#include "dev/uart16550.h"
#include "sched/spinlock.h"

#define LOG_LINE_MAX  256 /* one klog() line, prefix and newline included */
#define LOG_CHUNK_MAX 512 /* what kprintf() formats, or a dump copies, in one piece */

_Static_assert((LOG_RING_SIZE & (LOG_RING_SIZE - 1)) == 0, "a power of two");

enum log_level log_threshold = LOG_INFO;

static const char *const level_prefix[] = {
	[LOG_ERR] = "error: ",
	[LOG_WARN] = "warning: ",
	[LOG_INFO] = "",
	[LOG_DEBUG] = "debug: ",
};

/* Orders all log output; guards the ring and the console list. */
static struct spinlock console_lock = SPINLOCK_INIT("log.console");
static char ring[LOG_RING_SIZE] __guarded_by(&console_lock); /* [L] */
static uint64_t ring_start __guarded_by(&console_lock);      /* [L] position of the oldest line */
static uint64_t ring_end __guarded_by(&console_lock); /* [L] position after the newest byte */
static struct log_console *consoles __guarded_by(&console_lock); /* [L] */

/*
 * Take the console lock, except when this CPU already holds it (a fault
 * while printing) or is reporting a panic (the other CPUs are stopped, one
 * maybe holding the lock). Returns whether it was taken.
 */
static bool console_lock_take(uint64_t *flags) __no_thread_safety_analysis
{
	int panicking = smp_panic_cpu();

	if ((panicking >= 0 && (unsigned)panicking == arch_cpu_index()) || spin_held(&console_lock))
		return false;
	*flags = spin_lock_irqsave(&console_lock);
	return true;
}

static void console_lock_give(bool taken, uint64_t flags) __no_thread_safety_analysis
{
	if (taken)
		spin_unlock_irqrestore(&console_lock, flags);
}

/* Append @n bytes to the ring, then drop whole lines from the front until it fits. */
static void ring_append_locked(const char *s, size_t n) __must_hold(&console_lock)
{
	size_t i;

	for (i = 0; i < n; i++)
		ring[ring_end++ % LOG_RING_SIZE] = s[i];
	if (ring_end - ring_start <= LOG_RING_SIZE)
		return;
	ring_start = ring_end - LOG_RING_SIZE;
	while (ring_start < ring_end && ring[ring_start % LOG_RING_SIZE] != '\n')
		ring_start++;
	if (ring_start < ring_end)
		ring_start++; /* past the newline: the next line is whole */
}

/* Log text to the ring and every console (the serial port before there is one). */
static void emit_locked(const char *s, size_t n, unsigned flags) __must_hold(&console_lock)
{
	struct log_console *c;

	ring_append_locked(s, n);
	if (!consoles) {
		uart_write(&uart_console, s, n);
		return;
	}
	for (c = consoles; c; c = c->next)
		c->write(c, s, n, flags);
}

/* The lock is taken conditionally (console_lock_take), which the analysis cannot follow. */
void vklog(enum log_level level, const char *fmt, va_list ap) __no_thread_safety_analysis
{
	char line[LOG_LINE_MAX];
	uint64_t flags = 0;
	bool taken;
	int n, p;

	if (level > log_threshold)
		return;
	p = fmt_snprintf(line, sizeof(line), "%s", level_prefix[level]);
	n = fmt_vsnprintf(line + p, sizeof(line) - (size_t)p - 1, fmt, ap) + p;
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	taken = console_lock_take(&flags);
	emit_locked(line, (size_t)n, LOG_WRITE_LINE);
	console_lock_give(taken, flags);
}

void klog(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vklog(level, fmt, ap);
	va_end(ap);
}

/* kprintf()'s formatting buffer, emitted when full and at the end. */
struct kprintf_buf {
	char text[LOG_CHUNK_MAX];
	size_t len;
};

static void kprintf_flush(struct kprintf_buf *b) __no_thread_safety_analysis
{
	if (b->len)
		emit_locked(b->text, b->len, 0);
	b->len = 0;
}

static void kprintf_sink(void *ctx, const char *s, size_t len)
{
	struct kprintf_buf *b = ctx;
	size_t k;

	while (len) {
		if (b->len == sizeof(b->text))
			kprintf_flush(b);
		k = sizeof(b->text) - b->len;
		if (k > len)
			k = len;
		memcpy(b->text + b->len, s, k);
		b->len += k;
		s += k;
		len -= k;
	}
}

void kprintf(const char *fmt, ...) __no_thread_safety_analysis
{
	struct kprintf_buf b;
	uint64_t flags = 0;
	bool taken;
	va_list ap;

	b.len = 0;
	va_start(ap, fmt);
	taken = console_lock_take(&flags);
	fmt_vformat(kprintf_sink, &b, fmt, ap);
	kprintf_flush(&b);
	console_lock_give(taken, flags);
	va_end(ap);
}

/*
 * Copy up to @max bytes of the ring from @pos (not past @end) into @buf,
 * ending after a newline when the text goes on. Returns the bytes copied.
 */
static size_t ring_copy_locked(char *buf, size_t max, uint64_t pos, uint64_t end)
	__must_hold(&console_lock)
{
	size_t n = end - pos < max ? (size_t)(end - pos) : max, i, whole = 0;

	for (i = 0; i < n; i++) {
		buf[i] = ring[(pos + i) % LOG_RING_SIZE];
		if (buf[i] == '\n')
			whole = i + 1;
	}
	return pos + n < end && whole ? whole : n;
}

void log_ring_dump(void (*sink)(void *ctx, const char *s, size_t n), void *ctx)
{
	char buf[LOG_CHUNK_MAX];
	uint64_t pos, end, flags;
	size_t n;

	flags = spin_lock_irqsave(&console_lock);
	pos = ring_start;
	end = ring_end;
	spin_unlock_irqrestore(&console_lock, flags);
	while (pos < end) {
		flags = spin_lock_irqsave(&console_lock);
		/* Overwritten since the last piece: go on at the oldest line kept. */
		if (pos < ring_start)
			pos = ring_start;
		n = pos < end ? ring_copy_locked(buf, sizeof(buf), pos, end) : 0;
		spin_unlock_irqrestore(&console_lock, flags);
		if (!n)
			break;
		sink(ctx, buf, n);
		pos += n;
	}
}

/* Write the whole ring to @c (a console joining late). */
static void replay_locked(struct log_console *c) __must_hold(&console_lock)
{
	char buf[LOG_CHUNK_MAX];
	uint64_t pos = ring_start;
	size_t n;

	while (pos < ring_end) {
		n = ring_copy_locked(buf, sizeof(buf), pos, ring_end);
		c->write(c, buf, n, 0);
		pos += n;
	}
}

void log_console_add(struct log_console *c, bool replay)
{
	uint64_t flags = spin_lock_irqsave(&console_lock);
	struct log_console **p = &consoles;

	if (replay)
		replay_locked(c);
	/* At the end of the list: the consoles see lines in the order they were added. */
	while (*p)
		p = &(*p)->next;
	c->next = NULL;
	*p = c;
	spin_unlock_irqrestore(&console_lock, flags);
}

void log_console_remove(struct log_console *c)
{
	uint64_t flags = spin_lock_irqsave(&console_lock);
	struct log_console **p = &consoles;

	while (*p && *p != c)
		p = &(*p)->next;
	if (*p)
		*p = c->next;
	spin_unlock_irqrestore(&console_lock, flags);
}
