// SPDX-License-Identifier: MIT
/*
 * The memory-object system calls (include/cairn/ipc.h, docs/vmo.md):
 * each looks the handle up with the right it needs, checks its arguments,
 * then acts through kernel/ipc/vmo.c. A handle without the right is
 * -EACCES before anything else is looked at.
 */
#include <cairn/errno.h>
#include <cairn/ipc.h>

#include "ipc/object.h"
#include "ipc/vmo.h"
#include "ipc/vmo_internal.h"
#include "mm/uaccess.h"
#include "syscall/syscall.h"

/* (uint64_t size, uint32_t flags) -> a handle to a new memory object with the default rights. */
long sys_cairn_vmo_create(uint64_t size, uint64_t flags, uint64_t a2, uint64_t a3, uint64_t a4,
                          uint64_t a5)
{
	struct kobject *o;
	int err, h;

	if (flags & ~(uint64_t)CAIRN_HANDLE_CLOEXEC)
		return -EINVAL;
	err = vmo_create(size, &o);
	if (err)
		return err;
	h = handle_install(o, o->ops->default_rights, (uint32_t)flags);
	kobject_put(o); /* the handle holds its own reference; on failure this frees it */
	return h;
}

/* The copy of vmo_read and vmo_write: handle @h with @right, @len bytes at @off. */
static long vmo_sys_copy(uint64_t h, uint64_t buf, uint64_t off, uint64_t len, bool write)
{
	struct vmo_io io = { .buf = (void *)(uintptr_t)buf, .user = true, .write = write };
	struct kobject *o;
	int err;

	if (h > INT32_MAX)
		return -EBADF;
	err = handle_get((int)h, CAIRN_OBJ_VMO, write ? CAIRN_RIGHT_WRITE : CAIRN_RIGHT_READ, &o,
	                 NULL);
	if (err)
		return err;
	if (off > VMO_MAX_SIZE || len > VMO_MAX_SIZE)
		err = -EINVAL;
	else if (!user_range_ok((uintptr_t)buf, (size_t)len))
		err = -EFAULT;
	else
		err = vmo_copy(o, off, len, &io);
	kobject_put(o);
	return err;
}

/* (int h, void *buf, uint64_t offset, uint64_t len) -> 0: needs READ. */
long sys_cairn_vmo_read(uint64_t h, uint64_t buf, uint64_t off, uint64_t len, uint64_t a4,
                        uint64_t a5)
{
	return vmo_sys_copy(h, buf, off, len, false);
}

/* (int h, const void *buf, uint64_t offset, uint64_t len) -> 0: needs WRITE. */
long sys_cairn_vmo_write(uint64_t h, uint64_t buf, uint64_t off, uint64_t len, uint64_t a4,
                         uint64_t a5)
{
	return vmo_sys_copy(h, buf, off, len, true);
}

/* (int h, uint64_t *size_out) -> 0: needs INSPECT. */
long sys_cairn_vmo_get_size(uint64_t h, uint64_t uout, uint64_t a2, uint64_t a3, uint64_t a4,
                            uint64_t a5)
{
	struct kobject *o;
	uint64_t size;
	int err;

	if (h > INT32_MAX)
		return -EBADF;
	err = handle_get((int)h, CAIRN_OBJ_VMO, CAIRN_RIGHT_INSPECT, &o, NULL);
	if (err)
		return err;
	size = vmo_size(o);
	kobject_put(o);
	return copy_to_user((void *)(uintptr_t)uout, &size, sizeof(size));
}

/* (int h, uint64_t size) -> 0: needs MANAGE. */
long sys_cairn_vmo_set_size(uint64_t h, uint64_t size, uint64_t a2, uint64_t a3, uint64_t a4,
                            uint64_t a5)
{
	struct kobject *o;
	int err;

	if (h > INT32_MAX)
		return -EBADF;
	err = handle_get((int)h, CAIRN_OBJ_VMO, CAIRN_RIGHT_MANAGE, &o, NULL);
	if (err)
		return err;
	err = vmo_set_size(o, size);
	kobject_put(o);
	return err;
}
