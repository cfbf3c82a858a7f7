// SPDX-License-Identifier: MIT
/*
 * Channels under abuse (docs/channels.md): a child process makes 20,000
 * channel calls with random arguments (sizes, flags, handle lists with
 * random descriptors, rights and types, bad pointers), and four threads
 * of another child write, read, call and close over shared channels at
 * once. Each child must end normally, and once it is gone the kernel's
 * object counts (and, for the random calls, its memory) must be back at
 * their baseline: bad input gets an error, never a crash, a hang or a
 * leak. (The random calls found a descriptor leaked by a channel_create
 * whose second handle did not fit.) Every point is skipped on Linux.
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "cairn.h"
#include "chantest.h"
#include "utest.h"

#define BUF      (CAIRN_MSG_MAX_BYTES + 4096)
#define NFDS     16
#define FUZZ_OPS 20000

/* The kernel writes where the fuzzer says: a guard page after each buffer keeps it honest. */
static unsigned char *buf;           /* BUF bytes */
static struct cairn_handle_xfer *xf; /* XF records */
#define XF (CAIRN_MSG_MAX_HANDLES + 8)

static void *guarded(size_t n)
{
	size_t len = (n + 4095) & ~(size_t)4095;
	unsigned char *p =
		mmap(NULL, len + 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || mprotect(p + len, 4096, PROT_NONE))
		return NULL;
	return p + len - n;
}

/* xorshift64: a fixed sequence, so a failure can be replayed. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint64_t pick(const uint64_t *v, unsigned n)
{
	return v[rnd() % n];
}

/* A user address: the buffer, its edge, or one that cannot be reached. */
static uint64_t rnd_ptr(void *good)
{
	const uint64_t bad[] = { 0, 8, 0xffff800000000000ull, (uint64_t)(uintptr_t)(buf + BUF - 4),
		                 0x00007ffffffff000ull };

	return rnd() % 8 ? (uint64_t)(uintptr_t)good : pick(bad, 5);
}

static uint32_t rnd_size(uint32_t max)
{
	const uint64_t odd[] = { 0,           1,   64, CAIRN_MSG_MAX_BYTES, CAIRN_MSG_MAX_BYTES + 1,
		                 0xffffffffu, 4096 };

	return rnd() % 4 ? (uint32_t)(rnd() % (max + 1)) : (uint32_t)pick(odd, 7);
}

/* Fill @n handle records from the descriptors @fds, with random rights and types. */
static void rnd_xfers(const int *fds, uint32_t n)
{
	for (uint32_t i = 0; i < n && i < XF; i++) {
		xf[i].handle = rnd() % 16 ? fds[rnd() % NFDS] : (int32_t)rnd();
		xf[i].type = rnd() % 4 ? 0 : (uint32_t)(rnd() % 9);
		xf[i].rights = rnd() % 3 ? CAIRN_RIGHT_SAME_RIGHTS : (uint32_t)rnd();
		xf[i].reserved = rnd() % 32 ? 0 : 1;
	}
}

/* One random call on one of @fds; nothing waits (deadline 0, no CAIRN_MSG_WAIT). */
static void fuzz_one(int *fds)
{
	struct cairn_call c;
	struct cairn_msg m;
	int32_t pair[2];
	int h = fds[rnd() % NFDS];
	uint32_t flags = rnd() % 4 ? 0 : (uint32_t)rnd() & ~CAIRN_MSG_WAIT;

	memset(&m, 0, sizeof(m));
	m.bytes = rnd_ptr(buf);
	m.handles = rnd_ptr(xf);
	m.nbytes = rnd_size(4096);
	m.nhandles = rnd_size(CAIRN_MSG_MAX_HANDLES + 2) % (CAIRN_MSG_MAX_HANDLES + 3);
	m.txid = rnd() % 8 ? 0 : (uint32_t)rnd();
	m.reserved = rnd() % 32 ? 0 : 1;
	rnd_xfers(fds, m.nhandles);
	switch (rnd() % 5) {
	case 0:
		cairn_channel_write(h, &m, flags);
		break;
	case 1:
		cairn_channel_read(h, &m, flags);
		break;
	case 2:
		memset(&c, 0, sizeof(c));
		c.wr = m;
		c.rd = (struct cairn_msg){ .bytes = rnd_ptr(buf),
			                   .handles = rnd_ptr(xf),
			                   .nbytes = rnd_size(BUF),
			                   .nhandles = rnd_size(8) };
		c.flags = rnd() % 3 ? 0 : (rnd() % 4 ? CAIRN_CALL_REPLY_WAIT : (uint32_t)rnd());
		cairn_channel_call(h, rnd() % 16 ? &c : (struct cairn_call *)(uintptr_t)rnd_ptr(&c),
		                   rnd() % 8 ? 0 : -1);
		break;
	case 3:
		if (cairn_channel_create(pair, rnd() % 8 ? 0 : (uint32_t)rnd()) == 0) {
			close(fds[rnd() % NFDS]);
			fds[rnd() % NFDS] = pair[0];
			fds[rnd() % NFDS] = pair[1];
		}
		break;
	default:
		/* Handles a read gave us take the place of others. */
		if (cairn_channel_read(h, &m, 0) == 0 && m.nhandles)
			fds[rnd() % NFDS] = xf[0].handle;
		break;
	}
}

static int fuzz_child(void)
{
	int fds[NFDS];
	int32_t p[2];
	int pfd[2];

	buf = guarded(BUF);
	xf = guarded(XF * sizeof(*xf));
	if (!buf || !xf)
		return 3;
	for (int i = 0; i < NFDS; i += 2) {
		if (cairn_channel_create(p, 0))
			return 1;
		fds[i] = p[0];
		fds[i + 1] = p[1];
	}
	if (pipe(pfd))
		return 2;
	fds[3] = pfd[0];
	fds[5] = (int)cairn_vmo_create(4096, 0); /* -ENOSYS without memory objects: a bad fd */
	fds[7] = (int)cairn_process_self(0);
	for (int i = 0; i < FUZZ_OPS; i++)
		fuzz_one(fds);
	return 0;
}

/* Wait up to 10 s for the counts to come back to @base. */
static bool counts_back(const struct cairn_objcount *base)
{
	struct cairn_objcount now;

	for (int i = 0; i < 500; i++) {
		if (ct_counts(&now) && ct_counts_equal(base, &now))
			return true;
		ut_sleep_ms(20);
	}
	ct_counts_show("base", base);
	ct_counts_show("now", &now);
	return false;
}

static bool run_child(int (*fn)(void))
{
	struct cairn_objcount base;
	pid_t pid;
	int st;

	CT_CHECK(ct_counts(&base));
	pid = fork();
	if (pid == 0)
		_exit(fn());
	CT_CHECK(pid > 0);
	st = ut_wait(pid);
	if (st != 0)
		CT_FAIL("child: %s", ut_status(st));
	return counts_back(&base);
}

/* Twice: the first run reaches the high-water marks the kernel keeps; the second adds nothing. */
static bool t_fuzz(void)
{
	struct cairn_memstat base, now;
	long long frames = 0, heap = 0;

	CT_CHECK(run_child(fuzz_child));
	CT_CHECK(cairn_memstat_read(&base));
	CT_CHECK(run_child(fuzz_child));
	for (int i = 0; i < 250; i++) {
		CT_CHECK(cairn_memstat_read(&now));
		frames = cairn_memstat_frames_apart(&base, &now);
		heap = (long long)now.heap_live - (long long)base.heap_live;
		if (frames == 0 && heap == 0)
			return true;
		ut_sleep_ms(20);
	}
	CT_FAIL("frames %lld, heap blocks %lld from the baseline", frames, heap);
}

/* ---- threads at once ---- */

#define THREADS 4
#define SHARED  6

static int shared[SHARED]; /* channel ends all threads use (racing closes included) */
static volatile int stop;

static void *hammer(void *arg)
{
	uint64_t s = (uint64_t)(uintptr_t)arg * 0x2545f4914f6cdd1dull + 1;
	unsigned char b[256];
	struct cairn_handle_xfer x[2];
	struct cairn_call c;
	struct cairn_msg m;
	int32_t p[2];

	while (!stop) {
		int h = shared[(s >> 8) % SHARED];

		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		switch (s % 6) {
		case 0:
		case 1:
			x[0] = ct_xfer((int)cairn_handle_dup(shared[(s >> 16) % SHARED],
			                                     CAIRN_RIGHT_SAME_RIGHTS, 0),
			               CAIRN_RIGHT_SAME_RIGHTS);
			if (ct_write(h, b, (uint32_t)(s % 200), x, x[0].handle >= 0, 0) &&
			    x[0].handle >= 0)
				close(x[0].handle);
			break;
		case 2:
		case 3:
			if (ct_read(h, b, sizeof(b), x, 2, 0, &m) == 0)
				for (uint32_t i = 0; i < m.nhandles; i++)
					close(x[i].handle);
			break;
		case 4:
			memset(&c, 0, sizeof(c));
			c.wr.bytes = c.rd.bytes = (uint64_t)(uintptr_t)b;
			c.wr.nbytes = 8;
			c.rd.nbytes = sizeof(b);
			c.flags = (s >> 20) % 2 ? CAIRN_CALL_REPLY_WAIT : 0;
			cairn_channel_call(h, &c, cairn_now_ns() + 1000000);
			break;
		default:
			if ((s >> 24) % 16 == 0 && cairn_channel_create(p, 0) == 0) {
				int i = (int)((s >> 32) % (SHARED / 2)) * 2;
				int o0 = shared[i], o1 = shared[i + 1];

				shared[i] = p[0];
				shared[i + 1] = p[1];
				close(o0);
				close(o1);
			}
			break;
		}
	}
	return NULL;
}

static int threads_child(void)
{
	pthread_t t[THREADS];
	int32_t p[2];

	for (int i = 0; i < SHARED; i += 2) {
		if (cairn_channel_create(p, 0))
			return 1;
		shared[i] = p[0];
		shared[i + 1] = p[1];
	}
	for (long i = 0; i < THREADS; i++)
		if (pthread_create(&t[i], NULL, hammer, (void *)(i + 1)))
			return 2;
	ut_sleep_ms(1500);
	stop = 1;
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	return 0;
}

static bool t_threads(void)
{
	return run_child(threads_child);
}

static const struct ct_test tests[] = {
	{ "20000 calls with random arguments: errors, no crash, nothing kept", t_fuzz },
	{ "4 threads write, read, call and close at once: nothing kept", t_threads },
};

int main(void)
{
	return ct_run(tests, (int)(sizeof(tests) / sizeof(tests[0])));
}
