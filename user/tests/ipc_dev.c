// SPDX-License-Identifier: MIT
/*
 * Device objects as an ordinary program sees them (docs/drvhost.md): it
 * has none and cannot make one, so the interrupt and port calls refuse
 * every descriptor it can hold (a terminal, a channel end, a closed
 * number), and the port space is out of its reach without them: an IN
 * instruction in user mode faults (IOPL 0 and no I/O permission bitmap,
 * Intel SDM Vol. 1, 19.5), on Linux as on Cairn. /proc/cairn/drivers is
 * readable and starts with its header. The points on Cairn's calls are
 * skipped on Linux; the fault is compared on both.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chantest.h"
#include "utest.h"

/* The calls refuse descriptors that are not handles of their type. */
static bool t_refused(void)
{
	int32_t h[2];

	CT_EQ(cairn_irq_ack(0), -EBADFD); /* a terminal */
	CT_EQ(cairn_ioport_read(0, 0, 1), -EBADFD);
	CT_EQ(cairn_ioport_write(0, 0, 1, 0), -EBADFD);
	CT_EQ(cairn_irq_ack(1000), -EBADF);
	CT_EQ(cairn_ioport_read(-1, 0, 1), -EBADF);
	CT_EQ(cairn_channel_create(h, 0), 0);
	CT_EQ(cairn_irq_ack(h[0]), -EBADFD);
	CT_EQ(cairn_ioport_read(h[1], 0, 1), -EBADFD);
	CT_EQ(cairn_ioport_write(h[1], 0, 1, 0), -EBADFD);
	close(h[0]);
	close(h[1]);
	return true;
}

/* /proc/cairn/drivers: its header line, whatever drivers run. */
static bool t_proc(void)
{
	char buf[256] = { 0 };
	FILE *f;

	/* The test initramfs does not mount /proc; an image that did keeps its mount. */
	if (access("/proc/self", F_OK) != 0 && (mkdir("/proc", 0555) == 0 || errno == EEXIST))
		mount("proc", "/proc", "proc", 0, NULL);
	f = fopen("/proc/cairn/drivers", "r");

	CT_CHECK(f != NULL);
	CT_CHECK(fgets(buf, sizeof(buf), f) != NULL);
	fclose(f);
	CT_CHECK(strncmp(buf, "name ", 5) == 0 && strstr(buf, "restarts") != NULL);
	return true;
}

/* A child that reads the 8042's status port directly: "signal SIGSEGV". */
static void port_io_faults(void)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		unsigned char v;

		__asm__ volatile("inb $0x64, %0" : "=a"(v));
		_exit(v == 0xff ? 3 : 4); /* reached only if the port was open */
	}
	status = pid < 0 ? -1 : ut_wait(pid);
	tap_ok(status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV,
	       "IN from user mode without a port handle: %s", ut_status(status));
}

static const struct ct_test tests[] = {
	{ "irq and ioport calls refuse non-handles and other types", t_refused },
	{ "/proc/cairn/drivers starts with its header", t_proc },
};

int main(void)
{
	int n = (int)(sizeof(tests) / sizeof(tests[0]));
	bool on = cairn_present();

	tap_plan(n + 1);
	for (int i = 0; i < n; i++) {
		if (on)
			tap_ok(tests[i].fn(), "%s", tests[i].name);
		else
			tap_ok(true, "%s # SKIP not Cairn", tests[i].name);
	}
	port_io_faults();
	return tap_done(n + 1);
}
