/* SPDX-License-Identifier: MIT */
/*
 * The framebuffer from the Graphics Output Protocol (UEFI 2.10, 12.9):
 * switch to the kernel's preferred mode when the firmware offers it, then
 * describe the linear framebuffer in boot_info terms.
 */
#include <lib/string.h>

#include "boot/uefi/uefi.h"

/* Lowest set bit and number of set bits of a contiguous channel mask. */
static void mask_to_field(uint32_t mask, uint8_t *shift, uint8_t *bits)
{
	*shift = 0;
	*bits = 0;
	if (!mask)
		return;
	while (!(mask & 1)) {
		mask >>= 1;
		(*shift)++;
	}
	while (mask & 1) {
		mask >>= 1;
		(*bits)++;
	}
}

/* Bits per pixel of a PixelBitMask mode: the highest mask bit, rounded up to bytes. */
static uint16_t mask_bpp(const EFI_PIXEL_BITMASK *m)
{
	uint32_t all = m->RedMask | m->GreenMask | m->BlueMask | m->ReservedMask;
	uint16_t top = 0;

	while (all) {
		all >>= 1;
		top++;
	}
	return (uint16_t)((top + 7) & ~7u);
}

/* Fill the pixel layout of @fb; false for modes with no linear framebuffer. */
static bool pixel_layout(const EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info,
                         struct boot_framebuffer *fb)
{
	switch (info->PixelFormat) {
	case PixelRedGreenBlueReserved8BitPerColor:
		*fb = (struct boot_framebuffer){
			.bpp = 32, .red_shift = 0, .green_shift = 8, .blue_shift = 16
		};
		break;
	case PixelBlueGreenRedReserved8BitPerColor:
		*fb = (struct boot_framebuffer){
			.bpp = 32, .red_shift = 16, .green_shift = 8, .blue_shift = 0
		};
		break;
	case PixelBitMask:
		memset(fb, 0, sizeof(*fb));
		fb->bpp = mask_bpp(&info->PixelInformation);
		mask_to_field(info->PixelInformation.RedMask, &fb->red_shift, &fb->red_bits);
		mask_to_field(info->PixelInformation.GreenMask, &fb->green_shift, &fb->green_bits);
		mask_to_field(info->PixelInformation.BlueMask, &fb->blue_shift, &fb->blue_bits);
		return fb->bpp != 0;
	default:
		return false; /* PixelBltOnly: no framebuffer we could use */
	}
	fb->red_bits = fb->green_bits = fb->blue_bits = 8;
	return true;
}

/* Switch to a linear @width x @height mode if the firmware has one. */
static void set_preferred_mode(EFI_GRAPHICS_OUTPUT_PROTOCOL *gop, uint32_t width, uint32_t height)
{
	for (UINT32 i = 0; i < gop->Mode->MaxMode; i++) {
		EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info;
		UINTN size;

		if (EFI_ERROR(gop->QueryMode(gop, i, &size, &info)))
			continue;
		if (info->HorizontalResolution == width && info->VerticalResolution == height &&
		    info->PixelFormat != PixelBltOnly) {
			if (i != gop->Mode->Mode && EFI_ERROR(gop->SetMode(gop, i)))
				loader_printf(&uefi_env, "warning: cannot set mode %ux%u\n", width,
				              height);
			return;
		}
	}
	loader_printf(&uefi_env, "no %ux%u mode, keeping the current one\n", width, height);
}

/*
 * Describe the GOP framebuffer in @fb, after switching to the kernel's
 * preferred size. No GOP, or a mode without a linear framebuffer, leaves
 * @fb zeroed: the kernel runs without a screen.
 */
void uefi_find_framebuffer(const struct cairn_config *cfg, struct boot_framebuffer *fb)
{
	EFI_GUID guid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop;
	const EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info;

	memset(fb, 0, sizeof(*fb));
	if (EFI_ERROR(uefi.bs->LocateProtocol(&guid, NULL, (void **)&gop)) || !gop || !gop->Mode) {
		loader_printf(&uefi_env, "warning: no GOP, continuing without a framebuffer\n");
		return;
	}
	if (cfg->fb_width && cfg->fb_height)
		set_preferred_mode(gop, cfg->fb_width, cfg->fb_height);
	info = gop->Mode->Info;
	if (!info || !pixel_layout(info, fb) || !gop->Mode->FrameBufferBase) {
		memset(fb, 0, sizeof(*fb));
		loader_printf(&uefi_env, "warning: GOP mode has no linear framebuffer\n");
		return;
	}
	fb->phys_base = gop->Mode->FrameBufferBase;
	fb->width = info->HorizontalResolution;
	fb->height = info->VerticalResolution;
	fb->pitch = info->PixelsPerScanLine * (fb->bpp / 8u);
	fb->size = (uint64_t)fb->pitch * fb->height;
	loader_printf(&uefi_env, "framebuffer %ux%u, %u bpp, pitch %u at 0x%llx\n", fb->width,
	              fb->height, fb->bpp, fb->pitch, (unsigned long long)fb->phys_base);
}
