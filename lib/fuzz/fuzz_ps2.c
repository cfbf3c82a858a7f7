// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for lib/input's PS/2 decoders: every input is a byte
 * stream from a keyboard and, separately, from a mouse whose packet format
 * the first byte picks. Whatever arrives, the decoders must not fault and
 * every event must stay in range. Links lib/input/ps2kbd.c, ps2mouse.c and
 * keymap.c.
 */
#include <lib/input/ps2.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ps2kbd k;
	struct ps2mouse m;
	struct key_event ke;
	struct mouse_event me;
	size_t i;

	if (size == 0)
		return 0;
	ps2kbd_init(&k);
	ps2mouse_init(&m, data[0] % 5);
	for (i = 1; i < size; i++) {
		if (ps2kbd_feed(&k, data[i], &ke)) {
			check(ke.key != KEY_NONE && ke.key < KEY_CODE_COUNT);
			check(ke.pressed || ke.ascii == 0);
			check(key_state_is_down(&k.keys, ke.key) == ke.pressed);
		}
		if (ps2mouse_feed(&m, data[i], &me)) {
			check(me.dx >= -256 && me.dx <= 255 && me.dy >= -255 && me.dy <= 256);
			check(me.dz >= -128 && me.dz <= 128 && me.buttons < 32);
		}
	}
	return 0;
}
