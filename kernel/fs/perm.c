/* SPDX-License-Identifier: MIT */
/*
 * Permission checks of the path walk and the file calls: the classic
 * owner/group/other rwx bits against the caller's filesystem ids and
 * supplementary groups, with root allowed everything but executing a
 * file nobody may execute, and the sticky-directory rule of deletion.
 */
#include <cairn/errno.h>
#include <cairn/linux/stat.h>

#include "fs/internal.h"
#include "fs/vfs.h"
#include "proc/proc.h"

void fs_cred(struct cred *c)
{
	struct process *p = process_current();
	unsigned n;

	if (!p) {
		/* A kernel task is root with no groups. */
		c->fsuid = c->fsgid = 0;
		c->ngroups = 0;
		return;
	}
	/*
	 * Without the process's lock: a file check uses the ids as they are
	 * when it starts, and a sibling thread's setuid racing with it may be
	 * seen or not, as either order would allow. Each id is read whole.
	 */
	c->fsuid = __atomic_load_n(&p->cred.fsuid, __ATOMIC_RELAXED);
	c->fsgid = __atomic_load_n(&p->cred.fsgid, __ATOMIC_RELAXED);
	n = __atomic_load_n(&p->cred.ngroups, __ATOMIC_RELAXED);
	c->ngroups = n < PROC_NGROUPS ? n : PROC_NGROUPS;
	for (unsigned i = 0; i < c->ngroups; i++)
		c->groups[i] = __atomic_load_n(&p->cred.groups[i], __ATOMIC_RELAXED);
}

uint32_t fs_fsuid(void)
{
	struct process *p = process_current();

	return p ? __atomic_load_n(&p->cred.fsuid, __ATOMIC_RELAXED) : 0;
}

static bool cred_in_group(const struct cred *c, uint32_t gid)
{
	if (c->fsgid == gid)
		return true;
	for (unsigned i = 0; i < c->ngroups && i < PROC_NGROUPS; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

/* The rwx bits of @ino that apply to @c (already shifted down to 0..7). */
static unsigned mode_bits_for(const struct inode *ino, const struct cred *c)
{
	uint32_t mode = __atomic_load_n(&ino->mode, __ATOMIC_RELAXED);

	if (c->fsuid == __atomic_load_n(&ino->uid, __ATOMIC_RELAXED))
		return (mode >> 6) & 7u;
	if (cred_in_group(c, __atomic_load_n(&ino->gid, __ATOMIC_RELAXED)))
		return (mode >> 3) & 7u;
	return mode & 7u;
}

int inode_permission_as(const struct inode *ino, unsigned mask, const struct cred *c)
{
	mask &= MAY_READ | MAY_WRITE | MAY_EXEC;
	if (c->fsuid == 0) {
		/* Root may search any directory, but runs only what someone may run. */
		if (!(mask & MAY_EXEC) || S_ISDIR(ino->mode) || (ino->mode & 0111u))
			return 0;
		return -EACCES;
	}
	return (mode_bits_for(ino, c) & mask) == mask ? 0 : -EACCES;
}

int inode_permission(const struct inode *ino, unsigned mask)
{
	struct cred c;

	fs_cred(&c);
	return inode_permission_as(ino, mask, &c);
}

bool inode_owner_or_root(const struct inode *ino)
{
	uint32_t fsuid = fs_fsuid();

	return fsuid == 0 || fsuid == __atomic_load_n(&ino->uid, __ATOMIC_RELAXED);
}

bool may_delete_sticky(const struct inode *dir, const struct inode *victim)
{
	uint32_t fsuid = fs_fsuid();

	if (!(dir->mode & S_ISVTX) || fsuid == 0)
		return true;
	return fsuid == victim->uid || fsuid == dir->uid;
}

int may_change_dir(const struct path *dir)
{
	if (!S_ISDIR(dir->dentry->inode->mode))
		return -ENOTDIR;
	if (mnt_readonly(dir->mnt))
		return -EROFS;
	return inode_permission(dir->dentry->inode, MAY_WRITE | MAY_EXEC);
}
