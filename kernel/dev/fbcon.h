/* SPDX-License-Identifier: MIT */
/*
 * The text console on the framebuffer: lib/vt interprets the bytes (UTF-8
 * text, the ANSI/ECMA-48 subset a shell needs, 16 colours) and this driver
 * draws its cells with the Terminus font of dev/font.h at whatever
 * resolution and pixel format the loader left (16, 24 or 32 bpp).
 *
 * Drawing goes to a shadow copy of the text area in RAM, kept as a ring of
 * text rows, so scrolling moves no pixels and redraws no glyph; at the end
 * of each write the changed rectangle (the whole text area after a scroll)
 * is copied to the write-combining framebuffer, which is only ever written,
 * never read. Without memory for the shadow it draws to the framebuffer
 * directly and scrolls by moving its scan lines.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Start the console on the framebuffer fb_init() took over: clear the
 * screen (below a top reserved with fbcon_reserve_top()), put the cursor home. Returns false when there is no framebuffer,
 * it is too small for one cell, or memory ran out. Call from boot code
 * (may allocate and map memory; not for IRQ context); calls after the first
 * successful one return true and change nothing.
 */
bool fbcon_init(void);
bool fbcon_present(void);

/*
 * Before fbcon_init(): leave the top @pixels scan lines (the boot banner of
 * fb_banner()) alone and start the text grid below them, and show colour 0,
 * the default background, as @bg_rgb (0xRRGGBB) so the text area continues
 * the banner's background. @pixels at or past the screen's height means no
 * margin. Returns 0, or -EBUSY once the console is up (nothing changes).
 * Boot CPU, before fbcon_init().
 */
int fbcon_reserve_top(uint32_t pixels, uint32_t bg_rgb);

/*
 * Interpret and draw @n bytes of @s (see lib/vt/vt.h for what is understood).
 * LF also returns to column 0 until the program sends CSI 20 l. Safe from
 * any CPU and from IRQ context; takes the console lock with interrupts off
 * for at most a few KiB at a time. A CPU that is panicking, or that faulted
 * while holding the lock, writes without it. Does nothing without fbcon_init().
 */
void fbcon_write(const char *s, size_t n);

/* Reset the terminal (as ESC c): default colours, blank screen, cursor home. */
void fbcon_clear(void);

/* The text grid's size in cells (0 before fbcon_init()). */
unsigned fbcon_cols(void);
unsigned fbcon_rows(void);

/* For tests and benchmarks. */

/* The pixel at (@x, @y) as stored in the framebuffer (packed, bpp/8 bytes), 0 if outside. */
uint32_t fbcon_read_pixel(uint32_t x, uint32_t y);

/* Palette entry @colour (0-15) packed in the framebuffer's pixel format. */
uint32_t fbcon_colour_pixel(unsigned colour);

/* How the console reaches the screen. */
struct fbcon_mode {
	void *fb;    /* a mapping of the whole framebuffer (its own WC one by default) */
	bool shadow; /* draw into the RAM shadow and copy out, or draw on @fb directly */
};

/* The mode in use. */
void fbcon_get_mode(struct fbcon_mode *mode);

/*
 * Draw through @mode from now on (a benchmark passes a UC mapping of the
 * same framebuffer, or turns the shadow off), redrawing the screen through
 * it. Stores the mode in use before in *@old if @old is not NULL. Returns 0,
 * -ENODEV (no console), -EINVAL (@mode->fb is NULL) or -ENOMEM (@mode->shadow
 * but there is no shadow). Takes the console lock.
 */
int fbcon_set_mode(const struct fbcon_mode *mode, struct fbcon_mode *old);
