// SPDX-License-Identifier: MIT
/*
 * The shell's command table and its general commands: help, echo, clear,
 * uname, uptime, date, sleep, log, test, bench, reboot and shutdown. The
 * commands that report on the machine (mem, ps, cpus, irqs, acpi) are in
 * commands_sys.c. Each runs in its own task with its words in a struct
 * shell_args and returns 0 or a nonzero status.
 */
#include <cairn/errno.h>

#include <lib/string.h>

#include "acpi/power.h"
#include "core/kbench.h"
#include "core/kmain.h"
#include "core/ktest.h"
#include "core/log.h"
#include "fs/vfs.h"
#include "shell/internal.h"
#include "time/time.h"
#include "tty/tty.h"

#define SLEEP_MAX_S 10000000ull /* longest sleep: about 115 days */

static int cmd_help(const struct shell_args *a)
{
	unsigned i;

	for (i = 0; i < shell_ncmds; i++) {
		const struct shell_cmd *c = &shell_cmds[i];

		if (a->argc > 1 && strcmp(a->argv[1], c->name) != 0)
			continue;
		shell_printf(a, "  %-8s %-16s %s\n", c->name, c->usage, c->help);
		if (a->argc > 1)
			return 0;
	}
	if (a->argc > 1) {
		shell_printf(a, "help: no command '%s'\n", a->argv[1]);
		return 1;
	}
	shell_printf(a, "Keys: arrows edit and browse the history, Tab completes, ^C interrupts, "
	                "^L clears.\n");
	return 0;
}

static int cmd_echo(const struct shell_args *a)
{
	int i;

	for (i = 1; i < a->argc; i++) {
		if (i > 1)
			shell_write(a, " ", 1);
		shell_write(a, a->argv[i], strlen(a->argv[i]));
	}
	shell_write(a, "\n", 1);
	return 0;
}

static int cmd_clear(const struct shell_args *a)
{
	if (a->out->clear)
		a->out->clear(a->out->ctx);
	else
		shell_write(a, "\x1b[H\x1b[2J", 7);
	return 0;
}

static const char *boot_method(uint32_t m)
{
	switch (m) {
	case BOOT_METHOD_UEFI:
		return "uefi";
	case BOOT_METHOD_BIOS:
		return "bios";
	case BOOT_METHOD_PVH:
		return "pvh";
	case BOOT_METHOD_MULTIBOOT2:
		return "multiboot2";
	default:
		return "unknown";
	}
}

static int cmd_uname(const struct shell_args *a)
{
	shell_printf(a, "Cairn %s x86_64 boot=%s loader=\"%s\"\n", CAIRN_VERSION,
	             boot_method(boot_info.method), boot_info.loader_name);
	return 0;
}

static int cmd_uptime(const struct shell_args *a)
{
	uint64_t ms = clock_monotonic_ns() / NSEC_PER_MSEC;

	shell_printf(a, "up %llu.%03llu s\n", (unsigned long long)(ms / 1000),
	             (unsigned long long)(ms % 1000));
	return 0;
}

/* The proleptic Gregorian date of day @z since 1970-01-01 (H. Hinnant's civil_from_days). */
static void civil_from_days(int64_t z, struct rtc_time *t)
{
	int64_t era, y;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	t->mday = (uint8_t)(doy - (153 * mp + 2) / 5 + 1);
	t->mon = (uint8_t)(mp < 10 ? mp + 3 : mp - 9);
	t->year = (uint16_t)(y + (t->mon <= 2));
}

static int cmd_date(const struct shell_args *a)
{
	uint64_t s = clock_realtime_ns() / NSEC_PER_SEC;
	struct rtc_time t;

	if (s == 0) {
		shell_printf(a, "date: the real-time clock could not be read at boot\n");
		return 1;
	}
	civil_from_days((int64_t)(s / 86400), &t);
	s %= 86400;
	shell_printf(a, "%04u-%02u-%02u %02u:%02u:%02u UTC\n", t.year, t.mon, t.mday,
	             (unsigned)(s / 3600), (unsigned)(s / 60 % 60), (unsigned)(s % 60));
	return 0;
}

/* "1", "0.5", "250ms", "1.5s", "20us" to nanoseconds. Returns 0 or -EINVAL. */
static int parse_duration(const char *p, uint64_t *ns)
{
	uint64_t whole = 0, frac = 0, scale = 1, unit = NSEC_PER_SEC;
	bool digits = false;

	for (; *p >= '0' && *p <= '9'; p++, digits = true)
		if ((whole = whole * 10 + (uint64_t)(*p - '0')) > SLEEP_MAX_S)
			return -EINVAL;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, digits = true)
			if (scale < NSEC_PER_SEC) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				scale *= 10;
			}
	if (strcmp(p, "ms") == 0)
		unit = NSEC_PER_MSEC;
	else if (strcmp(p, "us") == 0)
		unit = NSEC_PER_USEC;
	else if (*p && strcmp(p, "s") != 0)
		return -EINVAL;
	if (!digits)
		return -EINVAL;
	*ns = whole * unit + frac * unit / scale;
	return 0;
}

static int cmd_sleep(const struct shell_args *a)
{
	uint64_t ns;

	if (a->argc != 2 || parse_duration(a->argv[1], &ns) != 0)
		return shell_usage(a);
	task_sleep_ns(ns); /* a kill safe point: ^C ends the task here */
	return 0;
}

static int cmd_log(const struct shell_args *a)
{
	log_ring_dump(a->out->sink, a->out->ctx);
	return 0;
}

/*
 * The suites and benchmarks read the serial port and the keyboard
 * themselves, as in a ktest= boot: the consoles give their input back
 * meanwhile (typing is ignored until they finish).
 */
static int run_tests(void *filter)
{
	int rc;

	tty_stop_input();
	rc = ktest_run(filter);
	tty_start_input();
	return rc;
}

static int cmd_test(const struct shell_args *a)
{
	int rc;

	if (a->argc > 2)
		return shell_usage(a);
	if (ktest_active()) {
		shell_printf(a, "test: the test runner is busy\n");
		return 1;
	}
	rc = shell_boot_call(run_tests, (void *)(a->argc > 1 ? a->argv[1] : ""));
	shell_printf(a, "test: %s\n", rc == 0 ? "all passed" : "FAILED");
	return rc == 0 ? 0 : 1;
}

static int run_bench(void *filter)
{
	tty_stop_input();
	kbench_run(filter);
	tty_start_input();
	return 0;
}

static int cmd_bench(const struct shell_args *a)
{
	if (a->argc > 2)
		return shell_usage(a);
	return shell_boot_call(run_bench, (void *)(a->argc > 1 ? a->argv[1] : ""));
}

static int do_power_off(void *unused)
{
	power_off();
}

static int do_reboot(void *unused)
{
	power_reboot();
}

static int cmd_shutdown(const struct shell_args *a)
{
	shell_printf(a, "shutdown: powering off\n");
	/* Disks keep what was written and are left clean (docs/block.md). */
	(void)vfs_shutdown();
	return shell_boot_call(do_power_off, NULL);
}

static int cmd_reboot(const struct shell_args *a)
{
	shell_printf(a, "reboot: resetting the machine\n");
	(void)vfs_shutdown();
	return shell_boot_call(do_reboot, NULL);
}

const struct shell_cmd shell_cmds[] = {
	{ "help", "[command]", "list the commands, or describe one", cmd_help, 0 },
	{ "echo", "[word...]", "print the words, separated by spaces", cmd_echo, 0 },
	{ "clear", "", "clear the screen", cmd_clear, 0 },
	{ "uname", "", "kernel name, version, architecture and boot path", cmd_uname, 0 },
	{ "uptime", "", "time since the machine started", cmd_uptime, 0 },
	{ "date", "", "date and time (UTC) from the real-time clock", cmd_date, 0 },
	{ "mem", "", "physical frames per zone and the kernel heap", shell_cmd_mem, 0 },
	{ "ps", "", "tasks: id, name, state, CPU, time run", shell_cmd_ps, 0 },
	{ "cpus", "", "processors: index, APIC id, online", shell_cmd_cpus, 0 },
	{ "irqs", "", "interrupts taken, per vector and CPU", shell_cmd_irqs, 0 },
	{ "acpi", "", "the ACPI tables the firmware provides", shell_cmd_acpi, 0 },
	{ "lspci", "", "PCI functions with their BARs, drivers and interrupts", shell_cmd_lspci,
	  0 },
	{ "log", "", "the kernel log (like dmesg)", cmd_log, 0 },
	{ "strace", "[on PID|all|NAME | off]", "trace programs' system calls to the log",
	  shell_cmd_strace, 0 },
	{ "sleep", "<seconds>", "wait (0.5, 250ms and 2s work too)", cmd_sleep, 0 },
	{ "run", "<path> [arg...]", "run a program from the initrd, wait for it", shell_cmd_run,
	  0 },
	{ "test", "[suite[.name]]", "run the in-kernel tests", cmd_test, SHELL_CMD_NOINTR },
	{ "bench", "[prefix]", "run the in-kernel benchmarks", cmd_bench, SHELL_CMD_NOINTR },
	{ "reboot", "", "reset the machine", cmd_reboot, SHELL_CMD_NOINTR },
	{ "shutdown", "", "power the machine off", cmd_shutdown, SHELL_CMD_NOINTR },
};

const unsigned shell_ncmds = sizeof(shell_cmds) / sizeof(shell_cmds[0]);
