/* SPDX-License-Identifier: MIT */
/*
 * ChaCha20 (RFC 8439) as pure mechanism: the block function and a small
 * generator built on it that erases its key after every request ("fast key
 * erasure"), so output already handed out cannot be recomputed from a
 * later copy of the state. The kernel's random_bytes() (kernel/core/random.c)
 * seeds it and does the locking; nothing here allocates or sleeps.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define CHACHA_KEY_SIZE   32
#define CHACHA_BLOCK_SIZE 64

/*
 * One ChaCha20 block: the 20-round function of RFC 8439, 2.3, over @key,
 * the 32-bit block @counter and the 96-bit @nonce (3 words), into @out.
 */
void chacha20_block(const uint32_t key[8], uint32_t counter, const uint32_t nonce[3],
                    uint8_t out[CHACHA_BLOCK_SIZE]);

/* The generator: a key and a request counter used as the nonce. */
struct chacha_rng {
	uint32_t key[8];
	uint64_t requests;
};

/* Start from the @n bytes of @seed (any length; folded into the key). */
void chacha_rng_init(struct chacha_rng *r, const void *seed, size_t n);
/* Fold @n more bytes of entropy into the key; never weakens it. */
void chacha_rng_mix(struct chacha_rng *r, const void *data, size_t n);
/* Fill @buf with @n bytes, then replace the key with fresh output. */
void chacha_rng_fill(struct chacha_rng *r, void *buf, size_t n);
