/* SPDX-License-Identifier: MIT */
/*
 * ELF64 validation for user executables (exec): ET_EXEC files and ET_DYN
 * files (position-independent), static or naming an interpreter (the
 * dynamic linker, PT_INTERP), x86_64 only. Everything exec will trust is
 * checked here first: every PT_LOAD in the file and below the user limit,
 * segments in address order without overlap, file offsets congruent with
 * addresses so pages can be filled from the file, and an entry point in
 * executable code. Which errno a check gives follows Linux's
 * load_elf_binary() where Linux checks the same thing (-EINVAL for sizes
 * and addresses), -ENOEXEC otherwise.
 */
#include <cairn/errno.h>

#include <lib/elf/elf.h>
#include <lib/elf/internal.h>

#define PG ELF_EXEC_PAGE

/* What the walk over the program headers has seen so far. */
struct exec_walk {
	const struct elf64_phdr *prev; /* the previous PT_LOAD */
	bool entry_ok;                 /* the entry lies in an executable PT_LOAD */
	bool phdr_loaded;              /* phdr_vaddr is inside a PT_LOAD */
	uint64_t pt_phdr;              /* PT_PHDR's p_vaddr, or 0 */
};

static uint64_t page_down(uint64_t v)
{
	return v & ~(PG - 1);
}

/* Check the file header: 0, or -ENOEXEC for anything but a 64-bit x86_64 executable. */
static int exec_check_ehdr(const uint8_t *data, size_t size, struct elf_exec *x, const char **why)
{
	const struct elf64_ehdr *eh = (const void *)data;
	int err = elf_check_ident(data, size, why);

	if (err)
		return err;
	if (eh->e_type != ELF_ET_EXEC && eh->e_type != ELF_ET_DYN)
		return elf_fail(why, "not an executable", -ENOEXEC);
	x->pie = eh->e_type == ELF_ET_DYN;
	x->entry = eh->e_entry;
	return elf_check_phdr_table(eh, size, why);
}

/* Check one PT_LOAD on its own against the file and the user limit. */
static int exec_check_load(const struct elf64_phdr *ph, size_t size, uint64_t user_top, bool pie,
                           const char **why)
{
	if (ph->p_filesz > ph->p_memsz)
		return elf_fail(why, "segment file size exceeds memory size", -EINVAL);
	if (ph->p_memsz > user_top || !elf_no_wrap(ph->p_vaddr, ph->p_memsz) ||
	    ph->p_vaddr + ph->p_memsz > user_top)
		return elf_fail(why, "segment beyond the user address limit", -EINVAL);
	if (!pie && ph->p_vaddr < ELF_EXEC_MIN_VADDR)
		return elf_fail(why, "segment below the lowest user address", -EINVAL);
	if (!elf_range_ok(size, ph->p_offset, ph->p_filesz))
		return elf_fail(why, "segment extends past end of file", -ENOEXEC);
	if ((ph->p_vaddr - ph->p_offset) % PG)
		return elf_fail(why, "segment offset and address differ modulo the page size",
		                -EINVAL);
	if (ph->p_align > 1 && (ph->p_align & (ph->p_align - 1)))
		return elf_fail(why, "segment alignment not a power of two", -ENOEXEC);
	return 0;
}

/* Fold one checked PT_LOAD @ph into @x; the order and overlap checks need the previous one. */
static int exec_add_load(struct elf_exec *x, struct exec_walk *w, const struct elf64_phdr *ph,
                         const char **why)
{
	const struct elf64_phdr *prev = w->prev;

	if (ph->p_memsz == 0)
		return 0;
	if (prev && ph->p_vaddr < prev->p_vaddr)
		return elf_fail(why, "segments not in address order", -ENOEXEC);
	if (prev && elf_ranges_overlap(prev->p_vaddr, ph->p_vaddr, prev->p_memsz, ph->p_memsz))
		return elf_fail(why, "segments overlap", -ENOEXEC);
	if (!prev)
		x->lo = page_down(ph->p_vaddr);
	/* The end of the last segment, rounded up: in order, so it is the largest. */
	x->hi = page_down(ph->p_vaddr + ph->p_memsz + PG - 1);
	if (ph->p_align > x->align)
		x->align = ph->p_align > ELF_EXEC_MAX_ALIGN ? ELF_EXEC_MAX_ALIGN : ph->p_align;
	if ((ph->p_flags & ELF_PF_X) && x->entry >= ph->p_vaddr &&
	    x->entry - ph->p_vaddr < ph->p_memsz)
		w->entry_ok = true;
	w->prev = ph;
	return 0;
}

/* Where the program headers are in memory: PT_PHDR, or the PT_LOAD whose file bytes hold them. */
static void exec_find_phdrs(struct elf_exec *x, const struct exec_walk *w)
{
	const struct elf64_ehdr *eh = x->file.ehdr;
	uint64_t len = (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr);
	unsigned int i;

	for (i = 0; i < eh->e_phnum; i++) {
		const struct elf64_phdr *ph = &x->file.phdrs[i];

		if (ph->p_type != ELF_PT_LOAD)
			continue;
		if (w->pt_phdr && w->pt_phdr >= ph->p_vaddr &&
		    w->pt_phdr - ph->p_vaddr < ph->p_filesz &&
		    ph->p_filesz - (w->pt_phdr - ph->p_vaddr) >= len) {
			x->phdr_vaddr = w->pt_phdr;
			return;
		}
		if (!w->pt_phdr && eh->e_phoff >= ph->p_offset &&
		    eh->e_phoff - ph->p_offset < ph->p_filesz &&
		    ph->p_filesz - (eh->e_phoff - ph->p_offset) >= len) {
			x->phdr_vaddr = ph->p_vaddr + (eh->e_phoff - ph->p_offset);
			return;
		}
	}
	x->phdr_vaddr = 0; /* exec copies them onto the stack instead */
}

/* The first PT_INTERP, as Linux takes it: 2..ELF_INTERP_MAX bytes inside the file. */
static int exec_note_interp(struct elf_exec *x, const struct elf64_phdr *ph, const char **why)
{
	if (x->interp)
		return 0;
	if (ph->p_filesz > ELF_INTERP_MAX)
		return elf_fail(why, "interpreter path too long", -ENOEXEC);
	if (ph->p_filesz < 2)
		return elf_fail(why, "interpreter path too short", -ENOEXEC);
	if (!elf_range_ok(x->file.size, ph->p_offset, ph->p_filesz))
		return elf_fail(why, "interpreter path extends past end of file", -ENOEXEC);
	x->interp = true;
	x->interp_off = ph->p_offset;
	x->interp_len = ph->p_filesz;
	return 0;
}

/* Walk every program header: PT_LOADs checked and folded in, the others noted. */
static int exec_walk_phdrs(struct elf_exec *x, struct exec_walk *w, uint64_t user_top,
                           const char **why)
{
	const struct elf64_ehdr *eh = x->file.ehdr;
	unsigned int i;
	int err;

	for (i = 0; i < eh->e_phnum; i++) {
		const struct elf64_phdr *ph = &x->file.phdrs[i];

		switch (ph->p_type) {
		case ELF_PT_LOAD:
			err = exec_check_load(ph, x->file.size, user_top, x->pie, why);
			if (!err)
				err = exec_add_load(x, w, ph, why);
			if (err)
				return err;
			break;
		case ELF_PT_INTERP:
			err = exec_note_interp(x, ph, why);
			if (err)
				return err;
			break;
		case ELF_PT_PHDR:
			w->pt_phdr = ph->p_vaddr;
			break;
		case ELF_PT_GNU_STACK:
			x->exec_stack = (ph->p_flags & ELF_PF_X) != 0;
			break;
		default: /* PT_TLS, PT_NOTE, PT_DYNAMIC...: the C library's business */
			break;
		}
	}
	return 0;
}

int elf_validate_exec(struct elf_exec *x, const void *data, size_t size, uint64_t user_top,
                      const char **why)
{
	return elf_validate_exec_headers(x, data, size, size, user_top, why);
}

int elf_validate_exec_headers(struct elf_exec *x, const void *data, size_t avail,
                              uint64_t file_size, uint64_t user_top, const char **why)
{
	struct exec_walk w = { 0 };
	struct elf_exec v = { 0 };
	int err;

	if (!x || (!data && avail) || avail > file_size)
		return elf_fail(why, "no image", -EINVAL);
	if ((uintptr_t)data % 8)
		return elf_fail(why, "image not 8-byte aligned", -EINVAL);
	/* The headers are read in place: they must lie in the @avail bytes at hand. */
	err = exec_check_ehdr(data, avail, &v, why);
	if (err)
		return err;
	v.file.data = data;
	v.file.size = file_size; /* the segments are checked against the whole file */
	v.file.ehdr = data;
	v.file.phdrs = (const void *)((const uint8_t *)data + v.file.ehdr->e_phoff);
	v.align = PG;
	v.exec_stack = true; /* x86_64's default without PT_GNU_STACK */
	err = exec_walk_phdrs(&v, &w, user_top, why);
	if (err)
		return err;
	if (!w.prev)
		return elf_fail(why, "no loadable segments", -ENOEXEC);
	if (!w.entry_ok)
		return elf_fail(why, "entry point not in an executable segment", -ENOEXEC);
	if (v.pie && v.hi - v.lo > user_top / 2)
		return elf_fail(why, "segment beyond the user address limit", -EINVAL);
	exec_find_phdrs(&v, &w);
	*x = v;
	return 0;
}

int elf_interp_path(const struct elf_exec *x, const char *path, const char **why)
{
	if (!x->interp || !path || x->interp_len < 2 || x->interp_len > ELF_INTERP_MAX)
		return elf_fail(why, "no interpreter path", -ENOEXEC);
	if (path[x->interp_len - 1] != '\0')
		return elf_fail(why, "interpreter path not NUL-terminated", -ENOEXEC);
	return 0;
}

int elf_validate_interp(struct elf_exec *x, const void *data, size_t avail, uint64_t file_size,
                        uint64_t user_top, const char **why)
{
	struct elf_exec v;
	int err;

	if (data && (uintptr_t)data % 8 == 0 && elf_check_ident(data, avail, why))
		return -ELIBBAD;
	err = elf_validate_exec_headers(&v, data, avail, file_size, user_top, why);
	if (err)
		return err;
	if (v.interp)
		return elf_fail(why, "the interpreter names an interpreter", -ELIBBAD);
	*x = v;
	return 0;
}
