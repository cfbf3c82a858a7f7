// SPDX-License-Identifier: MIT
/*
 * The shell commands that report on the machine: mem (frames per zone and
 * the heap), ps (tasks), cpus, irqs (per-vector, per-CPU counters) and
 * acpi (the tables the firmware provides). Output is one header line and
 * one row per item, in columns, so that it reads well and greps well.
 */
#include <cairn/errno.h>

#include <lib/acpi/acpi.h>
#include <lib/format.h>
#include <lib/string.h>

#include "acpi/acpi.h"
#include "core/percpu.h"
#include "core/smp.h"
#include "irq/irq.h"
#include "mm/heap.h"
#include "mm/pmm.h"
#include "sched/task.h"
#include "shell/internal.h"

#define KIB(bytes) ((unsigned long long)((bytes) >> 10))

static const char *const zone_names[PMM_NZONES] = { "dma", "dma32", "normal" };

int shell_cmd_mem(const struct shell_args *a)
{
	struct pmm_stats st;
	struct alloc_stats hs;
	unsigned z;

	pmm_stats(&st);
	heap_stats(&hs);
	shell_printf(a, "ZONE        FRAMES       FREE\n");
	for (z = 0; z < PMM_NZONES; z++)
		shell_printf(a, "%-8s %9llu  %9llu\n", zone_names[z],
		             (unsigned long long)(st.zone[z].total / PAGE_SIZE),
		             (unsigned long long)(st.zone[z].free / PAGE_SIZE));
	/* Free frames parked in the CPUs' caches count in the total, not in a zone. */
	shell_printf(a, "%-8s %9s  %9llu\n", "cached", "-",
	             (unsigned long long)(st.cached / PAGE_SIZE));
	shell_printf(a, "%-8s %9llu  %9llu   (%llu MiB, %llu MiB free; 4 KiB frames)\n", "total",
	             (unsigned long long)(st.total / PAGE_SIZE),
	             (unsigned long long)(st.free / PAGE_SIZE),
	             (unsigned long long)(st.total >> 20), (unsigned long long)(st.free >> 20));
	shell_printf(a, "heap: %llu KiB, %llu KiB used, %llu KiB free, %zu live blocks\n",
	             KIB(hs.heap_bytes), KIB(hs.used_bytes), KIB(hs.free_bytes), hs.live_blocks);
	return 0;
}

static const char *state_name(int state)
{
	switch (state) {
	case TASK_RUNNING:
		return "running";
	case TASK_RUNNABLE:
		return "runnable";
	case TASK_BLOCKED:
		return "blocked";
	case TASK_DEAD:
		return "dead";
	default:
		return "?";
	}
}

int shell_cmd_ps(const struct shell_args *a)
{
	size_t max = task_count() + 16, n, i;
	struct task_info *ti = kmalloc_flags(max * sizeof(*ti), KM_MAY_FAIL);

	if (!ti) {
		shell_printf(a, "ps: out of memory\n");
		return 1;
	}
	n = task_list(ti, max);
	shell_printf(a, "  ID NAME             STATE    CPU      TIME\n");
	for (i = 0; i < n && i < max; i++) {
		uint64_t ms = ti[i].run_ns / 1000000;

		shell_printf(a, "%4llu %-16.16s %-8s %3u %5llu.%03llu\n",
		             (unsigned long long)ti[i].id, ti[i].name, state_name(ti[i].state),
		             ti[i].cpu, (unsigned long long)(ms / 1000),
		             (unsigned long long)(ms % 1000));
	}
	if (n > max)
		shell_printf(a, "ps: %zu more tasks not shown\n", n - max);
	kfree(ti);
	return 0;
}

/* CPUs the firmware described (the online ones at least), capped at SMP_MAX_CPUS. */
static unsigned cpus_described(void)
{
	struct smp_stats st;
	unsigned n;

	smp_get_stats(&st);
	n = st.described > st.online ? st.described : st.online;
	return n < SMP_MAX_CPUS ? n : SMP_MAX_CPUS;
}

int shell_cmd_cpus(const struct shell_args *a)
{
	unsigned n = cpus_described(), i;

	shell_printf(a, " CPU  APIC  ONLINE\n");
	for (i = 0; i < n; i++)
		shell_printf(a, "%4u  %4u  %s\n", i, percpu_of(i)->apic_id,
		             smp_cpu_online(i) ? "yes" : "no");
	return 0;
}

int shell_cmd_irqs(const struct shell_args *a)
{
	unsigned n = cpus_described(), v, cpu;
	char label[16];
	uint64_t sum;

	shell_printf(a, " VEC");
	for (cpu = 0; cpu < n; cpu++) {
		fmt_snprintf(label, sizeof(label), "CPU%u", cpu);
		shell_printf(a, "  %10s", label);
	}
	shell_printf(a, "\n");
	for (v = 0; v < 256; v++) {
		for (sum = 0, cpu = 0; cpu < n; cpu++)
			sum += irq_count_vector(cpu, v);
		if (!sum)
			continue;
		shell_printf(a, "0x%02x", v);
		for (cpu = 0; cpu < n; cpu++)
			shell_printf(a, "  %10llu", (unsigned long long)irq_count_vector(cpu, v));
		shell_printf(a, "\n");
	}
	return 0;
}

/*
 * Firmware strings are untrusted: copy @n bytes of @src into @dst (n + 1
 * bytes) as printable ASCII, '?' for anything else, trailing blanks cut.
 */
static void acpi_string(char *dst, const void *src, size_t n)
{
	const uint8_t *p = src;
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : p[i] ? '?' : ' ';
	while (n > 0 && dst[n - 1] == ' ')
		n--;
	dst[n] = 0;
}

/*
 * One table's row. Length, revision and OEM id come from the header when
 * it can be read, else from @r (the FACS has no standard header).
 */
static void acpi_row(const struct shell_args *a, const struct acpi_tables *t,
                     const struct acpi_table_ref *r)
{
	uint32_t len = r->length;
	uint8_t rev = r->revision;
	const uint8_t *h = NULL;
	char sig[5], oem[7] = "-";

	if (strcmp(r->sig, "FACS") != 0)
		h = t->mem.map(t->mem.ctx, r->phys, ACPI_HEADER_LEN);
	if (h) {
		/* ACPI 6.5, 5.2.6: Length at offset 4, Revision at 8, OEMID at 10 (6 bytes). */
		len = (uint32_t)h[4] | (uint32_t)h[5] << 8 | (uint32_t)h[6] << 16 |
		      (uint32_t)h[7] << 24;
		rev = h[8];
		acpi_string(oem, h + 10, 6);
	}
	acpi_string(sig, r->sig, 4);
	shell_printf(a, "%-4s  %#018llx  %7u  %3u  %s\n", sig, (unsigned long long)r->phys, len,
	             rev, oem);
}

int shell_cmd_acpi(const struct shell_args *a)
{
	const struct acpi_tables *t = acpi_root();
	struct acpi_table_ref root = { .sig = "RSDT" };
	char oem[7];
	size_t i;

	if (!t) {
		shell_printf(a, "acpi: no usable ACPI tables\n");
		return 1;
	}
	root.phys = t->root_phys;
	if (t->xsdt)
		memcpy(root.sig, "XSDT", 5);
	shell_printf(a, "SIG   ADDRESS              LENGTH  REV  OEM\n");
	acpi_string(oem, t->oem_id, 6);
	shell_printf(a, "RSDP  %#018llx  %7s  %3u  %s\n", (unsigned long long)t->rsdp_phys, "-",
	             t->rsdp_revision, oem);
	acpi_row(a, t, &root);
	for (i = 0; i < t->ntables && i < ACPI_MAX_TABLES; i++)
		acpi_row(a, t, &t->tables[i]);
	for (i = 0; i < t->nerrors && i < ACPI_MAX_ERRORS; i++)
		shell_printf(a, "problem: %s\n", t->errors[i].msg);
	return 0;
}
