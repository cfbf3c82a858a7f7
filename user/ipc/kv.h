// SPDX-License-Identifier: MIT
/*
 * The kv client's pieces (docs/ipc.md): kv.c has the call and its error
 * reports, kv_cmds.c one function per command. Each command encodes its
 * request into kv_writer(), calls kv_call() and decodes the reply.
 */
#pragma once

#include <stdint.h>

#include "cairn.h"
#include "cidl/kv.h"

/* A message's storage, as large as a channel message can be. */
struct kv_msgbuf {
	uint8_t bytes[CAIRN_MSG_MAX_BYTES];
	struct cairn_handle_xfer handles[CAIRN_MSG_MAX_HANDLES];
	uint32_t nbytes;
	uint32_t nhandles;
};

/* Report a failed call to the user; returns the exit status (1). */
int kv_fail(const char *what, long err);

/* A writer over the request buffer. */
struct cidl_writer *kv_writer(struct cidl_writer *w);

/* After an encoder returned @err: 0 (the request is ready) or an exit status. */
int kv_encoded(const char *what, const struct cidl_writer *w, int err);

/* The call: the request out, the reply in (@r set up to decode it). 0 or -errno. */
long kv_call(int h, struct cidl_reader *r, int64_t deadline);

/* After a decoder returned @err: 0, or the reason printed and an exit status. */
int kv_decoded(const char *what, struct cidl_reader *r, int err);

/* A reply's status for @key: 0 (OK), or the reason printed and 1. */
int kv_status(const char *key, uint8_t result);

int kvc_put(int h, char **args);
int kvc_get(int h, char **args);
int kvc_rm(int h, char **args);
int kvc_list(int h, char **args);
int kvc_put_file(int h, char **args);
int kvc_get_file(int h, char **args);
int kvc_wait(int h, char **args);
int kvc_raw(int h, char **args);
int kvc_bench(int h, char **args);
