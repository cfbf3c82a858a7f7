/* SPDX-License-Identifier: MIT */
/*
 * The UEFI loader's log: every line goes to COM1 through a tiny polled
 * 16550 driver and, while boot services are up, to the screen. Each line
 * gets the "uefi: " prefix here, so shared code prints plain lines.
 *
 * Firmware such as OVMF mirrors ConOut onto the serial port, which would
 * print each line twice there. So the screen output goes to the text
 * outputs that are not UART terminals, and to ConOut itself only when the
 * consoles cannot be told apart.
 */
#include "boot/uefi/uefi.h"

#define SCREENS_MAX 4

/* The text outputs that reach a screen; [0] may be ConOut itself. */
static EFI_SIMPLE_TEXT_OUT_PROTOCOL *screens[SCREENS_MAX];
static unsigned nscreens;

/* Whether @dp contains a UART node (UEFI 2.10, 10.3.4.13: messaging type 3, subtype 14). */
static bool path_has_uart(EFI_DEVICE_PATH_PROTOCOL *dp)
{
	for (unsigned i = 0; i < 64 && !IsDevicePathEnd(dp); i++) {
		if (DevicePathType(dp) == MESSAGING_DEVICE_PATH && DevicePathSubType(dp) == 14)
			return true;
		if (DevicePathNodeLength(dp) < 4)
			break;
		dp = NextDevicePathNode(dp);
	}
	return false;
}

/* Sort the text-output handles into screens and UART terminals. */
static bool find_screens(bool *have_uart)
{
	EFI_GUID out_guid = EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL_GUID;
	EFI_GUID dp_guid = EFI_DEVICE_PATH_PROTOCOL_GUID;
	EFI_HANDLE *handles;
	UINTN n;

	if (EFI_ERROR(uefi.bs->LocateHandleBuffer(ByProtocol, &out_guid, NULL, &n, &handles)))
		return false;
	for (UINTN i = 0; i < n; i++) {
		EFI_DEVICE_PATH_PROTOCOL *dp;
		EFI_SIMPLE_TEXT_OUT_PROTOCOL *out;

		/* Handles without a device path are the console splitter's own. */
		if (EFI_ERROR(uefi.bs->HandleProtocol(handles[i], &dp_guid, (void **)&dp)) ||
		    EFI_ERROR(uefi.bs->HandleProtocol(handles[i], &out_guid, (void **)&out)))
			continue;
		if (path_has_uart(dp))
			*have_uart = true;
		else if (nscreens < SCREENS_MAX)
			screens[nscreens++] = out;
	}
	uefi.bs->FreePool(handles);
	return true;
}

/* Choose where screen output goes; call once boot services are known. */
void uefi_console_init(void)
{
	bool have_uart = false;

	nscreens = 0;
	if (!find_screens(&have_uart) || (nscreens == 0 && !have_uart)) {
		screens[0] = uefi.st->ConOut;
		nscreens = uefi.st->ConOut ? 1 : 0;
	}
}

/* The text output takes UCS-2 with CR LF line ends; convert a C string in chunks. */
static void screen_puts(EFI_SIMPLE_TEXT_OUT_PROTOCOL *out, const char *s)
{
	CHAR16 buf[64];
	unsigned n = 0;

	for (; *s; s++) {
		if (n >= 60) {
			buf[n] = 0;
			out->OutputString(out, buf);
			n = 0;
		}
		if (*s == '\n')
			buf[n++] = '\r';
		buf[n++] = (CHAR16)(unsigned char)*s;
	}
	buf[n] = 0;
	if (n)
		out->OutputString(out, buf);
}

static void log_raw(const char *s)
{
	for (const char *p = s; *p; p++) {
		loader_serial_putc(*p);
	}
	for (unsigned i = 0; i < nscreens && uefi.console; i++)
		screen_puts(screens[i], s);
}

/* loader_env.puts: print @s, adding "uefi: " at the start of each line. */
void uefi_puts(void *ctx, const char *s)
{
	char line[160];
	unsigned n = 0;

	for (; *s; s++) {
		if (uefi.line_start) {
			line[n] = '\0';
			log_raw(line);
			log_raw("uefi: ");
			n = 0;
			uefi.line_start = false;
		}
		line[n++] = *s;
		uefi.line_start = *s == '\n';
		if (n == sizeof(line) - 1) {
			line[n] = '\0';
			log_raw(line);
			n = 0;
		}
	}
	line[n] = '\0';
	log_raw(line);
}

/* Stop here for good: no return to firmware, no reset. */
void uefi_halt(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}
