// SPDX-License-Identifier: MIT
/*
 * rtnetlink (rtnetlink(7)), the read side busybox's ip uses, on the
 * loopback interface (which the program brings up when it is down, as
 * Linux boots it): a NETLINK_ROUTE socket binds and names itself, the
 * RTM_GETLINK dump has lo as index 1 with its flags, name and MTU, the
 * RTM_GETADDR dump has 127.0.0.1/8 on it, every dump ends with
 * NLMSG_DONE and carries the request's sequence number, a request of an
 * unknown type is answered with NLMSG_ERROR EOPNOTSUPP, and a message to
 * another port id is ECONNREFUSED.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "utest.h"

/*
 * Linux's netlink ABI (include/uapi/linux/netlink.h, rtnetlink.h,
 * if_link.h, if_addr.h), which musl-gcc's headers do not carry.
 */
#define NETLINK_ROUTE 0
#define NLMSG_ERROR   2
#define NLMSG_DONE    3
#define NLM_F_REQUEST 0x1
#define NLM_F_ACK     0x4
#define NLM_F_DUMP    0x300
#define RTM_NEWLINK   16
#define RTM_GETLINK   18
#define RTM_NEWADDR   20
#define RTM_GETADDR   22
#define IFLA_IFNAME   3
#define IFLA_MTU      4
#define IFA_LOCAL     2

struct sockaddr_nl {
	unsigned short nl_family, nl_pad;
	uint32_t nl_pid, nl_groups;
};
struct nlmsghdr {
	uint32_t nlmsg_len;
	uint16_t nlmsg_type, nlmsg_flags;
	uint32_t nlmsg_seq, nlmsg_pid;
};
struct nlmsgerr {
	int error;
	struct nlmsghdr msg;
};
struct rtgenmsg {
	unsigned char rtgen_family;
};
struct ifinfomsg {
	unsigned char ifi_family, pad;
	unsigned short ifi_type;
	int ifi_index;
	unsigned ifi_flags, ifi_change;
};
struct ifaddrmsg {
	uint8_t ifa_family, ifa_prefixlen, ifa_flags, ifa_scope;
	uint32_t ifa_index;
};
struct rtattr {
	unsigned short rta_len, rta_type;
};

#define NLA4(n)       (((n) + 3u) & ~3u)
#define NLMSG_DATA(h) ((void *)((char *)(h) + NLA4(sizeof(struct nlmsghdr))))
#define NLMSG_OK(h, n)                                                                       \
	((n) >= (int)sizeof(struct nlmsghdr) && (h)->nlmsg_len >= sizeof(struct nlmsghdr) && \
	 (int)(h)->nlmsg_len <= (n))
#define NLMSG_NEXT(h, n) \
	((n) -= (int)NLA4((h)->nlmsg_len), (struct nlmsghdr *)((char *)(h) + NLA4((h)->nlmsg_len)))
#define RTA_OK(a, n)                                                                   \
	((n) >= (int)sizeof(struct rtattr) && (a)->rta_len >= sizeof(struct rtattr) && \
	 (int)(a)->rta_len <= (n))
#define RTA_NEXT(a, n) \
	((n) -= (int)NLA4((a)->rta_len), (struct rtattr *)((char *)(a) + NLA4((a)->rta_len)))
#define RTA_DATA(a)    ((void *)((char *)(a) + NLA4(sizeof(struct rtattr))))
#define BODY_RTA(h, T) ((struct rtattr *)((char *)NLMSG_DATA(h) + NLA4(sizeof(T))))
#define BODY_LEN(h, T) \
	((int)(h)->nlmsg_len - (int)NLA4(sizeof(struct nlmsghdr)) - (int)NLA4(sizeof(T)))

static int fd;
static unsigned seq = 100;

static int request(uint16_t type, uint16_t flags, unsigned char family)
{
	struct {
		struct nlmsghdr h;
		struct rtgenmsg g;
	} req;
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };

	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = sizeof(req);
	req.h.nlmsg_type = type;
	req.h.nlmsg_flags = flags;
	req.h.nlmsg_seq = ++seq;
	req.g.rtgen_family = family;
	return (int)sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&to, sizeof(to));
}

struct seen {
	bool done, lo_link, lo_addr, bad_seq, from_kernel;
	int error;
	unsigned flags, mtu;
};

static void take_link(struct nlmsghdr *h, struct seen *s)
{
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	int len = BODY_LEN(h, struct ifinfomsg);
	const char *name = NULL;

	for (struct rtattr *a = BODY_RTA(h, struct ifinfomsg); RTA_OK(a, len);
	     a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFLA_IFNAME)
			name = RTA_DATA(a);
		if (a->rta_type == IFLA_MTU)
			memcpy(&s->mtu, RTA_DATA(a), 4);
	}
	if (name && strcmp(name, "lo") == 0 && ifi->ifi_index == 1) {
		s->lo_link = true;
		s->flags = ifi->ifi_flags;
	}
}

static void take_addr(struct nlmsghdr *h, struct seen *s)
{
	struct ifaddrmsg *ifa = NLMSG_DATA(h);
	int len = BODY_LEN(h, struct ifaddrmsg);

	for (struct rtattr *a = BODY_RTA(h, struct ifaddrmsg); RTA_OK(a, len);
	     a = RTA_NEXT(a, len)) {
		uint32_t v;

		memcpy(&v, RTA_DATA(a), 4);
		if (a->rta_type == IFA_LOCAL && ifa->ifa_family == AF_INET && ifa->ifa_index == 1 &&
		    ifa->ifa_prefixlen == 8 && v == htonl(INADDR_LOOPBACK))
			s->lo_addr = true;
	}
}

/* Read answers until NLMSG_DONE or NLMSG_ERROR (or 20 datagrams). */
static void read_answers(struct seen *s)
{
	static char buf[16384];
	struct sockaddr_nl from;

	memset(s, 0, sizeof(*s));
	for (int dgrams = 0; dgrams < 20 && !s->done; dgrams++) {
		socklen_t fl = sizeof(from);
		int n = (int)recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);

		if (n <= 0)
			return;
		s->from_kernel =
			fl == sizeof(from) && from.nl_family == AF_NETLINK && from.nl_pid == 0;
		for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != seq)
				s->bad_seq = true;
			if (h->nlmsg_type == NLMSG_DONE)
				s->done = true;
			else if (h->nlmsg_type == NLMSG_ERROR) {
				s->error = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
				s->done = true;
			} else if (h->nlmsg_type == RTM_NEWLINK)
				take_link(h, s);
			else if (h->nlmsg_type == RTM_NEWADDR)
				take_addr(h, s);
		}
	}
}

static void lo_up(void)
{
	struct ifreq r;
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	memset(&r, 0, sizeof(r));
	strcpy(r.ifr_name, "lo");
	if (s >= 0 && ioctl(s, SIOCGIFFLAGS, &r) == 0 && !(r.ifr_flags & IFF_UP)) {
		r.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &r) != 0)
			tap_line("# bringing lo up: %s", tap_errno_name(errno));
	}
	if (s >= 0)
		close(s);
}

int main(void)
{
	struct sockaddr_nl me = { .nl_family = AF_NETLINK }, got;
	socklen_t len = sizeof(got);
	struct sockaddr_nl other = { .nl_family = AF_NETLINK, .nl_pid = 4242 };
	struct seen s;
	char junk[20] = { 0 };

	lo_up();
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0) {
		tap_line("Bail out! socket(AF_NETLINK): %s", tap_errno_name(errno));
		return 1;
	}
	tap_errno(bind(fd, (struct sockaddr *)&me, sizeof(me)), 0, "bind with port id 0");
	tap_ok(getsockname(fd, (struct sockaddr *)&got, &len) == 0 && len == sizeof(got) &&
	               got.nl_family == AF_NETLINK && got.nl_pid != 0,
	       "getsockname: AF_NETLINK, a port id chosen");

	tap_ok(request(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, AF_UNSPEC) > 0, "RTM_GETLINK sent");
	read_answers(&s);
	tap_ok(s.done && !s.error && !s.bad_seq && s.from_kernel, "the dump ends with DONE");
	tap_ok(s.lo_link, "lo is index 1");
	tap_ok((s.flags & (IFF_UP | IFF_LOOPBACK | IFF_RUNNING)) ==
	               (IFF_UP | IFF_LOOPBACK | IFF_RUNNING),
	       "lo is UP LOOPBACK RUNNING");
	tap_ok(s.mtu == 65536, "lo's MTU 65536 (%u)", s.mtu);

	tap_ok(request(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, AF_INET) > 0, "RTM_GETADDR sent");
	read_answers(&s);
	tap_ok(s.done && !s.error && !s.bad_seq, "the dump ends with DONE");
	tap_ok(s.lo_addr, "127.0.0.1/8 on index 1");

	tap_ok(request(200, NLM_F_REQUEST | NLM_F_ACK, AF_UNSPEC) > 0, "an unknown type sent");
	read_answers(&s);
	tap_ok(s.error == -EOPNOTSUPP, "NLMSG_ERROR EOPNOTSUPP (%d)", s.error);

	tap_errno(sendto(fd, junk, sizeof(junk), 0, (struct sockaddr *)&other, sizeof(other)),
	          ECONNREFUSED, "to port id 4242: ECONNREFUSED");
	close(fd);
	tap_plan(tap_count);
	return tap_failed ? 1 : 0;
}
