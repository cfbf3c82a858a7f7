// SPDX-License-Identifier: MIT
/*
 * Core kernel tests: panic reporting, the symbol table, the serial port,
 * kernel printf and the boot information every path must provide.
 */
#include <cairn/boot.h>

#include <lib/format.h>
#include <lib/list/list.h>
#include <lib/string.h>

#include <stdbool.h>

#include "arch/arch.h"
#include "core/cmdline.h"
#include "core/kmain.h"
#include "core/ksyms.h"
#include "core/ktest.h"
#include "core/panic.h"
#include "dev/uart16550.h"

static void do_panic(void *arg)
{
	panic("test panic %d", 42);
}

TEST(panic, caught_with_message)
{
	struct ktest_fault f;

	EXPECT_EQ(ktest_catch(do_panic, NULL, &f), 1);
	EXPECT_EQ(f.vector, KTEST_PANIC);
	EXPECT_STREQ(f.what, "test panic 42");
}

/* A stray write breaks a list's links; the next deletion must notice. */
static void break_list(void *arg)
{
	struct list_node head, a, b, c;

	list_init(&head);
	list_node_init(&a);
	list_node_init(&b);
	list_node_init(&c);
	list_add_tail(&head, &a);
	list_add_tail(&head, &b);
	list_add_tail(&head, &c);
	a.next = &c;
	list_del(&b);
}

/* Debug builds (the default, docs/locking.md) check lists on every deletion. */
TEST(panic, list_corruption_panics)
{
	struct ktest_fault f;
	static const char want[] = "list: the previous node does not point back";

	if (!LIST_CHECKS)
		ktest_skip("list checks are off (DEBUG=0)");
	EXPECT_EQ(ktest_catch(break_list, NULL, &f), 1);
	EXPECT_EQ(f.vector, KTEST_PANIC);
	EXPECT_EQ(strncmp(f.what, want, sizeof(want) - 1), 0);
}

TEST_MUST_PANIC(panic, declared_panic)
{
	panic("this test must panic");
}

TEST(ksyms, names_functions)
{
	uintptr_t off = 99;
	const char *name = ksyms_lookup((uintptr_t)&kmain + 3, &off);

	EXPECT_TRUE(name != NULL);
	EXPECT_STREQ(name, "kmain");
	EXPECT_EQ(off, 3);
	EXPECT_EQ(ksyms_address("panic"), (uintptr_t)&panic);
	EXPECT_TRUE(ksyms_lookup(0x1000, &off) == NULL);
}

struct names {
	const char *seen[8];
	unsigned n;
};

static void collect(uintptr_t pc, void *ctx)
{
	struct names *nm = ctx;
	uintptr_t off;

	if (nm->n < 8)
		nm->seen[nm->n++] = ksyms_lookup(pc, &off);
}

static bool has(const struct names *nm, const char *name)
{
	unsigned i;

	for (i = 0; i < nm->n; i++)
		if (nm->seen[i] && strcmp(nm->seen[i], name) == 0)
			return true;
	return false;
}

TEST(ksyms, backtrace_names_callers)
{
	struct names nm = { .n = 0 };

	arch_backtrace(arch_frame_pointer(), collect, &nm);
	EXPECT_TRUE(nm.n >= 2);
	/* Called from the runner: its frames must show up by name. */
	EXPECT_TRUE(has(&nm, "run_one"));
	EXPECT_TRUE(has(&nm, "ktest_run"));
}

TEST(serial, loopback)
{
	EXPECT_EQ(uart_selftest(&uart_console), 0);
}

TEST(format, kernel_printf)
{
	char buf[64];

	EXPECT_EQ(fmt_snprintf(buf, sizeof(buf), "%s=%5d|%-4x|%#llx", "n", -42, 0xab, 1ull << 40),
	          26);
	EXPECT_STREQ(buf, "n=  -42|ab  |0x10000000000");
	EXPECT_EQ(fmt_snprintf(buf, sizeof(buf), "%p", (void *)0xffffffff80200000ull), 18);
	EXPECT_STREQ(buf, "0xffffffff80200000");
}

TEST(boot, info_is_sane)
{
	uint32_t i;
	uint64_t usable = 0;

	EXPECT_EQ(boot_info.magic, CAIRN_BOOT_MAGIC);
	EXPECT_TRUE(boot_info.mmap_count > 0 && boot_info.mmap_count <= BOOT_MMAP_MAX);
	for (i = 0; i < boot_info.mmap_count; i++) {
		const struct boot_mem_range *r = &boot_info.mmap[i];

		EXPECT_EQ(r->base & 0xfff, 0);
		EXPECT_EQ(r->length & 0xfff, 0);
		EXPECT_TRUE(r->length > 0);
		if (i > 0)
			EXPECT_TRUE(r->base >=
			            boot_info.mmap[i - 1].base + boot_info.mmap[i - 1].length);
		if (r->type == BOOT_MEM_USABLE)
			usable += r->length;
	}
	EXPECT_TRUE(usable >= 16ull << 20);
	EXPECT_TRUE(boot_info.kernel_phys_size > 0);
	EXPECT_EQ(boot_info.kernel_virt_base,
	          (uint64_t)(uintptr_t)&kmain -
	                  ((uint64_t)(uintptr_t)&kmain - boot_info.kernel_virt_base));
}

TEST(boot, kernel_range_is_marked)
{
	uint32_t i;
	int found = 0;

	for (i = 0; i < boot_info.mmap_count; i++) {
		const struct boot_mem_range *r = &boot_info.mmap[i];

		if (r->type == BOOT_MEM_KERNEL && r->base <= boot_info.kernel_phys_base &&
		    r->base + r->length >= boot_info.kernel_phys_base + boot_info.kernel_phys_size)
			found = 1;
	}
	EXPECT_TRUE(found);
}

TEST(boot, direct_map_reaches_kernel)
{
	/* The kernel image read through the direct map equals the image itself. */
	const uint8_t *via_direct = phys_to_virt(boot_info.kernel_phys_base +
	                                         ((uintptr_t)&kmain - boot_info.kernel_virt_base));

	EXPECT_EQ(memcmp(via_direct, (const void *)&kmain, 16), 0);
}

TEST(cmdline, finds_words_and_values)
{
	char saved[BOOT_CMDLINE_MAX], word[16];

	memcpy(saved, boot_info.cmdline, sizeof(saved));
	memcpy(boot_info.cmdline, "ktest loglevel=2  quiet=on x", 29);
	EXPECT_STREQ(cmdline_get("ktest"), "");
	EXPECT_STREQ(cmdline_get("loglevel"), "2  quiet=on x");
	cmdline_word(cmdline_get("quiet"), word, sizeof(word));
	EXPECT_STREQ(word, "on");
	EXPECT_TRUE(cmdline_has("x"));
	EXPECT_TRUE(!cmdline_has("log")); /* a prefix is not a word */
	EXPECT_TRUE(!cmdline_has("level"));
	memcpy(boot_info.cmdline, saved, sizeof(saved));
}
