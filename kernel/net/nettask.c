// SPDX-License-Identifier: MIT
/*
 * The net task: the one kernel task that runs the stack's input. Drivers
 * (and the loopback interface) queue received frames with netif_rx() from
 * any context; the task takes them in batches and runs Ethernet, ARP, IP
 * and the protocols' hooks, then the timers that are due (net_timer).
 * While frames keep coming the task never sleeps, so a busy interface
 * costs no wake-up per frame; netif_rx() wakes it only when it waits.
 *
 * Locks: rxq_lock (a spinlock taken with interrupts off: drivers queue
 * from their interrupt handlers) guards the queue and each interface's
 * rx_queued; timer_lock guards the timer list. Neither is held while a
 * frame or a timer is processed.
 */
#include <cairn/errno.h>

#include "core/cmdline.h"
#include "core/log.h"
#include "core/smp.h"
#include "net/inet.h"
#include "net/ip_internal.h"
#include "net/netif.h"
#include "net/pkt.h"
#include "sched/spinlock.h"
#include "sched/task.h"
#include "sched/wait.h"
#include "time/time.h"

/* How long the task looks for more frames before it sleeps (poll_briefly()). */
#define NET_POLL_NS (50 * NSEC_PER_USEC)

static struct spinlock rxq_lock = SPINLOCK_INIT("net.rxq");
static struct list_node rxq __guarded_by(&rxq_lock) = LIST_INIT(rxq);
static uint64_t rx_queued_seq; /* [a] frames ever queued */
static uint64_t rx_done_seq;   /* [a] frames the task has finished with (queued order) */

static struct spinlock timer_lock = SPINLOCK_INIT("net.timers");
static struct list_node timers __guarded_by(&timer_lock) = LIST_INIT(timers);
static struct net_timer *timer_running __guarded_by(&timer_lock);
static uint64_t sync_req;  /* [a] net_sync() calls so far */
static uint64_t sync_done; /* [a] the sync_req a finished pass had read at its start */

static struct waitq net_wq = WAITQ_INIT(net_wq, "net.task");
static bool kicked;               /* [a] net_task_kick() asked for a pass */
static struct task *net_task;     /* [a] set by the task itself when it starts */
static uint64_t log_window_start; /* [a] net_log_ok()'s current second */
static unsigned log_window_lines; /* [a] lines printed in it */

uint64_t net_now(void)
{
	return clock_monotonic_ns();
}

bool net_in_task(void)
{
	struct task *t = __atomic_load_n(&net_task, __ATOMIC_ACQUIRE);

	return t && task_current() == t;
}

bool net_log_ok(void)
{
	uint64_t now = net_now(), start = __atomic_load_n(&log_window_start, __ATOMIC_RELAXED);

	if (now - start > NSEC_PER_SEC) {
		__atomic_store_n(&log_window_start, now, __ATOMIC_RELAXED);
		__atomic_store_n(&log_window_lines, 0, __ATOMIC_RELAXED);
	}
	return __atomic_add_fetch(&log_window_lines, 1, __ATOMIC_RELAXED) <= 5;
}

static void wake_task(void)
{
	if (waitq_active(&net_wq))
		waitq_wake_one(&net_wq);
}

/*
 * Queue the frame @p received on @nif for the net task. Any context. The
 * queue holds at most NETIF_RXQ_MAX frames per interface; beyond that the
 * frame is dropped and counted in rx_dropped.
 */
void netif_rx(struct netif *nif, struct pkt *p)
{
	uint64_t irq;
	bool was_empty, full;

	p->dev = nif;
	irq = spin_lock_irqsave(&rxq_lock);
	full = nif->rx_queued >= NETIF_RXQ_MAX;
	was_empty = list_empty(&rxq);
	if (!full) {
		nif->rx_queued++;
		list_add_tail(&rxq, &p->link);
		__atomic_add_fetch(&rx_queued_seq, 1, __ATOMIC_RELAXED);
	}
	spin_unlock_irqrestore(&rxq_lock, irq);
	if (full) {
		NET_INC(nif->stats.rx_dropped);
		pkt_free(p);
		return;
	}
	NET_INC(nif->stats.rx_packets);
	NET_ADD(nif->stats.rx_bytes, p->len);
	/* A non-empty queue means the task has a pass coming: no wake-up needed. */
	if (was_empty)
		wake_task();
}

/* Take up to NET_RX_BATCH frames off the queue into @batch; how many. */
static unsigned take_batch(struct list_node *batch)
{
	unsigned n = 0;
	uint64_t irq = spin_lock_irqsave(&rxq_lock);

	while (n < NET_RX_BATCH && !list_empty(&rxq)) {
		struct pkt *p = list_entry(list_pop_head(&rxq), struct pkt, link);

		p->dev->rx_queued--;
		list_add_tail(batch, &p->link);
		n++;
	}
	spin_unlock_irqrestore(&rxq_lock, irq);
	return n;
}

static void run_batch(struct list_node *batch, unsigned n)
{
	while (!list_empty(batch)) {
		struct pkt *p = list_entry(list_pop_head(batch), struct pkt, link);

		list_node_init(&p->link);
		eth_input(p);
	}
	__atomic_add_fetch(&rx_done_seq, n, __ATOMIC_RELEASE);
}

/* ---- timers ---- */

void net_timer_init(struct net_timer *t, void (*fn)(struct net_timer *t, void *ctx), void *ctx)
{
	list_node_init(&t->link);
	t->deadline = 0;
	t->fn = fn;
	t->ctx = ctx;
	t->armed = false;
}

/* Insert @t by deadline, scanning from the latest: new deadlines are usually the latest. */
static bool insert_timer_locked(struct net_timer *t) __must_hold(&timer_lock)
{
	struct list_node *pos = timers.prev;

	while (pos != &timers && list_entry(pos, struct net_timer, link)->deadline > t->deadline)
		pos = pos->prev;
	list_insert_after(pos, &t->link);
	t->armed = true;
	return pos == &timers;
}

void net_timer_arm(struct net_timer *t, uint64_t deadline_ns)
{
	bool first;

	spin_lock(&timer_lock);
	if (t->armed)
		list_del(&t->link);
	t->deadline = deadline_ns;
	first = insert_timer_locked(t);
	spin_unlock(&timer_lock);
	/* An earlier first deadline than the one the task sleeps until: it must look again. */
	if (first && !net_in_task())
		net_task_kick();
}

void net_timer_arm_min(struct net_timer *t, uint64_t deadline_ns)
{
	bool first;

	spin_lock(&timer_lock);
	if (t->armed && t->deadline <= deadline_ns) {
		spin_unlock(&timer_lock);
		return;
	}
	if (t->armed)
		list_del(&t->link);
	t->deadline = deadline_ns;
	first = insert_timer_locked(t);
	spin_unlock(&timer_lock);
	if (first && !net_in_task())
		net_task_kick();
}

bool net_timer_cancel(struct net_timer *t)
{
	bool was;

	spin_lock(&timer_lock);
	was = t->armed;
	if (was) {
		list_del(&t->link);
		t->armed = false;
	}
	spin_unlock(&timer_lock);
	return was;
}

void net_timer_cancel_sync(struct net_timer *t)
{
	bool running;

	for (;;) {
		spin_lock(&timer_lock);
		if (t->armed) {
			list_del(&t->link);
			t->armed = false;
		}
		running = timer_running == t;
		spin_unlock(&timer_lock);
		if (!running || net_in_task())
			return;
		task_sleep_ns(10 * NSEC_PER_USEC);
	}
}

/* Run the timers due at @now; returns the next deadline (TIME_NEVER: none). */
static uint64_t run_timers(uint64_t now)
{
	uint64_t next = TIME_NEVER;

	spin_lock(&timer_lock);
	while (!list_empty(&timers)) {
		struct net_timer *t = list_entry(list_first(&timers), struct net_timer, link);

		if (t->deadline > now) {
			next = t->deadline;
			break;
		}
		list_del(&t->link);
		t->armed = false;
		timer_running = t;
		spin_unlock(&timer_lock);
		t->fn(t, t->ctx);
		spin_lock(&timer_lock);
		timer_running = NULL;
	}
	spin_unlock(&timer_lock);
	return next;
}

/* ---- the task ---- */

void net_task_kick(void)
{
	__atomic_store_n(&kicked, true, __ATOMIC_RELEASE);
	wake_task();
}

/* The task's wake-up condition: frames queued or a kick. */
static bool has_work(void *ctx)
{
	(void)ctx;
	return __atomic_load_n(&rx_queued_seq, __ATOMIC_ACQUIRE) !=
	               __atomic_load_n(&rx_done_seq, __ATOMIC_ACQUIRE) ||
	       __atomic_load_n(&kicked, __ATOMIC_ACQUIRE);
}

/*
 * After a pass, look for more work for NET_POLL_NS before sleeping, letting
 * other tasks run meanwhile: a stream's next frame then finds the task
 * awake, without the cost of a wake-up from another CPU. With one CPU
 * nothing else can bring frames while the task polls, so it never does.
 * True when work came.
 */
static bool poll_briefly(void)
{
	uint64_t until = net_now() + NET_POLL_NS;

	if (smp_cpu_count() < 2)
		return false;
	while (net_now() < until) {
		if (has_work(NULL))
			return true;
		task_yield();
	}
	return false;
}

static int net_task_main(void *arg)
{
	struct list_node batch = LIST_INIT(batch);
	uint64_t next = TIME_NEVER;

	(void)arg;
	__atomic_store_n(&net_task, task_current(), __ATOMIC_RELEASE);
	for (;;) {
		uint64_t req;
		unsigned n;

		/*
		 * Clear the kick before reading the sync requests: a net_sync()
		 * whose ticket this pass misses kicks after the clear, and that
		 * kick makes another pass (the other order lost it, and the
		 * caller slept for ever).
		 */
		__atomic_store_n(&kicked, false, __ATOMIC_SEQ_CST);
		req = __atomic_load_n(&sync_req, __ATOMIC_SEQ_CST);
		n = take_batch(&batch);
		if (n)
			run_batch(&batch, n);
		next = run_timers(net_now());
		__atomic_store_n(&sync_done, req, __ATOMIC_RELEASE);
		if (n == NET_RX_BATCH || poll_briefly())
			continue; /* more frames wait: no sleep, and timers stay served per batch */
		if (waitq_wait(&net_wq, has_work, NULL, 0, next) == -ETIMEDOUT)
			continue;
	}
	return 0;
}

/*
 * Where the task runs. By default anywhere, at the default priority, so
 * the scheduler balances it like any task and a sender on one CPU is not
 * preempted by each of its loopback frames. `net_cpu=N` on the command
 * line pins it to CPU N one priority above the default instead, as
 * Linux's softirqs run on the CPU the NIC interrupts: for tuning where
 * cross-CPU wake-ups are dear (docs/net.md, "The net task").
 */
static void pick_placement(struct task_spawn_opts *opts)
{
	const char *v = cmdline_get("net_cpu");
	unsigned cpu = 0;

	opts->prio = TASK_PRIO_DEFAULT;
	opts->cpu = -1;
	if (!v || *v < '0' || *v > '9')
		return;
	while (*v >= '0' && *v <= '9' && cpu < 64)
		cpu = cpu * 10 + (unsigned)(*v++ - '0');
	if (cpu >= smp_cpu_count()) {
		pr_warn("net: net_cpu=%u: no such CPU; the net task runs anywhere", cpu);
		return;
	}
	opts->prio = TASK_PRIO_DEFAULT + 1;
	opts->cpu = (int)cpu;
	opts->affinity = 1ull << cpu;
}

int net_task_start(void)
{
	struct task_spawn_opts opts = { 0 };
	struct task_handle h;
	int err;

	pick_placement(&opts);
	err = task_spawn_opts(&h, "net", net_task_main, NULL, &opts);
	if (err)
		return err;
	/* The task runs as long as the system: nobody joins it. */
	return task_drop(h);
}

void net_sync(void)
{
	uint64_t want = __atomic_load_n(&rx_queued_seq, __ATOMIC_ACQUIRE);
	uint64_t ticket;

	if (net_in_task() || !__atomic_load_n(&net_task, __ATOMIC_ACQUIRE))
		return;
	while ((int64_t)(__atomic_load_n(&rx_done_seq, __ATOMIC_ACQUIRE) - want) < 0)
		task_sleep_ns(50 * NSEC_PER_USEC);
	/* A whole pass that started after this point: the timers due now have run. */
	ticket = __atomic_add_fetch(&sync_req, 1, __ATOMIC_ACQ_REL);
	net_task_kick();
	while ((int64_t)(__atomic_load_n(&sync_done, __ATOMIC_ACQUIRE) - ticket) < 0)
		task_sleep_ns(50 * NSEC_PER_USEC);
}
