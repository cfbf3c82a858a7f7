/* SPDX-License-Identifier: MIT */
/*
 * Decoding primitives for generated code (docs/cidl.md, "Decoding"). The
 * bytes come from another process, so every length, count, tag and handle
 * index is checked against the message and the protocol's bounds before
 * it is used, and the first failure sticks.
 */
#include <lib/cidl/cidl.h>

/* The n bytes at the read position, or NULL (and -ENODATA recorded). */
static const uint8_t *cidl_take(struct cidl_reader *r, uint32_t n)
{
	if (r->err)
		return NULL;
	if (n > r->len - r->pos) {
		cidl_rfail(r, -CIDL_ENODATA);
		return NULL;
	}
	r->pos += n;
	return r->buf + r->pos - n;
}

static uint64_t cidl_get_n(struct cidl_reader *r, unsigned n)
{
	const uint8_t *p = cidl_take(r, n);
	uint64_t v = 0;

	if (!p)
		return 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

uint8_t cidl_get_u8(struct cidl_reader *r)
{
	return (uint8_t)cidl_get_n(r, 1);
}

uint16_t cidl_get_u16(struct cidl_reader *r)
{
	return (uint16_t)cidl_get_n(r, 2);
}

uint32_t cidl_get_u32(struct cidl_reader *r)
{
	return (uint32_t)cidl_get_n(r, 4);
}

uint64_t cidl_get_u64(struct cidl_reader *r)
{
	return cidl_get_n(r, 8);
}

bool cidl_get_bool(struct cidl_reader *r)
{
	uint8_t v = cidl_get_u8(r);

	if (v > 1)
		cidl_rfail(r, -CIDL_EBADMSG);
	return v == 1;
}

bool cidl_get_tag(struct cidl_reader *r)
{
	return cidl_get_bool(r);
}

void cidl_bad_enum(struct cidl_reader *r)
{
	cidl_rfail(r, -CIDL_EBADMSG);
}

uint32_t cidl_get_count(struct cidl_reader *r, uint32_t max)
{
	uint32_t n = cidl_get_u32(r);

	if (n > max) {
		cidl_rfail(r, -CIDL_EOVERFLOW);
		return 0;
	}
	return r->err ? 0 : n;
}

/* A length within max, then that many bytes, viewed in place. */
void cidl_get_bytes(struct cidl_reader *r, struct cidl_bytes *b, uint32_t max)
{
	uint32_t n = cidl_get_count(r, max);
	const uint8_t *p = cidl_take(r, n);

	b->data = (p && n) ? p : NULL;
	b->len = p ? n : 0;
}

void cidl_get_string(struct cidl_reader *r, struct cidl_bytes *s, uint32_t max)
{
	cidl_get_bytes(r, s, max);
	if (s->len && !cidl_utf8_valid(s->data, s->len)) {
		cidl_rfail(r, -CIDL_EBADMSG);
		s->data = NULL;
		s->len = 0;
	}
}

/*
 * A handle field: an index into the handle array the channel read filled,
 * each index taken once, the object of the required type (0: any) with at
 * least the required rights. Returns the handle (descriptor), or
 * CIDL_HANDLE_NONE for an absent optional one or after an error.
 */
int32_t cidl_get_handle(struct cidl_reader *r, uint32_t type, uint32_t rights, bool optional)
{
	uint32_t i = cidl_get_u32(r);
	const struct cairn_handle_xfer *x;

	if (r->err)
		return CIDL_HANDLE_NONE;
	if (i == CIDL_NO_HANDLE) {
		if (!optional)
			cidl_rfail(r, -CIDL_EBADF);
		return CIDL_HANDLE_NONE;
	}
	if (i >= r->nhandles || i >= CIDL_MAX_HANDLES || (r->used & (1ull << i))) {
		cidl_rfail(r, -CIDL_EBADF);
		return CIDL_HANDLE_NONE;
	}
	r->used |= 1ull << i;
	x = &r->handles[i];
	if ((type && x->type != type) || (x->rights & rights) != rights) {
		cidl_rfail(r, -CIDL_EACCES);
		return CIDL_HANDLE_NONE;
	}
	return x->handle;
}

/*
 * An error reply's body: one i32, a -errno within Linux's range, and no
 * handles. Records that -errno (or -EBADMSG/-EBADF) as the decode's result.
 */
static void cidl_open_error(struct cidl_reader *r, const struct cidl_header *h)
{
	int32_t e;

	if (h->body_len != 4) {
		cidl_rfail(r, h->body_len < 4 ? -CIDL_ENODATA : -CIDL_EBADMSG);
		return;
	}
	if (r->nhandles) {
		cidl_rfail(r, -CIDL_EBADF);
		return;
	}
	e = (int32_t)cidl_get_u32(r);
	cidl_rfail(r, (e < 0 && e >= -4095) ? e : -CIDL_EBADMSG);
}

/*
 * Start decoding: the header must be valid, for this ordinal, with exactly
 * the flags expected (0 for a request or event, CIDL_FLAG_REPLY for a
 * reply, which may also come as an error reply).
 */
void cidl_open(struct cidl_reader *r, uint32_t ordinal, uint8_t flags)
{
	struct cidl_header h;
	int err = cidl_peek(r->buf, r->len, &h);

	if (err) {
		cidl_rfail(r, err);
		return;
	}
	r->pos = CIDL_HEADER_BYTES;
	if (r->nhandles > CIDL_MAX_HANDLES || h.ordinal != ordinal) {
		cidl_rfail(r, r->nhandles > CIDL_MAX_HANDLES ? -CIDL_EBADF : -CIDL_EBADMSG);
		return;
	}
	if (flags == CIDL_FLAG_REPLY && h.flags == (CIDL_FLAG_REPLY | CIDL_FLAG_ERROR)) {
		cidl_open_error(r, &h);
		return;
	}
	if (h.flags != flags)
		cidl_rfail(r, -CIDL_EBADMSG);
}

/*
 * Finish decoding: no byte left over and every handle the message carried
 * taken by a field. Returns 0 or the first error.
 */
int cidl_close(struct cidl_reader *r)
{
	uint64_t all;

	if (r->err)
		return r->err;
	if (r->pos != r->len)
		return r->err = -CIDL_EBADMSG;
	all = r->nhandles >= 64 ? ~0ull : (1ull << r->nhandles) - 1;
	if (r->used != all)
		return r->err = -CIDL_EBADF;
	return 0;
}

/* The length of the UTF-8 sequence led by b (0: not a lead byte). */
static unsigned cidl_utf8_len(uint8_t b)
{
	if (b < 0x80)
		return 1;
	if (b >= 0xc2 && b <= 0xdf)
		return 2;
	if (b >= 0xe0 && b <= 0xef)
		return 3;
	if (b >= 0xf0 && b <= 0xf4)
		return 4;
	return 0;
}

/* Unicode 15, 3.9 table 3-7: the well-formed byte sequences. */
bool cidl_utf8_valid(const uint8_t *s, uint32_t len)
{
	uint32_t i = 0;

	while (i < len) {
		unsigned n = cidl_utf8_len(s[i]);
		uint8_t lo = 0x80, hi = 0xbf;

		if (!n || n > len - i)
			return false;
		if (s[i] == 0xe0)
			lo = 0xa0;
		else if (s[i] == 0xed)
			hi = 0x9f;
		else if (s[i] == 0xf0)
			lo = 0x90;
		else if (s[i] == 0xf4)
			hi = 0x8f;
		for (unsigned k = 1; k < n; k++) {
			if (s[i + k] < (k == 1 ? lo : 0x80) || s[i + k] > (k == 1 ? hi : 0xbf))
				return false;
		}
		i += n;
	}
	return true;
}
