/* SPDX-License-Identifier: MIT */
/*
 * Private interface of the BIOS stage 2: the modules of boot/bios/ (console,
 * E820 memory and allocator, disk, GPT, FAT32, VBE, ACPI RSDP) and the
 * real-mode thunk they all use to reach the firmware. Everything here runs
 * in long mode with the first 4 GiB identity-mapped.
 */
#pragma once

#include <cairn/boot.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/bios/layout.h"
#include "boot/common/loader.h"

/* ---- realmode.S: calling the BIOS ---- */

/* Registers in and out of a BIOS interrupt; layout fixed by realmode.S. */
struct bios_regs {
	uint32_t eax, ebx, ecx, edx, esi, edi, ebp;
	uint16_t ds, es; /* real-mode segments */
	uint32_t eflags; /* out only: flags after the call */
};
_Static_assert(sizeof(struct bios_regs) == 36, "bios_regs layout");

#define BIOS_EFLAGS_CF 0x1u

/*
 * Run INT @intno in real mode with the registers in @r and store the
 * results back into @r. Every buffer it names must lie below 1 MiB.
 */
void bios_int(uint8_t intno, struct bios_regs *r);

/* Real-mode segment and offset of a pointer below 1 MiB. */
static inline uint16_t rm_seg(const void *p)
{
	return (uint16_t)((uintptr_t)p >> 4);
}

static inline uint16_t rm_off(const void *p)
{
	return (uint16_t)((uintptr_t)p & 0xf);
}

/*
 * A pointer to fixed low memory (BDA, VGA text). Laundered through asm so
 * the compiler does not treat a small constant address as a null-based
 * object and warn about its bounds.
 */
static inline volatile void *low_ptr(uintptr_t addr)
{
	__asm__("" : "+r"(addr));
	return (volatile void *)addr;
}

/* Linear address of a real-mode far pointer stored as offset | segment << 16. */
static inline void *rm_ptr(uint32_t farptr)
{
	return (void *)(uintptr_t)(((farptr >> 16) << 4) + (farptr & 0xffff));
}

/* ---- stage2_entry.S ---- */
extern uint64_t stage2_tsc;
extern uint8_t stage2_boot_drive;
extern uint8_t stage2_cpu_nx;
extern char __stage2_start[], __stage2_end[];

/* ---- console.c: COM1 and, until the video mode changes, VGA text ---- */
void console_init(void);
void console_puts(const char *s);
void console_text_off(void);
void bios_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void bios_fail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void bios_halt(void);
extern const struct loader_env bios_env;

/* ---- mem.c: E820 map and the page allocator ---- */
int mem_init(void);
/* Allocate @size bytes aligned to @align (power of two, >= 4096) below 4 GiB; 0 on failure. */
uint64_t mem_alloc(uint64_t size, uint64_t align);
/* As mem_alloc(), zeroed and remembered as @kind for the memory map. */
uint64_t mem_alloc_kind(uint64_t size, uint64_t align, enum loader_alloc_kind kind);
/* End of the highest RAM range (usable, ACPI, bad), at least 4 GiB. */
uint64_t mem_phys_limit(void);
/* Put the E820 ranges, stage 2 itself and every tagged allocation into @bi. */
void mem_fill_boot_info(struct boot_info *bi);

/* ---- disk.c: INT 13h extended reads ---- */
int disk_init(uint8_t drive);
/* Read @count 512-byte sectors from @lba into @dst (anywhere below 4 GiB). */
int disk_read(uint64_t lba, uint32_t count, void *dst) __attribute__((warn_unused_result));
/* Disk size in sectors, or 0 when the BIOS did not say. */
uint64_t disk_sectors(void);

/* ---- gpt.c ---- */
/* Find the EFI system partition; fills its first LBA and sector count. */
int gpt_find_esp(uint64_t *first_lba, uint64_t *nsectors) __attribute__((warn_unused_result));

/* ---- fat32.c: read-only FAT32 ---- */
struct fat32_file {
	uint32_t first_cluster; /* 0 for an empty file */
	uint32_t size;          /* bytes */
};
int fat32_mount(uint64_t part_lba, uint64_t part_sectors) __attribute__((warn_unused_result));
/* Look up @path ("cairn/kernel.elf"); -ENOENT when it is not there. */
int fat32_open(const char *path, struct fat32_file *f) __attribute__((warn_unused_result));
/* Read the first min(@max, size) bytes of @f into @dst. */
int fat32_read(const struct fat32_file *f, void *dst, uint32_t max)
	__attribute__((warn_unused_result));

/* ---- vbe.c ---- */
/* Set a 32 bpp linear-framebuffer mode near @want_w x @want_h (0 = 1024x768). */
int vbe_set_mode(uint32_t want_w, uint32_t want_h, struct boot_framebuffer *fb);

/* ---- acpi.c ---- */
uint64_t acpi_find_rsdp(void);
