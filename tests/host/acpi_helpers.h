/* SPDX-License-Identifier: MIT */
/*
 * What the host tests of lib/acpi share (tests/host/acpi_helpers.c). The
 * tables are real: dumps of what QEMU 7.2 gives a guest under SeaBIOS and
 * OVMF on q35 and pc (tests/data/acpi/, made by tools/acpi-dump.sh), served
 * back at their physical addresses by a fake map(), plus iasl-compiled tables
 * for the cases QEMU does not show. Every region is its own exact-size heap
 * block, so ASan sees any read past a table.
 */
#pragma once

#include <lib/acpi/acpi.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DATA        "tests/data/acpi/"
#define MAX_REGIONS 96

/* One block of fake physical memory: a table, the RSDP or a window of them. */
struct region {
	uint64_t phys;
	size_t len;
	uint8_t *data; /* exactly len bytes */
	char name[32];
};

/* Fake physical memory: the regions, and what the parser reported. */
struct fake_mem {
	size_t n;
	struct region r[MAX_REGIONS];
	unsigned int reports; /* calls to the report callback */
	char last_report[ACPI_ERROR_LEN];
	int smp; /* "# smp:" from index.txt */
};

/* What one firmware's dump must show. */
struct dump_facts {
	const char *dir;
	uint8_t rsdp_revision;
	bool xsdt;
	size_t ntables; /* root-listed tables + DSDT + FACS */
	uint8_t fadt_revision;
	uint32_t fadt_length;
	uint8_t acpi_enable;
	bool boot_flags_valid;
	bool reset_valid;
	bool mcfg;
	uint16_t pm_base; /* PM1a_EVT_BLK: the chipset's ACPI I/O base as firmware set it */
};

/* The four dumps in tests/data/acpi/ and what each must show. */
#define NDUMPS 4
extern const struct dump_facts dumps[NDUMPS];

/* The acpi_mem map(): @len bytes at @phys if one region holds them all, else NULL. */
const void *fake_map(void *ctx, uint64_t phys, size_t len);

/* The acpi_mem that reads @m and counts its reports. */
struct acpi_mem mem_of(struct fake_mem *m);

/* Add @len bytes at @phys (a copy of @data, or zeroes when it is NULL) named @name. */
struct region *add_region(struct fake_mem *m, uint64_t phys, const void *data, size_t len,
                          const char *name);

/* Cut a region to @len bytes, reallocated so ASan guards the new end. */
void shrink(struct region *r, size_t len);

/* Free every region of @m; copy @src's regions into @dst. */
void fake_free(struct fake_mem *m);
void fake_clone(struct fake_mem *dst, const struct fake_mem *src);

/*
 * Load a dump directory: index.txt holds "<phys> <file>" lines, and
 * "# key: value" notes of which the test reads "smp".
 */
void load_dump(struct fake_mem *m, const char *dir);

/* The region loaded from file @name; fails the test when there is none. */
struct region *region_named(struct fake_mem *m, const char *name);

/* The byte sum of @len bytes at @p (an ACPI checksum is good when it is 0). */
uint8_t sum8(const uint8_t *p, size_t len);

/* Little-endian reads and writes, at any alignment. */
uint32_t rd32(const uint8_t *p);
void wr32(uint8_t *p, uint32_t v);
void wr64(uint8_t *p, uint64_t v);

/* Make a table's checksum good again over min(header length, region). */
void fix_table(struct region *r);

/* Make both RSDP checksums good again. */
void fix_rsdp(struct region *r);

/* Fix every checksum in @m: the RSDP's and each table's (the FACS has none). */
void fix_all(struct fake_mem *m);

/* Whether one of @t's recorded errors contains @text. */
bool has_error(const struct acpi_tables *t, const char *text);

/* Print @t's recorded errors, to explain a failure. */
void print_errors(const struct acpi_tables *t);

/* Load @dir and run acpi_init on it, expecting success. */
void init_dump(struct fake_mem *m, struct acpi_tables *t, const char *dir);

/* A whole table image from tests/data/acpi in an exact-size buffer. */
uint8_t *load_table(const char *name, size_t *len);

/* Expect @g to be an I/O-space address @port of @bits bits. */
void assert_io(const struct acpi_gas *g, uint64_t port, unsigned int bits);
