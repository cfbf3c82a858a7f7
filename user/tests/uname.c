// SPDX-License-Identifier: MIT
/*
 * uname: the machine must be x86_64 and every field a proper string. The
 * whole answer is printed on a masked line, from which the runner builds the
 * line `busybox uname -a` must print on the same kernel.
 */
#include <sys/utsname.h>

#include "utest.h"

static bool terminated(const char *s, size_t size)
{
	return memchr(s, 0, size) != NULL;
}

int main(void)
{
	struct utsname u;
	int r;

	memset(&u, 0xff, sizeof(u));
	tap_plan(4);
	r = uname(&u);
	tap_errno(r, 0, "uname");
	tap_ok(terminated(u.sysname, sizeof(u.sysname)) &&
	               terminated(u.nodename, sizeof(u.nodename)) &&
	               terminated(u.release, sizeof(u.release)) &&
	               terminated(u.version, sizeof(u.version)) &&
	               terminated(u.machine, sizeof(u.machine)) && u.sysname[0] && u.release[0],
	       "every field is a terminated string");
	tap_ok(strcmp(u.machine, "x86_64") == 0, "machine %s", u.machine);
	tap_masked("uname sysname=%s\tnodename=%s\trelease=%s\tversion=%s\tmachine=%s", u.sysname,
	           u.nodename, u.release, u.version, u.machine);
	tap_errno(syscall(SYS_uname, (void *)8), EFAULT, "uname to a bad pointer");
	return tap_done(4);
}
