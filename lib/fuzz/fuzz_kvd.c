/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer over kvd's request handling (user/ipc/kvd_proto.c, docs/ipc.md):
 * each input is one message from a client -- its first byte says how many
 * handles came with it (0..3), then a (type, rights) pair of bytes for each
 * as the kernel would report them, then the bytes -- handled by the real
 * kvd_proto_handle() with the code generated from idl/kv.cidl, on a store
 * that lives across inputs. The handles are not real (-1: closing them
 * does nothing), and the memory-object calls answer -ENOSYS on the host,
 * so put_blob and get_blob take their failure paths. Besides no crash, it
 * checks what kvd.c relies on: a reply or a refusal always leaves a well-
 * formed reply for the request's txid in d->out, a deferred call leaves a
 * waiter, and a put answers its key's waiters.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cidl/kv.h"
#include "user/ipc/kvd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct kvd d;
static unsigned deferred_sent;

/* kvd.c's, here without a channel: the deferred reply must be well formed. */
int kvd_send_deferred(struct kvd *k, const struct kvd_waiter *w)
{
	struct cidl_header h;

	if (cidl_peek(k->late.bytes, k->late.nbytes, &h) || h.ordinal != KV_WAIT_ORDINAL ||
	    k->late.txid != w->txid)
		abort();
	deferred_sent++;
	return 0;
}

void kvd_msg_close_handles(struct kvd_msg *m)
{
	m->nhandles = 0;
}

static void init_once(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	for (int i = 0; i < KVD_MAX_CLIENTS; i++)
		d.clients[i] = -1;
	for (int w = 0; w < KVD_MAX_WAITERS; w++)
		d.waiters[w].client = -1;
}

/* The input as d->in; 0, or -1 when it is too short for its own handle list. */
static int take(const uint8_t *data, size_t size)
{
	unsigned nh;

	if (size < 1)
		return -1;
	nh = data[0] % 4;
	if (size < 1 + 2 * nh || size - 1 - 2 * nh > sizeof(d.in.bytes))
		return -1;
	for (unsigned i = 0; i < nh; i++)
		d.in.handles[i] = (struct cairn_handle_xfer){ .handle = -1,
			                                      .type = data[1 + 2 * i] % 9,
			                                      .rights = data[2 + 2 * i] };
	d.in.nhandles = nh;
	d.in.nbytes = (uint32_t)(size - 1 - 2 * nh);
	memcpy(d.in.bytes, data + 1 + 2 * nh, d.in.nbytes);
	d.in.txid = CAIRN_TXID_CALL | (uint32_t)size;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cidl_header h;
	enum kvd_verdict v;
	int client = (int)(size % KVD_MAX_CLIENTS);

	init_once();
	if (take(data, size))
		return 0;
	d.clients[client] = 100 + client;
	v = kvd_proto_handle(&d, client);
	if (v == KVD_DEFER) {
		/* A waiter holds this call's txid (or the table was full: then not deferred). */
		int found = 0;

		for (int w = 0; w < KVD_MAX_WAITERS; w++)
			found |= d.waiters[w].client == client && d.waiters[w].txid == d.in.txid;
		if (!found)
			abort();
	} else if (d.out.txid != d.in.txid || cidl_peek(d.out.bytes, d.out.nbytes, &h) ||
	           !(h.flags & CIDL_FLAG_REPLY) ||
	           (v == KVD_BAD) != !!(h.flags & CIDL_FLAG_ERROR)) {
		abort();
	}
	/* Forget waiters now and then, as kvd does when a client hangs up. */
	if (data[0] & 0x80)
		for (int w = 0; w < KVD_MAX_WAITERS; w++)
			if (d.waiters[w].client == client)
				d.waiters[w].client = -1;
	return 0;
}
