// SPDX-License-Identifier: MIT
/*
 * Memory objects under stress (docs/vmo.md): resizes racing faults and
 * copies in other threads, and random calls with arguments at the edges
 * (sizes around a page and 4 GiB, nonsense descriptors, kernel and NULL
 * buffers, random rights, protections and mapping flags) in a child with
 * little address space and few descriptors. The kernel must answer every
 * call with a number, the child must live, and every object and page must
 * be gone after it. Cairn only: on Linux each point is skipped.
 */
#include <pthread.h>
#include <sys/resource.h>

#include "vmotest.h"

#define RACE_PAGES  64
#define RACE_ROUNDS 10000

struct race {
	int h;
	volatile char *p;
	volatile int stop;
	long faults, bus, copies;
};

/* Touch pages of the mapping while the size moves under it: each a byte or SIGBUS. */
static void *race_toucher(void *arg)
{
	struct race *r = arg;
	unsigned seed = 7;

	while (!r->stop) {
		seed = seed * 1103515245 + 12345;
		if (vt_read_bus(r->p + (seed >> 8) % RACE_PAGES * PG))
			r->bus++;
		else
			r->faults++;
	}
	return NULL;
}

/* Copies in and out at random places: done, or EINVAL past the moving end. */
static void *race_copier(void *arg)
{
	struct race *r = arg;
	unsigned seed = 11;
	char buf[64];
	long e;

	while (!r->stop) {
		seed = seed * 1103515245 + 12345;
		e = seed & 1 ? cairn_vmo_write(r->h, buf, (seed >> 4) % (RACE_PAGES * PG), 64)
		             : cairn_vmo_read(r->h, buf, (seed >> 4) % (RACE_PAGES * PG), 64);
		if (e && e != -EINVAL)
			r->copies = -1000000000;
		r->copies++;
	}
	return NULL;
}

/* Shrinking and growing races faults and copies in two other threads: nothing breaks or leaks. */
static void resize_races(void)
{
	struct cairn_objcount c0 = vt_counts();
	struct race r = { .stop = 0 };
	pthread_t t1, t2;
	unsigned seed = 3;

	r.h = (int)cairn_vmo_create(RACE_PAGES * PG, 0);
	r.p = vt_map(r.h, RACE_PAGES * PG, RW, MAP_SHARED, 0);
	CK(r.h >= 0 && vt_mapped((void *)r.p));
	if (r.h < 0 || !vt_mapped((void *)r.p))
		return;
	CK(pthread_create(&t1, NULL, race_toucher, &r) == 0);
	CK(pthread_create(&t2, NULL, race_copier, &r) == 0);
	for (int i = 0; i < RACE_ROUNDS; i++) {
		seed = seed * 1103515245 + 12345;
		CK(cairn_vmo_set_size(r.h, (seed >> 8) % (RACE_PAGES + 1) * PG) == 0);
	}
	r.stop = 1;
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	tap_masked("%ld touches, %ld SIGBUS, %ld copies", r.faults, r.bus, r.copies);
	CK(r.copies > 0);
	munmap((void *)r.p, RACE_PAGES * PG);
	close(r.h);
	vt_wait_counts(&c0);
}

/* ---- random calls with random arguments ---- */

#define RANDOM_CALLS 20000

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* A size or offset near an edge: 0, around a page, around 4 GiB, or anything. */
static uint64_t rnd_size(void)
{
	static const uint64_t edges[] = {
		0,      1,          PG - 1,           PG,         PG + 1,
		3 * PG, 1ull << 20, (1ull << 32) - 1, 1ull << 32, (1ull << 32) + 1,
		-1ull,  1ull << 63
	};
	uint64_t r = rnd();

	return r % 4 ? edges[r / 4 % (sizeof(edges) / sizeof(edges[0]))] : rnd();
}

/* A descriptor: mostly small numbers (the handles made), sometimes nonsense. */
static long rnd_fd(void)
{
	uint64_t r = rnd();

	return r % 8 ? (long)(3 + r / 8 % 24) : (long)(int32_t)rnd();
}

/* A buffer: the scratch one, NULL, a kernel address, or a random one. */
static void *rnd_buf(uint8_t *scratch)
{
	static void *const bad[] = { NULL, (void *)0xffff800000000000ul, (void *)-4096l };
	uint64_t r = rnd();

	return r % 4 ? scratch + r / 4 % PG : bad[r / 4 % 3];
}

/* A mapping of a random descriptor: 0 when it mapped, -1 when not. */
static long rnd_mmap(void)
{
	static const int flags[] = { MAP_SHARED,
		                     MAP_PRIVATE,
		                     MAP_SHARED_VALIDATE,
		                     MAP_SHARED | MAP_FIXED,
		                     MAP_PRIVATE | MAP_POPULATE,
		                     0,
		                     0x7f };
	uint64_t r = rnd();
	void *p =
		mmap(NULL, (size_t)(r % 5 ? (r >> 8) % (64 * PG) : rnd_size()), (int)(r >> 24) & 7,
	             flags[(r >> 32) % 7], (int)rnd_fd(), (off_t)(r % 3 ? 0 : rnd_size()));
	volatile char *v = p;

	/* Touch what mapped: a byte, or SIGBUS/SIGSEGV (all caught). */
	if (p != MAP_FAILED && !vt_read_bus(v) && (r & 1))
		(void)syscall(SYS_mprotect, p, PG, (int)(rnd() & 7));
	if (p != MAP_FAILED && (r & 2))
		munmap(p, PG);
	return p == MAP_FAILED ? -1 : 0;
}

/* Calls of each kind that succeeded, so the run shows it reached past the checks. */
static long random_ok[9];

/* One random call; the answer must be a number (0, a handle or -errno), never a crash. */
static void random_call(uint8_t *scratch)
{
	uint64_t r = rnd();
	long ret;

	switch (r % 9) {
	case 0:
		ret = cairn_vmo_create(rnd_size() % (r & 8 ? -1ull : 64 * PG),
		                       (uint32_t)(rnd() % 3));
		break;
	case 1:
		ret = cairn_vmo_read((int)rnd_fd(), rnd_buf(scratch), rnd_size() % (8 * PG),
		                     rnd_size() % (2 * PG));
		break;
	case 2:
		ret = cairn_vmo_write((int)rnd_fd(), rnd_buf(scratch), rnd_size() % (8 * PG),
		                      rnd_size() % (2 * PG));
		break;
	case 3:
		ret = cairn_vmo_get_size((int)rnd_fd(), rnd_buf(scratch));
		break;
	case 4:
		ret = cairn_vmo_set_size((int)rnd_fd(), rnd_size() % (r & 8 ? -1ull : 64 * PG));
		break;
	case 5:
		ret = cairn_handle_dup((int)rnd_fd(),
		                       (uint32_t)rnd() & (r & 8 ? ~0u : CAIRN_RIGHTS_ALL), 0);
		break;
	case 6:
		ret = rnd_mmap();
		break;
	case 7:
		ret = close((int)rnd_fd());
		break;
	default:
		ret = dup((int)rnd_fd());
		break;
	}
	if (ret >= 0)
		random_ok[r % 9]++;
}

/* Random calls in a child with little address space and few descriptors. */
static int random_child(void)
{
	struct rlimit as = { 64ul << 20, 64ul << 20 }, nofile = { 32, 32 };
	struct sigaction sa = { .sa_handler = vt_on_bus };
	static uint8_t scratch[3 * PG]; /* rnd_buf() + 2 pages at most */

	sigaction(SIGSEGV, &sa, NULL);
	if (setrlimit(RLIMIT_AS, &as) || setrlimit(RLIMIT_NOFILE, &nofile))
		return 1;
	for (int i = 0; i < RANDOM_CALLS; i++)
		random_call(scratch);
	tap_masked("random calls that succeeded: create %ld, read %ld, write %ld, get_size %ld, "
	           "set_size %ld, dup %ld, mmap %ld, close %ld, dup(2) %ld",
	           random_ok[0], random_ok[1], random_ok[2], random_ok[3], random_ok[4],
	           random_ok[5], random_ok[6], random_ok[7], random_ok[8]);
	return 0;
}

/* 20,000 calls with arguments at the edges: the child lives, and nothing is left after it. */
static void random_calls(void)
{
	struct cairn_objcount c0 = vt_counts();
	pid_t pid = fork();
	int st;

	if (pid == 0)
		_exit(random_child());
	st = ut_wait(pid);
	CK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st))
		tap_masked("random child: %s", ut_status(st));
	vt_wait_counts(&c0);
}

/*
 * Commit until the kernel's limit for memory objects (half of its memory):
 * writes then fail with ENOMEM and a fault is SIGBUS, while the kernel
 * still works (a fork and a pipe); closing gives everything back.
 */
static void up_to_the_limit(void)
{
	static uint8_t chunk[1 << 20];
	struct cairn_objcount c0 = vt_counts();
	long h = cairn_vmo_create(1ull << 32, 0), err = 0;
	uint64_t off = 0;
	char *p;
	int st, fds[2];
	pid_t pid;

	CK(h >= 0);
	if (h < 0)
		return;
	memset(chunk, 0x5a, sizeof(chunk));
	while (off < (1ull << 32) && !(err = cairn_vmo_write((int)h, chunk, off, sizeof(chunk))))
		off += sizeof(chunk);
	tap_masked("committed %llu MiB before the limit", (unsigned long long)(off >> 20));
	CK(err == -ENOMEM && off >= (16u << 20));
	p = vt_map((int)h, 2 << 20, PROT_READ, MAP_SHARED, (off_t)off);
	CK(vt_mapped(p) && vt_read_bus(p + (1 << 20) + 4096));
	if (vt_mapped(p))
		munmap(p, 2 << 20);
	pid = fork();
	if (pid == 0)
		_exit(pipe(fds) ? 1 : 0);
	st = ut_wait(pid);
	CK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close((int)h);
	vt_wait_counts(&c0);
}

static const struct vt_point points[] = {
	{ resize_races, "resizes racing faults and copies in other threads break nothing" },
	{ random_calls, "20,000 calls with arguments at the edges leave no crash and no object" },
	{ up_to_the_limit, "past the kernel's limit writes are ENOMEM, faults SIGBUS; all freed" },
};

int main(void)
{
	return vt_run(points, (int)(sizeof(points) / sizeof(points[0])));
}
