/* SPDX-License-Identifier: MIT */
/*
 * Cairn's own ABI for handles, channels, memory objects and device
 * objects (issue 15): the stable interface user programs compile against,
 * beside Linux's. docs/abi.md is its reference; the rules it keeps:
 *
 * - Numbers: Cairn's calls are CAIRN_SYS_BASE (1024) and up, far above
 *   Linux's x86_64 table and its x32 range (512..547). A Linux kernel
 *   answers them -ENOSYS, so a program can tell where it runs. A number,
 *   once given out, keeps its meaning for ever; a call that changes shape
 *   gets a new number and the old one keeps working.
 * - Results: a value >= 0, or -errno (Linux's errno values,
 *   include/cairn/errno.h), as every Linux call.
 * - Structures: fixed-width fields, little-endian (both x86_64 and aarch64
 *   are), naturally aligned with no implicit padding (every hole is a
 *   named `reserved` field that must be 0), pointers carried as uint64_t
 *   so a 32-bit port has the same layout. Each size is checked below.
 * - Growth: a structure the kernel fills is passed with its size; the
 *   kernel writes min(size, its own size) bytes and the caller reads the
 *   rest as absent (new fields are only appended, and 0 always means "not
 *   known"). A size below the first version's is -EINVAL. Flags and
 *   rights bits the kernel does not know are -EINVAL, never ignored, so a
 *   new bit can be given meaning later without old kernels misreading it.
 * - Version: cairn_abi_version() returns CAIRN_ABI_VERSION of the kernel;
 *   the major number changes only if an old program could break (never
 *   planned), the minor number when calls or fields are added.
 *
 * Handles are file descriptors: each one is an open file that refers to a
 * kernel object and carries the rights this handle grants over it. So
 * close(2), poll(2), epoll, fork and exec (O_CLOEXEC) work on them as on
 * any descriptor, and RLIMIT_NOFILE bounds how many a process holds.
 * dup(2) shares one handle (same rights); cairn_handle_dup() makes a new
 * one with the same or fewer rights. Nothing reaches a Cairn object
 * except through a handle: there is no name or number to look one up by.
 */
#pragma once

#include <stdint.h>

#define CAIRN_ABI_VERSION_MAJOR 1
#define CAIRN_ABI_VERSION_MINOR 0
#define CAIRN_ABI_VERSION       ((CAIRN_ABI_VERSION_MAJOR << 16) | CAIRN_ABI_VERSION_MINOR)

/* ---- system-call numbers (CAIRN_SYS_MEMSTAT = 1024 is in cairn_sys.h) ---- */

#define CAIRN_SYS_ABI_VERSION    1025 /* () -> CAIRN_ABI_VERSION */
/* (struct cairn_objcount *out, uint64_t size) -> 0: kernel objects that exist */
#define CAIRN_SYS_OBJECT_COUNT   1026
/* (int h, uint32_t rights, uint32_t flags) -> a new handle to the same object */
#define CAIRN_SYS_HANDLE_DUP     1027
/* (int h, struct cairn_handle_info *out, uint64_t size) -> 0 */
#define CAIRN_SYS_HANDLE_INFO    1028
/* (struct cairn_wait_item *items, uint32_t n, int64_t deadline_ns) -> items ready */
#define CAIRN_SYS_WAIT_MANY      1029
/* (int32_t out[2], uint32_t flags) -> 0: a connected pair of channel ends */
#define CAIRN_SYS_CHANNEL_CREATE 1030
/* (int h, const struct cairn_msg *m, uint32_t flags) -> 0 */
#define CAIRN_SYS_CHANNEL_WRITE  1031
/* (int h, struct cairn_msg *m, uint32_t flags) -> 0 */
#define CAIRN_SYS_CHANNEL_READ   1032
/* (int h, struct cairn_call *c, int64_t deadline_ns) -> 0 */
#define CAIRN_SYS_CHANNEL_CALL   1033
/* (uint64_t size, uint32_t flags) -> a handle to a new memory object */
#define CAIRN_SYS_VMO_CREATE     1034
/* (int h, void *buf, uint64_t offset, uint64_t len) -> 0 */
#define CAIRN_SYS_VMO_READ       1035
/* (int h, const void *buf, uint64_t offset, uint64_t len) -> 0 */
#define CAIRN_SYS_VMO_WRITE      1036
/* (int h, uint64_t *size_out) -> 0 */
#define CAIRN_SYS_VMO_GET_SIZE   1037
/* (int h, uint64_t size) -> 0: needs CAIRN_RIGHT_MANAGE */
#define CAIRN_SYS_VMO_SET_SIZE   1038
/* (uint32_t flags) -> a handle to the calling process */
#define CAIRN_SYS_PROCESS_SELF   1039
/* (uint32_t flags) -> a handle to the calling thread */
#define CAIRN_SYS_THREAD_SELF    1040
/* (int h) -> 0: end the process or thread (as SIGKILL); needs CAIRN_RIGHT_MANAGE */
#define CAIRN_SYS_TASK_KILL      1041
/* (int h) -> 0: an interrupt was handled; unmask it (needs CAIRN_RIGHT_WRITE) */
#define CAIRN_SYS_IRQ_ACK        1042
/* (int h, uint32_t offset, uint32_t width) -> the value read (width 1, 2 or 4) */
#define CAIRN_SYS_IOPORT_READ    1043
/* (int h, uint32_t offset, uint32_t width, uint32_t value) -> 0 */
#define CAIRN_SYS_IOPORT_WRITE   1044
#define CAIRN_SYS_IPC_END        1045 /* one past the last Cairn call */

/* ---- object types ---- */

#define CAIRN_OBJ_NONE    0
#define CAIRN_OBJ_CHANNEL 1 /* one end of a channel */
#define CAIRN_OBJ_VMO     2 /* a memory object */
#define CAIRN_OBJ_PROCESS 3
#define CAIRN_OBJ_THREAD  4
#define CAIRN_OBJ_IRQ     5 /* one interrupt line */
#define CAIRN_OBJ_IOPORT  6 /* a range of I/O ports (x86's port space) */
#define CAIRN_OBJ_MMIO    7 /* a range of device memory */
#define CAIRN_OBJ_TYPES   8 /* one past the last: cairn_objcount.objects[] */

/* ---- rights: what a handle allows ---- */

#define CAIRN_RIGHT_READ        (1u << 0) /* read messages, memory, ports */
#define CAIRN_RIGHT_WRITE       (1u << 1) /* send messages; write memory, ports; ack an irq */
#define CAIRN_RIGHT_DUPLICATE   (1u << 2) /* cairn_handle_dup() */
#define CAIRN_RIGHT_TRANSFER    (1u << 3) /* move it through a channel */
#define CAIRN_RIGHT_WAIT        (1u << 4) /* cairn_wait_many(), poll(2), epoll */
#define CAIRN_RIGHT_MAP         (1u << 5) /* mmap(2) it (memory objects, MMIO ranges) */
#define CAIRN_RIGHT_EXECUTE     (1u << 6) /* mmap(2) it with PROT_EXEC */
#define CAIRN_RIGHT_INSPECT     (1u << 7) /* sizes and other properties */
#define CAIRN_RIGHT_MANAGE      (1u << 8) /* kill a process or thread, resize a memory object */
#define CAIRN_RIGHTS_ALL        0x1ffu
/* In cairn_handle_dup() and a transfer: every right the handle has. */
#define CAIRN_RIGHT_SAME_RIGHTS (1u << 31)

/* ---- signals: the state cairn_wait_many() waits for ---- */

#define CAIRN_SIG_READABLE    (1u << 0) /* a message is queued (poll: POLLIN) */
#define CAIRN_SIG_WRITABLE    (1u << 1) /* the peer's queue has room (POLLOUT) */
#define CAIRN_SIG_PEER_CLOSED (1u << 2) /* the other end's last handle closed (POLLHUP) */
#define CAIRN_SIG_SIGNALED    (1u << 3) /* an interrupt fired and is not acked (POLLIN) */
#define CAIRN_SIG_TERMINATED  (1u << 4) /* the process or thread ended (POLLIN) */

/* ---- flags ---- */

#define CAIRN_HANDLE_CLOEXEC 1u /* dup, create, *_SELF, read: the new handles close on exec */
#define CAIRN_MSG_WAIT       2u /* read: block until a message or the peer closes; write: for room */

#define CAIRN_CALL_REPLY_WAIT \
	1u /* call: wr is a reply (its txid kept); then read the next message */

/*
 * Deadlines are absolute CLOCK_MONOTONIC times in nanoseconds:
 * CAIRN_DEADLINE_NEVER waits for ever; 0 (or any time past) looks once
 * and does not wait.
 */
#define CAIRN_DEADLINE_NEVER INT64_MAX

/*
 * Errors every call may return, with one meaning each:
 *   -EBADF      not an open descriptor
 *   -EBADFD     a descriptor, but not a handle of the type the call needs
 *   -EACCES     the handle lacks a right the call needs
 *   -EINVAL     unknown flags or rights bits, a reserved field not 0
 *   -EFAULT     a user address that cannot be read or written
 *   -EPIPE      the other end of the channel has closed
 *   -EAGAIN     nothing to read, or no room to write, without CAIRN_MSG_WAIT
 *   -EMSGSIZE   more than CAIRN_MSG_MAX_BYTES bytes or CAIRN_MSG_MAX_HANDLES handles
 *   -ENOBUFS    a read's buffers are too small (the sizes needed written back)
 *   -EMFILE     the reader's descriptor table cannot take the message's handles
 *   -ELOOP      the transfer would put a channel end inside its own queue
 *   -ETIMEDOUT  the deadline passed
 *   -EINTR      a signal came first (no byte or handle moved)
 */

/* ---- limits ---- */

#define CAIRN_MSG_MAX_BYTES   65536u     /* bytes in one message */
#define CAIRN_MSG_MAX_HANDLES 64u        /* handles in one message */
#define CAIRN_WAIT_MAX_ITEMS  64u        /* items in one cairn_wait_many() */
#define CAIRN_TXID_CALL       (1u << 31) /* set in every txid the kernel gives a call */

/* ---- structures ---- */

/* One handle moved through a channel. */
struct cairn_handle_xfer {
	int32_t handle; /* write: the handle to move (it leaves the sender); read: its new number */
	uint32_t type;  /* write: 0, or the CAIRN_OBJ_* it must be; read: its type */
	uint32_t rights; /* write: the rights it carries (<= its own, or SAME_RIGHTS); read: them */
	uint32_t reserved; /* 0 */
};

/*
 * A message to write or a buffer to read one into. A write moves all of
 * it or nothing: on any error no byte and no handle has moved and the
 * sender still holds every handle. A read whose buffers are too small
 * fails with -ENOBUFS, stores the sizes needed in nbytes and nhandles and
 * leaves the message queued; one whose handles do not fit the reader's
 * descriptor table fails with -EMFILE, the message also left queued.
 */
struct cairn_msg {
	uint64_t bytes;    /* user address of the bytes */
	uint64_t handles;  /* user address of a struct cairn_handle_xfer array */
	uint32_t nbytes;   /* write: bytes to send; read: room in, length out */
	uint32_t nhandles; /* write: handles to move; read: room in, count out */
	uint32_t txid;     /* write: 0, or a call's txid when answering it; read: the message's */
	uint32_t reserved; /* 0 */
};

/*
 * cairn_channel_call(): write wr, then wait for the reply and read it into
 * rd. The kernel gives wr a fresh txid (CAIRN_TXID_CALL set); the reply is
 * the first message the other end writes with that txid, and it goes to
 * this call only. With CAIRN_CALL_REPLY_WAIT (a server's loop) wr is a
 * reply (its txid as the caller set it; nbytes 0 and nhandles 0 with txid
 * 0 writes nothing) and rd gets the next message of any txid.
 */
struct cairn_call {
	struct cairn_msg wr;
	struct cairn_msg rd;
	uint32_t flags;    /* CAIRN_CALL_* */
	uint32_t reserved; /* 0 */
};

/* One object cairn_wait_many() watches. */
struct cairn_wait_item {
	int32_t handle;    /* needs CAIRN_RIGHT_WAIT */
	uint32_t want;     /* CAIRN_SIG_* to wait for */
	uint32_t got;      /* out: the signals active when the call returned */
	uint32_t reserved; /* 0 */
};

#define CAIRN_HANDLE_INFO_SIZE_V1 24
struct cairn_handle_info {
	uint32_t type;    /* CAIRN_OBJ_* */
	uint32_t rights;  /* CAIRN_RIGHT_* this handle has */
	uint64_t koid;    /* the object's id: unique for the boot, never reused */
	uint32_t signals; /* CAIRN_SIG_* active now */
	uint32_t reserved;
};

#define CAIRN_OBJCOUNT_VERSION 1
#define CAIRN_OBJCOUNT_SIZE_V1 120
/* Kernel objects that exist now, for tests that must find nothing leaked. */
struct cairn_objcount {
	uint32_t version;                  /* CAIRN_OBJCOUNT_VERSION */
	uint32_t size;                     /* bytes the kernel filled */
	uint64_t objects[CAIRN_OBJ_TYPES]; /* live objects by CAIRN_OBJ_* (index 0: unused) */
	uint64_t handles;                  /* handles (open handle files) of every type */
	uint64_t messages;                 /* messages queued in channels */
	uint64_t message_bytes;            /* their bytes */
	uint64_t handles_in_flight;        /* handles inside those messages */
	uint64_t vmo_pages;                /* pages committed to memory objects */
	uint64_t reserved;
};

_Static_assert(sizeof(struct cairn_handle_xfer) == 16, "cairn_handle_xfer layout is ABI");
_Static_assert(sizeof(struct cairn_msg) == 32, "cairn_msg layout is ABI");
_Static_assert(sizeof(struct cairn_call) == 72, "cairn_call layout is ABI");
_Static_assert(sizeof(struct cairn_wait_item) == 16, "cairn_wait_item layout is ABI");
_Static_assert(sizeof(struct cairn_handle_info) == CAIRN_HANDLE_INFO_SIZE_V1,
               "cairn_handle_info layout is ABI");
_Static_assert(sizeof(struct cairn_objcount) == CAIRN_OBJCOUNT_SIZE_V1,
               "cairn_objcount layout is ABI");
