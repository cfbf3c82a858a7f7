// SPDX-License-Identifier: MIT
/*
 * execve of programs that name an interpreter (PT_INTERP, issue 13 part 6),
 * built here byte by byte: a static program whose interpreter is a tiny
 * position-independent ELF that exits with a code of its own (so the
 * kernel started the interpreter, not the program), and the ways Linux's
 * load_elf_binary() refuses one: a missing interpreter (ENOENT), one that
 * is no ELF file or an ELF for another machine (ELIBBAD), a directory or a
 * file without an x bit (EACCES), a path without its NUL or longer than
 * PATH_MAX (ENOEXEC). The caller goes on after each refusal.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "utest.h"

#define DIR      "/tmp/exec_interp"
#define CODE_OFF 0x200 /* the code: after the headers and the interpreter's path */
#define PATH_OFF 0xb0  /* the interpreter's path: after the headers */

/* ELF64 definitions (System V gABI). */
struct ehdr {
	unsigned char ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

static unsigned char img[CODE_OFF + 16 + 8192];

/*
 * An ELF at @base (ET_EXEC) or position-independent (@base 0, ET_DYN) whose
 * code is exit(@code), naming the interpreter @interp of @ilen bytes (none
 * if NULL) for machine @machine. Returns its size.
 */
static size_t build(uint64_t base, int code, const char *interp, size_t ilen, uint16_t machine)
{
	struct ehdr *e = (struct ehdr *)img;
	struct phdr *ph = (struct phdr *)(img + sizeof(*e));
	/* mov $60, %eax; mov $code, %edi; syscall */
	unsigned char text[] = {
		0xb8, 60, 0, 0, 0, 0xbf, (unsigned char)code, 0, 0, 0, 0x0f, 0x05
	};
	size_t size = CODE_OFF + sizeof(text), ioff = PATH_OFF;
	int n = 0;

	memset(img, 0, sizeof(img));
	if (interp && ilen > CODE_OFF - PATH_OFF)
		ioff = size, size += ilen; /* a long path goes after the code */
	memcpy(e->ident, "\177ELF\2\1\1", 7);
	e->type = base ? 2 : 3;
	e->machine = machine;
	e->version = 1;
	e->entry = base + CODE_OFF;
	e->phoff = sizeof(*e);
	e->ehsize = sizeof(*e);
	e->phentsize = sizeof(*ph);
	if (interp) {
		ph[n] = (struct phdr){ 3, 4, ioff, base + ioff, base + ioff, ilen, ilen, 1 };
		memcpy(img + ioff, interp, ilen);
		n++;
	}
	/* Writable too: Linux clears the rest of an interpreter's last page (padzero()). */
	ph[n++] = (struct phdr){ 1, 7, 0, base, base, size, size, 0x1000 };
	e->phnum = (uint16_t)n;
	memcpy(img + CODE_OFF, text, sizeof(text));
	return size;
}

static void put(const char *name, size_t size, mode_t mode)
{
	char path[96];
	int fd;

	snprintf(path, sizeof(path), DIR "/%s", name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0 || write(fd, img, size) != (ssize_t)size)
		tap_diag("cannot write %s", path);
	close(fd);
	chmod(path, mode);
}

/* A program at 0x400000 naming @interp (@ilen bytes, NUL included if wanted) as "prog". */
static void prog(const char *interp, size_t ilen)
{
	put("prog", build(0x400000, 7, interp, ilen, 62), 0755);
}

/* Exec DIR/prog in a child: its wait status, the execve errno in *@err (0: it ran). */
static int run(int *err)
{
	char *const argv[] = { DIR "/prog", NULL };
	char *const envp[] = { NULL };
	pid_t pid;

	*err = 0;
	pid = fork();
	if (pid == 0) {
		execve(argv[0], argv, envp);
		*err = errno;
		_exit(100);
	}
	return pid < 0 ? -1 : ut_wait(pid);
}

static void expect_errno(int want, const char *what)
{
	int *err = ut_shared(4096), st = run(err);

	tap_ok(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 100 && *err == want,
	       "%s: execve fails with %s (got %s, %s)", what, tap_errno_name(want),
	       tap_errno_name(*err), ut_status(st));
}

int main(void)
{
	static char longpath[4200];
	int *err = ut_shared(4096), st;

	tap_plan(10);
	mkdir("/tmp", 01777);
	mkdir(DIR, 0755);
	put("ld.so", build(0, 42, NULL, 0, 62), 0755);
	prog(DIR "/ld.so", sizeof(DIR "/ld.so"));
	st = run(err);
	tap_ok(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 42,
	       "the interpreter runs instead of the program: %s", ut_status(st));
	put("prog", build(0x400000, 7, NULL, 0, 62), 0755);
	st = run(err);
	tap_ok(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 7,
	       "the same program without PT_INTERP runs itself: %s", ut_status(st));
	prog(DIR "/missing", sizeof(DIR "/missing"));
	expect_errno(ENOENT, "a missing interpreter");
	put("text", 64, 0755);
	memcpy(img, "#!/bin/sh\n", 10);
	put("text", 64, 0755);
	prog(DIR "/text", sizeof(DIR "/text"));
	expect_errno(ELIBBAD, "an interpreter that is no ELF file");
	put("i386.so", build(0, 42, NULL, 0, 3), 0755);
	prog(DIR "/i386.so", sizeof(DIR "/i386.so"));
	expect_errno(ELIBBAD, "an interpreter for another machine");
	prog(DIR, sizeof(DIR));
	expect_errno(EACCES, "a directory as the interpreter");
	put("noexec.so", build(0, 42, NULL, 0, 62), 0644);
	prog(DIR "/noexec.so", sizeof(DIR "/noexec.so"));
	expect_errno(EACCES, "an interpreter without an x bit");
	prog(DIR "/ld.so", sizeof(DIR "/ld.so") - 1);
	expect_errno(ENOEXEC, "a path without its NUL");
	memset(longpath, 'a', sizeof(longpath));
	longpath[0] = '/';
	longpath[4096] = '\0';
	prog(longpath, 4097);
	expect_errno(ENOEXEC, "a path of 4097 bytes");
	prog("/", 1);
	expect_errno(ENOEXEC, "a path of 1 byte");
	unlink(DIR "/prog");
	unlink(DIR "/ld.so");
	unlink(DIR "/text");
	unlink(DIR "/i386.so");
	unlink(DIR "/noexec.so");
	rmdir(DIR);
	return tap_done(10);
}
