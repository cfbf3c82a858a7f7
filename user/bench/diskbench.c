// SPDX-License-Identifier: MIT
/*
 * Disk benchmarks (issue 13), the same static program on Cairn and on the
 * Linux baseline, run by tools/diskbench.py on the same QEMU line and the
 * same fresh virtio-blk images:
 *   diskbench RAWDEV [FSDEV MOUNTPOINT [TARFILE]]
 * On RAWDEV (a scratch disk of at least 512 MiB): sequential write and
 * read in 1 MiB requests with O_DIRECT and through the cache, and 4 KiB
 * random reads with O_DIRECT at queue depth 1 and 32 (32 threads). On the
 * ext2 file system FSDEV, mounted at MOUNTPOINT: a file written and one
 * read (big.bin, put there by the host) in 1 MiB requests, 1,000 small
 * files created and fsync'ed, and `tar x` of TARFILE. One line per figure:
 *   disk NAME VALUE UNIT (DETAIL)      or      disk NAME skipped: WHY
 * Reads always touch blocks no earlier step of the boot wrote or read, so
 * they come from the device, not from a cache.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "bench.h"

#define MIB              (1ll << 20)
#define SEQ_BYTES        (128 * MIB)
#define RAND_SPAN        (512 * MIB)
#define RAND_OPS         4000
#define QD               32
#define SMALL            1000
/* Regions of RAWDEV, one per sequential figure. */
#define OFF_WRITE_CACHED (0 * MIB)
#define OFF_READ_CACHED  (128 * MIB)
#define OFF_READ_DIRECT  (256 * MIB)
#define OFF_WRITE_DIRECT (384 * MIB)

static void say(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 1)
		n = sizeof(line) - 1;
	if (write(1, line, n) < 0)
		return;
}

static double secs(long long t0)
{
	return (double)(bench_now_ns() - t0) / 1e9;
}

static void *big_buffer(size_t size, int fill)
{
	void *p = NULL;

	if (posix_memalign(&p, 4096, size))
		return NULL;
	memset(p, fill, size);
	return p;
}

/* Move @bytes at @off of @fd in 1 MiB requests; MB/s or a negative errno. */
static double seq(int fd, int write_it, long long off, long long bytes, char *buf)
{
	long long t0 = bench_now_ns(), done;
	ssize_t n;

	for (done = 0; done < bytes; done += MIB) {
		n = write_it ? pwrite(fd, buf, MIB, off + done) : pread(fd, buf, MIB, off + done);
		if (n != MIB)
			return n < 0 ? -errno : -EIO;
	}
	if (write_it && fsync(fd))
		return -errno;
	return (double)bytes / MIB / secs(t0);
}

/* The middle of three runs of an O_DIRECT figure (nothing to cache, so it may repeat). */
static double median3(double a, double b, double c)
{
	if (a < 0 || b < 0 || c < 0)
		return a < 0 ? a : b < 0 ? b : c;
	if ((a <= b && b <= c) || (c <= b && b <= a))
		return b;
	if ((b <= a && a <= c) || (c <= a && a <= b))
		return a;
	return c;
}

static double seq_median(int fd, int write_it, long long off, char *buf)
{
	double a = seq(fd, write_it, off, SEQ_BYTES, buf);
	double b = seq(fd, write_it, off, SEQ_BYTES, buf);

	return median3(a, b, seq(fd, write_it, off, SEQ_BYTES, buf));
}

static void report_mbs(const char *name, double v, const char *how)
{
	if (v < 0)
		say("disk %s skipped: error %d\n", name, (int)-v);
	else
		say("disk %s %.1f MB/s (%s)\n", name, v, how);
}

/* The sequential figures on the raw device, with and without O_DIRECT. */
static void raw_seq(const char *dev, char *buf)
{
	int fd = open(dev, O_RDWR);

	if (fd < 0) {
		say("disk raw skipped: open %s: error %d\n", dev, errno);
		return;
	}
	report_mbs("seq-write-cached", seq(fd, 1, OFF_WRITE_CACHED, SEQ_BYTES, buf),
	           "128 MiB in 1 MiB writes + fsync, raw device");
	report_mbs("seq-read-cached", seq(fd, 0, OFF_READ_CACHED, SEQ_BYTES, buf),
	           "128 MiB in 1 MiB reads, raw device");
	close(fd);
	fd = open(dev, O_RDWR | O_DIRECT);
	if (fd < 0) {
		say("disk seq-direct skipped: O_DIRECT: error %d\n", errno);
		return;
	}
	report_mbs("seq-write-direct", seq_median(fd, 1, OFF_WRITE_DIRECT, buf),
	           "128 MiB in 1 MiB O_DIRECT writes + fsync, median of 3");
	report_mbs("seq-read-direct", seq_median(fd, 0, OFF_READ_DIRECT, buf),
	           "128 MiB in 1 MiB O_DIRECT reads, median of 3");
	close(fd);
}

struct rand_job {
	int fd;
	unsigned seed;
	int ops;
	int failed;
};

static void *rand_reads(void *arg)
{
	struct rand_job *j = arg;
	void *buf = big_buffer(4096, 0);
	int i;

	for (i = 0; buf && i < j->ops; i++) {
		long long off = (long long)(rand_r(&j->seed) % (RAND_SPAN / 4096)) * 4096;

		if (pread(j->fd, buf, 4096, off) != 4096) {
			j->failed = errno ? errno : EIO;
			break;
		}
	}
	free(buf);
	return NULL;
}

/* RAND_OPS random 4 KiB O_DIRECT reads by @qd threads; IOPS or a negative errno. */
static double randread(int fd, int qd)
{
	static struct rand_job jobs[QD];
	pthread_t th[QD];
	long long t0;
	int i, err = 0;

	t0 = bench_now_ns();
	for (i = 0; i < qd; i++) {
		jobs[i] = (struct rand_job){ fd, 1234u + (unsigned)i, RAND_OPS / qd, 0 };
		if (pthread_create(&th[i], NULL, rand_reads, &jobs[i]))
			return -EAGAIN;
	}
	for (i = 0; i < qd; i++) {
		pthread_join(th[i], NULL);
		if (jobs[i].failed)
			err = jobs[i].failed;
	}
	return err ? -err : (double)(RAND_OPS / qd * qd) / secs(t0);
}

static void raw_random(const char *dev)
{
	static const int depths[] = { 1, QD };
	int fd = open(dev, O_RDONLY | O_DIRECT), qd, i;
	double v;

	if (fd < 0) {
		say("disk randread skipped: O_DIRECT: error %d\n", errno);
		return;
	}
	for (i = 0; i < 2; i++) {
		qd = depths[i];
		v = median3(randread(fd, qd), randread(fd, qd), randread(fd, qd));
		if (v < 0)
			say("disk randread-4k-qd%d skipped: error %d\n", qd, (int)-v);
		else
			say("disk randread-4k-qd%d %.0f IOPS (%d O_DIRECT reads, %d thread%s, median of 3)\n",
			    qd, v, RAND_OPS, qd, qd > 1 ? "s" : "");
	}
	close(fd);
}

/* Files: a big one written and one read, in 1 MiB requests through the page cache. */
static void fs_seq(const char *mnt, char *buf)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/w.bin", mnt);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	report_mbs("fs-seq-write", fd < 0 ? -errno : seq(fd, 1, 0, SEQ_BYTES, buf),
	           "128 MiB file in 1 MiB writes + fsync, ext2");
	if (fd >= 0)
		close(fd);
	snprintf(path, sizeof(path), "%s/big.bin", mnt);
	fd = open(path, O_RDONLY);
	report_mbs("fs-seq-read", fd < 0 ? -errno : seq(fd, 0, 0, SEQ_BYTES, buf),
	           "128 MiB file written by the host, 1 MiB reads, ext2");
	if (fd >= 0)
		close(fd);
}

static void fs_small(const char *mnt)
{
	char path[256], data[4096];
	long long t0;
	int i, fd;

	memset(data, 's', sizeof(data));
	snprintf(path, sizeof(path), "%s/small", mnt);
	if (mkdir(path, 0755) && errno != EEXIST) {
		say("disk create+fsync skipped: mkdir: error %d\n", errno);
		return;
	}
	t0 = bench_now_ns();
	for (i = 0; i < SMALL; i++) {
		snprintf(path, sizeof(path), "%s/small/f%04d", mnt, i);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0 || write(fd, data, sizeof(data)) != sizeof(data) || fsync(fd)) {
			say("disk create+fsync skipped: file %d: error %d\n", i, errno);
			return;
		}
		close(fd);
	}
	say("disk create+fsync %.0f files/s (%d files of 4 KiB, each fsync'ed, ext2)\n",
	    SMALL / secs(t0), SMALL);
}

static void fs_tar(const char *mnt, const char *tar)
{
	char dir[256];
	struct stat st;
	long long t0;
	int status;
	pid_t pid;

	if (stat(tar, &st)) {
		say("disk tar-x skipped: %s: error %d\n", tar, errno);
		return;
	}
	snprintf(dir, sizeof(dir), "%s/untar", mnt);
	mkdir(dir, 0755);
	t0 = bench_now_ns();
	pid = fork();
	if (pid == 0) {
		execl("/bin/busybox", "tar", "xf", tar, "-C", dir, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		say("disk tar-x skipped: busybox tar failed\n");
		return;
	}
	sync();
	say("disk tar-x %.1f MB/s (%.1f MB archive in %.2f s with sync, ext2)\n",
	    (double)st.st_size / MIB / secs(t0), (double)st.st_size / MIB, secs(t0));
}

/* Mount @dev at @mnt as ext2 (Linux's ext4 driver takes "ext2" too); 0 or an errno. */
static int mount_fs(const char *dev, const char *mnt)
{
	mkdir(mnt, 0755);
	if (mount(dev, mnt, "ext2", 0, NULL) == 0)
		return 0;
	return mount(dev, mnt, "ext4", 0, NULL) == 0 ? 0 : errno;
}

int main(int argc, char **argv)
{
	char *buf = big_buffer(MIB, 0x5a);
	int err;

	if (argc < 2 || !buf) {
		say("usage: diskbench RAWDEV [FSDEV MOUNTPOINT [TARFILE]]\n");
		return 2;
	}
	/* The Linux baseline's initramfs has no /dev nodes: devtmpfs has them. */
	if (access(argv[1], F_OK)) {
		mkdir("/dev", 0755);
		mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	}
	raw_seq(argv[1], buf);
	raw_random(argv[1]);
	if (argc < 4)
		return 0;
	err = mount_fs(argv[2], argv[3]);
	if (err) {
		say("disk fs skipped: mount %s: error %d\n", argv[2], err);
		return 0;
	}
	fs_seq(argv[3], buf);
	fs_small(argv[3]);
	if (argc > 4)
		fs_tar(argv[3], argv[4]);
	if (umount(argv[3]))
		say("disk umount: error %d\n", errno);
	return 0;
}
