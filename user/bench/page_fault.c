// SPDX-License-Identifier: MIT
/*
 * The demand-zero page fault: the first write to each page of a fresh
 * private anonymous mapping, per page (mmap and munmap of the 4 MiB region
 * included, spread over its 1,024 pages).
 */
#include <sys/mman.h>

#include "bench.h"

#define REGION (4ul << 20)
#define PAGE   4096ul

static long round_faults(void *arg, long iters)
{
	long done = 0, pages;
	unsigned long off;
	char *p;

	while (done < iters) {
		pages = iters - done < (long)(REGION / PAGE) ? iters - done : (long)(REGION / PAGE);
		p = mmap(NULL, REGION, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return done;
		for (off = 0; off < (unsigned long)pages * PAGE; off += PAGE)
			p[off] = 1;
		munmap(p, REGION);
		done += pages;
	}
	return done;
}

int main(void)
{
	bench_run("page-fault", round_faults, NULL, 8192);
	return 0;
}
