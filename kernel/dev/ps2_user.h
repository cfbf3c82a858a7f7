/* SPDX-License-Identifier: MIT */
/*
 * The PS/2 keyboard driven from user space (issue 15, docs/ps2-user.md):
 * at boot, if the initramfs has /sbin/ps2kbd and the command line does not
 * say kbd=kernel, the kernel gives the keyboard's interrupt and ports to
 * that program (through the driver host, kernel/ipc/devobj.h) and reads
 * the key events it sends over a channel, encoded with idl/input.cidl,
 * into the input queue the console reads (dev/input.h). The mouse stays
 * in the kernel (dev/ps2.c).
 */
#pragma once

#include <cairn/compiler.h>

#include <stddef.h>
#include <stdint.h>

/*
 * Hand the keyboard over and start its driver, if the system has one and
 * the command line allows it. Call once from the boot flow, after the
 * file tree is up and the consoles read their input, just after init
 * starts (init must be pid 1).
 * Returns 0 (handed over), -ENODEV (no keyboard), -ENOENT (no driver
 * program), -EPERM (kbd=kernel) or an error of the objects' creation;
 * on any error the kernel's own driver keeps the keyboard.
 */
int ps2_user_start(void);

/*
 * One message from the driver: decode it (idl/input.cidl), check every
 * event, then queue them all for the console. A message that does not
 * decode, or holds an event with an unknown key or modifier bit, is
 * refused whole. Returns the events queued (>= 0) or -EBADMSG. Exposed for
 * the kernel tests; task context.
 */
int __must_check ps2_user_deliver(const void *msg, size_t len);

/* What the kernel side saw (a snapshot). */
struct ps2_user_stats {
	uint64_t messages; /* messages read from the driver's channel */
	uint64_t events;   /* key events queued from them */
	uint64_t refused;  /* messages refused (malformed, too long) */
	uint64_t dropped;  /* events the input queue had no room for */
};
void ps2_user_get_stats(struct ps2_user_stats *out);
