// SPDX-License-Identifier: MIT
/*
 * User address space figures (issue 11), `kbench=uspace`: the kernel's
 * share of a page fault (uspace_fault() called directly, so without the
 * exception entry and exit the arch layer adds), demand zero against a
 * copy-on-write copy and a write that takes an unshared page back, an
 * empty space created and destroyed, and a fork of a space with 256
 * resident pages (the child's destruction included, from the second fork). Cycles per operation.
 */
#include <cairn/linux/mman.h>

#include <arch/page.h>

#include <stdint.h>

#include "arch/arch.h"
#include "core/kbench.h"
#include "core/log.h"
#include "mm/uspace.h"

#define PAGES  256
#define BASE   0x40000000ull
#define ROUNDS 200
#define FORKS  20

/* A space with PAGES pages mapped private and writable at BASE, none touched; NULL on error. */
static struct uspace *space_with_region(void)
{
	struct uspace *s;

	if (uspace_create(&s))
		return NULL;
	if (uspace_mmap(s, BASE, PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE,
	                MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED) != (long)BASE) {
		uspace_put(s);
		return NULL;
	}
	return s;
}

/* Cycles per write fault (with @how: UFAULT_PRESENT or 0) over every page of @s; 0 on error. */
static uint64_t touch_all(struct uspace *s, unsigned how)
{
	uint64_t t0 = arch_cycles();

	for (unsigned i = 0; i < PAGES; i++)
		if (uspace_fault(s, BASE + i * PAGE_SIZE, UFAULT_USER | UFAULT_WRITE | how))
			return 0;
	return (arch_cycles() - t0) / PAGES;
}

BENCH(uspace_faults)
{
	struct uspace *p = space_with_region(), *c = NULL;
	uint64_t zero, copy, reuse, t0 = 0;

	if (!p)
		return;
	zero = touch_all(p, 0);
	/* Forks after the first one run warm code, as a program forking in a loop does. */
	for (unsigned i = 0; i <= FORKS; i++) {
		if (i == 1)
			t0 = arch_cycles();
		if (c)
			uspace_put(c);
		if (uspace_fork(p, &c)) {
			uspace_put(p);
			return;
		}
	}
	kbench_report_cycles("uspace_fork_256_pages", (arch_cycles() - t0) / FORKS);
	copy = touch_all(p,
	                 UFAULT_PRESENT); /* the child still holds every frame: each write copies */
	reuse = touch_all(c,
	                  UFAULT_PRESENT); /* now the child is alone: each write keeps the frame */
	kbench_report_cycles("uspace_fault_demand_zero", zero);
	kbench_report_cycles("uspace_fault_cow_copy", copy);
	kbench_report_cycles("uspace_fault_cow_reuse", reuse);
	uspace_put(c);
	uspace_put(p);
}

BENCH(uspace_create_destroy)
{
	struct uspace *s;
	uint64_t t0 = arch_cycles();

	for (unsigned i = 0; i < ROUNDS; i++) {
		if (uspace_create(&s))
			return;
		uspace_put(s);
	}
	kbench_report_cycles("uspace_create_destroy", (arch_cycles() - t0) / ROUNDS);
}
