// SPDX-License-Identifier: MIT
/*
 * stat of a path five directories deep (issue 12): /tmp/s1/s2/s3/s4/f,
 * whose walk passes "/", tmp, s1, s2, s3 and s4 -- five directories below
 * the root -- to the file, every component found in the dentry cache.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "bench.h"

#define DEEP "/tmp/s1/s2/s3/s4/f"

static long round_stat(void *arg, long iters)
{
	struct stat st;
	long i;

	for (i = 0; i < iters; i++)
		if (stat(DEEP, &st) || st.st_size != 1)
			break;
	return i;
}

int main(void)
{
	int fd;

	mkdir("/tmp", 01777);
	mkdir("/tmp/s1", 0755);
	mkdir("/tmp/s1/s2", 0755);
	mkdir("/tmp/s1/s2/s3", 0755);
	mkdir("/tmp/s1/s2/s3/s4", 0755);
	fd = open(DEEP, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "x", 1) != 1 || close(fd)) {
		printf("bench stat-5-deep failed (setup)\n");
		return 1;
	}
	bench_run("stat-5-deep", round_stat, NULL, 20000);
	return 0;
}
