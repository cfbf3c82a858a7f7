/* SPDX-License-Identifier: MIT */
/*
 * The kernel log: printf-style lines with a level, written whole to every
 * console and kept in a ring of recent lines (the shell's `log`, like
 * dmesg). Lines start with their subsystem ("serial: loopback ok").
 * Until a console registers (the TTY layer does, kernel/tty) the log
 * writes straight to the serial port.
 */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

enum log_level {
	LOG_ERR = 0,
	LOG_WARN = 1,
	LOG_INFO = 2,
	LOG_DEBUG = 3,
};

#define LOG_RING_SIZE (64u * 1024) /* bytes of recent log text kept for log_ring_dump() */

/* Messages above this level are dropped; set from the command line (loglevel=N). */
extern enum log_level log_threshold;

void klog(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vklog(enum log_level level, const char *fmt, va_list ap);
/*
 * Raw output with no level and no line assembly: panic and the test runner.
 * One call goes out in one piece (up to 512 bytes; longer text in pieces).
 */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define pr_err(...)   klog(LOG_ERR, __VA_ARGS__)
#define pr_warn(...)  klog(LOG_WARN, __VA_ARGS__)
#define pr_info(...)  klog(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) klog(LOG_DEBUG, __VA_ARGS__)

/*
 * Copy the log ring to @sink, oldest first, in whole lines: what klog() and
 * kprintf() wrote since boot, as far as LOG_RING_SIZE bytes reach (older
 * lines are dropped whole). Text logged during the dump is left for the
 * next one. The sink runs with no lock held and may sleep, write to a TTY
 * or even log. Task context.
 */
void log_ring_dump(void (*sink)(void *ctx, const char *s, size_t n), void *ctx);

/* log_console.write() flags. */
#define LOG_WRITE_LINE (1u << 0) /* one klog() line: start it on a fresh line */

/*
 * A place log text goes, registered with log_console_add(). Locks: [L]
 * the log's console lock.
 */
struct log_console {
	/*
	 * Write @n bytes of log text ('\n' ends lines; output processing is the
	 * console's). Called with the log's console lock held (by a panicking
	 * CPU without it), interrupts off: must not sleep and must not log.
	 */
	void (*write)(struct log_console *c, const char *s, size_t n, unsigned flags);
	struct log_console *next; /* [L] */
};

/*
 * Send log text to @c from now on, after a copy of the ring if @replay (so
 * a console that starts late shows the boot). The first console added
 * takes over from the early serial output. Takes the console lock; any
 * context but IRQ (a replay can be long).
 */
void log_console_add(struct log_console *c, bool replay);
/* Stop sending log text to @c; once this returns no write to it is under way. */
void log_console_remove(struct log_console *c);
