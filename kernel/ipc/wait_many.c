// SPDX-License-Identifier: MIT
/*
 * cairn_wait_many(): wait until any of up to CAIRN_WAIT_MAX_ITEMS objects
 * has a signal its item wants. It rides on the poll machinery
 * (fs/poll_internal.h): one callback waiter per object's queue, kept for
 * the whole call, so a signal raised between two looks is never lost and
 * nothing spins. Every item's `got` is written back whatever the result,
 * so a caller that timed out still sees each object's state.
 *
 * Locks: none of its own; the items are the caller's kernel copy.
 */
#include <cairn/errno.h>

#include <lib/ipc/rights.h>

#include "fs/file.h"
#include "fs/poll.h"
#include "fs/poll_internal.h"
#include "ipc/object.h"
#include "mm/heap.h"
#include "mm/uaccess.h"
#include "syscall/syscall.h"

struct wait_many {
	struct cairn_wait_item items[CAIRN_WAIT_MAX_ITEMS]; /* the kernel copy */
	struct file *files[CAIRN_WAIT_MAX_ITEMS];           /* each holds a reference */
	unsigned n;
};

/* Look every item's signals up, registering on each queue the first time: items ready. */
static long wait_scan(void *ctx, struct poll_table *pt)
{
	struct wait_many *w = ctx;
	long ready = 0;

	for (unsigned i = 0; i < w->n; i++) {
		struct handle *h = file_handle(w->files[i]);

		/* The handle's poll op puts a callback waiter on the object's queue. */
		(void)vfs_poll(w->files[i], pt);
		w->items[i].got = kobject_signals(h->obj);
		if (w->items[i].got & w->items[i].want)
			ready++;
	}
	return ready;
}

/* Check the items and take a file reference on each: 0 or -errno, none kept on failure. */
static int wait_get_files(struct wait_many *w)
{
	int err = 0;
	unsigned i;

	for (i = 0; i < w->n; i++) {
		const struct cairn_wait_item *it = &w->items[i];

		if (it->reserved || !ipc_signals_known(it->want)) {
			err = -EINVAL;
			break;
		}
		err = handle_get_file(it->handle, CAIRN_OBJ_NONE, CAIRN_RIGHT_WAIT, &w->files[i]);
		if (err)
			break;
	}
	if (err) {
		while (i--)
			file_put(w->files[i]);
	}
	return err;
}

static void wait_put_files(struct wait_many *w)
{
	for (unsigned i = 0; i < w->n; i++)
		file_put(w->files[i]);
}

/*
 * cairn_wait_many(items, n, deadline_ns): the number of items ready (got &
 * want not 0), -ETIMEDOUT at the deadline, -ERESTARTSYS for a signal,
 * -EINVAL (n 0 or too many, unknown signal bits, reserved not 0), -EBADF,
 * -EBADFD (not a handle), -EACCES (no WAIT), -EFAULT, -ENOMEM.
 */
long sys_cairn_wait_many(uint64_t uitems, uint64_t n, uint64_t deadline, uint64_t a3, uint64_t a4,
                         uint64_t a5)
{
	struct wait_many *w;
	long r;

	if ((uint32_t)n == 0 || (uint32_t)n > CAIRN_WAIT_MAX_ITEMS)
		return -EINVAL;
	w = kmalloc_flags(sizeof(*w), KM_MAY_FAIL);
	if (!w)
		return -ENOMEM;
	w->n = (uint32_t)n;
	r = -EFAULT;
	if (copy_from_user(w->items, (const void *)uitems, w->n * sizeof(w->items[0])))
		goto out_free;
	r = wait_get_files(w);
	if (r)
		goto out_free;
	r = poll_run(wait_scan, w, ipc_deadline((int64_t)deadline));
	wait_put_files(w);
	if (r == 0)
		r = -ETIMEDOUT;
	else if (r == -ERESTARTNOHAND)
		r = -ERESTARTSYS;
	if (copy_to_user((void *)uitems, w->items, w->n * sizeof(w->items[0])))
		r = -EFAULT;
out_free:
	kfree(w);
	return r;
}
