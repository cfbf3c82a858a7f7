// SPDX-License-Identifier: MIT
/*
 * Channel call round trip (issue 15): a client calls a server over one
 * Cairn channel with cairn_channel_call() (write, then wait for the reply
 * with the call's txid), and the server answers each call and waits for
 * the next in one cairn_channel_call() with CAIRN_CALL_REPLY_WAIT. N = 0
 * bytes, 64 bytes and 4 KiB each way; and 0 bytes carrying one handle each
 * way (an end of a second channel, moved to the server and back). The
 * figures are printed only on Cairn (Linux has no channels: one line says
 * so); placements: user/lib/pingpong.h.
 */
#include <string.h>

#include "cairn.h"
#include "pingpong.h"

#define BIG 4096

struct ch {
	int32_t h[2];     /* [0] the client's end, [1] the server's */
	int32_t spare[2]; /* a second channel: [0] travels, [1] stays with the client */
	uint32_t n;       /* bytes each way */
	int handle;       /* carry one handle each way */
	char cbuf[BIG], sbuf[BIG];
};

static int ch_open(void *ctx)
{
	struct ch *c = ctx;

	c->spare[0] = c->spare[1] = -1;
	if (cairn_channel_create(c->h, 0))
		return -1;
	if (c->handle && cairn_channel_create(c->spare, 0))
		return -1;
	return 0;
}

static void ch_keep(void *ctx, int server)
{
	struct ch *c = ctx;

	close(c->h[server ? 0 : 1]);
	if (server && c->handle) {
		close(c->spare[0]);
		close(c->spare[1]);
	}
}

static long ch_client(void *ctx, long iters)
{
	struct ch *c = ctx;
	struct cairn_handle_xfer out, in;
	struct cairn_call call;
	long i;

	for (i = 0; i < iters; i++) {
		memset(&call, 0, sizeof(call));
		call.wr.bytes = (uintptr_t)c->cbuf;
		call.wr.nbytes = c->n;
		call.rd.bytes = (uintptr_t)c->cbuf;
		call.rd.nbytes = BIG;
		if (c->handle) {
			out = (struct cairn_handle_xfer){ c->spare[0], CAIRN_OBJ_CHANNEL,
				                          CAIRN_RIGHT_SAME_RIGHTS, 0 };
			call.wr.handles = (uintptr_t)&out;
			call.wr.nhandles = 1;
			call.rd.handles = (uintptr_t)&in;
			call.rd.nhandles = 1;
		}
		if (cairn_channel_call(c->h[0], &call, CAIRN_DEADLINE_NEVER) ||
		    call.rd.nbytes != c->n || call.rd.nhandles != (uint32_t)c->handle)
			break;
		if (c->handle)
			c->spare[0] = in.handle;
	}
	return i;
}

/* Answer each call with as many bytes as it brought and the handle it carried. */
static void ch_serve(void *ctx)
{
	struct ch *c = ctx;
	struct cairn_handle_xfer x = { -1, 0, 0, 0 };
	struct cairn_call call;

	memset(&call, 0, sizeof(call));
	call.flags = CAIRN_CALL_REPLY_WAIT;
	for (;;) {
		call.rd = (struct cairn_msg){ .bytes = (uintptr_t)c->sbuf, .nbytes = BIG };
		if (c->handle) {
			call.rd.handles = (uintptr_t)&x;
			call.rd.nhandles = 1;
		}
		if (cairn_channel_call(c->h[1], &call, CAIRN_DEADLINE_NEVER))
			return;
		call.wr = (struct cairn_msg){ .bytes = (uintptr_t)c->sbuf,
			                      .nbytes = call.rd.nbytes,
			                      .txid = call.rd.txid };
		if (call.rd.nhandles) {
			x.type = 0;
			x.rights = CAIRN_RIGHT_SAME_RIGHTS;
			call.wr.handles = (uintptr_t)&x;
			call.wr.nhandles = 1;
		}
	}
}

static void ch_close(void *ctx, int server)
{
	struct ch *c = ctx;

	/* The client's side owns the spare channel's ends (the threads share them). */
	close(c->h[server ? 1 : 0]);
	if (server || !c->handle)
		return;
	close(c->spare[0]);
	close(c->spare[1]);
}

static const struct pp_transport ch_ops = { ch_open, ch_keep, ch_client, ch_serve, ch_close };

/* ---- the parts of a call, in one thread: no wake-up, no switch ---- */

static long part_null(void *ctx, long iters)
{
	long i;

	for (i = 0; i < iters; i++)
		if (cairn_abi_version() < 0)
			break;
	return i;
}

static long part_info(void *ctx, long iters)
{
	struct ch *c = ctx;
	struct cairn_handle_info info;
	long i;

	for (i = 0; i < iters; i++)
		if (cairn_handle_info(c->h[0], &info))
			break;
	return i;
}

/* Write at one end, read at the other: a message's path without the wake-up. */
static long part_write_read(void *ctx, long iters)
{
	struct ch *c = ctx;
	struct cairn_handle_xfer out, in;
	struct cairn_msg w, r;
	long i;

	for (i = 0; i < iters; i++) {
		w = (struct cairn_msg){ .bytes = (uintptr_t)c->cbuf, .nbytes = c->n };
		r = (struct cairn_msg){ .bytes = (uintptr_t)c->sbuf, .nbytes = BIG };
		if (c->handle) {
			out = (struct cairn_handle_xfer){ c->spare[0], 0, CAIRN_RIGHT_SAME_RIGHTS,
				                          0 };
			w.handles = (uintptr_t)&out;
			w.nhandles = 1;
			r.handles = (uintptr_t)&in;
			r.nhandles = 1;
		}
		if (cairn_channel_write(c->h[0], &w, 0) || cairn_channel_read(c->h[1], &r, 0) ||
		    r.nbytes != c->n)
			break;
		if (c->handle)
			c->spare[0] = in.handle;
	}
	return i;
}

/*
 * What a round trip is made of, measured apart in one thread: a Cairn
 * call that does nothing, one that looks a handle up, and a message
 * written at one end and read at the other (two calls, no wake-up).
 */
static void parts(struct ch *c)
{
	static const struct {
		const char *name;
		uint32_t n;
		int handle;
	} wr[] = {
		{ "chanpart-write+read-0B", 0, 0 },
		{ "chanpart-write+read-4KiB", BIG, 0 },
		{ "chanpart-write+read-1h", 0, 1 },
	};
	unsigned i;

	if (pp_pin(0) || ch_open(c))
		return;
	bench_run("chanpart-null-call-proc-same", part_null, c, 20000);
	bench_run("chanpart-handle-info-proc-same", part_info, c, 20000);
	for (i = 0; i < sizeof(wr) / sizeof(wr[0]); i++) {
		char name[64];

		c->n = wr[i].n;
		c->handle = wr[i].handle;
		if (c->handle && c->spare[0] < 0 && cairn_channel_create(c->spare, 0))
			return;
		snprintf(name, sizeof(name), "%s-proc-same", wr[i].name);
		bench_run(name, part_write_read, c, 5000);
	}
	ch_close(c, 0);
	close(c->h[1]);
}

int main(void)
{
	static struct ch c;
	static const struct {
		const char *name;
		uint32_t n;
		int handle;
	} figs[] = {
		{ "chan-0B", 0, 0 },
		{ "chan-64B", 64, 0 },
		{ "chan-4KiB", BIG, 0 },
		{ "chan-1h", 0, 1 },
	};
	unsigned i;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (!cairn_present()) {
		printf("chan_rt: no Cairn channels on this kernel: no figures\n");
		return 0;
	}
	for (i = 0; i < sizeof(figs) / sizeof(figs[0]); i++) {
		c.n = figs[i].n;
		c.handle = figs[i].handle;
		pp_figure(figs[i].name, &ch_ops, &c);
	}
	parts(&c);
	return 0;
}
