// SPDX-License-Identifier: MIT
/*
 * The initrd unpacked into the tree through the VFS's own calls, so what it
 * makes is what a root process could make. Members are taken in archive
 * order: a later one replaces an earlier name (a directory is kept and
 * only gets new attributes). A regular file whose header says it has
 * several names is a hard link to the first member with the same inode and
 * device numbers; newc stores the data with the last of them, which is
 * written through the link. Directory times are set in a second pass,
 * after everything inside them was made (making an entry changes them).
 */
#include "fs/initramfs.h"

#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/stat.h>

#include <lib/cpio/cpio.h>
#include <lib/format.h>
#include <lib/string.h>

#include "core/log.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "mm/heap.h"

/* The first name of a file with several (newc hard links). */
struct ir_link {
	struct ir_link *next;
	uint32_t ino, devmajor, devminor, mode;
	char path[];
};

struct ir_state {
	const char *root;      /* where to unpack, no trailing '/' ("" for "/") */
	char *path;            /* PATH_MAX scratch: root + "/" + the member's name */
	struct ir_link *links; /* first names of multi-link files */
	struct initramfs_stats st;
};

/* Build st->path for the member name @rel; false if it does not fit. */
static bool ir_path(struct ir_state *s, const char *rel)
{
	size_t n = strlen(rel);

	while (n && rel[n - 1] == '/')
		n--;
	if (strlen(s->root) + 1 + n >= PATH_MAX)
		return false;
	fmt_snprintf(s->path, PATH_MAX, "%s/%.*s", s->root, (int)n, rel);
	if (s->path[0] == '\0')
		memcpy(s->path, "/", 2);
	return true;
}

/* Remove what @path names unless it is a directory and @keep_dir; 0 when the name is free or kept. */
static int ir_clear(const char *path, bool keep_dir)
{
	struct path p;
	bool dir;
	int err = vfs_walk(AT_FDCWD, path, 0, &p);

	if (err)
		return err == -ENOENT ? 0 : err;
	dir = S_ISDIR(p.dentry->inode->mode);
	path_put(&p);
	if (dir && keep_dir)
		return 0;
	return dir ? vfs_rmdir(AT_FDCWD, path) : vfs_unlink(AT_FDCWD, path);
}

/* Owner, permissions and times of the member at s->path (links: the link itself). */
static int ir_attrs(struct ir_state *s, const struct cpio_entry *e, bool times)
{
	struct vfs_time t = { .sec = e->mtime, .nsec = 0 };
	struct path p;
	int err = vfs_walk(AT_FDCWD, s->path, 0, &p);

	if (err)
		return err;
	/* chown first: it clears set-user-ID bits that the chmod then restores. */
	err = vfs_chown(&p, e->uid, e->gid);
	if (!err && (e->mode & CPIO_S_IFMT) != CPIO_S_IFLNK)
		err = vfs_chmod(&p, e->mode & 07777);
	if (!err && times)
		err = vfs_utimes(&p, &t, &t, true);
	path_put(&p);
	return err;
}

/* Write the member's data to s->path (which exists), from offset 0. */
static int ir_write(struct ir_state *s, const struct cpio_entry *e, int flags)
{
	struct file *f = vfs_open(AT_FDCWD, s->path, O_WRONLY | flags, e->mode & 07777);
	int64_t pos = 0;
	long n = 0;

	if (IS_ERR_PTR(f))
		return (int)PTR_ERR_VAL(f);
	if (e->size)
		n = kernel_write(f, e->data, e->size, &pos);
	file_put(f);
	if (n < 0)
		return (int)n;
	if ((size_t)n != e->size)
		return -ENOSPC;
	s->st.bytes += e->size;
	return 0;
}

static struct ir_link *ir_find_link(struct ir_state *s, const struct cpio_entry *e)
{
	struct ir_link *l;

	for (l = s->links; l; l = l->next)
		if (l->ino == e->ino && l->devmajor == e->devmajor && l->devminor == e->devminor &&
		    l->mode == e->mode)
			return l;
	return NULL;
}

/* Remember s->path as the first name of a multi-link file; without memory it stays alone. */
static void ir_add_link(struct ir_state *s, const struct cpio_entry *e)
{
	size_t n = strlen(s->path) + 1;
	struct ir_link *l = kmalloc(sizeof(*l) + n);

	if (!l)
		return;
	l->ino = e->ino;
	l->devmajor = e->devmajor;
	l->devminor = e->devminor;
	l->mode = e->mode;
	memcpy(l->path, s->path, n);
	l->next = s->links;
	s->links = l;
}

static int ir_regular(struct ir_state *s, const struct cpio_entry *e)
{
	struct ir_link *l = e->nlink > 1 ? ir_find_link(s, e) : NULL;
	int err = ir_clear(s->path, false);

	if (err)
		return err;
	if (l) {
		err = vfs_link(AT_FDCWD, l->path, AT_FDCWD, s->path, 0);
		return err ? err : ir_write(s, e, 0);
	}
	err = ir_write(s, e, O_CREAT | O_EXCL);
	if (!err && e->nlink > 1)
		ir_add_link(s, e);
	return err;
}

static int ir_symlink(struct ir_state *s, const struct cpio_entry *e)
{
	char *target;
	int err;

	if (e->size == 0 || e->size >= PATH_MAX || strnlen(e->data, e->size) != e->size)
		return -EINVAL;
	target = kmalloc(e->size + 1);
	if (!target)
		return -ENOMEM;
	memcpy(target, e->data, e->size);
	target[e->size] = '\0';
	err = ir_clear(s->path, false);
	if (!err)
		err = vfs_symlink(target, AT_FDCWD, s->path);
	kfree(target);
	return err;
}

/* Make the member at s->path by its type; 0 or -errno (-EINVAL: a type or link that is corrupt). */
static int ir_make(struct ir_state *s, const struct cpio_entry *e)
{
	uint32_t type = e->mode & CPIO_S_IFMT;
	int err;

	switch (type) {
	case CPIO_S_IFDIR:
		err = ir_clear(s->path, true);
		if (!err)
			err = vfs_mkdir(AT_FDCWD, s->path, e->mode & 07777);
		return err == -EEXIST ? 0 : err;
	case CPIO_S_IFREG:
		return ir_regular(s, e);
	case CPIO_S_IFLNK:
		return ir_symlink(s, e);
	case CPIO_S_IFCHR:
	case CPIO_S_IFBLK:
	case CPIO_S_IFIFO:
	case CPIO_S_IFSOCK:
		err = ir_clear(s->path, false);
		if (!err)
			err = vfs_mknod(AT_FDCWD, s->path, e->mode & (CPIO_S_IFMT | 07777),
			                (uint32_t)DEV_ENCODE(e->rdevmajor, e->rdevminor));
		return err;
	default:
		return -EINVAL;
	}
}

/* One member: its name checked, made, given its attributes. 0, or -EINVAL when corrupt. */
static int ir_member(struct ir_state *s, const struct cpio_entry *e)
{
	const char *rel, *why;
	int err;

	if (cpio_name_check(e->name, PATH_MAX - 2, &rel, &why) || !ir_path(s, rel)) {
		pr_err("initramfs: member \"%.64s\" at offset %zu refused: %s", e->name, e->offset,
		       rel ? why : "path too long");
		return -EINVAL;
	}
	err = ir_make(s, e);
	if (err == -EINVAL && (e->mode & CPIO_S_IFMT) != CPIO_S_IFDIR) {
		pr_err("initramfs: member \"%.64s\" at offset %zu refused: bad type or link target",
		       e->name, e->offset);
		return -EINVAL;
	}
	if (!err)
		err = ir_attrs(s, e, (e->mode & CPIO_S_IFMT) != CPIO_S_IFDIR);
	if (err) {
		pr_warn("initramfs: cannot make %s (offset %zu): error %d", s->path, e->offset,
		        err);
		s->st.failed++;
		return 0;
	}
	s->st.entries++;
	return 0;
}

/* Second pass: directory times, now that nothing more is made inside them. */
static void ir_dir_times(struct ir_state *s, const void *data, size_t size)
{
	struct cpio_iter it;
	struct cpio_entry e;
	const char *rel, *why;
	struct vfs_time t;
	struct path p;

	cpio_iter_init(&it, data, size);
	while (cpio_next(&it, &e) == 1) {
		if ((e.mode & CPIO_S_IFMT) != CPIO_S_IFDIR ||
		    cpio_name_check(e.name, PATH_MAX - 2, &rel, &why) || !ir_path(s, rel))
			continue;
		if (vfs_walk(AT_FDCWD, s->path, 0, &p))
			continue;
		t.sec = e.mtime;
		t.nsec = 0;
		if (S_ISDIR(p.dentry->inode->mode) && vfs_utimes(&p, &t, &t, true))
			pr_warn("initramfs: cannot set the times of %s", s->path);
		path_put(&p);
	}
}

int initramfs_unpack(const void *data, size_t size, const char *root, struct initramfs_stats *st)
{
	struct ir_state s = { .root = strcmp(root, "/") == 0 ? "" : root };
	struct cpio_iter it;
	struct cpio_entry e;
	struct ir_link *l;
	int r, err = 0;

	s.path = kmalloc(PATH_MAX);
	if (!s.path)
		return -ENOMEM;
	cpio_iter_init(&it, data, size);
	while ((r = cpio_next(&it, &e)) == 1) {
		err = ir_member(&s, &e);
		if (err)
			break;
	}
	if (r < 0) {
		pr_err("initramfs: archive corrupt at offset %zu: %s; %llu members unpacked, the rest "
		       "is ignored",
		       it.off, it.error, (unsigned long long)s.st.entries);
		err = -EINVAL;
	}
	ir_dir_times(&s, data, err ? it.off : size);
	while ((l = s.links)) {
		s.links = l->next;
		kfree(l);
	}
	kfree(s.path);
	if (st)
		*st = s.st;
	return err;
}
