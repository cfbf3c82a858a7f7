// SPDX-License-Identifier: MIT
/*
 * Shell tests (ktest=shell): the dispatcher run without a terminal, its
 * output caught in a memory buffer. Quoting, the "did you mean" message,
 * each command's output format, sleep's duration, ^C's mechanism (the
 * interrupt called from a timer event, in IRQ context, as the terminal
 * calls it) ending a long sleep early, Tab completion through the real
 * line editor, several shells' commands at once, and a whole session with
 * shell_main() on a test terminal fed through the TTY layer's input path.
 */
#include <cairn/errno.h>

#include <lib/string.h>
#include <lib/tty/lineedit.h>
#include <lib/tty/shlex.h>

#include <stdbool.h>
#include <stdint.h>

#include "acpi/acpi.h"
#include "core/ktest.h"
#include "mm/heap.h"
#include "sched/task.h"
#include "shell/shell.h"
#include "time/time.h"
#include "tty/tty.h"

#define MS NSEC_PER_MSEC

/* Output caught in memory; truncated, always NUL-terminated. */
struct membuf {
	char text[8192];
	size_t len;
};

static void mem_sink(void *ctx, const char *s, size_t n)
{
	struct membuf *m = ctx;

	if (n > sizeof(m->text) - 1 - m->len)
		n = sizeof(m->text) - 1 - m->len;
	memcpy(m->text + m->len, s, n);
	m->len += n;
	m->text[m->len] = 0;
}

static struct membuf out_buf;

/* Run @line with its output in out_buf.text; returns its status. */
static int run(const char *line)
{
	struct shell_out o = { .sink = mem_sink, .ctx = &out_buf, .clear = NULL };

	out_buf.len = 0;
	out_buf.text[0] = 0;
	return shell_run_line(line, &o);
}

static bool contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncmp(hay, needle, n) == 0)
			return true;
	return !*needle;
}

static bool is_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

TEST(shell, echo_joins_words)
{
	EXPECT_EQ(run("echo hi"), 0);
	EXPECT_STREQ(out_buf.text, "hi\n");
	EXPECT_EQ(run("echo"), 0);
	EXPECT_STREQ(out_buf.text, "\n");
	EXPECT_EQ(run("  echo   one\ttwo  "), 0);
	EXPECT_STREQ(out_buf.text, "one two\n");
}

TEST(shell, echo_keeps_quoted_blanks)
{
	EXPECT_EQ(run("echo \"a  b\" 'c'"), 0);
	EXPECT_STREQ(out_buf.text, "a  b c\n");
	EXPECT_EQ(run("echo x'y'\"z\" \\$ ''"), 0);
	EXPECT_STREQ(out_buf.text, "xyz $ \n");
}

TEST(shell, quoting_error_is_reported)
{
	EXPECT_EQ(run("echo 'open"), SHELL_EXIT_SYNTAX);
	EXPECT_TRUE(contains(out_buf.text, shlex_strerror(SHLEX_ERR_SQUOTE)));
	EXPECT_EQ(run("echo \"open"), SHELL_EXIT_SYNTAX);
	EXPECT_TRUE(contains(out_buf.text, shlex_strerror(SHLEX_ERR_DQUOTE)));
}

TEST(shell, empty_line_does_nothing)
{
	EXPECT_EQ(run(""), 0);
	EXPECT_EQ(run("   \t "), 0);
	EXPECT_STREQ(out_buf.text, "");
}

TEST(shell, unknown_command_suggests_nearest)
{
	EXPECT_EQ(run("ehco hi"), SHELL_EXIT_UNKNOWN);
	EXPECT_STREQ(out_buf.text, "cairn: unknown command 'ehco' - did you mean 'echo'?\n");
	EXPECT_EQ(run("shutdwon"), SHELL_EXIT_UNKNOWN);
	EXPECT_TRUE(contains(out_buf.text, "did you mean 'shutdown'?"));
	EXPECT_EQ(run("xyzzyq"), SHELL_EXIT_UNKNOWN);
	EXPECT_STREQ(out_buf.text, "cairn: unknown command 'xyzzyq'\n");
}

TEST(shell, help_lists_every_command)
{
	unsigned i, n = shell_command_count();

	EXPECT_TRUE(n >= 17);
	EXPECT_EQ(run("help"), 0);
	for (i = 0; i < n; i++)
		EXPECT_TRUE(contains(out_buf.text, shell_command_name(i)));
	EXPECT_EQ(shell_command_name(n), NULL);
	EXPECT_EQ(run("help sleep"), 0);
	EXPECT_TRUE(contains(out_buf.text, "sleep"));
	EXPECT_TRUE(!contains(out_buf.text, "shutdown"));
	EXPECT_EQ(run("help nosuch"), 1);
}

TEST(shell, ps_lists_the_caller_and_itself)
{
	EXPECT_EQ(run("ps"), 0);
	EXPECT_TRUE(contains(out_buf.text, "  ID NAME             STATE    CPU      TIME\n"));
	EXPECT_TRUE(contains(out_buf.text, " main "));    /* the boot flow running this test */
	EXPECT_TRUE(contains(out_buf.text, " ps "));      /* the command's own task */
	EXPECT_TRUE(contains(out_buf.text, " running ")); /* ps itself, at least */
}

TEST(shell, uptime_format)
{
	const char *t = out_buf.text, *dot;

	EXPECT_EQ(run("uptime"), 0);
	EXPECT_EQ(strncmp(t, "up ", 3), 0);
	dot = strchr(t, '.');
	EXPECT_TRUE(dot && dot > t + 3 && is_digits(t + 3, (size_t)(dot - t - 3)));
	EXPECT_TRUE(is_digits(dot + 1, 3));
	EXPECT_STREQ(dot + 4, " s\n");
}

TEST(shell, date_format)
{
	const char *t = out_buf.text;
	struct rtc_time boot;

	if (clock_boot_date(&boot) != 0)
		ktest_skip("no real-time clock");
	EXPECT_EQ(run("date"), 0);
	/* "2026-11-25 07:15:03 UTC\n" */
	EXPECT_EQ(strlen(t), 24);
	EXPECT_TRUE(is_digits(t, 4) && t[4] == '-' && is_digits(t + 5, 2) && t[7] == '-');
	EXPECT_TRUE(is_digits(t + 8, 2) && t[10] == ' ' && is_digits(t + 11, 2) && t[13] == ':');
	EXPECT_TRUE(is_digits(t + 14, 2) && t[16] == ':' && is_digits(t + 17, 2));
	EXPECT_STREQ(t + 19, " UTC\n");
	/* The year is the boot year (or the next, past a New Year's Eve boot). */
	EXPECT_TRUE((t[0] - '0') * 1000 + (t[1] - '0') * 100 + (t[2] - '0') * 10 + (t[3] - '0') -
	                    boot.year <=
	            1);
}

TEST(shell, uname_names_the_kernel)
{
	EXPECT_EQ(run("uname"), 0);
	EXPECT_EQ(strncmp(out_buf.text, "Cairn 0.1 x86_64 boot=", 22), 0);
}

TEST(shell, machine_reports_have_rows)
{
	EXPECT_EQ(run("mem"), 0);
	EXPECT_TRUE(contains(out_buf.text, "dma32") && contains(out_buf.text, "heap: "));
	EXPECT_TRUE(contains(out_buf.text, "live blocks") && contains(out_buf.text, "cached"));
	EXPECT_EQ(run("cpus"), 0);
	EXPECT_TRUE(contains(out_buf.text, "   0  ") && contains(out_buf.text, "yes"));
	EXPECT_EQ(run("irqs"), 0);
	EXPECT_TRUE(contains(out_buf.text, "0xef")); /* the local APIC timer has ticked */
	EXPECT_EQ(run("log"), 0);
	EXPECT_TRUE(out_buf.len > 0);
	if (!acpi_root())
		ktest_skip("no ACPI tables");
	EXPECT_EQ(run("acpi"), 0);
	EXPECT_TRUE(contains(out_buf.text, "RSDP ") && contains(out_buf.text, "APIC "));
	EXPECT_TRUE(contains(out_buf.text, "FACP "));
}

TEST(shell, clear_sends_ansi_without_a_terminal)
{
	EXPECT_EQ(run("clear"), 0);
	EXPECT_STREQ(out_buf.text, "\x1b[H\x1b[2J");
}

TEST(shell, sleep_waits_at_least_its_time)
{
	uint64_t t0 = clock_monotonic_ns();

	EXPECT_EQ(run("sleep 0.05"), 0);
	EXPECT_TRUE(clock_monotonic_ns() - t0 >= 50 * MS);
	t0 = clock_monotonic_ns();
	EXPECT_EQ(run("sleep 30ms"), 0);
	EXPECT_TRUE(clock_monotonic_ns() - t0 >= 30 * MS);
	EXPECT_EQ(run("sleep 0"), 0);
	EXPECT_STREQ(out_buf.text, "");
}

TEST(shell, sleep_rejects_bad_durations)
{
	EXPECT_EQ(run("sleep"), SHELL_EXIT_SYNTAX);
	EXPECT_TRUE(contains(out_buf.text, "usage: sleep"));
	EXPECT_EQ(run("sleep abc"), SHELL_EXIT_SYNTAX);
	EXPECT_EQ(run("sleep 1x"), SHELL_EXIT_SYNTAX);
	EXPECT_EQ(run("sleep ."), SHELL_EXIT_SYNTAX);
	EXPECT_EQ(run("sleep 99999999999999999999"), SHELL_EXIT_SYNTAX);
	EXPECT_EQ(run("sleep 1 2"), SHELL_EXIT_SYNTAX);
}

static void fire_interrupt(struct timer_event *ev, void *job)
{
	shell_job_interrupt(job); /* IRQ context, as the terminal's ^C callback */
}

TEST(shell, interrupt_ends_a_long_sleep)
{
	struct shell_out o = { .sink = mem_sink, .ctx = &out_buf, .clear = NULL };
	struct shell_job *job = kmalloc(sizeof(*job));
	struct timer_event ev;
	uint64_t t0 = clock_monotonic_ns(), took;
	int rc;

	out_buf.len = 0;
	shell_job_init(job);
	EXPECT_EQ(shell_job_start(job, "sleep 100", &o), 0);
	timer_event_init(&ev, fire_interrupt, job);
	EXPECT_EQ(timer_event_arm(&ev, t0 + 50 * MS), 0);
	rc = shell_job_wait(job);
	took = clock_monotonic_ns() - t0;
	timer_event_cancel(&ev);
	kfree(job);
	EXPECT_EQ(rc, -EINTR);
	EXPECT_TRUE(took >= 50 * MS && took < 2000 * MS);
	EXPECT_TRUE(contains(out_buf.text, "sleep: interrupted"));
}

TEST(shell, test_command_refuses_while_tests_run)
{
	EXPECT_EQ(run("test"), 1);
	EXPECT_TRUE(contains(out_buf.text, "busy"));
	EXPECT_EQ(run("test a b"), SHELL_EXIT_SYNTAX);
}

/* Feed @keys to @le; returns the last status. */
static enum lineedit_status feed(struct lineedit *le, const char *keys)
{
	enum lineedit_status st = LINEEDIT_EDITING;

	for (; *keys; keys++)
		st = lineedit_feed(le, (uint8_t)*keys);
	return st;
}

TEST(shell, tab_completes_command_names)
{
	struct lineedit *le = kmalloc(sizeof(*le));

	lineedit_init(le, mem_sink, &out_buf);
	lineedit_set_completion(le, shell_complete, NULL);
	lineedit_start(le, "> ");
	feed(le, "ec\t");
	EXPECT_STREQ(lineedit_line(le), "echo ");
	feed(le, "e\t"); /* an argument: no candidates */
	EXPECT_STREQ(lineedit_line(le), "echo e");
	EXPECT_EQ(feed(le, "\r"), LINEEDIT_DONE);
	lineedit_start(le, "> ");
	out_buf.len = 0;
	feed(le, "s\t\t"); /* sleep, shutdown: the second Tab lists them */
	EXPECT_STREQ(lineedit_line(le), "s");
	EXPECT_TRUE(contains(out_buf.text, "sleep") && contains(out_buf.text, "shutdown"));
	feed(le, "h\t");
	EXPECT_STREQ(lineedit_line(le), "shutdown ");
	kfree(le);
}

#define PAR_TASKS  4
#define PAR_ROUNDS 25

struct par {
	struct membuf out;
	int bad;
};

static int par_main(void *arg)
{
	struct par *p = arg;
	struct shell_out o = { .sink = mem_sink, .ctx = &p->out, .clear = NULL };
	int i;

	for (i = 0; i < PAR_ROUNDS; i++) {
		p->out.len = 0;
		if (shell_run_line("echo 'in parallel'", &o) != 0 ||
		    strcmp(p->out.text, "in parallel\n") != 0)
			p->bad++;
	}
	return 0;
}

TEST(shell, shells_run_commands_at_once)
{
	struct par *p = kcalloc(PAR_TASKS, sizeof(*p));
	struct task_handle h[PAR_TASKS];
	int i, bad = 0;

	for (i = 0; i < PAR_TASKS; i++)
		EXPECT_EQ(task_spawn(&h[i], "shelltest", par_main, &p[i]), 0);
	for (i = 0; i < PAR_TASKS; i++) {
		EXPECT_EQ(task_join(h[i], NULL), 0);
		bad += p[i].bad;
	}
	kfree(p);
	EXPECT_EQ(bad, 0);
}

/* A test terminal's screen: everything the shell wrote, "\n" already "\r\n". */
static struct membuf screen;

static void screen_write(void *ctx, const char *s, size_t n)
{
	mem_sink(ctx, s, n);
}

/* Wait up to 5 s for @needle to appear on the screen at or after @from. */
static bool screen_shows(size_t from, const char *needle)
{
	uint64_t end = clock_monotonic_ns() + 5000 * MS;

	do {
		if (contains(screen.text + from, needle))
			return true;
		task_sleep_ns(5 * MS);
	} while (clock_monotonic_ns() < end);
	return false;
}

/* Type @keys on @t; returns where the screen was before, for screen_shows(). */
static size_t type(struct tty *t, const char *keys)
{
	size_t at = __atomic_load_n(&screen.len, __ATOMIC_ACQUIRE);

	tty_inject(t, keys, strlen(keys));
	return at;
}

/* Type lines, a Tab, the history key and ^C; check what the screen shows. */
static void session(struct tty *t)
{
	size_t at;

	EXPECT_TRUE(screen_shows(0, "cairn>"));
	at = type(t, "echo hi\r");
	EXPECT_TRUE(screen_shows(at, "\nhi\r\n"));
	at = type(t, "ec\tvia tab\r");
	EXPECT_TRUE(screen_shows(at, "\nvia tab\r\n"));
	at = type(t, "\x1b[A\r"); /* up: the last line again */
	EXPECT_TRUE(screen_shows(at, "\nvia tab\r\n"));
	at = type(t, "ehco\r");
	EXPECT_TRUE(screen_shows(at, "did you mean 'echo'?"));
	at = type(t, "ps\r");
	EXPECT_TRUE(screen_shows(at, " shell:ttyT "));
	at = type(t, "sleep 100\r");
	task_sleep_ns(100 * MS);
	type(t, "\x03");
	EXPECT_TRUE(screen_shows(at, "sleep: interrupted"));
	at = type(t, "echo after\r");
	EXPECT_TRUE(screen_shows(at, "\nafter\r\n"));
}

TEST(shell, session_on_a_test_terminal)
{
	struct tty_backend be = { .write = screen_write, .ctx = &screen, .cols = 80, .rows = 24 };
	struct task_result res;
	struct task_handle h;
	struct tty *t;

	screen.len = 0;
	screen.text[0] = 0;
	t = tty_create("ttyT", &be);
	EXPECT_TRUE(t != NULL);
	EXPECT_EQ(task_spawn(&h, "shell:ttyT", shell_main, t), 0);
	session(t);
	EXPECT_EQ(task_kill(h), 0); /* it ends where it waits for input */
	EXPECT_EQ(task_join(h, &res), 0);
	tty_destroy(t);
	EXPECT_TRUE(res.how == TASK_END_RETURNED || res.how == TASK_END_KILLED);
}
