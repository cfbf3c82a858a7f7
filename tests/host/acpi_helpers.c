/* SPDX-License-Identifier: MIT */
/*
 * The fake physical memory the host tests of lib/acpi read tables from, the
 * dumps it is loaded with and the checksum fixes after an edit
 * (tests/host/acpi_helpers.h).
 */
#include "acpi_helpers.h"

#include <cairn/errno.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

const void *fake_map(void *ctx, uint64_t phys, size_t len)
{
	struct fake_mem *m = ctx;
	size_t i;

	for (i = 0; i < m->n; i++) {
		struct region *r = &m->r[i];

		if (phys >= r->phys && phys - r->phys <= r->len && len <= r->len - (phys - r->phys))
			return r->data + (phys - r->phys);
	}
	return NULL;
}

static void fake_report(void *ctx, const char *msg)
{
	struct fake_mem *m = ctx;

	m->reports++;
	snprintf(m->last_report, sizeof(m->last_report), "%s", msg);
}

struct acpi_mem mem_of(struct fake_mem *m)
{
	struct acpi_mem mem = { .ctx = m, .map = fake_map, .report = fake_report };
	return mem;
}

struct region *add_region(struct fake_mem *m, uint64_t phys, const void *data, size_t len,
                          const char *name)
{
	struct region *r;

	assert_true(m->n < MAX_REGIONS);
	r = &m->r[m->n++];
	r->phys = phys;
	r->len = len;
	r->data = malloc(len ? len : 1);
	assert_non_null(r->data);
	if (data)
		memcpy(r->data, data, len);
	else
		memset(r->data, 0, len);
	snprintf(r->name, sizeof(r->name), "%s", name);
	return r;
}

void shrink(struct region *r, size_t len)
{
	r->data = realloc(r->data, len);
	assert_non_null(r->data);
	r->len = len;
}

void fake_free(struct fake_mem *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->r[i].data);
	m->n = 0;
}

void fake_clone(struct fake_mem *dst, const struct fake_mem *src)
{
	size_t i;

	memset(dst, 0, sizeof(*dst));
	for (i = 0; i < src->n; i++)
		add_region(dst, src->r[i].phys, src->r[i].data, src->r[i].len, src->r[i].name);
	dst->smp = src->smp;
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long size;

	if (!f)
		fail_msg("cannot open %s (run the tests from the repository root)", path);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(size ? (size_t)size : 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	*len = (size_t)size;
	return buf;
}

void load_dump(struct fake_mem *m, const char *dir)
{
	char path[256], line[256], file[64];
	unsigned long long phys;
	FILE *f;

	memset(m, 0, sizeof(*m));
	snprintf(path, sizeof(path), DATA "%s/index.txt", dir);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s (run the tests from the repository root)", path);
	while (fgets(line, sizeof(line), f)) {
		size_t len;
		uint8_t *data;

		if (sscanf(line, "# smp: %d", &m->smp) == 1 || line[0] == '#')
			continue;
		if (sscanf(line, "%llx %63s", &phys, file) != 2)
			continue;
		snprintf(path, sizeof(path), DATA "%s/%s", dir, file);
		data = read_file(path, &len);
		add_region(m, phys, data, len, file);
		free(data);
	}
	fclose(f);
	assert_true(m->n > 0);
}

struct region *region_named(struct fake_mem *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		if (strcmp(m->r[i].name, name) == 0)
			return &m->r[i];
	}
	fail_msg("no region %s", name);
	return NULL;
}

uint8_t sum8(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s = (uint8_t)(s + *p++);
	return s;
}

uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

void wr64(uint8_t *p, uint64_t v)
{
	wr32(p, (uint32_t)v);
	wr32(p + 4, (uint32_t)(v >> 32));
}

void fix_table(struct region *r)
{
	size_t len;

	if (r->len < ACPI_HEADER_LEN)
		return;
	len = rd32(r->data + 4);
	if (len > r->len)
		len = r->len;
	if (len < 10)
		return;
	r->data[9] = 0;
	r->data[9] = (uint8_t)-sum8(r->data, len);
}

void fix_rsdp(struct region *r)
{
	uint32_t len;

	if (r->len < 20)
		return;
	r->data[8] = 0;
	r->data[8] = (uint8_t)-sum8(r->data, 20);
	if (r->len < 36)
		return;
	len = rd32(r->data + 20);
	if (len > r->len || len < 33)
		return;
	r->data[32] = 0;
	r->data[32] = (uint8_t)-sum8(r->data, len);
}

void fix_all(struct fake_mem *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		if (strcmp(m->r[i].name, "rsdp.bin") == 0)
			fix_rsdp(&m->r[i]);
		else if (strncmp(m->r[i].name, "FACS", 4) != 0)
			fix_table(&m->r[i]);
	}
}

bool has_error(const struct acpi_tables *t, const char *text)
{
	size_t i;

	for (i = 0; i < t->nerrors && i < ACPI_MAX_ERRORS; i++) {
		if (strstr(t->errors[i].msg, text))
			return true;
	}
	return false;
}

void print_errors(const struct acpi_tables *t)
{
	size_t i;

	for (i = 0; i < t->nerrors && i < ACPI_MAX_ERRORS; i++)
		print_message("  %s\n", t->errors[i].msg);
}

void init_dump(struct fake_mem *m, struct acpi_tables *t, const char *dir)
{
	struct acpi_mem mem;

	load_dump(m, dir);
	mem = mem_of(m);
	assert_int_equal(acpi_init(t, &mem, region_named(m, "rsdp.bin")->phys), 0);
}

uint8_t *load_table(const char *name, size_t *len)
{
	char path[256];

	snprintf(path, sizeof(path), DATA "%s", name);
	return read_file(path, len);
}

const struct dump_facts dumps[NDUMPS] = {
	{ "q35-seabios", 0, false, 7, 3, 244, 0x02, true, true, true, 0x600 },
	{ "pc-seabios", 0, false, 6, 1, 116, 0xf1, false, false, false, 0x600 },
	{ "q35-ovmf", 2, true, 7, 3, 244, 0x02, true, true, true, 0x600 },
	/* OVMF programs the PIIX4 PM base to 0xb000 before QEMU builds the FADT. */
	{ "pc-ovmf", 2, true, 6, 1, 116, 0xf1, false, false, false, 0xb000 },
};

void assert_io(const struct acpi_gas *g, uint64_t port, unsigned int bits)
{
	assert_int_equal(g->space_id, ACPI_GAS_IO);
	assert_int_equal(g->address, port);
	assert_int_equal(g->bit_width, bits);
}
