/* SPDX-License-Identifier: MIT */
/*
 * Kernel tests of /dev (the memory devices, nodes drivers add before and
 * after the mount, the one shared instance) and of the initramfs unpacker
 * fed archives built here: every kind of member with its attributes, hard
 * links whose data comes last, and corrupt archives that stop the unpack
 * where they go wrong while what came before stays.
 */
#include "fs/devfs/devfs.h"
#include "fs/initramfs.h"
#include "mm/heap.h"
#include "tmpfs_test.h"

TEST(devfs, mem_devices)
{
	uint8_t buf[600], buf2[600];
	struct file *f;
	int64_t pos = 0;
	unsigned same = 0;

	f = tt_open("/dev/null", O_RDWR, 0);
	EXPECT_EQ(kernel_write(f, "abc", 3, &pos), 3);
	EXPECT_EQ(kernel_read(f, buf, sizeof(buf), &pos), 0);
	EXPECT_EQ(DEV_MAJOR(f->inode->rdev), 1);
	EXPECT_EQ(DEV_MINOR(f->inode->rdev), 3);
	file_put(f);
	memset(buf, 0x55, sizeof(buf));
	f = tt_open("/dev/zero", O_RDWR, 0);
	EXPECT_EQ(kernel_read(f, buf, sizeof(buf), &pos), sizeof(buf));
	for (unsigned i = 0; i < sizeof(buf); i++)
		EXPECT_EQ(buf[i], 0);
	EXPECT_EQ(kernel_write(f, "abc", 3, &pos), 3);
	file_put(f);
	f = tt_open("/dev/full", O_RDWR, 0);
	EXPECT_EQ(kernel_write(f, "abc", 3, &pos), -ENOSPC);
	EXPECT_EQ(kernel_read(f, buf, 10, &pos), 10);
	file_put(f);
	f = tt_open("/dev/urandom", O_RDONLY, 0);
	EXPECT_EQ(kernel_read(f, buf, sizeof(buf), &pos), sizeof(buf));
	EXPECT_EQ(kernel_read(f, buf2, sizeof(buf2), &pos), sizeof(buf2));
	file_put(f);
	for (unsigned i = 0; i < sizeof(buf); i++)
		same += buf[i] == buf2[i];
	/* Two reads of 600 random bytes agree in about 2 places; 60 would be a broken generator. */
	EXPECT_TRUE(same < 60);
	EXPECT_TRUE(tt_inode("/dev/random") != NULL);
	EXPECT_EQ(tt_inode("/dev/random")->mode, S_IFCHR | 0666);
}

TEST(devfs, add_node_after_mount_and_shared_instance)
{
	struct path mp, a, b;

	/* A name looked up before it exists must appear once added (no stale negative entry). */
	EXPECT_EQ(vfs_walk(AT_FDCWD, "/dev/kt0", 0, &a), -ENOENT);
	EXPECT_EQ(devfs_add_node("kt0", S_IFCHR | 0600, DEV_ENCODE(1, 3)), 0);
	EXPECT_EQ(devfs_add_node("kt0", S_IFCHR | 0600, DEV_ENCODE(1, 3)), -EEXIST);
	EXPECT_EQ(devfs_add_node("ktdir/k1", S_IFCHR | 0620, DEV_ENCODE(1, 5)), 0);
	EXPECT_EQ(devfs_add_node("../etc/x", S_IFCHR | 0600, 0), -EINVAL);
	EXPECT_EQ(devfs_add_node("a/b/c", S_IFCHR | 0600, 0), -EINVAL);
	EXPECT_EQ(devfs_add_node("reg", S_IFREG | 0600, 0), -EINVAL);
	EXPECT_TRUE(tt_inode("/dev/kt0") != NULL);
	EXPECT_EQ(tt_inode("/dev/ktdir/k1")->rdev, DEV_ENCODE(1, 5));
	/* A second mount shows the same instance. */
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, "/tmp/kt-dev2", 0755), 0);
	EXPECT_EQ(vfs_walk(AT_FDCWD, "/tmp/kt-dev2", LOOKUP_FOLLOW, &mp), 0);
	EXPECT_EQ(vfs_mount("none", &mp, "devtmpfs", 0, NULL), 0);
	path_put(&mp);
	EXPECT_EQ(vfs_walk(AT_FDCWD, "/tmp/kt-dev2/kt0", 0, &a), 0);
	EXPECT_EQ(vfs_walk(AT_FDCWD, "/dev/kt0", 0, &b), 0);
	EXPECT_TRUE(a.dentry->inode == b.dentry->inode);
	path_put(&a);
	path_put(&b);
	EXPECT_EQ(vfs_unlink(AT_FDCWD, "/dev/kt0"), 0);
	EXPECT_EQ(vfs_unlink(AT_FDCWD, "/dev/ktdir/k1"), 0);
	EXPECT_EQ(vfs_rmdir(AT_FDCWD, "/dev/ktdir"), 0);
	EXPECT_EQ(vfs_walk(AT_FDCWD, "/tmp/kt-dev2", LOOKUP_FOLLOW, &mp), 0);
	EXPECT_EQ(vfs_umount(&mp, 0), 0);
	path_put(&mp);
	EXPECT_EQ(vfs_rmdir(AT_FDCWD, "/tmp/kt-dev2"), 0);
}

/* ---- initramfs ---- */

struct ka_arc {
	size_t len;
	uint8_t b[8192];
};

struct ka_member {
	const char *name;
	uint32_t mode, uid, gid, nlink, mtime, ino;
	const char *data;
	uint32_t rmajor, rminor;
};

/* Append one newc member (header fields in the order of the format). */
static size_t ka_add(struct ka_arc *a, const struct ka_member *m)
{
	size_t start = a->len, namesize = strlen(m->name) + 1, n = m->data ? strlen(m->data) : 0;
	const uint32_t f[13] = { m->ino,
		                 m->mode,
		                 m->uid,
		                 m->gid,
		                 m->nlink ? m->nlink : 1,
		                 m->mtime,
		                 (uint32_t)n,
		                 0,
		                 0,
		                 m->rmajor,
		                 m->rminor,
		                 (uint32_t)namesize,
		                 0 };
	char *h = (char *)a->b + a->len;

	memcpy(h, "070701", 6);
	for (unsigned i = 0; i < 13; i++)
		fmt_snprintf(h + 6 + 8 * i, 9, "%08x", f[i]);
	a->len += 110;
	memcpy(a->b + a->len, m->name, namesize);
	a->len += namesize;
	while (a->len % 4)
		a->b[a->len++] = 0;
	memcpy(a->b + a->len, m->data, n);
	a->len += n;
	while (a->len % 4)
		a->b[a->len++] = 0;
	return start;
}

static const struct ka_member ka_good[] = {
	{ "bin", S_IFDIR | 0750, 5, 6, 2, 1000, 1, NULL, 0, 0 },
	{ "bin/tool", S_IFREG | 04755, 5, 6, 1, 2000, 2, "#!tool\n", 0, 0 },
	{ "bin/alias", S_IFLNK | 0777, 7, 8, 1, 3000, 3, "tool", 0, 0 },
	{ "./etc/", S_IFDIR | 0755, 0, 0, 2, 4000, 4, NULL, 0, 0 },
	{ "etc/h1", S_IFREG | 0644, 0, 0, 2, 5000, 9, "", 0, 0 },
	{ "etc/h2", S_IFREG | 0644, 0, 0, 2, 5000, 9, "linked", 0, 0 },
	{ "etc/null", S_IFCHR | 0666, 0, 0, 1, 0, 10, NULL, 1, 3 },
	{ "etc/fifo", S_IFIFO | 0600, 0, 0, 1, 0, 11, NULL, 0, 0 },
};

static char ka_root[64];

static const char *ka_path(const char *rel, char *buf)
{
	fmt_snprintf(buf, 128, "%s/%s", ka_root, rel);
	return buf;
}

static void ka_fresh_root(void)
{
	static int seq;

	fmt_snprintf(ka_root, sizeof(ka_root), "/tmp/kt-ir-%d", ++seq);
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, ka_root, 0755), 0);
}

TEST(initramfs, every_kind_of_member)
{
	static struct ka_arc a;
	struct initramfs_stats st;
	struct inode *ino;
	char p[128], back[16];

	a.len = 0;
	for (unsigned i = 0; i < sizeof(ka_good) / sizeof(ka_good[0]); i++)
		ka_add(&a, &ka_good[i]);
	ka_add(&a, &(struct ka_member){ "TRAILER!!!", 0, 0, 0, 1, 0, 0, NULL, 0, 0 });
	ka_fresh_root();
	EXPECT_EQ(initramfs_unpack(a.b, a.len, ka_root, &st), 0);
	EXPECT_EQ(st.entries, 8);
	EXPECT_EQ(st.failed, 0);
	ino = tt_inode(ka_path("bin", p));
	EXPECT_EQ(ino->mode, S_IFDIR | 0750);
	EXPECT_EQ(ino->uid, 5);
	EXPECT_EQ(ino->mtime.sec, 1000);
	ino = tt_inode(ka_path("bin/tool", p));
	EXPECT_EQ(ino->mode, S_IFREG | 04755);
	EXPECT_EQ(ino->gid, 6);
	EXPECT_EQ(ino->mtime.sec, 2000);
	EXPECT_EQ(ino->size, 7);
	ino = tt_inode(ka_path("bin/alias", p));
	EXPECT_EQ(ino->mode & S_IFMT, S_IFLNK);
	EXPECT_EQ(ino->uid, 7);
	EXPECT_EQ(tt_pread(ka_path("bin/alias", p), back, sizeof(back), 0), 7);
	/* The hard link: one inode, two names, the data that came with the last one. */
	ino = tt_inode(ka_path("etc/h1", p));
	EXPECT_TRUE(ino == tt_inode(ka_path("etc/h2", p)));
	EXPECT_EQ(ino->nlink, 2);
	EXPECT_EQ(tt_pread(ka_path("etc/h1", p), back, sizeof(back), 0), 6);
	EXPECT_EQ(memcmp(back, "linked", 6), 0);
	EXPECT_EQ(tt_inode(ka_path("etc/null", p))->rdev, DEV_ENCODE(1, 3));
	EXPECT_EQ(tt_inode(ka_path("etc/fifo", p))->mode, S_IFIFO | 0600);
	EXPECT_EQ(tt_inode(ka_path("etc", p))->mtime.sec, 4000);
}

/* Unpack @a cut or broken; the members before the bad one must be there. */
static void ka_expect_refused(struct ka_arc *a, size_t len, unsigned good_before)
{
	struct initramfs_stats st;
	char p[128];

	ka_fresh_root();
	EXPECT_EQ(initramfs_unpack(a->b, len, ka_root, &st), -EINVAL);
	EXPECT_EQ(st.entries, good_before);
	if (good_before)
		EXPECT_TRUE(tt_inode(ka_path("bin", p)) != NULL);
}

TEST(initramfs, corrupt_archives_refused)
{
	static struct ka_arc a;
	size_t bad;

	a.len = 0;
	ka_add(&a, &ka_good[0]);
	ka_add(&a, &ka_good[1]);
	bad = ka_add(&a,
	             &(struct ka_member){ "../escape", S_IFREG | 0644, 0, 0, 1, 0, 20, "x", 0, 0 });
	ka_expect_refused(&a, a.len, 2);
	/* An absolute name. */
	a.len = bad;
	ka_add(&a, &(struct ka_member){ "/etc/abs", S_IFREG | 0644, 0, 0, 1, 0, 21, "x", 0, 0 });
	ka_expect_refused(&a, a.len, 2);
	/* A bad magic, then a header cut short, then data past the end. */
	a.b[bad] = 'X';
	ka_expect_refused(&a, a.len, 2);
	a.b[bad] = '0';
	ka_expect_refused(&a, bad + 60, 2);
	ka_expect_refused(&a, a.len - 4, 2);
	/* A header field that is not hex, and an unknown file type. */
	a.len = bad;
	ka_add(&a, &(struct ka_member){ "odd", 0170000 | 0644, 0, 0, 1, 0, 22, NULL, 0, 0 });
	ka_expect_refused(&a, a.len, 2);
	a.b[bad + 20] = 'g';
	ka_expect_refused(&a, a.len, 2);
	/* A symbolic link with a NUL in its target. */
	a.len = bad;
	ka_add(&a, &(struct ka_member){ "lnk", S_IFLNK | 0777, 0, 0, 1, 0, 23, "ab", 0, 0 });
	a.b[a.len - 3] = 0;
	ka_expect_refused(&a, a.len, 2);
}

/* Unpack @rounds mutations of @a (3 random bytes changed each) into a tmpfs of its own. */
static void ka_mutations(const struct ka_arc *a, unsigned rounds, uint64_t seed)
{
	static struct ka_arc b;
	struct tt_mount m;
	char dir[96];
	int r;

	tt_mount(&m, NULL);
	for (unsigned round = 0; round < rounds; round++) {
		memcpy(&b, a, sizeof(b));
		for (unsigned k = 0; k < 3; k++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			b.b[(seed >> 33) % b.len] = (uint8_t)(seed >> 17);
		}
		fmt_snprintf(dir, sizeof(dir), "%s/r%u", m.dir, round);
		EXPECT_EQ(vfs_mkdir(AT_FDCWD, dir, 0755), 0);
		r = initramfs_unpack(b.b, b.len, dir, NULL);
		EXPECT_TRUE(r == 0 || r == -EINVAL);
	}
	tt_umount(&m);
}

/*
 * The good archive with a few random bytes changed, many times over: every
 * unpack ends with 0 or -EINVAL, never a fault, and the unmount gives every
 * frame back (measured around a second run, once the heap has grown to
 * what the first needed).
 */
TEST(initramfs, mutated_archives)
{
	static struct ka_arc a;
	uint64_t before;

	a.len = 0;
	for (unsigned i = 0; i < sizeof(ka_good) / sizeof(ka_good[0]); i++)
		ka_add(&a, &ka_good[i]);
	ka_add(&a, &(struct ka_member){ "TRAILER!!!", 0, 0, 0, 1, 0, 0, NULL, 0, 0 });
	ka_mutations(&a, 40, 0x1234567);
	before = tt_free_frames();
	ka_mutations(&a, 40, 0x1234567);
	EXPECT_EQ(tt_free_frames(), before);
	ka_mutations(&a, 40, 0xabcdef);
}
