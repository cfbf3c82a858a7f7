// SPDX-License-Identifier: MIT
/*
 * Processes and their files, at the level of kernel/proc/files.c: fork
 * copies a descriptor table and CLONE_FILES shares it, exec unshares a
 * shared table before it closes the close-on-exec descriptors (so the
 * other process keeps them), the last holder's exit releases each open
 * file exactly once, and a kernel task's credentials are root's. The
 * processes here are bare objects (no thread, no program); what user
 * programs see of the same rules is in user/tests/proc_files.c.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/sched.h>
#include <cairn/linux/stat.h>

#include "core/ktest.h"
#include "fs/file.h"
#include "proc/internal.h"

/* Releases of the test files: each must come exactly once, after the last holder lets go. */
static int released;

static void count_release(struct file *f)
{
	__atomic_fetch_add(&released, 1, __ATOMIC_RELAXED);
}

static const struct file_ops counted_ops = { .release = count_release };

static struct file *counted_file(void)
{
	struct file *f = file_alloc_anon(&counted_ops, NULL, O_RDWR, S_IFIFO | 0600, "test");

	EXPECT_TRUE(!IS_ERR_PTR(f));
	return f;
}

/* A bare process whose fds 0, 1, 2 are one counted file (the caller keeps no reference). */
static struct process *bare_process(void)
{
	struct process *p = NULL;
	struct file *f = counted_file();
	struct file *stdio[3] = { f, f, f };

	EXPECT_EQ(process_create(NULL, false, &p), 0);
	EXPECT_EQ(proc_files_spawn(p, stdio), 0);
	file_put(f);
	return p;
}

/* Out of the tables and freed: its files go with it if it still holds them. */
static void bare_free(struct process *p)
{
	uint64_t flags = spin_lock_irqsave(&proc_lock);
	bool reaped = process_reap_locked(p);

	spin_unlock_irqrestore(&proc_lock, flags);
	if (reaped)
		process_put(p);
}

/* Whether @fd is open in @t. */
static bool fd_open_in(struct fdtable *t, int fd)
{
	return fd_get_cloexec(t, fd) >= 0;
}

TEST(proc, files_fork_copies_the_table)
{
	struct process *a, *b;

	released = 0;
	a = bare_process();
	EXPECT_EQ(process_create(NULL, false, &b), 0);
	EXPECT_EQ(proc_files_clone(b, a, 0), 0);
	EXPECT_TRUE(a->files != b->files);
	EXPECT_TRUE(a->fs != b->fs);
	EXPECT_TRUE(fd_open_in(b->files, 2));
	/* A descriptor opened after the fork exists only in the table that opened it. */
	EXPECT_EQ(fd_install(a->files, counted_file(), 3, false), 3);
	EXPECT_TRUE(!fd_open_in(b->files, 3));
	EXPECT_EQ(fd_close(b->files, 0), 0);
	EXPECT_TRUE(fd_open_in(a->files, 0));
	bare_free(a);
	EXPECT_EQ(released, 1); /* fd 3's file; the stdio file is still b's */
	bare_free(b);
	EXPECT_EQ(released, 2);
}

TEST(proc, files_clone_files_shares_the_table)
{
	struct process *a, *b;

	released = 0;
	a = bare_process();
	EXPECT_EQ(process_create(NULL, false, &b), 0);
	EXPECT_EQ(proc_files_clone(b, a, CLONE_FILES | CLONE_FS), 0);
	EXPECT_TRUE(a->files == b->files);
	EXPECT_TRUE(a->fs == b->fs);
	EXPECT_TRUE(a->files_shared && b->files_shared);
	EXPECT_EQ(fd_install(b->files, counted_file(), 5, false), 5);
	EXPECT_TRUE(fd_open_in(a->files, 5));
	EXPECT_EQ(fd_close(a->files, 1), 0);
	EXPECT_EQ(fd_close(b->files, 1), -EBADF);
	bare_free(b);
	EXPECT_EQ(released, 0); /* a still holds the shared table */
	bare_free(a);
	EXPECT_EQ(released, 2);
}

TEST(proc, files_exec_closes_cloexec_only)
{
	struct fdtable *fresh = NULL;
	struct process *a;

	released = 0;
	a = bare_process();
	EXPECT_EQ(fd_install(a->files, counted_file(), 3, true), 3);
	EXPECT_EQ(fd_install(a->files, counted_file(), 4, false), 4);
	EXPECT_EQ(proc_files_exec_prepare(a, &fresh), 0);
	EXPECT_TRUE(fresh == NULL); /* not shared: the table stays */
	proc_files_exec_commit(a, fresh);
	EXPECT_TRUE(!fd_open_in(a->files, 3));
	EXPECT_TRUE(fd_open_in(a->files, 4));
	EXPECT_EQ(released, 1);
	bare_free(a);
	EXPECT_EQ(released, 3);
}

TEST(proc, files_exec_unshares_a_shared_table)
{
	struct fdtable *fresh = NULL, *before;
	struct process *a, *b;

	released = 0;
	a = bare_process();
	EXPECT_EQ(process_create(NULL, false, &b), 0);
	EXPECT_EQ(proc_files_clone(b, a, CLONE_FILES), 0);
	EXPECT_EQ(fd_install(a->files, counted_file(), 3, true), 3);
	before = a->files;
	EXPECT_EQ(proc_files_exec_prepare(a, &fresh), 0);
	EXPECT_TRUE(fresh != NULL && fresh != before);
	proc_files_exec_commit(a, fresh);
	EXPECT_TRUE(a->files == fresh && b->files == before);
	EXPECT_TRUE(!a->files_shared);
	/* The exec'd process lost its close-on-exec fd; the other process keeps it. */
	EXPECT_TRUE(!fd_open_in(a->files, 3));
	EXPECT_TRUE(fd_open_in(b->files, 3));
	EXPECT_TRUE(fd_open_in(a->files, 0));
	EXPECT_EQ(released, 0);
	bare_free(b);
	EXPECT_EQ(released, 1);
	bare_free(a);
	EXPECT_EQ(released, 2);
}

TEST(proc, files_exit_drops_table_and_context)
{
	struct process *a = bare_process();

	released = 0;
	proc_files_exit(a);
	EXPECT_TRUE(a->files == NULL && a->fs == NULL);
	EXPECT_TRUE(proc_files_get(a) == NULL && proc_fs_get(a) == NULL);
	EXPECT_EQ(released, 1);
	bare_free(a);
	EXPECT_EQ(released, 1);
}

TEST(proc, files_kernel_task_is_root_with_the_kernel_table)
{
	struct cred c = current_cred();

	EXPECT_EQ(c.uid, 0u);
	EXPECT_EQ(c.euid, 0u);
	EXPECT_EQ(c.fsuid, 0u);
	EXPECT_EQ(c.fsgid, 0u);
	EXPECT_EQ(c.ngroups, 0u);
	EXPECT_TRUE(fdtable_current() == fdtable_kernel());
	EXPECT_TRUE(fs_context_current() == fs_context_kernel());
}
