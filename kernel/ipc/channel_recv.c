/* SPDX-License-Identifier: MIT */
/*
 * Channels, the receiving side: readers blocked on an end's list and woken
 * by the scheduler directly, taking the oldest message (or putting it back
 * when its delivery failed), and a call waiting for its reply. The queues,
 * sending and closing are in channel.c; locking in channel_internal.h.
 */
#include <cairn/errno.h>

#include "ipc/channel.h"
#include "ipc/channel_internal.h"
#include "ipc/object.h"
#include "proc/signal.h"
#include "sched/sched.h"
#include "sched/task.h"
#include "time/time.h"

/* ---- receiving ---- */

/* Wake the first reader blocked at @e, or (@all) every one. */
void chan_wake_readers_locked(struct chan_end *e, bool all)
{
	struct chan_reader *r;

	while ((r = list_first_entry_or_null(&e->readers, struct chan_reader, link))) {
		list_del(&r->link);
		__atomic_store_n(&r->woken, true, __ATOMIC_RELEASE);
		task_wake(r->task);
		if (!all)
			break;
	}
}

/* Whether a reader of @e has something to find: a message, or a close. */
static bool chan_recv_ready(struct chan_end *e)
{
	return chan_ld(&e->qmsgs) || chan_closed(e) || chan_closed(chan_peer(e));
}

/*
 * Sleep until @r is woken (registered at @e by the caller), something is
 * ready, a signal or kill comes (-ERESTARTSYS for a system call, -EINTR
 * for the kernel) or the deadline passes (-ETIMEDOUT). The scheduler's own
 * block and wake, as for calls: no wait-queue lock on the fast path.
 */
static int chan_recv_block(struct chan_end *e, struct chan_reader *r, const struct chan_io *io)
{
	int err = 0;

	/* Already there: no need to block, nor to cancel it (a run-queue lock). */
	if (__atomic_load_n(&r->woken, __ATOMIC_ACQUIRE) || chan_recv_ready(e))
		return 0;
	sched_prepare_block();
	if (__atomic_load_n(&r->woken, __ATOMIC_ACQUIRE) || chan_recv_ready(e))
		goto out_cancel;
	err = io->user ? -ERESTARTSYS : -EINTR;
	if (task_kill_pending() || (io->user && signal_pending()))
		goto out_cancel;
	err = -ETIMEDOUT;
	if (io->deadline != TIME_NEVER && clock_monotonic_ns() >= io->deadline)
		goto out_cancel;
	sched_block_until(io->deadline);
	return 0;
out_cancel:
	sched_cancel_block();
	return err;
}

/*
 * @r leaves @e's readers: off the list, and a wake it took but will not
 * use (it failed) goes to the next reader while messages remain.
 */
static void chan_recv_leave_locked(struct chan_end *e, struct chan_reader *r, bool took)
	__must_hold(&e->pair->lock)
{
	if (list_linked(&r->link))
		list_del(&r->link);
	else if (r->woken && !took && e->qmsgs)
		chan_wake_readers_locked(e, false);
}

/*
 * Look at the oldest message at @self with [L] held: 0 with *@m, or the
 * error a reader gets now (-EAGAIN: nothing yet). Messages that carry
 * channel ends are only taken with the transfer mutex held (*@xfer): it is
 * taken here, without [L], and the caller looks again (-EDEADLK).
 */
static int chan_recv_peek_locked(struct chan_end *self, struct chan_msg **m, bool *xfer)
	__must_hold(&self->pair->lock)
{
	*m = list_first_entry_or_null(&self->queue, struct chan_msg, link);
	if (*m && (*m)->has_chan && !*xfer) {
		chan_unlock(self->pair);
		chan_xfer_lock();
		*xfer = true;
		chan_lock(self->pair);
		return -EDEADLK;
	}
	if (*m)
		return 0;
	return chan_closed(chan_peer(self)) || self->closed ? -EPIPE : -EAGAIN;
}

/*
 * Take the oldest message at @self into *@out. Messages that carry channel
 * ends are taken with the transfer mutex held (*@xfer set), so a failed
 * delivery can put one back without opening a window for a loop. Returns
 * 0, -EAGAIN, -EPIPE, -ENOBUFS (*@need set), -ETIMEDOUT, -ERESTARTSYS/-EINTR.
 */
int chan_recv(struct chan_end *self, const struct chan_io *io, struct chan_msg **out,
              struct chan_need *need, bool *xfer)
{
	struct chan_reader r = { .task = task_current(), .woken = false };
	struct chan_msg *m;
	int err;

	list_node_init(&r.link);
	*xfer = false;
	chan_lock(self->pair);
	while ((err = chan_recv_peek_locked(self, &m, xfer)) == -EDEADLK ||
	       (err == -EAGAIN && io->wait)) {
		if (err == -EDEADLK)
			continue;
		if (!list_linked(&r.link))
			list_add_tail(&self->readers, &r.link);
		__atomic_store_n(&r.woken, false, __ATOMIC_RELAXED);
		chan_unlock(self->pair);
		if (*xfer) {
			/* Never sleep with the transfer mutex: its writers may be what we wait for. */
			chan_xfer_unlock();
			*xfer = false;
		}
		err = chan_recv_block(self, &r, io);
		chan_lock(self->pair);
		if (err)
			break;
	}
	if (!err && (m->nbytes > need->bytes || m->nhandles > need->handles)) {
		need->bytes = m->nbytes;
		need->handles = m->nhandles;
		err = -ENOBUFS;
	}
	chan_recv_leave_locked(self, &r, !err);
	if (!err)
		chan_unqueue_locked(self, m);
	chan_unlock(self->pair);
	if (!err)
		*out = m;
	else if (*xfer)
		chan_xfer_unlock();
	if (err)
		*xfer = false;
	return err;
}

void chan_unqueue_locked(struct chan_end *self, struct chan_msg *m)
{
	struct chan_end *p = chan_peer(self);
	bool was_full = !chan_room(self, CAIRN_MSG_MAX_BYTES);

	list_del(&m->link);
	__atomic_store_n(&self->qmsgs, self->qmsgs - 1, __ATOMIC_RELAXED);
	__atomic_store_n(&self->qbytes, self->qbytes - m->nbytes, __ATOMIC_RELAXED);
	chan_count_msg(m, -1);
	chan_wake(&self->wr_wq, true);
	if (was_full)
		chan_signal(p, CAIRN_SIG_WRITABLE);
}

void chan_requeue(struct chan_end *self, struct chan_msg *m)
{
	bool drop;

	chan_lock(self->pair);
	drop = self->closed;
	if (!drop) {
		list_add_head(&self->queue, &m->link);
		__atomic_store_n(&self->qmsgs, self->qmsgs + 1, __ATOMIC_RELAXED);
		__atomic_store_n(&self->qbytes, self->qbytes + m->nbytes, __ATOMIC_RELAXED);
		chan_count_msg(m, 1);
		chan_wake_readers_locked(self, false);
		chan_signal(self, CAIRN_SIG_READABLE);
	}
	chan_unlock(self->pair);
	if (drop)
		chan_msg_free(m);
}

/* ---- waiting for a call's reply ---- */

/*
 * End the wait of @c with @state and wake its task. [L] is held, and the
 * caller takes [L] before it returns, so @c (on its stack) outlives this.
 */
void chan_call_done(struct chan_call *c, int state)
{
	__atomic_store_n(&c->state, state, __ATOMIC_RELEASE);
	task_wake(c->task);
}

/*
 * Block until @c is answered: the scheduler's own block and wake, without
 * a wait queue, since exactly one task waits for exactly one event. A
 * signal or a kill wakes the task too (they task_wake() it), and the
 * state is BLOCKED before each test, so no wake-up is lost (sched.h).
 */
static int chan_call_block(struct chan_call *c, const struct chan_io *io)
{
	int err;

	/* Answered already (on one CPU the server often ran first): no block to cancel. */
	if (__atomic_load_n(&c->state, __ATOMIC_ACQUIRE) != CHAN_CALL_WAITING)
		return 0;
	for (;;) {
		sched_prepare_block();
		err = 0;
		if (__atomic_load_n(&c->state, __ATOMIC_ACQUIRE) != CHAN_CALL_WAITING)
			break;
		err = io->user ? -ERESTARTSYS : -EINTR;
		if (task_kill_pending() || (io->user && signal_pending()))
			break;
		err = -ETIMEDOUT;
		if (io->deadline != TIME_NEVER && clock_monotonic_ns() >= io->deadline)
			break;
		sched_block_until(io->deadline);
	}
	sched_cancel_block();
	return err;
}

int chan_call_wait(struct chan_end *self, struct chan_call *c, const struct chan_io *io,
                   struct chan_msg **reply)
{
	int err = chan_call_block(c, io);

	chan_lock(self->pair);
	/* The reply may have come while the wait was ending: take it. */
	if (c->state == CHAN_CALL_WAITING)
		list_del(&c->link);
	else
		err = c->state == CHAN_CALL_REPLIED ? 0 : -EPIPE;
	chan_unlock(self->pair);
	*reply = err ? NULL : c->reply;
	return err;
}
