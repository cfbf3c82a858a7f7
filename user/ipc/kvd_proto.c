// SPDX-License-Identifier: MIT
/*
 * kvd's side of idl/kv.cidl: one handler per request, each decoding with
 * the generated kv_*_req_decode() (which checks every bound, the handle's
 * type and rights, and that nothing is left over), acting on the store and
 * encoding its reply with kv_*_rep_encode(). A request that does not
 * decode gets an error reply (CIDL_FLAG_ERROR with the decoder's -errno)
 * and its client's channel is closed: a client that sends malformed bytes
 * is broken or hostile, and the server owes it nothing more.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cidl/kv.h"
#include "kvd.h"

_Static_assert(KVS_MAX_KEY == KV_MAX_KEY && KVS_MAX_KEYS <= KV_MAX_KEYS,
               "the store holds what kv.cidl can carry");

/* Start writing d->out; each handler encodes one reply into it. */
static struct cidl_writer *kvd_writer(struct kvd *d, struct cidl_writer *w)
{
	cidl_writer_init(w, d->out.bytes, sizeof(d->out.bytes), d->out.handles,
	                 CAIRN_MSG_MAX_HANDLES);
	return w;
}

/* Finish d->out from @w (@err: the encoder's result). */
static enum kvd_verdict kvd_done(struct kvd *d, const struct cidl_writer *w, int err)
{
	if (err) {
		fprintf(stderr, "kvd: encoding a reply: %s\n", strerror(-err));
		return KVD_BAD;
	}
	d->out.nbytes = w->len;
	d->out.nhandles = w->nhandles;
	d->out.txid = d->in.txid;
	return KVD_REPLY;
}

/* The store's errors as kv.cidl's status. */
static uint8_t kvd_status(int err)
{
	switch (err) {
	case 0:
		return KV_STATUS_OK;
	case -ENOENT:
		return KV_STATUS_NOT_FOUND;
	case -ENOSPC:
		return KV_STATUS_FULL;
	case -EINVAL:
	case -ENAMETOOLONG:
		return KV_STATUS_BAD_KEY;
	case -EFBIG:
		return KV_STATUS_BAD_BLOB;
	default:
		return KV_STATUS_NO_MEMORY;
	}
}

/* Fill a get or wait reply's fields from @e (NULL: not there). */
static void kvd_value(const struct kv_entry *e, uint8_t *result, bool *has,
                      struct cidl_bytes *value)
{
	*result = KV_STATUS_NOT_FOUND;
	if (!e)
		return;
	if (e->len > KV_MAX_VALUE) {
		*result = KV_STATUS_TOO_BIG;
		return;
	}
	*result = KV_STATUS_OK;
	*has = true;
	value->data = e->value;
	value->len = (uint32_t)e->len;
}

static enum kvd_verdict on_get(struct kvd *d, struct cidl_reader *r, int client)
{
	struct kv_get_req q;
	struct kv_get_rep a = { 0 };
	struct cidl_writer w;

	(void)client;
	if (kv_get_req_decode(r, &q))
		return KVD_BAD;
	kvd_value(kv_find(&d->store, (const char *)q.key.data, q.key.len), &a.result, &a.has_value,
	          &a.value);
	return kvd_done(d, &w, kv_get_rep_encode(kvd_writer(d, &w), &a));
}

static enum kvd_verdict on_put(struct kvd *d, struct cidl_reader *r, int client)
{
	struct kv_put_req q;
	struct kv_put_rep a = { 0 };
	struct cidl_writer w;
	int err;

	(void)client;
	if (kv_put_req_decode(r, &q))
		return KVD_BAD;
	err = kv_put(&d->store, (const char *)q.key.data, q.key.len, q.value.data, q.value.len);
	a.result = kvd_status(err);
	/* The reply is encoded after the wake: the waiters' replies reuse d->out. */
	if (!err)
		kvd_proto_wake(d, (const char *)q.key.data, q.key.len);
	return kvd_done(d, &w, kv_put_rep_encode(kvd_writer(d, &w), &a));
}

static enum kvd_verdict on_delete(struct kvd *d, struct cidl_reader *r, int client)
{
	struct kv_delete_req q;
	struct kv_delete_rep a = { 0 };
	struct cidl_writer w;

	(void)client;
	if (kv_delete_req_decode(r, &q))
		return KVD_BAD;
	a.result = kvd_status(kv_delete(&d->store, (const char *)q.key.data, q.key.len));
	return kvd_done(d, &w, kv_delete_rep_encode(kvd_writer(d, &w), &a));
}

static enum kvd_verdict on_list(struct kvd *d, struct cidl_reader *r, int client)
{
	struct kv_list_req q;
	static struct kv_list_rep a; /* 4 KiB of views: not on the stack */
	struct cidl_writer w;

	(void)client;
	if (kv_list_req_decode(r, &q))
		return KVD_BAD;
	a.keys.count = (uint32_t)d->store.n;
	for (size_t i = 0; i < d->store.n; i++) {
		a.keys.items[i].data = (const uint8_t *)d->store.e[i].key;
		a.keys.items[i].len = (uint32_t)strlen(d->store.e[i].key);
	}
	return kvd_done(d, &w, kv_list_rep_encode(kvd_writer(d, &w), &a));
}

/*
 * Copy @size bytes out of the memory object @h. The handle has READ (the
 * decoder checked); the object may still be smaller than the client said.
 */
static int kvd_blob_in(int h, uint64_t size, uint8_t **out)
{
	uint8_t *buf;
	long err;

	if (size > KVS_MAX_BYTES)
		return -EFBIG;
	buf = malloc(size ? size : 1);
	if (!buf)
		return -ENOMEM;
	err = size ? cairn_vmo_read(h, buf, 0, size) : 0;
	if (err) {
		free(buf);
		return -EFBIG;
	}
	*out = buf;
	return 0;
}

static enum kvd_verdict on_put_blob(struct kvd *d, struct cidl_reader *r, int client)
{
	struct kv_put_blob_req q;
	struct kv_put_blob_rep a = { 0 };
	struct cidl_writer w;
	uint8_t *buf = NULL;
	int err;

	(void)client;
	if (kv_put_blob_req_decode(r, &q))
		return KVD_BAD;
	err = kvd_blob_in(q.blob, q.size, &buf);
	close(q.blob);
	if (!err) {
		err = kv_put_owned(&d->store, (const char *)q.key.data, q.key.len, buf, q.size);
		if (err)
			free(buf);
	}
	a.result = kvd_status(err);
	return kvd_done(d, &w, kv_put_blob_rep_encode(kvd_writer(d, &w), &a));
}

/* A new memory object holding @e's value: its handle, or -errno. */
static int kvd_blob_out(const struct kv_entry *e)
{
	long h = cairn_vmo_create(e->len, CAIRN_HANDLE_CLOEXEC);
	long err;

	if (h < 0)
		return (int)h;
	err = e->len ? cairn_vmo_write((int)h, e->value, 0, e->len) : 0;
	if (err) {
		close((int)h);
		return (int)err;
	}
	return (int)h;
}

static enum kvd_verdict on_get_blob(struct kvd *d, struct cidl_reader *r, int client)
{
	struct kv_get_blob_req q;
	struct kv_get_blob_rep a = { .blob = CIDL_HANDLE_NONE };
	const struct kv_entry *e;
	struct cidl_writer w;
	enum kvd_verdict v;

	(void)client;
	if (kv_get_blob_req_decode(r, &q))
		return KVD_BAD;
	e = kv_find(&d->store, (const char *)q.key.data, q.key.len);
	a.result = e ? KV_STATUS_OK : KV_STATUS_NOT_FOUND;
	if (e) {
		a.blob = kvd_blob_out(e);
		a.size = e->len;
		if (a.blob < 0) {
			a.result = KV_STATUS_NO_MEMORY;
			a.blob = CIDL_HANDLE_NONE;
		}
	}
	v = kvd_done(d, &w, kv_get_blob_rep_encode(kvd_writer(d, &w), &a));
	/* The client may read and map the copy, nothing more (the encoder sends SAME_RIGHTS). */
	if (v == KVD_REPLY && d->out.nhandles == 1)
		d->out.handles[0].rights = CAIRN_RIGHT_READ | CAIRN_RIGHT_MAP;
	else if (a.blob >= 0)
		close(a.blob);
	return v;
}

/* Answer a wait at once if its key is there, else keep its txid for later. */
static enum kvd_verdict on_wait(struct kvd *d, struct cidl_reader *r, int client)
{
	struct kv_wait_req q;
	struct kv_wait_rep a = { 0 };
	const struct kv_entry *e;
	struct cidl_writer w;

	if (kv_wait_req_decode(r, &q))
		return KVD_BAD;
	e = kv_find(&d->store, (const char *)q.key.data, q.key.len);
	if (e) {
		kvd_value(e, &a.result, &a.has_value, &a.value);
		return kvd_done(d, &w, kv_wait_rep_encode(kvd_writer(d, &w), &a));
	}
	for (int i = 0; i < KVD_MAX_WAITERS; i++) {
		struct kvd_waiter *wt = &d->waiters[i];

		if (wt->client >= 0)
			continue;
		wt->client = client;
		wt->txid = d->in.txid;
		wt->klen = q.key.len;
		memcpy(wt->key, q.key.data, q.key.len);
		return KVD_DEFER;
	}
	a.result = KV_STATUS_FULL; /* no room to wait: answered at once */
	return kvd_done(d, &w, kv_wait_rep_encode(kvd_writer(d, &w), &a));
}

void kvd_proto_wake(struct kvd *d, const char *key, size_t klen)
{
	const struct kv_entry *e = kv_find(&d->store, key, klen);
	struct kv_wait_rep a = { 0 };
	struct cidl_writer w;

	kvd_value(e, &a.result, &a.has_value, &a.value);
	for (int i = 0; i < KVD_MAX_WAITERS; i++) {
		struct kvd_waiter *wt = &d->waiters[i];

		if (wt->client < 0 || wt->klen != klen || memcmp(wt->key, key, klen))
			continue;
		/* A waiter that died meanwhile is dropped when poll reports its channel. */
		if (kvd_done(d, &w, kv_wait_rep_encode(kvd_writer(d, &w), &a)) == KVD_REPLY)
			(void)kvd_send_deferred(d, wt);
		wt->client = -1;
	}
}

typedef enum kvd_verdict (*kvd_handler)(struct kvd *d, struct cidl_reader *r, int client);

static const kvd_handler kvd_handlers[] = {
	[KV_GET_ORDINAL] = on_get,           [KV_PUT_ORDINAL] = on_put,
	[KV_DELETE_ORDINAL] = on_delete,     [KV_LIST_ORDINAL] = on_list,
	[KV_PUT_BLOB_ORDINAL] = on_put_blob, [KV_GET_BLOB_ORDINAL] = on_get_blob,
	[KV_WAIT_ORDINAL] = on_wait,
};

/* The error reply for a request that did not decode (ordinal 0 if even the header is bad). */
static void kvd_refuse(struct kvd *d, uint32_t ordinal, int err)
{
	struct cidl_writer w;

	if (d->verbose)
		fprintf(stderr, "kvd: refused a request: %s\n", strerror(-err));
	if (cidl_encode_error(kvd_writer(d, &w), ordinal, KV_VERSION, err) == 0) {
		d->out.nbytes = w.len;
		d->out.nhandles = 0;
		d->out.txid = d->in.txid;
	} else {
		d->out.nbytes = 0;
	}
}

enum kvd_verdict kvd_proto_handle(struct kvd *d, int client)
{
	struct cidl_header h;
	struct cidl_reader r;
	enum kvd_verdict v = KVD_BAD;
	int err;

	cidl_reader_init(&r, d->in.bytes, d->in.nbytes, d->in.handles, d->in.nhandles);
	err = cidl_peek(d->in.bytes, d->in.nbytes, &h);
	if (!err && (h.ordinal >= sizeof(kvd_handlers) / sizeof(kvd_handlers[0]) ||
	             !kvd_handlers[h.ordinal]))
		err = -CIDL_EOPNOTSUPP;
	if (!err)
		v = kvd_handlers[h.ordinal](d, &r, client);
	if (v != KVD_BAD)
		return v;
	/* A request that did not decode: whatever it carried goes back to the kernel. */
	if (err || r.err)
		kvd_msg_close_handles(&d->in);
	kvd_refuse(d, err ? 0 : h.ordinal, err ? err : (r.err ? r.err : -CIDL_EBADMSG));
	return KVD_BAD;
}
