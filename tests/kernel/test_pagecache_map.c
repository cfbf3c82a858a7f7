/* SPDX-License-Identifier: MIT */
/*
 * Kernel tests of file mappings over the page cache, on the RAM-backed
 * file of pagecache_test.h: a shared mapping maps the cached frame
 * read-only until the first write, which marks the page dirty; a page
 * mapped writable stays dirty (and is written again) until it is
 * unmapped; a private write goes to a copy and never to the file; a page
 * past the end is -EIO (SIGBUS); truncation unmaps the pages past the new
 * end; the mapping's references to the file come and go with its regions.
 */
#include <cairn/linux/mman.h>

#include <lib/paging/paging.h>

#include "mm/pmm.h"
#include "mm/uspace.h"
#include "pagecache_test.h"

#define PROT_RW (PROT_READ | PROT_WRITE)
#define PG      PAGE_SIZE

static struct uspace *map_space(struct ramfile *rf, int flags, size_t len, long *at)
{
	struct uspace *s;

	EXPECT_EQ(uspace_create(&s), 0);
	*at = uspace_mmap_file(s, 0, len, PROT_RW, flags, &rf->f, 0, true);
	EXPECT_TRUE(*at > 0);
	return s;
}

/* The frame and page-table flags at @va of @s; 0 flags when nothing is mapped. */
static uint64_t frame_at(struct uspace *s, uint64_t va, uint32_t *flags)
{
	uint64_t pa = 0;

	*flags = 0;
	if (uspace_translate(s, va, &pa, flags))
		return 0;
	return pa;
}

TEST(pagecache_map, shared_write_dirties_and_stays_dirty_while_mapped)
{
	struct ramfile *rf = rf_new(2 * PG, 7);
	uint64_t pa, cached;
	uint32_t fl;
	long at;
	struct uspace *s = map_space(rf, MAP_SHARED, 2 * PG, &at);

	EXPECT_EQ(rf->f.refs, 2);
	EXPECT_EQ(rf->m.nusers, 1);
	EXPECT_EQ(uspace_fault(s, (uintptr_t)at, UFAULT_USER), 0);
	pa = frame_at(s, (uint64_t)at, &fl);
	EXPECT_EQ(pagecache_get_page(&rf->m, 0, false, &cached), 0);
	EXPECT_EQ(pa, cached); /* the cached frame itself */
	pmm_frame_put(pmm_frame(cached));
	EXPECT_TRUE(!(fl & PT_WRITE));
	EXPECT_EQ(rf->m.ndirty, 0);
	EXPECT_EQ(uspace_fault(s, (uintptr_t)at, UFAULT_USER | UFAULT_WRITE | UFAULT_PRESENT), 0);
	EXPECT_EQ(frame_at(s, (uint64_t)at, &fl), pa);
	EXPECT_TRUE(fl & PT_WRITE);
	EXPECT_EQ(rf->m.ndirty, 1);
	/* What a program would have written through the mapping. */
	memcpy((char *)phys_to_virt(pa) + 5, "MAPPED", 6);
	EXPECT_EQ(pagecache_writeback(&rf->m, 0, -1, true), 0);
	EXPECT_EQ(rf->writes, 1);
	EXPECT_EQ(memcmp(rf->disk + 5, "MAPPED", 6), 0);
	EXPECT_EQ(rf->m.ndirty, 1); /* still mapped writable: it may change again */
	EXPECT_EQ(uspace_munmap(s, (uintptr_t)at, 2 * PG), 0);
	EXPECT_EQ(rf->f.refs, 1);
	EXPECT_EQ(pagecache_writeback(&rf->m, 0, -1, true), 0);
	EXPECT_EQ(rf->writes, 2);
	EXPECT_EQ(rf->m.ndirty, 0);
	uspace_put(s);
	EXPECT_EQ(rf->m.nusers, 0);
	rf_free(rf);
}

TEST(pagecache_map, private_write_never_reaches_the_file)
{
	struct ramfile *rf = rf_new(PG, 8);
	uint64_t pa, cached;
	uint32_t fl;
	long at;
	struct uspace *s = map_space(rf, MAP_PRIVATE, PG, &at);

	EXPECT_EQ(uspace_fault(s, (uintptr_t)at, UFAULT_USER | UFAULT_WRITE), 0);
	pa = frame_at(s, (uint64_t)at, &fl);
	EXPECT_TRUE(fl & PT_WRITE);
	EXPECT_EQ(pagecache_get_page(&rf->m, 0, false, &cached), 0);
	EXPECT_TRUE(pa != cached);
	pmm_frame_put(pmm_frame(cached));
	EXPECT_EQ(((uint8_t *)phys_to_virt(pa))[3], (uint8_t)(3 * 13 + 8)); /* a copy of the file */
	memset(phys_to_virt(pa), 'P', 16);
	EXPECT_EQ(rf->m.ndirty, 0);
	EXPECT_EQ(pagecache_sync_all(true), 0);
	EXPECT_EQ(rf->writes, 0);
	uspace_put(s);
	EXPECT_EQ(rf->f.refs, 1);
	rf_free(rf);
}

TEST(pagecache_map, past_the_end_is_sigbus_and_truncation_unmaps)
{
	struct ramfile *rf = rf_new(2 * PG, 9);
	uint32_t fl;
	long at;
	struct uspace *s = map_space(rf, MAP_SHARED, 4 * PG, &at);

	EXPECT_EQ(uspace_fault(s, (uintptr_t)at + 2 * PG, UFAULT_USER), -EIO);
	EXPECT_EQ(uspace_fault(s, (uintptr_t)at, UFAULT_USER), 0);
	EXPECT_EQ(uspace_fault(s, (uintptr_t)at + PG, UFAULT_USER), 0);
	EXPECT_TRUE(frame_at(s, (uint64_t)at + PG, &fl) != 0);
	mutex_lock(&rf->ino.lock);
	rf->ino.size = 100;
	pagecache_truncate(&rf->m, 100);
	mutex_unlock(&rf->ino.lock);
	EXPECT_EQ(frame_at(s, (uint64_t)at + PG, &fl), 0);
	EXPECT_TRUE(frame_at(s, (uint64_t)at, &fl) != 0);
	EXPECT_EQ(uspace_fault(s, (uintptr_t)at + PG, UFAULT_USER), -EIO);
	uspace_put(s);
	rf_free(rf);
}

TEST(pagecache_map, read_fault_maps_cached_neighbours)
{
	struct ramfile *rf = rf_new(3 * PG + 10, 3);
	uint8_t b[1];
	uint32_t fl;
	long at;
	struct uspace *s;

	/* Pages 0, 2 and 3 cached; page 1 not. */
	EXPECT_EQ(rf_pread(rf, b, 1, 0), 1);
	EXPECT_EQ(rf_pread(rf, b, 1, 2 * PG), 1);
	EXPECT_EQ(rf_pread(rf, b, 1, 3 * PG), 1);
	s = map_space(rf, MAP_SHARED, 8 * PG, &at);
	EXPECT_EQ(uspace_fault(s, (uintptr_t)at + 2 * PG, UFAULT_USER), 0);
	EXPECT_TRUE(frame_at(s, (uint64_t)at + 3 * PG, &fl) != 0); /* around, read-only */
	EXPECT_TRUE(!(fl & PT_WRITE));
	EXPECT_EQ(frame_at(s, (uint64_t)at + 4 * PG, &fl), 0); /* past the end of the file */
	EXPECT_EQ(uspace_fault(s, (uintptr_t)at, UFAULT_USER), 0);
	EXPECT_EQ(frame_at(s, (uint64_t)at + PG, &fl), 0); /* not cached: left to its own fault */
	EXPECT_EQ(rf->reads, 3);
	/* The first write to a page mapped around still marks it dirty. */
	EXPECT_EQ(uspace_fault(s, (uintptr_t)at + 3 * PG,
	                       UFAULT_USER | UFAULT_WRITE | UFAULT_PRESENT),
	          0);
	EXPECT_EQ(rf->m.ndirty, 1);
	uspace_put(s);
	rf_free(rf);
}

TEST(pagecache_map, truncation_unmaps_every_space)
{
	struct ramfile *rf = rf_new(2 * PG, 4);
	struct uspace *s[20];
	long at[20];
	uint32_t fl;

	/* More spaces than one batch of the reverse-map walk. */
	for (int i = 0; i < 20; i++) {
		s[i] = map_space(rf, i % 2 ? MAP_SHARED : MAP_PRIVATE, 2 * PG, &at[i]);
		EXPECT_EQ(uspace_fault(s[i], (uintptr_t)at[i] + PG, UFAULT_USER), 0);
	}
	EXPECT_EQ(rf->m.nusers, 20);
	mutex_lock(&rf->ino.lock);
	rf->ino.size = 10;
	pagecache_truncate(&rf->m, 10);
	mutex_unlock(&rf->ino.lock);
	for (int i = 0; i < 20; i++) {
		EXPECT_EQ(frame_at(s[i], (uint64_t)at[i] + PG, &fl), 0);
		uspace_put(s[i]);
	}
	EXPECT_EQ(rf->m.nusers, 0);
	EXPECT_EQ(rf->f.refs, 1);
	rf_free(rf);
}
