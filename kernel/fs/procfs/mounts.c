// SPDX-License-Identifier: MIT
/*
 * /proc/PID/mounts (and /proc/mounts, a link to self/mounts): one line
 * per mount, its place in the tree as the reader sees it. The mount list
 * is walked with the mount lock held, where nothing may sleep, so the
 * walk only takes references; the names are made after it.
 */
#include <cairn/errno.h>

#include <lib/format.h>
#include <lib/procfs/procfmt.h>
#include <lib/string.h>

#include "fs/procfs/internal.h"
#include "mm/heap.h"

#define MOUNTS_MAX 64 /* mounts shown; more than Cairn makes */

struct mount_ref {
	struct path root; /* the mount and its root, with references */
	const char *type; /* the fs type's name (types are never unregistered) */
	char *source;     /* [I] of the mount, which the reference keeps */
	unsigned sb_flags;
	uint32_t dev;               /* the super_block's st_dev */
	const struct mount *parent; /* [M] when taken: only compared, never followed */
};

struct mount_walk {
	struct mount_ref *refs;
	unsigned n;
};

static void take_mount(const struct mount *m, void *ctx)
{
	struct mount_walk *w = ctx;
	struct mount_ref *r;

	if (w->n == MOUNTS_MAX)
		return;
	r = &w->refs[w->n++];
	r->root.mnt = (struct mount *)m;
	r->root.dentry = m->root;
	path_get(&r->root);
	r->type = m->sb->type->name;
	r->source = m->source;
	r->sb_flags = __atomic_load_n(&m->sb->flags, __ATOMIC_RELAXED);
	r->dev = m->sb->dev;
	r->parent = m->parent;
}

/* Linux's order: rw/ro, then the per-mount flags. */
static void mount_opts(unsigned flags, char *buf, size_t n)
{
	fmt_snprintf(buf, n, "%s%s%s%s", flags & SB_RDONLY ? "ro" : "rw",
	             flags & SB_NOSUID ? ",nosuid" : "", flags & SB_NODEV ? ",nodev" : "",
	             flags & SB_NOEXEC ? ",noexec" : "");
}

/* Take references to every mount (at most MOUNTS_MAX) into @w: 0 or -ENOMEM. */
static int mounts_take(struct mount_walk *w)
{
	w->n = 0;
	w->refs = kmalloc_flags(MOUNTS_MAX * sizeof(*w->refs), KM_MAY_FAIL);
	if (!w->refs)
		return -ENOMEM;
	vfs_for_each_mount(take_mount, w);
	return 0;
}

static void mounts_put(struct mount_walk *w)
{
	for (unsigned i = 0; i < w->n; i++)
		path_put(&w->refs[i].root);
	kfree(w->refs);
}

/* One line of mounts: source, place, type, options, "0 0". */
static void mounts_line(struct seqbuf *s, const struct mount_walk *w, unsigned i, const char *path)
{
	char opts[48];

	mount_opts(w->refs[i].sb_flags, opts, sizeof(opts));
	procfmt_mount(s, w->refs[i].source, path, w->refs[i].type, opts);
}

/*
 * One line of mountinfo: ids (the position in the mount list, from 1, as
 * Cairn keeps no mount ids; the root is its own parent), st_dev, the root
 * inside its file system ("/": bind mounts of a sub-tree are not told
 * apart yet), the place, the options on both sides of " - ".
 */
static void mountinfo_line(struct seqbuf *s, const struct mount_walk *w, unsigned i,
                           const char *path)
{
	static const char esc[] = " \t\n\\";
	const struct mount_ref *r = &w->refs[i];
	unsigned parent = i, j;
	char opts[48];

	for (j = 0; j < w->n; j++)
		if (w->refs[j].root.mnt == r->parent)
			parent = j;
	mount_opts(r->sb_flags, opts, sizeof(opts));
	seq_printf(s, "%u %u %u:%u / ", i + 1, parent + 1, (r->dev >> 8) & 0xfff,
	           (r->dev & 0xff) | ((r->dev >> 12) & ~0xffu));
	seq_escape(s, path, esc);
	seq_printf(s, " %s - ", opts);
	seq_escape(s, r->type, esc);
	seq_putc(s, ' ');
	seq_escape(s, r->source ? r->source : "none", esc);
	seq_printf(s, " %s\n", r->sb_flags & SB_RDONLY ? "ro" : "rw");
}

/* Print each mount with @line, named as the reader sees the tree. */
static int show_each(struct seqbuf *s, void (*line)(struct seqbuf *s, const struct mount_walk *w,
                                                    unsigned i, const char *path))
{
	struct mount_walk w;
	char *path = kmalloc_flags(PATH_MAX, KM_MAY_FAIL);
	int err;

	if (!path)
		return -ENOMEM;
	err = mounts_take(&w);
	if (err) {
		kfree(path);
		return err;
	}
	for (unsigned i = 0; i < w.n; i++)
		if (vfs_path_name(&w.refs[i].root, path, PATH_MAX) >= 0)
			line(s, &w, i, path);
	mounts_put(&w);
	kfree(path);
	return 0;
}

int procfs_show_mounts(struct seqbuf *s, const struct procfs_node *n)
{
	return show_each(s, mounts_line);
}

int procfs_show_mountinfo(struct seqbuf *s, const struct procfs_node *n)
{
	return show_each(s, mountinfo_line);
}
