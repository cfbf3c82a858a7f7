/* SPDX-License-Identifier: MIT */
/*
 * Compiler attributes and small helpers every part of Cairn uses: the
 * kernel, both loaders, lib/ and the host tests. One definition each, so a
 * header never has to guard against another header's copy. GCC and Clang
 * both accept every attribute here.
 */
#pragma once

#include <stddef.h>

/* The caller must look at the result: an action's 0 or -errno (STYLE.md, "Errors"). */
#ifndef __must_check
#define __must_check __attribute__((warn_unused_result))
#endif

/* No padding between fields: for layouts hardware or firmware fixes. */
#ifndef __packed
#define __packed __attribute__((packed))
#endif

#ifndef __aligned
#define __aligned(n) __attribute__((aligned(n)))
#endif

#ifndef __noreturn
#define __noreturn __attribute__((noreturn))
#endif

/* Kept by the compiler and the linker even when nothing refers to it by name. */
#ifndef __used
#define __used __attribute__((used))
#endif

#ifndef __maybe_unused
#define __maybe_unused __attribute__((unused))
#endif

/* Branch hints for paths that are rare by design (errors, slow paths). */
#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#endif
#ifndef unlikely
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

/* The number of elements of array @a (not of a pointer). */
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* The structure of type @type whose field @member is at @ptr. */
#ifndef container_of
#define container_of(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))
#endif
