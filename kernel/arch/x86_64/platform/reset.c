// SPDX-License-Identifier: MIT
/*
 * The PC's reset paths that the ACPI reset register does not cover, for
 * power_reboot() (kernel/acpi/power.c): the 8042 keyboard controller's
 * reset pulse and, when nothing else worked, a triple fault.
 */
#include <arch/cpu.h>
#include <arch/pio.h>

#include "arch/arch.h"
#include "dev/i8042.h"
#include "time/time.h"

#define I8042_TRIES         10
#define I8042_WAIT_MS       10 /* for the controller to take the previous byte */
#define I8042_PULSE_WAIT_MS 50 /* for the reset to happen before the next try */

void arch_reset_legacy(void)
{
	unsigned int i;

	x86_cli();
	for (i = 0; i < I8042_TRIES; i++) {
		/* A controller that stays busy (or is absent) gets the command anyway. */
		if (i8042_write(I8042_COMMAND, I8042_CMD_PULSE_RESET, I8042_WAIT_MS) != 0)
			outb(I8042_COMMAND, I8042_CMD_PULSE_RESET);
		delay_ns(I8042_PULSE_WAIT_MS * 1000000ull);
	}
}

/*
 * With an IDT limit of 0 every vector is out of bounds: int3 raises #GP,
 * which raises #DF, which shuts the CPU down, and the chipset resets on
 * shutdown (Intel SDM Vol. 3A, 7.15, "Interrupt 8").
 */
void arch_reset_cpu(void)
{
	static const struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) empty_idt = { 0, 0 };

	x86_cli();
	__asm__ volatile("lidt %0\n\tint3" : : "m"(empty_idt) : "memory");
	arch_halt();
}
