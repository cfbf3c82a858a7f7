/* SPDX-License-Identifier: MIT */
/*
 * Reading the kernel, initrd and command line from the ESP the loader was
 * started from, through the Simple File System protocol of
 * LoadedImage->DeviceHandle (UEFI 2.10, 9.1 and 13.4/13.5).
 */
#include <cairn/errno.h>

#include <lib/string.h>

#include "boot/uefi/uefi.h"

#define FILE_MAX_SIZE (512ull << 20)

static EFI_FILE_PROTOCOL *esp_root;

/* Open the root directory of the volume we were loaded from. Returns 0 or -EIO. */
int uefi_open_volume(void)
{
	EFI_GUID li_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
	EFI_GUID fs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
	EFI_LOADED_IMAGE_PROTOCOL *li;
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs;

	if (EFI_ERROR(uefi.bs->HandleProtocol(uefi.image, &li_guid, (void **)&li)))
		return -EIO;
	if (EFI_ERROR(uefi.bs->HandleProtocol(li->DeviceHandle, &fs_guid, (void **)&fs)))
		return -EIO;
	if (EFI_ERROR(fs->OpenVolume(fs, &esp_root)))
		return -EIO;
	return 0;
}

/* The size of an open file, from EFI_FILE_INFO (UEFI 2.10, 13.5.16). */
static int file_size(EFI_FILE_PROTOCOL *f, uint64_t *size)
{
	EFI_GUID info_guid = EFI_FILE_INFO_ID;
	UINT64 info[(sizeof(EFI_FILE_INFO) + 512) / sizeof(UINT64)];
	UINTN len = sizeof(info);

	if (EFI_ERROR(f->GetInfo(f, &info_guid, &len, info)))
		return -EIO;
	*size = ((EFI_FILE_INFO *)info)->FileSize;
	return *size > FILE_MAX_SIZE ? -EFBIG : 0;
}

/* Read exactly @size bytes; Read may return fewer, so loop. */
static int file_read_all(EFI_FILE_PROTOCOL *f, uint8_t *buf, uint64_t size)
{
	while (size) {
		UINTN n = size;

		if (EFI_ERROR(f->Read(f, &n, buf)) || n == 0)
			return -EIO;
		buf += n;
		size -= n;
	}
	return 0;
}

/*
 * Read @path into fresh pages of memory type @type.
 * Returns 0, -ENOENT (no such file), -EIO, -EFBIG (over 512 MiB) or -ENOMEM.
 */
int uefi_read_file(const CHAR16 *path, EFI_MEMORY_TYPE type, void **data, uint64_t *size)
{
	EFI_FILE_PROTOCOL *f;
	EFI_PHYSICAL_ADDRESS pa;
	EFI_STATUS st;
	int err;

	st = esp_root->Open(esp_root, &f, (CHAR16 *)path, EFI_FILE_MODE_READ, 0);
	if (EFI_ERROR(st))
		return st == EFI_NOT_FOUND ? -ENOENT : -EIO;
	err = file_size(f, size);
	if (err)
		goto out_close;
	/* One page more than needed, so an empty file still gets a buffer. */
	st = uefi.bs->AllocatePages(AllocateAnyPages, type, *size / 4096 + 1, &pa);
	if (EFI_ERROR(st)) {
		err = -ENOMEM;
		goto out_close;
	}
	err = file_read_all(f, (uint8_t *)(uintptr_t)pa, *size);
	if (err)
		uefi.bs->FreePages(pa, *size / 4096 + 1);
	else
		*data = (void *)(uintptr_t)pa;
out_close:
	f->Close(f);
	return err;
}

/* The first line of cairn/cmdline into @buf (NUL-terminated), or "" when absent. */
void uefi_read_cmdline(char *buf, size_t size)
{
	EFI_FILE_PROTOCOL *f;
	UINTN n = size - 1;

	buf[0] = '\0';
	if (EFI_ERROR(esp_root->Open(esp_root, &f, L"cairn\\cmdline", EFI_FILE_MODE_READ, 0)))
		return;
	if (EFI_ERROR(f->Read(f, &n, buf)))
		n = 0;
	f->Close(f);
	buf[n] = '\0';
	for (UINTN i = 0; i < n; i++) {
		if (buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\0') {
			buf[i] = '\0';
			break;
		}
	}
}
