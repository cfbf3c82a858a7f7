// SPDX-License-Identifier: MIT
/*
 * The generated stubs of idl/test_all.cidl over real channels
 * (docs/cidl.md, "Stubs"): a client's calls to a server thread running
 * test_all_serve(), every kind of field through the kernel and back,
 * handles moved with the rights the protocol requires (a memory object
 * without MAP is refused by the server's decoder, and closed), error
 * replies for a missing handler and a malformed request, handles in
 * replies (one the kernel refuses: the client gets -EACCES), events, and the
 * loop ending when the client closes. Kernel objects are counted before
 * and after: nothing is left. Every point is skipped on Linux.
 */
#include <pthread.h>
#include <stdlib.h>

#include "chantest.h"
#include "cidl/test_all.h"

#define S(lit) ((struct cidl_bytes){ (const uint8_t *)(lit), sizeof(lit) - 1 })

struct server {
	int32_t ch;
	pthread_t thread;
	int result;      /* what test_all_serve returned */
	unsigned ticks;  /* tick events seen */
	uint64_t seq;    /* the last tick's seq */
	unsigned shares; /* share requests handled */
	struct cidl_serve_buf *buf;
};

/* kitchen: answer ok and the first shape's name, so the request's strings are checked. */
static int on_kitchen(void *ctx, const struct test_all_kitchen_req *req,
                      struct test_all_kitchen_rep *rep)
{
	rep->ok = req->nums.yes && req->shapes.count == 2 && req->grid[1][2] == -32768 &&
	          req->moves.count == 3 && req->kind == TEST_ALL_BIG_HUGE && req->has_origin &&
	          !req->has_count && req->words.count == 2;
	rep->has_note = req->shapes.count > 0;
	if (rep->has_note)
		rep->note = req->shapes.items[0].name; /* a view into the request: still valid */
	return 0;
}

/* share: the memory object's size; every handle that came is the handler's to close. */
static int on_share(void *ctx, const struct test_all_share_req *req, struct test_all_share_rep *rep)
{
	struct server *s = ctx;
	long err = cairn_vmo_get_size(req->memory, &rep->size);

	s->shares++;
	close(req->memory);
	if (req->peer != CIDL_HANDLE_NONE)
		close(req->peer);
	close(req->anything);
	for (uint32_t i = 0; i < req->more.count; i++)
		close(req->more.items[i]);
	return (int)err;
}

/*
 * lend: a new memory object of req->pages pages, moved to the client. For
 * 99 pages the handle lacks TRANSFER, so the kernel refuses the reply.
 */
static int on_lend(void *ctx, const struct test_all_lend_req *req, struct test_all_lend_rep *rep)
{
	long vmo, weak;

	if (!req->pages)
		return -EINVAL;
	vmo = cairn_vmo_create((uint64_t)req->pages * 4096, 0);
	if (vmo < 0 || req->pages != 99) {
		rep->memory = (int32_t)vmo;
		return vmo < 0 ? (int)vmo : 0;
	}
	weak = cairn_handle_dup((int)vmo, CAIRN_RIGHTS_ALL & ~CAIRN_RIGHT_TRANSFER, 0);
	close((int)vmo);
	rep->memory = (int32_t)weak;
	return weak < 0 ? (int)weak : 0;
}

static void on_tick(void *ctx, const struct test_all_tick_evt *evt)
{
	struct server *s = ctx;

	s->ticks++;
	s->seq = evt->seq;
}

static const struct test_all_server handlers = {
	.kitchen = on_kitchen,
	.share = on_share,
	.ping = NULL, /* answered -EOPNOTSUPP */
	.lend = on_lend,
	.tick = on_tick,
};

static void *serve(void *arg)
{
	struct server *s = arg;

	s->result = test_all_serve(s->ch, &handlers, s, s->buf);
	close(s->ch);
	return NULL;
}

static uint8_t cbuf[TEST_ALL_MAX_BYTES];
static struct cairn_handle_xfer chx[TEST_ALL_MAX_HANDLES];

/* A server thread on one end of a new channel and a client on the other. */
static bool start(struct server *s, struct cidl_client *c)
{
	int32_t h[2];

	memset(s, 0, sizeof(*s));
	s->buf = malloc(sizeof(*s->buf));
	if (!s->buf || cairn_channel_create(h, 0))
		return false;
	s->ch = h[1];
	*c = (struct cidl_client){ .handle = h[0],
		                   .deadline = CAIRN_DEADLINE_NEVER,
		                   .buf = cbuf,
		                   .cap = sizeof(cbuf),
		                   .hx = chx,
		                   .hcap = TEST_ALL_MAX_HANDLES };
	return pthread_create(&s->thread, NULL, serve, s) == 0;
}

/* Close the client's end; the server's loop ends with 0. */
static bool stop(struct server *s, struct cidl_client *c)
{
	close(c->handle);
	pthread_join(s->thread, NULL);
	free(s->buf);
	return s->result == 0;
}

static bool t_kitchen(void)
{
	struct test_all_kitchen_req req;
	struct test_all_kitchen_rep rep;
	struct cidl_client c;
	struct server s;

	memset(&req, 0, sizeof(req));
	req.nums.yes = true;
	req.shapes.count = 2;
	req.shapes.items[0].name = S("tri\xc3\xa9");
	req.shapes.items[0].fill = TEST_ALL_COLOR_BLUE;
	req.shapes.items[1].name = S("sq");
	req.grid[1][2] = -32768;
	req.moves.count = 3;
	req.kind = TEST_ALL_BIG_HUGE;
	req.has_origin = true;
	req.words.count = 2;
	CT_CHECK(start(&s, &c));
	CT_EQ(test_all_kitchen(&c, &req, &rep), 0);
	CT_CHECK(rep.ok && rep.has_note && rep.note.len == 5 &&
	         !memcmp(rep.note.data, "tri\xc3\xa9", 5));
	/* The client's encoder refuses what no decoder would take; nothing is sent. */
	req.shapes.items[1].fill = 3;
	CT_EQ(test_all_kitchen(&c, &req, &rep), -EINVAL);
	CT_CHECK(stop(&s, &c));
	return true;
}

static bool t_no_handler(void)
{
	struct test_all_ping_req req = { 0 };
	struct test_all_ping_rep rep;
	struct cidl_client c;
	struct server s;

	CT_CHECK(start(&s, &c));
	CT_EQ(test_all_ping(&c, &req, &rep), -EOPNOTSUPP);
	CT_CHECK(stop(&s, &c));
	return true;
}

/* A call whose bytes are not a request: the server answers its decoder's error. */
static bool t_malformed(void)
{
	struct test_all_ping_rep rep;
	struct cidl_client c;
	struct cidl_reader r;
	struct server s;
	struct cairn_call call;
	uint8_t junk[20] = { 'C', 'I', 1, 0, 1, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 9, 9, 9, 9 };
	uint8_t in[64];

	CT_CHECK(start(&s, &c));
	memset(&call, 0, sizeof(call));
	call.wr.bytes = (uint64_t)(uintptr_t)junk;
	call.wr.nbytes = sizeof(junk); /* a kitchen request cut short */
	call.rd.bytes = (uint64_t)(uintptr_t)in;
	call.rd.nbytes = sizeof(in);
	CT_EQ(cairn_channel_call(c.handle, &call, CAIRN_DEADLINE_NEVER), 0);
	cidl_reader_init(&r, in, call.rd.nbytes, NULL, 0);
	CT_EQ(test_all_ping_rep_decode(&r, &rep), -EBADMSG); /* another ordinal's reply */
	CT_EQ(in[3], CIDL_FLAG_REPLY | CIDL_FLAG_ERROR);
	CT_EQ((int32_t)(in[16] | in[17] << 8 | in[18] << 16 | (uint32_t)in[19] << 24), -ENODATA);
	CT_CHECK(stop(&s, &c));
	return true;
}

static bool share(struct cidl_client *c, uint32_t rights, uint64_t *size)
{
	struct test_all_share_req req = { .peer = CIDL_HANDLE_NONE };
	struct test_all_share_rep rep;
	int32_t h[2];
	long vmo = cairn_vmo_create(3 * 4096, 0), err;

	if (vmo < 0 || cairn_channel_create(h, 0))
		return false;
	req.memory = (int32_t)cairn_handle_dup((int)vmo, rights, 0);
	close((int)vmo);
	req.peer = h[0];
	req.anything = h[1];
	req.more.count = 1;
	req.more.items[0] =
		(int32_t)cairn_handle_dup(req.memory, CAIRN_RIGHT_READ | CAIRN_RIGHT_TRANSFER, 0);
	err = test_all_share(c, &req, &rep);
	*size = rep.size;
	/* Moved to the server, whatever it answered. */
	if (ct_open(req.memory) || ct_open(h[0]) || ct_open(h[1]) || ct_open(req.more.items[0]))
		return false;
	return err == 0;
}

static bool t_handles(void)
{
	const uint32_t ok = CAIRN_RIGHT_READ | CAIRN_RIGHT_MAP | CAIRN_RIGHT_TRANSFER |
	                    CAIRN_RIGHT_DUPLICATE | CAIRN_RIGHT_INSPECT;
	struct cairn_objcount before, after;
	struct cidl_client c;
	struct server s;
	uint64_t size = 0;

	CT_CHECK(ct_counts(&before));
	CT_CHECK(start(&s, &c));
	CT_CHECK(share(&c, ok, &size));
	CT_EQ(size, 3 * 4096);
	CT_EQ(s.shares, 1);
	/* Without MAP the server's decoder refuses the request (and closes what came). */
	CT_CHECK(!share(&c, ok & ~CAIRN_RIGHT_MAP, &size));
	CT_EQ(s.shares, 1);
	CT_CHECK(stop(&s, &c));
	CT_CHECK(ct_counts(&after));
	if (!ct_counts_equal(&before, &after)) {
		ct_counts_show("before", &before);
		ct_counts_show("after", &after);
		return false;
	}
	return true;
}

/* Handles in replies: one received, one the kernel refuses, a handler's error. */
static bool t_reply_handles(void)
{
	struct test_all_lend_req req = { .pages = 2 };
	struct test_all_lend_rep rep;
	struct cairn_objcount before, after;
	struct cidl_client c;
	struct server s;
	uint64_t size = 0;

	CT_CHECK(ct_counts(&before));
	CT_CHECK(start(&s, &c));
	CT_EQ(test_all_lend(&c, &req, &rep), 0);
	CT_EQ(ct_type(rep.memory), CAIRN_OBJ_VMO);
	CT_EQ(cairn_vmo_get_size(rep.memory, &size), 0);
	CT_EQ(size, 2 * 4096);
	close(rep.memory);
	req.pages = 99;
	CT_EQ(test_all_lend(&c, &req, &rep), -EACCES);
	req.pages = 0;
	CT_EQ(test_all_lend(&c, &req, &rep), -EINVAL);
	req.pages = 1; /* the server goes on after each */
	CT_EQ(test_all_lend(&c, &req, &rep), 0);
	close(rep.memory);
	CT_CHECK(stop(&s, &c));
	CT_CHECK(ct_counts(&after));
	if (!ct_counts_equal(&before, &after)) {
		ct_counts_show("before", &before);
		ct_counts_show("after", &after);
		return false;
	}
	return true;
}

static bool t_events(void)
{
	struct test_all_tick_evt evt = { .seq = 0, .when = -1 };
	struct cidl_client c;
	struct server s;

	CT_CHECK(start(&s, &c));
	for (evt.seq = 1; evt.seq <= 100; evt.seq++)
		CT_EQ(test_all_tick_send(&c, &evt, CAIRN_MSG_WAIT), 0);
	CT_CHECK(stop(&s, &c)); /* the server drains the queue before it sees the close */
	CT_EQ(s.ticks, 100);
	CT_EQ(s.seq, 100);
	return true;
}

static const struct ct_test tests[] = {
	{ "cidl: a kitchen call through the stubs, every field type", t_kitchen },
	{ "cidl: no handler: the server answers -EOPNOTSUPP", t_no_handler },
	{ "cidl: a malformed request gets its decoder's error", t_malformed },
	{ "cidl: handles with their rights; a vmo without MAP refused; nothing left", t_handles },
	{ "cidl: a handle in a reply; one without TRANSFER refused; nothing left",
	  t_reply_handles },
	{ "cidl: 100 events in order; the loop ends when the client closes", t_events },
};

int main(void)
{
	return ct_run(tests, (int)(sizeof(tests) / sizeof(tests[0])));
}
