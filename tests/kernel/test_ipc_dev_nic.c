// SPDX-License-Identifier: MIT
/*
 * Device objects over a real PCI device (suite ipc_dev): QEMU's e1000e
 * (82574L), driverless in the test boots, driven the way a user-space
 * driver would: its register BAR through an MMIO object mapped into a user
 * space, its INTx line through an interrupt object. INTx is
 * level-triggered, so this is the masking path for real: the NIC holds
 * its line asserted until its cause register is read, the object masks
 * the line at the first interrupt (no storm while the driver has not
 * served it), an ack before the service is answered by one more
 * interrupt at once, and an ack after it leaves the line quiet.
 * Registers: Intel 82574 GbE Controller Family Datasheet, 10.2 (ICR
 * 0x00c0 read-to-clear, ICS 0x00c8 sets causes, IMS 0x00d0 / IMC 0x00d8
 * enable / disable them, ITR 0x00c4 throttling); PCI 3.0, 6.2.2 (the
 * Command register's Interrupt Disable, bit 10).
 */
#include <cairn/errno.h>
#include <cairn/ipc.h>
#include <cairn/linux/mman.h>
#include <cairn/linux/syscall_nr.h>

#include <arch/mmio.h>

#include "arch/arch.h"
#include "bus/pci/pci.h"
#include "core/ktest.h"
#include "fs/file.h"
#include "ipc/devobj.h"
#include "ipc/object.h"
#include "irq/irq.h"
#include "syscall/syscall.h"
#include "tests/kernel/sys_user.h"
#include "time/time.h"

#define NIC_ICR          0x00c0
#define NIC_ITR          0x00c4
#define NIC_ICS          0x00c8
#define NIC_IMS          0x00d0
#define NIC_IMC          0x00d8
#define NIC_ICR_RXQ0     (1u << 20)
#define PCI_COMMAND      0x04
#define PCI_CMD_MEM      (1u << 1)
#define PCI_CMD_INTX_OFF (1u << 10)

static struct pci_dev *nic_dev;

static void find_nic(struct pci_dev *d, void *ctx)
{
	if (!nic_dev && d->vendor == 0x8086 && d->device == 0x10d3 && !d->driver && d->irq_pin)
		nic_dev = d;
}

/* One register access through the user mapping at @va, as a driver makes it. */
static uint32_t reg_read(uint64_t va)
{
	uint32_t v;

	arch_user_access_begin();
	v = mmio_read32((const volatile void *)va);
	arch_user_access_end();
	return v;
}

static void reg_write(uint64_t va, uint32_t v)
{
	arch_user_access_begin();
	mmio_write32((volatile void *)va, v);
	arch_user_access_end();
}

static uint64_t fired(struct kobject *o)
{
	struct irq_object_info i;

	irq_object_info(o, &i);
	return i.fired;
}

static bool signalled(struct kobject *o)
{
	return kobject_signals(o) & CAIRN_SIG_SIGNALED;
}

static bool wait_signal(struct kobject *o, unsigned ms)
{
	uint64_t end = clock_monotonic_ns() + ms * NSEC_PER_MSEC;

	while (!signalled(o) && clock_monotonic_ns() < end)
		sleep_ms(1);
	return signalled(o);
}

/* The NIC's BAR 0 mapped read-write into @s through an MMIO handle: its address. */
static uint64_t map_bar(struct uspace *s, struct kobject *mo, uint64_t size)
{
	const uint32_t rights = CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE | CAIRN_RIGHT_MAP;
	int fd = handle_install(mo, rights, 0);
	uint64_t args[6] = { 0, size, PROT_READ | PROT_WRITE, MAP_SHARED, (uint64_t)fd, 0 };
	long va;

	EXPECT_TRUE(fd >= 0);
	va = syscall_dispatch(__NR_mmap, args);
	EXPECT_TRUE(va > 0);
	EXPECT_EQ(fd_close(fdtable_current(), fd), 0); /* the mapping keeps what it needs */
	/* The registers used are in its first page: fault it in, so no access below faults. */
	EXPECT_EQ(uspace_fault(s, (uintptr_t)va, UFAULT_USER | UFAULT_WRITE), 0);
	return (uint64_t)va;
}

/* Raise one cause and see the line masked while it stays asserted; the acks. */
static void level_rounds(uint64_t regs, struct kobject *io)
{
	uint64_t n;

	reg_write(regs + NIC_IMS, NIC_ICR_RXQ0);
	reg_write(regs + NIC_ICS, NIC_ICR_RXQ0);
	EXPECT_TRUE(wait_signal(io, 500));
	n = fired(io);
	sleep_ms(10); /* the NIC keeps INTx asserted: masked, nothing more comes */
	EXPECT_EQ(fired(io), n);
	EXPECT_EQ(irq_object_ack(io), 0); /* acked unserved: taken again at once */
	EXPECT_TRUE(wait_signal(io, 500));
	EXPECT_EQ(fired(io), n + 1);
	EXPECT_TRUE((reg_read(regs + NIC_ICR) & NIC_ICR_RXQ0) != 0); /* served: INTx drops */
	EXPECT_EQ(irq_object_ack(io), 0);
	sleep_ms(10);
	EXPECT_EQ(fired(io), n + 1);
	EXPECT_TRUE(!signalled(io));
}

TEST(ipc_dev, nic_level_line_masked_until_served_through_mapped_registers)
{
	struct kobject *mo = NULL, *io = NULL;
	struct irq_object_info ii;
	struct uspace *s;
	uint32_t cmd = 0;
	uint64_t regs;

	nic_dev = NULL;
	pci_for_each_dev(find_nic, NULL);
	if (!nic_dev || nic_dev->bar[0].size == 0 || (nic_dev->bar[0].flags & PCI_BAR_IO))
		ktest_skip("no driverless e1000e (8086:10d3) with INTx, QEMU's default q35 NIC");
	EXPECT_EQ(irq_object_create(nic_dev->irq_gsi, &io), 0);
	irq_object_info(io, &ii);
	if (!ii.masks) {
		kobject_put(io);
		ktest_skip("the NIC's line is not level-triggered here");
	}
	EXPECT_EQ(mmio_object_create(nic_dev->bar[0].base, nic_dev->bar[0].size, &mo), 0);
	EXPECT_EQ(pci_read(nic_dev, PCI_COMMAND, 16, &cmd), 0);
	EXPECT_EQ(pci_write(nic_dev, PCI_COMMAND, 16, (cmd | PCI_CMD_MEM) & ~PCI_CMD_INTX_OFF), 0);
	s = sys_user_begin();
	regs = map_bar(s, mo, nic_dev->bar[0].size);
	irq_enable();
	reg_write(regs + NIC_ITR, 0);
	reg_write(regs + NIC_IMC, 0xffffffffu);
	(void)reg_read(regs + NIC_ICR);
	level_rounds(regs, io);
	reg_write(regs + NIC_IMC, 0xffffffffu);
	(void)reg_read(regs + NIC_ICR);
	EXPECT_EQ(pci_write(nic_dev, PCI_COMMAND, 16, cmd), 0);
	sys_user_end(s);
	kobject_put(mo);
	kobject_put(io);
}
