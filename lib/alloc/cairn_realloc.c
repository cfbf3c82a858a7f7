/* SPDX-License-Identifier: MIT */
/*
 * Resizing a cairn heap block: in place when the block already has the room or the free
 * block after it can give it, otherwise by allocating, copying and freeing.
 */
#include <lib/alloc/cairn_block.h>
#include <lib/string.h>

static const struct cairn_errors realloc_errors = {
	.outside = "heap: realloc of a pointer outside the heap or misaligned",
	.free = "heap: realloc of a free block",
	.bad = "heap: realloc of a pointer the heap never gave out, or its header is corrupted",
	.neighbour = "heap: realloc found a corrupted neighbouring block",
};

/* Shrink allocated block @b so that it ends at @want, giving the rest back. */
static void shrink(struct cairn_heap *h, struct cairn_block *b, uintptr_t want)
{
	uintptr_t end = addr(b) + block_size(b), new_end;
	uint32_t keep = b->info & B_FLAGS;

	new_end = trim_tail(h, want, end, block_at(end)->info & B_FREE);
	h->used_bytes -= end - new_end;
	h->free_bytes += end - new_end;
	hdr_set_pad(b, keep | (uint32_t)(new_end - addr(b)), block_pad(b));
}

/*
 * Grow allocated block @b to end at @want (or a little after, when what is left of the
 * free block after it is too small to stand alone). False if that block cannot give it.
 */
static bool grow_into_next(struct cairn_heap *h, struct cairn_block *b, uintptr_t want)
{
	uintptr_t end = addr(b) + block_size(b), new_end;
	uint32_t keep = b->info & B_FLAGS;
	struct cairn_block *next = block_at(end);
	size_t nsize = block_size(next);

	if (!(next->info & B_FREE) || end + nsize < want)
		return false;
	list_remove(h, next, nsize);
	new_end = trim_tail(h, want, end + nsize, false);
	if (new_end == end + nsize)
		set_prev_free(block_at(new_end), false);
	h->free_bytes -= new_end - end;
	h->used_bytes += new_end - end;
	hdr_set_pad(b, keep | (uint32_t)(new_end - addr(b)), block_pad(b));
	return true;
}

/*
 * Resize @p to @size bytes, in place if possible. Returns the block (maybe moved), or
 * NULL with @p untouched. O(1) plus the copy; no lock.
 */
void *cairn_heap_realloc(struct cairn_heap *h, void *p, size_t size)
{
	struct cairn_block *b;
	size_t usable, old;
	void *q;

	if (!p)
		return cairn_heap_alloc(h, size, CAIRN_MIN_ALIGN);
	if (!size) {
		cairn_heap_free(h, p);
		return NULL;
	}
	b = cairn_lookup(h, p, &realloc_errors);
	if (!b || size > CAIRN_MAX_ALLOC)
		return NULL;
	usable = payload_span(size);
	if (addr(p) + usable - addr(b) < MIN_BLOCK)
		usable = MIN_BLOCK - (addr(p) - addr(b));
	old = addr(b) + block_size(b) - addr(p);
	if (usable <= old) {
		shrink(h, b, addr(p) + usable);
		return p;
	}
	if (grow_into_next(h, b, addr(p) + usable))
		return p;
	q = cairn_heap_alloc(h, size, CAIRN_MIN_ALIGN);
	if (!q)
		return NULL;
	memcpy(q, p, old + TAIL_BYTES);
	h->frees++;
	h->live_blocks--;
	cairn_release(h, b);
	return q;
}
