/* SPDX-License-Identifier: MIT */
/*
 * The 8042 PS/2 controller with its keyboard (port 1, IRQ 1) and mouse
 * (port 2, IRQ 12). ps2_init() tests and programs the controller and the
 * devices by polling, then lets their interrupts decode bytes (through
 * lib/input/ps2.h) into the input queues of dev/input.h. Design notes:
 * the set-up order, the scan code set and the firmware's say head
 * kernel/dev/i8042.c; interrupts and LEDs head kernel/dev/ps2.c; what
 * QEMU shows heads tests/kernel/test_ps2.c.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stdint.h>

/* What ps2_init() found. Immutable once ps2_init() has returned. */
struct ps2_info {
	bool controller;    /* an 8042 answered and passed its self-test */
	bool dual_channel;  /* it has the second (mouse) port */
	bool fadt_valid;    /* the FADT has IAPC_BOOT_ARCH (revision >= 2) */
	bool fadt_8042;     /* ... and says an 8042 is there (true when not valid) */
	uint8_t self_test;  /* the controller's answer to 0xAA; 0x55 passes */
	uint8_t port1_test; /* answer to 0xAB; 0x00 passes; 0xff: not run */
	uint8_t port2_test; /* answer to 0xA9; 0x00 passes; 0xff: not run */
	bool keyboard;      /* a keyboard passed its reset (0xFF -> 0xFA 0xAA) */
	uint8_t kbd_set;    /* the scan code set it reports running (2), 0: unknown */
	bool translated;    /* the controller translates to set 1 (always, when keyboard) */
	bool mouse;         /* a mouse passed its reset */
	uint8_t mouse_id;   /* its ID after the wheel probe: 0, 3 (wheel) or 4 (5 buttons) */
};

/* Counters of the interrupt path (a snapshot). */
struct ps2_stats {
	uint64_t kbd_bytes;     /* bytes taken from port 1 */
	uint64_t mouse_bytes;   /* bytes taken from port 2 */
	uint64_t kbd_ignored;   /* keyboard bytes that decoded to no key */
	uint64_t mouse_resyncs; /* mouse bytes dropped to find a packet start */
	uint64_t led_updates;   /* LED changes the keyboard acknowledged */
	uint64_t led_errors;    /* LED changes given up (no ACK, resend loop) */
	uint8_t leds;           /* the LED mask (0xED argument) last acknowledged */
	bool led_busy;          /* an LED change is in flight */
};

/*
 * Find, test and program the 8042 and its devices, then enable their
 * interrupts (ISA IRQ 1 and 12, through irq_isa_to_gsi()). Logs one line
 * saying what it found, or why there is nothing. Call once, after
 * irq_init() and time_init(), from the boot CPU, interrupts on or off; a
 * second call only returns the first one's result. Never hangs: every
 * wait on the controller is bounded (about 50 ms per missing device).
 * Returns 0 (controller working, with or without devices), -ENODEV (no
 * 8042: the firmware says so, or nothing answers; "ps2=off" on the
 * command line also gives it), -EIO (a failed self-test) or an
 * irq_register() error. A machine without PS/2 is normal, so the caller
 * may ignore the result: no __must_check.
 */
int ps2_init(void);

/* True once ps2_init() succeeded. */
bool ps2_ready(void);

/* What ps2_init() found (zeros before it ran). */
void ps2_get_info(struct ps2_info *out);

void ps2_get_stats(struct ps2_stats *out);

/*
 * Light the keyboard LEDs in @mask (bit 0 Scroll, 1 Num, 2 Caps Lock).
 * Returns at once: the Set LEDs command goes out now and its argument when
 * the keyboard acknowledges it, from the keyboard interrupt. The lock keys
 * do this themselves; this is for a console that restores a state.
 * Returns 0, or -ENODEV without a keyboard. Takes ps2.lock; any context.
 */
int ps2_set_leds(uint8_t mask);

/*
 * Give the keyboard to a user-space driver (docs/ps2-user.md): from now on
 * the kernel takes no IRQ 1 and reads the shared data port only for bytes
 * the status marks as the mouse's, and ps2_set_leds() is -ENODEV (the
 * driver owns the LEDs), until ps2_keyboard_reclaim(). Returns 0,
 * -ENODEV (no keyboard) or -EALREADY.
 * Task context (unregisters a handler).
 */
int __must_check ps2_keyboard_release(void);
/*
 * Take the keyboard back after ps2_keyboard_release(), once nothing else
 * holds IRQ 1 (a hand-over that failed half-way; tests). Returns 0,
 * -EALREADY (not released) or irq_register()'s error. Task context.
 */
int __must_check ps2_keyboard_reclaim(void);
/* Whether the keyboard is released. Any context. */
bool ps2_keyboard_released(void);

/*
 * Tests: have the controller place @byte in its output buffer as if port
 * @port (1 or 2) had sent it (commands 0xD2, 0xD3), so it goes through the
 * interrupt, the decoder and the input queue. Not translated: pass set-1
 * codes. Returns 0, -EINVAL (bad port), -ENODEV or -ETIMEDOUT.
 */
int ps2_inject(unsigned port, uint8_t byte);
