// SPDX-License-Identifier: MIT
/*
 * The US keyboard layout and the modifier and lock-key state machine, over
 * the USB HID key codes of lib/input/input.h. Pure: every keyboard driver
 * (PS/2 now, USB HID later) feeds key presses and releases through
 * key_state_apply() and gets the same modifiers and characters.
 */
#include <cairn/compiler.h>

#include <lib/input/input.h>

#include <stddef.h>

/*
 * Characters of the main block, unshifted and shifted, indexed by key
 * code from KEY_1 to KEY_SLASH: the US engravings (USB HID Usage Tables
 * 1.12, Table 12, column "Usage Name"). The two ISO-only keys, Non-US #
 * beside Enter and Non-US \ beside left Shift, have no US engraving: the
 * first types what Backslash does, the second < and >.
 */
static const char us_plain[] = {
	[KEY_1] = '1',
	[KEY_2] = '2',
	[KEY_3] = '3',
	[KEY_4] = '4',
	[KEY_5] = '5',
	[KEY_6] = '6',
	[KEY_7] = '7',
	[KEY_8] = '8',
	[KEY_9] = '9',
	[KEY_0] = '0',
	[KEY_ENTER] = '\n',
	[KEY_ESC] = 0x1b,
	[KEY_BACKSPACE] = '\b',
	[KEY_TAB] = '\t',
	[KEY_SPACE] = ' ',
	[KEY_MINUS] = '-',
	[KEY_EQUAL] = '=',
	[KEY_LEFT_BRACKET] = '[',
	[KEY_RIGHT_BRACKET] = ']',
	[KEY_BACKSLASH] = '\\',
	[KEY_NONUS_HASH] = '\\',
	[KEY_SEMICOLON] = ';',
	[KEY_APOSTROPHE] = '\'',
	[KEY_GRAVE] = '`',
	[KEY_COMMA] = ',',
	[KEY_DOT] = '.',
	[KEY_SLASH] = '/',
};

static const char us_shift[] = {
	[KEY_1] = '!',
	[KEY_2] = '@',
	[KEY_3] = '#',
	[KEY_4] = '$',
	[KEY_5] = '%',
	[KEY_6] = '^',
	[KEY_7] = '&',
	[KEY_8] = '*',
	[KEY_9] = '(',
	[KEY_0] = ')',
	[KEY_ENTER] = '\n',
	[KEY_ESC] = 0x1b,
	[KEY_BACKSPACE] = '\b',
	[KEY_TAB] = '\t',
	[KEY_SPACE] = ' ',
	[KEY_MINUS] = '_',
	[KEY_EQUAL] = '+',
	[KEY_LEFT_BRACKET] = '{',
	[KEY_RIGHT_BRACKET] = '}',
	[KEY_BACKSLASH] = '|',
	[KEY_NONUS_HASH] = '|',
	[KEY_SEMICOLON] = ':',
	[KEY_APOSTROPHE] = '"',
	[KEY_GRAVE] = '~',
	[KEY_COMMA] = '<',
	[KEY_DOT] = '>',
	[KEY_SLASH] = '?',
};

/* The keypad from KEY_KP_SLASH to KEY_KP_DOT: operators always, digits with Num Lock. */
static const char keypad[] = "/*-+\n1234567890.";

void key_state_init(struct key_state *s)
{
	*s = (struct key_state){ 0 };
}

bool key_state_is_down(const struct key_state *s, uint16_t key)
{
	return key < KEY_CODE_COUNT && (s->down[key / 8] & (1u << (key % 8)));
}

/*
 * The held modifiers. KEY_LEFT_CTRL..KEY_RIGHT_GUI are 0xe0..0xe7, one
 * byte of the bitmap, in the order of the USB boot report's modifier byte
 * (HID 1.11, 8.3): left Ctrl, Shift, Alt, GUI, then the right ones.
 */
static uint8_t held_mods(const struct key_state *s)
{
	uint8_t held = s->down[KEY_LEFT_CTRL / 8];
	uint8_t both = held | (uint8_t)(held >> 4);
	uint8_t mods = 0;

	if (both & 0x01)
		mods |= KEY_MOD_CTRL;
	if (both & 0x02)
		mods |= KEY_MOD_SHIFT;
	if (both & 0x04)
		mods |= KEY_MOD_ALT;
	if (both & 0x08)
		mods |= KEY_MOD_GUI;
	return mods;
}

/* The lock bit @key toggles, or 0. */
static uint8_t lock_of(uint16_t key)
{
	switch (key) {
	case KEY_CAPS_LOCK:
		return KEY_MOD_CAPS_LOCK;
	case KEY_NUM_LOCK:
		return KEY_MOD_NUM_LOCK;
	case KEY_SCROLL_LOCK:
		return KEY_MOD_SCROLL_LOCK;
	default:
		return 0;
	}
}

bool key_state_apply(struct key_state *s, struct key_event *ev)
{
	uint16_t k = ev->key;
	uint8_t bit;
	bool was_down;

	if (k == KEY_NONE || k >= KEY_CODE_COUNT)
		return false;
	bit = (uint8_t)(1u << (k % 8));
	was_down = s->down[k / 8] & bit;
	if (!ev->pressed && !was_down)
		return false;
	if (ev->pressed) {
		s->down[k / 8] |= bit;
		if (!was_down)
			s->locks ^= lock_of(k);
	} else {
		s->down[k / 8] &= (uint8_t)~bit;
	}
	ev->mods = held_mods(s) | s->locks;
	ev->ascii = ev->pressed ? key_to_ascii(k, ev->mods) : 0;
	return true;
}

/* Ctrl on a character: the ASCII control code of '@'..'_' and of letters, DEL for '?'. */
static char control_of(char c)
{
	if (c >= 'a' && c <= 'z')
		return (char)(c - 'a' + 1);
	if (c >= '@' && c <= '_')
		return (char)(c - '@');
	if (c == '?')
		return 0x7f;
	if (c == ' ')
		return 0;
	return c;
}

char key_to_ascii(uint16_t key, uint8_t mods)
{
	bool shift = mods & KEY_MOD_SHIFT;
	char c = 0;

	if (key >= KEY_A && key <= KEY_Z) {
		bool upper = shift != !!(mods & KEY_MOD_CAPS_LOCK);

		c = (char)((upper ? 'A' : 'a') + (key - KEY_A));
	} else if (key < ARRAY_SIZE(us_plain)) {
		c = shift ? us_shift[key] : us_plain[key];
	} else if (key == KEY_DELETE) {
		c = 0x7f;
	} else if (key >= KEY_KP_SLASH && key <= KEY_KP_DOT) {
		c = keypad[key - KEY_KP_SLASH];
		if (key >= KEY_KP_1 && (!(mods & KEY_MOD_NUM_LOCK) || shift))
			c = 0;
	} else if (key == KEY_NONUS_BACKSLASH) {
		c = shift ? '>' : '<';
	}
	if (c && (mods & KEY_MOD_CTRL))
		c = control_of(c);
	return c;
}
