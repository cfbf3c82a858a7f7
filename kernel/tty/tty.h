/* SPDX-License-Identifier: MIT */
/*
 * Terminals. A struct tty joins a line discipline (lib/tty/ldisc.h:
 * canonical mode with echo, erase, ^U, ^W, ^C and ^D, or raw mode) and its
 * input queue to a backend that displays output. The boot consoles are
 * ttyS0 on COM1 and tty0 on the framebuffer with the PS/2 keyboard; each
 * also shows the kernel log, one whole line at a time. Tasks read with
 * tty_read(), which blocks; interrupt handlers feed typed bytes in.
 *
 * Output policy (ONLCR): every byte that reaches a backend has had "\n"
 * turned into "\r\n": tty_write(), echo and kernel log lines alike. The
 * serial port carried log lines that way before the TTY layer too
 * (uart_write()), so what serial tools see is unchanged.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct file;
struct file_ops;
struct process;
struct termios;
struct tty;

#define TTY_SERIAL 0 /* console 0: COM1 */
#define TTY_SCREEN 1 /* console 1: framebuffer + PS/2 keyboard (absent without a framebuffer) */

/* Consoles that exist (0 before tty_init()); they are numbered from 0 up. */
unsigned tty_count(void);
/* Console @index, or NULL if it does not exist. */
struct tty *tty_get(unsigned index);
/* "ttyS0", "tty0", or a test terminal's name. */
const char *tty_name(const struct tty *t);

/*
 * Block until input is there and read it into @buf (@n bytes at most). In
 * canonical mode one read returns at most one line, with its '\n'; in raw
 * mode whatever is queued, at least one byte. Returns the bytes read, 0 at
 * end of input (^D on an empty line; the next read goes on after it) or
 * when @n is 0, or -EINTR when a kill is pending for the calling task.
 * Task context; several readers may wait, each read goes to one of them.
 */
long tty_read(struct tty *t, void *buf, size_t n);

/*
 * tty_read() with two ways out for system calls: with @nonblock, -EAGAIN
 * at once when nothing is readable; with @interrupted, -EINTR as soon as
 * it returns true while nothing is readable (it is asked again after every
 * wake of the task, so a waker that makes it true must wake the task).
 */
long tty_read_opts(struct tty *t, void *buf, size_t n, bool nonblock, bool (*interrupted)(void));

/*
 * Display @n bytes, "\n" as "\r\n". Takes the terminal's output lock once
 * per line (or per run of lines up to a few hundred bytes), so a line
 * written in one call is never split by another writer or by a log line;
 * a kernel log line that comes after a partial line starts on a line of its
 * own. Any context (with interrupts off, keep it short).
 */
void tty_write(struct tty *t, const void *buf, size_t n);
/*
 * Formatted tty_write(). The whole output goes out in one hold of the
 * output lock (formatting included), so nothing splits it. Any context.
 */
void tty_printf(struct tty *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Raw mode: no echo, no line editing, no signals, no CR -> NL: bytes as
 * typed (the shell's line editor). Back in canonical mode echo, editing,
 * ^C and CR -> NL are on again. What was typed is kept across the switch
 * (see ldisc_set_mode()). Task context.
 */
void tty_set_raw(struct tty *t, bool raw);
/*
 * The mode termios(3) shows: canonical or raw, and the LDISC_* flags
 * (lib/tty/ldisc.h). tty_set_mode() sets both at once. Task context.
 */
void tty_set_mode(struct tty *t, bool canonical, uint32_t ld_flags);
void tty_get_mode(struct tty *t, bool *canonical, uint32_t *ld_flags);

/*
 * ^C in canonical mode calls @fn(@ctx) in IRQ context (interrupts off; it
 * must be short and must not sleep); the input typed so far is dropped.
 * NULL clears. Once this returns the old callback is not running and will
 * not be called. Not from the callback itself.
 */
void tty_set_sigint(struct tty *t, void (*fn)(void *ctx), void *ctx);

/*
 * A copy of @t's termios (TCGETS) / replace it (TCSETS; @flush drops the
 * pending input first, TCSETSF). The line discipline acts on the new
 * settings from the next byte typed. Any context / task context.
 */
void tty_get_termios(struct tty *t, struct termios *out);
void tty_set_termios(struct tty *t, const struct termios *tio, bool flush);

/* The terminal's size in character cells: 80x24 for serial, the text grid for the screen. */
unsigned tty_cols(const struct tty *t);
unsigned tty_rows(const struct tty *t);

/* Clear the screen and put the cursor home (ESC [ H ESC [ 2 J). */
void tty_clear(struct tty *t);

/*
 * Create the consoles whose backends exist: ttyS0 when COM1 answered, tty0
 * when fbcon_init() succeeded. From then on they show the kernel log (tty0
 * first replays the log so far). Input is not taken yet: see
 * tty_start_input(). Boot CPU, once, after irq_init(), time_init() and
 * task_init().
 */
void tty_init(void);

/*
 * Feed the consoles from their devices from now on: COM1's receive ring to
 * ttyS0 and the keyboard's key events to tty0. The TTY layer then is the
 * only reader of both (uart_getc(), input_key_pop()), which is why test and
 * benchmark boots, whose suites read them directly, do not call this.
 * tty_stop_input() gives them back. Task context.
 */
void tty_start_input(void);
void tty_stop_input(void);

/*
 * The console: what /dev/console opens and what spawned processes get as
 * descriptors 0, 1 and 2: ttyS0 unless a test redirected it (NULL: back
 * to ttyS0). The redirect is for tests, made while no one uses it.
 */
struct tty *console_tty(void);
void console_set_tty(struct tty *t);

/* ---- terminals as files (tty_file.c, tty_ioctl.c) ---- */

/*
 * The file operations of every terminal: read, write, ioctl and poll on
 * the terminal in f->priv; open() for the char devices 4:0 tty0, 4:64
 * ttyS0, 5:0 tty (the caller's controlling terminal, ENXIO without one)
 * and 5:1 console. f->ops == &tty_fops tells that a file is a terminal.
 */
extern const struct file_ops tty_fops;

/*
 * A file on @t opened with @oflags (O_RDWR, O_NONBLOCK, O_NOCTTY...)
 * without a walk of a path name: spawned processes' descriptors 0/1/2 and
 * the tests. It is the device node's file when /dev has one for @t, else
 * an anonymous char-device file. Returns a file with one reference, or
 * an error pointer (-ENOMEM...). Task context.
 */
struct file *tty_open_file(struct tty *t, int oflags);

/*
 * ioctl(2) request @cmd with argument @arg on @t, as a file of it opened
 * for reading (@readable) would answer it, but for FIONBIO, which is the
 * file's: the termios, window-size and job-control requests. Returns what
 * the system call returns (-ENOTTY for an unknown request). Task context.
 */
long tty_ioctl_tty(struct tty *t, unsigned cmd, uintptr_t arg, bool readable);

/* The device number (DEV_ENCODE) of @t's node, 0 for terminals without one. */
uint32_t tty_rdev(const struct tty *t);

/* ---- job control (tty_job.c) ---- */

/*
 * @t's foreground process group (0: none). ^C, ^Z and ^\ signal it. The
 * kernel shell's `run` sets it directly for the program it waits for.
 * Any context.
 */
int tty_foreground_pgrp(struct tty *t);
void tty_set_foreground_pgrp(struct tty *t, int pgid);

/*
 * Process @p has ended (its last thread; called once, before it becomes a
 * zombie): it no longer has a controlling terminal, and if it led its
 * session that terminal is hung up for the session: SIGHUP and SIGCONT to
 * the foreground group, and the terminal and every process of the session
 * forget each other. Task context; takes proc_lock.
 */
void tty_session_leader_exit(struct process *p);

/*
 * For /proc/PID/stat: the device number of @p's controlling terminal
 * (tty_rdev(), 0: none) and that terminal's foreground group (-1: none),
 * as Linux shows tty_nr and tpgid. Takes proc_lock: not with it held.
 */
void tty_ctty_info(struct process *p, uint32_t *rdev, int *tpgid);

/* The N of /dev/pts/N of a /dev/ptmx file (TIOCGPTN), or -ENOTTY for another file. */
int pty_number(const struct file *master);

/* Terminals that are not boot consoles: tests, and pseudo-terminals (pty.c). */

/* Where a terminal's output goes. */
struct tty_backend {
	/*
	 * Display @n bytes as they are (output processing is done). Called with
	 * the terminal's output lock held and interrupts off, from any context:
	 * must not sleep, must not log.
	 */
	void (*write)(void *ctx, const char *s, size_t n);
	void *ctx;
	unsigned cols, rows; /* the size tty_cols() and tty_rows() report */
};

/*
 * A terminal named @name (kept by reference) writing to @be (copied), in
 * canonical mode. Returns NULL without memory. Not for IRQ context.
 */
struct tty *tty_create(const char *name, const struct tty_backend *be);
/* Free @t, which nobody may use any more (no reader, not showing the log). */
void tty_destroy(struct tty *t);

/*
 * Run @n bytes through @t's input path as a device interrupt would: line
 * discipline, echo, waking readers, the ^C callback. Any context.
 */
void tty_inject(struct tty *t, const void *buf, size_t n);

/* Show the kernel log on @t (after a replay of the ring if @replay), or stop. */
void tty_show_log(struct tty *t, bool on, bool replay);

struct key_event;

#define TTY_KEY_BYTES_MAX 4 /* the longest sequence tty_key_bytes() produces */

/*
 * The bytes a key press types on a terminal, as a VT100-style terminal and
 * lib/tty/lineedit expect them: the key's character (Ctrl+letter giving
 * its control code), Enter '\r', Backspace DEL (0x7f), Tab '\t', the
 * arrows ESC [ A/B/C/D, Home ESC [ H, End ESC [ F, Insert, Delete, Page
 * Up and Page Down ESC [ 2/3/5/6 ~; the keypad's arrows when Num Lock is
 * off. Returns how many went to @out (0 for a release or a key that types
 * nothing). Any context.
 */
size_t tty_key_bytes(const struct key_event *ev, char out[TTY_KEY_BYTES_MAX]);
