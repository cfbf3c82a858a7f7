/* SPDX-License-Identifier: MIT */
/*
 * A bitmap font for the framebuffer: 256 glyphs indexed by Latin-1 code
 * point, rows of @stride bytes, most significant bit leftmost. The default
 * font is generated at build time from a Debian console font (Terminus).
 */
#pragma once

#include <stdint.h>

struct font {
	uint32_t width;  /* pixels */
	uint32_t height; /* pixels */
	uint32_t stride; /* bytes per glyph row */
	const uint8_t *glyphs;
};

extern const struct font font_default;
