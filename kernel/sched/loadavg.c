// SPDX-License-Identifier: MIT
/*
 * Load averages: every 5 s a timer event on the boot CPU counts the tasks
 * running or waiting for a CPU and folds the count into Linux's three
 * decaying means (lib/procfs/loadavg.c). Readers (/proc/loadavg, sysinfo)
 * load the words one at a time, as Linux does: a reader racing an update
 * may mix old and new means, which is harmless for a 5-second statistic.
 */
#include <lib/procfs/loadavg.h>

#include "core/log.h"
#include "sched/sched.h"
#include "time/time.h"

static unsigned long avenrun[3];     /* [a] fixed point; written only by the event */
static struct timer_event sample_ev; /* [I] re-armed by itself, in IRQ context */
static uint64_t next_sample;         /* [C] written only by the event (and once at start) */

static void sample(struct timer_event *ev, void *ctx)
{
	unsigned long avg[3];
	int i;

	for (i = 0; i < 3; i++)
		avg[i] = __atomic_load_n(&avenrun[i], __ATOMIC_RELAXED);
	loadavg_update(avg, sched_nr_running());
	for (i = 0; i < 3; i++)
		__atomic_store_n(&avenrun[i], avg[i], __ATOMIC_RELAXED);
	next_sample += LOADAVG_FREQ_NS;
	if (timer_event_arm(ev, next_sample))
		pr_err("sched: the load-average event could not be re-armed");
}

void sched_loadavg_start(void)
{
	timer_event_init(&sample_ev, sample, NULL);
	next_sample = clock_monotonic_ns() + LOADAVG_FREQ_NS;
	if (timer_event_arm(&sample_ev, next_sample))
		pr_err("sched: the load-average event could not be armed");
}

void sched_loadavg(unsigned long avg[3])
{
	for (int i = 0; i < 3; i++)
		avg[i] = __atomic_load_n(&avenrun[i], __ATOMIC_RELAXED);
}
