// SPDX-License-Identifier: MIT
/*
 * 16550 UART driver: polled transmit, receive by interrupt into a ring
 * once enabled. Register layout and bits from the TI/National PC16550D
 * datasheet ("PC16550D Universal Asynchronous Receiver/Transmitter with
 * FIFOs", sections 8.1-8.6, Table 2 "Register Summary").
 */
#include "dev/uart16550.h"

#include <cairn/errno.h>

#include <arch/pio.h>

#include "core/log.h"
#include "irq/irq.h"

#define UART_THR 0 /* transmit holding (write) */
#define UART_RBR 0 /* receive buffer (read) */
#define UART_DLL 0 /* divisor latch low (DLAB=1) */
#define UART_IER 1 /* interrupt enable */
#define UART_DLM 1 /* divisor latch high (DLAB=1) */
#define UART_IIR 2 /* interrupt identification (read) */
#define UART_FCR 2 /* FIFO control (write) */
#define UART_LCR 3 /* line control */
#define UART_MCR 4 /* modem control */
#define UART_LSR 5 /* line status */
#define UART_SCR 7 /* scratch */

#define UART_LCR_8N1             0x03
#define UART_LCR_DLAB            0x80
#define UART_FCR_ENABLE_CLEAR_14 0xc7 /* enable, clear RX/TX, 14-byte trigger */
#define UART_MCR_DTR_RTS_OUT2    0x0b
#define UART_MCR_LOOP            0x10
#define UART_LSR_DR              0x01 /* data ready */
#define UART_LSR_THRE            0x20 /* transmit holding register empty */
#define UART_IER_ERBFI           0x01 /* enable received data available interrupt */
#define UART_IER_ELSI            0x04 /* enable receiver line status interrupt */
#define UART_RX_BURST            64   /* bytes taken per interrupt at most (FIFO is 16) */
#define UART_IIR_FIFOS           0xc0 /* both set: the FIFOs are on (a 16550A's IIR bits 7:6) */
#define UART_TX_FIFO             16   /* transmit FIFO bytes, all free when THRE is set */
#define ECHO_LINE_MAX            128

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
	/* A 16450 or 16550 without working FIFOs takes one byte per THRE. */
	u->tx_burst = (reg_read(u, UART_IIR) & UART_IIR_FIFOS) == UART_IIR_FIFOS ? UART_TX_FIFO : 1;
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
	unsigned long flags;
	uint8_t ier;
	int err = 0;
	unsigned i, spin;

	if (!u->present)
		return -ENODEV;
	/* The receive interrupt would take the looped-back bytes: hold it off. */
	flags = irq_save();
	ier = reg_read(u, UART_IER);
	reg_write(u, UART_IER, 0);
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
	reg_write(u, UART_IER, ier);
	irq_restore(flags);
	return err;
}

/* Bounded wait: a wedged UART must not hang the kernel log. */
static void wait_thre(struct uart *u)
{
	unsigned spin;

	for (spin = 0; spin < 1000000 && !(reg_read(u, UART_LSR) & UART_LSR_THRE); spin++)
		;
}

void uart_putc(struct uart *u, char c)
{
	if (!u->present)
		return;
	wait_thre(u);
	reg_write(u, UART_THR, (uint8_t)c);
}

/*
 * With the FIFOs on, THRE means the whole transmit FIFO is empty
 * (PC16550D, 8.4 "Line Status Register", bit 5), so one status read
 * covers a burst of up to 16 bytes; each status read is a slow port
 * access, and a trip to the device model under emulation.
 */
void uart_write_raw(struct uart *u, const char *s, size_t len)
{
	size_t i = 0, end;

	if (!u->present)
		return;
	while (i < len) {
		wait_thre(u);
		end = len - i < u->tx_burst ? len : i + u->tx_burst;
		for (; i < end; i++)
			reg_write(u, UART_THR, (uint8_t)s[i]);
	}
}

void uart_write(struct uart *u, const char *s, size_t len)
{
	static const char crlf[] = "\r\n";
	size_t start = 0, i;

	for (i = 0; i < len; i++) {
		if (s[i] != '\n')
			continue;
		uart_write_raw(u, s + start, i - start);
		uart_write_raw(u, crlf, 2);
		start = i + 1;
	}
	uart_write_raw(u, s + start, len - start);
}

int uart_getc(struct uart *u)
{
	uint32_t tail;
	int c;

	if (!u->present)
		return -1;
	if (!u->rx_irq)
		return (reg_read(u, UART_LSR) & UART_LSR_DR) ? reg_read(u, UART_RBR) : -1;
	/* Single consumer: the acquire pairs with the interrupt's release of rx_head. */
	tail = u->rx_tail;
	if (tail == __atomic_load_n(&u->rx_head, __ATOMIC_ACQUIRE))
		return -1;
	c = u->rx[tail % UART_RX_RING];
	__atomic_store_n(&u->rx_tail, tail + 1, __ATOMIC_RELEASE);
	return c;
}

/*
 * Receive interrupt: drain the FIFO into the ring while the line status
 * says data is ready (reading RBR clears the "received data available"
 * condition; reading LSR clears a line-status one). Full ring: drop.
 */
static void uart_rx_interrupt(void *ctx)
{
	struct uart *u = ctx;
	uint32_t head = u->rx_head;
	void (*notify)(struct uart *);
	unsigned n;
	uint8_t c;

	u->rx_interrupts++;
	for (n = 0; n < UART_RX_BURST && (reg_read(u, UART_LSR) & UART_LSR_DR); n++) {
		c = reg_read(u, UART_RBR);
		if (head - __atomic_load_n(&u->rx_tail, __ATOMIC_ACQUIRE) >= UART_RX_RING) {
			u->rx_dropped++;
			continue;
		}
		u->rx[head % UART_RX_RING] = c;
		head++;
		__atomic_store_n(&u->rx_head, head, __ATOMIC_RELEASE);
	}
	notify = __atomic_load_n(&u->rx_notify, __ATOMIC_ACQUIRE);
	if (n && notify)
		notify(u);
}

void uart_set_rx_notify(struct uart *u, void (*fn)(struct uart *u))
{
	__atomic_store_n(&u->rx_notify, fn, __ATOMIC_RELEASE);
}

int uart_enable_rx_irq(struct uart *u, unsigned isa_irq)
{
	uint32_t gsi = irq_isa_to_gsi(isa_irq);
	int err;

	if (!u->present)
		return -ENODEV;
	if (u->rx_irq)
		return 0;
	u->rx_head = u->rx_tail = 0;
	u->rx_gsi = gsi;
	u->rx_irq = true;
	err = irq_register(gsi, uart_rx_interrupt, u);
	if (err) {
		u->rx_irq = false;
		pr_warn("serial: receive interrupt on GSI %u unavailable (%d); receive stays polled",
		        gsi, err);
		return err;
	}
	/* OUT2 (set by uart_init) gates the IRQ line to the interrupt controller on the PC. */
	reg_write(u, UART_IER, UART_IER_ERBFI | UART_IER_ELSI);
	pr_info("serial: receive by interrupt, ISA IRQ %u -> GSI %u", isa_irq, gsi);
	return 0;
}

/* Wait with interrupts on until a byte arrives; the check and the halt are atomic. */
static int getc_wait(struct uart *u)
{
	unsigned long flags = irq_save();
	int c;

	while ((c = uart_getc(u)) < 0) {
		irq_enable_and_wait();
		irq_disable();
	}
	irq_restore(flags);
	return c;
}

void uart_echo_test(struct uart *u)
{
	char line[ECHO_LINE_MAX];
	size_t n = 0;
	int c;

	if (!u->rx_irq) {
		kprintf("echo: receive is not interrupt driven\n");
		return;
	}
	kprintf("echo: ready\n");
	while ((c = getc_wait(u)) != '\n' && c != '\r') {
		uart_putc(u, (char)c);
		if (n + 1 < sizeof(line))
			line[n++] = (char)c;
	}
	line[n] = 0;
	kprintf("\necho: got \"%s\" (%llu receive interrupts, %llu bytes dropped)\n", line,
	        (unsigned long long)u->rx_interrupts, (unsigned long long)u->rx_dropped);
}
