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
 * Locks, per console: [L] its lock; [I] written before ready is set (fbcon_init(),
 * fbcon_create()).
 */
#include "dev/fbcon.h"

#include <cairn/errno.h>

#include <arch/page.h>
#include <lib/string.h>
#include <lib/vt/vt.h>

#include "core/log.h"
#include "core/percpu.h"
#include "core/smp.h"
#include "dev/fb.h"
#include "dev/font.h"
#include "mm/heap.h"
#include "mm/vm.h"
#include "sched/spinlock.h"

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

struct fbcon {
	struct spinlock lock;
	bool ready;                   /* [I] set last, under the lock */
	bool owned;                   /* [I] fbcon_create()'s: pixels, cells, shadow from kmalloc */
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
};

/* The console on the screen, started by fbcon_init(). */
static struct fbcon screen_con = { .lock = SPINLOCK_INIT("fbcon") };

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
static uint8_t *screen_line_locked(struct fbcon *c, size_t line) __must_hold(&c->lock)
{
	return c->fb + (c->origin_y + line) * c->pitch;
}

/* Scan line @y of text row @row on the surface being drawn: the shadow ring or the screen. */
static uint8_t *row_line_locked(struct fbcon *c, unsigned row, uint32_t y) __must_hold(&c->lock)
{
	unsigned slot;

	if (!c->use_shadow)
		return screen_line_locked(c, (size_t)row * c->cell_h + y);
	slot = c->top + row;
	if (slot >= c->rows)
		slot -= c->rows;
	return c->shadow + ((size_t)slot * c->cell_h + y) * c->line_bytes;
}

static void mark_dirty_locked(struct fbcon *c, unsigned col, unsigned row, unsigned ncols,
                              unsigned nrows) __must_hold(&c->lock)
{
	if (!c->use_shadow)
		return;
	if (c->d_row0 >= c->d_row1) {
		c->d_col0 = col;
		c->d_col1 = col + ncols;
		c->d_row0 = row;
		c->d_row1 = row + nrows;
		return;
	}
	if (col < c->d_col0)
		c->d_col0 = col;
	if (col + ncols > c->d_col1)
		c->d_col1 = col + ncols;
	if (row < c->d_row0)
		c->d_row0 = row;
	if (row + nrows > c->d_row1)
		c->d_row1 = row + nrows;
}

/* Copy the changed rectangle of the shadow to the screen: stores only, no framebuffer reads. */
static void flush_locked(struct fbcon *c) __must_hold(&c->lock)
{
	size_t x, len;
	unsigned r;
	uint32_t y;

	if (!c->use_shadow || c->d_row0 >= c->d_row1)
		return;
	x = (size_t)c->d_col0 * c->cell_w * c->bytes_pp;
	len = (size_t)(c->d_col1 - c->d_col0) * c->cell_w * c->bytes_pp;
	for (r = c->d_row0; r < c->d_row1; r++)
		for (y = 0; y < c->cell_h; y++)
			memcpy(screen_line_locked(c, (size_t)r * c->cell_h + y) + x,
			       row_line_locked(c, r, y) + x, len);
	c->d_row0 = c->d_row1 = 0;
}

/* One glyph, font bits MSB first (dev/font.h). */
static void draw_cell_locked(struct fbcon *c, unsigned col, unsigned row, uint8_t ch, uint8_t fg,
                             uint8_t bg) __must_hold(&c->lock)
{
	const struct font *f = &font_default;
	const uint8_t *g = f->glyphs + (size_t)ch * f->stride * f->height;
	uint32_t fgp = c->palette[fg & 15], bgp = c->palette[bg & 15];
	uint32_t bpp = c->bytes_pp, y, i;
	size_t x = (size_t)col * c->cell_w * bpp;
	uint8_t *p;

	for (y = 0; y < c->cell_h; y++, g += f->stride) {
		p = row_line_locked(c, row, y) + x;
		for (i = 0; i < c->cell_w; i++, p += bpp)
			store_px(p, (g[i / 8] & (0x80 >> (i % 8))) ? fgp : bgp, bpp);
	}
	mark_dirty_locked(c, col, row, 1, 1);
}

/* Fill whole cells with a background colour. */
static void clear_cells_locked(struct fbcon *c, unsigned col, unsigned row, unsigned ncols,
                               unsigned nrows, uint8_t bg) __must_hold(&c->lock)
{
	uint32_t px = c->palette[bg & 15], y;
	size_t x = (size_t)col * c->cell_w * c->bytes_pp;
	unsigned r;

	for (r = row; r < row + nrows; r++)
		for (y = 0; y < c->cell_h; y++)
			fill_px(row_line_locked(c, r, y) + x, px, (size_t)ncols * c->cell_w,
			        c->bytes_pp);
	mark_dirty_locked(c, col, row, ncols, nrows);
}

/*
 * Scroll the text up @n rows. With the shadow, the ring turns and only the
 * new rows are cleared; the copy-out then rewrites the screen once per
 * write, however many lines scrolled.
 */
static void scroll_up_locked(struct fbcon *c, unsigned n, uint8_t bg) __must_hold(&c->lock)
{
	size_t row_bytes = (size_t)c->cell_h * c->pitch;

	if (c->use_shadow) {
		c->top = (c->top + n) % c->rows;
		mark_dirty_locked(c, 0, 0, c->cols, c->rows);
	} else {
		memmove(screen_line_locked(c, 0), screen_line_locked(c, 0) + n * row_bytes,
		        (c->rows - n) * row_bytes);
	}
	clear_cells_locked(c, 0, c->rows - n, c->cols, n, bg);
}

/*
 * The vt ops. lib/vt calls them with the console's lock held (fbcon_write(),
 * fbcon_clear(), fbcon_set_mode()), which the analysis cannot follow through
 * @ctx: each hands the console to its checked counterpart above.
 */
static void op_draw_locked(void *ctx, unsigned col, unsigned row, uint8_t ch, uint8_t fg,
                           uint8_t bg) __no_thread_safety_analysis
{
	draw_cell_locked(ctx, col, row, ch, fg, bg);
}

static void op_clear_locked(void *ctx, unsigned col, unsigned row, unsigned ncols, unsigned nrows,
                            uint8_t bg) __no_thread_safety_analysis
{
	clear_cells_locked(ctx, col, row, ncols, nrows, bg);
}

static void op_scroll_locked(void *ctx, unsigned n, uint8_t bg) __no_thread_safety_analysis
{
	scroll_up_locked(ctx, n, bg);
}

static const struct vt_ops fbcon_ops = {
	.draw_cell = op_draw_locked,
	.clear = op_clear_locked,
	.scroll_up = op_scroll_locked,
};

/* Geometry and palette from the framebuffer and the font. Returns false if no cell fits. */
static bool setup_geometry(struct fbcon *c, const struct boot_framebuffer *info)
{
	const struct font *f = &font_default;
	unsigned i;

	c->cell_w = f->width;
	c->cell_h = f->height;
	c->width = info->width;
	c->height = info->height;
	c->bytes_pp = info->bpp / 8;
	c->pitch = info->pitch;
	if (c->origin_y >= info->height)
		c->origin_y = 0;
	c->cols = info->width / f->width;
	c->rows = (info->height - c->origin_y) / f->height;
	if (c->cols > VT_MAX_COLS)
		c->cols = VT_MAX_COLS;
	if (c->rows > VT_MAX_ROWS)
		c->rows = VT_MAX_ROWS;
	c->line_bytes = (size_t)c->cols * c->cell_w * c->bytes_pp;
	for (i = 0; i < VT_COLOURS; i++)
		c->palette[i] = pack(info, fbcon_rgb[i]);
	if (c->bg_custom)
		c->palette[0] = pack(info, c->bg_rgb);
	return c->cols > 0 && c->rows > 0;
}

/* Map the screen and allocate the grid and (if not too large) the shadow. */
static bool setup_memory(struct fbcon *c, const struct boot_framebuffer *info)
{
	size_t shadow = c->line_bytes * c->rows * c->cell_h;

	c->wc = vm_map_mmio(info->phys_base, (size_t)info->pitch * info->height, VM_CACHE_WC);
	c->cells = kmalloc_flags((size_t)c->cols * c->rows * sizeof(struct vt_cell), KM_MAY_FAIL);
	if (!c->wc || !c->cells)
		return false;
	c->shadow = NULL;
	if (shadow <= FBCON_SHADOW_MAX)
		c->shadow = vm_alloc_pages((shadow + PAGE_SIZE - 1) / PAGE_SIZE, PT_WRITE);
	return true;
}

/* Clear the screen below the reserved top, margins included, and start the terminal on it. */
static bool start_locked(struct fbcon *c) __must_hold(&c->lock)
{
	struct vt_setup s = {
		.ops = &fbcon_ops,
		.ctx = c,
		.cells = c->cells,
		.cols = c->cols,
		.rows = c->rows,
		.newline_mode = true, /* kernel text ends lines with a bare LF */
	};
	uint32_t y;

	c->fb = c->wc;
	c->use_shadow = c->shadow != NULL;
	c->top = 0;
	c->d_row0 = c->d_row1 = 0;
	for (y = c->origin_y; y < c->height; y++)
		fill_px(c->wc + (size_t)y * c->pitch, c->palette[VT_DEFAULT_BG], c->width,
		        c->bytes_pp);
	if (vt_init(&c->vt, &s))
		return false;
	flush_locked(c);
	return true;
}

/* Start @c once its geometry and memory are set up; sets ready. */
static bool start(struct fbcon *c)
{
	uint64_t flags = spin_lock_irqsave(&c->lock);
	bool ok = start_locked(c);

	c->ready = ok;
	spin_unlock_irqrestore(&c->lock, flags);
	return ok;
}

bool fbcon_init(void)
{
	const struct boot_framebuffer *info = fb_info();
	struct fbcon *c = &screen_con;

	if (c->ready)
		return true;
	if (!info || !setup_geometry(c, info))
		return false;
	if (!setup_memory(c, info)) {
		pr_warn("fbcon: out of memory for a %ux%u console", c->cols, c->rows);
		return false;
	}
	if (!start(c))
		return false;
	pr_info("fbcon: %ux%u cells of %ux%u pixels, %s", c->cols, c->rows, c->cell_w, c->cell_h,
	        c->shadow ? "shadow in RAM" : "drawing on the framebuffer");
	return true;
}

int fbcon_reserve_top(uint32_t pixels, uint32_t bg_rgb)
{
	struct fbcon *c = &screen_con;

	if (c->ready)
		return -EBUSY;
	c->origin_y = pixels;
	c->bg_custom = true;
	c->bg_rgb = bg_rgb & 0xffffff;
	return 0;
}

struct fbcon *fbcon_screen(void)
{
	return screen_con.ready ? &screen_con : NULL;
}

struct fbcon *fbcon_create(const struct boot_framebuffer *layout, void *pixels)
{
	struct fbcon *c = kmalloc_flags(sizeof(*c), KM_ZERO | KM_MAY_FAIL);
	size_t shadow;

	if (!c)
		return NULL;
	spin_init(&c->lock, "fbcon-private");
	c->owned = true;
	c->wc = pixels;
	if (!pixels || !setup_geometry(c, layout))
		goto out_free;
	shadow = c->line_bytes * c->rows * c->cell_h;
	c->cells = kmalloc_flags((size_t)c->cols * c->rows * sizeof(struct vt_cell), KM_MAY_FAIL);
	c->shadow = kmalloc_flags(shadow, KM_MAY_FAIL);
	if (c->cells && c->shadow && start(c))
		return c;
out_free:
	fbcon_destroy(c);
	return NULL;
}

void fbcon_destroy(struct fbcon *c)
{
	if (!c || !c->owned)
		return;
	kfree(c->shadow);
	kfree(c->cells);
	kfree(c);
}

/* The lock is taken conditionally (smp_output_lock), which the analysis cannot follow. */
void fbcon_write(struct fbcon *c, const char *s, size_t n) __no_thread_safety_analysis
{
	uint64_t flags = 0;
	size_t k;
	bool taken;

	while (c && n > 0 && c->ready) {
		k = n < FBCON_CHUNK ? n : FBCON_CHUNK;
		taken = smp_output_lock(&c->lock, &flags);
		vt_write(&c->vt, s, k);
		flush_locked(c);
		smp_output_unlock(&c->lock, taken, flags);
		s += k;
		n -= k;
	}
}

void fbcon_clear(struct fbcon *c) __no_thread_safety_analysis
{
	uint64_t flags = 0;
	bool taken;

	if (!c || !c->ready)
		return;
	taken = smp_output_lock(&c->lock, &flags);
	vt_reset(&c->vt);
	flush_locked(c);
	smp_output_unlock(&c->lock, taken, flags);
}

unsigned fbcon_cols(const struct fbcon *c)
{
	return c && c->ready ? c->cols : 0;
}

unsigned fbcon_rows(const struct fbcon *c)
{
	return c && c->ready ? c->rows : 0;
}

uint32_t fbcon_origin_y(const struct fbcon *c)
{
	return c && c->ready ? c->origin_y : 0;
}

uint32_t fbcon_read_pixel(const struct fbcon *c, uint32_t x, uint32_t y)
{
	const volatile uint8_t *p;
	uint32_t v = 0, i;

	if (!c || !c->ready || x >= c->width || y >= c->height)
		return 0;
	p = c->wc + (size_t)y * c->pitch + (size_t)x * c->bytes_pp;
	for (i = 0; i < c->bytes_pp; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

uint32_t fbcon_colour_pixel(const struct fbcon *c, unsigned colour)
{
	return c ? c->palette[colour % VT_COLOURS] : 0;
}

void fbcon_get_mode(struct fbcon *c, struct fbcon_mode *mode)
{
	uint64_t flags = spin_lock_irqsave(&c->lock);

	*mode = (struct fbcon_mode){ c->fb, c->use_shadow };
	spin_unlock_irqrestore(&c->lock, flags);
}

int fbcon_set_mode(struct fbcon *c, const struct fbcon_mode *mode, struct fbcon_mode *old)
{
	uint64_t flags;

	if (!c || !c->ready)
		return -ENODEV;
	if (!mode->fb)
		return -EINVAL;
	if (mode->shadow && !c->shadow)
		return -ENOMEM;
	flags = spin_lock_irqsave(&c->lock);
	if (old)
		*old = (struct fbcon_mode){ c->fb, c->use_shadow };
	c->fb = mode->fb;
	c->use_shadow = mode->shadow;
	c->top = 0;
	c->d_row0 = c->d_row1 = 0;
	vt_redraw(&c->vt);
	flush_locked(c);
	spin_unlock_irqrestore(&c->lock, flags);
	return 0;
}
