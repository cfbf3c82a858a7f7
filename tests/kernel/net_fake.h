/* SPDX-License-Identifier: MIT */
/*
 * A fake Ethernet interface for the network's kernel tests: frames the
 * stack transmits on it are captured in a queue the test reads; frames
 * the test builds are injected with netif_rx() as a driver would. It has
 * 192.0.2.1/24 (RFC 5737's TEST-NET-1) and MAC 02:00:00:00:00:01; the
 * "peer" the tests play is 192.0.2.2 at 02:00:00:00:00:02.
 */
#pragma once

#include <lib/net/wire.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct netif;
struct pkt;

#define FAKE_ADDR 0xc0000201u /* 192.0.2.1 */
#define PEER_ADDR 0xc0000202u /* 192.0.2.2 */
#define FAKE_MASK 0xffffff00u

extern const uint8_t fake_mac[ETH_ALEN], peer_mac[ETH_ALEN];

/* Register, address and bring up the fake interface; NULL on failure. */
struct netif *fake_up(void);
/* Take it down, its address and routes away, and unregister it; frees captured frames. */
void fake_down(struct netif *nif);
/* The oldest captured frame (the caller frees it); NULL when none. */
struct pkt *fake_pop(void);
/* How many frames are captured now. */
unsigned fake_captured(void);
/* Free every captured frame. */
void fake_clear(void);
/* Inject the @len bytes at @frame as received on @nif, then wait for the stack to process it. */
void fake_inject(struct netif *nif, const void *frame, size_t len);

/*
 * Build an Ethernet frame from the peer (or @src_mac when not NULL) to
 * @dst_mac (NULL: the fake's MAC) holding an IPv4 datagram: a 20-byte
 * header with the given fields and checksum, then @payload. Returns its
 * length in @out (room for ETH_HLEN + 20 + @len bytes).
 */
struct fake_ip {
	uint32_t src, dst;
	uint8_t proto, ttl;
	uint16_t id, frag_off;
	const uint8_t *src_mac, *dst_mac;
};
size_t fake_build_ip(uint8_t *out, const struct fake_ip *h, const void *payload, size_t len);
/* Teach the stack the peer's MAC: an ARP request from the peer for the fake's address. */
void fake_teach_peer(struct netif *nif);
