/* SPDX-License-Identifier: MIT */
/*
 * The CPU's random-number instructions for kernel/core/random.c: RDSEED
 * (the conditioned entropy source) and RDRAND (its deterministic generator),
 * each used only when CPUID lists it. Intel SDM Vol. 1, 7.3.17; CPUID.01H:ECX
 * bit 30 is RDRAND and CPUID.(EAX=07H,ECX=0):EBX bit 18 is RDSEED (Vol. 2A,
 * CPUID). Either may report "no value yet" with CF clear, so a few retries.
 */
#include <arch/cpu.h>

#include "core/random.h"

#define RNG_TRIES 10 /* retries on CF=0; Intel's DRNG guide suggests ten for RDRAND */

static int rng_has_rdrand = -1; /* -1: not asked yet; set once, idempotently */
static int rng_has_rdseed = -1;

static void rng_probe(void)
{
	uint32_t r[4];

	x86_cpuid(0, 0, r);
	if (r[0] >= 7) {
		uint32_t s[4];

		x86_cpuid(7, 0, s);
		rng_has_rdseed = (s[1] >> 18) & 1;
	} else {
		rng_has_rdseed = 0;
	}
	x86_cpuid(1, 0, r);
	rng_has_rdrand = (r[2] >> 30) & 1;
}

static bool rng_rdseed(uint64_t *out)
{
	uint8_t ok;

	__asm__ volatile("rdseed %0; setc %1" : "=r"(*out), "=qm"(ok) : : "cc");
	return ok;
}

static bool rng_rdrand(uint64_t *out)
{
	uint8_t ok;

	__asm__ volatile("rdrand %0; setc %1" : "=r"(*out), "=qm"(ok) : : "cc");
	return ok;
}

bool arch_random_u64(uint64_t *out, bool seed_grade)
{
	if (rng_has_rdrand < 0)
		rng_probe();
	if (seed_grade ? !rng_has_rdseed : !rng_has_rdrand)
		return false;
	for (int i = 0; i < RNG_TRIES; i++) {
		if (seed_grade ? rng_rdseed(out) : rng_rdrand(out))
			return true;
	}
	return false;
}
