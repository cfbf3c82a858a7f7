// SPDX-License-Identifier: MIT
/*
 * Kernel objects (object.h): their identity (koid), their two counts
 * (references and handles), their signals and wait queue, and the live
 * counts cairn_object_count() reports. Every object type of issue 15
 * stands on these; the types themselves live beside this file.
 *
 * Locks: none of its own. koids, counts and the per-type live counts are
 * [a] atomics; an object's signals belong to its type (ops->signals).
 */
#include "ipc/object.h"

#include <cairn/errno.h>

#include "core/log.h"
#include "fs/poll.h"
#include "sched/wait.h"
#include "time/time.h"

/* The next koid; 0 is never given out, so "0 = not known" stays true in the ABI. */
static uint64_t next_koid = 1; /* [a] */

/* Live objects by type, then the other counts of IPC_COUNT_*. */
static long ipc_counts[IPC_COUNT_N]; /* [a] */

void ipc_count_add(unsigned which, long delta)
{
	if (which >= IPC_COUNT_N) {
		pr_err("ipc: count %u out of range", which);
		return;
	}
	__atomic_add_fetch(&ipc_counts[which], delta, __ATOMIC_RELAXED);
}

/* One count, never below 0 in what user space sees. */
static uint64_t ipc_count_get(unsigned which)
{
	long v = __atomic_load_n(&ipc_counts[which], __ATOMIC_RELAXED);

	return v < 0 ? 0 : (uint64_t)v;
}

void ipc_counts_read(struct cairn_objcount *out)
{
	for (unsigned t = 1; t < CAIRN_OBJ_TYPES; t++)
		out->objects[t] = ipc_count_get(t);
	out->objects[0] = 0;
	out->handles = ipc_count_get(IPC_COUNT_HANDLES);
	out->messages = ipc_count_get(IPC_COUNT_MESSAGES);
	out->message_bytes = ipc_count_get(IPC_COUNT_MSG_BYTES);
	out->handles_in_flight = ipc_count_get(IPC_COUNT_HANDLES_FLY);
	out->vmo_pages = ipc_count_get(IPC_COUNT_VMO_PAGES);
}

/*
 * Set up @o: one reference (the creator's), no handles, a fresh koid, and
 * one more live object of its type. Any context that may allocate nothing.
 */
void kobject_init(struct kobject *o, const struct kobject_ops *ops)
{
	o->ops = ops;
	o->koid = __atomic_fetch_add(&next_koid, 1, __ATOMIC_RELAXED);
	o->refs = 1;
	o->handles = 0;
	waitq_init(&o->wq, ops->name ? ops->name : "kobject");
	if (ops->type > CAIRN_OBJ_NONE && ops->type < CAIRN_OBJ_TYPES)
		ipc_count_add(ops->type, 1);
	else
		pr_err("ipc: object of unknown type %u", ops->type);
}

void kobject_get(struct kobject *o)
{
	int old = __atomic_fetch_add(&o->refs, 1, __ATOMIC_RELAXED);

	if (old <= 0)
		panic("ipc: kobject_get on a dead object (koid %llu, refs %d)",
		      (unsigned long long)o->koid, old);
}

bool kobject_tryget(struct kobject *o)
{
	int r = __atomic_load_n(&o->refs, __ATOMIC_RELAXED);

	do {
		if (r <= 0)
			return false;
	} while (!__atomic_compare_exchange_n(&o->refs, &r, r + 1, true, __ATOMIC_ACQUIRE,
	                                      __ATOMIC_RELAXED));
	return true;
}

/*
 * Drop a reference; the last one counts the object gone and calls
 * ops->destroy (which frees it). Task context: destroy may sleep.
 */
void kobject_put(struct kobject *o)
{
	const struct kobject_ops *ops = o->ops;
	int left = __atomic_sub_fetch(&o->refs, 1, __ATOMIC_ACQ_REL);

	if (left > 0)
		return;
	if (left < 0)
		panic("ipc: kobject_put below zero (koid %llu)", (unsigned long long)o->koid);
	if (o->handles != 0)
		panic("ipc: object koid %llu freed with %d handles", (unsigned long long)o->koid,
		      o->handles);
	if (ops->type > CAIRN_OBJ_NONE && ops->type < CAIRN_OBJ_TYPES)
		ipc_count_add(ops->type, -1);
	if (ops->destroy)
		ops->destroy(o);
}

void kobject_handle_get(struct kobject *o)
{
	kobject_get(o);
	__atomic_add_fetch(&o->handles, 1, __ATOMIC_RELAXED);
}

/*
 * Give back a handles count and a reference. The last handle runs
 * ops->no_handles first, while the reference still keeps @o alive. Task
 * context.
 */
void kobject_handle_put(struct kobject *o)
{
	int left = __atomic_sub_fetch(&o->handles, 1, __ATOMIC_ACQ_REL);

	if (left < 0)
		panic("ipc: handles of koid %llu below zero", (unsigned long long)o->koid);
	if (left == 0 && o->ops->no_handles)
		o->ops->no_handles(o);
	kobject_put(o);
}

uint32_t kobject_signals(struct kobject *o)
{
	return o->ops->signals ? o->ops->signals(o) : 0;
}

unsigned kobject_sig_to_poll(uint32_t sigs)
{
	unsigned ev = 0;

	if (sigs & CAIRN_SIG_READABLE)
		ev |= POLLIN | POLLRDNORM;
	if (sigs & CAIRN_SIG_WRITABLE)
		ev |= POLLOUT | POLLWRNORM;
	if (sigs & CAIRN_SIG_PEER_CLOSED)
		ev |= POLLHUP;
	if (sigs & CAIRN_SIG_SIGNALED)
		ev |= POLLIN | POLLPRI;
	if (sigs & CAIRN_SIG_TERMINATED)
		ev |= POLLIN;
	return ev;
}

/*
 * Wake everyone waiting on @o (tasks, poll, epoll, cairn_wait_many()),
 * telling epoll which poll events may have changed. A signal that turns
 * off also wakes, so level-triggered waiters re-test. Any context.
 */
void kobject_signal(struct kobject *o, uint32_t changed)
{
	unsigned key = kobject_sig_to_poll(changed);

	/* "Changed" with no mappable bit still wakes: 0 means "look at everything". */
	poll_wake(&o->wq, key);
}

uint64_t ipc_deadline(int64_t deadline_ns)
{
	if (deadline_ns == CAIRN_DEADLINE_NEVER)
		return TIME_NEVER;
	if (deadline_ns <= 0)
		return 0;
	return (uint64_t)deadline_ns;
}
