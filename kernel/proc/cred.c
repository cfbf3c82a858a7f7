// SPDX-License-Identifier: MIT
/*
 * Credentials: the uid and gid calls with Linux's rules. A process whose
 * effective uid is 0 may set any id (it has CAP_SETUID/CAP_SETGID, there
 * being no finer capabilities yet); any other may only move between its
 * real, effective and saved ids. The filesystem ids follow the effective
 * ones. Every change is made under the process's lock.
 */
#include <cairn/errno.h>

#include "mm/uaccess.h"
#include "proc/internal.h"
#include "syscall/syscall.h"

#define ID_KEEP 0xffffffffu /* -1: leave this id as it is */

/* Which of the three ids a struct cred call works on. */
struct id_set {
	uint32_t *real, *eff, *saved, *fs;
};

static struct id_set uids(struct cred *c)
{
	return (struct id_set){ &c->uid, &c->euid, &c->suid, &c->fsuid };
}

static struct id_set gids(struct cred *c)
{
	return (struct id_set){ &c->gid, &c->egid, &c->sgid, &c->fsgid };
}

static bool is_one_of(uint32_t v, const struct id_set *s)
{
	return v == *s->real || v == *s->eff || v == *s->saved;
}

/* setresuid/setresgid: each id -1 or, unprivileged, one of the current three. */
static int set_res(struct id_set s, bool priv, uint32_t r, uint32_t e, uint32_t sv)
{
	if (!priv && ((r != ID_KEEP && !is_one_of(r, &s)) || (e != ID_KEEP && !is_one_of(e, &s)) ||
	              (sv != ID_KEEP && !is_one_of(sv, &s))))
		return -EPERM;
	if (r != ID_KEEP)
		*s.real = r;
	if (e != ID_KEEP)
		*s.eff = e;
	if (sv != ID_KEEP)
		*s.saved = sv;
	*s.fs = *s.eff;
	return 0;
}

/* setreuid/setregid: the saved id follows the effective one when the real one is set or changes. */
static int set_re(struct id_set s, bool priv, uint32_t r, uint32_t e)
{
	uint32_t old_real = *s.real;

	if (!priv && r != ID_KEEP && r != *s.real && r != *s.eff)
		return -EPERM;
	if (!priv && e != ID_KEEP && !is_one_of(e, &s))
		return -EPERM;
	if (r != ID_KEEP)
		*s.real = r;
	if (e != ID_KEEP)
		*s.eff = e;
	if (r != ID_KEEP || (e != ID_KEEP && e != old_real))
		*s.saved = *s.eff;
	*s.fs = *s.eff;
	return 0;
}

/* setuid/setgid: privileged sets all three, else only the effective one to the real or saved. */
static int set_one(struct id_set s, bool priv, uint32_t id)
{
	if (id == ID_KEEP)
		return -EINVAL;
	if (priv) {
		*s.real = *s.eff = *s.saved = id;
	} else if (id == *s.real || id == *s.saved) {
		*s.eff = id;
	} else {
		return -EPERM;
	}
	*s.fs = *s.eff;
	return 0;
}

enum cred_op { OP_SET, OP_SETRE, OP_SETRES };

/* Apply one change to the caller's uids (@gid false) or gids under its lock. */
static long cred_change(bool gid, enum cred_op op, uint32_t a, uint32_t b, uint32_t c)
{
	struct process *p = process_current();
	struct id_set s;
	uint32_t old_eff, old_fs;
	bool priv;
	long r;

	if (!p)
		return -EPERM;
	spin_lock(&p->lock);
	priv = p->cred.euid == 0;
	s = gid ? gids(&p->cred) : uids(&p->cred);
	old_eff = *s.eff;
	old_fs = *s.fs;
	if (op == OP_SET)
		r = set_one(s, priv, a);
	else if (op == OP_SETRE)
		r = set_re(s, priv, a, b);
	else
		r = set_res(s, priv, a, b, c);
	/* Linux's commit_creds(): a process whose effective ids moved may hold secrets of both. */
	if (*s.eff != old_eff || *s.fs != old_fs)
		p->undumpable = true;
	spin_unlock(&p->lock);
	return r;
}

/* A snapshot of the caller's credentials. */
static struct cred cred_get(void)
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

long sys_getuid(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return cred_get().uid;
}

long sys_geteuid(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return cred_get().euid;
}

long sys_getgid(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return cred_get().gid;
}

long sys_getegid(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return cred_get().egid;
}

long sys_setuid(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return cred_change(false, OP_SET, (uint32_t)a0, 0, 0);
}

long sys_setgid(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return cred_change(true, OP_SET, (uint32_t)a0, 0, 0);
}

long sys_setreuid(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return cred_change(false, OP_SETRE, (uint32_t)a0, (uint32_t)a1, 0);
}

long sys_setregid(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return cred_change(true, OP_SETRE, (uint32_t)a0, (uint32_t)a1, 0);
}

long sys_setresuid(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return cred_change(false, OP_SETRES, (uint32_t)a0, (uint32_t)a1, (uint32_t)a2);
}

long sys_setresgid(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return cred_change(true, OP_SETRES, (uint32_t)a0, (uint32_t)a1, (uint32_t)a2);
}

/* getresuid/getresgid: three 32-bit ids to three user pointers. */
static long put_three(uint64_t pr, uint64_t pe, uint64_t ps, uint32_t r, uint32_t e, uint32_t s)
{
	if (copy_to_user((void *)pr, &r, 4) || copy_to_user((void *)pe, &e, 4) ||
	    copy_to_user((void *)ps, &s, 4))
		return -EFAULT;
	return 0;
}

long sys_getresuid(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct cred c = cred_get();

	return put_three(a0, a1, a2, c.uid, c.euid, c.suid);
}

long sys_getresgid(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct cred c = cred_get();

	return put_three(a0, a1, a2, c.gid, c.egid, c.sgid);
}

long sys_getgroups(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct cred c = cred_get();
	int size = (int)a0;

	if (size < 0)
		return -EINVAL;
	if (size == 0)
		return c.ngroups;
	if ((unsigned)size < c.ngroups)
		return -EINVAL;
	if (c.ngroups && copy_to_user((void *)a1, c.groups, c.ngroups * sizeof(uint32_t)))
		return -EFAULT;
	return c.ngroups;
}

long sys_setgroups(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct process *p = process_current();
	uint32_t groups[PROC_NGROUPS];
	size_t n = a0;

	if (!p)
		return -EPERM;
	if (n > PROC_NGROUPS)
		return -EINVAL; /* Linux allows 65536; Cairn keeps a fixed, small table */
	if (n && copy_from_user(groups, (const void *)a1, n * sizeof(uint32_t)))
		return -EFAULT;
	spin_lock(&p->lock);
	if (p->cred.euid != 0) {
		spin_unlock(&p->lock);
		return -EPERM;
	}
	for (size_t i = 0; i < n; i++)
		p->cred.groups[i] = groups[i];
	p->cred.ngroups = (unsigned)n;
	spin_unlock(&p->lock);
	return 0;
}
