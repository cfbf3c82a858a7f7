// SPDX-License-Identifier: MIT
/*
 * The text files of one process or thread: stat, status, statm and comm
 * from a snapshot of the process (kernel/proc/procinfo.c), cmdline and
 * environ read from its address space, maps from its regions.
 */
#include <cairn/errno.h>
#include <cairn/linux/mman.h>
#include <cairn/linux/stat.h>

#include <lib/procfs/procfmt.h>

#include "fs/file.h"
#include "fs/procfs/internal.h"
#include "mm/heap.h"
#include "mm/uspace.h"
#include "proc/procinfo.h"

#define ARGS_CHUNK 256           /* bytes copied from the process at a time */
#define ARGS_MAX   (128u * 1024) /* Linux's MAX_ARG_STRLEN-sized cap on what one read shows */

/* The snapshot of @n's process or thread, on the heap (it is large); NULL and *@err on failure. */
static struct procfmt_task *task_of(const struct procfs_node *n, int *err)
{
	struct procfmt_task *t = kmalloc_flags(sizeof(*t), KM_MAY_FAIL);

	if (!t) {
		*err = -ENOMEM;
		return NULL;
	}
	*err = proc_task_info(n->pid, n->tid, t);
	if (*err) {
		kfree(t);
		return NULL;
	}
	t->fd_size = procfs_fd_size(n->pid);
	return t;
}

/* Print @n's snapshot with @fmt. */
static int show_task(struct seqbuf *s, const struct procfs_node *n,
                     void (*fmt)(struct seqbuf *s, const struct procfmt_task *t))
{
	struct procfmt_task *t;
	int err;

	t = task_of(n, &err);
	if (!t)
		return err;
	fmt(s, t);
	kfree(t);
	return 0;
}

int procfs_show_pid_stat(struct seqbuf *s, const struct procfs_node *n)
{
	return show_task(s, n, procfmt_pid_stat);
}

int procfs_show_pid_status(struct seqbuf *s, const struct procfs_node *n)
{
	return show_task(s, n, procfmt_pid_status);
}

int procfs_show_pid_statm(struct seqbuf *s, const struct procfs_node *n)
{
	return show_task(s, n, procfmt_pid_statm);
}

static void comm_line(struct seqbuf *s, const struct procfmt_task *t)
{
	seq_printf(s, "%s\n", t->comm);
}

int procfs_show_pid_comm(struct seqbuf *s, const struct procfs_node *n)
{
	return show_task(s, n, comm_line);
}

/* Copy [@start, @end) of @space into @s, a chunk at a time, stopping at a hole. */
static void copy_range(struct seqbuf *s, struct uspace *space, uint64_t start, uint64_t end)
{
	char chunk[ARGS_CHUNK];
	size_t want, got;

	if (end > start + ARGS_MAX)
		end = start + ARGS_MAX;
	while (start < end && !seq_overflowed(s)) {
		want = end - start < sizeof(chunk) ? (size_t)(end - start) : sizeof(chunk);
		got = uspace_read(space, start, chunk, want);
		seq_write(s, chunk, got);
		if (got < want)
			break;
		start += got;
	}
}

/* The argv (@env false) or envp strings exec left in the process's memory. */
static int show_strings(struct seqbuf *s, const struct procfs_node *n, bool env)
{
	struct uspace *space;
	struct uspace_info i;

	if (!proc_pid_exists(n->pid))
		return -ESRCH;
	space = proc_space_get(n->pid);
	if (!space)
		return 0; /* a zombie: empty, as in Linux */
	uspace_get_info(space, &i);
	if (env)
		copy_range(s, space, i.arg_end, i.env_end);
	else
		copy_range(s, space, i.arg_start, i.arg_end);
	uspace_put(space);
	return 0;
}

int procfs_show_pid_cmdline(struct seqbuf *s, const struct procfs_node *n)
{
	return show_strings(s, n, false);
}

int procfs_show_pid_environ(struct seqbuf *s, const struct procfs_node *n)
{
	return show_strings(s, n, true);
}

/* The path buffer of map_line(): one per maps read, from the heap. */
struct maps_ctx {
	struct seqbuf *s;
	char *path; /* PATH_MAX bytes, or NULL without memory (names left out) */
};

/*
 * One region as a maps line; the stack and the break's region get Linux's
 * names, a file region its path, offset, device and inode number.
 */
static void map_line(const struct uspace_region *r, void *ctx)
{
	struct maps_ctx *c = ctx;
	struct procfmt_vma v = {
		r->start, r->end, false, false, false, r->shared, 0, 0, 0, 0, NULL
	};

	v.read = r->prot & PROT_READ;
	v.write = r->prot & PROT_WRITE;
	v.exec = r->prot & PROT_EXEC;
	if (r->file) {
		v.offset = r->offset;
		v.dev_major = DEV_MAJOR(r->file->inode->sb->dev);
		v.dev_minor = DEV_MINOR(r->file->inode->sb->dev);
		v.ino = r->file->inode->ino;
		if (c->path && vfs_path_name(&r->file->path, c->path, PATH_MAX) >= 0)
			v.name = c->path;
	} else if (r->heap) {
		v.name = "[heap]";
	} else if (r->stack) {
		v.name = "[stack]";
	}
	procfmt_map(c->s, &v);
}

int procfs_show_pid_maps(struct seqbuf *s, const struct procfs_node *n)
{
	struct maps_ctx c = { s, NULL };
	struct uspace *space;

	if (!proc_pid_exists(n->pid))
		return -ESRCH;
	space = proc_space_get(n->pid);
	if (!space)
		return 0;
	c.path = kmalloc_flags(PATH_MAX, KM_MAY_FAIL);
	uspace_for_each_region(space, map_line, &c);
	uspace_put(space);
	kfree(c.path);
	return 0;
}
