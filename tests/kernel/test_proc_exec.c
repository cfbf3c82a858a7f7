// SPDX-License-Identifier: MIT
/*
 * exec through the file system: programs written into the tmpfs tree
 * (/tmp/kexec) and started by path with proc_spawn(): a plain program,
 * "#!" scripts and their depth limit, the files exec refuses (not ELF nor
 * script, no x bit, a directory, a noexec mount), set-user-ID programs run
 * by an ordinary user (honoured, and ignored on a nosuid mount), and an
 * execute-only program run without read permission, and what another
 * user's process may open. The programs are the
 * small assembly ones of proc_progs.h in a one-segment ELF file.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/wait.h>

#include <lib/elf/elf.h>
#include <lib/format.h>
#include <lib/string.h>

#include "core/ktest.h"
#include "fs/file.h"
#include "proc/proc.h"
#include "tests/kernel/proc_image.h"
#include "tests/kernel/proc_progs.h"

#define DIR_ "/tmp/kexec"

static struct proc_image image;

/* @p wrapped in an ELF file in image; returns the file's size. */
static size_t build(const struct proc_prog *p)
{
	proc_image_build(&image, p, false);
	return image.size;
}

/* Write @n bytes to @path (made or emptied), then give it exactly @mode and owner @uid:@gid. */
static void put(const char *path, const void *data, size_t n, uint32_t mode, uint32_t uid)
{
	struct file *f = vfs_open(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	struct path p;
	int64_t pos = 0;

	EXPECT_TRUE(!IS_ERR_PTR(f));
	if (IS_ERR_PTR(f))
		return;
	EXPECT_EQ(kernel_write(f, data, n, &pos), (long)n);
	file_put(f);
	EXPECT_EQ(vfs_walk(AT_FDCWD, path, 0, &p), 0);
	EXPECT_EQ(vfs_chown(&p, uid, uid), 0);
	EXPECT_EQ(vfs_chmod(&p, mode), 0); /* after chown, which drops set-id bits */
	path_put(&p);
}

static void put_prog(const char *path, const struct proc_prog *prog, uint32_t mode, uint32_t uid)
{
	size_t n = build(prog);

	put(path, image.b, n, mode, uid);
}

static void put_text(const char *path, const char *text)
{
	put(path, text, strlen(text), 0755, 0);
}

/* mkdir @path; it may be there from an earlier test. */
static void mkdir_ok(const char *path)
{
	int err = vfs_mkdir(AT_FDCWD, path, 0755);

	EXPECT_TRUE(err == 0 || err == -EEXIST);
}

static void scratch_dir(void)
{
	mkdir_ok(DIR_);
}

/* Spawn @path with @argv (NULL: just the path) and wait: its wait status, or exec's -errno. */
static int run(const char *path, char *const *argv)
{
	char *def[] = { (char *)path, NULL };
	int pid, status = -1, err;

	err = proc_spawn(path, argv ? argv : def, NULL, &pid);
	if (err)
		return err;
	err = proc_wait(pid, &status);
	return err ? err : status;
}

TEST(proc, exec_a_program_from_the_tree)
{
	scratch_dir();
	put_prog(DIR_ "/prog", &proc_prog_exit42, 0755, 0);
	EXPECT_EQ(run(DIR_ "/prog", NULL), W_EXITCODE(42, 0));
	EXPECT_EQ(run("/tmp/../tmp/kexec/./prog", NULL), W_EXITCODE(42, 0));
}

TEST(proc, exec_scripts_and_their_depth)
{
	char name[40], line[48];
	int i;

	scratch_dir();
	put_prog(DIR_ "/prog", &proc_prog_exit42, 0755, 0);
	put_text(DIR_ "/script", "#!" DIR_ "/prog -x y\nnot shell\n");
	EXPECT_EQ(run(DIR_ "/script", NULL), W_EXITCODE(42, 0));
	/* Five interpreter lines are followed; the sixth is ELOOP (Linux). */
	for (i = 1; i <= 6; i++) {
		fmt_snprintf(name, sizeof(name), DIR_ "/chain%d", i);
		if (i == 1)
			fmt_snprintf(line, sizeof(line), "#!%s\n", DIR_ "/prog");
		else
			fmt_snprintf(line, sizeof(line), "#!" DIR_ "/chain%d\n", i - 1);
		put_text(name, line);
	}
	EXPECT_EQ(run(DIR_ "/chain5", NULL), W_EXITCODE(42, 0));
	EXPECT_EQ(run(DIR_ "/chain6", NULL), -ELOOP);
	put_text(DIR_ "/noname", "#!  \n");
	EXPECT_EQ(run(DIR_ "/noname", NULL), -ENOEXEC);
	put_text(DIR_ "/nointerp", "#!" DIR_ "/missing\n");
	EXPECT_EQ(run(DIR_ "/nointerp", NULL), -ENOENT);
}

TEST(proc, exec_refuses_what_cannot_run)
{
	struct path p;

	scratch_dir();
	put_text(DIR_ "/junk", "neither ELF nor script\n");
	EXPECT_EQ(run(DIR_ "/junk", NULL), -ENOEXEC);
	put_prog(DIR_ "/nox", &proc_prog_exit42, 0644, 0);
	EXPECT_EQ(run(DIR_ "/nox", NULL), -EACCES);
	EXPECT_EQ(run(DIR_, NULL), -EACCES);
	EXPECT_EQ(run(DIR_ "/missing", NULL), -ENOENT);
	EXPECT_EQ(run(DIR_ "/junk/x", NULL), -ENOTDIR);
	/* A program on a noexec mount does not run, whatever its mode. */
	mkdir_ok(DIR_ "/nx");
	EXPECT_EQ(vfs_walk(AT_FDCWD, DIR_ "/nx", LOOKUP_FOLLOW, &p), 0);
	EXPECT_EQ(vfs_mount("none", &p, "tmpfs", MS_NOEXEC, NULL), 0);
	path_put(&p);
	put_prog(DIR_ "/nx/prog", &proc_prog_exit42, 0755, 0);
	EXPECT_EQ(run(DIR_ "/nx/prog", NULL), -EACCES);
	EXPECT_EQ(vfs_walk(AT_FDCWD, DIR_ "/nx", LOOKUP_FOLLOW, &p), 0);
	EXPECT_EQ(vfs_umount(&p, 0), 0);
	path_put(&p);
}

/* The euid program @path run by uid 2000 through prog_drop_exec: its exit status. */
static int euid_as_2000(const char *path)
{
	char *argv[] = { "drop", (char *)path, NULL };

	put_prog(DIR_ "/drop", &proc_prog_drop_exec, 0755, 0);
	return run(DIR_ "/drop", argv);
}

TEST(proc, exec_set_user_id)
{
	struct path p;

	scratch_dir();
	put_prog(DIR_ "/suid", &proc_prog_euid, 04755, 1000);
	EXPECT_EQ(euid_as_2000(DIR_ "/suid"), W_EXITCODE(1000 & 0xff, 0));
	put_prog(DIR_ "/plain", &proc_prog_euid, 0755, 1000);
	EXPECT_EQ(euid_as_2000(DIR_ "/plain"), W_EXITCODE(2000 & 0xff, 0));
	/* Execute permission is enough: exec does not read the file as the caller. */
	put_prog(DIR_ "/xonly", &proc_prog_euid, 0711, 0);
	EXPECT_EQ(euid_as_2000(DIR_ "/xonly"), W_EXITCODE(2000 & 0xff, 0));
	put_prog(DIR_ "/rootonly", &proc_prog_euid, 0700, 0);
	EXPECT_EQ(euid_as_2000(DIR_ "/rootonly"), W_EXITCODE(EACCES, 0));
	/* A nosuid mount ignores the bit. */
	mkdir_ok(DIR_ "/ns");
	EXPECT_EQ(vfs_walk(AT_FDCWD, DIR_ "/ns", LOOKUP_FOLLOW, &p), 0);
	EXPECT_EQ(vfs_mount("none", &p, "tmpfs", MS_NOSUID, NULL), 0);
	path_put(&p);
	put_prog(DIR_ "/ns/suid", &proc_prog_euid, 04755, 1000);
	EXPECT_EQ(euid_as_2000(DIR_ "/ns/suid"), W_EXITCODE(2000 & 0xff, 0));
	EXPECT_EQ(vfs_walk(AT_FDCWD, DIR_ "/ns", LOOKUP_FOLLOW, &p), 0);
	EXPECT_EQ(vfs_umount(&p, 0), 0);
	path_put(&p);
}

/* What uid 2000 gets opening @path for reading, through prog_drop_open: 0 or the errno. */
static int open_as_2000(const char *path)
{
	char *argv[] = { "open", (char *)path, NULL };
	int st;

	put_prog(DIR_ "/open", &proc_prog_drop_open, 0755, 0);
	st = run(DIR_ "/open", argv);
	return st >= 0 ? (st >> 8) & 0xff : st;
}

TEST(proc, another_user_cannot_open_roots_private_file)
{
	struct path p;

	scratch_dir();
	put(DIR_ "/secret", "root only\n", 10, 0600, 0);
	EXPECT_EQ(open_as_2000(DIR_ "/secret"), EACCES);
	put(DIR_ "/public", "anyone\n", 7, 0644, 0);
	EXPECT_EQ(open_as_2000(DIR_ "/public"), 0);
	/* Its own file, even at mode 0600, is open to it. */
	put(DIR_ "/mine", "uid 2000's\n", 11, 0600, 2000);
	EXPECT_EQ(open_as_2000(DIR_ "/mine"), 0);
	/* A directory it may not search hides what is inside. */
	mkdir_ok(DIR_ "/closed");
	put(DIR_ "/closed/f", "x\n", 2, 0644, 0);
	EXPECT_EQ(vfs_walk(AT_FDCWD, DIR_ "/closed", 0, &p), 0);
	EXPECT_EQ(vfs_chmod(&p, 0700), 0);
	path_put(&p);
	EXPECT_EQ(open_as_2000(DIR_ "/closed/f"), EACCES);
}
