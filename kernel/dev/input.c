// SPDX-License-Identifier: MIT
/*
 * The input queues (see input.h): a generic ring of fixed-size events
 * under a spinlock, two instances of it for key and mouse events, and the
 * readiness hook consumers set. Interrupt handlers push, tasks pop, so
 * every lock here is taken with interrupts off (spin_lock_irqsave).
 * Locks: [N] notify_lock; each queue's own fields as input.h tags them.
 */
#include "dev/input.h"

#include <cairn/errno.h>

#include <lib/string.h>

#include "time/time.h"

#define INPUT_WAIT_POLL_NS (1 * NSEC_PER_MSEC)

static struct key_event key_slots[INPUT_QUEUE_LEN];
static struct mouse_event mouse_slots[INPUT_QUEUE_LEN];
static struct input_queue key_queue = INPUT_QUEUE_INIT("input.keys", key_slots);
static struct input_queue mouse_queue = INPUT_QUEUE_INIT("input.mouse", mouse_slots);

static struct spinlock notify_lock = SPINLOCK_INIT("input.notify");
static void (*notify_fn)(void *ctx) __guarded_by(&notify_lock); /* [N] */
static void *notify_ctx __guarded_by(&notify_lock);             /* [N] */
static uint64_t notifies __guarded_by(&notify_lock);            /* [N] */

_Static_assert((INPUT_QUEUE_LEN & (INPUT_QUEUE_LEN - 1)) == 0, "a power of two");

int input_queue_init(struct input_queue *q, const char *name, void *slots, uint32_t size,
                     uint32_t capacity)
{
	if (!slots || !size || !capacity || (capacity & (capacity - 1)))
		return -EINVAL;
	spin_init(&q->lock, name);
	q->slots = slots;
	q->size = size;
	q->capacity = capacity;
	q->head = q->tail = 0;
	q->dropped = 0;
	return 0;
}

static void *slot(struct input_queue *q, uint32_t n)
{
	return (uint8_t *)q->slots + (size_t)(n & (q->capacity - 1)) * q->size;
}

bool input_queue_push(struct input_queue *q, const void *ev)
{
	uint64_t flags = spin_lock_irqsave(&q->lock);
	bool room = q->head - q->tail < q->capacity;

	if (room) {
		memcpy(slot(q, q->head), ev, q->size);
		q->head++;
	} else {
		q->dropped++;
	}
	spin_unlock_irqrestore(&q->lock, flags);
	return room;
}

bool input_queue_pop(struct input_queue *q, void *out)
{
	uint64_t flags = spin_lock_irqsave(&q->lock);
	bool some = q->head != q->tail;

	if (some) {
		memcpy(out, slot(q, q->tail), q->size);
		q->tail++;
	}
	spin_unlock_irqrestore(&q->lock, flags);
	return some;
}

uint32_t input_queue_count(struct input_queue *q)
{
	uint64_t flags = spin_lock_irqsave(&q->lock);
	uint32_t n = q->head - q->tail;

	spin_unlock_irqrestore(&q->lock, flags);
	return n;
}

uint64_t input_queue_dropped(struct input_queue *q)
{
	uint64_t flags = spin_lock_irqsave(&q->lock);
	uint64_t n = q->dropped;

	spin_unlock_irqrestore(&q->lock, flags);
	return n;
}

bool input_key_push(const struct key_event *ev)
{
	return input_queue_push(&key_queue, ev);
}

bool input_mouse_push(const struct mouse_event *ev)
{
	return input_queue_push(&mouse_queue, ev);
}

bool input_key_pop(struct key_event *out)
{
	return input_queue_pop(&key_queue, out);
}

bool input_mouse_pop(struct mouse_event *out)
{
	return input_queue_pop(&mouse_queue, out);
}

/* Pop from @q, sleeping a millisecond at a time until @timeout_ns has passed. */
static bool wait_pop(struct input_queue *q, void *out, uint64_t timeout_ns)
{
	uint64_t now = clock_monotonic_ns();
	uint64_t deadline = timeout_ns > UINT64_MAX - now ? UINT64_MAX : now + timeout_ns;

	while (!input_queue_pop(q, out)) {
		now = clock_monotonic_ns();
		if (now >= deadline)
			return false;
		sleep_ns(deadline - now < INPUT_WAIT_POLL_NS ? deadline - now : INPUT_WAIT_POLL_NS);
	}
	return true;
}

bool input_key_wait(struct key_event *out, uint64_t timeout_ns)
{
	return wait_pop(&key_queue, out, timeout_ns);
}

bool input_mouse_wait(struct mouse_event *out, uint64_t timeout_ns)
{
	return wait_pop(&mouse_queue, out, timeout_ns);
}

void input_set_notify(void (*fn)(void *ctx), void *ctx)
{
	uint64_t flags = spin_lock_irqsave(&notify_lock);

	notify_fn = fn;
	notify_ctx = ctx;
	spin_unlock_irqrestore(&notify_lock, flags);
}

void input_notify(void)
{
	uint64_t flags = spin_lock_irqsave(&notify_lock);
	void (*fn)(void *ctx) = notify_fn;
	void *ctx = notify_ctx;

	if (fn)
		notifies++;
	spin_unlock_irqrestore(&notify_lock, flags);
	/* Outside the lock: the hook may push, pop or set a new hook. */
	if (fn)
		fn(ctx);
}

void input_get_stats(struct input_stats *out)
{
	uint64_t flags;

	out->keys_queued = input_queue_count(&key_queue);
	out->mouse_queued = input_queue_count(&mouse_queue);
	out->keys_dropped = input_queue_dropped(&key_queue);
	out->mouse_dropped = input_queue_dropped(&mouse_queue);
	flags = spin_lock_irqsave(&notify_lock);
	out->notifies = notifies;
	spin_unlock_irqrestore(&notify_lock, flags);
}
