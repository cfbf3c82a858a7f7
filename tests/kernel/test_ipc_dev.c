// SPDX-License-Identifier: MIT
/*
 * Device objects without a device (suite ipc_dev): the argument checks of
 * I/O port and MMIO objects, the rights each call needs and the errors of
 * a handle of the wrong type, through the system calls by number as a
 * driver's call would arrive, on handles in the kernel task's own table.
 * Nothing here touches a port: every refusal comes before the access. The
 * accesses themselves and the interrupt objects need hardware:
 * tests/kernel/arch/x86_64/test_ipc_dev_x86.c.
 */
#include <cairn/errno.h>
#include <cairn/ipc.h>
#include <cairn/linux/fcntl.h>

#include <arch/page.h>

#include "core/ktest.h"
#include "fs/file.h"
#include "ipc/devobj.h"
#include "ipc/object.h"
#include "mm/pmm.h"
#include "syscall/syscall.h"
#include "tty/tty.h"

static long call(long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	const uint64_t args[6] = { a0, a1, a2, a3, 0, 0 };

	return syscall_dispatch(nr, args);
}

static void close_fd(int fd)
{
	EXPECT_EQ(fd_close(fdtable_current(), fd), 0);
}

/* A port object, or a skip where the architecture has no port space. */
static struct kobject *ports(uint32_t base, uint32_t count)
{
	struct kobject *o = NULL;
	int err = ioport_object_create(base, count, &o);

	if (err == -ENODEV)
		ktest_skip("no port space on this architecture");
	EXPECT_EQ(err, 0);
	return o;
}

TEST(ipc_dev, ioport_create_checks_its_range)
{
	struct kobject *o = NULL;
	struct cairn_objcount c;
	uint64_t before;

	ipc_counts_read(&c);
	before = c.objects[CAIRN_OBJ_IOPORT];
	EXPECT_EQ(ioport_object_create(0x60, 0, &o), -EINVAL);
	EXPECT_EQ(ioport_object_create(0x10000, 1, &o), -EINVAL);
	EXPECT_EQ(ioport_object_create(0xffff, 2, &o), -EINVAL);
	EXPECT_EQ(ioport_object_create(1, 0xffffffffu, &o), -EINVAL);
	o = ports(0xfff0, 16); /* the very end of the space is fine */
	ipc_counts_read(&c);
	EXPECT_EQ(c.objects[CAIRN_OBJ_IOPORT], before + 1);
	kobject_put(o);
	ipc_counts_read(&c);
	EXPECT_EQ(c.objects[CAIRN_OBJ_IOPORT], before);
}

TEST(ipc_dev, ioport_offsets_widths_and_values_are_checked)
{
	struct kobject *o = ports(0x3f8, 8);
	uint32_t v;

	EXPECT_EQ(ioport_object_read(o, 8, 1, &v), -EINVAL);            /* past the end */
	EXPECT_EQ(ioport_object_read(o, 6, 4, &v), -EINVAL);            /* runs past it */
	EXPECT_EQ(ioport_object_read(o, 1ull << 32, 1, &v), -EINVAL);   /* no truncation */
	EXPECT_EQ(ioport_object_read(o, (uint64_t)-1, 1, &v), -EINVAL); /* no wrap */
	EXPECT_EQ(ioport_object_read(o, 0, 3, &v), -EINVAL);            /* no such width */
	EXPECT_EQ(ioport_object_read(o, 0, 0, &v), -EINVAL);
	EXPECT_EQ(ioport_object_read(o, 0, 8, &v), -EINVAL);
	EXPECT_EQ(ioport_object_read(o, 1, 2, &v), -EINVAL); /* misaligned */
	EXPECT_EQ(ioport_object_read(o, 2, 4, &v), -EINVAL);
	EXPECT_EQ(ioport_object_write(o, 7, 1, 0x100), -EINVAL); /* wider than the access */
	EXPECT_EQ(ioport_object_write(o, 6, 2, 0x10000), -EINVAL);
	EXPECT_EQ(ioport_object_write(o, 4, 4, 1ull << 32), -EINVAL);
	EXPECT_EQ(ioport_object_write(o, 9, 1, 0), -EINVAL);
	kobject_put(o);
}

TEST(ipc_dev, ioport_calls_need_their_rights)
{
	struct kobject *o = ports(0x3f8, 8);
	int ro = handle_install(o, CAIRN_RIGHT_READ, 0);
	int wo = handle_install(o, CAIRN_RIGHT_WRITE, 0);
	int none = handle_install(o, CAIRN_RIGHT_INSPECT, 0);
	struct file *con = tty_open_file(console_tty(), O_RDWR);
	int tty = IS_ERR_PTR(con) ? -1 : fd_install(fdtable_current(), con, 0, false);

	EXPECT_TRUE(ro >= 0 && wo >= 0 && none >= 0 && tty >= 0);
	/* Offset 8 is out of range: a call that passes the rights check says -EINVAL. */
	EXPECT_EQ(call(CAIRN_SYS_IOPORT_READ, ro, 8, 1, 0), -EINVAL);
	EXPECT_EQ(call(CAIRN_SYS_IOPORT_WRITE, ro, 8, 1, 0), -EACCES);
	EXPECT_EQ(call(CAIRN_SYS_IOPORT_READ, wo, 8, 1, 0), -EACCES);
	EXPECT_EQ(call(CAIRN_SYS_IOPORT_WRITE, wo, 8, 1, 0), -EINVAL);
	EXPECT_EQ(call(CAIRN_SYS_IOPORT_READ, none, 0, 1, 0), -EACCES);
	EXPECT_EQ(call(CAIRN_SYS_IOPORT_WRITE, none, 0, 1, 0), -EACCES);
	EXPECT_EQ(call(CAIRN_SYS_IOPORT_READ, 1000, 0, 1, 0), -EBADF);
	EXPECT_EQ(call(CAIRN_SYS_IOPORT_READ, (uint64_t)-1, 0, 1, 0), -EBADF);
	EXPECT_EQ(call(CAIRN_SYS_IOPORT_READ, tty, 0, 1, 0), -EBADFD); /* not a handle */
	/* The wrong type of handle: an ioport handle to the irq call, and back. */
	EXPECT_EQ(call(CAIRN_SYS_IRQ_ACK, wo, 0, 0, 0), -EBADFD);
	close_fd(ro);
	close_fd(wo);
	close_fd(none);
	close_fd(tty);
	kobject_put(o);
}

TEST(ipc_dev, ioport_handles_are_counted_and_released)
{
	struct cairn_objcount before, mid, after;
	struct kobject *o;
	int fd;

	ipc_counts_read(&before);
	o = ports(0x3f8, 8);
	fd = handle_install(o, CAIRN_RIGHT_READ | CAIRN_RIGHT_DUPLICATE, 0);
	EXPECT_TRUE(fd >= 0);
	kobject_put(o); /* the handle keeps it */
	ipc_counts_read(&mid);
	EXPECT_EQ(mid.objects[CAIRN_OBJ_IOPORT], before.objects[CAIRN_OBJ_IOPORT] + 1);
	EXPECT_EQ(mid.handles, before.handles + 1);
	close_fd(fd);
	ipc_counts_read(&after);
	EXPECT_EQ(after.objects[CAIRN_OBJ_IOPORT], before.objects[CAIRN_OBJ_IOPORT]);
	EXPECT_EQ(after.handles, before.handles);
}

TEST(ipc_dev, mmio_create_refuses_ram_and_bad_ranges)
{
	uint64_t ram = pmm_alloc_pages(0, 0);
	struct kobject *o = NULL;

	EXPECT_TRUE(ram != 0);
	EXPECT_EQ(mmio_object_create(ram, PAGE_SIZE, &o),
	          -EINVAL); /* memory the kernel hands out */
	pmm_free_pages(ram, 0);
	EXPECT_EQ(mmio_object_create(0xfeb00000, 0, &o), -EINVAL);
	EXPECT_EQ(mmio_object_create(0xfeb00010, PAGE_SIZE, &o), -EINVAL);
	EXPECT_EQ(mmio_object_create(0xfeb00000, 100, &o), -EINVAL);
	EXPECT_EQ(mmio_object_create(1ull << 52, PAGE_SIZE, &o), -EINVAL);
	EXPECT_EQ(mmio_object_create(0xfffffffffffff000ull, 2 * PAGE_SIZE, &o), -EINVAL);
	/* Above every RAM page and within the address bits: an object, never touched here. */
	EXPECT_EQ(mmio_object_create(0x4000000000ull, 4 * PAGE_SIZE, &o), 0);
	EXPECT_TRUE(kobject_is_mmio(o) && !kobject_is_irq(o) && !kobject_is_ioport(o));
	kobject_put(o);
}
