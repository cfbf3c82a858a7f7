/* SPDX-License-Identifier: MIT */
/*
 * arch_prctl(2) codes of Linux on x86_64 (values from Linux's uapi
 * asm/prctl.h; written for Cairn, values only).
 */
#pragma once

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004

/* prctl(2) options (Linux's uapi linux/prctl.h; values only). */
#define PR_GET_DUMPABLE 3
#define PR_SET_DUMPABLE 4
#define PR_SET_NAME     15
#define PR_GET_NAME     16
