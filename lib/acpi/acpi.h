/* SPDX-License-Identifier: MIT */
/*
 * ACPI tables as pure code: finding and checking the RSDP, RSDT/XSDT and
 * every table they list, and decoding the MADT, FADT, HPET and MCFG tables
 * and the \_Sx sleep packages in the DSDT. Physical memory is reached only
 * through a caller-supplied map() with explicit lengths; firmware tables
 * are untrusted input, so a corrupt or truncated table is reported with a
 * reason ("acpi: APIC checksum bad") and skipped, never trusted or crashed
 * on. Section numbers refer to the ACPI 6.5 specification. See docs/acpi.md.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* System Description Table Header (5.2.6): every table but the RSDP and FACS starts with it. */
#define ACPI_HEADER_LEN    36
/* No real table comes near this; a bigger length is corruption. */
#define ACPI_TABLE_MAX_LEN (16u << 20)
#define ACPI_MAX_TABLES    64
#define ACPI_MAX_ERRORS    16
#define ACPI_ERROR_LEN     80

/*
 * What the parser needs from its environment. Every table access goes
 * through map() with the exact byte range it will read.
 */
struct acpi_mem {
	void *ctx; /* passed back to every callback */
	/*
	 * A pointer through which the @len bytes at physical @phys can be read,
	 * or NULL when any of them is unreachable. The pointer need not be
	 * aligned and must stay valid until the acpi_* call that asked for it
	 * returns. The parser never reads outside [@phys, @phys + @len).
	 */
	const void *(*map)(void *ctx, uint64_t phys, size_t len);
	/* Optional: told each problem as it is found (the same text acpi_tables.errors keeps). */
	void (*report)(void *ctx, const char *msg);
};

/* A table that passed its checks, as listed by the RSDT/XSDT or the FADT. */
struct acpi_table_ref {
	char sig[5];      /* signature, NUL-terminated ("APIC") */
	uint8_t revision; /* header revision (FACS: its version field) */
	uint32_t length;  /* bytes, ACPI_HEADER_LEN..ACPI_TABLE_MAX_LEN (FACS: >= 64) */
	uint64_t phys;    /* physical address of the first byte */
};

/* One problem found in the firmware's tables. */
struct acpi_error {
	char msg[ACPI_ERROR_LEN]; /* "acpi: APIC checksum bad" */
	uint64_t phys;            /* address of the table at fault, 0 when none */
	int err;                  /* negative errno: -EINVAL corrupt, -EFAULT unreachable */
};

/* The tables the firmware provides, found and checked by acpi_init(). */
struct acpi_tables {
	struct acpi_mem mem;   /* how to reach physical memory */
	uint64_t rsdp_phys;    /* the RSDP in use */
	uint8_t rsdp_revision; /* 0 for ACPI 1.0, 2 for ACPI 2.0 and later */
	char oem_id[7];        /* RSDP OEMID, NUL-terminated */
	bool xsdt;             /* the root table is the XSDT (else the RSDT) */
	uint64_t root_phys;    /* the root table in use */
	size_t ntables;        /* entries in tables[] */
	/* The good tables, in root-table order, then the DSDT and FACS. */
	struct acpi_table_ref tables[ACPI_MAX_TABLES];
	size_t nerrors; /* problems found; only the first ACPI_MAX_ERRORS are kept */
	struct acpi_error errors[ACPI_MAX_ERRORS];
};

/* Sum of @len bytes at @p modulo 256; a table is intact when it is 0 (5.2.6). */
uint8_t acpi_checksum(const void *p, size_t len);

/*
 * Look for the RSDP on the 16-byte boundaries of [@base, @base + @len)
 * (5.2.5.1: the first KiB of the EBDA, then 0xE0000-0xFFFFF on BIOS
 * systems). A candidate counts when its signature and ACPI 1.0 checksum
 * are right. Returns 0 and sets *@phys, -ENOENT, or -EFAULT when the range
 * cannot be mapped.
 */
int __must_check acpi_rsdp_scan(const struct acpi_mem *mem, uint64_t base, size_t len,
                                uint64_t *phys);

/*
 * Check the RSDP at @rsdp_phys (5.2.5.3), choose the root table (the XSDT
 * when the RSDP is revision 2 or later, its extended checksum is good and
 * the XSDT itself checks out; else the RSDT, 5.2.7 and 5.2.8), and list
 * every table it points to that has a sane length and a good checksum,
 * plus the DSDT and FACS named by the FADT. Anything wrong is recorded in
 * @t->errors (and passed to @mem->report) and skipped.
 * Returns 0 when a root table was usable (even if some tables were bad),
 * -EINVAL when the RSDP or both root tables are corrupt, -EFAULT when the
 * RSDP cannot be mapped. Fills @t in either case.
 */
int __must_check acpi_init(struct acpi_tables *t, const struct acpi_mem *mem, uint64_t rsdp_phys);

/*
 * The @instance-th (from 0) good table with signature @sig (4 characters,
 * e.g. "APIC", "SSDT"), or NULL.
 */
const struct acpi_table_ref *acpi_find_table(const struct acpi_tables *t, const char *sig,
                                             unsigned int instance);

/* Map a table found by acpi_find_table() in full; NULL if it is now unreachable. */
const void *acpi_map_table(const struct acpi_tables *t, const struct acpi_table_ref *ref);

/* Generic Address Structure (5.2.3.2). A zero address means "not present". */
struct acpi_gas {
	uint8_t space_id;    /* ACPI_GAS_MEMORY, ACPI_GAS_IO, ... */
	uint8_t bit_width;   /* register width in bits */
	uint8_t bit_offset;  /* register offset in bits */
	uint8_t access_size; /* 0 undefined, 1 byte, 2 word, 3 dword, 4 qword */
	uint64_t address;    /* in the space named by space_id */
};

#define ACPI_GAS_MEMORY     0
#define ACPI_GAS_IO         1
#define ACPI_GAS_PCI_CONFIG 2

/* ---- MADT (5.2.12) ---- */

#define ACPI_MAX_CPUS        256
#define ACPI_MAX_IOAPICS     16
#define ACPI_MAX_OVERRIDES   32
#define ACPI_MAX_NMI_SOURCES 8
#define ACPI_MAX_LAPIC_NMIS  64

/* MPS INTI flags (5.2.12.5, Table 5.26): polarity bits 1:0, trigger mode bits 3:2. */
#define ACPI_POLARITY_BUS      0 /* conforms to the bus: active high for ISA */
#define ACPI_POLARITY_HIGH     1
#define ACPI_POLARITY_RESERVED 2
#define ACPI_POLARITY_LOW      3
#define ACPI_TRIGGER_BUS       0 /* conforms to the bus: edge for ISA */
#define ACPI_TRIGGER_EDGE      1
#define ACPI_TRIGGER_RESERVED  2
#define ACPI_TRIGGER_LEVEL     3

/* An interrupt's electrical settings, raw and resolved. */
struct acpi_irq_flags {
	uint16_t raw;     /* MPS INTI flags as in the table */
	uint8_t polarity; /* ACPI_POLARITY_* */
	uint8_t trigger;  /* ACPI_TRIGGER_* */
	bool active_low;  /* resolved: "bus" and "reserved" read as ISA, active high */
	bool level;       /* resolved: "bus" and "reserved" read as ISA, edge */
};

/* A processor that is enabled or can be brought online (5.2.12.2, 5.2.12.12). */
struct acpi_cpu {
	uint32_t apic_id;    /* local APIC ID (x2APIC ID for x2APIC entries) */
	uint32_t uid;        /* ACPI processor UID, matched by the NMI entries */
	bool x2apic;         /* from a Processor Local x2APIC entry (type 9) */
	bool enabled;        /* usable now (Local APIC Flags bit 0) */
	bool online_capable; /* not enabled but may be onlined later (bit 1) */
};

/* An I/O APIC (5.2.12.3). */
struct acpi_ioapic {
	uint8_t id;        /* I/O APIC ID */
	uint32_t address;  /* physical MMIO base */
	uint32_t gsi_base; /* first global system interrupt it serves */
};

/* An ISA IRQ routed to another GSI or with other settings (5.2.12.5). */
struct acpi_irq_override {
	uint8_t bus;  /* 0: ISA */
	uint8_t irq;  /* bus-relative source IRQ */
	uint32_t gsi; /* global system interrupt it is wired to */
	struct acpi_irq_flags flags;
};

/* A GSI that is an NMI rather than a normal interrupt (5.2.12.6). */
struct acpi_nmi_source {
	uint32_t gsi;
	struct acpi_irq_flags flags;
};

/* A local APIC LINT pin wired to NMI (5.2.12.7, 5.2.12.13). */
struct acpi_lapic_nmi {
	uint32_t uid;  /* processor UID, meaningful only when !all_cpus */
	bool all_cpus; /* UID 0xFF (xAPIC entry) or 0xFFFFFFFF (x2APIC entry) */
	uint8_t lint;  /* LINT pin, 0 or 1 */
	struct acpi_irq_flags flags;
};

/* What the MADT says. Arrays hold the first ACPI_MAX_* entries; the rest are counted in dropped. */
struct acpi_madt_info {
	uint64_t lapic_address; /* local APIC base: the header's, or the type 5 override's */
	bool lapic_override;    /* lapic_address came from a type 5 entry */
	bool pcat_compat;       /* dual 8259s present (must be masked) */
	uint32_t ncpus;
	struct acpi_cpu cpus[ACPI_MAX_CPUS];
	uint32_t nioapics;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	uint32_t noverrides;
	struct acpi_irq_override overrides[ACPI_MAX_OVERRIDES];
	uint32_t nnmi_sources;
	struct acpi_nmi_source nmi_sources[ACPI_MAX_NMI_SOURCES];
	uint32_t nlapic_nmis;
	struct acpi_lapic_nmi lapic_nmis[ACPI_MAX_LAPIC_NMIS];
	uint32_t dropped;      /* entries that did not fit in the arrays */
	uint32_t ignored_cpus; /* CPUs neither enabled nor online-capable, or listed twice */
};

/* Decode MPS INTI flags (Table 5.26). */
struct acpi_irq_flags acpi_irq_flags_decode(uint16_t raw);

/*
 * Decode the MADT @table, read no further than @len bytes or its header's
 * length, whichever is smaller. Entry types the parser does not know are
 * stepped over by their length. Returns 0, or -EINVAL with *@why set
 * ("entry 3 runs past the end") when the table or an entry is malformed:
 * the walk stops there and @out holds what came before.
 */
int __must_check acpi_madt_parse(const void *table, size_t len, struct acpi_madt_info *out,
                                 const char **why);

/* Find, map and decode the MADT ("APIC"). Returns 0, -ENOENT, -EFAULT or -EINVAL (recorded in @t). */
int __must_check acpi_get_madt(struct acpi_tables *t, struct acpi_madt_info *out);

/* ---- FADT (5.2.9) ---- */

/* Fixed feature flags (Table 5.10). */
#define ACPI_FADT_RESET_REG_SUP  (1u << 10)
#define ACPI_FADT_HW_REDUCED     (1u << 20)
/* IA-PC boot architecture flags (5.2.9.3, Table 5.11). */
#define ACPI_BOOT_LEGACY_DEVICES (1u << 0)
#define ACPI_BOOT_8042           (1u << 1)
#define ACPI_BOOT_NO_VGA         (1u << 2)
#define ACPI_BOOT_NO_MSI         (1u << 3)
#define ACPI_BOOT_NO_ASPM        (1u << 4)
#define ACPI_BOOT_NO_CMOS_RTC    (1u << 5)

/*
 * What the FADT says. A field that lies past the table's length (an older,
 * shorter revision) reads as zero; for the register blocks the 64-bit X_
 * field wins when present and nonzero.
 */
struct acpi_fadt_info {
	uint8_t revision;          /* header revision: 1 (ACPI 1.0) .. 6 */
	uint32_t length;           /* bytes */
	uint64_t facs;             /* X_FIRMWARE_CTRL, else FIRMWARE_CTRL; 0 none */
	uint64_t dsdt;             /* X_DSDT, else DSDT; 0 none */
	uint16_t sci_irq;          /* SCI_INT: ISA IRQ (or GSI) of the SCI */
	uint32_t smi_cmd;          /* SMI command port, 0 when ACPI is always on */
	uint8_t acpi_enable;       /* value for smi_cmd that enters ACPI mode */
	uint8_t acpi_disable;      /* value for smi_cmd that leaves it */
	struct acpi_gas pm1a_evt;  /* PM1a event block */
	struct acpi_gas pm1b_evt;  /* PM1b event block, often absent */
	struct acpi_gas pm1a_cnt;  /* PM1a control block: SLP_TYP/SLP_EN live here */
	struct acpi_gas pm1b_cnt;  /* PM1b control block, often absent */
	struct acpi_gas pm_tmr;    /* ACPI PM timer, 3.579545 MHz */
	uint8_t century;           /* CMOS RTC index of the century, 0 none */
	uint32_t flags;            /* fixed feature flags, ACPI_FADT_* */
	bool hw_reduced;           /* HW_REDUCED_ACPI: no fixed hardware */
	bool boot_flags_valid;     /* IAPC_BOOT_ARCH is there (revision >= 2) */
	uint16_t boot_flags;       /* IAPC_BOOT_ARCH, ACPI_BOOT_* (0 when not valid) */
	bool has_8042;             /* 8042 keyboard controller (assumed when flags not valid) */
	bool no_vga;               /* VGA must not be probed */
	bool no_cmos_rtc;          /* no CMOS RTC at ports 0x70/0x71 */
	bool reset_valid;          /* RESET_REG_SUP set and the reset register present */
	struct acpi_gas reset_reg; /* write reset_value here to reset (when reset_valid) */
	uint8_t reset_value;
	struct acpi_gas sleep_control; /* HW-reduced sleep control register */
	struct acpi_gas sleep_status;  /* HW-reduced sleep status register */
};

/*
 * Decode the FADT @table (@len bytes, clamped to its header length).
 * Returns 0, or -EINVAL with *@why set when it is too short to hold the
 * DSDT pointer or its signature is not "FACP".
 */
int __must_check acpi_fadt_parse(const void *table, size_t len, struct acpi_fadt_info *out,
                                 const char **why);

/* Find, map and decode the FADT ("FACP"). Returns 0, -ENOENT, -EFAULT or -EINVAL (recorded in @t). */
int __must_check acpi_get_fadt(struct acpi_tables *t, struct acpi_fadt_info *out);

/* ---- HPET (IA-PC HPET Specification 1.0a, 3.2.4) ---- */

struct acpi_hpet_info {
	uint32_t block_id;       /* Event Timer Block ID, raw */
	uint16_t vendor_id;      /* PCI vendor ID of the timer block */
	uint8_t hw_rev;          /* hardware revision */
	uint8_t comparators;     /* number of comparators (field + 1) */
	bool counter_64bit;      /* COUNT_SIZE_CAP */
	bool legacy_capable;     /* LegacyReplacement IRQ routing capable */
	struct acpi_gas base;    /* register block, system memory */
	uint8_t number;          /* HPET sequence number */
	uint16_t min_tick;       /* minimum clock ticks for periodic mode */
	uint8_t page_protection; /* page protection and OEM attribute */
};

/*
 * Decode the HPET @table. Returns 0, or -EINVAL with *@why set when it is
 * too short or its base is not a nonzero system-memory address.
 */
int __must_check acpi_hpet_parse(const void *table, size_t len, struct acpi_hpet_info *out,
                                 const char **why);

/* Find (instance 0), map and decode the HPET table. Returns 0, -ENOENT, -EFAULT or -EINVAL. */
int __must_check acpi_get_hpet(struct acpi_tables *t, struct acpi_hpet_info *out);

/* ---- MCFG (PCI Firmware Specification 3.2, 4.1.2) ---- */

#define ACPI_MAX_MCFG 16

/* One ECAM window: 1 MiB of configuration space per bus. */
struct acpi_mcfg_segment {
	uint64_t base;     /* physical address of bus 0 of this segment (even if bus_start > 0) */
	uint16_t segment;  /* PCI segment group */
	uint8_t bus_start; /* first bus decoded */
	uint8_t bus_end;   /* last bus decoded, >= bus_start */
};

struct acpi_mcfg_info {
	uint32_t count;
	struct acpi_mcfg_segment seg[ACPI_MAX_MCFG];
	uint32_t dropped; /* entries that did not fit */
};

/*
 * Decode the MCFG @table. Returns 0, or -EINVAL with *@why set when it is
 * too short, its length leaves a partial entry, or an entry has a zero
 * base or bus_end < bus_start (@out then holds the entries before it).
 */
int __must_check acpi_mcfg_parse(const void *table, size_t len, struct acpi_mcfg_info *out,
                                 const char **why);

/* Find, map and decode the MCFG table. Returns 0, -ENOENT, -EFAULT or -EINVAL. */
int __must_check acpi_get_mcfg(struct acpi_tables *t, struct acpi_mcfg_info *out);

/* ---- \_Sx sleep packages (7.4.2) in AML ---- */

/*
 * The values of a \_Sx package: the low three bits of each go into the
 * SLP_TYP field of PM1a_CNT and PM1b_CNT (4.8.3.2.1). Kept whole so a
 * caller can see what the firmware wrote.
 */
struct acpi_sleep_type {
	uint64_t slp_typa;
	uint64_t slp_typb;
};

/*
 * Find `Name (\_S<state>_, Package () {a, b, ...})` in the definition
 * block @table (a DSDT or SSDT, @len bytes including its header) and read
 * a and b. This is a byte-pattern reader, not an interpreter: it takes a
 * NameOp (0x08), optionally the root prefix, the name, and a PackageOp
 * (0x12) whose elements are ZeroOp, OneOp, OnesOp or a Byte/Word/DWord/
 * QWord constant (20.2.3-20.2.5), with every read bounds-checked. A
 * one-element package holds a in bits 7:0 and b in bits 15:8, as ACPICA
 * reads old firmware. Returns 0, -ENOENT (no such package; a control
 * method \_Sx is not evaluated), -EINVAL (a matching name with a malformed
 * package) or -ERANGE (@state > 5).
 */
int __must_check acpi_aml_sleep_type(const void *table, size_t len, unsigned int state,
                                     struct acpi_sleep_type *out, const char **why);

/* Look for \_S<state>_ in the DSDT, then each SSDT. Returns as acpi_aml_sleep_type(). */
int __must_check acpi_get_sleep_type(struct acpi_tables *t, unsigned int state,
                                     struct acpi_sleep_type *out);
