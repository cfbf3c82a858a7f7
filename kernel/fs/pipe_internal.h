/* SPDX-License-Identifier: MIT */
/*
 * The pipe itself, shared by fs/pipe.c (the ring, read, write, poll and
 * the pipe calls) and fs/fifo.c (FIFO opens). A pipe is a ring of slots,
 * each a page with a run of bytes in it, as Linux's pipe_buffer ring is,
 * so writes merge and fill the same way as there (a differential test
 * counting how many writes fit sees the same number).
 *
 * Locks: [P] the pipe's mutex (reads and writes copy user memory under
 * it, which may sleep); [I] fixed once published; [a] atomic. Fields the
 * lockless waiters and poll read ([P,a]) are written under [P] and read
 * with atomic loads. Order: a FIFO inode's lock, then the pipe's mutex.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "sched/sync.h"
#include "sched/wait.h"

struct file;
struct inode;

struct pipe_buf {
	uint64_t page; /* [P] physical address of its page, 0: none */
	uint32_t off;  /* [P] first byte in the page */
	uint32_t len;  /* [P] bytes */
	bool packet;   /* [P] O_DIRECT: one write, read whole or cut */
};

struct pipe {
	struct mutex lock;     /* the [P] lock */
	struct waitq rd_wait;  /* readers: bytes came, the last writer left, a FIFO partner */
	struct waitq wr_wait;  /* writers: a slot freed, the last reader left, a FIFO partner */
	struct pipe_buf *bufs; /* [P] the ring, nslots entries */
	unsigned nslots;       /* [P,a] a power of two */
	unsigned head, tail;   /* [P,a] free-running: slot head - 1 is the newest */
	unsigned readers;      /* [P,a] open read ends */
	unsigned writers;      /* [P,a] open write ends */
	unsigned r_counter;    /* [P,a] read opens so far (a FIFO writer waits for it to move) */
	unsigned w_counter;    /* [P,a] write opens so far */
	bool polled;           /* [a] somebody polled it: wake readers on every write (EPOLLET) */
	uint64_t spare;        /* [P] a page kept for the next slot, 0: none */
	struct inode *fifo;    /* [I] the FIFO's inode, NULL: an anonymous pipe */
};

extern const struct file_ops pipe_fops;

/* A pipe with no ends and PIPE_DEF_SIZE of slots, or NULL. */
struct pipe *pipe_alloc(void);
void pipe_free(struct pipe *p);

/* Wake the readers / writers (and the pollers of each side) with @events. */
void pipe_wake_readers(struct pipe *p, unsigned events);
void pipe_wake_writers(struct pipe *p, unsigned events);

/*
 * Sleep until @cond(@p) holds or a signal comes, without the pipe's lock.
 * 0 or -ERESTARTSYS.
 */
int pipe_wait_on(struct pipe *p, struct waitq *wq, bool (*cond)(struct pipe *p, unsigned arg),
                 unsigned arg);

/*
 * An end of @p went away (@fmode: FMODE_READ and/or FMODE_WRITE): count it
 * off and free the pipe when it was the last; FIFOs detach from their
 * inode (whose lock the caller does not hold).
 */
void pipe_end_put(struct pipe *p, unsigned fmode);
