/* SPDX-License-Identifier: MIT */
/*
 * Channels (issue 15): bidirectional pairs of ends; a message of up to
 * CAIRN_MSG_MAX_BYTES bytes and CAIRN_MSG_MAX_HANDLES handles moves from
 * one end into the other's queue whole or not at all. The system calls
 * (cairn_channel_create/write/read/call) are in kernel/ipc/channel_sys.c;
 * this is the kernel's own side, for an end the kernel keeps (a driver
 * host talking to its driver) and for the kernel tests. docs/ipc.md.
 *
 * Each end's queue is bounded (CHANNEL_QUEUE_MSGS messages and
 * CHANNEL_QUEUE_BYTES bytes): a write to a full queue is -EAGAIN, or
 * waits with CAIRN_MSG_WAIT (back-pressure). When an end's last handle
 * goes, its queue is emptied (the handles in it closed) and its peer sees
 * CAIRN_SIG_PEER_CLOSED; writes to it are then -EPIPE, and reads drain
 * what is queued, then -EPIPE.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kobject;

#define CHANNEL_QUEUE_MSGS  256           /* messages queued at one end */
#define CHANNEL_QUEUE_BYTES (1024 * 1024) /* bytes queued at one end */

/*
 * A new connected pair, each end with one ref and no handles: give each
 * to handle_install()/handle_file_create() or kobject_handle_get(), then
 * kobject_put() the creation ref. Returns 0 or -ENOMEM.
 */
int __must_check channel_create(struct kobject **a, struct kobject **b);

/*
 * Write @n bytes (no handles) from kernel memory into @end's peer's
 * queue with @txid. Never blocks: 0, -EAGAIN (full), -EPIPE, -EMSGSIZE.
 */
int __must_check channel_write_kernel(struct kobject *end, const void *bytes, size_t n,
                                      uint32_t txid);

/*
 * Read the next message queued at @end into @buf (@cap bytes), waiting
 * until @deadline_ns (monotonic ns; TIME_NEVER: for ever) for one. A
 * message that carries handles has them closed (a kernel reader takes
 * none). Stores its length and txid. Returns 0, -ENOBUFS (too big for
 * @cap: the message is dropped and *@len says how big it was), -EPIPE
 * (the peer closed and the queue is empty), -ETIMEDOUT, or -EINTR (the
 * calling task was asked to end).
 */
int __must_check channel_read_kernel(struct kobject *end, void *buf, size_t cap, size_t *len,
                                     uint32_t *txid, uint64_t deadline_ns);

/* Whether @o is a channel end. */
bool kobject_is_channel(const struct kobject *o);
