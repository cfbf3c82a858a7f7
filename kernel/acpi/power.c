// SPDX-License-Identifier: MIT
/*
 * Power-off and reset. Power-off is ACPI S5 through the fixed hardware
 * registers the FADT names; reset tries the FADT reset register, the 8042
 * keyboard controller and a triple fault, in that order. Every register
 * is decoded and checked from its Generic Address Structure before
 * anything is written, as the firmware's tables are outside input. The
 * 8042 pulse and the triple fault are the architecture's
 * (arch_reset_legacy(), arch_reset_cpu()); a register in PCI configuration
 * space goes through kernel/bus/pci.
 */
#include "acpi/power.h"

#include <cairn/errno.h>

#include <arch/mmio.h>
#include <arch/pio.h>
#include <arch/spinlock.h>

#include "acpi/acpi.h"
#include "arch/arch.h"
#include "bus/pci/pci.h"
#include "core/log.h"
#include "irq/irq.h"
#include "mm/vm.h"

/* PM1 control register bits (ACPI 6.5, 4.8.3.2.1, Table 4.13). */
#define PM1_SCI_EN        (1u << 0)
#define PM1_GBL_RLS       (1u << 2) /* write-only: a 1 raises an SMI */
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_TYP       (7u << PM1_SLP_TYP_SHIFT)
#define PM1_SLP_EN        (1u << 13)

/* Sleep control register of HW-reduced platforms (4.8.3.7). */
#define SLEEP_CTL_TYP_SHIFT 2
#define SLEEP_CTL_EN        (1u << 5)

/* How long each method gets before the next one is tried. */
#define POWER_OFF_WAIT_MS 1000
#define RESET_WAIT_MS     500
#define ACPI_MODE_WAIT_MS 300

static const char *const space_names[] = {
	[ACPI_GAS_MEMORY] = "memory",
	[ACPI_GAS_IO] = "I/O port",
	[ACPI_GAS_PCI_CONFIG] = "PCI config",
};

/* Busy-wait @ms milliseconds on the cycle counter: works with interrupts off. */
static void wait_ms(unsigned int ms)
{
	uint64_t end = arch_cycles() + (uint64_t)ms * arch_cycles_khz();

	while (arch_cycles() < end)
		arch_cpu_relax();
}

/* The smallest of 8, 16, 32 and 64 that holds @bits (at most 64). */
static unsigned int access_bits_for(unsigned int bits)
{
	unsigned int w = 8;

	while (w < bits)
		w *= 2;
	return w;
}

/*
 * A GAS address in PCI configuration space (5.2.3.2): device in bits
 * 47:32, function in 31:16, offset in 15:0, bus 0, bits 63:48 zero.
 */
static bool pci_gas_split(uint64_t a, struct pci_addr *pa, unsigned int *off)
{
	uint64_t dev = (a >> 32) & 0xffff, fn = (a >> 16) & 0xffff;

	*pa = (struct pci_addr){ .bus = 0, .dev = (uint8_t)dev, .fn = (uint8_t)fn };
	*off = a & 0xffff;
	return !(a >> 48) && dev <= 0xff && fn <= 0xff;
}

/* Bus-0 PCI address checks for a GAS in configuration space: one access in one dword. */
static int pci_address_ok(uint64_t a, unsigned int width)
{
	struct pci_addr pa;
	unsigned int off;

	if (!pci_gas_split(a, &pa, &off))
		return -EINVAL;
	return pci_config_ok(pa, off, width) ? 0 : -EINVAL;
}

int power_reg_decode(const struct acpi_gas *g, unsigned int bits, struct power_reg *out)
{
	unsigned int reg_bits = g->bit_width ? g->bit_width : bits;
	unsigned int total = g->bit_offset + reg_bits, width, bytes;

	if (!g->address)
		return -ENOENT;
	if (g->space_id != ACPI_GAS_IO && g->space_id != ACPI_GAS_MEMORY &&
	    g->space_id != ACPI_GAS_PCI_CONFIG)
		return -ENOTSUP;
	if (g->access_size > 4 || total == 0 || total > 64)
		return -EINVAL;
	width = g->access_size ? 8u << (g->access_size - 1) : access_bits_for(total);
	*out = (struct power_reg){ .address = g->address,
		                   .space = g->space_id,
		                   .width = (uint8_t)width,
		                   .shift = g->bit_offset,
		                   .count = (uint8_t)((total + width - 1) / width) };
	bytes = out->count * width / 8;
	if (g->space_id == ACPI_GAS_IO) {
		if (width == 64)
			return -EINVAL;
		return g->address + bytes - 1 <= 0xffff ? 0 : -ERANGE;
	}
	if (g->space_id == ACPI_GAS_PCI_CONFIG)
		return out->count == 1 ? pci_address_ok(g->address, width) : -EINVAL;
	return g->address + bytes - 1 >= g->address ? 0 : -ERANGE;
}

/* Map a memory register (uncached); I/O and PCI registers need nothing. Returns 0 or -ENOMEM. */
static int power_reg_map(struct power_reg *r)
{
	if (r->space != ACPI_GAS_MEMORY)
		return 0;
	r->mmio = vm_map_mmio(r->address, r->count * r->width / 8u, VM_CACHE_UC);
	return r->mmio ? 0 : -ENOMEM;
}

/* One exact-width access of a memory register (<arch/mmio.h>). */
static uint64_t reg_mmio_read(const volatile void *p, unsigned int width)
{
	switch (width) {
	case 8:
		return mmio_read8(p);
	case 16:
		return mmio_read16(p);
	case 32:
		return mmio_read32(p);
	default:
		return mmio_read64(p);
	}
}

static void reg_mmio_write(volatile void *p, unsigned int width, uint64_t v)
{
	switch (width) {
	case 8:
		mmio_write8(p, (uint8_t)v);
		break;
	case 16:
		mmio_write16(p, (uint16_t)v);
		break;
	case 32:
		mmio_write32(p, (uint32_t)v);
		break;
	default:
		mmio_write64(p, v);
	}
}

static uint64_t port_read(uint16_t port, unsigned int width)
{
	if (width == 8)
		return inb(port);
	return width == 16 ? inw(port) : inl(port);
}

static void port_write(uint16_t port, unsigned int width, uint64_t v)
{
	if (width == 8)
		outb(port, (uint8_t)v);
	else if (width == 16)
		outw(port, (uint16_t)v);
	else
		outl(port, (uint32_t)v);
}

/* Write one access to bus 0 configuration space; decode checked the address. */
static void pci_reg_write(uint64_t a, unsigned int width, uint64_t v)
{
	struct pci_addr pa;
	unsigned int off;

	if (!pci_gas_split(a, &pa, &off) || pci_config_write(pa, off, width, (uint32_t)v) != 0)
		pr_err("power: PCI register %#llx refused", (unsigned long long)a);
}

/* Read a register (I/O or memory): its accesses, low address first, shifted down. */
static uint64_t reg_read(const struct power_reg *r)
{
	unsigned int step = r->width / 8, i;
	uint64_t v = 0, part;

	for (i = 0; i < r->count; i++) {
		if (r->space == ACPI_GAS_IO)
			part = port_read((uint16_t)(r->address + i * step), r->width);
		else
			part = reg_mmio_read((volatile uint8_t *)r->mmio + i * step, r->width);
		v |= part << (i * r->width);
	}
	return v >> r->shift;
}

/*
 * Write @v to a register. Bits of the accesses outside the register are
 * written as zero, as ACPICA does; the registers used here fill theirs.
 */
static void reg_write(const struct power_reg *r, uint64_t v)
{
	unsigned int step = r->width / 8, i;
	uint64_t part;

	v <<= r->shift;
	for (i = 0; i < r->count; i++) {
		part = r->width == 64 ? v : (v >> (i * r->width)) & ((1ull << r->width) - 1);
		if (r->space == ACPI_GAS_IO)
			port_write((uint16_t)(r->address + i * step), r->width, part);
		else if (r->space == ACPI_GAS_MEMORY)
			reg_mmio_write((volatile uint8_t *)r->mmio + i * step, r->width, part);
		else
			pci_reg_write(r->address, r->width, part);
	}
}

uint16_t power_pm1_sleep_value(uint16_t cnt, uint64_t slp_typ)
{
	cnt &= (uint16_t) ~(PM1_SLP_TYP | PM1_SLP_EN | PM1_GBL_RLS);
	return cnt | (uint16_t)((slp_typ & 7) << PM1_SLP_TYP_SHIFT);
}

/* Decode and map one register for power_off_prepare(), logging why it is unusable. */
static int prepare_reg(const struct acpi_gas *g, unsigned int bits, const char *name,
                       struct power_reg *r)
{
	int err = power_reg_decode(g, bits, r);

	if (!err && r->space == ACPI_GAS_PCI_CONFIG)
		err = -ENOTSUP;
	if (!err)
		err = power_reg_map(r);
	if (err)
		pr_err("power: %s unusable (space %u, address %#llx, %u bits): %d", name,
		       g->space_id, (unsigned long long)g->address, g->bit_width, err);
	return err;
}

int power_off_prepare(struct power_off_plan *p)
{
	const struct acpi_fadt_info *f = acpi_fadt();
	struct acpi_tables *t = acpi_root();
	int err;

	*p = (struct power_off_plan){ 0 };
	if (!f || !t) {
		pr_err("power: no usable FADT, so no ACPI S5");
		return -ENOENT;
	}
	err = acpi_get_sleep_type(t, 5, &p->s5);
	if (err) {
		pr_err("power: no usable \\_S5 package in the DSDT or an SSDT (%d)", err);
		return -ENOENT;
	}
	p->hw_reduced = f->hw_reduced;
	if (p->hw_reduced)
		return prepare_reg(&f->sleep_control, 8, "sleep control register",
		                   &p->sleep_control);
	err = prepare_reg(&f->pm1a_cnt, 16, "PM1a_CNT", &p->pm1a);
	if (err)
		return err;
	p->has_pm1b = f->pm1b_cnt.address != 0;
	return p->has_pm1b ? prepare_reg(&f->pm1b_cnt, 16, "PM1b_CNT", &p->pm1b) : 0;
}

/*
 * Leave legacy mode if the firmware is still in it: PM1 writes may be
 * trapped by SMM until ACPI_ENABLE is written to SMI_CMD and the hardware
 * sets SCI_EN (ACPI 6.5, 16.3.1; the fields in 5.2.9, Table 5.9). An
 * ACPI-only platform has SCI_EN always set and SMI_CMD 0.
 */
static void acpi_mode_enter(const struct acpi_fadt_info *f, const struct power_reg *pm1a)
{
	unsigned int ms;

	if (reg_read(pm1a) & PM1_SCI_EN)
		return;
	if (!f->smi_cmd || f->smi_cmd > 0xffff || !f->acpi_enable) {
		pr_warn("power: SCI_EN clear and no SMI_CMD to enter ACPI mode; trying anyway");
		return;
	}
	pr_info("power: entering ACPI mode (%#x to SMI_CMD port %#x)", f->acpi_enable, f->smi_cmd);
	outb((uint16_t)f->smi_cmd, f->acpi_enable);
	for (ms = 0; ms < ACPI_MODE_WAIT_MS; ms++) {
		if (reg_read(pm1a) & PM1_SCI_EN)
			return;
		wait_ms(1);
	}
	pr_warn("power: SCI_EN still clear %u ms after ACPI_ENABLE; trying anyway",
	        ACPI_MODE_WAIT_MS);
}

/*
 * The S5 writes (4.8.3.2.1, 7.4.2): SLP_TYPx first, then SLP_TYPx with
 * SLP_EN, to PM1a and PM1b, each with its own value, as ACPICA does for
 * chipsets that latch the type before the enable.
 */
static void enter_s5_pm1(const struct power_off_plan *p)
{
	uint16_t a = power_pm1_sleep_value((uint16_t)reg_read(&p->pm1a), p->s5.slp_typa), b = 0;

	if (p->has_pm1b)
		b = power_pm1_sleep_value((uint16_t)reg_read(&p->pm1b), p->s5.slp_typb);
	reg_write(&p->pm1a, a);
	if (p->has_pm1b)
		reg_write(&p->pm1b, b);
	reg_write(&p->pm1a, a | PM1_SLP_EN);
	if (p->has_pm1b)
		reg_write(&p->pm1b, b | PM1_SLP_EN);
}

void power_off(void)
{
	struct power_off_plan p;
	const struct power_reg *r;

	pr_info("power: switching off");
	if (power_off_prepare(&p) == 0) {
		r = p.hw_reduced ? &p.sleep_control : &p.pm1a;
		pr_info("power: ACPI S5 (SLP_TYPa %llu, SLP_TYPb %llu) via %s at %s %#llx",
		        (unsigned long long)p.s5.slp_typa, (unsigned long long)p.s5.slp_typb,
		        p.hw_reduced ? "the sleep control register" : "PM1a_CNT",
		        space_names[r->space], (unsigned long long)r->address);
		irq_disable();
		if (p.hw_reduced) {
			reg_write(r, ((p.s5.slp_typa & 7) << SLEEP_CTL_TYP_SHIFT) | SLEEP_CTL_EN);
		} else {
			acpi_mode_enter(acpi_fadt(), r);
			enter_s5_pm1(&p);
		}
		wait_ms(POWER_OFF_WAIT_MS);
		pr_err("power: still running %u ms after entering S5", POWER_OFF_WAIT_MS);
	}
	pr_err("power: cannot switch the machine off; halted, safe to cut the power");
	arch_halt();
}

int power_reset_reg_decode(const struct acpi_fadt_info *f, struct power_reg *out)
{
	struct acpi_gas g = f->reset_reg;

	if (!f->reset_valid)
		return -ENOENT;
	g.bit_width = 8;
	g.bit_offset = 0;
	g.access_size = 1;
	return power_reg_decode(&g, 8, out);
}

/* The FADT reset register (4.8.3.6); returns when absent, unusable or ineffective. */
static void reset_via_acpi(const struct acpi_fadt_info *f)
{
	struct power_reg r;
	int err;

	if (!f) {
		pr_warn("power: no usable FADT, so no ACPI reset register");
		return;
	}
	err = power_reset_reg_decode(f, &r);
	if (!err)
		err = power_reg_map(&r);
	if (err == -ENOENT) {
		pr_info("power: the FADT offers no reset register");
		return;
	}
	if (err) {
		pr_warn("power: ACPI reset register unusable (space %u, address %#llx): %d",
		        f->reset_reg.space_id, (unsigned long long)f->reset_reg.address, err);
		return;
	}
	pr_info("power: reset via ACPI reset register (%s %#llx, value %#x)", space_names[r.space],
	        (unsigned long long)r.address, f->reset_value);
	irq_disable();
	reg_write(&r, f->reset_value);
	wait_ms(RESET_WAIT_MS);
	pr_warn("power: still running %u ms after the reset register write", RESET_WAIT_MS);
}

/* Pulse the reset line through the 8042 unless the FADT says there is none. */
static void reset_via_8042(const struct acpi_fadt_info *f)
{
	if (f && !f->has_8042) {
		pr_info("power: the FADT says there is no 8042 keyboard controller");
		return;
	}
	pr_info("power: reset via 8042 keyboard controller (reset pulse)%s",
	        f ? "" : ", present or not");
	arch_reset_legacy();
	pr_warn("power: still running after the 8042 reset pulses");
}

/* The last resort: a reset forced from the CPU (a triple fault on x86). */
static __attribute__((noreturn)) void reset_via_triple_fault(void)
{
	pr_info("power: reset via triple fault");
	arch_reset_cpu();
}

void power_reboot(void)
{
	const struct acpi_fadt_info *f = acpi_fadt();

	pr_info("power: rebooting");
	reset_via_acpi(f);
	reset_via_8042(f);
	reset_via_triple_fault();
}
