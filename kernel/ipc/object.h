/* SPDX-License-Identifier: MIT */
/*
 * Kernel objects and the handles that reach them (issue 15; the ABI is
 * include/cairn/ipc.h, the design docs/ipc.md and docs/abi.md).
 *
 * A kernel object (struct kobject) is embedded in the object it names: a
 * channel end, a memory object, a process's or a thread's object, an
 * interrupt, an I/O port range, an MMIO range. It has two counts:
 * - refs: every pointer the kernel keeps to it (handles, messages in
 *   flight, a blocked call, a driver host). The last kobject_put() calls
 *   ops->destroy().
 * - handles: handle files that refer to it, wherever they are (in a
 *   descriptor table, inside a queued message, or held by the kernel as a
 *   "kernel handle"). When it drops to zero ops->no_handles() runs: a
 *   channel end then tells its peer PEER_CLOSED and empties its queue.
 *
 * A handle is an open file (struct file) whose ops are handle_file_ops and
 * whose priv is a struct handle: the object (one ref and one handles count)
 * and the rights this handle grants. Rights never change on a handle; a
 * handle with other rights is another file. dup(2) and fork share the
 * file, so they share its rights.
 *
 * Locks: an object's own state has its own lock (each type documents it);
 * kobject itself needs none ([a] atomics, [I] set once).
 */
#pragma once

#include <cairn/compiler.h>
#include <cairn/ipc.h>

#include <stdbool.h>
#include <stdint.h>

#include "sched/wait.h"

struct file;
struct kobject;
struct kobject_map;
struct poll_table;

struct kobject_ops {
	uint32_t type;           /* [I] CAIRN_OBJ_* */
	const char *name;        /* [I] for /proc/PID/fd links: "cairn:[channel]" */
	uint32_t default_rights; /* [I] the rights a new object's first handle has */
	/* The CAIRN_SIG_* active now: a snapshot, any context, no sleeping. */
	uint32_t (*signals)(struct kobject *o);
	/* The last handle to @o went (optional). Task context; may sleep. */
	void (*no_handles)(struct kobject *o);
	/* The last reference went: free @o. Task context; may sleep. */
	void (*destroy)(struct kobject *o);
	/*
	 * mmap(2) of a handle to @o (optional; NULL: -ENODEV), with the
	 * handle's rights already checked against @prot (MAP, READ, WRITE,
	 * EXECUTE). Arguments and result as uspace_mmap_file().
	 */
	long __must_check (*mmap)(struct kobject *o, uintptr_t addr, size_t len, int prot,
	                          int flags, uint64_t off);
	/*
	 * Optional, used instead of mmap when set: the same request with the
	 * most the handle's rights allow (@m->maxprot), so the mapping can be
	 * made such that mprotect(2) never adds what the handle did not grant
	 * (uspace_mmap_file_max()). Memory objects use it; MMIO ranges should.
	 */
	long __must_check (*mmap_max)(struct kobject *o, const struct kobject_map *m);
};

/* One mmap(2) of a handle, for kobject_ops.mmap_max. */
struct kobject_map {
	uintptr_t addr; /* mmap's hint or MAP_FIXED address */
	size_t len;     /* bytes */
	int prot;       /* PROT_*, checked against the handle's rights */
	int flags;      /* MAP_* (MAP_SHARED_VALIDATE already made MAP_SHARED) */
	uint64_t off;   /* bytes into the object, page-aligned */
	int maxprot;    /* PROT_READ/WRITE/EXEC the handle's rights allow */
};

struct kobject {
	const struct kobject_ops *ops; /* [I] */
	uint64_t koid;                 /* [I] unique for the boot, never reused (*) */
	int refs;                      /* [a] */
	int handles;                   /* [a] handle files referring to it */
	/*
	 * Woken with the POLL* events that changed whenever the signals
	 * change: poll(2), epoll and cairn_wait_many() wait here.
	 */
	struct waitq wq;
};

/*
 * (*) One exception by design: a process or thread object made again after
 * its first one went takes the first one's koid (ipc/task_obj.c), so a
 * process or thread has one koid for its whole life.
 */

/* The rights and object of one handle: the priv of a handle file. */
struct handle {
	struct kobject *obj; /* [I] holds a ref and a handles count */
	uint32_t rights;     /* [I] CAIRN_RIGHT_* */
};

/* Set up @o with one ref and no handles, give it a koid and count it live. */
void kobject_init(struct kobject *o, const struct kobject_ops *ops);
void kobject_get(struct kobject *o);
/*
 * A reference unless the last one has already gone (the object is on its
 * way to ops->destroy): for a pointer the kernel keeps without a ref and
 * clears in destroy, under the lock that destroy takes to clear it.
 */
bool kobject_tryget(struct kobject *o);
void kobject_put(struct kobject *o);

/*
 * The signals of @o changed: wake its waiters with the poll events @changed
 * (CAIRN_SIG_* turned into POLL* by kobject_sig_to_poll). Any context.
 */
void kobject_signal(struct kobject *o, uint32_t changed);
uint32_t kobject_signals(struct kobject *o);
unsigned kobject_sig_to_poll(uint32_t sigs);

/*
 * A new handle file for @o with @rights (takes its own ref and handles
 * count; the caller keeps its ref). NULL: out of memory. The file is not
 * in any descriptor table: fd_install() it, or put it in a message.
 */
struct file *handle_file_create(struct kobject *o, uint32_t rights);

/*
 * handle_file_create() and fd_install() it in the calling process's
 * table: the new descriptor, or -ENOMEM / -EMFILE. @flags:
 * CAIRN_HANDLE_CLOEXEC.
 */
int __must_check handle_install(struct kobject *o, uint32_t rights, uint32_t flags);

/* Whether @f is a handle file; its struct handle (NULL when not). */
bool file_is_handle(const struct file *f);
struct handle *file_handle(struct file *f);

/*
 * Look up descriptor @fd of the calling process as a handle to an object
 * of @type (CAIRN_OBJ_NONE: any) with every right in @rights. On success
 * *@out has a ref on the object (kobject_put() it) and *@rights_out (if
 * not NULL) the handle's rights. Returns 0, -EBADF (no such descriptor),
 * -EBADFD (not a handle, or another type) or -EACCES (a right missing).
 */
int __must_check handle_get(int fd, uint32_t type, uint32_t rights, struct kobject **out,
                            uint32_t *rights_out);

/*
 * As handle_get(), keeping the file instead: *@fout holds a file ref
 * (file_put() it) and stays valid while it is held. For calls that need
 * the handle itself (a transfer) rather than the object.
 */
int __must_check handle_get_file(int fd, uint32_t type, uint32_t rights, struct file **fout);

/*
 * Kernel handles: a holder inside the kernel that counts as a handle, so
 * the object stays "open" (a driver host's end of a channel). Each get
 * takes a ref and a handles count; each put gives both back.
 */
void kobject_handle_get(struct kobject *o);
void kobject_handle_put(struct kobject *o);

/*
 * Count of live objects by type and of handle files, for
 * cairn_object_count(): the types call these from init and destroy
 * (kobject_init()/the last kobject_put() do it for objects).
 */
void ipc_count_add(unsigned which, long delta);
void ipc_counts_read(struct cairn_objcount *out);
/* ipc_count_add()'s @which beyond the object types. */
#define IPC_COUNT_HANDLES     (CAIRN_OBJ_TYPES + 0)
#define IPC_COUNT_MESSAGES    (CAIRN_OBJ_TYPES + 1)
#define IPC_COUNT_MSG_BYTES   (CAIRN_OBJ_TYPES + 2)
#define IPC_COUNT_HANDLES_FLY (CAIRN_OBJ_TYPES + 3)
#define IPC_COUNT_VMO_PAGES   (CAIRN_OBJ_TYPES + 4)
#define IPC_COUNT_N           (CAIRN_OBJ_TYPES + 5)

/*
 * A Cairn deadline (int64 ns, CLOCK_MONOTONIC) as the kernel's waits take
 * it: CAIRN_DEADLINE_NEVER is TIME_NEVER; a negative one is 0 (the past:
 * look once); any other is itself (a past one also looks once).
 */
uint64_t ipc_deadline(int64_t deadline_ns);

/*
 * Process and thread objects (kernel/ipc/task_obj.c): one per process or
 * thread, made the first time a handle to it is asked for and kept until
 * the last handle goes. TERMINATED is raised when it ends: the exit path
 * calls these.
 */
struct process;
struct thread;
int __must_check process_handle_install(struct process *p, uint32_t flags);
int __must_check thread_handle_install(struct thread *t, uint32_t flags);
void process_obj_exited(struct process *p);
void thread_obj_exited(struct thread *t);
