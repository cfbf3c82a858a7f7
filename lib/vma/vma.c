// SPDX-License-Identifier: MIT
/*
 * The region map of lib/vma (see vma.h): a sorted singly linked list of
 * regions. Every change first takes the records it may need from the
 * caller's allocator, so an allocation failure leaves the map as it was,
 * then edits the list, then merges touching regions with equal attributes
 * and gives back the records it did not use. Address spaces hold tens of
 * regions, so a list walk is cheaper than keeping a tree balanced.
 */
#include <cairn/errno.h>

#include <lib/vma/vma.h>

/* A change needs at most two new records: one region split in three. */
#define VMA_SPARES 2

struct vma_spares {
	struct vma *rec[VMA_SPARES];
	int n;
};

int vma_map_init(struct vma_map *m, uint64_t lo, uint64_t hi, uint64_t granule,
                 const struct vma_ops *ops)
{
	if (!granule || (granule & (granule - 1)) || (lo & (granule - 1)) || (hi & (granule - 1)) ||
	    lo >= hi || !ops || !ops->alloc || !ops->free)
		return -EINVAL;
	m->head = NULL;
	m->lo = lo;
	m->hi = hi;
	m->granule = granule;
	m->count = 0;
	m->bytes = 0;
	m->ops = ops;
	return 0;
}

/* Give back a record that was in the map, with its file reference. */
static void rec_free(const struct vma_map *m, struct vma *v)
{
	if (v->file && m->ops->file_put)
		m->ops->file_put(m->ops->ctx, v->file);
	m->ops->free(m->ops->ctx, v);
}

static void rec_file_get(const struct vma_map *m, const struct vma *v)
{
	if (v->file && m->ops->file_get)
		m->ops->file_get(m->ops->ctx, v->file);
}

void vma_map_clear(struct vma_map *m)
{
	struct vma *v = m->head, *next;

	for (; v; v = next) {
		next = v->next;
		rec_free(m, v);
	}
	m->head = NULL;
	m->count = 0;
	m->bytes = 0;
}

struct vma *vma_find_from(const struct vma_map *m, uint64_t addr)
{
	struct vma *v;

	for (v = m->head; v; v = v->next)
		if (v->end > addr)
			return v;
	return NULL;
}

struct vma *vma_find(const struct vma_map *m, uint64_t addr)
{
	struct vma *v = vma_find_from(m, addr);

	return v && v->start <= addr ? v : NULL;
}

bool vma_overlaps(const struct vma_map *m, uint64_t start, uint64_t end)
{
	struct vma *v = vma_find_from(m, start);

	return v && v->start < end;
}

uint64_t vma_bytes_in(const struct vma_map *m, uint64_t start, uint64_t end)
{
	uint64_t total = 0, lo, hi;
	struct vma *v;

	for (v = vma_find_from(m, start); v && v->start < end; v = v->next) {
		lo = v->start > start ? v->start : start;
		hi = v->end < end ? v->end : end;
		total += hi - lo;
	}
	return total;
}

bool vma_covered(const struct vma_map *m, uint64_t start, uint64_t end)
{
	return start < end && vma_bytes_in(m, start, end) == end - start;
}

/* True if [@start, @end) is a non-empty, aligned range inside the map. */
static bool range_ok(const struct vma_map *m, uint64_t start, uint64_t end)
{
	uint64_t mask = m->granule - 1;

	return start < end && !(start & mask) && !(end & mask) && start >= m->lo && end <= m->hi;
}

static int spares_take(const struct vma_map *m, struct vma_spares *sp, int n)
{
	for (sp->n = 0; sp->n < n; sp->n++) {
		sp->rec[sp->n] = m->ops->alloc(m->ops->ctx);
		if (!sp->rec[sp->n])
			goto out_give_back;
	}
	return 0;
out_give_back:
	while (sp->n > 0)
		m->ops->free(m->ops->ctx, sp->rec[--sp->n]);
	return -ENOMEM;
}

static struct vma *spares_pop(struct vma_spares *sp)
{
	return sp->rec[--sp->n];
}

static void spares_give_back(const struct vma_map *m, struct vma_spares *sp)
{
	while (sp->n > 0)
		m->ops->free(m->ops->ctx, sp->rec[--sp->n]);
}

/* Cut @v in two at @at (strictly inside it); the upper half is a spare record. */
static void split(struct vma_map *m, struct vma *v, uint64_t at, struct vma_spares *sp)
{
	struct vma *r = spares_pop(sp);

	*r = *v;
	r->start = at;
	r->pgoff += (at - v->start) / m->granule;
	rec_file_get(m, r);
	v->end = at;
	v->next = r;
	m->count++;
}

/* Take [@start, @end) out of every region; a region covering more is split. */
static void carve(struct vma_map *m, uint64_t start, uint64_t end, struct vma_spares *sp)
{
	struct vma **pp = &m->head, *v;

	while ((v = *pp) && v->start < end) {
		if (v->end <= start) {
			pp = &v->next;
			continue;
		}
		if (v->start < start && v->end > end)
			split(m, v, end, sp);
		if (v->start < start) {
			m->bytes -= v->end - start;
			v->end = start;
			pp = &v->next;
		} else if (v->end > end) {
			m->bytes -= end - v->start;
			v->pgoff += (end - v->start) / m->granule;
			v->start = end;
			pp = &v->next;
		} else {
			m->bytes -= v->end - v->start;
			*pp = v->next;
			m->count--;
			rec_free(m, v);
		}
	}
}

/* Whether @a and the region @b right above it could be one region. */
static bool same_attrs(const struct vma_map *m, const struct vma *a, const struct vma *b)
{
	if (a->prot != b->prot || a->flags != b->flags || a->kind != b->kind || a->file != b->file)
		return false;
	return !a->file || b->pgoff == a->pgoff + (a->end - a->start) / m->granule;
}

/* Merge touching regions with equal attributes whose boundary is in [@start, @end]. */
static void merge_range(struct vma_map *m, uint64_t start, uint64_t end)
{
	struct vma *v = m->head, *n;

	while (v && (n = v->next)) {
		if (v->end == n->start && v->end >= start && v->end <= end && same_attrs(m, v, n)) {
			v->end = n->end;
			v->next = n->next;
			m->count--;
			rec_free(m, n);
			continue;
		}
		if (v->start > end)
			break;
		v = n;
	}
}

/* Link a new region [@start, @end) into the (free) place it belongs. */
static void link_new(struct vma_map *m, struct vma *r, uint64_t start, uint64_t end)
{
	struct vma **pp = &m->head;

	while (*pp && (*pp)->start < start)
		pp = &(*pp)->next;
	r->start = start;
	r->end = end;
	r->next = *pp;
	*pp = r;
	m->count++;
	m->bytes += end - start;
}

/* vma_set() and vma_insert(): @replace says whether existing regions may go. */
static int place(struct vma_map *m, uint64_t start, uint64_t end, const struct vma *attrs,
                 bool replace)
{
	struct vma_spares sp;
	struct vma *r;

	if (!range_ok(m, start, end))
		return -EINVAL;
	if (!replace && vma_overlaps(m, start, end))
		return -EEXIST;
	if (spares_take(m, &sp, VMA_SPARES))
		return -ENOMEM;
	carve(m, start, end, &sp);
	r = spares_pop(&sp);
	r->prot = attrs->prot;
	r->flags = attrs->flags;
	r->kind = attrs->kind;
	r->file = attrs->file;
	r->pgoff = attrs->file ? attrs->pgoff : 0;
	rec_file_get(m, r);
	link_new(m, r, start, end);
	merge_range(m, start, end);
	spares_give_back(m, &sp);
	return 0;
}

int vma_set_attrs(struct vma_map *m, uint64_t start, uint64_t end, const struct vma *attrs)
{
	return place(m, start, end, attrs, true);
}

int vma_insert_attrs(struct vma_map *m, uint64_t start, uint64_t end, const struct vma *attrs)
{
	return place(m, start, end, attrs, false);
}

int vma_set(struct vma_map *m, uint64_t start, uint64_t end, uint32_t prot, uint32_t flags,
            uint32_t kind)
{
	struct vma attrs = { .prot = prot, .flags = flags, .kind = kind };

	return place(m, start, end, &attrs, true);
}

int vma_insert(struct vma_map *m, uint64_t start, uint64_t end, uint32_t prot, uint32_t flags,
               uint32_t kind)
{
	struct vma attrs = { .prot = prot, .flags = flags, .kind = kind };

	return place(m, start, end, &attrs, false);
}

int vma_remove(struct vma_map *m, uint64_t start, uint64_t end)
{
	struct vma_spares sp;

	if (!range_ok(m, start, end))
		return -EINVAL;
	if (!vma_overlaps(m, start, end))
		return 0;
	if (spares_take(m, &sp, 1))
		return -ENOMEM;
	carve(m, start, end, &sp);
	spares_give_back(m, &sp);
	return 0;
}

int vma_protect(struct vma_map *m, uint64_t start, uint64_t end, uint32_t prot)
{
	struct vma_spares sp;
	struct vma *v;

	if (!range_ok(m, start, end))
		return -EINVAL;
	if (!vma_covered(m, start, end))
		return -ENOMEM;
	if (spares_take(m, &sp, VMA_SPARES))
		return -ENOMEM;
	for (v = vma_find_from(m, start); v && v->start < end; v = v->next) {
		if (v->prot == prot)
			continue;
		if (v->start < start) {
			split(m, v, start, &sp);
			continue; /* the upper half comes next */
		}
		if (v->end > end)
			split(m, v, end, &sp);
		v->prot = prot;
	}
	merge_range(m, start, end);
	spares_give_back(m, &sp);
	return 0;
}

/* Consider the gap [@gs, @ge) clipped to [@lo, @hi) for vma_find_gap(). */
static void gap_try(uint64_t gs, uint64_t ge, uint64_t lo, uint64_t hi, uint64_t size,
                    bool top_down, uint64_t *best, bool *found)
{
	gs = gs > lo ? gs : lo;
	ge = ge < hi ? ge : hi;
	if (gs >= ge || ge - gs < size)
		return;
	if (!*found || top_down)
		*best = top_down ? ge - size : gs;
	*found = true;
}

int vma_find_gap(const struct vma_map *m, uint64_t size, uint64_t lo, uint64_t hi, bool top_down,
                 uint64_t *out)
{
	uint64_t prev_end = m->lo, best = 0;
	bool found = false;
	struct vma *v;

	if (!size || (size & (m->granule - 1)))
		return -EINVAL;
	lo = lo > m->lo ? lo : m->lo;
	hi = hi < m->hi ? hi : m->hi;
	lo = (lo + m->granule - 1) & ~(m->granule - 1);
	hi &= ~(m->granule - 1);
	for (v = m->head; v && !(found && !top_down); v = v->next) {
		gap_try(prev_end, v->start, lo, hi, size, top_down, &best, &found);
		prev_end = v->end;
	}
	if (!(found && !top_down))
		gap_try(prev_end, m->hi, lo, hi, size, top_down, &best, &found);
	if (!found)
		return -ENOMEM;
	*out = best;
	return 0;
}

int vma_check(const struct vma_map *m)
{
	uint64_t mask = m->granule - 1, bytes = 0, prev_end = m->lo;
	const struct vma *v, *prev = NULL;
	size_t count = 0;

	for (v = m->head; v; prev = v, v = v->next) {
		if (v->start >= v->end || (v->start & mask) || (v->end & mask))
			return -EINVAL;
		if (v->start < prev_end || v->end > m->hi)
			return -EINVAL;
		if (prev && prev->end == v->start && same_attrs(m, prev, v))
			return -EINVAL;
		prev_end = v->end;
		bytes += v->end - v->start;
		count++;
	}
	return count == m->count && bytes == m->bytes ? 0 : -EINVAL;
}
