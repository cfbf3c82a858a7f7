// SPDX-License-Identifier: MIT
/*
 * Address-space randomisation: prints, on masked lines, where the stack, the
 * mmap area, the break and the code are. tools/usertest.py runs it twice in
 * one boot and wants every line to differ; the static build's code address
 * is fixed, so it is printed only for the static-PIE build.
 */
#include <elf.h>
#include <sys/auxv.h>

#include "utest.h"

/* A static-PIE executable has a PT_DYNAMIC segment (for its own relocation). */
static bool is_pie(void)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)ut_auxv(AT_PHDR);
	unsigned long i, n = ut_auxv(AT_PHNUM);

	for (i = 0; ph && i < n; i++)
		if (ph[i].p_type == PT_DYNAMIC)
			return true;
	return false;
}

int main(void)
{
	int local;
	void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t code = (uintptr_t)&main;

	tap_plan(2);
	tap_ok(m != MAP_FAILED, "mmap");
	tap_ok((uintptr_t)&local < 0x800000000000ul && (uintptr_t)m < 0x800000000000ul,
	       "stack and mmap in the user half");
	tap_masked("stack %p", (void *)&local);
	tap_masked("mmap %p", m);
	tap_masked("brk %p", sbrk(0));
	tap_masked("AT_RANDOM %p", (void *)ut_auxv(AT_RANDOM));
	if (is_pie())
		tap_masked("code %p", (void *)code);
	return tap_done(2);
}
