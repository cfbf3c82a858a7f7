// SPDX-License-Identifier: MIT
/*
 * Writeback of the page cache: pages of a range (fsync, msync), of every
 * file (sync), and the writeback task, which wakes every 5 s and writes the
 * pages that have been dirty for 30 s (Linux's dirty_writeback_centisecs
 * and dirty_expire_centisecs defaults), or everything at once when the
 * dirty pages pass the background limit. Writers that dirty pages past
 * the hard limit wait for it (throttling), as balance_dirty_pages() does.
 */
#include <cairn/errno.h>

#include <arch/page.h>

#include "core/log.h"
#include "fs/vfs.h"
#include "mm/pagecache.h"
#include "mm/pagecache_internal.h"
#include "mm/pmm.h"
#include "sched/task.h"
#include "time/time.h"

#define WB_PERIOD_NS    (5ull * 1000000000)  /* how often the task looks */
#define WB_EXPIRE_NS    (30ull * 1000000000) /* how old a dirty page gets before it goes */
#define WB_SNAPSHOT     32                   /* mappings taken per pass */
#define THROTTLE_WAIT   (10ull * 1000000)    /* a throttled writer's nap */
#define THROTTLE_ROUNDS 100                  /* at most a second of naps per write */

static struct waitq wb_wq = WAITQ_INIT(wb_wq, "pagecache.wb");
static bool wb_kicked;                     /* [a] someone wants everything written now */
static bool wb_retuned;                    /* [a] the period changed: start waiting again */
static uint64_t wb_limit_bg;               /* [a] dirty pages that start writeback at once */
static uint64_t wb_limit;                  /* [a] dirty pages past which writers wait */
static uint64_t wb_period = WB_PERIOD_NS;  /* [a] how often the task looks */
static uint64_t wb_expire = WB_EXPIRE_NS;  /* [a] how old a dirty page may get */
static uint64_t wb_default_bg, wb_default; /* [I] the limits pagecache_init() chose */

/* Take a reference to @ino unless it is already dying (its count reached 0). */
static bool inode_tryget(struct inode *ino)
{
	int r = __atomic_load_n(&ino->refs, __ATOMIC_RELAXED);

	do {
		if (r <= 0)
			return false;
	} while (!__atomic_compare_exchange_n(&ino->refs, &r, r + 1, true, __ATOMIC_ACQUIRE,
	                                      __ATOMIC_RELAXED));
	return true;
}

/*
 * Write the busy page @p (its dirty flag already cleared) and let it go.
 * A page mapped writable may change under the write: it stays dirty while
 * anyone maps it, so no change is ever lost (docs/pagecache.md).
 */
static int write_one(struct address_space *m, struct pc_page *p)
{
	int64_t size = __atomic_load_n(&m->host->size, __ATOMIC_ACQUIRE);
	int64_t at = (int64_t)(p->index * PAGE_SIZE);
	int err = 0;

	if (at < size && m->ops->writepage) {
		uint32_t len = size - at >= (int64_t)PAGE_SIZE ? PAGE_SIZE : (uint32_t)(size - at);

		__atomic_add_fetch(&pc_stat_writes, 1, __ATOMIC_RELAXED);
		err = m->ops->writepage(m, p->index, p->pa, len);
	}
	spin_lock(&pc_lock);
	p->flags &= ~PG_BUSY;
	if ((p->flags & PG_WMAPPED) &&
	    __atomic_load_n(&pmm_frame(p->pa)->refs, __ATOMIC_ACQUIRE) > 1)
		pc_set_dirty_locked(p);
	else
		p->flags &= ~PG_WMAPPED;
	spin_unlock(&pc_lock);
	waitq_wake_all(&pc_wq);
	if (err) {
		__atomic_store_n(&m->wb_error, err, __ATOMIC_RELEASE);
		pr_err("pagecache: writing page %lu of inode %lu failed: %d",
		       (unsigned long)p->index, (unsigned long)m->host->ino, err);
	}
	return err;
}

/* The pages [@first, @last] of @m dirtied before @before: written back, the first error. */
static int writeback_range(struct address_space *m, uint64_t first, uint64_t last, bool wait,
                           uint64_t before)
{
	uint64_t idx = first, i, val;
	struct pc_page *p;
	int err = 0, e;

	while (idx <= last) {
		spin_lock(&pc_lock);
		if (!radix_next(&m->pages, idx, &i, &val) || i > last) {
			spin_unlock(&pc_lock);
			break;
		}
		p = (struct pc_page *)(uintptr_t)val;
		idx = i + 1;
		if (p->flags & PG_BUSY) {
			spin_unlock(&pc_lock);
			/* Wait for a write in flight, then look at the page again. */
			if (wait) {
				pc_wait_unbusy(m, i);
				idx = i;
			}
			continue;
		}
		if (!(p->flags & PG_DIRTY) || p->dirtied_ns > before) {
			spin_unlock(&pc_lock);
			continue;
		}
		p->flags |= PG_BUSY;
		pc_clear_dirty_locked(p);
		spin_unlock(&pc_lock);
		e = write_one(m, p);
		if (e && !err)
			err = e;
	}
	return err;
}

int pagecache_writeback(struct address_space *m, int64_t start, int64_t end, bool wait)
{
	uint64_t first, last;

	if (m->ops->get_frame || start < 0 || (end >= 0 && end <= start))
		return 0;
	first = (uint64_t)start / PAGE_SIZE;
	last = end < 0 ? RADIX_MAX_INDEX : ((uint64_t)end - 1) / PAGE_SIZE;
	return writeback_range(m, first, last, wait, UINT64_MAX);
}

/*
 * Up to WB_SNAPSHOT dirty mappings, each with a reference to its inode,
 * moved to the end of the list so the next pass starts with the others.
 */
static unsigned snapshot(struct address_space **out)
{
	struct address_space *m, *tmp;
	unsigned n = 0, seen = 0, total = 0;

	spin_lock(&pc_lock);
	list_for_each_entry(m, &pc_dirty_maps, dirty_link)
		total++;
	list_for_each_entry_safe(m, tmp, &pc_dirty_maps, dirty_link) {
		if (n == WB_SNAPSHOT || seen++ == total)
			break;
		list_move_tail(&pc_dirty_maps, &m->dirty_link);
		if (inode_tryget(m->host))
			out[n++] = m;
	}
	spin_unlock(&pc_lock);
	return n;
}

static unsigned dirty_mappings(void)
{
	struct address_space *m;
	unsigned n = 0;

	spin_lock(&pc_lock);
	list_for_each_entry(m, &pc_dirty_maps, dirty_link)
		n++;
	spin_unlock(&pc_lock);
	return n;
}

/* Write back what was dirtied before @before in every mapping. First error or 0. */
static int writeback_all(uint64_t before)
{
	struct address_space *maps[WB_SNAPSHOT];
	unsigned total = dirty_mappings(), done = 0, n, i;
	int err = 0, e;

	while (done < total && (n = snapshot(maps))) {
		for (i = 0; i < n; i++) {
			e = writeback_range(maps[i], 0, RADIX_MAX_INDEX, true, before);
			if (e && !err)
				err = e;
			inode_put(maps[i]->host);
		}
		done += n;
	}
	return err;
}

int pagecache_sync_all(bool wait)
{
	(void)wait; /* writepage is synchronous: every write has ended when it returns */
	return writeback_all(UINT64_MAX);
}

void pc_wb_kick(void)
{
	__atomic_store_n(&wb_kicked, true, __ATOMIC_RELEASE);
	waitq_wake_all(&wb_wq);
}

static uint64_t dirty_now(void)
{
	return __atomic_load_n(&pc_ndirty, __ATOMIC_RELAXED);
}

static uint64_t load(const uint64_t *v)
{
	return __atomic_load_n(v, __ATOMIC_RELAXED);
}

void pc_throttle(void)
{
	uint64_t bg = load(&wb_limit_bg), limit = load(&wb_limit);
	unsigned round;

	if (!limit || dirty_now() <= bg)
		return;
	pc_wb_kick();
	if (dirty_now() <= limit)
		return;
	__atomic_add_fetch(&pc_stat_throttled, 1, __ATOMIC_RELAXED);
	for (round = 0; round < THROTTLE_ROUNDS && dirty_now() > limit; round++)
		task_sleep_ns(THROTTLE_WAIT);
}

static bool wb_wanted(void *arg)
{
	(void)arg;
	return __atomic_load_n(&wb_kicked, __ATOMIC_ACQUIRE) ||
	       __atomic_load_n(&wb_retuned, __ATOMIC_ACQUIRE);
}

static int wb_task(void *arg)
{
	uint64_t deadline, now, expire;
	bool kicked;

	(void)arg;
	for (;;) {
		/* A timeout is the periodic pass; a kick or a new period ends the wait early. */
		deadline = clock_monotonic_ns() + load(&wb_period);
		if (waitq_wait(&wb_wq, wb_wanted, NULL, 0, deadline) == 0 &&
		    __atomic_exchange_n(&wb_retuned, false, __ATOMIC_ACQ_REL) &&
		    !__atomic_load_n(&wb_kicked, __ATOMIC_ACQUIRE))
			continue;
		kicked = __atomic_exchange_n(&wb_kicked, false, __ATOMIC_ACQ_REL);
		now = clock_monotonic_ns();
		expire = load(&wb_expire);
		/* A kick (too many dirty pages, memory pressure) writes everything. */
		if (kicked)
			(void)writeback_all(UINT64_MAX);
		else if (now > expire)
			(void)writeback_all(now - expire);
		pc_trim_spares();
	}
	return 0;
}

void pagecache_init(void)
{
	struct pmm_stats st;
	struct task_handle h;

	pmm_stats(&st);
	/* Linux's defaults: background writeback at 10% of memory, writers wait at 20%. */
	wb_default_bg = st.total / PAGE_SIZE / 10;
	wb_default = st.total / PAGE_SIZE / 5;
	pagecache_wb_tune(0, 0, 0, 0);
	if (pmm_register_shrinker(pagecache_shrink))
		pr_err("pagecache: no room for the shrinker: the cache cannot be evicted");
	if (pmm_register_reclaimer(pagecache_reclaim))
		pr_err("pagecache: no room for the reclaimer: faults fail when the cache is busy");
	if (task_spawn(&h, "pc-writeback", wb_task, NULL)) {
		pr_err("pagecache: no writeback task: dirty pages wait for sync");
		return;
	}
	(void)task_drop(h);
}

void pagecache_wb_tune(uint64_t period_ns, uint64_t expire_ns, uint64_t bg_pages,
                       uint64_t limit_pages)
{
	__atomic_store_n(&wb_period, period_ns ? period_ns : WB_PERIOD_NS, __ATOMIC_RELAXED);
	__atomic_store_n(&wb_expire, expire_ns ? expire_ns : WB_EXPIRE_NS, __ATOMIC_RELAXED);
	__atomic_store_n(&wb_limit_bg, bg_pages ? bg_pages : wb_default_bg, __ATOMIC_RELAXED);
	__atomic_store_n(&wb_limit, limit_pages ? limit_pages : wb_default, __ATOMIC_RELAXED);
	/* A shorter period starts now. */
	__atomic_store_n(&wb_retuned, true, __ATOMIC_RELEASE);
	waitq_wake_all(&wb_wq);
}
