// SPDX-License-Identifier: MIT
/*
 * /proc/net/unix: every AF_UNIX socket, one line each in Linux's format
 * (net/unix/af_unix.c's unix_seq_show()), which busybox's netstat -x
 * parses: "Num RefCount Protocol Flags Type St Inode Path". Kernel
 * addresses are not shown (Linux's %pK with kptr_restrict gives zeros).
 */
#include <lib/procfs/seq.h>

#include "fs/file.h"
#include "net/procnet.h"
#include "net/unix_internal.h"

#define UNIX_ACCEPTCON 0x10000 /* Linux's __SO_ACCEPTCON: a listener */

/* The socket states of include/uapi/linux/net.h (socket_state). */
#define SS_UNCONNECTED   1
#define SS_CONNECTING    2
#define SS_CONNECTED     3
#define SS_DISCONNECTING 4

/* The name as Linux prints it: an abstract name starts with '@', NULs show as '@'. */
static void unix_proc_path(struct seqbuf *s, const struct unix_addr *a)
{
	size_t len = a->len - UNIX_ADDR_HDR, i = 0;

	seq_putc(s, ' ');
	if (a->sun.sun_path[0]) {
		len--; /* the NUL a path's length counts */
	} else {
		seq_putc(s, '@');
		i++;
	}
	for (; i < len; i++)
		seq_putc(s, a->sun.sun_path[i] ? a->sun.sun_path[i] : '@');
}

static void unix_proc_line(struct seqbuf *s, struct unix_sock *u)
{
	struct socket *sk = u->sock;
	bool est = u->state == UNIX_CONNECTED;
	unsigned st;
	uint64_t ino = 0;

	if (sk && !u->embryo)
		st = est ? SS_CONNECTED : SS_UNCONNECTED;
	else
		st = est ? SS_CONNECTING : SS_DISCONNECTING;
	if (sk && sk->file)
		ino = sk->file->inode->ino;
	seq_printf(s, "0000000000000000: %08X %08X %08X %04X %02X %5lu",
	           (unsigned)__atomic_load_n(&u->refs, __ATOMIC_RELAXED), 0u,
	           u->state == UNIX_LISTENING ? UNIX_ACCEPTCON : 0u, (unsigned)u->type, st,
	           (unsigned long)ino);
	if (u->addr)
		unix_proc_path(s, u->addr);
	seq_putc(s, '\n');
}

int procnet_show_unix(struct seqbuf *s, const struct procfs_node *n)
{
	struct unix_sock *u;

	(void)n;
	seq_puts(s, "Num       RefCount Protocol Flags    Type St Inode Path\n");
	/* Under the list's lock, which release takes before the layer frees a socket. */
	mutex_lock(&unix_all_lock);
	list_for_each_entry(u, &unix_all, all)
		unix_proc_line(s, u);
	mutex_unlock(&unix_all_lock);
	return 0;
}
