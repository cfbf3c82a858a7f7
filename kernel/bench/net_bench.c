// SPDX-License-Identifier: MIT
/*
 * Figures of the IP layer alone (no sockets, no TCP), from inside the
 * kernel: datagrams sent with ip4_output() to 127.0.0.1 and taken by a
 * protocol hook in the net task, as a stream (datagrams a second and
 * MB/s at 1400 and 16000 bytes) and one at a time (the round trip through
 * the loopback queue and the net task's wake-up).
 */
#include <cairn/errno.h>

#include "core/kbench.h"
#include "net/inet.h"
#include "net/pkt.h"
#include "sched/wait.h"
#include "time/time.h"

#define BENCH_PROTO 253u /* RFC 3692: for experiments */

static uint64_t got; /* [a] datagrams the hook took */
static struct waitq got_wq = WAITQ_INIT(got_wq, "bench.net");

static void bench_hook(struct pkt *p, const struct ip4_view *ip)
{
	(void)ip;
	pkt_free(p);
	__atomic_add_fetch(&got, 1, __ATOMIC_RELEASE);
	if (waitq_active(&got_wq))
		waitq_wake_all(&got_wq);
}

static bool bench_got_one(void *ctx)
{
	return __atomic_load_n(&got, __ATOMIC_ACQUIRE) >= *(uint64_t *)ctx;
}

static int send_one(size_t len)
{
	struct pkt *p = pkt_alloc(PKT_HEADROOM, len);

	if (!p)
		return -ENOBUFS;
	pkt_put(p, len);
	return ip4_output(p, 0, 0x7f000001u, BENCH_PROTO, 0, 0, false);
}

/* Send @n datagrams of @len bytes as fast as they go; report the rate. */
static void stream(size_t len, unsigned n, const char *what)
{
	uint64_t start = __atomic_load_n(&got, __ATOMIC_ACQUIRE), t0 = clock_monotonic_ns(), dt;
	unsigned sent = 0;

	for (unsigned i = 0; i < n; i++)
		sent += send_one(len) == 0;
	net_sync();
	dt = clock_monotonic_ns() - t0;
	if (!dt)
		return;
	kbench_report(what, (__atomic_load_n(&got, __ATOMIC_ACQUIRE) - start) * NSEC_PER_SEC / dt,
	              "datagrams/s");
	(void)sent;
}

BENCH(net_lo_ip)
{
	uint64_t t0, want;
	unsigned rounds = 2000;

	inet_register(BENCH_PROTO, bench_hook, NULL);
	stream(1400, 20000, "net_lo_ip_1400");
	stream(16000, 5000, "net_lo_ip_16000");
	t0 = clock_monotonic_ns();
	for (unsigned i = 0; i < rounds; i++) {
		want = __atomic_load_n(&got, __ATOMIC_ACQUIRE) + 1;
		if (send_one(64) || waitq_wait(&got_wq, bench_got_one, &want, 0, TIME_NEVER))
			break;
	}
	kbench_report("net_lo_ip_one_way_64", (clock_monotonic_ns() - t0) / rounds, "ns");
	inet_register(BENCH_PROTO, NULL, NULL);
}
