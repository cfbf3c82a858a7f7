/* SPDX-License-Identifier: MIT */
/*
 * The names uname(2) reports, shared with /proc/version and
 * /proc/sys/kernel/{ostype,osrelease,hostname,domainname}. Cairn names
 * itself, with its own release number, not a Linux one (docs/syscalls.md).
 * The host and domain names start as below and change with sethostname
 * and setdomainname (sys_uts.c).
 */
#pragma once

#include <cairn/linux/utsname.h>

#define CAIRN_UTS_SYSNAME  "Cairn"
#define CAIRN_UTS_RELEASE  "0.11.0"
#define CAIRN_UTS_VERSION  "#1 SMP"
#define CAIRN_UTS_MACHINE  "x86_64"
#define CAIRN_UTS_NODENAME "cairn"
#define CAIRN_UTS_DOMAIN   "(none)"

/* Copy the current host and domain names (NUL-terminated) into those not NULL. */
void uts_names(char node[UTSNAME_LEN], char domain[UTSNAME_LEN]);
/* Set the host name to @name (the network's boot configuration) unless someone already changed it. */
void uts_set_default_node(const char *name);
