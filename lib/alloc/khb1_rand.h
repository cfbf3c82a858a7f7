/* SPDX-License-Identifier: MIT */
/*
 * The random streams of the KHB-1 heap benchmark (docs/performance.md): SplitMix64 and
 * the D1 and D2 size/alignment samplers, bit-exact to the spec so that every
 * implementation replays the same operations. Shared by tools/bench/khb1.c and the host
 * tests, which check the spec's test vector.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* The two size/alignment distributions and the three workloads, as seeds name them. */
enum khb1_dist { KHB1_D1 = 1, KHB1_D2 = 2 };

/* One SplitMix64 generator. */
struct khb1_rng {
	uint64_t state; /* advanced by the golden-ratio increment on each draw */
};

/* The seed of workload @w (1-3), distribution @d and parameter @param. */
static inline uint64_t khb1_seed(unsigned int w, enum khb1_dist d, unsigned int param)
{
	return (uint64_t)w * 0x10000 + (uint64_t)d * 0x1000 + param;
}

/* The next 64 random bits. */
static inline uint64_t khb1_next(struct khb1_rng *r)
{
	uint64_t z;

	r->state += 0x9E3779B97F4A7C15ull;
	z = r->state;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* A number in [@lo, @hi), by modulo as the spec defines it. */
static inline uint64_t khb1_range(struct khb1_rng *r, uint64_t lo, uint64_t hi)
{
	return lo + khb1_next(r) % (hi - lo);
}

/* Draw one request of distribution @d: the alignment exponent first, then the size. */
static inline void khb1_sample(struct khb1_rng *r, enum khb1_dist d, size_t *size, size_t *align)
{
	if (d == KHB1_D1) {
		*align = (size_t)1 << khb1_range(r, 0, 8);
		*size = (size_t)khb1_range(r, 64, 16384);
	} else {
		*align = (size_t)1 << khb1_range(r, 3, 5);
		*size = (size_t)khb1_range(r, 16, 1024);
	}
}
