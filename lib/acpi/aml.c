/* SPDX-License-Identifier: MIT */
/*
 * A minimal AML reader for the one thing the kernel needs from the DSDT
 * before it has an interpreter: the \_Sx sleep packages (ACPI 6.5, 7.4.2),
 * whose first two values go into SLP_TYPa/SLP_TYPb to power off (S5).
 * It matches `Name (_S5_, Package () {...})` as bytes and decodes only
 * integer constants, with every read checked against the table's end.
 */
#include <cairn/errno.h>

#include <lib/acpi/acpi.h>
#include <lib/acpi/internal.h>

/* AML opcodes (20.2.3 Data Objects Encoding, 20.2.5 Term Objects Encoding). */
#define AML_ZERO_OP    0x00
#define AML_ONE_OP     0x01
#define AML_NAME_OP    0x08
#define AML_BYTE_PFX   0x0a
#define AML_WORD_PFX   0x0b
#define AML_DWORD_PFX  0x0c
#define AML_QWORD_PFX  0x0e
#define AML_PACKAGE_OP 0x12
#define AML_ONES_OP    0xff
#define AML_ROOT_CHAR  '\\'

#define AML_MAX_STATE 5

/* A cursor over [pos, end) of a definition block. */
struct aml {
	const uint8_t *p;
	size_t pos;
	size_t end;
};

/*
 * Decode a PkgLength (20.2.4) at the cursor: bits 7:6 of the lead byte
 * count the bytes that follow; with none, bits 5:0 are the length, else
 * bits 3:0 are its low nibble (bits 5:4 must be zero) and each following
 * byte adds eight more bits. The length counts from the lead byte itself.
 * Sets *@pkg_end and advances past the encoding. Returns 0 or -EINVAL.
 */
static int aml_pkg_length(struct aml *a, size_t *pkg_end)
{
	size_t start = a->pos;
	uint8_t lead;
	uint32_t len;
	unsigned int n, i;

	if (a->pos >= a->end)
		return -EINVAL;
	lead = a->p[a->pos++];
	n = lead >> 6;
	if (n == 0) {
		len = lead & 0x3f;
	} else {
		if (lead & 0x30)
			return -EINVAL;
		if (a->end - a->pos < n)
			return -EINVAL;
		len = lead & 0x0f;
		for (i = 0; i < n; i++)
			len |= (uint32_t)a->p[a->pos++] << (4 + 8 * i);
	}
	if (len < a->pos - start || len > a->end - start)
		return -EINVAL;
	*pkg_end = start + len;
	return 0;
}

/* Decode one integer constant (ComputationalData, 20.2.3) at the cursor, bounded by @end. */
static int aml_integer(struct aml *a, size_t end, uint64_t *val)
{
	size_t width, i;
	uint8_t op;

	if (a->pos >= end)
		return -EINVAL;
	op = a->p[a->pos++];
	switch (op) {
	case AML_ZERO_OP:
		*val = 0;
		return 0;
	case AML_ONE_OP:
		*val = 1;
		return 0;
	case AML_ONES_OP:
		*val = ~(uint64_t)0;
		return 0;
	case AML_BYTE_PFX:
		width = 1;
		break;
	case AML_WORD_PFX:
		width = 2;
		break;
	case AML_DWORD_PFX:
		width = 4;
		break;
	case AML_QWORD_PFX:
		width = 8;
		break;
	default:
		return -EINVAL; /* a string, a nested package, a name... */
	}
	if (end - a->pos < width)
		return -EINVAL;
	*val = 0;
	for (i = 0; i < width; i++)
		*val |= (uint64_t)a->p[a->pos++] << (8 * i);
	return 0;
}

/*
 * Read the package at the cursor (just past the PackageOp): PkgLength,
 * NumElements, then the first one or two elements.
 */
static int aml_sleep_package(struct aml *a, struct acpi_sleep_type *out)
{
	size_t pkg_end;
	uint8_t count;
	uint64_t v;

	if (aml_pkg_length(a, &pkg_end) || a->pos >= pkg_end)
		return -EINVAL;
	count = a->p[a->pos++];
	if (count == 0 || aml_integer(a, pkg_end, &v))
		return -EINVAL;
	if (count == 1) {
		/* Old firmware packs both values in one integer; read it as ACPICA does. */
		out->slp_typa = v & 0xff;
		out->slp_typb = (v >> 8) & 0xff;
		return 0;
	}
	out->slp_typa = v;
	if (aml_integer(a, pkg_end, &v))
		return -EINVAL;
	out->slp_typb = v;
	return 0;
}

/* True when the name at @i is preceded by a NameOp, with or without the root prefix. */
static bool aml_named_here(const uint8_t *p, size_t i, size_t start)
{
	if (i >= start + 1 && p[i - 1] == AML_NAME_OP)
		return true;
	return i >= start + 2 && p[i - 1] == AML_ROOT_CHAR && p[i - 2] == AML_NAME_OP;
}

int acpi_aml_sleep_type(const void *table, size_t len, unsigned int state,
                        struct acpi_sleep_type *out, const char **why)
{
	const uint8_t *p = table;
	size_t end = acpi_table_len(p, len);
	uint8_t name[4] = { '_', 'S', 0, '_' };
	int err = -ENOENT;
	size_t i;

	out->slp_typa = out->slp_typb = 0;
	if (why)
		*why = "not found";
	if (state > AML_MAX_STATE)
		return -ERANGE;
	name[2] = (uint8_t)('0' + state);
	for (i = ACPI_HEADER_LEN; i + 5 <= end; i++) {
		struct aml a = { .p = p, .pos = i + 5, .end = end };

		if (p[i] != name[0] || p[i + 1] != name[1] || p[i + 2] != name[2] ||
		    p[i + 3] != name[3] || p[i + 4] != AML_PACKAGE_OP ||
		    !aml_named_here(p, i, ACPI_HEADER_LEN))
			continue;
		if (aml_sleep_package(&a, out) == 0)
			return 0;
		/* Remember the malformed one, but a later good definition still wins. */
		out->slp_typa = out->slp_typb = 0;
		err = -EINVAL;
		if (why)
			*why = "malformed sleep package";
	}
	return err;
}

/* Search the definition block @ref for \_S<state>_; record a malformed package in @t. */
static int acpi_sleep_in(struct acpi_tables *t, const struct acpi_table_ref *ref,
                         unsigned int state, struct acpi_sleep_type *out)
{
	const uint8_t *p = acpi_map_table(t, ref);
	const char *why;
	int err;

	if (!p) {
		acpi_error(t, ref->phys, -EFAULT, "acpi: %s unreachable", ref->sig);
		return -EFAULT;
	}
	err = acpi_aml_sleep_type(p, ref->length, state, out, &why);
	if (err == -EINVAL)
		acpi_error(t, ref->phys, err, "acpi: %s _S%u_ %s", ref->sig, state, why);
	return err;
}

int acpi_get_sleep_type(struct acpi_tables *t, unsigned int state, struct acpi_sleep_type *out)
{
	const struct acpi_table_ref *ref;
	int err = -ENOENT, e;
	unsigned int i;

	out->slp_typa = out->slp_typb = 0;
	if (state > AML_MAX_STATE)
		return -ERANGE;
	ref = acpi_find_table(t, "DSDT", 0);
	if (ref) {
		err = acpi_sleep_in(t, ref, state, out);
		if (err == 0)
			return 0;
	}
	for (i = 0; (ref = acpi_find_table(t, "SSDT", i)) != NULL; i++) {
		e = acpi_sleep_in(t, ref, state, out);
		if (e == 0)
			return 0;
		if (err == -ENOENT)
			err = e;
	}
	return err;
}
