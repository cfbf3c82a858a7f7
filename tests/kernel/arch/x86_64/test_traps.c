// SPDX-License-Identifier: MIT
/*
 * Exception handling tests: each exception is raised on purpose and the
 * decoded report checked, through ktest_catch() for the details and
 * TEST_MUST_FAULT for the declaration form the harness offers.
 */
#include <lib/string.h>

#include <stdbool.h>
#include <stdint.h>

#include "core/ktest.h"
#include "irq/irq.h"

/* An address in the lower half, which the kernel unmaps at boot. */
#define UNMAPPED_ADDR 0x0000000000dea000ull

static bool contains(const char *s, const char *word)
{
	size_t n = strlen(word);

	for (; *s; s++)
		if (strncmp(s, word, n) == 0)
			return true;
	return false;
}

static void divide_by_zero(void *arg)
{
	/* In asm: the compiler may rewrite a C division by a variable. */
	__asm__ volatile("xorl %%ecx, %%ecx\n\tmovl $1, %%eax\n\txorl %%edx, %%edx\n\tdivl %%ecx"
	                 :
	                 :
	                 : "rax", "rcx", "rdx");
}

static void invalid_opcode(void *arg)
{
	__asm__ volatile("ud2");
}

static void read_unmapped(void *arg)
{
	volatile uint64_t v = *(volatile uint64_t *)UNMAPPED_ADDR;

	(void)v;
}

static void write_unmapped(void *arg)
{
	*(volatile uint64_t *)(UNMAPPED_ADDR + 8) = 1;
}

static void load_bad_selector(void *arg)
{
	/* GDT index 0x246 is far past the end of the GDT. */
	__asm__ volatile("movw $0x1230, %%ax\n\tmovw %%ax, %%fs" : : : "rax");
}

static void non_canonical(void *arg)
{
	volatile uint64_t v = *(volatile uint64_t *)0x8000000000000000ull;

	(void)v;
}

TEST(trap, divide_error)
{
	struct ktest_fault f;

	EXPECT_EQ(ktest_catch(divide_by_zero, NULL, &f), 1);
	EXPECT_EQ(f.vector, 0);
	EXPECT_TRUE(contains(f.what, "divide error (#0)"));
}

TEST(trap, invalid_opcode)
{
	struct ktest_fault f;

	EXPECT_EQ(ktest_catch(invalid_opcode, NULL, &f), 1);
	EXPECT_EQ(f.vector, 6);
	EXPECT_TRUE(contains(f.what, "invalid opcode"));
}

TEST(trap, page_fault_read_not_present)
{
	struct ktest_fault f;

	EXPECT_EQ(ktest_catch(read_unmapped, NULL, &f), 1);
	EXPECT_EQ(f.vector, 14);
	EXPECT_EQ(f.addr, UNMAPPED_ADDR);
	EXPECT_EQ(f.error & 0x7, 0); /* not present, read, kernel mode */
	EXPECT_TRUE(contains(f.what, "read from not-present page at 0xdea000 in kernel mode"));
}

TEST(trap, page_fault_write_not_present)
{
	struct ktest_fault f;

	EXPECT_EQ(ktest_catch(write_unmapped, NULL, &f), 1);
	EXPECT_EQ(f.vector, 14);
	EXPECT_EQ(f.addr, UNMAPPED_ADDR + 8);
	EXPECT_EQ(f.error & 0x7, 0x2); /* W set */
	EXPECT_TRUE(contains(f.what, "write to not-present page"));
}

TEST(trap, page_fault_instruction_fetch)
{
	struct ktest_fault f;

	EXPECT_EQ(ktest_catch((void (*)(void *))(uintptr_t)UNMAPPED_ADDR, NULL, &f), 1);
	EXPECT_EQ(f.vector, 14);
	EXPECT_EQ(f.addr, UNMAPPED_ADDR);
	EXPECT_EQ(f.pc, UNMAPPED_ADDR);
	/* The I/D bit is reported when NX is enabled (Intel SDM Vol. 3A, 5.7). */
	EXPECT_TRUE(contains(f.what, "instruction fetch from not-present page"));
}

TEST(trap, general_protection_selector)
{
	struct ktest_fault f;

	EXPECT_EQ(ktest_catch(load_bad_selector, NULL, &f), 1);
	EXPECT_EQ(f.vector, 13);
	EXPECT_EQ(f.error, 0x1230);
	EXPECT_TRUE(
		contains(f.what, "general protection fault (#13) (GDT selector 0x1230 index 582)"));
}

TEST(trap, general_protection_non_canonical)
{
	struct ktest_fault f;

	EXPECT_EQ(ktest_catch(non_canonical, NULL, &f), 1);
	EXPECT_EQ(f.vector, 13);
	EXPECT_EQ(f.error, 0);
}

/* Recursion deep enough to run off any boot stack; the array defeats tail calls. */
static unsigned recurse(unsigned depth)
{
	volatile char pad[512];

	pad[0] = (char)depth;
	if (depth > 100000000) /* never: a 512-byte frame overflows long before */
		return 0;
	return recurse(depth + 1) + pad[0];
}

static void overflow_stack(void *arg)
{
	recurse(0);
}

TEST(trap, stack_overflow_caught_by_double_fault)
{
	struct ktest_fault f;

	EXPECT_EQ(ktest_catch(overflow_stack, NULL, &f), 1);
	EXPECT_EQ(f.vector, 8);
	EXPECT_TRUE(contains(f.what, "kernel stack overflow"));
}

TEST_MUST_FAULT(trap, declared_fault, 6)
{
	__asm__ volatile("ud2");
}

TEST(trap, execution_resumes_after_caught_fault)
{
	struct ktest_fault f;
	int i;

	for (i = 0; i < 3; i++)
		EXPECT_EQ(ktest_catch(invalid_opcode, NULL, &f), 1);
	EXPECT_EQ(ktest_catch(divide_by_zero, NULL, &f), 1);
	EXPECT_EQ(f.vector, 0);
}

TEST(trap, caught_fault_restores_interrupt_flag)
{
	struct ktest_fault f;

	irq_enable();
	EXPECT_EQ(ktest_catch(invalid_opcode, NULL, &f), 1);
	/* The handler ran with interrupts off; the jump back restores the caller's flag. */
	EXPECT_TRUE(irq_enabled());
}
