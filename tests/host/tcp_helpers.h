/* SPDX-License-Identifier: MIT */
/*
 * A harness for the TCP state machine's host tests: one tcb with its rings,
 * a fake clock, every segment it sends captured (payload copied) in a
 * queue, the events it raised, and helpers to feed scripted segments.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/net/tcp.h"

#define TH_MAXOUT 4096u

struct th_cap {
	struct tcp_seg seg; /* seg.payload points at data, seg.len its length */
	uint8_t *data;
};

struct th {
	struct tcb t;
	struct tcp_config cfg;
	uint8_t *sndbuf, *rcvbuf;
	uint64_t now; /* the fake clock, ns */
	struct th_cap out[TH_MAXOUT];
	unsigned out_head, out_tail; /* queue of captured segments */
	unsigned events;             /* TCP_EV_* raised since the last th_events() */
	unsigned nevents_closed;     /* times TCP_EV_CLOSED came */
	bool fail_output;            /* output() returns -ENOMEM and captures nothing */
};

/* Our side: 10.0.0.1:1000; the scripted peer: 10.0.0.2:2000. */
#define TH_LPORT 1000u
#define TH_RPORT 2000u

/* A tcb with @sndsz/@rcvsz rings and the default configuration (mss 1460) with @mod applied. */
void th_init(struct th *h, uint32_t sndsz, uint32_t rcvsz);
void th_free(struct th *h);

/* The next captured segment (freed at th_free or when overwritten), NULL if none. */
struct th_cap *th_pop(struct th *h);
unsigned th_pending(const struct th *h);
/* Drop every captured segment. */
void th_drain(struct th *h);
unsigned th_events(struct th *h);

/* A segment from the peer (no options). */
struct tcp_seg th_seg(uint8_t flags, uint32_t seq, uint32_t ack, uint16_t wnd);
void th_in(struct th *h, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t wnd, const void *data,
           size_t len);
void th_input(struct th *h, const struct tcp_seg *s);

/* Advance the clock to @t (absolute) and run the timers that are due. */
void th_run_until(struct th *h, uint64_t t);
/* Advance the clock to the next deadline and run it; false if none. */
bool th_fire_next(struct th *h);

/* Active open with @iss against a peer whose ISN is @irs, window @wnd, MSS 1460 and no other option. */
void th_open_active(struct th *h, uint32_t iss, uint32_t irs, uint16_t wnd);
/* Passive open: the same, the peer's SYN first. */
void th_open_passive(struct th *h, uint32_t iss, uint32_t irs, uint16_t wnd);

/* Queue @len bytes for sending (all must fit); returns tcp_send_commit's result. */
int th_send(struct th *h, const void *data, size_t len);
/* Read and consume up to @max bytes; returns how many. */
size_t th_recv(struct th *h, void *buf, size_t max);

/* A deterministic pattern byte for position @i of a stream with seed @seed. */
uint8_t th_pattern(uint32_t seed, uint64_t i);
