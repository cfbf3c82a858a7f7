// SPDX-License-Identifier: MIT
/*
 * Kernel tests of the user-space keyboard's kernel side (kernel/dev/ps2_user.c),
 * suite "ipc_kbd": what ps2_user_deliver() does with the messages a driver
 * sends (idl/input.cidl, encoded here with the same generated C): good
 * events reach the input queue with the character the kernel works out,
 * and a message one byte short, with a length past its end, with an
 * unknown key or modifier bit, or with too many events is refused whole,
 * queueing nothing; and dev/ps2.c's side of the hand-over: a released
 * keyboard's bytes stay in the 8042 while the mouse's still reach the
 * kernel, and a reclaim takes the waiting byte. The hand-over to a real
 * driver and its restarts are tools/e2e_kbd.py's (they need the busybox
 * image and a typist).
 */
#include <cairn/errno.h>

#include <lib/input/input.h>
#include <lib/string.h>

#include <cidl/input.h>

#include "core/ktest.h"
#include "dev/input.h"
#include "dev/ps2.h"
#include "dev/ps2_user.h"
#include "time/time.h"

#define BODY_LEN_AT 8 /* the header's body length (docs/cidl.md, "Wire format") */
#define WAIT_NS     (500 * NSEC_PER_MSEC)
#define SET1_A      0x1e /* A's make code in set 1; its break is 0x9e */

static void drain(void)
{
	struct key_event k;
	struct mouse_event m;

	while (input_key_pop(&k))
		;
	while (input_mouse_pop(&m))
		;
}

/* Encode @n events of @keys into @buf; returns the message's length. */
static uint32_t encode(uint8_t *buf, const struct input_key *keys, unsigned n)
{
	struct input_keys_evt m = { .seq = 7 };
	struct cidl_writer w;

	m.events.count = n;
	memcpy(m.events.items, keys, n * sizeof(keys[0]));
	cidl_writer_init(&w, buf, INPUT_MAX_BYTES, NULL, 0);
	EXPECT_EQ(input_keys_evt_encode(&w, &m), 0);
	return w.len;
}

static unsigned queued(void)
{
	struct input_stats st;

	input_get_stats(&st);
	return st.keys_queued;
}

TEST(ipc_kbd, events_reach_the_queue_with_the_kernels_characters)
{
	static const struct input_key keys[] = {
		{ KEY_LEFT_SHIFT, true, KEY_MOD_SHIFT },
		{ KEY_A, true, KEY_MOD_SHIFT },
		{ KEY_A, false, KEY_MOD_SHIFT },
		{ KEY_LEFT_SHIFT, false, 0 },
		{ KEY_1, true, 0 },
	};
	uint8_t buf[INPUT_MAX_BYTES];
	uint32_t len = encode(buf, keys, 5);
	struct key_event ev;

	drain();
	EXPECT_EQ(ps2_user_deliver(buf, len), 5);
	EXPECT_TRUE(input_key_pop(&ev));
	EXPECT_EQ(ev.key, KEY_LEFT_SHIFT);
	EXPECT_TRUE(input_key_pop(&ev));
	EXPECT_EQ(ev.key, KEY_A);
	EXPECT_TRUE(ev.pressed);
	EXPECT_EQ(ev.ascii, 'A');
	EXPECT_TRUE(input_key_pop(&ev));
	EXPECT_TRUE(!ev.pressed);
	EXPECT_EQ(ev.ascii, 0);
	EXPECT_TRUE(input_key_pop(&ev));
	EXPECT_TRUE(input_key_pop(&ev));
	EXPECT_EQ(ev.key, KEY_1);
	EXPECT_EQ(ev.ascii, '1');
	EXPECT_TRUE(!input_key_pop(&ev));
}

TEST(ipc_kbd, a_message_one_byte_short_is_refused)
{
	static const struct input_key keys[] = { { KEY_B, true, 0 }, { KEY_B, false, 0 } };
	uint8_t buf[INPUT_MAX_BYTES];
	uint32_t len = encode(buf, keys, 2);
	struct ps2_user_stats before, after;

	drain();
	ps2_user_get_stats(&before);
	EXPECT_EQ(ps2_user_deliver(buf, len - 1), -EBADMSG);
	EXPECT_EQ(ps2_user_deliver(buf, 0), -EBADMSG);
	EXPECT_EQ(ps2_user_deliver(buf, CIDL_HEADER_BYTES - 1), -EBADMSG);
	ps2_user_get_stats(&after);
	EXPECT_EQ(after.refused - before.refused, 3);
	EXPECT_EQ(queued(), 0);
}

TEST(ipc_kbd, a_length_past_the_end_is_refused)
{
	static const struct input_key keys[] = { { KEY_C, true, 0 } };
	uint8_t buf[INPUT_MAX_BYTES + 8];
	uint32_t len = encode(buf, keys, 1);

	drain();
	buf[BODY_LEN_AT]++; /* one byte more than follows */
	EXPECT_EQ(ps2_user_deliver(buf, len), -EBADMSG);
	buf[BODY_LEN_AT] -= 2; /* one byte less: a trailing byte */
	EXPECT_EQ(ps2_user_deliver(buf, len), -EBADMSG);
	buf[BODY_LEN_AT]++;
	memset(buf + len, 0, 8);
	EXPECT_EQ(ps2_user_deliver(buf, len + 1), -EBADMSG); /* a byte after the body */
	EXPECT_EQ(ps2_user_deliver(buf, INPUT_MAX_BYTES + 1), -EBADMSG);
	EXPECT_EQ(queued(), 0);
	EXPECT_EQ(ps2_user_deliver(buf, len), 1); /* the same bytes, as they were */
	drain();
}

TEST(ipc_kbd, an_unknown_key_or_modifier_refuses_the_whole_message)
{
	struct input_key keys[] = { { KEY_D, true, 0 }, { KEY_D, false, 0 } };
	uint8_t buf[INPUT_MAX_BYTES];

	drain();
	keys[1].key = KEY_CODE_COUNT; /* past every key code */
	EXPECT_EQ(ps2_user_deliver(buf, encode(buf, keys, 2)), -EBADMSG);
	keys[1].key = KEY_NONE;
	EXPECT_EQ(ps2_user_deliver(buf, encode(buf, keys, 2)), -EBADMSG);
	keys[1].key = KEY_D;
	keys[1].mods = 0x80; /* no such modifier */
	EXPECT_EQ(ps2_user_deliver(buf, encode(buf, keys, 2)), -EBADMSG);
	EXPECT_EQ(queued(), 0); /* not even the good first event */
}

TEST(ipc_kbd, more_events_than_the_protocol_allows_are_refused)
{
	struct input_key keys[INPUT_KEYS_MAX] = { 0 };
	uint8_t buf[INPUT_MAX_BYTES];
	uint32_t len;
	unsigned i;

	for (i = 0; i < INPUT_KEYS_MAX; i++)
		keys[i] = (struct input_key){ KEY_E, !(i & 1), 0 };
	len = encode(buf, keys, INPUT_KEYS_MAX);
	drain();
	/* The count follows the u32 seq at the body's start: claim one more. */
	buf[CIDL_HEADER_BYTES + 4] = INPUT_KEYS_MAX + 1;
	EXPECT_EQ(ps2_user_deliver(buf, len), -EBADMSG);
	EXPECT_EQ(queued(), 0);
	buf[CIDL_HEADER_BYTES + 4] = INPUT_KEYS_MAX;
	EXPECT_EQ(ps2_user_deliver(buf, len), INPUT_KEYS_MAX);
	drain();
}

TEST(ipc_kbd, a_released_keyboard_leaves_its_bytes_and_the_mouse_works)
{
	static const uint8_t packet[] = { 0x08, 0x01, 0x01, 0x00 }; /* right 1, up 1 */
	struct ps2_info info;
	struct key_event ev;
	struct mouse_event m;
	unsigned i;

	if (ps2_init() == -ENODEV)
		ktest_skip("no 8042");
	ps2_get_info(&info);
	if (!info.keyboard)
		ktest_skip("no keyboard");
	drain();
	EXPECT_EQ(ps2_keyboard_release(), 0);
	EXPECT_EQ(ps2_keyboard_release(), -EALREADY);
	EXPECT_TRUE(ps2_keyboard_released());
	EXPECT_EQ(ps2_set_leds(4), -ENODEV); /* the LEDs are the driver's */
	if (info.mouse) {
		for (i = 0; i < (info.mouse_id ? 4u : 3u); i++)
			EXPECT_EQ(ps2_inject(2, packet[i]), 0);
		EXPECT_TRUE(input_mouse_wait(&m, WAIT_NS));
		EXPECT_EQ(m.dx, 1);
	}
	EXPECT_EQ(ps2_inject(1, SET1_A), 0);
	EXPECT_TRUE(!input_key_wait(&ev, 50 * NSEC_PER_MSEC)); /* nobody took it */
	EXPECT_EQ(ps2_keyboard_reclaim(), 0);
	EXPECT_EQ(ps2_keyboard_reclaim(), -EALREADY);
	EXPECT_TRUE(input_key_wait(&ev, WAIT_NS)); /* the byte that waited */
	EXPECT_EQ(ev.key, KEY_A);
	EXPECT_TRUE(ev.pressed);
	EXPECT_EQ(ps2_inject(1, SET1_A | 0x80), 0);
	EXPECT_TRUE(input_key_wait(&ev, WAIT_NS)); /* and the keyboard is the kernel's again */
	EXPECT_TRUE(!ev.pressed);
	drain();
}
