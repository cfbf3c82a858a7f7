/* SPDX-License-Identifier: MIT */
/*
 * Load averages as Linux keeps them: three exponentially decaying means
 * of the number of runnable (and uninterruptibly sleeping) tasks, in
 * fixed point with 11 fraction bits, updated every 5 seconds with the
 * factors exp(-5/60), exp(-5/300) and exp(-5/900) (Linux,
 * include/linux/sched/loadavg.h). Pure.
 */
#pragma once

#include <stdint.h>

#define LOADAVG_FSHIFT  11
#define LOADAVG_FIXED_1 (1ul << LOADAVG_FSHIFT)
#define LOADAVG_FREQ_NS (5ull * 1000 * 1000 * 1000) /* one update every 5 s */
#define LOADAVG_EXP_1   1884ul                      /* 2048 * exp(-5/60) */
#define LOADAVG_EXP_5   2014ul                      /* 2048 * exp(-5/300) */
#define LOADAVG_EXP_15  2037ul                      /* 2048 * exp(-5/900) */

/* The integer part and the two decimals of fixed-point load @x, as /proc/loadavg prints them. */
#define LOADAVG_INT(x)  ((unsigned long)(x) >> LOADAVG_FSHIFT)
#define LOADAVG_FRAC(x) LOADAVG_INT(((unsigned long)(x) & (LOADAVG_FIXED_1 - 1)) * 100)

/* One step of one mean: @load decays by @exp towards @active (both fixed point). */
unsigned long loadavg_step(unsigned long load, unsigned long exp, unsigned long active);

/* One 5-second update of the three means @avg with @nr_active tasks counted now. */
void loadavg_update(unsigned long avg[3], unsigned long nr_active);

/*
 * The means rounded for printing with two decimals (Linux adds
 * FIXED_1/200 before it cuts): what /proc/loadavg shows.
 */
void loadavg_rounded(const unsigned long avg[3], unsigned long out[3]);
