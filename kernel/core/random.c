/* SPDX-License-Identifier: MIT */
/*
 * random_bytes(): the kernel's one generator (random.h). The seed is 32
 * bytes from the hardware source when the CPU has one, else a fold of the
 * cycle counter's timing jitter over a few thousand short loops; each
 * request also mixes in the counter, so two boots with the same seed
 * (a deterministic emulator) still part after the first request whose
 * timing differs.
 */
#include "core/random.h"

#include <lib/random/chacha.h>

#include "arch/arch.h"
#include "core/log.h"
#include "sched/spinlock.h"

/* Locks: [R] random_lock. */
static struct spinlock random_lock = SPINLOCK_INIT("random");
static struct chacha_rng random_rng __guarded_by(&random_lock);
static bool random_seeded __guarded_by(&random_lock);
static const char *random_from = "none"; /* [R] written once when seeded */

#define JITTER_SAMPLES 4096

/*
 * Timing jitter: the low bits of cycle-counter differences over a loop
 * whose duration depends on caches, interrupts and the emulator. Weak
 * entropy per sample, so many samples are folded in.
 */
static void random_jitter_seed(uint64_t seed[4])
{
	uint64_t prev = arch_cycles();

	for (int i = 0; i < JITTER_SAMPLES; i++) {
		volatile uint64_t sink = 0;
		uint64_t now;

		for (int j = 0; j < (int)(prev & 7) + 1; j++)
			sink += (uint64_t)j * prev;
		now = arch_cycles();
		seed[i & 3] = (seed[i & 3] << 7 | seed[i & 3] >> 57) ^ (now - prev) ^ sink;
		prev = now;
	}
}

static void random_seed_locked(void) __must_hold(&random_lock)
{
	uint64_t seed[5] = { 0 };
	bool hw = true;

	random_from = "rdseed";
	for (int i = 0; i < 4 && hw; i++)
		hw = arch_random_u64(&seed[i], true);
	if (!hw) {
		random_from = "rdrand";
		hw = true;
		for (int i = 0; i < 4 && hw; i++)
			hw = arch_random_u64(&seed[i], false);
	}
	if (!hw) {
		random_from = "jitter";
		random_jitter_seed(seed);
	}
	seed[4] = arch_cycles();
	chacha_rng_init(&random_rng, seed, sizeof(seed));
	random_seeded = true;
}

void random_bytes(void *buf, size_t n)
{
	uint64_t flags = spin_lock_irqsave(&random_lock);
	uint64_t stir = arch_cycles();

	if (!random_seeded)
		random_seed_locked();
	chacha_rng_mix(&random_rng, &stir, sizeof(stir));
	chacha_rng_fill(&random_rng, buf, n);
	spin_unlock_irqrestore(&random_lock, flags);
}

uint64_t random_u64(void)
{
	uint64_t v;

	random_bytes(&v, sizeof(v));
	return v;
}

const char *random_source(void)
{
	return random_from;
}
