/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/input's keyboard side: the set-1 scan code decoder
 * (letters, digits, Shift, Caps Lock, Ctrl, E0 keys, releases, Pause,
 * Print Screen's fake shifts, broken sequences and random garbage), the US
 * layout and the LED mask. The mouse decoder: test_ps2mouse.c.
 */
#include <cairn/compiler.h>

#include <lib/input/input.h>
#include <lib/input/ps2.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

#define MAX_EVENTS 64

/* Feed @n bytes to @k and collect the events (at most MAX_EVENTS). Returns how many. */
static size_t feed(struct ps2kbd *k, const uint8_t *bytes, size_t n, struct key_event *ev)
{
	size_t i, got = 0;
	struct key_event e;

	for (i = 0; i < n; i++)
		if (ps2kbd_feed(k, bytes[i], &e) && got < MAX_EVENTS)
			ev[got++] = e;
	return got;
}

#define FEED(k, ev, ...)                                     \
	({                                                   \
		static const uint8_t b_[] = { __VA_ARGS__ }; \
		feed((k), b_, sizeof(b_), (ev));             \
	})

/* Press and release the key of make code @code; return the press's character. */
static char type_key(struct ps2kbd *k, uint8_t code)
{
	struct key_event ev[2];
	uint8_t b[2] = { code, (uint8_t)(code | 0x80) };

	assert_int_equal(feed(k, b, 2, ev), 2);
	assert_true(ev[0].pressed);
	assert_false(ev[1].pressed);
	assert_int_equal(ev[0].key, ev[1].key);
	assert_int_equal(ev[1].ascii, 0);
	return ev[0].ascii;
}

/* The characters the make codes in @codes type, one after another, into @out. */
static void type_codes(struct ps2kbd *k, const uint8_t *codes, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = type_key(k, codes[i]);
	out[n] = 0;
}

static void test_letters(void **state)
{
	static const uint8_t rows[] = { 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
		                        0x19, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25,
		                        0x26, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32 };
	struct ps2kbd k;
	struct key_event ev[4];
	char text[32];

	ps2kbd_init(&k);
	type_codes(&k, rows, ARRAY_SIZE(rows), text);
	assert_string_equal(text, "qwertyuiopasdfghjklzxcvbnm");
	assert_int_equal(FEED(&k, ev, 0x1e, 0x9e), 2);
	assert_int_equal(ev[0].key, KEY_A);
	assert_true(ev[0].pressed);
	assert_int_equal(ev[0].mods, 0);
	assert_int_equal(ev[1].key, KEY_A);
	assert_false(ev[1].pressed);
	assert_int_equal(k.ignored, 0);
}

static void test_digits_and_punctuation(void **state)
{
	static const uint8_t codes[] = { 0x29, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
		                         0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1a, 0x1b, 0x2b,
		                         0x27, 0x28, 0x33, 0x34, 0x35, 0x39 };
	struct ps2kbd k;
	struct key_event ev[2];
	char text[32];

	ps2kbd_init(&k);
	type_codes(&k, codes, ARRAY_SIZE(codes), text);
	assert_string_equal(text, "`1234567890-=[]\\;',./ ");
	assert_int_equal(FEED(&k, ev, 0x2a), 1);
	type_codes(&k, codes, ARRAY_SIZE(codes), text);
	assert_string_equal(text, "~!@#$%^&*()_+{}|:\"<>? ");
}

static void test_shift(void **state)
{
	struct ps2kbd k;
	struct key_event ev[4];

	ps2kbd_init(&k);
	assert_int_equal(FEED(&k, ev, 0x2a, 0x1e), 2);
	assert_int_equal(ev[0].key, KEY_LEFT_SHIFT);
	assert_int_equal(ev[0].ascii, 0);
	assert_int_equal(ev[0].mods, KEY_MOD_SHIFT);
	assert_int_equal(ev[1].ascii, 'A');
	assert_int_equal(ev[1].mods, KEY_MOD_SHIFT);
	/* Both shifts down; letting go of one keeps Shift. */
	assert_int_equal(FEED(&k, ev, 0x9e, 0x36, 0xaa), 3);
	assert_int_equal(ev[1].key, KEY_RIGHT_SHIFT);
	assert_int_equal(ev[2].key, KEY_LEFT_SHIFT);
	assert_int_equal(ev[2].mods, KEY_MOD_SHIFT);
	assert_int_equal(type_key(&k, 0x30), 'B');
	assert_int_equal(FEED(&k, ev, 0xb6), 1);
	assert_int_equal(ev[0].mods, 0);
	assert_int_equal(type_key(&k, 0x30), 'b');
}

static void test_caps_lock(void **state)
{
	struct ps2kbd k;
	struct key_event ev[4];

	ps2kbd_init(&k);
	assert_int_equal(FEED(&k, ev, 0x3a, 0x3a, 0x3a, 0xba), 4);
	/* Auto-repeat of the Caps Lock make code toggles once only. */
	assert_int_equal(ev[0].key, KEY_CAPS_LOCK);
	assert_int_equal(ev[0].mods, KEY_MOD_CAPS_LOCK);
	assert_int_equal(ev[2].mods, KEY_MOD_CAPS_LOCK);
	assert_int_equal(ev[3].mods, KEY_MOD_CAPS_LOCK);
	assert_int_equal(ps2kbd_led_mask(ev[3].mods), 0x04);
	assert_int_equal(type_key(&k, 0x1e), 'A');
	assert_int_equal(type_key(&k, 0x02), '1'); /* letters only */
	assert_int_equal(FEED(&k, ev, 0x2a), 1);
	assert_int_equal(type_key(&k, 0x1e), 'a'); /* Shift undoes Caps */
	assert_int_equal(type_key(&k, 0x02), '!');
	assert_int_equal(FEED(&k, ev, 0xaa, 0x3a, 0xba), 3);
	assert_int_equal(ev[2].mods, 0);
	assert_int_equal(type_key(&k, 0x1e), 'a');
}

static void test_ctrl(void **state)
{
	struct ps2kbd k;
	struct key_event ev[4];

	ps2kbd_init(&k);
	assert_int_equal(FEED(&k, ev, 0x1d, 0x2e), 2);
	assert_int_equal(ev[1].key, KEY_C);
	assert_int_equal(ev[1].ascii, 0x03);
	assert_int_equal(ev[1].mods, KEY_MOD_CTRL);
	assert_int_equal(type_key(&k, 0x1e), 0x01);
	assert_int_equal(type_key(&k, 0x2c), 0x1a);
	assert_int_equal(type_key(&k, 0x1a), 0x1b); /* Ctrl+[ is ESC */
	assert_int_equal(type_key(&k, 0x2b), 0x1c);
	assert_int_equal(type_key(&k, 0x39), 0);   /* Ctrl+Space: NUL */
	assert_int_equal(type_key(&k, 0x02), '1'); /* no control code */
	assert_int_equal(FEED(&k, ev, 0x2a), 1);   /* Ctrl+Shift */
	assert_int_equal(type_key(&k, 0x2e), 0x03);
	assert_int_equal(type_key(&k, 0x0c), 0x1f); /* Ctrl+_ */
	assert_int_equal(type_key(&k, 0x35), 0x7f); /* Ctrl+? */
	assert_int_equal(FEED(&k, ev, 0xaa, 0x9d), 2);
	assert_int_equal(ev[1].mods, 0);
	/* Right Ctrl is E0 1D; with it and left Alt held, both show. */
	assert_int_equal(FEED(&k, ev, 0xe0, 0x1d, 0x38, 0x2e), 3);
	assert_int_equal(ev[0].key, KEY_RIGHT_CTRL);
	assert_int_equal(ev[1].key, KEY_LEFT_ALT);
	assert_int_equal(ev[2].mods, KEY_MOD_CTRL | KEY_MOD_ALT);
	assert_int_equal(ev[2].ascii, 0x03);
	assert_int_equal(FEED(&k, ev, 0xe0, 0x9d, 0x2e), 2);
	assert_int_equal(ev[1].mods, KEY_MOD_ALT);
	assert_int_equal(ev[1].ascii, 'c'); /* Alt does not change the character */
}

static void test_extended_keys(void **state)
{
	static const struct {
		uint8_t code;
		uint16_t key;
	} e0[] = {
		{ 0x48, KEY_UP },        { 0x50, KEY_DOWN },      { 0x4b, KEY_LEFT },
		{ 0x4d, KEY_RIGHT },     { 0x47, KEY_HOME },      { 0x4f, KEY_END },
		{ 0x49, KEY_PAGE_UP },   { 0x51, KEY_PAGE_DOWN }, { 0x52, KEY_INSERT },
		{ 0x53, KEY_DELETE },    { 0x1c, KEY_KP_ENTER },  { 0x35, KEY_KP_SLASH },
		{ 0x38, KEY_RIGHT_ALT }, { 0x5b, KEY_LEFT_GUI },  { 0x5d, KEY_MENU },
	};
	struct ps2kbd k;
	struct key_event ev[4];
	size_t i;

	ps2kbd_init(&k);
	for (i = 0; i < ARRAY_SIZE(e0); i++) {
		uint8_t b[4] = { 0xe0, e0[i].code, 0xe0, (uint8_t)(e0[i].code | 0x80) };

		assert_int_equal(feed(&k, b, 4, ev), 2);
		assert_int_equal(ev[0].key, e0[i].key);
		assert_true(ev[0].pressed);
		assert_int_equal(ev[1].key, e0[i].key);
		assert_false(ev[1].pressed);
	}
	assert_int_equal(FEED(&k, ev, 0xe0, 0x53), 1);
	assert_int_equal(ev[0].ascii, 0x7f);
	assert_int_equal(FEED(&k, ev, 0xe0, 0x1c), 1);
	assert_int_equal(ev[0].ascii, '\n');
	/* The same code without E0 is the keypad key. */
	assert_int_equal(FEED(&k, ev, 0x48), 1);
	assert_int_equal(ev[0].key, KEY_KP_8);
	assert_int_equal(k.ignored, 0);
}

static void test_function_keys(void **state)
{
	static const uint8_t codes[] = { 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40,
		                         0x41, 0x42, 0x43, 0x44, 0x57, 0x58 };
	struct ps2kbd k;
	struct key_event ev[2];
	size_t i;

	ps2kbd_init(&k);
	for (i = 0; i < ARRAY_SIZE(codes); i++) {
		assert_int_equal(feed(&k, &codes[i], 1, ev), 1);
		assert_int_equal(ev[0].key, KEY_F1 + i);
		assert_int_equal(ev[0].ascii, 0);
	}
	assert_int_equal(FEED(&k, ev, 0x01), 1);
	assert_int_equal(ev[0].key, KEY_ESC);
	assert_int_equal(ev[0].ascii, 0x1b);
}

static void test_keypad_and_num_lock(void **state)
{
	struct ps2kbd k;
	struct key_event ev[4];

	ps2kbd_init(&k);
	assert_int_equal(type_key(&k, 0x47), 0); /* KP 7 without Num Lock: Home, no character */
	assert_int_equal(type_key(&k, 0x4e), '+');
	assert_int_equal(type_key(&k, 0x37), '*');
	assert_int_equal(FEED(&k, ev, 0x45, 0xc5), 2);
	assert_int_equal(ev[0].key, KEY_NUM_LOCK);
	assert_int_equal(ev[1].mods, KEY_MOD_NUM_LOCK);
	assert_int_equal(ps2kbd_led_mask(ev[1].mods), 0x02);
	assert_int_equal(type_key(&k, 0x47), '7');
	assert_int_equal(type_key(&k, 0x52), '0');
	assert_int_equal(type_key(&k, 0x53), '.');
	assert_int_equal(FEED(&k, ev, 0x36), 1);
	assert_int_equal(type_key(&k, 0x47), 0); /* Shift reverses Num Lock */
}

static void test_releases(void **state)
{
	struct ps2kbd k;
	struct key_event ev[4];

	ps2kbd_init(&k);
	/* A release of a key that is not down (lost make code) is dropped. */
	assert_int_equal(FEED(&k, ev, 0x9e), 0);
	assert_int_equal(k.ignored, 1);
	/* The keyboard's self-test pass, 0xAA, reads as a stray left Shift release. */
	assert_int_equal(FEED(&k, ev, 0xaa), 0);
	assert_int_equal(k.ignored, 2);
	/* Auto-repeat: presses repeat, one release ends them. */
	assert_int_equal(FEED(&k, ev, 0x1e, 0x1e, 0x1e, 0x9e), 4);
	assert_true(ev[2].pressed);
	assert_int_equal(ev[2].ascii, 'a');
	assert_false(ev[3].pressed);
	assert_false(key_state_is_down(&k.keys, KEY_A));
	assert_int_equal(FEED(&k, ev, 0x9e), 0);
}

static void test_pause_and_print_screen(void **state)
{
	struct ps2kbd k;
	struct key_event ev[4];

	ps2kbd_init(&k);
	/* Pause: make and break in one burst, no Ctrl or Num Lock in between. */
	assert_int_equal(FEED(&k, ev, 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5), 2);
	assert_int_equal(ev[0].key, KEY_PAUSE);
	assert_true(ev[0].pressed);
	assert_int_equal(ev[0].mods, 0);
	assert_int_equal(ev[1].key, KEY_PAUSE);
	assert_false(ev[1].pressed);
	/* Ctrl+Pause (Break) is E0 46. */
	assert_int_equal(FEED(&k, ev, 0x1d, 0xe0, 0x46, 0xe0, 0xc6, 0x9d), 4);
	assert_int_equal(ev[1].key, KEY_PAUSE);
	assert_int_equal(ev[1].mods, KEY_MOD_CTRL);
	/* Print Screen comes wrapped in fake shifts, which are no key. */
	assert_int_equal(FEED(&k, ev, 0xe0, 0x2a, 0xe0, 0x37, 0xe0, 0xb7, 0xe0, 0xaa), 2);
	assert_int_equal(ev[0].key, KEY_PRINT_SCREEN);
	assert_int_equal(ev[0].mods, 0);
	assert_false(ev[1].pressed);
	assert_int_equal(k.ignored, 0);
	assert_false(key_state_is_down(&k.keys, KEY_LEFT_SHIFT));
}

static void test_broken_sequences(void **state)
{
	struct ps2kbd k;
	struct key_event ev[4];

	ps2kbd_init(&k);
	/* Pause cut short: the byte that broke it in is a key of its own. */
	assert_int_equal(FEED(&k, ev, 0xe1, 0x1d, 0x1e), 1);
	assert_int_equal(ev[0].key, KEY_A);
	assert_int_equal(k.ignored, 1);
	assert_int_equal(FEED(&k, ev, 0xe1, 0x1f), 1);
	assert_int_equal(ev[0].key, KEY_S);
	/* A doubled prefix: the second one counts. */
	assert_int_equal(FEED(&k, ev, 0xe0, 0xe0, 0x48), 1);
	assert_int_equal(ev[0].key, KEY_UP);
	assert_int_equal(FEED(&k, ev, 0xe0, 0xe1, 0x1d, 0x45), 1);
	assert_int_equal(ev[0].key, KEY_PAUSE);
	/* Unknown codes, with and without E0, and the controller's answers. */
	k.ignored = 0;
	assert_int_equal(FEED(&k, ev, 0x00, 0x55, 0xe0, 0x01, 0xfa, 0xfe, 0xee, 0xff), 0);
	assert_int_equal(k.ignored, 7);
	assert_int_equal(FEED(&k, ev, 0x1e), 1);
	assert_int_equal(ev[0].key, KEY_A);
}

/* A small deterministic generator for the garbage test (xorshift32). */
static uint32_t rng_next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void test_garbage(void **state)
{
	struct ps2kbd k;
	struct key_event e;
	uint32_t seed = 12345, i, events = 0;

	ps2kbd_init(&k);
	for (i = 0; i < 200000; i++) {
		uint8_t b = (uint8_t)rng_next(&seed);

		/* Bias towards prefixes so the sequence paths are hit often. */
		if ((b & 7) == 0)
			b = (b & 8) ? 0xe0 : 0xe1;
		if (ps2kbd_feed(&k, b, &e)) {
			events++;
			assert_true(e.key != KEY_NONE && e.key < KEY_CODE_COUNT);
			assert_true(e.pressed || e.ascii == 0);
			assert_int_equal(e.mods & (1u << 7), 0);
		}
	}
	assert_true(events > 1000);
	assert_true(k.ignored > 1000);
	/*
	 * Whatever state the garbage left, one byte of no key ends any
	 * sequence in progress, and then keys decode again.
	 */
	assert_false(ps2kbd_feed(&k, 0x00, &e));
	assert_int_equal(k.prefix, PS2KBD_NONE);
	(void)ps2kbd_feed(&k, 0x9e, &e);
	assert_false(key_state_is_down(&k.keys, KEY_A));
	assert_true(ps2kbd_feed(&k, 0x1e, &e));
	assert_int_equal(e.key, KEY_A);
	assert_true(e.pressed);
}

static void test_led_mask(void **state)
{
	assert_int_equal(ps2kbd_led_mask(0), 0);
	assert_int_equal(ps2kbd_led_mask(KEY_MOD_SCROLL_LOCK), 1);
	assert_int_equal(ps2kbd_led_mask(KEY_MOD_NUM_LOCK), 2);
	assert_int_equal(ps2kbd_led_mask(KEY_MOD_CAPS_LOCK), 4);
	assert_int_equal(ps2kbd_led_mask(0xff), 7);
	assert_int_equal(ps2kbd_led_mask(KEY_MOD_SHIFT | KEY_MOD_CTRL | KEY_MOD_ALT), 0);
}

static void test_key_to_ascii(void **state)
{
	assert_int_equal(key_to_ascii(KEY_ENTER, 0), '\n');
	assert_int_equal(key_to_ascii(KEY_BACKSPACE, 0), '\b');
	assert_int_equal(key_to_ascii(KEY_TAB, KEY_MOD_SHIFT), '\t');
	assert_int_equal(key_to_ascii(KEY_ESC, 0), 0x1b);
	assert_int_equal(key_to_ascii(KEY_DELETE, 0), 0x7f);
	assert_int_equal(key_to_ascii(KEY_KP_MINUS, 0), '-');
	assert_int_equal(key_to_ascii(KEY_KP_ENTER, 0), '\n');
	assert_int_equal(key_to_ascii(KEY_KP_DOT, KEY_MOD_NUM_LOCK), '.');
	assert_int_equal(key_to_ascii(KEY_KP_5, 0), 0);
	assert_int_equal(key_to_ascii(KEY_NONUS_BACKSLASH, KEY_MOD_SHIFT), '>');
	assert_int_equal(key_to_ascii(KEY_F5, 0), 0);
	assert_int_equal(key_to_ascii(KEY_UP, KEY_MOD_NUM_LOCK), 0);
	assert_int_equal(key_to_ascii(KEY_LEFT_SHIFT, KEY_MOD_SHIFT), 0);
	assert_int_equal(key_to_ascii(KEY_Z, KEY_MOD_CTRL | KEY_MOD_CAPS_LOCK), 0x1a);
	assert_int_equal(key_to_ascii(KEY_CODE_COUNT, 0), 0);
	assert_int_equal(key_to_ascii(0xffff, 0xff), 0);
}

static void test_key_state_bounds(void **state)
{
	struct key_state s;
	struct key_event ev = { .key = KEY_CODE_COUNT, .pressed = true };

	key_state_init(&s);
	assert_false(key_state_apply(&s, &ev));
	ev.key = KEY_NONE;
	assert_false(key_state_apply(&s, &ev));
	ev.key = KEY_RIGHT_GUI;
	assert_true(key_state_apply(&s, &ev));
	assert_int_equal(ev.mods, KEY_MOD_GUI);
	assert_true(key_state_is_down(&s, KEY_RIGHT_GUI));
	assert_false(key_state_is_down(&s, 0xffff));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_letters),
		cmocka_unit_test(test_digits_and_punctuation),
		cmocka_unit_test(test_shift),
		cmocka_unit_test(test_caps_lock),
		cmocka_unit_test(test_ctrl),
		cmocka_unit_test(test_extended_keys),
		cmocka_unit_test(test_function_keys),
		cmocka_unit_test(test_keypad_and_num_lock),
		cmocka_unit_test(test_releases),
		cmocka_unit_test(test_pause_and_print_screen),
		cmocka_unit_test(test_broken_sequences),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_led_mask),
		cmocka_unit_test(test_key_to_ascii),
		cmocka_unit_test(test_key_state_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
