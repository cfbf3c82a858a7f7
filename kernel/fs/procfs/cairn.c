// SPDX-License-Identifier: MIT
/*
 * /proc/cairn: Cairn's own files, beside Linux's names. drivers lists the
 * user-space drivers the driver host keeps running (kernel/ipc/drvhost.c,
 * docs/drvhost.md): name, pid, lives, the last death, the delay chosen.
 */
#include "fs/procfs/internal.h"
#include "ipc/devobj.h"

#define REG_MODE (S_IFREG | 0444)

static int show_drivers(struct seqbuf *s, const struct procfs_node *n)
{
	drvhost_show(s);
	return 0;
}

static const struct procfs_entry cairn_entries[] = {
	{ "drivers", 121, REG_MODE, 0, show_drivers, NULL, NULL, NULL },
};

const struct procfs_dir procfs_cairn_dir = { cairn_entries, 1, NULL, NULL, NULL, 0 };
