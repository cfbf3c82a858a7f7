// SPDX-License-Identifier: MIT
/*
 * The boot consoles: ttyS0 on COM1 (output polled through the UART's
 * transmitter, input from its receive interrupt) and tty0 on the
 * framebuffer console with the PS/2 keyboard. Both devices push: the UART
 * calls its receive hook after each burst it put in its ring, the input
 * layer its notify hook after each burst of key events, and each hook
 * drains what is there into the console's input path, in IRQ context.
 * Locks: [I] set by tty_init(); [B] the boot CPU's flow, or tasks that
 * start and stop input one at a time.
 */
#include <cairn/linux/stat.h>

#include <lib/input/input.h>

#include "core/log.h"
#include "dev/fbcon.h"
#include "dev/input.h"
#include "dev/uart16550.h"
#include "tty/internal.h"
#include "tty/tty.h"

#define SERIAL_COLS 80 /* what a serial terminal is assumed to be: VT100's screen */
#define SERIAL_ROWS 24
#define DRAIN_BURST 32 /* bytes taken from the UART's ring per input call */

static struct tty boot_ttys[2];      /* [I] storage of the consoles */
static struct tty *consoles[2];      /* [I] by index: TTY_SERIAL, TTY_SCREEN; NULL if absent */
static unsigned console_slots;       /* [I] 1 + the highest index that exists */
static bool input_on;                /* [B] tty_start_input() ran */
static struct tty *console_override; /* [a] a test's console instead of ttyS0, or NULL */

static void serial_write(void *ctx, const char *s, size_t n)
{
	uart_write_raw(&uart_console, s, n);
}

static void screen_write(void *ctx, const char *s, size_t n)
{
	fbcon_write(fbcon_screen(), s, n);
}

/* Make console @index on @be, showing the log (the screen replays what it missed). */
static void console_add(unsigned index, const char *name, const struct tty_backend *be, bool replay)
{
	struct tty *t = &boot_ttys[index];

	tty_setup(t, name, be);
	/* Linux's numbers: tty0 is 4:0, ttyS0 4:64 (Documentation/admin-guide/devices.txt). */
	t->rdev = index == TTY_SERIAL ? DEV_ENCODE(4, 64) : DEV_ENCODE(4, 0);
	tty_show_log(t, true, replay);
	consoles[index] = t;
	if (index + 1 > console_slots)
		console_slots = index + 1;
}

void tty_init(void)
{
	const struct tty_backend serial = { serial_write, NULL, SERIAL_COLS, SERIAL_ROWS };
	const struct tty_backend screen = { screen_write, NULL, fbcon_cols(fbcon_screen()),
		                            fbcon_rows(fbcon_screen()) };

	if (console_slots)
		return;
	if (uart_console.present)
		console_add(TTY_SERIAL, "ttyS0", &serial, false);
	if (fbcon_screen())
		console_add(TTY_SCREEN, "tty0", &screen, true);
	pr_info("tty: consoles%s%s", consoles[TTY_SERIAL] ? " ttyS0 (COM1)" : "",
	        consoles[TTY_SCREEN] ? " tty0 (screen, keyboard)" : "");
	tty_dev_register();
}

struct tty *console_tty(void)
{
	struct tty *t = __atomic_load_n(&console_override, __ATOMIC_ACQUIRE);

	return t ? t : tty_get(TTY_SERIAL);
}

void console_set_tty(struct tty *t)
{
	__atomic_store_n(&console_override, t, __ATOMIC_RELEASE);
}

unsigned tty_count(void)
{
	return console_slots;
}

struct tty *tty_get(unsigned index)
{
	return index < console_slots ? consoles[index] : NULL;
}

/* The UART's receive hook (IRQ context): everything in its ring goes to ttyS0. */
static void serial_rx(struct uart *u)
{
	struct tty *t = consoles[TTY_SERIAL];
	uint8_t buf[DRAIN_BURST];
	uint64_t flags;
	size_t n;
	int c;

	/* One drain at a time keeps the ring's single reader and the bytes' order. */
	flags = spin_lock_irqsave(&t->src_lock);
	do {
		for (n = 0; n < sizeof(buf) && (c = uart_getc(u)) >= 0; n++)
			buf[n] = (uint8_t)c;
		if (n)
			tty_inject(t, buf, n);
	} while (n == sizeof(buf));
	spin_unlock_irqrestore(&t->src_lock, flags);
}

/* The input layer's notify hook (IRQ context): queued key presses go to tty0. */
static void keyboard_notify(void *ctx)
{
	struct tty *t = ctx;
	char bytes[TTY_KEY_BYTES_MAX];
	struct key_event ev;
	uint64_t flags;
	size_t n;

	flags = spin_lock_irqsave(&t->src_lock);
	while (input_key_pop(&ev)) {
		n = tty_key_bytes(&ev, bytes);
		if (n)
			tty_inject(t, bytes, n);
	}
	spin_unlock_irqrestore(&t->src_lock, flags);
}

void tty_start_input(void)
{
	struct tty *t;

	if (input_on)
		return;
	input_on = true;
	if ((t = consoles[TTY_SERIAL])) {
		if (!uart_console.rx_irq)
			pr_warn("tty: COM1 receives by polling only; ttyS0 gets no input");
		uart_set_rx_notify(&uart_console, serial_rx);
		serial_rx(&uart_console); /* what came before the hook */
	}
	if ((t = consoles[TTY_SCREEN])) {
		input_set_notify(keyboard_notify, t);
		keyboard_notify(t);
	}
}

void tty_stop_input(void)
{
	if (!input_on)
		return;
	input_on = false;
	if (consoles[TTY_SERIAL])
		uart_set_rx_notify(&uart_console, NULL);
	if (consoles[TTY_SCREEN])
		input_set_notify(NULL, NULL);
}
