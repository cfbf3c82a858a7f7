/* SPDX-License-Identifier: MIT */
/*
 * The text of /proc's files, byte for byte as Linux 6.1 prints them
 * (fs/proc/array.c, meminfo.c, stat.c, loadavg.c, uptime.c,
 * proc_namespace.c, task_mmu.c): field order, separators and padding.
 * The kernel gathers the numbers into the plain structs below and these
 * functions print them, so every format is tested on the host. Times are
 * in clock ticks of USER_HZ (100 per second) where Linux uses them.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/procfs/seq.h"

#define PROCFMT_USER_HZ  100u
#define PROCFMT_COMM_LEN 16u
#define PROCFMT_NGROUPS  32u

/* Nanoseconds as clock ticks of USER_HZ. */
uint64_t procfmt_ns_to_ticks(uint64_t ns);

/* What /proc/PID/stat, status and statm say about one process (or thread). */
struct procfmt_task {
	int pid;                     /* the thread group id (status: Tgid) */
	int tid;                     /* the thread shown (stat's first field, status: Pid) */
	int ppid, pgid, sid;         /* parent, process group, session */
	int tty_nr;                  /* controlling terminal's device number, 0: none */
	int tpgid;                   /* its foreground group, -1: none */
	char state;                  /* R S D T t Z X I */
	char comm[PROCFMT_COMM_LEN]; /* NUL-terminated */
	unsigned flags;              /* PF_* bits (0x400000: PF_FORKNOEXEC ...) */
	uint64_t minflt, majflt;     /* page faults (0 when not counted) */
	uint64_t utime, stime;       /* ticks of CPU time in user / kernel mode */
	uint64_t cutime, cstime;     /* ticks of reaped children */
	int priority, nice;          /* 20 and 0 for an ordinary task */
	unsigned nthreads;           /* threads of the process */
	uint64_t start_time;         /* ticks after boot it started */
	uint64_t vsize;              /* bytes of address space */
	uint64_t rss;                /* resident pages */
	uint64_t rsslim;             /* RLIMIT_RSS in bytes */
	uint64_t start_code, end_code, start_stack;
	uint64_t sig_pending, sig_blocked, sig_ignored, sig_caught; /* bit n-1: signal n */
	uint64_t shd_pending; /* pending for the whole process (status: ShdPnd) */
	bool waiting;         /* blocked in the kernel (stat's wchan: 1) */
	int exit_signal;      /* sent to the parent at exit */
	int cpu;              /* the CPU it last ran on */
	uint64_t start_data, end_data, start_brk;
	uint64_t arg_start, arg_end, env_start, env_end;
	int exit_code; /* wait status of a zombie, else 0 */
	/* status only */
	int umask;               /* of its file-system context, -1: none (no Umask line) */
	uint32_t uid[4], gid[4]; /* real, effective, saved, file system */
	unsigned ngroups;
	uint32_t groups[PROCFMT_NGROUPS];
	unsigned fd_size; /* descriptor slots of its table */
	uint64_t vm_peak, vm_size, vm_hwm, vm_rss, rss_anon, vm_data, vm_stk, vm_exe; /* kB */
	uint64_t vm_pte;         /* kB of page tables */
	unsigned sigq, sigq_max; /* queued signals and RLIMIT_SIGPENDING */
	uint64_t cpus_allowed;   /* bit n: CPU n */
	unsigned ncpus;          /* CPUs the machine has (for the mask's width) */
	uint64_t nvcsw, nivcsw;  /* voluntary and involuntary context switches */
	/* statm only (pages) */
	uint64_t shared_pages, text_pages, data_pages;
};

/* The long name of a state letter, as status shows it ("S (sleeping)"). */
const char *procfmt_state_name(char state);

void procfmt_pid_stat(struct seqbuf *s, const struct procfmt_task *t);
void procfmt_pid_status(struct seqbuf *s, const struct procfmt_task *t);
void procfmt_pid_statm(struct seqbuf *s, const struct procfmt_task *t);

/* /proc/meminfo, in bytes; what Cairn does not have (swap, huge pages) prints 0. */
struct procfmt_mem {
	uint64_t total, free, available, buffers, cached, shmem;
	uint64_t dirty; /* page-cache pages waiting for writeback */
	uint64_t anon;  /* AnonPages: user pages */
	uint64_t slab;  /* the kernel heap */
	uint64_t kernel_stack;
	uint64_t page_tables;
	uint64_t committed; /* Committed_AS: mapped bytes of all spaces */
	uint64_t vmalloc_total;
	uint64_t direct_4k, direct_2m, direct_1g;
	bool gbpages; /* the CPU maps 1 GiB pages: Linux prints DirectMap1G only then */
};

void procfmt_meminfo(struct seqbuf *s, const struct procfmt_mem *m);

/* CPU time in ticks, as a /proc/stat cpu line counts it. */
struct procfmt_cputime {
	uint64_t user, nice, system, idle, iowait, irq, softirq, steal, guest, guest_nice;
};

struct procfmt_sysstat {
	const struct procfmt_cputime *cpu; /* one per CPU */
	unsigned ncpus;
	uint64_t intr;      /* interrupts since boot */
	uint64_t ctxt;      /* context switches since boot */
	uint64_t btime;     /* boot time, seconds since 1970 */
	uint64_t processes; /* forks since boot */
	unsigned running, blocked;
};

void procfmt_stat(struct seqbuf *s, const struct procfmt_sysstat *st);

/* /proc/loadavg: @avg fixed point (lib/procfs/loadavg.h). */
void procfmt_loadavg(struct seqbuf *s, const unsigned long avg[3], unsigned running,
                     unsigned threads, int last_pid);
/* /proc/uptime: seconds up and idle (summed over CPUs) with two decimals. */
void procfmt_uptime(struct seqbuf *s, uint64_t up_ns, uint64_t idle_ns);

/* One line of /proc/mounts: names escaped as Linux does, "0 0" for dump and pass. */
void procfmt_mount(struct seqbuf *s, const char *source, const char *path, const char *type,
                   const char *opts);

/* One region of /proc/PID/maps. */
struct procfmt_vma {
	uint64_t start, end;
	bool read, write, exec, shared;
	uint64_t offset; /* bytes into the file */
	unsigned dev_major, dev_minor;
	uint64_t ino;
	const char *name; /* a path, "[heap]", "[stack]", or NULL */
};

void procfmt_map(struct seqbuf *s, const struct procfmt_vma *v);
