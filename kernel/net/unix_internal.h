/* SPDX-License-Identifier: MIT */
/*
 * AF_UNIX sockets (unix(7)), shared by kernel/net/unix*.c: the socket,
 * its names, the messages on its receive queue and the control data
 * (SCM_RIGHTS, SCM_CREDENTIALS) they carry. A sender copies its bytes into
 * a message on the receiver's queue; the queue is bounded by the
 * receiver's SO_RCVBUF (and, for datagrams from sockets the receiver is
 * not connected to, by Linux's max_dgram_qlen), and a reader that frees
 * room wakes the senders through the receiver's peer_wait queue.
 * docs/unix-sockets.md has the whole picture.
 *
 * Locks: [U] the unix socket's mutex (user copies happen under it); [I]
 * fixed once made; [a] atomic; [N] the name table's lock (unix.c); [G]
 * the list of every socket (unix.c); [C] unix_gc_lock, the in-flight
 * graph (unix_scm.c). Order: [C], then a connecting socket's [U] before a
 * listener's, a listener's before its embryos', then [N] and [G]. No two
 * sockets' [U] are held together otherwise.
 */
#pragma once

#include <cairn/compiler.h>

#include <lib/list/list.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fs/vfs.h"
#include "net/socket.h"
#include "sched/sync.h"
#include "sched/wait.h"

struct file;
struct poll_table;

#define UNIX_PATH_MAX    108   /* sun_path's bytes (unix(7)) */
#define UNIX_ADDR_HDR    2     /* offsetof(struct sockaddr_un, sun_path) */
#define UNIX_SCM_MAX_FD  253   /* descriptors in one SCM_RIGHTS message (Linux's SCM_MAX_FD) */
#define UNIX_DGRAM_QLEN  10    /* Linux's net.unix.max_dgram_qlen default */
#define UNIX_BACKLOG_MAX 4096  /* Linux's net.core.somaxconn default */
#define UNIX_MSG_COST    256   /* bytes a queued message is charged beyond its data */
#define UNIX_CHUNK_MAX   65536 /* the largest stream message one send makes */

/* RCV_SHUTDOWN and SEND_SHUTDOWN as Linux numbers them (shutdown's how + 1). */
#define UNIX_SHUT_RCV  1u
#define UNIX_SHUT_SEND 2u
#define UNIX_SHUT_BOTH 3u

/* struct sockaddr_un (unix(7)). */
struct sockaddr_unk {
	uint16_t sun_family;
	char sun_path[UNIX_PATH_MAX];
};

/* A bound name, shared by a listener and the sockets it accepted. */
struct unix_addr {
	int refs;                /* [a] */
	size_t len;              /* [I] bytes getsockname gives: 2 + path + NUL, or as bound */
	bool abstract;           /* [I] sun_path[0] == 0 */
	struct sockaddr_unk sun; /* [I] */
};

enum unix_state {
	UNIX_UNCONNECTED = 0,
	UNIX_LISTENING = 1,
	UNIX_CONNECTED = 2,
};

/* struct ucred (SO_PEERCRED, SCM_CREDENTIALS). */
struct unix_cred {
	int32_t pid;
	uint32_t uid, gid;
};

/* The files of one SCM_RIGHTS message, each with a reference. */
struct unix_fds {
	struct unix_fds *next; /* on the list of files waiting to be put (unix_scm.c) */
	unsigned n;            /* files */
	unsigned nunix;        /* of which AF_UNIX sockets (the in-flight graph's edges) */
	struct file *f[];      /* n entries */
};

/* One message on a receive queue: a datagram, a packet or a run of stream bytes. */
struct unix_msg {
	struct list_node link;  /* [U] on the receiver's queue */
	size_t len;             /* [I] bytes of data */
	size_t off;             /* [U] bytes already read (streams) */
	struct unix_addr *from; /* [I] the sender's name (a reference), NULL: unnamed */
	struct unix_cred cred;  /* [I] the sender's, at the send (zeros: none) */
	bool cred_set;          /* [I] cred was given or taken (SO_PASSCRED at either end) */
	struct unix_fds *fds;   /* [U] SCM_RIGHTS files, NULL: none */
	char data[];
};

struct unix_sock {
	struct mutex lock;         /* the [U] lock */
	int refs;                  /* [a] its socket, a peer, the name table, a waiter */
	int type;                  /* [I] SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	struct socket *sock;       /* [U] the layer's socket, NULL once released */
	struct waitq *wq;          /* [I] &sock->wq: readers and pollers (valid until released) */
	bool dead;                 /* [U] released: nothing is queued to it any more */
	bool embryo;               /* [U] made by connect(), not accepted yet */
	enum unix_state state;     /* [U] */
	struct unix_sock *peer;    /* [U] a reference: the connected peer (kept after it died) */
	struct unix_addr *addr;    /* [U] its name, NULL: unbound */
	struct path path;          /* [U] a name in the file system: its inode (mnt NULL: none) */
	struct list_node queue;    /* [U] struct unix_msg, oldest first */
	size_t qbytes;             /* [U,a] charged bytes on queue */
	unsigned qlen;             /* [U,a] messages on queue */
	int limit;                 /* [a] SO_RCVBUF as last seen: the bound on qbytes */
	unsigned inflight_unix;    /* [U] AF_UNIX socket files held by queue's messages */
	struct list_node accq;     /* [U] a listener's embryos (struct unix_sock by acc_link) */
	unsigned naccq;            /* [U] entries on accq */
	unsigned backlog;          /* [U] a listener's bound on naccq (naccq > backlog: full) */
	struct list_node acc_link; /* [U of the listener] on its accq */
	unsigned shutdown;         /* [U] UNIX_SHUT_* */
	int err;                   /* [U] pending -errno for the next call (ECONNRESET) */
	struct unix_cred peercred; /* [U] SO_PEERCRED */
	bool has_peercred;         /* [U] */
	struct waitq peer_wait;    /* senders (and connectors) waiting for room here */
	struct waiter hook;       /* on hooked->peer_wait: wakes our senders when the peer drains */
	struct unix_sock *hooked; /* [U] the peer whose peer_wait has hook, NULL: none */
	struct list_node all;     /* [G] on the list of every socket (/proc/net/unix) */
	struct unix_sock *bound_next; /* [N] the name table's chain */
	bool in_names;                /* [U] it went into the name table (bind, autobind) */
	uint64_t ino; /* [a] the socket file's inode number (/proc/net/unix), 0: none */
};

/* ---- unix.c: sockets, names, waiting ---- */

/* Every socket by unix_sock.all ([G], /proc/net/unix); release clears ->sock under it. */
extern struct mutex unix_all_lock;
extern struct list_node unix_all;

struct unix_sock *unix_sock_new(struct socket *s, int type);
void unix_sock_get(struct unix_sock *u);
void unix_sock_put(struct unix_sock *u);
struct unix_sock *unix_of(struct socket *s);
/* The ops of @type's sockets. */
const struct sock_ops *unix_ops_for(int type);

void unix_addr_get(struct unix_addr *a);
void unix_addr_put(struct unix_addr *a);
/*
 * Check a sockaddr_un of @len bytes (Linux's unix_validate_addr): 0 or
 * -EINVAL.
 */
int __must_check unix_addr_check(const void *addr, size_t len);
/*
 * The socket bound to the name @addr/@len for @type, with a reference:
 * a path (walked, MAY_WRITE, -ENOENT, -EACCES, -ECONNREFUSED when nobody
 * is bound there, -EPROTOTYPE for another type) or an abstract name
 * (-ECONNREFUSED when unbound). May sleep.
 */
int __must_check unix_find(const void *addr, size_t len, int type, struct unix_sock **out);
/* Give @u an abstract name of five hex digits if it has none (autobind). 0 or -errno. */
int __must_check unix_autobind(struct unix_sock *u);
/* The calling process's credentials as struct ucred. */
struct unix_cred unix_cred_current(void);

/* Connect @u's hook to @peer's peer_wait (replacing an old one); with [U] of @u held. */
void unix_hook_locked(struct unix_sock *u, struct unix_sock *peer) __must_hold(&u->lock);
void unix_unhook_locked(struct unix_sock *u) __must_hold(&u->lock);

/*
 * Wait on @wq until @ready(@ctx), as sock_wait(): 0, -EAGAIN (@nonblock,
 * or @timeout_ns passed), -ERESTARTSYS (a signal; -EINTR with a timeout).
 * No lock held.
 */
int __must_check unix_wait(struct waitq *wq, bool (*ready)(void *ctx), void *ctx, bool nonblock,
                           uint64_t timeout_ns);

/* Wake @u's readers (with [U] held: its socket is alive) / the senders waiting for room in @u. */
void unix_wake_readers(struct unix_sock *u, unsigned events);
/*
 * A message about to be queued on the live @to: the sender's credentials
 * if it carries none yet and @to has SO_PASSCRED (Linux's
 * unix_maybe_add_creds() looks at both ends).
 */
void unix_msg_cred_fill_locked(struct unix_sock *to, struct unix_msg *m) __must_hold(&to->lock);
void unix_wake_senders(struct unix_sock *u);
/*
 * Whether @u's queue has no room for a sender: its charged bytes reached
 * its SO_RCVBUF, or (@count_limit: a datagram from a socket @u is not
 * connected to) it holds more than UNIX_DGRAM_QLEN messages. Lockless: a
 * waiter's test; senders test it again under [U].
 */
bool unix_queue_full(const struct unix_sock *u, bool count_limit);
/* Add @m to @u's queue and charge it. */
void unix_queue_add_locked(struct unix_sock *u, struct unix_msg *m) __must_hold(&u->lock);
/* Take @m off @u's queue (it was read); the caller frees it. */
void unix_queue_del_locked(struct unix_sock *u, struct unix_msg *m) __must_hold(&u->lock);

/* Shared by the types: getname, socket options, ioctl, shutdown, poll. */
int unix_shutdown(struct socket *s, int how);
unsigned unix_poll(struct socket *s, struct poll_table *pt);
int unix_getname(struct socket *s, void *addr, size_t *len, bool peer);
int unix_getsockopt(struct socket *s, int level, int name, void *val, size_t *len);
int unix_setsockopt(struct socket *s, int level, int name, const void *val, size_t len);
long unix_ioctl(struct socket *s, unsigned cmd, uintptr_t arg);
int unix_bind(struct socket *s, const void *addr, size_t len);
void unix_release(struct socket *s);

/* ---- unix_stream.c: SOCK_STREAM and SOCK_SEQPACKET ---- */

extern const struct sock_ops unix_stream_ops;
extern const struct sock_ops unix_seqpacket_ops;
/* socketpair() of two connection-oriented sockets. */
void unix_connect_pair_locked(struct unix_sock *a, struct unix_sock *b) __must_hold(&a->lock)
	__must_hold(&b->lock);
/* A listener went away: drop its embryos (each as a close). */
void unix_drop_embryos(struct unix_sock *listener);
/* Tell @peer that @u closed (with @unread: data was left unread, ECONNRESET). */
void unix_peer_closed(struct unix_sock *peer, struct unix_sock *u, bool unread);

/* ---- unix_dgram.c: SOCK_DGRAM ---- */

extern const struct sock_ops unix_dgram_ops;
/* Whole messages, for SOCK_DGRAM and (connected, checked first) SOCK_SEQPACKET. */
long unix_dgram_sendmsg(struct socket *s, struct sock_msg *sm, unsigned flags, bool nonblock);
long unix_dgram_recvmsg(struct socket *s, struct sock_msg *sm, unsigned flags, bool nonblock);

/* ---- unix_scm.c: messages and their control data ---- */

/* What sendmsg's control data asked for. */
struct unix_scm {
	struct unix_cred cred; /* explicit SCM_CREDENTIALS */
	bool has_cred;         /* cred was given */
	struct unix_fds *fds;  /* SCM_RIGHTS, NULL: none */
};
/*
 * Parse sendmsg's control data (kernel memory) into @scm: -EINVAL (a
 * malformed cmsg, too many descriptors, an unknown type), -EBADF, -EPERM
 * (credentials that are not the caller's), -ENOMEM.
 */
int __must_check unix_scm_parse(const struct sock_msg *sm, struct unix_scm *scm);
void unix_scm_destroy(struct unix_scm *scm);
/*
 * Whether queuing @fds on @to would make a cycle of sockets holding each
 * other in flight (Cairn's rule instead of Linux's garbage collector,
 * docs/unix-sockets.md): -ETOOMANYREFS then. Call with unix_gc_lock held
 * (unix_gc_lock() / unix_gc_unlock() around the check and the queuing).
 */
int __must_check unix_inflight_check_locked(const struct unix_fds *fds, struct unix_sock *to);
void unix_gc_lock(void);
void unix_gc_unlock(void);

/* A message with room for @len bytes (m->len = @len), the rest zeroed; NULL without memory. */
struct unix_msg *unix_msg_alloc(size_t len);
/*
 * Free @m: its name, and its files, which wait for unix_drain(): putting
 * a socket's file may release it, which takes socket locks, so nobody
 * puts files under a socket's lock.
 */
void unix_msg_free(struct unix_msg *m);
/*
 * Put the files freed messages left, in a loop (one task at a time; a
 * nested call returns at once and the outer loop takes its files). Call
 * with no socket lock held, at the end of every call that freed messages.
 */
void unix_drain(void);
/*
 * Fill recvmsg's control buffer: SCM_CREDENTIALS (@cred) when @passcred,
 * then SCM_RIGHTS, @fds's files installed as descriptors (O_CLOEXEC with
 * MSG_CMSG_CLOEXEC in @flags; MSG_CTRUNC when they do not fit, the rest
 * closed). Takes @fds over, unless @peek: then duplicates are installed
 * and @fds stays the caller's. Sets sm->controllen and sm->out_flags.
 * Task context (installs descriptors in the caller's table).
 */
void unix_scm_recv(struct sock_msg *sm, const struct unix_cred *cred, struct unix_fds *fds,
                   bool passcred, unsigned flags, bool peek);
/*
 * The credentials a message carries: the explicit ones, else the
 * sender's real ids when the sender or the receiver asked (SO_PASSCRED),
 * else none (zeros), as Linux's unix_maybe_add_creds().
 */
struct unix_cred unix_msg_cred(const struct unix_scm *scm, bool passcred);
