/* SPDX-License-Identifier: MIT */
/*
 * Argument generation and the exclusion list of the system-call fuzzer.
 * The table of kernel/syscall/syscalls.def gives every call's argument
 * kinds; pointers come from a pool of good ones (into the child's scratch
 * buffer, whose contents are random) and bad ones (NULL, an unmapped page,
 * the user-space top, kernel and non-canonical addresses), numbers from a
 * pool of boundaries and random values.
 */
#include "fuzz_args.h"

#include <stddef.h>

/* The table, as the kernel sees it: name, argument count and kinds. */
enum {
	K__,
	K_I,
	K_U,
	K_X,
	K_P,
	K_S,
	K_FD,
	K_OFL,
	K_MODE,
	K_PROT,
	K_MAPF,
	K_CLONE,
	K_SIG,
	K_FUTEX,
	K_CLK
};

struct fuzz_call {
	const char *name;
	uint8_t nargs;
	uint8_t kind[6];
	uint8_t owned; /* some part of the kernel implements it (owner is not NONE) */
};

#define OWNED_NONE 0
#define OWNED_SYS  1
#define OWNED_MM   1
#define OWNED_ARCH 1
#define OWNED_SIG  1
#define OWNED_PROC 1
#define SYSCALL(nr, nm, n, k0, k1, k2, k3, k4, k5, own) \
	[nr] = { #nm, n, { K_##k0, K_##k1, K_##k2, K_##k3, K_##k4, K_##k5 }, OWNED_##own },
static const struct fuzz_call calls[] = {
#include "kernel/syscall/syscalls.def"
};
#undef SYSCALL

#define NCALLS      ((long)(sizeof(calls) / sizeof(calls[0])))
#define USER_TOP    0x00007ffffffff000ull
#define CAIRN_FIRST 1024 /* Cairn's own calls (include/cairn/cairn_sys.h) */

static bool named(long nr, const char *name);

uint64_t fuzz_rand(struct fuzz_env *e)
{
	/* xorshift64*: fast, good enough to spread choices; seeded per child. */
	e->rng ^= e->rng >> 12;
	e->rng ^= e->rng << 25;
	e->rng ^= e->rng >> 27;
	return e->rng * 0x2545f4914f6cdd1dull;
}

/*
 * Calls never made, each because it would end or derail the run rather
 * than test the kernel:
 *  exit, exit_group - end the child at once; nothing is checked by them.
 *  reboot           - would power the machine off if the uid switch failed.
 *  vfork, clone, clone3 - the new thread (or vfork child) runs the fuzz loop
 *                     on a shared or garbage stack in the child's memory:
 *                     it corrupts the fuzzer, not the kernel. fork is kept;
 *                     its child exits at once.
 *  pause, rt_sigsuspend - sleep until a signal that never comes: only the
 *                     watchdog would end them, costing time and testing nothing.
 */
bool fuzz_excluded(long nr)
{
	static const char *const never[] = { "exit",  "exit_group", "reboot", "vfork",
		                             "clone", "clone3",     "pause",  "rt_sigsuspend" };

	if (nr < 0 || nr >= NCALLS || !calls[nr].name)
		return false;
	for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++) {
		const char *a = never[i], *b = calls[nr].name;

		while (*a && *a == *b)
			a++, b++;
		if (!*a && !*b)
			return true;
	}
	return false;
}

long fuzz_pick_call(struct fuzz_env *e)
{
	uint64_t r = fuzz_rand(e);

	/* One call in 32 is outside the table: unassigned, past the end, negative, Cairn's own. */
	if ((r & 31) == 0) {
		static const long odd[] = { 335, 400,  423,         NCALLS, 511, 512,
			                    547, 1023, CAIRN_FIRST, 4096,   -1,  -1000 };

		return odd[(r >> 5) % (sizeof(odd) / sizeof(odd[0]))];
	}
	/* Three calls in four go to the implemented ones: that is where the kernel's code is. */
	for (bool owned = (r >> 5) % 4 != 0;; r = fuzz_rand(e)) {
		long nr = (long)((r >> 8) % (uint64_t)NCALLS);

		if (!calls[nr].name || fuzz_excluded(nr) || (owned && !calls[nr].owned))
			continue;
		/*
		 * rt_sigreturn with a random frame is refused with SIGSEGV, which
		 * ends the child, and a fork costs a whole process (slow with
		 * several CPUs under TCG): both come 16 times less often.
		 */
		if ((named(nr, "rt_sigreturn") || named(nr, "fork")) && fuzz_rand(e) % 16)
			continue;
		return nr;
	}
}

static uint64_t pick(struct fuzz_env *e, const uint64_t *pool, size_t n)
{
	return pool[fuzz_rand(e) % n];
}

static uint64_t bad_pointer(struct fuzz_env *e)
{
	const uint64_t pool[] = {
		0,
		1,
		e->unmapped,
		e->unmapped + 4095,
		USER_TOP - 8,
		USER_TOP,
		USER_TOP - 1,
		0x0000800000000000ull, /* the first non-canonical address */
		0xffff800000000000ull, /* the direct map */
		0xffffffff80000000ull, /* the kernel image */
		0xffffffffffffffffull,
		0x8000000000000000ull,
		(e->scratch ? (uint64_t)(uintptr_t)e->scratch + FUZZ_SCRATCH_BYTES - 1 : 0),
	};

	return pick(e, pool, sizeof(pool) / sizeof(pool[0]));
}

static uint64_t pointer(struct fuzz_env *e)
{
	uint64_t r = fuzz_rand(e);

	if (r % 3 == 0)
		return bad_pointer(e);
	/* Into the scratch buffer, page-aligned or not, near its end sometimes. */
	if (r % 3 == 1)
		return (uint64_t)(uintptr_t)e->scratch + ((r >> 8) % FUZZ_SCRATCH_BYTES);
	return (uint64_t)(uintptr_t)e->scratch + ((r >> 8) % (FUZZ_SCRATCH_BYTES / 4096)) * 4096;
}

static uint64_t number(struct fuzz_env *e)
{
	static const uint64_t pool[] = {
		0,
		1,
		2,
		3,
		4,
		7,
		8,
		16,
		64,
		255,
		256,
		4095,
		4096,
		4097,
		65536,
		0x7fffffff,
		0x80000000ull,
		0xffffffffull,
		0x100000000ull,
		0x7fffffffffffffffull,
		0x8000000000000000ull,
		0xffffffffffffffffull,
		0xfffffffffffff000ull,
		USER_TOP,
	};
	uint64_t r = fuzz_rand(e);

	if (r % 4 == 0)
		return fuzz_rand(e);
	if (r % 4 == 1)
		return (r >> 8) % 64;
	return pick(e, pool, sizeof(pool) / sizeof(pool[0]));
}

static uint64_t by_kind(struct fuzz_env *e, int kind)
{
	uint64_t r = fuzz_rand(e);

	switch (kind) {
	case K_P:
	case K_S:
		return pointer(e);
	case K_FD:
		return r % 4 == 0 ? (uint64_t)-100 : (r % 4 == 1 ? number(e) : (r >> 8) % 20);
	case K_SIG:
		return (r >> 8) % 70;
	case K_FUTEX:
		return (r >> 8) % 16 | (r & 0x100 ? 128 : 0) | (r & 0x200 ? 256 : 0);
	case K_CLK:
		return r % 8 == 0 ? number(e) : (r >> 8) % 13;
	case K_PROT:
	case K_MAPF:
	case K_OFL:
	case K_CLONE:
	case K_MODE:
		/* A few random bits, or all of them. */
		return r % 8 == 0 ? number(e) : fuzz_rand(e) & fuzz_rand(e) & 0xffffffull;
	default:
		return number(e);
	}
}

static bool named(long nr, const char *name)
{
	const char *a = calls[nr].name;

	while (*a && *a == *name)
		a++, name++;
	return !*a && !*name;
}

/*
 * Keep the kill family away from other processes: a pid that is not
 * positive (groups, "everyone") or names init or the fuzzer's parent
 * becomes the child's own pid.
 */
static void safe_pid(struct fuzz_env *e, uint64_t *a)
{
	long pid = (long)(int)*a;

	if (pid <= 1 || pid == e->parent)
		*a = (uint64_t)e->self;
}

/*
 * Time arguments that point into the scratch buffer get a short or an
 * invalid time, so a sleep or timed wait cannot stall the run for long.
 */
static void short_time(struct fuzz_env *e, uint64_t p)
{
	uint64_t s = (uint64_t)(uintptr_t)e->scratch;
	int64_t ts[2] = { fuzz_rand(e) % 4 == 0 ? -1 : 0, (int64_t)(fuzz_rand(e) % 2000000) };

	if (p < s || p + sizeof(ts) > s + FUZZ_SCRATCH_BYTES)
		return;
	__builtin_memcpy((void *)(uintptr_t)p, ts, sizeof(ts));
}

/*
 * A memory call's range must not take the fuzzer's own code, stack or
 * shared page away (that kills the child and tests nothing more): inside
 * the scratch buffer the length is cut at its end; elsewhere it is 0 or
 * past the end of user space, so the kernel has to refuse it whole.
 */
static void safe_range(struct fuzz_env *e, uint64_t addr, uint64_t *len)
{
	uint64_t s = (uint64_t)(uintptr_t)e->scratch;

	if (addr >= s && addr < s + FUZZ_SCRATCH_BYTES) {
		if (*len > s + FUZZ_SCRATCH_BYTES - addr)
			*len = s + FUZZ_SCRATCH_BYTES - addr;
		return;
	}
	if (*len && addr + *len >= addr && addr + *len <= USER_TOP)
		*len = fuzz_rand(e) % 2 ? 0 : 0x8000000000000000ull;
}

/* The memory calls: index of the address and of the length(s) arguments. */
static const struct {
	const char *name;
	int addr, len, len2;
} mm_calls[] = {
	{ "munmap", 0, 1, -1 },        { "mprotect", 0, 1, -1 },
	{ "madvise", 0, 1, -1 },       { "mmap", 0, 1, -1 },
	{ "mremap", 0, 1, 2 },         { "msync", 0, 1, -1 },
	{ "mlock", 0, 1, -1 },         { "munlock", 0, 1, -1 },
	{ "mlock2", 0, 1, -1 },        { "mbind", 0, 1, -1 },
	{ "pkey_mprotect", 0, 1, -1 }, { "remap_file_pages", 0, 1, -1 },
	{ "mseal", 0, 1, -1 },         { "map_shadow_stack", 0, 1, -1 },
};

static void make_safe(struct fuzz_env *e, long nr, uint64_t a[6])
{
	for (size_t i = 0; i < sizeof(mm_calls) / sizeof(mm_calls[0]); i++) {
		if (!named(nr, mm_calls[i].name))
			continue;
		safe_range(e, a[mm_calls[i].addr], &a[mm_calls[i].len]);
		if (mm_calls[i].len2 >= 0)
			safe_range(e, a[mm_calls[i].addr], &a[mm_calls[i].len2]);
	}
	/* mremap's new place, and brk (which would free what the C library keeps there). */
	if (named(nr, "mremap"))
		safe_range(e, a[4], &a[2]);
	if (named(nr, "brk"))
		a[0] = fuzz_rand(e) % 2 ? 0 : bad_pointer(e);
	if (named(nr, "kill") || named(nr, "tkill") || named(nr, "rt_sigqueueinfo"))
		safe_pid(e, &a[0]);
	if (named(nr, "tgkill") || named(nr, "rt_tgsigqueueinfo")) {
		safe_pid(e, &a[0]);
		safe_pid(e, &a[1]);
	}
	/* prlimit64 may name another process: never the parent, whose limits run the run. */
	if (named(nr, "prlimit64") && ((long)(int)a[0] == e->parent || (long)(int)a[0] < 0))
		a[0] = 0;
	/* A good pointer could name a real program and replace the child: only bad ones. */
	if (named(nr, "execve"))
		a[0] = bad_pointer(e);
	if (named(nr, "execveat"))
		a[1] = bad_pointer(e);
	if (named(nr, "nanosleep"))
		short_time(e, a[0]);
	if (named(nr, "clock_nanosleep"))
		short_time(e, a[2]);
	if (named(nr, "futex") || named(nr, "rt_sigtimedwait") || named(nr, "ppoll"))
		short_time(e, named(nr, "rt_sigtimedwait") ? a[2]
		                                           : (named(nr, "ppoll") ? a[2] : a[3]));
	if (named(nr, "alarm"))
		a[0] %= 3;
}

void fuzz_make_args(struct fuzz_env *e, long nr, uint64_t a[6])
{
	for (int i = 0; i < 6; i++)
		a[i] = number(e);
	if (nr < 0 || nr >= NCALLS || !calls[nr].name)
		return;
	for (int i = 0; i < calls[nr].nargs; i++)
		a[i] = by_kind(e, calls[nr].kind[i]);
	make_safe(e, nr, a);
}

bool fuzz_changes_memory(long nr)
{
	if (nr < 0 || nr >= NCALLS || !calls[nr].name)
		return false;
	for (size_t i = 0; i < sizeof(mm_calls) / sizeof(mm_calls[0]); i++) {
		if (named(nr, mm_calls[i].name))
			return true;
	}
	return named(nr, "brk") || named(nr, "madvise") || named(nr, "process_madvise");
}

char fuzz_arg_kind(long nr, int i)
{
	if (nr < 0 || nr >= NCALLS || !calls[nr].name || i < 0 || i >= calls[nr].nargs)
		return 0;
	switch (calls[nr].kind[i]) {
	case K_S:
		return 'S';
	case K_FD:
		return 'F';
	case K_OFL:
		return 'O';
	case K_MODE:
		return 'M';
	case K_P:
		return 'P';
	default:
		return 0;
	}
}
