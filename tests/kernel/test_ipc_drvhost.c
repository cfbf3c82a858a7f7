// SPDX-License-Identifier: MIT
/*
 * The driver host (suite ipc_drvhost): tiny drivers (drv_progs.h) started
 * by drvhost_start() with an I/O port handle (COM1's eight ports) at fd 3
 * and an interrupt handle (the RTC's line, left quiet) at fd 4; killed,
 * faulting, exiting at once and misbehaving. Each test checks what the
 * driver got, that it comes back, that the delays grow only for a driver
 * that keeps dying young, and that nothing is left once the host stops:
 * no process, no object, no handle, no heap block.
 */
#include <cairn/errno.h>
#include <cairn/ipc.h>
#include <cairn/linux/signal.h>
#include <cairn/linux/wait.h>

#include <lib/alloc/alloc.h>
#include <lib/format.h>
#include <lib/procfs/seq.h>
#include <lib/string.h>

#include "core/ktest.h"
#include "fs/file.h"
#include "ipc/devobj.h"
#include "ipc/object.h"
#include "irq/irq.h"
#include "mm/heap.h"
#include "mm/pmm.h"
#include "proc/proc.h"
#include "proc/signal.h"
#include "sched/task.h"
#include "tests/kernel/drv_progs.h"
#include "tests/kernel/proc_image.h"
#include "time/time.h"

#define RTC_ISA_IRQ 8

/* The image must outlive the host, which reads it at every restart. */
static struct proc_image drv_image;

/* What the heap and the frame allocator hold once every cache is emptied. */
struct snapshot {
	size_t live_blocks;
	uint64_t heap_bytes, frames_free;
	struct cairn_objcount objs;
};

static void snapshot(struct snapshot *s)
{
	struct alloc_stats hs;
	struct pmm_stats ps;

	(void)task_reap_settle(5000000000ull);
	task_stack_cache_drain();
	heap_cache_reclaim();
	pmm_drain_caches();
	heap_stats(&hs);
	pmm_stats(&ps);
	s->live_blocks = hs.live_blocks;
	s->heap_bytes = hs.heap_bytes;
	s->frames_free = ps.free;
	ipc_counts_read(&s->objs);
}

/* Nothing held now that was not held at @before (the heap may have grown, not leaked). */
static void expect_back_to(const struct snapshot *before)
{
	struct snapshot now;

	snapshot(&now);
	EXPECT_EQ(now.live_blocks, before->live_blocks);
	EXPECT_TRUE(before->frames_free + (now.heap_bytes - before->heap_bytes) + 4 * 4096 >=
	            now.frames_free);
	EXPECT_TRUE(now.frames_free + (now.heap_bytes - before->heap_bytes) + 4 * 4096 >=
	            before->frames_free);
	for (unsigned t = 1; t < CAIRN_OBJ_TYPES; t++)
		EXPECT_EQ(now.objs.objects[t], before->objs.objects[t]);
	EXPECT_EQ(now.objs.handles, before->objs.handles);
}

struct drv_objs {
	struct kobject *ports, *irq;
};

/* The objects of a test driver, or a skip where there is no port space. */
static void drv_objs_make(struct drv_objs *d)
{
	int err = ioport_object_create(0x3f8, 8, &d->ports);

	if (err == -ENODEV)
		ktest_skip("no port space on this architecture");
	EXPECT_EQ(err, 0);
	EXPECT_EQ(irq_object_create(irq_isa_to_gsi(RTC_ISA_IRQ), &d->irq), 0);
}

static void drv_objs_put(struct drv_objs *d)
{
	kobject_put(d->ports);
	kobject_put(d->irq);
}

static int drv_start(const struct proc_prog *prog, const struct drv_objs *d, uint32_t port_rights,
                     uint32_t irq_rights, struct drvhost **out)
{
	struct drvhost_spec spec = {
		.name = "testdrv",
		.path = "testdrv",
		.handles = { { d->ports, port_rights }, { d->irq, irq_rights } },
		.nhandles = 2,
		.image = drv_image.b,
	};

	proc_image_build(&drv_image, prog, false);
	spec.image_size = drv_image.size;
	return drvhost_start(&spec, out);
}

/* Wait up to @ms for the host to have begun @starts lives and have one running. */
static bool wait_starts(struct drvhost *h, uint64_t starts, unsigned ms, struct drvhost_stats *st)
{
	uint64_t end = clock_monotonic_ns() + ms * NSEC_PER_MSEC;

	for (;;) {
		drvhost_get_stats(h, st);
		if ((st->starts >= starts && st->pid > 0) || clock_monotonic_ns() >= end)
			return st->starts >= starts && st->pid > 0;
		sleep_ms(2);
	}
}

static void kill_pid(int pid)
{
	struct process *p = process_find(pid);

	EXPECT_TRUE(p != NULL);
	if (p) {
		EXPECT_EQ(signal_send_process(p, SIGKILL, NULL), 0);
		process_put(p);
	}
}

/* Whether /proc/cairn/drivers has a line with the driver's @name, @pid and @last words. */
static bool drivers_file_says(const char *name, int pid, const char *last)
{
	static char text[2048], want[96];
	struct seqbuf sb;

	seq_init(&sb, text, sizeof(text) - 1);
	drvhost_show(&sb);
	text[sb.len] = 0;
	fmt_snprintf(want, sizeof(want), "%-12s %6d ", name, pid);
	return !sb.overflow && strstr(text, "name ") == text && strstr(text, want) &&
	       strstr(strstr(text, want), last);
}

/* What a driver's descriptor table holds: per fd 0..7, the handle's type and rights. */
struct fd_view {
	int is_handle[8];
	uint32_t type[8], rights[8];
	struct kobject *obj[8];
	int open[8];
};

static void view_one(int fd, struct file *f, void *ctx)
{
	struct fd_view *v = ctx;
	struct handle *hd;

	if (fd < 0 || fd >= 8)
		return;
	v->open[fd] = 1;
	hd = file_is_handle(f) ? file_handle(f) : NULL;
	if (hd) {
		v->is_handle[fd] = 1;
		v->obj[fd] = hd->obj;
		v->type[fd] = hd->obj->ops->type;
		v->rights[fd] = hd->rights;
	}
}

static void view_fds(int pid, struct fd_view *v)
{
	struct process *p = process_find(pid);
	struct fdtable *t = p ? proc_files_get(p) : NULL;

	*v = (struct fd_view){ 0 };
	EXPECT_TRUE(t != NULL);
	if (t) {
		fdtable_for_each(t, view_one, v);
		fdtable_put(t);
	}
	if (p)
		process_put(p);
}

TEST(ipc_drvhost, driver_gets_exactly_its_handles)
{
	const uint32_t pr = CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE;
	const uint32_t ir = CAIRN_RIGHT_WAIT | CAIRN_RIGHT_WRITE;
	struct drvhost_stats st;
	struct drv_objs d;
	struct drvhost *h;
	struct fd_view v;

	drv_objs_make(&d);
	EXPECT_EQ(drv_start(&drv_prog_idle, &d, pr, ir, &h), 0);
	EXPECT_TRUE(wait_starts(h, 1, 2000, &st));
	EXPECT_EQ(st.starts, 1);
	EXPECT_EQ(st.restarts, 0);
	EXPECT_TRUE(drivers_file_says("testdrv", st.pid, " -"));
	view_fds(st.pid, &v);
	for (int fd = 0; fd < 3; fd++)
		EXPECT_TRUE(v.open[fd] && !v.is_handle[fd]); /* the console */
	EXPECT_TRUE(v.is_handle[3] && v.obj[3] == d.ports);
	EXPECT_EQ(v.type[3], CAIRN_OBJ_IOPORT);
	EXPECT_EQ(v.rights[3], pr);
	EXPECT_TRUE(v.is_handle[4] && v.obj[4] == d.irq);
	EXPECT_EQ(v.type[4], CAIRN_OBJ_IRQ);
	EXPECT_EQ(v.rights[4], ir);
	for (int fd = 5; fd < 8; fd++)
		EXPECT_TRUE(!v.open[fd]);
	drvhost_stop(h);
	EXPECT_TRUE(!drivers_file_says("testdrv", st.pid, " -")); /* a stopped host is gone */
	drv_objs_put(&d);
}

TEST(ipc_drvhost, bad_specs_are_refused)
{
	struct drvhost_spec spec = { .name = "x", .path = "/no/such/driver" };
	struct drv_objs d;
	struct drvhost *h;

	EXPECT_EQ(drvhost_start(&spec, &h), -ENOENT);
	spec.nhandles = DRVHOST_MAX_HANDLES + 1;
	EXPECT_EQ(drvhost_start(&spec, &h), -EINVAL);
	spec.nhandles = 1; /* a NULL object */
	EXPECT_EQ(drvhost_start(&spec, &h), -EINVAL);
	drv_objs_make(&d);
	EXPECT_EQ(drv_start(&drv_prog_idle, &d, 1u << 20, CAIRN_RIGHT_WAIT, &h), -EINVAL);
	spec.name = NULL;
	EXPECT_EQ(drvhost_start(&spec, &h), -EINVAL);
	drv_objs_put(&d);
}

/*
 * Killed ten times, each life comes back at once with the same handles,
 * and after the stop the processes, the objects' handles and the heap are
 * where they were. A warm-up life first, so that what the first process
 * and the first log lines allocate for good is in the baseline.
 */
TEST(ipc_drvhost, killed_driver_restarts_and_nothing_leaks)
{
	const uint32_t pr = CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE;
	const uint32_t ir = CAIRN_RIGHT_WAIT | CAIRN_RIGHT_WRITE;
	struct drvhost_stats st;
	struct snapshot before;
	unsigned procs;
	struct drv_objs d;
	struct drvhost *h;
	struct fd_view v;
	int i, pid;

	drv_objs_make(&d);
	EXPECT_EQ(drv_start(&drv_prog_idle, &d, pr, ir, &h), 0);
	EXPECT_TRUE(wait_starts(h, 1, 2000, &st));
	drvhost_stop(h);
	procs = proc_count();
	snapshot(&before);
	EXPECT_EQ(drv_start(&drv_prog_idle, &d, pr, ir, &h), 0);
	for (i = 0; i < 10; i++) {
		EXPECT_TRUE(wait_starts(h, (uint64_t)i + 1, 2000, &st));
		pid = st.pid;
		kill_pid(pid);
		EXPECT_TRUE(wait_starts(h, (uint64_t)i + 2, 2000, &st));
		EXPECT_TRUE(st.pid != pid);
		EXPECT_EQ(st.last_status, W_EXITCODE(0, SIGKILL));
		EXPECT_EQ(st.backoff_ms <= 20, 1); /* a kill is not the driver's failure */
	}
	EXPECT_EQ(st.restarts, 10);
	EXPECT_TRUE(drivers_file_says("testdrv", st.pid, "signal 9"));
	view_fds(st.pid, &v);
	EXPECT_TRUE(v.obj[3] == d.ports && v.rights[3] == pr);
	EXPECT_TRUE(v.obj[4] == d.irq && v.rights[4] == ir);
	drvhost_stop(h);
	EXPECT_EQ(proc_count(), procs);
	expect_back_to(&before);
	drv_objs_put(&d);
}

/* Wait up to @ms for the host to have begun @starts lives, running or not. */
static bool wait_lives(struct drvhost *h, uint64_t starts, unsigned ms, struct drvhost_stats *st)
{
	uint64_t end = clock_monotonic_ns() + ms * NSEC_PER_MSEC;

	for (;;) {
		drvhost_get_stats(h, st);
		if (st->starts >= starts || clock_monotonic_ns() >= end)
			return st->starts >= starts;
		sleep_ms(2);
	}
}

/* A driver that faults dies of SIGSEGV, alone: the host sees it and starts another. */
TEST(ipc_drvhost, faulting_driver_dies_alone)
{
	struct drvhost_stats st;
	struct drv_objs d;
	struct drvhost *h;

	drv_objs_make(&d);
	EXPECT_EQ(drv_start(&drv_prog_fault, &d, CAIRN_RIGHT_READ, CAIRN_RIGHT_WAIT, &h), 0);
	EXPECT_TRUE(wait_lives(h, 3, 3000, &st));
	EXPECT_EQ(st.last_status & 0x7f, SIGSEGV); /* 0x80 says "core dumped", as Linux would */
	EXPECT_TRUE(st.restarts >= 2);
	drvhost_stop(h);
	drv_objs_put(&d);
}

/*
 * Calls the driver has no right to make, or on handles it does not have,
 * are refused one by one (the driver checks each error and exits 0), and
 * the interrupt it tried to ack without WRITE is untouched.
 */
TEST(ipc_drvhost, misbehaving_driver_is_refused)
{
	struct irq_object_info ii;
	struct drvhost_stats st;
	struct drv_objs d;
	struct drvhost *h;

	drv_objs_make(&d);
	EXPECT_EQ(drv_start(&drv_prog_misbehave, &d, CAIRN_RIGHT_READ, CAIRN_RIGHT_WAIT, &h), 0);
	EXPECT_TRUE(wait_lives(h, 2, 3000, &st));
	EXPECT_EQ(st.last_status, W_EXITCODE(0, 0));
	drvhost_stop(h);
	irq_object_info(d.irq, &ii);
	EXPECT_TRUE(!ii.pending);
	EXPECT_EQ(ii.fired, 0);
	drv_objs_put(&d);
}

/*
 * A driver that exits at once every time is restarted at once three
 * times, then with delays doubling from 25 ms to 1 s: in 2.5 s it gets
 * about ten lives, not the hundred a restart every 20 ms would give.
 */
TEST(ipc_drvhost, driver_that_keeps_dying_is_slowed_down)
{
	struct drvhost_stats st;
	struct drv_objs d;
	struct drvhost *h;

	drv_objs_make(&d);
	EXPECT_EQ(drv_start(&drv_prog_exit, &d, CAIRN_RIGHT_READ, CAIRN_RIGHT_WAIT, &h), 0);
	sleep_ms(2500);
	drvhost_get_stats(h, &st);
	drvhost_stop(h);
	EXPECT_EQ(st.last_status, W_EXITCODE(1, 0));
	EXPECT_TRUE(st.starts >= 6);
	EXPECT_TRUE(st.starts <= 14);
	EXPECT_TRUE(st.backoff_ms >= 400 && st.backoff_ms <= 1000);
	drv_objs_put(&d);
}

/*
 * Five young deaths raise the delay; the first life that lasts (1.2 s)
 * sets it back to nothing. The driver counts its lives in the UART's
 * scratch register, whose value is put back afterwards.
 */
TEST(ipc_drvhost, delay_resets_after_a_long_life)
{
	uint32_t old = 0, max_ms = 0;
	struct drvhost_stats st;
	struct drv_objs d;
	struct drvhost *h;
	uint64_t end;

	drv_objs_make(&d);
	EXPECT_EQ(ioport_object_read(d.ports, 7, 1, &old), 0);
	EXPECT_EQ(ioport_object_write(d.ports, 7, 1, 0), 0);
	EXPECT_EQ(drv_start(&drv_prog_young_then_old, &d, CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE,
	                    CAIRN_RIGHT_WAIT, &h),
	          0);
	end = clock_monotonic_ns() + 5000 * NSEC_PER_MSEC;
	do {
		sleep_ms(2);
		drvhost_get_stats(h, &st);
		max_ms = st.backoff_ms > max_ms ? st.backoff_ms : max_ms;
	} while (!(st.starts >= 7 && st.last_status == W_EXITCODE(2, 0)) &&
	         clock_monotonic_ns() < end);
	drvhost_stop(h);
	EXPECT_EQ(st.last_status, W_EXITCODE(2, 0));
	EXPECT_TRUE(max_ms >= 50);
	EXPECT_EQ(st.backoff_ms, 0);
	EXPECT_EQ(ioport_object_write(d.ports, 7, 1, old), 0);
	drv_objs_put(&d);
}

/* Wait up to @ms for the process count to be @n. */
static bool wait_procs(unsigned n, unsigned ms)
{
	uint64_t end = clock_monotonic_ns() + ms * NSEC_PER_MSEC;

	while (proc_count() != n && clock_monotonic_ns() < end)
		sleep_ms(2);
	return proc_count() == n;
}

/* A driver's children die with it: each life leaves two processes, never more. */
TEST(ipc_drvhost, what_a_driver_forked_dies_with_it)
{
	unsigned base = proc_count();
	struct drvhost_stats st;
	struct drv_objs d;
	struct drvhost *h;
	int i;

	drv_objs_make(&d);
	EXPECT_EQ(drv_start(&drv_prog_forker, &d, CAIRN_RIGHT_READ, CAIRN_RIGHT_WAIT, &h), 0);
	for (i = 0; i < 3; i++) {
		EXPECT_TRUE(wait_starts(h, (uint64_t)i + 1, 2000, &st));
		EXPECT_TRUE(wait_procs(base + 2, 2000));
		kill_pid(st.pid);
		EXPECT_TRUE(wait_starts(h, (uint64_t)i + 2, 2000, &st));
	}
	EXPECT_TRUE(wait_procs(base + 2, 2000));
	drvhost_stop(h);
	EXPECT_TRUE(wait_procs(base, 2000));
	drv_objs_put(&d);
}
