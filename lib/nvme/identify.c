/* SPDX-License-Identifier: MIT */
/*
 * Parsers for what Identify returns (NVMe 1.4, 5.15.2): the controller
 * structure, a namespace structure and the active namespace list. The
 * 4096 bytes come from a device, so every field the driver acts on is
 * range-checked here and strings are made printable.
 */
#include <cairn/errno.h>

#include <lib/nvme/nvme.h>

/* Little-endian loads from the buffer, at any alignment. */
static uint64_t le(const uint8_t *b, unsigned off, unsigned bytes)
{
	uint64_t v = 0;

	while (bytes--)
		v = v << 8 | b[off + bytes];
	return v;
}

/* Copy an ASCII field, space padded on the device, into a C string. */
static void id_string(char *dst, const uint8_t *src, unsigned len)
{
	unsigned i, end = 0;

	for (i = 0; i < len; i++) {
		uint8_t ch = src[i];

		dst[i] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
		if (ch != ' ' && ch != 0)
			end = i + 1;
	}
	dst[end] = '\0';
}

/* MDTS as bytes: 2^mdts minimum pages, capped so that it fits a uint32_t. */
static uint32_t mdts_bytes(uint8_t mdts, uint32_t page_min)
{
	uint64_t bytes;

	if (mdts == 0)
		return 0;
	if (mdts >= 32)
		return 1u << 31;
	bytes = (uint64_t)page_min << mdts;
	return bytes > (1u << 31) ? 1u << 31 : (uint32_t)bytes;
}

int nvme_parse_id_ctrl(const void *buf, uint32_t page_min, struct nvme_ctrl_info *out)
{
	const uint8_t *b = buf;
	uint8_t sqes = b[NVME_IDC_SQES], cqes = b[NVME_IDC_CQES];

	/* Bits 3:0 the required entry size, 7:4 the largest (log2 bytes). */
	if ((sqes & 0xf) > NVME_SQE_SIZE_LOG2 || (sqes >> 4) < NVME_SQE_SIZE_LOG2)
		return -EINVAL;
	if ((cqes & 0xf) > NVME_CQE_SIZE_LOG2 || (cqes >> 4) < NVME_CQE_SIZE_LOG2)
		return -EINVAL;
	out->vid = (uint16_t)le(b, NVME_IDC_VID, 2);
	out->ssvid = (uint16_t)le(b, NVME_IDC_SSVID, 2);
	id_string(out->serial, b + NVME_IDC_SN, 20);
	id_string(out->model, b + NVME_IDC_MN, 40);
	id_string(out->firmware, b + NVME_IDC_FR, 8);
	out->max_xfer = mdts_bytes(b[NVME_IDC_MDTS], page_min);
	out->cntlid = (uint16_t)le(b, NVME_IDC_CNTLID, 2);
	out->version = (uint32_t)le(b, NVME_IDC_VER, 4);
	out->nn = (uint32_t)le(b, NVME_IDC_NN, 4);
	out->oncs = (uint16_t)le(b, NVME_IDC_ONCS, 2);
	out->vwc = b[NVME_IDC_VWC] & 1;
	return 0;
}

int nvme_parse_id_ns(const void *buf, struct nvme_ns_info *out)
{
	const uint8_t *b = buf;
	unsigned fmt = b[NVME_IDN_FLBAS] & 0xf;
	uint32_t lbaf, shift;
	uint64_t nsze = le(b, NVME_IDN_NSZE, 8), ncap = le(b, NVME_IDN_NCAP, 8);

	if (nsze == 0)
		return -ENODEV;
	if (fmt > b[NVME_IDN_NLBAF] || ncap > nsze)
		return -EINVAL;
	lbaf = (uint32_t)le(b, NVME_IDN_LBAF + 4 * fmt, 4);
	shift = (lbaf >> 16) & 0xff;
	/* LBADS below 9 is not supported by the specification; 2^31 is Cairn's ceiling. */
	if (shift < 9 || shift > 31 || nsze > (UINT64_MAX >> shift))
		return -EINVAL;
	out->nsze = nsze;
	out->ncap = ncap;
	out->lba_shift = shift;
	out->ms = (uint16_t)(lbaf & 0xffff);
	out->meta_inline = (b[NVME_IDN_FLBAS] >> 4) & 1;
	return 0;
}

int nvme_parse_ns_list(const void *buf, uint32_t nn, uint32_t *ids, unsigned max)
{
	const uint8_t *b = buf;
	uint32_t prev = 0, id;
	unsigned i, n = 0;

	for (i = 0; i < NVME_IDENTIFY_LEN / 4; i++) {
		id = (uint32_t)le(b, 4 * i, 4);
		if (id == 0)
			break;
		if (id <= prev || id > nn || id == 0xffffffffu)
			return -EINVAL;
		if (n < max)
			ids[n++] = id;
		prev = id;
	}
	return (int)n;
}
