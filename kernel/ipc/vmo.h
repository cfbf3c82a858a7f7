/* SPDX-License-Identifier: MIT */
/*
 * Memory objects (issue 15): pages a handle names, to map into several
 * processes (mmap(2) of the handle with MAP_SHARED) and to pass through
 * channels for bulk data beside messages. cairn_vmo_create/read/write/
 * get_size/set_size are in kernel/ipc/vmo.c. Pages are committed on first
 * touch and counted in cairn_objcount.vmo_pages. docs/ipc.md.
 */
#pragma once

#include <cairn/compiler.h>

#include <stddef.h>
#include <stdint.h>

struct file;
struct kobject;

#define VMO_MAX_SIZE (1ull << 32) /* 4 GiB: larger is -EINVAL */

/* A new memory object of @size bytes (rounded up to pages), one ref: 0 or -errno. */
int __must_check vmo_create(uint64_t size, struct kobject **out);
/* Copy between a memory object and kernel memory (kernel tests, drivers). */
int __must_check vmo_read_kernel(struct kobject *o, void *buf, uint64_t off, size_t len);
int __must_check vmo_write_kernel(struct kobject *o, const void *buf, uint64_t off, size_t len);

struct kobject_map;
struct uspace;

/*
 * The pages all memory objects may commit together (default, and @pages
 * 0: half of the memory the frame allocator manages); past it commits
 * fail (-ENOMEM from a copy, SIGBUS from a fault). For tests.
 */
void vmo_set_page_limit(uint64_t pages);

/* The size in bytes (a multiple of pages); 0 when @o is not a memory object. */
uint64_t vmo_size(struct kobject *o);
/*
 * Resize to @size bytes (rounded up to pages): 0, -EINVAL past
 * VMO_MAX_SIZE, or -EBADFD when @o is not a memory object. Shrinking
 * takes the pages past the end out of every mapping (a touch there is
 * then SIGBUS, as past the end of a truncated file) and frees them;
 * growing adds zeros. Task context; may sleep.
 */
int __must_check vmo_set_size(struct kobject *o, uint64_t size);
/*
 * Map @o into @s as @m asks (the rights already checked: @m->maxprot the
 * most mprotect(2) may later allow). The address or -errno, as
 * uspace_mmap_file(); -EBADFD when @o is not a memory object. Task
 * context; takes @s's lock.
 */
long __must_check vmo_map(struct kobject *o, struct uspace *s, const struct kobject_map *m);

/*
 * mmap(2) of the handle file @f in the calling process: checks the rights
 * against @prot and @flags (MAP and READ always; WRITE for PROT_WRITE
 * with MAP_SHARED; EXECUTE for PROT_EXEC: -EACCES), then calls the
 * object's mmap_max or mmap op (neither: -ENODEV). Arguments and result
 * as mmap(2)'s. sys_mmap() calls it for every handle file.
 */
long __must_check handle_mmap(struct file *f, uintptr_t addr, size_t len, int prot, int flags,
                              uint64_t off);
