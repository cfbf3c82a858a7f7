// SPDX-License-Identifier: MIT
/*
 * How far the boot-time TSC calibration against the HPET is from a long
 * 200 ms measurement against the HPET: x86's part of the interrupt and
 * time figures. The name keeps it under `kbench=irq` beside
 * kernel/bench/irq_bench.c (docs/time.md).
 */
#include <stdint.h>

#include "arch/x86_64/x86.h"
#include "core/kbench.h"

static uint64_t ppm_off(uint64_t measured, uint64_t reference)
{
	uint64_t d = measured > reference ? measured - reference : reference - measured;

	return d * 1000000 / reference;
}

BENCH(irq_tsc_calibration)
{
	uint64_t ref, lapic;

	if (!x86_hpet_present()) {
		kbench_report("tsc_calibration_skipped_no_hpet", 0, "-");
		return;
	}
	if (x86_time_measure(200, false, &ref, &lapic))
		return;
	kbench_report("tsc_hz_200ms_hpet", ref, "Hz");
	kbench_report("tsc_cal_error_boot_hpet", ppm_off(x86_tsc_hz(), ref), "ppm");
}
