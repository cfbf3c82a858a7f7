// SPDX-License-Identifier: MIT
/*
 * Kernel log output. Each line is formatted into a buffer first and then
 * written in one piece under the console lock, so lines from different
 * CPUs never interleave. Locks: [L] console_lock.
 */
#include "core/log.h"

#include <lib/format.h>

#include "core/percpu.h"
#include "core/smp.h"
#include "dev/uart16550.h"
#include "sched/spinlock.h"

#define LOG_LINE_MAX 256

enum log_level log_threshold = LOG_INFO;

static const char *const level_prefix[] = {
	[LOG_ERR] = "error: ",
	[LOG_WARN] = "warning: ",
	[LOG_INFO] = "",
	[LOG_DEBUG] = "debug: ",
};

/* Guards the console (the UART) so each line or kprintf() goes out whole. */
static struct spinlock console_lock = SPINLOCK_INIT("log.console");

static void console_sink(void *ctx, const char *s, size_t len)
{
	uart_write(&uart_console, s, len);
}

/*
 * Take the console lock, except when this CPU already holds it (a fault
 * while printing) or is reporting a panic (the other CPUs are stopped, one
 * maybe holding the lock). Returns whether it was taken.
 */
static bool console_lock_take(uint64_t *flags)
{
	int panicking = smp_panic_cpu();

	if ((panicking >= 0 && (unsigned)panicking == arch_cpu_index()) || spin_held(&console_lock))
		return false;
	*flags = spin_lock_irqsave(&console_lock);
	return true;
}

static void console_lock_give(bool taken, uint64_t flags)
{
	if (taken)
		spin_unlock_irqrestore(&console_lock, flags);
}

void vklog(enum log_level level, const char *fmt, va_list ap)
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
	console_sink(NULL, line, (size_t)n);
	console_lock_give(taken, flags);
}

void klog(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vklog(level, fmt, ap);
	va_end(ap);
}

void kprintf(const char *fmt, ...)
{
	uint64_t flags = 0;
	bool taken;
	va_list ap;

	va_start(ap, fmt);
	taken = console_lock_take(&flags);
	fmt_vformat(console_sink, NULL, fmt, ap);
	console_lock_give(taken, flags);
	va_end(ap);
}
