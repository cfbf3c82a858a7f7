/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the lib/acpi sources and no one else: little-endian
 * reads that work at any alignment (firmware packs tables at odd
 * addresses, SeaBIOS included), checked mapping, and error recording.
 */
#pragma once

#include <lib/acpi/acpi.h>

/* Header field offsets (5.2.6, Table 5.4). */
#define ACPI_HDR_LENGTH   4
#define ACPI_HDR_REVISION 8
#define ACPI_HDR_OEM_ID   10

static inline uint16_t acpi_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}

static inline uint32_t acpi_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t acpi_rd64(const uint8_t *p)
{
	return (uint64_t)acpi_rd32(p) | (uint64_t)acpi_rd32(p + 4) << 32;
}

/* True when the 4 bytes at @p are the signature @sig. */
static inline bool acpi_sig_is(const uint8_t *p, const char *sig)
{
	return p[0] == (uint8_t)sig[0] && p[1] == (uint8_t)sig[1] && p[2] == (uint8_t)sig[2] &&
	       p[3] == (uint8_t)sig[3];
}

/*
 * The length a parser may read of a table handed to it: the smaller of the
 * buffer and the header's own length. Returns 0 when the buffer cannot
 * even hold a header.
 */
size_t acpi_table_len(const uint8_t *table, size_t len);

/* Read a 12-byte Generic Address Structure (5.2.3.2) at @p. */
struct acpi_gas acpi_rd_gas(const uint8_t *p);

/* Map [@phys, @phys + @len) through @mem, refusing empty and wrapping ranges. */
const uint8_t *acpi_map(const struct acpi_mem *mem, uint64_t phys, size_t len);

/* Copy a 4-byte signature for messages and lookups, unprintable bytes as '?'. */
void acpi_sig_copy(char dst[5], const uint8_t *src);

/*
 * Record a problem in @t (kept if there is room, always counted) and pass
 * it to the report callback. @fmt is a lib/format.h format.
 */
void acpi_error(struct acpi_tables *t, uint64_t phys, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Find and map table @sig (instance 0) for one of the acpi_get_*()
 * helpers. Returns the mapping (*@ref->length bytes) with *@err = 0, or
 * NULL with *@err set to -ENOENT (absent) or -EFAULT (unreachable, recorded
 * in @t).
 */
const uint8_t *acpi_get_table(struct acpi_tables *t, const char *sig,
                              const struct acpi_table_ref **ref, int *err);

/* A table parser's shape with its result struct untyped, for acpi_get_parsed(). */
typedef int (*acpi_parse_fn)(const void *table, size_t len, void *out, const char **why);

/*
 * What every acpi_get_*() helper does: zero @out (@out_bytes), find and map
 * table @sig, run @parse over it. Returns 0, -ENOENT (absent), -EFAULT
 * (unreachable) or the parser's error; the last two are recorded in @t, a
 * parse failure as "acpi: SIG why".
 */
int acpi_get_parsed(struct acpi_tables *t, const char *sig, acpi_parse_fn parse, void *out,
                    size_t out_bytes);

/* Set *@why to @msg when the caller asked for a reason; returns -EINVAL. */
int acpi_parse_fail(const char **why, const char *msg);

/* Zero @len bytes at @p (lib/ code does not assume a memset). */
void acpi_zero(void *p, size_t len);
