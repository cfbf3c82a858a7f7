/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for lib/virtio/vring.c: the input is a script of
 * driver calls (direct and indirect chains) and of device writes (used-ring entries with any id and
 * length, any used idx, bytes over the descriptor table). Checks that no
 * call reads or writes outside the queue (ASan), that a request comes back
 * at most once and only while in flight, and that the free descriptors
 * plus those in chains always make up the table.
 */
#include <lib/virtio/vring.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXQ 64u

struct in {
	const uint8_t *p;
	size_t n;
};

static unsigned byte(struct in *in)
{
	if (in->n == 0)
		return 0;
	in->n--;
	return *in->p++;
}

static unsigned word(struct in *in)
{
	unsigned lo = byte(in);

	return lo | byte(in) << 8;
}

static uint8_t buf[256];
static struct vring_desc tables[MAXQ][8]; /* per token slot: its indirect chain */
static uint8_t inflight[MAXQ];            /* per token slot: 1 while queued */

static void check(struct vring *vr)
{
	unsigned used = 0, live = 0, i;

	for (i = 0; i < vr->num; i++)
		if (vr->token[i])
			used += vr->count[i];
	for (i = 0; i < MAXQ; i++)
		live += inflight[i];
	if (used + vr->num_free != vr->num || live != vr->inflight)
		abort();
}

static void take(struct vring_done *d)
{
	uint8_t *t = d->token;

	if (t < inflight || t >= inflight + MAXQ || !*t)
		abort();
	*t = 0;
}

static void add(struct vring *vr, struct in *in)
{
	unsigned op = byte(in), nout = op % 4, nin = (op >> 2) % 4, slot = byte(in) % MAXQ, k;
	struct vring_buf b[8];

	if (inflight[slot])
		return;
	for (k = 0; k < nout + nin; k++)
		b[k] = (struct vring_buf){ (uintptr_t)buf + k, 1 + byte(in) % 16 };
	if (op & 0x80 ? vring_add_indirect(vr, tables[slot], (uintptr_t)tables[slot], b, nout, nin,
	                                   &inflight[slot]) >= 0
	              : vring_add(vr, b, nout, nin, &inflight[slot]) >= 0)
		inflight[slot] = 1;
}

static void device_writes(struct vring *vr, unsigned op, struct in *in)
{
	struct vring_used_elem *e;

	switch (op) {
	case 0: /* a used entry with any id and length */
		e = &vr->used->ring[vr->used->idx & (vr->num - 1)];
		e->id = word(in) | (uint32_t)(byte(in) % 2) << 16;
		e->len = word(in);
		vr->used->idx++;
		break;
	case 1:
		vr->used->idx = (uint16_t)word(in);
		break;
	default: /* scribble over a descriptor */
		memset(&vr->desc[byte(in) % vr->num], (int)byte(in), sizeof(struct vring_desc));
		break;
	}
}

/* One driver call or device write, chosen by the next input byte. */
static void step(struct vring *vr, struct in *in)
{
	unsigned op = byte(in) % 9;
	struct vring_done d = { 0 };

	if (op <= 1) {
		add(vr, in);
	} else if (op == 2) {
		vring_publish(vr);
	} else if (op <= 5) {
		device_writes(vr, op - 3, in);
	} else if (op == 6) {
		if (vring_pop(vr, &d) == 1)
			take(&d);
	} else if (op == 7) {
		if (byte(in) & 1)
			(void)vring_enable_cb(vr);
		else
			vring_disable_cb(vr);
	} else {
		d.token = vring_detach(vr);
		if (d.token)
			take(&d);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t ring[16 * MAXQ + 6 + 2 * MAXQ + 64 + 6 + 8 * MAXQ]
		__attribute__((aligned(64)));
	static uint64_t priv[MAXQ * 2];
	struct in in = { data, size };
	struct vring vr;
	unsigned num = 1u << (byte(&in) % 7);

	memset(inflight, 0, sizeof(inflight));
	if (vring_init(&vr, num, ring, priv, byte(&in) & 1))
		abort();
	while (in.n) {
		step(&vr, &in);
		check(&vr);
	}
	return 0;
}
