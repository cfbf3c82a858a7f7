// SPDX-License-Identifier: MIT
/*
 * kvd, the key-value server of docs/ipc.md: kvd.c owns the clients'
 * channels (accepting them, polling them, the one REPLY_WAIT call per
 * request); kvd_proto.c decodes each request with the code generated from
 * idl/kv.cidl, acts on the store and encodes the reply. One thread serves
 * everyone, so nothing here is locked.
 */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cairn.h"
#include "kv_store.h"

#define KVD_MAX_CLIENTS 62  /* channels served at once (+ the socket: 63 pollfds) */
#define KVD_MAX_WAITERS 128 /* `kv wait` calls held at once */

/* A `kv wait` call whose reply waits for its key to be put. */
struct kvd_waiter {
	int client;    /* index in kvd.clients, -1 when the slot is free */
	uint32_t txid; /* the call's txid: the reply must carry it */
	size_t klen;   /* bytes in @key */
	char key[KVS_MAX_KEY];
};

/* One message: bytes and handles, the buffers a read fills or a write sends. */
struct kvd_msg {
	uint8_t bytes[CAIRN_MSG_MAX_BYTES];
	struct cairn_handle_xfer handles[CAIRN_MSG_MAX_HANDLES];
	uint32_t nbytes;   /* bytes used */
	uint32_t nhandles; /* handles used */
	uint32_t txid;     /* the call's txid (a request) or the one to answer (a reply) */
};

struct kvd {
	int lfd;                      /* the listening socket (kv_boot.h) */
	int clients[KVD_MAX_CLIENTS]; /* channel ends, -1 when free */
	struct kvd_waiter waiters[KVD_MAX_WAITERS];
	struct kv_store store;
	struct kvd_msg in, out; /* the request read, the reply to send */
	struct kvd_msg late;    /* a deferred reply (kvd_proto_wake) */
	bool verbose;           /* -v: log each client and each refused request */
	sigset_t waitmask;      /* the signal mask inside ppoll: SIGTERM let in */
};

/* What kvd_proto_handle() decided about a request. */
enum kvd_verdict {
	KVD_REPLY, /* d->out holds the reply */
	KVD_DEFER, /* no reply yet: a waiter holds the txid */
	KVD_BAD,   /* malformed: close the client's channel */
};

/*
 * Decode d->in (from client @client), act on the store and fill d->out.
 * Every handle d->in carried is closed or kept by the time it returns.
 */
enum kvd_verdict kvd_proto_handle(struct kvd *d, int client);

/* Answer every waiter of @key (after a put), best effort. */
void kvd_proto_wake(struct kvd *d, const char *key, size_t klen);

/* Send d->late to the waiter @w's client (a deferred reply). Returns 0 or -errno. */
int kvd_send_deferred(struct kvd *d, const struct kvd_waiter *w);

/* Close the handles of d->in (a request refused, or handled without keeping them). */
void kvd_msg_close_handles(struct kvd_msg *m);
