/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for lib/net/dhcp.c: each input is parsed from an
 * exact-size heap copy (ASan sees any read past it), and fed to a client
 * in SELECTING and, rewritten to carry the client's transaction id and
 * hardware address, in REQUESTING and RENEWING, so the option parser and
 * every state's checks see it. Whatever the input, the client stays in a
 * valid state, a lease it takes has a unicast address, names are safe to
 * write into /etc/resolv.conf, and what it sends fits its buffer.
 */
#include <lib/net/dhcp.h>
#include <lib/net/wire.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static void check_name(const char *n)
{
	size_t len = strnlen(n, DHCP_NAME_MAX);

	if (len == DHCP_NAME_MAX)
		abort();
	for (size_t i = 0; i < len; i++)
		if (n[i] <= ' ' || n[i] > '~')
			abort();
}

static void check_client(const struct dhcp_client *c, const struct dhcp_tx *tx)
{
	if (c->state > DHCP_REBINDING || tx->len > DHCP_MSG_MAX)
		abort();
	if (c->state >= DHCP_BOUND) {
		uint32_t a = c->lease.addr;

		if (!a || (a >> 24) == 127 || (a >> 28) >= 0xe || c->lease.ndns > DHCP_MAX_DNS)
			abort();
		check_name(c->lease.hostname);
		check_name(c->lease.domain);
	}
}

/* Feed @msg to @c and check what came of it. */
static void feed(struct dhcp_client *c, uint64_t now, const uint8_t *msg, size_t len)
{
	struct dhcp_tx tx;

	dhcp_input(c, now, msg, len, &tx);
	check_client(c, &tx);
	dhcp_tick(c, dhcp_next_event(c), &tx);
	check_client(c, &tx);
}

/* A copy of @data made to match @c's transaction, so the state's checks are reached. */
static uint8_t *ours(const struct dhcp_client *c, const uint8_t *data, size_t size)
{
	uint8_t *m = malloc(size ? size : 1);

	memcpy(m, data, size);
	if (size >= DHCP_MIN_LEN) {
		m[0] = 2;
		m[1] = 1;
		m[2] = 6;
		net_put32(m + 4, c->xid);
		memcpy(m + 28, mac, 6);
		m[236] = 99;
		m[237] = 130;
		m[238] = 83;
		m[239] = 99;
	}
	return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dhcp_client c;
	struct dhcp_msg m;
	struct dhcp_tx tx;
	uint8_t *copy = malloc(size ? size : 1), *mine;

	memcpy(copy, data, size);
	if (dhcp_parse(copy, size, &m) == 0) {
		check_name(m.hostname);
		check_name(m.domain);
		if (m.ndns > DHCP_MAX_DNS)
			abort();
	}
	free(copy);

	dhcp_init(&c, mac, 1, 4000000000ull, 0);
	dhcp_tick(&c, 0, &tx);
	mine = ours(&c, data, size);
	feed(&c, 1, mine, size); /* SELECTING: maybe an OFFER */
	free(mine);
	mine = ours(&c, data, size);
	feed(&c, 2, mine, size); /* REQUESTING: maybe an ACK or a NAK */
	if (c.state == DHCP_BOUND) {
		dhcp_tick(&c, dhcp_next_event(&c), &tx); /* RENEWING */
		free(mine);
		mine = ours(&c, data, size);
		feed(&c, dhcp_next_event(&c), mine, size);
	}
	free(mine);
	return 0;
}
