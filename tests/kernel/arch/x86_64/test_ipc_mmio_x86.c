// SPDX-License-Identifier: MIT
/*
 * An MMIO object over real device memory (suite ipc_dev): the HPET's
 * register page (its address from ACPI), mapped read-only into a user
 * space through mmap(2) of a handle. The capabilities register read
 * through the mapping gives the period the kernel's own driver found, the
 * main counter moves between two reads, the page is mapped uncached at the
 * HPET's physical address (in a fork of the space too), and the rights, MAP_PRIVATE and a fault past
 * the range are refused (IA-PC HPET 1.0a, 2.3.4: General Capabilities at
 * 0x000, the period in its upper 32 bits at 0x004; 2.3.8: the main
 * counter at 0x0f0, read here by its low 32 bits, which move at 100 MHz).
 */
#include <cairn/errno.h>
#include <cairn/ipc.h>
#include <cairn/linux/mman.h>
#include <cairn/linux/syscall_nr.h>

#include <arch/mmio.h>
#include <arch/page.h>
#include <lib/paging/paging.h>

#include "acpi/acpi.h"
#include "arch/arch.h"
#include "arch/x86_64/x86.h"
#include "core/ktest.h"
#include "fs/file.h"
#include "ipc/devobj.h"
#include "ipc/object.h"
#include "mm/uaccess.h"
#include "syscall/syscall.h"
#include "tests/kernel/sys_user.h"
#include "time/time.h"

#define HPET_CAP     0x000
#define HPET_COUNTER 0x0f0

static long map(int fd, size_t len, int prot, int flags, uint64_t off)
{
	const uint64_t args[6] = { 0, len, (uint64_t)prot, (uint64_t)flags, (uint64_t)fd, off };

	return syscall_dispatch(__NR_mmap, args);
}

/*
 * One 32-bit load of the register at user address @va (the HPET takes
 * 32- and 64-bit accesses only; copy_from_user() may copy bytes). The
 * page is faulted in first, so the load itself cannot fault.
 */
static uint32_t user_reg32(struct uspace *s, uint64_t va)
{
	uint32_t v;

	EXPECT_EQ(uspace_fault(s, va, UFAULT_USER), 0);
	arch_user_access_begin();
	v = mmio_read32((const volatile void *)va);
	arch_user_access_end();
	return v;
}

/* The HPET's register page, or a skip. */
static uint64_t hpet_page(void)
{
	const struct acpi_hpet_info *hi = acpi_hpet();

	if (!hi || !x86_hpet_present() || hi->base.space_id != ACPI_GAS_MEMORY)
		ktest_skip("no HPET");
	return hi->base.address & ~(uint64_t)(PAGE_SIZE - 1);
}

/* fork shares the device page as it is: no frame record, no count, still uncached. */
static void expect_fork_shares(struct uspace *s, uint64_t va, uint64_t phys)
{
	struct uspace *child = NULL;
	uint32_t flags = 0;
	uint64_t pa = 0;

	EXPECT_EQ(uspace_fork(s, &child), 0);
	EXPECT_EQ(uspace_translate(child, (uintptr_t)va, &pa, &flags), 0);
	EXPECT_EQ(pa, phys);
	EXPECT_EQ(flags & PT_CACHE_MASK, PT_CACHE_UC);
	uspace_put(child);
}

/*
 * mremap(2) to two pages at another address (over an anonymous mapping it
 * replaces): the device page moves along (still the HPET's, still
 * answering), the old address is empty, the page past the range faults
 * as SIGBUS. Returns the mapping's address now (one page again).
 */
static long expect_mremap_moves(struct uspace *s, uint64_t va, uint64_t phys)
{
	long to = uspace_mmap(s, 0, 2 * PAGE_SIZE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS);
	long nva = uspace_mremap(s, (uintptr_t)va, PAGE_SIZE, 2 * PAGE_SIZE,
	                         MREMAP_MAYMOVE | MREMAP_FIXED, (uintptr_t)to);
	uint64_t pa = 0;

	EXPECT_TRUE(to > 0);
	EXPECT_EQ(nva, to);
	EXPECT_EQ(uspace_translate(s, (uintptr_t)va, NULL, NULL), -EFAULT);
	EXPECT_EQ(uspace_translate(s, (uintptr_t)nva, &pa, NULL), 0);
	EXPECT_EQ(pa, phys);
	EXPECT_EQ(user_reg32(s, (uint64_t)nva + HPET_CAP + 4), x86_hpet_period_fs());
	EXPECT_EQ(uspace_fault(s, (uintptr_t)nva + PAGE_SIZE, UFAULT_USER), -EIO);
	EXPECT_EQ(uspace_munmap(s, (uintptr_t)nva + PAGE_SIZE, PAGE_SIZE), 0);
	return nva;
}

/* PROT_NONE hides the page, PROT_READ shows it again: still the device's, uncached. */
static void expect_hide_and_show(struct uspace *s, uint64_t va)
{
	uint32_t flags = 0;

	EXPECT_EQ(uspace_mprotect(s, (uintptr_t)va, PAGE_SIZE, PROT_NONE), 0);
	EXPECT_EQ(uspace_mprotect(s, (uintptr_t)va, PAGE_SIZE, PROT_READ), 0);
	EXPECT_EQ(user_reg32(s, va + HPET_CAP + 4), x86_hpet_period_fs());
	EXPECT_EQ(uspace_translate(s, (uintptr_t)va, NULL, &flags), 0);
	EXPECT_EQ(flags & PT_CACHE_MASK, PT_CACHE_UC);
}

TEST(ipc_dev, mmio_maps_the_hpet_uncached)
{
	uint64_t phys = hpet_page(), pa = 0;
	uint32_t c1, c2;
	struct uspace *s = sys_user_begin();
	struct cairn_objcount c0, c;
	struct kobject *o = NULL;
	uint32_t flags = 0;
	long va, far;
	int fd, nomap;

	ipc_counts_read(&c0);
	EXPECT_EQ(mmio_object_create(phys, PAGE_SIZE, &o), 0);
	fd = handle_install(o, CAIRN_RIGHT_READ | CAIRN_RIGHT_MAP, 0);
	nomap = handle_install(o, CAIRN_RIGHT_READ, 0);
	kobject_put(o); /* the handles keep it */
	EXPECT_TRUE(fd >= 0 && nomap >= 0);
	va = map(fd, PAGE_SIZE, PROT_READ, MAP_SHARED, 0);
	EXPECT_TRUE(va > 0);
	EXPECT_EQ(user_reg32(s, (uint64_t)va + HPET_CAP + 4), x86_hpet_period_fs());
	c1 = user_reg32(s, (uint64_t)va + HPET_COUNTER);
	sleep_ms(1);
	c2 = user_reg32(s, (uint64_t)va + HPET_COUNTER);
	/* At least half the millisecond slept, in femtoseconds (the low word wraps after 42 s). */
	EXPECT_TRUE((uint64_t)(uint32_t)(c2 - c1) * x86_hpet_period_fs() >= 500000000000ull);
	EXPECT_EQ(uspace_translate(s, (uintptr_t)va, &pa, &flags), 0);
	EXPECT_EQ(pa, phys);
	EXPECT_EQ(flags & PT_CACHE_MASK, PT_CACHE_UC);
	expect_fork_shares(s, (uint64_t)va, phys);
	va = expect_mremap_moves(s, (uint64_t)va, phys);
	expect_hide_and_show(s, (uint64_t)va);
	EXPECT_EQ(map(fd, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, 0), -EACCES);
	EXPECT_EQ(map(fd, PAGE_SIZE, PROT_READ, MAP_PRIVATE, 0), -EINVAL);
	EXPECT_EQ(map(nomap, PAGE_SIZE, PROT_READ, MAP_SHARED, 0), -EACCES);
	/* Two pages of a one-page range: the second faults as past the end of a file. */
	far = map(fd, 2 * PAGE_SIZE, PROT_READ, MAP_SHARED, 0);
	EXPECT_TRUE(far > 0);
	EXPECT_EQ(uspace_fault(s, (uintptr_t)far + PAGE_SIZE, UFAULT_USER), -EIO);
	EXPECT_EQ(uspace_munmap(s, (uintptr_t)far, 2 * PAGE_SIZE), 0);
	EXPECT_EQ(uspace_munmap(s, (uintptr_t)va, PAGE_SIZE), 0);
	EXPECT_EQ(fd_close(fdtable_current(), fd), 0);
	EXPECT_EQ(fd_close(fdtable_current(), nomap), 0);
	sys_user_end(s);
	ipc_counts_read(&c);
	EXPECT_EQ(c.objects[CAIRN_OBJ_MMIO], c0.objects[CAIRN_OBJ_MMIO]);
	EXPECT_EQ(c.handles, c0.handles);
}
