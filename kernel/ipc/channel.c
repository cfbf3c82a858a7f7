/* SPDX-License-Identifier: MIT */
/*
 * Channels: a pair of ends sharing one lock, each end with a bounded queue
 * of messages written by its peer, and a list of calls that wait for their
 * replies. A reply (a message with a call's txid) goes straight to that
 * call and wakes its task alone; other messages are queued and wake one
 * reader. This file holds the objects, the queues, sending and receiving
 * under the lock, and the kernel's own API (channel.h); messages to and
 * from user memory are in channel_msg.c, the calls in channel_sys.c.
 * Design and locking: docs/channels.md, channel_internal.h.
 */
#include "ipc/channel.h"

#include <cairn/errno.h>

#include <lib/string.h>

#include "fs/file.h"
#include "ipc/channel_internal.h"
#include "ipc/object.h"
#include "mm/heap.h"
#include "sched/task.h"
#include "syscall/internal.h"
#include "time/time.h"

static uint32_t chan_signals(struct kobject *o);
static void chan_no_handles(struct kobject *o);
static void chan_destroy(struct kobject *o);

static const struct kobject_ops chan_ops = {
	.type = CAIRN_OBJ_CHANNEL,
	.name = "channel",
	.default_rights = CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE | CAIRN_RIGHT_DUPLICATE |
	                  CAIRN_RIGHT_TRANSFER | CAIRN_RIGHT_WAIT | CAIRN_RIGHT_INSPECT,
	.signals = chan_signals,
	.no_handles = chan_no_handles,
	.destroy = chan_destroy,
};

bool kobject_is_channel(const struct kobject *o)
{
	return o && o->ops == &chan_ops;
}

void chan_count_msg(const struct chan_msg *m, int sign)
{
	ipc_count_add(IPC_COUNT_MESSAGES, sign);
	ipc_count_add(IPC_COUNT_MSG_BYTES, sign * (long)m->nbytes);
	if (m->nhandles)
		ipc_count_add(IPC_COUNT_HANDLES_FLY, sign * (long)m->nhandles);
}

/*
 * WRITABLE means any message fits, so that a poller told "writable" never
 * gets -EAGAIN for a big one.
 */
static uint32_t chan_signals(struct kobject *o)
{
	struct chan_end *e = chan_end_of(o);
	struct chan_end *p = chan_peer(e);
	uint32_t s = 0;

	if (chan_ld(&e->qmsgs))
		s |= CAIRN_SIG_READABLE;
	if (chan_closed(p))
		s |= CAIRN_SIG_PEER_CLOSED;
	else if (chan_room(p, CAIRN_MSG_MAX_BYTES))
		s |= CAIRN_SIG_WRITABLE;
	return s;
}

/* ---- freeing messages without recursion ---- */

/*
 * Freeing a message closes its handles, which may close a channel end
 * whose queue holds more messages, and so on: a chain of nested ends
 * would recurse once per level on the kernel stack. So the first free on
 * a task's stack becomes the task's drain and later ones, deeper in the
 * same task, only add their messages to its list.
 */
struct chan_drain {
	struct list_node link; /* [D] on drains */
	struct task *task;     /* [I] */
	struct list_node msgs; /* [D] messages to free */
};

static struct spinlock drain_lock = SPINLOCK_INIT("chan.drain"); /* the [D] lock */
static struct list_node drains = LIST_INIT(drains);              /* [D] */

/* Free every message of @list (taken off any queue, still counted). Task context. */
static void chan_free_list(struct list_node *list)
{
	struct chan_drain d = { .task = task_current() };
	struct chan_drain *it;
	struct list_node *n;

	if (list_empty(list))
		return;
	list_init(&d.msgs);
	spin_lock(&drain_lock);
	list_for_each_entry(it, &drains, link) {
		if (it->task == d.task) {
			list_splice_tail(&it->msgs, list);
			spin_unlock(&drain_lock);
			return;
		}
	}
	list_splice_tail(&d.msgs, list);
	list_add_tail(&drains, &d.link);
	for (;;) {
		n = list_pop_head(&d.msgs);
		if (!n)
			break;
		spin_unlock(&drain_lock);
		struct chan_msg *m = list_entry(n, struct chan_msg, link);
		chan_count_msg(m, -1);
		chan_msg_free(m);
		spin_lock(&drain_lock);
	}
	list_del(&d.link);
	spin_unlock(&drain_lock);
}

/* ---- closing ---- */

/*
 * @e has no handle left: empty its queue, fail the calls waiting at it,
 * tell its peer. Takes the messages into @out (freed by the caller
 * outside [L]). The peer's lists are under the same [L], which the
 * thread-safety analysis cannot tell from a second name.
 */
static void chan_close_locked(struct chan_end *e, struct list_node *out)
	__must_hold(&e->pair->lock) __no_thread_safety_analysis
{
	struct chan_end *p = chan_peer(e);
	struct chan_call *c, *tmp;
	struct chan_msg *m;

	if (e->closed)
		return;
	__atomic_store_n(&e->closed, true, __ATOMIC_RELEASE);
	/*
	 * These may be freed later, from a drain deeper in the stack, when
	 * this pair is gone: none of them may go back to a spare.
	 */
	list_for_each_entry(m, &e->queue, link)
		m->small = false;
	list_splice_tail(out, &e->queue);
	__atomic_store_n(&e->qmsgs, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&e->qbytes, 0, __ATOMIC_RELAXED);
	/* Calls that wait here, or at the peer for a reply that can no longer come. */
	for (int i = 0; i < 2; i++) {
		list_for_each_entry_safe(c, tmp, i ? &p->calls : &e->calls, link) {
			list_del(&c->link);
			chan_call_done(c, CHAN_CALL_PIPE);
		}
	}
	chan_wake(&e->wr_wq, true); /* writers into e: -EPIPE */
	chan_wake_readers_locked(e, true);
	chan_wake_readers_locked(p, true); /* readers of p: drain, then -EPIPE */
	chan_signal(p, CAIRN_SIG_PEER_CLOSED | CAIRN_SIG_WRITABLE);
	chan_signal(e, CAIRN_SIG_READABLE);
}

static void chan_close(struct chan_end *e)
{
	struct list_node msgs = LIST_INIT(msgs);

	chan_lock(e->pair);
	chan_close_locked(e, &msgs);
	chan_unlock(e->pair);
	chan_free_list(&msgs);
}

static void chan_no_handles(struct kobject *o)
{
	chan_close(chan_end_of(o));
}

static void chan_destroy(struct kobject *o)
{
	struct chan_end *e = chan_end_of(o);
	struct chan_pair *pair = e->pair;

	/* An end that never had a handle (a kernel test's) closes here. */
	chan_close(e);
	if (__atomic_sub_fetch(&pair->live, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	kfree(pair->end[0].spare);
	kfree(pair->end[1].spare);
	kfree(pair);
}

static void chan_end_init(struct chan_end *e, struct chan_pair *pair)
{
	kobject_init(&e->obj, &chan_ops);
	e->pair = pair;
	list_init(&e->queue);
	list_init(&e->calls);
	list_init(&e->readers);
	waitq_init(&e->wr_wq, "chan.wr");
}

int channel_create(struct kobject **a, struct kobject **b)
{
	struct chan_pair *pair = kmalloc_flags(sizeof(*pair), KM_MAY_FAIL | KM_ZERO);

	if (!pair)
		return -ENOMEM;
	pair->lock = (struct vlock)VLOCK_INIT;
	pair->live = 2;
	chan_end_init(&pair->end[0], pair);
	chan_end_init(&pair->end[1], pair);
	*a = &pair->end[0].obj;
	*b = &pair->end[1].obj;
	return 0;
}

/* ---- sending ---- */

/* Queue @m at @dst and wake one reader. */
static void chan_queue_locked(struct chan_end *dst, struct chan_msg *m)
	__must_hold(&dst->pair->lock)
{
	list_add_tail(&dst->queue, &m->link);
	__atomic_store_n(&dst->qmsgs, dst->qmsgs + 1, __ATOMIC_RELAXED);
	__atomic_store_n(&dst->qbytes, dst->qbytes + m->nbytes, __ATOMIC_RELAXED);
	chan_count_msg(m, 1);
	chan_wake_readers_locked(dst, false);
	/* Every message, not only the first: an edge-triggered epoll reader sees each one. */
	chan_signal(dst, CAIRN_SIG_READABLE);
}

/*
 * Put a written @m where it goes at @dst: a reply (a txid) to the call
 * waiting for it, anything else in the queue. Returns false when @m is a
 * reply nobody waits for any more (the caller frees it).
 */
static bool chan_put_locked(struct chan_end *dst, struct chan_msg *m) __must_hold(&dst->pair->lock)
{
	struct chan_call *c;

	if (!m->txid) {
		chan_queue_locked(dst, m);
		return true;
	}
	list_for_each_entry(c, &dst->calls, link) {
		if (c->txid != m->txid)
			continue;
		list_del(&c->link);
		c->reply = m;
		chan_call_done(c, CHAN_CALL_REPLIED);
		return true;
	}
	return false;
}

static uint32_t chan_txid_locked(struct chan_end *e) __must_hold(&e->pair->lock);

/*
 * Register @call (if any) at @self with a fresh txid for @m, then put @m at
 * @dst. Called with [L] held: @self and @dst are one pair and share it,
 * which the thread-safety analysis cannot see through two names.
 */
static bool chan_put_call_locked(struct chan_end *self, struct chan_end *dst, struct chan_msg *m,
                                 struct chan_call *call) __no_thread_safety_analysis
{
	if (call) {
		/* The request is an ordinary message in the server's queue. */
		call->txid = chan_txid_locked(self);
		m->txid = call->txid;
		list_add_tail(&self->calls, &call->link);
		chan_queue_locked(dst, m);
		return true;
	}
	return chan_put_locked(dst, m);
}

/* A free txid for a call at @e: CAIRN_TXID_CALL set, none of its waiting calls'. */
static uint32_t chan_txid_locked(struct chan_end *e) __must_hold(&e->pair->lock)
{
	struct chan_call *c;
	uint32_t t;

again:
	t = CAIRN_TXID_CALL | (e->next_txid++ & ~CAIRN_TXID_CALL);
	list_for_each_entry(c, &e->calls, link)
		if (c->txid == t)
			goto again;
	return t;
}

struct chan_wait_ctx {
	struct chan_end *e;
	uint32_t n;
};

static bool chan_room_cond(void *p)
{
	struct chan_wait_ctx *c = p;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return chan_closed(c->e) || chan_room(c->e, c->n);
}

/* Sleep on @wq until @cond; user tasks also end for signals. */
static int chan_sleep(struct waitq *wq, bool (*cond)(void *), void *ctx, uint64_t deadline,
                      bool user)
{
	if (user)
		return sys_wait(wq, cond, ctx, deadline);
	return waitq_wait(wq, cond, ctx, WAIT_KILLABLE, deadline);
}

int chan_send(struct chan_end *self, struct chan_send *s, struct chan_call *call,
              const struct chan_io *io)
{
	struct chan_end *dst = chan_peer(self);
	struct chan_wait_ctx wc = { .e = dst, .n = s->msg->nbytes };
	bool given = true;
	int err;

	for (;;) {
		err = chan_send_loop_check(s, dst);
		if (err)
			goto out;
		chan_lock(self->pair);
		if (dst->closed) {
			err = -EPIPE;
			break;
		}
		if ((!call && s->msg->txid) || chan_room(dst, s->msg->nbytes)) {
			err = chan_send_detach(s);
			if (!err)
				given = chan_put_call_locked(self, dst, s->msg, call);
			break;
		}
		chan_unlock(self->pair);
		/* The transfer mutex is not kept while waiting: the reader may need it. */
		chan_send_unlock(s);
		if (!io->wait)
			return -EAGAIN;
		err = chan_sleep(&dst->wr_wq, chan_room_cond, &wc, io->deadline, io->user);
		if (err)
			return err;
	}
	chan_unlock(self->pair);
out:
	chan_send_unlock(s);
	if (!err && !given) {
		chan_msg_free(s->msg); /* a late reply: its call is gone */
		s->msg = NULL;
	}
	return err;
}

/* ---- the kernel's own API ---- */

int channel_write_kernel(struct kobject *end, const void *bytes, size_t n, uint32_t txid)
{
	struct chan_io io = { .wait = false, .user = false, .deadline = 0 };
	struct chan_send s;
	int err;

	if (!kobject_is_channel(end))
		return -EBADFD;
	err = chan_send_prepare_kernel(&s, chan_end_of(end), bytes, n);
	if (err)
		return err;
	s.msg->txid = txid;
	err = chan_send(chan_end_of(end), &s, NULL, &io);
	chan_send_finish(&s, !err);
	return err;
}

int channel_read_kernel(struct kobject *end, void *buf, size_t cap, size_t *len, uint32_t *txid,
                        uint64_t deadline_ns)
{
	struct chan_io io = { .wait = true, .user = false, .deadline = deadline_ns };
	struct chan_need need = { .bytes = UINT32_MAX, .handles = UINT32_MAX };
	struct chan_msg *m;
	bool xfer;
	int err;

	if (!kobject_is_channel(end))
		return -EBADFD;
	err = chan_recv(chan_end_of(end), &io, &m, &need, &xfer);
	if (err)
		return err;
	if (xfer)
		chan_xfer_unlock();
	*len = m->nbytes;
	*txid = m->txid;
	if (m->nbytes > cap)
		err = -ENOBUFS;
	else if (m->nbytes)
		memcpy(buf, m->bytes, m->nbytes);
	chan_msg_free(m);
	return err;
}
