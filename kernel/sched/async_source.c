// SPDX-License-Identifier: MIT
/*
 * Readiness sources: the bridge from "data arrived" (an interrupt, another
 * task) to the futures waiting for it. A source is a list of registered
 * waits under a spinlock; a notification wakes and unregisters all of them
 * (they poll, find data or not, and register again), like a wait queue
 * whose waiters are futures instead of tasks. The serial console's source
 * is in kernel/dev/uart_async.c; the keyboard queue and the network reuse
 * this through a void (*)(void *) notify hook.
 * Locks: [S] src->lock, interrupts off, taken before the executor's lock
 * (a notification wakes under it, so a cancel that returned knows no wake
 * of its wait is still running).
 */
#include <stddef.h>

#include "sched/async.h"

void async_source_init(struct async_source *src, const char *name)
{
	spin_init(&src->lock, name);
	list_init(&src->waits);
	src->notifies = 0;
}

void async_wait_init(struct async_wait *wt)
{
	wt->waker = (struct waker){ .ex = NULL, .slot = ASYNC_NONE, .gen = 0 };
	wt->src = NULL;
	list_node_init(&wt->link);
}

void async_source_wait(struct async_source *src, struct async_wait *wt, const struct waker *w)
{
	uint64_t flags;

	if (wt->src && wt->src != src)
		async_source_cancel(wt);
	flags = spin_lock_irqsave(&src->lock);
	wt->waker = *w;
	if (wt->src != src || !list_linked(&wt->link)) {
		wt->src = src;
		list_add_head(&src->waits, &wt->link);
	}
	spin_unlock_irqrestore(&src->lock, flags);
}

void async_source_cancel(struct async_wait *wt)
{
	struct async_source *src = wt->src;
	uint64_t flags;

	if (!src)
		return;
	flags = spin_lock_irqsave(&src->lock);
	if (list_linked(&wt->link))
		list_del(&wt->link);
	spin_unlock_irqrestore(&src->lock, flags);
}

bool async_source_waiting(const struct async_wait *wt)
{
	struct list_node *next = __atomic_load_n(&wt->link.next, __ATOMIC_RELAXED);

	return next && next != LIST_POISON_NEXT;
}

void async_source_notify(struct async_source *src)
{
	uint64_t flags = spin_lock_irqsave(&src->lock);
	struct async_wait *wt;

	src->notifies++;
	while ((wt = list_first_entry_or_null(&src->waits, struct async_wait, link))) {
		list_del(&wt->link);
		waker_wake(&wt->waker);
	}
	spin_unlock_irqrestore(&src->lock, flags);
}

void async_source_notify_ctx(void *src)
{
	async_source_notify(src);
}
