// SPDX-License-Identifier: MIT
/*
 * exec's side of the file system: find the program by path from the
 * caller's working directory (or a descriptor: execveat), check that it
 * may be executed (a regular file, an x bit for the caller, a mount
 * without noexec), read only its headers, follow "#!" interpreter lines
 * (lib/exec/shebang.c) the way Linux does, and note set-user-ID and
 * set-group-ID bits (ignored on nosuid mounts). The segments are read
 * later, straight into the new address space (exec_fill()), so a 2 MB
 * busybox costs no kernel copy of the whole file.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/stat.h>

#include <arch/page.h>
#include <lib/exec/shebang.h>
#include <lib/format.h>
#include <lib/string.h>

#include "fs/file.h"
#include "fs/tmpfs/tmpfs.h"
#include "mm/heap.h"
#include "mm/pagecache.h"
#include "mm/uaccess.h"
#include "mm/uspace.h"
#include "proc/exec.h"
#include "proc/internal.h"
#include "syscall/syscall.h"

#define EXEC_HEAD     4096u       /* bytes read first: the ELF headers, or a "#!" line */
#define EXEC_HEAD_MAX (64u << 10) /* program headers further in than this: ENOEXEC */
#define EXEC_REWRITES 5           /* interpreter lines followed (Linux: depth > 5 is ELOOP) */

int exec_src_image(struct exec_src *src, const void *data, size_t size)
{
	memset(src, 0, sizeof(*src));
	if ((uintptr_t)data % 8) {
		/* cpio aligns file data to 4 bytes only; the ELF checks read headers in place. */
		src->head_buf = kmalloc(size ? size : 1);
		if (!src->head_buf)
			return -ENOMEM;
		memcpy(src->head_buf, data, size);
		data = src->head_buf;
	}
	src->image = data;
	src->head = data;
	src->head_len = size;
	src->size = size;
	return 0;
}

/* Read [@from, @to) of @f into @buf + @from; -EIO if the file ends first. */
static int read_exact(struct file *f, char *buf, size_t from, size_t to)
{
	int64_t pos = (int64_t)from;
	long r;

	while ((size_t)pos < to) {
		r = kernel_read(f, buf + pos, to - (size_t)pos, &pos);
		if (r < 0)
			return (int)r;
		if (r == 0)
			return -EIO; /* shorter than its size said: changed under us */
	}
	return 0;
}

/* Where the ELF program header table of @head ends, or 0 when @head is no ELF header. */
static uint64_t phdrs_end(const char *head, size_t n)
{
	const struct elf64_ehdr *eh = (const void *)head;

	if (n < sizeof(*eh) || memcmp(head, "\177ELF", 4) != 0)
		return 0;
	return eh->e_phoff + (uint64_t)eh->e_phnum * eh->e_phentsize;
}

int exec_src_file(struct exec_src *src, struct file *f)
{
	size_t n;
	uint64_t need;
	char *buf;
	int err;

	memset(src, 0, sizeof(*src));
	src->file = f;
	src->size = (uint64_t)__atomic_load_n(&f->inode->size, __ATOMIC_RELAXED);
	n = src->size < EXEC_HEAD ? (size_t)src->size : EXEC_HEAD;
	buf = kmalloc(n ? n : 1);
	if (!buf)
		return -ENOMEM;
	src->head_buf = buf;
	err = read_exact(f, buf, 0, n);
	need = err ? 0 : phdrs_end(buf, n);
	if (need > n && need <= EXEC_HEAD_MAX && need <= src->size) {
		/* Program headers past the first page: rare, read up to their end. */
		buf = krealloc(buf, (size_t)need);
		if (!buf)
			return -ENOMEM;
		src->head_buf = buf;
		err = read_exact(f, buf, n, (size_t)need);
		n = (size_t)need;
	}
	src->head = buf;
	src->head_len = n;
	return err;
}

void exec_src_release(struct exec_src *src)
{
	kfree(src->head_buf);
	if (src->file)
		file_put(src->file);
	memset(src, 0, sizeof(*src));
}

int exec_fill(const struct exec_src *src, uintptr_t uaddr, uint64_t off, uint64_t len)
{
	struct uio_seg seg;
	struct uio u;
	int64_t pos = (int64_t)off;
	long r;

	if (src->image)
		return copy_to_user((void *)uaddr, (const char *)src->image + off, len) ? -EFAULT
		                                                                        : 0;
	/* Straight from the file into the new program's pages: no kernel copy in between. */
	uio_init1(&u, &seg, uaddr, len, true);
	while (u.resid) {
		r = src->file->ops->read(src->file, &u, &pos);
		if (r < 0)
			return (int)r;
		if (r == 0)
			return -EIO;
	}
	return 0;
}

#define SHARE_BATCH 32 /* frames gathered before one uspace_map_frames() */

/*
 * The frame holding page @index of the program, with a reference: tmpfs's
 * own (-ENOENT for a hole), or the page cache's for a file system on it.
 * -EINVAL: a file whose frames cannot be shared.
 */
static int exec_frame(const struct exec_src *src, uint64_t index, uint64_t *pa)
{
	struct inode *ino = src->file->inode;
	struct address_space *m = ino->mapping;

	if (!m || m->ops->get_frame)
		return tmpfs_get_frame(ino, index, pa);
	return pagecache_get_page(m, index, false, pa);
}

int exec_share(const struct exec_src *src, struct uspace *s, uintptr_t va, uint64_t n, uint64_t off)
{
	uint64_t pas[SHARE_BATCH], i = 0, k;
	int err = 0, e;

	while (!err && i < n) {
		for (k = 0; k < SHARE_BATCH && i + k < n; k++) {
			e = exec_frame(src, off / PAGE_SIZE + i + k, &pas[k]);
			if (e == -EINVAL && i + k == 0)
				return -EINVAL; /* not tmpfs: the caller copies instead */
			if (e == -ENOENT)
				pas[k] = 0; /* a hole reads as zeros: demand-zero does that */
			else if (e)
				err = e, pas[k] = 0;
		}
		e = uspace_map_frames(s, va + i * PAGE_SIZE, pas, k);
		err = err ? err : e;
		i += k;
	}
	return err;
}

/* Linux's do_open_execat() checks: a regular file, MAY_EXEC, not on a noexec mount. */
static int exec_may_run(const struct path *p, bool nofollow)
{
	const struct inode *ino = p->dentry->inode;

	if (!S_ISREG(ino->mode))
		return nofollow && S_ISLNK(ino->mode) ? -ELOOP : -EACCES;
	if (__atomic_load_n(&p->mnt->sb->flags, __ATOMIC_RELAXED) & SB_NOEXEC)
		return -EACCES;
	return inode_permission(ino, MAY_EXEC);
}

/* Note set-user-ID / set-group-ID bits of the program @p unless its mount is nosuid. */
static void exec_note_setid(struct exec_job *j, const struct path *p)
{
	const struct inode *ino = p->dentry->inode;
	uint32_t mode = __atomic_load_n(&ino->mode, __ATOMIC_RELAXED);

	j->set_uid = j->set_gid = false;
	if (__atomic_load_n(&p->mnt->sb->flags, __ATOMIC_RELAXED) & SB_NOSUID)
		return;
	if (mode & S_ISUID) {
		j->set_uid = true;
		j->new_euid = ino->uid;
	}
	/* Without group execute, S_ISGID means mandatory locking, not set-group-ID (Linux). */
	if ((mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP)) {
		j->set_gid = true;
		j->new_egid = ino->gid;
	}
}

/* Walk to @name, check it, open it: the file in *@out and its place in *@where. */
static int exec_open(int dirfd, const char *name, int at_flags, struct file **out,
                     struct path *where)
{
	unsigned lookup = LOOKUP_FOLLOW;
	struct path p;
	struct file *f;
	int err;

	if (at_flags & AT_SYMLINK_NOFOLLOW)
		lookup &= ~LOOKUP_FOLLOW;
	if (at_flags & AT_EMPTY_PATH)
		lookup |= LOOKUP_EMPTY;
	err = vfs_walk(dirfd, name, lookup, &p);
	if (err)
		return err;
	err = exec_may_run(&p, at_flags & AT_SYMLINK_NOFOLLOW);
	f = err ? NULL : vfs_open_path(&p, O_RDONLY);
	if (!err && IS_ERR_PTR(f))
		err = (int)PTR_ERR_VAL(f);
	if (err) {
		path_put(&p);
		return err;
	}
	*out = f;
	*where = p;
	return 0;
}

/*
 * Find the program: open @name and, while it is a "#!" script, rewrite
 * argv and open its interpreter instead. Leaves the final file in j->src
 * and j->exe. @no_script: the name will not exist after exec (a
 * close-on-exec descriptor's /dev/fd path), so a script is -ENOENT.
 */
static int exec_find(struct exec_job *j, int dirfd, const char *name, int at_flags, bool no_script)
{
	const char *shown = j->path; /* the script's name in argv: what exec was given */
	struct shebang *sb = NULL, *cur;
	struct file *f;
	int depth, err;

	for (depth = 0;; depth++) {
		if (depth > EXEC_REWRITES) {
			err = -ELOOP;
			break;
		}
		err = exec_open(dirfd, name, at_flags, &f, &j->exe);
		if (!err) {
			/* Linux's would_dump(): an unreadable file makes the process undumpable. */
			if (inode_permission(j->exe.dentry->inode, MAY_READ))
				j->unreadable = true;
			err = exec_src_file(&j->src, f);
		}
		if (err || !shebang_is_script(j->src.head, j->src.head_len))
			break;
		/* Two lines in turn: @name points into the previous one while this one is parsed. */
		if (!sb && !(sb = kmalloc(2 * sizeof(*sb)))) {
			err = -ENOMEM;
			break;
		}
		cur = &sb[depth & 1];
		err = shebang_parse(j->src.head, j->src.head_len, cur);
		if (!err && no_script)
			err = -ENOENT;
		if (!err)
			err = exec_strings_shebang(&j->strings, cur->interp,
			                           cur->has_arg ? cur->arg : NULL, shown);
		exec_src_release(&j->src);
		path_put(&j->exe);
		memset(&j->exe, 0, sizeof(j->exe));
		if (err)
			break;
		name = shown = cur->interp;
		dirfd = AT_FDCWD;
		at_flags = 0;
		no_script = false;
	}
	if (!err)
		exec_note_setid(j, &j->exe);
	kfree(sb);
	return err;
}

int proc_exec(const char *path, char *const argv[], char *const envp[])
{
	struct exec_job j = { .path = path };
	int err = exec_strings_kernel(&j.strings, argv, envp);

	if (!err)
		err = exec_find(&j, AT_FDCWD, path, 0, false);
	if (!err)
		err = exec_run(&j);
	exec_job_free(&j);
	return err;
}

/*
 * The name execveat gives the program (Linux's bprm->filename): the path
 * itself when it is absolute or relative to the cwd, else "/dev/fd/N" or
 * "/dev/fd/N/path". Sets *@no_script for a close-on-exec descriptor.
 */
static char *exec_name(int dirfd, char *path, int at_flags, bool *no_script)
{
	char *name;

	*no_script = false;
	if (dirfd == AT_FDCWD || path[0] == '/')
		return path;
	name = kmalloc(PATH_MAX + 32);
	if (!name)
		return ERR_PTR_VAL(-ENOMEM);
	if (path[0])
		fmt_snprintf(name, PATH_MAX + 32, "/dev/fd/%d/%s", dirfd, path);
	else
		fmt_snprintf(name, PATH_MAX + 32, "/dev/fd/%d", dirfd);
	*no_script = fd_get_cloexec(fdtable_current(), dirfd) == 1;
	return name;
}

/* execve and execveat: 0 means the frame now enters the new program (rax 0). */
static long do_execveat(int dirfd, uintptr_t upath, uintptr_t argv, uintptr_t envp, int flags)
{
	struct exec_job j = { 0 };
	char *path, *name;
	bool no_script;
	long err;

	if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	path = vfs_getname(upath, flags & AT_EMPTY_PATH);
	if (IS_ERR_PTR(path))
		return PTR_ERR_VAL(path);
	name = exec_name(dirfd, path, flags, &no_script);
	err = IS_ERR_PTR(name) ? PTR_ERR_VAL(name) : 0;
	j.path = err ? path : name;
	if (!err)
		err = exec_strings_user(&j.strings, argv, envp);
	if (!err)
		err = exec_find(&j, dirfd, path, flags, no_script);
	if (!err)
		err = exec_run(&j);
	exec_job_free(&j);
	if (j.path != path)
		kfree((void *)j.path);
	kfree(path);
	return err;
}

long sys_execve(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return do_execveat(AT_FDCWD, a0, a1, a2, 0);
}

long sys_execveat(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return do_execveat((int)a0, a1, a2, a3, (int)a4);
}
