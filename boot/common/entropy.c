// SPDX-License-Identifier: MIT
/*
 * RDSEED, RDRAND and RDTSC behind struct kaslr_entropy_ops. Each hook makes
 * one attempt; lib/kaslr decides how often to retry and in which order.
 * Compiled into both loaders and into the kernel (the direct-boot path).
 */
#include "boot/common/entropy.h"

#include <stdbool.h>
#include <stdint.h>

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
	                 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
	                 : "a"(leaf), "c"(sub));
}

/* RDRAND: CPUID.01H:ECX[30]; RDSEED: CPUID.(EAX=07H,ECX=0):EBX[18] (Intel SDM Vol. 2B, RDRAND, RDSEED). */
static bool has_rdrand(void)
{
	uint32_t r[4];

	cpuid(1, 0, r);
	return (r[2] & (1u << 30)) != 0;
}

static bool has_rdseed(void)
{
	uint32_t r[4];

	cpuid(0, 0, r);
	if (r[0] < 7)
		return false;
	cpuid(7, 0, r);
	return (r[1] & (1u << 18)) != 0;
}

/* CF=1 means a valid random value was delivered (SDM Vol. 2B, RDRAND and RDSEED). */
static bool rdrand64(void *ctx, uint64_t *out)
{
	uint8_t ok;

	__asm__ volatile("rdrand %0; setc %1" : "=r"(*out), "=qm"(ok) : : "cc");
	return ok != 0;
}

static bool rdseed64(void *ctx, uint64_t *out)
{
	uint8_t ok;

	__asm__ volatile("rdseed %0; setc %1" : "=r"(*out), "=qm"(ok) : : "cc");
	if (!ok)
		__asm__ volatile("pause"); /* let the conditioner refill (DRNG guide 5.3.1) */
	return ok != 0;
}

static uint64_t rdtsc(void *ctx)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

void boot_entropy_cpu_ops(struct kaslr_entropy_ops *ops)
{
	ops->ctx = NULL;
	ops->rdseed = has_rdseed() ? rdseed64 : NULL;
	ops->rdrand = has_rdrand() ? rdrand64 : NULL;
	ops->firmware = NULL;
	ops->cycles = rdtsc;
}
