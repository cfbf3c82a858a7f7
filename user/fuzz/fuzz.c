/* SPDX-License-Identifier: MIT */
/*
 * The system-call fuzzer (issue 11, "Bad input"): an unprivileged process
 * forks a child that makes random system calls from Linux's table with
 * random, boundary and kernel-address arguments (fuzz_args.c), restarting
 * the child whenever it dies or stalls, until N calls are made. Then it
 * checks that every child its watchdog killed ended promptly, that the
 * kernel still answers and, on Cairn, that its frame, heap and task counts
 * are back at their baseline (cairn_memstat), and prints TAP. On another
 * kernel the baseline checks are skipped.
 *
 * With -f it makes only the file calls, each child in a scratch directory
 * /tmp/fuzz-N of its own, and checks the file-system invariants of
 * fuzz_files.h as it goes.
 *
 *   fuzz [-f [-c NR,NR...]] [-n CALLS] [-s SEED] [-u UID] [-w WATCHDOG_MS]
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz_args.h"
#include "fuzz_files.h"
#include "include/cairn/cairn_sys.h"
#include "include/cairn/linux/syscall_nr.h"

/* A child that makes no call this long is killed (-w MS changes it). */
static uint64_t watchdog_ns = 100ull * 1000 * 1000;
/* A fork may take long with several CPUs, and killing one mid-way orphans its new child. */
#define WATCHDOG_FORK_NS (3000ull * 1000 * 1000)
#define CHILD_AS         (16ull << 20) /* RLIMIT_AS of the child: bounds what it can map */
#define SETTLE_TRIES     150           /* baseline re-reads, 20 ms apart */
/* A child must end this soon after the watchdog's first SIGKILL (a long copy once took seconds). */
#define KILL_LATE_NS     (2000ull * 1000 * 1000)
#define WARM_STACK       (96 << 10) /* stack the parent faults in before the baseline */

#define SHARED_MAGIC 0x66757a7a63616c6cull /* "fuzzcall" */
#define CHILD_BUDGET 20000                 /* calls one child makes at most */

/*
 * What a child reports through a page shared with its parent. A random
 * call may write there too (a read or getrandom past the scratch buffer
 * into a neighbouring mapping, an munmap or mremap of it): the parent
 * accepts a child's count only when the magic and the count's complement
 * agree, and otherwise counts none of its calls, so damage can only make
 * the run longer, never pass a run that made too few calls.
 */
struct shared {
	volatile uint64_t magic;       /* SHARED_MAGIC */
	volatile uint64_t calls;       /* calls this child made (the one in progress included) */
	volatile uint64_t check;       /* ~calls */
	volatile long last;            /* the call in progress */
	volatile uint64_t enosys;      /* calls that answered ENOSYS */
	volatile uint64_t efault;      /* calls that answered EFAULT */
	volatile long slow_nr;         /* the slowest call this child made ... */
	volatile uint64_t slow_cycles; /* ... and its time in TSC cycles */
	volatile uint64_t cycles[512]; /* TSC cycles spent in each call number (0..511) */
	volatile uint64_t succeeded;   /* calls that did not fail */
	volatile uint64_t probes;      /* file mode: probes made ... */
	volatile uint64_t violations;  /* ... and invariants they found broken */
	char why[160];                 /* the first one */
};

static bool files_mode; /* -f */

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

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

/* The child's scratch buffer between two unmapped guard pages, far from the shared page. */
static uint8_t *child_scratch(void)
{
	uint8_t *m = mmap(NULL, FUZZ_SCRATCH_BYTES + 2 * 4096, PROT_NONE,
	                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED || mprotect(m + 4096, FUZZ_SCRATCH_BYTES, PROT_READ | PROT_WRITE))
		_exit(2);
	return m + 4096;
}

/* The child: no descriptors, bounded memory, its own group; @budget calls. */
/* The file mode's probe after every FUZZ_PROBE_EVERY calls. */
static void probe(struct shared *sh, struct fuzz_env *e)
{
	char why[sizeof(sh->why)];

	sh->probes++;
	if (!fuzz_files_probe(e, why, sizeof(why)) && sh->violations++ == 0)
		memcpy(sh->why, why, sizeof(why));
}

static void child_main(struct shared *sh, uint64_t budget, uint64_t seed, long parent,
                       const char *dir)
{
	struct rlimit as = { CHILD_AS, CHILD_AS };
	struct fuzz_env e = { .parent = parent, .rng = seed | 1 };
	void *hole;

	setpgid(0, 0);
	setrlimit(RLIMIT_AS, &as);
	/*
	 * The kill family hits the child itself: ignore every signal that can
	 * be. A real fault still ends it (the kernel forces fault signals).
	 */
	for (int sig = 1; sig < 65; sig++)
		signal(sig, SIG_IGN);
	e.scratch = child_scratch();
	for (size_t i = 0; i < FUZZ_SCRATCH_BYTES / 8; i++)
		((uint64_t *)e.scratch)[i] = fuzz_rand(&e);
	hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (hole == MAP_FAILED)
		_exit(2);
	munmap(hole, 4096);
	e.unmapped = (uint64_t)(uintptr_t)hole;
	e.self = getpid();
	/* No console: random writes would garble the output, reads would block. */
	for (int fd = 0; fd < 64; fd++)
		close(fd);
	if (files_mode && !fuzz_files_setup(&e, dir))
		_exit(3);
	for (uint64_t n = 1; n <= budget; n++) {
		uint64_t a[6];
		long nr = files_mode ? fuzz_files_pick(&e) : fuzz_pick_call(&e), ret;
		uint64_t t;

		for (int i = 0; i < 4; i++)
			((uint64_t *)e.scratch)[fuzz_rand(&e) % (FUZZ_SCRATCH_BYTES / 8)] =
				fuzz_rand(&e);
		fuzz_make_args(&e, nr, a);
		if (files_mode)
			fuzz_files_args(&e, nr, a);
		sh->last = nr;
		sh->calls = n;
		sh->check = ~n;
		t = rdtsc();
		ret = raw_syscall(nr, a);
		/* A successful fork: its child leaves at once and is reaped here. */
		if (raw0(__NR_getpid) != e.self)
			raw_syscall(__NR_exit, (uint64_t[6]){ 0 });
		if (nr == __NR_fork && ret > 0)
			waitpid((pid_t)ret, NULL, 0);
		t = rdtsc() - t;
		/* The call may have unmapped or protected the scratch buffer: map it again. */
		if (fuzz_changes_memory(nr))
			raw_syscall(__NR_mmap,
			            (uint64_t[6]){ (uint64_t)(uintptr_t)e.scratch,
			                           FUZZ_SCRATCH_BYTES, PROT_READ | PROT_WRITE,
			                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
			                           (uint64_t)-1, 0 });
		if ((unsigned long)nr < 512)
			sh->cycles[nr] += t;
		if (t > sh->slow_cycles) {
			sh->slow_cycles = t;
			sh->slow_nr = nr;
		}
		if (ret == -ENOSYS)
			sh->enosys++;
		else if (ret == -EFAULT)
			sh->efault++;
		sh->succeeded += ret >= 0;
		if (files_mode)
			fuzz_files_result(&e, nr, ret);
		if (files_mode && n % FUZZ_PROBE_EVERY == 0)
			probe(sh, &e);
	}
	_exit(0);
}

struct run_stats {
	uint64_t calls, enosys, efault; /* accepted from the children's reports */
	uint64_t slow_cycles;           /* the slowest call seen, in TSC cycles */
	long slow_nr;
	uint64_t cycles[512];  /* per call number, from whole reports */
	unsigned killer[512];  /* the call each child that died by a signal was making last */
	uint64_t child_cycles; /* TSC cycles from each fork to the child's end, summed */
	long stalled[8];       /* the calls the first watchdog kills interrupted */
	unsigned children, signalled, watchdog, damaged, stops;
	uint64_t succeeded;
	uint64_t probes, violations; /* file mode: the child's probes and the parent's walks */
	char why[160];
	unsigned by_signal[65];
	uint64_t kill_late_ns; /* the longest a child lived on after the watchdog's SIGKILL ... */
	long kill_late_nr;     /* ... and the call it was making */
};

/* Wait for child @pid, killing it when it stops making calls. */
static void supervise(struct shared *sh, pid_t pid, struct run_stats *st)
{
	uint64_t seen = sh->calls, since = now_ns(), killed_at = 0;
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG | WUNTRACED);
		struct timespec tick = { 0, 2 * 1000 * 1000 };

		/*
		 * A child that stopped itself (SIGSTOP, SIGTSTP...) is continued. It
		 * may stop again at once (a background read of the terminal gets
		 * SIGTTIN each time it restarts), so the watchdog below still runs.
		 */
		if (r == pid && WIFSTOPPED(status)) {
			kill(pid, SIGCONT);
			st->stops++;
		} else if (r == pid) {
			break;
		}
		if (sh->calls != seen) {
			seen = sh->calls;
			since = now_ns();
		} else if (now_ns() - since >
		           (sh->last == __NR_fork ? WATCHDOG_FORK_NS : watchdog_ns)) {
			kill(pid, SIGKILL);
			if (!killed_at)
				killed_at = now_ns();
			if (st->watchdog < 8)
				st->stalled[st->watchdog] = sh->last;
			st->watchdog++;
			since = now_ns();
		}
		nanosleep(&tick, NULL);
	}
	/* How long the kill took to end it: the kernel must not finish a long call first. */
	if (killed_at && now_ns() - killed_at > st->kill_late_ns) {
		st->kill_late_ns = now_ns() - killed_at;
		st->kill_late_nr = sh->last;
	}
	if (WIFSIGNALED(status)) {
		st->signalled++;
		if ((unsigned long)sh->last < 512)
			st->killer[sh->last]++;
		if (WTERMSIG(status) > 0 && WTERMSIG(status) < 65)
			st->by_signal[WTERMSIG(status)]++;
	}
}

/* Count a finished child's calls if its report is whole. */
static void account(const struct shared *sh, uint64_t budget, struct run_stats *st)
{
	if (sh->magic != SHARED_MAGIC || sh->check != ~sh->calls || sh->calls > budget) {
		st->damaged++;
		return;
	}
	st->calls += sh->calls;
	for (int i = 0; i < 512; i++)
		st->cycles[i] += sh->cycles[i];
	if (sh->slow_cycles > st->slow_cycles) {
		st->slow_cycles = sh->slow_cycles;
		st->slow_nr = sh->slow_nr;
	}
	st->enosys += sh->enosys;
	st->efault += sh->efault;
	st->probes += sh->probes;
	st->succeeded += sh->succeeded;
	if (sh->violations && !st->violations)
		memcpy(st->why, sh->why, sizeof(st->why));
	st->violations += sh->violations;
}

/* File mode: the parent's walk of what the child left, which also removes it. */
static void check_tree(const char *dir, struct run_stats *st)
{
	char why[sizeof(st->why)];
	int bad = fuzz_files_check(dir, why, sizeof(why));

	if (bad && !st->violations)
		memcpy(st->why, why, sizeof(why));
	st->violations += (uint64_t)bad;
}

static void run(struct shared *sh, uint64_t target, uint64_t seed, struct run_stats *st)
{
	long parent = getpid();

	while (st->calls < target) {
		uint64_t budget =
			target - st->calls < CHILD_BUDGET ? target - st->calls : CHILD_BUDGET;
		pid_t pid;
		uint64_t t, before;
		static int fork_failures;
		char dir[48];

		memset((void *)sh, 0, sizeof(*sh));
		sh->magic = SHARED_MAGIC;
		sh->check = ~0ull;
		snprintf(dir, sizeof(dir), "/tmp/fuzz-%u", st->children);
		pid = fork();
		if (pid == 0)
			child_main(sh, budget, seed + st->children * 0x9e3779b97f4a7c15ull, parent,
			           dir);
		if (pid < 0) {
			/* Zombies of killed children's children may linger a moment: try a few times. */
			if (++fork_failures < 50) {
				struct timespec pause = { 0, 20 * 1000 * 1000 };

				while (waitpid(-1, NULL, WNOHANG) > 0)
					;
				nanosleep(&pause, NULL);
				continue;
			}
			printf("# fork failed: %s\n", strerror(errno));
			return;
		}
		st->children++;
		t = rdtsc();
		supervise(sh, pid, st);
		st->child_cycles += rdtsc() - t;
		before = st->calls;
		account(sh, budget, st);
		if (files_mode)
			check_tree(dir, st);
		/* A line now and then: test runners stop a console that stays silent. */
		if (st->calls / 10000 != before / 10000)
			printf("# %llu calls\n", (unsigned long long)st->calls);
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
		if (cairn_memstat_frames_apart(base, &m) == 0 && m.heap_live == base->heap_live &&
		    m.tasks == base->tasks)
			break;
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		nanosleep(&pause, NULL);
	}
	printf("%s %d - frames back to baseline (%lld bytes apart, heap growth left out)\n",
	       cairn_memstat_frames_apart(base, &m) == 0 ? "ok" : "not ok", ++*n,
	       cairn_memstat_frames_apart(base, &m));
	printf("%s %d - heap back to baseline (%lld blocks apart)\n",
	       m.heap_live == base->heap_live ? "ok" : "not ok", ++*n,
	       (long long)(m.heap_live - base->heap_live));
	printf("%s %d - tasks back to baseline (%lld apart)\n",
	       m.tasks == base->tasks ? "ok" : "not ok", ++*n, (long long)(m.tasks - base->tasks));
}

static void report(const struct run_stats *st, uint64_t target, uint64_t ns)
{
	printf("# %llu calls in %llu ms: %llu ENOSYS, %llu EFAULT; %u children, %u killed by a "
	       "signal, %u by the watchdog, %u left no whole report\n",
	       (unsigned long long)st->calls, (unsigned long long)(ns / 1000000),
	       (unsigned long long)st->enosys, (unsigned long long)st->efault, st->children,
	       st->signalled, st->watchdog, st->damaged);
	printf("# slowest call: %ld, %llu Mcycles\n", st->slow_nr,
	       (unsigned long long)(st->slow_cycles / 1000000));
	if (st->watchdog) {
		printf("# stalled in:");
		for (unsigned i = 0; i < st->watchdog && i < 8; i++)
			printf(" %ld", st->stalled[i]);
		printf("\n");
	}
	printf("# children stopped themselves %u times (continued)\n", st->stops);
	printf("# children lived %llu Mcycles in all\n",
	       (unsigned long long)(st->child_cycles / 1000000));
	for (int k = 0; k < 5; k++) {
		int best = 0;

		for (int i = 1; i < 512; i++)
			if (st->cycles[i] > st->cycles[best])
				best = i;
		printf("#   call %d: %llu Mcycles in all\n", best,
		       (unsigned long long)(st->cycles[best] / 1000000));
		((struct run_stats *)st)->cycles[best] = 0;
	}
	for (int k = 0; k < 5; k++) {
		int best = 0;

		for (int i = 1; i < 512; i++)
			if (st->killer[i] > st->killer[best])
				best = i;
		if (st->killer[best])
			printf("#   %u children died in call %d\n", st->killer[best], best);
		((struct run_stats *)st)->killer[best] = 0;
	}
	for (int s = 1; s < 65; s++) {
		if (st->by_signal[s])
			printf("#   signal %d ended %u children\n", s, st->by_signal[s]);
	}
	printf("%s 1 - %llu calls made\n", st->calls >= target ? "ok" : "not ok",
	       (unsigned long long)target);
	printf("%s 2 - every child the watchdog killed ended within %llu ms (the slowest: %llu ms, "
	       "in call %ld)\n",
	       st->kill_late_ns <= KILL_LATE_NS ? "ok" : "not ok",
	       (unsigned long long)(KILL_LATE_NS / 1000000),
	       (unsigned long long)(st->kill_late_ns / 1000000), st->kill_late_nr);
}

/*
 * The frame check counts the parent's own pages as well as the kernel's,
 * so whatever the parent touches after the baseline must be in before it:
 * the walk's name tables (fuzz_files_warm) and the stack below main that
 * the report and the walk's recursion reach. The /tmp sweep's first table,
 * touched only after the baseline in the general mode, was the "4096 bytes
 * apart" of every such run; more names left in /tmp reached more pages.
 */
static void __attribute__((noinline)) warm_stack(void)
{
	volatile char pad[WARM_STACK];

	for (size_t i = 0; i < sizeof(pad); i += 4096)
		pad[i] = 0;
}

int main(int argc, char **argv)
{
	uint64_t target = 100000, seed = 0, t0;
	struct cairn_memstat base;
	struct run_stats st = { 0 };
	struct shared *sh;
	struct utsname u;
	long uid = 1000, on_cairn;
	int opt, n = 2; /* report() prints tests 1 and 2 */

	while ((opt = getopt(argc, argv, "c:fn:s:u:w:")) != -1) {
		if (opt == 'f')
			files_mode = true;
		else if (opt == 'c')
			fuzz_files_only(optarg);
		else if (opt == 'n')
			target = strtoull(optarg, NULL, 0);
		else if (opt == 's')
			seed = strtoull(optarg, NULL, 0);
		else if (opt == 'w')
			watchdog_ns = strtoull(optarg, NULL, 0) * 1000000ull;
		else if (opt == 'u')
			uid = strtol(optarg, NULL, 0);
	}
	if (!seed)
		seed = now_ns() ^ ((uint64_t)getpid() << 32);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..%d\n# seed %llu%s\n", files_mode ? 7 : 6,
	       (unsigned long long)seed, files_mode ? ", file calls only" : "");
	/* The Linux baseline's initramfs has no /tmp: make it as Cairn's boot does. */
	if (mkdir("/tmp", 01777) == 0)
		chmod("/tmp", 01777);
	if (setgid((gid_t)uid) != 0 || setuid((uid_t)uid) != 0)
		printf("# could not become uid %ld (%s): running as uid %d\n", uid, strerror(errno),
		       (int)getuid());
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		printf("Bail out! no shared memory: %s\n", strerror(errno));
		return 1;
	}
	/*
	 * Both modes make file calls, and names they leave in /tmp are not the
	 * kernel's: the walk that removes them after the run is warmed in both.
	 */
	fuzz_files_warm();
	fuzz_files_note_tmp();
	warm_stack();
	on_cairn = memstat(&base) == 0;
	t0 = now_ns();
	run(sh, target, seed, &st);
	report(&st, target, now_ns() - t0);
	printf("# %llu calls succeeded\n", (unsigned long long)st.succeeded);
	printf("# %d stray names removed from /tmp\n", fuzz_files_sweep_tmp());
	if (files_mode)
		printf("# the walks found %lu names\n", fuzz_files_walked);
	if (files_mode)
		printf("%s %d - file-system invariants held: %llu probes, %u trees walked, %llu "
		       "broken%s%s\n",
		       st.violations ? "not ok" : "ok", ++n, (unsigned long long)st.probes,
		       st.children, (unsigned long long)st.violations, st.violations ? ": " : "",
		       st.why);
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
