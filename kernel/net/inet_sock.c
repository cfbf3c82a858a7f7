// SPDX-License-Identifier: MIT
/*
 * The AF_INET family: its registration and create() dispatch by socket
 * type, struct sockaddr_in parsing, and the bound-port tables of TCP and
 * UDP (who holds which local port, with socket(7)'s SO_REUSEADDR and
 * SO_REUSEPORT sharing rules, and the ephemeral port range of ip(7)).
 */
#include "net/inet_sock.h"

#include <cairn/errno.h>

#include <lib/net/wire.h>

#include "core/log.h"
#include "core/random.h"
#include "net/inet.h"
#include "net/socket.h"
#include "net/tcp_sock.h"
#include "proc/proc.h"
#include "sched/spinlock.h"

#define BIND_BUCKETS 256u

/* One protocol's claims, hashed by port. */
struct bind_table {
	struct spinlock lock;                  /* the [B] lock */
	struct list_node bucket[BIND_BUCKETS]; /* [B] struct inet_bind by link */
	uint16_t next_ephemeral;               /* [B] where the next search starts */
	bool ready;                            /* [I] set up by inet_sock_init() */
};

static struct bind_table tcp_table, udp_table;

static struct bind_table *table_of(int type)
{
	struct bind_table *t = NULL;

	if (type == SOCK_STREAM)
		t = &tcp_table;
	else if (type == SOCK_DGRAM)
		t = &udp_table;
	return t && t->ready ? t : NULL;
}

static struct list_node *bucket_of(struct bind_table *t, uint16_t port)
{
	return &t->bucket[port % BIND_BUCKETS];
}

int inet_addr_parse(const void *addr, size_t len, bool unspec_ok, uint32_t *ip, uint16_t *port)
{
	struct sockaddr_in sin;

	if (len < sizeof(sin))
		return -EINVAL;
	__builtin_memcpy(&sin, addr, sizeof(sin));
	if (sin.sin_family != AF_INET && !(unspec_ok && sin.sin_family == AF_UNSPEC))
		return -EAFNOSUPPORT;
	*ip = net_get32((const uint8_t *)&sin.sin_addr);
	*port = net_get16((const uint8_t *)&sin.sin_port);
	return 0;
}

void inet_addr_fill(void *out, size_t *len, uint32_t ip, uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	net_put32((uint8_t *)&sin.sin_addr, ip);
	net_put16((uint8_t *)&sin.sin_port, port);
	__builtin_memcpy(out, &sin, sizeof(sin));
	*len = sizeof(sin);
}

/* Whether @ip may be bound: any, one of ours, or a broadcast (ip(7)). */
static bool bind_addr_ok(uint32_t ip)
{
	return ip == INADDR_ANY || ip == INADDR_BROADCAST || inet_addr_is_local(ip);
}

int inet_bind_check(uint32_t ip, uint16_t port)
{
	if (!bind_addr_ok(ip))
		return -EADDRNOTAVAIL;
	if (port && port < INET_PROT_SOCK && current_cred().euid != 0)
		return -EACCES;
	return 0;
}

/* Whether claim @b may not coexist with @old (socket(7): SO_REUSEADDR, SO_REUSEPORT). */
static bool bind_conflict(int type, const struct inet_bind *old, const struct inet_bind *b)
{
	if (old->port != b->port)
		return false;
	if (old->addr != INADDR_ANY && b->addr != INADDR_ANY && old->addr != b->addr)
		return false;
	if (old->reuseport && b->reuseport && old->uid == b->uid)
		return false;
	/* TCP shares a port between SO_REUSEADDR sockets unless one of them listens. */
	if (old->reuseaddr && b->reuseaddr && (type != SOCK_STREAM || !old->listening))
		return false;
	return true;
}

static bool port_conflicts_locked(struct bind_table *t, int type, const struct inet_bind *b)
	__must_hold(&t->lock)
{
	struct inet_bind *old;

	list_for_each_entry(old, bucket_of(t, b->port), link)
		if (old != b && bind_conflict(type, old, b))
			return true;
	return false;
}

static bool port_used_locked(struct bind_table *t, uint16_t port) __must_hold(&t->lock)
{
	struct inet_bind *old;

	list_for_each_entry(old, bucket_of(t, port), link)
		if (old->port == port)
			return true;
	return false;
}

/* The next ephemeral port nobody holds, from the table's cursor on; 0: none. */
static uint16_t ephemeral_locked(struct bind_table *t) __must_hold(&t->lock)
{
	const unsigned range = INET_EPHEMERAL_HI - INET_EPHEMERAL_LO + 1;

	for (unsigned i = 0; i < range; i++) {
		uint16_t port = (uint16_t)(INET_EPHEMERAL_LO + (t->next_ephemeral + i) % range);

		if (!port_used_locked(t, port)) {
			t->next_ephemeral = (uint16_t)((port - INET_EPHEMERAL_LO + 1) % range);
			return port;
		}
	}
	return 0;
}

int inet_bind_add(int type, struct inet_bind *b)
{
	struct bind_table *t = table_of(type);
	int err = 0;

	if (!t)
		return -EINVAL;
	spin_lock(&t->lock);
	if (!b->port) {
		b->port = ephemeral_locked(t);
		if (!b->port)
			err = -EAGAIN;
	} else if (port_conflicts_locked(t, type, b)) {
		err = -EADDRINUSE;
	}
	if (!err)
		list_add_tail(bucket_of(t, b->port), &b->link);
	spin_unlock(&t->lock);
	return err;
}

void inet_bind_del(int type, struct inet_bind *b)
{
	struct bind_table *t = table_of(type);

	if (!t)
		return;
	spin_lock(&t->lock);
	if (list_linked(&b->link))
		list_del(&b->link);
	spin_unlock(&t->lock);
}

int inet_bind_set_listening(int type, struct inet_bind *b, bool on)
{
	struct bind_table *t = table_of(type);
	int err = 0;

	if (!t)
		return -EINVAL;
	spin_lock(&t->lock);
	b->listening = on;
	if (on && port_conflicts_locked(t, type, b)) {
		b->listening = false;
		err = -EADDRINUSE;
	}
	spin_unlock(&t->lock);
	return err;
}

int inet_port_alloc(int type, uint16_t *port)
{
	struct bind_table *t = table_of(type);

	if (!t)
		return -EINVAL;
	spin_lock(&t->lock);
	*port = ephemeral_locked(t);
	spin_unlock(&t->lock);
	return *port ? 0 : -EAGAIN;
}

/* One pass of inet_bind_find(): claims on @port bound to exactly @addr. */
static bool find_pass_locked(struct bind_table *t, uint32_t addr, uint16_t port,
                             bool (*match)(struct inet_bind *b, void *ctx), void *ctx)
	__must_hold(&t->lock)
{
	struct inet_bind *b;

	list_for_each_entry(b, bucket_of(t, port), link)
		if (b->port == port && b->addr == addr && match(b, ctx))
			return true;
	return false;
}

bool inet_bind_find(int type, uint32_t addr, uint16_t port,
                    bool (*match)(struct inet_bind *b, void *ctx), void *ctx)
{
	struct bind_table *t = table_of(type);
	bool found;

	if (!t)
		return false;
	spin_lock(&t->lock);
	found = find_pass_locked(t, addr, port, match, ctx);
	if (!found && addr != INADDR_ANY)
		found = find_pass_locked(t, INADDR_ANY, port, match, ctx);
	spin_unlock(&t->lock);
	return found;
}

void inet_bind_foreach(int type, void (*fn)(struct inet_bind *b, void *ctx), void *ctx)
{
	struct bind_table *t = table_of(type);
	struct inet_bind *b;

	if (!t)
		return;
	spin_lock(&t->lock);
	for (unsigned i = 0; i < BIND_BUCKETS; i++)
		list_for_each_entry(b, &t->bucket[i], link)
			fn(b, ctx);
	spin_unlock(&t->lock);
}

/* ---- the family ---- */

static int inet_create(struct socket *s, int type, int protocol)
{
	switch (type) {
	case SOCK_STREAM:
		if (protocol != 0 && protocol != IPPROTO_TCP)
			return -EPROTONOSUPPORT;
		return tcp_sock_create(s, protocol);
	case SOCK_DGRAM:
		if (protocol == IPPROTO_ICMP)
			return raw_create(s, type, protocol);
		if (protocol != 0 && protocol != IPPROTO_UDP)
			return -EPROTONOSUPPORT;
		return udp_create(s, protocol);
	case SOCK_RAW:
		return raw_create(s, type, protocol);
	default:
		return -ESOCKTNOSUPPORT;
	}
}

static const struct sock_family inet_family = {
	.family = AF_INET,
	.create = inet_create,
};

static void table_init(struct bind_table *t, const char *name)
{
	spin_init(&t->lock, name);
	for (unsigned i = 0; i < BIND_BUCKETS; i++)
		list_init(&t->bucket[i]);
	/* A random start, so port numbers do not tell how many connections came before. */
	t->next_ephemeral = (uint16_t)(random_u64() % (INET_EPHEMERAL_HI - INET_EPHEMERAL_LO + 1));
	t->ready = true;
}

void inet_sock_init(void)
{
	table_init(&tcp_table, "tcp_bind");
	table_init(&udp_table, "udp_bind");
	if (tcp_sock_init())
		pr_warn("inet: no TCP timer task: TCP sockets will not retransmit\n");
	sock_register_family(&inet_family);
}
