// SPDX-License-Identifier: MIT
/*
 * The per-process files of /proc as Linux 6.1 prints them
 * (fs/proc/array.c: do_task_stat, proc_pid_status, proc_pid_statm;
 * fs/proc/task_mmu.c: show_map_vma). procfmt.h has the field meanings.
 */
#include <lib/string.h>

#include "lib/procfs/procfmt.h"

/* Linux prints the obsolete signal fields of stat masked to the first 31 signals. */
#define STAT_SIG_MASK 0x7fffffffull

/* Width of a maps line before its name: 25 + 6 * sizeof(void *) - 1 (show_vma_header_prefix). */
#define MAPS_NAME_COLUMN 72u

uint64_t procfmt_ns_to_ticks(uint64_t ns)
{
	return ns / (1000000000ull / PROCFMT_USER_HZ);
}

const char *procfmt_state_name(char state)
{
	switch (state) {
	case 'R':
		return "R (running)";
	case 'S':
		return "S (sleeping)";
	case 'D':
		return "D (disk sleep)";
	case 'T':
		return "T (stopped)";
	case 't':
		return "t (tracing stop)";
	case 'Z':
		return "Z (zombie)";
	case 'I':
		return "I (idle)";
	default:
		return "X (dead)";
	}
}

/* Fields 1-24: ids, state, faults, times, threads, start, sizes. */
static void stat_head(struct seqbuf *s, const struct procfmt_task *t)
{
	seq_printf(s, "%d (%s) %c %d %d %d %d %d %u", t->tid, t->comm, t->state, t->ppid, t->pgid,
	           t->sid, t->tty_nr, t->tpgid, t->flags);
	seq_printf(s, " %llu 0 %llu 0", (unsigned long long)t->minflt,
	           (unsigned long long)t->majflt);
	seq_printf(s, " %llu %llu %llu %llu", (unsigned long long)t->utime,
	           (unsigned long long)t->stime, (unsigned long long)t->cutime,
	           (unsigned long long)t->cstime);
	seq_printf(s, " %d %d %u 0 %llu %llu %llu", t->priority, t->nice, t->nthreads,
	           (unsigned long long)t->start_time, (unsigned long long)t->vsize,
	           (unsigned long long)t->rss);
}

/* Fields 25-52: limits, layout, signals, scheduling, the rest of the layout, exit code. */
static void stat_tail(struct seqbuf *s, const struct procfmt_task *t)
{
	seq_printf(s, " %llu %llu %llu %llu 0 0", (unsigned long long)t->rsslim,
	           (unsigned long long)t->start_code, (unsigned long long)t->end_code,
	           (unsigned long long)t->start_stack);
	seq_printf(s, " %llu %llu %llu %llu %d 0 0 %d %d 0 0 0 0 0",
	           (unsigned long long)(t->sig_pending & STAT_SIG_MASK),
	           (unsigned long long)(t->sig_blocked & STAT_SIG_MASK),
	           (unsigned long long)(t->sig_ignored & STAT_SIG_MASK),
	           (unsigned long long)(t->sig_caught & STAT_SIG_MASK), t->waiting ? 1 : 0,
	           t->exit_signal, t->cpu);
	seq_printf(s, " %llu %llu %llu %llu %llu %llu %llu %d\n", (unsigned long long)t->start_data,
	           (unsigned long long)t->end_data, (unsigned long long)t->start_brk,
	           (unsigned long long)t->arg_start, (unsigned long long)t->arg_end,
	           (unsigned long long)t->env_start, (unsigned long long)t->env_end, t->exit_code);
}

void procfmt_pid_stat(struct seqbuf *s, const struct procfmt_task *t)
{
	stat_head(s, t);
	stat_tail(s, t);
}

void procfmt_pid_statm(struct seqbuf *s, const struct procfmt_task *t)
{
	seq_printf(s, "%llu %llu %llu %llu 0 %llu 0\n", (unsigned long long)(t->vsize / 4096),
	           (unsigned long long)t->rss, (unsigned long long)t->shared_pages,
	           (unsigned long long)t->text_pages, (unsigned long long)t->data_pages);
}

/* The name, with newline, tab and backslash escaped (Linux: ESCAPE_SPACE | ESCAPE_SPECIAL). */
static void status_name(struct seqbuf *s, const char *comm)
{
	seq_puts(s, "Name:\t");
	for (; *comm; comm++) {
		if (*comm == '\n')
			seq_puts(s, "\\n");
		else if (*comm == '\t')
			seq_puts(s, "\\t");
		else if (*comm == '\\')
			seq_puts(s, "\\\\");
		else
			seq_putc(s, *comm);
	}
	seq_putc(s, '\n');
}

static void status_ids(struct seqbuf *s, const struct procfmt_task *t)
{
	unsigned i;

	if (t->umask >= 0)
		seq_printf(s, "Umask:\t%04o\n", (unsigned)t->umask);
	seq_printf(s, "State:\t%s\n", procfmt_state_name(t->state));
	seq_printf(s, "Tgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n", t->pid, t->tid,
	           t->ppid);
	seq_printf(s, "Uid:\t%u\t%u\t%u\t%u\n", t->uid[0], t->uid[1], t->uid[2], t->uid[3]);
	seq_printf(s, "Gid:\t%u\t%u\t%u\t%u\n", t->gid[0], t->gid[1], t->gid[2], t->gid[3]);
	seq_printf(s, "FDSize:\t%u\nGroups:\t", t->fd_size);
	for (i = 0; i < t->ngroups && i < PROCFMT_NGROUPS; i++)
		seq_printf(s, i ? " %u" : "%u", t->groups[i]);
	/* Linux keeps a trailing space here for compatibility. */
	seq_printf(s, " \nNStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n", t->pid, t->tid,
	           t->pgid, t->sid);
}

static void status_kb(struct seqbuf *s, const char *label, uint64_t kb)
{
	seq_printf(s, "%s:\t%8llu kB\n", label, (unsigned long long)kb);
}

/* Memory lines, only for a process that still has an address space. */
static void status_mem(struct seqbuf *s, const struct procfmt_task *t)
{
	status_kb(s, "VmPeak", t->vm_peak);
	status_kb(s, "VmSize", t->vm_size);
	status_kb(s, "VmLck", 0);
	status_kb(s, "VmPin", 0);
	status_kb(s, "VmHWM", t->vm_hwm);
	status_kb(s, "VmRSS", t->vm_rss);
	status_kb(s, "RssAnon", t->rss_anon);
	status_kb(s, "RssFile", t->vm_rss - t->rss_anon);
	status_kb(s, "RssShmem", 0);
	status_kb(s, "VmData", t->vm_data);
	status_kb(s, "VmStk", t->vm_stk);
	status_kb(s, "VmExe", t->vm_exe);
	status_kb(s, "VmLib", 0);
	status_kb(s, "VmPTE", t->vm_pte);
	status_kb(s, "VmSwap", 0);
	status_kb(s, "HugetlbPages", 0);
}

/* A CPU mask as Linux's %*pb: 32-bit groups in hex, high first, the top one unpadded. */
static void status_mask(struct seqbuf *s, uint64_t mask, unsigned nbits)
{
	unsigned groups = (nbits + 31) / 32, g, top_bits = nbits - (groups - 1) * 32;

	for (g = groups; g-- > 0;) {
		uint32_t word = g < 2 ? (uint32_t)(mask >> (32 * g)) : 0;

		if (g == groups - 1)
			seq_printf(s, "%0*x", (int)((top_bits + 3) / 4), word);
		else
			seq_printf(s, ",%08x", word);
	}
}

/* A CPU mask as Linux's %*pbl: ranges "0-3,5". */
static void status_list(struct seqbuf *s, uint64_t mask, unsigned nbits)
{
	unsigned i = 0, end;
	bool first = true;

	while (i < nbits && i < 64) {
		if (!(mask >> i & 1)) {
			i++;
			continue;
		}
		for (end = i; end + 1 < nbits && end + 1 < 64 && (mask >> (end + 1) & 1); end++)
			;
		seq_printf(s, end > i ? "%s%u-%u" : "%s%u", first ? "" : ",", i, end);
		first = false;
		i = end + 1;
	}
}

static void status_sig(struct seqbuf *s, const struct procfmt_task *t)
{
	seq_printf(s, "CoreDumping:\t0\nTHP_enabled:\t1\nThreads:\t%u\nSigQ:\t%u/%u\n", t->nthreads,
	           t->sigq, t->sigq_max);
	seq_printf(s, "SigPnd:\t%016llx\nShdPnd:\t%016llx\nSigBlk:\t%016llx\n",
	           (unsigned long long)t->sig_pending, (unsigned long long)t->shd_pending,
	           (unsigned long long)t->sig_blocked);
	seq_printf(s, "SigIgn:\t%016llx\nSigCgt:\t%016llx\n", (unsigned long long)t->sig_ignored,
	           (unsigned long long)t->sig_caught);
}

/* Capabilities: root has them all (the 41 of Linux 6.1), others none. */
static void status_caps(struct seqbuf *s, const struct procfmt_task *t)
{
	unsigned long long all = (1ull << 41) - 1, eff = t->uid[1] == 0 ? all : 0;

	seq_printf(s, "CapInh:\t%016llx\nCapPrm:\t%016llx\nCapEff:\t%016llx\n", 0ull,
	           t->uid[2] == 0 || t->uid[1] == 0 ? all : 0, eff);
	seq_printf(s, "CapBnd:\t%016llx\nCapAmb:\t%016llx\n", all, 0ull);
	seq_puts(s, "NoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n");
	seq_puts(s, "Speculation_Store_Bypass:\tvulnerable\n");
	seq_puts(s, "SpeculationIndirectBranch:\talways enabled\n");
}

void procfmt_pid_status(struct seqbuf *s, const struct procfmt_task *t)
{
	unsigned g;

	status_name(s, t->comm);
	status_ids(s, t);
	if (t->vm_size)
		status_mem(s, t);
	status_sig(s, t);
	status_caps(s, t);
	seq_puts(s, "Cpus_allowed:\t");
	status_mask(s, t->cpus_allowed, t->ncpus ? t->ncpus : 1);
	seq_puts(s, "\nCpus_allowed_list:\t");
	status_list(s, t->cpus_allowed, t->ncpus ? t->ncpus : 1);
	/* One memory node; Linux sizes the mask by MAX_NUMNODES (1024 in Debian's kernel). */
	seq_puts(s, "\nMems_allowed:\t");
	for (g = 0; g < 31; g++)
		seq_puts(s, "00000000,");
	seq_printf(s, "00000001\nMems_allowed_list:\t0\n");
	seq_printf(s, "voluntary_ctxt_switches:\t%llu\nnonvoluntary_ctxt_switches:\t%llu\n",
	           (unsigned long long)t->nvcsw, (unsigned long long)t->nivcsw);
}

void procfmt_map(struct seqbuf *s, const struct procfmt_vma *v)
{
	seq_setwidth(s, MAPS_NAME_COLUMN);
	seq_printf(s, "%08llx-%08llx %c%c%c%c %08llx %02x:%02x %llu ", (unsigned long long)v->start,
	           (unsigned long long)v->end, v->read ? 'r' : '-', v->write ? 'w' : '-',
	           v->exec ? 'x' : '-', v->shared ? 's' : 'p', (unsigned long long)v->offset,
	           v->dev_major, v->dev_minor, (unsigned long long)v->ino);
	if (v->name) {
		seq_pad(s, ' ');
		seq_puts(s, v->name);
	}
	seq_putc(s, '\n');
}
