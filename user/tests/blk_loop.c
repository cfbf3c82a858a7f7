// SPDX-License-Identifier: MIT
/*
 * Block devices through a loop device (issue 13, the block layer): a file
 * bound with LOOP_SET_FD answers the block ioctls (BLKGETSIZE64,
 * BLKGETSIZE, BLKSSZGET, BLKBSZGET, BLKROGET), lseek's SEEK_END, reads
 * and writes through the cache and with O_DIRECT (aligned buffers only),
 * fsync; LOOP_SET_STATUS64 moves the start; LOOP_CLR_FD unbinds. The
 * devices are reached through a devtmpfs on a scratch directory, as in
 * fs_dev. Printed: sizes, errors and whether bytes matched.
 */
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>

#include "fsutil.h"

#define IMG_BYTES (4 << 20)

/* Linux's numbers (uapi <linux/fs.h>, <linux/loop.h>); <sys/mount.h> has the BLK* ones. */
#ifndef BLKGETSIZE64
#define BLKROGET     0x125e
#define BLKGETSIZE   0x1260
#define BLKSSZGET    0x1268
#define BLKBSZGET    0x80081270
#define BLKGETSIZE64 0x80081272
#endif
#define LOOP_SET_FD       0x4c00
#define LOOP_CLR_FD       0x4c01
#define LOOP_SET_STATUS64 0x4c04
#define LOOP_GET_STATUS64 0x4c05
#define LOOP_CTL_GET_FREE 0x4c82

struct loop_info64 {
	uint64_t lo_device, lo_inode, lo_rdevice, lo_offset, lo_sizelimit;
	uint32_t lo_number, lo_encrypt_type, lo_encrypt_key_size, lo_flags;
	uint8_t lo_file_name[64], lo_crypt_name[64], lo_encrypt_key[32];
	uint64_t lo_init[2];
};

static uint8_t pattern(size_t off)
{
	return (uint8_t)(off * 7 + (off >> 12));
}

static bool matches(const uint8_t *b, size_t n, size_t off)
{
	for (size_t i = 0; i < n; i++)
		if (b[i] != pattern(off + i))
			return false;
	return true;
}

static int make_image(void)
{
	static uint8_t buf[65536];
	int fd = open("img", O_RDWR | O_CREAT | O_TRUNC, 0600);

	for (size_t off = 0; off < IMG_BYTES; off += sizeof(buf)) {
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = pattern(off + i);
		if (write(fd, buf, sizeof(buf)) != (long)sizeof(buf))
			return -1;
	}
	return fd;
}

static void sizes(int dev, uint64_t want)
{
	uint64_t size64 = 1;
	unsigned long sectors = 1;
	int ssz = 0, bsz = 0, ro = 7, e1, e2, e3, e4, e5;

	/* The calls first: the arguments of tap_ok() are evaluated in no set order. */
	e1 = ioctl(dev, BLKGETSIZE64, &size64);
	e2 = ioctl(dev, BLKGETSIZE, &sectors);
	e3 = ioctl(dev, BLKSSZGET, &ssz);
	e4 = ioctl(dev, BLKBSZGET, &bsz);
	e5 = ioctl(dev, BLKROGET, &ro);
	tap_ok(e1 == 0 && size64 == want, "BLKGETSIZE64: %llu", (unsigned long long)size64);
	tap_ok(e2 == 0 && sectors == want / 512, "BLKGETSIZE: %lu", sectors);
	tap_ok(e3 == 0 && ssz == 512, "BLKSSZGET: %d", ssz);
	tap_ok(e4 == 0, "BLKBSZGET answers");
	tap_masked("block size %d", bsz);
	tap_ok(e5 == 0 && ro == 0, "BLKROGET: %d", ro);
	tap_ok(lseek(dev, 0, SEEK_END) == (off_t)want, "SEEK_END is the size");
}

static void cached_io(int dev, int img)
{
	static uint8_t buf[8192];

	tap_ok(pread(dev, buf, 4096, 1 << 20) == 4096 && matches(buf, 4096, 1 << 20),
	       "a read through the device is the file's bytes");
	memset(buf, 0x5c, 4096);
	tap_ok(pwrite(dev, buf, 4096, 2 << 20) == 4096, "a write through the device");
	tap_errno(fsync(dev), 0, "fsync of the device");
	memset(buf, 0, 4096);
	tap_ok(pread(img, buf, 4096, 2 << 20) == 4096 && buf[0] == 0x5c && buf[4095] == 0x5c,
	       "the file has it after fsync");
	tap_ok(pread(dev, buf, 8192, IMG_BYTES - 4096) == 4096, "a read at the end stops there");
	tap_ok(pread(dev, buf, 512, IMG_BYTES) == 0, "a read past the end reads nothing");
	tap_errno(pwrite(dev, buf, 512, IMG_BYTES), ENOSPC, "a write past the end");
}

static void direct_io(const char *path)
{
	int fd = open(path, O_RDWR | O_DIRECT);
	uint8_t *buf = NULL;

	tap_ok(fd >= 0 && posix_memalign((void **)&buf, 4096, 65536 + 4096) == 0,
	       "open with O_DIRECT");
	tap_ok(pread(fd, buf, 65536, 0) == 65536 && matches(buf, 65536, 0),
	       "an O_DIRECT read of 64 KiB");
	tap_errno(pread(fd, buf + 1, 4096, 0), EINVAL, "O_DIRECT into an unaligned buffer");
	tap_errno(pread(fd, buf, 4096, 100), EINVAL, "O_DIRECT at an unaligned offset");
	memset(buf, 0xd1, 8192);
	tap_ok(pwrite(fd, buf, 8192, 3 << 20) == 8192, "an O_DIRECT write of 8 KiB");
	memset(buf, 0, 8192);
	tap_ok(pread(fd, buf, 8192, 3 << 20) == 8192 && buf[0] == 0xd1 && buf[8191] == 0xd1,
	       "read back with O_DIRECT");
	free(buf);
	close(fd);
}

static void status(int dev)
{
	struct loop_info64 info;

	memset(&info, 0, sizeof(info));
	info.lo_offset = 1 << 20;
	strcpy((char *)info.lo_file_name, "blk_loop image");
	tap_errno(ioctl(dev, LOOP_SET_STATUS64, &info), 0, "LOOP_SET_STATUS64 with an offset");
	memset(&info, 0, sizeof(info));
	tap_errno(ioctl(dev, LOOP_GET_STATUS64, &info), 0, "LOOP_GET_STATUS64");
	tap_ok(info.lo_offset == 1 << 20 && !strcmp((char *)info.lo_file_name, "blk_loop image"),
	       "it has the offset and the name");
	sizes(dev, IMG_BYTES - (1 << 20));
}

int main(void)
{
	const char *dir = ut_scratch("blk_loop");
	char path[32];
	int ctl, dev, img, n;

	if (!dir || chdir(dir) != 0 || mkdir("dev", 0755) != 0) {
		tap_line("Bail out! no scratch directory: %s", tap_errno_name(errno));
		return 1;
	}
	tap_errno(mount("devtmpfs", "dev", "devtmpfs", 0, NULL), 0, "mount a devtmpfs");
	img = make_image();
	tap_ok(img >= 0, "a 4 MiB image file");
	ctl = open("dev/loop-control", O_RDWR);
	n = ioctl(ctl, LOOP_CTL_GET_FREE);
	tap_ok(n >= 0, "LOOP_CTL_GET_FREE gives a device");
	snprintf(path, sizeof(path), "dev/loop%d", n);
	dev = open(path, O_RDWR);
	tap_ok(dev >= 0, "open the free loop device");
	tap_errno(ioctl(dev, LOOP_GET_STATUS64, &(struct loop_info64){ 0 }), ENXIO,
	          "LOOP_GET_STATUS64 before binding");
	tap_errno(ioctl(dev, LOOP_SET_FD, img), 0, "LOOP_SET_FD");
	tap_errno(ioctl(dev, LOOP_SET_FD, img), EBUSY, "LOOP_SET_FD again");
	sizes(dev, IMG_BYTES);
	cached_io(dev, img);
	direct_io(path);
	tap_errno(ioctl(dev, 0x12345678, 0), EINVAL, "an ioctl the loop driver does not know");
	status(dev);
	tap_errno(ioctl(dev, LOOP_CLR_FD, 0), 0, "LOOP_CLR_FD");
	tap_errno(ioctl(dev, LOOP_GET_STATUS64, &(struct loop_info64){ 0 }), ENXIO,
	          "LOOP_GET_STATUS64 after unbinding");
	close(dev);
	close(ctl);
	close(img);
	tap_errno(umount2("dev", 0), 0, "umount2 the devtmpfs");
	chdir("/");
	tap_ok(ut_rmtree(dir) == 0, "the scratch directory is removed");
	tap_plan(tap_count);
	return tap_failed ? 1 : 0;
}
