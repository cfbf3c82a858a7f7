// SPDX-License-Identifier: MIT
/*
 * The page cache's core (mm/pagecache.h): each mapping indexes its cached
 * pages in a radix tree, every page is on one global LRU, and a page being
 * read in is marked busy so that two tasks wanting it read it once. Also
 * truncation and eviction under memory pressure. Reads and writes are in
 * pagecache_rw.c, writeback in pagecache_wb.c; docs/pagecache.md.
 *
 * Eviction runs inside the frame allocator (any context, perhaps under the
 * heap's lock), so it never sleeps, takes pc_lock only by trylock and frees
 * no heap memory: page records and radix nodes it lets go wait on free
 * lists here until the next allocation reuses them.
 */
#include "mm/pagecache.h"

#include <cairn/errno.h>

#include <arch/page.h>
#include <lib/string.h>

#include "core/kmain.h"
#include "core/log.h"
#include "fs/vfs.h"
#include "mm/heap.h"
#include "mm/pagecache_internal.h"
#include "mm/pmm.h"
#include "sched/task.h"
#include "time/time.h"

/* pagecache_reclaim(): naps while only dirty pages are left, two seconds at most. */
#define PC_RECLAIM_WAIT   (5ull * 1000000)
#define PC_RECLAIM_ROUNDS 400

struct spinlock pc_lock = SPINLOCK_INIT("pagecache");
struct waitq pc_wq = WAITQ_INIT(pc_wq, "pagecache.busy");

static struct list_node pc_lru __guarded_by(&pc_lock) = LIST_INIT(pc_lru);
/* Mappings with dirty pages, by address_space.dirty_link (pagecache_wb.c walks it). */
struct list_node pc_dirty_maps __guarded_by(&pc_lock) = LIST_INIT(pc_dirty_maps);
uint64_t pc_npages, pc_ndirty;
uint64_t pc_stat_reads, pc_stat_writes, pc_stat_evicted, pc_stat_hits, pc_stat_throttled;
uint64_t pc_stat_readahead;

/* Records let go under pc_lock, for reuse: a page's lru link / a node's first slot chains them. */
static struct list_node spare_pages __guarded_by(&pc_lock) = LIST_INIT(spare_pages);
static void *spare_nodes __guarded_by(&pc_lock);

/*
 * lib/radix calls these with pc_lock held, through a callback the analysis
 * cannot follow; hence no thread-safety analysis on the two.
 */
static void *node_alloc(void *ctx) __no_thread_safety_analysis
{
	void *n = spare_nodes;

	(void)ctx;
	if (!n)
		return kmalloc_flags(sizeof(struct radix_node), KM_ZERO | KM_MAY_FAIL);
	spare_nodes = *(void **)n;
	memset(n, 0, sizeof(struct radix_node));
	return n;
}

static void node_free(void *ctx, void *node) __no_thread_safety_analysis
{
	(void)ctx;
	*(void **)node = spare_nodes;
	spare_nodes = node;
}

static const struct radix_alloc pc_nodes = { node_alloc, node_free, NULL };

void mapping_init(struct address_space *m, struct inode *host, const struct address_space_ops *ops)
{
	memset(m, 0, sizeof(*m));
	m->host = host;
	m->ops = ops;
	radix_init(&m->pages);
	list_node_init(&m->dirty_link);
	list_init(&m->users);
}

struct pc_page *pc_lookup_locked(struct address_space *m, uint64_t index)
{
	return (struct pc_page *)(uintptr_t)radix_lookup(&m->pages, index);
}

void pc_set_dirty_locked(struct pc_page *p)
{
	struct address_space *m = p->m;

	p->dirtied_ns = clock_monotonic_ns();
	if (p->flags & PG_DIRTY)
		return;
	p->flags |= PG_DIRTY;
	__atomic_add_fetch(&m->ndirty, 1, __ATOMIC_RELAXED);
	pc_ndirty++;
	if (!list_linked(&m->dirty_link))
		list_add_tail(&pc_dirty_maps, &m->dirty_link);
}

void pc_clear_dirty_locked(struct pc_page *p)
{
	struct address_space *m = p->m;

	if (!(p->flags & PG_DIRTY))
		return;
	p->flags &= ~PG_DIRTY;
	pc_ndirty--;
	if (__atomic_sub_fetch(&m->ndirty, 1, __ATOMIC_RELAXED) == 0)
		list_del(&m->dirty_link);
}

/* Take @p out of its mapping and the LRU; the caller drops the frame and the record. */
static void page_remove_locked(struct pc_page *p) __must_hold(&pc_lock)
{
	pc_clear_dirty_locked(p);
	radix_delete(&p->m->pages, p->index, &pc_nodes);
	list_del(&p->lru);
	__atomic_sub_fetch(&p->m->nrpages, 1, __ATOMIC_RELAXED);
	pc_npages--;
}

/* Drop the frame and keep the record for reuse. Never sleeps, never frees heap memory. */
static void page_release_locked(struct pc_page *p) __must_hold(&pc_lock)
{
	pmm_frame_put(pmm_frame(p->pa));
	list_add_head(&spare_pages, &p->lru);
}

/* One more reference to a cached frame: cannot fail while the cache holds one. */
static void frame_ref(uint64_t pa)
{
	if (pmm_frame_get(pmm_frame(pa)))
		pr_err("pagecache: cached frame %#lx has no reference", (unsigned long)pa);
}

struct wait_ctx {
	struct address_space *m;
	uint64_t index;
};

static bool page_not_busy(void *arg)
{
	struct wait_ctx *w = arg;
	struct pc_page *p;
	bool free;

	spin_lock(&pc_lock);
	p = pc_lookup_locked(w->m, w->index);
	free = !p || !(p->flags & PG_BUSY);
	spin_unlock(&pc_lock);
	return free;
}

void pc_wait_unbusy(struct address_space *m, uint64_t index)
{
	struct wait_ctx w = { m, index };

	/* Without a deadline or WAIT_KILLABLE the wait only ends when the page is free. */
	if (waitq_wait(&pc_wq, page_not_busy, &w, 0, TIME_NEVER))
		pr_err("pagecache: a busy-page wait ended early");
}

/* A page record, from the spares or the heap; NULL without memory. */
static struct pc_page *page_alloc(void)
{
	struct list_node *n;

	spin_lock(&pc_lock);
	n = list_empty(&spare_pages) ? NULL : list_pop_head(&spare_pages);
	spin_unlock(&pc_lock);
	if (n)
		return list_entry(n, struct pc_page, lru);
	return kmalloc_flags(sizeof(struct pc_page), KM_MAY_FAIL);
}

static void page_free(struct pc_page *p)
{
	spin_lock(&pc_lock);
	list_add_head(&spare_pages, &p->lru);
	spin_unlock(&pc_lock);
}

/*
 * Put the new busy page @p in its mapping: 0, -EEXIST (another task was
 * first) or -ENOMEM.
 */
static int page_insert(struct pc_page *p)
{
	int err;

	spin_lock(&pc_lock);
	err = radix_insert(&p->m->pages, p->index, (uint64_t)(uintptr_t)p, &pc_nodes);
	if (!err) {
		list_add_tail(&pc_lru, &p->lru);
		__atomic_add_fetch(&p->m->nrpages, 1, __ATOMIC_RELAXED);
		pc_npages++;
	}
	spin_unlock(&pc_lock);
	return err;
}

/*
 * The busy page @p was filled (@err 0) or could not be: publish or
 * withdraw it. @pa: where to put a reference to the frame; NULL: none
 * (readahead).
 */
static int page_filled(struct pc_page *p, int err, uint64_t *pa)
{
	spin_lock(&pc_lock);
	if (err) {
		page_remove_locked(p);
		page_release_locked(p);
	} else {
		p->flags = PG_UPTODATE;
		if (pa) {
			frame_ref(p->pa);
			*pa = p->pa;
		}
	}
	spin_unlock(&pc_lock);
	waitq_wake_all(&pc_wq);
	return err;
}

/*
 * A new busy page @index in @m with a frame (zeroed if @zero), for the
 * caller to fill: 0, -EAGAIN when another task made it first, -ENOMEM.
 */
static int page_new(struct address_space *m, uint64_t index, bool zero, struct pc_page **out)
{
	struct pc_page *p = page_alloc();
	int err;

	if (!p)
		return -ENOMEM;
	*p = (struct pc_page){ .m = m, .index = index, .flags = PG_BUSY };
	p->pa = pmm_alloc_pages_reclaim(0, zero ? PMM_ZERO : 0);
	if (!p->pa) {
		page_free(p);
		return -ENOMEM;
	}
	err = page_insert(p);
	if (err) {
		pmm_free_pages(p->pa, 0);
		page_free(p);
		return err == -EEXIST ? -EAGAIN : err;
	}
	*out = p;
	return 0;
}

/* Read page @index into a new cache page; -EAGAIN when another task made it first. */
static int page_fill(struct address_space *m, uint64_t index, bool fill, uint64_t *pa)
{
	struct pc_page *p;
	int err = page_new(m, index, !fill, &p);

	if (err)
		return err;
	if (fill && m->ops->readpage) {
		__atomic_add_fetch(&pc_stat_reads, 1, __ATOMIC_RELAXED);
		err = m->ops->readpage(m, index, p->pa);
	} else if (fill) {
		memset(phys_to_virt(p->pa), 0, PAGE_SIZE);
	}
	return page_filled(p, err, pa);
}

uint32_t pc_readahead(struct address_space *m, uint64_t first, uint32_t n)
{
	struct pc_page *v[PC_RA_MAX];
	uint64_t pas[PC_RA_MAX];
	uint32_t k = 0;
	int err;

	if (!m->ops->readpages || m->ops->get_frame)
		return 0;
	if (n > PC_RA_MAX)
		n = PC_RA_MAX;
	spin_lock(&pc_lock);
	k = pc_lookup_locked(m, first) ? n : 0;
	spin_unlock(&pc_lock);
	if (k) /* read ahead already */
		return 0;
	/* The run ends at the first page that is cached or being read already. */
	while (k < n && first + k <= RADIX_MAX_INDEX && !page_new(m, first + k, false, &v[k])) {
		pas[k] = v[k]->pa;
		k++;
	}
	if (!k)
		return 0;
	err = m->ops->readpages(m, first, k, pas);
	if (!err)
		__atomic_add_fetch(&pc_stat_readahead, k, __ATOMIC_RELAXED);
	/* On an error every page is withdrawn; readpage retries them and reports. */
	for (uint32_t i = 0; i < k; i++)
		(void)page_filled(v[i], err, NULL);
	return err ? 0 : k;
}

int pc_get(struct address_space *m, uint64_t index, bool fill, uint64_t *pa)
{
	struct pc_page *p;
	int err;

	if (index > RADIX_MAX_INDEX)
		return -EFBIG;
	for (;;) {
		spin_lock(&pc_lock);
		p = pc_lookup_locked(m, index);
		if (p && !(p->flags & PG_BUSY)) {
			frame_ref(p->pa);
			list_move_tail(&pc_lru, &p->lru);
			*pa = p->pa;
			spin_unlock(&pc_lock);
			__atomic_add_fetch(&pc_stat_hits, 1, __ATOMIC_RELAXED);
			return 0;
		}
		spin_unlock(&pc_lock);
		if (p) {
			pc_wait_unbusy(m, index);
			continue;
		}
		err = page_fill(m, index, fill, pa);
		if (err != -EAGAIN)
			return err;
	}
}

int pagecache_get_page(struct address_space *m, uint64_t index, bool write, uint64_t *pa)
{
	int err;

	if (m->ops->get_frame)
		return m->ops->get_frame(m, index, write, pa);
	if (write && m->ops->prepare_write) {
		err = m->ops->prepare_write(m, index);
		if (err)
			return err;
	}
	return pc_get(m, index, true, pa);
}

int pagecache_peek_page(struct address_space *m, uint64_t index, uint64_t *pa)
{
	struct pc_page *p;
	int err = -ENOENT;

	if (m->ops->get_frame)
		return m->ops->peek_frame ? m->ops->peek_frame(m, index, pa) : -ENOENT;
	spin_lock(&pc_lock);
	p = pc_lookup_locked(m, index);
	if (p && !(p->flags & PG_BUSY)) {
		frame_ref(p->pa);
		*pa = p->pa;
		err = 0;
	}
	spin_unlock(&pc_lock);
	return err;
}

void pagecache_set_dirty(struct address_space *m, uint64_t index)
{
	struct pc_page *p;

	spin_lock(&pc_lock);
	p = pc_lookup_locked(m, index);
	if (p)
		pc_set_dirty_locked(p);
	spin_unlock(&pc_lock);
	pc_throttle();
}

void pc_mkwrite(struct address_space *m, uint64_t index)
{
	struct pc_page *p;

	spin_lock(&pc_lock);
	p = pc_lookup_locked(m, index);
	if (p) {
		pc_set_dirty_locked(p);
		p->flags |= PG_WMAPPED;
	}
	spin_unlock(&pc_lock);
}

/* Drop the first page at or after @from: true if one went (or was waited for). */
static bool drop_one_from(struct address_space *m, uint64_t from)
{
	struct pc_page *p;
	uint64_t index, val;

	spin_lock(&pc_lock);
	if (!radix_next(&m->pages, from, &index, &val)) {
		spin_unlock(&pc_lock);
		return false;
	}
	p = (struct pc_page *)(uintptr_t)val;
	if (p->flags & PG_BUSY) {
		spin_unlock(&pc_lock);
		pc_wait_unbusy(m, index);
		return true;
	}
	page_remove_locked(p);
	page_release_locked(p);
	spin_unlock(&pc_lock);
	return true;
}

/* Zero the bytes of page @index from @off on, if it is cached (waiting while it is busy). */
static void zero_tail(struct address_space *m, uint64_t index, size_t off)
{
	struct pc_page *p;

	for (;;) {
		spin_lock(&pc_lock);
		p = pc_lookup_locked(m, index);
		if (!p || !(p->flags & PG_BUSY))
			break;
		spin_unlock(&pc_lock);
		pc_wait_unbusy(m, index);
	}
	if (p)
		memset((char *)phys_to_virt(p->pa) + off, 0, PAGE_SIZE - off);
	spin_unlock(&pc_lock);
}

void pagecache_truncate(struct address_space *m, int64_t size)
{
	uint64_t from;

	if (size < 0)
		size = 0;
	from = ((uint64_t)size + PAGE_SIZE - 1) / PAGE_SIZE;
	if (!m->ops->get_frame)
		while (drop_one_from(m, from))
			;
	if (size % PAGE_SIZE && !m->ops->get_frame)
		zero_tail(m, (uint64_t)size / PAGE_SIZE, (size_t)size % PAGE_SIZE);
	pagecache_unmap_from(m, from);
}

void mapping_destroy(struct address_space *m)
{
	while (drop_one_from(m, 0))
		;
	spin_lock(&pc_lock);
	if (list_linked(&m->dirty_link))
		list_del(&m->dirty_link);
	spin_unlock(&pc_lock);
}

/* A page nobody but the cache holds, clean and idle: it may go. */
static bool evictable_locked(const struct pc_page *p) __must_hold(&pc_lock)
{
	return !(p->flags & (PG_BUSY | PG_DIRTY)) &&
	       __atomic_load_n(&pmm_frame(p->pa)->refs, __ATOMIC_ACQUIRE) == 1;
}

/*
 * Evict clean idle pages from the LRU's cold end until @bytes went; returns
 * the bytes freed and in *@dirty whether dirty pages were passed over.
 */
static size_t evict_locked(size_t bytes, bool *dirty) __must_hold(&pc_lock)
{
	struct pc_page *p, *tmp;
	size_t freed = 0;

	*dirty = false;
	list_for_each_entry_safe(p, tmp, &pc_lru, lru) {
		if (freed >= bytes)
			break;
		*dirty |= (p->flags & PG_DIRTY) != 0;
		if (!evictable_locked(p))
			continue;
		page_remove_locked(p);
		page_release_locked(p);
		freed += PAGE_SIZE;
		__atomic_add_fetch(&pc_stat_evicted, 1, __ATOMIC_RELAXED);
	}
	return freed;
}

size_t pagecache_shrink(size_t bytes)
{
	size_t freed;
	bool dirty;

	if (!spin_trylock(&pc_lock))
		return 0;
	freed = evict_locked(bytes, &dirty);
	spin_unlock(&pc_lock);
	/* Dirty pages cannot be written from here: the writeback task cleans them for next time. */
	if (dirty && freed < bytes)
		pc_wb_kick();
	return freed;
}

size_t pagecache_reclaim(size_t bytes)
{
	size_t freed = 0;
	bool dirty = true;

	/* Dirty pages become clean as the writeback task gets through them: wait for some. */
	for (unsigned round = 0; !freed && dirty && round < PC_RECLAIM_ROUNDS; round++) {
		if (round) {
			pc_wb_kick();
			task_sleep_ns(PC_RECLAIM_WAIT);
		}
		spin_lock(&pc_lock);
		freed = evict_locked(bytes, &dirty);
		spin_unlock(&pc_lock);
	}
	return freed;
}

/* Give the spare records back to the heap (the writeback task, now and then). */
void pc_trim_spares(void)
{
	struct list_node *n;
	void *node;

	for (;;) {
		spin_lock(&pc_lock);
		n = list_empty(&spare_pages) ? NULL : list_pop_head(&spare_pages);
		node = spare_nodes;
		if (node)
			spare_nodes = *(void **)node;
		spin_unlock(&pc_lock);
		if (!n && !node)
			return;
		if (n)
			kfree(list_entry(n, struct pc_page, lru));
		kfree(node);
	}
}

void pagecache_get_stats(struct pagecache_stats *out)
{
	spin_lock(&pc_lock);
	out->pages = pc_npages;
	out->dirty = pc_ndirty;
	spin_unlock(&pc_lock);
	out->reads = __atomic_load_n(&pc_stat_reads, __ATOMIC_RELAXED);
	out->writes = __atomic_load_n(&pc_stat_writes, __ATOMIC_RELAXED);
	out->evicted = __atomic_load_n(&pc_stat_evicted, __ATOMIC_RELAXED);
	out->hits = __atomic_load_n(&pc_stat_hits, __ATOMIC_RELAXED);
	out->throttled = __atomic_load_n(&pc_stat_throttled, __ATOMIC_RELAXED);
	out->readahead = __atomic_load_n(&pc_stat_readahead, __ATOMIC_RELAXED);
}
