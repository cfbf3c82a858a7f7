/* SPDX-License-Identifier: MIT */
/*
 * A linear framebuffer through VBE 2.0+ (VESA BIOS Extension Core Functions
 * Standard 3.0): list the modes (4F00h), read each one's mode info (4F01h),
 * pick a 32 bpp direct-colour mode with a linear framebuffer, and set it
 * (4F02h). Runs late, after the kernel's .cairn.config is known.
 */
#include <cairn/errno.h>

#include <lib/string.h>

#include "boot/bios/bios.h"

#define VBE_OK         0x004f /* AL = 4Fh supported, AH = 00h success */
#define VBE_MAX_MODES  256
#define VBE_LFB        0x4000 /* 4F02h BX bit 14: use the linear framebuffer */
#define MODE_SUPPORTED 0x0001 /* ModeAttributes bits (VBE 3.0, 4.4) */
#define MODE_GRAPHICS  0x0010
#define MODE_LFB       0x0080
#define MODEL_DIRECT   6 /* MemoryModel: direct colour */
#define DEFAULT_W      1024
#define DEFAULT_H      768

/* VBE 3.0, 4.3: VbeInfoBlock (the fields we read). */
struct vbe_info {
	char signature[4];   /* "VESA" out; "VBE2" in asks for the 2.0 block */
	uint16_t version;    /* BCD: 0x0200 = 2.0 */
	uint32_t oem_string; /* far pointer */
	uint32_t capabilities;
	uint32_t mode_list;    /* far pointer to uint16 modes ending in 0xFFFF */
	uint16_t total_memory; /* 64 KiB blocks */
	uint8_t rest[492];
} __attribute__((packed));

/* VBE 3.0, 4.4: ModeInfoBlock. */
struct vbe_mode_info {
	uint16_t attributes;
	uint8_t win_a, win_b;
	uint16_t granularity, win_size, seg_a, seg_b;
	uint32_t win_func;
	uint16_t pitch;         /* 0x10 BytesPerScanLine */
	uint16_t width, height; /* 0x12, 0x14 */
	uint8_t char_w, char_h, planes, bpp, banks, memory_model, bank_size, image_pages;
	uint8_t reserved0;
	uint8_t red_size, red_pos, green_size, green_pos, blue_size, blue_pos; /* 0x1F */
	uint8_t rsvd_size, rsvd_pos, direct_color_info;
	uint32_t phys_base; /* 0x28 PhysBasePtr */
	uint32_t reserved1;
	uint16_t reserved2;
	uint16_t lin_pitch; /* 0x32 LinBytesPerScanLine (VBE 3.0) */
	uint8_t bank_pages, lin_pages;
	uint8_t lin_red_size, lin_red_pos, lin_green_size, lin_green_pos; /* 0x36 */
	uint8_t lin_blue_size, lin_blue_pos, lin_rsvd_size, lin_rsvd_pos;
	uint32_t max_clock;
	uint8_t rest[190];
} __attribute__((packed));
_Static_assert(sizeof(struct vbe_info) == 512, "VbeInfoBlock");
_Static_assert(sizeof(struct vbe_mode_info) == 256, "ModeInfoBlock");

static struct vbe_info info;
static struct vbe_mode_info mi;
static uint16_t modes[VBE_MAX_MODES];

/* Copy the mode list out before the next call may overwrite it; returns the count. */
static unsigned read_mode_list(void)
{
	const uint16_t *list = rm_ptr(info.mode_list);
	unsigned n = 0;

	if ((uintptr_t)list >= 0x100000)
		return 0;
	while (n < VBE_MAX_MODES && list[n] != 0xffff) {
		modes[n] = list[n];
		n++;
	}
	return n;
}

static int get_info(void)
{
	struct bios_regs r = { 0 };

	memcpy(info.signature, "VBE2", 4);
	r.eax = 0x4f00;
	r.es = rm_seg(&info);
	r.edi = rm_off(&info);
	bios_int(0x10, &r);
	if ((r.eax & 0xffff) != VBE_OK || memcmp(info.signature, "VESA", 4) != 0 ||
	    info.version < 0x0200)
		return -ENOENT;
	return 0;
}

/* Mode info for @mode into mi; true when it is a usable 32 bpp linear mode. */
static bool mode_ok(uint16_t mode)
{
	struct bios_regs r = { 0 };
	const uint16_t want = MODE_SUPPORTED | MODE_GRAPHICS | MODE_LFB;

	memset(&mi, 0, sizeof(mi));
	r.eax = 0x4f01;
	r.ecx = mode;
	r.es = rm_seg(&mi);
	r.edi = rm_off(&mi);
	bios_int(0x10, &r);
	return (r.eax & 0xffff) == VBE_OK && (mi.attributes & want) == want &&
	       mi.memory_model == MODEL_DIRECT && mi.bpp == 32 && mi.phys_base != 0 &&
	       mi.width != 0 && mi.height != 0;
}

/*
 * Score a mode: the exact wish wins, then 1024x768, then the largest that
 * fits inside the wish; larger ones only when nothing fits.
 */
static uint64_t score(uint32_t w, uint32_t h, uint32_t want_w, uint32_t want_h)
{
	uint64_t area = (uint64_t)w * h;

	if (w == want_w && h == want_h)
		return 1ull << 62;
	if (w == DEFAULT_W && h == DEFAULT_H)
		return 1ull << 61;
	if (w <= want_w && h <= want_h)
		return (1ull << 60) + area;
	return (1ull << 40) - area;
}

static uint16_t pick_mode(unsigned n, uint32_t want_w, uint32_t want_h)
{
	uint64_t best_score = 0;
	uint16_t best = 0xffff;

	for (unsigned i = 0; i < n; i++) {
		uint64_t s;

		if (!mode_ok(modes[i]))
			continue;
		s = score(mi.width, mi.height, want_w, want_h);
		if (s > best_score) {
			best_score = s;
			best = modes[i];
		}
	}
	return best;
}

/* boot_info.fb from the mode info: VBE 3.0 keeps separate linear-mode fields. */
static void fill_fb(struct boot_framebuffer *fb)
{
	bool v3 = info.version >= 0x0300;

	memset(fb, 0, sizeof(*fb));
	fb->phys_base = mi.phys_base;
	fb->width = mi.width;
	fb->height = mi.height;
	fb->pitch = v3 && mi.lin_pitch ? mi.lin_pitch : mi.pitch;
	fb->bpp = mi.bpp;
	fb->size = (uint64_t)fb->pitch * fb->height;
	fb->red_bits = v3 ? mi.lin_red_size : mi.red_size;
	fb->red_shift = v3 ? mi.lin_red_pos : mi.red_pos;
	fb->green_bits = v3 ? mi.lin_green_size : mi.green_size;
	fb->green_shift = v3 ? mi.lin_green_pos : mi.green_pos;
	fb->blue_bits = v3 ? mi.lin_blue_size : mi.blue_size;
	fb->blue_shift = v3 ? mi.lin_blue_pos : mi.blue_pos;
}

int vbe_set_mode(uint32_t want_w, uint32_t want_h, struct boot_framebuffer *fb)
{
	struct bios_regs r = { 0 };
	unsigned n;
	uint16_t mode;

	if (want_w == 0 || want_h == 0) {
		want_w = DEFAULT_W;
		want_h = DEFAULT_H;
	}
	if (get_info() != 0)
		return bios_log("vbe: no VBE 2.0 BIOS, staying in text mode\n"), -ENOENT;
	n = read_mode_list();
	mode = pick_mode(n, want_w, want_h);
	if (mode == 0xffff || !mode_ok(mode))
		return bios_log("vbe: no 32 bpp linear mode among %u, staying in text mode\n", n),
		       -ENOENT;
	bios_log("vbe: mode 0x%x, %ux%u, pitch %u, framebuffer at 0x%x\n", mode, mi.width,
	         mi.height, mi.pitch, mi.phys_base);
	r.eax = 0x4f02;
	r.ebx = mode | VBE_LFB;
	bios_int(0x10, &r);
	if ((r.eax & 0xffff) != VBE_OK)
		return bios_log("vbe: setting mode 0x%x failed\n", mode), -EIO;
	console_text_off();
	fill_fb(fb);
	return 0;
}
