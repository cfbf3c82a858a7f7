// SPDX-License-Identifier: MIT
/*
 * The system-wide files of /proc: memory (meminfo), CPU time and
 * counters (stat, uptime, loadavg), mounts and file system types, the
 * CPUs (cpuinfo, from the architecture) and the kernel's version. The
 * numbers come from the subsystems that keep them; lib/procfs prints
 * them as Linux does.
 */
#include <cairn/errno.h>

#include <lib/alloc/alloc.h>
#include <lib/procfs/loadavg.h>
#include <lib/procfs/procfmt.h>
#include <lib/string.h>

#include "arch/arch.h"
#include "core/percpu.h"
#include "fs/procfs/internal.h"
#include "irq/irq.h"
#include "mm/heap.h"
#include "mm/pagecache.h"
#include "mm/pmm.h"
#include "mm/uspace.h"
#include "proc/procinfo.h"
#include "sched/sched.h"
#include "sched/task.h"
#include "syscall/uname.h"
#include "time/time.h"

#define NSEC 1000000000ull

/* What the processes' address spaces hold: resident bytes and private writable bytes. */
static void user_memory(uint64_t *resident, uint64_t *committed)
{
	struct uspace_info i;
	struct uspace *s;
	int pid;

	*resident = *committed = 0;
	for (pid = proc_next_pid(1); pid; pid = proc_next_pid(pid + 1)) {
		s = proc_space_get(pid);
		if (!s)
			continue;
		uspace_get_info(s, &i);
		uspace_put(s);
		*resident += i.resident * 4096;
		*committed += i.data + i.stack;
	}
}

int procfs_show_meminfo(struct seqbuf *s, const struct procfs_node *n)
{
	struct pagecache_stats pc;
	struct procfmt_mem m;
	struct alloc_stats hs;
	struct pmm_stats ps;

	memset(&m, 0, sizeof(m));
	pmm_stats(&ps);
	heap_stats(&hs);
	pagecache_get_stats(&pc);
	m.total = ps.total;
	m.free = ps.free;
	m.cached = pc.pages * PAGE_SIZE;
	m.dirty = pc.dirty * PAGE_SIZE;
	/* Clean cached pages are evicted before an allocation fails. */
	m.available = ps.free + (pc.pages - pc.dirty) * PAGE_SIZE;
	m.slab = hs.heap_bytes;
	m.kernel_stack = (uint64_t)task_count() * TASK_STACK_SIZE;
	m.gbpages = arch_mmu_has_1g_pages();
	user_memory(&m.anon, &m.committed);
	procfmt_meminfo(s, &m);
	return 0;
}

/* Interrupts taken by every CPU since boot. */
static uint64_t irq_total(void)
{
	uint64_t mask = sched_cpu_mask(), sum = 0;
	unsigned cpu, v;

	for (cpu = 0; cpu < IRQ_MAX_CPUS; cpu++)
		if (mask >> cpu & 1)
			for (v = 0; v < IRQ_NR; v++)
				sum += irq_count_vector(cpu, v);
	return sum;
}

int procfs_show_stat(struct seqbuf *s, const struct procfs_node *n)
{
	struct procfmt_cputime *cpus =
		kmalloc_flags(SMP_MAX_CPUS * sizeof(*cpus), KM_ZERO | KM_MAY_FAIL);
	struct procfmt_sysstat st;
	struct sched_cpu_time t;
	uint64_t now;
	unsigned cpu;

	if (!cpus)
		return -ENOMEM;
	memset(&st, 0, sizeof(st));
	for (cpu = 0; cpu < SMP_MAX_CPUS && !sched_cpu_time(cpu, &t); cpu++) {
		cpus[cpu].user = procfmt_ns_to_ticks(t.user_ns);
		cpus[cpu].system = procfmt_ns_to_ticks(t.system_ns);
		cpus[cpu].idle = procfmt_ns_to_ticks(t.idle_ns);
		st.ctxt += t.switches;
	}
	st.cpu = cpus;
	st.ncpus = cpu;
	st.intr = irq_total();
	now = clock_realtime_ns();
	st.btime = now > clock_monotonic_ns() ? (now - clock_monotonic_ns()) / NSEC : 0;
	st.processes = proc_created();
	st.running = sched_nr_running();
	procfmt_stat(s, &st);
	kfree(cpus);
	return 0;
}

int procfs_show_uptime(struct seqbuf *s, const struct procfs_node *n)
{
	struct sched_cpu_time t;
	uint64_t idle = 0;
	unsigned cpu;

	for (cpu = 0; cpu < SMP_MAX_CPUS && !sched_cpu_time(cpu, &t); cpu++)
		idle += t.idle_ns;
	procfmt_uptime(s, clock_monotonic_ns(), idle);
	return 0;
}

int procfs_show_loadavg(struct seqbuf *s, const struct procfs_node *n)
{
	unsigned long avg[3];

	sched_loadavg(avg);
	procfmt_loadavg(s, avg, sched_nr_running(), (unsigned)task_count(), proc_last_pid());
	return 0;
}

static void fs_line(const struct fs_type *type, void *ctx)
{
	seq_printf(ctx, "%s\t%s\n", (type->flags & FS_REQUIRES_DEV) ? "" : "nodev", type->name);
}

int procfs_show_filesystems(struct seqbuf *s, const struct procfs_node *n)
{
	vfs_for_each_fs(fs_line, s);
	return 0;
}

int procfs_show_cpuinfo(struct seqbuf *s, const struct procfs_node *n)
{
	uint64_t mask = sched_cpu_mask();
	unsigned cpu;

	for (cpu = 0; cpu < 64; cpu++)
		if (mask >> cpu & 1)
			arch_cpuinfo(s, cpu, sched_cpu_count());
	return 0;
}

int procfs_show_version(struct seqbuf *s, const struct procfs_node *n)
{
	seq_puts(s, CAIRN_UTS_SYSNAME " version " CAIRN_UTS_RELEASE " (cairn@" CAIRN_UTS_NODENAME
	                              ") (" __VERSION__ ") " CAIRN_UTS_VERSION "\n");
	return 0;
}
