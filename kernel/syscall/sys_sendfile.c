/* SPDX-License-Identifier: MIT */
/*
 * sendfile(2): bytes from one descriptor to another through a kernel
 * buffer, without a trip through user memory. Rounds of at most
 * SENDFILE_STEP bytes; a short or failed round ends the call, counting
 * what moved before it as Linux counts it. A kill ends it between rounds
 * too: a copy of a file onto itself grows for up to 2 GiB, and the
 * process must not outlive its SIGKILL by that long.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>

#include "fs/file.h"
#include "fs/vfs.h"
#include "mm/heap.h"
#include "syscall/internal.h"
#include "syscall/sys_fs.h"

#define MAX_RW_COUNT  0x7ffff000
#define SENDFILE_STEP 65536u

/* Move up to @count bytes, reading at *@ppos (NULL: @in's position). */
static long sendfile_loop(struct file *out, struct file *in, int64_t *ppos, size_t count)
{
	size_t step = count < SENDFILE_STEP ? count : SENDFILE_STEP;
	char *buf = kmalloc(step ? step : 1);
	long done = 0;

	if (!buf)
		return -ENOMEM;
	while ((size_t)done < count && !(done && signal_fatal_pending())) {
		size_t want = count - (size_t)done < step ? count - (size_t)done : step;
		int64_t before = ppos ? *ppos : 0;
		long got = kernel_read(in, buf, want, ppos), put;

		if (got <= 0) {
			if (!done)
				done = got;
			break;
		}
		put = kernel_write(out, buf, (size_t)got, NULL);
		if (put < got) {
			/* Give back what was read but not written: the offset says what moved. */
			if (ppos)
				*ppos = before + (put > 0 ? put : 0);
			if (put > 0)
				done += put;
			else if (!done)
				done = put;
			break;
		}
		done += put;
	}
	kfree(buf);
	return done;
}

long sys_sendfile(uint64_t out_fd, uint64_t in_fd, uint64_t uoff, uint64_t count, uint64_t a4,
                  uint64_t a5)
{
	struct file *out = fd_get_io((int)out_fd), *in = fd_get_io((int)in_fd);
	int64_t off = 0;
	long n;

	n = !out || !in                            ? -EBADF
	    : !(in->fmode & FMODE_READ)            ? -EBADF
	    : !(out->fmode & FMODE_WRITE)          ? -EBADF
	    : (out->flags & O_APPEND)              ? -EINVAL
	    : (uoff && !(in->fmode & FMODE_LSEEK)) ? -ESPIPE
	                                           : 0;
	if (!n && uoff && copy_from_user(&off, (const void *)uoff, sizeof(off)))
		n = -EFAULT;
	if (!n && off < 0)
		n = -EINVAL;
	if (!n) {
		if (count > MAX_RW_COUNT)
			count = MAX_RW_COUNT;
		if (uoff) {
			n = sendfile_loop(out, in, &off, count);
			if (copy_to_user((void *)uoff, &off, sizeof(off)))
				n = -EFAULT;
		} else {
			n = sendfile_loop(out, in, NULL, count);
		}
	}
	if (out)
		file_put(out);
	if (in)
		file_put(in);
	return n;
}
