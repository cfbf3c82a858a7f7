// SPDX-License-Identifier: MIT
/*
 * The two cascaded 8259A PICs of the PC. Cairn routes device interrupts
 * through the IO APIC, so the PICs are remapped away from the exception
 * vectors (32-47) and every line masked; they carry ISA interrupts only in
 * the fallback for firmware that describes no IO APIC. Programming follows
 * the Intel 8259A datasheet (order 231468): "Initialization Command Words"
 * ICW1-ICW4 and "Operation Command Words" OCW1-OCW3.
 */
#include <arch/pio.h>

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/x86.h"

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xa0
#define PIC2_DATA 0xa1

#define ICW1_INIT_ICW4        0x11 /* ICW1: D4 = 1 (ICW1), IC4 = 1 (ICW4 follows); edge, cascade */
#define ICW3_MASTER_SLAVE_IR2 0x04 /* ICW3 (master): a slave hangs on IR2 */
#define ICW3_SLAVE_ID         0x02 /* ICW3 (slave): its cascade identity is 2 */
#define ICW4_8086             0x01 /* ICW4: uPM = 1, 8086/8088 mode */
#define OCW2_EOI              0x20 /* OCW2: non-specific end of interrupt */
#define OCW3_READ_ISR         0x0b /* OCW3: RR = 1, RIS = 1: next command-port read is the ISR */
#define CASCADE_IRQ           2

/* Port 0x80 (the POST code port) as a short delay between ICWs on old hardware. */
static void io_wait(void)
{
	outb(0x80, 0);
}

void x86_pic_init(void)
{
	outb(PIC1_CMD, ICW1_INIT_ICW4);
	io_wait();
	outb(PIC2_CMD, ICW1_INIT_ICW4);
	io_wait();
	outb(PIC1_DATA, X86_VEC_PIC_BASE); /* ICW2: vector base, bits 7:3 */
	io_wait();
	outb(PIC2_DATA, X86_VEC_PIC_BASE + 8);
	io_wait();
	outb(PIC1_DATA, ICW3_MASTER_SLAVE_IR2);
	io_wait();
	outb(PIC2_DATA, ICW3_SLAVE_ID);
	io_wait();
	outb(PIC1_DATA, ICW4_8086);
	io_wait();
	outb(PIC2_DATA, ICW4_8086);
	io_wait();
	/* OCW1: every line masked; the cascade line too until a slave line is used. */
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
}

void x86_pic_mask(unsigned irq)
{
	uint16_t port = irq < 8 ? PIC1_DATA : PIC2_DATA;

	if (irq < 16)
		outb(port, inb(port) | (uint8_t)(1u << (irq & 7)));
}

void x86_pic_unmask(unsigned irq)
{
	uint16_t port = irq < 8 ? PIC1_DATA : PIC2_DATA;

	if (irq >= 16)
		return;
	outb(port, inb(port) & (uint8_t) ~(1u << (irq & 7)));
	if (irq >= 8)
		x86_pic_unmask(CASCADE_IRQ);
}

static uint8_t read_isr(uint16_t cmd)
{
	outb(cmd, OCW3_READ_ISR);
	return inb(cmd);
}

/*
 * A line that drops before the CPU acknowledges it makes the 8259A deliver
 * its lowest-priority vector (IR7) with the In-Service bit clear
 * (datasheet, "Interrupt Sequence"). Such an interrupt gets no EOI, except
 * that a spurious one from the slave still raised the master's IR2.
 */
bool x86_pic_spurious(unsigned irq)
{
	if (irq == 7)
		return !(read_isr(PIC1_CMD) & 0x80);
	if (irq == 15 && !(read_isr(PIC2_CMD) & 0x80)) {
		outb(PIC1_CMD, OCW2_EOI);
		return true;
	}
	return false;
}

void x86_pic_eoi(unsigned irq)
{
	if (irq >= 8)
		outb(PIC2_CMD, OCW2_EOI);
	outb(PIC1_CMD, OCW2_EOI);
}
