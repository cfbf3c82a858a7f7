/* SPDX-License-Identifier: MIT */
/*
 * Descriptor tables: small integers naming open files, with a
 * close-on-exec bit each. A table grows by doubling up to FDTABLE_MAX;
 * threads made with CLONE_FILES share one. Locks: [T] the table's
 * spinlock guards the slots, the bitmap and the size; refs is atomic.
 * Files are put outside the lock (a release may sleep).
 */
#include <cairn/errno.h>
#include <cairn/linux/resource.h>

#include <lib/string.h>

#include "fs/file.h"
#include "fs/internal.h"
#include "fs/vlock.h"
#include "mm/heap.h"
#include "proc/proc.h"

#define FDTABLE_FIRST 64u /* slots of a new table */

struct fdtable {
	struct vlock lock;
	int refs;           /* [a] */
	unsigned size;      /* [T] slots */
	struct file **fds;  /* [T] NULL: free */
	uint64_t *cloexec;  /* [T] one bit per slot */
	unsigned next_free; /* [T] no free slot below this */
};

static struct fdtable kernel_table = { .lock = VLOCK_INIT, .refs = 1 };

struct fdtable *fdtable_kernel(void)
{
	return &kernel_table;
}

static size_t bitmap_bytes(unsigned size)
{
	return (size + 63u) / 64u * sizeof(uint64_t);
}

static int table_alloc_slots(struct fdtable *t, unsigned size)
{
	t->fds = kcalloc(size, sizeof(*t->fds));
	t->cloexec = kcalloc(1, bitmap_bytes(size));
	if (!t->fds || !t->cloexec) {
		kfree(t->fds);
		kfree(t->cloexec);
		return -ENOMEM;
	}
	t->size = size;
	return 0;
}

struct fdtable *fdtable_create(void)
{
	struct fdtable *t = kcalloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->lock = (struct vlock)VLOCK_INIT;
	t->refs = 1;
	if (table_alloc_slots(t, FDTABLE_FIRST)) {
		kfree(t);
		return NULL;
	}
	return t;
}

/* The highest open descriptor + 1. */
static unsigned used_size_locked(struct fdtable *t) __must_hold(&t->lock)
{
	unsigned n = t->size;

	while (n > 0 && !t->fds[n - 1])
		n--;
	return n;
}

struct fdtable *fdtable_dup(struct fdtable *t)
{
	struct fdtable *n = kcalloc(1, sizeof(*n));
	unsigned size;

	if (!n)
		return NULL;
	n->lock = (struct vlock)VLOCK_INIT;
	n->refs = 1;
	/* Size the copy before taking the lock (the heap may sleep); grow and retry if it grew. */
	for (size = FDTABLE_FIRST;;) {
		if (table_alloc_slots(n, size)) {
			kfree(n);
			return NULL;
		}
		vlock_acquire(&t->lock);
		if (used_size_locked(t) <= size)
			break;
		size = t->size;
		vlock_release(&t->lock);
		kfree(n->fds);
		kfree(n->cloexec);
	}
	for (unsigned i = 0; i < t->size && i < size; i++) {
		n->fds[i] = t->fds[i];
		if (n->fds[i])
			file_get(n->fds[i]);
	}
	if (t->size)
		memcpy(n->cloexec, t->cloexec, bitmap_bytes(size < t->size ? size : t->size));
	vlock_release(&t->lock);
	return n;
}

void fdtable_get(struct fdtable *t)
{
	__atomic_add_fetch(&t->refs, 1, __ATOMIC_RELAXED);
}

void fdtable_put(struct fdtable *t)
{
	if (!t || __atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	for (unsigned i = 0; i < t->size; i++)
		if (t->fds[i])
			file_put(t->fds[i]);
	if (t == &kernel_table) {
		memset(t->fds, 0, t->size * sizeof(*t->fds));
		return;
	}
	kfree(t->fds);
	kfree(t->cloexec);
	kfree(t);
}

static bool bit_get(const uint64_t *map, unsigned i)
{
	return map[i / 64] & (1ull << (i % 64));
}

static void bit_set(uint64_t *map, unsigned i, bool on)
{
	if (on)
		map[i / 64] |= 1ull << (i % 64);
	else
		map[i / 64] &= ~(1ull << (i % 64));
}

void fdtable_exec(struct fdtable *t)
{
	for (;;) {
		struct file *f = NULL;

		vlock_acquire(&t->lock);
		for (unsigned i = 0; i < t->size; i++) {
			if (t->fds[i] && bit_get(t->cloexec, i)) {
				f = t->fds[i];
				t->fds[i] = NULL;
				bit_set(t->cloexec, i, false);
				if (i < t->next_free)
					t->next_free = i;
				break;
			}
		}
		vlock_release(&t->lock);
		if (!f)
			return;
		file_put(f);
	}
}

/* The caller's RLIMIT_NOFILE, capped at FDTABLE_MAX. */
static unsigned fd_limit(void)
{
	struct process *p = process_current();
	uint64_t lim = FDTABLE_MAX;

	if (p) {
		spin_lock(&p->lock);
		lim = p->rlim[RLIMIT_NOFILE].rlim_cur;
		spin_unlock(&p->lock);
	}
	return lim < FDTABLE_MAX ? (unsigned)lim : FDTABLE_MAX;
}

/* Make @t at least @want slots (want <= FDTABLE_MAX). Called without the lock. */
static int table_grow(struct fdtable *t, unsigned want)
{
	unsigned size = t->size ? t->size : FDTABLE_FIRST;
	struct file **fds;
	uint64_t *cl;

	while (size < want)
		size *= 2;
	fds = kcalloc(size, sizeof(*fds));
	cl = kcalloc(1, bitmap_bytes(size));
	if (!fds || !cl) {
		kfree(fds);
		kfree(cl);
		return -ENOMEM;
	}
	vlock_acquire(&t->lock);
	if (t->size >= size) {
		vlock_release(&t->lock);
		kfree(fds);
		kfree(cl);
		return 0;
	}
	if (t->size) {
		memcpy(fds, t->fds, t->size * sizeof(*fds));
		memcpy(cl, t->cloexec, bitmap_bytes(t->size));
	}
	struct file **old_fds = t->fds;
	uint64_t *old_cl = t->cloexec;
	t->fds = fds;
	t->cloexec = cl;
	t->size = size;
	vlock_release(&t->lock);
	kfree(old_fds);
	kfree(old_cl);
	return 0;
}

int fd_install(struct fdtable *t, struct file *f, int min, bool cloexec)
{
	unsigned limit = fd_limit();

	if (min < 0)
		return -EINVAL;
	for (;;) {
		unsigned i;

		vlock_acquire(&t->lock);
		i = (unsigned)min > t->next_free ? (unsigned)min : t->next_free;
		while (i < t->size && i < limit && t->fds[i])
			i++;
		if (i < t->size && i < limit) {
			t->fds[i] = f;
			bit_set(t->cloexec, i, cloexec);
			if ((unsigned)min <= t->next_free)
				t->next_free = i + 1;
			vlock_release(&t->lock);
			return (int)i;
		}
		vlock_release(&t->lock);
		if (i >= limit)
			return -EMFILE;
		if (table_grow(t, i + 1))
			return -ENOMEM;
	}
}

struct file *fd_get(int fd)
{
	struct fdtable *t = fdtable_current();
	struct file *f = NULL;

	vlock_acquire(&t->lock);
	if (fd >= 0 && (unsigned)fd < t->size) {
		f = t->fds[fd];
		if (f)
			file_get(f);
	}
	vlock_release(&t->lock);
	return f;
}

int fd_close(struct fdtable *t, int fd)
{
	struct file *f = NULL;

	vlock_acquire(&t->lock);
	if (fd >= 0 && (unsigned)fd < t->size) {
		f = t->fds[fd];
		t->fds[fd] = NULL;
		bit_set(t->cloexec, (unsigned)fd, false);
		if ((unsigned)fd < t->next_free)
			t->next_free = (unsigned)fd;
	}
	vlock_release(&t->lock);
	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
}

int fd_replace(struct fdtable *t, int newfd, struct file *f, bool cloexec)
{
	struct file *old;
	int err;

	if (newfd < 0 || (unsigned)newfd >= fd_limit())
		return -EBADF;
	if ((unsigned)newfd >= t->size) {
		err = table_grow(t, (unsigned)newfd + 1);
		if (err)
			return err;
	}
	vlock_acquire(&t->lock);
	old = t->fds[newfd];
	t->fds[newfd] = f;
	bit_set(t->cloexec, (unsigned)newfd, cloexec);
	vlock_release(&t->lock);
	if (old)
		file_put(old);
	return newfd;
}

int fd_detach_many(struct fdtable *t, const int *fds, struct file *const *files, unsigned n)
{
	vlock_acquire(&t->lock);
	for (unsigned i = 0; i < n; i++) {
		if (fds[i] < 0 || (unsigned)fds[i] >= t->size || t->fds[fds[i]] != files[i]) {
			vlock_release(&t->lock);
			return -EBADF;
		}
	}
	for (unsigned i = 0; i < n; i++) {
		unsigned fd = (unsigned)fds[i];

		t->fds[fd] = NULL;
		bit_set(t->cloexec, fd, false);
		if (fd < t->next_free)
			t->next_free = fd;
	}
	vlock_release(&t->lock);
	return 0;
}

int fd_get_cloexec(struct fdtable *t, int fd)
{
	int r = -EBADF;

	vlock_acquire(&t->lock);
	if (fd >= 0 && (unsigned)fd < t->size && t->fds[fd])
		r = bit_get(t->cloexec, (unsigned)fd);
	vlock_release(&t->lock);
	return r;
}

int fd_set_cloexec(struct fdtable *t, int fd, bool on)
{
	int r = -EBADF;

	vlock_acquire(&t->lock);
	if (fd >= 0 && (unsigned)fd < t->size && t->fds[fd]) {
		bit_set(t->cloexec, (unsigned)fd, on);
		r = 0;
	}
	vlock_release(&t->lock);
	return r;
}

void fdtable_for_each(struct fdtable *t, void (*fn)(int fd, struct file *f, void *ctx), void *ctx)
{
	vlock_acquire(&t->lock);
	for (unsigned i = 0; i < t->size; i++)
		if (t->fds[i])
			fn((int)i, t->fds[i], ctx);
	vlock_release(&t->lock);
}
