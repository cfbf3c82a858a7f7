// SPDX-License-Identifier: MIT
/*
 * tmpfs directories: each keeps its entries twice, in a hash table for
 * lookup and in a list ordered by cookie for readdir. A cookie is handed
 * out once per directory, in increasing order, so a reader's position (the
 * cookie after the last entry it got) stays meaningful while entries come
 * and go: removing an entry never renumbers the others. Everything here
 * runs under the directory's inode lock.
 */
#include <cairn/errno.h>
#include <cairn/linux/stat.h>

#include <lib/string.h>

#include "fs/internal.h"
#include "fs/tmpfs/internal.h"
#include "mm/heap.h"

#define TMPFS_HASH_MIN 8u

void tmpfs_dir_init(struct tmpfs_dir *d, struct inode *parent)
{
	list_init(&d->entries);
	d->buckets = NULL;
	d->nbuckets = 0;
	d->count = 0;
	d->next_cookie = TMPFS_COOKIE_FIRST;
	d->parent = parent;
}

void tmpfs_dir_free(struct tmpfs_dir *d)
{
	kfree(d->buckets);
	d->buckets = NULL;
	d->nbuckets = 0;
}

struct tmpfs_dirent *tmpfs_dirent_new(const char *name, size_t len)
{
	struct tmpfs_dirent *de = kmalloc(sizeof(*de) + len + 1);

	if (!de)
		return NULL;
	de->hnext = NULL;
	list_node_init(&de->order);
	de->cookie = 0;
	de->inode = NULL;
	de->hash = d_name_hash(name, len);
	de->namelen = (uint32_t)len;
	memcpy(de->name, name, len);
	de->name[len] = '\0';
	return de;
}

struct tmpfs_dirent *tmpfs_dir_find(struct tmpfs_dir *d, const char *name, size_t len)
{
	uint32_t hash = d_name_hash(name, len);
	struct tmpfs_dirent *de;

	if (!d->nbuckets)
		return NULL;
	for (de = d->buckets[hash & (d->nbuckets - 1)]; de; de = de->hnext) {
		if (de->hash == hash && de->namelen == len && memcmp(de->name, name, len) == 0)
			return de;
	}
	return NULL;
}

/* Rehash into @n buckets; false without memory (the old table stays). */
static bool tmpfs_dir_rehash(struct tmpfs_dir *d, uint32_t n)
{
	struct tmpfs_dirent **b = kcalloc(n, sizeof(*b)), *de;

	if (!b)
		return false;
	list_for_each_entry(de, &d->entries, order) {
		de->hnext = b[de->hash & (n - 1)];
		b[de->hash & (n - 1)] = de;
	}
	kfree(d->buckets);
	d->buckets = b;
	d->nbuckets = n;
	return true;
}

int tmpfs_dir_reserve(struct tmpfs_dir *d)
{
	if (d->nbuckets)
		return 0;
	return tmpfs_dir_rehash(d, TMPFS_HASH_MIN) ? 0 : -ENOMEM;
}

void tmpfs_dir_add(struct inode *dir, struct tmpfs_dirent *de, struct inode *ino)
{
	struct tmpfs_dir *d = &tmpfs_i(dir)->dir;
	unsigned b;

	de->inode = ino;
	de->cookie = d->next_cookie++;
	list_add_tail(&d->entries, &de->order);
	b = de->hash & (d->nbuckets - 1);
	de->hnext = d->buckets[b];
	d->buckets[b] = de;
	d->count++;
	dir->size += TMPFS_BOGO_SIZE;
	/* Keep chains short; a table that cannot grow still works, only slower. */
	if (d->count > 2 * d->nbuckets && d->nbuckets < (1u << 24))
		tmpfs_dir_rehash(d, d->nbuckets * 4);
}

void tmpfs_dir_remove(struct inode *dir, struct tmpfs_dirent *de)
{
	struct tmpfs_dir *d = &tmpfs_i(dir)->dir;
	struct tmpfs_dirent **pp = &d->buckets[de->hash & (d->nbuckets - 1)];

	while (*pp != de)
		pp = &(*pp)->hnext;
	*pp = de->hnext;
	list_del(&de->order);
	d->count--;
	dir->size -= TMPFS_BOGO_SIZE;
}

static int tmpfs_lookup(struct inode *dir, struct dentry *d)
{
	struct tmpfs_dirent *de = tmpfs_dir_find(&tmpfs_i(dir)->dir, d->name, d->namelen);

	if (de) {
		inode_get(de->inode);
		d_instantiate(d, de->inode);
	}
	return 0;
}

/* The inode number ".." shows: the parent's, or the directory's own at the root. */
static uint64_t tmpfs_dotdot_ino(struct inode *dir)
{
	struct inode *p = tmpfs_i(dir)->dir.parent;

	return p ? p->ino : dir->ino;
}

/*
 * Readdir from cookie f->pos: "." (0), ".." (1), then each entry whose
 * cookie is at least the position. An entry added while a reader is part
 * way may or may not be seen; one removed is never seen after its removal.
 */
static int tmpfs_iterate(struct file *f, struct dir_ctx *ctx)
{
	struct inode *dir = f->inode;
	struct tmpfs_dir *d = &tmpfs_i(dir)->dir;
	struct tmpfs_dirent *de;
	int err = 0;

	mutex_lock(&dir->lock);
	/* A removed directory lists nothing, not even "." (Linux: ENOENT). */
	if (dir->nlink == 0) {
		err = -ENOENT;
		goto out_unlock;
	}
	if (f->pos == 0) {
		if (!ctx->emit(ctx, ".", 1, dir->ino, DT_DIR))
			goto out_unlock;
		f->pos = 1;
	}
	if (f->pos == 1) {
		if (!ctx->emit(ctx, "..", 2, tmpfs_dotdot_ino(dir), DT_DIR))
			goto out_unlock;
		f->pos = TMPFS_COOKIE_FIRST;
	}
	list_for_each_entry(de, &d->entries, order) {
		if (de->cookie < (uint64_t)f->pos)
			continue;
		if (!ctx->emit(ctx, de->name, de->namelen, de->inode->ino,
		               vfs_dtype(de->inode->mode)))
			goto out_unlock;
		f->pos = (int64_t)de->cookie + 1;
	}
	/* Past the last entry: later ones get larger cookies and are seen by a later call. */
	if ((uint64_t)f->pos < d->next_cookie)
		f->pos = (int64_t)d->next_cookie;
out_unlock:
	mutex_unlock(&dir->lock);
	return err;
}

/* Only the start and the current position make sense in a directory (Linux's dcache_dir_lseek). */
static int64_t tmpfs_dir_llseek(struct file *f, int64_t off, int whence)
{
	if (whence == 1 /* SEEK_CUR */)
		off += f->pos;
	else if (whence != 0 /* SEEK_SET */)
		return -EINVAL;
	if (off < 0)
		return -EINVAL;
	return off;
}

/*
 * Unmount: free every entry under @top, leaves first, without recursion
 * (a deep tree must not run the stack out). Nothing else reaches the tree
 * now, so no lock is taken; inodes still open stay until their last put.
 */
void tmpfs_dir_teardown(struct inode *top)
{
	struct inode *cur = top;

	for (;;) {
		struct tmpfs_dir *d = &tmpfs_i(cur)->dir;
		struct tmpfs_dirent *de;
		struct inode *ino;

		if (list_empty(&d->entries)) {
			tmpfs_dir_free(d);
			if (cur == top)
				return;
			cur = d->parent;
			continue;
		}
		de = list_entry(d->entries.next, struct tmpfs_dirent, order);
		ino = de->inode;
		if ((ino->mode & S_IFMT) == S_IFDIR && !list_empty(&tmpfs_i(ino)->dir.entries)) {
			cur = ino;
			continue;
		}
		if ((ino->mode & S_IFMT) == S_IFDIR)
			tmpfs_i(ino)->dir.parent = NULL;
		list_del(&de->order);
		d->count--;
		ino->nlink--;
		kfree(de);
		inode_put(ino);
	}
}

const struct inode_ops tmpfs_dir_iops = {
	.lookup = tmpfs_lookup,
	.create = tmpfs_create,
	.mkdir = tmpfs_mkdir,
	.mknod = tmpfs_mknod,
	.symlink = tmpfs_symlink,
	.link = tmpfs_link,
	.unlink = tmpfs_unlink,
	.rmdir = tmpfs_rmdir,
	.rename = tmpfs_rename,
	.setattr = tmpfs_setattr_locked,
};

const struct file_ops tmpfs_dir_fops = {
	.iterate = tmpfs_iterate,
	.llseek = tmpfs_dir_llseek,
};
