// SPDX-License-Identifier: MIT
/*
 * kvd: the key-value server of docs/ipc.md. It listens on an AF_UNIX
 * socket (kv_boot.h) only to hand each client a channel end; then it
 * polls the socket and every channel at once with poll(2), which works on
 * handles because handles are file descriptors. A channel with a request
 * gets one cairn_channel_call() per request with CAIRN_CALL_REPLY_WAIT:
 * the reply goes out and the next queued request comes back in the same
 * call, with a deadline of 0 so an idle channel returns to poll at once.
 *
 *   kvd [-f] [-v]    -f: stay in the foreground; -v: log clients to stderr
 *   kvd -- CMD ...   no socket: CMD gets a channel on descriptor 3 (kvd_spawn)
 */
#include "kvd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kv_boot.h"

#define KVD_PIDFILE "/run/kvd.pid"

static volatile sig_atomic_t kvd_stop;

static void on_term(int sig)
{
	(void)sig;
	kvd_stop = 1;
}

static struct kvd kvd;

void kvd_msg_close_handles(struct kvd_msg *m)
{
	for (uint32_t i = 0; i < m->nhandles; i++)
		close(m->handles[i].handle);
	m->nhandles = 0;
}

/* Drop client @i: its channel closes and its waiters are forgotten. */
static void kvd_drop(struct kvd *d, int i, const char *why)
{
	if (d->verbose)
		fprintf(stderr, "kvd: client %d: %s: channel closed\n", i, why);
	close(d->clients[i]);
	d->clients[i] = -1;
	for (int w = 0; w < KVD_MAX_WAITERS; w++)
		if (d->waiters[w].client == i)
			d->waiters[w].client = -1;
}

static void kvd_accept(struct kvd *d)
{
	int h = kv_boot_accept(d->lfd);

	if (h < 0) {
		if (d->verbose)
			fprintf(stderr, "kvd: accept: %s\n", strerror(-h));
		return;
	}
	for (int i = 0; i < KVD_MAX_CLIENTS; i++) {
		if (d->clients[i] < 0) {
			d->clients[i] = h;
			if (d->verbose)
				fprintf(stderr, "kvd: client %d connected\n", i);
			return;
		}
	}
	/* Full: the client sees its channel's peer closed on its first call. */
	close(h);
}

/* Point @m at @buf's storage: the bytes and handles it may hold or holds. */
static void kvd_msg_desc(struct cairn_msg *m, struct kvd_msg *buf, bool fill)
{
	memset(m, 0, sizeof(*m));
	m->bytes = (uint64_t)(uintptr_t)buf->bytes;
	m->handles = (uint64_t)(uintptr_t)buf->handles;
	m->nbytes = fill ? buf->nbytes : sizeof(buf->bytes);
	m->nhandles = fill ? buf->nhandles : CAIRN_MSG_MAX_HANDLES;
	m->txid = fill ? buf->txid : 0;
}

/* Take in a message @m described: its sizes and txid into d->in. */
static void kvd_took(struct kvd *d, const struct cairn_msg *m)
{
	d->in.nbytes = m->nbytes;
	d->in.nhandles = m->nhandles;
	d->in.txid = m->txid;
}

/*
 * Send d->out (KVD_REPLY) or nothing (KVD_DEFER) on client @i's channel
 * and read its next request into d->in, looking once. Returns 0 (a
 * request is in d->in), -ETIMEDOUT (none queued) or another -errno. With
 * the deadline 0 a reply to a client whose queue is full (one that sends
 * without reading its replies) is -ETIMEDOUT too, and dropped: kvd never
 * waits for one client.
 */
static int kvd_reply_wait(struct kvd *d, int i, enum kvd_verdict v)
{
	struct cairn_call c;
	long err;

	memset(&c, 0, sizeof(c));
	if (v == KVD_REPLY)
		kvd_msg_desc(&c.wr, &d->out, true);
	kvd_msg_desc(&c.rd, &d->in, false);
	c.flags = CAIRN_CALL_REPLY_WAIT;
	err = cairn_channel_call(d->clients[i], &c, 0);
	if (err)
		return err == -EAGAIN ? -ETIMEDOUT : (int)err;
	kvd_took(d, &c.rd);
	return 0;
}

/* Send @m on client @i's channel, without waiting. */
static int kvd_send(struct kvd *d, int i, struct kvd_msg *m)
{
	struct cairn_msg cm;

	kvd_msg_desc(&cm, m, true);
	return (int)cairn_channel_write(d->clients[i], &cm, 0);
}

int kvd_send_deferred(struct kvd *d, const struct kvd_waiter *w)
{
	return kvd_send(d, w->client, &d->late);
}

/* Serve client @i's queued requests until none is left or it goes. */
static void kvd_serve(struct kvd *d, int i)
{
	struct cairn_msg m;
	long err;

	kvd_msg_desc(&m, &d->in, false);
	err = cairn_channel_read(d->clients[i], &m, 0);
	if (err == -EAGAIN)
		return;
	if (err) {
		kvd_drop(d, i, err == -EPIPE ? "hung up" : strerror((int)-err));
		return;
	}
	kvd_took(d, &m);
	for (;;) {
		enum kvd_verdict v = kvd_proto_handle(d, i);

		if (v == KVD_BAD) {
			/* Say why (an error reply), then hang up. */
			if (d->out.nbytes)
				(void)kvd_send(d, i, &d->out);
			kvd_drop(d, i, "malformed request");
			return;
		}
		err = kvd_reply_wait(d, i, v);
		if (err == -ETIMEDOUT)
			return;
		if (err) {
			kvd_drop(d, i, err == -EPIPE ? "hung up" : strerror((int)-err));
			return;
		}
	}
}

/* One round: poll the socket and every channel, serve what is ready. */
static int kvd_round(struct kvd *d)
{
	struct pollfd p[KVD_MAX_CLIENTS + 1];
	int who[KVD_MAX_CLIENTS + 1], n = 1;

	p[0] = (struct pollfd){ .fd = d->lfd, .events = POLLIN };
	for (int i = 0; i < KVD_MAX_CLIENTS; i++) {
		if (d->clients[i] < 0)
			continue;
		p[n] = (struct pollfd){ .fd = d->clients[i], .events = POLLIN };
		who[n++] = i;
	}
	/* SIGTERM is blocked except inside ppoll, so it cannot slip in before the wait. */
	if (ppoll(p, n, NULL, &d->waitmask) < 0)
		return errno == EINTR ? 0 : -errno;
	for (int k = 1; k < n; k++) {
		if (p[k].revents & POLLIN)
			kvd_serve(d, who[k]);
		else if (p[k].revents & (POLLHUP | POLLERR | POLLNVAL))
			kvd_drop(d, who[k], "hung up");
	}
	if (p[0].revents & POLLIN)
		kvd_accept(d);
	return 0;
}

/*
 * Go to the background once the socket listens, so that when `kvd`
 * returns to the shell a client can connect at once. The parent writes
 * the pid file before it exits, for the same reason.
 */
static int kvd_daemonize(void)
{
	pid_t pid = fork();
	FILE *f;

	if (pid < 0)
		return -errno;
	if (pid > 0) {
		f = fopen(KVD_PIDFILE, "w");
		if (f) {
			fprintf(f, "%d\n", (int)pid);
			fclose(f);
		}
		_exit(0);
	}
	setsid();
	int null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		if (null > 2)
			close(null);
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: kvd [-f] [-v] [-- CMD ARG...]   (socket: $KV_SOCK or %s)\n",
	        KV_SOCK_DEFAULT);
	return 2;
}

/*
 * kvd -- CMD: no socket; CMD runs with one channel end on descriptor 3
 * (READ, WRITE, WAIT; $KV_FD says which descriptor) and is kvd's only
 * client, with everything it starts that inherits the descriptor. kvd
 * ends when the last copy of that end closes. Returns CMD's pid or -errno.
 */
static int kvd_spawn(struct kvd *d, char **argv)
{
	int32_t ch[2] = { -1, -1 };
	long client, err = cairn_channel_create(ch, CAIRN_HANDLE_CLOEXEC);
	pid_t pid;

	if (err)
		return (int)err;
	client = cairn_handle_dup(ch[1], CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE | CAIRN_RIGHT_WAIT,
	                          CAIRN_HANDLE_CLOEXEC);
	close(ch[1]);
	pid = client < 0 ? -1 : fork();
	if (pid == 0) {
		/* dup2 clears close-on-exec: the one handle CMD is given. */
		if (dup2((int)client, KV_FD_DEFAULT) < 0)
			_exit(127);
		setenv("KV_FD", "3", 1);
		execvp(argv[0], argv);
		fprintf(stderr, "kvd: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	err = client < 0 ? client : pid < 0 ? -errno : 0;
	if (client >= 0)
		close((int)client);
	if (err) {
		close(ch[0]);
		return (int)err;
	}
	d->clients[0] = ch[0];
	return pid;
}

/* Whether any client is connected. */
static bool kvd_busy(const struct kvd *d)
{
	for (int i = 0; i < KVD_MAX_CLIENTS; i++)
		if (d->clients[i] >= 0)
			return true;
	return false;
}

/*
 * SIGTERM and SIGINT end the loop: caught, and blocked except inside
 * ppoll (d->waitmask); SIGPIPE ignored (a write to a gone client is -EPIPE).
 */
static void kvd_signals(struct kvd *d)
{
	struct sigaction sa = { .sa_handler = on_term };
	sigset_t stop;

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigprocmask(SIG_BLOCK, &stop, &d->waitmask);
	signal(SIGPIPE, SIG_IGN);
}

/* Empty tables and the listening socket on @path (NULL: none): 0 or -errno (said). */
static int kvd_init(struct kvd *d, const char *path)
{
	for (int i = 0; i < KVD_MAX_CLIENTS; i++)
		d->clients[i] = -1;
	for (int w = 0; w < KVD_MAX_WAITERS; w++)
		d->waiters[w].client = -1;
	d->lfd = -1;
	kvd_signals(d);
	if (!path)
		return 0;
	d->lfd = kv_boot_listen(path);
	if (d->lfd < 0) {
		fprintf(stderr, "kvd: %s: %s\n", path, strerror(-d->lfd));
		return d->lfd;
	}
	printf("kvd: listening on %s\n", path);
	fflush(stdout);
	return 0;
}

/* kvd -- CMD: serve CMD until the channel closes; CMD's exit status. */
static int kvd_run_cmd(struct kvd *d, char **argv)
{
	int st = 0, err = 0;
	pid_t pid;

	if (kvd_init(d, NULL))
		return 1;
	pid = kvd_spawn(d, argv);
	if (pid < 0) {
		fprintf(stderr, "kvd: %s: %s\n", argv[0], strerror(-pid));
		return 1;
	}
	while (!kvd_stop && !err && kvd_busy(d))
		err = kvd_round(d);
	if (err)
		fprintf(stderr, "kvd: poll: %s\n", strerror(-err));
	if (waitpid(pid, &st, 0) < 0)
		return 1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(int argc, char **argv)
{
	struct kvd *d = &kvd;
	bool foreground = false;
	const char *path = kv_sock_path();
	int opt, err = 0;

	while ((opt = getopt(argc, argv, "+fv")) != -1) {
		if (opt == 'f')
			foreground = true;
		else if (opt == 'v')
			d->verbose = true;
		else
			return usage();
	}
	if (!cairn_present()) {
		fprintf(stderr, "kvd: this kernel has no Cairn channels\n");
		return 1;
	}
	if (optind < argc)
		return kvd_run_cmd(d, argv + optind);
	if (kvd_init(d, path))
		return 1;
	if (!foreground && (err = kvd_daemonize()) < 0) {
		fprintf(stderr, "kvd: fork: %s\n", strerror(-err));
		return 1;
	}
	while (!kvd_stop && !err)
		err = kvd_round(d);
	if (err)
		fprintf(stderr, "kvd: poll: %s\n", strerror(-err));
	unlink(path);
	if (!foreground)
		unlink(KVD_PIDFILE);
	return err ? 1 : 0;
}
