// SPDX-License-Identifier: MIT
/*
 * The kv client's pieces (docs/ipc.md): kv.c has main, the raw request and
 * the error reports; kv_cmds.c one function per command, each a call
 * through a client stub generated from idl/kv.cidl.
 */
#pragma once

#include <stdint.h>

#include "cairn.h"
#include "cidl/kv.h"

/* Report a failed call for @what; returns the exit status (1). */
int kv_fail(const char *what, long err);

/* A reply's status for @key: 0 (OK), or the reason printed and 1. */
int kv_status(const char *key, uint8_t result);

int kvc_put(struct cidl_client *c, char **args);
int kvc_get(struct cidl_client *c, char **args);
int kvc_rm(struct cidl_client *c, char **args);
int kvc_list(struct cidl_client *c, char **args);
int kvc_put_file(struct cidl_client *c, char **args);
int kvc_get_file(struct cidl_client *c, char **args);
int kvc_wait(struct cidl_client *c, char **args);
int kvc_bench(struct cidl_client *c, char **args);
int kvc_raw(struct cidl_client *c, char **args);
