// SPDX-License-Identifier: MIT
/*
 * The memory system calls (mmap, munmap, mprotect, mremap, madvise, brk):
 * Linux's register arguments turned into the calls of kernel/mm/uspace.h
 * on the caller's address space. Linux takes several of these arguments as
 * unsigned long and rejects high bits the int versions here would drop, so
 * those checks happen first. A file is mapped through its page cache
 * (inode->mapping), with Linux's checks on the descriptor's access mode.
 */
#include <cairn/errno.h>
#include <cairn/linux/mman.h>
#include <cairn/linux/stat.h>

#include <arch/page.h>

#include "fs/file.h"
#include "fs/vfs.h"
#include "ipc/object.h"
#include "ipc/vmo.h"
#include "mm/pagecache.h"
#include "mm/uspace.h"
#include "syscall/syscall.h"

/* A bit no call knows, standing in for high bits that Linux would reject at the same point. */
#define UNKNOWN_BIT 0x10

/* @v as an int, with UNKNOWN_BIT added when bits above 31 were set. */
static int low_int(uint64_t v)
{
	return (int)(uint32_t)v | (v >> 32 ? UNKNOWN_BIT : 0);
}

/* Linux's checks of a file mapping (do_mmap()): 0 or -errno. */
static int mmap_file_check(struct file *f, uint64_t prot, uint64_t flags)
{
	int type = (int)flags & MAP_TYPE;

	if (f->fmode & FMODE_PATH)
		return -EBADF;
	if (!S_ISREG(f->inode->mode) || !f->inode->mapping)
		return -ENODEV;
	if (!(f->fmode & FMODE_READ))
		return -EACCES;
	if ((type == MAP_SHARED || type == MAP_SHARED_VALIDATE) && (prot & PROT_WRITE) &&
	    !(f->fmode & FMODE_WRITE))
		return -EACCES;
	if ((prot & PROT_EXEC) && (f->path.mnt->sb->flags & SB_NOEXEC))
		return -EPERM;
	return 0;
}

/* The most a later mprotect(2) may give a mapping of @f (Linux's VM_MAYWRITE, VM_MAYEXEC). */
static int mmap_file_maxprot(const struct file *f)
{
	int max = PROT_READ;

	if (f->fmode & FMODE_WRITE)
		max |= PROT_WRITE;
	if (!(f->path.mnt->sb->flags & SB_NOEXEC))
		max |= PROT_EXEC;
	return max;
}

/* mmap() of a file through its page cache, after Linux's checks. */
static long mmap_regular(struct uspace *s, struct file *f, uint64_t addr, uint64_t len,
                         uint64_t prot, uint64_t flags, uint64_t off)
{
	struct uspace_file_map fm = { .file = f, .off = off };
	long r = mmap_file_check(f, prot, flags);

	if (r)
		return r;
	fm.tracked = !f->inode->mapping->ops->get_frame;
	fm.maxprot = mmap_file_maxprot(f);
	/* MAP_SHARED_VALIDATE knows no flags past MAP_SHARED's here: treat it the same. */
	if (((int)flags & MAP_TYPE) == MAP_SHARED_VALIDATE)
		flags = (flags & ~(uint64_t)MAP_TYPE) | MAP_SHARED;
	return uspace_mmap_file_max(s, addr, len, (int)prot, (int)flags, &fm);
}

long sys_mmap(uint64_t addr, uint64_t len, uint64_t prot, uint64_t flags, uint64_t fd, uint64_t off)
{
	struct uspace *s = uspace_current();
	struct file *f;
	long r;

	if (off & (PAGE_SIZE - 1))
		return -EINVAL;
	if (!s)
		return -ENOMEM;
	if ((int)flags & MAP_ANONYMOUS)
		return uspace_mmap(s, addr, len, (int)prot, (int)flags);
	f = fd_get((int)fd);
	if (!f)
		return -EBADF;
	/* Cairn's handles map by their rights and their object's own op (kernel/ipc). */
	if (file_is_handle(f))
		r = handle_mmap(f, addr, len, (int)prot, (int)flags, off);
	else
		r = mmap_regular(s, f, addr, len, prot, flags, off);
	file_put(f);
	return r;
}

long sys_msync(uint64_t addr, uint64_t len, uint64_t flags, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct uspace *s = uspace_current();

	return s ? uspace_msync(s, addr, len, low_int(flags)) : -ENOMEM;
}

long sys_munmap(uint64_t addr, uint64_t len, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct uspace *s = uspace_current();

	return s ? uspace_munmap(s, addr, len) : -EINVAL;
}

long sys_mprotect(uint64_t addr, uint64_t len, uint64_t prot, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct uspace *s = uspace_current();

	return s ? uspace_mprotect(s, addr, len, low_int(prot)) : -ENOMEM;
}

long sys_mremap(uint64_t old, uint64_t old_len, uint64_t new_len, uint64_t flags, uint64_t new_addr,
                uint64_t a5)
{
	struct uspace *s = uspace_current();

	return s ? uspace_mremap(s, old, old_len, new_len, low_int(flags), new_addr) : -EFAULT;
}

long sys_madvise(uint64_t addr, uint64_t len, uint64_t advice, uint64_t a3, uint64_t a4,
                 uint64_t a5)
{
	struct uspace *s = uspace_current();

	return s ? uspace_madvise(s, addr, len, (int)advice) : -ENOMEM;
}

long sys_brk(uint64_t brk, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct uspace *s = uspace_current();

	return s ? uspace_brk(s, brk) : 0;
}
