// SPDX-License-Identifier: MIT
/*
 * Process and thread ids: one allocator for both (a process's pid is its
 * first thread's tid, as in Linux), counting up from the last id given
 * and wrapping to PID_WRAP_FLOOR past PROC_PID_MAX, so an id is reused
 * only after every other has had its turn. Two small hash tables find a
 * process by pid and a live thread by tid. Everything under proc_lock.
 */
#include <cairn/errno.h>

#include "proc/internal.h"

#define PID_WORDS      (PROC_PID_MAX / 64)
#define PID_WRAP_FLOOR 300 /* Linux's RESERVED_PIDS: low ids stay for early daemons */
#define PID_HASH       256

static uint64_t pid_bits[PID_WORDS] __guarded_by(&proc_lock);
static int pid_last __guarded_by(&proc_lock);
static unsigned pid_used __guarded_by(&proc_lock);
static struct process *pid_table[PID_HASH] __guarded_by(&proc_lock);
static struct thread *tid_table[PID_HASH] __guarded_by(&proc_lock);

static bool pid_taken_locked(int id) __must_hold(&proc_lock)
{
	return pid_bits[id / 64] >> (id % 64) & 1;
}

int pid_alloc_locked(void)
{
	int id = pid_last, n;

	for (n = 0; n < PROC_PID_MAX; n++) {
		if (++id >= PROC_PID_MAX)
			id = PID_WRAP_FLOOR;
		if (!pid_taken_locked(id)) {
			pid_bits[id / 64] |= 1ull << (id % 64);
			pid_last = id;
			pid_used++;
			return id;
		}
	}
	return -EAGAIN;
}

void pid_free_locked(int id)
{
	if (id <= 0 || id >= PROC_PID_MAX || !pid_taken_locked(id))
		return;
	pid_bits[id / 64] &= ~(1ull << (id % 64));
	pid_used--;
}

/*
 * Linux's RLIMIT_NPROC count: the threads of processes whose real uid is
 * @uid, a zombie counting as one until it is reaped. Walks the table:
 * only unprivileged forks ask.
 */
unsigned proc_count_uid_locked(uint32_t uid)
{
	const struct process *p;
	unsigned i, n = 0;

	for (i = 0; i < PID_HASH; i++)
		for (p = pid_table[i]; p; p = p->hash_next)
			if (p->state != PROC_DEAD && p->cred.uid == uid)
				n += p->nthreads ? p->nthreads : 1;
	return n;
}

unsigned pid_in_use_locked(void)
{
	return pid_used;
}

int pid_last_locked(void)
{
	return pid_last;
}

/* Ids in use are a superset of published pids: scan the bitmap a word at a time. */
struct process *pid_next_process_locked(int from)
{
	struct process *p;
	uint64_t word;
	int id;

	for (id = from < 1 ? 1 : from; id < PROC_PID_MAX; id++) {
		word = pid_bits[id / 64] >> (id % 64);
		if (!word) {
			id |= 63; /* the rest of this word is free */
			continue;
		}
		id += __builtin_ctzll(word);
		p = pid_hash_find_locked(id);
		if (p && p->state != PROC_DEAD)
			return p;
	}
	return NULL;
}

void pid_hash_add_locked(struct process *p)
{
	struct process **head = &pid_table[p->pid % PID_HASH];

	p->hash_next = *head;
	*head = p;
}

void pid_hash_del_locked(struct process *p)
{
	struct process **pp;

	for (pp = &pid_table[p->pid % PID_HASH]; *pp; pp = &(*pp)->hash_next) {
		if (*pp == p) {
			*pp = p->hash_next;
			p->hash_next = NULL;
			return;
		}
	}
}

struct process *pid_hash_find_locked(int pid)
{
	struct process *p;

	if (pid <= 0)
		return NULL;
	for (p = pid_table[pid % PID_HASH]; p; p = p->hash_next)
		if (p->pid == pid)
			return p;
	return NULL;
}

void tid_hash_add_locked(struct thread *t)
{
	struct thread **head = &tid_table[t->tid % PID_HASH];

	t->hash_next = *head;
	*head = t;
}

void tid_hash_del_locked(struct thread *t)
{
	struct thread **pp;

	for (pp = &tid_table[t->tid % PID_HASH]; *pp; pp = &(*pp)->hash_next) {
		if (*pp == t) {
			*pp = t->hash_next;
			t->hash_next = NULL;
			return;
		}
	}
}

struct thread *tid_hash_find_locked(int tid)
{
	struct thread *t;

	if (tid <= 0)
		return NULL;
	for (t = tid_table[tid % PID_HASH]; t; t = t->hash_next)
		if (t->tid == tid)
			return t;
	return NULL;
}
