/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for lib/nvme/identify.c: any input, padded or cut to
 * the 4096 bytes Identify returns, goes through all three parsers. What
 * they accept must be what the driver relies on: strings NUL-terminated
 * and printable, a block size the driver can shift by, a namespace size
 * whose bytes fit 64 bits, namespace IDs strictly increasing within NN.
 */
#include <cairn/errno.h>

#include <lib/nvme/nvme.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_string(const char *s, size_t room)
{
	size_t n = strnlen(s, room);

	if (n == room)
		abort();
	while (n--)
		if (s[n] < 0x20 || s[n] > 0x7e)
			abort();
}

static void fuzz_ctrl(const uint8_t *b)
{
	struct nvme_ctrl_info ci;

	if (nvme_parse_id_ctrl(b, 4096, &ci) != 0)
		return;
	check_string(ci.serial, sizeof(ci.serial));
	check_string(ci.model, sizeof(ci.model));
	check_string(ci.firmware, sizeof(ci.firmware));
	if (ci.max_xfer > (1u << 31) || (ci.max_xfer && ci.max_xfer < 4096))
		abort();
}

static void fuzz_ns(const uint8_t *b)
{
	struct nvme_ns_info ni;

	if (nvme_parse_id_ns(b, &ni) != 0)
		return;
	if (ni.lba_shift < 9 || ni.lba_shift > 31 || ni.nsze == 0 || ni.ncap > ni.nsze)
		abort();
	if ((ni.nsze << ni.lba_shift) >> ni.lba_shift != ni.nsze)
		abort();
}

static void fuzz_list(const uint8_t *b, uint32_t nn)
{
	uint32_t ids[1024];
	int n, i;

	n = nvme_parse_ns_list(b, nn, ids, 1024);
	if (n < 0)
		return;
	for (i = 0; i < n; i++)
		if (ids[i] == 0 || ids[i] > nn || (i && ids[i] <= ids[i - 1]))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *b = calloc(1, NVME_IDENTIFY_LEN);
	uint32_t nn = 0;

	memcpy(b, data, size < NVME_IDENTIFY_LEN ? size : NVME_IDENTIFY_LEN);
	if (size > NVME_IDENTIFY_LEN + 4)
		memcpy(&nn, data + NVME_IDENTIFY_LEN, 4);
	fuzz_ctrl(b);
	fuzz_ns(b);
	fuzz_list(b, nn ? nn : 0xfffffffeu);
	free(b);
	return 0;
}
