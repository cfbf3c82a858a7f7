// SPDX-License-Identifier: MIT
/*
 * Power-off and reset, up to the last step: the Generic Address Structure
 * checks on made-up registers, the PM1 control value, and the plan the
 * running machine's own FADT and \_S5 give (QEMU, docs/acpi.md). Nothing
 * here writes a power register; the e2e boots in tools/cairntest.py do.
 */
#include <cairn/errno.h>

#include <lib/acpi/acpi.h>

#include "acpi/acpi.h"
#include "acpi/power.h"
#include "core/ktest.h"

static struct acpi_gas gas(uint8_t space, uint8_t bits, uint8_t offset, uint8_t access,
                           uint64_t address)
{
	return (struct acpi_gas){ .space_id = space,
		                  .bit_width = bits,
		                  .bit_offset = offset,
		                  .access_size = access,
		                  .address = address };
}

static int decode(struct acpi_gas g, unsigned int bits, struct power_reg *r)
{
	return power_reg_decode(&g, bits, r);
}

TEST(power, gas_legacy_pm1_block_is_one_word_access)
{
	struct power_reg r;

	/* A legacy PM1a_CNT_BLK with PM1_CNT_LEN 2, as lib/acpi turns it into a GAS. */
	EXPECT_EQ(decode(gas(ACPI_GAS_IO, 16, 0, 0, 0x604), 16, &r), 0);
	EXPECT_EQ(r.space, ACPI_GAS_IO);
	EXPECT_EQ(r.address, 0x604);
	EXPECT_EQ(r.width, 16);
	EXPECT_EQ(r.count, 1);
	EXPECT_EQ(r.shift, 0);
}

TEST(power, gas_access_size_and_defaults)
{
	struct power_reg r;

	/* A byte access size splits a 16-bit register in two. */
	EXPECT_EQ(decode(gas(ACPI_GAS_IO, 16, 0, 1, 0x1000), 16, &r), 0);
	EXPECT_EQ(r.width, 8);
	EXPECT_EQ(r.count, 2);
	/* No width in the GAS: the caller's default, in the smallest access that holds it. */
	EXPECT_EQ(decode(gas(ACPI_GAS_IO, 0, 0, 0, 0x1000), 16, &r), 0);
	EXPECT_EQ(r.width, 16);
	EXPECT_EQ(r.count, 1);
	/* A bit offset widens the access. */
	EXPECT_EQ(decode(gas(ACPI_GAS_MEMORY, 16, 8, 0, 0xfed00000), 16, &r), 0);
	EXPECT_EQ(r.width, 32);
	EXPECT_EQ(r.shift, 8);
	/* Memory may use 64-bit accesses. */
	EXPECT_EQ(decode(gas(ACPI_GAS_MEMORY, 64, 0, 4, 0xfed00000), 8, &r), 0);
	EXPECT_EQ(r.width, 64);
	EXPECT_EQ(r.count, 1);
}

TEST(power, gas_bad_registers_are_refused)
{
	struct power_reg r;

	EXPECT_EQ(decode(gas(ACPI_GAS_IO, 16, 0, 0, 0), 16, &r), -ENOENT);
	EXPECT_EQ(decode(gas(3 /* embedded controller */, 8, 0, 0, 0x62), 8, &r), -ENOTSUP);
	EXPECT_EQ(decode(gas(0x7f /* functional fixed hardware */, 8, 0, 0, 1), 8, &r), -ENOTSUP);
	EXPECT_EQ(decode(gas(ACPI_GAS_IO, 16, 0, 5, 0x604), 16, &r), -EINVAL);
	EXPECT_EQ(decode(gas(ACPI_GAS_IO, 64, 0, 4, 0x604), 16, &r), -EINVAL);
	EXPECT_EQ(decode(gas(ACPI_GAS_MEMORY, 64, 8, 0, 0x1000), 16, &r), -EINVAL);
	EXPECT_EQ(decode(gas(ACPI_GAS_MEMORY, 255, 255, 0, 0x1000), 16, &r), -EINVAL);
	EXPECT_EQ(decode(gas(ACPI_GAS_IO, 16, 0, 0, 0xffff), 16, &r), -ERANGE);
	EXPECT_EQ(decode(gas(ACPI_GAS_IO, 16, 0, 0, 0x10000), 16, &r), -ERANGE);
	EXPECT_EQ(decode(gas(ACPI_GAS_MEMORY, 32, 0, 0, ~0ull - 1), 32, &r), -ERANGE);
}

TEST(power, gas_pci_config_space_of_bus_0)
{
	struct power_reg r;

	/* Device 31, function 0, offset 0xac: bits 47:32, 31:16 and 15:0 (5.2.3.2). */
	EXPECT_EQ(decode(gas(ACPI_GAS_PCI_CONFIG, 8, 0, 1, 0x1f000000acull), 8, &r), 0);
	EXPECT_EQ(r.space, ACPI_GAS_PCI_CONFIG);
	EXPECT_EQ(r.width, 8);
	EXPECT_EQ(decode(gas(ACPI_GAS_PCI_CONFIG, 8, 0, 1, 0x20000000acull), 8, &r), -EINVAL);
	EXPECT_EQ(decode(gas(ACPI_GAS_PCI_CONFIG, 8, 0, 1, 0x1f000800acull), 8, &r), -EINVAL);
	EXPECT_EQ(decode(gas(ACPI_GAS_PCI_CONFIG, 8, 0, 1, 0x1f00000100ull), 8, &r), -EINVAL);
	EXPECT_EQ(decode(gas(ACPI_GAS_PCI_CONFIG, 8, 0, 1, 1ull << 48 | 0xac), 8, &r), -EINVAL);
	/* A word at offset 3 would cross into the next dword. */
	EXPECT_EQ(decode(gas(ACPI_GAS_PCI_CONFIG, 16, 0, 2, 0x1f00000003ull), 16, &r), -EINVAL);
	EXPECT_EQ(decode(gas(ACPI_GAS_PCI_CONFIG, 16, 0, 2, 0x1f00000002ull), 16, &r), 0);
}

TEST(power, pm1_value_keeps_sci_en_and_drops_write_only_bits)
{
	/* SCI_EN and BM_RLD stay; GBL_RLS, an old SLP_TYP and SLP_EN go (Table 4.13). */
	EXPECT_EQ(power_pm1_sleep_value(0x0003 | 0x0004 | (6u << 10) | (1u << 13), 0), 0x0003);
	EXPECT_EQ(power_pm1_sleep_value(0x0001, 5), 0x0001 | (5u << 10));
	/* Only the low three bits of a \_S5 value reach SLP_TYP. */
	EXPECT_EQ(power_pm1_sleep_value(0, 0xffffffffffffffffull), 7u << 10);
	/* Reserved bits 14-15 and 3-9 are preserved. */
	EXPECT_EQ(power_pm1_sleep_value(0xc3f8, 2), 0xc3f8 | (2u << 10));
}

TEST(power, off_plan_from_this_machines_tables)
{
	struct power_off_plan p;

	EXPECT_EQ(power_off_prepare(&p), 0);
	EXPECT_TRUE(!p.hw_reduced);
	/* QEMU: PIIX4 or ICH9 PM block at 0x600 (SeaBIOS) or 0xb000 (OVMF on pc). */
	EXPECT_EQ(p.pm1a.space, ACPI_GAS_IO);
	EXPECT_TRUE(p.pm1a.address == 0x604 || p.pm1a.address == 0xb004);
	EXPECT_EQ(p.pm1a.width, 16);
	EXPECT_EQ(p.pm1a.count, 1);
	EXPECT_TRUE(!p.has_pm1b);
	/* QEMU's \_S5 is {0, 0}. */
	EXPECT_EQ(p.s5.slp_typa, 0);
	EXPECT_EQ(p.s5.slp_typb, 0);
}

TEST(power, reset_register_from_this_machines_fadt)
{
	const struct acpi_fadt_info *f = acpi_fadt();
	struct power_reg r;

	EXPECT_TRUE(f != NULL);
	if (!f->reset_valid) {
		EXPECT_EQ(power_reset_reg_decode(f, &r), -ENOENT);
		ktest_skip("no reset register in this FADT (QEMU pc)");
	}
	/* q35: the ICH9 reset control register, one byte at port 0xcf9. */
	EXPECT_EQ(power_reset_reg_decode(f, &r), 0);
	EXPECT_EQ(r.space, ACPI_GAS_IO);
	EXPECT_EQ(r.address, 0xcf9);
	EXPECT_EQ(r.width, 8);
	EXPECT_EQ(r.count, 1);
}
