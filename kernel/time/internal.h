/* SPDX-License-Identifier: MIT */
/* Private to kernel/time: how time_init() wires the clock and the timer together. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Use @hz for the cycle counter from now on, continuing from the current reading. */
void clock_set_hz(uint64_t hz);
/* Whether the architecture's timer interrupt works (else sleeps busy-wait). */
void time_timer_set_ready(bool ready);
