// SPDX-License-Identifier: MIT
/*
 * Signals to real processes, driven from the kernel: ^C typed on the
 * console ends the foreground process group with SIGINT; a null pointer
 * ends its process with SIGSEGV (core bit set); a signal with a handler
 * interrupts a blocked console read with EINTR, or under SA_RESTART lets
 * it go on and read what is typed later; kill() from the kernel finds the
 * process and SIGKILL ends a process that spins in user mode. The programs
 * are tests/kernel/sig_progs.h, wrapped in an ELF file as test_proc.c does.
 */
#include <cairn/errno.h>
#include <cairn/linux/signal.h>
#include <cairn/linux/wait.h>

#include <lib/elf/elf.h>
#include <lib/string.h>

#include "core/ktest.h"
#include "proc/proc.h"
#include "proc/signal.h"
#include "sched/task.h"
#include "syscall/internal.h"
#include "tests/kernel/proc_image.h"
#include "tests/kernel/sig_progs.h"
#include "time/time.h"
#include "tty/tty.h"

#define MS NSEC_PER_MSEC

static struct proc_image image;

/* @p wrapped in an ELF file in image; returns the file's size. */
static size_t build(const struct proc_prog *p)
{
	proc_image_build(&image, p, false);
	return image.size;
}

static int spawn(const struct proc_prog *p)
{
	static char *argv[] = { "sigtest", NULL };
	size_t size = build(p);
	int pid = 0;

	EXPECT_EQ(proc_spawn_image("sigtest", image.b, size, argv, NULL, &pid), 0);
	return pid;
}

static int wait_for(int pid)
{
	int status = -1;

	EXPECT_EQ(proc_wait(pid, &status), 0);
	return status;
}

/* A console of the test's own, so what it types goes to the programs only. */
static void discard(void *ctx, const char *s, size_t n)
{
}

static struct tty *console_begin(void)
{
	static const struct tty_backend be = { .write = discard, .cols = 80, .rows = 24 };
	struct tty *t = tty_create("sigtest", &be);

	EXPECT_TRUE(t != NULL);
	console_set_tty(t);
	return t;
}

static void console_end(struct tty *t)
{
	tty_set_foreground_pgrp(t, 0);
	console_set_tty(NULL);
	tty_destroy(t);
}

static int pgid_of(int pid)
{
	struct process *p = process_find(pid);
	int pgid;

	EXPECT_TRUE(p != NULL);
	pgid = proc_pgid(p);
	process_put(p);
	return pgid;
}

static void send(int pid, int sig)
{
	struct process *p = process_find(pid);

	EXPECT_TRUE(p != NULL);
	EXPECT_EQ(signal_send_process(p, sig, NULL), 0);
	process_put(p);
}

TEST(signal_proc, ctrl_c_ends_the_foreground_group)
{
	struct tty *t = console_begin();
	int pid = spawn(&sig_prog_spin);

	tty_set_foreground_pgrp(t, pgid_of(pid));
	task_sleep_ns(20 * MS);
	tty_inject(t, "\003", 1);
	EXPECT_EQ(wait_for(pid), SIGINT);
	console_end(t);
}

TEST(signal_proc, null_pointer_is_sigsegv_with_core_bit)
{
	EXPECT_EQ(wait_for(spawn(&sig_prog_null)), SIGSEGV | 0x80);
}

TEST(signal_proc, sigkill_ends_a_spinning_process)
{
	int pid = spawn(&sig_prog_spin);

	task_sleep_ns(10 * MS);
	send(pid, SIGKILL);
	EXPECT_EQ(wait_for(pid), SIGKILL);
}

/* Wait (up to 5 s) until the first thread of @pid sleeps: it reached its read(). */
static void wait_until_blocked(int pid)
{
	struct thread *th = thread_find(pid);
	uint64_t end = clock_monotonic_ns() + 5000 * MS;

	EXPECT_TRUE(th != NULL);
	while (__atomic_load_n(&th->task->state, __ATOMIC_ACQUIRE) != TASK_BLOCKED &&
	       clock_monotonic_ns() < end)
		task_sleep_ns(MS);
	thread_put(th);
}

/* Send SIGUSR1 while the program waits in read(), then type a line. */
static int interrupted_read(const struct proc_prog *p)
{
	struct tty *t = console_begin();
	int pid = spawn(p), status;

	wait_until_blocked(pid);
	send(pid, SIGUSR1);
	task_sleep_ns(50 * MS);
	tty_inject(t, "x\n", 2);
	status = wait_for(pid);
	console_end(t);
	return status;
}

TEST(signal_proc, handler_interrupts_a_read_with_eintr)
{
	EXPECT_EQ(interrupted_read(&sig_prog_read_eintr), W_EXITCODE(4, 0));
}

TEST(signal_proc, sa_restart_lets_the_read_go_on)
{
	EXPECT_EQ(interrupted_read(&sig_prog_read_restart), W_EXITCODE(1, 0));
}
