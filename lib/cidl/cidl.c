/* SPDX-License-Identifier: MIT */
/*
 * The wire format's primitives for generated code (docs/cidl.md): each put
 * checks the room left, each get checks the bytes left and the declared
 * bounds, and the first failure sticks so that a decoder never acts on a
 * value read past a failure. Nothing here allocates or blocks.
 */
#include <cairn/errno.h>

#include <lib/cidl/cidl.h>
#include <lib/string.h>

_Static_assert(CIDL_ENODATA == ENODATA && CIDL_EBADMSG == EBADMSG && CIDL_EOVERFLOW == EOVERFLOW &&
                       CIDL_EBADF == EBADF && CIDL_EACCES == EACCES && CIDL_ENOSPC == ENOSPC &&
                       CIDL_EINVAL == EINVAL && CIDL_EPROTONOSUPPORT == EPROTONOSUPPORT &&
                       CIDL_EOPNOTSUPP == EOPNOTSUPP && CIDL_EPIPE == EPIPE &&
                       CIDL_EBADFD == EBADFD && CIDL_ELOOP == ELOOP,
               "cidl.h's error numbers are Linux's");
_Static_assert(CIDL_MAX_HANDLES == CAIRN_MSG_MAX_HANDLES && CIDL_MAX_BYTES == CAIRN_MSG_MAX_BYTES,
               "cidl.h's limits are the channel's");

void cidl_writer_init(struct cidl_writer *w, void *buf, uint32_t cap,
                      struct cairn_handle_xfer *handles, uint32_t hcap)
{
	w->buf = buf;
	w->cap = cap;
	w->len = 0;
	w->handles = handles;
	w->hcap = hcap;
	w->nhandles = 0;
	w->body = 0;
	w->err = 0;
}

void cidl_reader_init(struct cidl_reader *r, const void *buf, uint32_t len,
                      const struct cairn_handle_xfer *handles, uint32_t nhandles)
{
	r->buf = buf;
	r->len = len;
	r->pos = 0;
	r->handles = handles;
	r->nhandles = nhandles;
	r->used = 0;
	r->err = 0;
}

void cidl_wfail(struct cidl_writer *w, int err)
{
	if (!w->err)
		w->err = err;
}

void cidl_rfail(struct cidl_reader *r, int err)
{
	if (!r->err)
		r->err = err;
}

/* Room for n more bytes at w->len, or NULL (and -ENOSPC recorded). */
static uint8_t *cidl_room(struct cidl_writer *w, uint32_t n)
{
	if (w->err)
		return NULL;
	if (n > w->cap - w->len) {
		cidl_wfail(w, -CIDL_ENOSPC);
		return NULL;
	}
	w->len += n;
	return w->buf + w->len - n;
}

/* The little-endian bytes of v, whatever the CPU's order. */
static void cidl_store(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t cidl_load(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void cidl_put_n(struct cidl_writer *w, uint64_t v, unsigned n)
{
	uint8_t *p = cidl_room(w, n);

	if (p)
		cidl_store(p, v, n);
}

void cidl_put_u8(struct cidl_writer *w, uint8_t v)
{
	cidl_put_n(w, v, 1);
}

void cidl_put_u16(struct cidl_writer *w, uint16_t v)
{
	cidl_put_n(w, v, 2);
}

void cidl_put_u32(struct cidl_writer *w, uint32_t v)
{
	cidl_put_n(w, v, 4);
}

void cidl_put_u64(struct cidl_writer *w, uint64_t v)
{
	cidl_put_n(w, v, 8);
}

void cidl_put_bool(struct cidl_writer *w, bool v)
{
	cidl_put_n(w, v ? 1 : 0, 1);
}

void cidl_put_count(struct cidl_writer *w, uint32_t n, uint32_t max)
{
	if (n > max)
		cidl_wfail(w, -CIDL_EINVAL);
	cidl_put_u32(w, n);
}

void cidl_put_bytes(struct cidl_writer *w, const struct cidl_bytes *b, uint32_t max)
{
	uint8_t *p;

	if (b->len > max || (b->len && !b->data)) {
		cidl_wfail(w, -CIDL_EINVAL);
		return;
	}
	cidl_put_u32(w, b->len);
	p = cidl_room(w, b->len);
	if (p && b->len)
		memcpy(p, b->data, b->len);
}

void cidl_put_string(struct cidl_writer *w, const struct cidl_bytes *s, uint32_t max)
{
	if (s->len <= max && s->len && s->data && !cidl_utf8_valid(s->data, s->len)) {
		cidl_wfail(w, -CIDL_EINVAL);
		return;
	}
	cidl_put_bytes(w, s, max);
}

/*
 * The handle goes into the message's handle array with the type the
 * protocol requires, so the kernel refuses a wrong one at the write, and
 * with all its rights (a sender that means to pass fewer duplicates it
 * with fewer first). The body holds its index in that array.
 */
void cidl_put_handle(struct cidl_writer *w, int32_t fd, uint32_t type, bool optional)
{
	struct cairn_handle_xfer *x;

	if (fd < 0) {
		if (!optional || fd != CIDL_HANDLE_NONE)
			cidl_wfail(w, -CIDL_EINVAL);
		cidl_put_u32(w, CIDL_NO_HANDLE);
		return;
	}
	if (w->nhandles >= w->hcap) {
		cidl_wfail(w, -CIDL_ENOSPC);
		return;
	}
	if (w->err)
		return;
	x = &w->handles[w->nhandles];
	x->handle = fd;
	x->type = type;
	x->rights = CAIRN_RIGHT_SAME_RIGHTS;
	x->reserved = 0;
	cidl_put_u32(w, w->nhandles++);
}

void cidl_begin(struct cidl_writer *w, uint32_t ordinal, uint8_t flags, uint16_t version)
{
	cidl_put_u16(w, CIDL_MAGIC);
	cidl_put_u8(w, CIDL_WIRE_VERSION);
	cidl_put_u8(w, flags);
	cidl_put_u32(w, ordinal);
	cidl_put_u32(w, 0); /* the body's length, once known */
	cidl_put_u16(w, version);
	cidl_put_u16(w, 0);
	w->body = w->len;
}

/*
 * Finish a message: patch the body's length into the header. Returns 0 or
 * the first error of the encoding; on error the writer holds no message.
 */
int cidl_end(struct cidl_writer *w)
{
	if (!w->err && w->len > CIDL_MAX_BYTES)
		cidl_wfail(w, -CIDL_EINVAL);
	if (w->err) {
		w->len = 0;
		w->nhandles = 0;
		return w->err;
	}
	cidl_store(w->buf + w->body - 8, w->len - w->body, 4);
	return 0;
}

int cidl_peek(const void *buf, uint32_t len, struct cidl_header *h)
{
	const uint8_t *p = buf;

	if (len < CIDL_HEADER_BYTES)
		return -CIDL_ENODATA;
	if (cidl_load(p, 2) != CIDL_MAGIC)
		return -CIDL_EBADMSG;
	h->wire = p[2];
	h->flags = p[3];
	h->ordinal = (uint32_t)cidl_load(p + 4, 4);
	h->body_len = (uint32_t)cidl_load(p + 8, 4);
	h->version = (uint16_t)cidl_load(p + 12, 2);
	if (h->wire != CIDL_WIRE_VERSION)
		return -CIDL_EPROTONOSUPPORT;
	if ((h->flags & ~CIDL_FLAGS_KNOWN) || (h->flags == CIDL_FLAG_ERROR) ||
	    cidl_load(p + 14, 2) != 0)
		return -CIDL_EBADMSG;
	if (h->body_len > len - CIDL_HEADER_BYTES)
		return -CIDL_ENODATA;
	if (h->body_len < len - CIDL_HEADER_BYTES)
		return -CIDL_EBADMSG;
	return 0;
}

/*
 * Replace whatever w holds with an error reply to ordinal carrying err
 * (-4095..-1). Returns 0, -CIDL_EINVAL (err out of range; w left empty) or
 * -CIDL_ENOSPC.
 */
int cidl_encode_error(struct cidl_writer *w, uint32_t ordinal, uint16_t version, int err)
{
	w->len = 0;
	w->nhandles = 0;
	w->err = 0;
	if (err >= 0 || err < -4095)
		return -CIDL_EINVAL;
	cidl_begin(w, ordinal, CIDL_FLAG_REPLY | CIDL_FLAG_ERROR, version);
	cidl_put_u32(w, (uint32_t)(int32_t)err);
	return cidl_end(w);
}
