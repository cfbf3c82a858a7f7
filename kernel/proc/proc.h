/* SPDX-License-Identifier: MIT */
/*
 * Processes and threads: a process is an address space, credentials,
 * limits, signal handlers and a place in the process tree (parent,
 * children, group, session); a thread is one kernel task that runs the
 * process's program in user mode. Ids are Linux's: a process's pid is its
 * first thread's tid, both from one allocator. Lifetimes, locks and exec's
 * stack layout: docs/processes.md.
 *
 * Locks: [G] proc_lock (the process tree, the id tables, every state and
 * parent/child link); [P] the process's own lock (creds, limits, the
 * thread list); [T] the thread itself (only it writes); [I] fixed once
 * published; [a] atomic. Order: proc_lock before a process's lock before
 * a sighand's lock.
 */
#pragma once

#include <cairn/compiler.h>
#include <cairn/linux/resource.h>

#include <lib/list/list.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fs/vfs.h"
#include "proc/signal.h"
#include "sched/spinlock.h"
#include "sched/wait.h"

struct fdtable;
struct file;
struct fs_context;
struct kobject;
struct path;
struct task;
struct tty;
struct uspace;

#define PROC_PID_MAX  32768 /* ids run 1..PROC_PID_MAX-1, reused after a wrap (Linux's default) */
#define PROC_COMM_LEN 16    /* the program's name, NUL included (Linux's TASK_COMM_LEN) */
#define PROC_NGROUPS  32    /* supplementary groups kept per process */
#define PROC_INIT_PID 1

/* Where a process is in its life. */
enum proc_state {
	PROC_ALIVE = 1,  /* has at least one thread */
	PROC_ZOMBIE = 2, /* every thread ended; waits for its parent's wait4 */
	PROC_DEAD = 3,   /* reaped: out of the tables, freed with its last reference */
};

/*
 * Credentials (Linux's real, effective, saved and filesystem ids). Written
 * under the process's lock; the VFS's fs_cred() reads the filesystem ids
 * and groups without it, each word whole (kernel/fs/perm.c). 8-byte
 * aligned: current_cred() copies one, and
 * lib's memcpy moves whole words only between 8-byte aligned ends (the
 * tmpfs lane measured a 4-byte aligned copy at about 750 instructions).
 */
struct cred {
	uint32_t uid, euid, suid, fsuid;
	uint32_t gid, egid, sgid, fsgid;
	unsigned ngroups;              /* entries of groups in use */
	uint32_t groups[PROC_NGROUPS]; /* supplementary groups */
} __attribute__((aligned(8)));

struct process {
	int pid;                   /* [I] also its first thread's tid */
	int refs;                  /* [a] the tables, each thread, each process_find() */
	struct spinlock lock;      /* the [P] lock */
	int state;                 /* [G] enum proc_state */
	struct process *parent;    /* [G] NULL: an orphan nobody waits for (reaped at exit) */
	struct list_node children; /* [G] struct process by sibling */
	struct list_node sibling;  /* [G] on the parent's children */
	struct process *hash_next; /* [G] the pid table's chain */
	int pgid, sid;             /* [G] process group and session */
	struct tty *ctty;          /* [G] controlling terminal, NULL: none (kernel/tty/tty_job.c) */
	int exit_signal;           /* [G] sent to the parent at exit (SIGCHLD; 0: none) */
	int exit_status;           /* [G] wait status once a zombie */
	bool group_exiting;        /* [P] exit_group or a fatal signal: every thread goes */
	int group_status;          /* [P] the status those threads leave with */
	struct list_node threads;  /* [P] struct thread by proc_link */
	unsigned nthreads;         /* [P] threads on that list */
	struct thread *leader;     /* [G] the first thread while it lives, else NULL */
	struct uspace *space;      /* [P] the address space; NULL once a zombie */
	struct cred cred;          /* [P] */
	struct rlimit64 rlim[RLIM_NLIMITS]; /* [P] */
	struct sighand *sighand;            /* [P] handlers, shared with CLONE_SIGHAND */
	struct fdtable *files; /* [P] descriptors, shared with CLONE_FILES; NULL once a zombie */
	struct fs_context *fs; /* [P] root, cwd, umask, shared with CLONE_FS; NULL once a zombie */
	bool files_shared;     /* [P] it shared its table with CLONE_FILES: exec unshares */
	struct path exe;       /* [P] the program file (/proc/PID/exe); mnt NULL: none */
	bool undumpable;       /* [P] ids changed or a set-id/unreadable program: no look inside */
	int nice;            /* [P] -20..19: kept and reported; the scheduler does not use it yet */
	struct proc_sig sig; /* signal state (proc/signal.h), its own locks */
	char comm[PROC_COMM_LEN];    /* [P] the program's base name */
	struct waitq child_wq;       /* its wait4 callers: a child changed state */
	struct waitq exit_wq;        /* exec/exit_group wait here for other threads to go */
	uint64_t start_ns;           /* [I] creation time (monotonic) */
	uint64_t cpu_ns;             /* [P] CPU time of its threads that ended */
	uint64_t children_ns;        /* [G] CPU time of reaped children */
	bool execed;                 /* [P] it ran exec since fork (setpgid's EACCES) */
	struct thread *vfork_parent; /* [G] the thread a vfork child releases at exec or exit */
	bool kernel_child;           /* [G] proc_spawn() made it: a kernel waiter reaps it */
	bool published;              /* [G] in the pid table and its parent's list (complete) */
	unsigned child_gen;          /* [a] bumped on each change of a child, for wait4's sleep */
	struct thread
		*exec_thread; /* [P] a thread in exec: the others end without ending the process */
	struct kobject *kobj; /* [P] its Cairn object (ipc/task_obj.c); NULL: none yet */
	uint64_t koid;        /* [P] that object's koid, kept for the next one; 0: none yet */
};

struct thread {
	int tid;                    /* [I] */
	int refs;                   /* [a] its task, the tid table, each lookup */
	struct task *task;          /* [I] the kernel task that runs it */
	struct process *proc;       /* [I] holds a reference */
	struct list_node proc_link; /* [P] on proc->threads */
	struct thread *hash_next;   /* [G] the tid table's chain */
	struct thread_sig sig;      /* signal state (proc/signal.h) */
	uintptr_t clear_child_tid;  /* [T] set_tid_address / CLONE_CHILD_CLEARTID */
	uintptr_t robust_list;      /* [T] set_robust_list's head */
	size_t robust_len;          /* [T] its length argument */
	uintptr_t tls;              /* [T] FS base it starts with (CLONE_SETTLS) */
	bool exited;                /* [P] off the process's list */
	bool vfork_done;       /* [a] a vfork child exec'd or exited (this thread is the parent) */
	struct waitq vfork_wq; /* the vfork parent waits here */
	/* how it starts ([I], thread.c) */
	uintptr_t set_child_tid;    /* CLONE_CHILD_SETTID: the tid is written there first */
	int (*start_fn)(void *arg); /* kernel work before user mode (a first exec), or NULL */
	void *start_arg;
	struct kobject *kobj; /* [P] of its process: its Cairn object (ipc/task_obj.c), or NULL */
	uint64_t koid;        /* [P] of its process: that object's koid, kept; 0: none yet */
	bool kill_alone;      /* [a] cairn_task_kill() of this thread: it ends, not its process */
};

/* ---- the interface for other subsystems (the contract, i11-interfaces.md) ---- */

/* The thread / process the calling task runs, or NULL in a kernel task. */
struct thread *thread_current(void);
struct process *process_current(void);

/*
 * The process with pid @pid (alive or a zombie), with a reference the
 * caller drops with process_put(); NULL when there is none. Any task.
 */
struct process *process_find(int pid);
void process_get(struct process *p);
void process_put(struct process *p);
/* The thread with tid @tid, with a reference (thread_put()); NULL if none. */
struct thread *thread_find(int tid);
/* Another reference to @t, which the caller already holds one to (its own thread, say). */
void thread_get(struct thread *t);
void thread_put(struct thread *t);

/*
 * Replace the calling process's program with @path from the initrd,
 * @argv and @envp (kernel strings, NULL-terminated arrays). On success
 * the calling thread's user frame is set to enter the new program and 0
 * is returned; the caller then returns to user mode. A kernel task that
 * is no thread yet gets a process made for it first (init=, proc_spawn).
 * Returns -ENOENT, -ENOEXEC, -EINVAL, -E2BIG, -ENOMEM, -EFAULT; failures
 * before the point of no return leave the old program intact.
 */
int __must_check proc_exec(const char *path, char *const argv[], char *const envp[]);

/*
 * Start @path as a new process, a child of nobody (the caller waits for
 * it with proc_wait()): what the shell's `run` and init= use. Stores its
 * pid in *@pid_out. Returns 0 or what exec returned (the process then
 * never ran). May sleep.
 */
int __must_check proc_spawn(const char *path, char *const argv[], char *const envp[], int *pid_out);

/*
 * proc_spawn() of an ELF file held in memory (@size bytes at @elf) rather
 * than one from the initrd, named @name: for the kernel tests.
 */
int __must_check proc_spawn_image(const char *name, const void *elf, size_t size,
                                  char *const argv[], char *const envp[], int *pid_out);

/*
 * Wait until the process @pid started by proc_spawn() ends, store its wait
 * status in *@status and reap it. Returns 0, -ECHILD (no such process
 * waiting for a kernel waiter) or, with PROC_WAIT_KILLABLE, -EINTR when
 * the calling task was asked to end (task_kill(): the shell's ^C); the
 * process then still waits for proc_wait_flags() or proc_release().
 * proc_wait() is the killable form. May sleep.
 */
#define PROC_WAIT_KILLABLE 1u
int __must_check proc_wait_flags(int pid, int *status, unsigned flags);
int __must_check proc_wait(int pid, int *status);
/* Give up waiting for @pid from proc_spawn(): it reaps itself when it ends. */
void proc_release(int pid);

/* End the calling thread (exit): the process ends with it if it was the last. */
__attribute__((noreturn)) void proc_exit_thread(int code);
/* End every thread of the calling process with wait status @status (exit_group, signals). */
__attribute__((noreturn)) void proc_exit_group(int status);
/* Out of memory in a fault the process cannot go on from: it dies with SIGKILL. */
void proc_kill_oom(void);
/*
 * Out of memory in a fault inside a kernel copy to or from user memory:
 * the copy fails (-EFAULT) but SIGKILL is queued, so the process dies on
 * its way back to user mode instead of seeing a wrong EFAULT. Any context.
 */
void proc_kill_oom_later(void);

/* ---- for the signal code and the system calls ---- */

/* The global lock of the process tree ([G]). */
extern struct spinlock proc_lock;

/* Whether the calling thread's process is being torn down (it must not return to user mode). */
bool proc_exiting(void);
/*
 * Ask every thread of @p but the caller to end, with wait status @status
 * (the first request wins). Returns true if this call set it. Takes @p's
 * lock; any task.
 */
bool proc_group_exit_request(struct process *p, int status);

/* The process group / session of @p (for kill(-pgid), the tty). */
int proc_pgid(const struct process *p);
/* Call @fn on each live process of group @pgid with proc_lock held; returns how many. */
int proc_for_each_in_group(int pgid, void (*fn)(struct process *p, void *ctx), void *ctx);
/*
 * Call @fn on every process in the tables, alive or a zombie, in pid
 * order; the caller holds proc_lock (the terminal's session walks).
 */
void proc_for_each_locked(void (*fn)(struct process *p, void *ctx), void *ctx)
	__must_hold(&proc_lock);

/*
 * Start the program init= names as the first process (pid 1 unless the
 * tests made processes before) with argv[0] its path: the console is its
 * fds 0/1/2, its end powers the machine off. Returns false when there is
 * no init=, it is init=kshell (the kernel shell then runs), or it could
 * not be started (logged). Task context, once at boot.
 */
bool proc_start_init(void);

/* Processes that exist (alive or zombie), for tests and `ps`. */
unsigned proc_count(void);

/* ---- processes meet files (files.c) ---- */

/*
 * A snapshot of the calling process's credentials (root's, all ids 0 and
 * no groups, in a kernel task): what permission checks compare against.
 */
struct cred current_cred(void);
/*
 * @p's descriptor table / file-system context with a reference the caller
 * drops (fdtable_put / fs_context_put), or NULL once @p is a zombie: how
 * /proc reads another process's fds, cwd and root. Any task.
 */
struct fdtable *proc_files_get(struct process *p);
struct fs_context *proc_fs_get(struct process *p);
/* @p's program file with references (path_put() it): 0, or -ENOENT (none, or a zombie). */
int proc_exe_get(struct process *p, struct path *out);
/*
 * Whether the caller may look inside @p (/proc/PID/environ, maps, fd, cwd,
 * exe), as Linux's ptrace access check without capabilities beyond root:
 * the same process, root (euid 0), or the caller's real and effective uid
 * equal to all of @p's uids and the same for gids, and @p dumpable.
 */
bool proc_may_inspect(struct process *p);
/*
 * Whether @p is dumpable (Linux's word): false after its ids changed
 * or it exec'd a set-id or unreadable program (until an ordinary exec or
 * prctl(PR_SET_DUMPABLE)). Its /proc/PID files then belong to root.
 */
bool proc_dumpable(struct process *p);

/*
 * proc_spawn() with descriptors 0, 1 and 2 given: each @stdio[i] (NULL:
 * the console) is installed in the new process's table, which takes its
 * own references (the caller keeps its own). proc_spawn() is this with
 * @stdio NULL: all three on one open description of the console.
 */
int __must_check proc_spawn_stdio(const char *path, char *const argv[], char *const envp[],
                                  struct file *const stdio[3], int *pid_out);

/*
 * The process's last thread left: its ITIMER_REAL slot (setitimer, alarm)
 * goes now, with the reference the slot held (kernel/syscall/sys_itimer.c).
 */
void itimer_process_exit(struct process *p);
