/* SPDX-License-Identifier: MIT */
/*
 * A minimal AF_NETLINK (netlink(7)) with only NETLINK_ROUTE's read side
 * (rtnetlink(7)): the RTM_GETLINK, RTM_GETADDR and RTM_GETROUTE dumps
 * busybox's `ip link`, `ip addr` and `ip route` ask for. Every other
 * request is answered with an NLMSG_ERROR of -EOPNOTSUPP; there are no
 * multicast groups. netlink.c is the socket family, rtnl.c builds the
 * answers. docs/net-config.md.
 */
#pragma once

#include <cairn/compiler.h>

#include <stddef.h>
#include <stdint.h>

/* Linux's numbers (include/uapi/linux/netlink.h, rtnetlink.h). */
#define NETLINK_ROUTE 0

#define NLMSG_NOOP  1
#define NLMSG_ERROR 2
#define NLMSG_DONE  3

#define NLM_F_REQUEST 0x1
#define NLM_F_MULTI   0x2
#define NLM_F_ACK     0x4
#define NLM_F_ROOT    0x100
#define NLM_F_MATCH   0x200
#define NLM_F_DUMP    (NLM_F_ROOT | NLM_F_MATCH)

#define RTM_NEWLINK  16
#define RTM_GETLINK  18
#define RTM_NEWADDR  20
#define RTM_GETADDR  22
#define RTM_NEWROUTE 24
#define RTM_GETROUTE 26

struct nlmsghdr_abi {
	uint32_t nlmsg_len;
	uint16_t nlmsg_type;
	uint16_t nlmsg_flags;
	uint32_t nlmsg_seq;
	uint32_t nlmsg_pid;
};

struct sockaddr_nl_abi {
	uint16_t nl_family;
	uint16_t nl_pad;
	uint32_t nl_pid;
	uint32_t nl_groups;
};

_Static_assert(sizeof(struct nlmsghdr_abi) == 16, "struct nlmsghdr is 16 bytes");
_Static_assert(sizeof(struct sockaddr_nl_abi) == 12, "struct sockaddr_nl is 12 bytes");

/* Where an answer is written: a buffer the size of one datagram, flushed by @flush when full. */
struct nl_out {
	uint8_t *buf;
	size_t cap, len;
	uint32_t seq, pid; /* the request's, copied into every answer */
	int err;           /* the first failure of @flush (the queue was full) */
	void (*flush)(struct nl_out *o);
	void *ctx;
};

/*
 * Answer one rtnetlink request @h (@len bytes, its header included) into
 * @o: the dump's messages and NLMSG_DONE, or an NLMSG_ERROR. Task context.
 */
void rtnl_answer(struct nl_out *o, const struct nlmsghdr_abi *h, size_t len);

/* Register AF_NETLINK with the socket layer; net_init() calls it once. */
void netlink_init(void);
