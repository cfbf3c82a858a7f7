// SPDX-License-Identifier: MIT
/*
 * /proc's regular files: the text is generated once, at open, into a
 * kernel buffer the open file keeps; read and lseek work on that buffer.
 * So one open file reads one consistent snapshot however small the
 * reads, as with Linux's seq_file for the files that fit a buffer. Every
 * file is read-only: the permission bits keep others out, and root, who
 * may open one for writing as on Linux, gets EINVAL from write.
 */
#include <cairn/errno.h>

#include "fs/procfs/internal.h"
#include "mm/heap.h"

#define TEXT_FIRST (4096u - 64u)  /* the first try: most files fit one page */
#define TEXT_MAX   (4096u * 1024) /* more than any file needs: give up past it */

struct procfs_text {
	size_t len;  /* [I] bytes of data */
	char data[]; /* [I] */
};

/* Print @n's text into a buffer just big enough, growing it while the text does not fit. */
static int text_generate(const struct procfs_node *n, struct procfs_text **out)
{
	struct procfs_text *t;
	struct seqbuf s;
	size_t cap = TEXT_FIRST;
	int err;

	for (;;) {
		t = kmalloc_flags(sizeof(*t) + cap, KM_MAY_FAIL);
		if (!t)
			return -ENOMEM;
		seq_init(&s, t->data, cap);
		err = n->entry->show(&s, n);
		if (err || !seq_overflowed(&s))
			break;
		kfree(t);
		if (cap >= TEXT_MAX)
			return -EFBIG;
		cap = cap * 2 + 64;
	}
	if (err) {
		kfree(t);
		return err;
	}
	t->len = s.len;
	*out = t;
	return 0;
}

static int procfs_text_open(struct inode *ino, struct file *f)
{
	const struct procfs_node *n = ino->priv;
	struct procfs_text *t;
	int err;

	if ((n->entry->flags & PROCFS_PRIVATE) && !procfs_may_access(n->pid))
		return -EACCES;
	err = text_generate(n, &t);
	if (err)
		return err;
	f->priv = t;
	return 0;
}

static void procfs_text_release(struct file *f)
{
	kfree(f->priv);
}

static long procfs_text_read(struct file *f, struct uio *u, int64_t *pos)
{
	const struct procfs_text *t = f->priv;
	size_t want, moved;

	if (*pos < 0)
		return -EINVAL;
	if ((uint64_t)*pos >= t->len || !u->resid)
		return 0;
	want = t->len - (size_t)*pos;
	moved = uio_copy_out(u, t->data + *pos, want);
	if (!moved && uio_faulted(u))
		return -EFAULT;
	*pos += (int64_t)moved;
	return (long)moved;
}

/* SEEK_SET, SEEK_CUR and SEEK_END over the generated text. */
static int64_t procfs_text_llseek(struct file *f, int64_t off, int whence)
{
	const struct procfs_text *t = f->priv;
	int64_t base;

	switch (whence) {
	case 0:
		base = 0;
		break;
	case 1:
		base = f->pos;
		break;
	case 2:
		base = (int64_t)t->len;
		break;
	default:
		return -EINVAL;
	}
	if (off > 0 && base > INT64_MAX - off)
		return -EOVERFLOW;
	if (base + off < 0)
		return -EINVAL;
	return base + off; /* the VFS stores it in f->pos */
}

const struct file_ops procfs_text_fops = {
	.open = procfs_text_open,
	.release = procfs_text_release,
	.read = procfs_text_read,
	.llseek = procfs_text_llseek,
};
