/* SPDX-License-Identifier: MIT */
/*
 * What the files of kernel/proc share and nothing else sees: the id
 * tables, object construction, the thread start path and the pieces of
 * exec, exit and wait that call each other. Locks as in proc/proc.h.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/random.h"
#include "proc/futex.h"
#include "proc/proc.h"

struct arch_uframe;

/* ---- pid.c: ids and the tables that find processes and threads by them ---- */

/* A free id (pid or tid), counting up from the last one and wrapping; -EAGAIN if none. */
int pid_alloc_locked(void) __must_hold(&proc_lock);
void pid_free_locked(int id) __must_hold(&proc_lock);
void pid_hash_add_locked(struct process *p) __must_hold(&proc_lock);
void pid_hash_del_locked(struct process *p) __must_hold(&proc_lock);
struct process *pid_hash_find_locked(int pid) __must_hold(&proc_lock);
void tid_hash_add_locked(struct thread *t) __must_hold(&proc_lock);
void tid_hash_del_locked(struct thread *t) __must_hold(&proc_lock);
struct thread *tid_hash_find_locked(int tid) __must_hold(&proc_lock);
/* Ids in use (pids of processes, tids of threads, and those of zombies). */
unsigned pid_in_use_locked(void) __must_hold(&proc_lock);
/* The id handed out last (/proc/loadavg). */
int pid_last_locked(void) __must_hold(&proc_lock);
/* The published process with the lowest pid >= @from, or NULL (/proc's listing). */
struct process *pid_next_process_locked(int from) __must_hold(&proc_lock);
/* Processes made since boot (/proc/stat's "processes"); counted by process_create(). */
extern uint64_t proc_created_count;

/* ---- process.c: objects ---- */

/*
 * A new process with a fresh pid: one reference (the tables'), alive,
 * no threads, no space. @parent (may be NULL) gives it creds, limits,
 * group, session and its name; it is linked as @parent's child when
 * @link is true. Returns 0 or -ENOMEM/-EAGAIN. Takes proc_lock.
 */
int process_create(struct process *parent, bool link, struct process **out);
/*
 * Make @p visible: in the pid table, on its parent's children (init's or
 * nobody's if that parent died meanwhile). Called when its first thread is
 * published, so nothing finds a process before it is complete.
 */
void process_publish_locked(struct process *p) __must_hold(&proc_lock);
/* Threads of processes whose real uid is @uid (RLIMIT_NPROC; pid.c). */
unsigned proc_count_uid_locked(uint32_t uid) __must_hold(&proc_lock);
/*
 * Take @p out of the tables (wait4 reaped it, or nobody will). Returns true
 * when it did: the caller then drops the tables' reference with
 * process_put() once proc_lock is released; false if it was already out.
 */
bool process_reap_locked(struct process *p) __must_hold(&proc_lock);
/* The init process (init=), or NULL. */
extern struct process *proc_init_process;
/* Processes whose parent is a kernel waiter (proc_spawn) wake this at exit. */
extern struct waitq proc_kernel_wq;

/* ---- thread.c: threads and their first entry into user mode ---- */

/* How a new thread starts: a fresh program (exec) or a copy of a frame (fork/clone). */
struct thread_start {
	const struct arch_uframe *frame; /* copied into the new thread's frame; NULL: fresh */
	uintptr_t sp;                    /* with frame: the new stack pointer (0: keep) */
	bool set_tls;                    /* give it @tls as FS base */
	uintptr_t tls;
	uintptr_t set_child_tid;   /* CLONE_CHILD_SETTID: write the tid there first */
	uintptr_t clear_child_tid; /* CLONE_CHILD_CLEARTID: cleared and woken at exit */
	bool share_vm;             /* CLONE_VM without CLONE_VFORK (signal stack rule) */
	bool same_cpu;             /* start on the creator's CPU (fork: it waits, the child runs) */
	int (*kernel_fn)(void *arg); /* a fresh thread runs this, then enters user mode */
	void *kernel_arg;
};

/*
 * Make a thread of @p with id @tid (the pid for a first thread) and start
 * its task as @st says. @space is what it runs in (a reference is taken).
 * Returns 0 or -ENOMEM; takes proc_lock and @p's lock.
 */
int thread_create(struct process *p, int tid, struct uspace *space, const struct thread_start *st,
                  struct thread **out);
/* Switch the calling task to @space (NULL: the kernel's), keeping task->space in step. */
void thread_switch_space(struct uspace *space);

/* ---- exit.c ---- */

/* The calling thread ends with process status @status if it is the last one. */
__attribute__((noreturn)) void proc_thread_end(int status);
/* The calling thread @t ends: release the robust futexes it still holds (robust.c). */
void proc_robust_list_exit(struct thread *t);
/* Wake the thread waiting in vfork for @p to exec or end. Takes proc_lock. */
void proc_vfork_release(struct process *p);

/* ---- files.c: descriptor tables and file-system contexts of processes ---- */

/*
 * Give the new process @child its table and context from @parent: shared
 * with CLONE_FILES / CLONE_FS, copies otherwise. 0 or -ENOMEM.
 */
int proc_files_clone(struct process *child, struct process *parent, uint64_t flags);
/*
 * A first process's table (0, 1, 2 from @stdio, NULL entries or @stdio NULL:
 * the console) and a copy of the caller's context. 0 or -errno.
 */
int proc_files_spawn(struct process *p, struct file *const stdio[3]);
/* The same, then @extra[i] at fd 3 + i (proc_spawn_files()). */
int proc_files_spawn_extra(struct process *p, struct file *const stdio[3],
                           struct file *const *extra, unsigned nextra);
/* exec, before the point of no return: a private copy of a shared table in *@out (or NULL). */
int proc_files_exec_prepare(struct process *p, struct fdtable **out);
/* exec, after it: install @fresh (if any), then close the close-on-exec descriptors. */
void proc_files_exec_commit(struct process *p, struct fdtable *fresh);
/* The last thread left: drop the table and the context (closing files; may sleep). */
void proc_files_exit(struct process *p);

/* ---- exec.c ---- */

/*
 * Exec of the ELF image @data (@size bytes) as @path: proc_exec() after
 * the initrd lookup; the kernel tests call it with images of their own.
 */
int __must_check proc_exec_image(const char *path, const void *data, size_t size,
                                 char *const argv[], char *const envp[]);
