// SPDX-License-Identifier: MIT
/*
 * Handles (object.h): open files whose priv is a struct handle (an object
 * and the rights granted over it). Being files, they live in descriptor
 * tables, go with close(2) and exec (O_CLOEXEC), are shared by dup(2) and
 * fork, are bounded by RLIMIT_NOFILE, and can be polled. The generic
 * calls on handles are here too: cairn_abi_version, cairn_object_count,
 * cairn_handle_dup and cairn_handle_info (docs/abi.md).
 *
 * Locks: none. A struct handle is [I] once its file exists.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>

#include <lib/format.h>
#include <lib/ipc/rights.h>

#include "core/log.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "ipc/object.h"
#include "mm/heap.h"
#include "mm/uaccess.h"
#include "sched/task.h"
#include "syscall/syscall.h"

/* Longest anonymous name: "cairn:[" + an ops name + "]". */
#define HANDLE_NAME_MAX 40

static void handle_release(struct file *f)
{
	struct handle *h = f->priv;

	kobject_handle_put(h->obj);
	kfree(h);
	ipc_count_add(IPC_COUNT_HANDLES, -1);
}

/* Messages need the Cairn calls (they carry handles and txids): read(2)/write(2) refuse. */
static long handle_read(struct file *f, struct uio *u, int64_t *pos)
{
	(void)f, (void)u, (void)pos;
	return -EINVAL;
}

static long handle_write(struct file *f, struct uio *u, int64_t *pos)
{
	(void)f, (void)u, (void)pos;
	return -EINVAL;
}

static int64_t handle_llseek(struct file *f, int64_t off, int whence)
{
	(void)f, (void)off, (void)whence;
	return -EINVAL;
}

/*
 * poll(2)/epoll: the object's signals as POLL* events, registering on its
 * queue. Waiting needs CAIRN_RIGHT_WAIT: without it the handle answers
 * POLLNVAL and never registers (epoll_ctl then refuses it with -EPERM).
 */
static unsigned handle_poll(struct file *f, struct poll_table *pt)
{
	struct handle *h = f->priv;

	if (!(h->rights & CAIRN_RIGHT_WAIT))
		return POLLNVAL;
	poll_wait(pt, &h->obj->wq);
	return kobject_sig_to_poll(kobject_signals(h->obj));
}

static const struct file_ops handle_file_ops = {
	.release = handle_release,
	.read = handle_read,
	.write = handle_write,
	.llseek = handle_llseek,
	.poll = handle_poll,
};

struct file *handle_file_create(struct kobject *o, uint32_t rights)
{
	char name[HANDLE_NAME_MAX];
	struct handle *h;
	struct file *f;

	h = kmalloc_flags(sizeof(*h), KM_MAY_FAIL | KM_ZERO);
	if (!h)
		return NULL;
	h->obj = o;
	h->rights = rights & CAIRN_RIGHTS_ALL;
	fmt_snprintf(name, sizeof(name), "cairn:[%s]", o->ops->name ? o->ops->name : "object");
	f = file_alloc_anon(&handle_file_ops, h, O_RDWR, 0600, name);
	if (IS_ERR_PTR(f)) {
		kfree(h);
		return NULL;
	}
	kobject_handle_get(o);
	ipc_count_add(IPC_COUNT_HANDLES, 1);
	return f;
}

int handle_install(struct kobject *o, uint32_t rights, uint32_t flags)
{
	struct file *f;
	int fd;

	if (flags & ~CAIRN_HANDLE_CLOEXEC)
		return -EINVAL;
	f = handle_file_create(o, rights);
	if (!f)
		return -ENOMEM;
	fd = fd_install(fdtable_current(), f, 0, flags & CAIRN_HANDLE_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

bool file_is_handle(const struct file *f)
{
	return f && f->ops == &handle_file_ops;
}

struct handle *file_handle(struct file *f)
{
	return file_is_handle(f) ? f->priv : NULL;
}

/* Whether handle @h may serve a call that needs @type and @rights: 0, -EBADFD or -EACCES. */
static int handle_check(const struct handle *h, uint32_t type, uint32_t rights)
{
	if (type != CAIRN_OBJ_NONE && h->obj->ops->type != type)
		return -EBADFD;
	if (!ipc_rights_allow(h->rights, rights))
		return -EACCES;
	return 0;
}

int handle_get_file(int fd, uint32_t type, uint32_t rights, struct file **fout)
{
	struct file *f = fd_get(fd);
	int err;

	if (!f)
		return -EBADF;
	if (!file_is_handle(f)) {
		file_put(f);
		return -EBADFD;
	}
	err = handle_check(f->priv, type, rights);
	if (err) {
		file_put(f);
		return err;
	}
	*fout = f;
	return 0;
}

int handle_get(int fd, uint32_t type, uint32_t rights, struct kobject **out, uint32_t *rights_out)
{
	struct handle *h;
	struct file *f;
	int err = handle_get_file(fd, type, rights, &f);

	if (err)
		return err;
	h = f->priv;
	kobject_get(h->obj);
	*out = h->obj;
	if (rights_out)
		*rights_out = h->rights;
	file_put(f);
	return 0;
}

/* ---- the generic calls ---- */

long sys_cairn_abi_version(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                           uint64_t a5)
{
	return CAIRN_ABI_VERSION;
}

/*
 * cairn_object_count(out, size): the live objects and handles. Ended
 * threads are reaped first (briefly), so a test that waited for its
 * children sees their objects gone. Writes min(size, ours) bytes.
 */
long sys_cairn_object_count(uint64_t out, uint64_t size, uint64_t a2, uint64_t a3, uint64_t a4,
                            uint64_t a5)
{
	struct cairn_objcount c = { .version = CAIRN_OBJCOUNT_VERSION };
	size_t n = size < sizeof(c) ? (size_t)size : sizeof(c);

	if (size < CAIRN_OBJCOUNT_SIZE_V1)
		return -EINVAL;
	if (!user_range_ok(out, n))
		return -EFAULT;
	if (!task_reap_settle(1000000000ull))
		pr_debug("ipc: the reaper still holds ended tasks after 1 s");
	c.size = (uint32_t)n;
	ipc_counts_read(&c);
	return copy_to_user((void *)out, &c, n) ? -EFAULT : 0;
}

/*
 * cairn_handle_dup(h, rights, flags): a new handle to the same object with
 * @rights (all of them must be rights @h has: -EACCES otherwise, never
 * quietly fewer) or CAIRN_RIGHT_SAME_RIGHTS. Needs DUPLICATE.
 */
long sys_cairn_handle_dup(uint64_t fd, uint64_t rights, uint64_t flags, uint64_t a3, uint64_t a4,
                          uint64_t a5)
{
	struct kobject *o;
	uint32_t have, want;
	int err;

	/* As Linux's calls, 32-bit arguments are the low halves of their registers. */
	if ((uint32_t)flags & ~CAIRN_HANDLE_CLOEXEC)
		return -EINVAL;
	/* Unknown bits are -EINVAL before any lookup, whatever the handle. */
	err = ipc_rights_reduce(CAIRN_RIGHTS_ALL, (uint32_t)rights, &want);
	if (err)
		return err;
	err = handle_get((int)fd, CAIRN_OBJ_NONE, CAIRN_RIGHT_DUPLICATE, &o, &have);
	if (err)
		return err;
	err = ipc_rights_reduce(have, (uint32_t)rights, &want);
	if (!err)
		err = handle_install(o, want, (uint32_t)flags);
	kobject_put(o);
	return err;
}

/* cairn_handle_info(h, out, size): type, rights, koid and signals of any handle. */
long sys_cairn_handle_info(uint64_t fd, uint64_t out, uint64_t size, uint64_t a3, uint64_t a4,
                           uint64_t a5)
{
	struct cairn_handle_info info = { 0 };
	size_t n = size < sizeof(info) ? (size_t)size : sizeof(info);
	struct kobject *o;
	int err;

	if (size < CAIRN_HANDLE_INFO_SIZE_V1)
		return -EINVAL;
	if (!user_range_ok(out, n))
		return -EFAULT;
	err = handle_get((int)fd, CAIRN_OBJ_NONE, 0, &o, &info.rights);
	if (err)
		return err;
	info.type = o->ops->type;
	info.koid = o->koid;
	info.signals = kobject_signals(o);
	kobject_put(o);
	return copy_to_user((void *)out, &info, n) ? -EFAULT : 0;
}
