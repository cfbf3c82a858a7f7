/* SPDX-License-Identifier: MIT */
/*
 * Changing an inode's attributes with the checks of chmod(2), chown(2)
 * and utimensat(2), and the owner a new inode gets (inode_init_owner).
 */
#include <cairn/errno.h>
#include <cairn/linux/stat.h>

#include "fs/file.h"
#include "fs/internal.h"
#include "fs/vfs.h"

static bool cred_has_group(const struct cred *c, uint32_t gid)
{
	if (c->fsgid == gid)
		return true;
	for (unsigned i = 0; i < c->ngroups && i < PROC_NGROUPS; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

void inode_init_owner(struct inode *ino, const struct inode *dir, uint32_t mode)
{
	struct cred c;

	fs_cred(&c);
	ino->uid = c.fsuid;
	ino->gid = c.fsgid;
	/* A setgid directory hands its group down, and its setgid bit to subdirectories. */
	if (dir && (dir->mode & S_ISGID)) {
		ino->gid = dir->gid;
		if (S_ISDIR(mode))
			mode |= S_ISGID;
	}
	/* Only a member of the group may make a file setgid to it (Linux's inode_init_owner). */
	if ((mode & S_ISGID) && !S_ISDIR(mode) && (mode & 0010) && c.fsuid != 0 &&
	    !cred_has_group(&c, ino->gid))
		mode &= ~S_ISGID;
	ino->mode = mode;
}

static int attr_begin(const struct path *p)
{
	if (mnt_readonly(p->mnt))
		return -EROFS;
	return 0;
}

int vfs_chmod(const struct path *p, uint32_t mode)
{
	struct inode *ino = p->dentry->inode;
	struct iattr a = { .valid = ATTR_MODE | ATTR_CTIME };
	int err = attr_begin(p);
	struct cred c;

	fs_cred(&c);

	if (err)
		return err;
	if (!inode_owner_or_root(ino))
		return -EPERM;
	mutex_lock(&ino->lock);
	a.mode = (ino->mode & S_IFMT) | (mode & 07777u);
	/* A non-member may not keep a file setgid to a group it is not in. */
	if (c.fsuid != 0 && !S_ISDIR(ino->mode) && !cred_has_group(&c, ino->gid))
		a.mode &= ~S_ISGID;
	a.uid = ino->uid;
	a.gid = ino->gid;
	a.ctime = vfs_now();
	err = vfs_setattr_locked(ino, &a);
	mutex_unlock(&ino->lock);
	return err;
}

/* Whether the caller may give @ino owner @uid and group @gid ((uint32_t)-1: unchanged). */
static int chown_ok(const struct inode *ino, uint32_t uid, uint32_t gid)
{
	struct cred c;

	fs_cred(&c);
	if (c.fsuid == 0)
		return 0;
	if (uid != (uint32_t)-1 && (c.fsuid != ino->uid || uid != ino->uid))
		return -EPERM;
	if (gid != (uint32_t)-1 &&
	    (c.fsuid != ino->uid || (gid != ino->gid && !cred_has_group(&c, gid))))
		return -EPERM;
	return 0;
}

int vfs_chown(const struct path *p, uint32_t uid, uint32_t gid)
{
	struct inode *ino = p->dentry->inode;
	struct iattr a = { .valid = ATTR_UID | ATTR_GID | ATTR_CTIME };
	int err = attr_begin(p);

	if (err)
		return err;
	mutex_lock(&ino->lock);
	err = chown_ok(ino, uid, gid);
	if (err)
		goto out_unlock;
	a.uid = uid == (uint32_t)-1 ? ino->uid : uid;
	a.gid = gid == (uint32_t)-1 ? ino->gid : gid;
	a.mode = ino->mode;
	/* A new owner of a program must not inherit its set-id powers (Linux clears them too). */
	if (!S_ISDIR(ino->mode) && (uid != (uint32_t)-1 || gid != (uint32_t)-1)) {
		a.mode &= ~S_ISUID;
		if (a.mode & 0010)
			a.mode &= ~S_ISGID;
		if (a.mode != ino->mode)
			a.valid |= ATTR_MODE;
	}
	a.ctime = vfs_now();
	err = vfs_setattr_locked(ino, &a);
out_unlock:
	mutex_unlock(&ino->lock);
	return err;
}

int vfs_utimes(const struct path *p, const struct vfs_time *atime, const struct vfs_time *mtime,
               bool explicit_times)
{
	struct inode *ino = p->dentry->inode;
	struct iattr a = { .valid = ATTR_CTIME };
	int err = attr_begin(p);

	if (err)
		return err;
	/* Setting given times needs ownership; "now" is enough with write permission. */
	if (!inode_owner_or_root(ino)) {
		if (explicit_times)
			return -EPERM;
		err = inode_permission(ino, MAY_WRITE);
		if (err)
			return err;
	}
	a.ctime = vfs_now();
	if (atime) {
		a.valid |= ATTR_ATIME;
		a.atime = *atime;
	}
	if (mtime) {
		a.valid |= ATTR_MTIME;
		a.mtime = *mtime;
	}
	mutex_lock(&ino->lock);
	a.mode = ino->mode;
	a.uid = ino->uid;
	a.gid = ino->gid;
	err = vfs_setattr_locked(ino, &a);
	mutex_unlock(&ino->lock);
	return err;
}
