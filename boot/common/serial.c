/* SPDX-License-Identifier: MIT */
/*
 * The loaders' serial log: a polled 16550 at COM1, 115200 8N1, shared by
 * the UEFI loader and BIOS stage 2. Register layout and bits from the TI
 * PC16550D datasheet, Table 2. (The kernel has its own full driver in
 * kernel/dev/uart16550.c.)
 */
#include "boot/common/loader.h"
#include "boot/common/pio.h"

#define COM1                  0x3f8
#define UART_THR              0 /* transmit holding (DLAB 0) */
#define UART_DLL              0 /* divisor low (DLAB 1) */
#define UART_IER              1 /* interrupt enable (DLAB 0) */
#define UART_DLM              1 /* divisor high (DLAB 1) */
#define UART_FCR              2
#define UART_LCR              3
#define UART_MCR              4
#define UART_LSR              5
#define UART_LCR_8N1          0x03
#define UART_LCR_DLAB         0x80
#define UART_LSR_THRE         0x20
#define UART_FCR_ENABLE_CLEAR 0x07
#define UART_MCR_DTR_RTS      0x03
#define UART_DIVISOR_115200   1 /* 1.8432 MHz / 16 / 115200 */

void loader_serial_init(void)
{
	loader_outb(COM1 + UART_IER, 0);
	loader_outb(COM1 + UART_LCR, UART_LCR_DLAB);
	loader_outb(COM1 + UART_DLL, UART_DIVISOR_115200);
	loader_outb(COM1 + UART_DLM, 0);
	loader_outb(COM1 + UART_LCR, UART_LCR_8N1);
	loader_outb(COM1 + UART_FCR, UART_FCR_ENABLE_CLEAR);
	loader_outb(COM1 + UART_MCR, UART_MCR_DTR_RTS);
}

/* Bounded wait, so a missing UART (LSR reads 0xff anyway) never hangs us. */
void loader_serial_putc(char c)
{
	for (unsigned i = 0; i < 100000; i++)
		if (loader_inb(COM1 + UART_LSR) & UART_LSR_THRE)
			break;
	if (c == '\n')
		loader_serial_putc('\r');
	loader_outb(COM1 + UART_THR, (uint8_t)c);
}
