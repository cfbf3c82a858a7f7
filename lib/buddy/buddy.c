// SPDX-License-Identifier: MIT
/*
 * The binary buddy allocator (buddy.h). Free blocks sit on one doubly-linked
 * list per order whose links are kept in the caller's per-frame records
 * (struct buddy_node), so taking a buddy off its list is O(1) and the free
 * frames themselves are never written: freeing memory costs no cache line of
 * it, and a stray write into a free frame cannot damage the lists. One
 * metadata byte per record says whether the frame is managed at all and,
 * for the first frame of a block, the block's order and whether it is free.
 * Every public entry point checks its arguments against that metadata
 * before changing anything.
 */
#include <cairn/errno.h>

#include <lib/buddy/buddy.h>

/*
 * Metadata byte of each frame's node. Only the first frame of a block (its head)
 * has BUDDY_M_HEAD and an order; the other frames of the block have
 * BUDDY_M_PRESENT alone. A frame never added is 0.
 */
#define BUDDY_M_ORDER   0x0fu /* order of the block, on its head */
#define BUDDY_M_LOST    0x10u /* the block was on a damaged free list: never used again */
#define BUDDY_M_HEAD    0x20u /* first frame of a block */
#define BUDDY_M_FREE    0x40u /* the block is free (on its head only) */
#define BUDDY_M_PRESENT 0x80u /* the frame was handed to the allocator */

#define META_USED(k) ((uint8_t)(BUDDY_M_PRESENT | BUDDY_M_HEAD | (k)))
#define META_FREE(k) ((uint8_t)(BUDDY_M_PRESENT | BUDDY_M_HEAD | BUDDY_M_FREE | (k)))
#define META_LOST(k) ((uint8_t)(BUDDY_M_PRESENT | BUDDY_M_HEAD | BUDDY_M_LOST | (k)))

_Static_assert(BUDDY_MAX_ORDER <= BUDDY_M_ORDER, "the order must fit its metadata bits");

/* A link that names no block: the end of a list. */
#define NO_LINK UINT32_MAX

static bool in_range(const struct buddy *b, uint64_t pfn)
{
	return pfn >= b->base_pfn && pfn - b->base_pfn < b->npages;
}

/* The node of the frame at index @i from base_pfn. */
static struct buddy_node *node_at(const struct buddy *b, uint64_t i)
{
	return (struct buddy_node *)(b->nodes + i * b->stride);
}

static struct buddy_node *node_of(const struct buddy *b, uint64_t pfn)
{
	return node_at(b, pfn - b->base_pfn);
}

static uint8_t *meta_of(const struct buddy *b, uint64_t pfn)
{
	return &node_of(b, pfn)->meta;
}

/* Links hold indices from base_pfn; the functions below speak frame numbers. */
static uint32_t to_link(const struct buddy *b, uint64_t pfn)
{
	return pfn == BUDDY_NONE ? NO_LINK : (uint32_t)(pfn - b->base_pfn);
}

static uint64_t from_link(const struct buddy *b, uint32_t link)
{
	return link == NO_LINK ? BUDDY_NONE : b->base_pfn + link;
}

static uint64_t next_of(const struct buddy *b, uint64_t pfn)
{
	return from_link(b, node_of(b, pfn)->next);
}

static uint64_t prev_of(const struct buddy *b, uint64_t pfn)
{
	return from_link(b, node_of(b, pfn)->prev);
}

static void set_next(struct buddy *b, uint64_t pfn, uint64_t next)
{
	node_of(b, pfn)->next = to_link(b, next);
}

static void set_prev(struct buddy *b, uint64_t pfn, uint64_t prev)
{
	node_of(b, pfn)->prev = to_link(b, prev);
}

static bool aligned(uint64_t pfn, unsigned order)
{
	return (pfn & ((1ull << order) - 1)) == 0;
}

/* True when @pfn is in range, aligned and the head of a free block of @order. */
static bool is_free_head(const struct buddy *b, uint64_t pfn, unsigned order)
{
	return in_range(b, pfn) && aligned(pfn, order) && *meta_of(b, pfn) == META_FREE(order);
}

/* Fresh blocks: free blocks of the largest order in [fresh_next, fresh_end), on no list. */
static uint64_t fresh_count(const struct buddy *b)
{
	return (b->fresh_end - b->fresh_next) >> BUDDY_MAX_ORDER;
}

static bool is_fresh(const struct buddy *b, uint64_t pfn)
{
	return pfn >= b->fresh_next && pfn < b->fresh_end;
}

/*
 * A free list whose links are damaged (a stray write into the records)
 * cannot be walked safely. Take every block of that order out of use for
 * good (leaked: neither free nor freeable), so that nothing on or reachable
 * from the list is ever handed out or merged again. O(npages); only on
 * corruption.
 */
static void quarantine(struct buddy *b, unsigned order)
{
	uint64_t fresh = order == BUDDY_MAX_ORDER ? fresh_count(b) : 0;

	for (uint64_t i = 0; i < b->npages; i++)
		if (node_at(b, i)->meta == META_FREE(order) && !is_fresh(b, b->base_pfn + i))
			node_at(b, i)->meta = META_LOST(order);
	b->nfree -= (b->free_blocks[order] - fresh) << order;
	b->free_blocks[order] = fresh;
	b->free_head[order] = BUDDY_NONE;
	b->corruptions++;
}

static void list_push(struct buddy *b, uint64_t pfn, unsigned order)
{
	uint64_t head = b->free_head[order];

	set_next(b, pfn, head);
	set_prev(b, pfn, BUDDY_NONE);
	if (head != BUDDY_NONE)
		set_prev(b, head, pfn);
	b->free_head[order] = pfn;
	b->free_blocks[order]++;
}

/*
 * Take the free block at @pfn off the list of @order. Its neighbours' links
 * are checked first: if they do not point back at @pfn the list is damaged
 * and quarantined, and false is returned.
 */
static bool list_remove(struct buddy *b, uint64_t pfn, unsigned order)
{
	uint64_t next = next_of(b, pfn), prev = prev_of(b, pfn);
	bool ok;

	ok = next == BUDDY_NONE || (is_free_head(b, next, order) && prev_of(b, next) == pfn);
	if (prev == BUDDY_NONE)
		ok = ok && b->free_head[order] == pfn;
	else
		ok = ok && is_free_head(b, prev, order) && next_of(b, prev) == pfn;
	if (!ok) {
		quarantine(b, order);
		return false;
	}
	if (next != BUDDY_NONE)
		set_prev(b, next, prev);
	if (prev != BUDDY_NONE)
		set_next(b, prev, next);
	else
		b->free_head[order] = next;
	b->free_blocks[order]--;
	return true;
}

/* Take the first block off the list of @order, or return BUDDY_NONE. */
static uint64_t list_pop(struct buddy *b, unsigned order)
{
	uint64_t pfn = b->free_head[order];

	if (pfn == BUDDY_NONE)
		return BUDDY_NONE;
	if (!is_free_head(b, pfn, order)) {
		quarantine(b, order);
		return BUDDY_NONE;
	}
	return list_remove(b, pfn, order) ? pfn : BUDDY_NONE;
}

/* Take a free block of @order: from its list, else (largest order) a fresh one. */
static uint64_t take_block(struct buddy *b, unsigned order)
{
	uint64_t pfn = list_pop(b, order);

	if (pfn != BUDDY_NONE || order != BUDDY_MAX_ORDER || !fresh_count(b))
		return pfn;
	pfn = b->fresh_next;
	b->fresh_next += 1ull << BUDDY_MAX_ORDER;
	b->free_blocks[order]--;
	return pfn;
}

/*
 * A free block of the largest order that extends the fresh run (or starts
 * one when there is none) joins it instead of a list. Returns false when it
 * cannot.
 */
static bool add_fresh(struct buddy *b, uint64_t pfn)
{
	if (fresh_count(b) && pfn != b->fresh_end)
		return false;
	if (!fresh_count(b))
		b->fresh_next = pfn;
	b->fresh_end = pfn + (1ull << BUDDY_MAX_ORDER);
	*meta_of(b, pfn) = META_FREE(BUDDY_MAX_ORDER);
	b->free_blocks[BUDDY_MAX_ORDER]++;
	b->nfree += 1ull << BUDDY_MAX_ORDER;
	return true;
}

/*
 * Return the allocated block at @pfn of @order to the free lists, merging it
 * with its buddy for as long as the buddy is a free block of the same order.
 * The caller has validated the block.
 */
static void release(struct buddy *b, uint64_t pfn, unsigned order)
{
	b->nfree += 1ull << order;
	while (order < BUDDY_MAX_ORDER) {
		uint64_t buddy = pfn ^ (1ull << order);

		if (!is_free_head(b, buddy, order) || !list_remove(b, buddy, order))
			break;
		*meta_of(b, buddy) = BUDDY_M_PRESENT;
		*meta_of(b, pfn) = BUDDY_M_PRESENT;
		pfn = pfn < buddy ? pfn : buddy;
		order++;
	}
	*meta_of(b, pfn) = META_FREE(order);
	list_push(b, pfn, order);
}

/* The order of the largest aligned block at @pfn that ends at or before @end. */
static unsigned max_block(uint64_t pfn, uint64_t end)
{
	unsigned order = 0;

	while (order < BUDDY_MAX_ORDER && aligned(pfn, order + 1) && end - pfn >= (2ull << order))
		order++;
	return order;
}

int buddy_init(struct buddy *b, const struct buddy_params *p)
{
	if (!b || !p || (p->npages && !p->nodes) || p->stride < sizeof(struct buddy_node))
		return -EINVAL;
	if (p->base_pfn >= BUDDY_PFN_LIMIT || p->npages > BUDDY_PFN_LIMIT - p->base_pfn ||
	    p->npages > BUDDY_MAX_NPAGES)
		return -EINVAL;
	b->base_pfn = p->base_pfn;
	b->npages = p->npages;
	b->nodes = p->nodes;
	b->stride = p->stride;
	for (unsigned k = 0; k < BUDDY_ORDERS; k++) {
		b->free_head[k] = BUDDY_NONE;
		b->free_blocks[k] = 0;
	}
	b->fresh_next = b->fresh_end = 0;
	b->total = 0;
	b->nfree = 0;
	b->corruptions = 0;
	return 0;
}

/*
 * Mark frames @pfn .. @end - 1 present, in one pass over their records since
 * this runs over every frame of memory at boot. Returns false, with none of
 * them marked, when one was already handed in.
 */
static bool mark_present(struct buddy *b, uint64_t pfn, uint64_t end)
{
	uint8_t *first = meta_of(b, pfn), *m = first;
	uint64_t p;

	for (p = pfn; p < end && *m == 0; p++, m += b->stride)
		*m = BUDDY_M_PRESENT;
	if (p == end)
		return true;
	for (m = first; pfn < p; pfn++, m += b->stride)
		*m = 0;
	return false;
}

int buddy_add_free_range(struct buddy *b, uint64_t pfn, uint64_t count)
{
	uint64_t end = pfn + count;

	if (count == 0)
		return 0;
	if (!in_range(b, pfn) || count > b->npages - (pfn - b->base_pfn))
		return -EINVAL;
	if (!mark_present(b, pfn, end))
		return -EINVAL;
	b->total += count;
	while (pfn < end) {
		unsigned order = max_block(pfn, end);

		if (order < BUDDY_MAX_ORDER || !add_fresh(b, pfn))
			release(b, pfn, order);
		pfn += 1ull << order;
	}
	return 0;
}

uint64_t buddy_alloc(struct buddy *b, unsigned order)
{
	uint64_t pfn = BUDDY_NONE;
	unsigned k;

	if (order > BUDDY_MAX_ORDER)
		return BUDDY_NONE;
	for (k = order; k <= BUDDY_MAX_ORDER && pfn == BUDDY_NONE; k++)
		pfn = take_block(b, k);
	if (pfn == BUDDY_NONE)
		return BUDDY_NONE;
	/* Split: keep the lower half, free the upper half, down to @order. */
	for (k--; k > order; k--) {
		uint64_t upper = pfn + (1ull << (k - 1));

		*meta_of(b, upper) = META_FREE(k - 1);
		list_push(b, upper, k - 1);
	}
	*meta_of(b, pfn) = META_USED(order);
	b->nfree -= 1ull << order;
	return pfn;
}

int buddy_free(struct buddy *b, uint64_t pfn, unsigned order)
{
	if (order > BUDDY_MAX_ORDER || !in_range(b, pfn) || !aligned(pfn, order))
		return -EINVAL;
	if (*meta_of(b, pfn) != META_USED(order))
		return -EINVAL;
	release(b, pfn, order);
	return 0;
}

/* The smallest order whose blocks hold @count frames (1 <= count <= 2^MAX). */
static unsigned order_for(uint64_t count)
{
	unsigned order = 0;

	while ((1ull << order) < count)
		order++;
	return order;
}

uint64_t buddy_alloc_exact(struct buddy *b, uint64_t count)
{
	uint64_t pfn, p, end;
	unsigned order = 0;

	if (count == 0 || count > (1ull << BUDDY_MAX_ORDER))
		return BUDDY_NONE;
	pfn = buddy_alloc(b, order_for(count));
	if (pfn == BUDDY_NONE)
		return BUDDY_NONE;
	end = pfn + (1ull << order_for(count));
	/* The kept part becomes allocated blocks, one per binary digit of @count... */
	for (p = pfn; p < pfn + count; p += 1ull << order) {
		order = max_block(p, pfn + count);
		*meta_of(b, p) = META_USED(order);
	}
	/* ...and the tail goes straight back to the free lists. */
	for (; p < end; p += 1ull << order) {
		order = max_block(p, end);
		release(b, p, order);
	}
	return pfn;
}

int buddy_free_exact(struct buddy *b, uint64_t pfn, uint64_t count)
{
	uint64_t p, end = pfn + count;
	unsigned order = 0;

	if (count == 0 || count > (1ull << BUDDY_MAX_ORDER) || !in_range(b, pfn) ||
	    count > b->npages - (pfn - b->base_pfn))
		return -EINVAL;
	for (p = pfn; p < end; p += 1ull << order) {
		order = max_block(p, end);
		if (*meta_of(b, p) != META_USED(order))
			return -EINVAL;
	}
	for (p = pfn; p < end; p += 1ull << order) {
		order = max_block(p, end);
		release(b, p, order);
	}
	return 0;
}

void buddy_stats(const struct buddy *b, struct buddy_stats *st)
{
	st->total = b->total;
	st->free = b->nfree;
	for (unsigned k = 0; k < BUDDY_ORDERS; k++)
		st->free_blocks[k] = b->free_blocks[k];
	st->corruptions = b->corruptions;
}

bool buddy_is_allocated(const struct buddy *b, uint64_t pfn, unsigned order)
{
	return order <= BUDDY_MAX_ORDER && in_range(b, pfn) && aligned(pfn, order) &&
	       *meta_of(b, pfn) == META_USED(order);
}

bool buddy_is_free(const struct buddy *b, uint64_t pfn)
{
	if (!in_range(b, pfn) || *meta_of(b, pfn) == 0)
		return false;
	/* The first head found going down in alignment is the block holding @pfn. */
	for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++) {
		uint64_t head = pfn & ~((1ull << k) - 1);
		uint8_t m;

		if (!in_range(b, head))
			return false;
		m = *meta_of(b, head);
		if (m & BUDDY_M_HEAD)
			return (m & BUDDY_M_FREE) && (m & BUDDY_M_ORDER) >= k;
	}
	return false;
}

/* Walk the list of @order; returns the number of blocks or BUDDY_NONE if it is broken. */
static uint64_t check_list(const struct buddy *b, unsigned order)
{
	uint64_t n = 0, prev = BUDDY_NONE;

	for (uint64_t p = b->free_head[order]; p != BUDDY_NONE; p = next_of(b, p)) {
		if (n++ > b->free_blocks[order] || !is_free_head(b, p, order) || is_fresh(b, p) ||
		    prev_of(b, p) != prev)
			return BUDDY_NONE;
		prev = p;
	}
	return n;
}

/*
 * Check the block starting at index @i: a well-formed aligned head whose
 * other frames are plain present frames. Returns its order or -1.
 */
static int check_block(const struct buddy *b, uint64_t i)
{
	uint8_t m = node_at(b, i)->meta;
	unsigned order = m & BUDDY_M_ORDER;

	if (!(m & BUDDY_M_PRESENT) || !(m & BUDDY_M_HEAD) || order > BUDDY_MAX_ORDER)
		return -1;
	if ((m & BUDDY_M_FREE) && (m & BUDDY_M_LOST))
		return -1;
	if (!aligned(b->base_pfn + i, order) || (1ull << order) > b->npages - i)
		return -1;
	for (uint64_t j = 1; j < (1ull << order); j++)
		if (node_at(b, i + j)->meta != BUDDY_M_PRESENT)
			return -1;
	return (int)order;
}

int buddy_check(const struct buddy *b)
{
	uint64_t heads[BUDDY_ORDERS] = { 0 }, present = 0, nfree = 0;
	uint64_t i = 0;

	while (i < b->npages) {
		int order;

		if (node_at(b, i)->meta == 0) {
			i++;
			continue;
		}
		order = check_block(b, i);
		if (order < 0)
			return -EINVAL;
		if (node_at(b, i)->meta & BUDDY_M_FREE)
			heads[order]++;
		present += 1ull << order;
		i += 1ull << order;
	}
	for (uint64_t p = b->fresh_next; p < b->fresh_end; p += 1ull << BUDDY_MAX_ORDER)
		if (!is_free_head(b, p, BUDDY_MAX_ORDER))
			return -EINVAL;
	for (unsigned k = 0; k < BUDDY_ORDERS; k++) {
		uint64_t fresh = k == BUDDY_MAX_ORDER ? fresh_count(b) : 0;

		if (heads[k] != b->free_blocks[k] || check_list(b, k) != b->free_blocks[k] - fresh)
			return -EINVAL;
		nfree += b->free_blocks[k] << k;
	}
	return present == b->total && nfree == b->nfree ? 0 : -EINVAL;
}
