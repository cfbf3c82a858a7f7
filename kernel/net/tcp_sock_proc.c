// SPDX-License-Identifier: MIT
/*
 * /proc/net/tcp and /proc/net/sockstat in Linux's formats (proc(5)),
 * which busybox's netstat parses: listeners from the port table,
 * connections from the connection table (TIME_WAIT and closing ones
 * whose file is gone included), addresses as the little-endian word of
 * their network-order bytes, queues in bytes.
 */
#include <lib/net/wire.h>
#include <lib/procfs/seq.h>

#include "fs/file.h"
#include "fs/vfs.h"
#include "net/inet_sock.h"
#include "net/procnet.h"
#include "net/socket.h"
#include "net/socket_internal.h"
#include "net/tcp_sock.h"

struct tcp_show {
	struct seqbuf *s;
	unsigned sl;
	unsigned listening, conns, tw, orphans;
};

static void show_addr(struct seqbuf *s, uint32_t addr, uint16_t port)
{
	uint32_t le =
		(addr >> 24) | ((addr >> 8) & 0xff00u) | ((addr << 8) & 0xff0000u) | (addr << 24);

	seq_printf(s, "%08X:%04X", le, port);
}

static uint64_t ino_of(const struct socket *so)
{
	return so && so->file && so->file->inode ? so->file->inode->ino : 0;
}

/* One line: "sl: local remote st tx:rx tr:when retrnsmt uid timeout inode". */
static void show_line(struct tcp_show *sh, uint32_t la, uint16_t lp, uint32_t ra, uint16_t rp,
                      unsigned st, size_t tx, size_t rx, uint32_t uid, uint64_t ino)
{
	if (!sh->s)
		return; /* counting only (sockstat) */
	seq_setwidth(sh->s, 149);
	seq_printf(sh->s, "%4u: ", sh->sl++);
	show_addr(sh->s, la, lp);
	seq_putc(sh->s, ' ');
	show_addr(sh->s, ra, rp);
	seq_printf(sh->s, " %02X %08X:%08X 00:00000000 00000000 %5u        0 %llu", st,
	           (unsigned)tx, (unsigned)rx, uid, (unsigned long long)ino);
	seq_pad(sh->s, '\n');
}

static void show_listener(struct inet_bind *b, void *ctx)
{
	struct tcp_show *sh = ctx;
	struct tcp_sk *tk = b->owner;

	if (!b->listening)
		return;
	sh->listening++;
	show_line(sh, b->addr, b->port, 0, 0, TCP_LISTEN, 0,
	          tk->lsn ? __atomic_load_n(&tk->lsn->nacc, __ATOMIC_RELAXED) : 0, b->uid,
	          ino_of(tk->sock));
}

/* Under the table's spinlock: the fields are read without the connection's lock, as a snapshot. */
static void show_conn(struct tcp_sk *tk, void *ctx)
{
	struct tcp_show *sh = ctx;
	const struct tcb *t = &tk->tcb;
	unsigned st = __atomic_load_n(&t->state, __ATOMIC_RELAXED);

	sh->conns++;
	sh->tw += st == TCP_TIME_WAIT;
	sh->orphans += !tk->sock && !tk->parent && st != TCP_TIME_WAIT;
	show_line(sh, t->laddr, t->lport, t->raddr, t->rport, st, tcp_send_queued(t),
	          tcp_recv_queued(t), tk->bind.uid, ino_of(tk->sock));
}

int procnet_show_tcp(struct seqbuf *s, const struct procfs_node *n)
{
	struct tcp_show sh = { .s = s };

	(void)n;
	seq_setwidth(s, 149);
	seq_puts(
		s,
		"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid "
		" timeout inode");
	seq_pad(s, '\n');
	inet_bind_foreach(SOCK_STREAM, show_listener, &sh);
	tcp_sk_foreach(show_conn, &sh);
	return 0;
}

static void count_udp(struct inet_bind *b, void *ctx)
{
	(void)b;
	(*(unsigned *)ctx)++;
}

int procnet_show_sockstat(struct seqbuf *s, const struct procfs_node *n)
{
	struct tcp_show sh = { .s = NULL };
	unsigned udp = 0;

	(void)n;
	inet_bind_foreach(SOCK_STREAM, show_listener, &sh);
	tcp_sk_foreach(show_conn, &sh);
	inet_bind_foreach(SOCK_DGRAM, count_udp, &udp);
	seq_printf(s, "sockets: used %ld\n", sock_count());
	seq_printf(s, "TCP: inuse %u orphan %u tw %u alloc %ld mem 0\n",
	           sh.listening + sh.conns - sh.tw, sh.orphans, sh.tw, tcp_sk_count());
	seq_printf(s,
	           "UDP: inuse %u mem 0\nUDPLITE: inuse 0\nRAW: inuse 0\nFRAG: inuse 0 memory 0\n",
	           udp);
	return 0;
}

static void count_estab(struct tcp_sk *tk, void *ctx)
{
	unsigned st = __atomic_load_n(&tk->tcb.state, __ATOMIC_RELAXED);

	*(unsigned *)ctx += st == TCP_ESTABLISHED || st == TCP_CLOSE_WAIT;
}

static unsigned long long ld(const uint64_t *v)
{
	return __atomic_load_n(v, __ATOMIC_RELAXED);
}

void tcp_snmp_show(struct seqbuf *s)
{
	unsigned estab = 0;

	tcp_sk_foreach(count_estab, &estab);
	seq_puts(s,
	         "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails "
	         "EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors\n");
	/* RtoAlgorithm 1: "other" (RFC 6298's), as Linux reports; times in ms; MaxConn -1: no limit. */
	seq_printf(s, "Tcp: 1 200 120000 -1 %llu %llu 0 0 %u %llu %llu 0 %llu %llu %llu\n",
	           ld(&tcp_stats.active_opens), ld(&tcp_stats.passive_opens), estab,
	           ld(&tcp_stats.in_segs), ld(&tcp_stats.out_segs), ld(&tcp_stats.in_errs),
	           ld(&tcp_stats.out_rsts), ld(&tcp_stats.in_csum_errs));
}
