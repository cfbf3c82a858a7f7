/* SPDX-License-Identifier: MIT */
/*
 * futex(2): WAIT, WAKE, REQUEUE, CMP_REQUEUE, WAKE_OP, WAIT_BITSET and
 * WAKE_BITSET, private or shared, with relative (WAIT) or absolute
 * (WAIT_BITSET, monotonic or realtime) timeouts. The PI operations answer
 * ENOSYS (docs/syscalls.md).
 *
 * Waiters hang on a hash of buckets by key. A bucket's lock is a mutex,
 * not a spinlock, because the waiter reads the user word while holding it:
 * the read may fault and sleep in the page-fault path, and reading under
 * the lock is what makes "compare, then sleep" atomic against a waker that
 * changes the word and then wakes (it needs the same lock to wake).
 */
#include "proc/futex.h"

#include <cairn/errno.h>
#include <cairn/linux/futex.h>
#include <cairn/linux/time.h>

#include <arch/page.h>
#include <lib/futex/futex_op.h>
#include <lib/list/list.h>
#include <lib/paging/paging.h>
#include <lib/timespec/timespec.h>

#include "core/kmain.h"
#include "mm/pmm.h"
#include "mm/uaccess.h"
#include "mm/uspace.h"
#include "sched/sync.h"
#include "syscall/internal.h"
#include "time/time.h"

#define FUTEX_HASH_BITS 6
#define FUTEX_BUCKETS   (1u << FUTEX_HASH_BITS)
#define FUTEX_PIN_TRIES 4 /* fault-in attempts before a pinned access gives up */

/* What identifies a futex: (space, user address), or (NULL, physical address) when shared. */
struct futex_key {
	const struct uspace *space;
	uint64_t addr;
};

struct futex_bucket;

/* Locks: [B] the lock of the bucket the waiter is on; [I] set before it is queued. */
struct futex_waiter {
	struct list_node link;       /* [B] on bucket->waiters */
	struct futex_key key;        /* [B] changes when requeued */
	uint32_t bitset;             /* [I] FUTEX_WAIT_BITSET's mask (all ones for WAIT) */
	struct futex_bucket *bucket; /* [B][a] written with both buckets' locks on requeue */
	bool woken;                  /* [B][a] a wake took it off the list */
	struct waitq wq;             /* the waiting task sleeps here */
};

struct futex_bucket {
	struct mutex lock;
	struct list_node waiters; /* [lock] struct futex_waiter by link, oldest first */
};

static struct futex_bucket futex_table[FUTEX_BUCKETS];
static bool futex_ready;        /* [a] futex_table initialised */
static unsigned futex_nwaiters; /* [a] waiters queued in all buckets */

/* Bucket setup on first use: no boot hook needed. Racing callers all initialise the same way. */
static struct spinlock futex_init_lock = SPINLOCK_INIT("futex.init");

static void futex_init_once(void)
{
	uint64_t flags;

	if (__atomic_load_n(&futex_ready, __ATOMIC_ACQUIRE))
		return;
	flags = spin_lock_irqsave(&futex_init_lock);
	if (!futex_ready) {
		for (unsigned i = 0; i < FUTEX_BUCKETS; i++) {
			mutex_init(&futex_table[i].lock, "futex.bucket");
			list_init(&futex_table[i].waiters);
		}
		__atomic_store_n(&futex_ready, true, __ATOMIC_RELEASE);
	}
	spin_unlock_irqrestore(&futex_init_lock, flags);
}

static struct futex_bucket *futex_bucket_of(const struct futex_key *k)
{
	uint64_t h = ((uint64_t)(uintptr_t)k->space ^ k->addr) * 0x9e3779b97f4a7c15ull;

	return &futex_table[h >> (64 - FUTEX_HASH_BITS)];
}

static bool key_eq(const struct futex_key *a, const struct futex_key *b)
{
	return a->space == b->space && a->addr == b->addr;
}

/*
 * Whether @va of @s lies in memory shared with other processes
 * (MAP_SHARED). The mm lane defines it; the weak default says no, so a
 * futex there is keyed like private memory (right within one process).
 */
bool uspace_shared_at(struct uspace *s, uintptr_t va);

__attribute__((weak)) bool uspace_shared_at(struct uspace *s, uintptr_t va)
{
	return false;
}

/* The key of user address @uaddr: 0, -EINVAL (misaligned) or -EFAULT. */
static int futex_key_of(uint64_t uaddr, bool private, struct futex_key *k)
{
	struct uspace *s = uspace_current();
	uint64_t pa;

	if (uaddr & 3)
		return -EINVAL;
	if (!s || !user_range_ok(uaddr, sizeof(uint32_t)))
		return -EFAULT;
	if (private || !uspace_shared_at(s, uaddr)) {
		*k = (struct futex_key){ .space = s, .addr = uaddr };
		return 0;
	}
	for (int i = 0; uspace_translate(s, uaddr, &pa, NULL) != 0; i++) {
		if (i == FUTEX_PIN_TRIES || uspace_fault(s, uaddr, UFAULT_USER) != 0)
			return -EFAULT;
	}
	*k = (struct futex_key){ .space = NULL, .addr = pa };
	return 0;
}

/*
 * Lock two buckets in address order, once when they are the same: the
 * analysis cannot follow the choice, so the callers see both as taken.
 */
static void bucket_lock2(struct futex_bucket *a, struct futex_bucket *b) __acquires(&a->lock)
	__acquires(&b->lock) __no_thread_safety_analysis
{
	if (a == b) {
		mutex_lock(&a->lock);
	} else if (a < b) {
		mutex_lock(&a->lock);
		mutex_lock(&b->lock);
	} else {
		mutex_lock(&b->lock);
		mutex_lock(&a->lock);
	}
}

static void bucket_unlock2(struct futex_bucket *a, struct futex_bucket *b) __releases(&a->lock)
	__releases(&b->lock) __no_thread_safety_analysis
{
	mutex_unlock(&a->lock);
	if (b != a)
		mutex_unlock(&b->lock);
}

/* Take @w off its bucket as woken and wake its task. Caller holds the bucket's lock. */
static void waiter_wake(struct futex_waiter *w)
{
	list_del(&w->link);
	__atomic_store_n(&w->woken, true, __ATOMIC_RELEASE);
	__atomic_sub_fetch(&futex_nwaiters, 1, __ATOMIC_RELAXED);
	/* The waiter takes this bucket's lock before it leaves, so @w outlives this call. */
	waitq_wake_all(&w->wq);
}

/* Wake up to @n waiters of @k whose bitset meets @bitset, in @b (locked). Returns how many. */
static int bucket_wake(struct futex_bucket *b, const struct futex_key *k, int n, uint32_t bitset)
{
	struct futex_waiter *w, *tmp;
	int woke = 0;

	list_for_each_entry_safe(w, tmp, &b->waiters, link) {
		if (!key_eq(&w->key, k) || !(w->bitset & bitset))
			continue;
		waiter_wake(w);
		/* As Linux: at least one is woken even for n <= 0. */
		if (++woke >= n)
			break;
	}
	return woke;
}

static bool waiter_woken(void *ctx)
{
	struct futex_waiter *w = ctx;

	return __atomic_load_n(&w->woken, __ATOMIC_ACQUIRE);
}

/*
 * Take @w off its bucket unless a wake already did; returns whether it was
 * woken. The bucket is the one @w is on now (a requeue may move it
 * meanwhile, so it is checked again under the lock). Holding that lock
 * also means a waker is done with @w.
 */
static bool waiter_leave(struct futex_waiter *w)
{
	for (;;) {
		struct futex_bucket *b = __atomic_load_n(&w->bucket, __ATOMIC_ACQUIRE);
		bool woken;

		mutex_lock(&b->lock);
		if (__atomic_load_n(&w->bucket, __ATOMIC_RELAXED) != b) {
			mutex_unlock(&b->lock);
			continue;
		}
		woken = __atomic_load_n(&w->woken, __ATOMIC_RELAXED);
		if (!woken) {
			list_del(&w->link);
			__atomic_sub_fetch(&futex_nwaiters, 1, __ATOMIC_RELAXED);
		}
		mutex_unlock(&b->lock);
		return woken;
	}
}

/*
 * Sleep on @k while the word at @uaddr holds @val, until a wake matching
 * @bitset, monotonic @deadline or a signal. Returns 0 (woken), -EAGAIN,
 * -EFAULT, -ETIMEDOUT or -ERESTARTSYS.
 */
static int futex_wait(uint64_t uaddr, const struct futex_key *k, uint32_t val, uint32_t bitset,
                      uint64_t deadline)
{
	struct futex_waiter w = { .key = *k, .bitset = bitset };
	struct futex_bucket *b = futex_bucket_of(k);
	uint32_t cur;
	int err;

	waitq_init(&w.wq, "futex");
	mutex_lock(&b->lock);
	if (copy_from_user(&cur, (const void *)uaddr, sizeof(cur))) {
		mutex_unlock(&b->lock);
		return -EFAULT;
	}
	if (cur != val) {
		mutex_unlock(&b->lock);
		return -EAGAIN;
	}
	w.bucket = b;
	list_add_tail(&b->waiters, &w.link);
	__atomic_add_fetch(&futex_nwaiters, 1, __ATOMIC_RELAXED);
	mutex_unlock(&b->lock);

	err = sys_wait(&w.wq, waiter_woken, &w, deadline);
	/* A wake that came with the timeout or the signal wins. */
	return waiter_leave(&w) ? 0 : err;
}

static int futex_wake(const struct futex_key *k, int n, uint32_t bitset)
{
	struct futex_bucket *b = futex_bucket_of(k);
	int woke;

	mutex_lock(&b->lock);
	woke = bucket_wake(b, k, n, bitset);
	mutex_unlock(&b->lock);
	return woke;
}

/* Move up to @n waiters of @k1 in @b1 to @k2 in @b2 (both locked). Returns how many. */
static int bucket_requeue(struct futex_bucket *b1, const struct futex_key *k1,
                          struct futex_bucket *b2, const struct futex_key *k2, int n)
{
	struct futex_waiter *w, *tmp;
	int moved = 0;

	list_for_each_entry_safe(w, tmp, &b1->waiters, link) {
		if (moved >= n)
			break;
		if (!key_eq(&w->key, k1))
			continue;
		w->key = *k2;
		if (b1 != b2) {
			list_del(&w->link);
			list_add_tail(&b2->waiters, &w->link);
			__atomic_store_n(&w->bucket, b2, __ATOMIC_RELEASE);
		}
		moved++;
	}
	return moved;
}

/*
 * FUTEX_REQUEUE and FUTEX_CMP_REQUEUE: wake up to @nwake waiters of @k1,
 * move up to @nmove of the rest to @k2; with @cmp, only while the word at
 * @uaddr still holds @val3 (else -EAGAIN). Returns woken + moved.
 */
static long futex_requeue(uint64_t uaddr, const struct futex_key *k1, const struct futex_key *k2,
                          int nwake, int nmove, bool cmp, uint32_t val3)
{
	struct futex_bucket *b1 = futex_bucket_of(k1), *b2 = futex_bucket_of(k2);
	long done = 0;
	uint32_t cur;

	if (nwake < 0 || nmove < 0)
		return -EINVAL;
	bucket_lock2(b1, b2);
	if (cmp) {
		if (copy_from_user(&cur, (const void *)uaddr, sizeof(cur))) {
			done = -EFAULT;
			goto out_unlock;
		}
		if (cur != val3) {
			done = -EAGAIN;
			goto out_unlock;
		}
	}
	if (nwake > 0)
		done = bucket_wake(b1, k1, nwake, FUTEX_BITSET_MATCH_ANY);
	done += bucket_requeue(b1, k1, b2, k2, nmove);
out_unlock:
	bucket_unlock2(b1, b2);
	return done;
}

/*
 * Pin the frame behind writable user address @uaddr: fault it in for
 * writing, take a reference, and check the address still maps it, so the
 * frame cannot be freed or reused while the kernel writes it through the
 * direct map. Returns 0 with the physical address in *@pa, or -EFAULT.
 */
static int futex_pin_writable(struct uspace *s, uint64_t uaddr, uint64_t *pa)
{
	for (int i = 0; i < FUTEX_PIN_TRIES; i++) {
		uint64_t p = 0, again = 0;
		uint32_t fl = 0;
		struct pmm_frame *f;

		if (uspace_translate(s, uaddr, &p, &fl) != 0 || !(fl & PT_WRITE)) {
			if (uspace_fault(s, uaddr,
			                 UFAULT_WRITE | UFAULT_USER | (p ? UFAULT_PRESENT : 0)))
				return -EFAULT;
			continue;
		}
		f = pmm_frame(p & ~(uint64_t)(PAGE_SIZE - 1));
		if (!f || pmm_frame_get(f) != 0)
			continue;
		if (uspace_translate(s, uaddr, &again, &fl) == 0 && again == p && (fl & PT_WRITE)) {
			*pa = p;
			return 0;
		}
		pmm_frame_put(f);
	}
	return -EFAULT;
}

/* Apply @op atomically to the user word at @uaddr; the old value in *@old. 0 or -EFAULT. */
static int futex_atomic_op(uint64_t uaddr, const struct futex_op *op, uint32_t *old)
{
	struct uspace *s = uspace_current();
	uint64_t pa;
	uint32_t *word, cur;

	if (!s || futex_pin_writable(s, uaddr, &pa))
		return -EFAULT;
	word = phys_to_virt(pa);
	cur = __atomic_load_n(word, __ATOMIC_RELAXED);
	while (!__atomic_compare_exchange_n(word, &cur, futex_op_apply(op, cur), false,
	                                    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
		;
	*old = cur;
	pmm_frame_put(pmm_frame(pa & ~(uint64_t)(PAGE_SIZE - 1)));
	return 0;
}

/*
 * FUTEX_WAKE_OP: change the word at @uaddr2 by the operation in @val3, wake
 * up to @nwake waiters of @k1 and, if the old value passes the comparison,
 * up to @nwake2 of @k2. Returns how many woke in all.
 */
static long futex_wake_op(uint64_t uaddr2, const struct futex_key *k1, const struct futex_key *k2,
                          int nwake, int nwake2, uint32_t val3)
{
	struct futex_bucket *b1 = futex_bucket_of(k1), *b2 = futex_bucket_of(k2);
	struct futex_op op;
	uint32_t old;
	long woke;
	int err = futex_op_decode(val3, &op);

	if (err)
		return err;
	bucket_lock2(b1, b2);
	err = futex_atomic_op(uaddr2, &op, &old);
	if (err) {
		bucket_unlock2(b1, b2);
		return err;
	}
	woke = bucket_wake(b1, k1, nwake, FUTEX_BITSET_MATCH_ANY);
	if (futex_op_cmp(&op, old))
		woke += bucket_wake(b2, k2, nwake2, FUTEX_BITSET_MATCH_ANY);
	bucket_unlock2(b1, b2);
	return woke;
}

/*
 * The deadline of a wait: none without @utime; relative to now for WAIT;
 * absolute on the monotonic or (FUTEX_CLOCK_REALTIME) realtime clock for
 * WAIT_BITSET. 0 or -EFAULT/-EINVAL.
 */
static int futex_deadline(uint64_t utime, bool absolute, bool realtime, uint64_t *deadline)
{
	struct timespec ts;
	uint64_t ns;

	*deadline = TIME_NEVER;
	if (!utime)
		return 0;
	if (copy_from_user(&ts, (const void *)utime, sizeof(ts)))
		return -EFAULT;
	if (!timespec_valid(&ts))
		return -EINVAL;
	ns = timespec_to_ns(&ts);
	if (!absolute) {
		*deadline = ns_add_sat(clock_monotonic_ns(), ns);
	} else if (realtime) {
		uint64_t real = clock_realtime_ns(), mono = clock_monotonic_ns();

		*deadline = ns > real ? ns_add_sat(mono, ns - real) : mono;
	} else {
		*deadline = ns;
	}
	return 0;
}

/* FUTEX_WAIT and FUTEX_WAIT_BITSET. */
static long futex_do_wait(uint64_t uaddr, const struct futex_key *k, uint32_t val, uint64_t utime,
                          bool bitset_op, bool realtime, uint32_t bitset)
{
	uint64_t deadline;
	int err;

	if (!bitset)
		return -EINVAL;
	err = futex_deadline(utime, bitset_op, realtime, &deadline);
	if (err)
		return err;
	err = futex_wait(uaddr, k, val, bitset, deadline);
	/* A timed wait is not restarted with its full time: EINTR, as Linux gives a handler. */
	if (err == -ERESTARTSYS && utime)
		return -EINTR;
	return err;
}

/* The operations that name a second futex at @uaddr2. */
static long futex_two(int cmd, uint64_t uaddr, const struct futex_key *k1, uint64_t uaddr2,
                      bool private, uint32_t val, uint64_t val2, uint32_t val3)
{
	struct futex_key k2;
	int err = futex_key_of(uaddr2, private, &k2);

	if (err)
		return err;
	switch (cmd) {
	case FUTEX_REQUEUE:
		return futex_requeue(uaddr, k1, &k2, (int)val, (int)val2, false, 0);
	case FUTEX_CMP_REQUEUE:
		return futex_requeue(uaddr, k1, &k2, (int)val, (int)val2, true, val3);
	default: /* FUTEX_WAKE_OP */
		return futex_wake_op(uaddr2, k1, &k2, (int)val, (int)val2, val3);
	}
}

long sys_futex(uint64_t uaddr, uint64_t op, uint64_t val, uint64_t utime, uint64_t uaddr2,
               uint64_t val3)
{
	int cmd = (int)op & FUTEX_CMD_MASK;
	bool private = (int)op & FUTEX_PRIVATE_FLAG, realtime = (int)op & FUTEX_CLOCK_REALTIME;
	struct futex_key k;
	int err;

	futex_init_once();
	if (realtime && cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET)
		return -ENOSYS;
	if (cmd < 0 || cmd > FUTEX_WAKE_BITSET || cmd == FUTEX_FD ||
	    (cmd >= FUTEX_LOCK_PI && cmd <= FUTEX_TRYLOCK_PI))
		return -ENOSYS;
	err = futex_key_of(uaddr, private, &k);
	if (err)
		return err;
	switch (cmd) {
	case FUTEX_WAIT:
		return futex_do_wait(uaddr, &k, (uint32_t)val, utime, false, realtime,
		                     FUTEX_BITSET_MATCH_ANY);
	case FUTEX_WAIT_BITSET:
		return futex_do_wait(uaddr, &k, (uint32_t)val, utime, true, realtime,
		                     (uint32_t)val3);
	case FUTEX_WAKE:
		return futex_wake(&k, (int)val, FUTEX_BITSET_MATCH_ANY);
	case FUTEX_WAKE_BITSET:
		return val3 ? futex_wake(&k, (int)val, (uint32_t)val3) : -EINVAL;
	default: /* REQUEUE, CMP_REQUEUE, WAKE_OP: the timeout slot carries a count */
		return futex_two(cmd, uaddr, &k, uaddr2, private, (uint32_t)val, (uint32_t)utime,
		                 (uint32_t)val3);
	}
}

int futex_wake_addr(uintptr_t uaddr, int n)
{
	struct futex_key k;
	int err;

	futex_init_once();
	err = futex_key_of(uaddr, false, &k);
	return err ? err : futex_wake(&k, n, FUTEX_BITSET_MATCH_ANY);
}

unsigned futex_waiters(void)
{
	return __atomic_load_n(&futex_nwaiters, __ATOMIC_RELAXED);
}
