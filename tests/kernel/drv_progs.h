/* SPDX-License-Identifier: MIT */
/*
 * Tiny user-space "drivers" for the driver host's tests
 * (tests/kernel/test_ipc_drvhost.c), written in the architecture's
 * assembly (tests/kernel/arch/x86_64/drv_progs.c) and wrapped in an ELF
 * file by proc_image_build(). Each is started by drvhost_start() with an
 * I/O port handle at fd 3 and an interrupt handle at fd 4.
 */
#pragma once

#include "tests/kernel/proc_progs.h"

/* Wait for signals for ever (pause): a driver that lives until it is killed. */
extern const struct proc_prog drv_prog_idle;
/* Load from address 0: dies of SIGSEGV at once. */
extern const struct proc_prog drv_prog_fault;
/* exit_group(1) at once, every life. */
extern const struct proc_prog drv_prog_exit;
/*
 * Fd 3 a port range of 8 with READ only, fd 4 an interrupt with WAIT
 * only: try what it may not (a read past the range, a write, an ack
 * without WRITE, each handle at the other's call, a descriptor it does
 * not have, an offset of -1, an ack of an interrupt it does not hold)
 * and exit 0 when every call was refused with the expected error, else
 * the number of the first step that was not; then it reads its own port
 * at offset 7 (allowed) and exits 111 if that failed.
 */
extern const struct proc_prog drv_prog_misbehave;
/*
 * The RTC's driver, x86 only (fd 3 ports 0x70-0x71, fd 4 IRQ 8): serves
 * 20 interrupts (poll, ack, read register C) and exits 0, else the step
 * that failed.
 */
extern const struct proc_prog drv_prog_rtc;
/* Forks once; both processes then wait for signals for ever. */
extern const struct proc_prog drv_prog_forker;
/*
 * Uses its device as memory across lives: while the scratch register at
 * fd 3 offset 7 is below 5 it adds one and exits 1 at once (dying young),
 * after that each life lasts 1.2 s and exits 2.
 */
extern const struct proc_prog drv_prog_young_then_old;
