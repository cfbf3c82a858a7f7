/* SPDX-License-Identifier: MIT */
/*
 * Channel messages between user memory and the kernel: building one from
 * a write (bytes copied once, straight into the message; every handle
 * looked up and checked before any leaves the sender), the loop check,
 * and giving one to a reader (handles installed, bytes copied out, all
 * undone when any step fails so the message can go back to its queue).
 * Queues and locking: channel.c and channel_internal.h.
 */
#include <cairn/errno.h>

#include <lib/string.h>

#include "fs/file.h"
#include "ipc/channel.h"
#include "ipc/channel_internal.h"
#include "ipc/object.h"
#include "mm/heap.h"
#include "mm/uaccess.h"
#include "sched/sync.h"

/*
 * Serialises every change that could close a loop: writes whose message
 * carries channel ends (from their loop check until queued) and reads
 * that take such a message (until it is delivered or back in its queue).
 */
static struct mutex xfer_mutex = MUTEX_INIT(xfer_mutex, "chan.xfer");

/* Ends the loop check visits at most before it gives up with -ELOOP. */
#define CHAN_LOOP_MAX 1024u

void chan_xfer_lock(void) __no_thread_safety_analysis
{
	mutex_lock(&xfer_mutex);
}

void chan_xfer_unlock(void) __no_thread_safety_analysis
{
	mutex_unlock(&xfer_mutex);
}

struct chan_msg *chan_msg_alloc(struct chan_end *home, uint32_t nbytes, uint32_t nhandles)
{
	size_t size = sizeof(struct chan_msg) + nhandles * sizeof(struct file *) + nbytes;
	bool small = size <= CHAN_SMALL_SIZE;
	struct chan_msg *m = NULL;

	if (small)
		m = __atomic_exchange_n(&home->spare, NULL, __ATOMIC_ACQUIRE);
	if (!m)
		m = kmalloc_flags(small ? CHAN_SMALL_SIZE : size, KM_MAY_FAIL);
	if (!m)
		return NULL;
	m->small = small;
	m->home = home;
	list_node_init(&m->link);
	m->nbytes = nbytes;
	m->nhandles = nhandles;
	m->txid = 0;
	m->has_chan = false;
	m->files = (struct file **)(void *)(m + 1);
	m->bytes = (unsigned char *)(m->files + nhandles);
	return m;
}

void chan_msg_release(struct chan_msg *m)
{
	struct chan_msg *none = NULL;

	/* The home end's memory lives as long as its pair, which frees the spares. */
	if (m->small && __atomic_compare_exchange_n(&m->home->spare, &none, m, false,
	                                            __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		return;
	kfree(m);
}

void chan_msg_free(struct chan_msg *m)
{
	for (uint32_t i = 0; i < m->nhandles; i++)
		file_put(m->files[i]);
	chan_msg_release(m);
}

/* ---- building a message ---- */

/* Look up and check one handle of a write; the message's file for it in m->files[i]. */
static int chan_send_one(struct chan_send *s, uint32_t i, const struct cairn_handle_xfer *x,
                         struct chan_end *self)
{
	struct handle *h;
	uint32_t rights;

	if (x->reserved || (x->rights & ~(CAIRN_RIGHTS_ALL | CAIRN_RIGHT_SAME_RIGHTS)))
		return -EINVAL;
	for (uint32_t j = 0; j < i; j++)
		if (s->fds[j] == x->handle)
			return -EINVAL;
	s->orig[i] = fd_get(x->handle);
	if (!s->orig[i])
		return -EBADF;
	s->fds[i] = x->handle;
	s->looked = i + 1;
	h = file_handle(s->orig[i]);
	if (!h || (x->type && x->type != h->obj->ops->type))
		return -EBADFD;
	if (!(h->rights & CAIRN_RIGHT_TRANSFER))
		return -EACCES;
	if (h->obj == &self->obj)
		return -EINVAL;
	rights = (x->rights & CAIRN_RIGHT_SAME_RIGHTS) ? h->rights : x->rights;
	if (rights & ~h->rights)
		return -EACCES;
	s->msg->files[i] = s->orig[i];
	if (rights != h->rights) {
		s->msg->files[i] = handle_file_create(h->obj, rights);
		if (!s->msg->files[i])
			return -ENOMEM;
		s->reduced |= 1ull << i;
	}
	if (kobject_is_channel(h->obj))
		s->msg->has_chan = true;
	return 0;
}

static int chan_send_handles(struct chan_send *s, uint64_t uaddr, uint32_t n, struct chan_end *self)
{
	struct cairn_handle_xfer x;
	int err;

	s->fds = kmalloc_flags((n + 1) * sizeof(int) + n * sizeof(struct file *), KM_MAY_FAIL);
	if (!s->fds)
		return -ENOMEM;
	s->orig = (struct file **)(void *)(s->fds + n + (n & 1));
	for (uint32_t i = 0; i < n; i++) {
		s->msg->files[i] = NULL;
		if (copy_from_user(&x, (const void *)(uintptr_t)(uaddr + i * sizeof(x)), sizeof(x)))
			return -EFAULT;
		err = chan_send_one(s, i, &x, self);
		if (err)
			return err;
	}
	return 0;
}

/* Drop what an unsent @s holds: made files, looked-up refs, the message. */
static void chan_send_undo(struct chan_send *s)
{
	for (uint32_t i = 0; i < s->looked; i++) {
		if (s->msg->files[i] && s->msg->files[i] != s->orig[i])
			file_put(s->msg->files[i]);
		file_put(s->orig[i]);
	}
	s->msg->nhandles = 0; /* the files left are the sender's, not the message's */
	chan_msg_release(s->msg);
	kfree(s->fds);
	s->msg = NULL;
	s->fds = NULL;
	s->looked = 0;
}

int chan_send_prepare(struct chan_send *s, const struct cairn_msg *um, struct chan_end *self)
{
	int err;

	s->looked = 0;
	s->fds = NULL;
	s->orig = NULL;
	s->reduced = 0;
	s->mutex_held = false;
	if (um->nbytes > CAIRN_MSG_MAX_BYTES || um->nhandles > CAIRN_MSG_MAX_HANDLES)
		return -EMSGSIZE;
	s->msg = chan_msg_alloc(chan_peer(self), um->nbytes, um->nhandles);
	if (!s->msg)
		return -ENOMEM;
	s->msg->txid = um->txid;
	if (um->nbytes &&
	    copy_from_user(s->msg->bytes, (const void *)(uintptr_t)um->bytes, um->nbytes)) {
		err = -EFAULT;
		goto out_undo;
	}
	if (um->nhandles) {
		err = chan_send_handles(s, um->handles, um->nhandles, self);
		if (err)
			goto out_undo;
	}
	return 0;
out_undo:
	chan_send_undo(s);
	return err;
}

int chan_send_prepare_kernel(struct chan_send *s, struct chan_end *self, const void *bytes,
                             size_t n)
{
	s->looked = 0;
	s->fds = NULL;
	s->orig = NULL;
	s->reduced = 0;
	s->mutex_held = false;
	if (n > CAIRN_MSG_MAX_BYTES)
		return -EMSGSIZE;
	s->msg = chan_msg_alloc(chan_peer(self), (uint32_t)n, 0);
	if (!s->msg)
		return -ENOMEM;
	if (n)
		memcpy(s->msg->bytes, bytes, n);
	return 0;
}

int chan_send_detach(struct chan_send *s)
{
	if (!s->msg->nhandles)
		return 0;
	return fd_detach_many(fdtable_current(), s->fds, s->orig, s->msg->nhandles);
}

void chan_send_finish(struct chan_send *s, bool sent)
{
	chan_send_unlock(s);
	if (!sent) {
		if (s->msg)
			chan_send_undo(s);
		return;
	}
	/*
	 * The table's reference of each moved file is now the message's; a
	 * file replaced by one with fewer rights gives that one back too.
	 * (s->msg may be gone already: only s->orig is looked at.)
	 */
	for (uint32_t i = 0; i < s->looked; i++) {
		if (s->reduced & (1ull << i))
			file_put(s->orig[i]);
		file_put(s->orig[i]);
	}
	kfree(s->fds);
}

/* ---- the loop check ---- */

/* Ends the walk keeps on the stack before it needs the heap. */
#define CHAN_WALK_LOCAL 16u

struct chan_walk {
	struct kobject **ends; /* visited ends, a ref each */
	unsigned n;            /* in ends */
	unsigned cap;          /* room in ends */
	struct kobject *local[CHAN_WALK_LOCAL];
};

/*
 * Add @o (a channel end) to @w unless there: 0, -ELOOP when it is @dst or
 * one too many, -ENOSPC when @w must grow first (chan_walk_grow()).
 */
static int chan_walk_add(struct chan_walk *w, struct kobject *o, struct chan_end *dst)
{
	if (o == &dst->obj)
		return -ELOOP;
	for (unsigned i = 0; i < w->n; i++)
		if (w->ends[i] == o)
			return 0;
	if (w->n == CHAN_LOOP_MAX)
		return -ELOOP;
	if (w->n == w->cap)
		return -ENOSPC;
	kobject_get(o);
	w->ends[w->n++] = o;
	return 0;
}

/* Move @w's ends from the stack to room for CHAN_LOOP_MAX. No lock held: may sleep. */
static int chan_walk_grow(struct chan_walk *w)
{
	struct kobject **more = kmalloc_flags(CHAN_LOOP_MAX * sizeof(*more), KM_MAY_FAIL);

	if (!more)
		return -ENOMEM;
	__builtin_memcpy(more, w->ends, w->n * sizeof(*more));
	w->ends = more;
	w->cap = CHAN_LOOP_MAX;
	return 0;
}

/* Add the channel ends queued at @e to @w (a rescan after growing finds the same ones). */
static int chan_walk_queue(struct chan_walk *w, struct chan_end *e, struct chan_end *dst)
{
	struct chan_msg *m;
	int err;

	do {
		err = 0;
		chan_lock(e->pair);
		list_for_each_entry(m, &e->queue, link) {
			for (uint32_t i = 0; m->has_chan && i < m->nhandles && !err; i++) {
				struct kobject *o = file_handle(m->files[i])->obj;

				if (kobject_is_channel(o))
					err = chan_walk_add(w, o, dst);
			}
			if (err)
				break;
		}
		chan_unlock(e->pair);
	} while (err == -ENOSPC && !(err = chan_walk_grow(w)));
	return err;
}

int chan_send_loop_check(struct chan_send *s, struct chan_end *dst)
{
	struct chan_walk w = { .n = 0, .cap = CHAN_WALK_LOCAL };
	int err = 0;

	if (!s->msg->has_chan || s->mutex_held)
		return 0;
	chan_xfer_lock();
	s->mutex_held = true;
	w.ends = w.local;
	for (uint32_t i = 0; i < s->msg->nhandles && !err; i++) {
		struct kobject *o = file_handle(s->msg->files[i])->obj;

		if (!kobject_is_channel(o))
			continue;
		err = chan_walk_add(&w, o, dst);
		if (err == -ENOSPC && !(err = chan_walk_grow(&w)))
			err = chan_walk_add(&w, o, dst);
	}
	for (unsigned next = 0; next < w.n && !err; next++)
		err = chan_walk_queue(&w, chan_end_of(w.ends[next]), dst);
	for (unsigned i = 0; i < w.n; i++)
		kobject_put(w.ends[i]);
	if (w.ends != w.local)
		kfree(w.ends);
	return err;
}

void chan_send_unlock(struct chan_send *s)
{
	if (s->mutex_held)
		chan_xfer_unlock();
	s->mutex_held = false;
}

/* ---- giving a message to a reader ---- */

/* Take the descriptors @fds[0..@n) back out of the reader's table. */
static void chan_uninstall(struct chan_msg *m, const int *fds, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		/* A descriptor the reader already closed or replaced took its ref along. */
		if (!fd_detach_many(fdtable_current(), &fds[i], &m->files[i], 1))
			file_put(m->files[i]);
	}
}

static int chan_copy_records(struct chan_msg *m, const int *fds, uint64_t uaddr)
{
	for (uint32_t i = 0; i < m->nhandles; i++) {
		struct handle *h = file_handle(m->files[i]);
		struct cairn_handle_xfer x = { .handle = fds[i],
			                       .type = h->obj->ops->type,
			                       .rights = h->rights,
			                       .reserved = 0 };

		if (copy_to_user((void *)(uintptr_t)(uaddr + i * sizeof(x)), &x, sizeof(x)))
			return -EFAULT;
	}
	return 0;
}

int chan_msg_deliver(struct chan_msg *m, const struct cairn_msg *um, struct cairn_msg *um_user,
                     uint32_t flags)
{
	/* nbytes, nhandles and txid follow each other in struct cairn_msg: one copy. */
	struct {
		uint32_t nbytes, nhandles, txid;
	} out = { m->nbytes, m->nhandles, m->txid };
	int fds[CAIRN_MSG_MAX_HANDLES];
	uint32_t n = 0;
	int err = 0;

	for (; n < m->nhandles; n++) {
		file_get(m->files[n]); /* the message keeps one until all went well */
		fds[n] =
			fd_install(fdtable_current(), m->files[n], 0, flags & CAIRN_HANDLE_CLOEXEC);
		if (fds[n] < 0) {
			err = fds[n];
			file_put(m->files[n]);
			goto out_undo;
		}
	}
	if (m->nbytes && copy_to_user((void *)(uintptr_t)um->bytes, m->bytes, m->nbytes))
		err = -EFAULT;
	if (!err)
		err = chan_copy_records(m, fds, um->handles);
	if (!err && copy_to_user(&um_user->nbytes, &out, sizeof(out)))
		err = -EFAULT;
	if (err)
		goto out_undo;
	for (uint32_t i = 0; i < m->nhandles; i++)
		file_put(m->files[i]); /* the table holds each now */
	chan_msg_release(m);
	return 0;
out_undo:
	chan_uninstall(m, fds, n);
	return err;
}
