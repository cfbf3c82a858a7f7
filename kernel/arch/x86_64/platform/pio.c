// SPDX-License-Identifier: MIT
/*
 * x86's port space for the I/O port objects of user-space drivers
 * (kernel/ipc/ioport_obj.c): 65536 byte-addressed ports reached with
 * IN and OUT of 8, 16 or 32 bits (Intel SDM Vol. 1, 19.2 and 19.3). The
 * object has checked that the access lies inside its range; this only
 * refuses what the CPU itself cannot do.
 */
#include <cairn/errno.h>

#include <arch/pio.h>

#include <stdbool.h>

#include "arch/arch.h"

/* The last port of the space: an access must end at or below it (SDM Vol. 1, 19.2). */
#define PIO_LAST_PORT 0xffffu

static bool pio_ok(uint32_t port, unsigned width)
{
	return (width == 1 || width == 2 || width == 4) && port <= PIO_LAST_PORT &&
	       port + width - 1 <= PIO_LAST_PORT;
}

int arch_pio_read(uint32_t port, unsigned width, uint32_t *out)
{
	if (!pio_ok(port, width))
		return -EINVAL;
	if (width == 1)
		*out = inb((uint16_t)port);
	else if (width == 2)
		*out = inw((uint16_t)port);
	else
		*out = inl((uint16_t)port);
	return 0;
}

int arch_pio_write(uint32_t port, unsigned width, uint32_t value)
{
	if (!pio_ok(port, width))
		return -EINVAL;
	if (width == 1)
		outb((uint16_t)port, (uint8_t)value);
	else if (width == 2)
		outw((uint16_t)port, (uint16_t)value);
	else
		outl((uint16_t)port, value);
	return 0;
}
