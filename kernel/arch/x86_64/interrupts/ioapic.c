// SPDX-License-Identifier: MIT
/*
 * IO APICs: the chips that turn device interrupt lines (GSIs) into
 * messages to local APICs. Each is registered from its MADT entry after a
 * sanity check (a base in RAM, overlapping GSIs or a chip that does not
 * answer is refused, not trusted), every input masked until a handler
 * asks for it. Registers: Intel 82093AA I/O APIC datasheet (order 290566),
 * 3.0 "Register Description": IOREGSEL/IOWIN (3.1), IOAPICVER (3.2.2),
 * IOREDTBL (3.2.4).
 * Locks: [B] boot CPU before other CPUs start; [L] ioapic_lock (the
 * IOREGSEL/IOWIN pair is a two-step access that must not interleave).
 */
#include <cairn/errno.h>

#include <arch/mmio.h>

#include "acpi/acpi.h"
#include "arch/x86_64/x86.h"
#include "core/log.h"
#include "mm/vm.h"
#include "sched/spinlock.h"

#define IOREGSEL        0x00
#define IOWIN           0x10
#define REG_ID          0x00
#define REG_VER         0x01
#define REG_REDTBL(pin) (0x10 + 2 * (pin))
#define VERSION_MIN     0x10
#define VERSION_MAX     0x2f

/* IOREDTBL bits (3.2.4). */
#define RTE_ACTIVE_LOW (1u << 13)
#define RTE_LEVEL      (1u << 15)
#define RTE_MASKED     (1u << 16)

struct ioapic {
	volatile uint8_t *mmio; /* [B] register window (UC) */
	uint64_t phys;          /* [B] physical base */
	uint32_t gsi_base;      /* [B] GSI of input 0 */
	uint32_t pins;          /* [B] redirection entries */
	uint8_t id;             /* [B] ID from the MADT */
	uint8_t version;        /* [B] IOAPICVER bits 7:0 */
};

static struct ioapic ioapics[X86_MAX_IOAPICS];                /* [B] */
static unsigned nioapics;                                     /* [B] */
static struct spinlock ioapic_lock = SPINLOCK_INIT("ioapic"); /* guards [L] */

/* The select-then-access window pair (IOREGSEL, IOWIN) must not interleave. */
static uint32_t read_reg_locked(const struct ioapic *io, uint8_t reg) __must_hold(&ioapic_lock)
{
	mmio_write32(io->mmio + IOREGSEL, reg);
	return mmio_read32(io->mmio + IOWIN);
}

static void write_reg_locked(const struct ioapic *io, uint8_t reg, uint32_t v)
	__must_hold(&ioapic_lock)
{
	mmio_write32(io->mmio + IOREGSEL, reg);
	mmio_write32(io->mmio + IOWIN, v);
}

static struct ioapic *find(uint32_t gsi)
{
	unsigned i;

	for (i = 0; i < nioapics; i++)
		if (gsi >= ioapics[i].gsi_base && gsi - ioapics[i].gsi_base < ioapics[i].pins)
			return &ioapics[i];
	return NULL;
}

static bool overlaps(uint32_t base, uint32_t pins)
{
	unsigned i;

	for (i = 0; i < nioapics; i++)
		if (base < ioapics[i].gsi_base + ioapics[i].pins &&
		    ioapics[i].gsi_base < base + pins)
			return true;
	return false;
}

/* Checks that need no access to the chip. */
static int check_address(uint64_t phys, uint32_t gsi_base)
{
	if (phys == 0 || (phys & 0xf) || phys >= (1ull << 52) || acpi_phys_is_ram(phys, IOWIN + 4))
		return -EINVAL;
	if (gsi_base >= X86_MAX_GSI)
		return -EINVAL;
	return nioapics < X86_MAX_IOAPICS ? 0 : -ENOSPC;
}

int x86_ioapic_add(uint8_t id, uint64_t phys, uint32_t gsi_base)
{
	struct ioapic io = { .phys = phys, .gsi_base = gsi_base, .id = id };
	uint32_t ver, pin;
	uint64_t flags;
	int err = check_address(phys, gsi_base);

	if (err)
		return err;
	io.mmio = vm_map_mmio(phys, IOWIN + 4, VM_CACHE_UC);
	if (!io.mmio)
		return -ENOMEM;
	/*
	 * Nothing there reads as all zeros or all ones. The 82093AA reports
	 * version 0x11 (3.2.2); the IO APICs of later chipsets 0x2x.
	 */
	flags = spin_lock_irqsave(&ioapic_lock); /* boot CPU only, but one rule is simpler */
	ver = read_reg_locked(&io, REG_VER);
	spin_unlock_irqrestore(&ioapic_lock, flags);
	io.version = ver & 0xff;
	if (ver == 0xffffffffu || io.version < VERSION_MIN || io.version > VERSION_MAX)
		return -ENODEV;
	io.pins = ((ver >> 16) & 0xff) + 1;
	if (overlaps(gsi_base, io.pins))
		return -EINVAL;
	flags = spin_lock_irqsave(&ioapic_lock);
	for (pin = 0; pin < io.pins; pin++) {
		write_reg_locked(&io, REG_REDTBL(pin), RTE_MASKED);
		write_reg_locked(&io, REG_REDTBL(pin) + 1, 0);
	}
	spin_unlock_irqrestore(&ioapic_lock, flags);
	ioapics[nioapics++] = io;
	pr_info("ioapic: id %u at %#llx, version %#x, GSIs %u-%u", id, (unsigned long long)phys,
	        io.version, gsi_base, gsi_base + io.pins - 1);
	return 0;
}

bool x86_ioapic_has_gsi(uint32_t gsi)
{
	return find(gsi) != NULL;
}

unsigned x86_ioapic_count(void)
{
	return nioapics;
}

/*
 * Physical destination mode: the target's APIC ID in bits 63:56 (3.2.4);
 * the entry is left masked for irq.c to open.
 */
int x86_ioapic_route(uint32_t gsi, uint8_t vector, uint32_t dest, bool level, bool active_low)
{
	struct ioapic *io = find(gsi);
	uint32_t pin, low;
	uint64_t flags;

	if (!io || dest > 0xff)
		return -EINVAL;
	pin = gsi - io->gsi_base;
	low = vector | RTE_MASKED | (level ? RTE_LEVEL : 0) | (active_low ? RTE_ACTIVE_LOW : 0);
	flags = spin_lock_irqsave(&ioapic_lock);
	write_reg_locked(io, REG_REDTBL(pin), RTE_MASKED);
	write_reg_locked(io, REG_REDTBL(pin) + 1, dest << 24);
	write_reg_locked(io, REG_REDTBL(pin), low);
	spin_unlock_irqrestore(&ioapic_lock, flags);
	return 0;
}

/* Any context. */
void x86_ioapic_mask(uint32_t gsi, bool masked)
{
	struct ioapic *io = find(gsi);
	uint32_t reg, low;
	uint64_t flags;

	if (!io)
		return;
	reg = REG_REDTBL(gsi - io->gsi_base);
	flags = spin_lock_irqsave(&ioapic_lock);
	low = read_reg_locked(io, reg);
	write_reg_locked(io, reg, masked ? low | RTE_MASKED : low & ~RTE_MASKED);
	spin_unlock_irqrestore(&ioapic_lock, flags);
}
