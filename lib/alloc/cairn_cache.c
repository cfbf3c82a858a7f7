/* SPDX-License-Identifier: MIT */
/*
 * Magazines and a depot in front of the cairn heap (cairn_cache.h, docs/alloc.md). The
 * fast paths pop and push one CPU's arrays and touch neither the heap nor a lock; the
 * depot moves whole magazines, so a CPU takes the depot lock at most once every
 * CAIRN_MAG_ROUNDS operations of a class, and the heap only on a depot miss.
 */
#include <lib/alloc/cairn_block.h>
#include <lib/alloc/cairn_cache.h>

/* Idle-class trimming (see trim_idle()): how often and how many classes at a time. */
#define TRIM_EVERY   256
#define TRIM_CLASSES 16

/* What a checked build writes over the first word of a cached block (see cached_mark()). */
#define CACHED_SALT 0x6361636865643a29ull

static inline void depot_lock(struct cairn_cache *c)
{
	if (c->ops->lock)
		c->ops->lock(c->ctx);
}

static inline void depot_unlock(struct cairn_cache *c)
{
	if (c->ops->unlock)
		c->ops->unlock(c->ctx);
}

static inline uint64_t cached_tag(const void *p)
{
	return (addr(p) * CHECK_MUL) ^ CACHED_SALT;
}

/*
 * Checked builds mark a block as it enters a magazine, in its first word (the block is
 * free, so the word is the cache's), and a free of a block that carries the mark is a
 * double free: the cached block would otherwise be handed out twice. Returns false then.
 */
static inline bool cached_mark(void *p)
{
	cairn_word_t *w = p;

	if (!CAIRN_ALLOC_CHECKED)
		return true;
	if (*w == cached_tag(p))
		return false;
	*w = cached_tag(p);
	return true;
}

/*
 * Hand @n cached blocks back to the heap, their marks wiped first: a mark left behind
 * would survive in the heap (merged into a larger free block) and make a later, unrelated
 * free of a block starting there look like a double free.
 */
static void give_back(struct cairn_cache *c, void *const *blocks, size_t n)
{
	size_t i;

	if (CAIRN_ALLOC_CHECKED)
		for (i = 0; i < n; i++)
			*(cairn_word_t *)blocks[i] = 0;
	c->ops->free(c->ctx, blocks, n);
}

/* Take a block off @cpu's magazines of class @k; NULL if both are empty. */
static inline void *mag_pop(struct cairn_mag_cpu *cpu, unsigned int k)
{
	struct cairn_mag *m = cpu->loaded[k];
	void *p;

	if (!m || !m->n) {
		/* The previous magazine is full or empty (or none): swap in a full one. */
		m = cpu->prev[k];
		if (!m || !m->n)
			return NULL;
		cpu->prev[k] = cpu->loaded[k];
		cpu->loaded[k] = m;
	}
	p = m->round[--m->n];
	cpu->last[k] = cpu->tick;
	cpu->blocks--;
	cpu->bytes -= cairn_cache_class_size(k);
	if (CAIRN_ALLOC_CHECKED)
		*(cairn_word_t *)p = 0;
	return p;
}

/* Put @p on @cpu's magazines of class @k; false if both are full. */
static inline bool mag_push(struct cairn_mag_cpu *cpu, unsigned int k, void *p)
{
	struct cairn_mag *m = cpu->loaded[k];

	if (!m || m->n == CAIRN_MAG_ROUNDS) {
		m = cpu->prev[k];
		if (!m || m->n)
			return false;
		cpu->prev[k] = cpu->loaded[k];
		cpu->loaded[k] = m;
	}
	m->cls = k;
	m->round[m->n++] = p;
	cpu->last[k] = cpu->tick;
	cpu->blocks++;
	cpu->bytes += cairn_cache_class_size(k);
	return true;
}

static void cpu_mag_reclaim(struct cairn_cache *c, struct cairn_mag_cpu *cpu,
                            struct cairn_mag **slot);

/*
 * Give back the magazines of classes this CPU has not used for CAIRN_CACHE_IDLE
 * operations, looking at TRIM_CLASSES classes each TRIM_EVERY operations. Bonwick and
 * Adams trim the depot to its working set every 15 seconds; counting operations instead
 * does the same without a clock, and reaches the CPU's own magazines too. Without it a
 * class used once keeps its blocks until memory runs out, scattered through the heap,
 * where they split free space that would otherwise merge.
 */
static __attribute__((noinline)) void trim_idle(struct cairn_cache *c, struct cairn_mag_cpu *cpu)
{
	unsigned int i, k;

	for (i = 0; i < TRIM_CLASSES; i++) {
		k = cpu->sweep++ % CAIRN_CACHE_CLASSES;
		if (cpu->tick - cpu->last[k] > CAIRN_CACHE_IDLE) {
			cpu_mag_reclaim(c, cpu, &cpu->loaded[k]);
			cpu_mag_reclaim(c, cpu, &cpu->prev[k]);
		}
	}
}

/* Count an operation of @cpu's; every TRIM_EVERY, trim idle classes. */
static inline void tick(struct cairn_cache *c, struct cairn_mag_cpu *cpu)
{
	if (!(++cpu->tick % TRIM_EVERY))
		trim_idle(c, cpu);
}

void cairn_cache_init(struct cairn_cache *c, struct cairn_heap *heap,
                      const struct cairn_cache_ops *ops, void *ctx)
{
	*c = (struct cairn_cache){ .heap = heap, .ops = ops, .ctx = ctx };
}

/* Hand magazine @m itself (not its blocks) back to the heap. */
static void mag_release(struct cairn_cache *c, struct cairn_mag *m)
{
	void *p = m;

	c->ops->free(c->ctx, &p, 1);
	depot_lock(c);
	c->mags--;
	depot_unlock(c);
}

/* Give @m's blocks, held by @cpu, back to the heap; @m is then empty. */
static void mag_drain(struct cairn_cache *c, struct cairn_mag_cpu *cpu, struct cairn_mag *m)
{
	give_back(c, m->round, m->n);
	cpu->blocks -= m->n;
	cpu->bytes -= m->n * cairn_cache_class_size(m->cls);
	m->n = 0;
}

/* Move full magazine @m of class @k from @cpu to the depot. */
static void depot_put_full_locked(struct cairn_cache *c, struct cairn_mag_cpu *cpu, unsigned int k,
                                  struct cairn_mag *m)
{
	size_t bytes = m->n * cairn_cache_class_size(k);

	m->next = c->full[k];
	c->full[k] = m;
	c->nfull[k]++;
	c->blocks += m->n;
	c->bytes += bytes;
	cpu->blocks -= m->n;
	cpu->bytes -= bytes;
}

/* Take a full magazine of class @k from the depot for @cpu; NULL if it has none. */
static struct cairn_mag *depot_take_full_locked(struct cairn_cache *c, struct cairn_mag_cpu *cpu,
                                                unsigned int k)
{
	struct cairn_mag *m = c->full[k];
	size_t bytes;

	if (!m)
		return NULL;
	bytes = m->n * cairn_cache_class_size(k);
	c->full[k] = m->next;
	c->nfull[k]--;
	c->blocks -= m->n;
	c->bytes -= bytes;
	cpu->blocks += m->n;
	cpu->bytes += bytes;
	return m;
}

/* Keep empty magazine @m in the depot; false if it has enough (the caller releases it). */
static bool depot_put_empty_locked(struct cairn_cache *c, struct cairn_mag *m)
{
	if (c->nempty >= CAIRN_DEPOT_EMPTY)
		return false;
	m->next = c->empty;
	c->empty = m;
	c->nempty++;
	return true;
}

static struct cairn_mag *depot_take_empty_locked(struct cairn_cache *c)
{
	struct cairn_mag *m = c->empty;

	if (m) {
		c->empty = m->next;
		c->nempty--;
	}
	return m;
}

/*
 * Both magazines of class @k are empty: load a full one from the depot (the empty
 * previous one goes there), or else allocate a block of the class from the heap.
 */
static void *alloc_slow(struct cairn_cache *c, struct cairn_mag_cpu *cpu, unsigned int k)
{
	struct cairn_mag *full, *old = NULL;

	depot_lock(c);
	full = depot_take_full_locked(c, cpu, k);
	if (full) {
		old = cpu->prev[k];
		if (old && depot_put_empty_locked(c, old))
			old = NULL;
		cpu->prev[k] = cpu->loaded[k];
		cpu->loaded[k] = full;
	}
	depot_unlock(c);
	if (old)
		mag_release(c, old);
	if (full)
		return mag_pop(cpu, k);
	return c->ops->alloc(c->ctx, cairn_cache_class_size(k), cairn_cache_class_align(k));
}

void *cairn_cache_alloc(struct cairn_cache *c, struct cairn_mag_cpu *cpu, size_t size, size_t align)
{
	int k = cairn_cache_class(size, align);
	void *p;

	tick(c, cpu);
	if (k < 0)
		return c->ops->alloc(c->ctx, size, align);
	p = mag_pop(cpu, (unsigned int)k);
	if (p)
		return p;
	return alloc_slow(c, cpu, (unsigned int)k);
}

/* A new, empty magazine from the heap; NULL if there is no memory for one. */
static struct cairn_mag *new_mag(struct cairn_cache *c)
{
	struct cairn_mag *m = c->ops->alloc(c->ctx, sizeof(*m), sizeof(void *));

	if (!m)
		return NULL;
	m->n = 0;
	depot_lock(c);
	c->mags++;
	depot_unlock(c);
	return m;
}

/*
 * Both magazines of class @k are full (or missing): the full previous one goes to the
 * depot, or back to the heap if the depot has CAIRN_DEPOT_FULL of the class already, and
 * @p goes into an empty one, the depot's or a new one. Without memory for a magazine, @p
 * goes to the heap. One depot lock hold in the usual cases.
 */
static void free_slow(struct cairn_cache *c, struct cairn_mag_cpu *cpu, unsigned int k, void *p)
{
	struct cairn_mag *prev = cpu->prev[k], *e = NULL;
	bool drain;

	depot_lock(c);
	drain = prev && c->nfull[k] >= CAIRN_DEPOT_FULL;
	if (!drain)
		e = depot_take_empty_locked(c);
	if (e && prev) {
		depot_put_full_locked(c, cpu, k, prev);
		prev = NULL;
	}
	depot_unlock(c);
	if (drain) {
		mag_drain(c, cpu, prev); /* now empty: mag_push() swaps it in */
	} else {
		if (!e && !(e = new_mag(c))) {
			give_back(c, &p, 1);
			return;
		}
		if (prev) {
			depot_lock(c);
			depot_put_full_locked(c, cpu, k, prev);
			depot_unlock(c);
		}
		e->n = 0;
		cpu->prev[k] = e;
	}
	mag_push(cpu, k, p);
}

/* Cache @p in class @k, or give it to the heap; see cairn_cache_free(). */
static inline void cache_put(struct cairn_cache *c, struct cairn_mag_cpu *cpu, unsigned int k,
                             void *p)
{
	tick(c, cpu);
	if (!cached_mark(p)) {
		c->ops->error(c->ctx, "heap: double free (the block is in a per-CPU cache)", p);
		return;
	}
	if (!mag_push(cpu, k, p))
		free_slow(c, cpu, k, p);
}

/* The header word at @a, read whole (see hdr_set_pad()); 0 if it does not check. */
static uint32_t peek_info(uintptr_t a)
{
	uint64_t w = __atomic_load_n((const cairn_word_t *)a, __ATOMIC_RELAXED);
	uint32_t info = (uint32_t)(w >> 32);

	if (CAIRN_ALLOC_CHECKED &&
	    (uint32_t)w != check_word(a, info, (size_t)(w & C_PAD_MASK) << GRAN_SHIFT))
		return 0;
	return info;
}

/*
 * Bytes usable at @p, from its block's header (and pad word) alone, without the heap's
 * lock: another CPU may be changing the header's previous-free bit, never the size. 0 if
 * @p does not look like an allocated block; the heap's own free then checks it in full.
 */
static size_t peek_usable(const struct cairn_heap *h, const void *p)
{
	uintptr_t a = addr(p), hdr = a - HDR_BYTES;
	uint32_t info;

	if (!in_heap(h, hdr) || a >= h->hi)
		return 0;
	info = peek_info(hdr);
	if (info & B_PADWORD) {
		hdr -= info & B_SIZE_MASK;
		if (!in_heap(h, hdr))
			return 0;
		info = peek_info(hdr);
		if (info & B_PADWORD)
			return 0;
	}
	if (!info || (info & B_FREE) || hdr + (info & B_SIZE_MASK) > h->hi ||
	    hdr + (info & B_SIZE_MASK) < a + HDR_BYTES)
		return 0;
	return hdr + (info & B_SIZE_MASK) + TAIL_BYTES - a;
}

int cairn_cache_class_of(const struct cairn_cache *c, void *p)
{
	size_t usable = peek_usable(c->heap, p);

	/* Blocks of a class have under 32 bytes of slack; larger ones are not cached. */
	if (usable < CAIRN_CACHE_STEP || usable >= CAIRN_CACHE_MAX + 32)
		return -1;
	if (usable > CAIRN_CACHE_MAX)
		usable = CAIRN_CACHE_MAX;
	/* The largest class the block holds, among those of its own alignment. */
	return (int)(usable / CAIRN_CACHE_STEP - 1) * 2 + !(addr(p) & (CAIRN_CACHE_ALIGN - 1));
}

void cairn_cache_put(struct cairn_cache *c, struct cairn_mag_cpu *cpu, unsigned int k, void *p)
{
	cache_put(c, cpu, k, p);
}

void cairn_cache_free(struct cairn_cache *c, struct cairn_mag_cpu *cpu, void *p)
{
	int k;

	if (!p)
		return;
	k = cairn_cache_class_of(c, p);
	if (k < 0)
		c->ops->free(c->ctx, &p, 1);
	else
		cache_put(c, cpu, (unsigned int)k, p);
}

void cairn_cache_free_sized(struct cairn_cache *c, struct cairn_mag_cpu *cpu, void *p, size_t size,
                            size_t align)
{
	int k = cairn_cache_class(size, align);

	if (!p)
		return;
	if (k >= 0)
		cache_put(c, cpu, (unsigned int)k, p);
	else if (c->ops->free_sized)
		c->ops->free_sized(c->ctx, p, size, align);
	else
		c->ops->free(c->ctx, &p, 1);
}

/* Give back one of @cpu's magazines, blocks and all, and forget it. */
static void cpu_mag_reclaim(struct cairn_cache *c, struct cairn_mag_cpu *cpu,
                            struct cairn_mag **slot)
{
	struct cairn_mag *m = *slot;

	*slot = NULL;
	if (!m)
		return;
	mag_drain(c, cpu, m);
	mag_release(c, m);
}

/* Give back a chain of magazines taken off the depot, blocks and all. */
static void chain_reclaim(struct cairn_cache *c, struct cairn_mag *m)
{
	struct cairn_mag *next;

	for (; m; m = next) {
		next = m->next;
		give_back(c, m->round, m->n);
		mag_release(c, m);
	}
}

void cairn_cache_reclaim(struct cairn_cache *c, struct cairn_mag_cpu *cpu)
{
	struct cairn_mag *full[CAIRN_CACHE_CLASSES], *empty;
	unsigned int k;

	for (k = 0; k < CAIRN_CACHE_CLASSES; k++) {
		cpu_mag_reclaim(c, cpu, &cpu->loaded[k]);
		cpu_mag_reclaim(c, cpu, &cpu->prev[k]);
	}
	depot_lock(c);
	for (k = 0; k < CAIRN_CACHE_CLASSES; k++) {
		full[k] = c->full[k];
		c->full[k] = NULL;
		c->nfull[k] = 0;
	}
	empty = c->empty;
	c->empty = NULL;
	c->nempty = 0;
	c->blocks = 0;
	c->bytes = 0;
	depot_unlock(c);
	for (k = 0; k < CAIRN_CACHE_CLASSES; k++)
		chain_reclaim(c, full[k]);
	chain_reclaim(c, empty);
}
