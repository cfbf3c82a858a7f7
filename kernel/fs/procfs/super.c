// SPDX-License-Identifier: MIT
/*
 * The proc file system type: mounting (a new instance each time, whose
 * root is the directory of root.c), inodes made from nodes, and what the
 * super_block answers (statfs). Everything under /proc is generated; an
 * inode holds no data but its node, which says what to generate.
 */
#include <cairn/errno.h>

#include <lib/string.h>

#include "fs/fs_types.h"
#include "fs/procfs/internal.h"
#include "mm/heap.h"
#include "proc/proc.h"
#include "proc/procinfo.h"

static void procfs_evict_inode(struct inode *ino)
{
	kfree(ino->priv);
}

static int procfs_statfs(struct super_block *sb, struct kstatfs *st)
{
	memset(st, 0, sizeof(*st));
	st->type = PROC_SUPER_MAGIC;
	st->bsize = 4096;
	st->frsize = 4096;
	st->namelen = NAME_MAX;
	return 0;
}

static const struct super_ops procfs_sops = {
	.evict_inode = procfs_evict_inode,
	.statfs = procfs_statfs,
};

/*
 * Inode numbers: the process in bits 32-47, the thread in 16-31, then the
 * entry's own number, or 0x8000 + the descriptor for fd/N; so one name
 * keeps its number for as long as its process lives (ls -i, find).
 */
uint64_t procfs_node_ino(const struct procfs_node *n)
{
	uint64_t low = n->fd >= 0 ? 0x8000u + (unsigned)n->fd : n->entry->id;

	return (uint64_t)(unsigned)n->pid << 32 | (uint64_t)(unsigned)n->tid << 16 | low;
}

/* Type-dependent operations and the link count of a directory. */
static void inode_ops_for(struct inode *ino, const struct procfs_entry *e)
{
	switch (e->mode & S_IFMT) {
	case S_IFDIR:
		ino->iops = &procfs_dir_iops;
		ino->fops = &procfs_dir_fops;
		ino->nlink = 2;
		break;
	case S_IFLNK:
		ino->iops = e->place ? &procfs_magic_link_iops : &procfs_link_iops;
		ino->nlink = 1;
		break;
	default:
		ino->fops = &procfs_text_fops;
		ino->nlink = 1;
		break;
	}
}

struct inode *procfs_make_inode(struct super_block *sb, const struct procfs_node *n)
{
	struct procfs_node *priv = kmalloc_flags(sizeof(*priv), KM_MAY_FAIL);
	struct inode *ino;

	if (!priv)
		return NULL;
	ino = inode_alloc(sb);
	if (!ino) {
		kfree(priv);
		return NULL;
	}
	*priv = *n;
	ino->priv = priv;
	ino->ino = procfs_node_ino(n);
	ino->mode = n->entry->mode;
	inode_ops_for(ino, n->entry);
	if (n->fd >= 0) {
		ino->mode = procfs_fd_mode(n->pid, n->fd);
		ino->size = 64; /* what Linux's fd links report */
	}
	/* A process's files belong to its effective ids, as in Linux (for a dumpable process). */
	if (n->pid && proc_owner(n->pid, &ino->uid, &ino->gid))
		ino->uid = ino->gid = 0;
	return ino;
}

bool procfs_may_access(int pid)
{
	struct process *p = process_find(pid);
	bool ok;

	if (!p)
		return false;
	ok = proc_may_inspect(p);
	process_put(p);
	return ok;
}

static int procfs_mount(const struct fs_type *type, const char *source, unsigned flags,
                        const char *data, struct super_block **out)
{
	const struct procfs_node root = { &procfs_root_entry, 0, 0, -1 };
	struct super_block *sb = sb_alloc(type, &procfs_sops);
	struct inode *ino;

	if (!sb)
		return -ENOMEM;
	sb->magic = PROC_SUPER_MAGIC;
	sb->flags = flags & (SB_RDONLY | SB_NOSUID | SB_NODEV | SB_NOEXEC);
	ino = procfs_make_inode(sb, &root);
	sb->root = ino ? d_make_root(sb, ino) : NULL;
	if (!sb->root) {
		if (ino)
			inode_put(ino);
		kfree(sb);
		return -ENOMEM;
	}
	*out = sb;
	return 0;
}

static struct fs_type procfs_type = {
	.name = "proc",
	.mount = procfs_mount,
};

int procfs_register(void)
{
	return vfs_register_fs(&procfs_type);
}
