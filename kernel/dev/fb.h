/* SPDX-License-Identifier: MIT */
/*
 * The linear framebuffer from the boot loader (GOP or VBE): pixel
 * drawing and text with the default font. The console issue builds the
 * full terminal on top of this.
 */
#pragma once

#include <cairn/boot.h>

#include <stdbool.h>
#include <stdint.h>

/* Take over the framebuffer described by @fb. Returns false when there is none usable. */
bool fb_init(const struct boot_framebuffer *fb);
bool fb_present(void);
/* The framebuffer in use, or NULL. */
const struct boot_framebuffer *fb_info(void);
/* Fill a rectangle with an 0xRRGGBB colour (clipped to the screen). */
void fb_fill(uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint32_t rgb);
/* Draw @s with the default font at (@x, @y), each font pixel @scale screen pixels. */
void fb_text(uint32_t x, uint32_t y, const char *s, uint32_t rgb, uint32_t scale);
/* Clear the screen and draw the boot banner with @title. */
void fb_banner(const char *title);
