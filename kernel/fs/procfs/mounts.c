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
}

/* Linux's order: rw/ro, then the per-mount flags. */
static void mount_opts(unsigned flags, char *buf, size_t n)
{
	fmt_snprintf(buf, n, "%s%s%s%s", flags & SB_RDONLY ? "ro" : "rw",
	             flags & SB_NOSUID ? ",nosuid" : "", flags & SB_NODEV ? ",nodev" : "",
	             flags & SB_NOEXEC ? ",noexec" : "");
}

int procfs_show_mounts(struct seqbuf *s, const struct procfs_node *n)
{
	struct mount_walk w = { NULL, 0 };
	char *path, opts[48];
	unsigned i;
	long len;

	w.refs = kmalloc_flags(MOUNTS_MAX * sizeof(*w.refs), KM_MAY_FAIL);
	path = kmalloc_flags(PATH_MAX, KM_MAY_FAIL);
	if (!w.refs || !path) {
		kfree(w.refs);
		kfree(path);
		return -ENOMEM;
	}
	vfs_for_each_mount(take_mount, &w);
	for (i = 0; i < w.n; i++) {
		len = vfs_path_name(&w.refs[i].root, path, PATH_MAX);
		if (len >= 0) {
			mount_opts(w.refs[i].sb_flags, opts, sizeof(opts));
			procfmt_mount(s, w.refs[i].source, path, w.refs[i].type, opts);
		}
		path_put(&w.refs[i].root);
	}
	kfree(path);
	kfree(w.refs);
	return 0;
}
