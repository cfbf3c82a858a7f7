/* SPDX-License-Identifier: MIT */
/*
 * The HPET description table (IA-PC HPET Specification 1.0a, 3.2.4, which
 * ACPI 6.5 Table 5.6 defers to): where the timer block is and what its
 * capabilities register will say, so the driver can check the two agree.
 */
#include <cairn/errno.h>

#include <lib/acpi/acpi.h>
#include <lib/acpi/internal.h>

/* Table layout (HPET spec Table 3). */
#define HPET_BLOCK_ID  36
#define HPET_BASE      40
#define HPET_NUMBER    52
#define HPET_MIN_TICK  53
#define HPET_PAGE_PROT 55
#define HPET_LEN       56

/* Event Timer Block ID bits, the same layout as the timer's GCAP_ID register low half. */
#define HPET_ID_REV(id)        ((id)&0xff)
#define HPET_ID_NUM_TIM(id)    (((id) >> 8) & 0x1f) /* number of the last comparator */
#define HPET_ID_COUNT_SIZE_CAP (1u << 13)
#define HPET_ID_LEG_RT_CAP     (1u << 15)
#define HPET_ID_VENDOR(id)     ((id) >> 16)

int acpi_hpet_parse(const void *table, size_t len, struct acpi_hpet_info *out, const char **why)
{
	const uint8_t *p = table;
	size_t end = acpi_table_len(p, len);
	const char *msg = NULL;
	uint32_t id;

	acpi_zero(out, sizeof(*out));
	if (end < HPET_LEN)
		msg = "too short";
	else if (!acpi_sig_is(p, "HPET"))
		msg = "signature is not HPET";
	if (msg)
		return acpi_parse_fail(why, msg);
	id = acpi_rd32(p + HPET_BLOCK_ID);
	out->block_id = id;
	out->vendor_id = (uint16_t)HPET_ID_VENDOR(id);
	out->hw_rev = (uint8_t)HPET_ID_REV(id);
	out->comparators = (uint8_t)(HPET_ID_NUM_TIM(id) + 1);
	out->counter_64bit = id & HPET_ID_COUNT_SIZE_CAP;
	out->legacy_capable = id & HPET_ID_LEG_RT_CAP;
	out->base = acpi_rd_gas(p + HPET_BASE);
	out->number = p[HPET_NUMBER];
	out->min_tick = acpi_rd16(p + HPET_MIN_TICK);
	out->page_protection = p[HPET_PAGE_PROT];
	/* The registers are memory-mapped (HPET spec 2.3.1). */
	if (out->base.space_id != ACPI_GAS_MEMORY || out->base.address == 0)
		return acpi_parse_fail(why, "base is not a system memory address");
	return 0;
}

/* acpi_hpet_parse() with its result untyped, for acpi_get_parsed(). */
static int hpet_parse_any(const void *table, size_t len, void *out, const char **why)
{
	return acpi_hpet_parse(table, len, out, why);
}

int acpi_get_hpet(struct acpi_tables *t, struct acpi_hpet_info *out)
{
	return acpi_get_parsed(t, "HPET", hpet_parse_any, out, sizeof(*out));
}
