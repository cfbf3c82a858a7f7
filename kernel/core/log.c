// SPDX-License-Identifier: MIT
/*
 * Kernel log output. Each line is formatted into a buffer first and then
 * written in one piece, so lines from different CPUs never interleave
 * mid-line once the console gains a lock (the SMP issue adds it).
 */
#include "core/log.h"

#include <lib/format.h>

#include "dev/uart16550.h"

#define LOG_LINE_MAX 256

enum log_level log_threshold = LOG_INFO;

static const char *const level_prefix[] = {
	[LOG_ERR] = "error: ",
	[LOG_WARN] = "warning: ",
	[LOG_INFO] = "",
	[LOG_DEBUG] = "debug: ",
};

static void console_sink(void *ctx, const char *s, size_t len)
{
	uart_write(&uart_console, s, len);
}

void vklog(enum log_level level, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	int n, p;

	if (level > log_threshold)
		return;
	p = fmt_snprintf(line, sizeof(line), "%s", level_prefix[level]);
	n = fmt_vsnprintf(line + p, sizeof(line) - (size_t)p - 1, fmt, ap) + p;
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	console_sink(NULL, line, (size_t)n);
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
	va_list ap;

	va_start(ap, fmt);
	fmt_vformat(console_sink, NULL, fmt, ap);
	va_end(ap);
}
