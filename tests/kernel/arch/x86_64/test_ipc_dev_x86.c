// SPDX-License-Identifier: MIT
/*
 * Device objects on real (emulated) PC hardware (suite ipc_dev), the x86
 * half of tests/kernel/test_ipc_dev.c:
 * - an interrupt object on the RTC's line (ISA IRQ 8): nothing else in the
 *   kernel uses it, and its periodic interrupt (1024 Hz) can be started
 *   and stopped;
 * - an I/O port object over COM1 whose only access is to the 16550's
 *   scratch register (offset 7, PC16550D datasheet, "Scratchpad
 *   Register"), which no device behaviour depends on (the console UART's
 *   probe wrote it once at boot; its value is put back).
 */
#include <cairn/errno.h>
#include <cairn/ipc.h>

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/x86.h"
#include "core/ktest.h"
#include "fs/file.h"
#include "ipc/devobj.h"
#include "ipc/object.h"
#include "irq/irq.h"
#include "syscall/syscall.h"
#include "time/time.h"

#define RTC_ISA_IRQ 8
#define COM1_BASE   0x3f8
#define UART_SCR    7

static long call(long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	const uint64_t args[6] = { a0, a1, a2, a3, 0, 0 };

	return syscall_dispatch(nr, args);
}

static void nop_handler(void *ctx)
{
}

static uint64_t fired(struct kobject *o)
{
	struct irq_object_info i;

	irq_object_info(o, &i);
	return i.fired;
}

static bool signalled(struct kobject *o)
{
	return kobject_signals(o) & CAIRN_SIG_SIGNALED;
}

/* Wait up to @ms for the object to be signalled; interrupts on. */
static bool wait_signal(struct kobject *o, unsigned ms)
{
	uint64_t end = clock_monotonic_ns() + ms * NSEC_PER_MSEC;

	while (!signalled(o) && clock_monotonic_ns() < end)
		sleep_ms(1);
	return signalled(o);
}

/* The RTC's object in the mode asked for, its periodic interrupt running. */
static struct kobject *rtc_object(bool masks)
{
	struct kobject *o = NULL;

	EXPECT_EQ(irq_object_create_mode(irq_isa_to_gsi(RTC_ISA_IRQ), masks, &o), 0);
	irq_enable();
	x86_rtc_periodic(true);
	return o;
}

static void rtc_object_end(struct kobject *o)
{
	x86_rtc_periodic(false);
	kobject_put(o);
	(void)x86_rtc_ack();
}

TEST(ipc_dev, irq_object_owns_its_line)
{
	uint32_t gsi = irq_isa_to_gsi(RTC_ISA_IRQ);
	struct kobject *o = NULL, *o2 = NULL;
	struct irq_object_info i;

	EXPECT_EQ(irq_object_create(gsi, &o), 0);
	irq_object_info(o, &i);
	EXPECT_EQ(i.gsi, gsi);
	EXPECT_EQ(i.masks, irq_gsi_level(gsi));
	EXPECT_TRUE(!i.pending);
	EXPECT_EQ(irq_object_create(gsi, &o2), -EBUSY);
	EXPECT_EQ(irq_register(gsi, nop_handler, NULL), -EBUSY);
	EXPECT_EQ(irq_object_create(IRQ_MAX_GSI, &o2), -EINVAL);
	kobject_put(o);
	/* The line is free again, for a kernel handler or another object. */
	EXPECT_EQ(irq_register(gsi, nop_handler, NULL), 0);
	EXPECT_EQ(irq_object_create(gsi, &o2), -EBUSY);
	EXPECT_EQ(irq_unregister(gsi, nop_handler, NULL), 0);
}

/*
 * An edge line stays unmasked: interrupts that come while the object is
 * signalled are still taken (QEMU's IO APIC takes every raise of the
 * RTC's line as an edge, read of register C or not) and fold into the one
 * signal; after the ack the next one signals again. Five rounds.
 */
TEST(ipc_dev, irq_edge_line_signals_once_per_edge)
{
	struct kobject *o = rtc_object(false);
	uint64_t n;
	int round;

	for (round = 0; round < 5; round++) {
		EXPECT_TRUE(wait_signal(o, 200));
		n = fired(o);
		sleep_ms(10); /* ten periods of the RTC */
		EXPECT_TRUE(fired(o) > n);
		EXPECT_TRUE(signalled(o));
		(void)x86_rtc_ack();
		EXPECT_EQ(irq_object_ack(o), 0);
	}
	x86_rtc_periodic(false);
	sleep_ms(2);
	EXPECT_EQ(irq_object_ack(o), 0);
	EXPECT_TRUE(!signalled(o));
	EXPECT_EQ(irq_object_ack(o), 0); /* acking when not signalled: nothing to do */
	EXPECT_TRUE(!signalled(o));
	rtc_object_end(o);
}

/*
 * A masking object (what a level line gets) keeps the line masked from
 * the interrupt until the ack: the RTC raising its line again meanwhile
 * is not taken, and after the ack the next edge is.
 */
TEST(ipc_dev, irq_masking_object_masks_until_ack)
{
	struct kobject *o = rtc_object(true);
	uint64_t n;

	EXPECT_TRUE(wait_signal(o, 200));
	n = fired(o);
	(void)x86_rtc_ack(); /* the RTC may raise the line again at its next period... */
	sleep_ms(10);
	EXPECT_EQ(fired(o), n); /* ...but the line is masked */
	EXPECT_EQ(irq_object_ack(o), 0);
	EXPECT_TRUE(!signalled(o) || fired(o) > n); /* a PIC hands over a latched edge at once */
	(void)x86_rtc_ack();
	EXPECT_TRUE(wait_signal(o, 200));
	EXPECT_TRUE(fired(o) > n);
	rtc_object_end(o);
}

static bool irq_cond(void *ctx)
{
	return signalled(ctx);
}

TEST(ipc_dev, irq_wakes_waiters_and_ack_needs_write)
{
	struct kobject *o = rtc_object(false);
	int w = handle_install(o, CAIRN_RIGHT_WRITE, 0);
	int nw = handle_install(o, CAIRN_RIGHT_WAIT | CAIRN_RIGHT_DUPLICATE, 0);
	uint64_t deadline = clock_monotonic_ns() + 500 * NSEC_PER_MSEC;

	EXPECT_TRUE(w >= 0 && nw >= 0);
	EXPECT_EQ(waitq_wait(&o->wq, irq_cond, o, 0, deadline), 0);
	EXPECT_TRUE(signalled(o));
	EXPECT_EQ(call(CAIRN_SYS_IRQ_ACK, nw, 0, 0, 0), -EACCES);
	EXPECT_TRUE(signalled(o));
	EXPECT_EQ(call(CAIRN_SYS_IRQ_ACK, w, 0, 0, 0), 0);
	EXPECT_TRUE(!signalled(o));
	EXPECT_EQ(call(CAIRN_SYS_IRQ_ACK, w, 0, 0, 0), 0);
	EXPECT_EQ(call(CAIRN_SYS_IOPORT_READ, w, 0, 1, 0), -EBADFD);
	EXPECT_EQ(fd_close(fdtable_current(), w), 0);
	EXPECT_EQ(fd_close(fdtable_current(), nw), 0);
	rtc_object_end(o);
}

TEST(ipc_dev, ioport_reaches_the_uart_scratch_register)
{
	struct kobject *o = NULL;
	int fd, ro;
	long old;

	EXPECT_EQ(ioport_object_create(COM1_BASE, 8, &o), 0);
	fd = handle_install(o, CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE, 0);
	ro = handle_install(o, CAIRN_RIGHT_READ, 0);
	EXPECT_TRUE(fd >= 0 && ro >= 0);
	old = call(CAIRN_SYS_IOPORT_READ, fd, UART_SCR, 1, 0);
	EXPECT_TRUE(old >= 0 && old <= 0xff);
	EXPECT_EQ(call(CAIRN_SYS_IOPORT_WRITE, fd, UART_SCR, 1, 0xa5), 0);
	EXPECT_EQ(call(CAIRN_SYS_IOPORT_READ, ro, UART_SCR, 1, 0), 0xa5);
	EXPECT_EQ(call(CAIRN_SYS_IOPORT_WRITE, ro, UART_SCR, 1, 0x5a), -EACCES);
	EXPECT_EQ(call(CAIRN_SYS_IOPORT_READ, ro, UART_SCR, 1, 0), 0xa5);
	EXPECT_EQ(call(CAIRN_SYS_IOPORT_WRITE, fd, UART_SCR, 1, 0x15a), -EINVAL);
	EXPECT_EQ(call(CAIRN_SYS_IOPORT_WRITE, fd, UART_SCR, 1, (uint64_t)old), 0);
	EXPECT_EQ(call(CAIRN_SYS_IOPORT_READ, ro, UART_SCR, 1, 0), old);
	EXPECT_EQ(fd_close(fdtable_current(), fd), 0);
	EXPECT_EQ(fd_close(fdtable_current(), ro), 0);
	kobject_put(o);
}
