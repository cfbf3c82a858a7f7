// SPDX-License-Identifier: MIT
/*
 * ICMP sockets over loopback as Linux has them (raw(7), icmp(7), issue
 * 14): a raw ICMP socket sees the echo request it sent come in and then
 * the kernel's reply, both with their IP header; ICMP_FILTER hides types;
 * a ping socket (SOCK_DGRAM, IPPROTO_ICMP) gets its own identifier, has
 * the kernel fill in the identifier and checksum, hears only its own
 * replies, without the IP header, and refuses anything but an echo
 * request.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "utest.h"

#define SOL_RAW     255
#define ICMP_FILTER 1

static unsigned char buf[2048];

static void lo_up(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (s >= 0 && ioctl(s, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		(void)ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	if (s >= 0)
		close(s);
}

/*
 * Linux opens ping sockets to no group by default; open them to every
 * group, through a /proc of our own (the test init mounts nothing; Cairn
 * has no such file and needs none).
 */
static void ping_groups(void)
{
	bool mounted;
	int fd;

	(void)mkdir("/proc", 0555);
	mounted = mount("proc", "/proc", "proc", 0, NULL) == 0;
	fd = open("/proc/sys/net/ipv4/ping_group_range", O_WRONLY);
	if (fd >= 0) {
		(void)write(fd, "0 2147483647\n", 13);
		close(fd);
	}
	if (mounted)
		(void)umount("/proc");
}

static uint16_t csum(const unsigned char *p, size_t n)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* An echo request: id, seq, 12 bytes of data, the checksum over it all. */
static size_t echo(unsigned char *m, uint16_t id, uint16_t seq, bool sum)
{
	uint16_t c;

	memset(m, 0, 20);
	m[0] = 8;
	m[4] = (unsigned char)(id >> 8);
	m[5] = (unsigned char)id;
	m[6] = (unsigned char)(seq >> 8);
	m[7] = (unsigned char)seq;
	memcpy(m + 8, "cairn ping!!", 12);
	c = sum ? csum(m, 20) : 0;
	m[2] = (unsigned char)(c >> 8);
	m[3] = (unsigned char)c;
	return 20;
}

static int icmp_socket(int type)
{
	struct timeval tv = { 5, 0 };
	int s = socket(AF_INET, type, IPPROTO_ICMP);

	if (s >= 0)
		setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return s;
}

static void raw_socket(void)
{
	struct sockaddr_in lo = { .sin_family = AF_INET,
		                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in from;
	socklen_t len = sizeof(from);
	unsigned char m[20];
	uint32_t filter = 1u << 8;
	int s = icmp_socket(SOCK_RAW);
	long n;

	tap_ok(s >= 0, "socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)");
	tap_ok(sendto(s, m, echo(m, 0x1234, 1, true), 0, (struct sockaddr *)&lo, sizeof(lo)) == 20,
	       "send an echo request to 127.0.0.1");
	n = recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);
	tap_ok(n == 40 && buf[0] == 0x45 && buf[9] == 1 && buf[20] == 8,
	       "the request itself comes in, with its IP header: %ld", n);
	tap_ok(from.sin_addr.s_addr == htonl(INADDR_LOOPBACK), "from 127.0.0.1");
	n = recv(s, buf, sizeof(buf), 0);
	tap_ok(n == 40 && buf[20] == 0 && buf[24] == 0x12 && buf[25] == 0x34 && buf[27] == 1 &&
	               memcmp(buf + 28, "cairn ping!!", 12) == 0 && csum(buf + 20, 20) == 0,
	       "then the reply: same id, seq and data, a good checksum");
	tap_ok(setsockopt(s, SOL_RAW, ICMP_FILTER, &filter, sizeof(filter)) == 0,
	       "ICMP_FILTER: no echo requests");
	sendto(s, m, echo(m, 0x1234, 2, true), 0, (struct sockaddr *)&lo, sizeof(lo));
	n = recv(s, buf, sizeof(buf), 0);
	tap_ok(n == 40 && buf[20] == 0 && buf[27] == 2, "only the reply comes in");
	tap_errno(recv(s, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN, "and nothing else");
	close(s);
	tap_errno(socket(AF_INET, SOCK_RAW, 0), EPROTONOSUPPORT, "SOCK_RAW with protocol 0");
}

static void ping_socket(void)
{
	struct sockaddr_in lo = { .sin_family = AF_INET,
		                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in me;
	socklen_t len = sizeof(me);
	unsigned char m[20];
	uint16_t id;
	int s = icmp_socket(SOCK_DGRAM), other = icmp_socket(SOCK_DGRAM);
	long n;

	tap_ok(s >= 0 && other >= 0, "socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)");
	tap_ok(sendto(s, m, echo(m, 0x9999, 7, false), 0, (struct sockaddr *)&lo, sizeof(lo)) == 20,
	       "send an echo request without a checksum");
	tap_ok(getsockname(s, (struct sockaddr *)&me, &len) == 0 && me.sin_port != 0,
	       "the socket has its own identifier");
	id = ntohs(me.sin_port);
	n = recv(s, buf, sizeof(buf), 0);
	tap_ok(n == 20 && buf[0] == 0 && (buf[4] << 8 | buf[5]) == id && buf[7] == 7 &&
	               memcmp(buf + 8, "cairn ping!!", 12) == 0,
	       "the reply, without an IP header, with the kernel's identifier: %ld", n);
	tap_errno(recv(other, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN,
	          "another ping socket does not hear it");
	m[0] = 13;
	tap_errno(sendto(s, m, 20, 0, (struct sockaddr *)&lo, sizeof(lo)), EINVAL,
	          "a timestamp request is refused");
	tap_errno(sendto(s, m, 4, 0, (struct sockaddr *)&lo, sizeof(lo)), EINVAL,
	          "so is a short message");
	close(s);
	close(other);
}

int main(void)
{
	lo_up();
	ping_groups();
	raw_socket();
	ping_socket();
	tap_plan(tap_count); /* the plan at the end, which TAP allows */
	return tap_done(-1);
}
