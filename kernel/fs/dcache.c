/* SPDX-License-Identifier: MIT */
/*
 * The dentry cache: every name the walk has seen, as a tree (each dentry
 * holds its parent) and a hash table keyed by (parent, name), so a walk
 * step that hits the cache is one hash lookup under one spinlock and no
 * file system call. Positive dentries stay cached while their name exists
 * (tmpfs keeps its tree here); negative ones, dropped ones and those of
 * file systems that ask for it (DENTRY_NOCACHE) are freed with their last
 * reference. Locks: [D] dcache_lock guards the hash chains, the children
 * lists, names, parents and the inode pointer; refs are atomic, but the
 * step to zero happens under [D] so a lookup cannot revive a dentry that
 * is being freed.
 */
#include <cairn/errno.h>

#include <lib/string.h>

#include "fs/internal.h"
#include "fs/vfs.h"
#include "fs/vlock.h"
#include "mm/heap.h"

#define DCACHE_BUCKETS 4096u  /* a power of two */
#define DENTRY_HASHED  0x100u /* private: on a hash chain and its parent's children */

static struct vlock dcache_lock = VLOCK_INIT;
static struct dentry *dcache_hash[DCACHE_BUCKETS] __guarded_by(&dcache_lock);

uint32_t d_name_hash(const char *name, size_t len)
{
	/* FNV-1a: cheap, and good enough on short file names. */
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 16777619u;
	return h;
}

static unsigned bucket_of(const struct dentry *parent, uint32_t hash)
{
	uintptr_t p = (uintptr_t)parent;

	return (hash ^ (uint32_t)(p >> 4) ^ (uint32_t)(p >> 20)) & (DCACHE_BUCKETS - 1);
}

static void hash_insert_locked(struct dentry *d) __must_hold(&dcache_lock)
{
	unsigned b = bucket_of(d->parent, d->hash);

	d->hash_next = dcache_hash[b];
	dcache_hash[b] = d;
	list_add_tail(&d->parent->children, &d->sibling);
	d->flags |= DENTRY_HASHED;
}

static void hash_remove_locked(struct dentry *d) __must_hold(&dcache_lock)
{
	struct dentry **pp = &dcache_hash[bucket_of(d->parent, d->hash)];

	if (!(d->flags & DENTRY_HASHED))
		return;
	while (*pp && *pp != d)
		pp = &(*pp)->hash_next;
	if (*pp)
		*pp = d->hash_next;
	d->hash_next = NULL;
	list_del(&d->sibling);
	d->flags &= ~DENTRY_HASHED;
}

/* Give @d the name @name; the old heap copy, if any, is returned for the caller to free. */
static char *set_name(struct dentry *d, char *heap_copy, const char *name, size_t len)
{
	char *old = d->name != d->inline_name ? (char *)d->name : NULL;

	if (heap_copy) {
		d->name = heap_copy;
	} else {
		memcpy(d->inline_name, name, len);
		d->inline_name[len] = '\0';
		d->name = d->inline_name;
	}
	d->namelen = (uint32_t)len;
	d->hash = d_name_hash(name, len);
	return old;
}

/* A heap copy of @name when it does not fit inline, NULL when it does; *@fail on no memory. */
static char *name_copy(const char *name, size_t len, bool *fail)
{
	char *s;

	*fail = false;
	if (len <= VFS_INLINE_NAME)
		return NULL;
	s = kmalloc(len + 1);
	if (!s) {
		*fail = true;
		return NULL;
	}
	memcpy(s, name, len);
	s[len] = '\0';
	return s;
}

static struct dentry *dentry_new(struct dentry *parent, const char *name, size_t len)
{
	struct dentry *d = kcalloc(1, sizeof(*d));
	bool fail;
	char *copy;

	if (!d)
		return NULL;
	copy = name_copy(name, len, &fail);
	if (fail) {
		kfree(d);
		return NULL;
	}
	(void)set_name(d, copy, name, len);
	VFS_COUNT(dentries, 1);
	d->refs = 1;
	list_init(&d->children);
	list_node_init(&d->sibling);
	if (parent) {
		dget(parent);
		d->parent = parent;
		d->sb = parent->sb;
	}
	return d;
}

void dget(struct dentry *d)
{
	__atomic_add_fetch(&d->refs, 1, __ATOMIC_RELAXED);
}

/* A dentry nobody holds is freed when it names nothing or should not be cached. */
static bool dentry_unwanted(const struct dentry *d)
{
	return !d->inode || (d->flags & (DENTRY_DEAD | DENTRY_NOCACHE));
}

/* Free @d (refs 0, off every list); returns its parent, whose reference the caller drops. */
static struct dentry *dentry_free(struct dentry *d)
{
	struct dentry *parent = d->parent != d ? d->parent : NULL;

	if (d->inode)
		inode_put(d->inode);
	if (d->name != d->inline_name)
		kfree((char *)d->name);
	VFS_COUNT(dentries, -1);
	kfree(d);
	return parent;
}

/*
 * The last reference to a dentry that stays cached (positive, not dropped)
 * goes without the lock: nothing is freed, and a dentry only becomes
 * unwanted (d_drop) under a reference of its own, whose put then frees it.
 * Returns false if @d must take the locked path instead.
 */
static bool dput_last_cached(struct dentry *d)
{
	int one = 1;

	if (!d->inode ||
	    (__atomic_load_n(&d->flags, __ATOMIC_ACQUIRE) & (DENTRY_DEAD | DENTRY_NOCACHE)))
		return false;
	return __atomic_compare_exchange_n(&d->refs, &one, 0, false, __ATOMIC_ACQ_REL,
	                                   __ATOMIC_RELAXED);
}

void dput(struct dentry *d)
{
	while (d) {
		int r = __atomic_load_n(&d->refs, __ATOMIC_RELAXED);

		/* The common case: not the last reference, no lock. */
		while (r > 1) {
			if (__atomic_compare_exchange_n(&d->refs, &r, r - 1, false,
			                                __ATOMIC_RELEASE, __ATOMIC_RELAXED))
				return;
		}
		if (dput_last_cached(d)) {
			/* Dropped by someone else meanwhile: it is ours to free now. */
			if (!(__atomic_load_n(&d->flags, __ATOMIC_ACQUIRE) & DENTRY_DEAD))
				return;
			vlock_acquire(&dcache_lock);
			if (__atomic_load_n(&d->refs, __ATOMIC_RELAXED) != 0) {
				vlock_release(&dcache_lock);
				return;
			}
			hash_remove_locked(d);
			vlock_release(&dcache_lock);
			d = dentry_free(d);
			continue;
		}
		vlock_acquire(&dcache_lock);
		if (__atomic_sub_fetch(&d->refs, 1, __ATOMIC_ACQ_REL) != 0 || !dentry_unwanted(d)) {
			vlock_release(&dcache_lock);
			return;
		}
		hash_remove_locked(d);
		vlock_release(&dcache_lock);
		d = dentry_free(d);
	}
}

void d_instantiate(struct dentry *d, struct inode *ino)
{
	vlock_acquire(&dcache_lock);
	d->inode = ino;
	vlock_release(&dcache_lock);
}

void d_drop(struct dentry *d)
{
	vlock_acquire(&dcache_lock);
	d->flags |= DENTRY_DEAD;
	hash_remove_locked(d);
	vlock_release(&dcache_lock);
}

static struct dentry *lookup_cached_locked(struct dentry *parent, const char *name, size_t len,
                                           uint32_t hash) __must_hold(&dcache_lock)
{
	struct dentry *d = dcache_hash[bucket_of(parent, hash)];

	for (; d; d = d->hash_next) {
		if (d->parent == parent && d->hash == hash && d->namelen == len &&
		    memcmp(d->name, name, len) == 0) {
			__atomic_add_fetch(&d->refs, 1, __ATOMIC_RELAXED);
			return d;
		}
	}
	return NULL;
}

void dcache_walk_lock(void) __no_thread_safety_analysis
{
	vlock_acquire(&dcache_lock);
}

void dcache_walk_unlock(void) __no_thread_safety_analysis
{
	vlock_release(&dcache_lock);
}

struct dentry *d_lookup_walk(struct dentry *parent, const char *name,
                             size_t len) __no_thread_safety_analysis
{
	struct dentry *d = dcache_hash[bucket_of(parent, d_name_hash(name, len))];
	uint32_t hash = d_name_hash(name, len);

	for (; d; d = d->hash_next)
		if (d->parent == parent && d->hash == hash && d->namelen == len &&
		    memcmp(d->name, name, len) == 0)
			return d;
	return NULL;
}

struct dentry *d_lookup_cached(struct dentry *parent, const char *name, size_t len)
{
	uint32_t hash = d_name_hash(name, len);
	struct dentry *d;

	vlock_acquire(&dcache_lock);
	d = lookup_cached_locked(parent, name, len, hash);
	vlock_release(&dcache_lock);
	return d;
}

struct dentry *d_alloc(struct dentry *parent, const char *name, size_t len)
{
	struct dentry *d = dentry_new(parent, name, len);

	if (!d)
		return NULL;
	vlock_acquire(&dcache_lock);
	hash_insert_locked(d);
	vlock_release(&dcache_lock);
	return d;
}

struct dentry *d_alloc_anon(struct dentry *parent, const char *name)
{
	return dentry_new(parent, name, strlen(name));
}

struct dentry *d_make_root(struct super_block *sb, struct inode *ino)
{
	struct dentry *d = dentry_new(NULL, "/", 1);

	if (!d)
		return NULL;
	d->parent = d;
	d->sb = sb;
	d->inode = ino;
	/* A root is on no chain; it goes with its super_block's last reference. */
	d->flags |= DENTRY_NOCACHE;
	return d;
}

struct dentry *d_lookup_locked(struct dentry *dir, const char *name, size_t len)
{
	struct inode *ino = dir->inode;
	struct dentry *d = d_lookup_cached(dir, name, len);
	int err;

	if (d)
		return d;
	/* A removed directory holds nothing and gets nothing new (Linux's IS_DEADDIR). */
	if (d_is_dead(dir))
		return ERR_PTR_VAL(-ENOENT);
	d = d_alloc(dir, name, len);
	if (!d)
		return ERR_PTR_VAL(-ENOMEM);
	if (ino->iops && ino->iops->lookup) {
		err = ino->iops->lookup(ino, d);
		if (err) {
			d_drop(d);
			dput(d);
			return ERR_PTR_VAL(err);
		}
	}
	return d;
}

struct dentry *d_lookup(struct dentry *dir, const char *name, size_t len)
{
	struct dentry *d = d_lookup_cached(dir, name, len);

	if (d)
		return d;
	mutex_lock(&dir->inode->lock);
	d = d_lookup_locked(dir, name, len);
	mutex_unlock(&dir->inode->lock);
	return d;
}

struct dentry *d_get_parent(struct dentry *d)
{
	struct dentry *p;

	vlock_acquire(&dcache_lock);
	p = d->parent;
	dget(p);
	vlock_release(&dcache_lock);
	return p;
}

void d_move(struct dentry *d, struct dentry *target)
{
	bool fail;
	char *copy = name_copy(target->name, target->namelen, &fail);
	struct dentry *old_parent;
	char *old_name;

	/* Without memory for a long name the moved dentry leaves the cache; a lookup finds it anew. */
	vlock_acquire(&dcache_lock);
	old_parent = d->parent;
	hash_remove_locked(d);
	hash_remove_locked(target);
	target->flags |= DENTRY_DEAD;
	if (fail) {
		d->flags |= DENTRY_DEAD;
		vlock_release(&dcache_lock);
		return;
	}
	dget(target->parent);
	d->parent = target->parent;
	old_name = set_name(d, copy, target->name, target->namelen);
	hash_insert_locked(d);
	vlock_release(&dcache_lock);
	kfree(old_name);
	dput(old_parent);
}

bool d_has_children(struct dentry *d)
{
	struct dentry *c;
	bool any = false;

	vlock_acquire(&dcache_lock);
	list_for_each_entry(c, &d->children, sibling) {
		if (c->inode && !(c->flags & DENTRY_DEAD)) {
			any = true;
			break;
		}
	}
	vlock_release(&dcache_lock);
	return any;
}

long d_path_prepend(struct dentry **dp, struct dentry *stop1, struct dentry *stop2, char *buf,
                    long pos)
{
	struct dentry *d = *dp;

	vlock_acquire(&dcache_lock);
	while (d != stop1 && d != stop2 && d->parent != d) {
		if (pos < (long)d->namelen + 1) {
			pos = -1;
			break;
		}
		pos -= d->namelen;
		memcpy(buf + pos, d->name, d->namelen);
		buf[--pos] = '/';
		d = d->parent;
	}
	vlock_release(&dcache_lock);
	*dp = d;
	return pos;
}

void d_set_mounted(struct dentry *d, bool on)
{
	vlock_acquire(&dcache_lock);
	if (on)
		d->flags |= DENTRY_MOUNTED;
	else
		d->flags &= ~DENTRY_MOUNTED;
	vlock_release(&dcache_lock);
}

bool d_is_dead(struct dentry *d)
{
	bool dead;

	vlock_acquire(&dcache_lock);
	dead = d->flags & DENTRY_DEAD;
	vlock_release(&dcache_lock);
	return dead;
}

/*
 * Free the unused dentries under @root (an unmounted super_block's tree),
 * leaves first. A dentry still held (a lazily detached mount's open file)
 * stops the pruning of its branch; it is freed by its last dput.
 */
void d_prune_tree(struct dentry *root)
{
	for (;;) {
		struct dentry *d = root, *c, *victim = NULL;

		vlock_acquire(&dcache_lock);
		while (!victim) {
			struct dentry *next = NULL;

			list_for_each_entry(c, &d->children, sibling) {
				if (!list_empty(&c->children)) {
					next = c;
					break;
				}
				if (__atomic_load_n(&c->refs, __ATOMIC_RELAXED) == 0) {
					victim = c;
					break;
				}
			}
			if (!next)
				break;
			d = next;
		}
		if (victim)
			hash_remove_locked(victim);
		vlock_release(&dcache_lock);
		if (!victim)
			return;
		dput(dentry_free(victim));
	}
}
