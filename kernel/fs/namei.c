/* SPDX-License-Identifier: MIT */
/*
 * The path walk: from the caller's root, its working directory or a
 * directory descriptor, one component at a time through the dcache,
 * crossing mounts down and up, following symbolic links by splicing
 * their target in front of what is left of the path, or jumping to where
 * a magic link (get_link) stands (at most SYMLOOP_MAX links in all),
 * with search permission checked on every directory passed.
 * No global lock is taken per component: a cached step costs one dcache
 * hash lookup; only a miss takes the directory's lock to ask its fs.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/stat.h>

#include <lib/string.h>

#include "fs/file.h"
#include "fs/internal.h"
#include "fs/vfs.h"
#include "mm/heap.h"
#include "mm/uaccess.h"

struct nameidata {
	struct path path; /* where the walk is */
	/*
	 * The caller's root, where ".." stops: compared, never used, so it
	 * holds no references (an absolute link re-reads it with them).
	 */
	struct path root;
	unsigned *links;  /* symbolic links followed so far */
	char *buf;        /* a heap copy of the rest of the path once a link was spliced in */
	bool want_parent; /* stop before the last component */
	bool trailing;    /* the last component walked had a '/' after it */
	struct cred cred; /* the caller's, read once for every search check */
};

static void nd_release(struct nameidata *nd)
{
	path_put(&nd->path);
	if (nd->buf)
		kfree(nd->buf);
	nd->buf = NULL;
}

static int nd_start(struct nameidata *nd, const struct path *start, int dirfd, const char *s)
{
	struct fs_context *fs = fs_context_current();
	struct file *f;

	if (s[0] == '/') {
		fs_get_root(fs, &nd->path);
		nd->root = nd->path;
		return nd->path.mnt ? 0 : -ENOENT;
	}
	fs_peek_root(fs, &nd->root);
	if (!nd->root.mnt)
		return -ENOENT;
	if (start) {
		nd->path = *start;
		path_get(&nd->path);
	} else if (dirfd == AT_FDCWD) {
		fs_get_cwd(fs, &nd->path);
	} else {
		f = fd_get(dirfd);
		if (!f)
			return -EBADF;
		nd->path = f->path;
		path_get(&nd->path);
		file_put(f);
	}
	return 0;
}

/* Replace @p by what is mounted on it, as long as something is. */
void vfs_cross_mounts(struct path *p)
{
	struct mount *m;

	while ((m = mnt_lookup(p->mnt, p->dentry)) != NULL) {
		dget(m->root);
		path_put(p);
		p->mnt = m;
		p->dentry = m->root;
	}
}

static void walk_dotdot(struct nameidata *nd)
{
	struct dentry *parent;

	if (nd->path.mnt == nd->root.mnt && nd->path.dentry == nd->root.dentry)
		return;
	if (!mnt_climb(&nd->path))
		return;
	if (nd->path.mnt == nd->root.mnt && nd->path.dentry == nd->root.dentry)
		return;
	parent = d_get_parent(nd->path.dentry);
	dput(nd->path.dentry);
	nd->path.dentry = parent;
}

/*
 * Continue the walk through the magic link @link (a reference the walk
 * drops): stand where the link's get_link() says, and go on with @rest.
 */
static int jump_link(struct nameidata *nd, struct path *link, const char *rest, const char **next)
{
	struct inode *ino = link->dentry->inode;
	struct path to;
	int err = ino->iops->get_link(ino, &to);

	path_put(link);
	if (err)
		return err;
	path_put(&nd->path);
	nd->path = to;
	*next = rest;
	return 0;
}

/*
 * Continue the walk through the link @link (a reference the walk drops)
 * with @rest after it: the new path to walk is the link's target, then
 * '/', then @rest. An absolute target restarts at the caller's root.
 * A magic link jumps instead (jump_link()); both count to SYMLOOP_MAX.
 */
static int splice_link(struct nameidata *nd, struct path *link, const char *rest, const char **next)
{
	struct inode *ino = link->dentry->inode;
	size_t restlen = strlen(rest);
	char *buf;
	long n;

	if (++*nd->links > SYMLOOP_MAX) {
		path_put(link);
		return -ELOOP;
	}
	if (ino->iops && ino->iops->get_link)
		return jump_link(nd, link, rest, next);
	buf = kmalloc(PATH_MAX);
	n = buf ? (ino->iops && ino->iops->readlink ? ino->iops->readlink(ino, buf, PATH_MAX)
	                                            : -EINVAL)
	        : -ENOMEM;
	path_put(link);
	if (n >= 0 && n == 0)
		n = -ENOENT;
	if (n >= 0 && (size_t)n + 1 + restlen >= PATH_MAX)
		n = -ENAMETOOLONG;
	if (n < 0) {
		kfree(buf);
		return (int)n;
	}
	buf[n] = '/';
	memmove(buf + n + 1, rest, restlen + 1);
	if (!restlen && !nd->trailing)
		buf[n] = '\0';
	kfree(nd->buf);
	nd->buf = buf;
	if (buf[0] == '/') {
		path_put(&nd->path);
		fs_get_root(fs_context_current(), &nd->path);
		nd->root = nd->path;
		if (!nd->path.mnt)
			return -ENOENT;
	}
	*next = buf;
	return 0;
}

/* Look up @name in the directory nd->path and step onto it (or onto a spliced link). */
static int walk_one(struct nameidata *nd, const char *name, size_t len, bool follow,
                    const char *rest, const char **next)
{
	struct dentry *child = d_lookup(nd->path.dentry, name, len);
	struct path p;

	if (IS_ERR_PTR(child))
		return (int)PTR_ERR_VAL(child);
	if (!child->inode) {
		dput(child);
		return -ENOENT;
	}
	/* Most steps stay in one mount: move the dentry, keep the mount's reference. */
	if (!(__atomic_load_n(&child->flags, __ATOMIC_RELAXED) & DENTRY_MOUNTED) &&
	    !(follow && S_ISLNK(child->inode->mode))) {
		dput(nd->path.dentry);
		nd->path.dentry = child;
		*next = rest;
		return 0;
	}
	p.mnt = nd->path.mnt;
	p.dentry = child;
	mnt_get(p.mnt);
	vfs_cross_mounts(&p);
	if (follow && S_ISLNK(p.dentry->inode->mode))
		return splice_link(nd, &p, rest, next);
	path_put(&nd->path);
	nd->path = p;
	*next = rest;
	return 0;
}

/* Whether @c may pass the directory @dir (root may pass any). */
static inline bool may_search(const struct inode *dir, const struct cred *c)
{
	return c->fsuid == 0 || inode_permission_as(dir, MAY_EXEC, c) == 0;
}

/* One component of a path: its name and what follows. */
struct component {
	const char *name, *after; /* the name; the next component (slashes skipped) */
	size_t len;
	bool last, trailing; /* nothing follows; only slashes follow */
};

/* Split off the component at @s (leading slashes skipped); false at the end of the path. */
static bool next_component(const char *s, struct component *c)
{
	while (*s == '/')
		s++;
	if (!*s)
		return false;
	for (c->name = s; *s && *s != '/'; s++)
		;
	c->len = (size_t)(s - c->name);
	for (c->after = s; *c->after == '/'; c->after++)
		;
	c->last = !*c->after;
	c->trailing = c->last && c->after != s;
	return true;
}

/*
 * Take as many components of @s as the cache answers plainly (positive,
 * no mount, no link to follow, not ".."), under the dcache lock alone, and
 * return where the slow path goes on. Every check and error is left to the
 * slow path, which redoes the component this one stopped at.
 */
static const char *walk_fast(struct nameidata *nd, const char *s, unsigned flags)
{
	struct dentry *start = nd->path.dentry, *cur = start, *child;
	struct component c;

	dcache_walk_lock();
	while (next_component(s, &c) && c.len <= NAME_MAX && S_ISDIR(cur->inode->mode) &&
	       may_search(cur->inode, &nd->cred) && !(c.last && nd->want_parent)) {
		if (c.len == 1 && c.name[0] == '.') {
			child = cur;
		} else if (c.len == 2 && c.name[0] == '.' && c.name[1] == '.') {
			break;
		} else {
			child = d_lookup_walk(cur, c.name, c.len);
			if (!child || !child->inode || (child->flags & DENTRY_MOUNTED))
				break;
			if (S_ISLNK(child->inode->mode) &&
			    (!c.last || (flags & LOOKUP_FOLLOW) || c.trailing))
				break;
		}
		cur = child;
		s = c.after;
		nd->trailing = c.trailing;
	}
	if (cur != start)
		dget(cur);
	dcache_walk_unlock();
	if (cur != start) {
		dput(start);
		nd->path.dentry = cur;
	}
	return s;
}

static int walk_path(struct nameidata *nd, const char *s, unsigned flags)
{
	for (;;) {
		const char *name, *after;
		size_t len;
		bool last;
		int err;

		s = walk_fast(nd, s, flags);
		while (*s == '/')
			s++;
		if (!*s)
			break;
		for (name = s; *s && *s != '/'; s++)
			;
		len = (size_t)(s - name);
		for (after = s; *after == '/'; after++)
			;
		last = !*after;
		nd->trailing = last && after != s;
		if (len > NAME_MAX)
			return -ENAMETOOLONG;
		if (!S_ISDIR(nd->path.dentry->inode->mode))
			return -ENOTDIR;
		err = inode_permission_as(nd->path.dentry->inode, MAY_EXEC, &nd->cred);
		if (err)
			return err;
		if (last && nd->want_parent)
			return 0;
		if (len == 1 && name[0] == '.') {
			s = after;
		} else if (len == 2 && name[0] == '.' && name[1] == '.') {
			walk_dotdot(nd);
			s = after;
		} else {
			bool follow = !last || (flags & LOOKUP_FOLLOW) || nd->trailing;

			err = walk_one(nd, name, len, follow, after, &s);
			if (err)
				return err;
		}
	}
	if ((flags & LOOKUP_DIRECTORY || nd->trailing) && !S_ISDIR(nd->path.dentry->inode->mode))
		return -ENOTDIR;
	return 0;
}

/* The walk itself, with the search checks made for @cred (NULL: the caller's fs ids). */
static int walk_as(const struct path *start, int dirfd, const char *path, unsigned flags,
                   struct path *out, unsigned *links, const struct cred *cred)
{
	struct nameidata nd = { .links = links, .want_parent = flags & LOOKUP_PARENT };
	int err;

	if (strnlen(path, PATH_MAX) >= PATH_MAX)
		return -ENAMETOOLONG;
	if (!path[0] && !(flags & LOOKUP_EMPTY))
		return -ENOENT;
	if (cred)
		nd.cred = *cred;
	else
		fs_cred(&nd.cred);
	err = nd_start(&nd, start, dirfd, path);
	if (!err)
		err = walk_path(&nd, path, flags);
	if (!err) {
		*out = nd.path;
		nd.path.mnt = NULL;
		nd.path.dentry = NULL;
	}
	nd_release(&nd);
	return err;
}

int vfs_walk_from(const struct path *start, int dirfd, const char *path, unsigned flags,
                  struct path *out, unsigned *links)
{
	return walk_as(start, dirfd, path, flags, out, links, NULL);
}

int vfs_walk_as(int dirfd, const char *path, unsigned flags, struct path *out,
                const struct cred *cred)
{
	unsigned links = 0;

	return walk_as(NULL, dirfd, path, flags & ~LOOKUP_PARENT, out, &links, cred);
}

int vfs_walk(int dirfd, const char *path, unsigned flags, struct path *out)
{
	unsigned links = 0;

	return vfs_walk_from(NULL, dirfd, path, flags & ~LOOKUP_PARENT, out, &links);
}

const char *vfs_last_component(const char *path, size_t *len, bool *trailing)
{
	size_t end = strlen(path), start;

	*trailing = false;
	while (end > 0 && path[end - 1] == '/') {
		end--;
		*trailing = true;
	}
	start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	*len = end - start;
	if (!*len)
		*trailing = false;
	return path + start;
}

int vfs_walk_parent(int dirfd, const char *path, struct path *parent, const char **last,
                    size_t *len, bool *trailing_slash)
{
	unsigned links = 0;
	int err;

	err = vfs_walk_from(NULL, dirfd, path, LOOKUP_PARENT, parent, &links);
	if (err)
		return err;
	*last = vfs_last_component(path, len, trailing_slash);
	if (*len > NAME_MAX) {
		path_put(parent);
		return -ENAMETOOLONG;
	}
	return 0;
}

char *vfs_getname(uintptr_t upath, bool allow_empty)
{
	char *buf = kmalloc(PATH_MAX);
	long n;

	if (!buf)
		return ERR_PTR_VAL(-ENOMEM);
	n = strncpy_from_user(buf, (const char *)upath, PATH_MAX);
	if (n == 0 && !allow_empty)
		n = -ENOENT;
	if (n < 0) {
		kfree(buf);
		return ERR_PTR_VAL(n);
	}
	return buf;
}
