/* SPDX-License-Identifier: MIT */
/*
 * Stage 2's console: every line goes to COM1 (polled, 115200 8N1) and, until
 * the VBE mode set replaces text mode, to the VGA text screen too, so a
 * failure is visible with or without a serial cable. Also the failure path:
 * print the reason, then "cairn: boot failed", then halt for good.
 */
#include <lib/format.h>

#include <stdarg.h>

#include "boot/bios/bios.h"
#include "boot/common/pio.h"

#define VGA_TEXT       ((volatile uint16_t *)low_ptr(0xb8000)) /* 80x25 colour text, attribute:char */
#define VGA_COLS       80
#define VGA_ROWS       25
#define VGA_ATTR       0x0700 /* light grey on black */
#define VGA_CRTC_INDEX 0x3d4  /* colour CRTC address and data ports */
#define VGA_CRTC_DATA  0x3d5
#define BDA_CURSOR     ((volatile uint8_t *)low_ptr(0x450)) /* BDA: page 0 cursor column, row */

static bool text_on;
static unsigned text_row, text_col;

static void text_scroll(void)
{
	for (unsigned i = 0; i < VGA_COLS * (VGA_ROWS - 1); i++)
		VGA_TEXT[i] = VGA_TEXT[i + VGA_COLS];
	for (unsigned i = 0; i < VGA_COLS; i++)
		VGA_TEXT[VGA_COLS * (VGA_ROWS - 1) + i] = VGA_ATTR | ' ';
	text_row = VGA_ROWS - 1;
}

/* Move the blinking cursor to where the next character goes (VGA CRTC registers 0Eh/0Fh). */
static void text_cursor(void)
{
	uint16_t pos = (uint16_t)(text_row * VGA_COLS + text_col);

	loader_outb(VGA_CRTC_INDEX, 0x0e);
	loader_outb(VGA_CRTC_DATA, (uint8_t)(pos >> 8));
	loader_outb(VGA_CRTC_INDEX, 0x0f);
	loader_outb(VGA_CRTC_DATA, (uint8_t)pos);
}

static void text_putc(char c)
{
	if (c == '\n') {
		text_col = 0;
		if (++text_row >= VGA_ROWS)
			text_scroll();
		return;
	}
	if (c == '\r')
		return;
	VGA_TEXT[text_row * VGA_COLS + text_col] = VGA_ATTR | (uint8_t)c;
	if (++text_col >= VGA_COLS) {
		text_col = 0;
		if (++text_row >= VGA_ROWS)
			text_scroll();
	}
}

/* COM1 at 115200 8N1 with FIFOs, no interrupts (PC16550D datasheet, register set). */
void console_init(void)
{
	loader_serial_init();

	/* Continue below whatever the BIOS printed, at its cursor. */
	text_col = 0;
	text_row = BDA_CURSOR[1] + 1;
	if (text_row >= VGA_ROWS)
		text_scroll();
	text_on = true;
}

void console_puts(const char *s)
{
	for (; *s; s++) {
		loader_serial_putc(*s);
		if (text_on)
			text_putc(*s);
	}
	if (text_on)
		text_cursor();
}

/* The text buffer is gone once a graphics mode is set. */
void console_text_off(void)
{
	text_on = false;
}

static void env_puts(void *ctx, const char *s)
{
	console_puts(s);
}

static uint64_t env_alloc(void *ctx, size_t npages, uint64_t align, enum loader_alloc_kind kind)
{
	return mem_alloc_kind((uint64_t)npages * 4096, align, kind);
}

const struct loader_env bios_env = {
	.ctx = NULL,
	.alloc_pages = env_alloc,
	.puts = env_puts,
};

static void sink(void *ctx, const char *s, size_t len)
{
	char buf[64];

	while (len) {
		size_t n = len < sizeof(buf) - 1 ? len : sizeof(buf) - 1;

		for (size_t i = 0; i < n; i++)
			buf[i] = s[i];
		buf[n] = '\0';
		console_puts(buf);
		s += n;
		len -= n;
	}
}

static void vlog(const char *fmt, va_list ap)
{
	console_puts("bios: ");
	fmt_vformat(sink, NULL, fmt, ap);
}

/* Print one "bios: "-prefixed log line (the format supplies the newline). */
void bios_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

/* Interrupts off and halted forever: never a reboot loop. */
void bios_halt(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* Print the reason and the failure line, then halt. */
void bios_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
	console_puts("cairn: boot failed\n");
	bios_halt();
}
