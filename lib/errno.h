/* SPDX-License-Identifier: MIT */
/*
 * The few errno values lib/ returns (negated), with their Linux numbers so
 * they mean the same thing in the kernel, the loaders and the host tests.
 * Each is guarded so this header can sit beside another errno.h.
 */
#pragma once

#ifndef ENOENT
#define ENOENT 2
#endif
#ifndef EIO
#define EIO 5
#endif
#ifndef E2BIG
#define E2BIG 7
#endif
#ifndef ENOEXEC
#define ENOEXEC 8
#endif
#ifndef ENOMEM
#define ENOMEM 12
#endif
#ifndef EINVAL
#define EINVAL 22
#endif
#ifndef ERANGE
#define ERANGE 34
#endif
