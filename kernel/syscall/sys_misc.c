/* SPDX-License-Identifier: MIT */
/*
 * Small calls with no better home: uname, sysinfo, getrandom, getcpu and
 * reboot. uname names the system "Cairn" with its own release number, not
 * a Linux one: glibc dropped its minimum-kernel check in 2.36 (Debian 12),
 * musl never had one, so nothing needs a Linux version (docs/syscalls.md).
 */
#include <cairn/cairn_sys.h>
#include <cairn/errno.h>
#include <cairn/linux/random.h>
#include <cairn/linux/reboot.h>
#include <cairn/linux/utsname.h>

#include <lib/procfs/loadavg.h>
#include <lib/string.h>

#include "acpi/power.h"
#include "block/blkdev.h"
#include "core/log.h"
#include "core/percpu.h"
#include "core/random.h"
#include "fs/vfs.h"
#include "mm/heap.h"
#include "mm/pagecache.h"
#include "mm/pmm.h"
#include "net/inet.h"
#include "net/tcp_sock.h"
#include "sched/sched.h"
#include "sched/task.h"
#include "syscall/internal.h"
#include "syscall/uname.h"
#include "time/time.h"

#define GETRANDOM_CHUNK 256 /* bytes generated and copied out at a time */

static void uts_set(char field[UTSNAME_LEN], const char *s)
{
	size_t n = strlen(s);

	memcpy(field, s, n < UTSNAME_LEN ? n : UTSNAME_LEN - 1);
}

long sys_uname(uint64_t buf, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct new_utsname u;

	memset(&u, 0, sizeof(u));
	uts_set(u.sysname, CAIRN_UTS_SYSNAME);
	uts_set(u.release, CAIRN_UTS_RELEASE);
	uts_set(u.version, CAIRN_UTS_VERSION);
	uts_set(u.machine, CAIRN_UTS_MACHINE);
	uts_names(u.nodename, u.domainname);
	return copy_to_user((void *)buf, &u, sizeof(u));
}

/* Load averages as Linux reports them here: 16 fraction bits instead of the kernel's 11. */
long sys_sysinfo(uint64_t buf, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct sysinfo si;
	struct pmm_stats ps;
	unsigned long avg[3];

	pmm_stats(&ps);
	sched_loadavg(avg);
	memset(&si, 0, sizeof(si));
	for (int i = 0; i < 3; i++)
		si.loads[i] = avg[i] << (SI_LOAD_SHIFT - LOADAVG_FSHIFT);
	si.uptime = (int64_t)(clock_monotonic_ns() / NSEC_PER_SEC);
	si.totalram = ps.total;
	si.freeram = ps.free;
	/* Linux counts every thread, kernel ones included: so does this. */
	si.procs = (uint16_t)(task_count() > 0xffff ? 0xffff : task_count());
	si.mem_unit = 1;
	return copy_to_user((void *)buf, &si, sizeof(si));
}

long sys_getrandom(uint64_t buf, uint64_t len, uint64_t flags, uint64_t a3, uint64_t a4,
                   uint64_t a5)
{
	uint8_t k[GETRANDOM_CHUNK];
	unsigned f = (unsigned)flags;
	size_t done = 0;

	if (flags & ~(uint64_t)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((f & (GRND_INSECURE | GRND_RANDOM)) == (GRND_INSECURE | GRND_RANDOM))
		return -EINVAL;
	/* Linux caps one call at INT_MAX bytes. The generator is seeded at once: never blocks. */
	if (len > 0x7fffffff)
		len = 0x7fffffff;
	if (!user_range_ok(buf, len))
		return -EFAULT;
	while (done < len) {
		size_t take = user_piece(buf + done, len - done, sizeof(k));

		if (done && signal_pending())
			break;
		random_bytes(k, take);
		if (copy_to_user((void *)(buf + done), k, take)) {
			memset(k, 0, sizeof(k));
			return done ? (long)done : -EFAULT;
		}
		done += take;
	}
	memset(k, 0, sizeof(k));
	return (long)done;
}

long sys_getcpu(uint64_t cpu, uint64_t node, uint64_t cache, uint64_t a3, uint64_t a4, uint64_t a5)
{
	unsigned c = this_cpu_index(), n = 0;

	if (cpu && copy_to_user((void *)cpu, &c, sizeof(c)))
		return -EFAULT;
	if (node && copy_to_user((void *)node, &n, sizeof(n)))
		return -EFAULT;
	return 0;
}

/* The caller's effective uid: 0 (the kernel is root) until the proc lane has credentials. */
static long caller_euid(void)
{
	long euid = sys_geteuid(0, 0, 0, 0, 0, 0);

	return euid < 0 ? 0 : euid;
}

static bool reboot_magic_ok(uint32_t m1, uint32_t m2)
{
	return m1 == LINUX_REBOOT_MAGIC1 &&
	       (m2 == LINUX_REBOOT_MAGIC2 || m2 == LINUX_REBOOT_MAGIC2A ||
	        m2 == LINUX_REBOOT_MAGIC2B || m2 == LINUX_REBOOT_MAGIC2C);
}

/*
 * reboot(2): POWER_OFF and HALT power the machine off (a halted emulator
 * would only hang a test run), RESTART and RESTART2 reset it, CAD_ON and
 * CAD_OFF are accepted (there is no Ctrl-Alt-Del action to switch).
 */
long sys_reboot(uint64_t magic1, uint64_t magic2, uint64_t cmd, uint64_t arg, uint64_t a4,
                uint64_t a5)
{
	if (caller_euid() != 0)
		return -EPERM;
	if (!reboot_magic_ok((uint32_t)magic1, (uint32_t)magic2))
		return -EINVAL;
	switch ((uint32_t)cmd) {
	case LINUX_REBOOT_CMD_POWER_OFF:
	case LINUX_REBOOT_CMD_HALT:
		pr_info("reboot: power off requested by a program");
		/* Disks keep what was written: sync, and leave their file systems clean. */
		(void)vfs_shutdown();
		power_off();
	case LINUX_REBOOT_CMD_RESTART:
	case LINUX_REBOOT_CMD_RESTART2:
		pr_info("reboot: restart requested by a program");
		(void)vfs_shutdown();
		power_reboot();
	case LINUX_REBOOT_CMD_CAD_ON:
	case LINUX_REBOOT_CMD_CAD_OFF:
		return 0;
	default:
		return -EINVAL;
	}
}

#define MEMSTAT_DISKS 32 /* block devices one memstat writes back (more: the flusher's) */

struct memstat_disks {
	struct block_device *d[MEMSTAT_DISKS];
	unsigned n;
};

static void memstat_collect(struct block_device *d, void *ctx)
{
	struct memstat_disks *md = ctx;

	if (md->n < MEMSTAT_DISKS) {
		blk_get(d);
		md->d[md->n++] = d;
	}
}

/*
 * The page cache and the buffer cache give their memory back on demand and
 * on their own schedule (writeback, the flusher, eviction), so they are not
 * memory in use: write everything back and drop what is clean, as Linux's
 * `sync; echo 3 > /proc/sys/vm/drop_caches`, so two counts compare.
 */
static void memstat_drop_caches(void)
{
	struct memstat_disks md = { .n = 0 };

	(void)pagecache_sync_all(true);
	(void)vfs_sync_all();
	blk_for_each(memstat_collect, &md);
	for (unsigned i = 0; i < md.n; i++) {
		if (blk_sync(md.d[i]))
			pr_debug("memstat: %s: write-back failed; its dirty buffers stay",
			         md.d[i]->name);
		blk_put(md.d[i]);
	}
	(void)pagecache_shrink(SIZE_MAX);
	(void)bcache_shrink(SIZE_MAX);
}

/*
 * cairn_memstat: the kernel's memory counts, for tests that must find them
 * back at a baseline (the syscall fuzzer, proc_many). The file caches are
 * written back and dropped, and the task-stack cache, the CPUs' frame
 * caches and the heap's magazines emptied first, so only memory in use is
 * counted.
 */
long sys_cairn_memstat(uint64_t out, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                       uint64_t a5)
{
	struct cairn_memstat m = { .version = CAIRN_MEMSTAT_VERSION, .size = sizeof(m) };
	struct pmm_stats ps;
	struct alloc_stats hs;

	if (!user_range_ok(out, sizeof(m)))
		return -EFAULT;
	/* Ended threads' tasks are freed by the reaper: let it finish first. */
	if (!task_reap_settle(5000000000ull))
		pr_debug("memstat: the reaper still holds ended tasks after 5 s");
	/* Frames and timers in flight, and TIME_WAIT leftovers no process holds. */
	net_sync();
	if (!tcp_sock_end_time_wait(2000000000ull))
		pr_debug("memstat: TIME_WAIT connections still alive after 2 s");
	memstat_drop_caches();
	/* Freed task stacks kept for the next spawn are memory in use by nobody, too. */
	task_stack_cache_drain();
	heap_cache_reclaim();
	pmm_drain_caches();
	pmm_stats(&ps);
	heap_stats(&hs);
	m.frames_free = ps.free;
	m.frames_total = ps.total;
	m.heap_live = hs.live_blocks;
	m.heap_cached = hs.cached_blocks;
	m.heap_used_bytes = hs.used_bytes;
	m.tasks = task_count();
	m.heap_bytes = hs.heap_bytes;
	return copy_to_user((void *)out, &m, sizeof(m));
}
