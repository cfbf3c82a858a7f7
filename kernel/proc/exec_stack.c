// SPDX-License-Identifier: MIT
/*
 * exec's arguments and the new program's first stack. argv and envp are
 * gathered into one kernel buffer before the old program is given up (so
 * they may come from its memory), then written below the stack top as
 * Linux's ELF loader lays them out, from the top down:
 *
 *	[8 zero bytes] [execfn] [argv strings] [envp strings] [platform]
 *	[16 AT_RANDOM bytes] [a copy of the program headers, if not loaded]
 *	... 16-byte aligned ...
 *	auxv pairs, AT_NULL   envp[], NULL   argv[], NULL   argc  <- sp
 *
 * which is what the x86_64 psABI (3.4.1) says a process starts with.
 */
#include <cairn/errno.h>
#include <cairn/linux/auxv.h>

#include <lib/string.h>

#include "core/cmdline.h"
#include "mm/heap.h"
#include "mm/uaccess.h"
#include "proc/exec.h"
#include "proc/internal.h"

#define AUXV_MAX 24 /* pairs, AT_NULL included */

bool exec_randomize(void)
{
	static int on = -1; /* [a] the command line does not change: read it once */
	int v = __atomic_load_n(&on, __ATOMIC_RELAXED);

	if (v < 0) {
		v = !cmdline_has("nokaslr") && !cmdline_has("norandmaps");
		__atomic_store_n(&on, v, __ATOMIC_RELAXED);
	}
	return v;
}

uint64_t exec_random_bits(const struct exec_layout *l, unsigned word, unsigned bits)
{
	if (!exec_randomize() || word >= EXEC_RND_WORDS)
		return 0;
	return l->rnd[word] & ((1ull << bits) - 1);
}

/* Make room for @n more bytes; -E2BIG past the limit. */
static int strings_reserve(struct exec_strings *s, size_t n)
{
	size_t cap = s->cap ? s->cap : 1024;
	char *nb;

	if (n > EXEC_STRINGS_MAX || s->len + n > EXEC_STRINGS_MAX)
		return -E2BIG;
	if (s->len + n <= s->cap)
		return 0;
	while (cap < s->len + n)
		cap *= 2;
	nb = krealloc(s->buf, cap);
	if (!nb)
		return -ENOMEM;
	s->buf = nb;
	s->cap = cap;
	return 0;
}

void exec_strings_free(struct exec_strings *s)
{
	kfree(s->buf);
	s->buf = NULL;
	s->len = s->cap = 0;
}

static int strings_add_kernel(struct exec_strings *s, char *const v[], int *count)
{
	size_t n;
	int err;

	for (*count = 0; v && v[*count]; (*count)++) {
		n = strnlen(v[*count], EXEC_STRING_MAX) + 1;
		if (n > EXEC_STRING_MAX)
			return -E2BIG;
		err = strings_reserve(s, n + sizeof(char *));
		if (err)
			return err;
		memcpy(s->buf + s->len, v[*count], n);
		s->len += n;
	}
	return 0;
}

int exec_strings_kernel(struct exec_strings *s, char *const argv[], char *const envp[])
{
	int err;

	memset(s, 0, sizeof(*s));
	err = strings_add_kernel(s, argv, &s->argc);
	if (!err)
		err = strings_add_kernel(s, envp, &s->envc);
	if (err)
		exec_strings_free(s);
	return err;
}

/* Append the strings of the user array @uv (may be 0: none) and count them in *@count. */
static int strings_add_user(struct exec_strings *s, uintptr_t uv, int *count)
{
	uint64_t ptr;
	long n;
	int err;

	for (*count = 0; uv; (*count)++) {
		if (copy_from_user(&ptr, (const void *)(uv + 8ull * (unsigned)*count), sizeof(ptr)))
			return -EFAULT;
		if (!ptr)
			return 0;
		/* Grow in steps until the whole string fits, as its length is unknown. */
		for (size_t room = 256;; room *= 2) {
			if (room > EXEC_STRING_MAX)
				return -E2BIG;
			err = strings_reserve(s, room + sizeof(char *));
			if (err)
				return err;
			n = strncpy_from_user(s->buf + s->len, (const char *)ptr, room);
			if (n == -ENAMETOOLONG)
				continue;
			if (n < 0)
				return (int)n;
			s->len += (size_t)n + 1;
			break;
		}
	}
	return 0;
}

int exec_strings_user(struct exec_strings *s, uintptr_t argv, uintptr_t envp)
{
	int err;

	memset(s, 0, sizeof(*s));
	err = strings_add_user(s, argv, &s->argc);
	if (!err)
		err = strings_add_user(s, envp, &s->envc);
	if (err)
		exec_strings_free(s);
	return err;
}

int exec_strings_shebang(struct exec_strings *s, const char *interp, const char *arg,
                         const char *script)
{
	const char *front[3] = { interp, arg ? arg : script, arg ? script : NULL };
	size_t skip = s->argc > 0 ? strlen(s->buf) + 1 : 0, add = 0, i, n;
	int err;

	for (i = 0; i < 3 && front[i]; i++)
		add += strlen(front[i]) + 1;
	if (add > skip) {
		err = strings_reserve(s, add - skip + 3 * sizeof(char *));
		if (err)
			return err;
	}
	/* Move what follows argv[0] to its new place, then write the new front. */
	memmove(s->buf + add, s->buf + skip, s->len - skip);
	s->len = s->len - skip + add;
	for (i = 0, add = 0; i < 3 && front[i]; i++) {
		n = strlen(front[i]) + 1;
		memcpy(s->buf + add, front[i], n);
		add += n;
	}
	s->argc = s->argc - (skip ? 1 : 0) + (int)i;
	return 0;
}

/* Copy @n bytes to the new stack below *@p; returns the user address or 0 on -EFAULT. */
static uintptr_t push_bytes(uintptr_t *p, const void *src, size_t n)
{
	*p -= n;
	return copy_to_user((void *)*p, src, n) ? 0 : *p;
}

/* The auxiliary vector; the strings and bytes it points at are already on the stack. */
static unsigned fill_auxv(uint64_t *v, const struct exec_layout *l, uintptr_t random,
                          uintptr_t platform, uintptr_t execfn, uintptr_t phdr)
{
	unsigned n = 0;

#define AUX(k, val)                       \
	do {                              \
		v[n++] = (k);             \
		v[n++] = (uint64_t)(val); \
	} while (0)
	AUX(AT_HWCAP, arch_elf_hwcap());
	AUX(AT_PAGESZ, 4096);
	AUX(AT_CLKTCK, 100);
	AUX(AT_PHDR, phdr);
	AUX(AT_PHENT, sizeof(struct elf64_phdr));
	AUX(AT_PHNUM, l->phnum);
	AUX(AT_BASE, l->interp_base);
	AUX(AT_FLAGS, 0);
	AUX(AT_ENTRY, l->entry);
	AUX(AT_UID, l->uid);
	AUX(AT_EUID, l->euid);
	AUX(AT_GID, l->gid);
	AUX(AT_EGID, l->egid);
	AUX(AT_SECURE, l->uid != l->euid || l->gid != l->egid);
	AUX(AT_RANDOM, random);
	AUX(AT_HWCAP2, arch_elf_hwcap2());
	AUX(AT_EXECFN, execfn);
	AUX(AT_PLATFORM, platform);
	AUX(AT_MINSIGSTKSZ, arch_min_sigstack());
	AUX(AT_NULL, 0);
#undef AUX
	return n;
}

/* The bytes of the argv strings, NULs included: the envp strings follow them. */
static size_t argv_bytes(const struct exec_strings *s)
{
	size_t off = 0;
	int i;

	for (i = 0; i < s->argc; i++)
		off += strlen(s->buf + off) + 1;
	return off;
}

/* argc, argv[], NULL, envp[], NULL: the pointers into the strings at user @ustr. */
static unsigned fill_vectors(uint64_t *v, const struct exec_strings *s, uintptr_t ustr)
{
	unsigned n = 0;
	size_t off = 0;
	int i;

	v[n++] = (uint64_t)s->argc;
	for (i = 0; i < s->argc + s->envc; i++) {
		if (i == s->argc)
			v[n++] = 0;
		v[n++] = ustr + off;
		off += strlen(s->buf + off) + 1;
	}
	if (s->argc == s->argc + s->envc)
		v[n++] = 0;
	v[n++] = 0;
	return n;
}

/* The strings, AT_RANDOM and the platform name; their user addresses in @a. */
struct stack_strings {
	uintptr_t execfn, strings, platform, random, phdr;
};

static int push_strings(struct exec_layout *l, const struct exec_strings *s, const char *execfn,
                        const struct elf_exec *x, struct stack_strings *a)
{
	static const uint64_t zero;
	const char *plat = arch_elf_platform();
	const uint64_t *rnd = l->rnd; /* AT_RANDOM: always random, even with norandmaps */
	uintptr_t p = l->stack_top;

	if (!push_bytes(&p, &zero, sizeof(zero)) ||
	    !(a->execfn = push_bytes(&p, execfn, strlen(execfn) + 1)) ||
	    !(a->strings = s->len ? push_bytes(&p, s->buf, s->len) : p) ||
	    !(a->platform = push_bytes(&p, plat, strlen(plat) + 1)))
		return -EFAULT;
	p &= ~15ull;
	if (!(a->random = push_bytes(&p, rnd, 16)))
		return -EFAULT;
	a->phdr = l->phdr;
	if (!a->phdr) {
		p &= ~7ull;
		a->phdr = push_bytes(&p, x->file.phdrs, l->phnum * sizeof(struct elf64_phdr));
		if (!a->phdr)
			return -EFAULT;
	}
	l->sp = p & ~15ull;
	return 0;
}

int exec_build_stack(struct exec_layout *l, const struct exec_strings *s, const char *execfn,
                     const struct elf_exec *x)
{
	struct stack_strings a;
	size_t words = 1 + (size_t)s->argc + 1 + (size_t)s->envc + 1 + 2 * AUXV_MAX;
	uint64_t *v;
	unsigned n;
	int err;

	err = push_strings(l, s, execfn, x, &a);
	if (err)
		return err;
	l->arg_start = a.strings;
	l->arg_end = a.strings + argv_bytes(s);
	l->env_end = a.strings + s->len;
	v = kmalloc(words * sizeof(*v));
	if (!v)
		return -ENOMEM;
	n = fill_vectors(v, s, a.strings);
	n += fill_auxv(v + n, l, a.random, a.platform, a.execfn, a.phdr);
	/* argc must end up 16-byte aligned: pad below the vectors when their count is odd. */
	l->sp = (l->sp - n * sizeof(*v)) & ~15ull;
	err = copy_to_user((void *)l->sp, v, n * sizeof(*v)) ? -EFAULT : 0;
	kfree(v);
	return err;
}
