// SPDX-License-Identifier: MIT
/*
 * The console UART's receive path as an async readiness source. The
 * driver's interrupt handler (kernel/dev/uart16550.c) drains the FIFO into
 * its ring; handlers of one interrupt line run in registration order
 * (irq.h, kernel/arch/x86_64/interrupts/irq.c), and ours is registered after the
 * driver's, so when it notifies the bytes are already in the ring. A
 * reader registers its waker before it looks at the ring: a byte that
 * arrives after the look notifies, so none is missed.
 * Locks: [R] read_lock, around the ring's single consumer.
 */
#include "dev/uart_async.h"

#include <cairn/errno.h>

#include "dev/uart16550.h"
#include "irq/irq.h"
#include "sched/task.h"

enum { INIT_NONE = 0, INIT_BUSY = 1, INIT_DONE = 2 };

static struct async_source rx_source = {
	.lock = SPINLOCK_INIT("async.uart"),
	.waits = LIST_INIT(rx_source.waits),
	.notifies = 0,
};
static struct spinlock read_lock = SPINLOCK_INIT("async.uart.read");
static int init_state; /* [a] INIT_* */

/* Runs after the driver's receive handler, in IRQ context. */
static void rx_notify(void *ctx)
{
	async_source_notify(ctx);
}

static int register_notifier(void)
{
	if (!uart_console.present || !uart_console.rx_irq)
		return -ENODEV;
	return irq_register(uart_console.rx_gsi, rx_notify, &rx_source);
}

int uart_async_init(void)
{
	int s = INIT_NONE, err;

	if (__atomic_load_n(&init_state, __ATOMIC_ACQUIRE) == INIT_DONE)
		return 0;
	if (!__atomic_compare_exchange_n(&init_state, &s, INIT_BUSY, false, __ATOMIC_ACQUIRE,
	                                 __ATOMIC_ACQUIRE)) {
		/* Another task registers right now: wait for its outcome. */
		while ((s = __atomic_load_n(&init_state, __ATOMIC_ACQUIRE)) == INIT_BUSY)
			task_yield();
		return s == INIT_DONE ? 0 : uart_async_init();
	}
	err = register_notifier();
	/* A failure is not kept: receive by interrupt may be turned on later. */
	__atomic_store_n(&init_state, err ? INIT_NONE : INIT_DONE, __ATOMIC_RELEASE);
	return err;
}

struct async_source *uart_async_source(void)
{
	return &rx_source;
}

static int read_byte(void)
{
	uint64_t flags = spin_lock_irqsave(&read_lock);
	int c = uart_getc(&uart_console);

	spin_unlock_irqrestore(&read_lock, flags);
	return c;
}

static enum async_poll read_poll(struct future *f, const struct waker *w)
{
	struct uart_read *r = container_of(f, struct uart_read, f);
	int c = read_byte(), err;

	if (c < 0) {
		err = uart_async_init();
		if (err)
			return async_ready(f, err);
		async_source_wait(&rx_source, &r->wait, w);
		c = read_byte();
		if (c < 0)
			return ASYNC_PENDING;
	}
	async_source_cancel(&r->wait);
	return async_ready(f, c);
}

static void read_drop(struct future *f)
{
	struct uart_read *r = container_of(f, struct uart_read, f);

	async_source_cancel(&r->wait);
}

void uart_read_init(struct uart_read *r)
{
	future_init(&r->f, read_poll, read_drop);
	async_wait_init(&r->wait);
}
