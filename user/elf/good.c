// SPDX-License-Identifier: MIT
/*
 * The program tools/mkbadelf.py corrupts in several ways; run as it is, it
 * proves that execve of the file works, so the corrupt copies fail for their
 * corruption alone.
 */
#include <unistd.h>

int main(void)
{
	static const char msg[] = "# good elf ran\n";

	return write(1, msg, sizeof(msg) - 1) == sizeof(msg) - 1 ? 0 : 1;
}
