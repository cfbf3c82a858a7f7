// SPDX-License-Identifier: MIT
/*
 * PS/2 keyboard scan codes, set 1, to key events. Set 1 is what the 8042
 * hands over with translation on, whatever set-2 keyboard is plugged in:
 * a make code is one byte below 0x80 and its break the same byte with bit
 * 7 set; E0 prefixes the keys the 101-key keyboard added; Pause alone
 * sends E1 1D 45 E1 9D C5, make and break at once. Scan codes from
 * Microsoft's "Keyboard Scan Code Specification" (Windows Platform Design
 * Notes, rev. 1.3a, 2000), whose key table also gives each key's USB HID
 * usage, our key code; checked against HelpPC's "INT 9 - Hardware Keyboard
 * Make/Break Codes" list.
 */
#include <lib/input/ps2.h>

/* Set 1 prefixes and the codes that follow them (Scan Code Specification, key table). */
#define SET1_EXTENDED     0xe0
#define SET1_PAUSE        0xe1
#define SET1_BREAK        0x80 /* bit 7: a break code */
#define SET1_PAUSE_MAKE1  0x1d
#define SET1_PAUSE_MAKE2  0x45
#define SET1_PAUSE_BREAK1 0x9d
#define SET1_PAUSE_BREAK2 0xc5
/*
 * E0 2A and E0 36 (and their breaks) are "fake shifts" the keyboard wraps
 * around Print Screen and the navigation keys depending on its own view of
 * Shift and Num Lock; they are no key of their own.
 */
#define SET1_FAKE_LSHIFT  0x2a
#define SET1_FAKE_RSHIFT  0x36

/* One-byte make codes. */
static const uint8_t set1_keys[128] = {
	[0x01] = KEY_ESC,
	[0x02] = KEY_1,
	[0x03] = KEY_2,
	[0x04] = KEY_3,
	[0x05] = KEY_4,
	[0x06] = KEY_5,
	[0x07] = KEY_6,
	[0x08] = KEY_7,
	[0x09] = KEY_8,
	[0x0a] = KEY_9,
	[0x0b] = KEY_0,
	[0x0c] = KEY_MINUS,
	[0x0d] = KEY_EQUAL,
	[0x0e] = KEY_BACKSPACE,
	[0x0f] = KEY_TAB,
	[0x10] = KEY_Q,
	[0x11] = KEY_W,
	[0x12] = KEY_E,
	[0x13] = KEY_R,
	[0x14] = KEY_T,
	[0x15] = KEY_Y,
	[0x16] = KEY_U,
	[0x17] = KEY_I,
	[0x18] = KEY_O,
	[0x19] = KEY_P,
	[0x1a] = KEY_LEFT_BRACKET,
	[0x1b] = KEY_RIGHT_BRACKET,
	[0x1c] = KEY_ENTER,
	[0x1d] = KEY_LEFT_CTRL,
	[0x1e] = KEY_A,
	[0x1f] = KEY_S,
	[0x20] = KEY_D,
	[0x21] = KEY_F,
	[0x22] = KEY_G,
	[0x23] = KEY_H,
	[0x24] = KEY_J,
	[0x25] = KEY_K,
	[0x26] = KEY_L,
	[0x27] = KEY_SEMICOLON,
	[0x28] = KEY_APOSTROPHE,
	[0x29] = KEY_GRAVE,
	[0x2a] = KEY_LEFT_SHIFT,
	[0x2b] = KEY_BACKSLASH, /* also Non-US # on ISO keyboards: the same position code */
	[0x2c] = KEY_Z,
	[0x2d] = KEY_X,
	[0x2e] = KEY_C,
	[0x2f] = KEY_V,
	[0x30] = KEY_B,
	[0x31] = KEY_N,
	[0x32] = KEY_M,
	[0x33] = KEY_COMMA,
	[0x34] = KEY_DOT,
	[0x35] = KEY_SLASH,
	[0x36] = KEY_RIGHT_SHIFT,
	[0x37] = KEY_KP_STAR,
	[0x38] = KEY_LEFT_ALT,
	[0x39] = KEY_SPACE,
	[0x3a] = KEY_CAPS_LOCK,
	[0x3b] = KEY_F1,
	[0x3c] = KEY_F2,
	[0x3d] = KEY_F3,
	[0x3e] = KEY_F4,
	[0x3f] = KEY_F5,
	[0x40] = KEY_F6,
	[0x41] = KEY_F7,
	[0x42] = KEY_F8,
	[0x43] = KEY_F9,
	[0x44] = KEY_F10,
	[0x45] = KEY_NUM_LOCK,
	[0x46] = KEY_SCROLL_LOCK,
	[0x47] = KEY_KP_7,
	[0x48] = KEY_KP_8,
	[0x49] = KEY_KP_9,
	[0x4a] = KEY_KP_MINUS,
	[0x4b] = KEY_KP_4,
	[0x4c] = KEY_KP_5,
	[0x4d] = KEY_KP_6,
	[0x4e] = KEY_KP_PLUS,
	[0x4f] = KEY_KP_1,
	[0x50] = KEY_KP_2,
	[0x51] = KEY_KP_3,
	[0x52] = KEY_KP_0,
	[0x53] = KEY_KP_DOT,
	[0x54] = KEY_SYSRQ, /* Alt+Print Screen */
	[0x56] = KEY_NONUS_BACKSLASH,
	[0x57] = KEY_F11,
	[0x58] = KEY_F12,
	[0x70] = KEY_INTL_KATAKANA,
	[0x73] = KEY_INTL_RO,
	[0x79] = KEY_INTL_HENKAN,
	[0x7b] = KEY_INTL_MUHENKAN,
	[0x7d] = KEY_INTL_YEN,
};

/* Make codes after E0; E0 46 is Ctrl+Pause ("Break"). */
static const uint8_t set1_e0_keys[128] = {
	[0x1c] = KEY_KP_ENTER,     [0x1d] = KEY_RIGHT_CTRL, [0x35] = KEY_KP_SLASH,
	[0x37] = KEY_PRINT_SCREEN, [0x38] = KEY_RIGHT_ALT,  [0x46] = KEY_PAUSE,
	[0x47] = KEY_HOME,         [0x48] = KEY_UP,         [0x49] = KEY_PAGE_UP,
	[0x4b] = KEY_LEFT,         [0x4d] = KEY_RIGHT,      [0x4f] = KEY_END,
	[0x50] = KEY_DOWN,         [0x51] = KEY_PAGE_DOWN,  [0x52] = KEY_INSERT,
	[0x53] = KEY_DELETE,       [0x5b] = KEY_LEFT_GUI,   [0x5c] = KEY_RIGHT_GUI,
	[0x5d] = KEY_MENU,         [0x5e] = KEY_POWER,
};

void ps2kbd_init(struct ps2kbd *k)
{
	key_state_init(&k->keys);
	k->prefix = PS2KBD_NONE;
	k->ignored = 0;
}

/* Apply @key going down or up; an unknown key or a stray release is counted and dropped. */
static bool emit(struct ps2kbd *k, uint16_t key, bool pressed, struct key_event *out)
{
	struct key_event ev = { .key = key, .pressed = pressed };

	if (key == KEY_NONE || !key_state_apply(&k->keys, &ev)) {
		k->ignored++;
		return false;
	}
	*out = ev;
	return true;
}

/* A byte with no prefix before it: a prefix, or a one-byte make or break code. */
static bool plain(struct ps2kbd *k, uint8_t byte, struct key_event *out)
{
	if (byte == SET1_EXTENDED) {
		k->prefix = PS2KBD_E0;
		return false;
	}
	if (byte == SET1_PAUSE) {
		k->prefix = PS2KBD_E1;
		return false;
	}
	return emit(k, set1_keys[byte & ~SET1_BREAK], !(byte & SET1_BREAK), out);
}

/* The byte after E0 (not itself a prefix). */
static bool extended(struct ps2kbd *k, uint8_t byte, struct key_event *out)
{
	uint8_t code = byte & ~SET1_BREAK;

	if (code == SET1_FAKE_LSHIFT || code == SET1_FAKE_RSHIFT)
		return false;
	return emit(k, set1_e0_keys[code], !(byte & SET1_BREAK), out);
}

bool ps2kbd_feed(struct ps2kbd *k, uint8_t byte, struct key_event *out)
{
	uint8_t prefix = k->prefix;

	k->prefix = PS2KBD_NONE;
	switch (prefix) {
	case PS2KBD_NONE:
		return plain(k, byte, out);
	case PS2KBD_E0:
		if (byte != SET1_EXTENDED && byte != SET1_PAUSE)
			return extended(k, byte, out);
		break;
	case PS2KBD_E1:
		if (byte == SET1_PAUSE_MAKE1 || byte == SET1_PAUSE_BREAK1) {
			k->prefix = byte == SET1_PAUSE_MAKE1 ? PS2KBD_E1_MAKE : PS2KBD_E1_BREAK;
			return false;
		}
		break;
	case PS2KBD_E1_MAKE:
		if (byte == SET1_PAUSE_MAKE2)
			return emit(k, KEY_PAUSE, true, out);
		break;
	case PS2KBD_E1_BREAK:
		if (byte == SET1_PAUSE_BREAK2)
			return emit(k, KEY_PAUSE, false, out);
		break;
	}
	/* The sequence broke off (a byte was lost): count it, read this byte afresh. */
	k->ignored++;
	return plain(k, byte, out);
}

uint8_t ps2kbd_led_mask(uint8_t mods)
{
	return (uint8_t)(((mods & KEY_MOD_SCROLL_LOCK) ? 1u : 0u) |
	                 ((mods & KEY_MOD_NUM_LOCK) ? 2u : 0u) |
	                 ((mods & KEY_MOD_CAPS_LOCK) ? 4u : 0u));
}
