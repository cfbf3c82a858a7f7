/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/net/dhcp.c against a scripted server and a fake
 * clock: the whole DISCOVER/OFFER/REQUEST/ACK exchange and the lease it
 * yields, retransmissions backing off within their jitter, replies that
 * are not ours ignored, NAK and too many REQUESTs starting over, renewal
 * at T1 (unicast), rebinding at T2 (broadcast) and the lease running out,
 * and the parser's bounds: short messages, a bad cookie, options running
 * past the end, wrong lengths, unsafe names, overloaded fields.
 */
#include <cairn/errno.h>

#include <lib/net/dhcp.h>
#include <lib/net/wire.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

#define S      1000000000ull
#define SERVER 0x0a000202u /* 10.0.2.2 */
#define YOU    0x0a00020fu /* 10.0.2.15 */

static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

/* A server's reply being written: the fixed part, then options appended. */
struct reply {
	uint8_t b[DHCP_MSG_MAX];
	size_t len;
};

static void reply_start(struct reply *r, uint32_t xid, uint8_t type, uint32_t yiaddr)
{
	memset(r, 0, sizeof(*r));
	r->b[0] = 2;
	r->b[1] = 1;
	r->b[2] = 6;
	net_put32(r->b + 4, xid);
	net_put32(r->b + 16, yiaddr);
	memcpy(r->b + 28, mac, 6);
	r->b[236] = 99;
	r->b[237] = 130;
	r->b[238] = 83;
	r->b[239] = 99;
	r->len = 240;
	r->b[r->len++] = 53;
	r->b[r->len++] = 1;
	r->b[r->len++] = type;
}

static void reply_opt(struct reply *r, uint8_t code, const void *v, uint8_t len)
{
	r->b[r->len++] = code;
	r->b[r->len++] = len;
	memcpy(r->b + r->len, v, len);
	r->len += len;
}

static void reply_opt32(struct reply *r, uint8_t code, uint32_t v)
{
	uint8_t b[4];

	net_put32(b, v);
	reply_opt(r, code, b, 4);
}

static void reply_end(struct reply *r)
{
	r->b[r->len++] = 255;
}

/* A full OFFER or ACK as QEMU's user network sends them. */
static void reply_full(struct reply *r, uint32_t xid, uint8_t type, uint32_t lease)
{
	uint8_t dns[8];

	reply_start(r, xid, type, YOU);
	reply_opt32(r, 54, SERVER);
	reply_opt32(r, 1, 0xffffff00u);
	reply_opt32(r, 3, SERVER);
	net_put32(dns, 0x0a000203u);
	net_put32(dns + 4, 0x01010101u);
	reply_opt(r, 6, dns, 8);
	reply_opt32(r, 51, lease);
	reply_opt(r, 15, "example.org", 11);
	reply_end(r);
}

/* The option @code of the message @p sent by the client (its value), or NULL. */
static const uint8_t *sent_opt(const uint8_t *p, size_t len, uint8_t code, uint8_t *olen)
{
	size_t i = 240;

	while (i + 1 < len && p[i] != 255) {
		if (p[i] == 0) {
			i++;
			continue;
		}
		if (p[i] == code) {
			*olen = p[i + 1];
			return p + i + 2;
		}
		i += 2u + p[i + 1];
	}
	return NULL;
}

static uint8_t sent_type(const struct dhcp_tx *tx)
{
	uint8_t olen = 0;
	const uint8_t *v = sent_opt(tx->buf, tx->len, 53, &olen);

	return v && olen == 1 ? v[0] : 0;
}

/* Run a client from INIT to BOUND at time 0 with a lease of @lease seconds. */
static void bind_client(struct dhcp_client *c, uint32_t lease)
{
	struct dhcp_tx tx;
	struct reply r;

	dhcp_init(c, mac, 42, 4 * S, 0);
	assert_int_equal(dhcp_tick(c, 0, &tx), DHCP_EV_NONE);
	assert_int_equal(sent_type(&tx), DHCPDISCOVER);
	reply_full(&r, c->xid, DHCPOFFER, lease);
	assert_int_equal(dhcp_input(c, 0, r.b, r.len, &tx), DHCP_EV_NONE);
	assert_int_equal(sent_type(&tx), DHCPREQUEST);
	reply_full(&r, c->xid, DHCPACK, lease);
	assert_int_equal(dhcp_input(c, 0, r.b, r.len, &tx), DHCP_EV_BOUND);
	assert_int_equal(c->state, DHCP_BOUND);
}

static void test_exchange(void **state)
{
	struct dhcp_client c;
	struct dhcp_tx tx;
	struct reply r;
	uint8_t olen;
	const uint8_t *v;

	(void)state;
	dhcp_init(&c, mac, 1, 4 * S, 5 * S);
	assert_int_equal(dhcp_tick(&c, 5 * S, &tx), DHCP_EV_NONE);
	assert_true(tx.len >= 300 && tx.len <= DHCP_MSG_MAX);
	assert_int_equal(tx.buf[0], 1);
	assert_int_equal(net_get16(tx.buf + 10), 0x8000); /* the broadcast flag */
	assert_memory_equal(tx.buf + 28, mac, 6);
	assert_int_equal(tx.dst, IP4_BROADCAST);
	assert_int_equal(tx.src, 0);
	assert_int_equal(sent_type(&tx), DHCPDISCOVER);
	assert_non_null(sent_opt(tx.buf, tx.len, 55, &olen)); /* what we ask for */
	v = sent_opt(tx.buf, tx.len, 61, &olen);
	assert_true(v && olen == 7 && v[0] == 1 && memcmp(v + 1, mac, 6) == 0);

	reply_full(&r, c.xid, DHCPOFFER, 86400);
	assert_int_equal(dhcp_input(&c, 5 * S, r.b, r.len, &tx), DHCP_EV_NONE);
	assert_int_equal(c.state, DHCP_REQUESTING);
	assert_int_equal(sent_type(&tx), DHCPREQUEST);
	v = sent_opt(tx.buf, tx.len, 50, &olen);
	assert_true(v && olen == 4 && net_get32(v) == YOU);
	v = sent_opt(tx.buf, tx.len, 54, &olen);
	assert_true(v && olen == 4 && net_get32(v) == SERVER);
	assert_int_equal(net_get32(tx.buf + 12), 0); /* no ciaddr while selecting */

	reply_full(&r, c.xid, DHCPACK, 86400);
	assert_int_equal(dhcp_input(&c, 6 * S, r.b, r.len, &tx), DHCP_EV_BOUND);
	assert_int_equal(tx.len, 0);
	assert_int_equal(c.lease.addr, YOU);
	assert_int_equal(c.lease.netmask, 0xffffff00u);
	assert_int_equal(c.lease.router, SERVER);
	assert_int_equal(c.lease.server_id, SERVER);
	assert_int_equal(c.lease.ndns, 2);
	assert_int_equal(c.lease.dns[0], 0x0a000203u);
	assert_int_equal(c.lease.dns[1], 0x01010101u);
	assert_string_equal(c.lease.domain, "example.org");
	assert_int_equal(c.lease.lease_s, 86400);
	assert_int_equal(c.lease.t1_s, 43200);
	assert_int_equal(c.lease.t2_s, 75600);
	assert_int_equal(dhcp_next_event(&c), 6 * S + 43200 * S);
}

static void test_backoff(void **state)
{
	static const unsigned want_s[] = { 4, 8, 16, 32, 64, 64, 64 };
	struct dhcp_client c;
	struct dhcp_tx tx;
	uint64_t now = 0, next;

	(void)state;
	dhcp_init(&c, mac, 7, 4 * S, 0);
	dhcp_tick(&c, 0, &tx);
	assert_int_equal(sent_type(&tx), DHCPDISCOVER);
	for (unsigned i = 0; i < sizeof(want_s) / sizeof(want_s[0]); i++) {
		next = dhcp_next_event(&c);
		/* RFC 2131, 4.1: doubling from 4 s to 64 s, each within +-1 s. */
		assert_true(next - now >= (want_s[i] - 1) * S && next - now <= (want_s[i] + 1) * S);
		dhcp_tick(&c, next - 1, &tx);
		assert_int_equal(tx.len, 0); /* not before its time */
		dhcp_tick(&c, next, &tx);
		assert_int_equal(sent_type(&tx), DHCPDISCOVER);
		now = next;
	}
}

static void test_not_ours(void **state)
{
	struct dhcp_client c;
	struct dhcp_tx tx;
	struct reply r;

	(void)state;
	dhcp_init(&c, mac, 3, 4 * S, 0);
	dhcp_tick(&c, 0, &tx);
	reply_full(&r, c.xid + 1, DHCPOFFER, 600); /* another transaction */
	dhcp_input(&c, 0, r.b, r.len, &tx);
	assert_int_equal(c.state, DHCP_SELECTING);
	reply_full(&r, c.xid, DHCPOFFER, 600);
	r.b[28] ^= 1; /* another client */
	dhcp_input(&c, 0, r.b, r.len, &tx);
	assert_int_equal(c.state, DHCP_SELECTING);
	reply_full(&r, c.xid, DHCPACK, 600); /* an ACK while selecting */
	assert_int_equal(dhcp_input(&c, 0, r.b, r.len, &tx), DHCP_EV_NONE);
	assert_int_equal(c.state, DHCP_SELECTING);
	reply_start(&r, c.xid, DHCPOFFER, 0x7f000001u); /* loopback is nobody's to offer */
	reply_opt32(&r, 54, SERVER);
	reply_end(&r);
	dhcp_input(&c, 0, r.b, r.len, &tx);
	assert_int_equal(c.state, DHCP_SELECTING);
	reply_start(&r, c.xid, DHCPOFFER, YOU); /* no server identifier */
	reply_end(&r);
	dhcp_input(&c, 0, r.b, r.len, &tx);
	assert_int_equal(c.state, DHCP_SELECTING);
	assert_int_equal(tx.len, 0);
}

static void test_nak_and_request_limit(void **state)
{
	struct dhcp_client c;
	struct dhcp_tx tx;
	struct reply r;
	uint32_t xid;

	(void)state;
	dhcp_init(&c, mac, 9, 4 * S, 0);
	dhcp_tick(&c, 0, &tx);
	reply_full(&r, c.xid, DHCPOFFER, 600);
	dhcp_input(&c, 0, r.b, r.len, &tx);
	reply_start(&r, c.xid, DHCPNAK, 0);
	reply_opt32(&r, 54, SERVER);
	reply_end(&r);
	assert_int_equal(dhcp_input(&c, S, r.b, r.len, &tx), DHCP_EV_NONE);
	assert_int_equal(c.state, DHCP_INIT);
	assert_int_equal(dhcp_next_event(&c), 5 * S); /* a pause of the base delay */
	xid = c.xid;
	dhcp_tick(&c, 5 * S, &tx);
	assert_int_equal(sent_type(&tx), DHCPDISCOVER);
	assert_int_not_equal(c.xid, xid);

	/* An OFFER whose REQUESTs go unanswered: DHCP_REQUEST_TRIES, then DISCOVER again. */
	reply_full(&r, c.xid, DHCPOFFER, 600);
	dhcp_input(&c, 5 * S, r.b, r.len, &tx);
	for (unsigned i = 1; i < DHCP_REQUEST_TRIES; i++) {
		dhcp_tick(&c, dhcp_next_event(&c), &tx);
		assert_int_equal(sent_type(&tx), DHCPREQUEST);
	}
	dhcp_tick(&c, dhcp_next_event(&c), &tx);
	assert_int_equal(sent_type(&tx), DHCPDISCOVER);
	assert_int_equal(c.state, DHCP_SELECTING);
}

static void test_renew_rebind_expire(void **state)
{
	struct dhcp_client c;
	struct dhcp_tx tx;
	struct reply r;
	uint8_t olen;

	(void)state;
	bind_client(&c, 1000); /* T1 500 s, T2 875 s */
	assert_int_equal(dhcp_next_event(&c), 500 * S);
	dhcp_tick(&c, 500 * S, &tx);
	assert_int_equal(c.state, DHCP_RENEWING);
	assert_int_equal(sent_type(&tx), DHCPREQUEST);
	assert_int_equal(tx.dst, SERVER); /* unicast while renewing */
	assert_int_equal(tx.src, YOU);
	assert_int_equal(net_get32(tx.buf + 12), YOU);
	assert_null(sent_opt(tx.buf, tx.len, 50, &olen)); /* RFC 2131, table 5 */
	assert_null(sent_opt(tx.buf, tx.len, 54, &olen));
	/* Half the way to T2, at least 60 s. */
	assert_int_equal(dhcp_next_event(&c), 500 * S + 187 * S + S / 2);
	reply_full(&r, c.xid, DHCPACK, 1000);
	assert_int_equal(dhcp_input(&c, 600 * S, r.b, r.len, &tx), DHCP_EV_RENEWED);
	assert_int_equal(dhcp_next_event(&c), 1100 * S);

	/* No answers: RENEWING at 1100 s, REBINDING at T2 (1475 s), lost at 1600 s. */
	dhcp_tick(&c, 1100 * S, &tx);
	while (c.state == DHCP_RENEWING)
		dhcp_tick(&c, dhcp_next_event(&c), &tx);
	assert_int_equal(c.state, DHCP_REBINDING);
	assert_int_equal(tx.dst, IP4_BROADCAST);
	assert_true(dhcp_next_event(&c) <= 1600 * S);
	while (c.state == DHCP_REBINDING)
		if (dhcp_tick(&c, dhcp_next_event(&c), &tx) == DHCP_EV_LOST)
			break;
	assert_int_equal(c.state, DHCP_INIT);
	assert_int_equal(c.lease.addr, 0);
}

static void test_nak_while_renewing(void **state)
{
	struct dhcp_client c;
	struct dhcp_tx tx;
	struct reply r;

	(void)state;
	bind_client(&c, 1000);
	dhcp_tick(&c, 500 * S, &tx);
	reply_start(&r, c.xid, DHCPNAK, 0);
	reply_end(&r);
	assert_int_equal(dhcp_input(&c, 501 * S, r.b, r.len, &tx), DHCP_EV_LOST);
	assert_int_equal(c.state, DHCP_INIT);
}

static void test_infinite_lease(void **state)
{
	struct dhcp_client c;

	(void)state;
	bind_client(&c, 0xffffffffu);
	assert_int_equal(dhcp_next_event(&c), UINT64_MAX);
}

static void test_parser_bounds(void **state)
{
	struct dhcp_client c;
	struct dhcp_msg m;
	struct reply r;

	(void)state;
	dhcp_init(&c, mac, 1, 4 * S, 0);
	reply_full(&r, 1, DHCPOFFER, 600);
	assert_int_equal(dhcp_parse(r.b, r.len, &m), 0);
	assert_int_equal(dhcp_parse(r.b, 239, &m), -EINVAL);
	r.b[237] = 0;
	assert_int_equal(dhcp_parse(r.b, r.len, &m), -EINVAL);

	reply_start(&r, 1, DHCPOFFER, YOU);
	r.b[r.len++] = 6;
	r.b[r.len++] = 200; /* runs past the end */
	assert_int_equal(dhcp_parse(r.b, r.len, &m), -EINVAL);

	reply_start(&r, 1, DHCPOFFER, YOU);
	reply_opt(&r, 54, "\x0a\x00\x02", 3); /* a wrong length: ignored */
	reply_opt(&r, 12, "bad\nname", 8);    /* unsafe in resolv.conf: dropped */
	reply_opt(&r, 15, "lan\0", 4);        /* a counted NUL is tolerated */
	reply_opt(&r, 6, "\1\1\1\1\2\2\2\2\3\3\3\3\4\4\4\4", 16);
	/* no END: tolerated */
	assert_int_equal(dhcp_parse(r.b, r.len, &m), 0);
	assert_int_equal(m.type, DHCPOFFER);
	assert_int_equal(m.server_id, 0);
	assert_string_equal(m.hostname, "");
	assert_string_equal(m.domain, "lan");
	assert_int_equal(m.ndns, DHCP_MAX_DNS);
	assert_int_equal(m.dns[2], 0x03030303u);
}

static void test_overload(void **state)
{
	struct dhcp_msg m;
	struct reply r;

	(void)state;
	reply_start(&r, 1, DHCPACK, YOU);
	reply_opt(&r, 52, "\1", 1); /* more options in the file field */
	reply_end(&r);
	/* The file field (offset 108): server id and an END. */
	r.b[108] = 54;
	r.b[109] = 4;
	net_put32(r.b + 110, SERVER);
	r.b[114] = 255;
	assert_int_equal(dhcp_parse(r.b, r.len, &m), 0);
	assert_int_equal(m.server_id, SERVER);
	r.b[109] = 140; /* past the field's end */
	assert_int_equal(dhcp_parse(r.b, r.len, &m), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exchange),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_not_ours),
		cmocka_unit_test(test_nak_and_request_limit),
		cmocka_unit_test(test_renew_rebind_expire),
		cmocka_unit_test(test_nak_while_renewing),
		cmocka_unit_test(test_infinite_lease),
		cmocka_unit_test(test_parser_bounds),
		cmocka_unit_test(test_overload),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
