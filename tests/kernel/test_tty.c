// SPDX-License-Identifier: MIT
/*
 * TTY tests (ktest=tty): terminals on a memory backend, fed through the
 * same input path an interrupt takes (tty_inject). Canonical reads with
 * echo and the editing keys, raw mode, ^C and ^D, blocking and killed
 * reads, output processing, the kernel log reaching a terminal and its
 * ring, writers on every CPU and the log together never splitting a line,
 * the boot serial console with bytes looped back through the UART's
 * receive interrupt, and the keyboard's translation to terminal bytes.
 */
#include <cairn/errno.h>

#include <arch/pio.h>
#include <lib/format.h>
#include <lib/input/input.h>
#include <lib/string.h>

#include "core/ktest.h"
#include "core/log.h"
#include "core/percpu.h"
#include "core/smp.h"
#include "dev/uart16550.h"
#include "sched/task.h"
#include "time/time.h"
#include "tty/tty.h"

#define CAP_SIZE     (192u * 1024)
#define SMP_WRITERS  4   /* CPUs the concurrency test uses at most */
#define SMP_LINES    400 /* lines per writer */
#define LONG_LINE    300 /* longer than the output path's batch */
#define WRAP_LINE    80  /* bytes per line of the ring-wrap test, newline included */
#define READ_WAIT_MS 2000

/* PC16550D datasheet, 8.6.6 (MCR): loopback, and DTR + RTS + OUT2 as uart_init() sets them. */
#define TEST_UART_MCR      4
#define TEST_UART_MCR_LOOP 0x1b
#define TEST_UART_MCR_NORM 0x0b

/* What a test terminal displayed. Written under the terminal's output lock. */
static struct {
	char buf[CAP_SIZE];
	size_t len;
	bool overflow;
} cap;

static void cap_write(void *ctx, const char *s, size_t n)
{
	if (cap.len + n > sizeof(cap.buf)) {
		cap.overflow = true;
		n = sizeof(cap.buf) - cap.len;
	}
	memcpy(cap.buf + cap.len, s, n);
	cap.len += n;
}

static struct tty *new_tty(void)
{
	const struct tty_backend be = { cap_write, NULL, 80, 24 };
	struct tty *t = tty_create("ttytest", &be);

	EXPECT_TRUE(t != NULL);
	cap.len = 0;
	cap.overflow = false;
	return t;
}

/* True when @needle (NUL-terminated) occurs in the @n bytes at @hay. */
static bool contains(const char *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;

	for (i = 0; i + k <= n; i++)
		if (memcmp(hay + i, needle, k) == 0)
			return true;
	return false;
}

static bool cap_has(const char *needle)
{
	return contains(cap.buf, cap.len, needle);
}

/* Feed @s as typed; read what one tty_read() returns and compare it with @want. */
static void expect_read(struct tty *t, const char *s, const char *want)
{
	char buf[128];
	long n;

	tty_inject(t, s, strlen(s));
	n = tty_read(t, buf, sizeof(buf) - 1);
	EXPECT_EQ(n, (long)strlen(want));
	buf[n] = 0;
	EXPECT_STREQ(buf, want);
}

TEST(tty, canonical_line_with_echo)
{
	struct tty *t = new_tty();

	EXPECT_STREQ(tty_name(t), "ttytest");
	expect_read(t, "hello\r", "hello\n");
	EXPECT_EQ(cap.len, 7);
	EXPECT_TRUE(memcmp(cap.buf, "hello\r\n", 7) == 0);
	tty_destroy(t);
}

TEST(tty, backspace_kill_and_word_erase)
{
	struct tty *t = new_tty();

	expect_read(t, "abx\177c\r", "abc\n"); /* DEL erases the x */
	EXPECT_TRUE(cap_has("x\b \b"));
	expect_read(t, "ab\177\177cd\r", "cd\n"); /* VERASE is DEL; ^H is a character */
	expect_read(t, "one two\x17three\r", "one three\n");
	expect_read(t, "one two  \x17\x17zero\r", "zero\n");
	expect_read(t, "junk line\x15ok\r", "ok\n");
	tty_destroy(t);
}

TEST(tty, reads_take_one_line_at_a_time)
{
	struct tty *t = new_tty();
	char buf[8];

	tty_inject(t, "l1\rl2\nabcd\r", 11);
	EXPECT_EQ(tty_read(t, buf, sizeof(buf)), 3);
	EXPECT_TRUE(memcmp(buf, "l1\n", 3) == 0);
	EXPECT_EQ(tty_read(t, buf, sizeof(buf)), 3);
	EXPECT_TRUE(memcmp(buf, "l2\n", 3) == 0);
	EXPECT_EQ(tty_read(t, buf, 2), 2); /* a short buffer: the rest stays */
	EXPECT_TRUE(memcmp(buf, "ab", 2) == 0);
	EXPECT_EQ(tty_read(t, buf, sizeof(buf)), 3);
	EXPECT_TRUE(memcmp(buf, "cd\n", 3) == 0);
	EXPECT_EQ(tty_read(t, buf, 0), 0);
	tty_destroy(t);
}

TEST(tty, ctrl_d_ends_input)
{
	struct tty *t = new_tty();
	char buf[8];

	tty_inject(t, "\x04", 1);
	EXPECT_EQ(tty_read(t, buf, sizeof(buf)), 0);
	tty_inject(t, "ab\x04", 3); /* on a non-empty line: the line, without a newline */
	EXPECT_EQ(tty_read(t, buf, sizeof(buf)), 2);
	EXPECT_TRUE(memcmp(buf, "ab", 2) == 0);
	expect_read(t, "more\r", "more\n"); /* and input goes on after it */
	tty_destroy(t);
}

static void count_sigint(void *ctx)
{
	__atomic_add_fetch((unsigned *)ctx, 1, __ATOMIC_RELAXED);
}

TEST(tty, ctrl_c_calls_the_callback_and_drops_the_line)
{
	struct tty *t = new_tty();
	unsigned count = 0;
	char c;

	tty_set_sigint(t, count_sigint, &count);
	tty_inject(t, "abc\x03", 4);
	EXPECT_EQ(count, 1);
	EXPECT_TRUE(cap_has("abc^C")); /* Linux echoes ^C and leaves the newline to the shell */
	expect_read(t, "x\r", "x\n");  /* "abc" is gone */
	tty_set_raw(t, true);
	tty_inject(t, "\x03", 1); /* raw: no signal, the byte itself */
	EXPECT_EQ(tty_read(t, &c, 1), 1);
	EXPECT_EQ(c, 0x03);
	tty_set_raw(t, false);
	EXPECT_EQ(count, 1);
	tty_set_sigint(t, NULL, NULL);
	tty_inject(t, "\x03", 1);
	EXPECT_EQ(count, 1);
	tty_destroy(t);
}

TEST(tty, raw_mode_gives_bytes_as_typed)
{
	struct tty *t = new_tty();
	char buf[16];

	tty_inject(t, "par", 3); /* a partial line, handed over by the switch */
	tty_set_raw(t, true);
	EXPECT_EQ(tty_read(t, buf, sizeof(buf)), 3);
	EXPECT_TRUE(memcmp(buf, "par", 3) == 0);
	cap.len = 0;
	tty_inject(t, "\x1b[A\r\x7f\x15", 6);
	EXPECT_EQ(tty_read(t, buf, sizeof(buf)), 6);
	EXPECT_TRUE(memcmp(buf, "\x1b[A\r\x7f\x15", 6) == 0);
	EXPECT_EQ(cap.len, 0); /* no echo */
	tty_set_raw(t, false);
	expect_read(t, "ok\r", "ok\n");
	EXPECT_TRUE(cap_has("ok\r\n"));
	tty_destroy(t);
}

TEST(tty, output_turns_newlines_into_crlf)
{
	struct tty *t = new_tty();

	tty_write(t, "a\nb\n", 4);
	tty_printf(t, "%d-%s\n", 42, "x");
	tty_clear(t);
	EXPECT_EQ(cap.len, 6 + 6 + 7);
	EXPECT_TRUE(memcmp(cap.buf, "a\r\nb\r\n42-x\r\n\x1b[H\x1b[2J", cap.len) == 0);
	EXPECT_EQ(tty_cols(t), 80);
	EXPECT_EQ(tty_rows(t), 24);
	tty_destroy(t);
}

/* A task blocked in tty_read(). */
struct reader {
	struct tty *t;
	char buf[64];
	long got;
	int done; /* [a] */
};

static int reader_main(void *arg)
{
	struct reader *r = arg;

	r->got = tty_read(r->t, r->buf, sizeof(r->buf));
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	return 0;
}

static bool reader_done(struct reader *r, unsigned ms)
{
	uint64_t end = clock_monotonic_ns() + (uint64_t)ms * NSEC_PER_MSEC;

	while (!__atomic_load_n(&r->done, __ATOMIC_ACQUIRE) && clock_monotonic_ns() < end)
		task_sleep_ns(NSEC_PER_MSEC);
	return __atomic_load_n(&r->done, __ATOMIC_ACQUIRE);
}

TEST(tty, a_blocked_reader_wakes_for_a_line)
{
	static struct reader r;
	struct task_handle h;
	struct tty *t = new_tty();

	r = (struct reader){ .t = t };
	EXPECT_EQ(task_spawn(&h, "tty-reader", reader_main, &r), 0);
	EXPECT_TRUE(!reader_done(&r, 30));
	tty_inject(t, "wa", 2);
	EXPECT_TRUE(!reader_done(&r, 10)); /* no line yet */
	tty_inject(t, "ke\r", 3);
	EXPECT_TRUE(reader_done(&r, READ_WAIT_MS));
	EXPECT_EQ(task_join(h, NULL), 0);
	EXPECT_EQ(r.got, 5);
	EXPECT_TRUE(memcmp(r.buf, "wake\n", 5) == 0);
	tty_destroy(t);
}

TEST(tty, a_kill_ends_a_blocked_read_with_eintr)
{
	static struct reader r;
	struct task_handle h;
	struct tty *t = new_tty();

	r = (struct reader){ .t = t };
	EXPECT_EQ(task_spawn(&h, "tty-reader", reader_main, &r), 0);
	EXPECT_TRUE(!reader_done(&r, 30));
	EXPECT_EQ(task_kill(h), 0);
	EXPECT_TRUE(reader_done(&r, READ_WAIT_MS));
	EXPECT_EQ(task_join(h, NULL), 0);
	EXPECT_EQ(r.got, -EINTR);
	tty_destroy(t);
}

/* log_ring_dump()'s sink for the tests: everything into one buffer. */
static struct {
	char buf[LOG_RING_SIZE + 1024];
	size_t len;
	unsigned calls;
} dump;

static void dump_sink(void *ctx, const char *s, size_t n)
{
	if (dump.len + n <= sizeof(dump.buf)) {
		memcpy(dump.buf + dump.len, s, n);
		dump.len += n;
	}
	dump.calls++;
}

static void dump_ring(void)
{
	dump.len = 0;
	dump.calls = 0;
	log_ring_dump(dump_sink, NULL);
}

TEST(tty, log_lines_reach_the_ring)
{
	char want[64];
	uint64_t mark = clock_monotonic_ns();

	pr_info("tty-test: ring marker %llu", (unsigned long long)mark);
	kprintf("tty-test: kprintf marker %llu\n", (unsigned long long)mark);
	dump_ring();
	fmt_snprintf(want, sizeof(want), "\ntty-test: ring marker %llu\n",
	             (unsigned long long)mark);
	EXPECT_TRUE(contains(dump.buf, dump.len, want));
	fmt_snprintf(want, sizeof(want), "\ntty-test: kprintf marker %llu\n",
	             (unsigned long long)mark);
	EXPECT_TRUE(contains(dump.buf, dump.len, want));
	EXPECT_TRUE(dump.len > 0 && dump.buf[dump.len - 1] == '\n');
}

/* Line @i of the wrap test: exactly WRAP_LINE bytes with the newline. */
static void wrap_line(char *buf, unsigned i)
{
	size_t n = (size_t)fmt_snprintf(buf, WRAP_LINE, "tty-test: wrap %05u ", i);

	for (; n < WRAP_LINE - 1; n++)
		buf[n] = (char)('a' + n % 26);
	buf[n] = 0;
}

TEST(tty, the_ring_drops_whole_lines_when_it_wraps)
{
	unsigned lines = LOG_RING_SIZE / WRAP_LINE + 100, first, i;
	char want[WRAP_LINE + 1];
	const char *p;

	for (i = 0; i < lines; i++) {
		wrap_line(want, i);
		pr_info("%s", want);
	}
	dump_ring();
	EXPECT_TRUE(dump.len <= LOG_RING_SIZE && dump.len > LOG_RING_SIZE - 2 * WRAP_LINE);
	/* It starts with a whole line, and from there on every line is there. */
	EXPECT_TRUE(memcmp(dump.buf, "tty-test: wrap ", 15) == 0);
	first = 0;
	for (p = dump.buf + 15; *p >= '0' && *p <= '9'; p++)
		first = first * 10 + (unsigned)(*p - '0');
	for (i = first, p = dump.buf; i < lines; i++, p += WRAP_LINE) {
		wrap_line(want, i);
		EXPECT_TRUE(p + WRAP_LINE <= dump.buf + dump.len);
		EXPECT_TRUE(memcmp(p, want, WRAP_LINE - 1) == 0 && p[WRAP_LINE - 1] == '\n');
	}
	EXPECT_TRUE(dump.calls > 1); /* in pieces, with no lock held around the sink */
}

TEST(tty, log_lines_reach_a_tty_on_a_line_of_their_own)
{
	struct tty *t = new_tty(), *t2;

	tty_show_log(t, true, false);
	tty_write(t, "prompt> ", 8);
	pr_info("tty-test: after a prompt");
	tty_show_log(t, false, false);
	pr_info("tty-test: not shown");
	EXPECT_TRUE(cap_has("prompt> \r\ntty-test: after a prompt\r\n"));
	EXPECT_TRUE(!cap_has("not shown"));
	tty_destroy(t);
	/* A terminal that joins late gets the ring first. */
	t2 = new_tty();
	tty_show_log(t2, true, true);
	tty_show_log(t2, false, false);
	EXPECT_TRUE(cap_has("\r\ntty-test: after a prompt\r\n"));
	EXPECT_TRUE(cap_has("\r\ntty-test: not shown\r\n"));
	tty_destroy(t2);
}

/* Writer @w's line @i, as tty_write() or tty_printf() sends it (a long one now and then). */
static size_t writer_line(char *buf, size_t size, unsigned w, unsigned i)
{
	size_t n = (size_t)fmt_snprintf(buf, size, "w%u line %03u ", w, i);
	size_t len = i % 25 == 0 ? LONG_LINE : 40;

	for (; n < len && n + 2 < size; n++)
		buf[n] = (char)('A' + (w + n) % 26);
	buf[n++] = '\n';
	buf[n] = 0;
	return n;
}

static struct tty *smp_tty;
static int smp_go; /* [a] the writers start together */

static int writer_main(void *arg)
{
	unsigned w = (unsigned)(uintptr_t)arg, i;
	char line[LONG_LINE + 8];
	size_t n;

	while (!__atomic_load_n(&smp_go, __ATOMIC_ACQUIRE))
		task_yield();
	for (i = 0; i < SMP_LINES; i++) {
		n = writer_line(line, sizeof(line), w, i);
		if (i % 2)
			tty_write(smp_tty, line, n);
		else
			tty_printf(smp_tty, "%s", line);
		if (i % 25 == 0)
			pr_info("tty-test: log w%u %03u", w, i);
	}
	return 0;
}

/* Check one captured line (CR LF stripped); counts the writers' lines in @seen. */
static bool line_ok(const char *s, size_t n, unsigned seen[SMP_WRITERS])
{
	char want[LONG_LINE + 8];
	unsigned w, i;

	if (n > 14 && memcmp(s, "tty-test: log ", 14) == 0)
		return true;
	if (n < 10 || s[0] != 'w' || s[1] < '0' || s[1] >= '0' + SMP_WRITERS)
		return false;
	w = (unsigned)(s[1] - '0');
	i = (unsigned)(s[8] - '0') * 100 + (unsigned)(s[9] - '0') * 10 + (unsigned)(s[10] - '0');
	writer_line(want, sizeof(want), w, i);
	if (strlen(want) != n + 1 || memcmp(want, s, n) != 0)
		return false;
	seen[w]++;
	return true;
}

TEST(tty, writers_on_every_cpu_and_the_log_never_split_a_line)
{
	unsigned writers = smp_cpu_count() < SMP_WRITERS ? smp_cpu_count() : SMP_WRITERS;
	struct task_handle h[SMP_WRITERS];
	unsigned seen[SMP_WRITERS] = { 0 }, w, bad = 0;
	size_t start, i;

	smp_tty = new_tty();
	smp_go = 0;
	tty_show_log(smp_tty, true, false);
	for (w = 0; w < writers; w++) {
		struct task_spawn_opts o = { .prio = TASK_PRIO_DEFAULT,
			                     .affinity = 1ull << w,
			                     .cpu = -1 };

		EXPECT_EQ(
			task_spawn_opts(&h[w], "tty-writer", writer_main, (void *)(uintptr_t)w, &o),
			0);
	}
	__atomic_store_n(&smp_go, 1, __ATOMIC_RELEASE);
	for (w = 0; w < writers; w++)
		EXPECT_EQ(task_join(h[w], NULL), 0);
	tty_show_log(smp_tty, false, false);
	EXPECT_TRUE(!cap.overflow);
	for (start = 0, i = 0; i + 1 < cap.len; i++) {
		if (cap.buf[i] != '\r' || cap.buf[i + 1] != '\n')
			continue;
		if (!line_ok(cap.buf + start, i - start, seen) && bad++ < 4)
			kprintf("# tty: bad line \"%.*s\"\n", (int)(i - start), cap.buf + start);
		start = i + 2;
	}
	EXPECT_EQ(bad, 0);
	EXPECT_EQ(start, cap.len);
	for (w = 0; w < writers; w++)
		EXPECT_EQ(seen[w], SMP_LINES);
	tty_destroy(smp_tty);
}

TEST(tty, the_serial_console_exists)
{
	struct tty *t = tty_get(TTY_SERIAL);

	if (!uart_console.present)
		ktest_skip("no UART");
	EXPECT_TRUE(tty_count() >= 1);
	EXPECT_TRUE(t != NULL);
	EXPECT_STREQ(tty_name(t), "ttyS0");
	EXPECT_EQ(tty_cols(t), 80);
	EXPECT_EQ(tty_rows(t), 24);
	EXPECT_TRUE(tty_get(tty_count()) == NULL);
}

/*
 * Bytes sent with the UART looped back arrive through its receive
 * interrupt and the TTY's hook. Raw mode, so nothing is echoed (the echo
 * would loop back too); nothing may print while the loop is on.
 */
TEST(tty, serial_input_arrives_through_the_receive_interrupt)
{
	static struct reader r;
	struct tty *t = tty_get(TTY_SERIAL);
	struct task_handle h;
	bool done;

	if (!t || !uart_console.rx_irq)
		ktest_skip("serial receive is not interrupt driven");
	while (uart_getc(&uart_console) >= 0)
		; /* whatever the host typed before */
	tty_set_raw(t, true);
	r = (struct reader){ .t = t };
	EXPECT_EQ(task_spawn(&h, "tty-reader", reader_main, &r), 0);
	tty_start_input();
	outb(UART_COM1 + TEST_UART_MCR, TEST_UART_MCR_LOOP);
	uart_write(&uart_console, "Q", 1);
	done = reader_done(&r, READ_WAIT_MS);
	outb(UART_COM1 + TEST_UART_MCR, TEST_UART_MCR_NORM);
	tty_stop_input();
	if (!done)
		task_kill(h);
	EXPECT_EQ(task_join(h, NULL), 0);
	tty_set_raw(t, false);
	EXPECT_TRUE(done);
	EXPECT_EQ(r.got, 1);
	EXPECT_EQ(r.buf[0], 'Q');
}

static size_t key_bytes(uint16_t key, char ascii, bool pressed, char *out)
{
	struct key_event ev = { .key = key, .pressed = pressed, .mods = 0, .ascii = ascii };
	size_t n = tty_key_bytes(&ev, out);

	out[n] = 0;
	return n;
}

TEST(tty, keys_become_terminal_bytes)
{
	static const struct {
		uint16_t key;
		char ascii;
		const char *bytes;
	} cases[] = {
		{ KEY_A, 'a', "a" },
		{ KEY_C, 0x03, "\x03" },
		{ KEY_ENTER, '\n', "\r" },
		{ KEY_KP_ENTER, '\n', "\r" },
		{ KEY_BACKSPACE, '\b', "\x7f" },
		{ KEY_TAB, '\t', "\t" },
		{ KEY_UP, 0, "\x1b[A" },
		{ KEY_DOWN, 0, "\x1b[B" },
		{ KEY_RIGHT, 0, "\x1b[C" },
		{ KEY_LEFT, 0, "\x1b[D" },
		{ KEY_HOME, 0, "\x1b[H" },
		{ KEY_END, 0, "\x1b[F" },
		{ KEY_DELETE, 0x7f, "\x1b[3~" },
		{ KEY_KP_8, 0, "\x1b[A" },
		{ KEY_KP_8, '8', "8" },
		{ KEY_LEFT_SHIFT, 0, "" },
		{ KEY_ESC, 0x1b, "\x1b" },
	};
	char out[TTY_KEY_BYTES_MAX + 1];
	unsigned i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		key_bytes(cases[i].key, cases[i].ascii, true, out);
		EXPECT_STREQ(out, cases[i].bytes);
	}
	EXPECT_EQ(key_bytes(KEY_A, 'a', false, out), 0); /* releases type nothing */
}
