/* SPDX-License-Identifier: MIT */
/*
 * Finding the ACPI RSDP the BIOS way (ACPI 6.5, 5.2.5.1): on a 16-byte
 * boundary in the first 1 KiB of the EBDA, or in 0xE0000..0xFFFFF, with a
 * valid checksum over the ACPI 1.0 part (and over the whole 2.0+ table).
 */
#include <lib/string.h>

#include "boot/bios/bios.h"

#define BDA_EBDA_SEG 0x40e /* BDA word: EBDA segment */
#define RSDP_V1_LEN  20
#define RSDP_V2_LEN  36

static bool sum_ok(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum += *p++;
	return sum == 0;
}

/* ACPI 6.5, 5.2.5.3: revision at 15, length at 20, extended checksum at 32. */
static bool rsdp_ok(const uint8_t *p)
{
	uint32_t len;

	if (memcmp(p, "RSD PTR ", 8) != 0 || !sum_ok(p, RSDP_V1_LEN))
		return false;
	if (p[15] < 2)
		return true;
	memcpy(&len, p + 20, sizeof(len));
	return len >= RSDP_V2_LEN && len <= 4096 && sum_ok(p, len);
}

static uint64_t scan(uint64_t start, uint64_t end)
{
	for (uint64_t a = start & ~15ull; a + RSDP_V2_LEN <= end; a += 16)
		if (rsdp_ok((const uint8_t *)(uintptr_t)a))
			return a;
	return 0;
}

uint64_t acpi_find_rsdp(void)
{
	uint64_t ebda = (uint64_t) * (volatile uint16_t *)low_ptr(BDA_EBDA_SEG) << 4;
	uint64_t rsdp = 0;

	if (ebda >= 0x80000 && ebda < 0xa0000)
		rsdp = scan(ebda, ebda + 1024);
	if (!rsdp)
		rsdp = scan(0xe0000, 0x100000);
	return rsdp;
}
