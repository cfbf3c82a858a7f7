// SPDX-License-Identifier: MIT
/*
 * mmap(2) of a handle: the rights a mapping needs, checked before the
 * object sees the call, and the most a later mprotect(2) may add, handed
 * down with it (docs/vmo.md, "Mapping"). sys_mmap() sends every handle
 * file here; memory objects and MMIO ranges implement the mapping itself.
 */
#include <cairn/errno.h>
#include <cairn/ipc.h>
#include <cairn/linux/mman.h>

#include "fs/file.h"
#include "ipc/object.h"
#include "ipc/vmo.h"

/* The rights mapping with @prot and @flags needs. */
static uint32_t map_rights(int prot, bool shared)
{
	/*
	 * READ always: x86 page tables cannot make a page writable or
	 * executable without making it readable (Intel SDM Vol. 3A, 4.6),
	 * and a PROT_NONE mapping could be mprotect()ed to PROT_READ later,
	 * so a handle without READ maps nothing at all.
	 */
	uint32_t need = CAIRN_RIGHT_MAP | CAIRN_RIGHT_READ;

	/* A private mapping writes to copies of its own: the object is never written. */
	if ((prot & PROT_WRITE) && shared)
		need |= CAIRN_RIGHT_WRITE;
	if (prot & PROT_EXEC)
		need |= CAIRN_RIGHT_EXECUTE;
	return need;
}

/* The PROT_* bits @rights allow a shared mapping to have now or later. */
static int rights_maxprot(uint32_t rights)
{
	int max = 0;

	if (rights & CAIRN_RIGHT_READ)
		max |= PROT_READ;
	if (rights & CAIRN_RIGHT_WRITE)
		max |= PROT_WRITE;
	if (rights & CAIRN_RIGHT_EXECUTE)
		max |= PROT_EXEC;
	return max;
}

long handle_mmap(struct file *f, uintptr_t addr, size_t len, int prot, int flags, uint64_t off)
{
	struct handle *h = file_handle(f);
	struct kobject_map m = { .addr = addr, .len = len, .prot = prot, .off = off };
	int type = flags & MAP_TYPE;
	uint32_t need;

	if (!h)
		return -ENODEV;
	if (type != MAP_SHARED && type != MAP_SHARED_VALIDATE && type != MAP_PRIVATE)
		return -EINVAL;
	/* MAP_SHARED_VALIDATE knows no flags past MAP_SHARED's here: the same as it. */
	m.flags = type == MAP_SHARED_VALIDATE ? (flags & ~MAP_TYPE) | MAP_SHARED : flags;
	need = map_rights(prot, type != MAP_PRIVATE);
	if ((h->rights & need) != need)
		return -EACCES;
	m.maxprot = rights_maxprot(h->rights);
	if (h->obj->ops->mmap_max)
		return h->obj->ops->mmap_max(h->obj, &m);
	if (!h->obj->ops->mmap)
		return -ENODEV;
	return h->obj->ops->mmap(h->obj, m.addr, m.len, m.prot, m.flags, m.off);
}
