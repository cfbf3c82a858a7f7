/* SPDX-License-Identifier: MIT */
/*
 * What exec's two files share (exec.c loads and commits, exec_stack.c
 * gathers the strings and lays out the new stack). Private to kernel/proc.
 */
#pragma once

#include <lib/elf/elf.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fs/vfs.h"
#include "proc/proc.h"

#define EXEC_STRINGS_MAX (256u * 1024) /* argv and envp bytes, pointers included (E2BIG past it) */
#define EXEC_STRING_MAX  (128u * 1024) /* one string (Linux's MAX_ARG_STRLEN) */
#define EXEC_PATH_MAX    256

/* argv and envp gathered into one kernel buffer: argc strings, then envc. */
struct exec_strings {
	char *buf;      /* NUL-terminated strings back to back */
	size_t len;     /* bytes used */
	size_t cap;     /* bytes allocated */
	int argc, envc; /* how many of each */
};

/* rnd[] of struct exec_layout: words 0-1 are AT_RANDOM, then one per random offset. */
enum { EXEC_RND_PIE = 2, EXEC_RND_STACK, EXEC_RND_MMAP, EXEC_RND_BRK, EXEC_RND_WORDS };

/* The new program as the loader placed it. */
struct exec_layout {
	uintptr_t bias;        /* added to every link-time address (PIE) */
	uintptr_t entry;       /* the program's entry point (AT_ENTRY) */
	uintptr_t start;       /* where the thread starts: the interpreter's entry, or entry */
	uintptr_t interp_base; /* AT_BASE: the interpreter's load bias, 0: no interpreter */
	uintptr_t phdr;        /* AT_PHDR: the program headers in its memory, 0: put on the stack */
	unsigned phnum;        /* AT_PHNUM */
	uintptr_t brk;         /* the break's start */
	uintptr_t stack_top;   /* one past the highest stack byte */
	uintptr_t mmap_base;   /* mmap() grows down from here */
	uintptr_t sp;          /* the stack pointer it starts with */
	uintptr_t arg_start;   /* its argv strings (/proc/PID/cmdline) */
	uintptr_t arg_end;     /* one past them: the envp strings follow */
	uintptr_t env_end;     /* one past the envp strings */
	uint32_t uid, euid, gid, egid;
	/* One draw of the kernel generator per exec: AT_RANDOM's 16 bytes, then one word per offset. */
	uint64_t rnd[EXEC_RND_WORDS];
};

/* Where exec reads the program from: a whole file in memory (tests) or an open file. */
struct exec_src {
	const void *image; /* the file's bytes, or NULL */
	struct file *file; /* else: the open file (a reference) */
	uint64_t size;     /* the file's size */
	const void *head;  /* its first head_len bytes, 8-byte aligned: the headers */
	size_t head_len;
	void *head_buf; /* the heap copy behind head, or NULL */
};

/* What an exec needs from beginning to end. */
struct exec_job {
	const char *path; /* the name exec was given: AT_EXECFN, the new comm */
	struct exec_src src;
	struct elf_exec x;
	struct exec_src interp_src; /* the interpreter PT_INTERP names (file NULL: none) */
	struct elf_exec interp_x;   /* and its headers, validated */
	struct exec_strings strings;
	struct exec_layout l;
	struct uspace *space;  /* the new one (a reference of its own, plus the task's) */
	struct fdtable *files; /* a private copy of a shared descriptor table, or NULL */
	struct path exe;       /* the program file (mnt NULL for an image in memory) */
	bool set_uid, set_gid; /* a set-user-ID / set-group-ID file on a mount that allows it */
	bool unreadable;       /* a file of the exec (program or script) the caller cannot read */
	uint32_t new_euid, new_egid;
};

/* exec_src over @size bytes at @data (copied when not 8-byte aligned). 0 or -ENOMEM. */
int exec_src_image(struct exec_src *src, const void *data, size_t size);
/* exec_src over the open file @f (the source takes the reference): reads the headers. */
int exec_src_file(struct exec_src *src, struct file *f);
void exec_src_release(struct exec_src *src);
/* Copy the @len file bytes at @off to the user address @uaddr of the active space. */
int exec_fill(const struct exec_src *src, uintptr_t uaddr, uint64_t off, uint64_t len);
/*
 * Open the interpreter the program of @j names (j->x.interp) into
 * j->interp_src and validate it into j->interp_x, as Linux's
 * load_elf_binary(): 0, -ENOEXEC (a path without its NUL), what the
 * lookup gives (-ENOENT, -EACCES...), -ELIBBAD (not an x86_64 ELF file,
 * or one that names an interpreter itself), or the validator's -errno.
 */
int exec_open_interp(struct exec_job *j);

/*
 * Map the @n file pages from offset @off (page-aligned) at @va in @s to the
 * file's own frames, copy-on-write: 0, -EINVAL (the file's frames cannot be
 * shared: nothing was mapped, copy instead) or -errno.
 */
int exec_share(const struct exec_src *src, struct uspace *s, uintptr_t va, uint64_t n,
               uint64_t off);

/*
 * Load the program of @j (source and strings ready) as the calling
 * thread's new program; 0 past the point of no return, else -errno with
 * the old program intact. exec_job_free() releases what is left either way.
 */
int exec_run(struct exec_job *j);
void exec_job_free(struct exec_job *j);

/*
 * The script rule of exec: argv[0] gives way to @interp, @arg (NULL:
 * none) and @script, the script's name. 0, -E2BIG or -ENOMEM.
 */
int exec_strings_shebang(struct exec_strings *s, const char *interp, const char *arg,
                         const char *script);

/* Gather @argv and @envp from kernel memory / from user memory. 0, -E2BIG, -EFAULT, -ENOMEM. */
int exec_strings_kernel(struct exec_strings *s, char *const argv[], char *const envp[]);
int exec_strings_user(struct exec_strings *s, uintptr_t argv, uintptr_t envp);
void exec_strings_free(struct exec_strings *s);

/*
 * Write the strings, AT_RANDOM bytes, the platform string, the auxiliary
 * vector, envp, argv and argc below l->stack_top in the active (new)
 * address space, as Linux lays them out; sets l->sp (16-byte aligned,
 * pointing at argc). @x gives the program headers for AT_PHDR's copy.
 * Returns 0, -EFAULT or -ENOMEM.
 */
int exec_build_stack(struct exec_layout *l, const struct exec_strings *s, const char *execfn,
                     const struct elf_exec *x);

/* Whether user address-space randomisation is on (not nokaslr / norandmaps). */
bool exec_randomize(void);
/* @bits (at most 63) of @l's random word @word, or 0 when randomisation is off. */
uint64_t exec_random_bits(const struct exec_layout *l, unsigned word, unsigned bits);

/* Arch hooks for the auxiliary vector (kernel/arch/x86_64/cpu/elf_caps.c). */
uint64_t arch_elf_hwcap(void);
uint64_t arch_elf_hwcap2(void);
const char *arch_elf_platform(void);
uint64_t arch_min_sigstack(void);
