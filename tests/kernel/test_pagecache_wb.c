/* SPDX-License-Identifier: MIT */
/*
 * Kernel tests of the page cache's writeback task and of the cache under
 * several CPUs at once, on the RAM-backed file of pagecache_test.h: the
 * task writes pages once they are older than the expiry; writers past the
 * dirty limit wait while it writes; and tasks reading and writing their
 * own records of one file while another task evicts and syncs all the
 * time each read back exactly what they wrote, on the disk too.
 */
#include "core/random.h"
#include "mm/pmm.h"
#include "pagecache_test.h"
#include "time/time.h"

/*
 * Wait up to @ms for @rf to have seen @n writepage calls and, when @clean,
 * to have no dirty page left (the cache marks a page clean after writepage
 * returns).
 */
static bool wait_writes(struct ramfile *rf, unsigned n, bool clean, unsigned ms)
{
	for (unsigned i = 0; i <= ms / 10; i++) {
		if (__atomic_load_n(&rf->writes, __ATOMIC_ACQUIRE) >= n &&
		    (!clean || __atomic_load_n(&rf->m.ndirty, __ATOMIC_ACQUIRE) == 0))
			return true;
		task_sleep_ns(10 * 1000 * 1000);
	}
	return false;
}

TEST(pagecache_wb, task_writes_expired_pages)
{
	struct ramfile *rf = rf_new(4 * 4096, 1);

	/* Look every 20 ms; a page is old after 1 ms. */
	pagecache_wb_tune(20 * 1000 * 1000, 1000 * 1000, 0, 0);
	EXPECT_EQ(rf_pwrite(rf, "expire", 6, 4096), 6);
	EXPECT_TRUE(wait_writes(rf, 1, true, 5000));
	EXPECT_EQ(memcmp(rf->disk + 4096, "expire", 6), 0);
	EXPECT_EQ(rf->m.ndirty, 0);
	pagecache_wb_tune(0, 0, 0, 0);
	rf_free(rf);
}

TEST(pagecache_wb, young_pages_wait_for_their_expiry)
{
	struct ramfile *rf = rf_new(4 * 4096, 1);

	/* Every 20 ms, but pages expire after an hour: nothing is written. */
	pagecache_wb_tune(20 * 1000 * 1000, 3600ull * 1000 * 1000 * 1000, 0, 0);
	EXPECT_EQ(rf_pwrite(rf, "young", 5, 0), 5);
	task_sleep_ns(200 * 1000 * 1000);
	EXPECT_EQ(rf->writes, 0);
	EXPECT_EQ(rf->m.ndirty, 1);
	pagecache_wb_tune(0, 0, 0, 0);
	EXPECT_EQ(pagecache_sync_all(true), 0);
	EXPECT_EQ(rf->writes, 1);
	rf_free(rf);
}

TEST(pagecache_wb, writers_wait_past_the_dirty_limit)
{
	struct ramfile *rf = rf_new(RF_PAGES * 4096, 2);
	static uint8_t big[RF_PAGES * 4096];
	struct pagecache_stats st0, st1;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 11);
	rf->write_wait = 2 * 1000 * 1000; /* a slow disk: 2 ms a page */
	pagecache_get_stats(&st0);
	pagecache_wb_tune(0, 0, 4, 8);
	EXPECT_EQ(rf_pwrite(rf, big, sizeof(big), 0), sizeof(big));
	pagecache_get_stats(&st1);
	EXPECT_TRUE(st1.throttled > st0.throttled);
	/* The throttled writer kicked the task: it writes (a loaded host may make it late). */
	EXPECT_TRUE(wait_writes(rf, 1, false, 5000));
	pagecache_wb_tune(0, 0, 0, 0);
	EXPECT_EQ(generic_file_fsync(&rf->f, false), 0);
	EXPECT_EQ(memcmp(rf->disk, big, sizeof(big)), 0);
	rf_free(rf);
}

#define STRESS_TASKS  4
#define STRESS_ROUNDS 400
#define STRESS_REC    16 /* bytes of one record; task t owns records t, t + 4, t + 8... */

struct stress {
	struct ramfile *rf;
	unsigned id;
	bool stop;                                                 /* [a] for the evictor */
	uint8_t mine[RF_PAGES * 4096 / STRESS_REC / STRESS_TASKS]; /* last value of each record */
};

static int stress_rw(void *arg)
{
	struct stress *st = arg;
	uint8_t rec[STRESS_REC], back[STRESS_REC];
	size_t nrec = sizeof(st->mine);

	for (unsigned r = 0; r < STRESS_ROUNDS; r++) {
		size_t k = (size_t)random_u64() % nrec;
		int64_t at = (int64_t)((k * STRESS_TASKS + st->id) * STRESS_REC);

		if (r % 3) {
			st->mine[k] = (uint8_t)(r + 1);
			memset(rec, st->mine[k], sizeof(rec));
			if (rf_pwrite(st->rf, rec, sizeof(rec), at) != STRESS_REC)
				return 1;
		} else if (rf_pread(st->rf, back, sizeof(back), at) != STRESS_REC) {
			return 2;
		} else {
			for (size_t i = 0; i < sizeof(back); i++)
				if (back[i] !=
				    (st->mine[k] ? st->mine[k] : (uint8_t)((at + i) * 13)))
					return 3;
		}
	}
	return 0;
}

static int stress_evict(void *arg)
{
	struct stress *st = arg;

	while (!__atomic_load_n(&st->stop, __ATOMIC_ACQUIRE)) {
		pagecache_shrink(1ull << 30);
		if (pagecache_sync_all(true))
			return 1;
		task_yield();
	}
	return 0;
}

TEST(pagecache_wb, tasks_on_every_cpu_read_what_they_wrote)
{
	static struct stress st[STRESS_TASKS + 1];
	struct ramfile *rf = rf_new(RF_PAGES * 4096, 0);
	struct task_handle h[STRESS_TASKS + 1];
	struct task_result res;

	memset(st, 0, sizeof(st));
	for (unsigned t = 0; t <= STRESS_TASKS; t++) {
		st[t].rf = rf;
		st[t].id = t;
		EXPECT_EQ(task_spawn(&h[t], "pc-stress",
		                     t < STRESS_TASKS ? stress_rw : stress_evict, &st[t]),
		          0);
	}
	for (unsigned t = 0; t < STRESS_TASKS; t++) {
		EXPECT_EQ(task_join(h[t], &res), 0);
		EXPECT_EQ(res.value, 0);
	}
	__atomic_store_n(&st[STRESS_TASKS].stop, true, __ATOMIC_RELEASE);
	EXPECT_EQ(task_join(h[STRESS_TASKS], &res), 0);
	EXPECT_EQ(res.value, 0);
	EXPECT_EQ(generic_file_fsync(&rf->f, false), 0);
	for (unsigned t = 0; t < STRESS_TASKS; t++)
		for (size_t k = 0; k < sizeof(st[t].mine); k++) {
			size_t at = (k * STRESS_TASKS + t) * STRESS_REC;

			if (st[t].mine[k])
				EXPECT_EQ(rf->disk[at + STRESS_REC - 1], st[t].mine[k]);
			else
				EXPECT_EQ(rf->disk[at], (uint8_t)(at * 13));
		}
	rf_free(rf);
}
