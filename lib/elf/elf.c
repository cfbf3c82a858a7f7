/* SPDX-License-Identifier: MIT */
/*
 * ELF64 validation for the loaders: the whole file is checked before any of
 * it is trusted, with overflow-safe bounds arithmetic, so a corrupt or
 * hostile kernel image is refused with a short reason. Also looks sections
 * up by name (the loader reads .cairn.config that way).
 */
#include <cairn/errno.h>

#include <lib/elf/elf.h>
#include <lib/elf/internal.h>

/* e_ident layout and values (System V gABI, "ELF Identification"). */
#define EI_CLASS      4
#define EI_DATA       5
#define EI_VERSION    6
#define ELFCLASS64    2
#define ELFDATA2LSB   1
#define EV_CURRENT    1
#define SHN_UNDEF     0
#define SHN_LORESERVE 0xff00
#define SHT_NOBITS    8

/*
 * More program headers than any kernel image needs; the cap keeps the
 * pairwise overlap check cheap on a hostile file.
 */
#define ELF_MAX_PHNUM 256

/* The headers are read in place, so the image and its tables must be aligned. */
#define ELF_ALIGN 8

/* Return true when [@off, @off + @len) lies inside a file of @size bytes. */
bool elf_range_ok(size_t size, uint64_t off, uint64_t len)
{
	return off <= size && len <= size - off;
}

int elf_fail(const char **why, const char *msg, int err)
{
	if (why)
		*why = msg;
	return err;
}

/* Check the magic bytes that are present: a short non-ELF file is still "not an ELF file". */
static bool elf_magic_ok(const uint8_t *data, size_t size)
{
	static const uint8_t magic[4] = { 0x7f, 'E', 'L', 'F' };
	size_t i;

	for (i = 0; i < sizeof(magic) && i < size; i++) {
		if (data[i] != magic[i])
			return false;
	}
	return true;
}

/* Check e_ident and the fixed fields of the file header except e_type. */
int elf_check_ident(const uint8_t *data, size_t size, const char **why)
{
	const struct elf64_ehdr *eh = (const void *)data;

	if (!elf_magic_ok(data, size))
		return elf_fail(why, "not an ELF file", -ENOEXEC);
	if (size < sizeof(*eh))
		return elf_fail(why, "truncated header", -ENOEXEC);
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return elf_fail(why, "not a 64-bit ELF", -ENOEXEC);
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return elf_fail(why, "not little-endian", -ENOEXEC);
	if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return elf_fail(why, "unknown ELF version", -ENOEXEC);
	if (eh->e_machine != ELF_EM_X86_64)
		return elf_fail(why, "wrong machine (not x86_64)", -ENOEXEC);
	return 0;
}

/* Check e_ident and the fixed fields of a kernel image's file header. */
static int elf_check_ehdr(const uint8_t *data, size_t size, const char **why)
{
	const struct elf64_ehdr *eh = (const void *)data;
	int err = elf_check_ident(data, size, why);

	if (err)
		return err;
	if (eh->e_type != ELF_ET_EXEC)
		return elf_fail(why, "not an executable", -ENOEXEC);
	return 0;
}

/* Check that the program header table has the right entry size and lies in the file. */
int elf_check_phdr_table(const struct elf64_ehdr *eh, size_t size, const char **why)
{
	if (eh->e_phentsize != sizeof(struct elf64_phdr))
		return elf_fail(why, "bad program header size", -ENOEXEC);
	if (eh->e_phnum == 0)
		return elf_fail(why, "no program headers", -ENOEXEC);
	if (eh->e_phnum > ELF_MAX_PHNUM)
		return elf_fail(why, "too many program headers", -ENOEXEC);
	if (!elf_range_ok(size, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr)))
		return elf_fail(why, "program headers extend past end of file", -ENOEXEC);
	if (eh->e_phoff % ELF_ALIGN)
		return elf_fail(why, "misaligned program headers", -ENOEXEC);
	return 0;
}

/* Return true when [start, start + len) does not run past the top of the address space. */
bool elf_no_wrap(uint64_t start, uint64_t len)
{
	return len == 0 || len - 1 <= UINT64_MAX - start;
}

/* Check one PT_LOAD segment on its own. */
static int elf_check_segment(const struct elf64_phdr *ph, size_t size, const char **why)
{
	if (!elf_range_ok(size, ph->p_offset, ph->p_filesz))
		return elf_fail(why, "segment extends past end of file", -ENOEXEC);
	if (ph->p_filesz > ph->p_memsz)
		return elf_fail(why, "segment file size exceeds memory size", -ENOEXEC);
	if (!elf_no_wrap(ph->p_vaddr, ph->p_memsz))
		return elf_fail(why, "segment virtual address wraps", -ENOEXEC);
	if (!elf_no_wrap(ph->p_paddr, ph->p_memsz))
		return elf_fail(why, "segment physical address wraps", -ENOEXEC);
	return 0;
}

/* Return true when two non-wrapping ranges of @len bytes at @a and @b share a byte. */
bool elf_ranges_overlap(uint64_t a, uint64_t b, uint64_t alen, uint64_t blen)
{
	if (alen == 0 || blen == 0)
		return false;
	return a <= b + (blen - 1) && b <= a + (alen - 1);
}

/* Check that no two PT_LOAD segments share virtual or physical memory. */
static int elf_check_overlaps(const struct elf64_phdr *phdrs, unsigned int n, const char **why)
{
	unsigned int i, j;

	for (i = 0; i < n; i++) {
		const struct elf64_phdr *a = &phdrs[i];

		if (a->p_type != ELF_PT_LOAD)
			continue;
		for (j = 0; j < i; j++) {
			const struct elf64_phdr *b = &phdrs[j];

			if (b->p_type != ELF_PT_LOAD)
				continue;
			if (elf_ranges_overlap(a->p_vaddr, b->p_vaddr, a->p_memsz, b->p_memsz))
				return elf_fail(why, "segments overlap", -ENOEXEC);
			if (elf_ranges_overlap(a->p_paddr, b->p_paddr, a->p_memsz, b->p_memsz))
				return elf_fail(why, "segments overlap in physical memory",
				                -ENOEXEC);
		}
	}
	return 0;
}

/* Check every PT_LOAD, that there is one, and that the entry point is in executable code. */
static int elf_check_segments(const struct elf64_ehdr *eh, const struct elf64_phdr *phdrs,
                              size_t size, const char **why)
{
	bool have_load = false, entry_ok = false;
	unsigned int i;
	int err;

	for (i = 0; i < eh->e_phnum; i++) {
		const struct elf64_phdr *ph = &phdrs[i];

		if (ph->p_type != ELF_PT_LOAD)
			continue;
		err = elf_check_segment(ph, size, why);
		if (err)
			return err;
		have_load = true;
		if ((ph->p_flags & ELF_PF_X) && eh->e_entry >= ph->p_vaddr &&
		    eh->e_entry - ph->p_vaddr < ph->p_memsz)
			entry_ok = true;
	}
	if (!have_load)
		return elf_fail(why, "no loadable segments", -ENOEXEC);
	err = elf_check_overlaps(phdrs, eh->e_phnum, why);
	if (err)
		return err;
	if (!entry_ok)
		return elf_fail(why, "entry point not in an executable segment", -ENOEXEC);
	return 0;
}

/*
 * Return the section header table if it is present and well-formed, else
 * NULL. Extended section numbering (e_shnum == 0) is not supported and
 * reads as no table.
 */
static const struct elf64_shdr *elf_section_table(const uint8_t *data, size_t size)
{
	const struct elf64_ehdr *eh = (const void *)data;

	if (eh->e_shoff == 0 || eh->e_shnum == 0 || eh->e_shnum >= SHN_LORESERVE)
		return NULL;
	if (eh->e_shentsize != sizeof(struct elf64_shdr) || eh->e_shoff % ELF_ALIGN)
		return NULL;
	if (!elf_range_ok(size, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(struct elf64_shdr)))
		return NULL;
	return (const void *)(data + eh->e_shoff);
}

/*
 * Check that @data (@size bytes) is a loadable ELF64 x86_64 executable
 * and fill @elf with a view of it. Returns 0, -EINVAL (NULL or misaligned
 * buffer) or -ENOEXEC (not a valid image); on failure *@why (if @why is not
 * NULL) points at a static reason and @elf is untouched. A malformed
 * section table is not an error: elf->shdrs is then NULL.
 * Pure function of its input; safe in any context.
 */
int elf_validate(struct elf_file *elf, const void *data, size_t size, const char **why)
{
	const uint8_t *bytes = data;
	const struct elf64_ehdr *eh = data;
	const struct elf64_phdr *phdrs;
	int err;

	if (!elf || (!data && size))
		return elf_fail(why, "no image", -EINVAL);
	if ((uintptr_t)data % ELF_ALIGN)
		return elf_fail(why, "image not 8-byte aligned", -EINVAL);
	err = elf_check_ehdr(bytes, size, why);
	if (err)
		return err;
	err = elf_check_phdr_table(eh, size, why);
	if (err)
		return err;
	phdrs = (const void *)(bytes + eh->e_phoff);
	err = elf_check_segments(eh, phdrs, size, why);
	if (err)
		return err;

	elf->data = bytes;
	elf->size = size;
	elf->ehdr = eh;
	elf->phdrs = phdrs;
	elf->shdrs = elf_section_table(bytes, size);
	return 0;
}

/*
 * Return true when the NUL-terminated name at @off in the @len-byte string
 * table @tab equals @name, never reading past the table.
 */
static bool elf_name_is(const char *tab, uint64_t len, uint64_t off, const char *name)
{
	uint64_t i;

	if (off >= len)
		return false;
	for (i = 0; off + i < len; i++) {
		if (tab[off + i] != name[i])
			return false;
		if (name[i] == '\0')
			return true;
	}
	return false; /* the table ended before the name did */
}

/*
 * Find the section called @name in a file elf_validate() accepted.
 * Returns a pointer to its bytes inside the file and stores their count
 * in *@size (if @size is not NULL), or returns NULL when there is no such
 * section, it has no bytes in the file (SHT_NOBITS), it lies outside the
 * file, or the section name table is malformed.
 */
const void *elf_find_section(const struct elf_file *elf, const char *name, size_t *size)
{
	const struct elf64_shdr *strtab, *sh;
	unsigned int i, shnum;

	if (!elf || !elf->shdrs || !elf->ehdr || !name)
		return NULL;
	shnum = elf->ehdr->e_shnum;
	if (elf->ehdr->e_shstrndx == SHN_UNDEF || elf->ehdr->e_shstrndx >= shnum)
		return NULL;
	strtab = &elf->shdrs[elf->ehdr->e_shstrndx];
	if (strtab->sh_type == SHT_NOBITS ||
	    !elf_range_ok(elf->size, strtab->sh_offset, strtab->sh_size))
		return NULL;

	for (i = 0; i < shnum; i++) {
		sh = &elf->shdrs[i];
		if (!elf_name_is((const char *)elf->data + strtab->sh_offset, strtab->sh_size,
		                 sh->sh_name, name))
			continue;
		if (sh->sh_type == SHT_NOBITS ||
		    !elf_range_ok(elf->size, sh->sh_offset, sh->sh_size))
			return NULL;
		if (size)
			*size = sh->sh_size;
		return elf->data + sh->sh_offset;
	}
	return NULL;
}
