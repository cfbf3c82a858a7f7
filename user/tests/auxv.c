// SPDX-License-Identifier: MIT
/*
 * What execve puts on the new stack: argc, argv, envp and the auxiliary
 * vector. Built static, and static-PIE as well. The vector is read from the
 * stack itself (ut_auxv), not through the libc, which may answer for it.
 */
#include <elf.h>
#include <sys/auxv.h>

#define getauxval ut_auxv

#include "utest.h"

extern char **environ;

int main(int argc, char **argv)
{
	const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	const char *plat = (const char *)getauxval(AT_PLATFORM);
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	unsigned long phnum = getauxval(AT_PHNUM), i, seen_load = 0;
	int sum = 0;

	tap_plan(14);
	tap_ok(argc == 1 && argv[1] == NULL, "argc 1 and argv ends with NULL");
	tap_ok(environ && environ[0] && strcmp(environ[0], "PATH=/bin") == 0 && environ[3] == NULL,
	       "the environment init passed, in order");
	tap_ok(getauxval(AT_PAGESZ) == 4096, "AT_PAGESZ 4096");
	tap_ok(getauxval(AT_PHENT) == sizeof(Elf64_Phdr), "AT_PHENT %lu", getauxval(AT_PHENT));
	for (i = 0; ph && i < phnum; i++)
		seen_load += ph[i].p_type == PT_LOAD;
	tap_ok(ph && phnum > 0 && seen_load > 0, "AT_PHDR points at program headers with PT_LOAD");
	tap_ok(getauxval(AT_ENTRY) != 0, "AT_ENTRY is set");
	for (i = 0; rnd && i < 16; i++)
		sum |= rnd[i];
	tap_ok(rnd && sum != 0, "AT_RANDOM gives 16 readable bytes");
	tap_ok(execfn && strcmp(execfn, argv[0]) == 0, "AT_EXECFN is the path run");
	tap_ok(plat && strcmp(plat, "x86_64") == 0, "AT_PLATFORM x86_64");
	tap_ok(getauxval(AT_UID) == 0 && getauxval(AT_EUID) == 0 && getauxval(AT_GID) == 0 &&
	               getauxval(AT_EGID) == 0,
	       "AT_UID, AT_EUID, AT_GID, AT_EGID are root's");
	tap_ok(getauxval(AT_SECURE) == 0, "AT_SECURE 0");
	tap_ok(getauxval(AT_CLKTCK) == 100, "AT_CLKTCK 100");
	tap_ok((getauxval(AT_HWCAP) & (1u << 25)) != 0, "AT_HWCAP has SSE (CPUID.1:EDX bit 25)");
	tap_ok(((uintptr_t)__builtin_frame_address(0) & 0xf) == 0, "the stack is 16-byte aligned");
	tap_masked("AT_HWCAP2 %#lx AT_SYSINFO_EHDR %s AT_MINSIGSTKSZ %lu", getauxval(AT_HWCAP2),
	           getauxval(AT_SYSINFO_EHDR) ? "set" : "unset", getauxval(51));
	return tap_done(14);
}
