// SPDX-License-Identifier: MIT
/*
 * kvd's side of idl/kv.cidl. Every request but `wait` goes through the
 * generated kv_dispatch(): it decodes the request (every bound, the
 * handle's type and rights, nothing left over), calls one of the handlers
 * below and encodes the reply, or an error reply when the request does not
 * decode. `wait` is decoded here with the generated kv_wait_req_decode()
 * because its reply may come later (kv_dispatch answers at once), so kvd
 * keeps the call's txid. A client whose request does not decode gets the
 * error reply and then its channel is closed: it is broken or hostile, and
 * the server owes it nothing more.
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

/* A get or wait reply's fields from @e (NULL: not there). */
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

/* The entry a request's key names, or NULL. */
static const struct kv_entry *kvd_find(struct kvd *d, const struct cidl_bytes *key)
{
	return kvs_find(&d->store, (const char *)key->data, key->len);
}

static int on_get(void *ctx, const struct kv_get_req *req, struct kv_get_rep *rep)
{
	kvd_value(kvd_find(ctx, &req->key), &rep->result, &rep->has_value, &rep->value);
	return 0;
}

static int on_put(void *ctx, const struct kv_put_req *req, struct kv_put_rep *rep)
{
	struct kvd *d = ctx;
	const char *key = (const char *)req->key.data;
	int err = kvs_put(&d->store, key, req->key.len, req->value.data, req->value.len);

	rep->result = kvd_status(err);
	if (!err)
		kvd_proto_wake(d, key, req->key.len);
	return 0;
}

static int on_delete(void *ctx, const struct kv_delete_req *req, struct kv_delete_rep *rep)
{
	struct kvd *d = ctx;

	rep->result = kvd_status(kvs_delete(&d->store, (const char *)req->key.data, req->key.len));
	return 0;
}

static int on_list(void *ctx, const struct kv_list_req *req, struct kv_list_rep *rep)
{
	struct kvd *d = ctx;

	(void)req;
	rep->keys.count = (uint32_t)d->store.n;
	for (size_t i = 0; i < d->store.n; i++) {
		rep->keys.items[i].data = (const uint8_t *)d->store.e[i].key;
		rep->keys.items[i].len = (uint32_t)strlen(d->store.e[i].key);
	}
	return 0;
}

/*
 * Copy @size bytes out of the memory object @h into a new buffer. The
 * handle has READ (the decoder checked); the object may still be smaller
 * than the client said: -EFBIG, as a size past the store's limit.
 */
static int kvd_blob_in(int h, uint64_t size, uint8_t **out)
{
	uint8_t *buf;

	if (size > KVS_MAX_BYTES)
		return -EFBIG;
	buf = malloc(size ? size : 1);
	if (!buf)
		return -ENOMEM;
	if (size && cairn_vmo_read(h, buf, 0, size)) {
		free(buf);
		return -EFBIG;
	}
	*out = buf;
	return 0;
}

static int on_put_blob(void *ctx, const struct kv_put_blob_req *req, struct kv_put_blob_rep *rep)
{
	struct kvd *d = ctx;
	uint8_t *buf = NULL;
	int err = kvd_blob_in(req->blob, req->size, &buf);

	close(req->blob); /* the request's handle is the handler's */
	if (!err) {
		err = kvs_put_owned(&d->store, (const char *)req->key.data, req->key.len, buf,
		                    req->size);
		if (err)
			free(buf);
	}
	rep->result = kvd_status(err);
	return 0;
}

/* A new memory object holding @e's value: its handle, or -errno. */
static int kvd_blob_out(const struct kv_entry *e)
{
	long h = cairn_vmo_create(e->len, CAIRN_HANDLE_CLOEXEC);

	if (h >= 0 && e->len && cairn_vmo_write((int)h, e->value, 0, e->len)) {
		close((int)h);
		return -ENOMEM;
	}
	return (int)h;
}

static int on_get_blob(void *ctx, const struct kv_get_blob_req *req, struct kv_get_blob_rep *rep)
{
	const struct kv_entry *e = kvd_find(ctx, &req->key);

	rep->blob = CIDL_HANDLE_NONE;
	rep->result = e ? KV_STATUS_OK : KV_STATUS_NOT_FOUND;
	if (!e)
		return 0;
	rep->blob = kvd_blob_out(e);
	rep->size = e->len;
	if (rep->blob < 0) {
		rep->blob = CIDL_HANDLE_NONE;
		rep->result = KV_STATUS_NO_MEMORY;
	}
	return 0;
}

static const struct kv_server kvd_server = {
	.get = on_get,
	.put = on_put,
	.delete = on_delete,
	.list = on_list,
	.put_blob = on_put_blob,
	.get_blob = on_get_blob,
	/* .wait: kvd_wait(), which may answer later */
};

/* Start writing @m (d->out, or d->late for a deferred reply). */
static struct cidl_writer *kvd_writer(struct kvd_msg *m, struct cidl_writer *w)
{
	cidl_writer_init(w, m->bytes, sizeof(m->bytes), m->handles, CAIRN_MSG_MAX_HANDLES);
	return w;
}

/* Finish @m from @w, as the reply to @txid (nothing to send when w->len is 0). */
static void kvd_out(struct kvd_msg *m, const struct cidl_writer *w, uint32_t txid)
{
	m->nbytes = w->len;
	m->nhandles = w->nhandles;
	m->txid = txid;
}

/* Find a free waiter slot for client @client's call, or NULL. */
static struct kvd_waiter *kvd_waiter_new(struct kvd *d, int client)
{
	for (int i = 0; i < KVD_MAX_WAITERS; i++) {
		if (d->waiters[i].client < 0) {
			d->waiters[i].client = client;
			d->waiters[i].txid = d->in.txid;
			return &d->waiters[i];
		}
	}
	return NULL;
}

/* `wait`: answered at once if the key is there, else when a put makes it. */
static enum kvd_verdict kvd_wait(struct kvd *d, struct cidl_reader *r, int client)
{
	struct kv_wait_req q;
	struct kv_wait_rep a = { 0 };
	struct kvd_waiter *wt;
	const struct kv_entry *e;
	struct cidl_writer w;
	int bad, err = kv_wait_req_decode(r, &q);

	if (err) {
		kvd_msg_close_handles(&d->in);
		(void)cidl_encode_error(kvd_writer(&d->out, &w), KV_WAIT_ORDINAL, KV_VERSION, err);
		kvd_out(&d->out, &w, d->in.txid);
		return KVD_BAD;
	}
	e = kvd_find(d, &q.key);
	/* A key no put can make is answered at once, not waited for. */
	bad = kvs_key_ok((const char *)q.key.data, q.key.len);
	wt = e || bad ? NULL : kvd_waiter_new(d, client);
	if (wt) {
		wt->klen = q.key.len;
		if (q.key.len) /* an empty key's data is NULL */
			memcpy(wt->key, q.key.data, q.key.len);
		return KVD_DEFER;
	}
	kvd_value(e, &a.result, &a.has_value, &a.value);
	if (!e) /* a bad key, or no room to wait */
		a.result = bad ? KV_STATUS_BAD_KEY : KV_STATUS_FULL;
	err = kv_wait_rep_encode(kvd_writer(&d->out, &w), &a);
	kvd_out(&d->out, &w, d->in.txid);
	return err ? KVD_BAD : KVD_REPLY;
}

void kvd_proto_wake(struct kvd *d, const char *key, size_t klen)
{
	struct kv_wait_rep a = { 0 };
	struct cidl_writer w;

	kvd_value(kvs_find(&d->store, key, klen), &a.result, &a.has_value, &a.value);
	for (int i = 0; i < KVD_MAX_WAITERS; i++) {
		struct kvd_waiter *wt = &d->waiters[i];

		if (wt->client < 0 || wt->klen != klen || (klen && memcmp(wt->key, key, klen)))
			continue;
		/* A waiter that died meanwhile is dropped when poll reports its channel. */
		if (kv_wait_rep_encode(kvd_writer(&d->late, &w), &a) == 0) {
			kvd_out(&d->late, &w, wt->txid);
			(void)kvd_send_deferred(d, wt);
		}
		wt->client = -1;
	}
}

enum kvd_verdict kvd_proto_handle(struct kvd *d, int client)
{
	struct cidl_header h;
	struct cidl_reader r;
	struct cidl_writer w;
	int err;

	memset(&h, 0, sizeof(h));
	cidl_reader_init(&r, d->in.bytes, d->in.nbytes, d->in.handles, d->in.nhandles);
	if (cidl_peek(d->in.bytes, d->in.nbytes, &h) == 0 && h.ordinal == KV_WAIT_ORDINAL)
		return kvd_wait(d, &r, client);
	err = kv_dispatch(&kvd_server, d, &r, kvd_writer(&d->out, &w));
	/* A bad header gets no reply from kv_dispatch: say why anyway (ordinal 0 if unread). */
	if (err && !w.len)
		(void)cidl_encode_error(&w, h.ordinal, KV_VERSION, err);
	kvd_out(&d->out, &w, d->in.txid);
	if (err) {
		if (d->verbose)
			fprintf(stderr, "kvd: client %d: refused a request: %s\n", client,
			        strerror(-err));
		kvd_msg_close_handles(&d->in);
		return KVD_BAD;
	}
	/* get_blob's copy may be read and mapped, nothing more (the encoder sends SAME_RIGHTS). */
	if (d->out.nhandles == 1)
		d->out.handles[0].rights = CAIRN_RIGHT_READ | CAIRN_RIGHT_MAP;
	return KVD_REPLY;
}
