// SPDX-License-Identifier: MIT
/*
 * TCP's timers (retransmission, delayed ACK, persist, keepalive,
 * TIME_WAIT: whatever tcp_deadline() says is next) served by one kernel
 * task, "tcp_timer". Each connection with a deadline sits on one list
 * (holding a reference); the task sleeps until the earliest deadline or a
 * kick from tcp_timer_arm() when a new deadline comes before it, then runs
 * tcp_timer() on every connection that is due. The list is scanned whole:
 * it holds the live connections only, bounded by the SYN backlog and the
 * descriptors that hold them.
 */
#include <cairn/errno.h>

#include "core/log.h"
#include "net/inet.h"
#include "net/tcp_sock.h"
#include "sched/task.h"
#include "sched/wait.h"
#include "time/time.h"

static struct spinlock timer_lock = SPINLOCK_INIT("tcp_timer"); /* the [T] lock */
static struct list_node timer_list __guarded_by(&timer_lock) = LIST_INIT(timer_list);
static uint64_t timer_next __guarded_by(&timer_lock) = UINT64_MAX; /* what the task sleeps to */
static bool timer_kicked;                                          /* [a] */
static struct waitq timer_wq = WAITQ_INIT(timer_wq, "tcp_timer");

void tcp_timer_arm(struct tcp_sk *tk, uint64_t at)
{
	bool kick = false;

	bool drop = false;

	spin_lock(&timer_lock);
	tk->timer_at = at;
	if (at != UINT64_MAX && !list_linked(&tk->timer_link)) {
		list_add_tail(&timer_list, &tk->timer_link);
		tcp_sk_get(tk);
	} else if (at == UINT64_MAX && list_linked(&tk->timer_link) && !tk->timer_busy) {
		/* Off the list at once, so a closed connection's memory goes now, not at the next pass. */
		list_del(&tk->timer_link);
		drop = true;
	}
	if (at < timer_next) {
		timer_next = at;
		kick = true;
	}
	spin_unlock(&timer_lock);
	if (drop)
		tcp_sk_put(tk); /* never the last: every caller holds a reference of its own */
	if (kick) {
		__atomic_store_n(&timer_kicked, true, __ATOMIC_RELEASE);
		waitq_wake_all(&timer_wq);
	}
}

/*
 * Move the connections due at @now onto @due (keeping the list's
 * reference), drop the ones with no deadline, and return the earliest
 * deadline left.
 */
static uint64_t collect_due(uint64_t now, struct list_node *due, struct list_node *idle)
{
	struct list_node *pos, *next;
	uint64_t earliest = UINT64_MAX;

	spin_lock(&timer_lock);
	for (pos = timer_list.next; pos != &timer_list; pos = next) {
		struct tcp_sk *tk = list_entry(pos, struct tcp_sk, timer_link);

		next = pos->next;
		if (tk->timer_at == UINT64_MAX) {
			list_del(&tk->timer_link);
			list_add_tail(idle, &tk->timer_link);
			tk->timer_busy = true;
		} else if (tk->timer_at <= now) {
			list_del(&tk->timer_link);
			list_add_tail(due, &tk->timer_link);
			tk->timer_busy = true;
		} else if (tk->timer_at < earliest) {
			earliest = tk->timer_at;
		}
	}
	timer_next = earliest;
	spin_unlock(&timer_lock);
	return earliest;
}

/*
 * Take @tk off the idle list: back onto the timer list when a deadline
 * was set meanwhile (tcp_timer_arm() leaves a linked entry where it is),
 * else drop the list's reference.
 */
static void unfile(struct tcp_sk *tk)
{
	bool keep;

	spin_lock(&timer_lock);
	list_del(&tk->timer_link);
	tk->timer_busy = false;
	keep = tk->timer_at != UINT64_MAX;
	if (keep) {
		list_add_tail(&timer_list, &tk->timer_link);
		if (tk->timer_at < timer_next)
			timer_next = tk->timer_at;
	}
	spin_unlock(&timer_lock);
	if (!keep)
		tcp_sk_put(tk);
}

/* Run @tk's due timers. Deadlines change only under [K], so none is lost here. */
static void run_one(struct tcp_sk *tk, uint64_t now)
{
	mutex_lock(&tk->lock);
	spin_lock(&timer_lock);
	list_del(&tk->timer_link);
	tk->timer_busy = false;
	tk->timer_at = UINT64_MAX;
	spin_unlock(&timer_lock);
	if (tk->tcb.state != TCP_CLOSED && tcp_deadline(&tk->tcb) <= now)
		tcp_timer(&tk->tcb, now);
	/* Refiles it under its next deadline, with a reference of its own. */
	tcp_sk_after_locked(tk);
	mutex_unlock(&tk->lock);
	tcp_sk_put(tk); /* the reference the list had */
}

static bool timer_cond(void *ctx)
{
	(void)ctx;
	return __atomic_exchange_n(&timer_kicked, false, __ATOMIC_ACQ_REL);
}

static int timer_task(void *arg)
{
	(void)arg;
	for (;;) {
		struct list_node due = LIST_INIT(due), idle = LIST_INIT(idle);
		uint64_t now = clock_monotonic_ns();
		uint64_t next = collect_due(now, &due, &idle);
		struct tcp_sk *tk;

		while ((tk = list_first_entry_or_null(&idle, struct tcp_sk, timer_link)))
			unfile(tk);
		while ((tk = list_first_entry_or_null(&due, struct tcp_sk, timer_link)))
			run_one(tk, now);
		if (next > clock_monotonic_ns()) {
			/* A timeout is the usual way out: the earliest deadline came. */
			int err = waitq_wait(&timer_wq, timer_cond, NULL, 0,
			                     next == UINT64_MAX ? TIME_NEVER : next);

			(void)err;
		}
	}
	return 0;
}

int tcp_timer_init(void)
{
	struct task_handle h;
	int err = task_spawn(&h, "tcp_timer", timer_task, NULL);

	if (err)
		return err;
	return task_drop(h);
}

/* ---- ending TIME_WAIT at once, for memory counts ---- */

#define TW_BATCH 32u

struct tw_batch {
	struct tcp_sk *tk[TW_BATCH];
	unsigned n, left; /* taken; TIME_WAIT connections seen in all */
};

static void tw_collect(struct tcp_sk *tk, void *ctx)
{
	struct tw_batch *b = ctx;

	if (__atomic_load_n(&tk->tcb.state, __ATOMIC_RELAXED) != TCP_TIME_WAIT)
		return;
	b->left++;
	if (b->n < TW_BATCH) {
		tcp_sk_get(tk);
		b->tk[b->n++] = tk;
	}
}

bool tcp_sock_end_time_wait(uint64_t timeout_ns)
{
	uint64_t deadline = clock_monotonic_ns() + timeout_ns;
	struct tw_batch b;

	for (;;) {
		b.n = b.left = 0;
		tcp_sk_foreach(tw_collect, &b);
		if (!b.left)
			return true;
		for (unsigned i = 0; i < b.n; i++) {
			struct tcp_sk *tk = b.tk[i];

			mutex_lock(&tk->lock);
			if (tk->tcb.state == TCP_TIME_WAIT && tk->tcb.tw_deadline > net_now()) {
				tk->tcb.tw_deadline = net_now(); /* as its 2 MSL had passed */
				tcp_timer_arm(tk, tk->tcb.tw_deadline);
			}
			mutex_unlock(&tk->lock);
			tcp_sk_put(tk);
		}
		if (clock_monotonic_ns() >= deadline)
			return false;
		task_sleep_ns(1000000);
	}
}
