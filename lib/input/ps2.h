/* SPDX-License-Identifier: MIT */
/*
 * Pure decoders for the two PS/2 devices: keyboard scan codes (set 1, as
 * the 8042 delivers them with translation on) to key events, and mouse
 * packets (3 bytes, or 4 with the IntelliMouse wheel) to movement events.
 * They are fed one byte at a time from the driver's interrupt handler
 * (kernel/dev/ps2.c) and never fail: a byte that makes no sense is counted
 * and dropped and the decoder finds its way back to the next sequence.
 */
#pragma once

#include <lib/input/input.h>

#include <stdbool.h>
#include <stdint.h>

/* The keyboard decoder's position inside a multi-byte sequence. */
enum ps2kbd_prefix {
	PS2KBD_NONE = 0,     /* at the start of a sequence */
	PS2KBD_E0 = 1,       /* after E0: an extended key follows */
	PS2KBD_E1 = 2,       /* after E1: Pause's 1D or 9D follows */
	PS2KBD_E1_MAKE = 3,  /* after E1 1D: 45 ends Pause's make */
	PS2KBD_E1_BREAK = 4, /* after E1 9D: C5 ends Pause's break */
};

/* One keyboard's decoder; zero it with ps2kbd_init(). No lock: the caller serializes. */
struct ps2kbd {
	struct key_state keys; /* modifiers, locks, keys down */
	uint8_t prefix;        /* enum ps2kbd_prefix */
	uint32_t ignored;      /* bytes that started or continued no known key */
};

void ps2kbd_init(struct ps2kbd *k);

/*
 * Feed one byte from the keyboard. Returns true and fills *@out when the
 * byte completes a key event (press, auto-repeat or release, with mods and
 * ascii as key_state_apply() gives them); false when more bytes are needed
 * or the byte was dropped. Command responses (ACK 0xFA, Resend 0xFE, the
 * self-test result) are the driver's to take out first; if they reach the
 * decoder anyway they decode to no key, except 0xAA (the self-test pass),
 * which reads as a release of left Shift and is dropped unless Shift is down.
 */
bool ps2kbd_feed(struct ps2kbd *k, uint8_t byte, struct key_event *out);

/*
 * The argument of the keyboard's Set LEDs command (0xED) for the locks in
 * @mods: bit 0 Scroll Lock, bit 1 Num Lock, bit 2 Caps Lock (IBM PS/2
 * Hardware Interface Technical Reference, Keyboard, "Set/Reset Status
 * Indicators"). The driver compares it with what it last sent.
 */
uint8_t ps2kbd_led_mask(uint8_t mods);

/* Mouse device IDs, as Identify (0xF2) answers them. */
#define PS2MOUSE_ID_STANDARD 0x00 /* 3-byte packets, 3 buttons */
#define PS2MOUSE_ID_WHEEL    0x03 /* IntelliMouse: 4-byte packets with a wheel */
#define PS2MOUSE_ID_5BUTTON  0x04 /* IntelliMouse Explorer: wheel and buttons 4, 5 */

/* One mouse's decoder; set up with ps2mouse_init(). No lock: the caller serializes. */
struct ps2mouse {
	uint8_t id;         /* PS2MOUSE_ID_*: the packet format */
	uint8_t size;       /* bytes per packet: 3 or 4 */
	uint8_t have;       /* bytes of the current packet received so far */
	uint8_t packet[4];  /* the current packet */
	uint32_t resyncs;   /* bytes dropped looking for a packet start */
	uint32_t overflows; /* packets with an overflow bit set */
};

/* Start decoding packets of the format mouse ID @id gives (unknown IDs: 3 bytes). */
void ps2mouse_init(struct ps2mouse *m, uint8_t id);

/* Forget a partly received packet (the driver saw too long a gap between bytes). */
void ps2mouse_resync(struct ps2mouse *m);

/*
 * Feed one byte from the mouse. Returns true and fills *@out when it ends
 * a packet. A first byte without its always-one bit 3 is dropped and
 * counted, so a stream that lost a byte lines up again. Movement beyond
 * the 9-bit range (an overflow bit) is reported as the largest value of
 * its sign, 255 or -256, and counted.
 */
bool ps2mouse_feed(struct ps2mouse *m, uint8_t byte, struct mouse_event *out);
