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
 *
 * Each console is a struct fbcon: the one on the screen (fbcon_init(),
 * fbcon_screen()) and any number of private ones drawing into memory
 * (fbcon_create()), which tests use so that they neither depend on nor
 * disturb what the screen shows.
 */
#pragma once

#include <cairn/boot.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fbcon;

/*
 * Start the console on the framebuffer fb_init() took over: clear the
 * screen (below a top reserved with fbcon_reserve_top()), put the cursor
 * home. Returns false when there is no framebuffer, it is too small for one
 * cell, or memory ran out. Call from boot code (may allocate and map memory;
 * not for IRQ context); calls after the first successful one return true and
 * change nothing.
 */
bool fbcon_init(void);

/* The console on the screen, or NULL before fbcon_init() succeeded. */
struct fbcon *fbcon_screen(void);

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
 * A private console drawing into @pixels, memory laid out as @layout says
 * (width, height, pitch, bpp and channel positions; phys_base is not used),
 * with a shadow in RAM and no reserved top. Returns NULL when no cell fits
 * or memory ran out. Nothing else writes to it: tests read back exactly
 * what they drew. May allocate; not for IRQ context.
 */
struct fbcon *fbcon_create(const struct boot_framebuffer *layout, void *pixels);

/* Free a console from fbcon_create() (not @pixels); NULL and the screen's are ignored. */
void fbcon_destroy(struct fbcon *c);

/*
 * Interpret and draw @n bytes of @s on @c (see lib/vt/vt.h for what is
 * understood). LF also returns to column 0 until the program sends CSI 20 l.
 * Safe from any CPU and from IRQ context; takes the console lock with
 * interrupts off for at most a few KiB at a time. A CPU that is panicking,
 * or that faulted while holding the lock, writes without it. Does nothing
 * when @c is NULL.
 */
void fbcon_write(struct fbcon *c, const char *s, size_t n);

/* Reset the terminal (as ESC c): default colours, blank screen, cursor home. */
void fbcon_clear(struct fbcon *c);

/* The text grid's size in cells (0 when @c is NULL). */
unsigned fbcon_cols(const struct fbcon *c);
unsigned fbcon_rows(const struct fbcon *c);

/* For tests and benchmarks. */

/* The first scan line of the text grid (below the screen's reserved top). */
uint32_t fbcon_origin_y(const struct fbcon *c);

/* The pixel at (@x, @y) as stored in @c's pixels (packed, bpp/8 bytes), 0 if outside. */
uint32_t fbcon_read_pixel(const struct fbcon *c, uint32_t x, uint32_t y);

/* Palette entry @colour (0-15) packed in @c's pixel format. */
uint32_t fbcon_colour_pixel(const struct fbcon *c, unsigned colour);

/* How the console reaches its pixels. */
struct fbcon_mode {
	void *fb;    /* a mapping of all the pixels (the screen's own WC one by default) */
	bool shadow; /* draw into the RAM shadow and copy out, or draw on @fb directly */
};

/* The mode @c uses. Takes the console lock. */
void fbcon_get_mode(struct fbcon *c, struct fbcon_mode *mode);

/*
 * Draw @c through @mode from now on (a benchmark passes a UC mapping of the
 * same framebuffer, or turns the shadow off), redrawing the screen through
 * it. Stores the mode in use before in *@old if @old is not NULL. Returns 0,
 * -ENODEV (no console), -EINVAL (@mode->fb is NULL) or -ENOMEM (@mode->shadow
 * but there is no shadow). Takes the console lock.
 */
int fbcon_set_mode(struct fbcon *c, const struct fbcon_mode *mode, struct fbcon_mode *old);
