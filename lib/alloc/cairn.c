/* SPDX-License-Identifier: MIT */
/*
 * Cairn's default heap: two-level segregated fit (M. Masmano et al., "TLSF: a new dynamic
 * memory allocator for real-time systems", ECRTS 2004). Free blocks sit on one of 33 x 32
 * size-class lists found through two bitmaps, so alloc and free are O(1). Blocks carry an
 * 8-byte header; a free block also ends with a pointer to its start, which lets the block
 * after it coalesce backwards. See docs/alloc.md for the layout and the choices.
 */
#include <lib/alloc/cairn.h>
#include <lib/errno.h>
#include <lib/string.h>

#ifndef CAIRN_ALLOC_CHECKED
#define CAIRN_ALLOC_CHECKED 1
#endif

/* Size classes: 32 linear classes per power of two; below 256 bytes, 32 classes of 8. */
#define GRAN_SHIFT  3
#define GRAN        ((size_t)1 << GRAN_SHIFT)
#define SL_SHIFT    5
#define SL_COUNT    (1u << SL_SHIFT)
#define FL_SHIFT    (SL_SHIFT + GRAN_SHIFT)
#define SMALL_LIMIT ((size_t)1 << FL_SHIFT)
#define MAX_SHIFT   40
#define FL_COUNT    (MAX_SHIFT - FL_SHIFT + 1)

/* A block: header, and when free two list links and a footer. */
#define HDR_BYTES  8
#define MIN_BLOCK  32

/*
 * Header word: bit 0 free, bit 1 previous block free, bit 2 marks a pad word (below),
 * bits 3-39 block size, bits 40-41 leading pad / 8, bits 48-63 check value.
 * An allocated block whose payload had to start later than its header allows keeps its
 * header at its start and a pad word just before the payload saying how far back that is.
 */
#define B_FREE      ((uint64_t)1)
#define B_PREV_FREE ((uint64_t)2)
#define B_PADWORD   ((uint64_t)4)
#define B_SIZE_MASK ((((uint64_t)1 << MAX_SHIFT) - 1) & ~(uint64_t)7)
#define B_PAD_SHIFT MAX_SHIFT
#define B_LOW_MASK  (((uint64_t)1 << 48) - 1)
#define CHECK_MUL   0x9E3779B97F4A7C15ull

/*
 * Blocks of one list looked at for the best fit: for an exact-class fit when the
 * rounded-up class is empty, and for the least alignment slack. Bounded, so a search
 * stays O(1).
 */
#ifndef SLACK_SCAN
#define SLACK_SCAN 4
#endif

typedef uint64_t __attribute__((may_alias)) cairn_word_t;

struct __attribute__((may_alias)) cairn_block {
	uint64_t hdr;                   /* size, flags and check */
	struct cairn_block *next_free;  /* free blocks only: next in its class list */
	struct cairn_block *prev_free;  /* free blocks only: previous, or NULL for the head */
};

struct cairn_ctl {
	uint64_t fl_map;                                  /* bit per first level with a block */
	uint32_t sl_map[FL_COUNT];                        /* bit per non-empty class */
	struct cairn_block *heads[FL_COUNT][SL_COUNT];    /* class list heads */
};

_Static_assert(sizeof(struct cairn_ctl) <= CAIRN_CTL_BYTES, "CAIRN_CTL_BYTES too small");
_Static_assert(CAIRN_MAX_REGION <= ((size_t)1 << MAX_SHIFT), "region size field too narrow");

static inline uintptr_t addr(const void *p)
{
	return (uintptr_t)p;
}

static inline struct cairn_block *block_at(uintptr_t a)
{
	return (struct cairn_block *)a;
}

/* The check value for header word @w stored at @a: top 16 bits of a multiplicative hash. */
static inline uint64_t check_bits(uintptr_t a, uint64_t w)
{
	if (!CAIRN_ALLOC_CHECKED)
		return 0;
	return (((w & B_LOW_MASK) ^ a) * CHECK_MUL) & ~B_LOW_MASK;
}

static inline void hdr_set(struct cairn_block *b, uint64_t w)
{
	b->hdr = w | check_bits(addr(b), w);
}

static inline bool hdr_ok(const struct cairn_block *b)
{
	return (b->hdr & ~B_LOW_MASK) == check_bits(addr(b), b->hdr);
}

static inline size_t block_size(const struct cairn_block *b)
{
	return b->hdr & B_SIZE_MASK;
}

static inline size_t block_pad(const struct cairn_block *b)
{
	return (size_t)((b->hdr >> B_PAD_SHIFT) & 3) << GRAN_SHIFT;
}

/* Record in the last word of free block @b (of @size bytes) where it starts. */
static inline void footer_set(struct cairn_block *b, size_t size)
{
	*(cairn_word_t *)(addr(b) + size - sizeof(cairn_word_t)) = addr(b);
}

/* The free block before @b, found through its footer (only valid with B_PREV_FREE). */
static inline struct cairn_block *prev_block(const struct cairn_block *b)
{
	return block_at(*(const cairn_word_t *)(addr(b) - sizeof(cairn_word_t)));
}

static inline void set_prev_free(struct cairn_block *b, bool free)
{
	uint64_t w = b->hdr & B_LOW_MASK & ~B_PREV_FREE;

	hdr_set(b, free ? w | B_PREV_FREE : w);
}

static void report(struct cairn_heap *h, const char *what, void *ptr)
{
	h->errors++;
	if (h->on_error)
		h->on_error(h->on_error_ctx, what, ptr);
}

/* The class of a free block of @size bytes. */
static inline void class_of(size_t size, unsigned int *fl, unsigned int *sl)
{
	unsigned int t;

	if (size < SMALL_LIMIT) {
		*fl = 0;
		*sl = (unsigned int)(size >> GRAN_SHIFT);
		return;
	}
	t = 63 - (unsigned int)__builtin_clzll(size);
	*sl = (unsigned int)(size >> (t - SL_SHIFT)) - SL_COUNT;
	*fl = t - FL_SHIFT + 1;
}

/* @size rounded up so that every block of its class is at least @size. */
static inline size_t class_round_up(size_t size)
{
	unsigned int t;

	if (size < SMALL_LIMIT)
		return size;
	t = 63 - (unsigned int)__builtin_clzll(size);
	return size + ((size_t)1 << (t - SL_SHIFT)) - 1;
}

static void list_insert(struct cairn_heap *h, struct cairn_block *b, size_t size)
{
	struct cairn_ctl *c = h->ctl;
	struct cairn_block *head;
	unsigned int fl, sl;

	class_of(size, &fl, &sl);
	head = c->heads[fl][sl];
	b->next_free = head;
	b->prev_free = NULL;
	if (head) {
		head->prev_free = b;
	} else {
		c->sl_map[fl] |= 1u << sl;
		c->fl_map |= (uint64_t)1 << fl;
	}
	c->heads[fl][sl] = b;
	h->free_blocks++;
}

static void list_remove_class(struct cairn_heap *h, struct cairn_block *b, unsigned int fl,
			      unsigned int sl)
{
	struct cairn_ctl *c = h->ctl;
	struct cairn_block *next = b->next_free, *prev = b->prev_free;

	if (next)
		next->prev_free = prev;
	if (prev) {
		prev->next_free = next;
	} else {
		c->heads[fl][sl] = next;
		if (!next) {
			c->sl_map[fl] &= ~(1u << sl);
			if (!c->sl_map[fl])
				c->fl_map &= ~((uint64_t)1 << fl);
		}
	}
	h->free_blocks--;
}

static void list_remove(struct cairn_heap *h, struct cairn_block *b, size_t size)
{
	unsigned int fl, sl;

	class_of(size, &fl, &sl);
	list_remove_class(h, b, fl, sl);
}

/* True if free block @b on its class list has links that point back at it. */
static bool links_ok(const struct cairn_heap *h, const struct cairn_block *b)
{
	unsigned int fl, sl;

	if (!CAIRN_ALLOC_CHECKED)
		return true;
	if (!hdr_ok(b) || !(b->hdr & B_FREE))
		return false;
	if (b->next_free && b->next_free->prev_free != b)
		return false;
	if (b->prev_free)
		return b->prev_free->next_free == b;
	class_of(block_size(b), &fl, &sl);
	return h->ctl->heads[fl][sl] == b;
}

/* Make [@b, @b + @size) a free block whose previous block is in use, and list it. */
static void make_free(struct cairn_heap *h, struct cairn_block *b, size_t size)
{
	hdr_set(b, size | B_FREE);
	footer_set(b, size);
	list_insert(h, b, size);
}

/* True if free block @b can hold @usable bytes at an @align boundary, carved from its end. */
static inline bool block_fits(const struct cairn_block *b, size_t usable, size_t align)
{
	size_t size = block_size(b);
	uintptr_t end = addr(b) + size;

	if (size < usable + HDR_BYTES)
		return false;
	return ((end - usable) & ~(uintptr_t)(align - 1)) - HDR_BYTES >= addr(b);
}

/* Bytes an allocation carved from the end of @b would leave unused after its payload. */
static inline size_t slack(const struct cairn_block *b, size_t usable, size_t align)
{
	return (addr(b) + block_size(b) - usable) & (align - 1);
}

/*
 * Of the first SLACK_SCAN blocks from @b on, the one that fits @usable at @align with the
 * least slack; NULL if none fits. Checking the fit is only needed in a class below the
 * rounded-up request.
 */
static struct cairn_block *least_slack(struct cairn_block *b, size_t usable, size_t align,
				       bool check_fit)
{
	struct cairn_block *best = NULL;
	size_t best_slack = align, s;
	unsigned int i;

	for (i = 0; b && i < SLACK_SCAN; i++, b = b->next_free) {
		if (check_fit && !block_fits(b, usable, align))
			continue;
		s = slack(b, usable, align);
		if (s < best_slack) {
			best = b;
			best_slack = s;
			if (!s)
				break;
		}
	}
	return best;
}

/*
 * Find a free block of at least @need bytes that fits @usable at @align: from the first
 * non-empty class at or above @need rounded up, except that when the rounded class itself
 * is empty a few blocks of @need's own class are tried first (good fit). Among the first
 * few blocks of the chosen list, the one that wastes least to alignment wins.
 */
static struct cairn_block *find_block(struct cairn_heap *h, size_t need, size_t usable,
				      size_t align)
{
	struct cairn_ctl *c = h->ctl;
	struct cairn_block *b;
	unsigned int fl, sl, efl, esl;
	uint32_t sm;
	uint64_t fm;

	class_of(class_round_up(need), &fl, &sl);
	sm = fl < FL_COUNT ? c->sl_map[fl] & (~0u << sl) : 0;
	if (!(sm & (1u << sl))) {
		class_of(need, &efl, &esl);
		b = least_slack(c->heads[efl][esl], usable, align, true);
		if (b)
			return b;
		if (!sm) {
			fm = fl + 1 < FL_COUNT ? c->fl_map & (~(uint64_t)0 << (fl + 1)) : 0;
			if (!fm)
				return NULL;
			fl = (unsigned int)__builtin_ctzll(fm);
			sm = c->sl_map[fl];
		}
		sl = (unsigned int)__builtin_ctz(sm);
	}
	b = c->heads[fl][sl];
	if (align == CAIRN_MIN_ALIGN)
		return b;
	return least_slack(b, usable, align, false);
}

/*
 * Split the tail [@from, @end) off an allocated block as a free block when it is big
 * enough to be one; @next_free says whether the block at @end is free. Returns the new
 * end of the allocated block. The caller moves the tail's bytes between the counters.
 */
static uintptr_t trim_tail(struct cairn_heap *h, uintptr_t from, uintptr_t end, bool next_free)
{
	struct cairn_block *t = block_at(from), *next = block_at(end);
	size_t size = end - from;

	if (size < MIN_BLOCK)
		return end;
	if (next_free) {
		size += block_size(next);
		list_remove(h, next, block_size(next));
	} else {
		set_prev_free(next, true);
	}
	make_free(h, t, size);
	return from;
}

/*
 * Allocate the payload at @p (aligned, with @usable bytes) inside free block @b.
 * What is left before it becomes a free block if it is big enough to be one (it keeps
 * @b's start, so usually its class and list place too), else padding before the payload;
 * what is left after it likewise becomes a free block or usable space. Returns @p.
 */
static void *place(struct cairn_heap *h, struct cairn_block *b, uintptr_t p, size_t usable)
{
	size_t size = block_size(b), lead = p - HDR_BYTES - addr(b);
	uintptr_t end = addr(b) + size;
	struct cairn_block *blk = b;
	unsigned int ofl, osl, nfl, nsl;

	if (lead >= MIN_BLOCK) {
		class_of(size, &ofl, &osl);
		class_of(lead, &nfl, &nsl);
		if (ofl != nfl || osl != nsl) {
			list_remove_class(h, b, ofl, osl);
			list_insert(h, b, lead);
		}
		hdr_set(b, lead | B_FREE);
		footer_set(b, lead);
		blk = block_at(p - HDR_BYTES);
		lead = 0;
	} else {
		list_remove(h, b, size);
	}
	end = trim_tail(h, p + usable, end, false);
	if (end == addr(b) + size)
		set_prev_free(block_at(end), false);
	hdr_set(blk, (end - addr(blk)) | ((uint64_t)(lead >> GRAN_SHIFT) << B_PAD_SHIFT) |
			     (blk != b ? B_PREV_FREE : 0));
	if (lead)
		hdr_set(block_at(p - HDR_BYTES),
			B_PADWORD | ((uint64_t)(lead >> GRAN_SHIFT) << B_PAD_SHIFT));
	h->free_bytes -= end - addr(blk);
	h->used_bytes += end - addr(blk);
	return (void *)p;
}

/*
 * Allocate from free block @b, at its end: what is left keeps its start and usually its
 * class, so it stays where it is on its list, and it stays next to whatever was freed
 * before it (for FIFO-like lifetimes, the next blocks to be freed).
 */
static void *carve(struct cairn_heap *h, struct cairn_block *b, size_t usable, size_t align)
{
	uintptr_t end = addr(b) + block_size(b);

	return place(h, b, (end - usable) & ~(uintptr_t)(align - 1), usable);
}

void *cairn_heap_alloc(struct cairn_heap *h, size_t size, size_t align)
{
	struct cairn_block *b;
	size_t usable;

	if (!size || size > CAIRN_MAX_ALLOC || !alloc_align_ok(align))
		goto fail;
	if (align < CAIRN_MIN_ALIGN)
		align = CAIRN_MIN_ALIGN;
	usable = (size + GRAN - 1) & ~(GRAN - 1);
	if (usable < MIN_BLOCK - HDR_BYTES)
		usable = MIN_BLOCK - HDR_BYTES;
	b = find_block(h, usable + HDR_BYTES + align - CAIRN_MIN_ALIGN, usable, align);
	if (!b)
		goto fail;
	if (CAIRN_ALLOC_CHECKED && !links_ok(h, b)) {
		report(h, "heap: corrupted free block", (void *)(b + 1));
		goto fail;
	}
	h->allocs++;
	h->live_blocks++;
	return carve(h, b, usable, align);
fail:
	h->fails++;
	return NULL;
}

/*
 * Return allocated block @b to the free lists, merging it with free neighbours.
 * The caller has checked it and adjusts the live-block and free counters.
 */
static void release(struct cairn_heap *h, struct cairn_block *b)
{
	size_t size = block_size(b), nsize, psize;
	struct cairn_block *next = block_at(addr(b) + size), *prev;
	bool merged_next = false;

	h->used_bytes -= size;
	h->free_bytes += size;
	if (CAIRN_ALLOC_CHECKED)
		hdr_set(b, (b->hdr & B_LOW_MASK) | B_FREE);
	if (next->hdr & B_FREE) {
		nsize = block_size(next);
		list_remove(h, next, nsize);
		size += nsize;
		merged_next = true;
	}
	if (b->hdr & B_PREV_FREE) {
		prev = prev_block(b);
		psize = block_size(prev);
		list_remove(h, prev, psize);
		size += psize;
		b = prev;
	}
	make_free(h, b, size);
	if (!merged_next)
		set_prev_free(next, true);
}

/* True if [@b, @b + 8) lies inside the heap's address range. */
static inline bool in_heap(const struct cairn_heap *h, uintptr_t a)
{
	return a >= h->lo && a < h->hi && !(a & (GRAN - 1));
}

/* The block of payload @p, trusting the heap (unchecked builds). */
static inline struct cairn_block *block_of(void *p)
{
	cairn_word_t w = *(cairn_word_t *)(addr(p) - HDR_BYTES);
	size_t pad = (size_t)((w >> B_PAD_SHIFT) & 3) << GRAN_SHIFT;

	return block_at(addr(p) - HDR_BYTES - ((w & B_PADWORD) ? pad : 0));
}

/* Check that free block @prev really ends at @b. */
static bool prev_ok(const struct cairn_heap *h, const struct cairn_block *b)
{
	uintptr_t pa = *(const cairn_word_t *)(addr(b) - sizeof(cairn_word_t));
	const struct cairn_block *prev = block_at(pa);

	if (!in_heap(h, pa) || pa >= addr(b) || !hdr_ok(prev) || !(prev->hdr & B_FREE))
		return false;
	return pa + block_size(prev) == addr(b) && links_ok(h, prev);
}

/*
 * The allocated block whose payload is @p, after checking everything free will rely
 * on; NULL (reported as @op's error) if @p is not one.
 */
static struct cairn_block *lookup(struct cairn_heap *h, void *p, const char *const what[4])
{
	uintptr_t a = addr(p), ba, end;
	struct cairn_block *b, *next;

	if (!CAIRN_ALLOC_CHECKED)
		return block_of(p);
	if (!in_heap(h, a - HDR_BYTES) || a >= h->hi) {
		report(h, what[0], p);
		return NULL;
	}
	b = block_at(a - HDR_BYTES);
	if (hdr_ok(b) && (b->hdr & B_PADWORD)) {
		ba = a - HDR_BYTES - block_pad(b);
		if (!in_heap(h, ba))
			goto bad;
		b = block_at(ba);
		if (hdr_ok(b) && block_pad(b) != a - HDR_BYTES - ba)
			goto bad;
	}
	if (!hdr_ok(b) || (b->hdr & B_PADWORD))
		goto bad;
	if (b->hdr & B_FREE) {
		report(h, what[1], p);
		return NULL;
	}
	end = addr(b) + block_size(b);
	if (block_size(b) < MIN_BLOCK || end > h->hi || end < a + 8)
		goto bad;
	next = block_at(end);
	if (!hdr_ok(next) || (next->hdr & B_PADWORD)) {
		report(h, what[3], p);
		return NULL;
	}
	if ((next->hdr & B_FREE) && !links_ok(h, next))
		goto bad_neighbour;
	if ((b->hdr & B_PREV_FREE) && !prev_ok(h, b))
		goto bad_neighbour;
	return b;
bad_neighbour:
	report(h, what[3], p);
	return NULL;
bad:
	report(h, what[2], p);
	return NULL;
}

static const char *const free_errors[4] = {
	"heap: free of a pointer outside the heap or misaligned",
	"heap: double free",
	"heap: free of a pointer the heap never gave out, or its header is corrupted",
	"heap: free found a corrupted neighbouring block",
};

void cairn_heap_free(struct cairn_heap *h, void *p)
{
	struct cairn_block *b;

	if (!p)
		return;
	b = lookup(h, p, free_errors);
	if (!b)
		return;
	h->frees++;
	h->live_blocks--;
	release(h, b);
}

void cairn_heap_free_sized(struct cairn_heap *h, void *p, size_t size, size_t align)
{
	cairn_heap_free(h, p);
}

static const char *const size_errors[4] = {
	"heap: usable_size of a pointer outside the heap or misaligned",
	"heap: usable_size of a free block",
	"heap: usable_size of a pointer the heap never gave out, or its header is corrupted",
	"heap: usable_size found a corrupted neighbouring block",
};

size_t cairn_heap_usable_size(struct cairn_heap *h, void *p)
{
	struct cairn_block *b;

	if (!p)
		return 0;
	b = lookup(h, p, size_errors);
	if (!b)
		return 0;
	return addr(b) + block_size(b) - addr(p);
}

static const char *const realloc_errors[4] = {
	"heap: realloc of a pointer outside the heap or misaligned",
	"heap: realloc of a free block",
	"heap: realloc of a pointer the heap never gave out, or its header is corrupted",
	"heap: realloc found a corrupted neighbouring block",
};

/* Resize allocated block @b (payload @p) in place to hold @usable bytes; false if it cannot. */
static bool resize_in_place(struct cairn_heap *h, struct cairn_block *b, uintptr_t p,
			    size_t usable)
{
	uintptr_t end = addr(b) + block_size(b), want = p + usable, new_end;
	struct cairn_block *next = block_at(end);
	uint64_t keep = b->hdr & B_LOW_MASK & ~B_SIZE_MASK;
	size_t nsize;

	if (want <= end) {
		new_end = trim_tail(h, want, end, next->hdr & B_FREE);
		h->used_bytes -= end - new_end;
		h->free_bytes += end - new_end;
		hdr_set(b, keep | (new_end - addr(b)));
		return true;
	}
	if (!(next->hdr & B_FREE) || end + block_size(next) < want)
		return false;
	nsize = block_size(next);
	list_remove(h, next, nsize);
	new_end = trim_tail(h, want, end + nsize, false);
	if (new_end == end + nsize)
		set_prev_free(block_at(new_end), false);
	h->free_bytes -= new_end - end;
	h->used_bytes += new_end - end;
	hdr_set(b, keep | (new_end - addr(b)));
	return true;
}

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
	b = lookup(h, p, realloc_errors);
	if (!b || size > CAIRN_MAX_ALLOC)
		return NULL;
	usable = (size + GRAN - 1) & ~(GRAN - 1);
	if (addr(p) + usable - addr(b) < MIN_BLOCK)
		usable = MIN_BLOCK - (addr(p) - addr(b));
	if (resize_in_place(h, b, addr(p), usable))
		return p;
	q = cairn_heap_alloc(h, size, CAIRN_MIN_ALIGN);
	if (!q)
		return NULL;
	old = addr(b) + block_size(b) - addr(p);
	memcpy(q, p, old < size ? old : size);
	h->frees++;
	h->live_blocks--;
	release(h, b);
	return q;
}

/* Write the 8-byte end marker of a region at @a: an allocated block of size 0. */
static void set_sentinel(uintptr_t a, bool prev_free)
{
	hdr_set(block_at(a), prev_free ? B_PREV_FREE : 0);
}

/* Hand [@start, @end) to the heap as an allocated block, then free it into the lists. */
static void add_block(struct cairn_heap *h, uintptr_t start, uintptr_t end, bool prev_free)
{
	struct cairn_block *b = block_at(start);

	set_sentinel(end - HDR_BYTES, false);
	hdr_set(b, (end - HDR_BYTES - start) | (prev_free ? B_PREV_FREE : 0));
	h->used_bytes += end - HDR_BYTES - start;
	release(h, b);
}

int cairn_heap_init(struct cairn_heap *h, void *base, size_t bytes)
{
	uintptr_t start = (addr(base) + 63) & ~(uintptr_t)63;
	uintptr_t end = (addr(base) + bytes) & ~(uintptr_t)(GRAN - 1);
	uint64_t *w;
	size_t i;

	if (bytes > CAIRN_MAX_REGION || addr(base) + bytes < addr(base) || end < start ||
	    end - start < 16384)
		return -EINVAL;
	*h = (struct cairn_heap){ 0 };
	h->ctl = (struct cairn_ctl *)start;
	w = (uint64_t *)start;
	for (i = 0; i < sizeof(struct cairn_ctl) / sizeof(*w); i++)
		w[i] = 0;
	h->lo = start;
	start += CAIRN_CTL_BYTES;
	h->hi = end;
	h->last_end = end;
	h->heap_bytes = bytes;
	add_block(h, start, end, false);
	return 0;
}

int cairn_heap_grow(struct cairn_heap *h, void *more, size_t bytes)
{
	uintptr_t start = (addr(more) + GRAN - 1) & ~(GRAN - 1);
	uintptr_t end = (addr(more) + bytes) & ~(uintptr_t)(GRAN - 1);
	bool prev_free;

	if (bytes > CAIRN_MAX_REGION || addr(more) + bytes < addr(more) || end < start ||
	    end - start < MIN_BLOCK + HDR_BYTES)
		return -EINVAL;
	if (addr(more) != h->last_end && start < h->hi && end > h->lo)
		return -EINVAL;
	if (addr(more) == h->last_end) {
		/* The old end marker becomes the header of the new block. */
		start -= HDR_BYTES;
		prev_free = block_at(start)->hdr & B_PREV_FREE;
	} else {
		prev_free = false;
	}
	if (start < h->lo)
		h->lo = start;
	if (end > h->hi)
		h->hi = end;
	h->last_end = end;
	h->heap_bytes += bytes;
	add_block(h, start, end, prev_free);
	return 0;
}

void cairn_heap_stats(const struct cairn_heap *h, struct alloc_stats *st)
{
	const struct cairn_ctl *c = h->ctl;
	const struct cairn_block *b;
	unsigned int fl;
	size_t largest = 0;

	if (c->fl_map) {
		fl = 63 - (unsigned int)__builtin_clzll(c->fl_map);
		b = c->heads[fl][31 - __builtin_clz(c->sl_map[fl])];
		for (; b; b = b->next_free)
			if (block_size(b) > largest)
				largest = block_size(b);
	}
	*st = (struct alloc_stats){
		.heap_bytes = h->heap_bytes,
		.used_bytes = h->used_bytes,
		.free_bytes = h->free_bytes,
		.largest_free = largest,
		.live_blocks = h->live_blocks,
		.free_blocks = h->free_blocks,
		.allocs = h->allocs,
		.frees = h->frees,
		.fails = h->fails,
		.errors = h->errors,
	};
}

/* Check one class list of @h; adds its blocks and bytes to @n and @bytes. */
static bool check_list(struct cairn_heap *h, unsigned int fl, unsigned int sl, size_t *n,
		       size_t *bytes)
{
	const struct cairn_block *b, *next;
	unsigned int bfl, bsl;
	size_t size;

	for (b = h->ctl->heads[fl][sl]; b; b = b->next_free) {
		if (!in_heap(h, addr(b)) || !hdr_ok(b) || !(b->hdr & B_FREE) || !links_ok(h, b))
			return false;
		size = block_size(b);
		class_of(size, &bfl, &bsl);
		if (size < MIN_BLOCK || bfl != fl || bsl != sl || addr(b) + size >= h->hi ||
		    *(const cairn_word_t *)(addr(b) + size - sizeof(cairn_word_t)) != addr(b))
			return false;
		next = block_at(addr(b) + size);
		if (!hdr_ok(next) || (next->hdr & B_FREE) || !(next->hdr & B_PREV_FREE))
			return false;
		if (++*n > h->free_blocks)
			return false;
		*bytes += size;
	}
	return true;
}

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
	report(h, "heap: check found inconsistent free lists", NULL);
	return -EIO;
}

static int ops_init(void *heap, void *base, size_t bytes, void *ext, size_t ext_bytes)
{
	return cairn_heap_init(heap, base, bytes);
}

static size_t ops_external_bytes(size_t heap_bytes)
{
	return 0;
}

/* The vtable entries are the one call per operation the benchmark times. */
static __attribute__((noinline)) void *ops_alloc(void *heap, size_t size, size_t align)
{
	return cairn_heap_alloc(heap, size, align);
}

static __attribute__((noinline)) void ops_free(void *heap, void *p, size_t size, size_t align)
{
	cairn_heap_free(heap, p);
}

static int ops_grow(void *heap, void *more, size_t bytes)
{
	return cairn_heap_grow(heap, more, bytes);
}

static void ops_stats(const void *heap, struct alloc_stats *st)
{
	cairn_heap_stats(heap, st);
}

const struct alloc_ops alloc_cairn_ops = {
	.name = "cairn",
	.heap_struct_bytes = sizeof(struct cairn_heap),
	.external_bytes = ops_external_bytes,
	.init = ops_init,
	.alloc = ops_alloc,
	.free = ops_free,
	.grow = ops_grow,
	.stats = ops_stats,
};
