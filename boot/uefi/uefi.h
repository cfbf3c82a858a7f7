/* SPDX-License-Identifier: MIT */
/*
 * Private interface of the UEFI loader's files: the firmware handles, the
 * log output (serial and ConOut), file reading from the ESP, the
 * framebuffer, physical allocation and the memory map / ExitBootServices.
 */
#pragma once

#include <efi.h>

#include "boot/common/loader.h"

/* Our own memory types, so the final map tells them apart (UEFI 2.10, 7.2 AllocatePages). */
#define UEFI_MEM_KERNEL ((EFI_MEMORY_TYPE)0x80000001u)
#define UEFI_MEM_LOADER ((EFI_MEMORY_TYPE)0x80000002u)
#define UEFI_MEM_INITRD ((EFI_MEMORY_TYPE)0x80000003u)

struct uefi_state {
	EFI_HANDLE image;      /* our loaded image */
	EFI_SYSTEM_TABLE *st;  /* firmware system table */
	EFI_BOOT_SERVICES *bs; /* NULL once boot services are gone */
	bool console;          /* ConOut may be used (not after the final GetMemoryMap) */
	bool line_start;       /* the next character starts a log line */
};

extern struct uefi_state uefi;
extern const struct loader_env uefi_env;

/* console.c: COM1 and the screen. */
void uefi_console_init(void);
void uefi_puts(void *ctx, const char *s);
__attribute__((noreturn)) void uefi_halt(void);

/* main.c: print the reason (if any) and "cairn: boot failed", then halt for good. */
__attribute__((noreturn, format(printf, 1, 2))) void uefi_fail(const char *fmt, ...);
__attribute__((noreturn)) void uefi_boot_failed(void);

/* file.c: read cairn/<name> from the ESP. */
int uefi_open_volume(void);
int uefi_read_file(const CHAR16 *path, EFI_MEMORY_TYPE type, void **data, uint64_t *size);
void uefi_read_cmdline(char *buf, size_t size);

/* gop.c */
void uefi_find_framebuffer(const struct cairn_config *cfg, struct boot_framebuffer *fb);

/* memory.c */
uint64_t uefi_alloc_pages(void *ctx, size_t npages, uint64_t align, enum loader_alloc_kind kind);
uint64_t uefi_phys_limit(void);
void uefi_exit_boot_services(struct boot_info *bi);
