/* SPDX-License-Identifier: MIT */
/*
 * KHB-1, the kernel-heap benchmark (/work/shared/bench/KHB-1-heap-benchmark.md, summed up
 * in docs/performance.md): runs every allocator in lib/alloc/ through the same SplitMix64
 * operation streams (W1 FIFO churn to exhaustion, W2 steady occupancy, W3 utilisation),
 * times each alloc and free with lfence;rdtsc;lfence around one call through the
 * allocator's vtable, prints a table and writes the CSV the spec defines.
 * Usage: khb1 [--csv FILE] [--alloc NAME] [--quick]   (--quick is a smoke test, not KHB-1)
 */
#define _GNU_SOURCE
#include <lib/alloc/alloc.h>
#include <lib/alloc/khb1_rand.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define MIB          ((size_t)1 << 20)
#define BIG_HEAP     (160 * MIB)
#define SMALL_HEAP   (16 * MIB)
#define W1_ITERS     100000
#define W1_QUEUE_MIN 10
#define W2_WARM      20000
#define W2_MEAS      50000
#define W3_ROUNDS    10
#define CAL_NS       400000000ull

/* A live block as the workloads remember it. */
struct blk {
	void *p;
	uint32_t size;
	uint32_t align;
};

/* Timings of one kind of operation. */
struct samples {
	uint64_t *v;
	size_t n;
	uint64_t fails;
};

/* One allocator under test and everything a run needs. */
struct bench {
	const struct alloc_ops *ops;
	void *heap;    /* the allocator's struct */
	uint64_t *ext; /* external bookkeeping (chunk's bitmap) */
	size_t ext_bytes;
	uint8_t *mem;     /* BIG_HEAP bytes, page-aligned */
	struct blk *live; /* live set or FIFO ring */
	size_t live_cap;
	FILE *csv;
	double ghz; /* TSC ticks per nanosecond */
	bool quick;
};

/* Where a row goes: the spec's first five CSV columns. */
struct where {
	const char *workload;
	const char *dist;
	size_t heap_mib;
	unsigned int param;
};

static inline uint64_t tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* TSC ticks per nanosecond, measured against CLOCK_MONOTONIC over CAL_NS. */
static double calibrate_ghz(void)
{
	uint64_t n0 = now_ns(), t0 = tsc(), n1, t1;

	do
		n1 = now_ns();
	while (n1 - n0 < CAL_NS);
	t1 = tsc();
	return (double)(t1 - t0) / (double)(n1 - n0);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* The median of an empty timed pair: what every sample carries on top of the call. */
static uint64_t empty_pair_p50(void)
{
	enum { N = 100001 };
	uint64_t *v = malloc(N * sizeof(*v)), t0, r;
	size_t i;

	for (i = 0; i < N; i++) {
		t0 = tsc();
		v[i] = tsc() - t0;
	}
	qsort(v, N, sizeof(*v), cmp_u64);
	r = v[N / 2];
	free(v);
	return r;
}

static void samples_init(struct samples *s, size_t cap)
{
	s->v = malloc(cap * sizeof(*s->v));
	s->n = 0;
	s->fails = 0;
	if (!s->v) {
		perror("khb1: malloc");
		exit(1);
	}
}

/* q(p) = s[min(n-1, floor(n*p))], with p given in thousandths. */
static uint64_t quantile(const struct samples *s, size_t per_mille)
{
	size_t i = s->n * per_mille / 1000;

	return s->v[i < s->n - 1 ? i : s->n - 1];
}

static void csv_where(struct bench *b, const struct where *w, const char *op, const char *phase)
{
	fprintf(b->csv, "%s,%s,%zu,%u,%s,%s,%s", w->workload, w->dist, w->heap_mib, w->param,
	        b->ops->name, op, phase);
}

/* Sort @s and report it as one latency row. */
static void emit(struct bench *b, const struct where *w, const char *op, const char *phase,
                 struct samples *s)
{
	double mean = 0;
	size_t i;

	if (!s->n)
		return;
	qsort(s->v, s->n, sizeof(*s->v), cmp_u64);
	for (i = 0; i < s->n; i++)
		mean += (double)s->v[i];
	mean /= (double)s->n;
	printf("%-3s %-3s %4u %-9s %-5s %-5s %7zu %6llu %6llu %6llu %9.1f %6llu %7llu %7llu %9llu"
	       " %7.1f %8.1f\n",
	       w->workload, w->dist, w->param, b->ops->name, op, phase, s->n,
	       (unsigned long long)s->fails, (unsigned long long)s->v[0],
	       (unsigned long long)s->v[s->n / 2], mean, (unsigned long long)quantile(s, 900),
	       (unsigned long long)quantile(s, 990), (unsigned long long)quantile(s, 999),
	       (unsigned long long)s->v[s->n - 1], (double)s->v[s->n / 2] / b->ghz, mean / b->ghz);
	csv_where(b, w, op, phase);
	fprintf(b->csv, ",%zu,%llu,%llu,%llu,%.3f,%llu,%llu,%llu,%llu\n", s->n,
	        (unsigned long long)s->fails, (unsigned long long)s->v[0],
	        (unsigned long long)s->v[s->n / 2], mean, (unsigned long long)quantile(s, 900),
	        (unsigned long long)quantile(s, 990), (unsigned long long)quantile(s, 999),
	        (unsigned long long)s->v[s->n - 1]);
}

/* Report a utilisation figure: @mean in the mean column, with @n, @fails, @min and @max. */
static void emit_util(struct bench *b, const struct where *w, const char *op, const char *phase,
                      size_t n, uint64_t fails, double min, double mean, double max)
{
	printf("%-3s %-3s %4u %-9s %-5s %-5s %7zu %6llu   min %.5f  mean %.5f  max %.5f\n",
	       w->workload, w->dist, w->param, b->ops->name, op, phase, n,
	       (unsigned long long)fails, min, mean, max);
	csv_where(b, w, op, phase);
	fprintf(b->csv, ",%zu,%llu,%.6f,,%.6f,,,,%.6f\n", n, (unsigned long long)fails, min, mean,
	        max);
}

/* Zero the heap memory (so no page fault is timed) and make a fresh heap of @bytes. */
static void heap_reset(struct bench *b, size_t bytes)
{
	memset(b->mem, 0, bytes);
	if (b->ops->init(b->heap, b->mem, bytes, b->ext, b->ext_bytes)) {
		fprintf(stderr, "khb1: %s: init failed\n", b->ops->name);
		exit(1);
	}
}

/* W1's running state: the FIFO ring in b->live, the samples and the live bytes. */
struct w1 {
	struct samples all, pre, post, frees;
	size_t head, tail, iters, first_fail;
	uint64_t live, peak, live_ff;
};

/* Time one W1 allocation of @size at @align, file it by phase and queue the block. */
static void w1_alloc(struct bench *b, struct w1 *s, size_t i, size_t size, size_t align)
{
	void *(*alloc_fn)(void *, size_t, size_t) = b->ops->alloc;
	void *heap = b->heap, *p;
	uint64_t t0, t1;

	t0 = tsc();
	p = alloc_fn(heap, size, align);
	t1 = tsc();
	if (!p && s->first_fail == s->iters) {
		s->first_fail = i;
		s->live_ff = s->live;
	}
	s->all.v[s->all.n++] = t1 - t0;
	s->all.fails += !p;
	if (s->first_fail == s->iters) {
		s->pre.v[s->pre.n++] = t1 - t0;
	} else {
		s->post.v[s->post.n++] = t1 - t0;
		s->post.fails += !p;
	}
	if (!p)
		return;
	b->live[s->tail++ % b->live_cap] = (struct blk){ p, (uint32_t)size, (uint32_t)align };
	s->live += size;
	s->peak = s->live > s->peak ? s->live : s->peak;
}

/* Free the 7 oldest blocks of the FIFO, each timed. */
static void w1_free_seven(struct bench *b, struct w1 *s)
{
	void (*free_fn)(void *, void *, size_t, size_t) = b->ops->free;
	void *heap = b->heap;
	uint64_t t0, t1;
	struct blk *v;
	size_t k;

	for (k = 0; k < 7; k++) {
		v = &b->live[s->head++ % b->live_cap];
		t0 = tsc();
		free_fn(heap, v->p, v->size, v->align);
		t1 = tsc();
		s->frees.v[s->frees.n++] = t1 - t0;
		s->live -= v->size;
	}
}

/* Report W1: latencies of each phase and of frees, then utilisation. */
static void w1_report(struct bench *b, struct w1 *s)
{
	struct where w = { "W1", "D1", BIG_HEAP / MIB, 0 };
	double ff;

	emit(b, &w, "alloc", "all", &s->all);
	emit(b, &w, "alloc", "pre", &s->pre);
	emit(b, &w, "alloc", "post", &s->post);
	emit(b, &w, "free", "all", &s->frees);
	if (s->first_fail == s->iters)
		s->live_ff = s->live;
	ff = (double)s->live_ff / BIG_HEAP;
	/* util@first-fail: n = attempts before it; util at end: max = peak. */
	emit_util(b, &w, "util", "pre", s->first_fail, 0, ff, ff, ff);
	emit_util(b, &w, "util", "all", s->iters, s->all.fails, (double)s->live / BIG_HEAP,
	          (double)s->live / BIG_HEAP, (double)s->peak / BIG_HEAP);
}

/* W1: FIFO churn until and past exhaustion, the simple-chunk-allocator bench replayed. */
static void run_w1(struct bench *b)
{
	struct khb1_rng r = { khb1_seed(1, KHB1_D1, 0) };
	struct w1 s = { .iters = b->quick ? W1_ITERS / 10 : W1_ITERS };
	size_t i, size, align;

	s.first_fail = s.iters;
	samples_init(&s.all, s.iters);
	samples_init(&s.pre, s.iters);
	samples_init(&s.post, s.iters);
	samples_init(&s.frees, s.iters);
	heap_reset(b, BIG_HEAP);
	for (i = 0; i < s.iters; i++) {
		khb1_sample(&r, KHB1_D1, &size, &align);
		w1_alloc(b, &s, i, size, align);
		/* Only with more than W1_QUEUE_MIN queued is the PRNG consulted. */
		if (s.tail - s.head > W1_QUEUE_MIN && khb1_range(&r, 0, 10) == 0)
			w1_free_seven(b, &s);
	}
	w1_report(b, &s);
	free(s.all.v);
	free(s.pre.v);
	free(s.post.v);
	free(s.frees.v);
}

/* Swap-remove a random block of the live set and free it, timed into @s if given. */
static uint64_t w2_free_one(struct bench *b, struct khb1_rng *r, size_t *n, struct samples *s)
{
	void (*free_fn)(void *, void *, size_t, size_t) = b->ops->free;
	size_t idx = (size_t)khb1_range(r, 0, *n);
	struct blk victim = b->live[idx];
	void *heap = b->heap;
	uint64_t t0, t1;

	b->live[idx] = b->live[--*n];
	t0 = tsc();
	free_fn(heap, victim.p, victim.size, victim.align);
	t1 = tsc();
	if (s)
		s->v[s->n++] = t1 - t0;
	return victim.size;
}

/* W2's running state: the live set in b->live, its size and the occupancy figures. */
struct w2 {
	struct samples allocs, frees;
	size_t n;
	uint64_t live, target;
	double occupancy, occ_min, occ_max;
	bool last_failed;
};

/* Fill to the target, untimed; false (after reporting it) if the heap runs out first. */
static bool w2_fill(struct bench *b, const struct where *w, struct khb1_rng *r, enum khb1_dist d,
                    struct w2 *s)
{
	size_t size, align, heap_bytes = w->heap_mib * MIB;
	double u;
	void *p;

	while (s->live < s->target) {
		khb1_sample(r, d, &size, &align);
		p = b->ops->alloc(b->heap, size, align);
		if (!p) {
			u = (double)s->live / heap_bytes;
			printf("%-3s %-3s %4u %-9s %u%% unreachable (%.5f)\n", w->workload, w->dist,
			       w->param, b->ops->name, w->param, u);
			emit_util(b, w, "util", "meas", 0, 1, u, u, u);
			return false;
		}
		b->live[s->n++] = (struct blk){ p, (uint32_t)size, (uint32_t)align };
		s->live += size;
	}
	return true;
}

/* One W2 churn step: free a random victim or allocate; timed into the samples if @meas. */
static void w2_step(struct bench *b, struct khb1_rng *r, enum khb1_dist d, struct w2 *s, bool meas)
{
	void *(*alloc_fn)(void *, size_t, size_t) = b->ops->alloc;
	void *heap = b->heap, *p;
	size_t size, align;
	uint64_t t0, t1;

	if ((s->live >= s->target || s->last_failed) && s->n) {
		s->live -= w2_free_one(b, r, &s->n, meas ? &s->frees : NULL);
		s->last_failed = false;
		return;
	}
	khb1_sample(r, d, &size, &align);
	t0 = tsc();
	p = alloc_fn(heap, size, align);
	t1 = tsc();
	if (meas) {
		s->allocs.v[s->allocs.n++] = t1 - t0;
		s->allocs.fails += !p;
	}
	s->last_failed = !p;
	if (p) {
		b->live[s->n++] = (struct blk){ p, (uint32_t)size, (uint32_t)align };
		s->live += size;
	}
}

/* W2: fill to T% of the heap, then churn around it and time the measured ops. */
static void run_w2(struct bench *b, enum khb1_dist d, size_t heap_bytes, unsigned int t)
{
	struct where w = { "W2", d == KHB1_D1 ? "D1" : "D2", heap_bytes / MIB, t };
	struct khb1_rng r = { khb1_seed(2, d, t) };
	size_t meas = b->quick ? W2_MEAS / 10 : W2_MEAS, warm = b->quick ? W2_WARM / 10 : W2_WARM;
	struct w2 s = { .target = (uint64_t)heap_bytes * t / 100, .occ_min = 1 };
	double occ;
	size_t i;

	heap_reset(b, heap_bytes);
	if (!w2_fill(b, &w, &r, d, &s))
		return;
	samples_init(&s.allocs, meas);
	samples_init(&s.frees, meas);
	for (i = 0; i < warm + meas; i++) {
		w2_step(b, &r, d, &s, i >= warm);
		if (i < warm)
			continue;
		occ = (double)s.live / heap_bytes;
		s.occupancy += occ;
		s.occ_min = occ < s.occ_min ? occ : s.occ_min;
		s.occ_max = occ > s.occ_max ? occ : s.occ_max;
	}
	emit(b, &w, "alloc", "meas", &s.allocs);
	emit(b, &w, "free", "meas", &s.frees);
	emit_util(b, &w, "util", "meas", meas, s.allocs.fails, s.occ_min, s.occupancy / meas,
	          s.occ_max);
	free(s.allocs.v);
	free(s.frees.v);
}

/* W3: 70/30 random alloc/free until the first failure; utilisation at that point. */
static void run_w3(struct bench *b, enum khb1_dist d)
{
	struct where w = { "W3", d == KHB1_D1 ? "D1" : "D2", SMALL_HEAP / MIB, 0 };
	double u, sum = 0, min = 1, max = 0;
	size_t n, size, align;
	unsigned int round;
	struct khb1_rng r;
	uint64_t live;
	void *p;

	for (round = 0; round < W3_ROUNDS; round++) {
		r.state = khb1_seed(3, d, round);
		heap_reset(b, SMALL_HEAP);
		n = 0;
		live = 0;
		for (;;) {
			if (khb1_range(&r, 0, 10) < 7 || !n) {
				khb1_sample(&r, d, &size, &align);
				p = b->ops->alloc(b->heap, size, align);
				if (!p)
					break;
				b->live[n++] = (struct blk){ p, (uint32_t)size, (uint32_t)align };
				live += size;
			} else {
				live -= w2_free_one(b, &r, &n, NULL);
			}
		}
		u = (double)live / SMALL_HEAP;
		sum += u;
		min = u < min ? u : min;
		max = u > max ? u : max;
	}
	emit_util(b, &w, "util", "all", W3_ROUNDS, 0, min, sum / W3_ROUNDS, max);
	u = (double)b->ops->external_bytes(SMALL_HEAP) / SMALL_HEAP;
	emit_util(b, &w, "ext", "all", W3_ROUNDS, 0, u, u, u);
}

static void run_all(struct bench *b)
{
	static const unsigned int targets[] = { 10, 50, 90, 95 };
	size_t i;

	run_w1(b);
	for (i = 0; i < 4; i++)
		run_w2(b, KHB1_D1, BIG_HEAP, targets[i]);
	for (i = 0; i < 4; i++)
		run_w2(b, KHB1_D2, SMALL_HEAP, targets[i]);
	run_w3(b, KHB1_D1);
	run_w3(b, KHB1_D2);
	fflush(stdout);
}

/* Read the command line into @b, @csv_path and @only; false on a bad argument. */
static bool parse_args(int argc, char **argv, struct bench *b, const char **csv_path,
                       const char **only)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--csv") && i + 1 < argc)
			*csv_path = argv[++i];
		else if (!strcmp(argv[i], "--alloc") && i + 1 < argc)
			*only = argv[++i];
		else if (!strcmp(argv[i], "--quick"))
			b->quick = true;
		else
			return false;
	}
	return true;
}

/* The header lines of the table and the CSV. */
static void print_headers(struct bench *b)
{
	printf("KHB-1: TSC %.4f GHz (vs CLOCK_MONOTONIC over %llu ms); empty lfence;rdtsc;lfence "
	       "pair p50 %llu cycles, not subtracted%s\n",
	       b->ghz, CAL_NS / 1000000, (unsigned long long)empty_pair_p50(),
	       b->quick ? "; QUICK smoke run, not KHB-1 figures" : "");
	printf("%-3s %-3s %4s %-9s %-5s %-5s %7s %6s %6s %6s %9s %6s %7s %7s %9s %7s %8s\n", "wl",
	       "dst", "T", "allocator", "op", "phase", "n", "fails", "min", "p50", "mean", "p90",
	       "p99", "p99.9", "max", "p50 ns", "mean ns");
	printf("(latencies in TSC cycles, then p50 and mean in ns)\n");
	fprintf(b->csv,
	        "workload,dist,heap_mib,param,allocator,op,phase,n,fails,min,p50,mean,p90,p99,p999,max\n");
}

/* Run every workload on allocator @ops. */
static void run_allocator(struct bench *b, const struct alloc_ops *ops)
{
	b->ops = ops;
	b->heap = aligned_alloc(64, (ops->heap_struct_bytes + 63) & ~(size_t)63);
	b->ext_bytes = ops->external_bytes(BIG_HEAP);
	b->ext = b->ext_bytes ? malloc(b->ext_bytes) : NULL;
	run_all(b);
	free(b->heap);
	free(b->ext);
}

int main(int argc, char **argv)
{
	const char *csv_path = "build/bench/khb1.csv", *only = NULL;
	struct bench b = { 0 };
	size_t i;

	if (!parse_args(argc, argv, &b, &csv_path, &only)) {
		fprintf(stderr, "usage: %s [--csv FILE] [--alloc NAME] [--quick]\n", argv[0]);
		return 2;
	}
	b.mem = mmap(NULL, BIG_HEAP, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	b.live_cap = BIG_HEAP / 64;
	b.live = malloc(b.live_cap * sizeof(*b.live));
	b.csv = fopen(csv_path, "w");
	if (b.mem == MAP_FAILED || !b.live || !b.csv) {
		perror("khb1");
		return 1;
	}
	b.ghz = calibrate_ghz();
	print_headers(&b);
	for (i = 0; alloc_all_ops[i]; i++)
		if (!only || !strcmp(only, alloc_all_ops[i]->name))
			run_allocator(&b, alloc_all_ops[i]);
	fclose(b.csv);
	printf("KHB-1: wrote %s\n", csv_path);
	return 0;
}
