// SPDX-License-Identifier: MIT
/*
 * Async executor tests, part 2: wakes from another CPU (from an interrupt
 * there and from a task hammering the waker), readiness sources, select
 * dropping a source wait, and serial input: a byte looped back inside the
 * UART arrives through the receive interrupt, and the worked example of
 * docs/async.md (a line read with a timeout) runs both ways. As in
 * test_async.c, poll functions and helper tasks only record; the test
 * checks once the executor is gone.
 */
#include <cairn/errno.h>

#include <arch/pio.h>
#include <lib/string.h>

#include <stdbool.h>
#include <stdint.h>

#include "core/ktest.h"
#include "core/log.h"
#include "core/percpu.h"
#include "core/smp.h"
#include "dev/uart16550.h"
#include "dev/uart_async.h"
#include "sched/async.h"
#include "sched/task.h"
#include "time/time.h"

#define MS           NSEC_PER_MSEC
#define HAMMER_WAKES 20000
#define HAMMER_BURST 20 /* wakes in a row before the hammer waits for a poll */

/* The first online CPU other than this one, or skip the test. */
static unsigned other_cpu(void)
{
	unsigned i, me = this_cpu_index();

	for (i = 0; i < SMP_MAX_CPUS; i++)
		if (i != me && smp_cpu_online(i))
			return i;
	ktest_skip("one CPU");
}

/* ---- a wake from an interrupt on another CPU ---- */

struct remote {
	struct future f;
	struct waker w;
	unsigned cpu; /* where to send the wake */
	unsigned polls;
	volatile int woke_cpu; /* the CPU the wake ran on, -1 until it ran */
	int call_err;
};

/* In IRQ context on the other CPU: the last access to @arg is the wake. */
static void remote_wake(void *arg)
{
	struct remote *r = arg;

	r->woke_cpu = (int)this_cpu_index();
	waker_wake(&r->w);
}

static enum async_poll remote_poll(struct future *f, const struct waker *w)
{
	struct remote *r = container_of(f, struct remote, f);

	if (r->polls++ == 0) {
		r->w = *w;
		r->call_err = smp_call(r->cpu, remote_wake, r, false);
		return r->call_err ? async_ready(f, r->call_err) : ASYNC_PENDING;
	}
	return r->woke_cpu >= 0 ? async_ready(f, 0) : ASYNC_PENDING;
}

TEST(async, waker_from_an_interrupt_on_another_cpu)
{
	struct remote r = { .cpu = other_cpu(), .woke_cpu = -1 };

	future_init(&r.f, remote_poll, NULL);
	EXPECT_EQ(async_block_on(&r.f), 0);
	EXPECT_EQ(r.call_err, 0);
	EXPECT_EQ(r.woke_cpu, (int)r.cpu);
	EXPECT_TRUE(r.polls >= 2);
}

/* ---- a task on another CPU wakes as fast as it can ---- */

struct hammer {
	struct future f;
	struct waker w;     /* published at the first poll */
	uint32_t published; /* [a] w is set */
	uint32_t produced;  /* [a] wakes sent so far */
	uint32_t polls;     /* [a] */
};

/*
 * After each burst, give the executor up to 2 ms to poll, so that it
 * blocks and is woken many times instead of once when the host runs this
 * vCPU's whole loop in one go.
 */
static void wait_for_poll(struct hammer *h)
{
	uint32_t seen = __atomic_load_n(&h->polls, __ATOMIC_ACQUIRE);
	uint64_t until = clock_monotonic_ns() + 2 * MS;

	while (__atomic_load_n(&h->polls, __ATOMIC_ACQUIRE) == seen && clock_monotonic_ns() < until)
		delay_ns(1000);
}

static int hammer_task(void *arg)
{
	struct hammer *h = arg;
	uint32_t i;

	while (!__atomic_load_n(&h->published, __ATOMIC_ACQUIRE))
		task_yield();
	for (i = 1; i <= HAMMER_WAKES; i++) {
		__atomic_store_n(&h->produced, i, __ATOMIC_RELEASE);
		waker_wake(&h->w);
		if (i % HAMMER_BURST == 0)
			wait_for_poll(h);
	}
	return 0;
}

static enum async_poll hammer_poll(struct future *f, const struct waker *w)
{
	struct hammer *h = container_of(f, struct hammer, f);

	__atomic_fetch_add(&h->polls, 1, __ATOMIC_RELEASE);
	if (!h->published) {
		h->w = *w;
		__atomic_store_n(&h->published, 1, __ATOMIC_RELEASE);
	}
	if (__atomic_load_n(&h->produced, __ATOMIC_ACQUIRE) == HAMMER_WAKES)
		return async_ready(f, 0);
	return ASYNC_PENDING;
}

/*
 * A lost wake-up would leave the last wake unseen: the timeout would win. It
 * is 60 s because a loaded host running TCG can take over 10 s for the wakes.
 */
TEST(async, wakes_from_a_task_on_another_cpu_are_never_lost)
{
	struct task_spawn_opts o = { .prio = TASK_PRIO_DEFAULT, .cpu = -1 };
	static struct hammer h;
	struct async_sleep limit;
	struct async_select sel;
	struct future *kids[2] = { &h.f, &limit.f };
	struct task_handle th;
	struct executor ex;
	int err;

	o.affinity = 1ull << other_cpu();
	memset(&h, 0, sizeof(h));
	future_init(&h.f, hammer_poll, NULL);
	async_sleep_ns_init(&limit, 60 * NSEC_PER_SEC);
	async_select_init(&sel, kids, 2);
	EXPECT_EQ(executor_init(&ex, 1, "test.async"), 0);
	EXPECT_EQ(executor_spawn(&ex, &sel.g.f), 0);
	EXPECT_EQ(task_spawn_opts(&th, "async.hammer", hammer_task, &h, &o), 0);
	err = executor_run(&ex);
	/* The hammer may still be inside its last waker_wake(): join it first. */
	EXPECT_EQ(task_join(th, NULL), 0);
	executor_destroy(&ex);
	EXPECT_EQ(err, 0);
	EXPECT_EQ(sel.g.f.result, 0);
	kprintf("# async: %u cross-CPU wakes, %u polls\n", HAMMER_WAKES, h.polls);
}

/* ---- readiness sources ---- */

/* Takes one item from a counter another CPU fills, waiting on its source. */
struct taker {
	struct future f;
	struct async_wait wt;
	struct async_source *src;
	uint32_t *items; /* [a] */
};

static bool take_item(uint32_t *items)
{
	uint32_t n = __atomic_load_n(items, __ATOMIC_ACQUIRE);

	while (n && !__atomic_compare_exchange_n(items, &n, n - 1, false, __ATOMIC_ACQ_REL,
	                                         __ATOMIC_ACQUIRE))
		;
	return n != 0;
}

static enum async_poll taker_poll(struct future *f, const struct waker *w)
{
	struct taker *t = container_of(f, struct taker, f);

	if (!take_item(t->items)) {
		async_source_wait(t->src, &t->wt, w); /* first register, then look again */
		if (!take_item(t->items))
			return ASYNC_PENDING;
	}
	async_source_cancel(&t->wt);
	return async_ready(f, 0);
}

static void taker_drop(struct future *f)
{
	async_source_cancel(&container_of(f, struct taker, f)->wt);
}

static void taker_init(struct taker *t, struct async_source *src, uint32_t *items)
{
	future_init(&t->f, taker_poll, taker_drop);
	async_wait_init(&t->wt);
	t->src = src;
	t->items = items;
}

struct feeder {
	struct async_source *src;
	uint32_t *items;
	unsigned n;
};

static int feeder_task(void *arg)
{
	struct feeder *fd = arg;
	unsigned i;

	for (i = 0; i < fd->n; i++) {
		task_sleep_ns(3 * MS);
		__atomic_fetch_add(fd->items, 1, __ATOMIC_RELEASE);
		async_source_notify(fd->src);
	}
	return 0;
}

TEST(async, source_notified_from_another_cpu_wakes_its_waiters)
{
	struct task_spawn_opts o = { .prio = TASK_PRIO_DEFAULT, .cpu = -1 };
	struct async_source src;
	struct taker t[3];
	struct async_join j;
	struct future *kids[3] = { &t[0].f, &t[1].f, &t[2].f };
	uint32_t items = 0;
	struct feeder fd = { &src, &items, 3 };
	struct task_handle th;
	int r;

	o.affinity = 1ull << other_cpu();
	async_source_init(&src, "test.source");
	for (r = 0; r < 3; r++)
		taker_init(&t[r], &src, &items);
	async_join_init(&j, kids, 3);
	EXPECT_EQ(task_spawn_opts(&th, "async.feeder", feeder_task, &fd, &o), 0);
	r = async_block_on(&j.g.f);
	EXPECT_EQ(task_join(th, NULL), 0);
	EXPECT_EQ(r, 0);
	EXPECT_EQ(items, 0);
	EXPECT_TRUE(list_empty(&src.waits));
	EXPECT_EQ(src.notifies, 3);
}

TEST(async, select_unregisters_the_losing_source_wait)
{
	struct async_source src;
	struct taker t;
	struct async_sleep s;
	struct async_select sel;
	struct future *kids[2] = { &t.f, &s.f };
	uint32_t items = 0;
	bool was_waiting;

	async_source_init(&src, "test.source");
	taker_init(&t, &src, &items);
	async_sleep_ns_init(&s, 10 * MS);
	async_select_init(&sel, kids, 2);
	EXPECT_EQ(async_block_on(&sel.g.f), 1);
	was_waiting = async_source_waiting(&t.wt);
	async_source_notify(&src); /* nobody to wake; the executor is gone */
	EXPECT_TRUE(!was_waiting);
	EXPECT_TRUE(list_empty(&src.waits));
	EXPECT_EQ(t.f.state, FUTURE_DROPPED);
}

/* ---- serial input ---- */

/* PC16550D datasheet, 8.6.6 (MCR): loopback, and DTR + RTS + OUT2 as uart_init() sets them. */
#define TEST_UART_MCR      4
#define TEST_UART_MCR_LOOP 0x1b
#define TEST_UART_MCR_NORM 0x0b

/*
 * Loop the UART's transmitter into its receiver: what we send comes back
 * through the receive interrupt. Nothing else may print meanwhile (it
 * would be read back instead of shown), so the tests print afterwards.
 */
static void serial_loopback(bool on)
{
	outb(UART_COM1 + TEST_UART_MCR, on ? TEST_UART_MCR_LOOP : TEST_UART_MCR_NORM);
	while (on && uart_getc(&uart_console) >= 0)
		;
}

static void need_serial_irq(void)
{
	if (!uart_console.present || !uart_console.rx_irq)
		ktest_skip("serial receive is not interrupt driven");
}

/* Sends @text through the UART at its first poll (after the reader registered). */
struct sender {
	struct future f;
	const char *text;
};

static enum async_poll sender_poll(struct future *f, const struct waker *w)
{
	struct sender *s = container_of(f, struct sender, f);

	(void)w;
	uart_write(&uart_console, s->text, strlen(s->text));
	return async_ready(f, 0);
}

TEST(async, serial_byte_arrives_through_the_receive_interrupt)
{
	struct uart_read rd;
	struct sender tx = { .text = "Z" };
	struct async_sleep limit;
	struct async_join both;
	struct async_select sel;
	struct future *pair[2] = { &rd.f, &tx.f }, *kids[2] = { &both.g.f, &limit.f };
	uint64_t notifies0;
	int r;

	need_serial_irq();
	EXPECT_EQ(uart_async_init(), 0);
	uart_read_init(&rd);
	future_init(&tx.f, sender_poll, NULL);
	async_join_init(&both, pair, 2);
	async_sleep_ns_init(&limit, 1 * NSEC_PER_SEC);
	async_select_init(&sel, kids, 2);
	notifies0 = uart_async_source()->notifies;
	serial_loopback(true);
	r = async_block_on(&sel.g.f);
	serial_loopback(false);
	EXPECT_EQ(r, 0); /* 1: the byte never came */
	EXPECT_EQ(rd.f.result, 'Z');
	EXPECT_TRUE(uart_async_source()->notifies > notifies0);
	EXPECT_TRUE(list_empty(&uart_async_source()->waits));
}

/* ---- the worked example of docs/async.md ---- */

struct line_reader {
	struct future f;
	struct uart_read byte; /* the byte being read */
	char *buf;
	size_t len, max;
};

static enum async_poll line_poll(struct future *f, const struct waker *w)
{
	struct line_reader *lr = container_of(f, struct line_reader, f);
	int c;

	for (;;) {
		if (future_poll(&lr->byte.f, w) == ASYNC_PENDING)
			return ASYNC_PENDING;
		c = lr->byte.f.result;
		if (c < 0)
			return async_ready(f, c);
		uart_read_init(&lr->byte); /* ready for the next byte */
		if (c == '\n' || c == '\r')
			break;
		if (lr->len + 1 < lr->max)
			lr->buf[lr->len++] = (char)c;
	}
	lr->buf[lr->len] = 0;
	return async_ready(f, (int)lr->len);
}

static void line_drop(struct future *f)
{
	future_drop(&container_of(f, struct line_reader, f)->byte.f);
}

static void line_reader_init(struct line_reader *lr, char *buf, size_t max)
{
	future_init(&lr->f, line_poll, line_drop);
	uart_read_init(&lr->byte);
	lr->buf = buf;
	lr->len = 0;
	lr->max = max;
}

/* Read a line from the console: its length, -ETIMEDOUT, or an error. */
static int read_line_timeout(char *buf, size_t max, uint64_t timeout_ns, struct future *also)
{
	struct line_reader lr;
	struct async_sleep timeout;
	struct async_select sel;
	struct future *either[2] = { &lr.f, &timeout.f };
	struct async_join with;
	struct future *pair[2] = { &sel.g.f, also };
	int r;

	line_reader_init(&lr, buf, max);
	async_sleep_ns_init(&timeout, timeout_ns);
	async_select_init(&sel, either, 2);
	/* Test only: @also (the sender) runs next to the select, after its first poll. */
	async_join_init(&with, pair, 2);
	r = async_block_on(also ? &with.g.f : &sel.g.f);
	if (r < 0)
		return r;
	return sel.g.f.result == 0 ? lr.f.result : -ETIMEDOUT;
}

TEST(async, worked_example_reads_a_line_before_its_timeout)
{
	struct sender tx = { .text = "ok\n" };
	char line[16];
	int r;

	need_serial_irq();
	future_init(&tx.f, sender_poll, NULL);
	serial_loopback(true);
	r = read_line_timeout(line, sizeof(line), 1 * NSEC_PER_SEC, &tx.f);
	serial_loopback(false);
	EXPECT_EQ(r, 2);
	EXPECT_STREQ(line, "ok");
}

TEST(async, worked_example_times_out_without_input)
{
	uint64_t t0 = clock_monotonic_ns();
	char line[16];
	int r;

	need_serial_irq();
	r = read_line_timeout(line, sizeof(line), 30 * MS, NULL);
	EXPECT_EQ(r, -ETIMEDOUT);
	EXPECT_TRUE(clock_monotonic_ns() - t0 >= 30 * MS);
	EXPECT_TRUE(list_empty(&uart_async_source()->waits)); /* the dropped reader left */
}
