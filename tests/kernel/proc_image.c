// SPDX-License-Identifier: MIT
/* The test programs' ELF wrapper (proc_image.h). */
#include "tests/kernel/proc_image.h"

#include <lib/string.h>

#include "core/ktest.h"

struct elf64_ehdr *proc_image_ehdr(struct proc_image *im)
{
	return (struct elf64_ehdr *)im->b;
}

struct elf64_phdr *proc_image_phdr(struct proc_image *im)
{
	return (struct elf64_phdr *)(im->b + sizeof(struct elf64_ehdr));
}

void proc_image_build(struct proc_image *im, const struct proc_prog *p, bool pie)
{
	size_t len = (size_t)(p->end - p->start);
	uint64_t base = pie ? 0 : PROC_IMAGE_VA;
	struct elf64_ehdr *eh = proc_image_ehdr(im);
	struct elf64_phdr *ph = proc_image_phdr(im);

	memset(im, 0, sizeof(*im));
	EXPECT_TRUE(PROC_IMAGE_CODE + len <= PROC_IMAGE_MAX);
	if (PROC_IMAGE_CODE + len > PROC_IMAGE_MAX)
		len = PROC_IMAGE_MAX - PROC_IMAGE_CODE;
	memcpy(eh->e_ident, "\177ELF\2\1\1", 7);
	eh->e_type = pie ? ELF_ET_DYN : ELF_ET_EXEC;
	eh->e_machine = ELF_EM_X86_64;
	eh->e_version = 1;
	eh->e_entry = base + PROC_IMAGE_CODE;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 1;
	ph->p_type = ELF_PT_LOAD;
	ph->p_flags = ELF_PF_R | ELF_PF_X;
	ph->p_vaddr = ph->p_paddr = base;
	ph->p_filesz = ph->p_memsz = PROC_IMAGE_CODE + len;
	ph->p_align = 4096;
	memcpy(im->b + PROC_IMAGE_CODE, p->start, len);
	im->size = PROC_IMAGE_CODE + len;
}
