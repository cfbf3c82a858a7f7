// SPDX-License-Identifier: MIT
/*
 * PS/2 and input-queue tests: the 8042 found and set up on QEMU (its
 * self-test answer, two ports, a set-2 keyboard, the mouse's ID after the
 * wheel probe), bytes injected through the controller (commands 0xD2 and
 * 0xD3) travelling through the interrupt, the decoders and the queues, the
 * Caps Lock LED exchange with QEMU's keyboard, and the queues' ordering
 * and overflow with synthetic events. The tests call ps2_init() themselves
 * (it only returns its first result when the boot already called it).
 *
 * What QEMU 7.2 shows (q35 and pc alike): self-test 0x55, both interface
 * tests 0x00, two ports, keyboard set 2, mouse ID 4 (QEMU's mouse is an
 * IntelliMouse Explorer: 200,100,80 gives ID 3, then 200,200,80 ID 4).
 * The q35 FADT (revision 3) sets IAPC_BOOT_ARCH's 8042 bit and clears it
 * with -machine i8042=off; pc's FADT is revision 1, without the flags.
 */
#include <cairn/errno.h>

#include <lib/input/ps2.h>

#include <stddef.h>

#include "core/cmdline.h"
#include "core/ktest.h"
#include "core/log.h"
#include "dev/input.h"
#include "dev/ps2.h"
#include "time/time.h"

#define WAIT_NS (500 * NSEC_PER_MSEC)

/* ps2_init(), or a skip where the machine has no 8042. */
static void need_ps2(void)
{
	int err = ps2_init();

	if (err == -ENODEV)
		ktest_skip("no 8042");
	EXPECT_EQ(err, 0);
	EXPECT_TRUE(ps2_ready());
}

static void drain_queues(void)
{
	struct key_event k;
	struct mouse_event m;

	while (input_key_pop(&k))
		;
	while (input_mouse_pop(&m))
		;
}

TEST(ps2, controller_found_and_set_up)
{
	struct ps2_info info;

	need_ps2();
	ps2_get_info(&info);
	kprintf("# ps2: self-test %#x, ports %u, tests %#x/%#x, keyboard %d set %u, mouse %d "
	        "ID %u, FADT flags valid %d 8042 %d\n",
	        info.self_test, info.dual_channel ? 2u : 1u, info.port1_test, info.port2_test,
	        info.keyboard, info.kbd_set, info.mouse, info.mouse_id, info.fadt_valid,
	        info.fadt_8042);
	EXPECT_TRUE(info.controller);
	EXPECT_EQ(info.self_test, 0x55);
	EXPECT_TRUE(info.dual_channel);
	EXPECT_EQ(info.port1_test, 0);
	EXPECT_EQ(info.port2_test, 0);
	EXPECT_TRUE(info.keyboard);
	EXPECT_EQ(info.kbd_set, 2);
	EXPECT_TRUE(info.translated);
	EXPECT_TRUE(info.mouse);
	EXPECT_EQ(info.mouse_id, PS2MOUSE_ID_5BUTTON);
	EXPECT_TRUE(info.fadt_8042);
}

TEST(ps2, init_is_idempotent)
{
	struct ps2_info a, b;

	need_ps2();
	ps2_get_info(&a);
	EXPECT_EQ(ps2_init(), 0);
	ps2_get_info(&b);
	EXPECT_EQ(a.mouse_id, b.mouse_id);
	EXPECT_EQ(a.self_test, b.self_test);
	EXPECT_EQ(ps2_inject(0, 0x1e), -EINVAL);
	EXPECT_EQ(ps2_inject(3, 0x1e), -EINVAL);
}

static volatile unsigned notified;

static void count_notify(void *ctx)
{
	notified += (unsigned)(uintptr_t)ctx;
}

/* Inject @n bytes on @port, each through the controller's output buffer and an interrupt. */
static void inject(unsigned port, const uint8_t *bytes, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		EXPECT_EQ(ps2_inject(port, bytes[i]), 0);
}

TEST(ps2, injected_keys_reach_the_queue)
{
	static const uint8_t typed[] = {
		0x1e, 0x9e, 0x2a, 0x1e, 0x9e, 0xaa, 0xe0, 0x48, 0xe0, 0xc8
	};
	struct key_event ev;
	struct ps2_stats before, after;

	need_ps2();
	drain_queues();
	ps2_get_stats(&before);
	notified = 0;
	input_set_notify(count_notify, (void *)1);
	inject(1, typed, sizeof(typed));
	EXPECT_TRUE(input_key_wait(&ev, WAIT_NS));
	EXPECT_EQ(ev.key, KEY_A);
	EXPECT_TRUE(ev.pressed);
	EXPECT_EQ(ev.ascii, 'a');
	EXPECT_TRUE(input_key_wait(&ev, WAIT_NS));
	EXPECT_EQ(ev.key, KEY_A);
	EXPECT_TRUE(!ev.pressed);
	EXPECT_TRUE(input_key_wait(&ev, WAIT_NS));
	EXPECT_EQ(ev.key, KEY_LEFT_SHIFT);
	EXPECT_TRUE(input_key_wait(&ev, WAIT_NS));
	EXPECT_EQ(ev.ascii, 'A');
	EXPECT_EQ(ev.mods & KEY_MOD_SHIFT, KEY_MOD_SHIFT);
	EXPECT_TRUE(input_key_wait(&ev, WAIT_NS) && input_key_wait(&ev, WAIT_NS));
	EXPECT_EQ(ev.key, KEY_LEFT_SHIFT);
	EXPECT_TRUE(input_key_wait(&ev, WAIT_NS));
	EXPECT_EQ(ev.key, KEY_UP);
	EXPECT_TRUE(input_key_wait(&ev, WAIT_NS));
	EXPECT_EQ(ev.key, KEY_UP);
	EXPECT_TRUE(!ev.pressed);
	input_set_notify(NULL, NULL);
	EXPECT_TRUE(notified >= 1);
	ps2_get_stats(&after);
	EXPECT_EQ(after.kbd_bytes - before.kbd_bytes, sizeof(typed));
	EXPECT_TRUE(!input_key_pop(&ev));
}

TEST(ps2, injected_mouse_packets_reach_the_queue)
{
	/* Left 5, up 3, wheel away one detent; then left button and button 4 (ID 4 format). */
	static const uint8_t packets[] = { 0x18, 0xfb, 0x03, 0x0f, 0x09, 0x00, 0x00, 0x10 };
	/* A byte without bit 3 cannot start a packet: dropped, then a clean packet. */
	static const uint8_t resync[] = { 0x00, 0x08, 0x01, 0x00, 0x00 };
	struct ps2_info info;
	struct mouse_event m;
	struct ps2_stats before, after;

	need_ps2();
	ps2_get_info(&info);
	if (!info.mouse || info.mouse_id != PS2MOUSE_ID_5BUTTON)
		ktest_skip("no 5-button mouse");
	drain_queues();
	ps2_get_stats(&before);
	inject(2, packets, sizeof(packets));
	EXPECT_TRUE(input_mouse_wait(&m, WAIT_NS));
	EXPECT_EQ(m.dx, -5);
	EXPECT_EQ(m.dy, -3);
	EXPECT_EQ(m.dz, 1);
	EXPECT_EQ(m.buttons, 0);
	EXPECT_TRUE(input_mouse_wait(&m, WAIT_NS));
	EXPECT_EQ(m.dx, 0);
	EXPECT_EQ(m.buttons, MOUSE_BUTTON_LEFT | MOUSE_BUTTON_4);
	inject(2, resync, sizeof(resync));
	EXPECT_TRUE(input_mouse_wait(&m, WAIT_NS));
	EXPECT_EQ(m.dx, 1);
	EXPECT_EQ(m.buttons, 0);
	ps2_get_stats(&after);
	EXPECT_EQ(after.mouse_bytes - before.mouse_bytes, sizeof(packets) + sizeof(resync));
	EXPECT_EQ(after.mouse_resyncs - before.mouse_resyncs, 1);
	EXPECT_TRUE(!input_mouse_pop(&m));
}

/* Wait until the keyboard acknowledged LED mask @mask. */
static bool leds_become(uint8_t mask)
{
	uint64_t end = clock_monotonic_ns() + WAIT_NS;
	struct ps2_stats st;

	do {
		ps2_get_stats(&st);
		if (st.leds == mask && !st.led_busy)
			return true;
		sleep_ms(1);
	} while (clock_monotonic_ns() < end);
	return false;
}

TEST(ps2, caps_lock_lights_its_led)
{
	static const uint8_t caps[] = { 0x3a, 0xba };
	struct ps2_stats before, after;
	struct key_event ev;

	need_ps2();
	drain_queues();
	ps2_get_stats(&before);
	EXPECT_EQ(before.leds & 4, 0);
	inject(1, caps, sizeof(caps));
	EXPECT_TRUE(input_key_wait(&ev, WAIT_NS));
	EXPECT_EQ(ev.key, KEY_CAPS_LOCK);
	EXPECT_EQ(ev.mods & KEY_MOD_CAPS_LOCK, KEY_MOD_CAPS_LOCK);
	/* The exchange runs on the keyboard's ACK interrupts: 0xED, ACK, mask, ACK. */
	EXPECT_TRUE(leds_become(before.leds | 4));
	inject(1, caps, sizeof(caps));
	EXPECT_TRUE(leds_become(before.leds));
	ps2_get_stats(&after);
	EXPECT_EQ(after.led_updates - before.led_updates, 2);
	EXPECT_EQ(after.led_errors, before.led_errors);
	/* ps2_set_leds() goes the same way. */
	EXPECT_EQ(ps2_set_leds(1), 0);
	EXPECT_TRUE(leds_become(1));
	EXPECT_EQ(ps2_set_leds(before.leds), 0);
	EXPECT_TRUE(leds_become(before.leds));
	drain_queues();
}

TEST(ps2, queue_keeps_order_and_drops_when_full)
{
	struct key_event slots[8], ev;
	struct input_queue q;
	unsigned i, accepted = 0;

	EXPECT_EQ(input_queue_init(&q, "test.q", slots, sizeof(slots[0]), 6), -EINVAL);
	EXPECT_EQ(input_queue_init(&q, "test.q", slots, 0, 8), -EINVAL);
	EXPECT_EQ(input_queue_init(&q, "test.q", slots, sizeof(slots[0]), 8), 0);
	EXPECT_TRUE(!input_queue_pop(&q, &ev));
	for (i = 1; i <= 10; i++) {
		ev = (struct key_event){ .key = (uint16_t)i, .pressed = true };
		accepted += input_queue_push(&q, &ev);
	}
	EXPECT_EQ(accepted, 8);
	EXPECT_EQ(input_queue_count(&q), 8);
	EXPECT_EQ(input_queue_dropped(&q), 2);
	/* The oldest events are the ones kept. */
	for (i = 1; i <= 8; i++) {
		EXPECT_TRUE(input_queue_pop(&q, &ev));
		EXPECT_EQ(ev.key, i);
	}
	EXPECT_TRUE(!input_queue_pop(&q, &ev));
	/* Round the ring many times, one in, one out. */
	for (i = 0; i < 100; i++) {
		ev.key = (uint16_t)(i + 100);
		EXPECT_TRUE(input_queue_push(&q, &ev));
		EXPECT_TRUE(input_queue_pop(&q, &ev));
		EXPECT_EQ(ev.key, i + 100);
	}
	EXPECT_EQ(input_queue_dropped(&q), 2);
}

TEST(ps2, system_queues_order_overflow_and_notify)
{
	struct input_stats before, after;
	struct key_event k;
	struct mouse_event m = { .dx = 7, .dy = -7, .dz = 1, .buttons = MOUSE_BUTTON_RIGHT };
	unsigned i, accepted = 0;

	drain_queues();
	input_get_stats(&before);
	for (i = 0; i < INPUT_QUEUE_LEN + 3; i++) {
		k = (struct key_event){ .key = (uint16_t)(i % KEY_CODE_COUNT), .ascii = 'x' };
		accepted += input_key_push(&k);
	}
	EXPECT_EQ(accepted, INPUT_QUEUE_LEN);
	EXPECT_TRUE(input_mouse_push(&m));
	notified = 0;
	input_set_notify(count_notify, (void *)5);
	input_notify();
	input_set_notify(NULL, NULL);
	input_notify();
	EXPECT_EQ(notified, 5);
	input_get_stats(&after);
	EXPECT_EQ(after.keys_queued, INPUT_QUEUE_LEN);
	EXPECT_EQ(after.mouse_queued, 1);
	EXPECT_EQ(after.keys_dropped - before.keys_dropped, 3);
	EXPECT_EQ(after.notifies - before.notifies, 1);
	for (i = 0; i < INPUT_QUEUE_LEN; i++) {
		EXPECT_TRUE(input_key_pop(&k));
		EXPECT_EQ(k.key, i % KEY_CODE_COUNT);
	}
	EXPECT_TRUE(!input_key_pop(&k));
	m = (struct mouse_event){ 0 };
	EXPECT_TRUE(input_mouse_pop(&m));
	EXPECT_EQ(m.dy, -7);
	EXPECT_EQ(m.buttons, MOUSE_BUTTON_RIGHT);
}

TEST(ps2, wait_times_out_on_an_empty_queue)
{
	struct key_event k;
	uint64_t t0;

	drain_queues();
	t0 = clock_monotonic_ns();
	EXPECT_TRUE(!input_key_wait(&k, 20 * NSEC_PER_MSEC));
	EXPECT_TRUE(clock_monotonic_ns() - t0 >= 20 * NSEC_PER_MSEC);
	EXPECT_TRUE(!input_key_wait(&k, 0));
}

/*
 * End to end with QEMU's own devices: with "ps2-sendkey" on the command
 * line, wait for the host to type "a" (monitor: sendkey a) and move the
 * mouse (mouse_move 10 -5 and mouse_button 1), as tools/cairntest.py can.
 */
TEST(ps2, keys_and_moves_from_qemu)
{
	struct key_event k;
	struct mouse_event m;

	if (!cmdline_has("ps2-sendkey"))
		ktest_skip("needs ps2-sendkey on the command line and a host typing");
	need_ps2();
	drain_queues();
	kprintf("# ps2: waiting for a key and a mouse move\n");
	EXPECT_TRUE(input_key_wait(&k, 20000 * NSEC_PER_MSEC));
	kprintf("# ps2: key %#x pressed %d ascii %#x\n", k.key, k.pressed, k.ascii);
	EXPECT_EQ(k.key, KEY_A);
	EXPECT_TRUE(k.pressed);
	EXPECT_EQ(k.ascii, 'a');
	EXPECT_TRUE(input_key_wait(&k, 1000 * NSEC_PER_MSEC));
	EXPECT_EQ(k.key, KEY_A);
	EXPECT_TRUE(!k.pressed);
	EXPECT_TRUE(input_mouse_wait(&m, 20000 * NSEC_PER_MSEC));
	kprintf("# ps2: mouse dx %d dy %d dz %d buttons %#x\n", m.dx, m.dy, m.dz, m.buttons);
	EXPECT_TRUE(m.dx > 0);
	EXPECT_TRUE(m.dy < 0);
}
