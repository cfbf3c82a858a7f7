/* SPDX-License-Identifier: MIT */
/*
 * Open file descriptions: their references, the common read and write
 * path (access mode, position lock, O_APPEND), the generic llseek, and
 * anonymous files (pipes, eventfd, epoll), whose inodes live on a private
 * file system mounted nowhere.
 */
#include "fs/file.h"

#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/stat.h>

#include <lib/format.h>
#include <lib/string.h>

#include "fs/epoll.h"
#include "fs/internal.h"
#include "fs/vfs.h"
#include "mm/heap.h"

#define ANON_MAGIC 0x09041934u /* Linux's ANON_INODE_FS_MAGIC */

static struct fs_type anon_type = { .name = "anon_inodefs" };
/* [I] once made (anon_once): the private mount anonymous files sit on */
static struct mount *anon_mnt;
static struct mutex anon_once = MUTEX_INIT(anon_once, "anon_once");

void file_get(struct file *f)
{
	__atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
}

void file_put(struct file *f)
{
	if (!f || __atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	/* epoll's items on this description go before the file does (fs/epoll.h). */
	if (__atomic_load_n(&f->ep, __ATOMIC_ACQUIRE))
		eventpoll_release(f);
	if (f->ops && f->ops->release)
		f->ops->release(f);
	inode_put(f->inode);
	path_put(&f->path);
	VFS_COUNT(files, -1);
	kfree(f);
}

struct file *file_alloc(const struct path *p, const struct file_ops *ops, int oflags)
{
	struct file *f = kcalloc(1, sizeof(*f));
	unsigned acc = (unsigned)oflags & O_ACCMODE;

	if (!f)
		return NULL;
	VFS_COUNT(files, 1);
	f->ops = ops;
	f->path = *p;
	path_get(&f->path);
	f->inode = p->dentry->inode;
	inode_get(f->inode);
	if (oflags & O_PATH)
		f->fmode = FMODE_PATH;
	else
		f->fmode = (acc == O_RDONLY || acc == O_RDWR ? FMODE_READ : 0) |
		           (acc == O_WRONLY || acc == O_RDWR ? FMODE_WRITE : 0);
	/* O_NOCTTY stays until the open op has seen it (a terminal's open reads it). */
	f->flags = (unsigned)oflags & ~(unsigned)(O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC);
	f->refs = 1;
	mutex_init(&f->pos_lock, "file_pos");
	return f;
}

/* ---- anonymous files ---- */

int anon_setup(void)
{
	struct super_block *sb;
	struct inode *ino;
	struct dentry *root;

	mutex_lock(&anon_once);
	if (anon_mnt)
		goto out_unlock;
	sb = sb_alloc(&anon_type, NULL);
	ino = sb ? inode_alloc(sb) : NULL;
	root = ino ? d_make_root(sb, ino) : NULL;
	if (!root) {
		inode_put(ino);
		kfree(sb);
		mutex_unlock(&anon_once);
		return -ENOMEM;
	}
	ino->mode = S_IFDIR | 0700;
	ino->ino = 1;
	sb->magic = ANON_MAGIC;
	sb->root = root;
	sb->next_ino = 2;
	anon_mnt = kcalloc(1, sizeof(*anon_mnt));
	if (!anon_mnt) {
		dput(root);
		kfree(sb);
		mutex_unlock(&anon_once);
		return -ENOMEM;
	}
	anon_mnt->sb = sb;
	anon_mnt->root = root;
	anon_mnt->parent = anon_mnt;
	anon_mnt->refs = 1;
	list_node_init(&anon_mnt->link);
out_unlock:
	mutex_unlock(&anon_once);
	return 0;
}

bool mnt_is_anon(const struct mount *mnt)
{
	return mnt == anon_mnt;
}

long anon_path_name(const struct path *p, char *buf, size_t n)
{
	const char *name = p->dentry->name;
	unsigned long long ino = p->dentry->inode ? p->dentry->inode->ino : 0;
	int len;

	/* Pipes and sockets show as Linux's pipefs and sockfs name them, everything else as its anon_inode does. */
	if (strcmp(name, "pipe") == 0 || strcmp(name, "socket") == 0)
		len = fmt_snprintf(buf, n, "%s:[%llu]", name, ino);
	else if (strncmp(name, "cairn:[", 7) == 0)
		len = fmt_snprintf(buf, n, "%s", name); /* handles name themselves (ipc/handle.c) */
	else
		len = fmt_snprintf(buf, n, "anon_inode:[%s]", name);
	return len < 0 || (size_t)len >= n ? -ENAMETOOLONG : len;
}

struct file *file_alloc_anon(const struct file_ops *ops, void *priv, unsigned oflags, uint32_t mode,
                             const char *name)
{
	struct inode *ino;
	struct path p;
	struct file *f;
	int err = anon_setup();

	if (err)
		return ERR_PTR_VAL(err);
	ino = inode_alloc(anon_mnt->sb);
	if (!ino)
		return ERR_PTR_VAL(-ENOMEM);
	ino->ino = __atomic_fetch_add(&anon_mnt->sb->next_ino, 1, __ATOMIC_RELAXED);
	ino->mode = mode;
	ino->fops = ops;
	p.mnt = anon_mnt;
	p.dentry = d_alloc_anon(anon_mnt->root, name);
	if (!p.dentry) {
		inode_put(ino);
		return ERR_PTR_VAL(-ENOMEM);
	}
	p.dentry->inode = ino;
	p.dentry->flags |= DENTRY_NOCACHE;
	mnt_get(p.mnt);
	f = file_alloc(&p, ops, (int)oflags);
	path_put(&p);
	if (!f)
		return ERR_PTR_VAL(-ENOMEM);
	f->priv = priv;
	return f;
}

/* ---- reading and writing ---- */

static bool has_position(const struct file *f)
{
	return f->fmode & FMODE_LSEEK;
}

long vfs_read(struct file *f, struct uio *u, int64_t *ppos)
{
	int64_t pos;
	long n;

	if (!(f->fmode & FMODE_READ))
		return -EBADF;
	if (!f->ops || !f->ops->read)
		return -EINVAL;
	if (ppos)
		return f->ops->read(f, u, ppos);
	if (!has_position(f)) {
		pos = 0;
		return f->ops->read(f, u, &pos);
	}
	mutex_lock(&f->pos_lock);
	pos = f->pos;
	n = f->ops->read(f, u, &pos);
	if (n > 0)
		f->pos = pos;
	mutex_unlock(&f->pos_lock);
	return n;
}

/* A write to a regular file: under the inode lock, so O_APPEND lands at the true end. */
static long write_regular(struct file *f, struct uio *u, int64_t *pos, bool append)
{
	struct inode *ino = f->inode;
	long n;

	mutex_lock(&ino->lock);
	inode_kill_suid_locked(ino);
	if (append)
		*pos = ino->size;
	n = f->ops->write(f, u, pos);
	mutex_unlock(&ino->lock);
	return n;
}

static long write_at(struct file *f, struct uio *u, int64_t *pos, bool append)
{
	if (S_ISREG(f->inode->mode))
		return write_regular(f, u, pos, append);
	return f->ops->write(f, u, pos);
}

long vfs_write(struct file *f, struct uio *u, int64_t *ppos)
{
	bool append = __atomic_load_n(&f->flags, __ATOMIC_RELAXED) & O_APPEND;
	int64_t pos;
	long n;

	if (!(f->fmode & FMODE_WRITE))
		return -EBADF;
	if (!f->ops || !f->ops->write)
		return -EINVAL;
	if (ppos)
		return write_at(f, u, ppos, false);
	if (!has_position(f)) {
		pos = 0;
		return write_at(f, u, &pos, append);
	}
	mutex_lock(&f->pos_lock);
	pos = f->pos;
	n = write_at(f, u, &pos, append);
	if (n > 0 || append)
		f->pos = pos;
	mutex_unlock(&f->pos_lock);
	return n;
}

long kernel_read(struct file *f, void *buf, size_t n, int64_t *pos)
{
	struct uio_seg seg;
	struct uio u;

	uio_init1(&u, &seg, (uintptr_t)buf, n, false);
	return vfs_read(f, &u, pos);
}

long kernel_write(struct file *f, const void *buf, size_t n, int64_t *pos)
{
	struct uio_seg seg;
	struct uio u;

	uio_init1(&u, &seg, (uintptr_t)buf, n, false);
	return vfs_write(f, &u, pos);
}

int64_t vfs_generic_llseek(struct file *f, int64_t off, int whence)
{
	int64_t size = __atomic_load_n(&f->inode->size, __ATOMIC_RELAXED);
	int64_t base;

	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = f->pos;
		break;
	case SEEK_END:
		base = size;
		break;
	case SEEK_DATA:
	case SEEK_HOLE:
		/* Every byte counts as data; the one hole is at the end. */
		if (off < 0 || off >= size)
			return -ENXIO;
		return whence == SEEK_DATA ? off : size;
	default:
		return -EINVAL;
	}
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return -EINVAL;
	return base + off;
}
