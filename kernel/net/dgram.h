/* SPDX-License-Identifier: MIT */
/*
 * The receive side shared by AF_INET's datagram sockets (UDP in udp.c,
 * raw and ping sockets in raw.c): a queue of whole datagrams bounded in
 * bytes by SO_RCVBUF, filled by the net task and emptied by recvmsg(),
 * with MSG_PEEK, MSG_TRUNC, the source address, poll readiness and
 * FIONREAD. A datagram is a copy: a driver's receive buffer is never held
 * by a socket.
 *
 * Locks: [Q] dq->lock, a spinlock (never held across a user copy or an
 * allocation); [R] the owner's receive mutex (dq->rlock: one receiver at
 * a time, so the head datagram stays put while it is copied out).
 */
#pragma once

#include <cairn/compiler.h>

#include <lib/list/list.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sched/spinlock.h"
#include "sched/sync.h"

struct socket;
struct sock_msg;
struct poll_table;

struct dgram {
	struct list_node link; /* [Q] on dq->q */
	uint32_t src;          /* the sender, host order */
	uint16_t sport;        /* its port (0 for raw and ping) */
	size_t len;            /* bytes of data */
	uint8_t data[];
};

struct dgram_queue {
	struct spinlock lock;
	struct mutex rlock;
	struct list_node q;  /* [Q] struct dgram, oldest first */
	size_t bytes;        /* [Q] charged against SO_RCVBUF: data and bookkeeping */
	struct socket *sock; /* [Q] NULL once the socket is released */
	bool shut_rd;        /* [Q] shutdown(SHUT_RD): recv answers 0 when empty */
	uint64_t drops;      /* [a] datagrams dropped (full queue, no memory) */
};

void dgram_queue_init(struct dgram_queue *dq, struct socket *s);
/*
 * Queue a copy of @a (@alen bytes) followed by @b (@blen) from @src/@sport
 * and wake readers. Returns false (counted in drops) when the socket is
 * gone, the queue is at SO_RCVBUF or memory is short. Task context (the
 * net task); allocates, never sleeps otherwise.
 */
bool dgram_queue_put(struct dgram_queue *dq, uint32_t src, uint16_t sport, const void *a,
                     size_t alen, const void *b, size_t blen);
/*
 * recvmsg() over the queue for socket @s: waits (unless @nonblock) for a
 * datagram, a pending error (s->error, taken and returned) or SHUT_RD;
 * copies to m->data, fills m->name with the source (sockaddr_in) and
 * m->out_flags (MSG_TRUNC). @flags: MSG_PEEK, MSG_TRUNC (return the whole
 * length). Returns bytes or -errno. Task context; sleeps.
 */
long dgram_recvmsg(struct dgram_queue *dq, struct socket *s, struct sock_msg *m, unsigned flags,
                   bool nonblock);
/* POLLIN/POLLERR/POLLRDHUP/POLLHUP bits of the queue and @s, registering on s->wq through @pt. */
unsigned dgram_poll_in(struct dgram_queue *dq, struct socket *s, struct poll_table *pt);
/* FIONREAD: the length of the next datagram (0 when none). */
size_t dgram_next_len(struct dgram_queue *dq);
/* The bytes queued (for /proc/net). */
size_t dgram_queued(struct dgram_queue *dq);
/* Set SHUT_RD and wake readers. */
void dgram_shutdown_rd(struct dgram_queue *dq);
/* The socket is going away: no more puts touch it; wake and forget it. */
void dgram_queue_detach(struct dgram_queue *dq);
/* Free every queued datagram (after detach, with no other user). */
void dgram_queue_free(struct dgram_queue *dq);
/* Give a pending socket error (s->error) to the caller: -errno or 0. */
int dgram_take_error(struct socket *s);
/* Set a socket error and wake its waiters (under [Q] so @s is still there). */
void dgram_set_error(struct dgram_queue *dq, int err);
