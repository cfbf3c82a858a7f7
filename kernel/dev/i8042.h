/* SPDX-License-Identifier: MIT */
/*
 * The 8042 controller's polled side, private to the PS/2 driver
 * (kernel/dev/ps2.c): its registers, a bounded write, and the set-up of
 * the controller and both devices that ps2_init() runs before it turns the
 * interrupts on. Registers and commands: IBM PS/2 Hardware Interface
 * Technical Reference (1988), "Keyboard/Auxiliary Device Controller".
 */
#pragma once

#include <stdint.h>

#include "dev/ps2.h"

#define I8042_DATA    0x60
#define I8042_STATUS  0x64 /* read */
#define I8042_COMMAND 0x64 /* write */

/* Status register bits ("Status Register"). */
#define I8042_ST_OUTPUT_FULL 0x01 /* a byte waits at I8042_DATA */
#define I8042_ST_INPUT_FULL  0x02 /* the controller has not yet taken our last byte */
#define I8042_ST_AUX_DATA    0x20 /* the waiting byte came from port 2 */

/* Configuration byte (the reference's "command byte"). */
#define I8042_CFG_PORT1_IRQ       0x01
#define I8042_CFG_PORT2_IRQ       0x02
#define I8042_CFG_PORT1_CLOCK_OFF 0x10
#define I8042_CFG_PORT2_CLOCK_OFF 0x20
#define I8042_CFG_TRANSLATE       0x40 /* set 2 from the keyboard becomes set 1 */

/*
 * Pulse output port bit 0, wired to the CPU's reset line on PCs (IBM PC AT
 * Technical Reference, keyboard controller commands). Used by
 * arch_reset_legacy() (kernel/arch/x86_64/platform/reset.c).
 */
#define I8042_CMD_PULSE_RESET 0xfe

/* Commands that place a byte in the output buffer as if port 1 (2) had sent it. */
#define I8042_CMD_FAKE_PORT1_BYTE 0xd2
#define I8042_CMD_FAKE_PORT2_BYTE 0xd3

/* Device commands and answers (the reference's "Keyboard" and "Auxiliary Device" chapters). */
#define PS2_DEV_SET_LEDS 0xed
#define PS2_DEV_ACK      0xfa
#define PS2_DEV_RESEND   0xfe
#define PS2_DEV_TRIES    3 /* sends of one byte answered by Resend before giving up */

/* How long the controller may take to accept a byte (ms). */
#define I8042_WRITE_MS 20

/*
 * Write @byte to @reg (I8042_COMMAND or I8042_DATA) once the controller
 * has taken the previous byte, waiting at most @ms. Returns 0 or
 * -ETIMEDOUT. Any context (the interrupt path passes 1 ms).
 */
int i8042_write(uint16_t reg, uint8_t byte, unsigned ms);

/* Write the configuration byte. Returns 0 or -ETIMEDOUT. */
int i8042_write_config(uint8_t cfg);

/*
 * Everything before interrupts: the command line and the FADT, the
 * controller's self-test and port tests, the keyboard (reset, set 2,
 * LEDs off, scanning on) and the mouse (reset, defaults, wheel probe,
 * streaming on). Fills @info and, in @cfg, the configuration byte with
 * interrupts and translation still off. Returns 0 (controller working,
 * whatever devices answered), -ENODEV or -EIO, with a log line saying why.
 * Boot CPU, ps2_init() only; polls for up to a few seconds when a device
 * is missing.
 */
int i8042_setup(struct ps2_info *info, uint8_t *cfg);
