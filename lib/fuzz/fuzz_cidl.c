/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the C binding's decoders (lib/cidl/ and the code
 * generated from idl/test_all.cidl): the input picks a message body (byte
 * 0), a handle array as a channel read would report it (byte 1: how many,
 * then two bytes each: type and rights), and the rest is the message. Every
 * decoder must refuse or accept without reading out of bounds; what one
 * accepts must encode again, decode again to an equal value, and with no
 * handles encode to exactly the input but for the sender's version (the
 * format has one encoding per value). The goldens seed the corpus (make fuzz-run-cidl).
 */
#include <lib/cidl/cidl.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cidl/test_all_golden.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NBODIES (sizeof(cidl_bodies) / sizeof(cidl_bodies[0]))

static uint8_t out[CIDL_MAX_BYTES];
static struct cairn_handle_xfer inhx[8], outhx[CIDL_MAX_HANDLES], again[CIDL_MAX_HANDLES];

/* Decode what was encoded, with each handle's type and rights as first received. */
static void check_again(const struct cidl_body *b, const void *first, uint32_t len, uint32_t nh)
{
	void *second = calloc(1, b->size);
	struct cidl_reader r;

	if (!second)
		abort();
	for (uint32_t i = 0; i < nh; i++)
		again[i] = inhx[outhx[i].handle]; /* fuzz handles are numbered by their index */
	cidl_reader_init(&r, out, len, again, nh);
	if (b->decode(&r, second) || !b->equal(first, second))
		abort();
	free(second);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct cidl_body *b;
	struct cidl_writer w;
	struct cidl_reader r;
	uint32_t nh;
	void *value;

	if (size < 2 || size > 2 + 16 + CIDL_MAX_BYTES)
		return 0;
	b = &cidl_bodies[data[0] % NBODIES];
	nh = data[1] % 8;
	if (size < 2 + 2 * (size_t)nh)
		return 0;
	for (uint32_t i = 0; i < nh; i++) {
		uint8_t t = data[2 + 2 * i], rights = data[3 + 2 * i];

		inhx[i] = (struct cairn_handle_xfer){ .handle = (int32_t)i,
			                              .type = t & 7,
			                              .rights = rights | (uint32_t)(t >> 7) << 8 };
	}
	data += 2 + 2 * nh;
	size -= 2 + 2 * nh;
	value = calloc(1, b->size);
	if (!value)
		abort();
	cidl_reader_init(&r, data, (uint32_t)size, inhx, nh);
	if (!b->decode(&r, value)) {
		cidl_writer_init(&w, out, sizeof(out), outhx, CIDL_MAX_HANDLES);
		if (b->encode(&w, value) || w.nhandles != nh)
			abort();
		/* The sender's protocol version (header bytes 12-13) is any. */
		if (!nh && (w.len != size || memcmp(out, data, 12) ||
		            memcmp(out + 14, data + 14, size - 14)))
			abort();
		check_again(b, value, w.len, nh);
	}
	free(value);
	return 0;
}
