// SPDX-License-Identifier: MIT
/*
 * exec: replace the calling process's program. Everything that can fail
 * is done first, into a new address space that the calling thread switches
 * to while it fills it (so a failure switches back and the old program
 * goes on, as with most of Linux's failures): look the file up, validate
 * it (lib/elf), gather argv/envp, map each PT_LOAD and copy its bytes in,
 * set the protections, map and fill the stack. Then the point of no
 * return: other threads end, the old space goes, handlers reset, and the
 * thread's user frame is set to the new entry point. Layout and ASLR:
 * docs/processes.md.
 */
#include "proc/exec.h"

#include <cairn/errno.h>
#include <cairn/linux/mman.h>
#include <cairn/linux/signal.h>

#include <lib/string.h>

#include "arch/arch.h"
#include "core/log.h"
#include "fs/file.h"
#include "mm/heap.h"
#include "mm/uaccess.h"
#include "mm/uspace.h"
#include "proc/internal.h"
#include "sched/task.h"
#include "syscall/syscall.h"

#define PG           4096ull
#define PIE_BASE     0x555555554000ull /* Linux's ELF_ET_DYN_BASE (2/3 of the space) on x86_64 */
#define STACK_MIN    (128ull << 10)
#define STACK_MAX    (64ull << 20)  /* more is allowed to grow later, not mapped up front */
#define MMAP_GAP_MIN (128ull << 20) /* Linux's minimum gap between stack and mmap base */
#define STACK_RND    22             /* bits of pages: up to 16 GiB (Linux: stack_maxrandom_size) */
#define MMAP_RND     28             /* bits of pages (Linux's mmap_rnd_bits default) */
#define BRK_RND      13             /* bits of pages: up to 32 MiB (Linux: arch_randomize_brk) */

static uint64_t page_down(uint64_t v)
{
	return v & ~(PG - 1);
}

static uint64_t page_up(uint64_t v)
{
	return (v + PG - 1) & ~(PG - 1);
}

static int prot_of(uint32_t pf)
{
	return ((pf & ELF_PF_R) ? PROT_READ : 0) | ((pf & ELF_PF_W) ? PROT_WRITE : 0) |
	       ((pf & ELF_PF_X) ? PROT_EXEC : 0);
}

/*
 * Map [@start, @end) writable: the pages below @filled (those the file's
 * bytes go to) populated at once, so the copy takes no page fault per page
 * (an exception costs more than the zeroing under TCG), the rest (bss) on
 * demand.
 */
static int map_segment(struct uspace *s, uint64_t start, uint64_t end, uint64_t filled)
{
	const int flags = MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS;
	uint64_t mid = filled < start ? start : filled > end ? end : filled;
	long r = 0;

	if (mid > start)
		r = uspace_mmap(s, start, mid - start, PROT_READ | PROT_WRITE,
		                flags | MAP_POPULATE);
	if (r >= 0 && end > mid)
		r = uspace_mmap(s, mid, end - mid, PROT_READ | PROT_WRITE, flags);
	return r < 0 ? (int)r : 0;
}

/*
 * Map the new pages [@start, @end) of the PT_LOAD @ph writable and fill its
 * file bytes. From tmpfs or a file in the page cache, the pages the file
 * fills whole map its frames copy-on-write (exec_share()): no copy of a 2 MB program at every
 * exec. Other pages (the partial ones, bss, and every page of a program
 * held in memory) are anonymous, the file's bytes copied in.
 */
static int load_segment(struct uspace *s, const struct exec_job *j, const struct elf64_phdr *ph,
                        uintptr_t bias, uint64_t start, uint64_t end)
{
	uint64_t fa = ph->p_vaddr + bias, fb = fa + ph->p_filesz, lo = start, hi = start, cut;
	int r = 0;

	if (start < end) {
		if (j->src.file && page_down(fb) > start)
			hi = page_down(fb);
		r = map_segment(s, hi, end, page_up(fb));
		if (!r && hi > lo)
			r = map_segment(s, lo, hi, lo);
		if (!r && hi > lo) {
			r = exec_share(&j->src, s, lo, (hi - lo) / PG, ph->p_offset + (lo - fa));
			if (r == -EINVAL)
				r = 0, hi = lo; /* not a file whose frames can be shared: copy it */
		}
	}
	/* The file's bytes outside the shared pages: below them and above them. */
	cut = fb < lo ? fb : lo;
	if (!r && fa < cut)
		r = exec_fill(&j->src, fa, ph->p_offset, cut - fa);
	cut = fa > hi ? fa : hi;
	if (!r && cut < fb)
		r = exec_fill(&j->src, cut, ph->p_offset + (cut - fa), fb - cut);
	return r;
}

/* Map and fill every PT_LOAD; pages two segments share map once. */
static int load_segments(struct uspace *s, const struct exec_job *j, uintptr_t bias)
{
	const struct elf_exec *x = &j->x;
	uint64_t mapped_end = 0, start, end;
	unsigned i;
	int r;

	for (i = 0; i < x->file.ehdr->e_phnum; i++) {
		const struct elf64_phdr *ph = &x->file.phdrs[i];

		if (ph->p_type != ELF_PT_LOAD || ph->p_memsz == 0)
			continue;
		start = page_down(ph->p_vaddr + bias);
		end = page_up(ph->p_vaddr + bias + ph->p_memsz);
		if (start < mapped_end)
			start = mapped_end;
		r = load_segment(s, j, ph, bias, start, end);
		if (r)
			return r;
		if (end > mapped_end)
			mapped_end = end;
	}
	return 0;
}

/* Give each segment its own protection; a page two segments share gets both. */
static int protect_segments(struct uspace *s, const struct elf_exec *x, uintptr_t bias)
{
	uint64_t prev_end = 0;
	int prev_prot = 0, prot, err;
	unsigned i;

	for (i = 0; i < x->file.ehdr->e_phnum; i++) {
		const struct elf64_phdr *ph = &x->file.phdrs[i];
		uint64_t start, end;

		if (ph->p_type != ELF_PT_LOAD || ph->p_memsz == 0)
			continue;
		start = page_down(ph->p_vaddr + bias);
		end = page_up(ph->p_vaddr + bias + ph->p_memsz);
		prot = prot_of(ph->p_flags);
		err = uspace_mprotect(s, start, end - start, prot);
		if (!err && start < prev_end)
			err = uspace_mprotect(s, start, PG, prot | prev_prot);
		if (err)
			return err;
		prev_end = end;
		prev_prot = prot;
	}
	return 0;
}

/* Pick the load bias: 0 for ET_EXEC, a (random) aligned base for static-PIE. */
static uintptr_t choose_bias(const struct elf_exec *x, const struct exec_layout *l)
{
	uint64_t align = x->align > PG ? x->align : PG, base;

	if (!x->pie)
		return 0;
	base = PIE_BASE + (exec_random_bits(l, EXEC_RND_PIE, MMAP_RND) << 12);
	return (base & ~(align - 1)) - x->lo;
}

/* The stack region, the mmap base below it and the break above the program. */
static int place_stack_and_heap(struct uspace *s, struct exec_layout *l, const struct elf_exec *x,
                                uint64_t stack_rlim)
{
	uint64_t size = stack_rlim, gap;
	long r;

	if (size < STACK_MIN)
		size = STACK_MIN;
	if (size > STACK_MAX)
		size = STACK_MAX;
	l->stack_top = USER_TOP - (exec_random_bits(l, EXEC_RND_STACK, STACK_RND) << 12);
	r = uspace_mmap(s, l->stack_top - size, size, PROT_READ | PROT_WRITE,
	                MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_STACK);
	if (r < 0)
		return (int)r;
	gap = size < MMAP_GAP_MIN ? MMAP_GAP_MIN : size;
	l->mmap_base = page_down(l->stack_top - size - gap -
	                         (exec_random_bits(l, EXEC_RND_MMAP, MMAP_RND) << 12));
	uspace_set_mmap_base(s, l->mmap_base);
	l->brk = page_up(x->hi + l->bias) + (exec_random_bits(l, EXEC_RND_BRK, BRK_RND) << 12);
	uspace_set_brk_base(s, l->brk);
	return 0;
}

/* Build the new space while the calling thread runs in it. */
static int exec_build(struct exec_job *j, struct process *p)
{
	const struct elf_exec *x = &j->x;
	int err;

	spin_lock(&p->lock);
	j->l.uid = p->cred.uid;
	j->l.euid = j->set_uid ? j->new_euid : p->cred.euid;
	j->l.gid = p->cred.gid;
	j->l.egid = j->set_gid ? j->new_egid : p->cred.egid;
	uint64_t stack_rlim = p->rlim[RLIMIT_STACK].rlim_cur;
	uint64_t as_rlim = p->rlim[RLIMIT_AS].rlim_cur;
	spin_unlock(&p->lock);

	uspace_set_limit(j->space, as_rlim == RLIM_INFINITY ? 0 : as_rlim);
	random_bytes(j->l.rnd, sizeof(j->l.rnd));
	j->l.bias = choose_bias(x, &j->l);
	j->l.entry = x->entry + j->l.bias;
	j->l.phdr = x->phdr_vaddr ? x->phdr_vaddr + j->l.bias : 0;
	j->l.phnum = x->file.ehdr->e_phnum;
	err = load_segments(j->space, j, j->l.bias);
	if (!err)
		err = protect_segments(j->space, x, j->l.bias);
	if (!err)
		err = place_stack_and_heap(j->space, &j->l, x, stack_rlim);
	if (!err)
		err = exec_build_stack(&j->l, &j->strings, j->path, x);
	if (!err)
		uspace_set_args(j->space, j->l.arg_start, j->l.arg_end, j->l.env_end, j->l.sp);
	return err;
}

/* Check the program from its headers. */
static int exec_check(struct exec_job *j)
{
	const char *why = NULL;
	int err = elf_validate_exec_headers(&j->x, j->src.head, j->src.head_len, j->src.size,
	                                    USER_TOP, &why);

	/* A broken ELF file is worth a line; any other file is ENOEXEC, which shells expect. */
	if (err && j->src.head_len >= 4 && !memcmp(j->src.head, "\177ELF", 4))
		pr_info("exec: %s: %s", j->path, why ? why : "invalid");
	return err;
}

/* Other threads of the process end before the old space goes (Linux's de_thread). */
static int exec_single_thread(struct process *p, struct thread *self)
{
	struct thread *t;

	spin_lock(&p->lock);
	if (p->nthreads == 1) {
		spin_unlock(&p->lock);
		return 0;
	}
	p->exec_thread = self;
	list_for_each_entry(t, &p->threads, proc_link) {
		if (t != self && signal_send_thread(t, SIGKILL, NULL))
			pr_warn("exec: cannot stop thread %d", t->tid);
	}
	spin_unlock(&p->lock);
	while (__atomic_load_n(&p->nthreads, __ATOMIC_ACQUIRE) > 1)
		task_sleep_ns(1000000); /* rare: a multi-threaded exec; their exits wake exit_wq */
	spin_lock(&p->lock);
	p->exec_thread = NULL;
	spin_unlock(&p->lock);
	return 0;
}

/* Exchange two paths (under the process's lock: no reference changes hands). */
static void swap_path(struct path *a, struct path *b)
{
	struct path t = *a;

	*a = *b;
	*b = t;
}

/* The point of no return: the new program becomes the process's. */
static void exec_commit(struct exec_job *j, struct process *p, struct thread *t, struct uspace *old)
{
	const char *base = j->path;
	size_t i, n;

	for (i = 0; j->path[i]; i++)
		if (j->path[i] == '/')
			base = j->path + i + 1;
	spin_lock(&p->lock);
	p->space = j->space; /* the new space's own reference moves to the process */
	n = strnlen(base, PROC_COMM_LEN - 1);
	memcpy(p->comm, base, n);
	p->comm[n] = '\0';
	p->execed = true;
	/* Linux: the saved and filesystem ids follow the effective ones at every exec. */
	p->cred.euid = p->cred.suid = p->cred.fsuid = j->l.euid;
	p->cred.egid = p->cred.sgid = p->cred.fsgid = j->l.egid;
	p->undumpable = j->unreadable || j->l.euid != j->l.uid || j->l.egid != j->l.gid;
	swap_path(&p->exe, &j->exe); /* the old one goes with the job */
	spin_unlock(&p->lock);
	j->space = NULL;
	if (old) {
		uspace_put(old); /* the process's */
		uspace_put(old); /* the task's: it now holds the new one */
	}
	proc_files_exec_commit(p, j->files);
	j->files = NULL;
	t->clear_child_tid = 0;
	t->robust_list = 0;
	t->robust_len = 0;
	proc_vfork_release(p);
	arch_uframe_init(arch_uframe(task_current()), j->l.entry, j->l.sp);
}

void exec_job_free(struct exec_job *j)
{
	exec_strings_free(&j->strings);
	exec_src_release(&j->src);
	if (j->space)
		uspace_put(j->space);
	if (j->files)
		fdtable_put(j->files);
	if (j->exe.mnt)
		path_put(&j->exe);
}

int exec_run(struct exec_job *j)
{
	struct thread *t = thread_current();
	struct process *p = t ? t->proc : NULL;
	struct uspace *old;
	int err;

	if (!p)
		return -EINVAL;
	err = exec_check(j);
	if (!err)
		err = uspace_create(&j->space);
	if (err)
		return err;
	old = task_current()->space;
	uspace_get(j->space);
	thread_switch_space(j->space);
	err = exec_build(j, p);
	if (!err)
		err = proc_files_exec_prepare(p, &j->files);
	if (!err)
		err = signal_exec_reset(p);
	if (err) {
		thread_switch_space(old);
		uspace_put(j->space); /* the task's; exec_job_free() drops the other */
		return err;
	}
	(void)exec_single_thread(p, t);
	exec_commit(j, p, t, old);
	return 0;
}

int proc_exec_image(const char *path, const void *data, size_t size, char *const argv[],
                    char *const envp[])
{
	struct exec_job j = { .path = path };
	int err = exec_strings_kernel(&j.strings, argv, envp);

	if (!err)
		err = exec_src_image(&j.src, data, size);
	if (!err)
		err = exec_run(&j);
	exec_job_free(&j);
	return err;
}
