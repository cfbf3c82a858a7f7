/* SPDX-License-Identifier: MIT */
/*
 * uname(2)'s struct (Linux's struct new_utsname: six 65-byte strings) and
 * sysinfo(2)'s struct sysinfo for x86_64 (facts from Linux's uapi
 * <linux/utsname.h> and <linux/sysinfo.h>).
 */
#pragma once

#include <stdint.h>

#define UTSNAME_LEN 65

struct new_utsname {
	char sysname[UTSNAME_LEN];
	char nodename[UTSNAME_LEN];
	char release[UTSNAME_LEN];
	char version[UTSNAME_LEN];
	char machine[UTSNAME_LEN];
	char domainname[UTSNAME_LEN];
};

_Static_assert(sizeof(struct new_utsname) == 390, "six 65-byte strings");

#define SI_LOAD_SHIFT 16 /* loads[] are fixed point with this many fraction bits */

struct sysinfo {
	int64_t uptime;     /* seconds since boot */
	uint64_t loads[3];  /* 1, 5 and 15 minute load averages */
	uint64_t totalram;  /* in units of mem_unit bytes */
	uint64_t freeram;   /* likewise */
	uint64_t sharedram; /* likewise */
	uint64_t bufferram; /* likewise */
	uint64_t totalswap; /* likewise */
	uint64_t freeswap;  /* likewise */
	uint16_t procs;     /* number of processes */
	uint16_t pad;       /* explicit padding, as Linux's */
	uint32_t pad_align; /* the implicit padding before totalhigh, made explicit */
	uint64_t totalhigh; /* always 0 on 64-bit */
	uint64_t freehigh;  /* always 0 */
	uint32_t mem_unit;  /* bytes per unit of the memory fields */
	char reserved[4];   /* Linux's _f[] padding to 112 bytes on 64-bit */
};

_Static_assert(sizeof(struct sysinfo) == 112, "Linux x86_64 struct sysinfo is 112 bytes");
_Static_assert(__builtin_offsetof(struct sysinfo, procs) == 80, "procs at 80");
_Static_assert(__builtin_offsetof(struct sysinfo, totalhigh) == 88, "totalhigh at 88");
_Static_assert(__builtin_offsetof(struct sysinfo, mem_unit) == 104, "mem_unit at 104");
