// SPDX-License-Identifier: MIT
/*
 * Framebuffer drawing through the direct map. Pixels are packed from the
 * loader's channel shifts and sizes, so any GOP or VBE layout works.
 */
#include "dev/fb.h"

#include <stddef.h>

#include "core/kmain.h"
#include "core/log.h"
#include "dev/font.h"
#include "mm/vm.h"

static struct {
	struct boot_framebuffer info; /* [I] */
	uint8_t *base;                /* [I] direct-map address of pixel (0,0); NULL if none */
	uint32_t bytes_pp;            /* [I] */
} fb;

const struct boot_framebuffer *fb_info(void)
{
	return fb.base ? &fb.info : NULL;
}

bool fb_present(void)
{
	return fb.base != NULL;
}

bool fb_init(const struct boot_framebuffer *info)
{
	if (!info->phys_base || info->width == 0 || info->height == 0)
		return false;
	if (info->bpp != 32 && info->bpp != 24 && info->bpp != 16) {
		pr_warn("fb: %u bits per pixel not supported", info->bpp);
		return false;
	}
	if (info->pitch < info->width * (info->bpp / 8)) {
		pr_warn("fb: framebuffer geometry out of range; not used");
		return false;
	}
	/* Write-combining: the CPU merges pixel stores into bursts. */
	fb.base = vm_map_mmio(info->phys_base, (size_t)info->pitch * info->height, VM_CACHE_WC);
	if (!fb.base) {
		pr_warn("fb: cannot map the framebuffer");
		return false;
	}
	fb.info = *info;
	fb.bytes_pp = info->bpp / 8;
	pr_info("fb: %ux%u, %u bpp, pitch %u, at %#llx, write-combining", info->width, info->height,
	        info->bpp, info->pitch, (unsigned long long)info->phys_base);
	return true;
}

static uint32_t channel(uint32_t rgb, unsigned from, uint8_t shift, uint8_t bits)
{
	uint32_t v = (rgb >> from) & 0xff;

	return bits ? (v >> (8 - (bits > 8 ? 8 : bits))) << shift : 0;
}

static uint32_t pack(uint32_t rgb)
{
	const struct boot_framebuffer *i = &fb.info;

	return channel(rgb, 16, i->red_shift, i->red_bits) |
	       channel(rgb, 8, i->green_shift, i->green_bits) |
	       channel(rgb, 0, i->blue_shift, i->blue_bits);
}

static void put_pixel(uint32_t x, uint32_t y, uint32_t px)
{
	uint8_t *p = fb.base + (uint64_t)y * fb.info.pitch + (uint64_t)x * fb.bytes_pp;

	if (fb.bytes_pp == 4) {
		*(volatile uint32_t *)p = px;
	} else if (fb.bytes_pp == 3) {
		p[0] = px & 0xff;
		p[1] = (px >> 8) & 0xff;
		p[2] = (px >> 16) & 0xff;
	} else {
		*(volatile uint16_t *)p = (uint16_t)px;
	}
}

void fb_fill(uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint32_t rgb)
{
	uint32_t px = pack(rgb), i, j;

	if (!fb.base || x >= fb.info.width || y >= fb.info.height)
		return;
	if (w > fb.info.width - x)
		w = fb.info.width - x;
	if (h > fb.info.height - y)
		h = fb.info.height - y;
	for (j = 0; j < h; j++)
		for (i = 0; i < w; i++)
			put_pixel(x + i, y + j, px);
}

static void draw_glyph(uint32_t x, uint32_t y, uint8_t ch, uint32_t rgb, uint32_t scale)
{
	const struct font *f = &font_default;
	const uint8_t *g = f->glyphs + (uint32_t)ch * f->stride * f->height;
	uint32_t row, col;

	for (row = 0; row < f->height; row++)
		for (col = 0; col < f->width; col++)
			if (g[row * f->stride + col / 8] & (0x80 >> (col % 8)))
				fb_fill(x + col * scale, y + row * scale, scale, scale, rgb);
}

void fb_text(uint32_t x, uint32_t y, const char *s, uint32_t rgb, uint32_t scale)
{
	for (; *s; s++, x += font_default.width * scale)
		draw_glyph(x, y, (uint8_t)*s, rgb, scale);
}

void fb_banner(const char *title)
{
	if (!fb.base)
		return;
	fb_fill(0, 0, fb.info.width, fb.info.height, 0x101820);
	fb_fill(0, 0, fb.info.width, 4, 0xd08040);
	fb_text(32, 32, title, 0xf0e6d2, 4);
	fb_text(32, 32 + font_default.height * 4 + 16,
	        "x86_64 kernel: serial console on COM1, 115200 8N1", 0xa0b0c0, 1);
}
