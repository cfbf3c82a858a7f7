/* SPDX-License-Identifier: MIT */
/*
 * User address spaces: the lower half of the address space of a process,
 * with its own page tables under a root that shares the kernel half, a map
 * of regions (lib/vma), demand-zero pages, copy-on-write after fork and
 * the memory calls of Linux's ABI (mmap, munmap, mprotect, mremap,
 * madvise, brk) with Linux's errors. See docs/memory.md, "User address
 * spaces".
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The first byte above user space; the last page below 2^47 stays unmapped. */
#define USER_TOP 0x00007ffffffff000ull

/* The lowest address mmap() hands out or accepts with MAP_FIXED (Linux's mmap_min_addr). */
#define USER_MMAP_MIN 0x10000ull

/* The default top of the mmap area when exec sets none: 128 MiB below the top for the stack. */
#define USER_MMAP_BASE_DEFAULT (USER_TOP - (128ull << 20))

/* Opaque: page-table root, regions, lock, reference count, CPUs it is loaded on. */
struct uspace;
struct file;

/*
 * A new empty space whose kernel half is the kernel's. Returns 0 and the
 * space (one reference) in *@out, or -ENOMEM. May sleep.
 */
int __must_check uspace_create(struct uspace **out);

/*
 * A copy-on-write copy of @parent: the same regions; private pages shared
 * read-only until either side writes, shared pages shared for good.
 * Returns 0 and the copy in *@out, or -ENOMEM (nothing changed). Takes
 * @parent's lock; may sleep.
 */
int __must_check uspace_fork(struct uspace *parent, struct uspace **out);

/* One more reference (a CLONE_VM thread). Any context. */
void uspace_get(struct uspace *s);

/*
 * Drop a reference; the last one unloads the space from every CPU and frees
 * every frame, table and record it holds. May sleep.
 */
void uspace_put(struct uspace *s);

/*
 * Load @s (NULL: the kernel's own root) on this CPU, and note which CPUs
 * have it loaded so shootdowns reach only them. Call with preemption off
 * (the context switch) or from a task pinned to its CPU. Never sleeps.
 */
void uspace_activate(struct uspace *s);

/* The space loaded on this CPU, which is the running task's; NULL for the kernel's. */
struct uspace *uspace_current(void);

/* uspace_fault() @access bits: what the access was and how it faulted. */
#define UFAULT_WRITE   1u
#define UFAULT_EXEC    2u
#define UFAULT_USER    4u /* the CPU was in user mode */
#define UFAULT_PRESENT 8u /* the page was present (a protection fault) */

/*
 * Resolve a page fault at @addr in @s: map a zeroed page on first touch,
 * copy (or reclaim, when nobody else has it) a copy-on-write page on a
 * write. Returns 0 (fixed: retry the access), -EFAULT (no region there:
 * SIGSEGV), -EACCES (the region forbids the access: SIGSEGV), -EIO (a
 * file page past the end of the file, or unreadable: SIGBUS) or -ENOMEM
 * (out of frames: the caller kills the process). Never panics. Takes @s's
 * lock, so it may sleep: task context with interrupts on.
 */
int __must_check uspace_fault(struct uspace *s, uintptr_t addr, unsigned access);

/*
 * The memory calls, with Linux's semantics and errors (see docs/memory.md).
 * @prot is PROT_*, @flags MAP_* (anonymous memory only for now; exec maps
 * with MAP_FIXED and copies file contents in). Each takes @s's lock.
 */
long __must_check uspace_mmap(struct uspace *s, uintptr_t addr, size_t len, int prot, int flags);
/*
 * mmap() of @f (its inode has a mapping; the caller checked the access
 * modes) from byte @off (page-aligned): the region holds a reference to
 * @f. @tracked: MAP_SHARED pages start read-only so that writes mark
 * them dirty (a file whose cache writes back). Faults past the end of the
 * file are -EIO from uspace_fault() (SIGBUS). Returns the address or
 * -errno, as uspace_mmap(), and -EOVERFLOW when the offsets overflow.
 */
long __must_check uspace_mmap_file(struct uspace *s, uintptr_t addr, size_t len, int prot,
                                   int flags, struct file *f, uint64_t off, bool tracked);

/* A file mapping's source and limits, for uspace_mmap_file_max(). */
struct uspace_file_map {
	struct file *file; /* its inode has a mapping */
	uint64_t off;      /* bytes, page-aligned */
	bool tracked;      /* as uspace_mmap_file()'s @tracked */
	int maxprot;       /* PROT_WRITE / PROT_EXEC the mapping may ever have */
};
/*
 * As uspace_mmap_file(), limited: @prot asking for write or execute access
 * outside @fm->maxprot is -EACCES, and a later mprotect(2) adding it is
 * too (PROT_WRITE matters only for MAP_SHARED). The limit of a memory
 * object's handle or of a file opened read-only (Linux's VM_MAYWRITE).
 */
long __must_check uspace_mmap_file_max(struct uspace *s, uintptr_t addr, size_t len, int prot,
                                       int flags, const struct uspace_file_map *fm);
/*
 * msync(): write back the dirty pages of the shared file regions in
 * [@addr, @addr + @len) (MS_SYNC waits; every write here is synchronous).
 * 0, -EINVAL, -ENOMEM (part of the range is not mapped), or a write error.
 */
int __must_check uspace_msync(struct uspace *s, uintptr_t addr, size_t len, int flags);
int __must_check uspace_munmap(struct uspace *s, uintptr_t addr, size_t len);
int __must_check uspace_mprotect(struct uspace *s, uintptr_t addr, size_t len, int prot);
long __must_check uspace_mremap(struct uspace *s, uintptr_t old, size_t old_len, size_t new_len,
                                int flags, uintptr_t new_addr);
int __must_check uspace_madvise(struct uspace *s, uintptr_t addr, size_t len, int advice);
/*
 * Map the @n pages from @va (page-aligned, inside private regions of @s
 * with nothing mapped yet) to the frames @pas[i], each with a reference
 * the space takes over (0: leave that page to demand-zero), read-only
 * whatever the region allows: a write copies the frame first (COW), as
 * after fork. How exec shares a tmpfs file's frames instead of copying
 * them. Returns 0 or -EFAULT/-ENOMEM (every reference is taken over
 * either way). Takes @s's lock.
 */
int __must_check uspace_map_frames(struct uspace *s, uintptr_t va, const uint64_t *pas, size_t n);

/* Linux's brk: returns the new break, or the old one when it cannot move. */
long uspace_brk(struct uspace *s, uintptr_t new_brk);

/* Exec: the break starts at @base (no heap yet). */
void uspace_set_brk_base(struct uspace *s, uintptr_t base);

/* Exec: mmap() places mappings top-down below @base (randomised for ASLR by the caller). */
void uspace_set_mmap_base(struct uspace *s, uintptr_t base);

/* Pages of @s backed by a frame now. */
size_t uspace_resident_pages(const struct uspace *s);

/* Bytes of address space the regions of @s take (what RLIMIT_AS limits). */
uint64_t uspace_mapped_bytes(const struct uspace *s);

/*
 * Look up user address @va in @s: the physical address it maps to and the
 * PT_* flags of its page (either may be NULL). For shared futex keys and
 * tests. Returns 0 or -EFAULT (not mapped, or not a user address). Takes
 * @s's lock; may sleep.
 */
int __must_check uspace_translate(struct uspace *s, uintptr_t va, uint64_t *pa, uint32_t *flags);

/*
 * Whether @va of @s lies in memory shared with other spaces (MAP_SHARED),
 * where a futex is keyed by its frame. Takes @s's lock; may sleep.
 */
bool uspace_shared_at(struct uspace *s, uintptr_t va);

/* The CPUs that have @s loaded now (bit n: CPU n); for tests. */
uint64_t uspace_loaded_cpus(const struct uspace *s);

/* RLIMIT_AS: the most bytes of regions @s may hold, 0 for no limit. */
void uspace_set_limit(struct uspace *s, uint64_t as_bytes);

/* ---- for /proc (kernel/mm/uspace_info.c) ---- */

/* Exec: where the argv and envp strings and the first stack pointer are. Takes @s's lock. */
void uspace_set_args(struct uspace *s, uintptr_t arg_start, uintptr_t arg_end, uintptr_t env_end,
                     uintptr_t start_stack);

/* What /proc/PID/stat, status and statm report about a space (bytes unless said). */
struct uspace_info {
	uint64_t mapped;   /* regions in all */
	uint64_t resident; /* pages backed by a frame */
	uint64_t data;     /* private writable regions but the stack (Linux's VmData) */
	uint64_t stack;    /* the stack region (MAP_GROWSDOWN) */
	uint64_t exec;     /* executable regions (VmExe) */
	uint64_t brk_start, brk;
	uint64_t arg_start, arg_end, env_end, start_stack; /* as uspace_set_args() set them */
};

/* Fill @out. Takes @s's lock; may sleep. */
void uspace_get_info(struct uspace *s, struct uspace_info *out);

/* One region as /proc/PID/maps shows it. */
struct uspace_region {
	uint64_t start, end;
	uint32_t prot;     /* PROT_* */
	bool shared;       /* MAP_SHARED */
	bool stack;        /* the stack region */
	bool heap;         /* the break's region */
	struct file *file; /* a file region's file (valid while the callback runs), or NULL */
	uint64_t offset;   /* its byte offset in the file */
};

/*
 * Call @fn on each region of @s in address order, with @s's lock held
 * (@fn must not sleep or touch @s). Takes the lock; may sleep.
 */
void uspace_for_each_region(struct uspace *s, void (*fn)(const struct uspace_region *r, void *ctx),
                            void *ctx);

/*
 * Copy up to @n bytes at user address @va of @s (any space, not only the
 * caller's) into @dst, for /proc/PID/cmdline and environ. Pages never
 * touched read as the zeros they would be; the copy stops at a hole or a
 * PROT_NONE page. Returns the bytes copied. Takes @s's lock; may sleep.
 */
size_t uspace_read(struct uspace *s, uintptr_t va, void *dst, size_t n);
