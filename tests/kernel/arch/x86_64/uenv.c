// SPDX-License-Identifier: MIT
/*
 * The private user environment of the ring-3 kernel tests (uenv.h): page
 * tables built with lib/paging on fresh frames, no kernel/mm address space.
 */
#include "tests/kernel/arch/x86_64/uenv.h"

#include <arch/page.h>
#include <lib/string.h>

#include <stdint.h>

#include "arch/arch.h"
#include "core/kmain.h"
#include "core/ktest.h"
#include "core/percpu.h"
#include "mm/pmm.h"
#include "mm/vm.h"

/* The kernel's root while a uenv is loaded. [boot CPU's test flow] */
static uint64_t kernel_root;

static uint64_t root_alloc(void)
{
	uint64_t root = pmm_alloc_frame();
	uint64_t *mine, *kernel;

	EXPECT_TRUE(root != 0);
	mine = phys_to_virt(root);
	kernel = phys_to_virt(arch_mmu_root());
	memset(mine, 0, PAGE_SIZE);
	memcpy(mine + 256, kernel + 256, 256 * sizeof(uint64_t)); /* the shared kernel half */
	return root;
}

void uenv_setup_at(struct uenv *e, const char *start, const char *end, uint64_t va, bool at_end)
{
	size_t len = (size_t)(end - start);
	uint8_t *code;

	memset(e, 0, sizeof(*e));
	e->pt = *vm_kernel_space();
	e->pt.root = root_alloc();
	e->code_pa = pmm_alloc_frame();
	e->stack_pa = pmm_alloc_frame();
	EXPECT_TRUE(e->code_pa && e->stack_pa && len <= PAGE_SIZE);
	code = phys_to_virt(e->code_pa);
	memset(code, 0xcc, PAGE_SIZE); /* INT3 around the program */
	memcpy(code + (at_end ? PAGE_SIZE - len : 0), start, len);
	memset(phys_to_virt(e->stack_pa), 0, PAGE_SIZE);
	e->code_va = va;
	e->entry = va + (at_end ? PAGE_SIZE - len : 0);
	EXPECT_EQ(pt_map(&e->pt, va, e->code_pa, PAGE_SIZE, PT_USER | PT_EXEC, PT_PAGE_4K), 0);
	EXPECT_EQ(pt_map(&e->pt, USTACK_VA, e->stack_pa, PAGE_SIZE, PT_USER | PT_WRITE, PT_PAGE_4K),
	          0);
}

void uenv_setup(struct uenv *e, const char *start, const char *end)
{
	uenv_setup_at(e, start, end, UCODE_VA, false);
}

void uenv_enter(struct uenv *e)
{
	kernel_root = arch_mmu_root();
	arch_mmu_activate(e->pt.root);
}

void uenv_leave(struct uenv *e)
{
	arch_mmu_activate(kernel_root);
	EXPECT_EQ(pt_unmap(&e->pt, e->code_va, PAGE_SIZE), 0);
	EXPECT_EQ(pt_unmap(&e->pt, USTACK_VA, PAGE_SIZE), 0);
	pmm_free_frame(e->code_pa);
	pmm_free_frame(e->stack_pa);
	pmm_free_frame(e->pt.root);
}

static int enter_user(void *arg)
{
	struct uenv *e = arg;
	struct arch_uframe *f = arch_uframe(task_current());

	arch_mmu_activate(e->pt.root);
	arch_uframe_init(f, e->entry, USTACK_VA + PAGE_SIZE);
	arch_enter_user(f);
}

struct task_result uenv_run(struct uenv *e, bool kill)
{
	struct task_spawn_opts o = { .prio = TASK_PRIO_DEFAULT, .cpu = (int)this_cpu_index() };
	struct task_result res = { 0 };
	struct task_handle h;

	o.affinity = 1ull << o.cpu;
	kernel_root = arch_mmu_root();
	EXPECT_EQ(task_spawn_opts(&h, "user-test", enter_user, e, &o), 0);
	if (kill) {
		task_sleep_ns(30 * 1000 * 1000);
		EXPECT_EQ(task_kill(h), 0);
	}
	EXPECT_EQ(task_join(h, &res), 0);
	uenv_leave(e);
	return res;
}
