/* SPDX-License-Identifier: MIT */
/*
 * What the host tests of lib/buddy share (tests/host/buddy_helpers.c): a
 * simulated machine, an array of per-frame records, each a struct
 * buddy_node between two canaries the allocator must never write, and a
 * shadow map of the frames a test holds. take() and give() move frames
 * between the allocator and the test and catch overlap; sim_check() runs
 * buddy_check() and checks every canary.
 */
#pragma once

#include <lib/buddy/buddy.h>

#include <stdbool.h>
#include <stdint.h>

#define SIM_CANARY_BEFORE 0x5a5a5a5a5a5a5a5aull
#define SIM_CANARY_AFTER  0xa5a5a5a5u

/* One frame's record, laid out like a kernel record with other fields around the node. */
struct sim_record {
	uint64_t before; /* canary */
	struct buddy_node node;
	uint32_t after; /* canary */
};

/* A simulated machine: frames base .. base + npages - 1 and their shadow state. */
struct sim {
	struct buddy b;
	uint64_t base, npages;
	struct sim_record *rec; /* npages records */
	uint8_t *owned;         /* shadow: 1 when the test holds the frame */
};

/* Something a test holds: a block of 2^order frames or an exact run of count frames. */
struct held {
	uint64_t pfn, count; /* count is 2^order for blocks, anything for exact */
	unsigned order;
	bool exact;
};

/* A machine of @npages frames from @base, none of them handed to the allocator yet. */
struct sim *sim_new(uint64_t base, uint64_t npages);
void sim_free(struct sim *s);

/* The node of frame @pfn, for tests that damage or inspect it on purpose. */
struct buddy_node *sim_node(struct sim *s, uint64_t pfn);

/* The allocator's invariants hold and it wrote nothing outside its nodes. */
void sim_check(const struct sim *s);

/* Take @n frames at @pfn from the allocator's hands into ours, checking overlap. */
void take(struct sim *s, uint64_t pfn, uint64_t n);

/* Give @n frames at @pfn back (before calling the free function). */
void give(struct sim *s, uint64_t pfn, uint64_t n);

/* Allocate a block of @order and take it, checking its alignment; BUDDY_NONE when none. */
uint64_t alloc_block(struct sim *s, unsigned order);

/* Give back and free the block of @order at @pfn, which must succeed. */
void free_block(struct sim *s, uint64_t pfn, unsigned order);

/* The two sets of counters are equal, order by order. */
void assert_same_stats(const struct buddy_stats *a, const struct buddy_stats *b);

/* The allocator's counters now. */
struct buddy_stats stats(const struct sim *s);

/* xorshift64*: a fixed-seed generator, so every run sees the same sequence. */
uint64_t rnd(uint64_t *state);

/* Give back and free @h, which must succeed. */
void give_held(struct sim *s, const struct held *h);

/* One random step: allocate (a block or an exact run) or free something held. */
void random_step(struct sim *s, uint64_t *rng, struct held *h, unsigned *n, unsigned max);
