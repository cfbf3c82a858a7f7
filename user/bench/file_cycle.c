// SPDX-License-Identifier: MIT
/*
 * A tmpfs file's life (issue 12): open(O_CREAT|O_EXCL) + write 4 KiB +
 * close + unlink, in /tmp (made here when missing: the Linux baseline's
 * initramfs has none, and its root is a tmpfs as Cairn's is).
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "bench.h"

static char page[4096];

static long round_file(void *arg, long iters)
{
	const char *path = arg;
	long i;
	int fd;

	for (i = 0; i < iters; i++) {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0)
			break;
		if (write(fd, page, sizeof(page)) != sizeof(page) || close(fd) || unlink(path))
			break;
	}
	return i;
}

int main(void)
{
	memset(page, 'x', sizeof(page));
	mkdir("/tmp", 01777);
	unlink("/tmp/bench-file");
	bench_run("tmpfs-create+write4K+close+unlink", round_file, "/tmp/bench-file", 2000);
	return 0;
}
