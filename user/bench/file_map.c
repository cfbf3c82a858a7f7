// SPDX-License-Identifier: MIT
/*
 * Faults on a file mapping, per page: the first read of each page of a
 * 4 MiB file in /tmp mapped MAP_SHARED (the file's own frame is mapped),
 * and the first write of each page of it mapped MAP_PRIVATE (the page is
 * copied). mmap and munmap of the region are spread over its 1,024 pages.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "bench.h"

#define REGION (4ul << 20)
#define PAGE   4096ul

struct mapping {
	int fd;
	int flags;
	bool write;
};

static long round_faults(void *arg, long iters)
{
	struct mapping *m = arg;
	long done = 0, pages;
	volatile char sink;
	unsigned long off;
	char *p;

	while (done < iters) {
		pages = iters - done < (long)(REGION / PAGE) ? iters - done : (long)(REGION / PAGE);
		p = mmap(NULL, REGION, PROT_READ | PROT_WRITE, m->flags, m->fd, 0);
		if (p == MAP_FAILED)
			return done;
		for (off = 0; off < (unsigned long)pages * PAGE; off += PAGE) {
			if (m->write)
				p[off] = 1;
			else
				sink = p[off];
		}
		(void)sink;
		munmap(p, REGION);
		done += pages;
	}
	return done;
}

int main(void)
{
	static char page[PAGE];
	struct mapping shared = { -1, MAP_SHARED, false }, private = { -1, MAP_PRIVATE, true };
	int fd;

	mkdir("/tmp", 01777);
	fd = open("/tmp/file_map.bench", O_RDWR | O_CREAT | O_TRUNC, 0600);
	memset(page, 'x', sizeof(page));
	for (unsigned long off = 0; fd >= 0 && off < REGION; off += PAGE)
		if (write(fd, page, PAGE) != (long)PAGE)
			return 1;
	shared.fd = private.fd = fd;
	bench_run("file-map-read-fault-shared", round_faults, &shared, 8192);
	bench_run("file-map-write-fault-private", round_faults, &private, 8192);
	unlink("/tmp/file_map.bench");
	return 0;
}
