/* SPDX-License-Identifier: MIT */
/*
 * The kernel command line's ip= option, with Linux's syntax
 * (Documentation/admin-guide/nfs/nfsroot.rst):
 *   ip=<client-ip>:<server-ip>:<gw-ip>:<netmask>:<hostname>:<device>:<autoconf>:<dns0-ip>:<dns1-ip>
 * where every field may be empty and trailing ones left out, and the
 * short forms ip=dhcp (also on, any, both), ip=off (also none). An empty
 * autoconf with no client address means DHCP, as on Linux. Pure: parsing
 * only; kernel/net/netconf.c applies the result.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdint.h>

#define IPCONF_NAME_MAX 64u /* a host name, NUL included */
#define IPCONF_DEV_MAX  16u /* an interface name, NUL included (IFNAMSIZ) */

enum ipconf_mode {
	IPCONF_DHCP = 0, /* configure by DHCP (the default) */
	IPCONF_STATIC,   /* the addresses given */
	IPCONF_OFF,      /* leave the interfaces alone */
};

struct ipconf {
	enum ipconf_mode mode;
	uint32_t addr, server, gw, netmask; /* host order; 0: not given */
	uint32_t dns[2];                    /* 0: not given */
	char hostname[IPCONF_NAME_MAX];     /* "": not given */
	char dev[IPCONF_DEV_MAX];           /* "": the first Ethernet interface */
};

/*
 * Parse the value of ip= (@s, NUL-terminated; NULL or "" is DHCP). A
 * static configuration without a netmask gets its address's class mask.
 * 0, or -EINVAL (a malformed address, a netmask with holes, an unknown
 * autoconf word, a name too long or with unsafe bytes, a static
 * configuration without an address), -EOPNOTSUPP (bootp, rarp: Cairn
 * speaks DHCP only).
 */
int __must_check ipconf_parse(const char *s, struct ipconf *out);

/* Parse a dotted quad "a.b.c.d" (each 0..255, no leading '+' or blanks) of @len bytes; 0 or -EINVAL. */
int __must_check ipconf_parse_addr(const char *s, unsigned len, uint32_t *out);

/* The class mask of @addr (RFC 791: class A /8, B /16, C /24), as Linux gives an address without one. */
uint32_t ipconf_class_mask(uint32_t addr);
