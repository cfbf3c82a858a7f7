/* SPDX-License-Identifier: MIT */
/*
 * A DHCP client (RFC 2131, options of RFC 2132) as a pure state machine:
 * it parses and builds the messages (the UDP payloads between ports 68
 * and 67) and decides what to send and when, from a clock the caller
 * passes in. It never touches a socket or a timer: the caller (the
 * kernel's boot-time client, kernel/net/dhcp.c, or a host test) delivers
 * received messages, calls dhcp_tick() at dhcp_next_event(), sends what
 * it is given and applies the lease it reports.
 *
 * States (RFC 2131, 4.4, figure 5; no INIT-REBOOT):
 *   INIT -> SELECTING   DISCOVER broadcast, waiting for OFFERs
 *   SELECTING -> REQUESTING  the first acceptable OFFER: REQUEST broadcast
 *   REQUESTING -> BOUND  ACK (NAK or too many tries: back to INIT)
 *   BOUND -> RENEWING   at T1: REQUEST unicast to the server
 *   RENEWING -> REBINDING  at T2: REQUEST broadcast to any server
 *   RENEWING/REBINDING -> BOUND  ACK; NAK or the lease's end: INIT
 * Retransmissions back off exponentially from a base delay (RFC 2131,
 * 4.1: 4 s, 8 s, ... up to 64 s, each randomized by up to +-1 s); in
 * RENEWING and REBINDING a REQUEST is resent at half the time left to T2
 * or the lease's end, at least every 60 s (RFC 2131, 4.4.5).
 *
 * Locks: none inside; the caller serializes the calls on one client.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DHCP_SERVER_PORT 67u
#define DHCP_CLIENT_PORT 68u

/* Message types (RFC 2132, 9.6). */
#define DHCPDISCOVER 1u
#define DHCPOFFER    2u
#define DHCPREQUEST  3u
#define DHCPDECLINE  4u
#define DHCPACK      5u
#define DHCPNAK      6u
#define DHCPRELEASE  7u

#define DHCP_FIXED_LEN 236u /* op .. file, before the magic cookie (RFC 2131, 2) */
#define DHCP_MIN_LEN   240u /* the fixed part and the cookie */
#define DHCP_MSG_MAX   576u /* the largest message we send and ask for (RFC 2131, 2) */
#define DHCP_MAX_DNS   3u   /* name servers kept (resolv.conf takes 3) */
#define DHCP_NAME_MAX  64u  /* host and domain names kept, NUL included */
#define DHCP_NS        1000000000ull

/* One parsed message: the fields and options the client uses, host order. */
struct dhcp_msg {
	uint8_t op;   /* 1 BOOTREQUEST, 2 BOOTREPLY */
	uint8_t type; /* option 53; 0: none (plain BOOTP) */
	uint32_t xid;
	uint8_t chaddr[6];          /* the client's hardware address (Ethernet) */
	uint32_t yiaddr;            /* "your" address: the one offered */
	uint32_t server_id;         /* option 54 */
	uint32_t netmask;           /* option 1; 0: none */
	uint32_t router;            /* option 3, the first one; 0: none */
	uint32_t dns[DHCP_MAX_DNS]; /* option 6 */
	unsigned ndns;
	uint32_t lease_s;             /* option 51; 0: none */
	uint32_t t1_s, t2_s;          /* options 58, 59; 0: none */
	char hostname[DHCP_NAME_MAX]; /* option 12, NUL-terminated; "" none */
	char domain[DHCP_NAME_MAX];   /* option 15 */
};

/*
 * Parse the DHCP message @p of @len bytes (a UDP payload). Every option
 * is bounds-checked; an option of the wrong length is ignored, names
 * with bytes outside printable ASCII are dropped, option overload (52)
 * is followed into the file and sname fields. 0, or -EINVAL when it is
 * not a DHCP message (short, no cookie, an option running past the end).
 */
int __must_check dhcp_parse(const uint8_t *p, size_t len, struct dhcp_msg *m);

/* The lease a client holds (or is offered). Times in seconds. */
struct dhcp_lease {
	uint32_t addr, netmask, router, server_id; /* host order; netmask 0 was not sent */
	uint32_t dns[DHCP_MAX_DNS];
	unsigned ndns;
	uint32_t lease_s, t1_s, t2_s; /* lease_s 0xffffffff: infinite */
	char hostname[DHCP_NAME_MAX];
	char domain[DHCP_NAME_MAX];
};

enum dhcp_state {
	DHCP_INIT = 0,
	DHCP_SELECTING,
	DHCP_REQUESTING,
	DHCP_BOUND,
	DHCP_RENEWING,
	DHCP_REBINDING,
};

/* What a call asks the caller to do. */
enum dhcp_event {
	DHCP_EV_NONE = 0,
	DHCP_EV_BOUND,   /* a new lease: apply dhcp_client.lease */
	DHCP_EV_RENEWED, /* the same address, times (and maybe options) refreshed */
	DHCP_EV_LOST,    /* NAK or the lease ran out: remove the address; it starts over */
};

/* A message to send: the UDP payload in buf, to @dst (host order; 0xffffffff broadcast) from @src (0: none yet). */
struct dhcp_tx {
	uint8_t buf[DHCP_MSG_MAX];
	size_t len; /* 0: nothing to send */
	uint32_t src, dst;
};

struct dhcp_client {
	enum dhcp_state state;
	uint8_t mac[6];
	char hostname[DHCP_NAME_MAX]; /* sent as option 12 when set */
	uint32_t xid;
	uint64_t rng;            /* xorshift state for xids and jitter */
	uint64_t base_ns;        /* the first retransmission delay */
	uint64_t next_ns;        /* when dhcp_tick() has work (retransmit or a timer) */
	uint64_t start_ns;       /* when this exchange began (the secs field) */
	uint64_t bound_ns;       /* when the lease was acknowledged */
	unsigned tries;          /* messages sent in this state */
	struct dhcp_lease offer; /* SELECTING/REQUESTING: what we asked for */
	struct dhcp_lease lease; /* BOUND and later: what we hold */
};

#define DHCP_REQUEST_TRIES 4u /* REQUESTs in REQUESTING before starting over */
#define DHCP_BACKOFF_MAX   (64ull * DHCP_NS)
#define DHCP_RENEW_MIN     (60ull * DHCP_NS)

/*
 * Start a client for interface hardware address @mac at @now_ns; @seed
 * seeds the transaction ids and jitter; @base_ns is the first
 * retransmission delay (RFC 2131 suggests 4 s; a caller with a boot
 * deadline may pick less). It is in INIT: the first dhcp_tick() sends a
 * DISCOVER.
 */
void dhcp_init(struct dhcp_client *c, const uint8_t mac[6], uint64_t seed, uint64_t base_ns,
               uint64_t now_ns);

/*
 * Time passes: send or resend what the state needs, move through T1, T2
 * and the lease's end. Fills @tx (tx->len 0: nothing to send). Returns an
 * event (DHCP_EV_LOST when the lease ran out).
 */
enum dhcp_event dhcp_tick(struct dhcp_client *c, uint64_t now_ns, struct dhcp_tx *tx);

/*
 * A message arrived on port 68. Anything not for us (another xid or
 * hardware address, a type the state does not expect, an offer without
 * an address) is ignored. May fill @tx (the REQUEST after an OFFER).
 */
enum dhcp_event dhcp_input(struct dhcp_client *c, uint64_t now_ns, const uint8_t *p, size_t len,
                           struct dhcp_tx *tx);

/* When dhcp_tick() next has something to do (ns, the caller's clock). */
uint64_t dhcp_next_event(const struct dhcp_client *c);

/* Build a DHCPRELEASE of the lease held into @tx (giving it up); tx->len 0 when none is held. */
void dhcp_release(struct dhcp_client *c, struct dhcp_tx *tx);

/*
 * Build a message of @type into @out (DHCP_MSG_MAX bytes) for client @c:
 * @ciaddr the address we hold (RENEWING/REBINDING/RELEASE), @req the
 * address asked for (option 50, 0: none), @server the server id (option
 * 54, 0: none). Returns its length (at least 300 bytes, RFC 1542 3.5).
 */
size_t dhcp_build(const struct dhcp_client *c, uint8_t type, uint32_t ciaddr, uint32_t req,
                  uint32_t server, uint64_t now_ns, uint8_t *out);
