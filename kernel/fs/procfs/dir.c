// SPDX-License-Identifier: MIT
/*
 * /proc's directories and links. A directory lists its fixed entries,
 * then the numbered ones that exist now (pids, tids, descriptors); a
 * name is looked up in the same order. The readdir cookie is 0 and 1 for
 * "." and "..", 2 + i for fixed entry i, then 2 + count + the number, so
 * a listing resumes where it stopped however processes come and go.
 */
#include <cairn/errno.h>

#include <lib/format.h>
#include <lib/string.h>

#include "fs/procfs/internal.h"

#define NUM_NAME_MAX 12 /* decimal digits of an int, and a NUL */

/* @name as a number as /proc spells them: decimal, no sign, no leading zero. -1: not one. */
static int name_to_num(const char *name, size_t len)
{
	unsigned long v = 0;
	size_t i;

	if (!len || len > 9 || (name[0] == '0' && len > 1))
		return -1;
	for (i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(name[i] - '0');
	}
	return (int)v;
}

/* The node a number names in the directory of @parent. */
static struct procfs_node dyn_node(const struct procfs_node *parent, const struct procfs_dir *pd,
                                   int num)
{
	struct procfs_node n = { pd->dyn_entry, parent->pid, parent->tid, -1 };

	if (pd->dyn_kind == PROCFS_DYN_PID)
		n.pid = num;
	else if (pd->dyn_kind == PROCFS_DYN_TID)
		n.tid = num;
	else
		n.fd = num;
	return n;
}

/* Whether the caller may list or look into the directory of @pn. */
static bool dir_allowed(const struct procfs_node *pn)
{
	return !(pn->entry->flags & PROCFS_PRIVATE) || procfs_may_access(pn->pid);
}

/* Find @d's name among @pd's entries into *@n: true if it is one. */
static bool dir_find(const struct procfs_node *pn, const struct procfs_dir *pd,
                     const struct dentry *d, struct procfs_node *n)
{
	unsigned i;
	int num;

	for (i = 0; i < pd->count; i++) {
		const struct procfs_entry *e = &pd->entries[i];

		if (strlen(e->name) == d->namelen && !memcmp(e->name, d->name, d->namelen)) {
			*n = (struct procfs_node){ e, pn->pid, pn->tid, -1 };
			return true;
		}
	}
	num = name_to_num(d->name, d->namelen);
	if (!pd->dyn_entry || num < 0 || !pd->dyn_exists(pn, num))
		return false;
	*n = dyn_node(pn, pd, num);
	return true;
}

static int procfs_lookup(struct inode *dir, struct dentry *d)
{
	const struct procfs_node *pn = dir->priv;
	const struct procfs_dir *pd = pn->entry->dir;
	struct procfs_node n;
	struct inode *ino;

	if (!dir_allowed(pn))
		return -EACCES;
	/*
	 * Names of processes and in their directories (PROCFS_NOCACHE
	 * entries, and names not found where numbered ones live) must be
	 * asked again each time: a pid that was missing may exist now, and a
	 * process that was there may have gone. The dentry is already in the
	 * cache, where other walks may read its flags: the bit goes in
	 * atomically. Nothing else changes a dentry's flags while its lookup
	 * runs (its parent is locked and it is not yet positive).
	 */
	if (!dir_find(pn, pd, d, &n)) {
		if (pn->pid || pd->dyn_entry)
			__atomic_fetch_or(&d->flags, DENTRY_NOCACHE, __ATOMIC_RELAXED);
		return 0;
	}
	ino = procfs_make_inode(dir->sb, &n);
	if (!ino)
		return -ENOMEM;
	if (n.entry->flags & PROCFS_NOCACHE)
		__atomic_fetch_or(&d->flags, DENTRY_NOCACHE, __ATOMIC_RELAXED);
	d_instantiate(d, ino);
	return 0;
}

static unsigned entry_dtype(const struct procfs_entry *e)
{
	return vfs_dtype(e->mode);
}

/* "." and "..": the directory itself and its parent dentry's inode. */
static bool iterate_dots(struct file *f, struct dir_ctx *ctx)
{
	const struct dentry *parent = f->path.dentry->parent;

	if (f->pos == 0) {
		if (!ctx->emit(ctx, ".", 1, f->inode->ino, DT_DIR))
			return false;
		f->pos = 1;
	}
	if (f->pos == 1) {
		uint64_t pino = parent && parent->inode ? parent->inode->ino : f->inode->ino;

		if (!ctx->emit(ctx, "..", 2, pino, DT_DIR))
			return false;
		f->pos = 2;
	}
	return true;
}

/* The numbered entries from the cookie on. */
static void iterate_dyn(struct file *f, struct dir_ctx *ctx, const struct procfs_node *pn,
                        const struct procfs_dir *pd)
{
	int64_t base = 2 + (int64_t)pd->count;
	char name[NUM_NAME_MAX];
	struct procfs_node n;
	int num, len;

	for (num = pd->dyn_next(pn, (int)(f->pos - base)); num >= 0;
	     num = pd->dyn_next(pn, num + 1)) {
		n = dyn_node(pn, pd, num);
		len = fmt_snprintf(name, sizeof(name), "%d", num);
		f->pos = base + num;
		if (!ctx->emit(ctx, name, (size_t)len, procfs_node_ino(&n), entry_dtype(n.entry)))
			return;
	}
	f->pos = base + INT32_MAX; /* the end: nothing numbers higher */
}

static int procfs_iterate(struct file *f, struct dir_ctx *ctx)
{
	const struct procfs_node *pn = f->inode->priv;
	const struct procfs_dir *pd = pn->entry->dir;
	const struct procfs_entry *e;
	struct procfs_node n;

	if (!dir_allowed(pn))
		return -EACCES;
	if (!iterate_dots(f, ctx))
		return 0;
	while (f->pos < 2 + (int64_t)pd->count) {
		e = &pd->entries[f->pos - 2];
		n = (struct procfs_node){ e, pn->pid, pn->tid, -1 };
		if (!ctx->emit(ctx, e->name, strlen(e->name), procfs_node_ino(&n), entry_dtype(e)))
			return 0;
		f->pos++;
	}
	if (pd->dyn_next)
		iterate_dyn(f, ctx, pn, pd);
	return 0;
}

static long procfs_readlink(struct inode *ino, char *buf, size_t n)
{
	const struct procfs_node *pn = ino->priv;

	if ((pn->entry->flags & PROCFS_PRIVATE) && !procfs_may_access(pn->pid))
		return -EACCES;
	return pn->entry->link(pn, buf, n);
}

/* Following a magic link: the same check as reading it (Linux's ptrace read check). */
static int procfs_get_link(struct inode *ino, struct path *out)
{
	const struct procfs_node *pn = ino->priv;

	if ((pn->entry->flags & PROCFS_PRIVATE) && !procfs_may_access(pn->pid))
		return -EACCES;
	return pn->entry->place(pn, out);
}

const struct inode_ops procfs_dir_iops = {
	.lookup = procfs_lookup,
};

const struct file_ops procfs_dir_fops = {
	.iterate = procfs_iterate,
};

const struct inode_ops procfs_link_iops = {
	.readlink = procfs_readlink,
};

const struct inode_ops procfs_magic_link_iops = {
	.readlink = procfs_readlink,
	.get_link = procfs_get_link,
};
