// SPDX-License-Identifier: MIT
/*
 * Framebuffer console tests: text written through fbcon_write() is read
 * back pixel by pixel and compared with the font's bitmap in the expected
 * palette colours; scrolling (through the RAM shadow and drawing directly)
 * moves a glyph one text row up; erasing, colours, the cursor and several
 * CPUs writing at once. Each test draws on a private console in memory
 * (fbcon_create()) with the pixel format of the boot framebuffer when there
 * is one, so the tests run on every boot path and give the same answers on
 * a live system, where the screen's console shows the banner and a shell
 * and must not be cleared by a test.
 */
#include <cairn/errno.h>

#include <arch/spinlock.h>
#include <lib/format.h>
#include <lib/string.h>
#include <lib/vt/vt.h>

#include <stdbool.h>
#include <stdint.h>

#include "core/ktest.h"
#include "core/percpu.h"
#include "core/smp.h"
#include "dev/fb.h"
#include "dev/fbcon.h"
#include "dev/font.h"
#include "mm/heap.h"
#include "time/time.h"

#define SMP_LINES 100
#define TEST_COLS 64 /* the private console's grid */
#define TEST_ROWS 24
#define TEST_PAD  32 /* bytes after each scan line: the pitch is not width * bytes per pixel */

/* The console the running test draws on, and its pixels. */
static struct fbcon *con;
static void *con_pixels;

/* The boot framebuffer's pixel format if there is one, else 32-bit xRGB; our own size. */
static struct boot_framebuffer test_layout(void)
{
	const struct boot_framebuffer *fb = fb_info();
	struct boot_framebuffer l = { .bpp = 32,
		                      .red_shift = 16,
		                      .red_bits = 8,
		                      .green_shift = 8,
		                      .green_bits = 8,
		                      .blue_bits = 8 };

	if (fb)
		l = *fb;
	l.phys_base = 0;
	l.width = TEST_COLS * font_default.width;
	l.height = TEST_ROWS * font_default.height;
	l.pitch = l.width * (l.bpp / 8) + TEST_PAD;
	l.size = (uint64_t)l.pitch * l.height;
	return l;
}

static void release_console(void)
{
	fbcon_destroy(con);
	kfree(con_pixels);
	con = NULL;
	con_pixels = NULL;
}

/* Start a fresh private console (freeing one a failed test left behind). */
static void need_console(void)
{
	struct boot_framebuffer l = test_layout();

	release_console();
	con_pixels = kmalloc_flags(l.size, KM_MAY_FAIL);
	con = fbcon_create(&l, con_pixels);
	if (!con) {
		release_console();
		ktest_skip("no memory for a private console");
	}
}

static void put(const char *s)
{
	fbcon_write(con, s, strlen(s));
}

/* How many pixels of cell (@col, @row) differ from glyph @ch in @fg on @bg. */
static unsigned cell_mismatches(unsigned col, unsigned row, uint8_t ch, unsigned fg, unsigned bg)
{
	const struct font *f = &font_default;
	const uint8_t *g = f->glyphs + (uint32_t)ch * f->stride * f->height;
	uint32_t fgp = fbcon_colour_pixel(con, fg), bgp = fbcon_colour_pixel(con, bg), x, y, want;
	unsigned bad = 0;

	for (y = 0; y < f->height; y++)
		for (x = 0; x < f->width; x++) {
			want = (g[y * f->stride + x / 8] & (0x80 >> (x % 8))) ? fgp : bgp;
			if (fbcon_read_pixel(con, col * f->width + x, row * f->height + y) != want)
				bad++;
		}
	return bad;
}

#define EXPECT_CELL(col, row, ch, fg, bg) EXPECT_EQ(cell_mismatches(col, row, ch, fg, bg), 0)

TEST(fbcon, grid_fits_the_pixels)
{
	need_console();
	EXPECT_EQ(fbcon_cols(con), TEST_COLS);
	EXPECT_EQ(fbcon_rows(con), TEST_ROWS);
	EXPECT_EQ(fbcon_origin_y(con), 0);
	release_console();
}

/*
 * The screen's console is only looked at: its grid fills the screen below
 * the banner. A ktest= boot starts it here (no banner reserved); on a live
 * system fbcon_init() changes nothing.
 */
TEST(fbcon, screen_grid_fits_below_the_banner)
{
	const struct boot_framebuffer *fb = fb_info();
	struct fbcon *screen;
	uint32_t text_h;

	if (!fbcon_init())
		ktest_skip("no framebuffer console");
	screen = fbcon_screen();
	text_h = fb->height - fbcon_origin_y(screen);
	EXPECT_EQ(fbcon_cols(screen), fb->width / font_default.width);
	EXPECT_EQ(fbcon_rows(screen), text_h / font_default.height);
	EXPECT_TRUE(fbcon_cols(screen) >= 1 && fbcon_rows(screen) >= 1);
	EXPECT_TRUE(fbcon_origin_y(screen) < fb->height);
}

TEST(fbcon, text_matches_the_font)
{
	need_console();
	EXPECT_TRUE(fbcon_colour_pixel(con, VT_DEFAULT_FG) !=
	            fbcon_colour_pixel(con, VT_DEFAULT_BG));
	put("Az\xc3\xa9~");
	EXPECT_CELL(0, 0, 'A', VT_DEFAULT_FG, VT_DEFAULT_BG);
	EXPECT_CELL(1, 0, 'z', VT_DEFAULT_FG, VT_DEFAULT_BG);
	EXPECT_CELL(2, 0, 0xe9, VT_DEFAULT_FG, VT_DEFAULT_BG); /* UTF-8 é, Latin-1 glyph */
	EXPECT_CELL(3, 0, '~', VT_DEFAULT_FG, VT_DEFAULT_BG);
	/* The cursor: the blank cell after the text in inverse colours. */
	EXPECT_CELL(4, 0, ' ', VT_DEFAULT_BG, VT_DEFAULT_FG);
	put("\x1b[?25l");
	EXPECT_CELL(4, 0, ' ', VT_DEFAULT_FG, VT_DEFAULT_BG);
	put("\x1b[?25h\r\n\xe2\x82\xac");
	EXPECT_CELL(0, 1, '?', VT_DEFAULT_FG, VT_DEFAULT_BG); /* no glyph for U+20AC */
	EXPECT_CELL(1, 1, ' ', VT_DEFAULT_BG, VT_DEFAULT_FG);
	release_console();
}

TEST(fbcon, palette_is_sixteen_colours)
{
	unsigned i, j;

	need_console();
	for (i = 0; i < VT_COLOURS; i++)
		for (j = 0; j < i; j++)
			EXPECT_TRUE(fbcon_colour_pixel(con, i) != fbcon_colour_pixel(con, j));
	release_console();
}

TEST(fbcon, sgr_colours)
{
	need_console();
	put("\x1b[31mr\x1b[1;32;44mg\x1b[0;95;103mm\x1b[7mi\x1b[0md");
	EXPECT_CELL(0, 0, 'r', 1, VT_DEFAULT_BG);
	EXPECT_CELL(1, 0, 'g', 10, 4);
	EXPECT_CELL(2, 0, 'm', 13, 11);
	EXPECT_CELL(3, 0, 'i', 11, 13);
	EXPECT_CELL(4, 0, 'd', VT_DEFAULT_FG, VT_DEFAULT_BG);
	release_console();
}

TEST(fbcon, erase_line_and_display)
{
	need_console();
	/* Three rows on blue; EL 0 from (1, 2); ED 1 from (2, 1); cursor home. */
	put("\x1b[44mabc\r\ndefg\r\nxyz\x1b[0m\x1b[3;2H\x1b[K\x1b[2;3H\x1b[1J\x1b[H");
	EXPECT_CELL(0, 2, 'x', VT_DEFAULT_FG, 4);
	EXPECT_CELL(1, 2, ' ', VT_DEFAULT_FG, VT_DEFAULT_BG);
	EXPECT_CELL(3, 1, 'g', VT_DEFAULT_FG, 4);
	EXPECT_CELL(2, 1, ' ', VT_DEFAULT_FG, VT_DEFAULT_BG);
	EXPECT_CELL(1, 0, ' ', VT_DEFAULT_FG, VT_DEFAULT_BG);
	EXPECT_CELL(0, 0, ' ', VT_DEFAULT_BG, VT_DEFAULT_FG); /* the cursor */
	put("\x1b[2;1H\x1b[43m\x1b[2J\x1b[0m");
	EXPECT_CELL(fbcon_cols(con) - 1, fbcon_rows(con) - 1, ' ', 0, 3);
	fbcon_clear(con);
	EXPECT_CELL(fbcon_cols(con) - 1, fbcon_rows(con) - 1, ' ', 0, VT_DEFAULT_BG);
	release_console();
}

/* Put T on row 1 and Q on the last row, then one more line: both move up a row. */
static unsigned scroll_mismatches(void)
{
	unsigned rows = fbcon_rows(con), bad = 0;
	char cup[24];

	fbcon_clear(con);
	put("\x1b[2;1HT");
	fmt_snprintf(cup, sizeof(cup), "\x1b[%u;1HQ\n", rows);
	put(cup);
	bad += cell_mismatches(0, 0, 'T', VT_DEFAULT_FG, VT_DEFAULT_BG);
	bad += cell_mismatches(0, 1, ' ', VT_DEFAULT_FG, VT_DEFAULT_BG);
	bad += cell_mismatches(0, rows - 2, 'Q', VT_DEFAULT_FG, VT_DEFAULT_BG);
	bad += cell_mismatches(1, rows - 1, ' ', VT_DEFAULT_FG, VT_DEFAULT_BG);
	bad += cell_mismatches(0, rows - 1, ' ', VT_DEFAULT_BG, VT_DEFAULT_FG);
	return bad;
}

TEST(fbcon, scroll_moves_text_up_a_row)
{
	unsigned i;

	need_console();
	EXPECT_EQ(scroll_mismatches(), 0);
	/* A second scroll and a long run of them keep the ring in order. */
	EXPECT_EQ(scroll_mismatches(), 0);
	for (i = 0; i < 3 * fbcon_rows(con); i++)
		put("x\n");
	EXPECT_EQ(scroll_mismatches(), 0);
	release_console();
}

TEST(fbcon, scroll_without_shadow)
{
	struct fbcon_mode old, direct;
	unsigned bad;

	need_console();
	EXPECT_EQ(fbcon_set_mode(con, &(struct fbcon_mode){ NULL, false }, NULL), -EINVAL);
	fbcon_get_mode(con, &old);
	EXPECT_TRUE(old.fb == con_pixels && old.shadow);
	direct = (struct fbcon_mode){ old.fb, false };
	EXPECT_EQ(fbcon_set_mode(con, &direct, NULL), 0);
	bad = scroll_mismatches();
	EXPECT_EQ(fbcon_set_mode(con, &old, NULL), 0);
	EXPECT_EQ(bad, 0);
	EXPECT_EQ(scroll_mismatches(), 0);
	release_console();
}

static uint32_t smp_done;

static void write_lines(void *arg)
{
	static const char line[] = "\x1b[32mconcurrent line from another CPU\x1b[0m\n";
	unsigned i;

	for (i = 0; i < SMP_LINES; i++)
		fbcon_write(arg, line, sizeof(line) - 1);
	__atomic_fetch_add(&smp_done, 1, __ATOMIC_RELEASE);
}

TEST(fbcon, several_cpus_write_at_once)
{
	uint64_t deadline;
	unsigned i, n = 0;

	need_console();
	smp_done = 0;
	for (i = 1; i < SMP_MAX_CPUS; i++)
		if (smp_cpu_online(i) && smp_call(i, write_lines, con, false) == 0)
			n++;
	write_lines(con);
	deadline = clock_monotonic_ns() + 30 * NSEC_PER_SEC;
	while (__atomic_load_n(&smp_done, __ATOMIC_ACQUIRE) < n + 1 &&
	       clock_monotonic_ns() < deadline)
		arch_cpu_relax();
	if (__atomic_load_n(&smp_done, __ATOMIC_ACQUIRE) != n + 1) {
		con = NULL; /* a CPU may still write to it: leave it allocated */
		con_pixels = NULL;
		EXPECT_EQ(__atomic_load_n(&smp_done, __ATOMIC_ACQUIRE), n + 1);
	}
	fbcon_clear(con);
	put("ok");
	EXPECT_CELL(0, 0, 'o', VT_DEFAULT_FG, VT_DEFAULT_BG);
	EXPECT_CELL(1, 0, 'k', VT_DEFAULT_FG, VT_DEFAULT_BG);
	release_console();
}
