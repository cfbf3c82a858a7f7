// SPDX-License-Identifier: MIT
/*
 * Processes meet files: each process holds a descriptor table and a
 * file-system context (root, working directory, umask). fork copies both,
 * clone shares them with CLONE_FILES / CLONE_FS, exec closes the
 * close-on-exec descriptors of a table it first makes its own, and the
 * last thread out drops both before the process becomes a zombie, so a
 * parent's wait never returns while its child's files are still open (a
 * pipe's reader sees the end of file first). Kernel tasks, which have no
 * process, use the kernel's own table and context (fs/file.h).
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/sched.h>

#include <lib/string.h>

#include "fs/file.h"
#include "proc/internal.h"
#include "tty/tty.h"

struct fdtable *fdtable_current(void)
{
	struct process *p = process_current();

	/* Only the process's own threads change the pointer (exec, exit): no lock for them. */
	return p ? p->files : fdtable_kernel();
}

struct fs_context *fs_context_current(void)
{
	struct process *p = process_current();

	return p ? p->fs : fs_context_kernel();
}

struct cred current_cred(void)
{
	struct process *p = process_current();
	struct cred c;

	memset(&c, 0, sizeof(c)); /* a kernel task is root with no groups */
	if (p) {
		spin_lock(&p->lock);
		c = p->cred;
		spin_unlock(&p->lock);
	}
	return c;
}

struct fdtable *proc_files_get(struct process *p)
{
	struct fdtable *t;

	spin_lock(&p->lock);
	t = p->files;
	if (t)
		fdtable_get(t);
	spin_unlock(&p->lock);
	return t;
}

struct fs_context *proc_fs_get(struct process *p)
{
	struct fs_context *c;

	spin_lock(&p->lock);
	c = p->fs;
	if (c)
		fs_context_get(c);
	spin_unlock(&p->lock);
	return c;
}

int proc_exe_get(struct process *p, struct path *out)
{
	int err = -ENOENT;

	spin_lock(&p->lock);
	if (p->exe.mnt) {
		*out = p->exe;
		path_get(out);
		err = 0;
	}
	spin_unlock(&p->lock);
	return err;
}

/* Whether every id of @ids equals @want (ptrace's "same user" rule). */
static bool ids_all(uint32_t want, uint32_t a, uint32_t b, uint32_t c)
{
	return a == want && b == want && c == want;
}

bool proc_may_inspect(struct process *p)
{
	struct process *self = process_current();
	struct cred me = current_cred(), them;

	bool dumpable;

	if (!self || self == p || me.euid == 0)
		return true;
	spin_lock(&p->lock);
	them = p->cred;
	dumpable = !p->undumpable;
	spin_unlock(&p->lock);
	/* Linux's __ptrace_may_access(): the caller's real and effective ids against all three. */
	return dumpable && me.uid == me.euid && ids_all(me.uid, them.uid, them.euid, them.suid) &&
	       me.gid == me.egid && ids_all(me.gid, them.gid, them.egid, them.sgid);
}

bool proc_dumpable(struct process *p)
{
	bool d;

	spin_lock(&p->lock);
	d = !p->undumpable;
	spin_unlock(&p->lock);
	return d;
}

int proc_files_clone(struct process *child, struct process *parent, uint64_t flags)
{
	struct fdtable *t = proc_files_get(parent);
	struct fs_context *c = proc_fs_get(parent);

	if (!t || !c)
		goto nomem;
	if (flags & CLONE_FILES) {
		spin_lock(&parent->lock);
		parent->files_shared = true;
		spin_unlock(&parent->lock);
		child->files_shared = true;
	} else {
		struct fdtable *copy = fdtable_dup(t);

		fdtable_put(t);
		t = copy;
	}
	if (!(flags & CLONE_FS)) {
		struct fs_context *copy = fs_context_dup(c);

		fs_context_put(c);
		c = copy;
	}
	if (!t || !c)
		goto nomem;
	child->files = t;
	child->fs = c;
	spin_lock(&parent->lock);
	child->exe = parent->exe; /* the same program until the child execs */
	if (child->exe.mnt)
		path_get(&child->exe);
	spin_unlock(&parent->lock);
	return 0;
nomem:
	if (t)
		fdtable_put(t);
	if (c)
		fs_context_put(c);
	return -ENOMEM;
}

/* The console as one open description, installed three times (0, 1, 2) unless @stdio names others. */
static int stdio_install(struct fdtable *t, struct file *const stdio[3])
{
	struct file *console = NULL, *f;
	int fd, err = 0;

	for (fd = 0; fd < 3 && !err; fd++) {
		f = stdio ? stdio[fd] : NULL;
		if (!f) {
			if (!console)
				console = tty_open_file(console_tty(), O_RDWR);
			if (IS_ERR_PTR(console)) {
				err = (int)PTR_ERR_VAL(console);
				console = NULL;
				break;
			}
			f = console;
		}
		file_get(f); /* the table's reference */
		err = fd_install(t, f, fd, false);
		if (err >= 0)
			err = err == fd ? 0 : -EBADF; /* the table was not empty */
		else
			file_put(f);
	}
	if (console)
		file_put(console); /* the open's own reference; the table holds the rest */
	return err;
}

/* @extra[i] at fd 3 + i, each with the table's own reference. */
static int extra_install(struct fdtable *t, struct file *const *extra, unsigned nextra)
{
	int fd, err;

	for (unsigned i = 0; i < nextra; i++) {
		fd = 3 + (int)i;
		file_get(extra[i]);
		err = fd_install(t, extra[i], fd, false);
		if (err < 0) {
			file_put(extra[i]);
			return err;
		}
		if (err != fd)
			return -EBADF; /* the table was not as expected */
	}
	return 0;
}

int proc_files_spawn(struct process *p, struct file *const stdio[3])
{
	return proc_files_spawn_extra(p, stdio, NULL, 0);
}

int proc_files_spawn_extra(struct process *p, struct file *const stdio[3],
                           struct file *const *extra, unsigned nextra)
{
	struct fdtable *t = fdtable_create();
	struct fs_context *c = fs_context_dup(fs_context_current());
	int err = t && c ? stdio_install(t, stdio) : -ENOMEM;

	if (!err)
		err = extra_install(t, extra, nextra);

	if (err) {
		if (t)
			fdtable_put(t);
		if (c)
			fs_context_put(c);
		return err;
	}
	p->files = t;
	p->fs = c;
	return 0;
}

int proc_files_exec_prepare(struct process *p, struct fdtable **out)
{
	bool shared;

	spin_lock(&p->lock);
	shared = p->files_shared;
	spin_unlock(&p->lock);
	*out = NULL;
	if (!shared)
		return 0;
	/* Linux's unshare_files(): a table other processes see must not lose their descriptors. */
	*out = fdtable_dup(p->files);
	return *out ? 0 : -ENOMEM;
}

void proc_files_exec_commit(struct process *p, struct fdtable *fresh)
{
	struct fdtable *old = NULL;

	if (fresh) {
		spin_lock(&p->lock);
		old = p->files;
		p->files = fresh;
		p->files_shared = false;
		spin_unlock(&p->lock);
		fdtable_put(old);
	}
	fdtable_exec(p->files);
}

void proc_files_exit(struct process *p)
{
	struct fdtable *t;
	struct fs_context *c;
	struct path exe;

	spin_lock(&p->lock);
	t = p->files;
	c = p->fs;
	exe = p->exe;
	p->files = NULL;
	p->fs = NULL;
	memset(&p->exe, 0, sizeof(p->exe));
	spin_unlock(&p->lock);
	if (exe.mnt)
		path_put(&exe);
	if (t)
		fdtable_put(t); /* closes what no one else shares; may sleep */
	if (c)
		fs_context_put(c);
}
