/* SPDX-License-Identifier: MIT */
/*
 * Linux's interface and route ioctls on sockets as user memory sees them:
 * the command numbers (include/uapi/linux/sockios.h), struct ifreq and
 * struct ifconf (netdevice(7), include/uapi/linux/if.h), struct rtentry
 * (include/uapi/linux/route.h) and the ARPHRD_* link types
 * (include/uapi/linux/if_arp.h). Layouts are x86_64's.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define SIOCADDRT      0x890b
#define SIOCDELRT      0x890c
#define SIOCGIFNAME    0x8910
#define SIOCGIFCONF    0x8912
#define SIOCGIFFLAGS   0x8913
#define SIOCSIFFLAGS   0x8914
#define SIOCGIFADDR    0x8915
#define SIOCSIFADDR    0x8916
#define SIOCGIFDSTADDR 0x8917
#define SIOCGIFBRDADDR 0x8919
#define SIOCSIFBRDADDR 0x891a
#define SIOCGIFNETMASK 0x891b
#define SIOCSIFNETMASK 0x891c
#define SIOCGIFMETRIC  0x891d
#define SIOCGIFMTU     0x8921
#define SIOCSIFMTU     0x8922
#define SIOCGIFHWADDR  0x8927
#define SIOCGIFINDEX   0x8933
#define SIOCGIFTXQLEN  0x8942
#define SIOCGIFMAP     0x8970

#define ARPHRD_ETHER    1
#define ARPHRD_LOOPBACK 772

#define LINUX_IFNAMSIZ 16

/* struct sockaddr: a family and 14 bytes. */
struct linux_sockaddr {
	uint16_t sa_family;
	uint8_t sa_data[14];
};

/* struct sockaddr_in: port and address in network order (bytes, as on the wire). */
struct linux_sockaddr_in {
	uint16_t sin_family;
	uint8_t sin_port[2];
	uint8_t sin_addr[4];
	uint8_t sin_zero[8];
};

/* struct ifmap (SIOCGIFMAP): hardware parameters nobody sets on virtual devices. */
struct linux_ifmap {
	uint64_t mem_start, mem_end;
	uint16_t base_addr;
	uint8_t irq, dma, port;
	uint8_t pad[3];
};

/* struct ifreq: a name and one of the union's members, by command. */
struct linux_ifreq {
	char ifr_name[LINUX_IFNAMSIZ];
	union {
		struct linux_sockaddr addr; /* ifr_addr, netmask, broadaddr, hwaddr */
		int16_t flags;              /* ifr_flags (the low 16 IFF_* bits) */
		int32_t ivalue;             /* ifr_ifindex, ifr_metric, ifr_mtu, ifr_qlen */
		struct linux_ifmap map;
		uint64_t data; /* ifr_data, a user pointer */
	} u;
};

/* struct ifconf: a user buffer of ifreqs and its length. */
struct linux_ifconf {
	int32_t ifc_len;
	uint32_t pad;
	uint64_t ifc_buf; /* user pointer; 0: ask only for the length needed */
};

/* struct rtentry (SIOCADDRT, SIOCDELRT). */
struct linux_rtentry {
	uint64_t rt_pad1;
	struct linux_sockaddr rt_dst, rt_gateway, rt_genmask;
	uint16_t rt_flags;
	int16_t rt_pad2;
	uint32_t rt_pad2b;
	uint64_t rt_pad3;
	uint64_t rt_pad4a;
	int16_t rt_metric; /* metric + 1, as route(8) stores it */
	int16_t rt_pad5[3];
	uint64_t rt_dev; /* user pointer to an interface name, 0: none */
	uint64_t rt_mtu, rt_window;
	uint16_t rt_irtt;
	uint16_t pad[3];
};

_Static_assert(sizeof(struct linux_sockaddr) == 16, "struct sockaddr is 16 bytes");
_Static_assert(sizeof(struct linux_sockaddr_in) == 16, "struct sockaddr_in is 16 bytes");
_Static_assert(sizeof(struct linux_ifmap) == 24, "struct ifmap is 24 bytes on x86_64");
_Static_assert(sizeof(struct linux_ifreq) == 40, "struct ifreq is 40 bytes on x86_64");
_Static_assert(sizeof(struct linux_ifconf) == 16, "struct ifconf is 16 bytes on x86_64");
_Static_assert(offsetof(struct linux_rtentry, rt_flags) == 56, "rt_flags after three sockaddrs");
_Static_assert(offsetof(struct linux_rtentry, rt_metric) == 80, "rt_metric after rt_pad4");
_Static_assert(offsetof(struct linux_rtentry, rt_dev) == 88, "rt_dev after rt_metric");
_Static_assert(sizeof(struct linux_rtentry) == 120, "struct rtentry is 120 bytes on x86_64");
