/* SPDX-License-Identifier: MIT */
/*
 * The MCFG table (PCI Firmware Specification 3.2, 4.1.2, which ACPI 6.5
 * Table 5.6 defers to): the memory-mapped (ECAM) configuration space
 * windows, one per PCI segment group and bus range.
 */
#include <cairn/errno.h>

#include <lib/acpi/acpi.h>
#include <lib/acpi/internal.h>

/* Layout (PCI Firmware spec Tables 4-2 and 4-3): header, 8 reserved bytes, 16-byte entries. */
#define MCFG_ENTRIES     44
#define MCFG_ENTRY_LEN   16
#define MCFG_E_BASE      0
#define MCFG_E_SEGMENT   8
#define MCFG_E_BUS_START 10
#define MCFG_E_BUS_END   11

int acpi_mcfg_parse(const void *table, size_t len, struct acpi_mcfg_info *out, const char **why)
{
	const uint8_t *p = table;
	size_t end = acpi_table_len(p, len);
	size_t off;

	acpi_zero(out, sizeof(*out));
	if (end < MCFG_ENTRIES)
		return acpi_parse_fail(why, "too short");
	if (!acpi_sig_is(p, "MCFG"))
		return acpi_parse_fail(why, "signature is not MCFG");
	if ((end - MCFG_ENTRIES) % MCFG_ENTRY_LEN)
		return acpi_parse_fail(why, "length leaves a partial entry");
	for (off = MCFG_ENTRIES; off < end; off += MCFG_ENTRY_LEN) {
		struct acpi_mcfg_segment s = {
			.base = acpi_rd64(p + off + MCFG_E_BASE),
			.segment = acpi_rd16(p + off + MCFG_E_SEGMENT),
			.bus_start = p[off + MCFG_E_BUS_START],
			.bus_end = p[off + MCFG_E_BUS_END],
		};

		if (s.base == 0)
			return acpi_parse_fail(why, "entry with a zero base");
		if (s.bus_end < s.bus_start)
			return acpi_parse_fail(why, "entry ends before it starts");
		if (out->count == ACPI_MAX_MCFG) {
			out->dropped++;
			continue;
		}
		out->seg[out->count++] = s;
	}
	return 0;
}

/* acpi_mcfg_parse() with its result untyped, for acpi_get_parsed(). */
static int mcfg_parse_any(const void *table, size_t len, void *out, const char **why)
{
	return acpi_mcfg_parse(table, len, out, why);
}

int acpi_get_mcfg(struct acpi_tables *t, struct acpi_mcfg_info *out)
{
	return acpi_get_parsed(t, "MCFG", mcfg_parse_any, out, sizeof(*out));
}
