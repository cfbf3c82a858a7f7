/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/input's PS/2 mouse packet decoder: the 3-byte format,
 * signs and overflow, the IntelliMouse wheel (ID 3) and 5-button (ID 4)
 * formats, and finding the packet start again after a lost byte.
 */
#include <lib/input/input.h>
#include <lib/input/ps2.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

/* Feed @n bytes to @m; returns the number of events, the last in *@last. */
static int mfeed(struct ps2mouse *m, const uint8_t *b, size_t n, struct mouse_event *last)
{
	struct mouse_event e;
	int got = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (ps2mouse_feed(m, b[i], &e)) {
			*last = e;
			got++;
		}
	return got;
}

#define MFEED(m, e, ...)                                     \
	({                                                   \
		static const uint8_t b_[] = { __VA_ARGS__ }; \
		mfeed((m), b_, sizeof(b_), (e));             \
	})

static void test_mouse_standard(void **state)
{
	struct ps2mouse m;
	struct mouse_event e;

	ps2mouse_init(&m, PS2MOUSE_ID_STANDARD);
	assert_int_equal(m.size, 3);
	assert_int_equal(MFEED(&m, &e, 0x08, 0x00, 0x00), 1);
	assert_int_equal(e.dx, 0);
	assert_int_equal(e.dy, 0);
	assert_int_equal(e.dz, 0);
	assert_int_equal(e.buttons, 0);
	/* Left button, right 5, up 3 (PS/2 Y grows upwards; ours downwards). */
	assert_int_equal(MFEED(&m, &e, 0x09, 0x05, 0x03), 1);
	assert_int_equal(e.buttons, MOUSE_BUTTON_LEFT);
	assert_int_equal(e.dx, 5);
	assert_int_equal(e.dy, -3);
	assert_int_equal(MFEED(&m, &e, 0x0f, 0xff, 0x7f), 1);
	assert_int_equal(e.buttons, MOUSE_BUTTON_LEFT | MOUSE_BUTTON_RIGHT | MOUSE_BUTTON_MIDDLE);
	assert_int_equal(e.dx, 255);
	assert_int_equal(e.dy, -127);
	/* Two packets in one run: two events. */
	assert_int_equal(MFEED(&m, &e, 0x08, 0x01, 0x00, 0x0a, 0x00, 0x01), 2);
	assert_int_equal(e.buttons, MOUSE_BUTTON_RIGHT);
	assert_int_equal(e.dy, -1);
}

static void test_mouse_negative_and_overflow(void **state)
{
	struct ps2mouse m;
	struct mouse_event e;

	ps2mouse_init(&m, PS2MOUSE_ID_STANDARD);
	/* Both sign bits: left 5, down 2. */
	assert_int_equal(MFEED(&m, &e, 0x38, 0xfb, 0xfe), 1);
	assert_int_equal(e.dx, -5);
	assert_int_equal(e.dy, 2);
	assert_int_equal(MFEED(&m, &e, 0x38, 0x00, 0x00), 1);
	assert_int_equal(e.dx, -256);
	assert_int_equal(e.dy, 256);
	assert_int_equal(MFEED(&m, &e, 0x18, 0xff, 0x01), 1);
	assert_int_equal(e.dx, -1);
	assert_int_equal(e.dy, -1);
	assert_int_equal(m.overflows, 0);
	/* Overflow saturates in the sign's direction. */
	assert_int_equal(MFEED(&m, &e, 0x48, 0x12, 0x00), 1);
	assert_int_equal(e.dx, 255);
	assert_int_equal(e.dy, 0);
	assert_int_equal(MFEED(&m, &e, 0xf8, 0x12, 0x34), 1);
	assert_int_equal(e.dx, -256);
	assert_int_equal(e.dy, 256);
	assert_int_equal(m.overflows, 2);
}

static void test_mouse_wheel(void **state)
{
	struct ps2mouse m;
	struct mouse_event e;

	ps2mouse_init(&m, PS2MOUSE_ID_WHEEL);
	assert_int_equal(m.size, 4);
	assert_int_equal(MFEED(&m, &e, 0x08, 0x00, 0x00), 0);
	assert_int_equal(MFEED(&m, &e, 0xff), 1); /* -1: away from the user */
	assert_int_equal(e.dz, 1);
	assert_int_equal(MFEED(&m, &e, 0x19, 0xfe, 0x02, 0x02), 1);
	assert_int_equal(e.dz, -2);
	assert_int_equal(e.dx, -2);
	assert_int_equal(e.dy, -2);
	assert_int_equal(e.buttons, MOUSE_BUTTON_LEFT);
	/* ID 3 has no buttons 4 and 5: the whole byte is the wheel. */
	assert_int_equal(MFEED(&m, &e, 0x08, 0x00, 0x00, 0x10), 1);
	assert_int_equal(e.dz, -16);
	assert_int_equal(e.buttons, 0);
}

static void test_mouse_five_buttons(void **state)
{
	struct ps2mouse m;
	struct mouse_event e;

	ps2mouse_init(&m, PS2MOUSE_ID_5BUTTON);
	assert_int_equal(m.size, 4);
	assert_int_equal(MFEED(&m, &e, 0x08, 0x00, 0x00, 0x0f), 1);
	assert_int_equal(e.dz, 1);
	assert_int_equal(e.buttons, 0);
	assert_int_equal(MFEED(&m, &e, 0x08, 0x00, 0x00, 0x11), 1);
	assert_int_equal(e.dz, -1);
	assert_int_equal(e.buttons, MOUSE_BUTTON_4);
	assert_int_equal(MFEED(&m, &e, 0x0c, 0x00, 0x00, 0x38), 1);
	assert_int_equal(e.dz, 8); /* -8, the 4-bit minimum */
	assert_int_equal(e.buttons, MOUSE_BUTTON_MIDDLE | MOUSE_BUTTON_4 | MOUSE_BUTTON_5);
}

static void test_mouse_resync(void **state)
{
	struct ps2mouse m;
	struct mouse_event e = { 0 };

	ps2mouse_init(&m, PS2MOUSE_ID_STANDARD);
	/* Bytes without bit 3 cannot start a packet. */
	assert_int_equal(MFEED(&m, &e, 0x00, 0x01, 0xf7), 0);
	assert_int_equal(m.resyncs, 3);
	assert_int_equal(MFEED(&m, &e, 0x08, 0x07, 0x00), 1);
	assert_int_equal(e.dx, 7);
	/*
	 * A lost byte: 09 05 [03 lost], then packets whose movement bytes
	 * have bit 3 clear. One wrong packet comes out, then the stream lines
	 * up again on a true first byte.
	 */
	assert_int_equal(MFEED(&m, &e, 0x09, 0x05, 0x08, 0x01, 0x02, 0x08, 0x03, 0x04), 2);
	assert_int_equal(MFEED(&m, &e, 0x08, 0x01, 0x02, 0x08, 0x03, 0x04), 2);
	assert_int_equal(e.dx, 3);
	assert_int_equal(e.dy, -4);
	assert_true(m.resyncs > 3);
	/* The driver drops a half packet after a long gap. */
	assert_int_equal(MFEED(&m, &e, 0x09, 0x10), 0);
	ps2mouse_resync(&m);
	assert_int_equal(MFEED(&m, &e, 0x08, 0x20, 0x00), 1);
	assert_int_equal(e.dx, 0x20);
	assert_int_equal(e.buttons, 0);
}

static void test_mouse_unknown_id(void **state)
{
	struct ps2mouse m;
	struct mouse_event e;

	ps2mouse_init(&m, 0x42);
	assert_int_equal(m.id, PS2MOUSE_ID_STANDARD);
	assert_int_equal(m.size, 3);
	memset(&m, 0, sizeof(m)); /* never initialised: decodes as standard */
	assert_int_equal(MFEED(&m, &e, 0x08, 0x01, 0x01), 1);
	assert_int_equal(e.dx, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mouse_standard),
		cmocka_unit_test(test_mouse_negative_and_overflow),
		cmocka_unit_test(test_mouse_wheel),
		cmocka_unit_test(test_mouse_five_buttons),
		cmocka_unit_test(test_mouse_resync),
		cmocka_unit_test(test_mouse_unknown_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
