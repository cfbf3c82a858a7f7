// SPDX-License-Identifier: MIT
/*
 * The task lifecycle: spawn, end (return, exit, panic, kill), join, drop
 * and reaping, and the handle rules. Every task is in a table keyed by its
 * id; a handle is that id, looked up under the table lock on every use, so
 * a stale handle finds nothing instead of freed memory. Only the spawner
 * holds a handle (task->owner); only a task ends itself (task_end() acts
 * on the caller); an orphan goes to the reaper when it ends.
 * Locks: [H] task_lock; [R] reap_lock. Order: task_lock -> waitq -> rq.
 */
#include "sched/task.h"

#include <cairn/errno.h>

#include <arch/page.h>
#include <arch/spinlock.h>
#include <lib/string.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/arch.h"
#include "core/log.h"
#include "core/panic.h"
#include "core/percpu.h"
#include "core/smp.h"
#include "irq/irq.h"
#include "mm/heap.h"
#include "mm/vm.h"
#include "sched/sched.h"
#include "sched/spinlock.h"
#include "sched/task_internal.h"
#include "time/time.h"

#define TABLE_SIZE  256u /* hash buckets, a power of two */
#define REAPER_PRIO TASK_PRIO_MAX

static struct spinlock task_lock = SPINLOCK_INIT("task.table");
static struct task *table[TABLE_SIZE] __guarded_by(&task_lock);
static size_t ntasks __guarded_by(&task_lock);
static size_t nalive;        /* [a] in the table or freed not yet: what task_count() reports */
static uint64_t next_id = 1; /* [a] */

/* Each CPU's first flow: "main" on the boot CPU, its idle task elsewhere. */
static struct task boot_tasks[SMP_MAX_CPUS];

/* Orphans that ended, waiting for the reaper to free them. */
static struct spinlock reap_lock = SPINLOCK_INIT("task.reap");
static struct list_node reap_list __guarded_by(&reap_lock) = LIST_INIT(reap_list);
static struct waitq reap_wq = WAITQ_INIT(reap_wq, "task.reap");
/* Tasks handed to the reaper and not yet freed (task_reap_settle()). */
static unsigned long reap_pending;

static __attribute__((noreturn)) void task_end(int how, int value);

struct task *task_current(void)
{
	return percpu_read_current();
}

/* ---- the table ---- */

static void table_insert_locked(struct task *t) __must_hold(&task_lock)
{
	struct task **b = &table[t->id & (TABLE_SIZE - 1)];

	spin_assert_held(&task_lock);
	t->hash_next = *b;
	*b = t;
	ntasks++;
	__atomic_fetch_add(&nalive, 1, __ATOMIC_RELAXED);
}

static struct task *table_find_locked(uint64_t id) __must_hold(&task_lock)
{
	struct task *t;

	for (t = table[id & (TABLE_SIZE - 1)]; t; t = t->hash_next)
		if (t->id == id)
			return t;
	return NULL;
}

static void table_remove_locked(struct task *t) __must_hold(&task_lock)
{
	struct task **p = &table[t->id & (TABLE_SIZE - 1)];

	while (*p != t)
		p = &(*p)->hash_next;
	*p = t->hash_next;
	ntasks--;
}

/* ---- creation and freeing ---- */

static void set_name(struct task *t, const char *name)
{
	size_t i;

	for (i = 0; name && name[i] && i < TASK_NAME_MAX - 1; i++)
		t->name[i] = name[i];
	t->name[i] = '\0';
}

static __attribute__((noreturn)) void task_entry(void)
{
	struct task *t;

	sched_task_entry_finish();
	t = task_current();
	task_end(TASK_END_RETURNED, t->fn(t->arg));
}

static struct task *task_alloc(const char *name, int (*fn)(void *), void *arg)
{
	struct task *t = kmalloc_aligned(sizeof(*t), 64, KM_ZERO | KM_MAY_FAIL);

	if (!t)
		return NULL;
	t->stack_top = task_stack_get();
	if (!t->stack_top) {
		kfree(t);
		return NULL;
	}
	t->stack_size = TASK_STACK_SIZE;
	set_name(t, name);
	t->id = __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
	t->fn = fn;
	t->arg = arg;
	t->prio = TASK_PRIO_DEFAULT;
	t->affinity = TASK_CPUS_ANY;
	waitq_init(&t->exit_wq, "task.exit");
	arch_fpu_init_area(t->fpu);
	t->sp = arch_context_init(arch_task_setup(t), task_entry);
	return t;
}

/* @t is DEAD (off its stack) and out of the table. */
static void task_free(struct task *t)
{
	/* The guard page was never mapped; vm keeps the range for the next stack. */
	if (t->stack_size == TASK_STACK_SIZE)
		task_stack_put(t->stack_top);
	else if (t->stack_size)
		vm_free_stack(t->stack_top, t->stack_size);
	kfree(t);
	__atomic_fetch_sub(&nalive, 1, __ATOMIC_RELEASE); /* counted until its memory is back */
}

/* Wait for a task that has set its end to finish its last switch (a few instructions). */
static void wait_dead(struct task *t)
{
	while (__atomic_load_n(&t->state, __ATOMIC_ACQUIRE) != TASK_DEAD)
		arch_cpu_relax();
}

static int check_opts(const struct task_spawn_opts *o, int *prio, uint64_t *aff)
{
	uint64_t ready = sched_cpu_mask();

	*prio = TASK_PRIO_DEFAULT;
	*aff = ready;
	if (!o)
		return 0;
	if (o->prio < TASK_PRIO_MIN || o->prio > TASK_PRIO_MAX)
		return -EINVAL;
	*prio = o->prio;
	if (o->affinity && o->affinity != TASK_CPUS_ANY)
		*aff = o->affinity & ready;
	if (!*aff)
		return -EINVAL;
	if (o->cpu >= 0 && (o->cpu >= 64 || !(*aff >> o->cpu & 1)))
		return -EINVAL;
	return 0;
}

int task_spawn_opts(struct task_handle *out, const char *name, int (*fn)(void *), void *arg,
                    const struct task_spawn_opts *opts)
{
	struct task *self = task_current(), *t;
	uint64_t aff, flags;
	int prio, err;

	if (!out || !fn || !self)
		return -EINVAL;
	out->id = 0;
	err = check_opts(opts, &prio, &aff);
	if (err)
		return err;
	t = task_alloc(name, fn, arg);
	if (!t)
		return -ENOMEM;
	t->prio = prio;
	t->affinity = aff;
	t->owner = self->id;
	t->handle = TASK_HANDLE_HELD;
	flags = spin_lock_irqsave(&task_lock);
	table_insert_locked(t);
	self->handles_held++;
	spin_unlock_irqrestore(&task_lock, flags);
	out->id = t->id;
	if (opts && opts->setup)
		opts->setup(t, opts->setup_ctx);
	sched_enqueue_new(t, opts ? opts->cpu : -1);
	return 0;
}

int task_spawn(struct task_handle *out, const char *name, int (*fn)(void *), void *arg)
{
	return task_spawn_opts(out, name, fn, arg, NULL);
}

/* ---- ending ---- */

static void reap_push(struct task *t)
{
	uint64_t flags = spin_lock_irqsave(&reap_lock);

	__atomic_add_fetch(&reap_pending, 1, __ATOMIC_RELAXED);
	list_add_tail(&reap_list, &t->reap_link);
	spin_unlock_irqrestore(&reap_lock, flags);
}

/* Hand every task on @ended (linked by reap_link) to the reaper; @ended ends empty. */
static void reap_push_all(struct list_node *ended, unsigned n)
{
	uint64_t flags = spin_lock_irqsave(&reap_lock);

	__atomic_add_fetch(&reap_pending, n, __ATOMIC_RELAXED);
	list_splice_tail(&reap_list, ended);
	spin_unlock_irqrestore(&reap_lock, flags);
}

static bool reap_ready(void *ctx)
{
	(void)ctx;
	/* Read without the lock: waitq_wait() tests after registering, so a later push wakes it. */
	return __atomic_load_n(&reap_list.next, __ATOMIC_ACQUIRE) != &reap_list;
}

/* The handles @cur holds die with it: its live tasks become orphans. */
static unsigned orphan_children_locked(struct task *cur, struct list_node *ended)
	__must_hold(&task_lock)
{
	struct task *t;
	unsigned b, n = 0;

	for (b = 0; b < TABLE_SIZE && cur->handles_held; b++) {
		for (t = table[b]; t; t = t->hash_next) {
			if (t->owner != cur->id || t->handle != TASK_HANDLE_HELD)
				continue;
			t->owner = 0;
			t->handle = TASK_HANDLE_DROPPED;
			cur->handles_held--;
			if (__atomic_load_n(&t->end, __ATOMIC_ACQUIRE) != TASK_END_NONE) {
				list_add_tail(ended, &t->reap_link);
				n++;
			}
		}
	}
	return n;
}

/* End the calling task: publish how, wake the joiner or the reaper, leave. */
static __attribute__((noreturn)) void task_end(int how, int value)
{
	struct task *cur = task_current();
	struct list_node ended = LIST_INIT(ended);
	uint64_t flags;
	unsigned n;
	bool orphan;

	if (cur->handle == TASK_HANDLE_NONE)
		panic("task: %s (a CPU's own flow) tried to end", cur->name);
	preempt_disable(); /* from here to the last switch, stay on this CPU */
	cur->exit_value = value;
	flags = spin_lock_irqsave(&task_lock);
	n = orphan_children_locked(cur, &ended);
	__atomic_store_n(&cur->end, how, __ATOMIC_RELEASE);
	orphan = cur->handle == TASK_HANDLE_DROPPED;
	spin_unlock_irqrestore(&task_lock, flags);
	reap_push_all(&ended, n);
	if (orphan)
		reap_push(cur);
	if (orphan || reap_ready(NULL))
		waitq_wake_all(&reap_wq);
	if (!orphan)
		waitq_wake_all(&cur->exit_wq);
	sched_exit_current();
}

void task_exit(int value)
{
	task_end(TASK_END_EXITED, value);
}

bool task_kill_pending(void)
{
	struct task *cur = task_current();

	return cur && __atomic_load_n(&cur->kill_pending, __ATOMIC_ACQUIRE);
}

void task_check_kill(void)
{
	struct task *cur = task_current();

	if (cur && cur->handle != TASK_HANDLE_NONE && task_kill_pending())
		task_end(TASK_END_KILLED, -EINTR);
}

bool task_can_panic_end(void)
{
	struct task *cur;
	struct percpu *c;

	if (!sched_running() || !percpu_ready())
		return false;
	c = this_cpu();
	cur = c->current;
	return cur && cur->handle != TASK_HANDLE_NONE && !c->irq_nest && !c->irq_depth &&
	       !c->preempt_off && !__atomic_load_n(&cur->end, __ATOMIC_ACQUIRE);
}

bool task_panic_end(const char *msg)
{
	struct task *cur = task_current();
	struct percpu *c;

	if (!task_can_panic_end())
		return false;
	c = this_cpu();
	kprintf("task %s (id %llu, cpu %u) panicked: %s\n", cur->name, (unsigned long long)cur->id,
	        c->cpu, msg);
	panic_backtrace(arch_frame_pointer());
	task_end(TASK_END_PANICKED, -EFAULT);
}

/* ---- handles ---- */

/* Look @h up for the caller and check it holds it. */
static int handle_get_locked(struct task_handle h, struct task **out) __must_hold(&task_lock)
{
	struct task *self = task_current(), *t = h.id ? table_find_locked(h.id) : NULL;

	if (!t || t->handle == TASK_HANDLE_DROPPED)
		return -ESRCH;
	if (t == self)
		return -EDEADLK;
	if (!self || t->owner != self->id || t->handle == TASK_HANDLE_NONE)
		return -EPERM;
	if (t->handle == TASK_HANDLE_JOINING)
		return -EBUSY;
	*out = t;
	return 0;
}

static bool has_ended(void *ctx)
{
	struct task *t = ctx;

	return __atomic_load_n(&t->end, __ATOMIC_ACQUIRE) != TASK_END_NONE;
}

int task_join(struct task_handle h, struct task_result *res)
{
	struct task *t = NULL, *self = task_current();
	uint64_t flags;
	int err;

	flags = spin_lock_irqsave(&task_lock);
	err = handle_get_locked(h, &t);
	if (!err)
		t->handle = TASK_HANDLE_JOINING;
	spin_unlock_irqrestore(&task_lock, flags);
	if (err)
		return err;
	while (waitq_wait(&t->exit_wq, has_ended, t, 0, TIME_NEVER))
		;
	wait_dead(t);
	if (res) {
		res->how = (enum task_end)t->end;
		res->value = t->exit_value;
	}
	flags = spin_lock_irqsave(&task_lock);
	table_remove_locked(t);
	self->handles_held--;
	spin_unlock_irqrestore(&task_lock, flags);
	task_free(t);
	return 0;
}

int task_drop(struct task_handle h)
{
	struct task *t = NULL, *self = task_current();
	uint64_t flags;
	bool ended;
	int err;

	flags = spin_lock_irqsave(&task_lock);
	err = handle_get_locked(h, &t);
	if (err == -EDEADLK)
		err = -EPERM; /* a task never holds its own handle */
	if (!err) {
		t->handle = TASK_HANDLE_DROPPED;
		t->owner = 0;
		self->handles_held--;
		ended = has_ended(t);
	}
	spin_unlock_irqrestore(&task_lock, flags);
	if (err)
		return err;
	if (ended) { /* task_end() saw it held: the reaper gets it from us */
		reap_push(t);
		waitq_wake_all(&reap_wq);
	}
	return 0;
}

int task_kill(struct task_handle h)
{
	struct task *t = NULL;
	uint64_t flags;
	int err;

	flags = spin_lock_irqsave(&task_lock);
	err = handle_get_locked(h, &t);
	if (!err)
		__atomic_store_n(&t->kill_pending, true, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&task_lock, flags);
	if (err)
		return err;
	/* Only the holder (us) can free it, so it is still there. Every wait loops on
	 * its condition, so waking one that is not killable costs it one more test. */
	task_wake(t);
	return 0;
}

/* ---- the reaper ---- */

static int reaper_main(void *arg)
{
	struct list_node list = LIST_INIT(list);
	struct task *t, *tmp;
	uint64_t flags;

	(void)arg;
	for (;;) {
		while (waitq_wait(&reap_wq, reap_ready, NULL, 0, TIME_NEVER))
			;
		flags = spin_lock_irqsave(&reap_lock);
		list_splice_tail(&list, &reap_list);
		spin_unlock_irqrestore(&reap_lock, flags);
		list_for_each_entry_safe(t, tmp, &list, reap_link) {
			list_del(&t->reap_link);
			wait_dead(t);
			flags = spin_lock_irqsave(&task_lock);
			table_remove_locked(t);
			spin_unlock_irqrestore(&task_lock, flags);
			task_free(t);
			__atomic_sub_fetch(&reap_pending, 1, __ATOMIC_RELEASE);
		}
	}
	return 0;
}

bool task_reap_settle(uint64_t timeout_ns)
{
	uint64_t deadline = clock_monotonic_ns() + timeout_ns;

	while (__atomic_load_n(&reap_pending, __ATOMIC_ACQUIRE)) {
		if (clock_monotonic_ns() >= deadline)
			return false;
		sched_sleep_until(clock_monotonic_ns() + 1000000);
	}
	return true;
}

/* ---- introspection ---- */

static void snapshot_locked(const struct task *t, struct task_info *o) __must_hold(&task_lock)
{
	o->id = t->id;
	memcpy(o->name, t->name, TASK_NAME_MAX);
	o->state = __atomic_load_n(&t->state, __ATOMIC_RELAXED);
	o->prio = t->prio;
	o->cpu = __atomic_load_n(&t->cpu, __ATOMIC_RELAXED);
	o->run_ns = sched_task_run_ns(t);
	o->switches = __atomic_load_n(&t->switches, __ATOMIC_RELAXED);
	o->owner = t->owner;
}

/* Insert @t's snapshot into @out (sorted by id, at most @max kept). */
static void insert_sorted_locked(struct task_info *out, size_t *n, size_t max, const struct task *t)
	__must_hold(&task_lock)
{
	size_t i = *n < max ? *n : max;

	if (i == max && (max == 0 || out[max - 1].id < t->id))
		return;
	if (i == max)
		i--;
	while (i > 0 && out[i - 1].id > t->id) {
		out[i] = out[i - 1];
		i--;
	}
	snapshot_locked(t, &out[i]);
	if (*n < max)
		(*n)++;
}

size_t task_list(struct task_info *out, size_t max)
{
	uint64_t flags = spin_lock_irqsave(&task_lock);
	size_t n = 0, total = ntasks, b;
	struct task *t;

	for (b = 0; b < TABLE_SIZE; b++)
		for (t = table[b]; t; t = t->hash_next)
			insert_sorted_locked(out, &n, max, t);
	spin_unlock_irqrestore(&task_lock, flags);
	return total;
}

size_t task_count(void)
{
	return __atomic_load_n(&nalive, __ATOMIC_ACQUIRE);
}

/* ---- set-up ---- */

static void boot_task_setup(struct task *t, const char *name, unsigned cpu, int prio)
{
	uint64_t flags;

	set_name(t, name);
	t->id = __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
	t->prio = prio;
	t->cpu = cpu;
	t->affinity = 1ull << cpu;
	t->pinned = true;
	t->handle = TASK_HANDLE_NONE;
	waitq_init(&t->exit_wq, "task.exit");
	flags = spin_lock_irqsave(&task_lock);
	table_insert_locked(t);
	spin_unlock_irqrestore(&task_lock, flags);
}

static int idle_main(void *arg)
{
	(void)arg;
	irq_disable();
	smp_idle_loop();
}

/* On each other CPU, from smp_call(): its running flow becomes its idle task. */
static void init_other_cpu(void *arg)
{
	unsigned cpu = this_cpu_index();
	struct task *t = &boot_tasks[cpu];

	(void)arg;
	arch_fpu_init_cpu(NULL);
	boot_task_setup(t, "idle", cpu, -1);
	t->stack_top = this_cpu()->stack_top;
	sched_init_cpu(t, t);
}

/* A task with no handle, pinned or not; panics when there is no memory at boot. */
static struct task *system_task(const char *name, int (*fn)(void *), int prio, int cpu)
{
	struct task *t = task_alloc(name, fn, NULL);
	uint64_t flags;

	if (!t)
		panic("task: no memory for the %s task", name);
	t->prio = prio;
	if (cpu >= 0) {
		t->affinity = 1ull << cpu;
		t->pinned = true;
		t->cpu = (unsigned)cpu;
	}
	flags = spin_lock_irqsave(&task_lock);
	table_insert_locked(t);
	spin_unlock_irqrestore(&task_lock, flags);
	return t;
}

void task_init(void)
{
	struct task *main = &boot_tasks[0], *idle;
	unsigned cpu;

	arch_fpu_init_cpu(NULL);
	boot_task_setup(main, "main", 0, TASK_PRIO_DEFAULT);
	main->stack_top = this_cpu()->stack_top;
	idle = system_task("idle", idle_main, -1, 0);
	sched_init_cpu(main, idle);
	for (cpu = 1; cpu < SMP_MAX_CPUS; cpu++)
		if (smp_cpu_online(cpu) && smp_call(cpu, init_other_cpu, NULL, false))
			panic("task: cannot set up CPU %u for tasks", cpu);
	sched_start();
	/*
	 * On the boot CPU: the reaper only blocks until a task ends, and placing it
	 * on an idle CPU would wake that CPU with an IPI during boot for nothing
	 * (docs/performance.md, issue 10). It may still run anywhere later.
	 */
	sched_enqueue_new(system_task("reaper", reaper_main, REAPER_PRIO, -1), 0);
}

/*
 * Not waiting in task_init() lets the boot CPU go on with its devices while
 * the other CPUs' host threads are scheduled under an emulator
 * (docs/performance.md, issue 10); by "cairn: ready" they have answered.
 */
void task_wait_cpus(void)
{
	for (unsigned cpu = 1; cpu < SMP_MAX_CPUS; cpu++)
		while (smp_cpu_online(cpu) && !(sched_cpu_mask() >> cpu & 1))
			arch_cpu_relax();
}
