/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for lib/elf/elf.c: every input is validated from an
 * exact-size heap copy, and for accepted files each table, segment and
 * found section is read in full so ASan catches any bound the validator
 * got wrong.
 */
#include <cairn/errno.h>

#include <lib/elf/elf.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile unsigned int fuzz_sink;

/* Read [p, p + n) byte by byte so that ASan checks the whole range. */
static void fuzz_touch(const uint8_t *p, size_t n)
{
	unsigned int sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		sum += p[i];
	fuzz_sink += sum;
}

static void fuzz_check_accepted(const struct elf_file *elf)
{
	static const char *const names[] = { ".cairn.config", ".shstrtab", ".text", "" };
	const struct elf64_ehdr *eh = elf->ehdr;
	size_t i, n;

	fuzz_touch((const uint8_t *)elf->phdrs, eh->e_phnum * sizeof(struct elf64_phdr));
	for (i = 0; i < eh->e_phnum; i++) {
		if (elf->phdrs[i].p_type == ELF_PT_LOAD)
			fuzz_touch(elf->data + elf->phdrs[i].p_offset, elf->phdrs[i].p_filesz);
	}
	if (elf->shdrs)
		fuzz_touch((const uint8_t *)elf->shdrs, eh->e_shnum * sizeof(struct elf64_shdr));
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const uint8_t *sec = elf_find_section(elf, names[i], &n);

		if (sec)
			fuzz_touch(sec, n);
	}
}

/*
 * A program that names an interpreter: its path lies in the file and is
 * read in full; the same bytes validated as the interpreter itself must
 * be refused with ELIBBAD (it names one) or give the same answer as exec.
 */
static void fuzz_check_interp(const struct elf_exec *x, const uint8_t *copy, size_t size,
                              uint64_t top)
{
	struct elf_exec y;
	const char *why = NULL;
	int err;

	if (!x->interp)
		return;
	if (x->interp_len < 2 || x->interp_len > ELF_INTERP_MAX || x->interp_off > size ||
	    x->interp_len > size - x->interp_off)
		abort();
	fuzz_touch(copy + x->interp_off, x->interp_len);
	err = elf_interp_path(x, (const char *)copy + x->interp_off, &why);
	if (err && (err != -ENOEXEC || !why))
		abort();
	err = elf_validate_interp(&y, copy, size, size, top, &why);
	if (err != -ELIBBAD || !why)
		abort();
}

/*
 * The user-executable checks on the same input: an accepted file's
 * segments are read in full and must lie inside the span it reports,
 * below the limit, with the entry point inside the span.
 */
static void fuzz_check_exec(const uint8_t *copy, size_t size)
{
	const uint64_t top = 0x00007ffffffff000ull;
	struct elf_exec x;
	const char *why = NULL;
	unsigned int i;

	if (elf_validate_exec(&x, copy, size, top, &why) != 0) {
		if (!why)
			abort();
		return;
	}
	if (x.lo > x.entry || x.entry >= x.hi || x.hi > top || x.lo % 4096 || x.hi % 4096)
		abort();
	for (i = 0; i < x.file.ehdr->e_phnum; i++) {
		const struct elf64_phdr *ph = &x.file.phdrs[i];

		if (ph->p_type != ELF_PT_LOAD || ph->p_memsz == 0)
			continue;
		if (ph->p_vaddr < x.lo || ph->p_vaddr + ph->p_memsz > x.hi)
			abort();
		fuzz_touch(x.file.data + ph->p_offset, ph->p_filesz);
	}
	fuzz_check_interp(&x, copy, size, top);
}

/* libFuzzer entry point: validate @data and inspect it if accepted. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	struct elf_file elf;
	const char *why = NULL;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (elf_validate(&elf, copy, size, &why) == 0)
		fuzz_check_accepted(&elf);
	else if (!why)
		abort();
	fuzz_check_exec(copy, size);
	free(copy);
	return 0;
}
