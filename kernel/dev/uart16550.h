/* SPDX-License-Identifier: MIT */
/*
 * 16550 UART: the serial console that carries the kernel log. Transmit is
 * polled; receive is polled until uart_enable_rx_irq(), then interrupt
 * driven into a small ring buffer that uart_getc() reads.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UART_COM1     0x3f8
#define UART_COM1_IRQ 4   /* ISA IRQ of COM1 on the PC */
#define UART_RX_RING  256 /* bytes; a power of two */

/*
 * Locks: [I] set by uart_init(); [P] written only by the receive interrupt
 * (the producer); [R] written only by the one reader (the consumer);
 * [a] atomic.
 */
struct uart {
	uint16_t base;                     /* [I] I/O port base */
	bool present;                      /* [I] passed the scratch-register probe */
	bool rx_irq;                       /* [I] receive is interrupt driven (set once) */
	unsigned tx_burst;                 /* [I] bytes written per THRE: 16 with FIFOs, else 1 */
	uint32_t rx_gsi;                   /* [I] the GSI the receive interrupt arrives on */
	uint32_t rx_head;                  /* [P] bytes ever put in rx[] (free-running) */
	uint32_t rx_tail;                  /* [R] bytes ever taken out */
	uint64_t rx_dropped;               /* [P] bytes lost to a full ring */
	uint64_t rx_interrupts;            /* [P] receive interrupts taken */
	void (*rx_notify)(struct uart *u); /* [a] called after each burst (uart_set_rx_notify) */
	uint8_t rx[UART_RX_RING];          /* [P]/[R] the ring */
};

/* Program 115200 8N1 with FIFOs. Returns 0, or -ENODEV when no UART answers. */
int uart_init(struct uart *u, uint16_t base);
/* Loopback self-test: returns 0 when bytes sent come back, -EIO otherwise. */
int uart_selftest(struct uart *u);
void uart_putc(struct uart *u, char c);
/* Send @len bytes as they are, a FIFO's worth per wait for the transmitter. */
void uart_write_raw(struct uart *u, const char *s, size_t len);
/* The same with each '\n' sent as "\r\n" (the log before the TTY layer). */
void uart_write(struct uart *u, const char *s, size_t len);
/* Returns the next received byte, or -1 when none is waiting. One reader at a time. */
int uart_getc(struct uart *u);
/*
 * Take received bytes by interrupt from now on: register a handler for
 * ISA IRQ @isa_irq (through the firmware's overrides) and enable the
 * "received data available" interrupt. Returns 0, -ENODEV or an error
 * from irq_register(). Boot CPU, not IRQ context.
 */
int uart_enable_rx_irq(struct uart *u, unsigned isa_irq);
/*
 * Call @fn(@u) from the receive interrupt after each burst of bytes it took
 * from the FIFO into the ring (NULL: stop). @fn runs in IRQ context with
 * interrupts off and must be short; it usually drains the ring with
 * uart_getc() and so becomes the ring's one reader (the TTY layer does this
 * while it takes serial input: kernel/tty/tty_console.c). Any context; a
 * call already under way on another CPU may finish with the old @fn.
 */
void uart_set_rx_notify(struct uart *u, void (*fn)(struct uart *u));
/*
 * The "echo-test" boot mode: echo received bytes until a newline, then
 * print the line and how many receive interrupts brought it.
 */
void uart_echo_test(struct uart *u);

extern struct uart uart_console;
