/* SPDX-License-Identifier: MIT */
/*
 * Input queues: where keyboard and mouse drivers leave the events they
 * decode (lib/input/input.h) and where consumers (the console, a shell, a
 * future event device) take them. Two fixed-size rings, one of key events
 * and one of mouse events, each guarded by a spinlock; a full ring drops
 * the new event and counts it. A driver pushes from its interrupt handler
 * and then calls input_notify(), which runs the consumer's readiness hook,
 * so an async executor or a blocked task can be woken. The PS/2 driver
 * feeds it today (kernel/dev/ps2.c); USB HID can tomorrow, with the same
 * key codes.
 */
#pragma once

#include <lib/input/input.h>

#include <stdbool.h>
#include <stdint.h>

#include "sched/spinlock.h"

#define INPUT_QUEUE_LEN 128 /* events per system queue; a power of two */

/*
 * A ring of fixed-size events. Counters run free and wrap; capacity is a
 * power of two so head - tail is always the fill level.
 * Locks: [I] immutable after set-up; [Q] lock.
 */
struct input_queue {
	struct spinlock lock;
	void *slots;       /* [I] capacity * size bytes */
	uint32_t size;     /* [I] bytes per event */
	uint32_t capacity; /* [I] events; a power of two */
	uint32_t head;     /* [Q] events ever stored */
	uint32_t tail;     /* [Q] events ever taken */
	uint64_t dropped;  /* [Q] events refused because the ring was full */
};

/* A static initializer: name, storage array, its element type's size. */
#define INPUT_QUEUE_INIT(name, array)                                                      \
	{                                                                                  \
		.lock = SPINLOCK_INIT(name), .slots = (array), .size = sizeof((array)[0]), \
		.capacity = sizeof(array) / sizeof((array)[0]),                            \
	}

/*
 * Set up @q over @slots (@capacity events of @size bytes each). Returns 0,
 * or -EINVAL when @capacity is not a power of two or a size is 0.
 */
int input_queue_init(struct input_queue *q, const char *name, void *slots, uint32_t size,
                     uint32_t capacity);

/*
 * Append a copy of the event at @ev. Returns true, or false when @q is
 * full: the event is dropped and counted, the queued ones are kept (the
 * oldest input is the one a reader expects next). Takes q->lock; any
 * context.
 */
bool input_queue_push(struct input_queue *q, const void *ev);

/* Take the oldest event into @out. Returns false when @q is empty. Takes q->lock; any context. */
bool input_queue_pop(struct input_queue *q, void *out);

/* Events waiting in @q now. */
uint32_t input_queue_count(struct input_queue *q);
/* Events @q refused since set-up. */
uint64_t input_queue_dropped(struct input_queue *q);

/*
 * The system queues. Push: false when full (dropped, counted). Producers
 * push a burst, then call input_notify() once, outside their own locks if
 * they can. Any context.
 */
bool input_key_push(const struct key_event *ev);
bool input_mouse_push(const struct mouse_event *ev);

/* Take the oldest key (mouse) event; false when there is none. Any context. */
bool input_key_pop(struct key_event *out);
bool input_mouse_pop(struct mouse_event *out);

/*
 * Wait up to @timeout_ns for an event and take it. Returns false on
 * timeout. Checks the queue every millisecond, sleeping in between (so a
 * task lets others run); an event loop should use input_set_notify()
 * instead. Not for IRQ context.
 */
bool input_key_wait(struct key_event *out, uint64_t timeout_ns);
bool input_mouse_wait(struct mouse_event *out, uint64_t timeout_ns);

/*
 * Call @fn(@ctx) after every burst of events pushed, from the producer's
 * context (usually an interrupt handler, interrupts off): @fn must be
 * short and must not sleep; typically it wakes a task or an async waker.
 * One hook for both queues; a new call replaces the old hook, NULL removes
 * it (a call already under way on another CPU may still finish with the
 * old one). Any context.
 */
void input_set_notify(void (*fn)(void *ctx), void *ctx);

/* Run the readiness hook, if any. Producers call it after pushing. Any context. */
void input_notify(void);

/* Events waiting and events dropped, per system queue. */
struct input_stats {
	uint32_t keys_queued;
	uint32_t mouse_queued;
	uint64_t keys_dropped;
	uint64_t mouse_dropped;
	uint64_t notifies; /* input_notify() calls that ran a hook */
};

void input_get_stats(struct input_stats *out);
