/* SPDX-License-Identifier: MIT */
/*
 * The arithmetic of handle rights and signals (include/cairn/ipc.h), as
 * pure mechanism the kernel's handle and channel code share and the host
 * tests check exhaustively: which rights a new handle may have, which a
 * call needs, and which bits a request may name. docs/abi.md has the
 * rules.
 */
#pragma once

#include <cairn/compiler.h>
#include <cairn/ipc.h>

#include <stdbool.h>
#include <stdint.h>

/* Every signal an object may raise (the CAIRN_SIG_* bits). */
#define IPC_SIGS_ALL                                                                            \
	(CAIRN_SIG_READABLE | CAIRN_SIG_WRITABLE | CAIRN_SIG_PEER_CLOSED | CAIRN_SIG_SIGNALED | \
	 CAIRN_SIG_TERMINATED)

/*
 * The rights of a handle made from one that has @have, when @asked is
 * asked for (cairn_handle_dup, a transfer): @have itself for exactly
 * CAIRN_RIGHT_SAME_RIGHTS, else @asked when every bit of it is a right
 * @have has. Returns 0 with *@out set, -EINVAL (a bit that is no right,
 * or SAME_RIGHTS with others) or -EACCES (a right @have lacks: never
 * quietly fewer). *@out is never a right @have lacks.
 */
int __must_check ipc_rights_reduce(uint32_t have, uint32_t asked, uint32_t *out);

/* Whether a handle with @have may do what needs every right of @need. */
bool ipc_rights_allow(uint32_t have, uint32_t need);

/* Whether @sigs names only known signals (a wait item's want). */
bool ipc_signals_known(uint32_t sigs);
