// SPDX-License-Identifier: MIT
/*
 * The robust-futex list a thread registered with set_robust_list(): when
 * the thread ends holding such locks, each lock word that still names it
 * as owner gets FUTEX_OWNER_DIED and one waiter is woken, so the next
 * locker sees EOWNERDEAD instead of waiting for ever. Layout and rules:
 * Linux's Documentation/locking/robust-futex-ABI.rst. The word is updated
 * with a plain read and write, not an atomic compare-and-exchange: a
 * thread of the same process changing it at the same instant can lose its
 * update (Linux's futex_atomic_cmpxchg_inatomic is not here yet).
 */
#include <stdint.h>

#include "mm/uaccess.h"
#include "proc/internal.h"

#define FUTEX_WAITERS     0x80000000u
#define FUTEX_OWNER_DIED  0x40000000u
#define FUTEX_TID_MASK    0x3fffffffu
#define ROBUST_LIST_LIMIT 2048 /* entries walked at most (Linux's limit against loops) */

/* struct robust_list_head as user space lays it out (x86_64). */
struct robust_head {
	uint64_t next;            /* the first entry, or the head itself when empty */
	int64_t futex_offset;     /* from an entry to its lock word */
	uint64_t list_op_pending; /* an entry being added or removed, or 0 */
};

/* Mark the lock word at @uaddr as left by its dead owner @tid and wake one waiter. */
static void robust_release(uintptr_t uaddr, int tid)
{
	uint32_t word, nw;

	if (copy_from_user(&word, (const void *)uaddr, sizeof(word)))
		return;
	if ((word & FUTEX_TID_MASK) != (uint32_t)tid)
		return;
	nw = (word & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
	if (copy_to_user((void *)uaddr, &nw, sizeof(nw)))
		return;
	if (word & FUTEX_WAITERS)
		(void)futex_wake_addr(uaddr, 1);
}

void proc_robust_list_exit(struct thread *t)
{
	struct robust_head head;
	uint64_t entry, next, pending, at = t->robust_list;
	unsigned limit = ROBUST_LIST_LIMIT;

	t->robust_list = 0;
	if (!at || copy_from_user(&head, (const void *)at, sizeof(head)))
		return;
	pending = head.list_op_pending & ~1ull; /* bit 0: a PI futex */
	entry = head.next & ~1ull;
	while (entry != at && limit--) {
		if (copy_from_user(&next, (const void *)entry, sizeof(next)))
			break;
		if (entry != pending)
			robust_release((uintptr_t)(entry + (uint64_t)head.futex_offset), t->tid);
		entry = next & ~1ull;
	}
	if (pending)
		robust_release((uintptr_t)(pending + (uint64_t)head.futex_offset), t->tid);
}
