// SPDX-License-Identifier: MIT
/*
 * ps2kbd: the PS/2 keyboard driver in user space (issue 15,
 * docs/ps2-user.md). The kernel's driver host starts it at boot, and
 * again each time it dies, with four handles and nothing else:
 *   3  IRQ 1's interrupt object   (WAIT, WRITE: wait for it, ack it)
 *   4  the 8042's data port 0x60  (READ, WRITE: scan codes in, LED commands out)
 *   5  its status port 0x64       (READ)
 *   6  a channel to the kernel    (WRITE, WAIT: key events out, idl/input.cidl)
 * Descriptors 0 and 1 are closed at once; 2 stays for its log lines.
 *
 * It waits for the interrupt, takes the keyboard's bytes from the data
 * port (only those the status marks as the keyboard's: a mouse byte at
 * the head of the shared buffer is the kernel's), decodes them with the
 * kernel's own decoder (lib/input/ps2kbd.c, compiled in unchanged), acks
 * the interrupt and sends the events, several to a message. It owns the
 * LEDs: a lock key's press sends Set LEDs (0xED) and the mask through the
 * data port, each byte after the keyboard's ACK, as dev/ps2.c did.
 *
 * Port and status bits: IBM PS/2 Hardware Interface Technical Reference,
 * "Keyboard/Auxiliary Device Controller" (status register) and "Keyboard"
 * (commands 0xED, answers 0xFA ACK and 0xFE Resend).
 */
#include <lib/input/ps2.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cairn.h"
#include "cidl/input.h" /* generated from idl/input.cidl */

#define FD_IRQ    3
#define FD_DATA   4
#define FD_STATUS 5
#define FD_CHAN   6

#define ST_OUTPUT_FULL 0x01 /* a byte waits in the data port */
#define ST_INPUT_FULL  0x02 /* the controller has not taken the last byte written */
#define ST_AUX         0x20 /* the waiting byte is the mouse's */
#define SET1_BREAK     0x80 /* a set-1 break code: the make code with bit 7 set */
#define KBD_SET_LEDS   0xed
#define KBD_ACK        0xfa
#define KBD_RESEND     0xfe
#define KBD_TRIES      3
#define LED_STALE_NS   100000000ll /* an exchange without an answer for 100 ms is dead */
#define WRITE_SPINS    10000       /* status reads while the controller takes a byte */
#define LOG_BAD_MAX    20          /* bad bytes logged one by one; later ones counted */

enum led_step { LED_IDLE, LED_WAIT_CMD_ACK, LED_WAIT_DATA_ACK };

static struct {
	struct ps2kbd kbd;                      /* the decoder: lib/input/ps2kbd.c */
	struct input_key batch[INPUT_KEYS_MAX]; /* events decoded, not sent yet */
	unsigned nbatch;                        /* how many */
	uint32_t seq;                           /* messages sent this life */
	uint32_t ignored;                       /* kbd.ignored already logged */
	uint8_t led_step;                       /* enum led_step */
	uint8_t led_lit;     /* the mask the keyboard last acknowledged (0xff: unknown) */
	uint8_t led_want;    /* the mask the locks ask for */
	uint8_t led_sending; /* the mask of the exchange in flight */
	uint8_t led_last;    /* what Resend repeats */
	uint8_t led_tries;   /* resends of led_last */
	int64_t led_since;   /* when led_last went out (monotonic ns) */
} drv;

static void die(const char *what, long err)
{
	fprintf(stderr, "ps2kbd: %s: %s; exiting (the driver host restarts me)\n", what,
	        strerror((int)-err));
	_exit(1);
}

static unsigned status(void)
{
	long st = cairn_ioport_read(FD_STATUS, 0, 1);

	if (st < 0)
		die("reading the status port", st);
	return (unsigned)st;
}

/* A byte to the keyboard, once the controller has room for it. */
static void kbd_write(uint8_t byte)
{
	unsigned i;
	long err;

	for (i = 0; i < WRITE_SPINS && (status() & ST_INPUT_FULL); i++)
		;
	drv.led_last = byte;
	drv.led_since = cairn_now_ns();
	err = cairn_ioport_write(FD_DATA, 0, 1, byte);
	if (err < 0)
		die("writing the data port", err);
}

static void led_start(void)
{
	drv.led_step = LED_IDLE;
	if (drv.led_want == drv.led_lit)
		return;
	drv.led_tries = 0;
	drv.led_sending = drv.led_want;
	drv.led_step = LED_WAIT_CMD_ACK;
	kbd_write(KBD_SET_LEDS);
}

static void led_request(uint8_t mask)
{
	drv.led_want = mask;
	if (drv.led_step != LED_IDLE && cairn_now_ns() - drv.led_since > LED_STALE_NS)
		drv.led_step = LED_IDLE;
	if (drv.led_step == LED_IDLE)
		led_start();
}

/* The keyboard answered (ACK or Resend) during an LED exchange. */
static void led_answer(uint8_t answer)
{
	if (answer == KBD_RESEND) {
		if (++drv.led_tries >= KBD_TRIES)
			drv.led_step = LED_IDLE;
		else
			kbd_write(drv.led_last);
	} else if (drv.led_step == LED_WAIT_CMD_ACK) {
		drv.led_step = LED_WAIT_DATA_ACK;
		drv.led_tries = 0;
		kbd_write(drv.led_sending);
	} else {
		drv.led_lit = drv.led_sending;
		led_start(); /* a change asked for meanwhile */
	}
}

/* Send the batched events as one message; waits while the kernel's queue is full. */
static void flush(void)
{
	uint8_t buf[INPUT_KEYS_EVT_MAX_BYTES];
	struct input_keys_evt m = { .seq = drv.seq };
	struct cairn_msg msg = { 0 };
	struct cidl_writer w;
	long err;

	if (!drv.nbatch)
		return;
	memcpy(m.events.items, drv.batch, drv.nbatch * sizeof(drv.batch[0]));
	m.events.count = drv.nbatch;
	cidl_writer_init(&w, buf, sizeof(buf), NULL, 0);
	err = input_keys_evt_encode(&w, &m);
	if (err < 0)
		die("encoding key events", err);
	msg.bytes = (uint64_t)(uintptr_t)buf;
	msg.nbytes = w.len;
	err = cairn_channel_write(FD_CHAN, &msg, CAIRN_MSG_WAIT);
	if (err < 0)
		die("sending key events", err);
	drv.seq++;
	drv.nbatch = 0;
}

/*
 * The decoder dropped @byte (it counts them): log it, unless it is a break
 * code, the usual case being a key let go after a restart whose press the
 * last life saw (not an error; counted with the rest).
 */
static void log_bad(uint8_t byte)
{
	if (drv.kbd.ignored == drv.ignored)
		return;
	drv.ignored = drv.kbd.ignored;
	if (byte & SET1_BREAK)
		return;
	if (drv.ignored <= LOG_BAD_MAX)
		fprintf(stderr, "ps2kbd: byte %#x decodes to no key; skipped\n", byte);
	else if (drv.ignored % 1000 == 0)
		fprintf(stderr, "ps2kbd: %u bytes skipped so far\n", drv.ignored);
}

/* One byte from the keyboard. */
static void take(uint8_t byte)
{
	struct key_event ev;

	if (drv.led_step != LED_IDLE && (byte == KBD_ACK || byte == KBD_RESEND)) {
		led_answer(byte);
		return;
	}
	if (!ps2kbd_feed(&drv.kbd, byte, &ev)) {
		log_bad(byte);
		return;
	}
	drv.batch[drv.nbatch++] =
		(struct input_key){ .key = ev.key, .pressed = ev.pressed, .mods = ev.mods };
	if (drv.nbatch == INPUT_KEYS_MAX)
		flush();
	if (ev.pressed &&
	    (ev.key == KEY_CAPS_LOCK || ev.key == KEY_NUM_LOCK || ev.key == KEY_SCROLL_LOCK))
		led_request(ps2kbd_led_mask(ev.mods));
}

/*
 * Take the keyboard's bytes until the buffer is empty or holds the mouse's.
 * No limit: while a keyboard byte waits the 8042 keeps IRQ 1 high, and an
 * edge line that stays high interrupts no more, so stopping early would
 * leave the keyboard silent.
 */
static void drain(void)
{
	unsigned st;
	long b;

	for (;;) {
		st = status();
		if (!(st & ST_OUTPUT_FULL) || (st & ST_AUX))
			break;
		b = cairn_ioport_read(FD_DATA, 0, 1);
		if (b < 0)
			die("reading the data port", b);
		take((uint8_t)b);
	}
}

static void wait_irq(void)
{
	struct pollfd p = { .fd = FD_IRQ, .events = POLLIN };

	while (poll(&p, 1, -1) < 0)
		if (errno != EINTR)
			die("waiting for IRQ 1", -errno);
	if (p.revents & (POLLNVAL | POLLERR))
		die("waiting for IRQ 1", -EBADF);
}

static void ack_irq(void)
{
	long err = cairn_irq_ack(FD_IRQ);

	if (err < 0)
		die("acking IRQ 1", err);
}

int main(void)
{
	struct cairn_handle_info hi;

	close(0);
	close(1);
	if (cairn_handle_info(FD_IRQ, &hi) < 0 || hi.type != CAIRN_OBJ_IRQ)
		die("descriptor 3 is not an interrupt", -EBADF);
	ps2kbd_init(&drv.kbd);
	drv.led_lit = 0xff;
	led_request(0); /* a new life starts with every lock off: show it */
	/*
	 * Ack, then serve the device until it has nothing more: an edge that
	 * comes after the ack signals again, so nothing is left unseen (the
	 * order kernel/ipc/irq_obj.c asks for). The first round serves what
	 * waited while no driver ran, signalled or not.
	 */
	for (;;) {
		ack_irq();
		drain();
		flush();
		wait_irq();
	}
}
