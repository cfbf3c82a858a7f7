// SPDX-License-Identifier: MIT
/*
 * The DHCP client of lib/net/dhcp.h: the message parser and builder
 * (RFC 2131, 2 and RFC 2132) and the client's states and timers
 * (RFC 2131, 4.1 and 4.4). Pure: the caller brings the clock and the
 * transport.
 */
#include "lib/net/dhcp.h"

#include <cairn/errno.h>

#include <lib/net/wire.h>
#include <lib/string.h>

#define OP_BOOTREQUEST 1u
#define OP_BOOTREPLY   2u
#define HTYPE_ETHER    1u /* RFC 1700's hardware types */
#define FLAG_BROADCAST 0x8000u
#define BOOTP_MIN_LEN  300u /* RFC 1542, 3.5: relays expect at least this much */

/* Offsets of the fixed part (RFC 2131, 2, figure 1). */
#define OFF_XID    4u
#define OFF_SECS   8u
#define OFF_FLAGS  10u
#define OFF_CIADDR 12u
#define OFF_YIADDR 16u
#define OFF_CHADDR 28u
#define OFF_SNAME  44u
#define OFF_FILE   108u
#define OFF_COOKIE 236u
#define SNAME_LEN  64u
#define FILE_LEN   128u

/* Options (RFC 2132). */
#define OPT_PAD       0u
#define OPT_NETMASK   1u
#define OPT_ROUTER    3u
#define OPT_DNS       6u
#define OPT_HOSTNAME  12u
#define OPT_DOMAIN    15u
#define OPT_REQ_ADDR  50u
#define OPT_LEASE     51u
#define OPT_OVERLOAD  52u
#define OPT_MSG_TYPE  53u
#define OPT_SERVER_ID 54u
#define OPT_PARAMS    55u
#define OPT_MAX_SIZE  57u
#define OPT_T1        58u
#define OPT_T2        59u
#define OPT_CLIENT_ID 61u
#define OPT_END       255u

#define DEFAULT_LEASE_S 3600u /* an ACK without option 51 (servers must send it) */
#define INFINITE_LEASE  0xffffffffu

static const uint8_t cookie[4] = { 99, 130, 83, 99 }; /* RFC 2131, 3 */

/* ---- parsing ---- */

/* A name option of letters, digits, '-', '_' and '.': anything else (spaces, newlines) drops it, since it ends up in /etc/resolv.conf. */
static void take_name(char *dst, const uint8_t *v, size_t len)
{
	size_t i;

	while (len && v[len - 1] == '\0')
		len--; /* some servers count a terminating NUL */
	if (!len || len >= DHCP_NAME_MAX)
		return;
	for (i = 0; i < len; i++) {
		uint8_t ch = v[i];
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		          (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.';

		if (!ok)
			return;
	}
	memcpy(dst, v, len);
	dst[len] = '\0';
}

/* Apply one option; a wrong length means the option is ignored, not the message. */
static void take_option(struct dhcp_msg *m, uint8_t code, const uint8_t *v, size_t len,
                        uint8_t *overload)
{
	switch (code) {
	case OPT_MSG_TYPE:
		if (len == 1)
			m->type = v[0];
		break;
	case OPT_OVERLOAD:
		if (len == 1 && v[0] >= 1 && v[0] <= 3)
			*overload = v[0];
		break;
	case OPT_SERVER_ID:
	case OPT_NETMASK:
	case OPT_LEASE:
	case OPT_T1:
	case OPT_T2:
		if (len != 4)
			break;
		*(code == OPT_SERVER_ID ? &m->server_id
		  : code == OPT_NETMASK ? &m->netmask
		  : code == OPT_LEASE   ? &m->lease_s
		  : code == OPT_T1      ? &m->t1_s
		                        : &m->t2_s) = net_get32(v);
		break;
	case OPT_ROUTER:
		if (len >= 4 && len % 4 == 0)
			m->router = net_get32(v);
		break;
	case OPT_DNS:
		if (len < 4 || len % 4)
			break;
		for (m->ndns = 0; m->ndns < DHCP_MAX_DNS && m->ndns < len / 4; m->ndns++)
			m->dns[m->ndns] = net_get32(v + 4 * m->ndns);
		break;
	case OPT_HOSTNAME:
		take_name(m->hostname, v, len);
		break;
	case OPT_DOMAIN:
		take_name(m->domain, v, len);
		break;
	}
}

/* Walk the options in @p (@len bytes): code, length, value; PAD and END have no length. */
static int parse_options(const uint8_t *p, size_t len, struct dhcp_msg *m, uint8_t *overload)
{
	size_t i = 0;

	while (i < len) {
		uint8_t code = p[i++], olen;

		if (code == OPT_PAD)
			continue;
		if (code == OPT_END)
			return 0;
		if (i >= len)
			return -EINVAL;
		olen = p[i++];
		if (olen > len - i)
			return -EINVAL;
		take_option(m, code, p + i, olen, overload);
		i += olen;
	}
	return 0; /* a missing END is tolerated: the area ended */
}

int dhcp_parse(const uint8_t *p, size_t len, struct dhcp_msg *m)
{
	uint8_t overload = 0, ignored = 0;
	int err;

	memset(m, 0, sizeof(*m));
	if (len < DHCP_MIN_LEN || memcmp(p + OFF_COOKIE, cookie, sizeof(cookie)) != 0)
		return -EINVAL;
	if (p[1] != HTYPE_ETHER || p[2] != 6)
		return -EINVAL;
	m->op = p[0];
	m->xid = net_get32(p + OFF_XID);
	m->yiaddr = net_get32(p + OFF_YIADDR);
	memcpy(m->chaddr, p + OFF_CHADDR, 6);
	err = parse_options(p + DHCP_MIN_LEN, len - DHCP_MIN_LEN, m, &overload);
	if (err)
		return err;
	/* RFC 2132, 9.3: overloaded fields hold more options (file first); no overload from there. */
	if ((overload & 1) && parse_options(p + OFF_FILE, FILE_LEN, m, &ignored))
		return -EINVAL;
	if ((overload & 2) && parse_options(p + OFF_SNAME, SNAME_LEN, m, &ignored))
		return -EINVAL;
	return 0;
}

/* ---- building ---- */

static size_t put_opt(uint8_t *out, size_t at, uint8_t code, const void *v, uint8_t len)
{
	out[at] = code;
	out[at + 1] = len;
	memcpy(out + at + 2, v, len);
	return at + 2u + len;
}

static size_t put_opt32(uint8_t *out, size_t at, uint8_t code, uint32_t v)
{
	uint8_t b[4];

	net_put32(b, v);
	return put_opt(out, at, code, b, 4);
}

size_t dhcp_build(const struct dhcp_client *c, uint8_t type, uint32_t ciaddr, uint32_t req,
                  uint32_t server, uint64_t now_ns, uint8_t *out)
{
	static const uint8_t params[] = { OPT_NETMASK, OPT_ROUTER, OPT_DNS, OPT_HOSTNAME,
		                          OPT_DOMAIN,  OPT_LEASE,  OPT_T1,  OPT_T2 };
	uint8_t client_id[7] = { HTYPE_ETHER };
	uint64_t secs = (now_ns - c->start_ns) / DHCP_NS;
	size_t at = DHCP_MIN_LEN;
	uint8_t max_size[2];

	memset(out, 0, DHCP_MSG_MAX);
	out[0] = OP_BOOTREQUEST;
	out[1] = HTYPE_ETHER;
	out[2] = 6;
	net_put32(out + OFF_XID, c->xid);
	net_put16(out + OFF_SECS, (uint16_t)(secs > 0xffff ? 0xffff : secs));
	/* Until it has an address the stack cannot take a unicast reply (RFC 2131, 4.1). */
	net_put16(out + OFF_FLAGS, ciaddr ? 0 : FLAG_BROADCAST);
	net_put32(out + OFF_CIADDR, ciaddr);
	memcpy(out + OFF_CHADDR, c->mac, 6);
	memcpy(out + OFF_COOKIE, cookie, sizeof(cookie));
	at = put_opt(out, at, OPT_MSG_TYPE, &type, 1);
	memcpy(client_id + 1, c->mac, 6);
	at = put_opt(out, at, OPT_CLIENT_ID, client_id, sizeof(client_id));
	if (req)
		at = put_opt32(out, at, OPT_REQ_ADDR, req);
	if (server)
		at = put_opt32(out, at, OPT_SERVER_ID, server);
	if (type != DHCPRELEASE) {
		net_put16(max_size, DHCP_MSG_MAX);
		at = put_opt(out, at, OPT_MAX_SIZE, max_size, 2);
		at = put_opt(out, at, OPT_PARAMS, params, sizeof(params));
		if (c->hostname[0])
			at = put_opt(out, at, OPT_HOSTNAME, c->hostname,
			             (uint8_t)strnlen(c->hostname, DHCP_NAME_MAX - 1));
	}
	out[at++] = OPT_END;
	return at < BOOTP_MIN_LEN ? BOOTP_MIN_LEN : at;
}

/* ---- the client ---- */

/* xorshift64* (Vigna, 2016): enough for transaction ids and jitter, which need no secrecy. */
static uint64_t next_rand(struct dhcp_client *c)
{
	c->rng ^= c->rng >> 12;
	c->rng ^= c->rng << 25;
	c->rng ^= c->rng >> 27;
	return c->rng * 0x2545f4914f6cdd1dull;
}

/* The delay before retransmission number @tries (1 = the first): base doubling, capped, +-base/4. */
static uint64_t backoff(struct dhcp_client *c, unsigned tries)
{
	uint64_t d = c->base_ns << (tries > 5 ? 4 : (tries ? tries - 1 : 0));
	uint64_t spread = c->base_ns / 2;

	if (d > DHCP_BACKOFF_MAX)
		d = DHCP_BACKOFF_MAX;
	if (spread)
		d = d - c->base_ns / 4 + next_rand(c) % spread;
	return d;
}

void dhcp_init(struct dhcp_client *c, const uint8_t mac[6], uint64_t seed, uint64_t base_ns,
               uint64_t now_ns)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->mac, mac, 6);
	c->rng = seed ^ ((uint64_t)net_get32(mac) << 16 | net_get16(mac + 4)) ^ now_ns;
	if (!c->rng)
		c->rng = 0x9e3779b97f4a7c15ull;
	c->base_ns = base_ns ? base_ns : 4 * DHCP_NS;
	c->state = DHCP_INIT;
	c->next_ns = now_ns;
}

static void send_msg(struct dhcp_client *c, uint8_t type, uint32_t ciaddr, uint32_t req,
                     uint32_t server, uint64_t now_ns, struct dhcp_tx *tx)
{
	tx->len = dhcp_build(c, type, ciaddr, req, server, now_ns, tx->buf);
	tx->src = ciaddr;
	tx->dst = IP4_BROADCAST;
}

/* The next retransmission while renewing or rebinding: half the time to @until, at least 60 s (RFC 2131, 4.4.5). */
static uint64_t renew_retry(uint64_t now_ns, uint64_t until_ns)
{
	uint64_t half = until_ns > now_ns ? (until_ns - now_ns) / 2 : 0;

	if (half < DHCP_RENEW_MIN)
		half = DHCP_RENEW_MIN;
	return now_ns + half < until_ns ? now_ns + half : until_ns;
}

static uint64_t lease_at(const struct dhcp_client *c, uint32_t secs)
{
	if (c->lease.lease_s == INFINITE_LEASE)
		return UINT64_MAX;
	return c->bound_ns + (uint64_t)secs * DHCP_NS;
}

static void start_over(struct dhcp_client *c, uint64_t at_ns)
{
	c->state = DHCP_INIT;
	c->tries = 0;
	c->next_ns = at_ns;
	memset(&c->lease, 0, sizeof(c->lease));
}

/* RENEWING, REBINDING: resend, or move on at T2 or the lease's end. */
static enum dhcp_event tick_renewal(struct dhcp_client *c, uint64_t now_ns, struct dhcp_tx *tx)
{
	uint64_t t2 = lease_at(c, c->lease.t2_s), end = lease_at(c, c->lease.lease_s);

	if (now_ns >= end) {
		start_over(c, now_ns);
		return DHCP_EV_LOST;
	}
	if (c->state == DHCP_RENEWING && now_ns >= t2)
		c->state = DHCP_REBINDING;
	send_msg(c, DHCPREQUEST, c->lease.addr, 0, 0, now_ns, tx);
	if (c->state == DHCP_RENEWING)
		tx->dst = c->lease.server_id; /* RFC 2131, 4.4.5: unicast to the server first */
	c->next_ns = renew_retry(now_ns, c->state == DHCP_RENEWING ? t2 : end);
	return DHCP_EV_NONE;
}

enum dhcp_event dhcp_tick(struct dhcp_client *c, uint64_t now_ns, struct dhcp_tx *tx)
{
	tx->len = 0;
	if (now_ns < c->next_ns)
		return DHCP_EV_NONE;
	switch (c->state) {
	case DHCP_INIT:
		c->xid = (uint32_t)next_rand(c);
		c->start_ns = now_ns;
		c->tries = 0;
		c->state = DHCP_SELECTING;
		/* fall through */
	case DHCP_SELECTING:
		send_msg(c, DHCPDISCOVER, 0, 0, 0, now_ns, tx);
		break;
	case DHCP_REQUESTING:
		if (c->tries >= DHCP_REQUEST_TRIES) {
			start_over(c, now_ns);
			return dhcp_tick(c, now_ns, tx);
		}
		send_msg(c, DHCPREQUEST, 0, c->offer.addr, c->offer.server_id, now_ns, tx);
		break;
	case DHCP_BOUND:
		c->state = DHCP_RENEWING;
		c->xid = (uint32_t)next_rand(c);
		c->start_ns = now_ns;
		c->tries = 0;
		/* fall through */
	case DHCP_RENEWING:
	case DHCP_REBINDING:
		c->tries++;
		return tick_renewal(c, now_ns, tx);
	}
	c->tries++;
	c->next_ns = now_ns + backoff(c, c->tries);
	return DHCP_EV_NONE;
}

/* Whether @a may be a host's own unicast address (not 0, 127/8, multicast or broadcast). */
static bool addr_ok(uint32_t a)
{
	return a && (a >> 24) != 127 && (a >> 28) < 0xe;
}

static bool mask_ok(uint32_t mask)
{
	uint32_t inv = ~mask;

	return (inv & (inv + 1)) == 0;
}

/* The lease an OFFER or ACK describes, times made consistent (RFC 2131, 4.4.5 defaults). */
static void lease_from(struct dhcp_lease *l, const struct dhcp_msg *m)
{
	memset(l, 0, sizeof(*l));
	l->addr = m->yiaddr;
	l->netmask = mask_ok(m->netmask) ? m->netmask : 0;
	l->router = addr_ok(m->router) ? m->router : 0;
	l->server_id = m->server_id;
	l->ndns = m->ndns;
	memcpy(l->dns, m->dns, sizeof(l->dns));
	memcpy(l->hostname, m->hostname, sizeof(l->hostname));
	memcpy(l->domain, m->domain, sizeof(l->domain));
	l->lease_s = m->lease_s ? m->lease_s : DEFAULT_LEASE_S;
	l->t1_s = m->t1_s;
	l->t2_s = m->t2_s;
	if (l->lease_s == INFINITE_LEASE)
		return;
	if (!l->t2_s || l->t2_s > l->lease_s)
		l->t2_s = (uint32_t)((uint64_t)l->lease_s * 7 / 8);
	if (!l->t1_s || l->t1_s > l->t2_s)
		l->t1_s = l->lease_s / 2 < l->t2_s ? l->lease_s / 2 : l->t2_s;
}

static enum dhcp_event take_ack(struct dhcp_client *c, uint64_t now_ns, const struct dhcp_msg *m)
{
	bool same = c->state != DHCP_REQUESTING && m->yiaddr == c->lease.addr;

	lease_from(&c->lease, m);
	if (!c->lease.server_id)
		c->lease.server_id = c->offer.server_id;
	c->state = DHCP_BOUND;
	c->bound_ns = now_ns;
	c->tries = 0;
	c->next_ns = lease_at(c, c->lease.t1_s);
	return same ? DHCP_EV_RENEWED : DHCP_EV_BOUND;
}

static enum dhcp_event take_nak(struct dhcp_client *c, uint64_t now_ns)
{
	bool had = c->state == DHCP_RENEWING || c->state == DHCP_REBINDING;

	/* RFC 2131, 3.1 step 5: start over; after a pause, so a server that keeps saying no is not flooded. */
	start_over(c, now_ns + c->base_ns);
	return had ? DHCP_EV_LOST : DHCP_EV_NONE;
}

enum dhcp_event dhcp_input(struct dhcp_client *c, uint64_t now_ns, const uint8_t *p, size_t len,
                           struct dhcp_tx *tx)
{
	struct dhcp_msg m;

	tx->len = 0;
	if (dhcp_parse(p, len, &m) || m.op != OP_BOOTREPLY || m.xid != c->xid ||
	    memcmp(m.chaddr, c->mac, 6) != 0)
		return DHCP_EV_NONE;
	switch (c->state) {
	case DHCP_SELECTING:
		if (m.type != DHCPOFFER || !addr_ok(m.yiaddr) || !m.server_id)
			return DHCP_EV_NONE;
		lease_from(&c->offer, &m);
		c->state = DHCP_REQUESTING;
		c->tries = 1;
		send_msg(c, DHCPREQUEST, 0, c->offer.addr, c->offer.server_id, now_ns, tx);
		c->next_ns = now_ns + backoff(c, 1);
		return DHCP_EV_NONE;
	case DHCP_REQUESTING:
		if (m.server_id && m.server_id != c->offer.server_id)
			return DHCP_EV_NONE; /* another server's answer to our broadcast */
		if (m.type == DHCPNAK)
			return take_nak(c, now_ns);
		if (m.type != DHCPACK || m.yiaddr != c->offer.addr)
			return DHCP_EV_NONE;
		return take_ack(c, now_ns, &m);
	case DHCP_RENEWING:
	case DHCP_REBINDING:
		if (m.type == DHCPNAK)
			return take_nak(c, now_ns);
		if (m.type != DHCPACK || !addr_ok(m.yiaddr))
			return DHCP_EV_NONE;
		return take_ack(c, now_ns, &m);
	default:
		return DHCP_EV_NONE;
	}
}

uint64_t dhcp_next_event(const struct dhcp_client *c)
{
	return c->next_ns;
}

void dhcp_release(struct dhcp_client *c, struct dhcp_tx *tx)
{
	tx->len = 0;
	if (c->state < DHCP_BOUND)
		return;
	tx->len = dhcp_build(c, DHCPRELEASE, c->lease.addr, 0, c->lease.server_id, c->start_ns,
	                     tx->buf);
	tx->src = c->lease.addr;
	tx->dst = c->lease.server_id;
	start_over(c, UINT64_MAX);
}
