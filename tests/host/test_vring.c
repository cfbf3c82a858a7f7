/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/virtio/vring.c against a simulated device that reads
 * the rings as a virtio device would (virtio 1.2, 2.7): it walks each
 * chain through the descriptor table, writes into the writable buffers a
 * transform of what it read, and completes requests in an order the test
 * picks. Also: the event-index arithmetic with wrap-around, notification
 * and interrupt suppression, a device that writes garbage into the used
 * ring, indirect chains, and taking requests back after a reset.
 */
#include <cairn/errno.h>

#include <lib/virtio/vring.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

/* A queue with its memory; "physical" addresses are host pointers. */
struct q {
	struct vring vr;
	void *ring, *priv;
	/* The device's view. */
	uint16_t last_avail; /* the next available entry it takes */
	uint16_t used_idx;   /* the next used entry it writes */
	uint16_t taken[VRING_MAX_NUM];
	unsigned ntaken; /* heads taken from the avail ring and not yet completed */
};

static struct q *q_new(unsigned num, bool event_idx)
{
	struct vring_layout l;
	struct q *q = calloc(1, sizeof(*q));

	assert_true(vring_layout(num, &l));
	q->ring = aligned_alloc(64, (l.bytes + 63) & ~(size_t)63);
	q->priv = aligned_alloc(8, vring_priv_bytes(num));
	assert_int_equal(vring_init(&q->vr, num, q->ring, q->priv, event_idx), 0);
	return q;
}

static void q_free(struct q *q)
{
	free(q->ring);
	free(q->priv);
	free(q);
}

/* The device takes every published entry (2.7.13: it reads idx, then the ring). */
static void dev_take(struct q *q)
{
	uint16_t idx = q->vr.avail->idx;

	while (q->last_avail != idx) {
		q->taken[q->ntaken++] = q->vr.avail->ring[q->last_avail & (q->vr.num - 1)];
		q->last_avail++;
	}
}

/*
 * Carry out head @head: the readable bytes, each plus one, go into the
 * writable buffers (up to their size). Returns the bytes written.
 */
static uint32_t dev_run(struct q *q, uint16_t head)
{
	uint8_t in[4096];
	size_t nin = 0, pos = 0;
	uint32_t written = 0;
	uint16_t i = head;

	struct vring_desc *table = q->vr.desc;
	unsigned limit = q->vr.num;

	/* 2.7.5.3.2: an indirect head's buffer is the chain's table. */
	if (table[head].flags & VRING_DESC_F_INDIRECT) {
		assert_int_equal(table[head].flags, VRING_DESC_F_INDIRECT);
		limit = table[head].len / sizeof(struct vring_desc);
		table = (struct vring_desc *)(uintptr_t)table[head].addr;
		i = 0;
	}
	for (;;) {
		struct vring_desc *d = &table[i];
		uint8_t *buf = (uint8_t *)(uintptr_t)d->addr;

		if (!(d->flags & VRING_DESC_F_WRITE)) {
			assert_true(nin + d->len <= sizeof(in));
			memcpy(in + nin, buf, d->len);
			nin += d->len;
		} else {
			for (uint32_t k = 0; k < d->len; k++, written++)
				buf[k] = pos < nin ? (uint8_t)(in[pos++] + 1) : 0xee;
		}
		if (!(d->flags & VRING_DESC_F_NEXT))
			break;
		i = d->next;
		assert_true(i < limit);
	}
	return written;
}

/* Complete the taken request number @k (device order) with @len; returns whether to interrupt. */
static bool dev_complete_raw(struct q *q, uint32_t id, uint32_t len)
{
	uint16_t old = q->used_idx;
	struct vring_used_elem *e = &q->vr.used->ring[q->used_idx & (q->vr.num - 1)];

	e->id = id;
	e->len = len;
	q->used_idx++;
	__atomic_store_n(&q->vr.used->idx, q->used_idx, __ATOMIC_RELEASE);
	if (q->vr.event_idx)
		return vring_need_event(q->vr.avail->ring[q->vr.num], q->used_idx, old);
	return !(q->vr.avail->flags & VRING_AVAIL_F_NO_INTERRUPT);
}

static bool dev_complete(struct q *q, unsigned k)
{
	uint16_t head = q->taken[k];

	q->taken[k] = q->taken[--q->ntaken];
	return dev_complete_raw(q, head, dev_run(q, head));
}

/* Descriptors in chains plus free ones must be the whole table. */
static void check_accounting(struct q *q)
{
	unsigned used = 0;

	for (unsigned i = 0; i < q->vr.num; i++)
		used += q->vr.token[i] ? q->vr.count[i] : 0;
	assert_int_equal(used + q->vr.num_free, q->vr.num);
}

static void test_layout(void **state)
{
	struct vring_layout l;
	struct vring vr;

	(void)state;
	assert_false(vring_num_ok(0));
	assert_false(vring_num_ok(3));
	assert_false(vring_num_ok(65536));
	assert_true(vring_num_ok(1));
	assert_true(vring_num_ok(VRING_MAX_NUM));
	assert_false(vring_layout(100, &l));
	assert_int_equal(vring_init(&vr, 12, NULL, NULL, false), -EINVAL);
	assert_true(vring_layout(256, &l));
	assert_int_equal(l.desc, 0);
	assert_int_equal(l.avail, 4096);
	assert_int_equal(l.used % 4, 0);
	assert_true(l.used >= l.avail + 6 + 2 * 256);
	assert_int_equal(l.bytes, l.used + 6 + 8 * 256);
	assert_int_equal(vring_priv_bytes(256) % 8, 0);
}

static void test_roundtrip(void **state)
{
	struct q *q = q_new(8, false);
	uint8_t hdr[4] = { 1, 2, 3, 4 }, data[3] = { 10, 20, 30 }, out[8] = { 0 };
	struct vring_buf b[3] = { { (uintptr_t)hdr, 4 },
		                  { (uintptr_t)data, 3 },
		                  { (uintptr_t)out, 8 } };
	struct vring_done d;
	int token;

	(void)state;
	assert_int_equal(vring_add(&q->vr, b, 2, 1, &token), 0);
	assert_int_equal(q->vr.num_free, 5);
	assert_int_equal(q->vr.avail->idx, 0); /* not yet visible */
	assert_true(vring_publish(&q->vr));
	assert_false(vring_publish(&q->vr)); /* nothing new */
	dev_take(q);
	assert_int_equal(q->ntaken, 1);
	assert_int_equal(vring_pop(&q->vr, &d), 0);
	assert_true(dev_complete(q, 0));
	assert_true(vring_pending(&q->vr));
	assert_int_equal(vring_pop(&q->vr, &d), 1);
	assert_ptr_equal(d.token, &token);
	assert_int_equal(d.len, 8);
	assert_int_equal(d.err, 0);
	assert_int_equal(out[0], 2);
	assert_int_equal(out[6], 31);
	assert_int_equal(out[7], 0xee);
	assert_int_equal(q->vr.num_free, 8);
	assert_int_equal(vring_pop(&q->vr, &d), 0);
	q_free(q);
}

static void test_refused(void **state)
{
	struct q *q = q_new(16, false);
	uint8_t x[16];
	struct vring_buf b[17];
	int t;

	(void)state;
	for (int i = 0; i < 17; i++)
		b[i] = (struct vring_buf){ (uintptr_t)x, 1 };
	assert_int_equal(vring_add(&q->vr, b, 1, 0, NULL), -EINVAL);
	assert_int_equal(vring_add(&q->vr, b, 0, 0, &t), -EINVAL);
	assert_int_equal(vring_add(&q->vr, b, 17, 0, &t), -EINVAL);
	b[1].len = 0;
	assert_int_equal(vring_add(&q->vr, b, 1, 1, &t), -EINVAL);
	b[1].len = 1;
	for (int i = 0; i < 16; i++)
		assert_int_equal(vring_add(&q->vr, b, 1, 0, &t), i);
	assert_int_equal(vring_add(&q->vr, b, 1, 0, &t), -ENOSPC);
	assert_int_equal(q->vr.num_free, 0);
	assert_int_equal(q->vr.avail_idx, 16);
	check_accounting(q);
	q_free(q);
}

/* Random chains, random completion order, through many wraps of the 16-bit indices. */
static void test_random(void **state)
{
	struct q *q = q_new(64, true);
	static uint8_t src[64][64], dst[64][64];
	static struct vring_desc tables[64][6];
	uintptr_t tokens[64] = { 0 };
	unsigned long done = 0;

	(void)state;
	srand(13);
	for (unsigned step = 0; step < 300000; step++) {
		if (rand() % 2) {
			unsigned nout = 1 + rand() % 3, nin = 1 + rand() % 3, slot = rand() % 64;
			struct vring_buf b[6];

			if (tokens[slot] || q->vr.num_free < nout + nin)
				continue;
			for (unsigned k = 0; k < nout; k++) {
				src[slot][k * 8] = (uint8_t)rand();
				b[k] = (struct vring_buf){ (uintptr_t)&src[slot][k * 8], 8 };
			}
			for (unsigned k = 0; k < nin; k++)
				b[nout + k] = (struct vring_buf){ (uintptr_t)&dst[slot][k * 8], 8 };
			tokens[slot] = slot + 1;
			if (rand() % 3 == 0)
				assert_true(vring_add_indirect(&q->vr, tables[slot],
				                               (uintptr_t)tables[slot], b, nout,
				                               nin, &tokens[slot]) >= 0);
			else
				assert_true(vring_add(&q->vr, b, nout, nin, &tokens[slot]) >= 0);
			if (rand() % 4 == 0)
				vring_publish(&q->vr);
		} else {
			struct vring_done d;
			uintptr_t *t;
			unsigned slot;

			vring_publish(&q->vr);
			dev_take(q);
			if (q->ntaken)
				dev_complete(q, rand() % q->ntaken);
			if (vring_pop(&q->vr, &d) != 1)
				continue;
			t = d.token;
			slot = (unsigned)(*t - 1);
			assert_int_equal(d.err, 0);
			assert_int_equal(dst[slot][0], (uint8_t)(src[slot][0] + 1));
			*t = 0;
			done++;
		}
		if (step % 997 == 0)
			check_accounting(q);
	}
	assert_true(done > 65536 * 2); /* the indices wrapped */
	q_free(q);
}

/* Indirect chains take one ring entry each, however long they are. */
static void test_indirect(void **state)
{
	struct q *q = q_new(8, false);
	static struct vring_desc tables[9][8];
	uint8_t src[9], dst[9][4];
	struct vring_buf b[8];
	struct vring_done d;
	int t[9];

	(void)state;
	for (int i = 0; i < 8; i++) {
		src[i] = (uint8_t)(i * 3);
		b[0] = (struct vring_buf){ (uintptr_t)&src[i], 1 };
		for (int k = 0; k < 4; k++)
			b[1 + k] = (struct vring_buf){ (uintptr_t)&dst[i][k], 1 };
		assert_true(vring_add_indirect(&q->vr, tables[i], (uintptr_t)tables[i], b, 1, 4,
		                               &t[i]) >= 0);
	}
	assert_int_equal(q->vr.num_free, 0);
	assert_int_equal(
		vring_add_indirect(&q->vr, tables[8], (uintptr_t)tables[8], b, 1, 4, &t[8]),
		-ENOSPC);
	assert_int_equal(vring_add_indirect(&q->vr, NULL, 0, b, 1, 4, &t[8]), -EINVAL);
	vring_publish(&q->vr);
	dev_take(q);
	while (q->ntaken)
		dev_complete(q, q->ntaken - 1);
	for (int i = 0; i < 8; i++) {
		int *tok;

		assert_int_equal(vring_pop(&q->vr, &d), 1);
		tok = d.token;
		assert_int_equal(d.len, 4);
		assert_int_equal(dst[tok - t][0], (uint8_t)(src[tok - t] + 1));
		assert_int_equal(dst[tok - t][1], 0xee);
	}
	assert_int_equal(q->vr.num_free, 8);
	check_accounting(q);
	q_free(q);
}

static void test_need_event(void **state)
{
	(void)state;
	/* Notify when the index moves past event: event in [old, new). */
	assert_true(vring_need_event(4, 5, 4));
	assert_false(vring_need_event(5, 5, 4));
	assert_true(vring_need_event(4, 10, 2));
	assert_false(vring_need_event(1, 10, 2));
	assert_false(vring_need_event(10, 10, 2));
	/* Across the wrap at 2^16. */
	assert_true(vring_need_event(65535, 1, 65534));
	assert_true(vring_need_event(0, 1, 65534));
	assert_false(vring_need_event(1, 1, 65534));
	assert_false(vring_need_event(65533, 1, 65534));
	assert_false(vring_need_event(7, 7, 7));
}

/* The device asks for a kick through avail_event (2.7.10). */
static void test_kick_suppression(void **state)
{
	struct q *q = q_new(8, true);
	uint16_t *avail_event = (uint16_t *)(void *)&q->vr.used->ring[8];
	uint8_t x;
	struct vring_buf b = { (uintptr_t)&x, 1 };
	int t;

	(void)state;
	*avail_event = 0; /* kick me when entry 0 is published */
	assert_int_equal(vring_add(&q->vr, &b, 1, 0, &t), 0);
	assert_true(vring_publish(&q->vr));
	assert_true(vring_add(&q->vr, &b, 1, 0, &t) >= 0);
	assert_false(vring_publish(&q->vr)); /* it has not caught up: no second kick */
	*avail_event = 5;
	for (int i = 0; i < 3; i++)
		assert_true(vring_add(&q->vr, &b, 1, 0, &t) >= 0);
	assert_false(vring_publish(&q->vr)); /* idx 2..4 published: not past 5 */
	assert_true(vring_add(&q->vr, &b, 1, 0, &t) >= 0);
	assert_true(vring_publish(&q->vr)); /* entry 5 */
	q_free(q);

	/* Without the event index, the used ring's flag says it. */
	q = q_new(8, false);
	q->vr.used->flags = VRING_USED_F_NO_NOTIFY;
	assert_int_equal(vring_add(&q->vr, &b, 1, 0, &t), 0);
	assert_false(vring_publish(&q->vr));
	q->vr.used->flags = 0;
	assert_true(vring_add(&q->vr, &b, 1, 0, &t) >= 0);
	assert_true(vring_publish(&q->vr));
	q_free(q);
}

/* The driver's used_event and NO_INTERRUPT, as the simulated device reads them. */
static void test_interrupt_suppression(void **state)
{
	for (int ev = 0; ev < 2; ev++) {
		struct q *q = q_new(8, ev);
		uint8_t x[4];
		struct vring_buf b = { (uintptr_t)x, 4 };
		struct vring_done d;
		int t;

		(void)state;
		for (int i = 0; i < 4; i++)
			assert_true(vring_add(&q->vr, &b, 0, 1, &t) >= 0);
		vring_publish(&q->vr);
		dev_take(q);
		assert_false(vring_enable_cb(&q->vr));
		assert_true(dev_complete(q, 0)); /* wanted */
		vring_disable_cb(&q->vr);
		assert_false(dev_complete(q, 0));     /* suppressed */
		assert_true(vring_enable_cb(&q->vr)); /* two arrived meanwhile */
		assert_int_equal(vring_pop(&q->vr, &d), 1);
		assert_int_equal(vring_pop(&q->vr, &d), 1);
		assert_int_equal(d.len, 4);
		assert_false(vring_enable_cb(&q->vr));
		assert_true(dev_complete(q, 0));
		q_free(q);
	}
}

static void test_bad_device(void **state)
{
	struct q *q = q_new(8, false);
	uint8_t x[4];
	struct vring_buf b[2] = { { (uintptr_t)x, 2 }, { (uintptr_t)(x + 2), 2 } };
	struct vring_done d;
	int t[4];

	(void)state;
	for (int i = 0; i < 3; i++)
		assert_true(vring_add(&q->vr, b, 1, 1, &t[i]) >= 0);
	vring_publish(&q->vr);
	dev_complete_raw(q, 8, 0); /* id out of range */
	assert_int_equal(vring_pop(&q->vr, &d), -EIO);
	dev_complete_raw(q, 1, 0); /* not a head */
	assert_int_equal(vring_pop(&q->vr, &d), -EIO);
	dev_complete_raw(q, 0, 3); /* more than the 2 writable bytes */
	assert_int_equal(vring_pop(&q->vr, &d), 1);
	assert_ptr_equal(d.token, &t[0]);
	assert_int_equal(d.err, -EIO);
	dev_complete_raw(q, 0, 1); /* the same head again */
	assert_int_equal(vring_pop(&q->vr, &d), -EIO);
	check_accounting(q);
	/* An index far ahead of what is in flight. */
	q->vr.used->idx = (uint16_t)(q->vr.last_used + 3);
	assert_int_equal(vring_pop(&q->vr, &d), -EIO);
	q->vr.used->idx = q->vr.last_used;
	/* The two requests still in flight come back after a "reset". */
	assert_non_null(vring_detach(&q->vr));
	assert_non_null(vring_detach(&q->vr));
	assert_null(vring_detach(&q->vr));
	assert_int_equal(q->vr.num_free, 8);
	assert_int_equal(q->vr.inflight, 0);
	q_free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_indirect),
		cmocka_unit_test(test_need_event),
		cmocka_unit_test(test_kick_suppression),
		cmocka_unit_test(test_interrupt_suppression),
		cmocka_unit_test(test_bad_device),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
