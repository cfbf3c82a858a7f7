/* SPDX-License-Identifier: MIT */
/*
 * Permission checks of the path walk and the file calls: the classic
 * owner/group/other rwx bits against the caller's filesystem ids and
 * supplementary groups, with root allowed everything but executing a
 * file nobody may execute, and the sticky-directory rule of deletion.
 */
#include <cairn/errno.h>
#include <cairn/linux/stat.h>

#include <lib/string.h>

#include "fs/internal.h"
#include "fs/vfs.h"
#include "proc/proc.h"

/*
 * The proc lane's current_cred() replaces this default: the calling
 * process's credentials under its lock, a kernel task's are root's.
 */
__attribute__((weak)) struct cred current_cred(void)
{
	struct process *p = process_current();
	struct cred c = { 0 };

	if (p) {
		spin_lock(&p->lock);
		c = p->cred;
		spin_unlock(&p->lock);
	}
	return c;
}

void walk_cred(struct cred *c)
{
	struct process *p = process_current();
	unsigned n;

	memset(c, 0, sizeof(*c));
	if (!p)
		return;
	/*
	 * Without the process's lock: a walk checks search permission with
	 * the ids as they are while it starts, and a sibling thread's setuid
	 * racing with it may be seen or not, as either order would allow.
	 * Each id is read whole.
	 */
	c->fsuid = __atomic_load_n(&p->cred.fsuid, __ATOMIC_RELAXED);
	c->fsgid = __atomic_load_n(&p->cred.fsgid, __ATOMIC_RELAXED);
	n = __atomic_load_n(&p->cred.ngroups, __ATOMIC_RELAXED);
	c->ngroups = n < PROC_NGROUPS ? n : PROC_NGROUPS;
	for (unsigned i = 0; i < c->ngroups; i++)
		c->groups[i] = __atomic_load_n(&p->cred.groups[i], __ATOMIC_RELAXED);
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
	struct cred c = current_cred();

	return inode_permission_as(ino, mask, &c);
}

bool inode_owner_or_root(const struct inode *ino)
{
	struct cred c = current_cred();

	return c.fsuid == 0 || c.fsuid == __atomic_load_n(&ino->uid, __ATOMIC_RELAXED);
}

bool may_delete_sticky(const struct inode *dir, const struct inode *victim)
{
	struct cred c = current_cred();

	if (!(dir->mode & S_ISVTX) || c.fsuid == 0)
		return true;
	return c.fsuid == victim->uid || c.fsuid == dir->uid;
}

int may_change_dir(const struct path *dir)
{
	if (!S_ISDIR(dir->dentry->inode->mode))
		return -ENOTDIR;
	if (mnt_readonly(dir->mnt))
		return -EROFS;
	return inode_permission(dir->dentry->inode, MAY_WRITE | MAY_EXEC);
}
