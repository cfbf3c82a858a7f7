/* SPDX-License-Identifier: MIT */
/*
 * The Fixed ACPI Description Table (ACPI 6.5, 5.2.9): where the fixed
 * hardware registers are (PM1 blocks, PM timer, reset register), the SCI,
 * the DSDT and FACS, and the IA-PC boot flags. The table has grown with
 * every revision, so each field is read only when the table's length
 * covers it, and the 64-bit X_ fields win over their 32-bit forebears.
 */
#include <cairn/errno.h>

#include <lib/acpi/acpi.h>
#include <lib/acpi/internal.h>

/* Field offsets (Table 5.9). */
#define FADT_FIRMWARE_CTRL   36
#define FADT_DSDT            40
#define FADT_SCI_INT         46
#define FADT_SMI_CMD         48
#define FADT_ACPI_ENABLE     52
#define FADT_ACPI_DISABLE    53
#define FADT_PM1A_EVT_BLK    56
#define FADT_PM1B_EVT_BLK    60
#define FADT_PM1A_CNT_BLK    64
#define FADT_PM1B_CNT_BLK    68
#define FADT_PM_TMR_BLK      76
#define FADT_PM1_EVT_LEN     88
#define FADT_PM1_CNT_LEN     89
#define FADT_PM_TMR_LEN      91
#define FADT_CENTURY         108
#define FADT_IAPC_BOOT_ARCH  109
#define FADT_FLAGS           112
#define FADT_RESET_REG       116
#define FADT_RESET_VALUE     128
#define FADT_X_FIRMWARE_CTRL 132
#define FADT_X_DSDT          140
#define FADT_X_PM1A_EVT_BLK  148
#define FADT_X_PM1B_EVT_BLK  160
#define FADT_X_PM1A_CNT_BLK  172
#define FADT_X_PM1B_CNT_BLK  184
#define FADT_X_PM_TMR_BLK    208
#define FADT_SLEEP_CONTROL   244
#define FADT_SLEEP_STATUS    256
#define GAS_LEN              12

/* A view of a FADT with its usable length. */
struct fadt {
	const uint8_t *p;
	size_t len;
};

/* True when the @size bytes at @off lie inside the table. */
static bool fadt_has(const struct fadt *f, size_t off, size_t size)
{
	return off + size <= f->len;
}

static uint8_t fadt_u8(const struct fadt *f, size_t off)
{
	return fadt_has(f, off, 1) ? f->p[off] : 0;
}

static uint16_t fadt_u16(const struct fadt *f, size_t off)
{
	return fadt_has(f, off, 2) ? acpi_rd16(f->p + off) : 0;
}

static uint32_t fadt_u32(const struct fadt *f, size_t off)
{
	return fadt_has(f, off, 4) ? acpi_rd32(f->p + off) : 0;
}

static uint64_t fadt_u64(const struct fadt *f, size_t off)
{
	return fadt_has(f, off, 8) ? acpi_rd64(f->p + off) : 0;
}

static struct acpi_gas fadt_gas(const struct fadt *f, size_t off)
{
	struct acpi_gas none = { 0 };

	return fadt_has(f, off, GAS_LEN) ? acpi_rd_gas(f->p + off) : none;
}

/*
 * A register block: the X_ GAS at @xoff when present with a nonzero
 * address, else the 32-bit I/O port at @off whose length in bytes is the
 * byte at @lenoff (5.2.9: "If the X_ field contains a non-zero value then
 * this field must be ignored by OSPM", said of each legacy field).
 */
static struct acpi_gas fadt_block(const struct fadt *f, size_t xoff, size_t off, size_t lenoff)
{
	struct acpi_gas g = fadt_gas(f, xoff);
	uint32_t port;

	if (g.address)
		return g;
	port = fadt_u32(f, off);
	g = (struct acpi_gas){ 0 };
	if (port) {
		g.space_id = ACPI_GAS_IO;
		g.bit_width = (uint8_t)(fadt_u8(f, lenoff) * 8);
		g.address = port;
	}
	return g;
}

/* IA-PC boot architecture flags (5.2.9.3); absent before revision 2, as ACPI 1.0 reserved them. */
static void fadt_boot_flags(const struct fadt *f, struct acpi_fadt_info *out)
{
	out->boot_flags_valid = out->revision >= 2 && fadt_has(f, FADT_IAPC_BOOT_ARCH, 2);
	out->boot_flags = out->boot_flags_valid ? fadt_u16(f, FADT_IAPC_BOOT_ARCH) : 0;
	/* Without the flags, assume the PC-AT legacy devices are there. */
	out->has_8042 = !out->boot_flags_valid || (out->boot_flags & ACPI_BOOT_8042);
	out->no_vga = out->boot_flags & ACPI_BOOT_NO_VGA;
	out->no_cmos_rtc = out->boot_flags & ACPI_BOOT_NO_CMOS_RTC;
}

int acpi_fadt_parse(const void *table, size_t len, struct acpi_fadt_info *out, const char **why)
{
	struct fadt f = { .p = table, .len = acpi_table_len(table, len) };
	uint64_t x;

	acpi_zero(out, sizeof(*out));
	if (!fadt_has(&f, FADT_DSDT, 4) || !acpi_sig_is(f.p, "FACP"))
		return acpi_parse_fail(why, f.len < FADT_DSDT + 4 ? "too short"
		                                                  : "signature is not FACP");
	out->revision = f.p[ACPI_HDR_REVISION];
	out->length = (uint32_t)f.len;
	x = fadt_u64(&f, FADT_X_FIRMWARE_CTRL);
	out->facs = x ? x : fadt_u32(&f, FADT_FIRMWARE_CTRL);
	x = fadt_u64(&f, FADT_X_DSDT);
	out->dsdt = x ? x : fadt_u32(&f, FADT_DSDT);
	out->sci_irq = fadt_u16(&f, FADT_SCI_INT);
	out->smi_cmd = fadt_u32(&f, FADT_SMI_CMD);
	out->acpi_enable = fadt_u8(&f, FADT_ACPI_ENABLE);
	out->acpi_disable = fadt_u8(&f, FADT_ACPI_DISABLE);
	out->pm1a_evt = fadt_block(&f, FADT_X_PM1A_EVT_BLK, FADT_PM1A_EVT_BLK, FADT_PM1_EVT_LEN);
	out->pm1b_evt = fadt_block(&f, FADT_X_PM1B_EVT_BLK, FADT_PM1B_EVT_BLK, FADT_PM1_EVT_LEN);
	out->pm1a_cnt = fadt_block(&f, FADT_X_PM1A_CNT_BLK, FADT_PM1A_CNT_BLK, FADT_PM1_CNT_LEN);
	out->pm1b_cnt = fadt_block(&f, FADT_X_PM1B_CNT_BLK, FADT_PM1B_CNT_BLK, FADT_PM1_CNT_LEN);
	out->pm_tmr = fadt_block(&f, FADT_X_PM_TMR_BLK, FADT_PM_TMR_BLK, FADT_PM_TMR_LEN);
	out->century = fadt_u8(&f, FADT_CENTURY);
	out->flags = fadt_u32(&f, FADT_FLAGS);
	out->hw_reduced = out->flags & ACPI_FADT_HW_REDUCED;
	fadt_boot_flags(&f, out);

	/* The reset register arrived with ACPI 2.0 (revision 3); RESET_REG_SUP says it works. */
	if ((out->flags & ACPI_FADT_RESET_REG_SUP) && fadt_has(&f, FADT_RESET_VALUE, 1)) {
		out->reset_reg = fadt_gas(&f, FADT_RESET_REG);
		out->reset_value = fadt_u8(&f, FADT_RESET_VALUE);
		out->reset_valid = out->reset_reg.address != 0;
	}
	out->sleep_control = fadt_gas(&f, FADT_SLEEP_CONTROL);
	out->sleep_status = fadt_gas(&f, FADT_SLEEP_STATUS);
	return 0;
}

/* acpi_fadt_parse() with its result untyped, for acpi_get_parsed(). */
static int fadt_parse_any(const void *table, size_t len, void *out, const char **why)
{
	return acpi_fadt_parse(table, len, out, why);
}

int acpi_get_fadt(struct acpi_tables *t, struct acpi_fadt_info *out)
{
	return acpi_get_parsed(t, "FACP", fadt_parse_any, out, sizeof(*out));
}
