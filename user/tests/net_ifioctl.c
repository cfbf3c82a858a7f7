// SPDX-License-Identifier: MIT
/*
 * The interface ioctls of netdevice(7) on the loopback interface, which
 * the test boots bring up before the programs run (on Cairn and on
 * Linux): flags, index and name both ways, address, netmask, broadcast,
 * hardware address and MTU, SIOCGIFCONF's two forms, a changed MTU read
 * back and put back, and the errors: an unknown name or index (ENODEV), a
 * bad pointer (EFAULT), a mask that is not contiguous or a negative MTU
 * (EINVAL) and a change by another user (EPERM). lo is brought up first
 * when it is down (Linux boots it down).
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "utest.h"

static int sock_fd;

/* ioctl @cmd on @name's ifreq @r; 0 or -1 with errno. */
static int ifr_ioctl(unsigned long cmd, const char *name, struct ifreq *r)
{
	memset(r->ifr_name, 0, sizeof(r->ifr_name));
	strncpy(r->ifr_name, name, sizeof(r->ifr_name) - 1);
	return ioctl(sock_fd, cmd, r);
}

/* The IPv4 address in @sa in dotted form. */
static const char *in_str(const struct sockaddr *sa)
{
	static char buf[4][INET_ADDRSTRLEN];
	static int next;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
	char *b = buf[next++ % 4];

	if (sin->sin_family != AF_INET)
		return "(not AF_INET)";
	inet_ntop(AF_INET, &sin->sin_addr, b, INET_ADDRSTRLEN);
	return b;
}

/* Linux boots with lo down (and so without 127.0.0.1): bring it up as ifconfig lo up does. */
static void lo_up(void)
{
	struct ifreq r;

	memset(&r, 0, sizeof(r));
	if (ifr_ioctl(SIOCGIFFLAGS, "lo", &r) == 0 && !(r.ifr_flags & IFF_UP)) {
		r.ifr_flags |= IFF_UP;
		if (ifr_ioctl(SIOCSIFFLAGS, "lo", &r) != 0)
			tap_line("# bringing lo up: %s", tap_errno_name(errno));
	}
}

static void loopback_reads(void)
{
	struct ifreq r;

	memset(&r, 0, sizeof(r));
	tap_errno(ifr_ioctl(SIOCGIFFLAGS, "lo", &r), 0, "SIOCGIFFLAGS lo");
	tap_ok((r.ifr_flags & (IFF_UP | IFF_LOOPBACK | IFF_RUNNING)) ==
	               (IFF_UP | IFF_LOOPBACK | IFF_RUNNING),
	       "lo is UP LOOPBACK RUNNING");
	tap_ok(!(r.ifr_flags & IFF_BROADCAST), "lo has no broadcast");
	tap_errno(ifr_ioctl(SIOCGIFINDEX, "lo", &r), 0, "SIOCGIFINDEX lo");
	tap_ok(r.ifr_ifindex == 1, "lo is index 1 (%d)", r.ifr_ifindex);
	memset(&r, 0, sizeof(r));
	r.ifr_ifindex = 1;
	tap_errno(ioctl(sock_fd, SIOCGIFNAME, &r), 0, "SIOCGIFNAME 1");
	tap_ok(strcmp(r.ifr_name, "lo") == 0, "index 1 is lo (%s)", r.ifr_name);
	tap_errno(ifr_ioctl(SIOCGIFADDR, "lo", &r), 0, "SIOCGIFADDR lo");
	tap_ok(strcmp(in_str(&r.ifr_addr), "127.0.0.1") == 0, "address %s", in_str(&r.ifr_addr));
	tap_errno(ifr_ioctl(SIOCGIFNETMASK, "lo", &r), 0, "SIOCGIFNETMASK lo");
	tap_ok(strcmp(in_str(&r.ifr_netmask), "255.0.0.0") == 0, "netmask %s",
	       in_str(&r.ifr_netmask));
	tap_errno(ifr_ioctl(SIOCGIFHWADDR, "lo", &r), 0, "SIOCGIFHWADDR lo");
	tap_ok(r.ifr_hwaddr.sa_family == ARPHRD_LOOPBACK, "link type loopback (%d)",
	       r.ifr_hwaddr.sa_family);
	tap_errno(ifr_ioctl(SIOCGIFMTU, "lo", &r), 0, "SIOCGIFMTU lo");
	tap_ok(r.ifr_mtu == 65536, "lo's MTU is 65536 (%d)", r.ifr_mtu);
}

/* SIOCGIFCONF: the length needed, then the entries; lo is among them. */
static void ifconf(void)
{
	struct ifreq reqs[16];
	struct ifconf c;
	bool lo = false;
	int need;

	memset(&c, 0, sizeof(c));
	tap_errno(ioctl(sock_fd, SIOCGIFCONF, &c), 0, "SIOCGIFCONF with no buffer");
	need = c.ifc_len;
	tap_ok(need >= (int)sizeof(struct ifreq) && need % (int)sizeof(struct ifreq) == 0,
	       "it needs whole ifreqs (%d bytes)", need);
	c.ifc_len = sizeof(reqs);
	c.ifc_req = reqs;
	tap_errno(ioctl(sock_fd, SIOCGIFCONF, &c), 0, "SIOCGIFCONF");
	tap_ok(c.ifc_len == need, "it filled what it said (%d)", c.ifc_len);
	for (int i = 0; i < c.ifc_len / (int)sizeof(struct ifreq); i++)
		if (strcmp(reqs[i].ifr_name, "lo") == 0 &&
		    strcmp(in_str(&reqs[i].ifr_addr), "127.0.0.1") == 0)
			lo = true;
	tap_ok(lo, "lo 127.0.0.1 is listed");
	c.ifc_len = sizeof(struct ifreq) - 1;
	tap_errno(ioctl(sock_fd, SIOCGIFCONF, &c), 0, "SIOCGIFCONF with room for none");
	tap_ok(c.ifc_len == 0, "no partial entry (%d)", c.ifc_len);
	c.ifc_len = sizeof(reqs);
	c.ifc_buf = (char *)8;
	tap_errno(ioctl(sock_fd, SIOCGIFCONF, &c), EFAULT, "SIOCGIFCONF to a bad buffer: EFAULT");
}

static void errors(void)
{
	struct ifreq r;

	memset(&r, 0, sizeof(r));
	tap_errno(ifr_ioctl(SIOCGIFFLAGS, "nosuch0", &r), ENODEV, "unknown name: ENODEV");
	r.ifr_ifindex = 4242;
	tap_errno(ioctl(sock_fd, SIOCGIFNAME, &r), ENODEV, "unknown index: ENODEV");
	tap_errno(ioctl(sock_fd, SIOCGIFFLAGS, (void *)8), EFAULT, "bad pointer: EFAULT");
	memset(&r.ifr_netmask, 0, sizeof(r.ifr_netmask));
	r.ifr_netmask.sa_family = AF_INET;
	inet_pton(AF_INET, "255.0.255.0", &((struct sockaddr_in *)&r.ifr_netmask)->sin_addr);
	tap_errno(ifr_ioctl(SIOCSIFNETMASK, "lo", &r), EINVAL, "a mask with holes: EINVAL");
}

static void mtu_change(void)
{
	struct ifreq r;

	memset(&r, 0, sizeof(r));
	r.ifr_mtu = 16384;
	tap_errno(ifr_ioctl(SIOCSIFMTU, "lo", &r), 0, "SIOCSIFMTU lo 16384");
	tap_ok(ifr_ioctl(SIOCGIFMTU, "lo", &r) == 0 && r.ifr_mtu == 16384, "read back (%d)",
	       r.ifr_mtu);
	r.ifr_mtu = -1;
	tap_errno(ifr_ioctl(SIOCSIFMTU, "lo", &r), EINVAL, "a negative MTU: EINVAL");
	r.ifr_mtu = 65536;
	tap_errno(ifr_ioctl(SIOCSIFMTU, "lo", &r), 0, "put back to 65536");
}

static int change_as_nobody(void *arg)
{
	struct ifreq r;

	(void)arg;
	if (setgid(65534) || setuid(65534))
		return 2;
	memset(&r, 0, sizeof(r));
	if (ifr_ioctl(SIOCGIFFLAGS, "lo", &r) != 0)
		return 3; /* reading is for everyone */
	if (ifr_ioctl(SIOCSIFFLAGS, "lo", &r) == 0 || errno != EPERM)
		return 1;
	r.ifr_mtu = 1500;
	if (ifr_ioctl(SIOCSIFMTU, "lo", &r) == 0 || errno != EPERM)
		return 1;
	return 0;
}

int main(void)
{
	int st;

	sock_fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (sock_fd < 0) {
		tap_line("Bail out! socket: %s", tap_errno_name(errno));
		return 1;
	}
	lo_up();
	loopback_reads();
	ifconf();
	errors();
	mtu_change();
	st = ut_in_child(change_as_nobody, NULL);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	       "as uid 65534: reads work, changes EPERM (%s)", ut_status(st));
	close(sock_fd);
	tap_plan(tap_count);
	return tap_failed ? 1 : 0;
}
