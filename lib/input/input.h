/* SPDX-License-Identifier: MIT */
/*
 * Input events every keyboard and mouse driver produces: key codes, key and
 * mouse events, and the US layout with its modifier and lock-key state
 * (lib/input/keymap.c). Key codes are the USB HID usage IDs of the
 * Keyboard/Keypad page, so a USB boot keyboard's report needs no table and
 * the PS/2 decoder (lib/input/ps2.h) maps its scan codes onto the same set.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/*
 * Key codes: USB HID Usage Tables 1.12, section 10 "Keyboard/Keypad Page
 * (0x07)", Table 12. Values not listed are valid usages this layout has no
 * name for; they travel through unchanged with ascii 0.
 */
enum key_code {
	KEY_NONE = 0x00,
	KEY_A = 0x04,
	KEY_B = 0x05,
	KEY_C = 0x06,
	KEY_D = 0x07,
	KEY_E = 0x08,
	KEY_F = 0x09,
	KEY_G = 0x0a,
	KEY_H = 0x0b,
	KEY_I = 0x0c,
	KEY_J = 0x0d,
	KEY_K = 0x0e,
	KEY_L = 0x0f,
	KEY_M = 0x10,
	KEY_N = 0x11,
	KEY_O = 0x12,
	KEY_P = 0x13,
	KEY_Q = 0x14,
	KEY_R = 0x15,
	KEY_S = 0x16,
	KEY_T = 0x17,
	KEY_U = 0x18,
	KEY_V = 0x19,
	KEY_W = 0x1a,
	KEY_X = 0x1b,
	KEY_Y = 0x1c,
	KEY_Z = 0x1d,
	KEY_1 = 0x1e,
	KEY_2 = 0x1f,
	KEY_3 = 0x20,
	KEY_4 = 0x21,
	KEY_5 = 0x22,
	KEY_6 = 0x23,
	KEY_7 = 0x24,
	KEY_8 = 0x25,
	KEY_9 = 0x26,
	KEY_0 = 0x27,
	KEY_ENTER = 0x28,
	KEY_ESC = 0x29,
	KEY_BACKSPACE = 0x2a,
	KEY_TAB = 0x2b,
	KEY_SPACE = 0x2c,
	KEY_MINUS = 0x2d,
	KEY_EQUAL = 0x2e,
	KEY_LEFT_BRACKET = 0x2f,
	KEY_RIGHT_BRACKET = 0x30,
	KEY_BACKSLASH = 0x31,
	KEY_NONUS_HASH = 0x32,
	KEY_SEMICOLON = 0x33,
	KEY_APOSTROPHE = 0x34,
	KEY_GRAVE = 0x35,
	KEY_COMMA = 0x36,
	KEY_DOT = 0x37,
	KEY_SLASH = 0x38,
	KEY_CAPS_LOCK = 0x39,
	KEY_F1 = 0x3a,
	KEY_F2 = 0x3b,
	KEY_F3 = 0x3c,
	KEY_F4 = 0x3d,
	KEY_F5 = 0x3e,
	KEY_F6 = 0x3f,
	KEY_F7 = 0x40,
	KEY_F8 = 0x41,
	KEY_F9 = 0x42,
	KEY_F10 = 0x43,
	KEY_F11 = 0x44,
	KEY_F12 = 0x45,
	KEY_PRINT_SCREEN = 0x46,
	KEY_SCROLL_LOCK = 0x47,
	KEY_PAUSE = 0x48,
	KEY_INSERT = 0x49,
	KEY_HOME = 0x4a,
	KEY_PAGE_UP = 0x4b,
	KEY_DELETE = 0x4c,
	KEY_END = 0x4d,
	KEY_PAGE_DOWN = 0x4e,
	KEY_RIGHT = 0x4f,
	KEY_LEFT = 0x50,
	KEY_DOWN = 0x51,
	KEY_UP = 0x52,
	KEY_NUM_LOCK = 0x53,
	KEY_KP_SLASH = 0x54,
	KEY_KP_STAR = 0x55,
	KEY_KP_MINUS = 0x56,
	KEY_KP_PLUS = 0x57,
	KEY_KP_ENTER = 0x58,
	KEY_KP_1 = 0x59,
	KEY_KP_2 = 0x5a,
	KEY_KP_3 = 0x5b,
	KEY_KP_4 = 0x5c,
	KEY_KP_5 = 0x5d,
	KEY_KP_6 = 0x5e,
	KEY_KP_7 = 0x5f,
	KEY_KP_8 = 0x60,
	KEY_KP_9 = 0x61,
	KEY_KP_0 = 0x62,
	KEY_KP_DOT = 0x63,
	KEY_NONUS_BACKSLASH = 0x64,
	KEY_MENU = 0x65, /* "Application" */
	KEY_POWER = 0x66,
	KEY_INTL_RO = 0x87,
	KEY_INTL_KATAKANA = 0x88,
	KEY_INTL_YEN = 0x89,
	KEY_INTL_HENKAN = 0x8a,
	KEY_INTL_MUHENKAN = 0x8b,
	KEY_SYSRQ = 0x9a,
	KEY_LEFT_CTRL = 0xe0,
	KEY_LEFT_SHIFT = 0xe1,
	KEY_LEFT_ALT = 0xe2,
	KEY_LEFT_GUI = 0xe3,
	KEY_RIGHT_CTRL = 0xe4,
	KEY_RIGHT_SHIFT = 0xe5,
	KEY_RIGHT_ALT = 0xe6,
	KEY_RIGHT_GUI = 0xe7,
	KEY_CODE_COUNT = 0x100, /* every code is below this */
};

/* key_event.mods: the modifiers held and the locks on, after the event. */
#define KEY_MOD_SHIFT       (1u << 0) /* either Shift */
#define KEY_MOD_CTRL        (1u << 1) /* either Ctrl */
#define KEY_MOD_ALT         (1u << 2) /* either Alt */
#define KEY_MOD_GUI         (1u << 3) /* either "Windows" key */
#define KEY_MOD_CAPS_LOCK   (1u << 4)
#define KEY_MOD_NUM_LOCK    (1u << 5)
#define KEY_MOD_SCROLL_LOCK (1u << 6)
#define KEY_MOD_LOCKS       (KEY_MOD_CAPS_LOCK | KEY_MOD_NUM_LOCK | KEY_MOD_SCROLL_LOCK)

/* One key going down (again, when it auto-repeats) or up. */
struct key_event {
	uint16_t key; /* enum key_code */
	bool pressed; /* true: make (or typematic repeat); false: break */
	uint8_t mods; /* KEY_MOD_* after this event */
	char ascii;   /* US layout, presses only; 0 when the key types nothing */
	uint8_t _pad[3];
};

/* mouse_event.buttons, in the bit order of the PS/2 packet and the USB boot report. */
#define MOUSE_BUTTON_LEFT   (1u << 0)
#define MOUSE_BUTTON_RIGHT  (1u << 1)
#define MOUSE_BUTTON_MIDDLE (1u << 2)
#define MOUSE_BUTTON_4      (1u << 3)
#define MOUSE_BUTTON_5      (1u << 4)

/*
 * One movement report. Screen orientation, as USB HID reports it: dx > 0
 * is right, dy > 0 is down (towards the user), dz > 0 is the wheel turned
 * away from the user (scroll up).
 */
struct mouse_event {
	int32_t dx;      /* counts (the device's resolution, 4 per mm by default) */
	int32_t dy;      /* counts, positive down */
	int32_t dz;      /* wheel detents, positive up; 0 without a wheel */
	uint8_t buttons; /* MOUSE_BUTTON_* held after this report */
	uint8_t _pad[3];
};

/* Modifier and lock state of one keyboard, plus which keys are down. */
struct key_state {
	uint8_t down[KEY_CODE_COUNT / 8]; /* bitmap over enum key_code: keys currently down */
	uint8_t locks;                    /* the KEY_MOD_*_LOCK bits that are on */
};

/* All keys up, all locks off. */
void key_state_init(struct key_state *s);

/*
 * Apply @ev->key going down or up (@ev->pressed) to @s: track modifiers,
 * toggle a lock on the first press of its key (not on auto-repeat), and
 * fill @ev->mods and @ev->ascii. Returns false, changing nothing, for a
 * release of a key that is not down (a lost make code, or a stray byte),
 * and for a key code out of range; true otherwise.
 */
bool key_state_apply(struct key_state *s, struct key_event *ev);

/* True when @key is down in @s. */
bool key_state_is_down(const struct key_state *s, uint16_t key);

/*
 * The character @key types on a US keyboard with modifiers @mods, or 0.
 * Shift and Caps Lock apply (Caps only to letters); Ctrl+letter gives the
 * control code 1..26 and Ctrl maps '@'..'_' to 0..31 and '?' to DEL (so
 * Ctrl+Space and Ctrl+@ give NUL, which reads as "nothing"). Enter gives
 * '\n', Backspace '\b', Delete 0x7f. Keypad digits need Num Lock on and
 * Shift up. Alt and GUI do not change the character.
 */
char key_to_ascii(uint16_t key, uint8_t mods);
