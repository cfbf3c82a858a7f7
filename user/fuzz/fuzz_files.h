/* SPDX-License-Identifier: MIT */
/*
 * The fuzzer's file mode (fuzz -f, issue 12): children make the file
 * system calls only, on a scratch directory of their own (/tmp/fuzz-N),
 * with paths from a pool of names that stay inside it (and a few that
 * reach outside, read-only to the unprivileged fuzzer), descriptors they
 * opened, and real open flags and modes. Two invariants are checked: a
 * probe in the child (every FUZZ_PROBE_EVERY calls) writes a fresh file,
 * and its fstat size, its contents read back and its directory listing
 * must agree; after the child, the parent walks the scratch tree and
 * every name getdents64 lists must exist and every name of the pool that
 * exists must be listed, and everything must be removable.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz_args.h"

#define FUZZ_PROBE_EVERY 64

/* Prepare the child: make and enter @dir, open a few descriptors. False: cannot. */
bool fuzz_files_setup(struct fuzz_env *e, const char *dir);
/* A file call to make next. */
long fuzz_files_pick(struct fuzz_env *e);
/* Replace the paths, descriptors, flags and modes fuzz_make_args() chose. */
void fuzz_files_args(struct fuzz_env *e, long nr, uint64_t a[6]);
/* Remember a descriptor a call returned. */
void fuzz_files_result(struct fuzz_env *e, long nr, long ret);
/*
 * The child's probe: false when the file system broke an invariant, with
 * what in @why; true when it held or could not be checked (no memory, no
 * descriptor left).
 */
bool fuzz_files_probe(struct fuzz_env *e, char *why, size_t n);
/*
 * The parent's walk of @dir after its child ended, then its removal.
 * Returns the invariants broken (0: none) and describes the first in @why.
 */
int fuzz_files_check(const char *dir, char *why, size_t n);
/*
 * The parent, before its memory baseline: one walk of a small tree, so the
 * pages and kernel objects a walk needs the first time are not counted
 * as what the run left behind.
 */
void fuzz_files_warm(void);
/* Names the walks found, in all (so a run shows the walks saw something). */
extern unsigned long fuzz_files_walked;
