// SPDX-License-Identifier: MIT
/*
 * The PS/2 keyboard (port 1, IRQ 1) and mouse (port 2, IRQ 12) behind the
 * 8042: ps2_init() has kernel/dev/i8042.c set everything up by polling,
 * then turns the interrupts on; from then on the interrupt handler decodes
 * bytes (lib/input/ps2.h) into the input queues (kernel/dev/input.h).
 *
 * Interrupts: one handler on both GSIs drains the output buffer under
 * ps2.lock, routing each byte by status bit 5 (set: from port 2), since
 * IRQ 1 and IRQ 12 may be taken on different CPUs. Events are queued
 * under the lock, so they keep the order of their bytes; the readiness
 * hook runs after it is dropped. Lock order: ps2, then input.keys or
 * input.mouse.
 *
 * LEDs: a lock key's press changes the wanted LED mask; the handler sends
 * Set LEDs (0xED) and returns; the keyboard's ACK comes as the next
 * keyboard interrupt, which sends the mask; the second ACK ends the
 * exchange. Nothing waits for an ACK inside the handler, only (for at
 * most 1 ms, in practice microseconds) for the controller to take a byte.
 * Resend (0xFE) repeats the byte up to three times; an exchange silent for
 * 100 ms is abandoned at the next request; a change asked for during an
 * exchange goes out after it (IBM PS/2 Technical Reference, "Keyboard",
 * "Set/Reset Status Indicators").
 *
 * Hand-over: ps2_keyboard_release() gives the keyboard to a user-space
 * driver (kernel/dev/ps2_user.c, docs/ps2-user.md). The handler then leaves
 * the IRQ 1 line to that driver's interrupt object and takes from the
 * shared output buffer only bytes the status marks as the mouse's: a
 * keyboard byte at the head stays there for the driver, and its IRQ 1
 * edge tells the driver. The mouse stays in the kernel.
 *
 * Locks: [I] set by ps2_init() before the interrupts are on, read-only
 * after; [P] ps2.lock.
 */
#include "dev/ps2.h"

#include <cairn/compiler.h>
#include <cairn/errno.h>

#include <arch/pio.h>
#include <lib/format.h>
#include <lib/input/ps2.h>

#include "core/log.h"
#include "dev/i8042.h"
#include "dev/input.h"
#include "irq/irq.h"
#include "sched/spinlock.h"
#include "time/time.h"

#define PS2_KBD_ISA_IRQ   1
#define PS2_MOUSE_ISA_IRQ 12
#define IRQ_BURST         32  /* bytes taken per interrupt at most */
#define IRQ_WRITE_MS      1   /* for the controller to take an LED byte, in IRQ context */
#define LED_STALE_MS      100 /* an LED exchange without an answer for this long is dead */
#define MOUSE_GAP_MS      50  /* bytes of one packet arrive about 1 ms apart */
#define LED_MASK_ALL      0x07

enum led_step {
	LED_IDLE = 0,
	LED_WAIT_CMD_ACK = 1,  /* 0xED sent */
	LED_WAIT_DATA_ACK = 2, /* the mask sent */
};

static struct {
	struct spinlock lock;
	struct ps2_info info;   /* [I] */
	int result;             /* [I] what ps2_init() returned */
	bool done;              /* [I] ps2_init() ran; stored with release */
	struct ps2kbd kbd;      /* [P] */
	struct ps2mouse mouse;  /* [P] */
	uint64_t mouse_last_ns; /* [P] when the last mouse byte came */
	uint8_t led_step;       /* [P] enum led_step */
	uint8_t led_want;       /* [P] the mask the lock state asks for */
	uint8_t led_sending;    /* [P] the mask of the exchange in flight */
	uint8_t led_last_byte;  /* [P] what Resend repeats */
	uint8_t led_tries;      /* [P] resends of led_last_byte */
	uint64_t led_since_ns;  /* [P] when led_last_byte went out */
	struct ps2_stats stats; /* [P] */
	bool kbd_released;      /* [P] a user-space driver owns the keyboard's bytes */
} ps2 = { .lock = SPINLOCK_INIT("ps2") };

static void led_fail_locked(void) __must_hold(&ps2.lock)
{
	ps2.stats.led_errors++;
	ps2.led_step = LED_IDLE;
}

/* Hand the keyboard one byte of the LED exchange; the controller takes it in microseconds. */
static void led_send_locked(uint8_t byte) __must_hold(&ps2.lock)
{
	ps2.led_last_byte = byte;
	ps2.led_since_ns = clock_monotonic_ns();
	if (i8042_write(I8042_DATA, byte, IRQ_WRITE_MS))
		led_fail_locked();
}

/* Start an exchange when the wanted mask is not the lit one. */
static void led_start_locked(void) __must_hold(&ps2.lock)
{
	ps2.led_step = LED_IDLE;
	if (ps2.led_want == ps2.stats.leds)
		return;
	ps2.led_tries = 0;
	ps2.led_sending = ps2.led_want;
	ps2.led_step = LED_WAIT_CMD_ACK;
	led_send_locked(PS2_DEV_SET_LEDS);
}

static void led_request_locked(uint8_t mask) __must_hold(&ps2.lock)
{
	ps2.led_want = mask;
	if (ps2.led_step != LED_IDLE &&
	    clock_monotonic_ns() - ps2.led_since_ns > LED_STALE_MS * NSEC_PER_MSEC)
		led_fail_locked();
	if (ps2.led_step == LED_IDLE)
		led_start_locked();
}

/* The keyboard answered (ACK or Resend) during an exchange: take the next step. */
static void led_answer_locked(uint8_t answer) __must_hold(&ps2.lock)
{
	if (answer == PS2_DEV_RESEND) {
		if (++ps2.led_tries >= PS2_DEV_TRIES)
			led_fail_locked();
		else
			led_send_locked(ps2.led_last_byte);
	} else if (ps2.led_step == LED_WAIT_CMD_ACK) {
		ps2.led_step = LED_WAIT_DATA_ACK;
		ps2.led_tries = 0;
		led_send_locked(ps2.led_sending);
	} else {
		ps2.stats.leds = ps2.led_sending;
		ps2.stats.led_updates++;
		led_start_locked(); /* a change asked for meanwhile */
	}
}

/* One byte from port 1. Returns 1 when it completed a key event in *@out. */
static unsigned kbd_byte_locked(uint8_t b, struct key_event *out) __must_hold(&ps2.lock)
{
	ps2.stats.kbd_bytes++;
	if (ps2.led_step != LED_IDLE && (b == PS2_DEV_ACK || b == PS2_DEV_RESEND)) {
		led_answer_locked(b);
		return 0;
	}
	if (!ps2kbd_feed(&ps2.kbd, b, out))
		return 0;
	if (out->pressed &&
	    (out->key == KEY_CAPS_LOCK || out->key == KEY_NUM_LOCK || out->key == KEY_SCROLL_LOCK))
		led_request_locked(ps2kbd_led_mask(out->mods));
	return 1;
}

/* One byte from port 2. Returns 1 when it completed a packet, decoded in *@out. */
static unsigned mouse_byte_locked(uint8_t b, struct mouse_event *out) __must_hold(&ps2.lock)
{
	uint64_t now = clock_monotonic_ns();

	ps2.stats.mouse_bytes++;
	if (now - ps2.mouse_last_ns > MOUSE_GAP_MS * NSEC_PER_MSEC)
		ps2mouse_resync(&ps2.mouse);
	ps2.mouse_last_ns = now;
	return ps2mouse_feed(&ps2.mouse, b, out) ? 1 : 0;
}

/*
 * IRQ 1 and IRQ 12: drain the output buffer (each read lets the controller
 * load the next byte), decode, queue; then tell the consumer.
 */
static void ps2_interrupt(void *ctx)
{
	struct key_event key;
	struct mouse_event move;
	unsigned n, pushed = 0;
	uint64_t flags = spin_lock_irqsave(&ps2.lock);
	uint8_t st, b;

	for (n = 0; n < IRQ_BURST && ((st = inb(I8042_STATUS)) & I8042_ST_OUTPUT_FULL); n++) {
		if (ps2.kbd_released && !(st & I8042_ST_AUX_DATA))
			break; /* the user-space driver's byte: leave it in the buffer */
		b = inb(I8042_DATA);
		if (st & I8042_ST_AUX_DATA) {
			if (mouse_byte_locked(b, &move))
				pushed += input_mouse_push(&move);
		} else if (kbd_byte_locked(b, &key)) {
			pushed += input_key_push(&key);
		}
	}
	spin_unlock_irqrestore(&ps2.lock, flags);
	if (pushed)
		input_notify();
}

/*
 * Register the handlers, then let the controller interrupt (and translate).
 * A device whose handler cannot be registered stays silent and is dropped.
 */
static int enable_interrupts(struct ps2_info *info, uint8_t cfg)
{
	int err = 0, e;

	ps2kbd_init(&ps2.kbd);
	ps2mouse_init(&ps2.mouse, info->mouse_id);
	if (info->keyboard &&
	    (e = irq_register(irq_isa_to_gsi(PS2_KBD_ISA_IRQ), ps2_interrupt, NULL))) {
		info->keyboard = false;
		err = e;
	}
	if (info->mouse &&
	    (e = irq_register(irq_isa_to_gsi(PS2_MOUSE_ISA_IRQ), ps2_interrupt, NULL))) {
		info->mouse = false;
		err = e;
	}
	if (err)
		pr_err("ps2: cannot register an interrupt handler (%d)", err);
	if (info->keyboard)
		cfg = (cfg | I8042_CFG_PORT1_IRQ | I8042_CFG_TRANSLATE) &
		      (uint8_t)~I8042_CFG_PORT1_CLOCK_OFF;
	if (info->mouse)
		cfg = (cfg | I8042_CFG_PORT2_IRQ) & (uint8_t)~I8042_CFG_PORT2_CLOCK_OFF;
	info->translated = info->keyboard;
	if (i8042_write_config(cfg))
		return -EIO;
	ps2_interrupt(NULL); /* bytes that arrived before the interrupts were on */
	return err;
}

static void log_found(const struct ps2_info *info)
{
	static const char *const mouse_kinds[] = {
		[PS2MOUSE_ID_WHEEL] = ": wheel", [PS2MOUSE_ID_5BUTTON] = ": wheel, 5 buttons"
	};
	char kbd[48] = "no keyboard", mouse[48] = "no mouse";

	if (info->keyboard)
		fmt_snprintf(kbd, sizeof(kbd), "keyboard (set %u, translated to set 1)",
		             info->kbd_set);
	if (info->mouse)
		fmt_snprintf(mouse, sizeof(mouse), "mouse (ID %u%s)", info->mouse_id,
		             info->mouse_id < ARRAY_SIZE(mouse_kinds) && mouse_kinds[info->mouse_id]
		                     ? mouse_kinds[info->mouse_id]
		                     : "");
	pr_info("ps2: 8042 self-test ok, %u port%s; %s, %s", info->dual_channel ? 2u : 1u,
	        info->dual_channel ? "s" : "", kbd, mouse);
}

/* ---- interface ---- */

int ps2_init(void)
{
	struct ps2_info info = { 0 };
	uint8_t cfg = 0;
	int err;

	if (__atomic_load_n(&ps2.done, __ATOMIC_ACQUIRE))
		return ps2.result;
	err = i8042_setup(&info, &cfg);
	if (!err) {
		err = enable_interrupts(&info, cfg);
		log_found(&info);
	}
	ps2.info = info;
	ps2.result = err;
	__atomic_store_n(&ps2.done, true, __ATOMIC_RELEASE);
	return err;
}

bool ps2_ready(void)
{
	return __atomic_load_n(&ps2.done, __ATOMIC_ACQUIRE) && ps2.result == 0;
}

void ps2_get_info(struct ps2_info *out)
{
	if (__atomic_load_n(&ps2.done, __ATOMIC_ACQUIRE))
		*out = ps2.info;
	else
		*out = (struct ps2_info){ 0 };
}

void ps2_get_stats(struct ps2_stats *out)
{
	uint64_t flags = spin_lock_irqsave(&ps2.lock);

	*out = ps2.stats;
	out->kbd_ignored = ps2.kbd.ignored;
	out->mouse_resyncs = ps2.mouse.resyncs;
	out->led_busy = ps2.led_step != LED_IDLE;
	spin_unlock_irqrestore(&ps2.lock, flags);
}

int ps2_set_leds(uint8_t mask)
{
	uint64_t flags;
	int err = 0;

	if (!ps2_ready() || !ps2.info.keyboard)
		return -ENODEV;
	flags = spin_lock_irqsave(&ps2.lock);
	if (ps2.kbd_released)
		err = -ENODEV; /* the user-space driver owns the LEDs */
	else
		led_request_locked(mask & LED_MASK_ALL);
	spin_unlock_irqrestore(&ps2.lock, flags);
	return err;
}

int ps2_keyboard_release(void)
{
	uint64_t flags;
	bool was;

	if (!ps2_ready() || !ps2.info.keyboard)
		return -ENODEV;
	flags = spin_lock_irqsave(&ps2.lock);
	was = ps2.kbd_released;
	ps2.kbd_released = true;
	ps2.led_step = LED_IDLE; /* an exchange in flight: its ACK is the driver's now */
	spin_unlock_irqrestore(&ps2.lock, flags);
	if (was)
		return -EALREADY;
	/* From here the handler leaves keyboard bytes alone; now stop taking IRQ 1 at all. */
	if (irq_unregister(irq_isa_to_gsi(PS2_KBD_ISA_IRQ), ps2_interrupt, NULL))
		pr_warn("ps2: IRQ 1 had no handler to remove");
	pr_info("ps2: keyboard handed over to a user-space driver");
	return 0;
}

int ps2_keyboard_reclaim(void)
{
	uint64_t flags;
	int err;

	if (!ps2_keyboard_released())
		return -EALREADY;
	err = irq_register(irq_isa_to_gsi(PS2_KBD_ISA_IRQ), ps2_interrupt, NULL);
	if (err)
		return err;
	flags = spin_lock_irqsave(&ps2.lock);
	ps2.kbd_released = false;
	ps2kbd_init(&ps2.kbd); /* whatever it knew is stale now */
	spin_unlock_irqrestore(&ps2.lock, flags);
	/* A byte that came meanwhile raised its edge on a masked line: take it now. */
	ps2_interrupt(NULL);
	pr_info("ps2: keyboard back in the kernel");
	return 0;
}

bool ps2_keyboard_released(void)
{
	uint64_t flags = spin_lock_irqsave(&ps2.lock);
	bool r = ps2.kbd_released;

	spin_unlock_irqrestore(&ps2.lock, flags);
	return r;
}

int ps2_inject(unsigned port, uint8_t byte)
{
	uint64_t flags;
	int err;

	if (port != 1 && port != 2)
		return -EINVAL;
	if (!ps2_ready())
		return -ENODEV;
	flags = spin_lock_irqsave(&ps2.lock);
	err = i8042_write(I8042_COMMAND,
	                  port == 1 ? I8042_CMD_FAKE_PORT1_BYTE : I8042_CMD_FAKE_PORT2_BYTE,
	                  I8042_WRITE_MS);
	if (!err)
		err = i8042_write(I8042_DATA, byte, I8042_WRITE_MS);
	spin_unlock_irqrestore(&ps2.lock, flags);
	return err;
}
