// SPDX-License-Identifier: MIT
/*
 * kv: the client of kvd (docs/ipc.md). Each run connects (kv_boot.h), or
 * uses descriptor $KV_FD when `kvd -- CMD` started it, makes one request
 * through the client stubs generated from idl/kv.cidl (encode, one
 * cairn_channel_call(), decode), prints the answer and exits.
 *
 *   kv put KEY VALUE        kv get KEY        kv rm KEY        kv list
 *   kv put-file KEY FILE    kv get-file KEY FILE    kv wait KEY
 *   kv raw HEX [HANDLE...]  (a request's bytes as they are, for tests;
 *                            HANDLE: vmo:r, vmo:w or chan)
 *   kv bench N              (N gets timed: a round trip's cost)
 *
 * Exit status: 0 done, 1 refused or failed (the reason on stderr), 2 usage.
 */
#include "kv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kv_boot.h"

/* The call's buffer, request then reply (a reply's strings point into it). */
static uint8_t kv_buf[CAIRN_MSG_MAX_BYTES];
static struct cairn_handle_xfer kv_hx[CAIRN_MSG_MAX_HANDLES];

int kv_fail(const char *what, long err)
{
	if (err == -EPIPE)
		fprintf(stderr, "kv: %s: kvd closed the channel (EPIPE)\n", what);
	else if (err == -CIDL_EINVAL) /* only the encoder says EINVAL: nothing was sent */
		fprintf(stderr, "kv: %s: the request does not fit kv.cidl (EINVAL)\n", what);
	else
		fprintf(stderr, "kv: %s: %s\n", what, strerror((int)-err));
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

/* @hex as bytes into kv_buf: their count, or -EINVAL (odd length, not hex) or -EMSGSIZE. */
static long kv_unhex(const char *hex)
{
	size_t n = strlen(hex);

	if (n % 2)
		return -EINVAL;
	if (n / 2 > sizeof(kv_buf))
		return -EMSGSIZE;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -EINVAL;
		kv_buf[i] = (uint8_t)v;
	}
	return (long)(n / 2);
}

/*
 * A handle for `kv raw`, as @spec names it: "vmo:r" a memory object
 * holding "raw!" with READ (and TRANSFER), "vmo:w" one with WRITE but no
 * READ, "chan" a channel end. Returns it or -errno.
 */
static long kv_raw_handle(const char *spec)
{
	uint32_t rights = CAIRN_RIGHT_TRANSFER;
	int32_t ch[2] = { -1, -1 };
	long h, err;

	if (!strcmp(spec, "chan")) {
		err = cairn_channel_create(ch, CAIRN_HANDLE_CLOEXEC);
		close(ch[1]);
		return err ? err : ch[0];
	}
	if (strcmp(spec, "vmo:r") && strcmp(spec, "vmo:w"))
		return -EINVAL;
	rights |= spec[4] == 'r' ? CAIRN_RIGHT_READ : CAIRN_RIGHT_WRITE;
	h = cairn_vmo_create(4, CAIRN_HANDLE_CLOEXEC);
	if (h < 0)
		return h;
	err = cairn_vmo_write((int)h, "raw!", 0, 4);
	if (!err)
		err = cairn_handle_dup((int)h, rights, CAIRN_HANDLE_CLOEXEC);
	close((int)h);
	return err;
}

/* The handles @specs name into kv_hx: their count, or -errno. */
static long kv_raw_handles(char **specs, int n)
{
	for (int i = 0; i < n; i++) {
		long h = kv_raw_handle(specs[i]);

		if (h < 0)
			return h;
		kv_hx[i] = (struct cairn_handle_xfer){ .handle = (int32_t)h,
			                               .rights = CAIRN_RIGHT_SAME_RIGHTS };
	}
	return n;
}

/* Send kv_buf's @n bytes and @nh handles of kv_hx as a call; the reply's length, or -errno. */
static long kv_raw_call(const struct cidl_client *c, uint32_t n, uint32_t nh)
{
	struct cairn_call call;
	long err;

	memset(&call, 0, sizeof(call));
	call.wr.bytes = call.rd.bytes = (uintptr_t)kv_buf;
	call.wr.handles = call.rd.handles = (uintptr_t)kv_hx;
	call.wr.nhandles = nh;
	call.wr.nbytes = n;
	call.rd.nbytes = sizeof(kv_buf);
	call.rd.nhandles = CAIRN_MSG_MAX_HANDLES;
	err = cairn_channel_call(c->handle, &call, c->deadline);
	for (uint32_t i = 0; !err && i < call.rd.nhandles; i++)
		close(kv_hx[i].handle);
	return err ? err : call.rd.nbytes;
}

/*
 * kv raw HEX [HANDLE...]: send bytes nothing checked, and the handles
 * kv_raw_handle() makes (tools/e2e_svc.py's malformed requests), and print
 * the reply in hex; if it is an error reply, say so on stderr and exit 1.
 */
int kvc_raw(struct cidl_client *c, char **args)
{
	struct cidl_header hd;
	struct cidl_reader r;
	long n = kv_unhex(args[0]), nh = 0, err;

	for (char **a = args + 1; *a && nh < (long)CAIRN_MSG_MAX_HANDLES; a++)
		nh++;
	if (n >= 0)
		nh = kv_raw_handles(args + 1, (int)nh);
	if (n >= 0 && nh >= 0)
		n = kv_raw_call(c, (uint32_t)n, (uint32_t)nh);
	else
		n = n < 0 ? n : nh;
	if (n < 0)
		return kv_fail("raw", n);
	/* An error reply makes cidl_open() record its -errno; any other reply opens clean. */
	cidl_reader_init(&r, kv_buf, (uint32_t)n, NULL, 0);
	err = cidl_peek(kv_buf, (uint32_t)n, &hd);
	if (!err) {
		cidl_open(&r, hd.ordinal, CIDL_FLAG_REPLY);
		err = r.err;
	}
	for (long i = 0; i < n; i++)
		printf("%02x", kv_buf[i]);
	printf("\n");
	if (err) {
		fflush(stdout);
		fprintf(stderr, "kv: raw: kvd refused the request (%s)\n", strerror((int)-err));
		return 1;
	}
	return 0;
}

struct kv_cmd {
	const char *name;
	int nargs;
	int (*run)(struct cidl_client *c, char **args);
};

/* One command a line reads better than a packed table. */
/* clang-format off */
static const struct kv_cmd kv_cmds[] = {
	{ "put", 2, kvc_put },
	{ "get", 1, kvc_get },
	{ "rm", 1, kvc_rm },
	{ "list", 0, kvc_list },
	{ "put-file", 2, kvc_put_file },
	{ "get-file", 2, kvc_get_file },
	{ "wait", 1, kvc_wait },
	{ "raw", -1, kvc_raw }, /* HEX, then any number of HANDLEs */
	{ "bench", 1, kvc_bench },
};
/* clang-format on */

static int usage(void)
{
	fprintf(stderr,
	        "usage: kv put KEY VALUE | get KEY | rm KEY | list | put-file KEY FILE |"
	        " get-file KEY FILE | wait KEY | raw HEX [vmo:r|vmo:w|chan...] | bench N\n");
	return 2;
}

int main(int argc, char **argv)
{
	const struct kv_cmd *cmd = NULL;
	struct cidl_client c = { .deadline = CAIRN_DEADLINE_NEVER,
		                 .buf = kv_buf,
		                 .cap = sizeof(kv_buf),
		                 .hx = kv_hx,
		                 .hcap = CAIRN_MSG_MAX_HANDLES };
	int status;

	if (argc < 2)
		return usage();
	for (size_t i = 0; i < sizeof(kv_cmds) / sizeof(kv_cmds[0]); i++)
		if (!strcmp(argv[1], kv_cmds[i].name))
			cmd = &kv_cmds[i];
	if (!cmd || (cmd->nargs >= 0 ? argc != cmd->nargs + 2 : argc < 3))
		return usage();
	c.handle = kv_boot_channel();
	if (c.handle < 0) {
		fprintf(stderr, "kv: cannot reach kvd at %s: %s\n", kv_sock_path(),
		        strerror(-c.handle));
		return 1;
	}
	status = cmd->run(&c, argv + 2);
	close(c.handle);
	return status;
}
