/* SPDX-License-Identifier: MIT */
/*
 * Kernel tests of the page cache on a RAM-backed file (pagecache_test.h):
 * a page is read once and then served from the cache, even to two tasks
 * asking at the same moment; writes dirty pages that writeback, fsync and
 * sync put on the "disk"; truncation drops pages and zeroes the tail;
 * a writeback error reaches fsync once; and clean pages are evicted under
 * memory pressure, by a direct shrink and by a real squeeze of the frame
 * allocator.
 */
#include "mm/pmm.h"
#include "pagecache_test.h"

static uint8_t pc_buf[3 * 4096 + 300], pc_back[3 * 4096 + 300];

static uint8_t rf_byte(size_t i, unsigned seed)
{
	return (uint8_t)(i * 13 + seed);
}

TEST(pagecache, read_comes_from_disk_once)
{
	struct ramfile *rf = rf_new(sizeof(pc_buf), 3);

	EXPECT_EQ(rf_pread(rf, pc_back, sizeof(pc_back), 0), sizeof(pc_back));
	for (size_t i = 0; i < sizeof(pc_back); i++)
		EXPECT_EQ(pc_back[i], rf_byte(i, 3));
	EXPECT_EQ(rf->reads, 4);
	EXPECT_EQ(rf->m.nrpages, 4);
	/* Again, and a read that runs past the end: no disk reads, short at the end. */
	EXPECT_EQ(rf_pread(rf, pc_back, sizeof(pc_back), 0), sizeof(pc_back));
	EXPECT_EQ(rf_pread(rf, pc_back, 500, sizeof(pc_buf) - 100), 100);
	EXPECT_EQ(rf_pread(rf, pc_back, 10, sizeof(pc_buf)), 0);
	EXPECT_EQ(rf->reads, 4);
	rf_free(rf);
}

struct race {
	struct ramfile *rf;
	uint8_t got[16];
};

static int race_reader(void *arg)
{
	struct race *r = arg;

	return rf_pread(r->rf, r->got, sizeof(r->got), 4096 + 8) == sizeof(r->got) ? 0 : 1;
}

TEST(pagecache, two_tasks_read_a_page_once)
{
	struct ramfile *rf = rf_new(8 * 4096, 9);
	struct race r[4];
	struct task_handle h[4];
	struct task_result res;

	rf->read_wait = 20 * 1000 * 1000; /* 20 ms in readpage: the others come while it reads */
	for (int i = 0; i < 4; i++) {
		r[i].rf = rf;
		EXPECT_EQ(task_spawn(&h[i], "pc-race", race_reader, &r[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		EXPECT_EQ(task_join(h[i], &res), 0);
		EXPECT_EQ(res.value, 0);
		for (int k = 0; k < 16; k++)
			EXPECT_EQ(r[i].got[k], rf_byte(4096 + 8 + (size_t)k, 9));
	}
	EXPECT_EQ(rf->reads, 1);
	rf_free(rf);
}

TEST(pagecache, write_dirties_and_writeback_cleans)
{
	struct ramfile *rf = rf_new(2 * 4096, 1);

	for (size_t i = 0; i < sizeof(pc_buf); i++)
		pc_buf[i] = (uint8_t)(i * 5 + 77);
	/* Starts inside page 0 (read first: it holds file bytes) and grows the file. */
	EXPECT_EQ(rf_pwrite(rf, pc_buf, sizeof(pc_buf), 100), sizeof(pc_buf));
	EXPECT_EQ(rf->ino.size, 100 + sizeof(pc_buf));
	EXPECT_EQ(rf->reads, 1); /* only page 0: page 1 is overwritten whole, 2 and 3 are new */
	EXPECT_EQ(rf->m.ndirty, 4);
	EXPECT_TRUE(rf->prepares >= 4);
	EXPECT_EQ(rf->writes, 0);
	/* A range writes only its pages. */
	EXPECT_EQ(pagecache_writeback(&rf->m, 4096, 8192, true), 0);
	EXPECT_EQ(rf->writes, 1);
	EXPECT_EQ(rf->m.ndirty, 3);
	EXPECT_EQ(generic_file_fsync(&rf->f, false), 0);
	EXPECT_EQ(rf->writes, 4);
	EXPECT_EQ(rf->m.ndirty, 0);
	for (size_t i = 0; i < 100; i++)
		EXPECT_EQ(rf->disk[i], rf_byte(i, 1));
	EXPECT_EQ(memcmp(rf->disk + 100, pc_buf, sizeof(pc_buf)), 0);
	/* Clean pages are not written again. */
	EXPECT_EQ(pagecache_sync_all(true), 0);
	EXPECT_EQ(rf->writes, 4);
	rf_free(rf);
}

TEST(pagecache, sync_all_writes_every_file)
{
	struct ramfile *a = rf_new(4096, 1), *b = rf_new(4096, 2);

	EXPECT_EQ(rf_pwrite(a, "aaaa", 4, 10), 4);
	EXPECT_EQ(rf_pwrite(b, "bbbb", 4, 4096 * 5), 4);
	EXPECT_EQ(pagecache_sync_all(true), 0);
	EXPECT_EQ(a->writes, 1);
	EXPECT_EQ(b->writes, 1);
	EXPECT_EQ(memcmp(a->disk + 10, "aaaa", 4), 0);
	EXPECT_EQ(memcmp(b->disk + 4096 * 5, "bbbb", 4), 0);
	rf_free(a);
	rf_free(b);
}

TEST(pagecache, truncate_drops_pages_and_zeroes_the_tail)
{
	struct ramfile *rf = rf_new(3 * 4096, 4);
	uint8_t b[8];

	EXPECT_EQ(rf_pread(rf, pc_back, 3 * 4096, 0), 3 * 4096);
	EXPECT_EQ(rf->m.nrpages, 3);
	mutex_lock(&rf->ino.lock);
	rf->ino.size = 5000;
	pagecache_truncate(&rf->m, 5000);
	mutex_unlock(&rf->ino.lock);
	EXPECT_EQ(rf->m.nrpages, 2);
	/* Growing again shows zeros past the old end, from the cached page. */
	rf->ino.size = 3 * 4096;
	EXPECT_EQ(rf_pread(rf, b, 8, 4996), 8);
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(b[i], rf_byte(4996 + (size_t)i, 4));
	for (int i = 4; i < 8; i++)
		EXPECT_EQ(b[i], 0);
	rf_free(rf);
}

TEST(pagecache, writeback_error_reaches_fsync_once)
{
	struct ramfile *rf = rf_new(4096, 0);

	EXPECT_EQ(rf_pwrite(rf, "x", 1, 0), 1);
	rf->fail_write = -EIO;
	EXPECT_EQ(generic_file_fsync(&rf->f, false), -EIO);
	rf->fail_write = 0;
	EXPECT_EQ(generic_file_fsync(&rf->f, false), 0);
	rf_free(rf);
}

TEST(pagecache, shrink_evicts_clean_pages_only)
{
	struct ramfile *rf = rf_new(RF_PAGES * 4096, 5);
	struct pagecache_stats st0, st1;
	uint64_t pa;

	EXPECT_EQ(rf_pread(rf, pc_back, 4096, 0), 4096);
	for (int64_t p = 4096; p < 8 * 4096; p += 4096)
		EXPECT_EQ(rf_pread(rf, pc_back, 1, p), 1);
	EXPECT_EQ(rf_pwrite(rf, "d", 1, 9 * 4096), 1); /* a dirty page */
	/* A page someone holds (a mapping would) stays too. */
	EXPECT_EQ(pagecache_get_page(&rf->m, 3, false, &pa), 0);
	EXPECT_EQ(rf->m.nrpages, 9);
	pagecache_get_stats(&st0);
	pagecache_shrink(64ull << 20);
	pagecache_get_stats(&st1);
	EXPECT_EQ(rf->m.nrpages, 2);
	EXPECT_TRUE(st1.evicted - st0.evicted >= 7);
	pmm_frame_put(pmm_frame(pa));
	/* Evicted pages come back from the disk. */
	EXPECT_EQ(rf_pread(rf, pc_back, 4096, 0), 4096);
	EXPECT_EQ(pc_back[100], rf_byte(100, 5));
	EXPECT_EQ(rf->reads, 10); /* 8 read, page 9 read before its write, page 0 again */
	rf_free(rf);
}

/* Take every frame there is, chained through their first word; the count in *@n. */
static uint64_t squeeze(uint64_t *n)
{
	uint64_t head = 0, pa;

	*n = 0;
	while ((pa = pmm_alloc_pages(0, 0))) {
		*(uint64_t *)phys_to_virt(pa) = head;
		head = pa;
		++*n;
	}
	return head;
}

static void unsqueeze(uint64_t head)
{
	while (head) {
		uint64_t next = *(uint64_t *)phys_to_virt(head);

		pmm_free_pages(head, 0);
		head = next;
	}
}

TEST(pagecache, memory_squeeze_evicts_the_cache)
{
	struct ramfile *rf = rf_new(RF_PAGES * 4096, 6);
	uint64_t head, n;

	for (int64_t p = 0; p < RF_PAGES * 4096; p += 4096)
		EXPECT_EQ(rf_pread(rf, pc_back, 1, p), 1);
	EXPECT_EQ(rf->m.nrpages, RF_PAGES);
	/* The allocator runs dry, then takes the cache's clean pages before it fails. */
	head = squeeze(&n);
	EXPECT_EQ(rf->m.nrpages, 0);
	unsqueeze(head);
	EXPECT_TRUE(n > RF_PAGES);
	rf_free(rf);
}
