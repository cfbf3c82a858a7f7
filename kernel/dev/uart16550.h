/* SPDX-License-Identifier: MIT */
/*
 * 16550 UART: the serial console that carries the kernel log. Polled for
 * now; interrupt-driven receive arrives with the APIC work.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UART_COM1 0x3f8

struct uart {
	uint16_t base; /* [I] I/O port base */
	bool present;  /* [I] passed the scratch-register probe */
};

/* Program 115200 8N1 with FIFOs. Returns 0, or -ENODEV when no UART answers. */
int uart_init(struct uart *u, uint16_t base);
/* Loopback self-test: returns 0 when bytes sent come back, -EIO otherwise. */
int uart_selftest(struct uart *u);
void uart_putc(struct uart *u, char c);
void uart_write(struct uart *u, const char *s, size_t len);
/* Returns the next received byte, or -1 when none is waiting. */
int uart_getc(struct uart *u);

extern struct uart uart_console;
