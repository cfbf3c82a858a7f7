// SPDX-License-Identifier: MIT
/*
 * kv: the client of kvd (docs/ipc.md). Each run connects (kv_boot.h),
 * makes one request through the client stubs generated from idl/kv.cidl,
 * prints the answer and exits.
 *
 *   kv put KEY VALUE        kv get KEY        kv rm KEY        kv list
 *   kv put-file KEY FILE    kv get-file KEY FILE    kv wait KEY
 *   kv raw HEX              (a request's bytes as they are, for tests)
 *
 * Exit status: 0 done, 1 refused or failed (the reason on stderr), 2 usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn.h"
#include "kv_boot.h"
#include "kv_client.h"

/* Why a call failed, for the user: the channel's errors say what happened to kvd. */
static int fail(const char *what, long err)
{
	if (err == -EPIPE)
		fprintf(stderr, "kv: %s: kvd closed the channel (EPIPE)\n", what);
	else
		fprintf(stderr, "kv: %s: %s\n", what, strerror((int)-err));
	return 1;
}

static int usage(void)
{
	fprintf(stderr, "usage: kv put KEY VALUE | get KEY | rm KEY | list | put-file KEY FILE |"
	                " get-file KEY FILE | wait KEY | raw HEX\n");
	return 2;
}

struct kv_cmd {
	const char *name;
	int nargs;
	int (*run)(int h, char **args);
};

static const struct kv_cmd kv_cmds[] = {
	{ "put", 2, kvc_put },   { "get", 1, kvc_get },           { "rm", 1, kvc_rm },
	{ "list", 0, kvc_list }, { "put-file", 2, kvc_put_file }, { "get-file", 2, kvc_get_file },
	{ "wait", 1, kvc_wait }, { "raw", 1, kvc_raw },
};

int main(int argc, char **argv)
{
	const struct kv_cmd *cmd = NULL;
	int h, status;

	if (argc < 2)
		return usage();
	for (size_t i = 0; i < sizeof(kv_cmds) / sizeof(kv_cmds[0]); i++)
		if (!strcmp(argv[1], kv_cmds[i].name))
			cmd = &kv_cmds[i];
	if (!cmd || argc != cmd->nargs + 2)
		return usage();
	h = kv_boot_connect(kv_sock_path());
	if (h < 0) {
		fprintf(stderr, "kv: cannot reach kvd at %s: %s\n", kv_sock_path(), strerror(-h));
		return 1;
	}
	status = cmd->run(h, argv + 2);
	close(h);
	return status;
}
