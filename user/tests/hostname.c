// SPDX-License-Identifier: MIT
/*
 * sethostname and setdomainname: root sets them, uname, gethostname and
 * /proc/sys/kernel/{hostname,domainname} read them back; 64 bytes fit, 65
 * and a negative length are EINVAL, a bad pointer EFAULT, and another
 * user gets EPERM. The names the system had are put back at the end, so
 * the programs run after this one see them unchanged.
 */
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "utest.h"

static void mount_proc(void)
{
	/* The test initramfs does not mount /proc; an image that did keeps its mount. */
	if (access("/proc/self", F_OK) != 0 && (mkdir("/proc", 0555) == 0 || errno == EEXIST))
		mount("proc", "/proc", "proc", 0, NULL);
}

/* Whether file @path holds exactly @want and a newline. */
static bool file_says(const char *path, const char *want)
{
	char buf[128] = { 0 }, line[128];
	int fd = open(path, O_RDONLY);
	long n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	snprintf(line, sizeof(line), "%s\n", want);
	return n >= 0 && strcmp(buf, line) == 0;
}

static void set_and_read(void)
{
	char name[80];
	struct utsname u;

	tap_errno(sethostname("cairn-test", 10), 0, "sethostname as root");
	tap_ok(uname(&u) == 0 && strcmp(u.nodename, "cairn-test") == 0, "uname shows it");
	tap_ok(gethostname(name, sizeof(name)) == 0 && strcmp(name, "cairn-test") == 0,
	       "gethostname shows it");
	tap_ok(file_says("/proc/sys/kernel/hostname", "cairn-test"),
	       "/proc/sys/kernel/hostname shows it");
	tap_errno(sethostname("shortened-name", 5), 0, "sethostname takes only len bytes");
	tap_ok(uname(&u) == 0 && strcmp(u.nodename, "short") == 0, "uname: %s", u.nodename);
	tap_errno(setdomainname("example.org", 11), 0, "setdomainname as root");
	tap_ok(uname(&u) == 0 && strcmp(u.domainname, "example.org") == 0, "uname shows it");
	tap_ok(file_says("/proc/sys/kernel/domainname", "example.org"),
	       "/proc/sys/kernel/domainname shows it");
	memset(name, 'h', sizeof(name));
	tap_errno(sethostname(name, 64), 0, "64 bytes fit");
	tap_ok(uname(&u) == 0 && strlen(u.nodename) == 64, "all 64 are kept");
	tap_errno(sethostname(name, 65), EINVAL, "65 bytes: EINVAL");
	tap_errno(syscall(SYS_sethostname, name, -1L), EINVAL, "a negative length: EINVAL");
	tap_errno(setdomainname(name, 65), EINVAL, "setdomainname of 65 bytes: EINVAL");
	tap_errno(syscall(SYS_sethostname, (void *)8, 4L), EFAULT, "a bad pointer: EFAULT");
	tap_errno(sethostname("", 0), 0, "an empty name");
	tap_ok(uname(&u) == 0 && u.nodename[0] == '\0', "uname shows it empty");
}

static int set_as_nobody(void *arg)
{
	(void)arg;
	if (setgid(65534) || setuid(65534))
		return 2;
	if (sethostname("x", 1) == 0 || errno != EPERM)
		return 1;
	if (setdomainname("x", 1) == 0 || errno != EPERM)
		return 1;
	return 0;
}

int main(void)
{
	struct utsname was;
	int st;

	mount_proc();
	if (uname(&was) != 0) {
		tap_line("Bail out! uname: %s", tap_errno_name(errno));
		return 1;
	}
	set_and_read();
	st = ut_in_child(set_as_nobody, NULL);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "as uid 65534: EPERM for both (%s)",
	       ut_status(st));
	tap_ok(sethostname(was.nodename, strlen(was.nodename)) == 0 &&
	               setdomainname(was.domainname, strlen(was.domainname)) == 0,
	       "the old names are put back");
	tap_plan(tap_count);
	return tap_failed ? 1 : 0;
}
