/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/acpi. The tables are real: dumps of what QEMU 7.2
 * gives a guest under SeaBIOS and OVMF on q35 and pc (tests/data/acpi/,
 * made by tools/acpi-dump.sh), served back at their physical addresses by
 * a fake map(), plus iasl-compiled tables for the cases QEMU does not
 * show (x2APIC, a full FADT, odd AML encodings). Every region is its own
 * exact-size heap block, so ASan sees any read past a table. Then come
 * hand-made corruptions and a seeded random-mutation loop.
 */
#include <cairn/errno.h>

#include <lib/acpi/acpi.h>

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

#define DATA        "tests/data/acpi/"
#define MAX_REGIONS 96

/* ---- fake physical memory ---- */

struct region {
	uint64_t phys;
	size_t len;
	uint8_t *data; /* exactly len bytes */
	char name[32];
};

struct fake_mem {
	size_t n;
	struct region r[MAX_REGIONS];
	unsigned int reports; /* calls to the report callback */
	char last_report[ACPI_ERROR_LEN];
	int smp; /* "# smp:" from index.txt */
};

static const void *fake_map(void *ctx, uint64_t phys, size_t len)
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

static struct acpi_mem mem_of(struct fake_mem *m)
{
	struct acpi_mem mem = { .ctx = m, .map = fake_map, .report = fake_report };
	return mem;
}

static struct region *add_region(struct fake_mem *m, uint64_t phys, const void *data, size_t len,
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

/* Cut a region to @len bytes, reallocated so ASan guards the new end. */
static void shrink(struct region *r, size_t len)
{
	r->data = realloc(r->data, len);
	assert_non_null(r->data);
	r->len = len;
}

static void fake_free(struct fake_mem *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->r[i].data);
	m->n = 0;
}

static void fake_clone(struct fake_mem *dst, const struct fake_mem *src)
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

/*
 * Load a dump directory: index.txt holds "<phys> <file>" lines, and
 * "# key: value" notes of which the test reads "smp".
 */
static void load_dump(struct fake_mem *m, const char *dir)
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

static struct region *region_named(struct fake_mem *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		if (strcmp(m->r[i].name, name) == 0)
			return &m->r[i];
	}
	fail_msg("no region %s", name);
	return NULL;
}

static uint8_t sum8(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s = (uint8_t)(s + *p++);
	return s;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void wr64(uint8_t *p, uint64_t v)
{
	wr32(p, (uint32_t)v);
	wr32(p + 4, (uint32_t)(v >> 32));
}

/* Make a table's checksum good again over min(header length, region). */
static void fix_table(struct region *r)
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

/* Make both RSDP checksums good again. */
static void fix_rsdp(struct region *r)
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

static void fix_all(struct fake_mem *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		if (strcmp(m->r[i].name, "rsdp.bin") == 0)
			fix_rsdp(&m->r[i]);
		else if (strncmp(m->r[i].name, "FACS", 4) != 0)
			fix_table(&m->r[i]);
	}
}

static bool has_error(const struct acpi_tables *t, const char *text)
{
	size_t i;

	for (i = 0; i < t->nerrors && i < ACPI_MAX_ERRORS; i++) {
		if (strstr(t->errors[i].msg, text))
			return true;
	}
	return false;
}

static void print_errors(const struct acpi_tables *t)
{
	size_t i;

	for (i = 0; i < t->nerrors && i < ACPI_MAX_ERRORS; i++)
		print_message("  %s\n", t->errors[i].msg);
}

/* Load @dir and run acpi_init on it, expecting success. */
static void init_dump(struct fake_mem *m, struct acpi_tables *t, const char *dir)
{
	struct acpi_mem mem;

	load_dump(m, dir);
	mem = mem_of(m);
	assert_int_equal(acpi_init(t, &mem, region_named(m, "rsdp.bin")->phys), 0);
}

/* A whole table image from tests/data/acpi in an exact-size buffer. */
static uint8_t *load_table(const char *name, size_t *len)
{
	char path[256];

	snprintf(path, sizeof(path), DATA "%s", name);
	return read_file(path, len);
}

/* ---- the real dumps ---- */

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

static const struct dump_facts dumps[] = {
	{ "q35-seabios", 0, false, 7, 3, 244, 0x02, true, true, true, 0x600 },
	{ "pc-seabios", 0, false, 6, 1, 116, 0xf1, false, false, false, 0x600 },
	{ "q35-ovmf", 2, true, 7, 3, 244, 0x02, true, true, true, 0x600 },
	/* OVMF programs the PIIX4 PM base to 0xb000 before QEMU builds the FADT. */
	{ "pc-ovmf", 2, true, 6, 1, 116, 0xf1, false, false, false, 0xb000 },
};

/* Each dump: the RSDP, the root table, and every table found with no error. */
static void test_dump_tables(void **state)
{
	size_t d, i;

	(void)state;
	for (d = 0; d < sizeof(dumps) / sizeof(dumps[0]); d++) {
		const struct dump_facts *f = &dumps[d];
		struct fake_mem m;
		struct acpi_tables t;
		const char *sigs[] = { "FACP", "APIC", "HPET", "WAET", "DSDT", "FACS" };

		init_dump(&m, &t, f->dir);
		print_errors(&t);
		assert_int_equal(t.nerrors, 0);
		assert_int_equal(m.reports, 0);
		assert_int_equal(t.rsdp_revision, f->rsdp_revision);
		assert_int_equal(t.xsdt, f->xsdt);
		assert_string_equal(t.oem_id, "BOCHS ");
		assert_int_equal(t.root_phys,
		                 region_named(&m, f->xsdt ? "XSDT.bin" : "RSDT.bin")->phys);
		assert_int_equal(t.ntables, f->ntables);
		for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
			char file[16];
			const struct acpi_table_ref *ref = acpi_find_table(&t, sigs[i], 0);

			snprintf(file, sizeof(file), "%s.bin", sigs[i]);
			assert_non_null(ref);
			assert_int_equal(ref->phys, region_named(&m, file)->phys);
			assert_int_equal(ref->length, region_named(&m, file)->len);
			assert_ptr_equal(acpi_map_table(&t, ref), region_named(&m, file)->data);
			assert_null(acpi_find_table(&t, sigs[i], 1));
		}
		assert_int_equal(acpi_find_table(&t, "MCFG", 0) != NULL, f->mcfg);
		assert_null(acpi_find_table(&t, "SSDT", 0));
		assert_int_equal(acpi_find_table(&t, "FACS", 0)->length, 64);
		fake_free(&m);
	}
}

/* QEMU's MADT is the same on every machine and firmware: -smp CPUs, one I/O APIC, 5 overrides. */
static void test_dump_madt(void **state)
{
	static const uint8_t irqs[] = { 0, 5, 9, 10, 11 };
	size_t d, i;

	(void)state;
	for (d = 0; d < sizeof(dumps) / sizeof(dumps[0]); d++) {
		struct fake_mem m;
		struct acpi_tables t;
		struct acpi_madt_info *mi = malloc(sizeof(*mi));

		assert_non_null(mi);
		init_dump(&m, &t, dumps[d].dir);
		assert_int_equal(acpi_get_madt(&t, mi), 0);
		assert_int_equal(m.smp, 2);
		assert_int_equal(mi->ncpus, (uint32_t)m.smp);
		for (i = 0; i < mi->ncpus; i++) {
			assert_int_equal(mi->cpus[i].apic_id, i);
			assert_int_equal(mi->cpus[i].uid, i);
			assert_true(mi->cpus[i].enabled);
			assert_false(mi->cpus[i].online_capable);
			assert_false(mi->cpus[i].x2apic);
		}
		assert_int_equal(mi->lapic_address, 0xfee00000);
		assert_false(mi->lapic_override);
		assert_true(mi->pcat_compat);
		assert_int_equal(mi->nioapics, 1);
		assert_int_equal(mi->ioapics[0].id, 0);
		assert_int_equal(mi->ioapics[0].address, 0xfec00000);
		assert_int_equal(mi->ioapics[0].gsi_base, 0);
		assert_int_equal(mi->noverrides, 5);
		for (i = 0; i < 5; i++) {
			const struct acpi_irq_override *o = &mi->overrides[i];

			assert_int_equal(o->bus, 0);
			assert_int_equal(o->irq, irqs[i]);
			/* The timer: IRQ0 -> GSI 2, bus defaults; the PCI links: active high, level. */
			assert_int_equal(o->gsi, i == 0 ? 2 : irqs[i]);
			assert_int_equal(o->flags.raw, i == 0 ? 0 : 0xd);
			assert_int_equal(o->flags.polarity,
			                 i == 0 ? ACPI_POLARITY_BUS : ACPI_POLARITY_HIGH);
			assert_int_equal(o->flags.trigger,
			                 i == 0 ? ACPI_TRIGGER_BUS : ACPI_TRIGGER_LEVEL);
			assert_false(o->flags.active_low);
			assert_int_equal(o->flags.level, i != 0);
		}
		assert_int_equal(mi->nnmi_sources, 0);
		assert_int_equal(mi->nlapic_nmis, 1);
		assert_true(mi->lapic_nmis[0].all_cpus);
		assert_int_equal(mi->lapic_nmis[0].lint, 1);
		assert_int_equal(mi->dropped, 0);
		assert_int_equal(mi->ignored_cpus, 0);
		fake_free(&m);
		free(mi);
	}
}

static void assert_io(const struct acpi_gas *g, uint64_t port, unsigned int bits)
{
	assert_int_equal(g->space_id, ACPI_GAS_IO);
	assert_int_equal(g->address, port);
	assert_int_equal(g->bit_width, bits);
}

static void test_dump_fadt(void **state)
{
	size_t d;

	(void)state;
	for (d = 0; d < sizeof(dumps) / sizeof(dumps[0]); d++) {
		const struct dump_facts *f = &dumps[d];
		struct fake_mem m;
		struct acpi_tables t;
		struct acpi_fadt_info fi;

		init_dump(&m, &t, f->dir);
		assert_int_equal(acpi_get_fadt(&t, &fi), 0);
		assert_int_equal(fi.revision, f->fadt_revision);
		assert_int_equal(fi.length, f->fadt_length);
		assert_int_equal(fi.dsdt, region_named(&m, "DSDT.bin")->phys);
		assert_int_equal(fi.facs, region_named(&m, "FACS.bin")->phys);
		assert_int_equal(fi.sci_irq, 9);
		assert_int_equal(fi.smi_cmd, 0xb2);
		assert_int_equal(fi.acpi_enable, f->acpi_enable);
		assert_io(&fi.pm1a_evt, f->pm_base, 32);
		assert_io(&fi.pm1a_cnt, f->pm_base + 4u, 16);
		assert_io(&fi.pm_tmr, f->pm_base + 8u, 32);
		assert_int_equal(fi.pm1b_evt.address, 0);
		assert_int_equal(fi.pm1b_cnt.address, 0);
		assert_int_equal(fi.century, 0x32);
		assert_false(fi.hw_reduced);
		assert_int_equal(fi.boot_flags_valid, f->boot_flags_valid);
		/* q35 says "8042 present"; pc's revision 1 FADT has no flags, so it is assumed. */
		assert_int_equal(fi.boot_flags, f->boot_flags_valid ? ACPI_BOOT_8042 : 0);
		assert_true(fi.has_8042);
		assert_false(fi.no_vga);
		assert_false(fi.no_cmos_rtc);
		assert_int_equal(fi.reset_valid, f->reset_valid);
		if (f->reset_valid) {
			/* ICH9 reset control register; QEMU 7.2 asks for 0x0f (full reset). */
			assert_io(&fi.reset_reg, 0xcf9, 8);
			assert_int_equal(fi.reset_value, 0x0f);
			assert_true(fi.flags & ACPI_FADT_RESET_REG_SUP);
		} else {
			assert_int_equal(fi.reset_reg.address, 0);
		}
		fake_free(&m);
	}
}

static void test_dump_hpet_mcfg(void **state)
{
	size_t d;

	(void)state;
	for (d = 0; d < sizeof(dumps) / sizeof(dumps[0]); d++) {
		struct fake_mem m;
		struct acpi_tables t;
		struct acpi_hpet_info h;
		struct acpi_mcfg_info mc;

		init_dump(&m, &t, dumps[d].dir);
		assert_int_equal(acpi_get_hpet(&t, &h), 0);
		assert_int_equal(h.base.space_id, ACPI_GAS_MEMORY);
		assert_int_equal(h.base.address, 0xfed00000);
		assert_int_equal(h.block_id, 0x8086a201);
		assert_int_equal(h.vendor_id, 0x8086);
		assert_int_equal(h.hw_rev, 1);
		assert_int_equal(h.comparators, 3);
		assert_true(h.counter_64bit);
		assert_true(h.legacy_capable);
		assert_int_equal(h.number, 0);
		assert_int_equal(h.min_tick, 0);
		if (dumps[d].mcfg) {
			assert_int_equal(acpi_get_mcfg(&t, &mc), 0);
			assert_int_equal(mc.count, 1);
			assert_int_equal(mc.seg[0].base, 0xb0000000);
			assert_int_equal(mc.seg[0].segment, 0);
			assert_int_equal(mc.seg[0].bus_start, 0);
			assert_int_equal(mc.seg[0].bus_end, 255);
		} else {
			assert_int_equal(acpi_get_mcfg(&t, &mc), -ENOENT);
			assert_int_equal(mc.count, 0);
		}
		assert_int_equal(t.nerrors, 0);
		fake_free(&m);
	}
}

/* QEMU's DSDTs: \_S3 {1, 1}, \_S4 {2, 2}, \_S5 {0, 0} on both PIIX4 and ICH9. */
static void test_dump_sleep(void **state)
{
	static const uint64_t want[6] = { 0, 0, 0, 1, 2, 0 };
	size_t d;
	unsigned int s;

	(void)state;
	for (d = 0; d < sizeof(dumps) / sizeof(dumps[0]); d++) {
		struct fake_mem m;
		struct acpi_tables t;
		struct acpi_sleep_type st;

		init_dump(&m, &t, dumps[d].dir);
		for (s = 3; s <= 5; s++) {
			assert_int_equal(acpi_get_sleep_type(&t, s, &st), 0);
			assert_int_equal(st.slp_typa, want[s]);
			assert_int_equal(st.slp_typb, want[s]);
		}
		/* QEMU declares no \_S1 or \_S2. */
		assert_int_equal(acpi_get_sleep_type(&t, 1, &st), -ENOENT);
		assert_int_equal(acpi_get_sleep_type(&t, 2, &st), -ENOENT);
		assert_int_equal(acpi_get_sleep_type(&t, 6, &st), -ERANGE);
		assert_int_equal(t.nerrors, 0);
		fake_free(&m);
	}
}

/* SeaBIOS puts the RSDP in the BIOS area, where acpi_rsdp_scan() must find it (5.2.5.1). */
static void test_rsdp_scan(void **state)
{
	struct fake_mem m, bios = { 0 };
	struct acpi_mem mem = mem_of(&bios);
	struct region *rsdp, *area;
	uint64_t phys = 0;

	(void)state;
	load_dump(&m, "q35-seabios");
	rsdp = region_named(&m, "rsdp.bin");
	area = add_region(&bios, 0xe0000, NULL, 0x20000, "bios");
	/* A decoy with the signature but a bad checksum comes first. */
	memcpy(area->data + 0x100, rsdp->data, rsdp->len);
	area->data[0x100 + 8] ^= 1;
	memcpy(area->data + (rsdp->phys - 0xe0000), rsdp->data, rsdp->len);
	assert_int_equal(acpi_rsdp_scan(&mem, 0xe0000, 0x20000, &phys), 0);
	assert_int_equal(phys, rsdp->phys);
	/* Not on a 16-byte boundary: not an RSDP. */
	memset(area->data, 0, area->len);
	memcpy(area->data + 0x208, rsdp->data, rsdp->len);
	assert_int_equal(acpi_rsdp_scan(&mem, 0xe0000, 0x20000, &phys), -ENOENT);
	/* The scan runs to the very end of the range and no further. */
	memcpy(area->data + area->len - 32, rsdp->data, rsdp->len);
	assert_int_equal(acpi_rsdp_scan(&mem, 0xe0000, 0x20000, &phys), 0);
	assert_int_equal(phys, 0x100000 - 32);
	assert_int_equal(acpi_rsdp_scan(&mem, 0xe0000, 0x20001, &phys), -EFAULT);
	fake_free(&bios);
	fake_free(&m);
}

/* ---- iasl-compiled tables ---- */

static void test_iasl_madt_x2apic(void **state)
{
	struct acpi_madt_info *mi = malloc(sizeof(*mi));
	const char *why = NULL;
	uint8_t *tbl;
	size_t len;

	(void)state;
	assert_non_null(mi);
	tbl = load_table("iasl/madt-x2apic.aml", &len);
	assert_int_equal(acpi_madt_parse(tbl, len, mi, &why), 0);
	assert_int_equal(mi->ncpus, 4);
	assert_int_equal(mi->ignored_cpus, 2);
	assert_int_equal(mi->cpus[0].apic_id, 0);
	assert_true(mi->cpus[0].enabled);
	assert_int_equal(mi->cpus[1].apic_id, 2);
	assert_int_equal(mi->cpus[1].uid, 2);
	assert_false(mi->cpus[1].enabled);
	assert_true(mi->cpus[1].online_capable);
	assert_int_equal(mi->cpus[2].apic_id, 0x100);
	assert_int_equal(mi->cpus[2].uid, 3);
	assert_true(mi->cpus[2].x2apic);
	assert_true(mi->cpus[2].enabled);
	assert_int_equal(mi->cpus[3].apic_id, 0x102);
	assert_int_equal(mi->cpus[3].uid, 5);

	assert_int_equal(mi->nioapics, 2);
	assert_int_equal(mi->ioapics[1].id, 1);
	assert_int_equal(mi->ioapics[1].address, 0xfec01000);
	assert_int_equal(mi->ioapics[1].gsi_base, 24);

	assert_int_equal(mi->noverrides, 4);
	assert_int_equal(mi->overrides[0].gsi, 2);
	assert_false(mi->overrides[0].flags.active_low);
	assert_false(mi->overrides[0].flags.level);
	assert_false(mi->overrides[1].flags.active_low);
	assert_true(mi->overrides[1].flags.level);
	assert_int_equal(mi->overrides[2].irq, 10);
	assert_int_equal(mi->overrides[2].gsi, 20);
	assert_int_equal(mi->overrides[2].flags.polarity, ACPI_POLARITY_LOW);
	assert_true(mi->overrides[2].flags.active_low);
	assert_true(mi->overrides[2].flags.level);
	assert_int_equal(mi->overrides[3].flags.trigger, ACPI_TRIGGER_EDGE);
	assert_true(mi->overrides[3].flags.active_low);
	assert_false(mi->overrides[3].flags.level);

	assert_int_equal(mi->nnmi_sources, 1);
	assert_int_equal(mi->nmi_sources[0].gsi, 0x17);
	assert_true(mi->nmi_sources[0].flags.level);

	assert_int_equal(mi->nlapic_nmis, 3);
	assert_true(mi->lapic_nmis[0].all_cpus);
	assert_int_equal(mi->lapic_nmis[0].lint, 1);
	assert_int_equal(mi->lapic_nmis[0].flags.trigger, ACPI_TRIGGER_EDGE);
	assert_true(mi->lapic_nmis[1].all_cpus);
	assert_int_equal(mi->lapic_nmis[1].uid, 0xffffffff);
	assert_false(mi->lapic_nmis[2].all_cpus);
	assert_int_equal(mi->lapic_nmis[2].uid, 3);
	assert_int_equal(mi->lapic_nmis[2].lint, 0);
	assert_true(mi->lapic_nmis[2].flags.active_low);

	assert_true(mi->lapic_override);
	assert_int_equal(mi->lapic_address, 0xfee80000);
	assert_true(mi->pcat_compat);

	/* iasl cannot mark an x2APIC entry online-capable: patch the last CPU's flags. */
	assert_int_equal(rd32(tbl + 0xd6), 1);
	wr32(tbl + 0xd6, 2);
	assert_int_equal(acpi_madt_parse(tbl, len, mi, &why), 0);
	assert_false(mi->cpus[3].enabled);
	assert_true(mi->cpus[3].online_capable);
	/* Bit 1 is reserved when the CPU is enabled: enabled wins. */
	wr32(tbl + 0xd6, 3);
	assert_int_equal(acpi_madt_parse(tbl, len, mi, &why), 0);
	assert_true(mi->cpus[3].enabled);
	assert_false(mi->cpus[3].online_capable);
	free(tbl);
	free(mi);
}

static void test_iasl_fadt(void **state)
{
	struct acpi_fadt_info fi;
	const char *why = NULL;
	uint8_t *tbl;
	size_t len;

	(void)state;
	tbl = load_table("iasl/fadt-reset.aml", &len);
	assert_int_equal(len, 276);
	assert_int_equal(acpi_fadt_parse(tbl, len, &fi, &why), 0);
	assert_int_equal(fi.revision, 6);
	assert_true(fi.reset_valid);
	assert_io(&fi.reset_reg, 0xcf9, 8);
	assert_int_equal(fi.reset_reg.access_size, 1);
	assert_int_equal(fi.reset_value, 6);
	/* X_PM1a_CNT_BLK (0x1804) wins over PM1a_CNT_BLK (0x604)... */
	assert_io(&fi.pm1a_cnt, 0x1804, 16);
	/* ...but a zero X_PM1b_CNT_BLK leaves the 32-bit block, sized by PM1_CNT_LEN. */
	assert_io(&fi.pm1b_cnt, 0x704, 16);
	assert_int_equal(fi.dsdt, 0x123456000ull);
	assert_int_equal(fi.facs, 0x7fd000);
	assert_int_equal(fi.boot_flags, ACPI_BOOT_8042 | ACPI_BOOT_NO_VGA | ACPI_BOOT_NO_CMOS_RTC);
	assert_true(fi.has_8042);
	assert_true(fi.no_vga);
	assert_true(fi.no_cmos_rtc);
	assert_int_equal(fi.century, 0x32);
	assert_int_equal(fi.sci_irq, 9);
	assert_int_equal(fi.acpi_enable, 0xf1);
	assert_int_equal(fi.acpi_disable, 0xf0);
	assert_false(fi.hw_reduced);
	assert_int_equal(fi.sleep_control.address, 0);

	/* Without RESET_REG_SUP the register is not offered. */
	tbl[112 + 1] &= (uint8_t) ~(ACPI_FADT_RESET_REG_SUP >> 8);
	assert_int_equal(acpi_fadt_parse(tbl, len, &fi, &why), 0);
	assert_false(fi.reset_valid);
	/* HW_REDUCED_ACPI. */
	tbl[112 + 2] |= ACPI_FADT_HW_REDUCED >> 16;
	assert_int_equal(acpi_fadt_parse(tbl, len, &fi, &why), 0);
	assert_true(fi.hw_reduced);
	free(tbl);
}

/* Shorter FADTs: each field appears exactly when the length covers it. */
static void test_fadt_short_revisions(void **state)
{
	struct acpi_fadt_info fi;
	const char *why = NULL;
	size_t len, cut;
	uint8_t *full = load_table("iasl/fadt-reset.aml", &len);

	(void)state;
	for (cut = 0; cut <= len; cut++) {
		uint8_t *tbl = malloc(cut ? cut : 1);
		int err;

		memcpy(tbl, full, cut);
		if (cut >= 8)
			wr32(tbl + 4, (uint32_t)cut);
		err = acpi_fadt_parse(tbl, cut, &fi, &why);
		if (cut < 44) {
			assert_int_equal(err, -EINVAL);
			assert_string_equal(why, "too short");
			free(tbl);
			continue;
		}
		assert_int_equal(err, 0);
		assert_int_equal(fi.length, cut);
		assert_int_equal(fi.dsdt, cut >= 148 ? 0x123456000ull : 0x7fe000);
		assert_int_equal(fi.sci_irq, cut >= 48 ? 9 : 0);
		/* PM1a_CNT_BLK needs its length byte at offset 89 for a width. */
		assert_int_equal(fi.pm1a_cnt.address, cut >= 184 ? 0x1804 : cut >= 68 ? 0x604 : 0);
		assert_int_equal(fi.pm1a_cnt.bit_width, cut >= 90 ? 16 : 0);
		assert_int_equal(fi.century, cut >= 109 ? 0x32 : 0);
		assert_int_equal(fi.boot_flags_valid, cut >= 111);
		assert_true(fi.has_8042);
		assert_int_equal(fi.no_vga, cut >= 111);
		assert_int_equal(fi.flags, cut >= 116 ? 0x401 : 0);
		assert_int_equal(fi.reset_valid, cut >= 129);
		assert_int_equal(fi.reset_value, cut >= 129 ? 6 : 0);
		free(tbl);
	}
	/* The length field is believed only when it is smaller than the buffer. */
	wr32(full + 4, 116);
	assert_int_equal(acpi_fadt_parse(full, len, &fi, &why), 0);
	assert_int_equal(fi.length, 116);
	assert_false(fi.reset_valid);
	assert_int_equal(fi.dsdt, 0x7fe000);
	/* The wrong signature. */
	memcpy(full, "FACS", 4);
	assert_int_equal(acpi_fadt_parse(full, len, &fi, &why), -EINVAL);
	assert_string_equal(why, "signature is not FACP");
	free(full);
}

static void sleep_of(const char *file, unsigned int state, int err, uint64_t a, uint64_t b)
{
	struct acpi_sleep_type st;
	const char *why = NULL;
	size_t len;
	uint8_t *tbl = load_table(file, &len);

	assert_int_equal(acpi_aml_sleep_type(tbl, len, state, &st, &why), err);
	assert_int_equal(st.slp_typa, a);
	assert_int_equal(st.slp_typb, b);
	free(tbl);
}

static void test_iasl_sleep(void **state)
{
	(void)state;
	/* BytePrefix, OneOp, ZeroOp; a string "_S5_" and \_S5 references before it. */
	sleep_of("iasl/dsdt-s5-bytes.aml", 5, 0, 5, 7);
	sleep_of("iasl/dsdt-s5-bytes.aml", 4, 0, 6, 6);
	sleep_of("iasl/dsdt-s5-bytes.aml", 3, 0, 1, 1);
	sleep_of("iasl/dsdt-s5-bytes.aml", 0, -ENOENT, 0, 0);
	sleep_of("iasl/dsdt-s5-bytes.aml", 6, -ERANGE, 0, 0);
	/* WordPrefix and DWordPrefix, a root prefix, a two-byte PkgLength. */
	sleep_of("iasl/dsdt-s5-wide.aml", 5, 0, 0x0105, 0x00070006);
	/* QWordPrefix. */
	sleep_of("iasl/dsdt-s5-wide.aml", 4, 0, 0x100000005ull, 1);
	/* A control method is not evaluated. */
	sleep_of("iasl/dsdt-s5-method.aml", 5, -ENOENT, 0, 0);
	sleep_of("iasl/dsdt-s5-method.aml", 3, 0, 1, 1);
}

/* ---- hand-made AML ---- */

/* Build a definition block: header + @body, checksummed, in an exact-size buffer. */
static uint8_t *make_dsdt(const uint8_t *body, size_t body_len, size_t *len)
{
	uint8_t *t = calloc(1, ACPI_HEADER_LEN + body_len);

	assert_non_null(t);
	memcpy(t, "DSDT", 4);
	wr32(t + 4, (uint32_t)(ACPI_HEADER_LEN + body_len));
	t[8] = 2;
	memcpy(t + 10, "CAIRN ", 6);
	memcpy(t + ACPI_HEADER_LEN, body, body_len);
	t[9] = (uint8_t)-sum8(t, ACPI_HEADER_LEN + body_len);
	*len = ACPI_HEADER_LEN + body_len;
	return t;
}

static int sleep_body(const uint8_t *body, size_t body_len, struct acpi_sleep_type *st)
{
	size_t len;
	uint8_t *t = make_dsdt(body, body_len, &len);
	const char *why = NULL;
	int err = acpi_aml_sleep_type(t, len, 5, st, &why);

	free(t);
	return err;
}

/* A \_S5 package whose PkgLength takes @nbytes bytes and spans @pkg_len bytes. */
static void big_package(unsigned int nbytes, uint32_t pkg_len)
{
	size_t body_len = 6 + pkg_len, i;
	uint8_t *body = calloc(1, body_len);
	uint8_t *p = body;
	struct acpi_sleep_type st;

	assert_non_null(body);
	*p++ = 0x08;
	memcpy(p, "_S5_", 4);
	p += 4;
	*p++ = 0x12;
	*p++ = (uint8_t)((nbytes - 1) << 6 | (pkg_len & 0x0f));
	for (i = 1; i < nbytes; i++)
		*p++ = (uint8_t)(pkg_len >> (4 + 8 * (i - 1)));
	*p++ = 2;
	*p++ = 0x0a;
	*p++ = 3;
	*p++ = 0x0a;
	*p++ = 4;
	assert_int_equal(sleep_body(body, body_len, &st), 0);
	assert_int_equal(st.slp_typa, 3);
	assert_int_equal(st.slp_typb, 4);
	/* One byte short of the package: the PkgLength overruns the table. */
	assert_int_equal(sleep_body(body, body_len - 1, &st), -EINVAL);
	free(body);
}

static void test_aml_encodings(void **state)
{
	struct acpi_sleep_type st;

	(void)state;
	big_package(2, 0x100);
	big_package(3, 5000);
	big_package(4, 0x100005);
	{
		/* One element holding both values, as ACPI 1.0 firmware wrote. */
		static const uint8_t b[] = { 0x08, '_',  'S',  '5',  '_', 0x12,
			                     0x05, 0x01, 0x0b, 0x05, 0x07 };

		assert_int_equal(sleep_body(b, sizeof(b), &st), 0);
		assert_int_equal(st.slp_typa, 5);
		assert_int_equal(st.slp_typb, 7);
	}
	{
		/* OnesOp. */
		static const uint8_t b[] = {
			0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0xff, 0x00
		};

		assert_int_equal(sleep_body(b, sizeof(b), &st), 0);
		assert_int_equal(st.slp_typa, UINT64_MAX);
		assert_int_equal(st.slp_typb, 0);
	}
	{
		/* A malformed first definition, then a good one: the good one wins. */
		static const uint8_t b[] = { 0x08, '_',  'S',  '5',  '_', 0x12, 0x03,
			                     0x02, 0x0d, 0x08, '_',  'S', '5',  '_',
			                     0x12, 0x04, 0x02, 0x01, 0x01 };

		assert_int_equal(sleep_body(b, sizeof(b), &st), 0);
		assert_int_equal(st.slp_typa, 1);
	}
}

static void test_aml_malformed(void **state)
{
	static const struct {
		const char *what;
		uint8_t body[16];
		size_t len;
		int err;
	} cases[] = {
		{ "name at the very end", { 0x08, '_', 'S', '5', '_' }, 5, -ENOENT },
		{ "PackageOp at the very end", { 0x08, '_', 'S', '5', '_', 0x12 }, 6, -EINVAL },
		{ "no NameOp", { 0x10, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0, 0 }, 10, -ENOENT },
		{ "not a package", { 0x08, '_', 'S', '5', '_', 0x0a, 0x05 }, 7, -ENOENT },
		{ "PkgLength past the end",
		  { 0x08, '_', 'S', '5', '_', 0x12, 0x3f, 0x02, 0, 0 },
		  10,
		  -EINVAL },
		{ "PkgLength shorter than itself",
		  { 0x08, '_', 'S', '5', '_', 0x12, 0x00, 0x02, 0, 0 },
		  10,
		  -EINVAL },
		{ "PkgLength reserved bits",
		  { 0x08, '_', 'S', '5', '_', 0x12, 0x74, 0x00, 0x02, 0, 0 },
		  11,
		  -EINVAL },
		{ "PkgLength follow bytes missing",
		  { 0x08, '_', 'S', '5', '_', 0x12, 0xc4, 0x00 },
		  8,
		  -EINVAL },
		{ "no NumElements", { 0x08, '_', 'S', '5', '_', 0x12, 0x01 }, 7, -EINVAL },
		{ "zero elements", { 0x08, '_', 'S', '5', '_', 0x12, 0x02, 0x00 }, 8, -EINVAL },
		{ "a string element",
		  { 0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0d, 'a', 0 },
		  11,
		  -EINVAL },
		{ "BytePrefix cut by the package end",
		  { 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x00, 0x0a, 0x05 },
		  11,
		  -EINVAL },
		{ "DWordPrefix cut by the table end",
		  { 0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x02, 0x00, 0x0c, 0x05 },
		  11,
		  -EINVAL },
		{ "one element missing",
		  { 0x08, '_', 'S', '5', '_', 0x12, 0x03, 0x02, 0x00 },
		  9,
		  -EINVAL },
	};
	struct acpi_sleep_type st;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("  %s\n", cases[i].what);
		assert_int_equal(sleep_body(cases[i].body, cases[i].len, &st), cases[i].err);
	}
	/* A buffer shorter than a header, and a header claiming more than the buffer. */
	{
		uint8_t small[8] = { 'D', 'S', 'D', 'T' };
		const char *why;

		assert_int_equal(acpi_aml_sleep_type(small, sizeof(small), 5, &st, &why), -ENOENT);
		assert_int_equal(acpi_aml_sleep_type(NULL, 0, 5, &st, &why), -ENOENT);
	}
}

/* ---- hand-corrupted dumps ---- */

/* Load @dir, let @corrupt damage it, run acpi_init; return its result. */
static int init_corrupt(struct fake_mem *m, struct acpi_tables *t, const char *dir,
                        void (*corrupt)(struct fake_mem *m))
{
	struct acpi_mem mem;

	load_dump(m, dir);
	corrupt(m);
	mem = mem_of(m);
	return acpi_init(t, &mem, region_named(m, "rsdp.bin")->phys);
}

static void flip_apic_checksum(struct fake_mem *m)
{
	region_named(m, "APIC.bin")->data[9] ^= 0x55;
}

static void test_table_checksum_bad(void **state)
{
	struct fake_mem m;
	struct acpi_tables t;
	struct acpi_madt_info *mi = malloc(sizeof(*mi));

	(void)state;
	assert_int_equal(init_corrupt(&m, &t, "q35-seabios", flip_apic_checksum), 0);
	assert_int_equal(t.nerrors, 1);
	assert_string_equal(t.errors[0].msg, "acpi: APIC checksum bad");
	assert_int_equal(t.errors[0].phys, region_named(&m, "APIC.bin")->phys);
	assert_int_equal(t.errors[0].err, -EINVAL);
	assert_int_equal(m.reports, 1);
	assert_string_equal(m.last_report, "acpi: APIC checksum bad");
	assert_null(acpi_find_table(&t, "APIC", 0));
	assert_int_equal(acpi_get_madt(&t, mi), -ENOENT);
	/* Everything else is still there. */
	assert_int_equal(t.ntables, 6);
	assert_non_null(acpi_find_table(&t, "HPET", 0));
	fake_free(&m);
	free(mi);
}

/* APIC length cut to 100 with a good checksum: the walk stops at the entry crossing it. */
static void shorten_apic(struct fake_mem *m)
{
	struct region *r = region_named(m, "APIC.bin");

	wr32(r->data + 4, 100);
	fix_table(r);
}

static void test_madt_truncated(void **state)
{
	struct fake_mem m;
	struct acpi_tables t;
	struct acpi_madt_info *mi = malloc(sizeof(*mi));

	(void)state;
	assert_int_equal(init_corrupt(&m, &t, "q35-seabios", shorten_apic), 0);
	assert_int_equal(t.nerrors, 0);
	assert_int_equal(acpi_get_madt(&t, mi), -EINVAL);
	assert_true(has_error(&t, "acpi: APIC entry runs past the end"));
	assert_int_equal(mi->ncpus, 2);
	assert_int_equal(mi->nioapics, 1);
	assert_int_equal(mi->noverrides, 2);
	fake_free(&m);
	free(mi);
}

static void apic_length_20(struct fake_mem *m)
{
	wr32(region_named(m, "APIC.bin")->data + 4, 20);
}

static void apic_length_past_mapping(struct fake_mem *m)
{
	struct region *r = region_named(m, "APIC.bin");

	wr32(r->data + 4, 4096);
}

static void apic_length_huge(struct fake_mem *m)
{
	wr32(region_named(m, "APIC.bin")->data + 4, 0xffffffff);
}

static void apic_length_zero(struct fake_mem *m)
{
	wr32(region_named(m, "APIC.bin")->data + 4, 0);
}

/* The header itself is cut off: only 20 bytes of the table are reachable. */
static void apic_truncated_region(struct fake_mem *m)
{
	shrink(region_named(m, "APIC.bin"), 20);
}

static void test_table_lengths(void **state)
{
	static const struct {
		void (*corrupt)(struct fake_mem *m);
		const char *msg;
		int err;
	} cases[] = {
		{ apic_length_20, "acpi: APIC length 20 out of range", -EINVAL },
		{ apic_length_zero, "acpi: APIC length 0 out of range", -EINVAL },
		{ apic_length_huge, "acpi: APIC length 4294967295 out of range", -EINVAL },
		{ apic_length_past_mapping, "acpi: APIC length 4096 runs past reachable memory",
		  -EFAULT },
		{ apic_truncated_region, "acpi: table at 0x", -EFAULT },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fake_mem m;
		struct acpi_tables t;

		assert_int_equal(init_corrupt(&m, &t, "q35-ovmf", cases[i].corrupt), 0);
		print_errors(&t);
		assert_int_equal(t.nerrors, 1);
		assert_non_null(strstr(t.errors[0].msg, cases[i].msg));
		assert_int_equal(t.errors[0].err, cases[i].err);
		assert_null(acpi_find_table(&t, "APIC", 0));
		assert_int_equal(t.ntables, 6);
		fake_free(&m);
	}
}

static void madt_entry_len(struct fake_mem *m, size_t off, uint8_t len)
{
	struct region *r = region_named(m, "APIC.bin");

	r->data[off + 1] = len;
	fix_table(r);
}

static void apic_entry_len0(struct fake_mem *m)
{
	madt_entry_len(m, 0x3c, 0); /* the I/O APIC */
}

static void apic_entry_past_end(struct fake_mem *m)
{
	madt_entry_len(m, 0x7a, 0x20); /* the last entry, 6 bytes before the end */
}

static void apic_entry_short(struct fake_mem *m)
{
	madt_entry_len(m, 0x3c, 8); /* an I/O APIC entry needs 12 */
}

static void test_madt_bad_entries(void **state)
{
	static const struct {
		void (*corrupt)(struct fake_mem *m);
		const char *msg;
		uint32_t ncpus, nioapics, noverrides;
	} cases[] = {
		{ apic_entry_len0, "acpi: APIC entry length below 2", 2, 0, 0 },
		{ apic_entry_past_end, "acpi: APIC entry runs past the end", 2, 1, 5 },
		{ apic_entry_short, "acpi: APIC entry shorter than its type", 2, 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fake_mem m;
		struct acpi_tables t;
		struct acpi_madt_info *mi = malloc(sizeof(*mi));

		assert_int_equal(init_corrupt(&m, &t, "pc-seabios", cases[i].corrupt), 0);
		assert_int_equal(acpi_get_madt(&t, mi), -EINVAL);
		assert_int_equal(t.nerrors, 1);
		assert_string_equal(t.errors[0].msg, cases[i].msg);
		assert_int_equal(mi->ncpus, cases[i].ncpus);
		assert_int_equal(mi->nioapics, cases[i].nioapics);
		assert_int_equal(mi->noverrides, cases[i].noverrides);
		fake_free(&m);
		free(mi);
	}
}

/* RSDP v2 with a bad extended checksum but a good v1 checksum: the RSDT is used. */
static void rsdp_bad_extended(struct fake_mem *m)
{
	region_named(m, "rsdp.bin")->data[32] ^= 1;
}

/* XSDT address pointing to memory that is not there. */
static void xsdt_unmapped(struct fake_mem *m)
{
	struct region *r = region_named(m, "rsdp.bin");

	wr64(r->data + 24, 0xdead0000000ull);
	fix_rsdp(r);
}

/* XSDT address pointing at another table (garbage as far as an XSDT goes). */
static void xsdt_at_dsdt(struct fake_mem *m)
{
	struct region *r = region_named(m, "rsdp.bin");

	wr64(r->data + 24, region_named(m, "DSDT.bin")->phys);
	fix_rsdp(r);
}

static void xsdt_checksum_bad(struct fake_mem *m)
{
	region_named(m, "XSDT.bin")->data[9] ^= 1;
}

static void rsdp_length_bad(struct fake_mem *m)
{
	struct region *r = region_named(m, "rsdp.bin");

	wr32(r->data + 20, 0x10000);
	fix_rsdp(r);
}

static void test_root_fallback(void **state)
{
	static const struct {
		void (*corrupt)(struct fake_mem *m);
		const char *msg;
	} cases[] = {
		{ rsdp_bad_extended, "acpi: RSDP extended checksum bad, using the RSDT" },
		{ xsdt_unmapped, "acpi: XSDT at 0xdead0000000 unreachable" },
		{ xsdt_at_dsdt, "acpi: XSDT expected at 0x" },
		{ xsdt_checksum_bad, "acpi: XSDT checksum bad" },
		{ rsdp_length_bad, "acpi: RSDP length 65536 bad, using the RSDT" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fake_mem m;
		struct acpi_tables t;
		struct acpi_madt_info *mi = malloc(sizeof(*mi));

		assert_int_equal(init_corrupt(&m, &t, "q35-ovmf", cases[i].corrupt), 0);
		print_errors(&t);
		assert_int_equal(t.nerrors, 1);
		assert_non_null(strstr(t.errors[0].msg, cases[i].msg));
		assert_false(t.xsdt);
		assert_int_equal(t.root_phys, region_named(&m, "RSDT.bin")->phys);
		assert_int_equal(t.ntables, 7);
		assert_int_equal(acpi_get_madt(&t, mi), 0);
		assert_int_equal(mi->ncpus, 2);
		fake_free(&m);
		free(mi);
	}
}

static void rsdp_v1_checksum_bad(struct fake_mem *m)
{
	region_named(m, "rsdp.bin")->data[8] ^= 1;
}

static void both_roots_bad(struct fake_mem *m)
{
	region_named(m, "XSDT.bin")->data[9] ^= 1;
	region_named(m, "RSDT.bin")->data[0] = 'X';
}

static void rsdp_unmapped(struct fake_mem *m)
{
	shrink(region_named(m, "rsdp.bin"), 19);
}

static void test_no_root(void **state)
{
	struct fake_mem m;
	struct acpi_tables t;

	(void)state;
	assert_int_equal(init_corrupt(&m, &t, "q35-ovmf", rsdp_v1_checksum_bad), -EINVAL);
	assert_string_equal(t.errors[0].msg, "acpi: RSDP signature or checksum bad");
	assert_int_equal(t.ntables, 0);
	fake_free(&m);

	assert_int_equal(init_corrupt(&m, &t, "q35-ovmf", both_roots_bad), -EINVAL);
	print_errors(&t);
	assert_int_equal(t.nerrors, 3);
	assert_true(has_error(&t, "acpi: XSDT checksum bad"));
	assert_true(has_error(&t, "acpi: RSDT expected at 0x"));
	assert_true(has_error(&t, "acpi: no usable RSDT or XSDT"));
	assert_int_equal(t.ntables, 0);
	assert_null(acpi_find_table(&t, "APIC", 0));
	fake_free(&m);

	assert_int_equal(init_corrupt(&m, &t, "q35-seabios", rsdp_unmapped), -EFAULT);
	assert_true(has_error(&t, "acpi: RSDP at 0xf"));
	fake_free(&m);
}

/* Root-table entries: a null one, one into nowhere, one to a zero-length table. */
static void bad_root_entries(struct fake_mem *m)
{
	struct region *rsdt = region_named(m, "RSDT.bin");
	struct region *zero;
	uint8_t hdr[ACPI_HEADER_LEN] = { 'Z', 'E', 'R', 'O' };

	zero = add_region(m, 0x1000, hdr, sizeof(hdr), "ZERO.bin");
	fix_table(zero);                   /* length 0 still */
	wr32(rsdt->data + 36, 0);          /* FACP */
	wr32(rsdt->data + 40, 0x7fff0000); /* APIC */
	wr32(rsdt->data + 44, 0x1000);     /* HPET */
	fix_table(rsdt);
}

static void test_bad_root_entries(void **state)
{
	struct fake_mem m;
	struct acpi_tables t;
	struct acpi_fadt_info fi;

	(void)state;
	assert_int_equal(init_corrupt(&m, &t, "q35-seabios", bad_root_entries), 0);
	print_errors(&t);
	assert_int_equal(t.nerrors, 3);
	assert_string_equal(t.errors[0].msg, "acpi: RSDT entry 0 is null");
	assert_string_equal(t.errors[1].msg, "acpi: table at 0x7fff0000 unreachable");
	assert_int_equal(t.errors[1].err, -EFAULT);
	assert_string_equal(t.errors[2].msg, "acpi: ZERO length 0 out of range");
	/* MCFG and WAET remain; without the FADT there is no DSDT or FACS. */
	assert_int_equal(t.ntables, 2);
	assert_int_equal(acpi_get_fadt(&t, &fi), -ENOENT);
	fake_free(&m);
}

/* A FADT too short for its DSDT pointer, and one whose DSDT pointer is wrong. */
static void fadt_too_short(struct fake_mem *m)
{
	struct region *r = region_named(m, "FACP.bin");

	wr32(r->data + 4, 40);
	fix_table(r);
}

static void fadt_dsdt_garbage(struct fake_mem *m)
{
	struct region *r = region_named(m, "FACP.bin");

	wr32(r->data + 40, (uint32_t)region_named(m, "APIC.bin")->phys);
	wr64(r->data + 140, 0);
	wr32(r->data + 36, 0x12345678);
	fix_table(r);
}

static void test_fadt_pointers(void **state)
{
	struct fake_mem m;
	struct acpi_tables t;
	struct acpi_sleep_type st;

	(void)state;
	assert_int_equal(init_corrupt(&m, &t, "q35-seabios", fadt_too_short), 0);
	assert_int_equal(t.nerrors, 1);
	assert_string_equal(t.errors[0].msg, "acpi: FACP too short");
	assert_null(acpi_find_table(&t, "DSDT", 0));
	assert_int_equal(acpi_get_sleep_type(&t, 5, &st), -ENOENT);
	fake_free(&m);

	assert_int_equal(init_corrupt(&m, &t, "q35-seabios", fadt_dsdt_garbage), 0);
	print_errors(&t);
	assert_int_equal(t.nerrors, 2);
	assert_true(has_error(&t, "acpi: DSDT expected at 0x"));
	assert_true(has_error(&t, "acpi: FACS at 0x12345678 unreachable"));
	assert_null(acpi_find_table(&t, "DSDT", 0));
	assert_null(acpi_find_table(&t, "FACS", 0));
	fake_free(&m);
}

/* ---- synthetic table sets ---- */

/* Put a table with @sig and @body at @phys in @m, checksummed. */
static struct region *synth_table(struct fake_mem *m, uint64_t phys, const char *sig,
                                  const void *body, size_t body_len)
{
	uint8_t *t = calloc(1, ACPI_HEADER_LEN + body_len);
	struct region *r;

	assert_non_null(t);
	memcpy(t, sig, 4);
	wr32(t + 4, (uint32_t)(ACPI_HEADER_LEN + body_len));
	t[8] = 1;
	if (body_len)
		memcpy(t + ACPI_HEADER_LEN, body, body_len);
	r = add_region(m, phys, t, ACPI_HEADER_LEN + body_len, sig);
	fix_table(r);
	free(t);
	return r;
}

/* An ACPI 1.0 RSDP at 0xe0000 pointing to an RSDT at @rsdt. */
static void synth_rsdp(struct fake_mem *m, uint32_t rsdt)
{
	uint8_t rsdp[20] = {
		'R', 'S', 'D', ' ', 'P', 'T', 'R', ' ', 0, 'C', 'A', 'I', 'R', 'N', ' '
	};
	struct region *r;

	wr32(rsdp + 16, rsdt);
	r = add_region(m, 0xe0000, rsdp, sizeof(rsdp), "rsdp.bin");
	fix_rsdp(r);
}

/* \_S5 only in an SSDT, and a DSDT that has none. */
static void test_sleep_in_ssdt(void **state)
{
	static const uint8_t s5[] = { 0x08, '_',  'S',  '5',  '_',  0x12,
		                      0x06, 0x02, 0x0a, 0x07, 0x0a, 0x07 };
	static const uint8_t bad[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x3f };
	uint8_t rsdt[12], fadt[8] = { 0 };
	struct fake_mem m = { 0 };
	struct acpi_mem mem = mem_of(&m);
	struct acpi_tables t;
	struct acpi_sleep_type st;

	(void)state;
	wr32(fadt + 4, 0x3000); /* DSDT */
	wr32(rsdt, 0x2000);
	wr32(rsdt + 4, 0x4000);
	wr32(rsdt + 8, 0x5000);
	synth_rsdp(&m, 0x1000);
	synth_table(&m, 0x1000, "RSDT", rsdt, sizeof(rsdt));
	synth_table(&m, 0x2000, "FACP", fadt, sizeof(fadt));
	synth_table(&m, 0x3000, "DSDT", NULL, 0);
	synth_table(&m, 0x4000, "SSDT", bad, sizeof(bad));
	synth_table(&m, 0x5000, "SSDT", s5, sizeof(s5));
	assert_int_equal(acpi_init(&t, &mem, 0xe0000), 0);
	print_errors(&t);
	assert_int_equal(t.nerrors, 0);
	assert_int_equal(t.ntables, 4);
	assert_string_equal(t.oem_id, "CAIRN ");
	assert_non_null(acpi_find_table(&t, "SSDT", 1));
	assert_int_equal(acpi_get_sleep_type(&t, 5, &st), 0);
	assert_int_equal(st.slp_typa, 7);
	assert_int_equal(st.slp_typb, 7);
	/* The malformed one in the first SSDT was reported on the way. */
	assert_true(has_error(&t, "acpi: SSDT _S5_ malformed sleep package"));
	assert_int_equal(acpi_get_sleep_type(&t, 4, &st), -ENOENT);
	fake_free(&m);
}

/* More tables than acpi_tables holds, duplicate entries, more errors than it keeps. */
static void test_too_many_tables(void **state)
{
	enum { N = ACPI_MAX_TABLES + 6 };
	uint8_t rsdt[(N + 2) * 4];
	struct fake_mem m = { 0 };
	struct acpi_mem mem = mem_of(&m);
	struct acpi_tables t;
	size_t i;

	(void)state;
	for (i = 0; i < N; i++) {
		char sig[5];

		snprintf(sig, sizeof(sig), "T%03zu", i);
		synth_table(&m, 0x100000 + i * 0x1000, sig, NULL, 0);
		wr32(rsdt + i * 4, (uint32_t)(0x100000 + i * 0x1000));
	}
	wr32(rsdt + N * 4, 0x100000);       /* the first again */
	wr32(rsdt + (N + 1) * 4, 0x101000); /* and the second */
	synth_rsdp(&m, 0x1000);
	synth_table(&m, 0x1000, "RSDT", rsdt, sizeof(rsdt));
	assert_int_equal(acpi_init(&t, &mem, 0xe0000), 0);
	assert_int_equal(t.ntables, ACPI_MAX_TABLES);
	assert_int_equal(t.nerrors, N - ACPI_MAX_TABLES);
	assert_string_equal(t.errors[0].msg, "acpi: more than 64 tables, T064 ignored");
	assert_non_null(acpi_find_table(&t, "T063", 0));
	assert_null(acpi_find_table(&t, "T064", 0));
	fake_free(&m);

	/* Every entry null: all counted and reported, the first ACPI_MAX_ERRORS kept. */
	memset(&m, 0, sizeof(m));
	memset(rsdt, 0, sizeof(rsdt));
	synth_rsdp(&m, 0x1000);
	synth_table(&m, 0x1000, "RSDT", rsdt, sizeof(rsdt));
	mem = mem_of(&m);
	assert_int_equal(acpi_init(&t, &mem, 0xe0000), 0);
	assert_int_equal(t.nerrors, N + 2);
	assert_int_equal(m.reports, N + 2);
	assert_string_equal(m.last_report, "acpi: RSDT entry 71 is null");
	assert_string_equal(t.errors[ACPI_MAX_ERRORS - 1].msg, "acpi: RSDT entry 15 is null");
	fake_free(&m);
}

/* RSDT whose length leaves a partial entry; entries before it still count. */
static void test_partial_root_entry(void **state)
{
	uint8_t rsdt[6] = { 0 };
	struct fake_mem m = { 0 };
	struct acpi_mem mem = mem_of(&m);
	struct acpi_tables t;

	(void)state;
	wr32(rsdt, 0x2000);
	synth_rsdp(&m, 0x1000);
	synth_table(&m, 0x1000, "RSDT", rsdt, sizeof(rsdt));
	synth_table(&m, 0x2000, "WAET", rsdt, 4);
	assert_int_equal(acpi_init(&t, &mem, 0xe0000), 0);
	assert_int_equal(t.nerrors, 1);
	assert_string_equal(t.errors[0].msg, "acpi: RSDT length leaves a partial entry");
	assert_int_equal(t.ntables, 1);
	fake_free(&m);
}

static void test_hpet_mcfg_bad(void **state)
{
	struct acpi_hpet_info h;
	struct acpi_mcfg_info mc;
	const char *why = NULL;
	uint8_t *tbl;
	size_t len;

	(void)state;
	tbl = load_table("q35-seabios/HPET.bin", &len);
	assert_int_equal(acpi_hpet_parse(tbl, len - 1, &h, &why), -EINVAL);
	assert_string_equal(why, "too short");
	tbl[40] = ACPI_GAS_IO;
	assert_int_equal(acpi_hpet_parse(tbl, len, &h, &why), -EINVAL);
	assert_string_equal(why, "base is not a system memory address");
	tbl[40] = ACPI_GAS_MEMORY;
	wr64(tbl + 44, 0);
	assert_int_equal(acpi_hpet_parse(tbl, len, &h, &why), -EINVAL);
	free(tbl);

	tbl = load_table("q35-seabios/MCFG.bin", &len);
	assert_int_equal(acpi_mcfg_parse(tbl, len - 1, &mc, &why), -EINVAL);
	assert_string_equal(why, "length leaves a partial entry");
	assert_int_equal(acpi_mcfg_parse(tbl, 44, &mc, &why), 0);
	assert_int_equal(mc.count, 0);
	assert_int_equal(acpi_mcfg_parse(tbl, 43, &mc, &why), -EINVAL);
	tbl[55] = 0x10;
	tbl[54] = 0x20;
	assert_int_equal(acpi_mcfg_parse(tbl, len, &mc, &why), -EINVAL);
	assert_string_equal(why, "entry ends before it starts");
	tbl[54] = 0;
	wr64(tbl + 44, 0);
	assert_int_equal(acpi_mcfg_parse(tbl, len, &mc, &why), -EINVAL);
	assert_string_equal(why, "entry with a zero base");
	free(tbl);
}

/* Two MCFG segments and more entries than the array holds. */
static void test_mcfg_many(void **state)
{
	enum { N = ACPI_MAX_MCFG + 3 };
	uint8_t body[8 + N * 16] = { 0 };
	struct acpi_mcfg_info mc;
	const char *why = NULL;
	struct fake_mem m = { 0 };
	struct region *r;
	size_t i;

	(void)state;
	for (i = 0; i < N; i++) {
		uint8_t *e = body + 8 + i * 16;

		wr64(e, 0xe0000000ull + i * 0x10000000ull);
		e[8] = (uint8_t)i;
		e[10] = 0;
		e[11] = (uint8_t)(i + 1);
	}
	r = synth_table(&m, 0x1000, "MCFG", body, sizeof(body));
	assert_int_equal(acpi_mcfg_parse(r->data, r->len, &mc, &why), 0);
	assert_int_equal(mc.count, ACPI_MAX_MCFG);
	assert_int_equal(mc.dropped, 3);
	assert_int_equal(mc.seg[1].segment, 1);
	assert_int_equal(mc.seg[1].base, 0xf0000000ull);
	assert_int_equal(mc.seg[1].bus_end, 2);
	fake_free(&m);
}

/*
 * 300 x2APIC CPUs plus a repeated APIC ID, and 10 NMI sources: the arrays
 * keep what fits and count the rest.
 */
static void test_madt_capacity(void **state)
{
	enum { NCPU = 300, NNMI = 10 };
	size_t body_len = 8 + (NCPU + 1) * 16 + NNMI * 8, i;
	uint8_t *body = calloc(1, body_len), *e;
	struct acpi_madt_info *mi = malloc(sizeof(*mi));
	struct fake_mem m = { 0 };
	const char *why = NULL;
	struct region *r;

	(void)state;
	assert_non_null(body);
	assert_non_null(mi);
	for (i = 0, e = body + 8; i <= NCPU; i++, e += 16) {
		e[0] = 9;
		e[1] = 16;
		wr32(e + 4, i == NCPU ? 7 : (uint32_t)i);
		wr32(e + 8, 1);
		wr32(e + 12, (uint32_t)i);
	}
	for (i = 0; i < NNMI; i++, e += 8) {
		e[0] = 3;
		e[1] = 8;
		wr32(e + 4, (uint32_t)i);
	}
	r = synth_table(&m, 0x1000, "APIC", body, body_len);
	assert_int_equal(acpi_madt_parse(r->data, r->len, mi, &why), 0);
	assert_int_equal(mi->ncpus, ACPI_MAX_CPUS);
	assert_int_equal(mi->cpus[255].apic_id, 255);
	assert_true(mi->cpus[255].x2apic);
	assert_int_equal(mi->ignored_cpus, 1);
	assert_int_equal(mi->nnmi_sources, ACPI_MAX_NMI_SOURCES);
	assert_int_equal(mi->dropped, NCPU - ACPI_MAX_CPUS + NNMI - ACPI_MAX_NMI_SOURCES);
	fake_free(&m);
	free(body);
	free(mi);
}

/* ---- random mutation ---- */

static uint64_t rng_state;

static uint32_t rng(void)
{
	/* xorshift64*: fixed seed, same run every time. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

static void mutate(struct fake_mem *m)
{
	static const uint32_t lengths[] = { 0, 1, 35, 36, 37, 44, 0x100, 0xffff, 0xffffffff };
	unsigned int k, n = 1 + rng() % 6;

	for (k = 0; k < n; k++) {
		struct region *r = &m->r[rng() % m->n];
		unsigned int what = rng() % 10;

		if (what < 6) {
			r->data[rng() % r->len] ^= (uint8_t)(1u << (rng() % 8));
		} else if (what < 8 && r->len >= 8) {
			uint32_t v = lengths[rng() % 9];

			wr32(r->data + 4, v == 0x100 ? (uint32_t)(r->len - rng() % 8) : v);
		} else if (what == 8) {
			r->data[rng() % r->len] = (uint8_t)rng();
		} else if (r->len > 1) {
			/* Shrink the region: the tail of the table becomes unreachable. */
			shrink(r, 1 + rng() % r->len);
		}
	}
	if (rng() % 4)
		fix_all(m);
}

/* Run every entry point; only crashes (ASan, UBSan) and broken invariants fail. */
static void exercise(struct fake_mem *m, struct acpi_madt_info *mi, bool all_states)
{
	struct acpi_mem mem = mem_of(m);
	struct acpi_tables t;
	struct acpi_fadt_info fi;
	struct acpi_hpet_info h;
	struct acpi_mcfg_info mc;
	struct acpi_sleep_type st;
	uint64_t rsdp = 0;
	unsigned int s;
	size_t i;
	int rc = 0;

	for (i = 0; i < m->n; i++) {
		if (strcmp(m->r[i].name, "rsdp.bin") == 0)
			rsdp = m->r[i].phys;
	}
	if (acpi_init(&t, &mem, rsdp) != 0) {
		assert_true(t.nerrors > 0);
		return;
	}
	for (i = 0; i < t.ntables; i++) {
		assert_true(t.tables[i].length >= 36 || strcmp(t.tables[i].sig, "FACS") == 0);
		assert_true(t.tables[i].length <= ACPI_TABLE_MAX_LEN);
		assert_non_null(fake_map(m, t.tables[i].phys, t.tables[i].length));
	}
	/* Each call may fail; it must fail cleanly, with its output in bounds. */
	rc |= acpi_get_madt(&t, mi);
	assert_true(mi->ncpus <= ACPI_MAX_CPUS && mi->nioapics <= ACPI_MAX_IOAPICS);
	rc |= acpi_get_fadt(&t, &fi);
	rc |= acpi_get_hpet(&t, &h);
	rc |= acpi_get_mcfg(&t, &mc);
	assert_true(mc.count <= ACPI_MAX_MCFG);
	for (s = all_states ? 0 : 5; s <= 5; s++)
		rc |= acpi_get_sleep_type(&t, s, &st);
	assert_true(rc <= 0);
}

static void test_random_dumps(void **state)
{
	struct acpi_madt_info *mi = malloc(sizeof(*mi));
	size_t d;
	unsigned int it;

	(void)state;
	assert_non_null(mi);
	rng_state = 0x5eed0acb1ull;
	for (d = 0; d < sizeof(dumps) / sizeof(dumps[0]); d++) {
		struct fake_mem orig;

		load_dump(&orig, dumps[d].dir);
		for (it = 0; it < 4000; it++) {
			struct fake_mem m;

			fake_clone(&m, &orig);
			mutate(&m);
			exercise(&m, mi, it % 16 == 0);
			fake_free(&m);
		}
		fake_free(&orig);
	}
	free(mi);
}

/* The buffer-level parsers on mutated, truncated copies of every table image. */
static void test_random_buffers(void **state)
{
	static const char *const files[] = {
		"q35-seabios/APIC.bin",  "q35-seabios/FACP.bin",    "q35-seabios/HPET.bin",
		"q35-seabios/MCFG.bin",  "pc-seabios/FACP.bin",     "pc-seabios/DSDT.bin",
		"iasl/madt-x2apic.aml",  "iasl/fadt-reset.aml",     "iasl/dsdt-s5-bytes.aml",
		"iasl/dsdt-s5-wide.aml", "iasl/dsdt-s5-method.aml",
	};
	struct acpi_madt_info *mi = malloc(sizeof(*mi));
	size_t f;
	unsigned int it, k;

	(void)state;
	assert_non_null(mi);
	rng_state = 0xacb1f00dull;
	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		size_t len;
		uint8_t *orig = load_table(files[f], &len);
		unsigned int iters = len > 1024 ? 300 : 3000;
		int rc = 0;

		for (it = 0; it < iters; it++) {
			size_t cut = rng() % 3 ? len : rng() % (len + 1);
			uint8_t *b = malloc(cut ? cut : 1);
			struct acpi_fadt_info fi;
			struct acpi_hpet_info h;
			struct acpi_mcfg_info mc;
			struct acpi_sleep_type st;
			const char *why;

			memcpy(b, orig, cut);
			for (k = rng() % 8; cut && k > 0; k--)
				b[rng() % cut] = (uint8_t)rng();
			if (cut >= 8 && rng() % 4 == 0)
				wr32(b + 4, rng() % 2 ? rng() : (uint32_t)(cut + rng() % 16));
			/* Whatever the signature says, every parser must cope. */
			rc |= acpi_madt_parse(b, cut, mi, &why);
			rc |= acpi_fadt_parse(b, cut, &fi, &why);
			rc |= acpi_hpet_parse(b, cut, &h, &why);
			rc |= acpi_mcfg_parse(b, cut, &mc, &why);
			rc |= acpi_aml_sleep_type(b, cut, rng() % 6, &st, &why);
			if (cut >= 4)
				memcpy(b, orig, 4); /* the real signature again */
			rc |= acpi_madt_parse(b, cut, mi, &why);
			assert_true(rc <= 0);
			free(b);
		}
		free(orig);
	}
	free(mi);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dump_tables),
		cmocka_unit_test(test_dump_madt),
		cmocka_unit_test(test_dump_fadt),
		cmocka_unit_test(test_dump_hpet_mcfg),
		cmocka_unit_test(test_dump_sleep),
		cmocka_unit_test(test_rsdp_scan),
		cmocka_unit_test(test_iasl_madt_x2apic),
		cmocka_unit_test(test_iasl_fadt),
		cmocka_unit_test(test_fadt_short_revisions),
		cmocka_unit_test(test_iasl_sleep),
		cmocka_unit_test(test_aml_encodings),
		cmocka_unit_test(test_aml_malformed),
		cmocka_unit_test(test_table_checksum_bad),
		cmocka_unit_test(test_madt_truncated),
		cmocka_unit_test(test_table_lengths),
		cmocka_unit_test(test_madt_bad_entries),
		cmocka_unit_test(test_root_fallback),
		cmocka_unit_test(test_no_root),
		cmocka_unit_test(test_bad_root_entries),
		cmocka_unit_test(test_fadt_pointers),
		cmocka_unit_test(test_sleep_in_ssdt),
		cmocka_unit_test(test_too_many_tables),
		cmocka_unit_test(test_partial_root_entry),
		cmocka_unit_test(test_hpet_mcfg_bad),
		cmocka_unit_test(test_mcfg_many),
		cmocka_unit_test(test_madt_capacity),
		cmocka_unit_test(test_random_dumps),
		cmocka_unit_test(test_random_buffers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
