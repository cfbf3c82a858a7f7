// SPDX-License-Identifier: MIT
/*
 * How fast a user-space driver answers its interrupt (issue 15,
 * docs/drvhost.md): the RTC's driver of the tests (drv_prog_rtc in
 * tests/kernel/drv_progs.h: poll on its interrupt handle, ack, read
 * register C through its port handle) serves 20 periodic interrupts under
 * the driver host, and the interrupt object counts the cycles from each
 * interrupt that raised its signal to the driver's ack: the wake-up of
 * poll(2), the return to user mode and the ack's system call. x86 only:
 * the RTC is the PC's.
 */
#include <stdint.h>

#include "arch/x86_64/x86.h"
#include "core/kbench.h"
#include "ipc/devobj.h"
#include "ipc/object.h"
#include "irq/irq.h"
#include "tests/kernel/drv_progs.h"
#include "tests/kernel/proc_image.h"
#include "time/time.h"

#define RTC_ISA_IRQ 8
#define CMOS_INDEX  0x70

static struct proc_image rtc_bench_image;

/*
 * Start the RTC driver, let it reach its poll, then start the interrupts
 * and wait until its first life has served 20 of them (at most 5 s).
 */
static void run_rtc_driver(struct kobject *ports, struct kobject *irq)
{
	struct drvhost_spec spec = { .name = "rtcbench", .path = "rtcbench", .nhandles = 2 };
	struct drvhost_stats st = { 0 };
	struct drvhost *h;
	uint64_t end;

	proc_image_build(&rtc_bench_image, &drv_prog_rtc, false);
	spec.image = rtc_bench_image.b;
	spec.image_size = rtc_bench_image.size;
	spec.handles[0] = (struct drvhost_handle){ ports, CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE };
	spec.handles[1] = (struct drvhost_handle){ irq, CAIRN_RIGHT_WAIT | CAIRN_RIGHT_WRITE };
	if (drvhost_start(&spec, &h) == 0) {
		/* The driver waits in poll before the first interrupt: no start-up in the figure. */
		sleep_ms(20);
		x86_rtc_periodic(true);
		end = clock_monotonic_ns() + 5000 * NSEC_PER_MSEC;
		while (st.starts < 2 && clock_monotonic_ns() < end) {
			sleep_ms(5);
			drvhost_get_stats(h, &st);
		}
		drvhost_stop(h);
	}
	x86_rtc_periodic(false);
	(void)x86_rtc_ack();
}

BENCH(drvhost_irq)
{
	struct kobject *ports = NULL, *irq = NULL;
	struct irq_object_info ii;

	if (ioport_object_create(CMOS_INDEX, 2, &ports))
		return;
	if (irq_object_create(irq_isa_to_gsi(RTC_ISA_IRQ), &irq) == 0) {
		run_rtc_driver(ports, irq);
		irq_object_info(irq, &ii);
		if (ii.acks)
			kbench_report_cycles("drvhost_irq_to_user_ack (mean)",
			                     ii.wait_cycles / ii.acks);
		kobject_put(irq);
	}
	kobject_put(ports);
}
