/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for lib/tty/ldisc.c: the input is a script of typed
 * bytes, with 0xff n reading n bytes, 0xfe switching mode, 0xfd f setting
 * the flags to f and 0xfc k v changing the termios (fuzz_termios()). Checks that reads stay in bounds, that a canonical read
 * holds at most one line, and that ldisc_readable() tells the truth.
 */
#include <lib/tty/ldisc.h>

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t fuzz_out_bytes;

static void fuzz_sink(void *ctx, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		fuzz_out_bytes += (unsigned char)s[i] != 0;
}

static void fuzz_read(struct ldisc *ld, size_t n)
{
	static uint8_t buf[LDISC_QUEUE_SIZE + 16];
	bool readable = ldisc_readable(ld), canonical = ldisc_canonical(ld);
	long got;
	size_t i;

	buf[n] = 0xa5;
	got = ldisc_read(ld, buf, n);
	if (buf[n] != 0xa5 || got > (long)n || (got == -EAGAIN) != (readable ? false : n > 0))
		abort();
	for (i = 0; got > 0 && canonical && i + 1 < (size_t)got; i++)
		if (buf[i] == '\n')
			abort();
	if (ldisc_queued(ld) > LDISC_QUEUE_SIZE)
		abort();
}

/* Script byte 0xfc k v: control character slot k gets v, or (k >= NCCS) a flag word's bits flip. */
static void fuzz_termios(struct ldisc *ld, uint8_t k, uint8_t v)
{
	struct termios t = *ldisc_termios(ld);

	if (k < NCCS)
		t.c_cc[k] = v;
	else if (k & 1)
		t.c_lflag ^= (uint32_t)v << (k & 8);
	else
		t.c_iflag ^= (uint32_t)v << (k & 8);
	ldisc_set_termios(ld, &t);
}

/* libFuzzer entry point: run @data as a script (see the file comment). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ldisc ld;
	size_t i;

	ldisc_init(&ld, fuzz_sink, NULL);
	for (i = 0; i < size; i++) {
		if (data[i] == 0xff && i + 1 < size) {
			fuzz_read(&ld, (size_t)data[++i] * 17 % (LDISC_QUEUE_SIZE + 1));
		} else if (data[i] == 0xfe) {
			ldisc_set_mode(&ld, ldisc_canonical(&ld) ? LDISC_RAW : LDISC_CANONICAL);
		} else if (data[i] == 0xfd && i + 1 < size) {
			ldisc_set_flags(&ld, data[++i]);
		} else if (data[i] == 0xfc && i + 2 < size) {
			fuzz_termios(&ld, data[i + 1], data[i + 2]);
			i += 2;
		} else {
			ldisc_input(&ld, data[i]);
		}
	}
	/* Whatever is readable drains in finitely many reads. */
	for (i = 0; ldisc_readable(&ld); i++) {
		if (i > LDISC_QUEUE_SIZE + LDISC_MARKS)
			abort();
		fuzz_read(&ld, 7);
	}
	return 0;
}
