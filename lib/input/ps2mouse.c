// SPDX-License-Identifier: MIT
/*
 * PS/2 mouse packets to movement events. A standard mouse reports 3
 * bytes: buttons, sign and overflow bits, then X and Y as the low 8 bits
 * of 9-bit two's-complement counts, Y positive up (IBM PS/2 Hardware
 * Interface Technical Reference, "Keyboard/Auxiliary Device Controller",
 * pointing device data report; Adam Chapweske, "The PS/2 Mouse
 * Interface", "Movement Data Packet"). A mouse switched to ID 3 adds a
 * fourth byte, the wheel as a signed 8-bit count; ID 4 puts a 4-bit wheel
 * count and buttons 4 and 5 there (same article, "Intellimouse
 * Extensions"). Positive wheel counts mean the wheel turned towards the
 * user, as QEMU and Linux's psmouse agree.
 */
#include <lib/input/ps2.h>

/* First byte of every packet. */
#define PKT0_BUTTONS    0x07 /* left, right, middle: MOUSE_BUTTON_* bits */
#define PKT0_ALWAYS_ONE 0x08
#define PKT0_X_SIGN     0x10
#define PKT0_Y_SIGN     0x20
#define PKT0_X_OVERFLOW 0x40
#define PKT0_Y_OVERFLOW 0x80
/* Fourth byte of an ID 4 packet. */
#define PKT3_Z_MASK     0x0f
#define PKT3_BUTTON_4   0x10
#define PKT3_BUTTON_5   0x20

void ps2mouse_init(struct ps2mouse *m, uint8_t id)
{
	bool wheel = id == PS2MOUSE_ID_WHEEL || id == PS2MOUSE_ID_5BUTTON;

	*m = (struct ps2mouse){
		.id = wheel ? id : PS2MOUSE_ID_STANDARD,
		.size = wheel ? 4 : 3,
	};
}

void ps2mouse_resync(struct ps2mouse *m)
{
	m->have = 0;
}

/* One axis from its low byte, sign and overflow bits; overflow saturates. */
static int32_t axis(uint8_t low, bool sign, bool overflow)
{
	if (overflow)
		return sign ? -256 : 255;
	return sign ? (int32_t)low - 256 : (int32_t)low;
}

/* The wheel byte of an ID 3 or ID 4 packet, as counts towards the user. */
static int32_t wheel(const struct ps2mouse *m)
{
	uint8_t z = m->packet[3];

	if (m->id == PS2MOUSE_ID_WHEEL)
		return (int8_t)z;
	z &= PKT3_Z_MASK;
	return z >= 8 ? (int32_t)z - 16 : (int32_t)z;
}

static void decode(struct ps2mouse *m, struct mouse_event *out)
{
	uint8_t b0 = m->packet[0];

	if (b0 & (PKT0_X_OVERFLOW | PKT0_Y_OVERFLOW))
		m->overflows++;
	*out = (struct mouse_event){
		.dx = axis(m->packet[1], b0 & PKT0_X_SIGN, b0 & PKT0_X_OVERFLOW),
		.dy = -axis(m->packet[2], b0 & PKT0_Y_SIGN, b0 & PKT0_Y_OVERFLOW),
		.buttons = b0 & PKT0_BUTTONS,
	};
	if (m->size == 4)
		out->dz = -wheel(m);
	if (m->id == PS2MOUSE_ID_5BUTTON) {
		if (m->packet[3] & PKT3_BUTTON_4)
			out->buttons |= MOUSE_BUTTON_4;
		if (m->packet[3] & PKT3_BUTTON_5)
			out->buttons |= MOUSE_BUTTON_5;
	}
}

bool ps2mouse_feed(struct ps2mouse *m, uint8_t byte, struct mouse_event *out)
{
	if (m->size != 3 && m->size != 4)
		ps2mouse_init(m, m->id);
	if (m->have >= m->size)
		m->have = 0;
	if (m->have == 0 && !(byte & PKT0_ALWAYS_ONE)) {
		m->resyncs++;
		return false;
	}
	m->packet[m->have++] = byte;
	if (m->have < m->size)
		return false;
	m->have = 0;
	decode(m, out);
	return true;
}
