// SPDX-License-Identifier: MIT
/*
 * The system-wide files of /proc as Linux 6.1 prints them
 * (fs/proc/meminfo.c, stat.c, loadavg.c, uptime.c, proc_namespace.c).
 */
#include <lib/string.h>

#include "lib/procfs/loadavg.h"
#include "lib/procfs/procfmt.h"

#define KB 1024ull

/* "Label:" padded to 16 columns, then the value in kB right-aligned in 8 (show_val_kb). */
static void mem_line(struct seqbuf *s, const char *label, uint64_t bytes)
{
	int pad = 15 - (int)strlen(label);

	seq_printf(s, "%s:%*s%8llu kB\n", label, pad > 0 ? pad : 0, "",
	           (unsigned long long)(bytes / KB));
}

static void meminfo_main(struct seqbuf *s, const struct procfmt_mem *m)
{
	static const char *const zero1[] = { "SwapCached",     "Active",         "Inactive",
		                             "Active(anon)",   "Inactive(anon)", "Active(file)",
		                             "Inactive(file)", "Unevictable",    "Mlocked",
		                             "SwapTotal",      "SwapFree",       "Zswap",
		                             "Zswapped" };
	unsigned i;

	mem_line(s, "MemTotal", m->total);
	mem_line(s, "MemFree", m->free);
	mem_line(s, "MemAvailable", m->available);
	mem_line(s, "Buffers", m->buffers);
	mem_line(s, "Cached", m->cached);
	for (i = 0; i < sizeof(zero1) / sizeof(zero1[0]); i++)
		mem_line(s, zero1[i], 0);
	mem_line(s, "Dirty", m->dirty);
	mem_line(s, "Writeback", 0);
	mem_line(s, "AnonPages", m->anon);
	mem_line(s, "Mapped", 0);
	mem_line(s, "Shmem", m->shmem);
	mem_line(s, "KReclaimable", 0);
	mem_line(s, "Slab", m->slab);
	mem_line(s, "SReclaimable", 0);
	mem_line(s, "SUnreclaim", m->slab);
	mem_line(s, "KernelStack", m->kernel_stack);
	mem_line(s, "PageTables", m->page_tables);
	mem_line(s, "SecPageTables", 0);
}

void procfmt_meminfo(struct seqbuf *s, const struct procfmt_mem *m)
{
	static const char *const zero2[] = { "AnonHugePages", "ShmemHugePages", "ShmemPmdMapped",
		                             "FileHugePages", "FilePmdMapped" };
	unsigned i;

	meminfo_main(s, m);
	mem_line(s, "NFS_Unstable", 0);
	mem_line(s, "Bounce", 0);
	mem_line(s, "WritebackTmp", 0);
	/* No swap and the heuristic overcommit: the limit is half of RAM (overcommit_ratio 50). */
	mem_line(s, "CommitLimit", m->total / 2);
	mem_line(s, "Committed_AS", m->committed);
	mem_line(s, "VmallocTotal", m->vmalloc_total);
	mem_line(s, "VmallocUsed", 0);
	mem_line(s, "VmallocChunk", 0);
	mem_line(s, "Percpu", 0);
	seq_puts(s, "HardwareCorrupted:     0 kB\n");
	for (i = 0; i < sizeof(zero2) / sizeof(zero2[0]); i++)
		mem_line(s, zero2[i], 0);
	seq_puts(s, "HugePages_Total:       0\nHugePages_Free:        0\n");
	seq_puts(s, "HugePages_Rsvd:        0\nHugePages_Surp:        0\n");
	mem_line(s, "Hugepagesize", 2048 * KB);
	mem_line(s, "Hugetlb", 0);
	mem_line(s, "DirectMap4k", m->direct_4k);
	mem_line(s, "DirectMap2M", m->direct_2m);
	if (m->gbpages)
		mem_line(s, "DirectMap1G", m->direct_1g);
}

static void cpu_line(struct seqbuf *s, const struct procfmt_cputime *c)
{
	seq_printf(s, " %llu %llu %llu %llu %llu", (unsigned long long)c->user,
	           (unsigned long long)c->nice, (unsigned long long)c->system,
	           (unsigned long long)c->idle, (unsigned long long)c->iowait);
	seq_printf(s, " %llu %llu %llu %llu %llu\n", (unsigned long long)c->irq,
	           (unsigned long long)c->softirq, (unsigned long long)c->steal,
	           (unsigned long long)c->guest, (unsigned long long)c->guest_nice);
}

static void cpu_add(struct procfmt_cputime *sum, const struct procfmt_cputime *c)
{
	sum->user += c->user;
	sum->nice += c->nice;
	sum->system += c->system;
	sum->idle += c->idle;
	sum->iowait += c->iowait;
	sum->irq += c->irq;
	sum->softirq += c->softirq;
	sum->steal += c->steal;
	sum->guest += c->guest;
	sum->guest_nice += c->guest_nice;
}

void procfmt_stat(struct seqbuf *s, const struct procfmt_sysstat *st)
{
	struct procfmt_cputime sum;
	unsigned i;

	memset(&sum, 0, sizeof(sum));
	for (i = 0; i < st->ncpus; i++)
		cpu_add(&sum, &st->cpu[i]);
	seq_puts(s, "cpu ");
	cpu_line(s, &sum);
	for (i = 0; i < st->ncpus; i++) {
		seq_printf(s, "cpu%u", i);
		cpu_line(s, &st->cpu[i]);
	}
	/* Linux follows the sum with one count per interrupt number; Cairn keeps only the sum. */
	seq_printf(s, "intr %llu\nctxt %llu\nbtime %llu\nprocesses %llu\n",
	           (unsigned long long)st->intr, (unsigned long long)st->ctxt,
	           (unsigned long long)st->btime, (unsigned long long)st->processes);
	seq_printf(s, "procs_running %u\nprocs_blocked %u\n", st->running, st->blocked);
	seq_puts(s, "softirq 0 0 0 0 0 0 0 0 0 0 0\n");
}

void procfmt_loadavg(struct seqbuf *s, const unsigned long avg[3], unsigned running,
                     unsigned threads, int last_pid)
{
	unsigned long r[3];

	loadavg_rounded(avg, r);
	seq_printf(s, "%lu.%02lu %lu.%02lu %lu.%02lu %u/%u %d\n", LOADAVG_INT(r[0]),
	           LOADAVG_FRAC(r[0]), LOADAVG_INT(r[1]), LOADAVG_FRAC(r[1]), LOADAVG_INT(r[2]),
	           LOADAVG_FRAC(r[2]), running, threads, last_pid);
}

void procfmt_uptime(struct seqbuf *s, uint64_t up_ns, uint64_t idle_ns)
{
	const uint64_t sec = 1000000000ull, centi = sec / 100;

	seq_printf(s, "%llu.%02llu %llu.%02llu\n", (unsigned long long)(up_ns / sec),
	           (unsigned long long)(up_ns % sec / centi), (unsigned long long)(idle_ns / sec),
	           (unsigned long long)(idle_ns % sec / centi));
}

void procfmt_mount(struct seqbuf *s, const char *source, const char *path, const char *type,
                   const char *opts)
{
	static const char esc[] = " \t\n\\";

	seq_escape(s, source ? source : "none", esc);
	seq_putc(s, ' ');
	seq_escape(s, path, esc);
	seq_putc(s, ' ');
	seq_escape(s, type, esc);
	seq_printf(s, " %s 0 0\n", opts);
}
