// SPDX-License-Identifier: MIT
/*
 * Kernel tests of memory objects (kernel/ipc/vmo*.c) and mmap(2) of
 * handles, suite "ipc_vmo": sizes and their limits, copies in and out
 * (untouched pages read as zeros and stay uncommitted), the rights every
 * call needs, shared mappings reaching the object's own frames, a private
 * one copying on write, mprotect(2) never adding what the handle lacked,
 * shrinking under a mapping (SIGBUS past the end), and pages and objects
 * counted back to where they were. Calls go through syscall_dispatch()
 * with a user region for their arguments, as a program's do.
 */
#include <cairn/errno.h>
#include <cairn/ipc.h>
#include <cairn/linux/mman.h>
#include <cairn/linux/syscall_nr.h>

#include <arch/page.h>
#include <lib/string.h>

#include "core/ktest.h"
#include "fs/file.h"
#include "ipc/object.h"
#include "ipc/vmo.h"
#include "mm/uaccess.h"
#include "sys_user.h"
#include "syscall/syscall.h"

#define U_CNT  UPTR(0)    /* struct cairn_objcount */
#define U_SIZE UPTR(512)  /* uint64_t */
#define U_BUF  UPTR(4096) /* 2 pages of bytes */
#define PG     PAGE_SIZE
#define RW     (PROT_READ | PROT_WRITE)

static long sc(long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	const uint64_t args[6] = { a0, a1, a2, a3, 0, 0 };

	return syscall_dispatch(nr, args);
}

static long map(int fd, size_t len, int prot, int flags, uint64_t off)
{
	const uint64_t args[6] = { 0, len, (uint64_t)prot, (uint64_t)flags, (uint64_t)fd, off };

	return syscall_dispatch(__NR_mmap, args);
}

static struct cairn_objcount counts(void)
{
	struct cairn_objcount c;

	EXPECT_EQ(sc(CAIRN_SYS_OBJECT_COUNT, U_CNT, sizeof(c), 0, 0), 0);
	EXPECT_EQ(copy_from_user(&c, (const void *)U_CNT, sizeof(c)), 0);
	return c;
}

static uint64_t size_of(int fd)
{
	uint64_t size = 0;

	EXPECT_EQ(sc(CAIRN_SYS_VMO_GET_SIZE, (uint64_t)fd, U_SIZE, 0, 0), 0);
	EXPECT_EQ(copy_from_user(&size, (const void *)U_SIZE, sizeof(size)), 0);
	return size;
}

static void close_fd(int fd)
{
	EXPECT_EQ(fd_close(fdtable_current(), fd), 0);
}

/* Objects and committed pages are where @c0 had them. */
static void expect_counts(const struct cairn_objcount *c0)
{
	struct cairn_objcount c = counts();

	EXPECT_EQ(c.objects[CAIRN_OBJ_VMO], c0->objects[CAIRN_OBJ_VMO]);
	EXPECT_EQ(c.vmo_pages, c0->vmo_pages);
	EXPECT_EQ(c.handles, c0->handles);
}

TEST(ipc_vmo, sizes_round_up_and_limits)
{
	struct uspace *s = sys_user_begin();
	struct cairn_objcount c0 = counts();
	int a = (int)sc(CAIRN_SYS_VMO_CREATE, 0, 0, 0, 0);
	int b = (int)sc(CAIRN_SYS_VMO_CREATE, 1, CAIRN_HANDLE_CLOEXEC, 0, 0);
	int c = (int)sc(CAIRN_SYS_VMO_CREATE, VMO_MAX_SIZE, 0, 0, 0);

	EXPECT_TRUE(a >= 0 && b >= 0 && c >= 0);
	EXPECT_EQ(size_of(a), 0);
	EXPECT_EQ(size_of(b), PG);
	EXPECT_EQ(fd_get_cloexec(fdtable_current(), b), 1);
	EXPECT_EQ(size_of(c), VMO_MAX_SIZE); /* nothing committed: no memory used */
	EXPECT_EQ(counts().objects[CAIRN_OBJ_VMO], c0.objects[CAIRN_OBJ_VMO] + 3);
	EXPECT_EQ(counts().vmo_pages, c0.vmo_pages);
	EXPECT_EQ(sc(CAIRN_SYS_VMO_CREATE, VMO_MAX_SIZE + 1, 0, 0, 0), -EINVAL);
	EXPECT_EQ(sc(CAIRN_SYS_VMO_CREATE, PG, 2, 0, 0), -EINVAL);
	EXPECT_EQ(sc(CAIRN_SYS_VMO_SET_SIZE, (uint64_t)a, PG + 1, 0, 0), 0);
	EXPECT_EQ(size_of(a), 2 * PG);
	EXPECT_EQ(sc(CAIRN_SYS_VMO_SET_SIZE, (uint64_t)a, VMO_MAX_SIZE + 1, 0, 0), -EINVAL);
	EXPECT_EQ(size_of(a), 2 * PG);
	close_fd(a);
	close_fd(b);
	close_fd(c);
	expect_counts(&c0);
	sys_user_end(s);
}

TEST(ipc_vmo, copies_in_and_out_commit_only_written_pages)
{
	static uint8_t out[2 * PG], back[2 * PG];
	struct cairn_objcount c0;
	struct kobject *o;
	size_t i;
	struct uspace *s = sys_user_begin();

	c0 = counts();
	for (i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(i * 13 + 1);
	EXPECT_EQ(vmo_create(3 * PG, &o), 0);
	/* 100 bytes across the boundary of pages 0 and 1 commit both. */
	EXPECT_EQ(vmo_write_kernel(o, out, PG - 50, 100), 0);
	EXPECT_EQ(counts().vmo_pages, c0.vmo_pages + 2);
	EXPECT_EQ(vmo_read_kernel(o, back, PG - 50, 100), 0);
	EXPECT_EQ(memcmp(back, out, 100), 0);
	/* Page 2 was never written: zeros, and still not committed. */
	memset(back, 0xaa, PG);
	EXPECT_EQ(vmo_read_kernel(o, back, 2 * PG, PG), 0);
	for (i = 0; i < PG; i++)
		if (back[i])
			break;
	EXPECT_EQ(i, PG);
	EXPECT_EQ(counts().vmo_pages, c0.vmo_pages + 2);
	/* Past the end, or straddling it: -EINVAL and nothing moves. */
	EXPECT_EQ(vmo_read_kernel(o, back, 3 * PG - 1, 2), -EINVAL);
	EXPECT_EQ(vmo_write_kernel(o, out, 3 * PG + 1, 0), -EINVAL);
	EXPECT_EQ(vmo_write_kernel(o, out, 3 * PG, 0), 0);
	EXPECT_EQ(vmo_read_kernel(o, back, UINT64_MAX, 2), -EINVAL);
	EXPECT_EQ(counts().objects[CAIRN_OBJ_VMO], c0.objects[CAIRN_OBJ_VMO] + 1);
	kobject_put(o);
	expect_counts(&c0);
	sys_user_end(s);
}

TEST(ipc_vmo, calls_need_their_rights)
{
	struct uspace *s = sys_user_begin();
	struct cairn_objcount c0 = counts();
	int fd = (int)sc(CAIRN_SYS_VMO_CREATE, PG, 0, 0, 0);
	int ro = (int)sc(CAIRN_SYS_HANDLE_DUP, (uint64_t)fd, CAIRN_RIGHT_READ | CAIRN_RIGHT_MAP, 0,
	                 0);
	int none = (int)sc(CAIRN_SYS_HANDLE_DUP, (uint64_t)fd, CAIRN_RIGHT_DUPLICATE, 0, 0);
	int wo = (int)sc(CAIRN_SYS_HANDLE_DUP, (uint64_t)fd, CAIRN_RIGHT_WRITE | CAIRN_RIGHT_MAP, 0,
	                 0);
	int p[2];

	EXPECT_TRUE(fd >= 0 && ro >= 0 && none >= 0 && wo >= 0);
	/* Without READ nothing maps: the hardware cannot hide a present page from reads. */
	EXPECT_EQ(map(wo, PG, PROT_WRITE, MAP_SHARED, 0), -EACCES);
	EXPECT_EQ(map(wo, PG, PROT_NONE, MAP_SHARED, 0), -EACCES);
	EXPECT_EQ(sc(CAIRN_SYS_VMO_WRITE, (uint64_t)wo, U_BUF, 0, 8), 0);
	EXPECT_EQ(sc(CAIRN_SYS_VMO_WRITE, (uint64_t)fd, U_BUF, 0, 8), 0);
	EXPECT_EQ(sc(CAIRN_SYS_VMO_READ, (uint64_t)ro, U_BUF, 0, 8), 0);
	EXPECT_EQ(sc(CAIRN_SYS_VMO_WRITE, (uint64_t)ro, U_BUF, 0, 8), -EACCES);
	EXPECT_EQ(sc(CAIRN_SYS_VMO_SET_SIZE, (uint64_t)ro, 2 * PG, 0, 0), -EACCES);
	EXPECT_EQ(sc(CAIRN_SYS_VMO_GET_SIZE, (uint64_t)ro, U_SIZE, 0, 0), -EACCES);
	EXPECT_EQ(sc(CAIRN_SYS_VMO_READ, (uint64_t)none, U_BUF, 0, 8), -EACCES);
	/* Mapping: MAP, READ for reading, WRITE for shared writing. */
	EXPECT_EQ(map(none, PG, PROT_NONE, MAP_SHARED, 0), -EACCES);
	EXPECT_EQ(map(ro, PG, RW, MAP_SHARED, 0), -EACCES);
	EXPECT_EQ(map(ro, PG, RW, MAP_SHARED_VALIDATE, 0), -EACCES);
	EXPECT_EQ(map(ro, PG, PROT_READ | PROT_EXEC, MAP_SHARED, 0), -EACCES);
	EXPECT_EQ(map(fd, PG, PROT_READ | PROT_EXEC, MAP_PRIVATE, 0), -EACCES);
	/* Not a handle of this type, not a descriptor, bad arguments. */
	EXPECT_EQ(sc(__NR_pipe2, U_SIZE, 0, 0, 0), 0);
	EXPECT_EQ(copy_from_user(p, (const void *)U_SIZE, sizeof(p)), 0);
	EXPECT_EQ(sc(CAIRN_SYS_VMO_READ, (uint64_t)p[0], U_BUF, 0, 8), -EBADFD);
	EXPECT_EQ(sc(CAIRN_SYS_VMO_READ, 999, U_BUF, 0, 8), -EBADF);
	EXPECT_EQ(sc(CAIRN_SYS_VMO_READ, (uint64_t)-1, U_BUF, 0, 8), -EBADF);
	EXPECT_EQ(sc(CAIRN_SYS_VMO_READ, (uint64_t)fd, USER_TOP - 4, 0, 8), -EFAULT);
	EXPECT_EQ(sc(CAIRN_SYS_VMO_READ, (uint64_t)fd, UPTR(SYS_USER_BYTES), 0, 8), -EFAULT);
	EXPECT_EQ(sc(CAIRN_SYS_VMO_READ, (uint64_t)fd, U_BUF, PG, 1), -EINVAL);
	EXPECT_EQ(sc(CAIRN_SYS_VMO_GET_SIZE, (uint64_t)fd, 16, 0, 0), -EFAULT);
	EXPECT_EQ(map(fd, PG, PROT_READ, MAP_SHARED, 100), -EINVAL);
	close_fd(p[0]);
	close_fd(p[1]);
	close_fd(fd);
	close_fd(ro);
	close_fd(none);
	close_fd(wo);
	expect_counts(&c0);
	sys_user_end(s);
}

TEST(ipc_vmo, shared_mappings_are_the_objects_pages)
{
	struct uspace *s = sys_user_begin();
	struct cairn_objcount c0 = counts();
	int fd = (int)sc(CAIRN_SYS_VMO_CREATE, 2 * PG, 0, 0, 0);
	long a = map(fd, 2 * PG, RW, MAP_SHARED, 0), b = map(fd, PG, PROT_READ, MAP_SHARED, PG);
	uint64_t pa = 0, pb = 0;
	char got[8] = { 0 };

	EXPECT_TRUE(a > 0 && b > 0);
	/* A write through one mapping is seen by the other and by the calls. */
	EXPECT_EQ(copy_to_user((void *)(a + PG), "shared!", 8), 0);
	EXPECT_EQ(copy_from_user(got, (const void *)b, 8), 0);
	EXPECT_EQ(memcmp(got, "shared!", 8), 0);
	EXPECT_EQ(uspace_translate(s, (uintptr_t)(a + PG), &pa, NULL), 0);
	EXPECT_EQ(uspace_translate(s, (uintptr_t)b, &pb, NULL), 0);
	EXPECT_EQ(pa, pb);
	EXPECT_EQ(sc(CAIRN_SYS_VMO_READ, (uint64_t)fd, U_BUF, PG, 8), 0);
	EXPECT_EQ(copy_from_user(got, (const void *)U_BUF, 8), 0);
	EXPECT_EQ(memcmp(got, "shared!", 8), 0);
	/* Only the touched page is committed. */
	EXPECT_EQ(counts().vmo_pages, c0.vmo_pages + 1);
	EXPECT_EQ(sc(__NR_munmap, (uint64_t)a, 2 * PG, 0, 0), 0);
	EXPECT_EQ(sc(__NR_munmap, (uint64_t)b, PG, 0, 0), 0);
	close_fd(fd);
	expect_counts(&c0);
	sys_user_end(s);
}

TEST(ipc_vmo, mprotect_never_adds_what_the_handle_lacks)
{
	struct uspace *s = sys_user_begin();
	int fd = (int)sc(CAIRN_SYS_VMO_CREATE, PG, 0, 0, 0);
	int ro = (int)sc(CAIRN_SYS_HANDLE_DUP, (uint64_t)fd, CAIRN_RIGHT_READ | CAIRN_RIGHT_MAP, 0,
	                 0);
	long a = map(ro, PG, PROT_READ, MAP_SHARED, 0), b = map(fd, PG, PROT_READ, MAP_SHARED, 0);
	long c = map(ro, PG, RW, MAP_PRIVATE, 0);

	EXPECT_TRUE(a > 0 && b > 0 && c > 0);
	EXPECT_EQ(sc(__NR_mprotect, (uint64_t)a, PG, RW, 0), -EACCES);
	EXPECT_EQ(sc(__NR_mprotect, (uint64_t)a, PG, PROT_READ | PROT_EXEC, 0), -EACCES);
	EXPECT_EQ(sc(__NR_mprotect, (uint64_t)a, PG, PROT_NONE, 0), 0);
	EXPECT_EQ(sc(__NR_mprotect, (uint64_t)a, PG, PROT_READ, 0), 0);
	/* A handle with WRITE may, and a private mapping writes only its copies. */
	EXPECT_EQ(sc(__NR_mprotect, (uint64_t)b, PG, RW, 0), 0);
	EXPECT_EQ(sc(__NR_mprotect, (uint64_t)c, PG, PROT_READ, 0), 0);
	EXPECT_EQ(sc(__NR_mprotect, (uint64_t)c, PG, RW, 0), 0);
	/* The write goes to c's copy: the object and the other mappings keep their bytes. */
	EXPECT_EQ(copy_to_user((void *)b, "object", 7), 0);
	EXPECT_EQ(copy_to_user((void *)c, "copy!!", 7), 0);
	{
		char got[7];

		EXPECT_EQ(copy_from_user(got, (const void *)a, 7), 0);
		EXPECT_EQ(memcmp(got, "object", 7), 0);
	}
	EXPECT_EQ(sc(__NR_munmap, (uint64_t)a, PG, 0, 0), 0);
	EXPECT_EQ(sc(__NR_munmap, (uint64_t)b, PG, 0, 0), 0);
	EXPECT_EQ(sc(__NR_munmap, (uint64_t)c, PG, 0, 0), 0);
	close_fd(fd);
	close_fd(ro);
	sys_user_end(s);
}

TEST(ipc_vmo, shrinking_unmaps_past_the_end)
{
	struct uspace *s = sys_user_begin();
	struct cairn_objcount c0 = counts();
	int fd = (int)sc(CAIRN_SYS_VMO_CREATE, 2 * PG, 0, 0, 0);
	long a = map(fd, 2 * PG, RW, MAP_SHARED, 0);
	uint64_t pa;
	char got[4];

	EXPECT_TRUE(a > 0);
	EXPECT_EQ(copy_to_user((void *)a, "one", 4), 0);
	EXPECT_EQ(copy_to_user((void *)(a + PG), "two", 4), 0);
	EXPECT_EQ(counts().vmo_pages, c0.vmo_pages + 2);
	EXPECT_EQ(sc(CAIRN_SYS_VMO_SET_SIZE, (uint64_t)fd, PG, 0, 0), 0);
	EXPECT_EQ(counts().vmo_pages, c0.vmo_pages + 1);
	/* Page 1 left the mapping; touching it is SIGBUS (-EIO from the fault path). */
	EXPECT_TRUE(uspace_translate(s, (uintptr_t)(a + PG), &pa, NULL) != 0);
	EXPECT_EQ(uspace_fault(s, (uintptr_t)(a + PG), UFAULT_USER), -EIO);
	EXPECT_EQ(copy_from_user(got, (const void *)(a + PG), 4), -EFAULT);
	EXPECT_EQ(copy_from_user(got, (const void *)a, 4), 0);
	EXPECT_EQ(memcmp(got, "one", 4), 0);
	/* Grown again, it comes back as zeros. */
	EXPECT_EQ(sc(CAIRN_SYS_VMO_SET_SIZE, (uint64_t)fd, 2 * PG, 0, 0), 0);
	EXPECT_EQ(copy_from_user(got, (const void *)(a + PG), 4), 0);
	EXPECT_EQ(got[0], 0);
	EXPECT_EQ(sc(__NR_munmap, (uint64_t)a, 2 * PG, 0, 0), 0);
	close_fd(fd);
	expect_counts(&c0);
	sys_user_end(s);
}

TEST(ipc_vmo, a_mapping_outlives_every_handle)
{
	struct uspace *s = sys_user_begin();
	struct cairn_objcount c0 = counts(), c1;
	int fd = (int)sc(CAIRN_SYS_VMO_CREATE, PG, 0, 0, 0);
	long a = map(fd, PG, RW, MAP_SHARED, 0);
	char got[5];

	EXPECT_TRUE(a > 0);
	EXPECT_EQ(copy_to_user((void *)a, "kept", 5), 0);
	close_fd(fd);
	/* The object is gone; its page stays while the mapping holds it. */
	c1 = counts();
	EXPECT_EQ(c1.objects[CAIRN_OBJ_VMO], c0.objects[CAIRN_OBJ_VMO]);
	EXPECT_EQ(c1.vmo_pages, c0.vmo_pages + 1);
	EXPECT_EQ(copy_from_user(got, (const void *)a, 5), 0);
	EXPECT_EQ(memcmp(got, "kept", 5), 0);
	EXPECT_EQ(sc(__NR_munmap, (uint64_t)a, PG, 0, 0), 0);
	expect_counts(&c0);
	sys_user_end(s);
}

TEST(ipc_vmo, commits_stop_at_the_page_limit)
{
	static uint8_t page[PG];
	struct uspace *s = sys_user_begin();
	struct cairn_objcount c0 = counts();
	struct kobject *a, *b;

	/* Room for two more pages than every object holds now. */
	vmo_set_page_limit(c0.vmo_pages + 2);
	EXPECT_EQ(vmo_create(4 * PG, &a), 0);
	EXPECT_EQ(vmo_create(4 * PG, &b), 0);
	EXPECT_EQ(vmo_write_kernel(a, page, 0, PG), 0);
	EXPECT_EQ(vmo_write_kernel(b, page, 0, PG), 0);
	EXPECT_EQ(vmo_write_kernel(a, page, PG, PG), -ENOMEM);
	EXPECT_EQ(vmo_write_kernel(b, page, 0, PG), 0); /* committed already: no new page */
	EXPECT_EQ(counts().vmo_pages, c0.vmo_pages + 2);
	/* A fault past the limit is SIGBUS (-EIO), not the OOM killer's -ENOMEM. */
	{
		int fd = handle_install(a, CAIRN_RIGHT_READ | CAIRN_RIGHT_MAP, 0);
		long at = map(fd, 4 * PG, PROT_READ, MAP_SHARED, 0);

		EXPECT_TRUE(fd >= 0 && at > 0);
		EXPECT_EQ(uspace_fault(s, (uintptr_t)at, UFAULT_USER), 0); /* committed */
		EXPECT_EQ(uspace_fault(s, (uintptr_t)at + 2 * PG, UFAULT_USER), -EIO);
		EXPECT_EQ(sc(__NR_munmap, (uint64_t)at, 4 * PG, 0, 0), 0);
		close_fd(fd);
	}
	/* Pages given back make room again. */
	EXPECT_EQ(vmo_set_size(b, 0), 0);
	EXPECT_EQ(vmo_write_kernel(a, page, PG, PG), 0);
	vmo_set_page_limit(0);
	kobject_put(a);
	kobject_put(b);
	expect_counts(&c0);
	sys_user_end(s);
}
