// SPDX-License-Identifier: MIT
/*
 * Cairn's handles (include/cairn/ipc.h, docs/abi.md): the ABI version,
 * handle_info of process and thread handles, cairn_handle_dup's rights
 * rules (fewer work, more are EACCES and never gained, no DUPLICATE is
 * EACCES), a handle without WAIT that cannot be polled or waited on,
 * cairn_wait_many's errors, timeouts and ready counts, a process handle
 * passed over SCM_RIGHTS that turns TERMINATED when cairn_task_kill ends
 * the child, a thread killed alone, handle exhaustion under a lowered
 * RLIMIT_NOFILE, and the kernel's object counts back at their baseline.
 * Linux answers every Cairn call ENOSYS: there each point is a SKIP with
 * the same text.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "cairn.h"
#include "unixsock.h"
#include "utest.h"

#define TASK_RIGHTS                                                                              \
	(CAIRN_RIGHT_DUPLICATE | CAIRN_RIGHT_TRANSFER | CAIRN_RIGHT_WAIT | CAIRN_RIGHT_INSPECT | \
	 CAIRN_RIGHT_MANAGE)
#define MS 1000000ll

static bool on_cairn;

/* A point that only means something on Cairn: the same text on both kernels. */
__attribute__((format(printf, 2, 3))) static void cok(bool ok, const char *fmt, ...)
{
	char desc[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	if (on_cairn)
		tap_ok(ok, "%s", desc);
	else
		tap_ok(true, "%s # SKIP not Cairn", desc);
}

/* A Cairn call that must fail with -@want (0: succeed, any value >= 0). */
static void cerr(long got, int want, const char *what)
{
	bool ok = want ? got == -want : got >= 0;

	if (on_cairn && !ok)
		tap_ok(false, "%s: %s (got %ld)", what, tap_errno_name(want), got);
	else
		cok(ok, "%s: %s", what, tap_errno_name(want));
}

static struct cairn_objcount counts(void)
{
	struct cairn_objcount c;

	memset(&c, 0, sizeof(c));
	(void)cairn_object_count(&c);
	return c;
}

static struct cairn_handle_info info(int h)
{
	struct cairn_handle_info i;

	memset(&i, 0xff, sizeof(i));
	if (cairn_handle_info(h, &i) != 0)
		memset(&i, 0, sizeof(i));
	return i;
}

static void abi(void)
{
	struct cairn_objcount c;

	cok(cairn_abi_version() == CAIRN_ABI_VERSION, "cairn_abi_version is %d.%d",
	    CAIRN_ABI_VERSION_MAJOR, CAIRN_ABI_VERSION_MINOR);
	cerr(CAIRN_SC(CAIRN_SYS_OBJECT_COUNT, &c, CAIRN_OBJCOUNT_SIZE_V1 - 8, 0, 0), EINVAL,
	     "object_count with a size below version 1");
	c = counts();
	cok(c.version == CAIRN_OBJCOUNT_VERSION && c.size == sizeof(c), "object_count fills v1");
}

static void self_handles(void)
{
	int p = (int)cairn_process_self(0), p2 = (int)cairn_process_self(CAIRN_HANDLE_CLOEXEC);
	int t = (int)cairn_thread_self(0);
	struct cairn_handle_info ip = info(p), it = info(t);
	char path[64], link[64];
	ssize_t n;

	cok(p >= 0 && t >= 0 && p2 >= 0, "process_self and thread_self give handles");
	cok(ip.type == CAIRN_OBJ_PROCESS && ip.rights == TASK_RIGHTS && ip.signals == 0,
	    "a process handle: type, default rights, not terminated");
	cok(it.type == CAIRN_OBJ_THREAD && it.rights == TASK_RIGHTS, "a thread handle");
	cok(ip.koid != 0 && ip.koid == info(p2).koid && ip.koid != it.koid,
	    "koids: one object per process, another for the thread");
	cok(fcntl(p2, F_GETFD) == FD_CLOEXEC && fcntl(p, F_GETFD) == 0, "CAIRN_HANDLE_CLOEXEC");
	/* The test initramfs does not mount /proc; an image that did keeps its mount. */
	if (access("/proc/self", F_OK) != 0 && (mkdir("/proc", 0555) == 0 || errno == EEXIST))
		mount("proc", "/proc", "proc", 0, NULL);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p);
	n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	cok(strcmp(link, "cairn:[process]") == 0, "/proc/self/fd names it cairn:[process]");
	cerr(cairn_process_self(2), EINVAL, "process_self with an unknown flag");
	cerr(read(p, &ip, 1) < 0 ? -errno : 0, EINVAL, "read(2) of a handle");
	cerr(write(p, &ip, 1) < 0 ? -errno : 0, EINVAL, "write(2) to a handle");
	close(p);
	close(p2);
	close(t);
	p = (int)cairn_process_self(0);
	cok(info(p).koid == ip.koid, "a later handle, after all were closed: the same koid");
	close(p);
}

static void dup_rules(void)
{
	int h = (int)cairn_process_self(0), less, none, same;
	uint32_t few = CAIRN_RIGHT_WAIT | CAIRN_RIGHT_INSPECT;

	less = (int)cairn_handle_dup(h, few, 0);
	cok(less >= 0 && info(less).rights == few, "dup with fewer rights has exactly them");
	cerr(cairn_handle_dup(less, CAIRN_RIGHT_WAIT, 0), EACCES, "dup without DUPLICATE");
	none = (int)cairn_handle_dup(h, few | CAIRN_RIGHT_DUPLICATE, 0);
	cerr(cairn_handle_dup(none, few | CAIRN_RIGHT_DUPLICATE | CAIRN_RIGHT_MANAGE, 0), EACCES,
	     "dup asking for a right it lacks");
	same = (int)cairn_handle_dup(none, CAIRN_RIGHT_SAME_RIGHTS, 0);
	cerr(same, 0, "dup with SAME_RIGHTS");
	cok(info(none).rights == (few | CAIRN_RIGHT_DUPLICATE) &&
	            info(same).rights == info(none).rights,
	    "no right was gained on the way");
	cerr(cairn_handle_dup(h, 1u << 12, 0), EINVAL, "dup with an unknown right");
	cerr(cairn_handle_dup(h, CAIRN_RIGHT_SAME_RIGHTS | CAIRN_RIGHT_READ, 0), EINVAL,
	     "dup with SAME_RIGHTS and another bit");
	cerr(cairn_handle_dup(h, few, 4), EINVAL, "dup with an unknown flag");
	cerr(cairn_handle_dup(9999, few, 0), EBADF, "dup of a closed descriptor");
	close(h);
	close(less);
	close(none);
	close(same);
}

static void no_wait_right(void)
{
	int h = (int)cairn_process_self(0);
	int nw = (int)cairn_handle_dup(h, CAIRN_RIGHT_INSPECT, 0);
	struct pollfd pf = { .fd = nw, .events = POLLIN };
	struct cairn_wait_item it = { .handle = nw, .want = CAIRN_SIG_TERMINATED };
	struct epoll_event ev = { .events = EPOLLIN };
	int ep = epoll_create1(0);

	cok(poll(&pf, 1, 0) == 1 && pf.revents == POLLNVAL, "poll of a handle without WAIT");
	cerr(epoll_ctl(ep, EPOLL_CTL_ADD, nw, &ev) < 0 ? -errno : 0, EPERM,
	     "epoll_ctl of a handle without WAIT");
	cerr(cairn_wait_many(&it, 1, 0), EACCES, "wait_many on a handle without WAIT");
	it.handle = h;
	cerr(cairn_wait_many(&it, 1, 0), ETIMEDOUT, "wait_many, nothing ready, deadline 0");
	pf.fd = h;
	cok(poll(&pf, 1, 0) == 0, "poll of a live process's handle: nothing");
	cerr(epoll_ctl(ep, EPOLL_CTL_ADD, h, &ev) < 0 ? -errno : 0, 0, "epoll_ctl with WAIT");
	close(ep);
	close(nw);
	close(h);
}

static void wait_errors(void)
{
	struct cairn_wait_item it[CAIRN_WAIT_MAX_ITEMS + 1];
	int h = (int)cairn_process_self(0), pfd[2];
	int64_t t0;

	memset(it, 0, sizeof(it));
	for (unsigned i = 0; i <= CAIRN_WAIT_MAX_ITEMS; i++)
		it[i] = (struct cairn_wait_item){ .handle = h, .want = CAIRN_SIG_TERMINATED };
	cerr(cairn_wait_many(it, 0, 0), EINVAL, "wait_many of 0 items");
	cerr(cairn_wait_many(it, CAIRN_WAIT_MAX_ITEMS + 1, 0), EINVAL, "wait_many of 65 items");
	cerr(cairn_wait_many(it, CAIRN_WAIT_MAX_ITEMS, 0), ETIMEDOUT, "wait_many of 64 items");
	it[1].reserved = 1;
	cerr(cairn_wait_many(it, 2, 0), EINVAL, "an item's reserved field not 0");
	it[1].reserved = 0;
	it[1].want = 1u << 9;
	cerr(cairn_wait_many(it, 2, 0), EINVAL, "an unknown signal bit");
	it[1].want = CAIRN_SIG_TERMINATED;
	it[1].handle = 9999;
	cerr(cairn_wait_many(it, 2, 0), EBADF, "an item that is no descriptor");
	if (pipe(pfd) == 0) {
		it[1].handle = pfd[0];
		cerr(cairn_wait_many(it, 2, 0), EBADFD, "an item that is a pipe");
		close(pfd[0]);
		close(pfd[1]);
	}
	cerr(cairn_wait_many((void *)8, 1, 0), EFAULT, "items at a bad address");
	it[1].handle = h;
	t0 = cairn_now_ns();
	cerr(cairn_wait_many(it, 2, t0 + 30 * MS), ETIMEDOUT, "wait_many until a deadline");
	cok(!on_cairn || cairn_now_ns() - t0 >= 30 * MS, "it waited until the deadline");
	close(h);
}

/* The child: send its own process handle to the parent, then sleep until killed. */
static int child_sends_self(int sock)
{
	int h = (int)cairn_process_self(0);

	/* On Linux there is nothing to send: the parent kills the child with kill(2). */
	if (h >= 0 && ux_send_fds(sock, &h, 1, 'h') != 1)
		return 1;
	close(h);
	for (;;)
		pause();
}

static void kill_child(void)
{
	int sv[2], n = 0, fl, h = -1, weak, st;
	struct cairn_wait_item it[2];
	struct pollfd pf;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return;
	pid = fork();
	if (pid == 0)
		_exit(child_sends_self(sv[1]));
	if (on_cairn && ux_recv_fds(sv[0], &h, 1, &n, 0, 0, &fl) != 1)
		n = 0;
	cok(n == 1 && info(h).type == CAIRN_OBJ_PROCESS,
	    "a child's process handle over SCM_RIGHTS");
	it[0] = (struct cairn_wait_item){ .handle = h, .want = CAIRN_SIG_TERMINATED };
	cerr(cairn_wait_many(it, 1, cairn_now_ns() + 10 * MS), ETIMEDOUT, "the child lives");
	weak = (int)cairn_handle_dup(h, CAIRN_RIGHT_WAIT | CAIRN_RIGHT_INSPECT, 0);
	cerr(cairn_task_kill(weak), EACCES, "task_kill without MANAGE");
	cerr(cairn_task_kill(sv[0]), EBADFD, "task_kill of a socket");
	cerr(cairn_task_kill(h), 0, "task_kill of the child");
	it[1] = (struct cairn_wait_item){ .handle = weak, .want = CAIRN_SIG_TERMINATED };
	cerr(cairn_wait_many(it, 2, CAIRN_DEADLINE_NEVER) == 2 ? 0 : -1, 0,
	     "both handles see TERMINATED");
	cok(it[0].got == CAIRN_SIG_TERMINATED && it[1].got == CAIRN_SIG_TERMINATED,
	    "each item's got says TERMINATED");
	pf = (struct pollfd){ .fd = h, .events = POLLIN };
	cok(poll(&pf, 1, 0) == 1 && pf.revents == POLLIN, "poll of it: POLLIN");
	if (!on_cairn)
		kill(pid, SIGKILL);
	st = ut_wait(pid);
	tap_ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "the child died of SIGKILL");
	cerr(cairn_task_kill(h), 0, "task_kill of a dead process");
	close(weak);
	close(h);
	close(sv[0]);
	close(sv[1]);
}

static int thread_handle = -1;
static int thread_tid = -1;

static void *sleeper(void *arg)
{
	__atomic_store_n(&thread_tid, (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
	__atomic_store_n(&thread_handle, (int)cairn_thread_self(0), __ATOMIC_RELEASE);
	for (;;)
		pause();
	return arg;
}

/*
 * A thread killed alone never runs libc's exit path, so pthread_join
 * would wait for ever on musl (docs/abi.md): the test looks at the
 * kernel's side instead, the thread gone and the process going on.
 */
static void kill_thread(void)
{
	static const char *const what[] = {
		"a thread's handle",
		"task_kill of one thread",
		"its handle sees TERMINATED",
		"the thread is gone, the process goes on",
	};
	struct cairn_wait_item it;
	pthread_t th;
	long r;

	if (!on_cairn) {
		cok(true, "%s", what[0]);
		cerr(0, 0, what[1]);
		cerr(0, 0, what[2]);
		cok(true, "%s", what[3]);
		return;
	}
	if (pthread_create(&th, NULL, sleeper, NULL) != 0)
		return;
	for (int i = 0; i < 400 && __atomic_load_n(&thread_handle, __ATOMIC_ACQUIRE) < 0; i++)
		ut_sleep_ms(5);
	cok(thread_handle >= 0 && info(thread_handle).type == CAIRN_OBJ_THREAD, "%s", what[0]);
	cerr(cairn_task_kill(thread_handle), 0, what[1]);
	it = (struct cairn_wait_item){ .handle = thread_handle, .want = CAIRN_SIG_TERMINATED };
	cerr(cairn_wait_many(&it, 1, cairn_now_ns() + 5000 * MS), 0, what[2]);
	r = syscall(SYS_tgkill, getpid(), thread_tid, 0);
	cok(r == -1 && errno == ESRCH && info(thread_handle).signals == CAIRN_SIG_TERMINATED, "%s",
	    what[3]);
	close(thread_handle);
}

/*
 * pidfd_open(2), compared with Linux: close-on-exec, not readable while
 * the child lives, POLLIN once it exited (before and after the reap), and
 * its errors. On Cairn the pidfd is a process handle without MANAGE.
 */
static void pidfd(void)
{
	int go[2], fd, st;
	struct pollfd pf;
	pid_t pid;
	char c = 0;

	if (pipe(go))
		return;
	pid = fork();
	if (pid == 0) {
		_exit(read(go[0], &c, 1) == 1 ? 0 : 1);
	}
	fd = (int)syscall(434 /* pidfd_open */, pid, 0);
	tap_ok(fd >= 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC, "pidfd_open of a child: close-on-exec");
	pf = (struct pollfd){ .fd = fd, .events = POLLIN };
	tap_ok(poll(&pf, 1, 0) == 0, "its pidfd is not readable while it lives");
	cok(info(fd).type == CAIRN_OBJ_PROCESS && !(info(fd).rights & CAIRN_RIGHT_MANAGE),
	    "the pidfd is a process handle without MANAGE");
	cerr(cairn_task_kill(fd), EACCES, "task_kill through a pidfd");
	tap_ok(write(go[1], &c, 1) == 1, "the child is let go");
	tap_ok(poll(&pf, 1, 5000) == 1 && pf.revents == POLLIN, "POLLIN once the child exited");
	st = ut_wait(pid);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child exited 0");
	tap_ok(poll(&pf, 1, 0) == 1 && (pf.revents & POLLIN), "still POLLIN after the reap");
	tap_errno(syscall(434, 0, 0), EINVAL, "pidfd_open of pid 0");
	tap_errno(syscall(434, getpid(), 1), EINVAL, "pidfd_open with an unknown flag");
	tap_errno(syscall(434, pid, 0), ESRCH, "pidfd_open of a reaped child");
	close(fd);
	close(go[0]);
	close(go[1]);
}

/* Write @nh handles of @x and one byte on @h. */
static long send_handles(int h, struct cairn_handle_xfer *x, uint32_t nh)
{
	struct cairn_msg m = { .bytes = (uintptr_t) "h", .handles = (uintptr_t)x, .nbytes = 1 };

	m.nhandles = nh;
	return cairn_channel_write(h, &m, 0);
}

/*
 * Channel and memory-object handles: their info, a handle without WRITE
 * that cannot send, a reduced handle that gains nothing by travelling,
 * and wait_many across a channel and a process.
 */
static void other_types(void)
{
	uint32_t few = CAIRN_RIGHT_READ | CAIRN_RIGHT_WAIT | CAIRN_RIGHT_TRANSFER;
	int32_t h[2] = { -1, -1 };
	int v = (int)cairn_vmo_create(4096, 0), ro, p = (int)cairn_process_self(0);
	struct cairn_handle_xfer x[2];
	struct cairn_wait_item it[2];
	struct cairn_msg m;
	char b[4];

	cerr(cairn_channel_create(h, 0), 0, "a channel");
	cok(info(h[0]).type == CAIRN_OBJ_CHANNEL && info(h[0]).signals == CAIRN_SIG_WRITABLE &&
	            info(h[0]).koid != info(h[1]).koid,
	    "two ends, two objects, both writable");
	cok(info(v).type == CAIRN_OBJ_VMO && (info(v).rights & CAIRN_RIGHT_MAP), "a memory object");
	ro = (int)cairn_handle_dup(h[0], few, 0);
	x[0] = (struct cairn_handle_xfer){ .handle = v, .rights = CAIRN_RIGHT_SAME_RIGHTS };
	cerr(send_handles(ro, x, 0), EACCES, "a channel handle without WRITE cannot send");
	close(ro);
	/* A memory-object handle cut down to few rights travels next. */
	few = CAIRN_RIGHT_READ | CAIRN_RIGHT_TRANSFER | CAIRN_RIGHT_INSPECT;
	ro = (int)cairn_handle_dup(v, few, 0);
	x[0] = (struct cairn_handle_xfer){ .handle = ro, .rights = few | CAIRN_RIGHT_WRITE };
	cerr(send_handles(h[0], x, 1), EACCES, "a transfer asking for more rights than it has");
	x[0].rights = CAIRN_RIGHT_SAME_RIGHTS;
	cerr(send_handles(h[0], x, 1), 0, "the reduced handle sent with SAME_RIGHTS");
	it[0] = (struct cairn_wait_item){ .handle = h[1], .want = CAIRN_SIG_READABLE };
	it[1] = (struct cairn_wait_item){ .handle = p, .want = CAIRN_SIG_TERMINATED };
	cerr(cairn_wait_many(it, 2, 0), 0, "wait_many: the channel is readable");
	cok(it[0].got == (CAIRN_SIG_READABLE | CAIRN_SIG_WRITABLE) && it[1].got == 0,
	    "got: readable and writable, the process nothing");
	m = (struct cairn_msg){ .bytes = (uintptr_t)b, .handles = (uintptr_t)x, .nbytes = 4 };
	m.nhandles = 2;
	cerr(cairn_channel_read(h[1], &m, 0), 0, "read it");
	cok(m.nhandles == 1 && x[0].rights == few && info(x[0].handle).rights == few,
	    "it arrived with exactly its rights, never more");
	close(x[0].handle);
	close(h[0]);
	it[0].want = CAIRN_SIG_PEER_CLOSED;
	cerr(cairn_wait_many(it, 2, cairn_now_ns() + 5000 * MS), 0, "wait_many: the peer closed");
	cok(it[0].got & CAIRN_SIG_PEER_CLOSED, "got: PEER_CLOSED");
	close(h[1]);
	close(v);
	close(p);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* A signal with a handler (no SA_RESTART) ends a wait with no deadline: EINTR. */
static void interrupted(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval iv = { .it_value = { .tv_usec = 20000 } };
	int h = (int)cairn_process_self(0);
	struct cairn_wait_item it = { .handle = h, .want = CAIRN_SIG_TERMINATED };
	long r = -EINTR;

	sigaction(SIGALRM, &sa, NULL);
	if (on_cairn) {
		setitimer(ITIMER_REAL, &iv, NULL);
		r = cairn_wait_many(&it, 1, CAIRN_DEADLINE_NEVER);
	}
	cerr(r, EINTR, "a signal ends a wait_many");
	signal(SIGALRM, SIG_DFL);
	close(h);
}

static void exhaustion(void)
{
	struct cairn_objcount before = counts(), during;
	struct rlimit old, low;
	int h = (int)cairn_process_self(0), got[64], n = 0;
	long r = 0;

	getrlimit(RLIMIT_NOFILE, &old);
	low = old;
	low.rlim_cur = (rlim_t)h + 16;
	setrlimit(RLIMIT_NOFILE, &low);
	while (n < 64 && (r = cairn_handle_dup(h, CAIRN_RIGHT_SAME_RIGHTS, 0)) >= 0)
		got[n++] = (int)r;
	cerr(r, EMFILE, "dup until RLIMIT_NOFILE");
	during = counts();
	cok(during.handles == before.handles + 1 + (uint64_t)n, "every handle made is counted");
	while (n)
		close(got[--n]);
	close(h);
	setrlimit(RLIMIT_NOFILE, &old);
	during = counts();
	cok(during.handles == before.handles &&
	            during.objects[CAIRN_OBJ_PROCESS] == before.objects[CAIRN_OBJ_PROCESS],
	    "closing them leaves nothing behind");
}

int main(void)
{
	struct cairn_objcount base, end;
	bool same = true;

	on_cairn = cairn_present();
	tap_plan(80);
	base = counts();
	abi();
	self_handles();
	dup_rules();
	no_wait_right();
	wait_errors();
	kill_child();
	kill_thread();
	interrupted();
	other_types();
	pidfd();
	exhaustion();
	end = counts();
	for (unsigned t = 1; t < CAIRN_OBJ_TYPES; t++)
		same = same && end.objects[t] == base.objects[t];
	cok(same && end.handles == base.handles, "object and handle counts back at the baseline");
	return tap_done(80);
}
