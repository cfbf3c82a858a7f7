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

struct kobject;

#define VMO_MAX_SIZE (1ull << 32) /* 4 GiB: larger is -EINVAL */

/* A new memory object of @size bytes (rounded up to pages), one ref: 0 or -errno. */
int __must_check vmo_create(uint64_t size, struct kobject **out);
/* Copy between a memory object and kernel memory (kernel tests, drivers). */
int __must_check vmo_read_kernel(struct kobject *o, void *buf, uint64_t off, size_t len);
int __must_check vmo_write_kernel(struct kobject *o, const void *buf, uint64_t off, size_t len);
