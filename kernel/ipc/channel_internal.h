/* SPDX-License-Identifier: MIT */
/*
 * Channels inside: the pair, its two ends, messages and blocked calls,
 * shared by channel.c (objects, queues, sending, closing, the kernel API),
 * channel_recv.c (readers, calls waiting for replies), channel_msg.c
 * (messages from and to user memory, the loop check) and channel_sys.c
 * (the system calls). Design: docs/channels.md.
 *
 * Locks: [L] the pair's spinlock (both ends' queues, flags and calls,
 * so a write into the peer and the peer's close never race); [I] fixed
 * once made; [a] atomic (read without [L] by the lockless tests of
 * sleepers and by signals snapshots, written under [L]). Order: the
 * transfer mutex (channel_msg.c), then one pair's [L], then a descriptor
 * table's lock, then wait-queue locks.
 */
#pragma once

#include <cairn/compiler.h>

#include <lib/list/list.h>

#include <stdbool.h>
#include <stdint.h>

#include "fs/vlock.h"
#include "ipc/channel.h"
#include "ipc/object.h"
#include "sched/wait.h"

struct file;
struct task;

/* One message: its handle files, then its bytes, in one allocation. */
struct chan_msg {
	struct list_node link; /* [L] in an end's queue */
	uint32_t nbytes;       /* [I] */
	uint32_t nhandles;     /* [I] */
	uint32_t txid;         /* [I] */
	bool has_chan;         /* [I] one of the handles is a channel end */
	/* [I,L] a CHAN_SMALL_SIZE block that may go back to home->spare; a close clears it */
	bool small;
	struct chan_end *home; /* [I] the end it was made for (the one that reads it) */
	struct file **files;   /* [I] nhandles handle files, each holding a file ref */
	unsigned char *bytes;  /* [I] nbytes bytes */
};

/* A call waiting for its reply: on the caller's stack, on its end's calls list. */
struct chan_call {
	struct list_node link;  /* [L] on the end's calls list while it waits */
	uint32_t txid;          /* [I] CAIRN_TXID_CALL set */
	int state;              /* [L,a] CHAN_CALL_* */
	struct chan_msg *reply; /* [L] the reply, once state is CHAN_CALL_REPLIED */
	struct task *task;      /* [I] the caller, woken by the reply */
};

/*
 * A task blocked reading an end: on its stack, on the end's readers list.
 * A message wakes the first one; a close wakes them all.
 */
struct chan_reader {
	struct list_node link; /* [L] on the end's readers list while it waits */
	struct task *task;     /* [I] */
	bool woken;            /* [L,a] a writer or a close took it off the list to wake it */
};

#define CHAN_CALL_WAITING 0
#define CHAN_CALL_REPLIED 1
#define CHAN_CALL_PIPE    2 /* the peer closed first */

struct chan_pair;

struct chan_end {
	struct kobject obj;       /* CAIRN_OBJ_CHANNEL */
	struct chan_pair *pair;   /* [I] */
	struct list_node queue;   /* [L] struct chan_msg to be read at this end, oldest first */
	uint32_t qmsgs;           /* [L,a] messages in queue */
	uint32_t qbytes;          /* [L,a] their bytes */
	bool closed;              /* [L,a] its last handle went: nothing more is queued */
	struct list_node calls;   /* [L] struct chan_call waiting for replies at this end */
	uint32_t next_txid;       /* [L] the next call's txid, without CAIRN_TXID_CALL */
	struct list_node readers; /* [L] struct chan_reader blocked reading it, first woken first */
	struct waitq wr_wq;       /* tasks waiting for room in this end's queue */
	struct chan_msg *spare;   /* [a] a small message block kept for the next one, or NULL */
};

/* Both ends in one block: a peer's memory lives as long as either end does. */
struct chan_pair {
	struct vlock lock; /* the [L] lock */
	int live;          /* [a] ends not destroyed yet; the last frees the pair */
	struct chan_end end[2];
};

/*
 * [L] is a vlock (preemption off, interrupts on): it is never taken in
 * interrupt context, and under QEMU's TCG the interrupt-flag changes of a
 * spinlock cost more than everything else a small call does.
 */
static inline void chan_lock(struct chan_pair *p) __acquires(&p->lock)
{
	vlock_acquire(&p->lock);
}

static inline void chan_unlock(struct chan_pair *p) __releases(&p->lock)
{
	vlock_release(&p->lock);
}

static inline struct chan_end *chan_end_of(struct kobject *o)
{
	return (struct chan_end *)(void *)((char *)o - __builtin_offsetof(struct chan_end, obj));
}

static inline struct chan_end *chan_peer(struct chan_end *e)
{
	return &e->pair->end[e == &e->pair->end[0] ? 1 : 0];
}

static inline uint32_t chan_ld(const uint32_t *v)
{
	return __atomic_load_n(v, __ATOMIC_RELAXED);
}

static inline bool chan_closed(const struct chan_end *e)
{
	return __atomic_load_n(&e->closed, __ATOMIC_ACQUIRE);
}

/* Whether @e's queue takes a message of @n bytes now. */
static inline bool chan_room(const struct chan_end *e, uint32_t n)
{
	return chan_ld(&e->qmsgs) < CHANNEL_QUEUE_MSGS &&
	       chan_ld(&e->qbytes) + n <= CHANNEL_QUEUE_BYTES;
}

/* Tell @e's pollers and waiters that @sigs changed, only when somebody waits. */
static inline void chan_signal(struct chan_end *e, uint32_t sigs)
{
	if (waitq_active(&e->obj.wq))
		kobject_signal(&e->obj, sigs);
}

/* Wake one / all waiters of @wq, only when somebody waits. */
static inline void chan_wake(struct waitq *wq, bool all)
{
	if (!waitq_active(wq))
		return;
	if (all)
		waitq_wake_all(wq);
	else
		waitq_wake_one(wq);
}

/* ---- messages (channel_msg.c) ---- */

/*
 * Small messages are made in blocks of this size (the heap's per-CPU
 * magazines serve them), and each end keeps one such block from the last
 * message it read for the next one written to it: a call and its reply
 * then cost no allocation at all.
 */
#define CHAN_SMALL_SIZE 512u

/* A message for @home's queue with room for @nbytes bytes and @nhandles files, or NULL. */
struct chan_msg *chan_msg_alloc(struct chan_end *home, uint32_t nbytes, uint32_t nhandles);
/* Free @m's block only (its files are someone else's now, or none). */
void chan_msg_release(struct chan_msg *m);
/* Free @m, putting the files it holds (uncounted: it is in no queue). Task context. */
void chan_msg_free(struct chan_msg *m);

/* A write being prepared: the message and what its handles came from. */
struct chan_send {
	struct chan_msg *msg;
	uint32_t looked;    /* handles looked up so far (orig[] entries to put) */
	int *fds;           /* the sender's descriptors (scratch, with orig) */
	struct file **orig; /* the files they named, a ref each */
	uint64_t reduced;   /* bit i: handle i moves as a new file with fewer rights */
	bool mutex_held;    /* the transfer mutex is held */
};

/*
 * Build @s from the user's message @um for a write through @self: copy the
 * bytes, look up and check every handle (TRANSFER, type, rights, no
 * duplicates, not @self), make reduced-rights files. Nothing leaves the
 * sender's table yet. 0 or -errno; on failure @s holds nothing.
 */
int __must_check chan_send_prepare(struct chan_send *s, const struct cairn_msg *um,
                                   struct chan_end *self);
/* As chan_send_prepare() for kernel bytes and no handles, written through @self. */
int __must_check chan_send_prepare_kernel(struct chan_send *s, struct chan_end *self,
                                          const void *bytes, size_t n);
/*
 * Refuse (-ELOOP) when the message would put @dst inside its own queue,
 * directly or through ends queued in the ends it carries. Takes the
 * transfer mutex (kept in @s until chan_send_unlock()) when the message
 * carries channel ends. May sleep.
 */
int __must_check chan_send_loop_check(struct chan_send *s, struct chan_end *dst);
void chan_send_unlock(struct chan_send *s);
/* Take the handles out of the sender's table ([L] held). 0 or -EBADF. */
int __must_check chan_send_detach(struct chan_send *s);
/* After the message was queued (@sent) or not: drop what @s still holds. */
void chan_send_finish(struct chan_send *s, bool sent);

/*
 * Give @m to the calling process: install its handles (CAIRN_HANDLE_CLOEXEC
 * in @flags), copy its bytes and handle records to @um's buffers and the
 * lengths and txid to *@um_user. Returns 0 (m freed), -EMFILE or -EFAULT
 * (nothing installed stays; @m untouched, still the caller's).
 */
int __must_check chan_msg_deliver(struct chan_msg *m, const struct cairn_msg *um,
                                  struct cairn_msg *um_user, uint32_t flags);

/* The transfer mutex: held by readers that take a message carrying channel ends. */
void chan_xfer_lock(void);
void chan_xfer_unlock(void);

/* ---- queues (channel.c) ---- */

/* How a send or receive may wait. */
struct chan_io {
	bool wait;         /* block for room / for a message */
	bool user;         /* a system call: signals end the wait (-ERESTARTSYS) */
	uint64_t deadline; /* monotonic ns, TIME_NEVER: none */
};

/* A reader's room in; on -ENOBUFS, the sizes the message needs. */
struct chan_need {
	uint32_t bytes;
	uint32_t handles;
};

/* Account @m into / out of the global counts. */
void chan_count_msg(const struct chan_msg *m, int sign);

/*
 * Send @s->msg from @self to its peer's queue (or to the call waiting for
 * it, when it is a reply), waiting for room as @io says; with @call,
 * register it at @self with a fresh txid in the same step. Returns 0
 * (the message is gone from @s, or dropped as a late reply), -EPIPE,
 * -EAGAIN, -EBADF (a handle changed under the sender), -ETIMEDOUT,
 * -ERESTARTSYS/-EINTR. Task context; may sleep.
 */
int __must_check chan_send(struct chan_end *self, struct chan_send *s, struct chan_call *call,
                           const struct chan_io *io);

/*
 * Take the oldest message queued at @self (see channel.c). On success the
 * caller owns *@out and, when *@xfer, holds the transfer mutex.
 */
int __must_check chan_recv(struct chan_end *self, const struct chan_io *io, struct chan_msg **out,
                           struct chan_need *need, bool *xfer);
void chan_unqueue_locked(struct chan_end *self, struct chan_msg *m) __must_hold(&self->pair->lock);
/* Put @m back first in @self's queue (a delivery failed); freed if @self closed. */
void chan_requeue(struct chan_end *self, struct chan_msg *m);

/* Wake the first reader blocked at @e, or (@all) every one (channel_recv.c). */
void chan_wake_readers_locked(struct chan_end *e, bool all) __must_hold(&e->pair->lock);

/*
 * End the wait of @c with @state (CHAN_CALL_*) and wake its task. [L] is
 * held, and the caller takes [L] before it returns, so @c (on its stack)
 * outlives this.
 */
void chan_call_done(struct chan_call *c, int state);

/*
 * Wait for the reply of @c (registered by chan_send()). 0 with *@reply,
 * -EPIPE, -ETIMEDOUT, -ERESTARTSYS/-EINTR; @c is off every list after.
 */
int __must_check chan_call_wait(struct chan_end *self, struct chan_call *c,
                                const struct chan_io *io, struct chan_msg **reply);
