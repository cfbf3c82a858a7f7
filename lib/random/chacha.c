/* SPDX-License-Identifier: MIT */
/*
 * ChaCha20's block function (RFC 8439, 2.1-2.3) and the key-erasing
 * generator of chacha.h.
 */
#include "lib/random/chacha.h"

#include "lib/string.h"

/* "expand 32-byte k", RFC 8439, 2.3. */
static const uint32_t chacha_const[4] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };

static inline uint32_t rotl32(uint32_t v, int n)
{
	return (v << n) | (v >> (32 - n));
}

/* The quarter round of RFC 8439, 2.1, on words a, b, c, d of @x. */
static void quarter_round(uint32_t x[16], int a, int b, int c, int d)
{
	x[a] += x[b];
	x[d] = rotl32(x[d] ^ x[a], 16);
	x[c] += x[d];
	x[b] = rotl32(x[b] ^ x[c], 12);
	x[a] += x[b];
	x[d] = rotl32(x[d] ^ x[a], 8);
	x[c] += x[d];
	x[b] = rotl32(x[b] ^ x[c], 7);
}

void chacha20_block(const uint32_t key[8], uint32_t counter, const uint32_t nonce[3],
                    uint8_t out[CHACHA_BLOCK_SIZE])
{
	uint32_t in[16], x[16];

	memcpy(in, chacha_const, sizeof(chacha_const));
	memcpy(&in[4], key, 8 * sizeof(uint32_t));
	in[12] = counter;
	memcpy(&in[13], nonce, 3 * sizeof(uint32_t));
	memcpy(x, in, sizeof(x));
	/* Ten double rounds: a column round, then a diagonal round. */
	for (int i = 0; i < 10; i++) {
		quarter_round(x, 0, 4, 8, 12);
		quarter_round(x, 1, 5, 9, 13);
		quarter_round(x, 2, 6, 10, 14);
		quarter_round(x, 3, 7, 11, 15);
		quarter_round(x, 0, 5, 10, 15);
		quarter_round(x, 1, 6, 11, 12);
		quarter_round(x, 2, 7, 8, 13);
		quarter_round(x, 3, 4, 9, 14);
	}
	/* Serialize little-endian, byte by byte, so the result needs no particular host order. */
	for (int i = 0; i < 16; i++) {
		uint32_t v = x[i] + in[i];

		out[4 * i] = (uint8_t)v;
		out[4 * i + 1] = (uint8_t)(v >> 8);
		out[4 * i + 2] = (uint8_t)(v >> 16);
		out[4 * i + 3] = (uint8_t)(v >> 24);
	}
}

void chacha_rng_init(struct chacha_rng *r, const void *seed, size_t n)
{
	memset(r, 0, sizeof(*r));
	chacha_rng_mix(r, seed, n);
}

/*
 * Mixing XORs the data into the key 32 bytes at a time and stirs after each
 * piece with a block of output, so every input byte affects the whole key.
 */
void chacha_rng_mix(struct chacha_rng *r, const void *data, size_t n)
{
	const uint8_t *p = data;
	uint8_t block[CHACHA_BLOCK_SIZE];

	do {
		size_t take = n < CHACHA_KEY_SIZE ? n : CHACHA_KEY_SIZE;
		uint8_t *k = (uint8_t *)r->key;

		for (size_t i = 0; i < take; i++)
			k[i] ^= p[i];
		p += take;
		n -= take;
		chacha_rng_fill(r, block, sizeof(block));
	} while (n > 0);
	memset(block, 0, sizeof(block));
}

void chacha_rng_fill(struct chacha_rng *r, void *buf, size_t n)
{
	uint8_t block[CHACHA_BLOCK_SIZE];
	uint8_t *out = buf;
	uint32_t nonce[3] = { (uint32_t)r->requests, (uint32_t)(r->requests >> 32), 0 };
	uint32_t counter = 1;

	r->requests++;
	/* Block 0 becomes the next key; output starts at block 1 (fast key erasure). */
	chacha20_block(r->key, 0, nonce, block);
	while (n > 0) {
		uint8_t more[CHACHA_BLOCK_SIZE];
		size_t take = n < sizeof(more) ? n : sizeof(more);

		/* The counter wraps only after 256 GiB in one request: move to the next nonce word. */
		if (counter == 0)
			nonce[2]++;
		chacha20_block(r->key, counter++, nonce, more);
		memcpy(out, more, take);
		memset(more, 0, sizeof(more));
		out += take;
		n -= take;
	}
	memcpy(r->key, block, CHACHA_KEY_SIZE);
	memset(block, 0, sizeof(block));
}
