// SPDX-License-Identifier: MIT
/*
 * 16550 UART driver, polled. Register layout and bits from the TI/National
 * PC16550D datasheet ("PC16550D Universal Asynchronous Receiver/Transmitter
 * with FIFOs", sections 8.1-8.6).
 */
#include "dev/uart16550.h"

#include <cairn/errno.h>

#include <arch/pio.h>

#define UART_THR 0 /* transmit holding (write) */
#define UART_RBR 0 /* receive buffer (read) */
#define UART_DLL 0 /* divisor latch low (DLAB=1) */
#define UART_IER 1 /* interrupt enable */
#define UART_DLM 1 /* divisor latch high (DLAB=1) */
#define UART_FCR 2 /* FIFO control (write) */
#define UART_LCR 3 /* line control */
#define UART_MCR 4 /* modem control */
#define UART_LSR 5 /* line status */
#define UART_SCR 7 /* scratch */

#define UART_LCR_8N1  0x03
#define UART_LCR_DLAB 0x80
#define UART_FCR_ENABLE_CLEAR_14 0xc7 /* enable, clear RX/TX, 14-byte trigger */
#define UART_MCR_DTR_RTS_OUT2 0x0b
#define UART_MCR_LOOP 0x10
#define UART_LSR_DR   0x01 /* data ready */
#define UART_LSR_THRE 0x20 /* transmit holding register empty */

/* 1.8432 MHz / 16 / divisor: divisor 1 gives 115200 baud. */
#define UART_DIVISOR_115200 1

struct uart uart_console;

static void reg_write(struct uart *u, unsigned reg, uint8_t v)
{
	outb(u->base + reg, v);
}

static uint8_t reg_read(struct uart *u, unsigned reg)
{
	return inb(u->base + reg);
}

/*
 * Probe and program the UART at @base. The scratch register must hold
 * what we write, or there is no UART there.
 */
int uart_init(struct uart *u, uint16_t base)
{
	u->base = base;
	u->present = false;
	reg_write(u, UART_SCR, 0x5a);
	if (reg_read(u, UART_SCR) != 0x5a)
		return -ENODEV;
	reg_write(u, UART_IER, 0);
	reg_write(u, UART_LCR, UART_LCR_DLAB);
	reg_write(u, UART_DLL, UART_DIVISOR_115200 & 0xff);
	reg_write(u, UART_DLM, UART_DIVISOR_115200 >> 8);
	reg_write(u, UART_LCR, UART_LCR_8N1);
	reg_write(u, UART_FCR, UART_FCR_ENABLE_CLEAR_14);
	reg_write(u, UART_MCR, UART_MCR_DTR_RTS_OUT2);
	u->present = true;
	return 0;
}

/*
 * Put the UART in loopback mode, where the transmitter feeds the receiver
 * inside the chip, and check that a few patterns come back unchanged.
 */
int uart_selftest(struct uart *u)
{
	static const uint8_t pattern[] = { 0xae, 0x55, 0x00, 0xff };
	int err = 0;
	unsigned i, spin;

	if (!u->present)
		return -ENODEV;
	while (reg_read(u, UART_LSR) & UART_LSR_DR)
		(void)reg_read(u, UART_RBR);
	reg_write(u, UART_MCR, UART_MCR_LOOP | UART_MCR_DTR_RTS_OUT2);
	for (i = 0; i < sizeof(pattern) && !err; i++) {
		reg_write(u, UART_THR, pattern[i]);
		for (spin = 0; spin < 100000 && !(reg_read(u, UART_LSR) & UART_LSR_DR); spin++)
			;
		if (!(reg_read(u, UART_LSR) & UART_LSR_DR) || reg_read(u, UART_RBR) != pattern[i])
			err = -EIO;
	}
	reg_write(u, UART_MCR, UART_MCR_DTR_RTS_OUT2);
	return err;
}

void uart_putc(struct uart *u, char c)
{
	unsigned spin;

	if (!u->present)
		return;
	/* Bounded wait: a wedged UART must not hang the kernel log. */
	for (spin = 0; spin < 1000000 && !(reg_read(u, UART_LSR) & UART_LSR_THRE); spin++)
		;
	reg_write(u, UART_THR, (uint8_t)c);
}

void uart_write(struct uart *u, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '\n')
			uart_putc(u, '\r');
		uart_putc(u, s[i]);
	}
}

int uart_getc(struct uart *u)
{
	if (!u->present || !(reg_read(u, UART_LSR) & UART_LSR_DR))
		return -1;
	return reg_read(u, UART_RBR);
}
