/* SPDX-License-Identifier: MIT */
/*
 * reboot(2)'s magic numbers and commands (facts from Linux's uapi
 * <linux/reboot.h>).
 */
#pragma once

#define LINUX_REBOOT_MAGIC1  0xfee1deadu
#define LINUX_REBOOT_MAGIC2  672274793u
#define LINUX_REBOOT_MAGIC2A 85072278u
#define LINUX_REBOOT_MAGIC2B 369367448u
#define LINUX_REBOOT_MAGIC2C 537993216u

#define LINUX_REBOOT_CMD_RESTART    0x01234567u
#define LINUX_REBOOT_CMD_HALT       0xcdef0123u
#define LINUX_REBOOT_CMD_CAD_ON     0x89abcdefu
#define LINUX_REBOOT_CMD_CAD_OFF    0x00000000u
#define LINUX_REBOOT_CMD_POWER_OFF  0x4321fedcu
#define LINUX_REBOOT_CMD_RESTART2   0xa1b2c3d4u
#define LINUX_REBOOT_CMD_SW_SUSPEND 0xd000fce2u
#define LINUX_REBOOT_CMD_KEXEC      0x45584543u
