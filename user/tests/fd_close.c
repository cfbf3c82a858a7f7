// SPDX-License-Identifier: MIT
/*
 * Descriptors belong to their process: a child that closes 0, 1 and 2, or
 * makes 1 a copy of 2, changes nothing for its parent. Run after every other
 * program (tools/usertest.py), since a kernel that gets this wrong loses the
 * console for all that follow.
 */
#include "utest.h"

static int close_all(void *arg)
{
	close(0);
	close(1);
	close(2);
	return write(1, "x", 1) == -1 && errno == EBADF ? 0 : 1;
}

static int dup_over(void *arg)
{
	return dup2(2, 1) == 1 ? 0 : 1;
}

int main(void)
{
	int r;

	tap_plan(4);
	r = ut_in_child(dup_over, NULL);
	tap_ok(WIFEXITED(r) && WEXITSTATUS(r) == 0, "a child makes 1 a copy of 2: %s",
	       ut_status(r));
	r = ut_in_child(close_all, NULL);
	tap_ok(WIFEXITED(r) && WEXITSTATUS(r) == 0, "a child closes 0, 1 and 2: %s", ut_status(r));
	tap_ok(write(1, "# still here\n", 13) == 13, "the parent's descriptor 1 stays open");
	tap_ok(isatty(0) && isatty(2), "and so do 0 and 2");
	return tap_done(4);
}
