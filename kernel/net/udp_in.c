// SPDX-License-Identifier: MIT
/*
 * UDP's side of the net task: datagrams in (checked, matched to a socket
 * by the bind table, queued as a copy; a port unreachable for nobody's
 * port), ICMP errors about datagrams we sent (ECONNREFUSED on a connected
 * socket), and /proc/net/udp.
 */
#include <cairn/errno.h>

#include <lib/net/wire.h>
#include <lib/procfs/seq.h>

#include "fs/file.h"
#include "fs/vfs.h"
#include "net/inet.h"
#include "net/netif.h"
#include "net/pkt.h"
#include "net/procnet.h"
#include "net/socket.h"
#include "net/udp.h"
#include "net/udp_internal.h"

/* Sockets one broadcast datagram reaches at most (the rest are counted as drops). */
#define UDP_BCAST_MAX 16u

struct udp_stats udp_stats;

#define UDP_INC(field) __atomic_fetch_add(&udp_stats.field, 1, __ATOMIC_RELAXED)

/* What the match callbacks look for, and what they found (references held). */
struct udp_lookup {
	uint32_t src, dst;
	uint16_t sport;
	bool all;       /* a broadcast: every match */
	int best_score; /* unicast: the best so far */
	unsigned n;     /* sockets in found[] */
	struct udp_sock *found[UDP_BCAST_MAX];
};

/*
 * How well @u fits a datagram from @l->src:@l->sport; -1: not at all. A
 * connected socket hears only its peer; a connected or address-bound
 * socket beats a wildcard one (as Linux's compute_score).
 */
static int udp_score(const struct udp_sock *u, const struct udp_lookup *l)
{
	uint64_t peer = __atomic_load_n(&u->peer, __ATOMIC_ACQUIRE);
	int score = u->bind.addr != INADDR_ANY ? 2 : 1;

	if (peer) {
		if (UDP_PEER_ADDR(peer) != l->src || UDP_PEER_PORT(peer) != l->sport)
			return -1;
		score += 4;
	}
	return score;
}

/* inet_bind_find()'s callback, under [B]: keep the best (or every) match, referenced. */
static bool udp_match(struct inet_bind *b, void *ctx)
{
	struct udp_lookup *l = ctx;
	struct udp_sock *u = b->owner;
	int score = udp_score(u, l);

	if (score < 0)
		return false;
	if (l->all) {
		if (l->n < UDP_BCAST_MAX) {
			udp_get(u);
			l->found[l->n++] = u;
		}
		return false;
	}
	if (score > l->best_score) {
		udp_get(u);
		/* A socket in the table holds its own reference: this put never frees. */
		if (l->n)
			udp_put(l->found[0]);
		l->found[0] = u;
		l->n = 1;
		l->best_score = score;
	}
	return false; /* look on: a better match may follow */
}

static bool udp_dst_is_bcast(const struct pkt *p, uint32_t dst)
{
	const struct netif *dev = p->dev;

	if (dst == IP4_BROADCAST || (p->flags & PKT_BCAST))
		return true;
	return dev && dev->netmask && dev->netmask != 0xffffffffu &&
	       dst == (dev->addr | ~dev->netmask);
}

static void udp_rx(struct pkt *p, const struct ip4_view *ip)
{
	struct udp_lookup l = { .src = ip->src, .dst = ip->dst, .best_score = -1 };
	struct udp_view uv;
	int err = udp_parse(p->data, p->len, ip->src, ip->dst, p->flags & PKT_CSUM_OK, &uv);

	if (err) {
		UDP_INC(in_errors);
		if (err == -EBADMSG)
			UDP_INC(in_csum_errors);
		pkt_free(p);
		return;
	}
	l.sport = uv.sport;
	l.all = udp_dst_is_bcast(p, ip->dst);
	(void)inet_bind_find(SOCK_DGRAM, ip->dst, uv.dport, udp_match, &l);
	if (l.n == 0) {
		UDP_INC(no_ports);
		/* RFC 1122 3.2.2.1: a port unreachable, never for a broadcast. */
		if (!l.all)
			icmp_send_error(ip, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH);
	}
	for (unsigned i = 0; i < l.n; i++) {
		struct udp_sock *u = l.found[i];

		if (dgram_queue_put(&u->rq, ip->src, uv.sport, uv.payload, uv.len, NULL, 0))
			UDP_INC(in_datagrams);
		else
			UDP_INC(rcvbuf_errors);
		udp_put(u);
	}
	pkt_free(p);
}

/* The error a fatal ICMP message means to a connected socket (Linux's icmp_err_convert). */
static int udp_icmp_errno(uint8_t type, uint8_t code)
{
	if (type != ICMP_DEST_UNREACH)
		return 0; /* time exceeded and the rest are soft errors */
	switch (code) {
	case ICMP_PORT_UNREACH:
		return -ECONNREFUSED;
	case ICMP_PROT_UNREACH:
		return -ENOPROTOOPT;
	case 6: /* network unknown */
	case 9: /* network administratively prohibited */
		return -ENETUNREACH;
	case 7: /* host unknown */
		return -EHOSTDOWN;
	case 10: /* host administratively prohibited */
		return -EHOSTUNREACH;
	default:
		return 0;
	}
}

struct udp_err_ctx {
	uint32_t raddr;
	uint16_t rport;
	struct udp_sock *u;
};

static bool udp_err_match(struct inet_bind *b, void *ctx)
{
	struct udp_err_ctx *c = ctx;
	struct udp_sock *u = b->owner;
	uint64_t peer = __atomic_load_n(&u->peer, __ATOMIC_ACQUIRE);

	if (peer != UDP_PEER(c->raddr, c->rport))
		return false;
	udp_get(u);
	c->u = u;
	return true;
}

/* An ICMP error quoting a datagram we sent from inner->src:sport to inner->dst:dport. */
static void udp_err(uint8_t type, uint8_t code, const struct ip4_view *inner)
{
	struct udp_err_ctx c = { .raddr = inner->dst };
	int err = udp_icmp_errno(type, code);

	if (!err || inner->len < UDP_HLEN)
		return;
	c.rport = net_get16(inner->payload + 2);
	/* Only a connected socket hears of it (udp(7) without IP_RECVERR). */
	if (!inet_bind_find(SOCK_DGRAM, inner->src, net_get16(inner->payload), udp_err_match, &c))
		return;
	dgram_set_error(&c.u->rq, err);
	udp_put(c.u);
}

void udp_init(void)
{
	inet_register(IPPROTO_UDP, udp_rx, udp_err);
}

/* ---- /proc/net/udp ---- */

struct udp_show {
	struct seqbuf *s;
	unsigned sl;
};

/* An address and port as /proc/net shows them: the address's bytes as a little-endian word. */
static void udp_show_addr(struct seqbuf *s, uint32_t addr, uint16_t port)
{
	uint32_t le =
		(addr >> 24) | ((addr >> 8) & 0xff00u) | ((addr << 8) & 0xff0000u) | (addr << 24);

	seq_printf(s, "%08X:%04X", le, port);
}

static void udp_show_one(struct inet_bind *b, void *ctx)
{
	struct udp_show *sh = ctx;
	struct udp_sock *u = b->owner;
	uint64_t peer = __atomic_load_n(&u->peer, __ATOMIC_ACQUIRE);
	struct file *f = u->s->file;
	uint64_t ino = f && f->inode ? f->inode->ino : 0;

	seq_setwidth(sh->s, 127);
	seq_printf(sh->s, "%5u: ", sh->sl++);
	udp_show_addr(sh->s, __atomic_load_n(&u->laddr, __ATOMIC_RELAXED), b->port);
	seq_putc(sh->s, ' ');
	udp_show_addr(sh->s, peer ? UDP_PEER_ADDR(peer) : 0, peer ? UDP_PEER_PORT(peer) : 0);
	/* States as TCP's numbers: 01 established (connected), 07 close. */
	seq_printf(sh->s, " %02X %08X:%08X 00:00000000 00000000 %5u        0 %llu %d %016llx %llu",
	           peer ? 1u : 7u, 0u, (unsigned)dgram_queued(&u->rq), b->uid,
	           (unsigned long long)ino, __atomic_load_n(&u->refs, __ATOMIC_RELAXED), 0ull,
	           (unsigned long long)__atomic_load_n(&u->rq.drops, __ATOMIC_RELAXED));
	seq_pad(sh->s, '\n');
}

int procnet_show_udp(struct seqbuf *s, const struct procfs_node *n)
{
	struct udp_show sh = { .s = s, .sl = 0 };

	(void)n;
	seq_setwidth(s, 127);
	seq_puts(s, "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when "
	            "retrnsmt   uid  timeout inode ref pointer drops");
	seq_pad(s, '\n');
	inet_bind_foreach(SOCK_DGRAM, udp_show_one, &sh);
	return 0;
}
