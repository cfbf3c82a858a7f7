// SPDX-License-Identifier: MIT
/*
 * /init of the test initramfs, the same binary on Cairn and on the Linux
 * baseline. It mounts nothing and opens nothing: it runs, one after the
 * other, the programs listed in testinit_list (generated per initramfs by
 * tools/initramfs.py, since Cairn has no files to read a list from until the
 * files issue), framing each one's output between "=== run NAME" and
 * "=== end NAME: STATUS" lines, and then powers the machine off.
 *
 * A program that runs past its time (TESTINIT_TIMEOUT_S unless its entry
 * says otherwise) is killed with its whole
 * process group and reported as "timeout", so one hang costs one result, not
 * the rest of the boot. The wait polls (waitpid WNOHANG and a short sleep)
 * rather than using alarm(2), which a kernel under test may not have.
 *
 * An archive that carries /lib/modules/load (tools/usertest.py's
 * linux_modules(): the Linux baseline's disk drivers and file systems)
 * gets those modules loaded first, silently: on Cairn, which has no
 * modules, the first finit_module(2) fails with ENOSYS and the rest
 * are not tried.
 *
 * Then the loopback interface is brought up (SIOCSIFFLAGS on "lo"):
 * Linux's is down at boot, Cairn's is up, and the socket tests talk over
 * it on both.
 */
#include "testinit.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define TESTINIT_TIMEOUT_S 60
#define TESTINIT_POLL_MS   20

/* The same environment on both kernels, whatever the boot loader passed to init. */
static char *const test_envp[] = { "PATH=/bin", "HOME=/", "TERM=vt100", NULL };

/* One line to the console in one write, so the runner never sees it split. */
static void say(const char *fmt, const char *a, const char *b)
{
	char buf[256];
	int n = snprintf(buf, sizeof(buf), fmt, a, b);

	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	if (n > 0)
		while (write(1, buf, n) < 0 && errno == EINTR)
			;
}

/* Describe a wait status as "exit N" or "signal N". */
static void status_text(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "signal %d", WTERMSIG(status));
	else
		snprintf(buf, size, "status 0x%x", status);
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000ll + t.tv_nsec / 1000000;
}

/*
 * Wait for @pid, reaping on the way any orphan that was reparented to us
 * (init is pid 1 on both kernels). Returns its wait status, -1 when waiting
 * failed, or -2 when it ran out of time (then its group was killed).
 */
static int wait_for(pid_t pid, int timeout_s)
{
	struct timespec nap = { 0, TESTINIT_POLL_MS * 1000000L };
	long long deadline = now_ms() + timeout_s * 1000ll;
	int status;
	pid_t got;

	for (;;) {
		got = waitpid(-1, &status, WNOHANG);
		if (got == pid)
			return status;
		if (got < 0 && errno != EINTR)
			return -1;
		if (got > 0)
			continue;
		if (now_ms() > deadline) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -2;
		}
		nanosleep(&nap, NULL);
	}
}

/* Reap the orphans a test left behind (their parent died before them). */
static void reap_orphans(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* Load each module /lib/modules/load names, in order; errors are ignored (see above). */
static void load_modules(void)
{
	char list[4096], path[128];
	int fd = open("/lib/modules/load", O_RDONLY), mfd;
	ssize_t n;
	char *line, *save = NULL;

	if (fd < 0)
		return;
	n = read(fd, list, sizeof(list) - 1);
	close(fd);
	if (n <= 0)
		return;
	list[n] = '\0';
	for (line = strtok_r(list, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		snprintf(path, sizeof(path), "/lib/modules/%s", line);
		mfd = open(path, O_RDONLY | O_CLOEXEC);
		if (mfd < 0)
			continue;
		n = syscall(SYS_finit_module, mfd, "", 0);
		close(mfd);
		if (n < 0 && errno == ENOSYS)
			return; /* a kernel without modules: the rest would fail alike */
	}
}

/* Bring "lo" up when it is down (Linux at boot); any failure leaves it as it is. */
static void lo_up(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
			say("testinit: lo up: %s%s\n", strerror(errno), "");
	}
	close(fd);
}

/* The console's modes at start, put back after each program (the fuzzer may change them). */
static struct termios console_modes;
static int have_console_modes;

static void run_one(const struct testinit_entry *t)
{
	int timeout_s = t->timeout_s > 0 ? t->timeout_s : TESTINIT_TIMEOUT_S;
	char status[32];
	pid_t pid;
	int st;

	say("=== run %s%s\n", t->name, "");
	pid = fork();
	if (pid == 0) {
		/* Its own process group, so a timeout can kill all it started. */
		setpgid(0, 0);
		execve(t->argv[0], (char *const *)t->argv, test_envp);
		say("testinit: execve %s: %s\n", t->argv[0], strerror(errno));
		_exit(127);
	}
	if (pid < 0) {
		say("=== end %s: fork failed %s\n", t->name, strerror(errno));
		return;
	}
	st = wait_for(pid, timeout_s);
	if (st == -2)
		snprintf(status, sizeof(status), "timeout after %d s", timeout_s);
	else if (st == -1)
		snprintf(status, sizeof(status), "wait failed %d", errno);
	else
		status_text(st, status, sizeof(status));
	reap_orphans();
	if (have_console_modes)
		ioctl(1, TCSETS, &console_modes);
	say("=== end %s: %s\n", t->name, status);
}

int main(void)
{
	size_t i;

	/*
	 * Linux starts init in session 0, group 0; a session of our own gives the
	 * programs the same pgid and sid (1) on both kernels.
	 */
	setsid();
	have_console_modes = ioctl(1, TCGETS, &console_modes) == 0;
	load_modules();
	lo_up();
	say("testinit: %s programs%s\n", testinit_count_text, "");
	for (i = 0; testinit_list[i].name; i++)
		run_one(&testinit_list[i]);
	say("testinit: done%s%s\n", "", "");
	reboot(RB_POWER_OFF);
	say("testinit: reboot failed: %s%s\n", strerror(errno), "");
	for (;;)
		pause();
}
