// SPDX-License-Identifier: MIT
/*
 * The memory devices of major 1, with Linux's numbers and behaviour:
 * null (reads end at once, writes vanish), zero (reads give zeros, writes
 * vanish), full (reads give zeros, writes fail with ENOSPC), random and
 * urandom (reads give the kernel's ChaCha20 output, core/random.c, which is
 * seeded once and never blocks; writes are accepted and dropped, as the
 * generator takes no entropy from user space).
 */
#include <cairn/errno.h>
#include <cairn/linux/stat.h>

#include "core/random.h"
#include "fs/devfs/devfs.h"
#include "fs/file.h"
#include "proc/signal.h"

#define MEM_MAJOR 1

/* Bytes of random output made per step, so a big read needs no big buffer. */
#define MEM_RANDOM_CHUNK 256
/* Bytes /dev/zero clears between two looks at the caller's signals. */
#define MEM_ZERO_CHUNK   65536

static long mem_read_nothing(struct file *f, struct uio *u, int64_t *pos)
{
	return 0;
}

/* Writes that only count: the bytes are never read (Linux's null does the same). */
static long mem_write_discard(struct file *f, struct uio *u, int64_t *pos)
{
	return (long)u->resid;
}

static long mem_write_full(struct file *f, struct uio *u, int64_t *pos)
{
	return -ENOSPC;
}

/*
 * A read of up to 2 GiB (a readv may name one buffer many times) stops at
 * a signal with what it has done, as Linux's read_iter_zero() does: a
 * killed reader must not finish the whole read first.
 */
static long mem_read_zero(struct file *f, struct uio *u, int64_t *pos)
{
	size_t done = 0, n, got;

	while (u->resid && !(done && signal_pending())) {
		n = u->resid < MEM_ZERO_CHUNK ? u->resid : MEM_ZERO_CHUNK;
		got = uio_zero(u, n);
		done += got;
		if (got < n)
			break;
	}
	if (!done && uio_faulted(u))
		return -EFAULT;
	return (long)done;
}

static long mem_read_random(struct file *f, struct uio *u, int64_t *pos)
{
	uint8_t buf[MEM_RANDOM_CHUNK];
	size_t done = 0;

	/* A signal ends a big read early with what it has, as Linux's urandom does. */
	while (u->resid && !(done && signal_pending())) {
		size_t n = u->resid < sizeof(buf) ? u->resid : sizeof(buf), got;

		random_bytes(buf, n);
		got = uio_copy_out(u, buf, n);
		done += got;
		if (got < n)
			break;
	}
	/* Do not leave generator output on the stack (volatile: the stores must happen). */
	for (volatile uint8_t *v = buf; v < buf + sizeof(buf); v++)
		*v = 0;
	if (!done && uio_faulted(u))
		return -EFAULT;
	return (long)done;
}

/* The position of these devices means nothing; lseek succeeds and reports 0 (as Linux). */
static int64_t mem_llseek(struct file *f, int64_t off, int whence)
{
	return 0;
}

static const struct file_ops mem_null_fops = {
	.read = mem_read_nothing,
	.write = mem_write_discard,
	.llseek = mem_llseek,
};

static const struct file_ops mem_zero_fops = {
	.read = mem_read_zero,
	.write = mem_write_discard,
	.llseek = mem_llseek,
};

static const struct file_ops mem_full_fops = {
	.read = mem_read_zero,
	.write = mem_write_full,
	.llseek = mem_llseek,
};

static const struct file_ops mem_random_fops = {
	.read = mem_read_random,
	.write = mem_write_discard,
	.llseek = mem_llseek,
};

static const struct {
	const char *name;
	unsigned minor;
	const struct file_ops *fops;
} mem_devices[] = {
	{ "null", 3, &mem_null_fops },      { "zero", 5, &mem_zero_fops },
	{ "full", 7, &mem_full_fops },      { "random", 8, &mem_random_fops },
	{ "urandom", 9, &mem_random_fops },
};

int devfs_mem_init(void)
{
	unsigned i;
	int err;

	for (i = 0; i < sizeof(mem_devices) / sizeof(mem_devices[0]); i++) {
		err = chrdev_register(MEM_MAJOR, mem_devices[i].minor, 1, mem_devices[i].fops);
		if (!err)
			err = devfs_add_node(mem_devices[i].name, S_IFCHR | 0666,
			                     (uint32_t)DEV_ENCODE(MEM_MAJOR, mem_devices[i].minor));
		if (err)
			return err;
	}
	return 0;
}
