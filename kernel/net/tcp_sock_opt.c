// SPDX-License-Identifier: MIT
/*
 * Options of TCP sockets: IPPROTO_TCP's (tcp(7): TCP_NODELAY, TCP_MAXSEG,
 * TCP_KEEPIDLE/INTVL/CNT, TCP_INFO's first fields), the SOL_SOCKET ones
 * TCP acts on (SO_KEEPALIVE, SO_ERROR, SO_ACCEPTCONN) and the IP ones
 * programs set without needing them (IP_TOS, IP_TTL: accepted).
 */
#include <cairn/errno.h>

#include "net/socket.h"
#include "net/tcp_sock.h"
#include "net/udp.h"
#include "time/time.h"

#define TCP_MAX_KEEPIDLE  32767 /* Linux's bounds */
#define TCP_MAX_KEEPINTVL 32767
#define TCP_MAX_KEEPCNT   127
#define TCP_MIN_MSS       88
#define TCP_MAX_WINDOW    32767

#define TCPI_OPT_TIMESTAMPS 1
#define TCPI_OPT_SACK       2
#define TCPI_OPT_WSCALE     4

/* struct tcp_info up to tcpi_total_retrans (include/uapi/linux/tcp.h). */
struct k_tcp_info {
	uint8_t state, ca_state, retransmits, probes, backoff, options, wscale, flags;
	uint32_t rto, ato, snd_mss, rcv_mss;
	uint32_t unacked, sacked, lost, retrans, fackets;
	uint32_t last_data_sent, last_ack_sent, last_data_recv, last_ack_recv;
	uint32_t pmtu, rcv_ssthresh, rtt, rttvar, snd_ssthresh, snd_cwnd, advmss, reordering;
	uint32_t rcv_rtt, rcv_space, total_retrans;
};
_Static_assert(sizeof(struct k_tcp_info) == 104, "struct tcp_info's first 104 bytes");

static struct tcp_sk *tk_of(struct socket *s)
{
	return s->priv;
}

/* An IPPROTO_TCP option's new value (under [K]); 0 or -EINVAL. */
static int tcp_opt_set_locked(struct tcp_sk *tk, int name, int v) __must_hold(&tk->lock)
{
	struct tcp_config *c = &tk->tcb.cfg;

	switch (name) {
	case TCP_NODELAY:
		tk->nodelay = c->nodelay = v != 0;
		return 0;
	case TCP_MAXSEG:
		if (v && (v < TCP_MIN_MSS || v > TCP_MAX_WINDOW))
			return -EINVAL;
		tk->user_mss = (uint16_t)v;
		return 0;
	case TCP_KEEPIDLE:
		if (v < 1 || v > TCP_MAX_KEEPIDLE)
			return -EINVAL;
		tk->keepidle_s = c->keepidle_s = (uint32_t)v;
		return 0;
	case TCP_KEEPINTVL:
		if (v < 1 || v > TCP_MAX_KEEPINTVL)
			return -EINVAL;
		tk->keepintvl_s = c->keepintvl_s = (uint32_t)v;
		return 0;
	case TCP_KEEPCNT:
		if (v < 1 || v > TCP_MAX_KEEPCNT)
			return -EINVAL;
		tk->keepcnt = c->keepcnt = (uint32_t)v;
		return 0;
	case TCP_CORK:
	case TCP_QUICKACK:
		return 0; /* accepted: MSG_MORE is the way to hold a segment here */
	default:
		return -ENOPROTOOPT;
	}
}

int tcp_setsockopt(struct socket *s, int level, int name, const void *val, size_t len)
{
	struct tcp_sk *tk = tk_of(s);
	int v, err;

	if (level == SOL_IP)
		return name == IP_TOS || name == IP_TTL ? 0 : -ENOPROTOOPT;
	if (level == SOL_SOCKET && name != SO_KEEPALIVE)
		return -ENOPROTOOPT;
	if (level != SOL_SOCKET && level != IPPROTO_TCP)
		return -ENOPROTOOPT;
	if (len < sizeof(int))
		return -EINVAL;
	__builtin_memcpy(&v, val, sizeof(v));
	mutex_lock(&tk->lock);
	if (level == SOL_SOCKET) {
		tk->tcb.cfg.keepalive = v != 0;
		err = 0;
	} else {
		err = tcp_opt_set_locked(tk, name, v);
	}
	/* Keepalive and Nagle changes take effect now (and may send held data). */
	if (!err && tk->active && tk->tcb.state != TCP_CLOSED) {
		tcp_config_changed(&tk->tcb, clock_monotonic_ns());
		tcp_sk_after_locked(tk);
	}
	mutex_unlock(&tk->lock);
	return err;
}

static void tcp_info_fill(const struct tcp_sk *tk, struct k_tcp_info *i)
{
	const struct tcb *t = &tk->tcb;
	uint32_t mss = t->smss ? t->smss : 536;

	*i = (struct k_tcp_info){ 0 };
	i->state = (uint8_t)(tk->lsn ? TCP_LISTEN : t->state);
	if (!tk->active)
		return;
	i->options =
		(uint8_t)((t->ts_ok ? TCPI_OPT_TIMESTAMPS : 0) | (t->sack_ok ? TCPI_OPT_SACK : 0) |
	                  (t->wscale_ok ? TCPI_OPT_WSCALE : 0));
	i->wscale = (uint8_t)((t->snd_wscale & 0xf) | (t->rcv_wscale & 0xf) << 4);
	i->retransmits = (uint8_t)t->retries;
	i->rto = (uint32_t)(t->rto_ns / 1000);
	i->snd_mss = mss;
	i->rcv_mss = mss;
	i->unacked = (t->snd_nxt - t->snd_una + mss - 1) / mss;
	i->pmtu = t->cfg.mss + 40u;
	i->rtt = (uint32_t)(t->srtt_ns / 1000);
	i->rttvar = (uint32_t)(t->rttvar_ns / 1000);
	i->snd_ssthresh = t->ssthresh / mss;
	i->snd_cwnd = t->cwnd / mss;
	i->advmss = t->cfg.mss;
	i->rcv_space = t->rcv.size;
}

/* An IPPROTO_TCP option's value into @val (SOCKOPT_MAX bytes). */
static int tcp_opt_get_locked(struct tcp_sk *tk, int name, void *val, size_t *len)
	__must_hold(&tk->lock)
{
	const struct tcb *t = &tk->tcb;
	int v;

	switch (name) {
	case TCP_NODELAY:
		v = tk->nodelay;
		break;
	case TCP_MAXSEG:
		v = tk->active && t->smss ? t->smss : tk->user_mss ? tk->user_mss : 536;
		break;
	case TCP_KEEPIDLE:
		v = tk->keepidle_s ? (int)tk->keepidle_s : 7200;
		break;
	case TCP_KEEPINTVL:
		v = tk->keepintvl_s ? (int)tk->keepintvl_s : 75;
		break;
	case TCP_KEEPCNT:
		v = tk->keepcnt ? (int)tk->keepcnt : 9;
		break;
	case TCP_CORK:
	case TCP_QUICKACK:
		v = 0;
		break;
	case TCP_INFO: {
		struct k_tcp_info i;

		tcp_info_fill(tk, &i);
		__builtin_memcpy(val, &i, sizeof(i));
		*len = sizeof(i);
		return 0;
	}
	default:
		return -ENOPROTOOPT;
	}
	__builtin_memcpy(val, &v, sizeof(v));
	*len = sizeof(v);
	return 0;
}

int tcp_getsockopt(struct socket *s, int level, int name, void *val, size_t *len)
{
	struct tcp_sk *tk = tk_of(s);
	int err = -ENOPROTOOPT, v;

	mutex_lock(&tk->lock);
	if (level == IPPROTO_TCP) {
		err = tcp_opt_get_locked(tk, name, val, len);
	} else if (level == SOL_SOCKET && name == SO_ERROR && tk->tcb.error) {
		v = -tk->tcb.error;
		tk->tcb.error = 0;
		err = 0;
	} else if (level == SOL_SOCKET && name == SO_ACCEPTCONN) {
		v = tk->lsn != NULL;
		err = 0;
	}
	mutex_unlock(&tk->lock);
	if (!err && level == SOL_SOCKET) {
		__builtin_memcpy(val, &v, sizeof(v));
		*len = sizeof(v);
	}
	return err;
}
