/* SPDX-License-Identifier: MIT */
/*
 * The system-call fuzzer (issue 11, "Bad input"): an unprivileged process
 * forks a child that makes random system calls from Linux's table with
 * random, boundary and kernel-address arguments (fuzz_args.c), restarting
 * the child whenever it dies or stalls, until N calls are made. Then it
 * checks that the kernel still answers and, on Cairn, that its frame,
 * heap and task counts are back at their baseline (cairn_memstat), and
 * prints TAP. On another kernel the baseline checks are skipped.
 *
 *   fuzz [-n CALLS] [-s SEED] [-u UID]
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz_args.h"
#include "include/cairn/cairn_sys.h"
#include "include/cairn/linux/syscall_nr.h"

#define WATCHDOG_NS   (300ull * 1000 * 1000) /* a child that makes no call this long is killed */
#define CHILD_AS      (256ull << 20)         /* RLIMIT_AS of the child: bounds what it can map */
#define SETTLE_TRIES  50                      /* baseline re-reads, 20 ms apart */

/* What the child reports through memory shared with the parent. */
struct shared {
	volatile uint64_t calls;   /* calls made so far, by every child */
	volatile long last;        /* the call in progress */
	volatile uint64_t enosys;  /* calls that answered ENOSYS */
	volatile uint64_t efault;  /* calls that answered EFAULT */
};

static long raw_syscall(long nr, const uint64_t a[6])
{
	register uint64_t r10 __asm__("r10") = a[3];
	register uint64_t r8 __asm__("r8") = a[4];
	register uint64_t r9 __asm__("r9") = a[5];
	long ret;

	__asm__ volatile("syscall"
	                 : "=a"(ret)
	                 : "a"(nr), "D"(a[0]), "S"(a[1]), "d"(a[2]), "r"(r10), "r"(r8), "r"(r9)
	                 : "rcx", "r11", "memory");
	return ret;
}

static long raw0(long nr)
{
	const uint64_t a[6] = { 0 };

	return raw_syscall(nr, a);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The child: no descriptors, bounded memory, its own group; calls until the target. */
static void child_main(struct shared *sh, uint64_t target, uint64_t seed, long parent)
{
	struct rlimit as = { CHILD_AS, CHILD_AS };
	struct fuzz_env e = { .parent = parent, .rng = seed | 1 };
	void *hole;

	setpgid(0, 0);
	setrlimit(RLIMIT_AS, &as);
	e.scratch = mmap(NULL, FUZZ_SCRATCH_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	                 -1, 0);
	hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (e.scratch == MAP_FAILED || hole == MAP_FAILED)
		_exit(2);
	munmap(hole, 4096);
	e.unmapped = (uint64_t)(uintptr_t)hole;
	e.self = getpid();
	/* No console: random writes would garble the output, reads would block. */
	for (int fd = 0; fd < 64; fd++)
		close(fd);
	while (sh->calls < target) {
		uint64_t a[6];
		long nr = fuzz_pick_call(&e), ret;

		for (int i = 0; i < 4; i++)
			((uint64_t *)e.scratch)[fuzz_rand(&e) % (FUZZ_SCRATCH_BYTES / 8)] = fuzz_rand(&e);
		fuzz_make_args(&e, nr, a);
		sh->last = nr;
		__atomic_add_fetch(&sh->calls, 1, __ATOMIC_RELAXED);
		ret = raw_syscall(nr, a);
		/* A successful fork: its child leaves at once and is reaped here. */
		if (raw0(__NR_getpid) != e.self)
			raw_syscall(__NR_exit, (uint64_t[6]){ 0 });
		if (nr == __NR_fork && ret > 0)
			waitpid((pid_t)ret, NULL, 0);
		if (ret == -ENOSYS)
			sh->enosys++;
		else if (ret == -EFAULT)
			sh->efault++;
	}
	_exit(0);
}

struct run_stats {
	unsigned children, signalled, watchdog;
	unsigned by_signal[65];
};

/* Wait for child @pid, killing it when it stops making calls. */
static void supervise(struct shared *sh, pid_t pid, struct run_stats *st)
{
	uint64_t seen = sh->calls, since = now_ns();
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		struct timespec tick = { 0, 2 * 1000 * 1000 };

		if (r == pid)
			break;
		if (sh->calls != seen) {
			seen = sh->calls;
			since = now_ns();
		} else if (now_ns() - since > WATCHDOG_NS) {
			kill(pid, SIGKILL);
			st->watchdog++;
			since = now_ns();
		}
		nanosleep(&tick, NULL);
	}
	if (WIFSIGNALED(status)) {
		st->signalled++;
		if (WTERMSIG(status) > 0 && WTERMSIG(status) < 65)
			st->by_signal[WTERMSIG(status)]++;
	}
}

static void run(struct shared *sh, uint64_t target, uint64_t seed, struct run_stats *st)
{
	long parent = getpid();

	while (sh->calls < target) {
		pid_t pid = fork();

		if (pid == 0)
			child_main(sh, target, seed + st->children * 0x9e3779b97f4a7c15ull, parent);
		if (pid < 0) {
			printf("# fork failed: %s\n", strerror(errno));
			return;
		}
		st->children++;
		supervise(sh, pid, st);
	}
}

static long memstat(struct cairn_memstat *m)
{
	const uint64_t a[6] = { (uint64_t)(uintptr_t)m };

	memset(m, 0, sizeof(*m));
	return raw_syscall(CAIRN_SYS_MEMSTAT, a);
}

/* Re-read the counts until they equal @base or the tries run out (reaping is asynchronous). */
static void check_baseline(const struct cairn_memstat *base, int *n)
{
	struct cairn_memstat m;

	for (int i = 0; i < SETTLE_TRIES; i++) {
		struct timespec pause = { 0, 20 * 1000 * 1000 };

		memstat(&m);
		if (m.frames_free == base->frames_free && m.heap_live == base->heap_live &&
		    m.tasks == base->tasks)
			break;
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		nanosleep(&pause, NULL);
	}
	printf("%s %d - frames back to baseline (%lld bytes apart)\n",
	       m.frames_free == base->frames_free ? "ok" : "not ok", ++*n,
	       (long long)(m.frames_free - base->frames_free));
	printf("%s %d - heap back to baseline (%lld blocks apart)\n",
	       m.heap_live == base->heap_live ? "ok" : "not ok", ++*n,
	       (long long)(m.heap_live - base->heap_live));
	printf("%s %d - tasks back to baseline (%lld apart)\n",
	       m.tasks == base->tasks ? "ok" : "not ok", ++*n, (long long)(m.tasks - base->tasks));
}

static void report(const struct shared *sh, const struct run_stats *st, uint64_t target,
                   uint64_t ns)
{
	printf("# %llu calls in %llu ms: %llu ENOSYS, %llu EFAULT; %u children, %u killed by a "
	       "signal, %u by the watchdog\n",
	       (unsigned long long)sh->calls, (unsigned long long)(ns / 1000000),
	       (unsigned long long)sh->enosys, (unsigned long long)sh->efault, st->children,
	       st->signalled, st->watchdog);
	for (int s = 1; s < 65; s++) {
		if (st->by_signal[s])
			printf("#   signal %d ended %u children\n", s, st->by_signal[s]);
	}
	printf("%s 1 - %llu calls made\n", sh->calls >= target ? "ok" : "not ok",
	       (unsigned long long)target);
}

int main(int argc, char **argv)
{
	uint64_t target = 100000, seed = 0, t0;
	struct cairn_memstat base;
	struct run_stats st = { 0 };
	struct shared *sh;
	struct utsname u;
	long uid = 1000, on_cairn;
	int opt, n = 1;

	while ((opt = getopt(argc, argv, "n:s:u:")) != -1) {
		if (opt == 'n')
			target = strtoull(optarg, NULL, 0);
		else if (opt == 's')
			seed = strtoull(optarg, NULL, 0);
		else if (opt == 'u')
			uid = strtol(optarg, NULL, 0);
	}
	if (!seed)
		seed = now_ns() ^ ((uint64_t)getpid() << 32);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..%d\n# seed %llu\n", 5, (unsigned long long)seed);
	if (setgid((gid_t)uid) != 0 || setuid((uid_t)uid) != 0)
		printf("# could not become uid %ld (%s): running as uid %d\n", uid, strerror(errno),
		       (int)getuid());
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		printf("Bail out! no shared memory: %s\n", strerror(errno));
		return 1;
	}
	on_cairn = memstat(&base) == 0;
	t0 = now_ns();
	run(sh, target, seed, &st);
	report(sh, &st, target, now_ns() - t0);
	printf("%s %d - the kernel still answers\n",
	       uname(&u) == 0 && getpid() > 0 ? "ok" : "not ok", ++n);
	if (on_cairn) {
		check_baseline(&base, &n);
	} else {
		for (int i = 0; i < 3; i++)
			printf("ok %d # SKIP not Cairn: no cairn_memstat\n", ++n);
	}
	return 0;
}
