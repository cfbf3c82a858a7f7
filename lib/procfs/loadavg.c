// SPDX-License-Identifier: MIT
/*
 * The load-average arithmetic (loadavg.h): the same fixed-point steps as
 * Linux, so the same history gives the same three numbers.
 */
#include "lib/procfs/loadavg.h"

unsigned long loadavg_step(unsigned long load, unsigned long exp, unsigned long active)
{
	unsigned long next = load * exp + active * (LOADAVG_FIXED_1 - exp);

	/* Round up while rising, so a steady load of n converges to n and not just below it. */
	if (active >= load)
		next += LOADAVG_FIXED_1 - 1;
	return next / LOADAVG_FIXED_1;
}

void loadavg_update(unsigned long avg[3], unsigned long nr_active)
{
	unsigned long active = nr_active * LOADAVG_FIXED_1;

	avg[0] = loadavg_step(avg[0], LOADAVG_EXP_1, active);
	avg[1] = loadavg_step(avg[1], LOADAVG_EXP_5, active);
	avg[2] = loadavg_step(avg[2], LOADAVG_EXP_15, active);
}

void loadavg_rounded(const unsigned long avg[3], unsigned long out[3])
{
	for (int i = 0; i < 3; i++)
		out[i] = avg[i] + LOADAVG_FIXED_1 / 200;
}
