/* SPDX-License-Identifier: MIT */
/*
 * The kernel log: printf-style lines with a level, written whole to every
 * console. Lines start with their subsystem ("serial: loopback ok").
 */
#pragma once

#include <stdarg.h>

enum log_level {
	LOG_ERR = 0,
	LOG_WARN = 1,
	LOG_INFO = 2,
	LOG_DEBUG = 3,
};

/* Messages above this level are dropped; set from the command line (loglevel=N). */
extern enum log_level log_threshold;

void klog(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vklog(enum log_level level, const char *fmt, va_list ap);
/* Raw output with no level and no line assembly: panic and the test runner. */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define pr_err(...)   klog(LOG_ERR, __VA_ARGS__)
#define pr_warn(...)  klog(LOG_WARN, __VA_ARGS__)
#define pr_info(...)  klog(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) klog(LOG_DEBUG, __VA_ARGS__)
