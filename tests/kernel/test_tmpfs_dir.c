/* SPDX-License-Identifier: MIT */
/*
 * Kernel tests of tmpfs directories: readdir of many entries in small
 * steps, cookies that stay valid while entries are removed between steps
 * (each surviving name seen exactly once, none twice), lookups in a big
 * directory, and the sizes and link counts Linux's tmpfs shows.
 */
#include "fs/tmpfs/internal.h"
#include "sched/task.h"
#include "tmpfs_test.h"

static const char tt_buf_small[100];

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

TEST(tmpfs, removed_directory_lists_nothing)
{
	static struct td_ctx t;
	struct tt_mount m;
	struct file *f;
	char d[128];

	tt_mount(&m, NULL);
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, tt_path(&m, "d", d), 0755), 0);
	f = tt_open(d, O_RDONLY | O_DIRECTORY, 0);
	EXPECT_EQ(vfs_rmdir(AT_FDCWD, d), 0);
	memset(&t, 0, sizeof(t));
	t.ctx.emit = td_emit;
	t.room = 10;
	EXPECT_EQ(f->ops->iterate(f, &t.ctx), -ENOENT);
	EXPECT_EQ(t.got, 0);
	/* Nothing can be made in it either. */
	EXPECT_EQ(f->inode->nlink, 0);
	file_put(f);
	tt_umount(&m);
}

/* An emptied directory holds no memory: its hash table goes with its last name. */
TEST(tmpfs, emptied_directory_gives_its_table_back)
{
	struct tt_mount m;
	struct tmpfs_dir *d;
	char p[128], q[128];

	tt_mount(&m, NULL);
	d = &tmpfs_i(m.root.dentry->inode)->dir;
	EXPECT_TRUE(d->buckets == NULL);
	EXPECT_EQ(tt_pwrite(tt_path(&m, "f", p), "x", 1, 0), 1);
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, tt_path(&m, "d", p), 0755), 0);
	EXPECT_TRUE(d->buckets != NULL);
	EXPECT_EQ(vfs_unlink(AT_FDCWD, tt_path(&m, "f", p)), 0);
	EXPECT_TRUE(d->buckets != NULL);
	EXPECT_EQ(vfs_rmdir(AT_FDCWD, tt_path(&m, "d", p)), 0);
	EXPECT_TRUE(d->buckets == NULL);
	/* Rename inside a directory of one name keeps a table for the new name. */
	EXPECT_EQ(tt_pwrite(tt_path(&m, "a", p), "x", 1, 0), 1);
	EXPECT_EQ(vfs_rename(AT_FDCWD, p, AT_FDCWD, tt_path(&m, "b", q), 0), 0);
	EXPECT_TRUE(tt_inode(q) != NULL);
	EXPECT_EQ(vfs_unlink(AT_FDCWD, q), 0);
	EXPECT_TRUE(d->buckets == NULL);
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

/* ---- many CPUs in one directory ---- */

#define TS_WORKERS 4
#define TS_ROUNDS  300

static struct tt_mount ts_mount;
static bool ts_stop;

static bool ts_ok(int err, int allowed1, int allowed2)
{
	return err == 0 || err == allowed1 || err == allowed2;
}

/* Create, rename over shared names, unlink others', make and remove directories, link. */
static int ts_worker(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg, bad = 0;
	char a[128], b[128], q[32];

	for (unsigned i = 0; i < TS_ROUNDS; i++) {
		fmt_snprintf(q, sizeof(q), "w%u-%u", id, i % 8);
		tt_path(&ts_mount, q, a);
		bad += tt_pwrite(a, tt_buf_small, 100, (int64_t)(i % 3) * 4096) != 100;
		fmt_snprintf(q, sizeof(q), "shared%u", i % 4);
		bad += vfs_rename(AT_FDCWD, a, AT_FDCWD, tt_path(&ts_mount, q, b), 0) != 0;
		fmt_snprintf(q, sizeof(q), "shared%u", (i + 1) % 4);
		bad += !ts_ok(vfs_unlink(AT_FDCWD, tt_path(&ts_mount, q, b)), -ENOENT, 0);
		fmt_snprintf(q, sizeof(q), "d%u", i % 2);
		bad += !ts_ok(vfs_mkdir(AT_FDCWD, tt_path(&ts_mount, q, b), 0755), -EEXIST, 0);
		bad += !ts_ok(vfs_rmdir(AT_FDCWD, b), -ENOENT, 0);
		fmt_snprintf(q, sizeof(q), "shared%u", (i + 2) % 4);
		tt_path(&ts_mount, q, a);
		fmt_snprintf(q, sizeof(q), "l%u", id);
		bad += !ts_ok(vfs_link(AT_FDCWD, a, AT_FDCWD, tt_path(&ts_mount, q, b), 0), -ENOENT,
		              -EEXIST);
		bad += !ts_ok(vfs_unlink(AT_FDCWD, b), -ENOENT, 0);
	}
	return (int)bad;
}

struct ts_ctx {
	struct dir_ctx ctx; /* first, so the emit callback can cast back */
	unsigned n;
};

static bool ts_count(struct dir_ctx *c, const char *name, size_t len, uint64_t ino, unsigned t)
{
	((struct ts_ctx *)c)->n++;
	return true;
}

/* Read the directory whole again and again until the workers are done. */
static int ts_reader(void *arg)
{
	struct ts_ctx c = { { ts_count }, 0 };
	char dir[64];
	unsigned passes = 0;

	memcpy(dir, ts_mount.dir, sizeof(dir));
	while (!__atomic_load_n(&ts_stop, __ATOMIC_ACQUIRE)) {
		struct file *f = vfs_open(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY, 0);

		if (IS_ERR_PTR(f))
			return 1;
		c.n = 0;
		if (f->ops->iterate(f, &c.ctx) || c.n < 2)
			passes = 1u << 30;
		file_put(f);
		passes++;
	}
	return passes >= 1u << 30;
}

TEST(tmpfs, many_cpus_one_directory)
{
	struct task_handle w[TS_WORKERS], r;
	struct task_result res;
	struct kstatfs st;
	char p[128], q[32];

	tt_mount(&ts_mount, NULL);
	ts_stop = false;
	EXPECT_EQ(task_spawn(&r, "ts-reader", ts_reader, NULL), 0);
	for (unsigned i = 0; i < TS_WORKERS; i++)
		EXPECT_EQ(task_spawn(&w[i], "ts-worker", ts_worker, (void *)(uintptr_t)i), 0);
	for (unsigned i = 0; i < TS_WORKERS; i++) {
		EXPECT_EQ(task_join(w[i], &res), 0);
		EXPECT_EQ(res.how, TASK_END_RETURNED);
		EXPECT_EQ(res.value, 0);
	}
	__atomic_store_n(&ts_stop, true, __ATOMIC_RELEASE);
	EXPECT_EQ(task_join(r, &res), 0);
	EXPECT_EQ(res.value, 0);
	for (unsigned i = 0; i < 4; i++) {
		fmt_snprintf(q, sizeof(q), "shared%u", i);
		EXPECT_TRUE(ts_ok(vfs_unlink(AT_FDCWD, tt_path(&ts_mount, q, p)), -ENOENT, 0));
	}
	/* Everything is gone: no entry, no inode but the root, no page. */
	EXPECT_EQ(ts_mount.root.dentry->inode->size, 40);
	EXPECT_EQ(ts_mount.root.dentry->inode->nlink, 2);
	EXPECT_EQ(ts_mount.root.dentry->sb->ops->statfs(ts_mount.root.dentry->sb, &st), 0);
	EXPECT_EQ(st.files - st.ffree, 1);
	EXPECT_EQ(st.blocks, st.bfree);
	tt_umount(&ts_mount);
}
