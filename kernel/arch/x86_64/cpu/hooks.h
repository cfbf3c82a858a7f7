/* SPDX-License-Identifier: MIT */
/*
 * What the x86_64 user-mode code calls in other subsystems, declared as
 * their owners declare them (kernel/mm/uspace.h, kernel/proc/proc.h). weak.c gives each a weak default, so the kernel
 * links and boots while a subsystem is missing; the real definition wins
 * at link time.
 */
#pragma once

#include <stdint.h>

struct uspace;

/* kernel/mm/uspace.h */
#define UFAULT_WRITE   1u
#define UFAULT_EXEC    2u
#define UFAULT_USER    4u
#define UFAULT_PRESENT 8u
int uspace_fault(struct uspace *s, uintptr_t addr, unsigned access);
void uspace_activate(struct uspace *s);
struct uspace *uspace_current(void);

/* kernel/proc/proc.h */
void proc_kill_oom(void);
__attribute__((noreturn)) void proc_exit_group(int status);
