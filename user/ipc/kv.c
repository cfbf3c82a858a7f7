// SPDX-License-Identifier: MIT
/*
 * kv: the client of kvd (docs/ipc.md). Each run connects (kv_boot.h),
 * makes one request -- encoded with the code generated from idl/kv.cidl,
 * sent with one cairn_channel_call(), its reply decoded the same way --
 * prints the answer and exits.
 *
 *   kv put KEY VALUE        kv get KEY        kv rm KEY        kv list
 *   kv put-file KEY FILE    kv get-file KEY FILE    kv wait KEY
 *   kv raw HEX              (a request's bytes as they are, for tests)
 *   kv bench N              (N gets timed: a round trip's cost)
 *
 * Exit status: 0 done, 1 refused or failed (the reason on stderr), 2 usage.
 */
#include "cidl/kv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kv.h"
#include "kv_boot.h"

/* The request being sent and the reply being received: one call's buffers. */
static struct kv_msgbuf kv_req, kv_rep;

int kv_fail(const char *what, long err)
{
	if (err == -EPIPE)
		fprintf(stderr, "kv: %s: kvd closed the channel (EPIPE)\n", what);
	else
		fprintf(stderr, "kv: %s: %s\n", what, strerror((int)-err));
	return 1;
}

struct cidl_writer *kv_writer(struct cidl_writer *w)
{
	cidl_writer_init(w, kv_req.bytes, sizeof(kv_req.bytes), kv_req.handles,
	                 CAIRN_MSG_MAX_HANDLES);
	return w;
}

int kv_encoded(const char *what, const struct cidl_writer *w, int err)
{
	if (err) {
		fprintf(stderr, "kv: %s: the request does not fit kv.cidl (%s)\n", what,
		        err == -CIDL_EINVAL ? "EINVAL" : strerror(-err));
		return 1;
	}
	kv_req.nbytes = w->len;
	kv_req.nhandles = w->nhandles;
	return 0;
}

/*
 * Send kv_req on @h and wait for its reply; on success @r reads it.
 * Returns 0 or -errno: the channel's (-EPIPE: kvd went away).
 */
long kv_call(int h, struct cidl_reader *r, int64_t deadline)
{
	struct cairn_call c;
	long err;

	memset(&c, 0, sizeof(c));
	c.wr.bytes = (uintptr_t)kv_req.bytes;
	c.wr.handles = (uintptr_t)kv_req.handles;
	c.wr.nbytes = kv_req.nbytes;
	c.wr.nhandles = kv_req.nhandles;
	c.rd.bytes = (uintptr_t)kv_rep.bytes;
	c.rd.handles = (uintptr_t)kv_rep.handles;
	c.rd.nbytes = sizeof(kv_rep.bytes);
	c.rd.nhandles = CAIRN_MSG_MAX_HANDLES;
	err = cairn_channel_call(h, &c, deadline);
	if (err)
		return err;
	kv_rep.nbytes = c.rd.nbytes;
	kv_rep.nhandles = c.rd.nhandles;
	cidl_reader_init(r, kv_rep.bytes, kv_rep.nbytes, kv_rep.handles, kv_rep.nhandles);
	return 0;
}

int kv_decoded(const char *what, struct cidl_reader *r, int err)
{
	if (!err)
		return 0;
	/* The reply's handles, if any, are not ours to keep when it does not decode. */
	for (uint32_t i = 0; i < kv_rep.nhandles; i++)
		close(kv_rep.handles[i].handle);
	(void)r;
	if (err == -CIDL_EBADMSG || err == -CIDL_ENODATA || err == -CIDL_EOVERFLOW ||
	    err == -CIDL_EBADF || err == -CIDL_EACCES)
		fprintf(stderr, "kv: %s: kvd refused the request or answered garbage (%s)\n", what,
		        strerror(-err));
	else
		fprintf(stderr, "kv: %s: kvd refused the request (%s)\n", what, strerror(-err));
	return 1;
}

int kv_status(const char *key, uint8_t result)
{
	static const char *const why[] = {
		[KV_STATUS_NOT_FOUND] = "not found",
		[KV_STATUS_TOO_BIG] = "too big for a message: use get-file",
		[KV_STATUS_FULL] = "the store is full",
		[KV_STATUS_BAD_KEY] = "not a key (empty, or a NUL inside)",
		[KV_STATUS_NO_MEMORY] = "kvd is out of memory",
		[KV_STATUS_BAD_BLOB] = "the memory object is shorter than the size, or too large",
	};

	if (result == KV_STATUS_OK)
		return 0;
	fprintf(stderr, "kv: %s: %s\n", key, why[result]);
	return 1;
}

/* @hex as bytes into kv_req: 0, or -EINVAL (odd length, not hex) or -EMSGSIZE. */
static int kv_unhex(const char *hex)
{
	size_t n = strlen(hex);

	if (n % 2)
		return -EINVAL;
	if (n / 2 > sizeof(kv_req.bytes))
		return -EMSGSIZE;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -EINVAL;
		kv_req.bytes[i] = (uint8_t)v;
	}
	kv_req.nbytes = (uint32_t)(n / 2);
	kv_req.nhandles = 0;
	return 0;
}

/*
 * kv raw HEX: send bytes nothing checked (tools/e2e_svc.py's malformed
 * requests) and print the reply in hex, or why kvd refused it.
 */
int kvc_raw(int h, char **args)
{
	struct cidl_reader r;
	struct cidl_header hd;
	long err = kv_unhex(args[0]);

	if (err)
		return kv_fail("raw", err);
	err = kv_call(h, &r, CAIRN_DEADLINE_NEVER);
	if (err)
		return kv_fail("raw", err);
	/* An error reply makes cidl_open() record its -errno; any other reply opens clean. */
	err = cidl_peek(kv_rep.bytes, kv_rep.nbytes, &hd);
	if (!err) {
		cidl_open(&r, hd.ordinal, CIDL_FLAG_REPLY);
		err = r.err;
	}
	if (err) {
		fprintf(stderr, "kv: raw: kvd refused the request (%s)\n", strerror((int)-err));
		return 1;
	}
	for (uint32_t i = 0; i < kv_rep.nbytes; i++)
		printf("%02x", kv_rep.bytes[i]);
	printf("\n");
	return 0;
}

struct kv_cmd {
	const char *name;
	int nargs;
	int (*run)(int h, char **args);
};

/* clang-format off: one command a line reads better than a packed table */
static const struct kv_cmd kv_cmds[] = {
	{ "put", 2, kvc_put },   { "get", 1, kvc_get },           { "rm", 1, kvc_rm },
	{ "list", 0, kvc_list }, { "put-file", 2, kvc_put_file }, { "get-file", 2, kvc_get_file },
	{ "wait", 1, kvc_wait }, { "raw", 1, kvc_raw },           { "bench", 1, kvc_bench },
};
/* clang-format on */

static int usage(void)
{
	fprintf(stderr, "usage: kv put KEY VALUE | get KEY | rm KEY | list | put-file KEY FILE |"
	                " get-file KEY FILE | wait KEY | raw HEX | bench N\n");
	return 2;
}

int main(int argc, char **argv)
{
	const struct kv_cmd *cmd = NULL;
	int h, status;

	if (argc < 2)
		return usage();
	for (size_t i = 0; i < sizeof(kv_cmds) / sizeof(kv_cmds[0]); i++)
		if (!strcmp(argv[1], kv_cmds[i].name))
			cmd = &kv_cmds[i];
	if (!cmd || argc != cmd->nargs + 2)
		return usage();
	h = kv_boot_connect(kv_sock_path());
	if (h < 0) {
		fprintf(stderr, "kv: cannot reach kvd at %s: %s\n", kv_sock_path(), strerror(-h));
		return 1;
	}
	status = cmd->run(h, argv + 2);
	close(h);
	return status;
}
