// SPDX-License-Identifier: MIT
/*
 * The 8042 PS/2 controller's polled side: set-up of the controller, the
 * keyboard and the mouse before ps2_init() (kernel/dev/ps2.c) turns their
 * interrupts on. Every wait is bounded by the cycle counter, so a missing
 * or wedged controller costs a timeout and a log line, never a hang.
 *
 * The order is OSDev's ("8042 PS/2 Controller", "Initialising the PS/2
 * Controller"): disable both ports, flush, clear the interrupt and
 * translation bits, self-test, probe for a second port, interface tests,
 * then reset and program each device. Commands and answers: IBM PS/2
 * Hardware Interface Technical Reference (1988), "Keyboard/Auxiliary
 * Device Controller", "Keyboard" and "Auxiliary Device".
 *
 * Scan codes: the keyboard runs set 2, the set every AT keyboard starts
 * in, and the controller translates it to set 1 (configuration bit 6, set
 * by ps2.c with the interrupts). Translation is the state PC firmware
 * leaves and the one USB legacy emulation imitates, so it is the mode most
 * likely to work on real machines; set 1 also has one-byte break codes,
 * which keeps the decoder (lib/input/ps2kbd.c) small. QEMU has both.
 *
 * Firmware: an FADT of revision 2 or later says in IAPC_BOOT_ARCH bit 1
 * whether there is an 8042 (ACPI 6.5, 5.2.9.3); "no" is honoured unless
 * the command line says ps2=force (ps2=off skips the probe). QEMU 7.2:
 * see the figures in tests/kernel/test_ps2.c. An absent controller's
 * status register reads 0xff (an undriven bus).
 */
#include "dev/i8042.h"

#include <cairn/errno.h>

#include <arch/pio.h>
#include <lib/input/ps2.h>
#include <lib/string.h>

#include "acpi/acpi.h"
#include "arch/arch.h"
#include "core/cmdline.h"
#include "core/log.h"

#define ST_ABSENT 0xff /* an undriven bus: no controller */

/* Controller commands ("Commands (I/O Address Hex 64)"). */
#define CMD_READ_CONFIG   0x20
#define CMD_WRITE_CONFIG  0x60
#define CMD_DISABLE_PORT2 0xa7
#define CMD_ENABLE_PORT2  0xa8
#define CMD_TEST_PORT2    0xa9
#define CMD_SELF_TEST     0xaa
#define CMD_TEST_PORT1    0xab
#define CMD_DISABLE_PORT1 0xad
#define CMD_ENABLE_PORT1  0xae
#define CMD_WRITE_PORT2   0xd4 /* the next data byte goes to the port-2 device */
#define SELF_TEST_PASS    0x55
#define PORT_TEST_PASS    0x00
#define PORT_TEST_NOT_RUN 0xff

/* Device commands and answers. */
#define DEV_SCAN_SET    0xf0 /* argument 0 asks, 1-3 sets */
#define DEV_IDENTIFY    0xf2
#define DEV_SAMPLE_RATE 0xf3
#define DEV_ENABLE      0xf4
#define DEV_DEFAULTS    0xf6
#define DEV_RESET       0xff
#define DEV_BAT_PASS    0xaa
#define DEV_BAT_FAIL    0xfc
#define DEV_BAT_FAIL2   0xfd /* from some mice */
#define KBD_SET_2       2
#define MOUSE_RATE      100 /* samples per second, the power-on default */

/* Time limits (ms). */
#define ANSWER_MS    20 /* the controller answers a command */
#define SELF_TEST_MS 500
#define ACK_MS       50   /* a device's ACK; the IBM reference allows it 20 ms */
#define RESET_MS     1000 /* a device's self-test: 500-750 ms on real keyboards */
#define FLUSH_MAX    64

static uint64_t deadline_ms(unsigned ms)
{
	return arch_cycles() + (uint64_t)ms * arch_cycles_khz();
}

/* Wait until the controller has taken the last byte written to it. */
static int wait_writable(uint64_t end)
{
	while (inb(I8042_STATUS) & I8042_ST_INPUT_FULL)
		if (arch_cycles() >= end)
			return -ETIMEDOUT;
	return 0;
}

int i8042_write(uint16_t reg, uint8_t byte, unsigned ms)
{
	int err = wait_writable(deadline_ms(ms));

	if (!err)
		outb(reg, byte);
	return err;
}

static int write_cmd(uint8_t cmd)
{
	return i8042_write(I8042_COMMAND, cmd, I8042_WRITE_MS);
}

static int write_data(uint8_t byte)
{
	return i8042_write(I8042_DATA, byte, I8042_WRITE_MS);
}

/* Take the next byte of the output buffer, and the status it came with, before @end. */
static int read_byte(uint8_t *out, uint8_t *status, uint64_t end)
{
	uint8_t st;

	while (!((st = inb(I8042_STATUS)) & I8042_ST_OUTPUT_FULL))
		if (arch_cycles() >= end)
			return -ETIMEDOUT;
	*status = st;
	*out = inb(I8042_DATA);
	return 0;
}

/* A controller command with a one-byte answer (both ports disabled, so it is the answer). */
static int ctrl_query(uint8_t cmd, uint8_t *out, unsigned ms)
{
	uint8_t st;
	int err = write_cmd(cmd);

	return err ? err : read_byte(out, &st, deadline_ms(ms));
}

int i8042_write_config(uint8_t cfg)
{
	int err = write_cmd(CMD_WRITE_CONFIG);

	return err ? err : write_data(cfg);
}

static void flush_output(void)
{
	unsigned i;

	for (i = 0; i < FLUSH_MAX && (inb(I8042_STATUS) & I8042_ST_OUTPUT_FULL); i++)
		(void)inb(I8042_DATA);
}

static int dev_write(unsigned port, uint8_t byte)
{
	int err = port == 2 ? write_cmd(CMD_WRITE_PORT2) : 0;

	return err ? err : write_data(byte);
}

/* The next byte from @port's device before @end; the other port's bytes are dropped. */
static int dev_read(unsigned port, uint8_t *out, uint64_t end)
{
	uint8_t st;
	int err;

	while (!(err = read_byte(out, &st, end)))
		if (!!(st & I8042_ST_AUX_DATA) == (port == 2))
			return 0;
	return err;
}

/*
 * Send @byte to @port's device and wait for its ACK, repeating on Resend.
 * Other bytes before the ACK (keys typed, a packet) are dropped.
 */
static int dev_command(unsigned port, uint8_t byte)
{
	unsigned tries;
	uint64_t end;
	uint8_t b;
	int err;

	for (tries = 0; tries < PS2_DEV_TRIES; tries++) {
		err = dev_write(port, byte);
		if (err)
			return err;
		end = deadline_ms(ACK_MS);
		do
			err = dev_read(port, &b, end);
		while (!err && b != PS2_DEV_ACK && b != PS2_DEV_RESEND);
		if (err || b == PS2_DEV_ACK)
			return err;
	}
	return -EIO;
}

/* Reset @port's device: ACK, then its self-test result (0xAA passes); a mouse adds its ID. */
static int dev_reset(unsigned port, uint8_t *id)
{
	uint64_t end;
	uint8_t b;
	int err = dev_command(port, DEV_RESET);

	if (err)
		return err;
	end = deadline_ms(RESET_MS);
	do
		err = dev_read(port, &b, end);
	while (!err && b != DEV_BAT_PASS && b != DEV_BAT_FAIL && b != DEV_BAT_FAIL2);
	if (err)
		return err;
	if (b != DEV_BAT_PASS)
		return -EIO;
	*id = 0;
	if (port == 2)
		(void)dev_read(port, id, deadline_ms(ACK_MS));
	return 0;
}

static int dev_identify(unsigned port, uint8_t *id)
{
	int err = dev_command(port, DEV_IDENTIFY);

	return err ? err : dev_read(port, id, deadline_ms(ACK_MS));
}

/* ---- set-up ---- */

/* The command line and the FADT. Returns 0 to go on probing, or -ENODEV. */
static int firmware_allows(struct ps2_info *info)
{
	const struct acpi_fadt_info *f = acpi_fadt();
	const char *v = cmdline_get("ps2");
	char word[8] = "";

	if (v)
		cmdline_word(v, word, sizeof(word));
	if (strcmp(word, "off") == 0) {
		pr_info("ps2: disabled on the command line");
		return -ENODEV;
	}
	info->fadt_valid = f && f->boot_flags_valid;
	info->fadt_8042 = !f || f->has_8042;
	if (info->fadt_8042 || strcmp(word, "force") == 0)
		return 0;
	pr_info("ps2: the FADT says there is no 8042 (IAPC_BOOT_ARCH %#x); ps2=force probes anyway",
	        f->boot_flags);
	return -ENODEV;
}

/* Whether the controller has a second port: disabled, its clock bit is set; enabled, clear. */
static bool has_second_port(uint8_t cfg)
{
	uint8_t now;

	if (!(cfg & I8042_CFG_PORT2_CLOCK_OFF))
		return false; /* ignored "disable port 2": a single-port controller */
	if (write_cmd(CMD_ENABLE_PORT2) || ctrl_query(CMD_READ_CONFIG, &now, ANSWER_MS))
		return false;
	(void)write_cmd(CMD_DISABLE_PORT2);
	return !(now & I8042_CFG_PORT2_CLOCK_OFF);
}

/* Quiet the controller, self-test it, count and test its ports. Fills *@cfg. */
static int controller_init(struct ps2_info *info, uint8_t *cfg)
{
	if (inb(I8042_STATUS) == ST_ABSENT) {
		pr_info("ps2: no 8042 (its status register reads 0xff)");
		return -ENODEV;
	}
	if (write_cmd(CMD_DISABLE_PORT1) || write_cmd(CMD_DISABLE_PORT2)) {
		pr_warn("ps2: no 8042 (it takes no command)");
		return -ENODEV;
	}
	flush_output();
	if (ctrl_query(CMD_READ_CONFIG, cfg, ANSWER_MS)) {
		pr_warn("ps2: no 8042 (no answer to reading its configuration)");
		return -ENODEV;
	}
	*cfg &= (uint8_t) ~(I8042_CFG_PORT1_IRQ | I8042_CFG_PORT2_IRQ | I8042_CFG_TRANSLATE);
	if (i8042_write_config(*cfg) || ctrl_query(CMD_SELF_TEST, &info->self_test, SELF_TEST_MS)) {
		pr_warn("ps2: 8042 does not answer its self-test");
		return -ENODEV;
	}
	if (info->self_test != SELF_TEST_PASS) {
		pr_err("ps2: 8042 self-test failed (answer %#x, want 0x55)", info->self_test);
		return -EIO;
	}
	info->controller = true;
	/* Some controllers come out of the self-test reset: write the configuration again. */
	if (i8042_write_config(*cfg))
		return -EIO;
	info->dual_channel = has_second_port(*cfg);
	if (ctrl_query(CMD_TEST_PORT1, &info->port1_test, ANSWER_MS))
		info->port1_test = PORT_TEST_NOT_RUN;
	if (info->dual_channel && ctrl_query(CMD_TEST_PORT2, &info->port2_test, ANSWER_MS))
		info->port2_test = PORT_TEST_NOT_RUN;
	return 0;
}

/* Reset the keyboard, put it in set 2 (the controller makes set 1 of it), LEDs off. */
static int keyboard_init(struct ps2_info *info)
{
	uint8_t set = 0, unused;
	int err;

	if (info->port1_test != PORT_TEST_PASS)
		return -ENODEV;
	err = write_cmd(CMD_ENABLE_PORT1);
	if (!err)
		err = dev_reset(1, &unused);
	if (err)
		return err;
	if (dev_command(1, DEV_SCAN_SET) || dev_command(1, KBD_SET_2))
		pr_warn("ps2: keyboard refuses scan code set 2");
	if (!dev_command(1, DEV_SCAN_SET) && !dev_command(1, 0))
		(void)dev_read(1, &set, deadline_ms(ACK_MS));
	info->kbd_set = set;
	if (set != KBD_SET_2)
		pr_warn("ps2: keyboard reports scan code set %u, not 2; keys may decode wrongly",
		        set);
	if (dev_command(1, PS2_DEV_SET_LEDS) || dev_command(1, 0))
		pr_warn("ps2: keyboard refuses Set LEDs");
	return dev_command(1, DEV_ENABLE);
}

/* Sample rates then Identify: the IntelliMouse knock that switches packet formats. */
static bool mouse_knock(const uint8_t rates[3], uint8_t want)
{
	uint8_t id;
	unsigned i;

	for (i = 0; i < 3; i++)
		if (dev_command(2, DEV_SAMPLE_RATE) || dev_command(2, rates[i]))
			return false;
	return !dev_identify(2, &id) && id == want;
}

/*
 * Reset the mouse and try its extensions: rates 200, 100, 80 make a wheel
 * mouse answer ID 3; then 200, 200, 80 make a 5-button one answer ID 4
 * (Microsoft IntelliMouse and IntelliMouse Explorer extensions, as A.
 * Chapweske's "The PS/2 Mouse Interface" describes them).
 */
static int mouse_init(struct ps2_info *info)
{
	static const uint8_t wheel[3] = { 200, 100, 80 }, five[3] = { 200, 200, 80 };
	uint8_t id;
	int err;

	if (!info->dual_channel || info->port2_test != PORT_TEST_PASS)
		return -ENODEV;
	err = write_cmd(CMD_ENABLE_PORT2);
	if (!err)
		err = dev_reset(2, &id);
	if (!err)
		err = dev_command(2, DEV_DEFAULTS);
	if (err)
		return err;
	info->mouse_id = PS2MOUSE_ID_STANDARD;
	if (mouse_knock(wheel, PS2MOUSE_ID_WHEEL))
		info->mouse_id = mouse_knock(five, PS2MOUSE_ID_5BUTTON) ? PS2MOUSE_ID_5BUTTON
		                                                        : PS2MOUSE_ID_WHEEL;
	/* The knocks left the rate at 80 per second; back to the default. */
	err = dev_command(2, DEV_SAMPLE_RATE);
	if (!err)
		err = dev_command(2, MOUSE_RATE);
	return err ? err : dev_command(2, DEV_ENABLE);
}

int i8042_setup(struct ps2_info *info, uint8_t *cfg)
{
	int err;

	info->port1_test = info->port2_test = PORT_TEST_NOT_RUN;
	err = firmware_allows(info);
	if (!err)
		err = controller_init(info, cfg);
	if (err)
		return err;
	err = keyboard_init(info);
	info->keyboard = !err;
	if (err && err != -ENODEV)
		pr_info("ps2: no keyboard on port 1 (%d)", err);
	err = mouse_init(info);
	info->mouse = !err;
	if (err && err != -ENODEV)
		pr_info("ps2: no mouse on port 2 (%d)", err);
	return 0;
}
