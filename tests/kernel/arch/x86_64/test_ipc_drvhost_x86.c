// SPDX-License-Identifier: MIT
/*
 * A user-space driver serving a real device's interrupts (suite
 * ipc_drvhost): the RTC's periodic interrupt (ISA IRQ 8) and its index
 * and data ports 0x70-0x71 given to drv_prog_rtc (drv_progs.h) by the
 * driver host. The driver waits in poll(2) on its interrupt handle, acks,
 * and reads register C through its port handle (MC146818A datasheet:
 * reading C clears its flags and the interrupt request), twenty times;
 * its exit status says which step, if any, failed. The kernel touches
 * the CMOS ports only at boot and in the RTC tests, none of which run
 * meanwhile.
 */
#include <cairn/errno.h>
#include <cairn/ipc.h>
#include <cairn/linux/wait.h>

#include "arch/x86_64/x86.h"
#include "core/ktest.h"
#include "ipc/devobj.h"
#include "ipc/object.h"
#include "irq/irq.h"
#include "tests/kernel/drv_progs.h"
#include "tests/kernel/proc_image.h"
#include "time/time.h"

#define RTC_ISA_IRQ 8
#define CMOS_INDEX  0x70

static struct proc_image rtc_image; /* read again by every life */

TEST(ipc_drvhost, user_driver_serves_the_rtc_interrupt)
{
	struct drvhost_spec spec = { .name = "rtcdrv", .path = "rtcdrv", .nhandles = 2 };
	struct kobject *ports = NULL, *irq = NULL;
	struct irq_object_info ii;
	struct drvhost_stats st;
	struct drvhost *h;
	uint64_t end;

	EXPECT_EQ(ioport_object_create(CMOS_INDEX, 2, &ports), 0);
	EXPECT_EQ(irq_object_create(irq_isa_to_gsi(RTC_ISA_IRQ), &irq), 0);
	proc_image_build(&rtc_image, &drv_prog_rtc, false);
	spec.image = rtc_image.b;
	spec.image_size = rtc_image.size;
	spec.handles[0] = (struct drvhost_handle){ ports, CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE };
	spec.handles[1] = (struct drvhost_handle){ irq, CAIRN_RIGHT_WAIT | CAIRN_RIGHT_WRITE };
	x86_rtc_periodic(true);
	EXPECT_EQ(drvhost_start(&spec, &h), 0);
	end = clock_monotonic_ns() + 5000 * NSEC_PER_MSEC;
	do {
		sleep_ms(5);
		drvhost_get_stats(h, &st);
	} while (st.starts < 2 && clock_monotonic_ns() < end);
	drvhost_stop(h);
	x86_rtc_periodic(false);
	(void)x86_rtc_ack();
	EXPECT_TRUE(st.starts >= 2);
	EXPECT_EQ(st.last_status, W_EXITCODE(0, 0));
	irq_object_info(irq, &ii);
	EXPECT_TRUE(ii.fired >= 20);
	kobject_put(ports);
	kobject_put(irq);
}
