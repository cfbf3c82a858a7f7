// SPDX-License-Identifier: MIT
/*
 * Handle rights and signal masks (rights.h): the checks every call that
 * makes, moves or uses a handle applies, kept in one place so the host
 * tests can try every combination.
 */
#include "lib/ipc/rights.h"

#include <cairn/errno.h>

int ipc_rights_reduce(uint32_t have, uint32_t asked, uint32_t *out)
{
	have &= CAIRN_RIGHTS_ALL; /* a handle never holds more; be safe against a caller's bits */
	if (asked == CAIRN_RIGHT_SAME_RIGHTS) {
		*out = have;
		return 0;
	}
	if (asked & ~CAIRN_RIGHTS_ALL)
		return -EINVAL;
	if (asked & ~have)
		return -EACCES;
	*out = asked;
	return 0;
}

bool ipc_rights_allow(uint32_t have, uint32_t need)
{
	return (have & need) == need;
}

bool ipc_signals_known(uint32_t sigs)
{
	return !(sigs & ~(uint32_t)IPC_SIGS_ALL);
}
