/* SPDX-License-Identifier: MIT */
/*
 * Port I/O for both loaders (the COM1 log and the BIOS stage 2's VGA cursor).
 * The kernel keeps its own in <arch/pio.h>: the loaders and the kernel are
 * separate programs and neither includes the other's headers. The "memory"
 * clobber keeps device accesses in program order.
 */
#pragma once

#include <stdint.h>

static inline void loader_outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline uint8_t loader_inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}
