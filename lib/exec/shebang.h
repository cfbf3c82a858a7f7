/* SPDX-License-Identifier: MIT */
/*
 * The "#!" line of an interpreter script, parsed as Linux's binfmt_script
 * does (since 5.1): only the first SHEBANG_BUF bytes of the file count;
 * the line is "#!", optional blanks (spaces, tabs), the interpreter's path,
 * and optionally blanks and one argument that runs to the end of the line
 * (inner blanks kept, trailing ones dropped). A line longer than the buffer
 * is accepted only when the interpreter's name ends inside it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define SHEBANG_BUF 256 /* Linux's BINPRM_BUF_SIZE */

struct shebang {
	char interp[SHEBANG_BUF]; /* NUL-terminated (empty after a NUL: the open then fails) */
	char arg[SHEBANG_BUF];    /* NUL-terminated; meaningful when has_arg */
	bool has_arg;
};

/* Whether the @n bytes at @head (the start of a file) begin with "#!". */
bool shebang_is_script(const char *head, size_t n);

/*
 * Parse the first @n bytes of a file (more than SHEBANG_BUF are ignored).
 * Returns 0 and fills @out, or -ENOEXEC: not "#!", no interpreter name, or
 * a name cut off by the end of the buffer. Pure; any context.
 */
int shebang_parse(const char *head, size_t n, struct shebang *out);
