/* SPDX-License-Identifier: MIT */
/*
 * Private to kernel/ipc/vmo*.c: a memory object's record and the copy
 * helper its system calls and kernel callers share.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc/object.h"

struct file;
struct vmo_store;

/* Locks: [I] fixed once made. */
struct vmo {
	struct kobject obj; /* [I] CAIRN_OBJ_VMO */
	/*
	 * [I] the anonymous file whose inode holds the size and the pages
	 * (its priv is the struct vmo_store); every mapping holds a reference
	 * of its own, so the pages outlive the object while mapped.
	 */
	struct file *backing;
};

static inline struct vmo *vmo_of(struct kobject *o)
{
	return (struct vmo *)((char *)o - __builtin_offsetof(struct vmo, obj));
}

extern const struct kobject_ops vmo_ops;

/* One copy between a memory object and a buffer. */
struct vmo_io {
	void *buf;  /* kernel pointer, or user address when @user */
	bool user;  /* @buf is a user address (checked below USER_TOP by the caller) */
	bool write; /* into the object (pages are committed), else out of it */
};

/*
 * Copy @len bytes at @off of @o (a memory object) to or from @io->buf.
 * The range must lie inside the object: -EINVAL otherwise. Pages a read
 * meets that were never touched read as zeros and stay uncommitted.
 * Returns 0, -EINVAL, -ENOMEM, or -EFAULT (a user buffer faulted; the
 * bytes before it were copied). Task context; may sleep.
 */
int __must_check vmo_copy(struct kobject *o, uint64_t off, uint64_t len, const struct vmo_io *io);

/*
 * The frame of page @index with a reference for the caller, committed on
 * first use when @make: 0, -ENXIO (past the end), -ENOENT (!@make and
 * never touched), -ENOSPC (past the page limit) or -ENOMEM.
 */
int __must_check vmo_store_frame(struct vmo_store *st, uint64_t index, bool make, uint64_t *pa);
