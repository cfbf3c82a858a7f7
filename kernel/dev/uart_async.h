/* SPDX-License-Identifier: MIT */
/*
 * Serial input for the async executor: a readiness source notified after
 * every receive interrupt of the console UART, and a future that reads one
 * byte. The UART driver is untouched: the notifier is a second handler on
 * the UART's interrupt line, registered after the driver's own, so it runs
 * once the driver has moved the received bytes into its ring.
 */
#pragma once

#include <cairn/compiler.h>

#include "sched/async.h"

/*
 * Register the notifier on the console UART's receive interrupt (once;
 * later calls return at once). Returns 0, -ENODEV (receive is not
 * interrupt driven: uart_enable_rx_irq() was not called or failed) or an
 * error of irq_register(). Task context; the read future calls it itself.
 */
int __must_check uart_async_init(void);

/* The console's receive source: notified after each receive interrupt. */
struct async_source *uart_async_source(void);

/*
 * A future that takes the next byte from the console's receive ring:
 * result 0-255, or an error of uart_async_init(). Readers through this
 * future may run on several executors at once; nothing else may call
 * uart_getc() meanwhile (the ring has one consumer).
 */
struct uart_read {
	struct future f;
	struct async_wait wait;
};

void uart_read_init(struct uart_read *r);
