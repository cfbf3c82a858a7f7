// SPDX-License-Identifier: MIT
/*
 * The user-copy helpers (kernel/mm/uaccess.h): bad pointers of every kind
 * give -EFAULT and never a kernel fault, good ones copy exactly, strings
 * stop at their NUL or their limit, and with SMAP on the window is open
 * only during a copy. The user pages come from a private page table
 * (uenv.c) loaded by this flow, the boot CPU's pinned one.
 */
#include <cairn/errno.h>

#include <arch/cpu.h>
#include <arch/page.h>
#include <lib/string.h>

#include <stdint.h>

#include "arch/x86_64/x86.h"
#include "core/ktest.h"
#include "mm/uaccess.h"
#include "tests/kernel/arch/x86_64/uenv.h"

USER_PROG(prog_none, "ud2");

static uint64_t kernel_word = 0x1122334455667788ull;

TEST(uaccess, range_check_edges)
{
	EXPECT_TRUE(user_range_ok(0, 0));
	EXPECT_TRUE(user_range_ok(0, USER_TOP));
	EXPECT_TRUE(user_range_ok(USER_TOP, 0));
	EXPECT_TRUE(user_range_ok(USER_TOP - 1, 1));
	EXPECT_TRUE(!user_range_ok(USER_TOP - 1, 2));
	EXPECT_TRUE(!user_range_ok(1, USER_TOP));
	EXPECT_TRUE(!user_range_ok(0x1000, SIZE_MAX));
	EXPECT_TRUE(!user_range_ok(UINTPTR_MAX, 2));
	EXPECT_TRUE(!user_range_ok(0x800000000000ull, 1));
	EXPECT_TRUE(!user_range_ok((uintptr_t)&kernel_word, 8));
}

/* Pointers no copy may touch: unmapped, kernel, non-canonical, wrapping, too long. */
static const struct {
	uintptr_t addr;
	size_t n;
} bad[] = {
	{ 0, 8 },
	{ 0x1000, 1 },
	{ 0xffff800000000000ull, 8 },
	{ 0x800000000000ull, 8 },
	{ 0x8000000000000000ull, 8 },
	{ USER_TOP - 8, 16 },
	{ UINTPTR_MAX - 3, 8 },
	{ 0x1000, SIZE_MAX },
};

TEST(uaccess, bad_pointers_give_efault)
{
	uint8_t buf[16] = { 0 };
	char s[16];
	unsigned i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		void *u = (void *)bad[i].addr;
		size_t n = bad[i].n < sizeof(buf) ? bad[i].n : sizeof(buf);

		EXPECT_EQ(copy_from_user(buf, u, n), -EFAULT);
		EXPECT_EQ(copy_to_user(u, buf, n), -EFAULT);
		EXPECT_EQ(clear_user(u, n), -EFAULT);
		EXPECT_EQ(strncpy_from_user(s, u, sizeof(s)), -EFAULT);
		if (bad[i].n > sizeof(buf)) /* the length alone is out of range */
			EXPECT_EQ(copy_from_user(buf, (void *)0x1000, bad[i].n), -EFAULT);
	}
	EXPECT_EQ(copy_to_user(&kernel_word, buf, 8), -EFAULT);
	EXPECT_EQ(kernel_word, 0x1122334455667788ull);
}

TEST(uaccess, copies_strings_and_faults_inside_user_space)
{
	uint8_t *u = (uint8_t *)USTACK_VA, *end = u + PAGE_SIZE;
	uint8_t in[64], out[64];
	struct uenv e;
	char s[16];

	for (unsigned i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 7 + 1);
	uenv_setup(&e, prog_none_start, prog_none_end);
	uenv_enter(&e);
	EXPECT_EQ(copy_to_user(u + 100, in, sizeof(in)), 0);
	EXPECT_EQ(copy_from_user(out, u + 100, sizeof(out)), 0);
	EXPECT_EQ(memcmp(in, out, sizeof(in)), 0);
	EXPECT_EQ(clear_user(u + 100, 8), 0);
	EXPECT_EQ(copy_from_user(out, u + 100, sizeof(out)), 0);
	EXPECT_TRUE(out[7] == 0 && out[8] == in[8]);
	/* Across the end of the stack page: the next page is unmapped. */
	EXPECT_EQ(copy_to_user(end - 8, in, 16), -EFAULT);
	EXPECT_EQ(copy_from_user(out, end - 8, 16), -EFAULT);
	/* The code page is read-only for everyone (CR0.WP). */
	EXPECT_EQ(copy_to_user((void *)UCODE_VA, in, 8), -EFAULT);
	EXPECT_EQ(copy_to_user(u, "hello", 6), 0);
	EXPECT_EQ(strncpy_from_user(s, (const char *)u, sizeof(s)), 5);
	EXPECT_STREQ(s, "hello");
	EXPECT_EQ(strncpy_from_user(s, (const char *)u, 5), -ENAMETOOLONG);
	EXPECT_EQ(strncpy_from_user(s, (const char *)u, 6), 5);
	EXPECT_EQ(copy_to_user(end - 4, "abcd", 4), 0);
	EXPECT_EQ(strncpy_from_user(s, (const char *)end - 4, sizeof(s)), -EFAULT);
	EXPECT_EQ(strncpy_from_user(s, (const char *)end - 4, 4), -ENAMETOOLONG);
	uenv_leave(&e);
}

static void touch_user(void *arg)
{
	volatile uint8_t v = *(volatile uint8_t *)arg;

	(void)v;
}

/*
 * SMAP (Intel SDM Vol. 3A, 5.6.1): outside a copy, RFLAGS.AC is clear and
 * a kernel read of a user page faults, also after a copy that faulted.
 */
TEST(uaccess, smap_window_closes_after_every_copy)
{
	struct ktest_fault f;
	struct uenv e;
	uint8_t buf[8];

	if (!x86_smap_on)
		ktest_skip("CPU without SMAP (run with QEMU_CPU=max)");
	uenv_setup(&e, prog_none_start, prog_none_end);
	uenv_enter(&e);
	EXPECT_EQ(copy_from_user(buf, (void *)USTACK_VA, sizeof(buf)), 0);
	EXPECT_TRUE(!(x86_read_rflags() & X86_RFLAGS_AC));
	EXPECT_EQ(copy_from_user(buf, (void *)(USTACK_VA + PAGE_SIZE - 4), sizeof(buf)), -EFAULT);
	EXPECT_TRUE(!(x86_read_rflags() & X86_RFLAGS_AC));
	EXPECT_EQ(ktest_catch(touch_user, (void *)USTACK_VA, &f), 1);
	EXPECT_EQ(f.vector, 14);
	EXPECT_EQ(f.addr, USTACK_VA);
	uenv_leave(&e);
}
