/* SPDX-License-Identifier: MIT */
/*
 * The Multiple APIC Description Table (ACPI 6.5, 5.2.12): which CPUs
 * exist, where the I/O APICs are, how ISA IRQs map to global system
 * interrupts, and which pins are NMIs. Entries are variable-length records;
 * each is checked against its type's minimum size and the table's end
 * before a byte of it is read.
 */
#include <cairn/errno.h>

#include <lib/acpi/acpi.h>
#include <lib/acpi/internal.h>

/* MADT layout (Table 5.19): header, local APIC address, flags, then entries. */
#define MADT_LAPIC_ADDR  36
#define MADT_FLAGS       40
#define MADT_ENTRIES     44
#define MADT_PCAT_COMPAT 1u

/* Entry types (Table 5.21). */
enum {
	MADT_LAPIC = 0,
	MADT_IOAPIC = 1,
	MADT_OVERRIDE = 2,
	MADT_NMI_SOURCE = 3,
	MADT_LAPIC_NMI = 4,
	MADT_LAPIC_ADDR_OVERRIDE = 5,
	MADT_X2APIC = 9,
	MADT_X2APIC_NMI = 10,
};

/* Each known type's length in ACPI 6.5; longer entries (a later revision) are fine. */
static const uint8_t madt_min_len[] = {
	[MADT_LAPIC] = 8,                /* 5.2.12.2 */
	[MADT_IOAPIC] = 12,              /* 5.2.12.3 */
	[MADT_OVERRIDE] = 10,            /* 5.2.12.5 */
	[MADT_NMI_SOURCE] = 8,           /* 5.2.12.6 */
	[MADT_LAPIC_NMI] = 6,            /* 5.2.12.7 */
	[MADT_LAPIC_ADDR_OVERRIDE] = 12, /* 5.2.12.8 */
	[MADT_X2APIC] = 16,              /* 5.2.12.12 */
	[MADT_X2APIC_NMI] = 12,          /* 5.2.12.13 */
};

/* Local APIC flags (Table 5.23). Online Capable only means something when Enabled is clear. */
#define LAPIC_ENABLED        1u
#define LAPIC_ONLINE_CAPABLE 2u

struct acpi_irq_flags acpi_irq_flags_decode(uint16_t raw)
{
	struct acpi_irq_flags f = {
		.raw = raw,
		.polarity = raw & 3,
		.trigger = (raw >> 2) & 3,
	};

	/* "Conforms to the bus" and the reserved values read as ISA: active high, edge. */
	f.active_low = f.polarity == ACPI_POLARITY_LOW;
	f.level = f.trigger == ACPI_TRIGGER_LEVEL;
	return f;
}

/* Record a CPU unless it is unusable, has an invalid ID, or was listed already. */
static void madt_add_cpu(struct acpi_madt_info *m, uint32_t apic_id, uint32_t uid, uint32_t flags,
                         bool x2apic)
{
	bool enabled = flags & LAPIC_ENABLED;
	bool online = !enabled && (flags & LAPIC_ONLINE_CAPABLE);
	uint32_t i;

	/* 0xFF (xAPIC) and 0xFFFFFFFF (x2APIC) are broadcast, never a CPU's ID. */
	if ((!enabled && !online) || apic_id == (x2apic ? 0xffffffffu : 0xffu)) {
		m->ignored_cpus++;
		return;
	}
	for (i = 0; i < m->ncpus; i++) {
		if (m->cpus[i].apic_id == apic_id) {
			m->ignored_cpus++;
			return;
		}
	}
	if (m->ncpus == ACPI_MAX_CPUS) {
		m->dropped++;
		return;
	}
	m->cpus[m->ncpus++] = (struct acpi_cpu){
		.apic_id = apic_id,
		.uid = uid,
		.x2apic = x2apic,
		.enabled = enabled,
		.online_capable = online,
	};
}

static void madt_add_ioapic(struct acpi_madt_info *m, const uint8_t *e)
{
	if (m->nioapics == ACPI_MAX_IOAPICS) {
		m->dropped++;
		return;
	}
	m->ioapics[m->nioapics++] = (struct acpi_ioapic){
		.id = e[2],
		.address = acpi_rd32(e + 4),
		.gsi_base = acpi_rd32(e + 8),
	};
}

static void madt_add_override(struct acpi_madt_info *m, const uint8_t *e)
{
	if (m->noverrides == ACPI_MAX_OVERRIDES) {
		m->dropped++;
		return;
	}
	m->overrides[m->noverrides++] = (struct acpi_irq_override){
		.bus = e[2],
		.irq = e[3],
		.gsi = acpi_rd32(e + 4),
		.flags = acpi_irq_flags_decode(acpi_rd16(e + 8)),
	};
}

static void madt_add_nmi_source(struct acpi_madt_info *m, const uint8_t *e)
{
	if (m->nnmi_sources == ACPI_MAX_NMI_SOURCES) {
		m->dropped++;
		return;
	}
	m->nmi_sources[m->nnmi_sources++] = (struct acpi_nmi_source){
		.gsi = acpi_rd32(e + 4),
		.flags = acpi_irq_flags_decode(acpi_rd16(e + 2)),
	};
}

static void madt_add_lapic_nmi(struct acpi_madt_info *m, uint32_t uid, bool all, uint16_t flags,
                               uint8_t lint)
{
	if (m->nlapic_nmis == ACPI_MAX_LAPIC_NMIS) {
		m->dropped++;
		return;
	}
	m->lapic_nmis[m->nlapic_nmis++] = (struct acpi_lapic_nmi){
		.uid = uid,
		.all_cpus = all,
		.lint = lint,
		.flags = acpi_irq_flags_decode(flags),
	};
}

/* Decode one entry @e of @type, already checked to be long enough. */
static void madt_entry(struct acpi_madt_info *m, const uint8_t *e, uint8_t type)
{
	switch (type) {
	case MADT_LAPIC:
		madt_add_cpu(m, e[3], e[2], acpi_rd32(e + 4), false);
		break;
	case MADT_IOAPIC:
		madt_add_ioapic(m, e);
		break;
	case MADT_OVERRIDE:
		madt_add_override(m, e);
		break;
	case MADT_NMI_SOURCE:
		madt_add_nmi_source(m, e);
		break;
	case MADT_LAPIC_NMI:
		madt_add_lapic_nmi(m, e[2], e[2] == 0xff, acpi_rd16(e + 3), e[5]);
		break;
	case MADT_LAPIC_ADDR_OVERRIDE:
		m->lapic_address = acpi_rd64(e + 4);
		m->lapic_override = true;
		break;
	case MADT_X2APIC:
		madt_add_cpu(m, acpi_rd32(e + 4), acpi_rd32(e + 12), acpi_rd32(e + 8), true);
		break;
	case MADT_X2APIC_NMI: {
		uint32_t uid = acpi_rd32(e + 4);

		madt_add_lapic_nmi(m, uid, uid == 0xffffffffu, acpi_rd16(e + 2), e[8]);
		break;
	}
	default:
		break; /* SAPIC, GIC, wakeup mailbox...: not for this machine */
	}
}

int acpi_madt_parse(const void *table, size_t len, struct acpi_madt_info *out, const char **why)
{
	const uint8_t *p = table;
	size_t end = acpi_table_len(p, len);
	size_t off;

	acpi_zero(out, sizeof(*out));
	if (end < MADT_ENTRIES)
		return acpi_parse_fail(why, "too short");
	if (!acpi_sig_is(p, "APIC"))
		return acpi_parse_fail(why, "signature is not APIC");
	out->lapic_address = acpi_rd32(p + MADT_LAPIC_ADDR);
	out->pcat_compat = acpi_rd32(p + MADT_FLAGS) & MADT_PCAT_COMPAT;

	for (off = MADT_ENTRIES; off < end; off += p[off + 1]) {
		uint8_t type, elen;

		if (end - off < 2)
			return acpi_parse_fail(why, "entry header runs past the end");
		type = p[off];
		elen = p[off + 1];
		if (elen < 2)
			return acpi_parse_fail(why, "entry length below 2");
		if (elen > end - off)
			return acpi_parse_fail(why, "entry runs past the end");
		if (type < sizeof(madt_min_len) && elen < madt_min_len[type])
			return acpi_parse_fail(why, "entry shorter than its type");
		madt_entry(out, p + off, type);
	}
	return 0;
}

/* acpi_madt_parse() with its result untyped, for acpi_get_parsed(). */
static int madt_parse_any(const void *table, size_t len, void *out, const char **why)
{
	return acpi_madt_parse(table, len, out, why);
}

int acpi_get_madt(struct acpi_tables *t, struct acpi_madt_info *out)
{
	return acpi_get_parsed(t, "APIC", madt_parse_any, out, sizeof(*out));
}
