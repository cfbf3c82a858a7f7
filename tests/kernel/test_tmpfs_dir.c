/* SPDX-License-Identifier: MIT */
/*
 * Kernel tests of tmpfs directories: readdir of many entries in small
 * steps, cookies that stay valid while entries are removed between steps
 * (each surviving name seen exactly once, none twice), lookups in a big
 * directory, and the sizes and link counts Linux's tmpfs shows.
 */
#include "tmpfs_test.h"

#define TD_MAX 600

/* Collects names, at most @room per call (a getdents64 with a small buffer). */
struct td_ctx {
	struct dir_ctx ctx;
	unsigned room;
	unsigned got;
	unsigned seen[TD_MAX]; /* times each "nNNN" name was offered */
	unsigned dots;
};

static bool td_emit(struct dir_ctx *c, const char *name, size_t len, uint64_t ino, unsigned dtype)
{
	struct td_ctx *t = (struct td_ctx *)c;
	unsigned v = 0;

	if (t->got == t->room)
		return false;
	t->got++;
	if (name[0] == '.') {
		t->dots++;
		EXPECT_EQ(dtype, DT_DIR);
		return true;
	}
	EXPECT_EQ(name[0], 'n');
	EXPECT_EQ(dtype, DT_REG);
	EXPECT_TRUE(ino != 0);
	for (size_t i = 1; i < len; i++)
		v = v * 10 + (unsigned)(name[i] - '0');
	EXPECT_TRUE(v < TD_MAX);
	t->seen[v]++;
	return true;
}

/* One "getdents" of at most @room entries; returns how many came. */
static unsigned td_step(struct file *f, struct td_ctx *t, unsigned room)
{
	t->room = room;
	t->got = 0;
	EXPECT_EQ(f->ops->iterate(f, &t->ctx), 0);
	return t->got;
}

static void td_make(struct tt_mount *m, unsigned n)
{
	char p[128], q[16];

	for (unsigned i = 0; i < n; i++) {
		fmt_snprintf(q, sizeof(q), "n%u", i);
		EXPECT_EQ(tt_pwrite(tt_path(m, q, p), "", 0, 0), 0);
	}
}

static void td_remove(struct tt_mount *m, unsigned i)
{
	char p[128], q[16];

	fmt_snprintf(q, sizeof(q), "n%u", i);
	EXPECT_EQ(vfs_unlink(AT_FDCWD, tt_path(m, q, p)), 0);
}

TEST(tmpfs, readdir_many_small_steps)
{
	static struct td_ctx t;
	struct tt_mount m;
	struct file *f;
	unsigned total = 0, n;

	tt_mount(&m, NULL);
	td_make(&m, TD_MAX);
	/* Linux's tmpfs: a directory's size is 20 bytes per entry, "." and ".." included. */
	EXPECT_EQ(m.root.dentry->inode->size, 20 * (TD_MAX + 2));
	memset(&t, 0, sizeof(t));
	t.ctx.emit = td_emit;
	f = tt_open(m.dir, O_RDONLY | O_DIRECTORY, 0);
	while ((n = td_step(f, &t, 7)) > 0)
		total += n;
	EXPECT_EQ(total, TD_MAX + 2);
	EXPECT_EQ(t.dots, 2);
	for (unsigned i = 0; i < TD_MAX; i++)
		EXPECT_EQ(t.seen[i], 1);
	/* A rewind starts again. */
	f->pos = 0;
	EXPECT_EQ(td_step(f, &t, 1000), TD_MAX + 2);
	file_put(f);
	for (unsigned i = 0; i < TD_MAX; i++)
		td_remove(&m, i);
	EXPECT_EQ(m.root.dentry->inode->size, 40);
	tt_umount(&m);
}

TEST(tmpfs, readdir_cookies_while_deleting)
{
	static struct td_ctx t;
	static bool gone[TD_MAX];
	struct tt_mount m;
	struct file *f;
	unsigned i, n, step = 0;

	tt_mount(&m, NULL);
	td_make(&m, TD_MAX);
	memset(&t, 0, sizeof(t));
	memset(gone, 0, sizeof(gone));
	t.ctx.emit = td_emit;
	f = tt_open(m.dir, O_RDONLY | O_DIRECTORY, 0);
	/* Between steps remove every name seen so far and a few not yet seen. */
	while ((n = td_step(f, &t, 13)) > 0) {
		for (i = 0; i < TD_MAX; i++) {
			bool victim = t.seen[i] || (i * 31 + step) % 17 == 0;

			if (victim && !gone[i]) {
				td_remove(&m, i);
				gone[i] = true;
			}
		}
		step++;
	}
	file_put(f);
	for (i = 0; i < TD_MAX; i++) {
		/* Seen at most once; every name never removed before it was reached, seen. */
		EXPECT_TRUE(t.seen[i] <= 1);
		if (!gone[i]) {
			EXPECT_EQ(t.seen[i], 1);
			td_remove(&m, i);
		}
	}
	EXPECT_TRUE(step > 10);
	tt_umount(&m);
}

TEST(tmpfs, lookup_in_big_directory)
{
	struct tt_mount m;
	char p[128], q[16];

	tt_mount(&m, NULL);
	td_make(&m, TD_MAX);
	for (unsigned i = 0; i < TD_MAX; i += 37) {
		fmt_snprintf(q, sizeof(q), "n%u", i);
		EXPECT_TRUE(tt_inode(tt_path(&m, q, p)) != NULL);
	}
	EXPECT_TRUE(tt_inode(tt_path(&m, "n600", p)) == NULL);
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, tt_path(&m, "n5", p), 0755), -EEXIST);
	for (unsigned i = 0; i < TD_MAX; i++)
		td_remove(&m, i);
	tt_umount(&m);
}
