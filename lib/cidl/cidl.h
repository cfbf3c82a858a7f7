/* SPDX-License-Identifier: MIT */
/*
 * The runtime of the code tools/cidl/cidlc.py generates from .cidl files:
 * bounds-checked writers and readers of the little-endian wire format
 * (docs/cidl.md). Freestanding, so the same generated code links into the
 * kernel, the host tests and user programs. Errors are sticky: the first
 * one is kept in ->err, every later put or get does nothing (a get gives
 * 0), and the generated code checks ->err once at the end.
 */
#pragma once

#include <cairn/ipc.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Error numbers (Linux's values, as include/cairn/errno.h) named here so
 * that user programs can include this header beside the C library's
 * <errno.h>; lib/cidl/cidl.c checks that they match. Functions return them
 * negated.
 */
#define CIDL_ENODATA         61 /* ENODATA: the message ends before a field does */
#define CIDL_EBADMSG         74 /* EBADMSG: a value or header field not allowed */
#define CIDL_EOVERFLOW       75 /* EOVERFLOW: a length or count past its maximum */
#define CIDL_EBADF           9  /* EBADF: a handle index wrong, reused, or a handle unused */
#define CIDL_EACCES          13 /* EACCES: a handle of the wrong type or without a right */
#define CIDL_ENOSPC          28 /* ENOSPC: encoding: the buffer or handle array is full */
#define CIDL_EINVAL          22 /* EINVAL: encoding: a value the protocol does not allow */
#define CIDL_EPROTONOSUPPORT 93 /* EPROTONOSUPPORT: a wire format version not known */
#define CIDL_EOPNOTSUPP      95 /* EOPNOTSUPP: a server: no such ordinal or no handler */
#define CIDL_EPIPE           32 /* EPIPE: the channel's other end has closed (stubs) */
#define CIDL_EBADFD          77 /* EBADFD: a handle of the wrong type (stubs) */
#define CIDL_ELOOP           40 /* ELOOP: a channel end sent into itself (stubs) */

/* The header every message starts with (docs/cidl.md, "Wire format"). */
#define CIDL_HEADER_BYTES 16u
#define CIDL_MAGIC        0x4943u /* "CI", little-endian */
#define CIDL_WIRE_VERSION 1u
#define CIDL_FLAG_REPLY   0x01u /* a request's reply (same ordinal) */
#define CIDL_FLAG_ERROR   0x02u /* with REPLY: the body is an i32 -errno, nothing else */
#define CIDL_FLAGS_KNOWN  0x03u
#define CIDL_NO_HANDLE    0xffffffffu /* the body's index of an absent optional handle */
#define CIDL_HANDLE_NONE  (-1)        /* C: an absent optional handle */
#define CIDL_MAX_HANDLES  64u         /* CAIRN_MSG_MAX_HANDLES: the reader's used-bit map */
#define CIDL_MAX_BYTES    65536u      /* CAIRN_MSG_MAX_BYTES */

/* A view of bytes (string<N>, bytes<N>): decoding points it into the message. */
struct cidl_bytes {
	const uint8_t *data; /* not NUL-terminated; NULL when len is 0 after a decode */
	uint32_t len;        /* bytes */
};

/* A message's header, as cidl_peek() reads it. */
struct cidl_header {
	uint32_t ordinal;
	uint32_t body_len; /* bytes after the header */
	uint16_t version;  /* the sender's protocol version */
	uint8_t flags;     /* CIDL_FLAG_* */
	uint8_t wire;      /* CIDL_WIRE_VERSION */
};

/* Where a message is encoded: its bytes and the handles it moves. */
struct cidl_writer {
	uint8_t *buf;                      /* bytes */
	uint32_t cap;                      /* room in buf */
	uint32_t len;                      /* bytes written */
	struct cairn_handle_xfer *handles; /* the message's handle array (may be NULL if hcap 0) */
	uint32_t hcap;                     /* room in handles */
	uint32_t nhandles;                 /* handles added */
	uint32_t body;                     /* offset of the body (after the header) */
	int err;                           /* the first error, or 0 */
};

/* A received message being decoded: every get checks it against len. */
struct cidl_reader {
	const uint8_t *buf;
	uint32_t len;
	uint32_t pos;
	const struct cairn_handle_xfer *handles; /* as the channel read filled them */
	uint32_t nhandles;
	uint64_t used; /* bit i: handle i was taken by a field */
	int err;
};

void cidl_writer_init(struct cidl_writer *w, void *buf, uint32_t cap,
                      struct cairn_handle_xfer *handles, uint32_t hcap);
void cidl_reader_init(struct cidl_reader *r, const void *buf, uint32_t len,
                      const struct cairn_handle_xfer *handles, uint32_t nhandles);
/* Record err in the writer or reader unless an earlier error is there. */
void cidl_wfail(struct cidl_writer *w, int err);
void cidl_rfail(struct cidl_reader *r, int err);

/*
 * Read and check a message's header (magic, wire version, known flags,
 * reserved 0, body length equal to what follows). Returns 0, -CIDL_ENODATA
 * (shorter than a header or than its body length says), -CIDL_EBADMSG
 * (bad magic, flags or reserved field; bytes after the body) or
 * -CIDL_EPROTONOSUPPORT.
 */
int cidl_peek(const void *buf, uint32_t len, struct cidl_header *h);

/* Encoding: header (body length patched by cidl_end), then the body. */
void cidl_begin(struct cidl_writer *w, uint32_t ordinal, uint8_t flags, uint16_t version);
int cidl_end(struct cidl_writer *w);
void cidl_put_u8(struct cidl_writer *w, uint8_t v);
void cidl_put_u16(struct cidl_writer *w, uint16_t v);
void cidl_put_u32(struct cidl_writer *w, uint32_t v);
void cidl_put_u64(struct cidl_writer *w, uint64_t v);
void cidl_put_bool(struct cidl_writer *w, bool v);
void cidl_put_bytes(struct cidl_writer *w, const struct cidl_bytes *b, uint32_t max);
void cidl_put_string(struct cidl_writer *w, const struct cidl_bytes *s, uint32_t max);
/* A bounded array's count: -CIDL_EINVAL if past max. */
void cidl_put_count(struct cidl_writer *w, uint32_t n, uint32_t max);
/* Add fd to the handle array, typed (0: any) so the kernel checks it. */
void cidl_put_handle(struct cidl_writer *w, int32_t fd, uint32_t type, bool optional);

/* Decoding: header, body, then cidl_close() for what must be used up. */
void cidl_open(struct cidl_reader *r, uint32_t ordinal, uint8_t flags);
int cidl_close(struct cidl_reader *r);
uint8_t cidl_get_u8(struct cidl_reader *r);
uint16_t cidl_get_u16(struct cidl_reader *r);
uint32_t cidl_get_u32(struct cidl_reader *r);
uint64_t cidl_get_u64(struct cidl_reader *r);
bool cidl_get_bool(struct cidl_reader *r);
/* An optional field's tag: 0 or 1, else -CIDL_EBADMSG. */
bool cidl_get_tag(struct cidl_reader *r);
void cidl_get_bytes(struct cidl_reader *r, struct cidl_bytes *b, uint32_t max);
void cidl_get_string(struct cidl_reader *r, struct cidl_bytes *s, uint32_t max);
uint32_t cidl_get_count(struct cidl_reader *r, uint32_t max);
int32_t cidl_get_handle(struct cidl_reader *r, uint32_t type, uint32_t rights, bool optional);
/* An enum value not among its members. */
void cidl_bad_enum(struct cidl_reader *r);

/* Whether len bytes at s are well-formed UTF-8 (no overlong forms or surrogates). */
bool cidl_utf8_valid(const uint8_t *s, uint32_t len);

/*
 * An error reply (CIDL_FLAG_REPLY|CIDL_FLAG_ERROR): its body is err, a
 * -errno, as an i32. Replaces whatever w held.
 */
int cidl_encode_error(struct cidl_writer *w, uint32_t ordinal, uint16_t version, int err);

/*
 * The stubs' state (NAME_client.c, NAME_server.c; user programs only).
 * A client: its channel end, the deadline of its calls, and one buffer for
 * the request and then the reply (a reply's views point into buf).
 */
struct cidl_client {
	int32_t handle;               /* the channel end: READ|WRITE */
	int64_t deadline;             /* absolute CLOCK_MONOTONIC ns, or CAIRN_DEADLINE_NEVER */
	uint8_t *buf;                 /* the request's bytes, then the reply's */
	uint32_t cap;                 /* room in buf */
	struct cairn_handle_xfer *hx; /* the request's handles, then the reply's */
	uint32_t hcap;                /* room in hx */
};

/* A server's buffers: room for any message a channel can carry. */
struct cidl_serve_buf {
	uint8_t rx[CIDL_MAX_BYTES];
	uint8_t tx[CIDL_MAX_BYTES];
	struct cairn_handle_xfer rxh[CIDL_MAX_HANDLES];
	struct cairn_handle_xfer txh[CIDL_MAX_HANDLES];
};
