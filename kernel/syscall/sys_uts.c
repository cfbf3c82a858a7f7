// SPDX-License-Identifier: MIT
/*
 * The host and domain names: sethostname and setdomainname (root only,
 * at most 64 bytes as Linux's __NEW_UTS_LEN), read back by uname and
 * /proc/sys/kernel/{hostname,domainname}. One system-wide pair: Cairn has
 * no UTS namespaces.
 */
#include <cairn/errno.h>
#include <cairn/linux/utsname.h>

#include <lib/string.h>

#include "mm/uaccess.h"
#include "proc/proc.h"
#include "sched/spinlock.h"
#include "syscall/internal.h"
#include "syscall/uname.h"

#define UTS_NAME_MAX (UTSNAME_LEN - 1) /* bytes of a name, without its NUL (Linux: 64) */

static struct spinlock uts_lock = SPINLOCK_INIT("uts");
static char uts_node[UTSNAME_LEN] __guarded_by(&uts_lock) = CAIRN_UTS_NODENAME;
static char uts_domain[UTSNAME_LEN] __guarded_by(&uts_lock) = CAIRN_UTS_DOMAIN;

void uts_names(char node[UTSNAME_LEN], char domain[UTSNAME_LEN])
{
	spin_lock(&uts_lock);
	if (node)
		memcpy(node, uts_node, UTSNAME_LEN);
	if (domain)
		memcpy(domain, uts_domain, UTSNAME_LEN);
	spin_unlock(&uts_lock);
}

void uts_set_default_node(const char *name)
{
	size_t len = strnlen(name, UTS_NAME_MAX);

	spin_lock(&uts_lock);
	if (strcmp(uts_node, CAIRN_UTS_NODENAME) == 0) {
		memset(uts_node, 0, UTSNAME_LEN);
		memcpy(uts_node, name, len);
	}
	spin_unlock(&uts_lock);
}

/* Set the host or @domain name to @len bytes at @uname: root, length, copy (Linux's order). */
static long uts_set_name(bool domain, uint64_t uname, uint64_t len)
{
	char tmp[UTSNAME_LEN];

	if (current_cred().euid != 0)
		return -EPERM;
	if ((int)len < 0 || (int)len > UTS_NAME_MAX)
		return -EINVAL;
	if (copy_from_user(tmp, (const void *)uname, (size_t)(int)len))
		return -EFAULT;
	memset(tmp + (int)len, 0, UTSNAME_LEN - (size_t)(int)len);
	spin_lock(&uts_lock);
	memcpy(domain ? uts_domain : uts_node, tmp, UTSNAME_LEN);
	spin_unlock(&uts_lock);
	return 0;
}

long sys_sethostname(uint64_t name, uint64_t len, uint64_t a2, uint64_t a3, uint64_t a4,
                     uint64_t a5)
{
	return uts_set_name(false, name, len);
}

long sys_setdomainname(uint64_t name, uint64_t len, uint64_t a2, uint64_t a3, uint64_t a4,
                       uint64_t a5)
{
	return uts_set_name(true, name, len);
}
