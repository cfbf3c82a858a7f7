/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/elf/exec.c, the checks exec makes on a user program:
 * a small static executable is built in memory (PT_PHDR, a code and a data
 * PT_LOAD, PT_TLS, PT_GNU_STACK), then broken one way at a time; each case
 * checks the errno Linux would give (or -ENOEXEC) and the reason.
 */
#include <cairn/errno.h>

#include <lib/elf/elf.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

#define TOP    0x00007ffffffff000ull
#define BASE   0x400000ull
#define ENTRY  (BASE + 0x200)
#define FSIZE  0x1100
#define NPHDR  5
#define P_PHDR 0
#define P_TEXT 1
#define P_DATA 2
#define P_TLS  3
#define P_STK  4

struct prog {
	size_t size;
	union {
		uint64_t align;
		uint8_t b[0x2000];
	};
};

static struct elf64_ehdr *eh(struct prog *p)
{
	return (struct elf64_ehdr *)p->b;
}

static struct elf64_phdr *ph(struct prog *p, unsigned i)
{
	return (struct elf64_phdr *)(p->b + sizeof(struct elf64_ehdr)) + i;
}

static void set_ph(struct elf64_phdr *h, uint32_t type, uint32_t flags, uint64_t off, uint64_t va,
                   uint64_t filesz, uint64_t memsz)
{
	h->p_type = type;
	h->p_flags = flags;
	h->p_offset = off;
	h->p_vaddr = h->p_paddr = va;
	h->p_filesz = filesz;
	h->p_memsz = memsz;
	h->p_align = 0x1000;
}

static void build(struct prog *p, bool pie)
{
	uint64_t base = pie ? 0 : BASE;
	size_t phlen = NPHDR * sizeof(struct elf64_phdr);

	memset(p, 0, sizeof(*p));
	memcpy(eh(p)->e_ident, "\177ELF\2\1\1", 7);
	eh(p)->e_type = pie ? ELF_ET_DYN : ELF_ET_EXEC;
	eh(p)->e_machine = ELF_EM_X86_64;
	eh(p)->e_version = 1;
	eh(p)->e_entry = base + 0x200;
	eh(p)->e_phoff = sizeof(struct elf64_ehdr);
	eh(p)->e_ehsize = sizeof(struct elf64_ehdr);
	eh(p)->e_phentsize = sizeof(struct elf64_phdr);
	eh(p)->e_phnum = NPHDR;
	set_ph(ph(p, P_PHDR), ELF_PT_PHDR, ELF_PF_R, 64, base + 64, phlen, phlen);
	set_ph(ph(p, P_TEXT), ELF_PT_LOAD, ELF_PF_R | ELF_PF_X, 0, base, 0x1000, 0x1000);
	set_ph(ph(p, P_DATA), ELF_PT_LOAD, ELF_PF_R | ELF_PF_W, 0x1000, base + 0x1000, 0x100,
	       0x3000);
	set_ph(ph(p, P_TLS), ELF_PT_TLS, ELF_PF_R, 0x1000, base + 0x1000, 0x10, 0x20);
	set_ph(ph(p, P_STK), ELF_PT_GNU_STACK, ELF_PF_R | ELF_PF_W, 0, 0, 0, 0);
	p->size = FSIZE;
}

/* Validate an exact-size heap copy of the first @len bytes. */
static int check_len(const struct prog *p, size_t len, struct elf_exec *x, const char **why)
{
	uint8_t *copy = malloc(len ? len : 1);
	int err;

	memcpy(copy, p->b, len);
	*why = NULL;
	err = elf_validate_exec(x, copy, len, TOP, why);
	free(copy);
	return err;
}

static void expect(const struct prog *p, int err, const char *msg)
{
	struct elf_exec x;
	const char *why;

	int got = check_len(p, p->size, &x, &why);

	assert_non_null(why);
	assert_string_equal(why, msg);
	assert_int_equal(got, err);
}

static void test_static_ok(void **state)
{
	struct prog p;
	struct elf_exec x;
	const char *why;

	build(&p, false);
	assert_int_equal(check_len(&p, p.size, &x, &why), 0);
	assert_false(x.pie);
	assert_int_equal(x.lo, BASE);
	assert_int_equal(x.hi, BASE + 0x4000);
	assert_int_equal(x.entry, ENTRY);
	assert_int_equal(x.phdr_vaddr, BASE + 64);
	assert_int_equal(x.align, 0x1000);
	assert_false(x.exec_stack);
}

static void test_pie_ok(void **state)
{
	struct prog p;
	struct elf_exec x;
	const char *why;

	build(&p, true);
	ph(&p, P_TEXT)->p_align = 0x200000;
	assert_int_equal(check_len(&p, p.size, &x, &why), 0);
	assert_true(x.pie);
	assert_int_equal(x.lo, 0);
	assert_int_equal(x.hi, 0x4000);
	assert_int_equal(x.align, 0x200000);
	ph(&p, P_TEXT)->p_align = 1ull << 40; /* capped */
	assert_int_equal(check_len(&p, p.size, &x, &why), 0);
	assert_int_equal(x.align, ELF_EXEC_MAX_ALIGN);
}

/* Without PT_PHDR the headers are found through the PT_LOAD that holds e_phoff. */
static void test_phdr_derived(void **state)
{
	struct prog p;
	struct elf_exec x;
	const char *why;

	build(&p, false);
	ph(&p, P_PHDR)->p_type = ELF_PT_NOTE;
	ph(&p, P_STK)->p_type = ELF_PT_NOTE;
	assert_int_equal(check_len(&p, p.size, &x, &why), 0);
	assert_int_equal(x.phdr_vaddr, BASE + 64);
	assert_true(x.exec_stack);
	ph(&p, P_TEXT)->p_offset = 0x1000; /* headers no longer loaded */
	ph(&p, P_TEXT)->p_filesz = 0x100;
	ph(&p, P_DATA)->p_vaddr = BASE + 0x2000;
	ph(&p, P_DATA)->p_offset = 0x1000;
	assert_int_equal(check_len(&p, p.size, &x, &why), 0);
	assert_int_equal(x.phdr_vaddr, 0);
}

static void test_truncated(void **state)
{
	struct prog p;
	struct elf_exec x;
	const char *why;
	size_t len;

	build(&p, false);
	for (len = 0; len < p.size; len += 7) {
		int err = check_len(&p, len, &x, &why);

		assert_int_equal(err, -ENOEXEC);
	}
}

static void test_overlap(void **state)
{
	struct prog p;

	build(&p, false);
	ph(&p, P_DATA)->p_vaddr = BASE + 0xf00 - 0x1000 + 0x1000; /* inside the text */
	ph(&p, P_DATA)->p_offset = 0xf00;
	expect(&p, -ENOEXEC, "segments overlap");
	build(&p, false);
	ph(&p, P_DATA)->p_vaddr = BASE - 0x10000;
	ph(&p, P_DATA)->p_offset = 0x1000;
	expect(&p, -ENOEXEC, "segments not in address order");
}

static void test_huge_memsz(void **state)
{
	struct prog p;

	build(&p, false);
	ph(&p, P_DATA)->p_memsz = UINT64_MAX - 0x100;
	expect(&p, -EINVAL, "segment beyond the user address limit");
	ph(&p, P_DATA)->p_memsz = TOP - BASE; /* ends past the top */
	expect(&p, -EINVAL, "segment beyond the user address limit");
	ph(&p, P_DATA)->p_memsz = TOP - BASE - 0x1000; /* ends exactly at the top */
	assert_int_equal(check_len(&p, p.size, &(struct elf_exec){ 0 }, &(const char *){ 0 }), 0);
	build(&p, true);
	ph(&p, P_DATA)->p_memsz = TOP / 2 + 1;
	expect(&p, -EINVAL, "segment beyond the user address limit");
}

static void test_filesz_gt_memsz(void **state)
{
	struct prog p;

	build(&p, false);
	ph(&p, P_DATA)->p_filesz = 0x3001;
	expect(&p, -EINVAL, "segment file size exceeds memory size");
}

static void test_past_file_end(void **state)
{
	struct prog p;

	build(&p, false);
	ph(&p, P_DATA)->p_filesz = 0x101;
	expect(&p, -ENOEXEC, "segment extends past end of file");
	ph(&p, P_DATA)->p_filesz = 0x100;
	ph(&p, P_DATA)->p_offset = UINT64_MAX - 0xfff;
	ph(&p, P_DATA)->p_vaddr = BASE + 0x1000;
	expect(&p, -ENOEXEC, "segment extends past end of file");
}

static void test_entry_outside(void **state)
{
	struct prog p;

	build(&p, false);
	eh(&p)->e_entry = BASE + 0x1100; /* in data, not executable */
	expect(&p, -ENOEXEC, "entry point not in an executable segment");
	eh(&p)->e_entry = 0x1000;
	expect(&p, -ENOEXEC, "entry point not in an executable segment");
}

static void test_misc_rejects(void **state)
{
	struct prog p;

	build(&p, false);
	ph(&p, P_DATA)->p_offset = 0x1008;
	ph(&p, P_DATA)->p_filesz = 0xf8;
	expect(&p, -EINVAL, "segment offset and address differ modulo the page size");
	build(&p, false);
	eh(&p)->e_type = 1; /* ET_REL */
	expect(&p, -ENOEXEC, "not an executable");
	build(&p, false);
	eh(&p)->e_machine = 3;
	expect(&p, -ENOEXEC, "wrong machine (not x86_64)");
	build(&p, false);
	ph(&p, P_TEXT)->p_vaddr = 0x1000;
	ph(&p, P_TEXT)->p_align = 0x1000;
	eh(&p)->e_entry = 0x1200;
	expect(&p, -EINVAL, "segment below the lowest user address");
	build(&p, false);
	ph(&p, P_DATA)->p_align = 0x3000;
	expect(&p, -ENOEXEC, "segment alignment not a power of two");
	build(&p, false);
	ph(&p, P_TEXT)->p_type = ELF_PT_NOTE;
	ph(&p, P_DATA)->p_type = ELF_PT_NOTE;
	expect(&p, -ENOEXEC, "no loadable segments");
}

/* Make the PT_TLS entry a PT_INTERP of @len bytes at 0x400 holding "/lib/ld.so". */
static void set_interp(struct prog *p, uint64_t len)
{
	ph(p, P_TLS)->p_type = ELF_PT_INTERP;
	ph(p, P_TLS)->p_offset = 0x400;
	ph(p, P_TLS)->p_filesz = ph(p, P_TLS)->p_memsz = len;
	memcpy(p->b + 0x400, "/lib/ld.so", 11);
}

/* PT_INTERP: located and bounded here; its bytes checked by elf_interp_path(). */
static void test_interp(void **state)
{
	struct prog p;
	struct elf_exec x;
	const char *why = NULL;

	build(&p, true);
	set_interp(&p, 11);
	assert_int_equal(check_len(&p, p.size, &x, &why), 0);
	assert_true(x.interp);
	assert_int_equal(x.interp_off, 0x400);
	assert_int_equal(x.interp_len, 11);
	assert_int_equal(elf_interp_path(&x, (const char *)p.b + 0x400, &why), 0);
	/* Linux's check: the last byte is the NUL. */
	x.interp_len = 10;
	assert_int_equal(elf_interp_path(&x, (const char *)p.b + 0x400, &why), -ENOEXEC);
	assert_string_equal(why, "interpreter path not NUL-terminated");
	/* Only the first PT_INTERP counts: a second one, even a bad one, is not looked at. */
	build(&p, false);
	set_interp(&p, 11);
	ph(&p, P_STK)->p_type = ELF_PT_INTERP;
	ph(&p, P_STK)->p_filesz = 1;
	assert_int_equal(check_len(&p, p.size, &x, &why), 0);
	assert_int_equal(x.interp_len, 11);
	build(&p, false);
	set_interp(&p, ELF_INTERP_MAX + 1);
	expect(&p, -ENOEXEC, "interpreter path too long");
	set_interp(&p, 1);
	expect(&p, -ENOEXEC, "interpreter path too short");
	set_interp(&p, 11);
	ph(&p, P_TLS)->p_offset = FSIZE - 10;
	expect(&p, -ENOEXEC, "interpreter path extends past end of file");
	ph(&p, P_TLS)->p_offset = UINT64_MAX - 4;
	expect(&p, -ENOEXEC, "interpreter path extends past end of file");
	/* No PT_INTERP: a static program. */
	build(&p, false);
	assert_int_equal(check_len(&p, p.size, &x, &why), 0);
	assert_false(x.interp);
	assert_int_equal(elf_interp_path(&x, "", &why), -ENOEXEC);
}

/* The interpreter itself: ELIBBAD for no ELF at all and for one that names another. */
static void test_validate_interp(void **state)
{
	struct prog p;
	struct elf_exec x;
	const char *why = NULL;

	build(&p, true);
	assert_int_equal(elf_validate_interp(&x, p.b, p.size, p.size, TOP, &why), 0);
	assert_true(x.pie);
	set_interp(&p, 11);
	assert_int_equal(elf_validate_interp(&x, p.b, p.size, p.size, TOP, &why), -ELIBBAD);
	assert_string_equal(why, "the interpreter names an interpreter");
	build(&p, true);
	memcpy(p.b, "#!/bin/sh\n", 10);
	assert_int_equal(elf_validate_interp(&x, p.b, p.size, p.size, TOP, &why), -ELIBBAD);
	build(&p, true);
	eh(&p)->e_machine = 3;
	assert_int_equal(elf_validate_interp(&x, p.b, p.size, p.size, TOP, &why), -ELIBBAD);
	assert_int_equal(elf_validate_interp(&x, p.b, 10, p.size, TOP, &why), -ELIBBAD);
	/* A well-formed ELF with a broken segment keeps the validator's answer. */
	build(&p, true);
	ph(&p, P_DATA)->p_filesz = 0x4000;
	assert_int_equal(elf_validate_interp(&x, p.b, p.size, p.size, TOP, &why), -EINVAL);
}

/* Headers only in hand: segments are checked against the file's size, headers against the bytes. */
static void test_headers_only(void **state)
{
	size_t hdr = sizeof(struct elf64_ehdr) + NPHDR * sizeof(struct elf64_phdr);
	struct prog p;
	struct elf_exec x;
	const char *why = NULL;

	build(&p, false);
	assert_int_equal(elf_validate_exec_headers(&x, p.b, hdr, FSIZE, TOP, &why), 0);
	assert_int_equal(x.file.size, FSIZE);
	assert_int_equal(x.hi, BASE + 0x4000);
	/* The data segment's bytes end at 0x1100: a shorter file cannot hold them. */
	assert_int_equal(elf_validate_exec_headers(&x, p.b, hdr, 0x10ff, TOP, &why), -ENOEXEC);
	assert_string_equal(why, "segment extends past end of file");
	/* The program headers must be among the bytes at hand. */
	assert_int_equal(elf_validate_exec_headers(&x, p.b, hdr - 1, FSIZE, TOP, &why), -ENOEXEC);
	assert_int_equal(elf_validate_exec_headers(&x, p.b, 40, FSIZE, TOP, &why), -ENOEXEC);
	assert_string_equal(why, "truncated header");
	/* More bytes in hand than the file has is the caller's mistake. */
	assert_int_equal(elf_validate_exec_headers(&x, p.b, hdr, hdr - 1, TOP, &why), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_static_ok),       cmocka_unit_test(test_pie_ok),
		cmocka_unit_test(test_phdr_derived),    cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_overlap),         cmocka_unit_test(test_huge_memsz),
		cmocka_unit_test(test_filesz_gt_memsz), cmocka_unit_test(test_past_file_end),
		cmocka_unit_test(test_entry_outside),   cmocka_unit_test(test_misc_rejects),
		cmocka_unit_test(test_headers_only),    cmocka_unit_test(test_interp),
		cmocka_unit_test(test_validate_interp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
