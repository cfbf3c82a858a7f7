/* SPDX-License-Identifier: MIT */
/*
 * What the x86_64 user-mode code calls in the process layer, declared as
 * kernel/proc/proc.h declares it. weak.c gives each a weak default, so the
 * kernel links and boots before that layer is in; the real definition
 * wins at link time. (The address-space calls come from kernel/mm/uspace.h,
 * the signal calls from kernel/proc/signal.h.)
 */
#pragma once

#include "mm/uspace.h"

/* kernel/proc/proc.h */
void proc_kill_oom(void);
__attribute__((noreturn)) void proc_exit_group(int status);
