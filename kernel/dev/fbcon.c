// SPDX-License-Identifier: MIT
/*
 * The framebuffer text console (dev/fbcon.h): the ops lib/vt draws through,
 * rendering glyphs of font_default into a RAM shadow of the text area that
 * is a ring of text rows (scrolling advances the ring), and the copy of the
 * changed rectangle to the framebuffer after each write. Pixels are packed
 * from the loader's channel shifts and sizes, so any GOP or VBE layout of
 * 16, 24 or 32 bits works. Leftover pixels right of and below the grid stay
 * in the background colour. The glyphs are Terminus Font's, under the SIL
 * OFL 1.1 (kernel/dev/font-LICENSE).
 *
 * Locks: [L] fbcon.lock; [I] written by fbcon_init() before ready is set.
 */
#include "dev/fbcon.h"

#include <cairn/errno.h>

#include <lib/string.h>
#include <lib/vt.h>

#include "core/log.h"
#include "core/percpu.h"
#include "core/smp.h"
#include "dev/fb.h"
#include "dev/font.h"
#include "mm/heap.h"
#include "mm/vm.h"
#include "sched/spinlock.h"

#define PAGE 4096ull

/* Larger shadows (beyond 2560x1600 at 32 bpp) are not worth the RAM: draw directly. */
#define FBCON_SHADOW_MAX (16ull << 20)
/* Bytes interpreted per hold of the lock, which keeps interrupts off. */
#define FBCON_CHUNK      4096

/*
 * The 16 colours in ANSI order (black, red, green, yellow, blue, magenta,
 * cyan, white, then the bright ones) with the IBM VGA text-mode RGB values,
 * which Linux's console also uses by default (drivers/tty/vt/vt.c,
 * default_red/grn/blu). Colour 3 is the VGA's brown, 0xaa5500.
 */
static const uint32_t fbcon_rgb[VT_COLOURS] = {
	0x000000, 0xaa0000, 0x00aa00, 0xaa5500, 0x0000aa, 0xaa00aa, 0x00aaaa, 0xaaaaaa,
	0x555555, 0xff5555, 0x55ff55, 0xffff55, 0x5555ff, 0xff55ff, 0x55ffff, 0xffffff,
};

static struct {
	struct spinlock lock;
	bool ready;                   /* [I] set last, under the lock */
	struct vt vt;                 /* [L] */
	uint8_t *fb;                  /* [L] mapping drawn through: wc, or a benchmark's */
	bool use_shadow;              /* [L] draw into the shadow, then copy to fb */
	unsigned top;                 /* [L] shadow slot (text row) that shows screen row 0 */
	unsigned d_col0, d_col1;      /* [L] changed cells since the last copy-out: columns */
	unsigned d_row0, d_row1;      /* [L] and rows, half-open; d_row0 >= d_row1 when none */
	uint8_t *wc;                  /* [I] our write-combining mapping of the framebuffer */
	uint8_t *shadow;              /* [I] rows * cell_h scan lines of line_bytes, or NULL */
	struct vt_cell *cells;        /* [I] the grid, cols * rows */
	unsigned cols, rows;          /* [I] text grid */
	uint32_t cell_w, cell_h;      /* [I] pixels per cell, from the font */
	uint32_t width, height;       /* [I] screen, pixels */
	uint32_t bytes_pp;            /* [I] 2, 3 or 4 */
	uint32_t pitch;               /* [I] framebuffer bytes per scan line */
	size_t line_bytes;            /* [I] shadow bytes per scan line: cols * cell_w * bytes_pp */
	uint32_t palette[VT_COLOURS]; /* [I] fbcon_rgb packed for the framebuffer */
	uint32_t origin_y;            /* [I] first scan line of the text area (fbcon_reserve_top) */
	bool bg_custom;               /* [I] colour 0 is bg_rgb rather than black */
	uint32_t bg_rgb;              /* [I] 0xRRGGBB */
} fbcon = { .lock = SPINLOCK_INIT("fbcon") };

/*
 * One 8-bit channel of @rgb scaled to @bits bits at @shift: the field sizes
 * and positions of GOP's EFI_PIXEL_BITMASK (UEFI 2.10, 12.9) and of VBE
 * 3.0's mode info block (RedMaskSize, RedFieldPosition...), as the loaders
 * hand them over in struct boot_framebuffer.
 */
static uint32_t channel(uint32_t rgb, unsigned from, uint8_t shift, uint8_t bits)
{
	uint32_t v = (rgb >> from) & 0xff;

	if (bits == 0 || bits > 16 || shift >= 32)
		return 0;
	v = bits <= 8 ? v >> (8 - bits) : v << (bits - 8);
	return v << shift;
}

static uint32_t pack(const struct boot_framebuffer *i, uint32_t rgb)
{
	return channel(rgb, 16, i->red_shift, i->red_bits) |
	       channel(rgb, 8, i->green_shift, i->green_bits) |
	       channel(rgb, 0, i->blue_shift, i->blue_bits);
}

static inline void store_px(uint8_t *p, uint32_t px, uint32_t bytes_pp)
{
	if (bytes_pp == 4) {
		*(uint32_t *)p = px;
	} else if (bytes_pp == 3) {
		p[0] = px & 0xff;
		p[1] = (px >> 8) & 0xff;
		p[2] = (px >> 16) & 0xff;
	} else {
		*(uint16_t *)p = (uint16_t)px;
	}
}

static void fill_px(uint8_t *p, uint32_t px, size_t n, uint32_t bytes_pp)
{
	size_t i;

	if (bytes_pp == 4) {
		for (i = 0; i < n; i++)
			((uint32_t *)p)[i] = px;
		return;
	}
	for (i = 0; i < n; i++, p += bytes_pp)
		store_px(p, px, bytes_pp);
}

/* Scan line @line of the text area on the screen mapping drawn through. */
static uint8_t *screen_line_locked(size_t line) __must_hold(&fbcon.lock)
{
	return fbcon.fb + (fbcon.origin_y + line) * fbcon.pitch;
}

/* Scan line @y of text row @row on the surface being drawn: the shadow ring or the screen. */
static uint8_t *row_line_locked(unsigned row, uint32_t y) __must_hold(&fbcon.lock)
{
	unsigned slot;

	if (!fbcon.use_shadow)
		return screen_line_locked((size_t)row * fbcon.cell_h + y);
	slot = fbcon.top + row;
	if (slot >= fbcon.rows)
		slot -= fbcon.rows;
	return fbcon.shadow + ((size_t)slot * fbcon.cell_h + y) * fbcon.line_bytes;
}

static void mark_dirty_locked(unsigned col, unsigned row, unsigned ncols, unsigned nrows)
	__must_hold(&fbcon.lock)
{
	if (!fbcon.use_shadow)
		return;
	if (fbcon.d_row0 >= fbcon.d_row1) {
		fbcon.d_col0 = col;
		fbcon.d_col1 = col + ncols;
		fbcon.d_row0 = row;
		fbcon.d_row1 = row + nrows;
		return;
	}
	if (col < fbcon.d_col0)
		fbcon.d_col0 = col;
	if (col + ncols > fbcon.d_col1)
		fbcon.d_col1 = col + ncols;
	if (row < fbcon.d_row0)
		fbcon.d_row0 = row;
	if (row + nrows > fbcon.d_row1)
		fbcon.d_row1 = row + nrows;
}

/* Copy the changed rectangle of the shadow to the screen: stores only, no framebuffer reads. */
static void flush_locked(void) __must_hold(&fbcon.lock)
{
	size_t x, len;
	unsigned r;
	uint32_t y;

	if (!fbcon.use_shadow || fbcon.d_row0 >= fbcon.d_row1)
		return;
	x = (size_t)fbcon.d_col0 * fbcon.cell_w * fbcon.bytes_pp;
	len = (size_t)(fbcon.d_col1 - fbcon.d_col0) * fbcon.cell_w * fbcon.bytes_pp;
	for (r = fbcon.d_row0; r < fbcon.d_row1; r++)
		for (y = 0; y < fbcon.cell_h; y++)
			memcpy(screen_line_locked((size_t)r * fbcon.cell_h + y) + x,
			       row_line_locked(r, y) + x, len);
	fbcon.d_row0 = fbcon.d_row1 = 0;
}

/* vt op: one glyph, font bits MSB first (dev/font.h). */
static void op_draw_locked(void *ctx, unsigned col, unsigned row, uint8_t ch, uint8_t fg,
                           uint8_t bg) __must_hold(&fbcon.lock)
{
	const struct font *f = &font_default;
	const uint8_t *g = f->glyphs + (size_t)ch * f->stride * f->height;
	uint32_t fgp = fbcon.palette[fg & 15], bgp = fbcon.palette[bg & 15];
	uint32_t bpp = fbcon.bytes_pp, y, i;
	size_t x = (size_t)col * fbcon.cell_w * bpp;
	uint8_t *p;

	for (y = 0; y < fbcon.cell_h; y++, g += f->stride) {
		p = row_line_locked(row, y) + x;
		for (i = 0; i < fbcon.cell_w; i++, p += bpp)
			store_px(p, (g[i / 8] & (0x80 >> (i % 8))) ? fgp : bgp, bpp);
	}
	mark_dirty_locked(col, row, 1, 1);
}

/* vt op: fill whole cells with a background colour. */
static void op_clear_locked(void *ctx, unsigned col, unsigned row, unsigned ncols, unsigned nrows,
                            uint8_t bg) __must_hold(&fbcon.lock)
{
	uint32_t px = fbcon.palette[bg & 15], y;
	size_t x = (size_t)col * fbcon.cell_w * fbcon.bytes_pp;
	unsigned r;

	for (r = row; r < row + nrows; r++)
		for (y = 0; y < fbcon.cell_h; y++)
			fill_px(row_line_locked(r, y) + x, px, (size_t)ncols * fbcon.cell_w,
			        fbcon.bytes_pp);
	mark_dirty_locked(col, row, ncols, nrows);
}

/*
 * vt op: scroll the text up @n rows. With the shadow, the ring turns and
 * only the new rows are cleared; the copy-out then rewrites the screen
 * once per write, however many lines scrolled.
 */
static void op_scroll_locked(void *ctx, unsigned n, uint8_t bg) __must_hold(&fbcon.lock)
{
	size_t row_bytes = (size_t)fbcon.cell_h * fbcon.pitch;

	if (fbcon.use_shadow) {
		fbcon.top = (fbcon.top + n) % fbcon.rows;
		mark_dirty_locked(0, 0, fbcon.cols, fbcon.rows);
	} else {
		memmove(screen_line_locked(0), screen_line_locked(0) + n * row_bytes,
		        (fbcon.rows - n) * row_bytes);
	}
	op_clear_locked(ctx, 0, fbcon.rows - n, fbcon.cols, n, bg);
}

static const struct vt_ops fbcon_ops = {
	.draw_cell = op_draw_locked,
	.clear = op_clear_locked,
	.scroll_up = op_scroll_locked,
};

/*
 * Take the console lock, except on a CPU that is reporting a panic (the
 * other CPUs are stopped, one maybe holding it) or that already holds it
 * (a fault while drawing), as the log does. Returns whether it was taken.
 */
static bool fbcon_lock_take(uint64_t *flags) __no_thread_safety_analysis
{
	int panicking = smp_panic_cpu();

	if ((panicking >= 0 && (unsigned)panicking == arch_cpu_index()) || spin_held(&fbcon.lock))
		return false;
	*flags = spin_lock_irqsave(&fbcon.lock);
	return true;
}

static void fbcon_lock_give(bool taken, uint64_t flags) __no_thread_safety_analysis
{
	if (taken)
		spin_unlock_irqrestore(&fbcon.lock, flags);
}

/* Geometry and palette from the framebuffer and the font. Returns false if no cell fits. */
static bool setup_geometry(const struct boot_framebuffer *info)
{
	const struct font *f = &font_default;
	unsigned i;

	fbcon.cell_w = f->width;
	fbcon.cell_h = f->height;
	fbcon.width = info->width;
	fbcon.height = info->height;
	fbcon.bytes_pp = info->bpp / 8;
	fbcon.pitch = info->pitch;
	if (fbcon.origin_y >= info->height)
		fbcon.origin_y = 0;
	fbcon.cols = info->width / f->width;
	fbcon.rows = (info->height - fbcon.origin_y) / f->height;
	if (fbcon.cols > VT_MAX_COLS)
		fbcon.cols = VT_MAX_COLS;
	if (fbcon.rows > VT_MAX_ROWS)
		fbcon.rows = VT_MAX_ROWS;
	fbcon.line_bytes = (size_t)fbcon.cols * fbcon.cell_w * fbcon.bytes_pp;
	for (i = 0; i < VT_COLOURS; i++)
		fbcon.palette[i] = pack(info, fbcon_rgb[i]);
	if (fbcon.bg_custom)
		fbcon.palette[0] = pack(info, fbcon.bg_rgb);
	return fbcon.cols > 0 && fbcon.rows > 0;
}

/* Map the screen and allocate the grid and (if not too large) the shadow. */
static bool setup_memory(const struct boot_framebuffer *info)
{
	size_t shadow = fbcon.line_bytes * fbcon.rows * fbcon.cell_h;

	fbcon.wc = vm_map_mmio(info->phys_base, (size_t)info->pitch * info->height, VM_CACHE_WC);
	fbcon.cells = kmalloc_flags((size_t)fbcon.cols * fbcon.rows * sizeof(struct vt_cell),
	                            KM_MAY_FAIL);
	if (!fbcon.wc || !fbcon.cells)
		return false;
	fbcon.shadow = NULL;
	if (shadow <= FBCON_SHADOW_MAX)
		fbcon.shadow = vm_alloc_pages((shadow + PAGE - 1) / PAGE, PT_WRITE);
	return true;
}

/* Clear the screen below the reserved top, margins included, and start the terminal on it. */
static bool start_locked(void) __must_hold(&fbcon.lock)
{
	struct vt_setup s = {
		.ops = &fbcon_ops,
		.cells = fbcon.cells,
		.cols = fbcon.cols,
		.rows = fbcon.rows,
		.newline_mode = true, /* kernel text ends lines with a bare LF */
	};
	uint32_t y;

	fbcon.fb = fbcon.wc;
	fbcon.use_shadow = fbcon.shadow != NULL;
	fbcon.top = 0;
	fbcon.d_row0 = fbcon.d_row1 = 0;
	for (y = fbcon.origin_y; y < fbcon.height; y++)
		fill_px(fbcon.wc + (size_t)y * fbcon.pitch, fbcon.palette[VT_DEFAULT_BG],
		        fbcon.width, fbcon.bytes_pp);
	if (vt_init(&fbcon.vt, &s))
		return false;
	flush_locked();
	return true;
}

bool fbcon_init(void)
{
	const struct boot_framebuffer *info = fb_info();
	uint64_t flags;
	bool ok;

	if (fbcon.ready)
		return true;
	if (!info || !setup_geometry(info))
		return false;
	if (!setup_memory(info)) {
		pr_warn("fbcon: out of memory for a %ux%u console", fbcon.cols, fbcon.rows);
		return false;
	}
	flags = spin_lock_irqsave(&fbcon.lock);
	ok = start_locked();
	fbcon.ready = ok;
	spin_unlock_irqrestore(&fbcon.lock, flags);
	if (ok)
		pr_info("fbcon: %ux%u cells of %ux%u pixels, %s", fbcon.cols, fbcon.rows,
		        fbcon.cell_w, fbcon.cell_h,
		        fbcon.shadow ? "shadow in RAM" : "drawing on the framebuffer");
	return ok;
}

int fbcon_reserve_top(uint32_t pixels, uint32_t bg_rgb)
{
	if (fbcon.ready)
		return -EBUSY;
	fbcon.origin_y = pixels;
	fbcon.bg_custom = true;
	fbcon.bg_rgb = bg_rgb & 0xffffff;
	return 0;
}

bool fbcon_present(void)
{
	return fbcon.ready;
}

/* The lock is taken conditionally (fbcon_lock_take), which the analysis cannot follow. */
void fbcon_write(const char *s, size_t n) __no_thread_safety_analysis
{
	uint64_t flags = 0;
	size_t k;
	bool taken;

	while (n > 0 && fbcon.ready) {
		k = n < FBCON_CHUNK ? n : FBCON_CHUNK;
		taken = fbcon_lock_take(&flags);
		vt_write(&fbcon.vt, s, k);
		flush_locked();
		fbcon_lock_give(taken, flags);
		s += k;
		n -= k;
	}
}

void fbcon_clear(void) __no_thread_safety_analysis
{
	uint64_t flags = 0;
	bool taken;

	if (!fbcon.ready)
		return;
	taken = fbcon_lock_take(&flags);
	vt_reset(&fbcon.vt);
	flush_locked();
	fbcon_lock_give(taken, flags);
}

unsigned fbcon_cols(void)
{
	return fbcon.ready ? fbcon.cols : 0;
}

unsigned fbcon_rows(void)
{
	return fbcon.ready ? fbcon.rows : 0;
}

uint32_t fbcon_read_pixel(uint32_t x, uint32_t y)
{
	const volatile uint8_t *p;
	uint32_t v = 0, i;

	if (!fbcon.ready || x >= fbcon.width || y >= fbcon.height)
		return 0;
	p = fbcon.wc + (size_t)y * fbcon.pitch + (size_t)x * fbcon.bytes_pp;
	for (i = 0; i < fbcon.bytes_pp; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

uint32_t fbcon_colour_pixel(unsigned colour)
{
	return fbcon.palette[colour % VT_COLOURS];
}

void fbcon_get_mode(struct fbcon_mode *mode)
{
	uint64_t flags = spin_lock_irqsave(&fbcon.lock);

	*mode = (struct fbcon_mode){ fbcon.fb, fbcon.use_shadow };
	spin_unlock_irqrestore(&fbcon.lock, flags);
}

int fbcon_set_mode(const struct fbcon_mode *mode, struct fbcon_mode *old)
{
	uint64_t flags;

	if (!fbcon.ready)
		return -ENODEV;
	if (!mode->fb)
		return -EINVAL;
	if (mode->shadow && !fbcon.shadow)
		return -ENOMEM;
	flags = spin_lock_irqsave(&fbcon.lock);
	if (old)
		*old = (struct fbcon_mode){ fbcon.fb, fbcon.use_shadow };
	fbcon.fb = mode->fb;
	fbcon.use_shadow = mode->shadow;
	fbcon.top = 0;
	fbcon.d_row0 = fbcon.d_row1 = 0;
	vt_redraw(&fbcon.vt);
	flush_locked();
	spin_unlock_irqrestore(&fbcon.lock, flags);
	return 0;
}
