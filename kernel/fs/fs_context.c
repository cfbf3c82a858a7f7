/* SPDX-License-Identifier: MIT */
/*
 * A process's place in the tree: its root (chroot), its working directory
 * and its umask. CLONE_FS shares one context; fork copies it. Kernel tasks
 * use the kernel's own context, whose root and cwd are the tree's root.
 * Locks: [C] the context's spinlock guards root, cwd and umask; refs is
 * atomic. Readers copy a path out with references under [C].
 */
#include <cairn/errno.h>

#include "fs/file.h"
#include "fs/internal.h"
#include "fs/vfs.h"
#include "fs/vlock.h"
#include "mm/heap.h"

struct fs_context {
	struct vlock lock;
	int refs;         /* [a] */
	struct path root; /* [C] */
	struct path cwd;  /* [C] */
	uint32_t umask;   /* [C] */
};

static struct fs_context kernel_fs = {
	.lock = VLOCK_INIT,
	.refs = 1,
	.umask = 022,
};

struct fs_context *fs_context_kernel(void)
{
	return &kernel_fs;
}

/* The proc lane's fs_context_current() replaces this: kernel tasks and tests use the kernel's. */
__attribute__((weak)) struct fs_context *fs_context_current(void)
{
	return &kernel_fs;
}

void fs_context_set_boot_root(const struct path *p)
{
	struct path old_root, old_cwd;

	path_get(p);
	path_get(p);
	vlock_acquire(&kernel_fs.lock);
	old_root = kernel_fs.root;
	old_cwd = kernel_fs.cwd;
	kernel_fs.root = *p;
	kernel_fs.cwd = *p;
	vlock_release(&kernel_fs.lock);
	path_put(&old_root);
	path_put(&old_cwd);
}

static struct fs_context *ctx_copy(struct fs_context *c)
{
	struct fs_context *n = kcalloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->lock = (struct vlock)VLOCK_INIT;
	n->refs = 1;
	vlock_acquire(&c->lock);
	n->root = c->root;
	n->cwd = c->cwd;
	n->umask = c->umask;
	if (n->root.mnt)
		path_get(&n->root);
	if (n->cwd.mnt)
		path_get(&n->cwd);
	vlock_release(&c->lock);
	return n;
}

struct fs_context *fs_context_create(void)
{
	return ctx_copy(&kernel_fs);
}

struct fs_context *fs_context_dup(struct fs_context *c)
{
	return ctx_copy(c);
}

void fs_context_get(struct fs_context *c)
{
	__atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
}

void fs_context_put(struct fs_context *c)
{
	if (!c || __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (c == &kernel_fs)
		return;
	path_put(&c->root);
	path_put(&c->cwd);
	kfree(c);
}

static void get_one(struct fs_context *c, const struct path *which, struct path *out)
{
	vlock_acquire(&c->lock);
	*out = *which;
	if (out->mnt)
		path_get(out);
	vlock_release(&c->lock);
}

void fs_get_root(struct fs_context *c, struct path *out)
{
	get_one(c, &c->root, out);
}

void fs_get_cwd(struct fs_context *c, struct path *out)
{
	get_one(c, &c->cwd, out);
}

static void set_one(struct fs_context *c, struct path *which, struct path *p)
{
	struct path old;

	vlock_acquire(&c->lock);
	old = *which;
	*which = *p;
	vlock_release(&c->lock);
	path_put(&old);
}

void fs_set_cwd(struct fs_context *c, struct path *p)
{
	set_one(c, &c->cwd, p);
}

void fs_set_root(struct fs_context *c, struct path *p)
{
	set_one(c, &c->root, p);
}

uint32_t fs_umask(struct fs_context *c)
{
	return __atomic_load_n(&c->umask, __ATOMIC_RELAXED);
}

uint32_t fs_set_umask(struct fs_context *c, uint32_t mask)
{
	return __atomic_exchange_n(&c->umask, mask & 0777u, __ATOMIC_RELAXED);
}
