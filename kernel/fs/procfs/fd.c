// SPDX-License-Identifier: MIT
/*
 * The places of a process as magic links: fd/N (its open files), cwd,
 * root and exe. Each finds its place (a struct path with references) in
 * the process's descriptor table, file-system context or program path
 * through the proc layer's accessors. readlink names the place with
 * vfs_path_name() as the reader sees the tree ("pipe:[N]" and
 * "anon_inode:[...]" for files on no name); a walk jumps to the place
 * itself (get_link, dir.c). All are private to the process's owner and root.
 */
#include <cairn/errno.h>

#include <lib/string.h>

#include "fs/procfs/internal.h"
#include "mm/heap.h"
#include "proc/proc.h"

/* What a walk over a table looks for: the lowest fd >= want, and its file if it is want. */
struct fd_walk {
	int want;
	int found;      /* -1: none */
	struct file *f; /* with a reference when found == want */
	int highest;    /* the highest open fd (FDSize) */
};

static void fd_visit(int fd, struct file *f, void *ctx)
{
	struct fd_walk *w = ctx;

	if (fd > w->highest)
		w->highest = fd;
	if (fd < w->want || w->found >= 0)
		return;
	w->found = fd;
	if (fd == w->want) {
		file_get(f);
		w->f = f;
	}
}

/* Walk process @pid's table for @want: 0, or -ENOENT when it has none (gone, a zombie). */
static int fd_walk(int pid, struct fd_walk *w)
{
	struct process *p = process_find(pid);
	struct fdtable *t = p ? proc_files_get(p) : NULL;

	process_put(p);
	if (!t)
		return -ENOENT;
	fdtable_for_each(t, fd_visit, w);
	fdtable_put(t);
	return 0;
}

static int next_fd(const struct procfs_node *parent, int from)
{
	struct fd_walk w = { from < 0 ? 0 : from, -1, NULL, -1 };

	if (fd_walk(parent->pid, &w))
		return -1;
	if (w.f)
		file_put(w.f);
	return w.found;
}

/* The open file @fd of process @pid, with a reference, or NULL. */
static struct file *fd_file(int pid, int fd)
{
	struct fd_walk w = { fd, -1, NULL, -1 };

	if (fd < 0 || fd_walk(pid, &w))
		return NULL;
	return w.f;
}

static bool fd_exists(const struct procfs_node *parent, int fd)
{
	struct file *f = fd_file(parent->pid, fd);

	if (f)
		file_put(f);
	return f != NULL;
}

unsigned procfs_fd_size(int pid)
{
	struct fd_walk w = { INT32_MAX, -1, NULL, -1 };
	unsigned size = 64; /* Linux's first table: one word of bits */

	if (fd_walk(pid, &w))
		return 0;
	while (size <= (unsigned)w.highest)
		size *= 2;
	return size;
}

uint32_t procfs_fd_mode(int pid, int fd)
{
	struct file *f = fd_file(pid, fd);
	uint32_t mode = S_IFLNK;

	if (!f)
		return S_IFLNK | 0500;
	/* Linux: r-x for reading, -wx for writing (tid_fd_update_inode). */
	if (f->fmode & FMODE_READ)
		mode |= 0500;
	if (f->fmode & FMODE_WRITE)
		mode |= 0300;
	file_put(f);
	return mode;
}

/* Name @p into @buf for readlink: the length, or -errno. */
static long name_path(const struct path *p, char *buf, size_t size)
{
	char *tmp = kmalloc_flags(PATH_MAX, KM_MAY_FAIL);
	long len;

	if (!tmp)
		return -ENOMEM;
	len = vfs_path_name(p, tmp, PATH_MAX);
	if (len >= 0) {
		if ((size_t)len > size)
			len = (long)size;
		memcpy(buf, tmp, (size_t)len);
	}
	kfree(tmp);
	return len;
}

long procfs_link_place(const struct procfs_node *n, char *buf, size_t size)
{
	struct path where;
	long len;
	int err = n->entry->place(n, &where);

	if (err)
		return err;
	len = name_path(&where, buf, size);
	path_put(&where);
	return len;
}

static int place_fd(const struct procfs_node *n, struct path *out)
{
	struct file *f = fd_file(n->pid, n->fd);

	if (!f)
		return -ENOENT;
	*out = f->path;
	path_get(out);
	file_put(f);
	return 0;
}

/* The working directory (@root false) or root directory of process @pid. */
static int place_fs(int pid, bool root, struct path *out)
{
	struct process *p = process_find(pid);
	struct fs_context *c = p ? proc_fs_get(p) : NULL;

	process_put(p);
	if (!c)
		return -ENOENT;
	if (root)
		fs_get_root(c, out);
	else
		fs_get_cwd(c, out);
	fs_context_put(c);
	return out->mnt ? 0 : -ENOENT;
}

int procfs_place_cwd(const struct procfs_node *n, struct path *out)
{
	return place_fs(n->pid, false, out);
}

int procfs_place_root(const struct procfs_node *n, struct path *out)
{
	return place_fs(n->pid, true, out);
}

int procfs_place_exe(const struct procfs_node *n, struct path *out)
{
	struct process *p = process_find(n->pid);
	int err;

	if (!p)
		return -ENOENT;
	err = proc_exe_get(p, out);
	process_put(p);
	return err;
}

/* fd/N: the mode is set per file by procfs_make_inode() (procfs_fd_mode()). */
static const struct procfs_entry fd_link_entry = { NULL,           61,
	                                           S_IFLNK | 0700, PROCFS_NOCACHE | PROCFS_PRIVATE,
	                                           NULL,           procfs_link_place,
	                                           NULL,           place_fd };

const struct procfs_dir procfs_fd_dir = {
	NULL, 0, &fd_link_entry, next_fd, fd_exists, PROCFS_DYN_FD
};
