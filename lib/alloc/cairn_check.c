/* SPDX-License-Identifier: MIT */
/*
 * The cairn heap's defences against bad input: checking a pointer handed back before
 * anything is changed (bounds, header check value, free bit, the neighbours free will
 * merge with), reporting what is wrong through the owner's callback, and a full check of
 * the free lists for tests and debugging. Only checked builds (CAIRN_ALLOC_CHECKED) call
 * the lookup; see cairn_block.h.
 */
#include <cairn/errno.h>

#include <lib/alloc/cairn_block.h>

/* Count an error and pass it to the owner's callback, if any. */
void cairn_report(struct cairn_heap *h, const char *what, void *ptr)
{
	h->errors++;
	if (h->on_error)
		h->on_error(h->on_error_ctx, what, ptr);
}

/*
 * True if @b looks like a free block on its class list: a valid free header, and links
 * that point back at it. Always true in unchecked builds.
 */
bool cairn_links_ok(const struct cairn_heap *h, const struct cairn_block *b)
{
	unsigned int fl, sl;

	if (!CAIRN_ALLOC_CHECKED)
		return true;
	if (!hdr_ok(b) || !(b->info & B_FREE))
		return false;
	if (b->next_free && b->next_free->prev_free != b)
		return false;
	if (b->prev_free)
		return b->prev_free->next_free == b;
	class_of(block_size(b), &fl, &sl);
	return h->ctl->heads[fl][sl] == b;
}

/* True if the footer before @b leads to a sound free block that ends at @b. */
static bool prev_ok(const struct cairn_heap *h, const struct cairn_block *b)
{
	uintptr_t pa = *(const cairn_word_t *)(addr(b) - sizeof(cairn_word_t));
	const struct cairn_block *prev = block_at(pa);

	if (!in_heap(h, pa) || pa >= addr(b) || !hdr_ok(prev) || !(prev->info & B_FREE))
		return false;
	return pa + block_size(prev) == addr(b) && cairn_links_ok(h, prev);
}

/* The header a payload at @a belongs to, following a pad word; NULL if implausible. */
static struct cairn_block *header_of(const struct cairn_heap *h, uintptr_t a)
{
	struct cairn_block *b = block_at(a - HDR_BYTES);
	uintptr_t ba;

	if (!hdr_ok(b))
		return NULL;
	if (!(b->info & B_PADWORD))
		return b;
	ba = a - HDR_BYTES - block_size(b);
	if (!in_heap(h, ba))
		return NULL;
	b = block_at(ba);
	if (!hdr_ok(b) || (b->info & B_PADWORD) || block_pad(b) != a - HDR_BYTES - ba)
		return NULL;
	return b;
}

/*
 * The allocated block whose payload is @p, after checking everything a free of it would
 * rely on; NULL, with the matching error of @e reported, if @p is not one.
 */
struct cairn_block *cairn_lookup_checked(struct cairn_heap *h, void *p,
                                         const struct cairn_errors *e)
{
	uintptr_t a = addr(p), end;
	struct cairn_block *b, *next;

	if (!in_heap(h, a - HDR_BYTES) || a >= h->hi) {
		cairn_report(h, e->outside, p);
		return NULL;
	}
	b = header_of(h, a);
	if (b && (b->info & B_FREE)) {
		cairn_report(h, e->free, p);
		return NULL;
	}
	if (!b || block_size(b) < MIN_BLOCK || addr(b) + block_size(b) > h->hi ||
	    addr(b) + block_size(b) < a + HDR_BYTES) {
		cairn_report(h, e->bad, p);
		return NULL;
	}
	end = addr(b) + block_size(b);
	next = block_at(end);
	if (!hdr_ok(next) || (next->info & B_PADWORD) ||
	    ((next->info & B_FREE) && !cairn_links_ok(h, next)) ||
	    ((b->info & B_PREV_FREE) && !prev_ok(h, b))) {
		cairn_report(h, e->neighbour, p);
		return NULL;
	}
	return b;
}

static const struct cairn_errors size_errors = {
	.outside = "heap: usable_size of a pointer outside the heap or misaligned",
	.free = "heap: usable_size of a free block",
	.bad = "heap: usable_size of a pointer the heap never gave out, or its header is corrupted",
	.neighbour = "heap: usable_size found a corrupted neighbouring block",
};

/* Bytes usable at @p, or 0 (reported in checked builds) if @p is not a live block. */
size_t cairn_heap_usable_size(struct cairn_heap *h, void *p)
{
	struct cairn_block *b;

	if (!p)
		return 0;
	b = cairn_lookup(h, p, &size_errors);
	if (!b)
		return 0;
	return addr(b) + block_size(b) + TAIL_BYTES - addr(p);
}

/* Check one class list of @h, adding its blocks and bytes to @n and @bytes. */
static bool check_list(struct cairn_heap *h, unsigned int fl, unsigned int sl, size_t *n,
                       size_t *bytes)
{
	const struct cairn_block *b, *next;
	unsigned int bfl, bsl;
	size_t size;

	for (b = h->ctl->heads[fl][sl]; b; b = b->next_free) {
		if (!in_heap(h, addr(b)) || !hdr_ok(b) || !(b->info & B_FREE) ||
		    !cairn_links_ok(h, b))
			return false;
		size = block_size(b);
		class_of(size, &bfl, &bsl);
		if (size < MIN_BLOCK || bfl != fl || bsl != sl || addr(b) + size >= h->hi ||
		    *(const cairn_word_t *)(addr(b) + size - sizeof(cairn_word_t)) != addr(b))
			return false;
		next = block_at(addr(b) + size);
		if (!hdr_ok(next) || (next->info & B_FREE) || !(next->info & B_PREV_FREE))
			return false;
		if (++*n > h->free_blocks)
			return false;
		*bytes += size;
	}
	return true;
}

/* Check every free block and the tables. Returns 0, or -EIO after a report. */
int cairn_heap_check(struct cairn_heap *h)
{
	const struct cairn_ctl *c = h->ctl;
	size_t n = 0, bytes = 0;
	unsigned int fl, sl;
	bool listed;

	for (fl = 0; fl < FL_COUNT; fl++) {
		if (!!(c->fl_map & ((uint64_t)1 << fl)) != !!c->sl_map[fl])
			goto bad;
		for (sl = 0; sl < SL_COUNT; sl++) {
			listed = c->sl_map[fl] & (1u << sl);
			if (listed != !!c->heads[fl][sl] || !check_list(h, fl, sl, &n, &bytes))
				goto bad;
		}
	}
	if (n != h->free_blocks || bytes != h->free_bytes)
		goto bad;
	return 0;
bad:
	cairn_report(h, "heap: check found inconsistent free lists", NULL);
	return -EIO;
}
