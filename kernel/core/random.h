/* SPDX-License-Identifier: MIT */
/*
 * The kernel's random numbers: a ChaCha20 generator (lib/random/chacha.h)
 * seeded from the CPU's random-number instructions when it has them, else
 * from the jitter of the cycle counter, and stirred with the cycle counter
 * on every request. For AT_RANDOM, getrandom(2), address-space
 * randomisation and anything else that must not be guessed.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Fill @buf with @n random bytes. Seeds the generator on first use. Takes
 * a spinlock with interrupts off; any context but NMI. Never fails.
 */
void random_bytes(void *buf, size_t n);

/* One random 64-bit value (random_bytes() of 8 bytes). */
uint64_t random_u64(void);

/* Where the seed came from: "rdseed", "rdrand" or "jitter" ("none" before first use). */
const char *random_source(void);

/* ---- implemented by the architecture ---- */

/*
 * One 64-bit value from the CPU's hardware generator: sets *@out and returns
 * true, or false when the CPU has none or it gave nothing after a few tries.
 * @seed_grade asks for the conditioned entropy source (x86: RDSEED) rather
 * than its deterministic generator (RDRAND). Any context.
 */
bool arch_random_u64(uint64_t *out, bool seed_grade);
