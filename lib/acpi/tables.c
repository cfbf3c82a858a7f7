/* SPDX-License-Identifier: MIT */
/*
 * Finding ACPI tables: the RSDP, the RSDT or XSDT, and every table they
 * list, each checked for reachability, a sane length and its checksum
 * before it is listed. Problems are recorded with a reason and the table
 * is skipped; the rest of the system keeps working with what is left.
 */
#include <cairn/errno.h>

#include <lib/acpi/acpi.h>
#include <lib/acpi/internal.h>
#include <lib/format.h>

/* RSDP layout (5.2.5.3, Table 5.3). */
#define RSDP_V1_LEN       20
#define RSDP_V2_LEN       36
#define RSDP_MAX_LEN      4096
#define RSDP_CHECKSUM_LEN 20
#define RSDP_OEM_ID       9
#define RSDP_REVISION     15
#define RSDP_RSDT         16
#define RSDP_LENGTH       20
#define RSDP_XSDT         24

/* FACS (5.2.10, Table 5.14): no checksum, its own 8-byte start. */
#define FACS_MIN_LEN 64
#define FACS_VERSION 32

static const char rsdp_sig[8] = { 'R', 'S', 'D', ' ', 'P', 'T', 'R', ' ' };

uint8_t acpi_checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;
	size_t i;

	for (i = 0; i < len; i++)
		sum = (uint8_t)(sum + b[i]);
	return sum;
}

size_t acpi_table_len(const uint8_t *table, size_t len)
{
	uint32_t hlen;

	if (!table || len < ACPI_HEADER_LEN)
		return 0;
	hlen = acpi_rd32(table + ACPI_HDR_LENGTH);
	return hlen < len ? hlen : len;
}

struct acpi_gas acpi_rd_gas(const uint8_t *p)
{
	struct acpi_gas g = {
		.space_id = p[0],
		.bit_width = p[1],
		.bit_offset = p[2],
		.access_size = p[3],
		.address = acpi_rd64(p + 4),
	};
	return g;
}

const uint8_t *acpi_map(const struct acpi_mem *mem, uint64_t phys, size_t len)
{
	if (!mem->map || len == 0 || phys + len < phys)
		return NULL;
	return mem->map(mem->ctx, phys, len);
}

/* Firmware strings go into log messages: anything unprintable becomes '?'. */
static char acpi_printable(uint8_t c)
{
	return c >= 0x20 && c < 0x7f ? (char)c : '?';
}

void acpi_sig_copy(char dst[5], const uint8_t *src)
{
	int i;

	for (i = 0; i < 4; i++)
		dst[i] = acpi_printable(src[i]);
	dst[4] = '\0';
}

void acpi_error(struct acpi_tables *t, uint64_t phys, int err, const char *fmt, ...)
{
	char msg[ACPI_ERROR_LEN];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (t->nerrors < ACPI_MAX_ERRORS) {
		struct acpi_error *e = &t->errors[t->nerrors];

		for (i = 0; i < sizeof(msg); i++)
			e->msg[i] = msg[i];
		e->phys = phys;
		e->err = err;
	}
	t->nerrors++;
	if (t->mem.report)
		t->mem.report(t->mem.ctx, msg);
}

/* Check an RSDP candidate's signature and ACPI 1.0 checksum (@p has RSDP_V1_LEN bytes). */
static bool acpi_rsdp_v1_ok(const uint8_t *p)
{
	size_t i;

	for (i = 0; i < sizeof(rsdp_sig); i++) {
		if (p[i] != (uint8_t)rsdp_sig[i])
			return false;
	}
	return acpi_checksum(p, RSDP_CHECKSUM_LEN) == 0;
}

int acpi_rsdp_scan(const struct acpi_mem *mem, uint64_t base, size_t len, uint64_t *phys)
{
	const uint8_t *p;
	size_t off;

	p = acpi_map(mem, base, len);
	if (!p)
		return -EFAULT;
	/* Candidates sit on 16-byte boundaries of physical memory (5.2.5.1). */
	for (off = (16 - (base & 15)) & 15; off + RSDP_V1_LEN <= len; off += 16) {
		if (acpi_rsdp_v1_ok(p + off)) {
			*phys = base + off;
			return 0;
		}
	}
	return -ENOENT;
}

/*
 * Check the RSDP at @phys and return the RSDT and XSDT addresses it gives
 * (*@xsdt stays 0 for revision 0, or when the extended part is bad: then
 * the RSDT is all that can be trusted). Returns 0, -EFAULT or -EINVAL.
 */
static int acpi_rsdp_read(struct acpi_tables *t, uint64_t phys, uint64_t *rsdt, uint64_t *xsdt)
{
	const uint8_t *p = acpi_map(&t->mem, phys, RSDP_V1_LEN);
	uint32_t len;
	int i;

	if (!p) {
		acpi_error(t, phys, -EFAULT, "acpi: RSDP at %#llx unreachable",
		           (unsigned long long)phys);
		return -EFAULT;
	}
	if (!acpi_rsdp_v1_ok(p)) {
		acpi_error(t, phys, -EINVAL, "acpi: RSDP signature or checksum bad");
		return -EINVAL;
	}
	t->rsdp_revision = p[RSDP_REVISION];
	for (i = 0; i < 6; i++)
		t->oem_id[i] = acpi_printable(p[RSDP_OEM_ID + i]);
	*rsdt = acpi_rd32(p + RSDP_RSDT);
	*xsdt = 0;
	if (t->rsdp_revision < 2)
		return 0;

	p = acpi_map(&t->mem, phys, RSDP_V2_LEN);
	if (!p) {
		acpi_error(t, phys, -EFAULT,
		           "acpi: RSDP extended part unreachable, using the RSDT");
		return 0;
	}
	len = acpi_rd32(p + RSDP_LENGTH);
	if (len < RSDP_V2_LEN || len > RSDP_MAX_LEN) {
		acpi_error(t, phys, -EINVAL, "acpi: RSDP length %u bad, using the RSDT", len);
		return 0;
	}
	p = acpi_map(&t->mem, phys, len);
	if (!p) {
		acpi_error(t, phys, -EFAULT, "acpi: RSDP length %u runs past reachable memory",
		           len);
		return 0;
	}
	if (acpi_checksum(p, len) != 0) {
		acpi_error(t, phys, -EINVAL, "acpi: RSDP extended checksum bad, using the RSDT");
		return 0;
	}
	*xsdt = acpi_rd64(p + RSDP_XSDT);
	return 0;
}

/*
 * Check the table at @phys: reachable, signature @want (unless NULL), a
 * length from the header size to ACPI_TABLE_MAX_LEN that is reachable too,
 * and a zero checksum. Fills @ref and returns 0, else records why in @t
 * and returns -EFAULT or -EINVAL.
 */
static int acpi_check_table(struct acpi_tables *t, uint64_t phys, const char *want,
                            struct acpi_table_ref *ref)
{
	const uint8_t *p = acpi_map(&t->mem, phys, ACPI_HEADER_LEN);
	uint32_t len;
	char sig[5];

	if (!p) {
		acpi_error(t, phys, -EFAULT, "acpi: %s at %#llx unreachable", want ? want : "table",
		           (unsigned long long)phys);
		return -EFAULT;
	}
	acpi_sig_copy(sig, p);
	if (want && !acpi_sig_is(p, want)) {
		acpi_error(t, phys, -EINVAL, "acpi: %s expected at %#llx, found \"%s\"", want,
		           (unsigned long long)phys, sig);
		return -EINVAL;
	}
	len = acpi_rd32(p + ACPI_HDR_LENGTH);
	if (len < ACPI_HEADER_LEN || len > ACPI_TABLE_MAX_LEN) {
		acpi_error(t, phys, -EINVAL, "acpi: %s length %u out of range", sig, len);
		return -EINVAL;
	}
	ref->revision = p[ACPI_HDR_REVISION];
	p = acpi_map(&t->mem, phys, len);
	if (!p) {
		acpi_error(t, phys, -EFAULT, "acpi: %s length %u runs past reachable memory", sig,
		           len);
		return -EFAULT;
	}
	if (acpi_checksum(p, len) != 0) {
		acpi_error(t, phys, -EINVAL, "acpi: %s checksum bad", sig);
		return -EINVAL;
	}
	acpi_sig_copy(ref->sig, p);
	ref->length = len;
	ref->phys = phys;
	return 0;
}

/* Check the FACS at @phys (5.2.10): it has a signature and length but no checksum. */
static int acpi_check_facs(struct acpi_tables *t, uint64_t phys, struct acpi_table_ref *ref)
{
	const uint8_t *p = acpi_map(&t->mem, phys, 8);
	uint32_t len;

	if (!p) {
		acpi_error(t, phys, -EFAULT, "acpi: FACS at %#llx unreachable",
		           (unsigned long long)phys);
		return -EFAULT;
	}
	len = acpi_rd32(p + ACPI_HDR_LENGTH);
	if (!acpi_sig_is(p, "FACS") || len < FACS_MIN_LEN || len > ACPI_TABLE_MAX_LEN) {
		acpi_error(t, phys, -EINVAL, "acpi: FACS signature or length bad");
		return -EINVAL;
	}
	p = acpi_map(&t->mem, phys, len);
	if (!p) {
		acpi_error(t, phys, -EFAULT, "acpi: FACS length %u runs past reachable memory",
		           len);
		return -EFAULT;
	}
	acpi_sig_copy(ref->sig, p);
	ref->revision = p[FACS_VERSION];
	ref->length = len;
	ref->phys = phys;
	return 0;
}

static bool acpi_listed(const struct acpi_tables *t, uint64_t phys)
{
	size_t i;

	for (i = 0; i < t->ntables; i++) {
		if (t->tables[i].phys == phys)
			return true;
	}
	return false;
}

/* Append a checked table, or say why there is no room. */
static void acpi_add(struct acpi_tables *t, const struct acpi_table_ref *ref)
{
	if (t->ntables == ACPI_MAX_TABLES) {
		acpi_error(t, ref->phys, -ENOSPC, "acpi: more than %d tables, %s ignored",
		           ACPI_MAX_TABLES, ref->sig);
		return;
	}
	t->tables[t->ntables++] = *ref;
}

/* List the good tables named by the root table @root (entries @width bytes wide). */
static void acpi_walk_root(struct acpi_tables *t, const struct acpi_table_ref *root, size_t width)
{
	const uint8_t *p = acpi_map(&t->mem, root->phys, root->length);
	size_t n, i;

	if (!p)
		return;
	n = (root->length - ACPI_HEADER_LEN) / width;
	if ((root->length - ACPI_HEADER_LEN) % width)
		acpi_error(t, root->phys, -EINVAL, "acpi: %s length leaves a partial entry",
		           root->sig);
	for (i = 0; i < n; i++) {
		const uint8_t *e = p + ACPI_HEADER_LEN + i * width;
		uint64_t addr = width == 8 ? acpi_rd64(e) : acpi_rd32(e);
		struct acpi_table_ref ref;

		if (addr == 0) {
			acpi_error(t, root->phys, -EINVAL, "acpi: %s entry %zu is null", root->sig,
			           i);
			continue;
		}
		if (acpi_listed(t, addr))
			continue;
		if (acpi_check_table(t, addr, NULL, &ref) == 0)
			acpi_add(t, &ref);
	}
}

/* Add the DSDT and FACS the FADT points to (5.2.9: X_ fields win when nonzero). */
static void acpi_add_fadt_tables(struct acpi_tables *t)
{
	const struct acpi_table_ref *facp;
	struct acpi_fadt_info fadt;
	struct acpi_table_ref ref;
	const uint8_t *p;
	const char *why;
	int err;

	p = acpi_get_table(t, "FACP", &facp, &err);
	if (!p)
		return;
	err = acpi_fadt_parse(p, facp->length, &fadt, &why);
	if (err) {
		acpi_error(t, facp->phys, err, "acpi: FACP %s", why);
		return;
	}
	/* Checked even when the root listed them too, so a pointer to another table is caught. */
	if (fadt.dsdt && acpi_check_table(t, fadt.dsdt, "DSDT", &ref) == 0 &&
	    !acpi_listed(t, ref.phys))
		acpi_add(t, &ref);
	if (fadt.facs && acpi_check_facs(t, fadt.facs, &ref) == 0 && !acpi_listed(t, ref.phys))
		acpi_add(t, &ref);
}

int acpi_init(struct acpi_tables *t, const struct acpi_mem *mem, uint64_t rsdp_phys)
{
	struct acpi_table_ref root;
	uint64_t rsdt, xsdt;
	int err;

	*t = (struct acpi_tables){ .mem = *mem, .rsdp_phys = rsdp_phys };
	err = acpi_rsdp_read(t, rsdp_phys, &rsdt, &xsdt);
	if (err)
		return err;

	if (xsdt && acpi_check_table(t, xsdt, "XSDT", &root) == 0) {
		t->xsdt = true;
	} else if (rsdt && acpi_check_table(t, rsdt, "RSDT", &root) == 0) {
		t->xsdt = false;
	} else {
		acpi_error(t, rsdp_phys, -EINVAL, "acpi: no usable RSDT or XSDT");
		return -EINVAL;
	}
	t->root_phys = root.phys;
	acpi_walk_root(t, &root, t->xsdt ? 8 : 4);
	acpi_add_fadt_tables(t);
	return 0;
}

const struct acpi_table_ref *acpi_find_table(const struct acpi_tables *t, const char *sig,
                                             unsigned int instance)
{
	size_t i;

	for (i = 0; i < t->ntables; i++) {
		const struct acpi_table_ref *ref = &t->tables[i];

		if (acpi_sig_is((const uint8_t *)ref->sig, sig) && instance-- == 0)
			return ref;
	}
	return NULL;
}

const void *acpi_map_table(const struct acpi_tables *t, const struct acpi_table_ref *ref)
{
	return acpi_map(&t->mem, ref->phys, ref->length);
}

const uint8_t *acpi_get_table(struct acpi_tables *t, const char *sig,
                              const struct acpi_table_ref **ref, int *err)
{
	const uint8_t *p;

	*ref = acpi_find_table(t, sig, 0);
	if (!*ref) {
		*err = -ENOENT;
		return NULL;
	}
	p = acpi_map_table(t, *ref);
	if (!p) {
		acpi_error(t, (*ref)->phys, -EFAULT, "acpi: %s unreachable", (*ref)->sig);
		*err = -EFAULT;
		return NULL;
	}
	*err = 0;
	return p;
}

int acpi_get_parsed(struct acpi_tables *t, const char *sig, acpi_parse_fn parse, void *out,
                    size_t out_bytes)
{
	const struct acpi_table_ref *ref;
	const uint8_t *p;
	const char *why;
	int err;

	acpi_zero(out, out_bytes);
	p = acpi_get_table(t, sig, &ref, &err);
	if (!p)
		return err;
	err = parse(p, ref->length, out, &why);
	if (err)
		acpi_error(t, ref->phys, err, "acpi: %s %s", sig, why);
	return err;
}

int acpi_parse_fail(const char **why, const char *msg)
{
	if (why)
		*why = msg;
	return -EINVAL;
}

void acpi_zero(void *p, size_t len)
{
	uint8_t *b = p;

	while (len--)
		*b++ = 0;
}
