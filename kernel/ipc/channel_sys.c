/* SPDX-License-Identifier: MIT */
/*
 * The channel system calls: cairn_channel_create, _write, _read and _call
 * (include/cairn/ipc.h). Each checks and copies its arguments in, finds
 * its handle with the rights it needs, and leaves the work to channel.c
 * and channel_msg.c. docs/channels.md.
 */
#include <cairn/errno.h>

#include "fs/file.h"
#include "ipc/channel.h"
#include "ipc/channel_internal.h"
#include "ipc/object.h"
#include "mm/uaccess.h"
#include "sched/task.h"
#include "syscall/syscall.h"
#include "time/time.h"

/* Take descriptor @fd (naming @f) back out of the caller's table; gone already: nothing. */
static void chan_take_back(int32_t fd, struct file *f)
{
	if (!fd_detach_many(fdtable_current(), &fd, &f, 1))
		file_put(f);
}

/*
 * Install both handle files of a new pair: 0 with their descriptors in
 * @fd, or -EMFILE/-ENOMEM with both files put and nothing installed.
 */
static int chan_install_pair(struct file *f[2], int32_t fd[2], bool cloexec)
{
	int err;

	fd[0] = fd_install(fdtable_current(), f[0], 0, cloexec);
	if (fd[0] < 0) {
		file_put(f[0]);
		file_put(f[1]);
		return fd[0];
	}
	fd[1] = fd_install(fdtable_current(), f[1], 0, cloexec);
	if (fd[1] < 0) {
		err = fd[1];
		file_put(f[1]);
		chan_take_back(fd[0], f[0]);
		return err;
	}
	return 0;
}

long sys_cairn_channel_create(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                              uint64_t a5)
{
	int32_t *uout = (int32_t *)(uintptr_t)a0;
	struct kobject *o[2];
	struct file *f[2];
	int32_t fd[2];
	int err;

	(void)a2, (void)a3, (void)a4, (void)a5;
	if (a1 & ~(uint64_t)CAIRN_HANDLE_CLOEXEC)
		return -EINVAL;
	if (!user_range_ok(a0, sizeof(fd)))
		return -EFAULT;
	err = channel_create(&o[0], &o[1]);
	if (err)
		return err;
	for (int i = 0; i < 2; i++) {
		f[i] = handle_file_create(o[i], o[i]->ops->default_rights);
		kobject_put(o[i]); /* the files hold the ends now */
	}
	if (!f[0] || !f[1]) {
		file_put(f[0]);
		file_put(f[1]);
		return -ENOMEM;
	}
	err = chan_install_pair(f, fd, a1 & CAIRN_HANDLE_CLOEXEC);
	if (err)
		return err;
	if (!copy_to_user(uout, fd, sizeof(fd)))
		return 0;
	chan_take_back(fd[1], f[1]);
	chan_take_back(fd[0], f[0]);
	return -EFAULT;
}

/* Copy in a cairn_msg and check its reserved field. */
static int chan_msg_in(struct cairn_msg *m, uint64_t uaddr)
{
	if (copy_from_user(m, (const void *)(uintptr_t)uaddr, sizeof(*m)))
		return -EFAULT;
	return m->reserved ? -EINVAL : 0;
}

/* Write @um through the end of @f (a WRITE handle), as @io says. */
static int chan_write_msg(struct file *f, const struct cairn_msg *um, const struct chan_io *io)
{
	struct chan_end *self = chan_end_of(file_handle(f)->obj);
	struct chan_send s;
	int err;

	if (um->txid && !(um->txid & CAIRN_TXID_CALL))
		return -EINVAL;
	err = chan_send_prepare(&s, um, self);
	if (err)
		return err;
	err = chan_send(self, &s, NULL, io);
	chan_send_finish(&s, !err);
	return err;
}

long sys_cairn_channel_write(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                             uint64_t a5)
{
	struct chan_io io = { .wait = a2 & CAIRN_MSG_WAIT, .user = true, .deadline = TIME_NEVER };
	struct cairn_msg um;
	struct file *f;
	int err;

	(void)a3, (void)a4, (void)a5;
	if (a2 & ~(uint64_t)CAIRN_MSG_WAIT)
		return -EINVAL;
	err = chan_msg_in(&um, a1);
	if (err)
		return err;
	err = handle_get_file((int)a0, CAIRN_OBJ_CHANNEL, CAIRN_RIGHT_WRITE, &f);
	if (err)
		return err;
	err = chan_write_msg(f, &um, &io);
	file_put(f);
	return err;
}

/*
 * Read the next message at the end of @f into @um's buffers (its user
 * copy at @uaddr gets the lengths and txid). Returns 0 or -errno.
 */
static int chan_read_msg(struct file *f, const struct cairn_msg *um, uint64_t uaddr, uint32_t flags,
                         const struct chan_io *io)
{
	struct chan_end *self = chan_end_of(file_handle(f)->obj);
	struct cairn_msg *uum = (struct cairn_msg *)(uintptr_t)uaddr;
	struct chan_need need = { .bytes = um->nbytes, .handles = um->nhandles };
	struct chan_msg *m;
	bool xfer;
	int err;

	err = chan_recv(self, io, &m, &need, &xfer);
	if (err == -ENOBUFS) {
		if (copy_to_user(&uum->nbytes, &need.bytes, sizeof(need.bytes)) ||
		    copy_to_user(&uum->nhandles, &need.handles, sizeof(need.handles)))
			err = -EFAULT;
		return err;
	}
	if (err)
		return err;
	err = chan_msg_deliver(m, um, uum, flags);
	if (err)
		chan_requeue(self, m);
	if (xfer)
		chan_xfer_unlock();
	return err;
}

long sys_cairn_channel_read(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                            uint64_t a5)
{
	struct chan_io io = { .wait = a2 & CAIRN_MSG_WAIT, .user = true, .deadline = TIME_NEVER };
	struct cairn_msg um;
	struct file *f;
	int err;

	(void)a3, (void)a4, (void)a5;
	if (a2 & ~(uint64_t)(CAIRN_MSG_WAIT | CAIRN_HANDLE_CLOEXEC))
		return -EINVAL;
	err = chan_msg_in(&um, a1);
	if (err)
		return err;
	err = handle_get_file((int)a0, CAIRN_OBJ_CHANNEL, CAIRN_RIGHT_READ, &f);
	if (err)
		return err;
	err = chan_read_msg(f, &um, a1, (uint32_t)a2, &io);
	file_put(f);
	return err;
}

/*
 * A client's call: send @c->wr with a fresh txid, wait for the reply and
 * give it to @c->rd. A reply that does not fit (-ENOBUFS, the sizes
 * written back) or cannot be delivered is dropped: it belongs to this
 * call alone. A signal after the request went is -EINTR, never a restart,
 * which would send it twice.
 */
static int chan_call_client(struct file *f, struct cairn_call *c, uint64_t uaddr,
                            const struct chan_io *io)
{
	struct chan_end *self = chan_end_of(file_handle(f)->obj);
	struct cairn_msg *urd = &((struct cairn_call *)(uintptr_t)uaddr)->rd;
	struct chan_call call = { .state = CHAN_CALL_WAITING,
		                  .reply = NULL,
		                  .task = task_current() };
	struct chan_msg *reply;
	struct chan_send s;
	int err;

	c->wr.txid = 0;
	err = chan_send_prepare(&s, &c->wr, self);
	if (err)
		return err;
	err = chan_send(self, &s, &call, io);
	chan_send_finish(&s, !err);
	if (err)
		return err;
	err = chan_call_wait(self, &call, io, &reply);
	if (err)
		return err == -ERESTARTSYS ? -EINTR : err;
	if (reply->nbytes > c->rd.nbytes || reply->nhandles > c->rd.nhandles) {
		err = -ENOBUFS;
		if (copy_to_user(&urd->nbytes, &reply->nbytes, sizeof(reply->nbytes)) ||
		    copy_to_user(&urd->nhandles, &reply->nhandles, sizeof(reply->nhandles)))
			err = -EFAULT;
	} else {
		err = chan_msg_deliver(reply, &c->rd, urd, 0);
		if (!err)
			return 0;
	}
	chan_msg_free(reply);
	return err;
}

/*
 * A server's step: send the reply @c->wr (nothing when it is empty with
 * txid 0), then read the next message into @c->rd. Once the reply went, a
 * signal is -EINTR, not a restart.
 */
static int chan_call_server(struct file *f, struct cairn_call *c, uint64_t uaddr,
                            const struct chan_io *io)
{
	struct cairn_msg *urd = &((struct cairn_call *)(uintptr_t)uaddr)->rd;
	bool sent = c->wr.nbytes || c->wr.nhandles || c->wr.txid;
	int err;

	if (sent) {
		err = chan_write_msg(f, &c->wr, io);
		if (err)
			return err;
	}
	err = chan_read_msg(f, &c->rd, (uint64_t)(uintptr_t)urd, 0, io);
	return (sent && err == -ERESTARTSYS) ? -EINTR : err;
}

long sys_cairn_channel_call(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                            uint64_t a5)
{
	struct chan_io io = { .wait = true, .user = true, .deadline = ipc_deadline((int64_t)a2) };
	struct cairn_call c;
	struct file *f;
	int err;

	(void)a3, (void)a4, (void)a5;
	if (copy_from_user(&c, (const void *)(uintptr_t)a1, sizeof(c)))
		return -EFAULT;
	if ((c.flags & ~CAIRN_CALL_REPLY_WAIT) || c.reserved || c.wr.reserved || c.rd.reserved)
		return -EINVAL;
	err = handle_get_file((int)a0, CAIRN_OBJ_CHANNEL, CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE, &f);
	if (err)
		return err;
	if (c.flags & CAIRN_CALL_REPLY_WAIT)
		err = chan_call_server(f, &c, a1, &io);
	else
		err = chan_call_client(f, &c, a1, &io);
	file_put(f);
	return err;
}
