/* SPDX-License-Identifier: MIT */
/*
 * Device objects (issue 15): an interrupt line, a range of I/O ports and
 * a range of device memory, each reachable from user space only through a
 * handle the kernel gave out. No call makes one from nothing: the kernel's
 * driver host (kernel/ipc/drvhost.c) makes them for the driver it starts,
 * so a user-space driver holds exactly the lines, ports and memory of its
 * device. docs/drivers-user.md.
 *
 * An interrupt object owns its line while it exists: when it fires, the
 * line is masked and CAIRN_SIG_SIGNALED raised; the driver waits for that
 * signal (cairn_wait_many or poll), serves the device, then
 * cairn_irq_ack() clears the signal and unmasks the line. The object
 * outlives a driver that dies (the host keeps a kernel handle), so an
 * interrupt that fires between two lives of a driver waits, masked, for
 * the next one.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdint.h>

struct kobject;

/*
 * The interrupt object of line @gsi (irq_isa_to_gsi() for ISA lines),
 * one ref: registers its handler and leaves the line unmasked. 0,
 * -EBUSY (another interrupt object has it), -ENOMEM or irq_register()'s
 * error. The last put unregisters the handler and masks the line.
 */
int __must_check irq_object_create(uint32_t gsi, struct kobject **out);

/* Ports @base .. @base + @count - 1, one ref: 0, -EINVAL (empty, past 0xffff), -ENODEV (no port space), -ENOMEM. */
int __must_check ioport_object_create(uint32_t base, uint32_t count, struct kobject **out);

/* Device memory @phys .. @phys + @size - 1 (page-aligned), one ref: 0, -EINVAL, -ENOMEM. */
int __must_check mmio_object_create(uint64_t phys, uint64_t size, struct kobject **out);
