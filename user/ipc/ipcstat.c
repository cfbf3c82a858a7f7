// SPDX-License-Identifier: MIT
/*
 * ipcstat: print the kernel's count of Cairn objects (cairn_object_count,
 * include/cairn/ipc.h) on one line, so a shell session can compare the
 * counts before and after a run and see that nothing was left behind
 * (docs/ipc.md). On Linux it says the call is missing and fails.
 */
#include <stdio.h>
#include <string.h>

#include "cairn.h"

static const char *const type_names[CAIRN_OBJ_TYPES] = {
	[CAIRN_OBJ_CHANNEL] = "channels",  [CAIRN_OBJ_VMO] = "vmos",
	[CAIRN_OBJ_PROCESS] = "processes", [CAIRN_OBJ_THREAD] = "threads",
	[CAIRN_OBJ_IRQ] = "irqs",          [CAIRN_OBJ_IOPORT] = "ioports",
	[CAIRN_OBJ_MMIO] = "mmios",
};

int main(void)
{
	struct cairn_objcount c;
	long err;

	memset(&c, 0, sizeof(c));
	err = cairn_object_count(&c);
	if (err) {
		fprintf(stderr, "ipcstat: cairn_object_count: %s\n", strerror((int)-err));
		return 1;
	}
	for (int t = 1; t < CAIRN_OBJ_TYPES; t++)
		printf("%s=%llu ", type_names[t], (unsigned long long)c.objects[t]);
	printf("handles=%llu messages=%llu message_bytes=%llu handles_in_flight=%llu "
	       "vmo_pages=%llu\n",
	       (unsigned long long)c.handles, (unsigned long long)c.messages,
	       (unsigned long long)c.message_bytes, (unsigned long long)c.handles_in_flight,
	       (unsigned long long)c.vmo_pages);
	return 0;
}
