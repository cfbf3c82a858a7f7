// SPDX-License-Identifier: MIT
/*
 * Memory objects from user space (docs/vmo.md): made, mapped and written in
 * one process; shared with a child that sees the same bytes and writes
 * back; the rights each call and each mapping needs; ranges and bad
 * pointers; a resize under a mapping (SIGBUS past the end); a mapping that
 * outlives its handle; 1 MiB passed through a channel beside a message; and
 * at the end every object, page and frame back at the baseline. Each
 * point is a function of several checks; on Linux (no Cairn calls) each
 * prints "# SKIP not Cairn". The races and random calls: ipc_vmo_stress.c.
 */
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "cairn.h"
#include "vmotest.h"

/* Whether /proc/self/maps names the region at @p with @name. */
static bool maps_show(const void *p, const char *name)
{
	char line[512], start[32];
	FILE *f;
	bool found = false;

	/* The test initramfs mounts no /proc; an image that did keeps its mount. */
	if (access("/proc/self", F_OK) != 0 && (mkdir("/proc", 0555) == 0 || errno == EEXIST))
		mount("proc", "/proc", "proc", 0, NULL);
	f = fopen("/proc/self/maps", "r");
	if (!f)
		return false;
	snprintf(start, sizeof(start), "%lx-", (unsigned long)p);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, start, strlen(start)) && strstr(line, name))
			found = true;
	fclose(f);
	return found;
}

static void one_process(void)
{
	static uint8_t back[64 * 1024];
	long h = cairn_vmo_create(sizeof(back), 0);
	uint8_t *p = vt_map((int)h, sizeof(back), RW, MAP_SHARED, 0);
	uint64_t size = 0;

	CK(h >= 0 && vt_mapped(p));
	CK(cairn_vmo_get_size((int)h, &size) == 0 && size == sizeof(back));
	if (h < 0 || !vt_mapped(p))
		return;
	vt_fill(p, sizeof(back), 1);
	CK(cairn_vmo_read((int)h, back, 0, sizeof(back)) == 0 && vt_same(back, sizeof(back), 1));
	vt_fill(back, 100, 2);
	CK(cairn_vmo_write((int)h, back, PG - 50, 100) == 0 && vt_same(p + PG - 50, 100, 2));
	CK(maps_show(p, "cairn:[vmo]"));
	munmap(p, sizeof(back));
	close((int)h);
}

/* The child maps the handle it inherited, checks the parent's bytes and writes its own. */
static int child_side(int h, size_t len)
{
	uint8_t *p = vt_map(h, len, RW, MAP_SHARED, 0);

	if (!vt_mapped(p))
		return 1;
	if (!vt_same(p, len, 3))
		return 2;
	vt_fill(p, len, 4);
	return 0;
}

static void shared_with_child(void)
{
	const size_t len = 16 * PG;
	long h = cairn_vmo_create(len, 0);
	uint8_t *p = vt_map((int)h, len, RW, MAP_SHARED, 0);
	pid_t pid;
	int st;

	CK(h >= 0 && vt_mapped(p));
	if (h < 0 || !vt_mapped(p))
		return;
	vt_fill(p, len, 3);
	pid = fork();
	if (pid == 0)
		_exit(child_side((int)h, len));
	st = ut_wait(pid);
	CK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CK(vt_same(p, len, 4));
	munmap(p, len);
	close((int)h);
}

static void rights(void)
{
	long h = cairn_vmo_create(PG, 0);
	int ro = (int)cairn_handle_dup((int)h, CAIRN_RIGHT_READ | CAIRN_RIGHT_MAP, 0);
	int nomap = (int)cairn_handle_dup((int)h, CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE, 0);
	int wo = (int)cairn_handle_dup((int)h, CAIRN_RIGHT_WRITE | CAIRN_RIGHT_MAP, 0);
	char buf[8] = "rights";
	void *p;

	CK(h >= 0 && ro >= 0 && nomap >= 0 && wo >= 0);
	CK(cairn_vmo_write(ro, buf, 0, 8) == -EACCES);
	CK(cairn_vmo_set_size(ro, 2 * PG) == -EACCES);
	CK(cairn_vmo_write(nomap, buf, 0, 8) == 0);
	CK(cairn_vmo_read(ro, buf, 0, 8) == 0 && !strcmp(buf, "rights"));
	CK(vt_map_fails(nomap, PG, PROT_READ, MAP_SHARED) == EACCES);
	CK(vt_map_fails(ro, PG, RW, MAP_SHARED) == EACCES);
	CK(vt_map_fails(ro, PG, PROT_READ | PROT_EXEC, MAP_SHARED) == EACCES);
	CK(vt_map_fails(ro, PG, RW, MAP_PRIVATE) == 0); /* writes go to private copies */
	/* Without READ nothing maps (no page can be writable and unreadable). */
	CK(vt_map_fails(wo, PG, PROT_WRITE, MAP_SHARED) == EACCES);
	CK(vt_map_fails(wo, PG, PROT_NONE, MAP_SHARED) == EACCES);
	/* Read-only, it maps for reading and cannot be made writable later. */
	p = vt_map(ro, PG, PROT_READ, MAP_SHARED, 0);
	CK(vt_mapped(p) && !strcmp(p, "rights"));
	CK(syscall(SYS_mprotect, p, PG, RW) == -1 && errno == EACCES);
	munmap(p, PG);
	/* A duplicate never gains a right. */
	CK(cairn_handle_dup(ro, CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE, 0) == -EACCES);
	close((int)h);
	close(ro);
	close(nomap);
	close(wo);
}

static void ranges(void)
{
	long h = cairn_vmo_create(2 * PG, 0);
	char buf[16] = { 0 };
	int p[2];

	CK(h >= 0 && pipe(p) == 0);
	CK(cairn_vmo_read((int)h, buf, 2 * PG - 8, 16) == -EINVAL);
	CK(cairn_vmo_write((int)h, buf, 2 * PG + 1, 0) == -EINVAL);
	CK(cairn_vmo_write((int)h, buf, 2 * PG, 0) == 0);
	CK(cairn_vmo_read((int)h, buf, -1ull, 2) == -EINVAL);
	CK(cairn_vmo_read((int)h, (void *)16, 0, 16) == -EFAULT);
	CK(cairn_vmo_write((int)h, (void *)-4096l, 0, 16) == -EFAULT);
	CK(cairn_vmo_get_size((int)h, (uint64_t *)16) == -EFAULT);
	CK(cairn_vmo_create((1ull << 32) + 1, 0) == -EINVAL);
	CK(cairn_vmo_read(p[0], buf, 0, 1) == -EBADFD); /* a descriptor, not a handle */
	CK(cairn_vmo_read(999, buf, 0, 1) == -EBADF);
	CK(vt_map_fails(p[0], PG, PROT_READ, MAP_SHARED) == ENODEV);
	close(p[0]);
	close(p[1]);
	close((int)h);
}

static void resize_while_mapped(void)
{
	long h = cairn_vmo_create(4 * PG, 0);
	char *p = vt_map((int)h, 4 * PG, RW, MAP_SHARED, 0);
	uint64_t size = 0;

	CK(h >= 0 && vt_mapped(p));
	if (h < 0 || !vt_mapped(p))
		return;
	memset(p, 'x', 4 * PG);
	CK(cairn_vmo_set_size((int)h, PG + 1) == 0);
	CK(cairn_vmo_get_size((int)h, &size) == 0 && size == 2 * PG);
	CK(!vt_read_bus(p + PG) && p[PG] == 'x');
	CK(vt_read_bus(p + 2 * PG));
	CK(vt_read_bus(p + 3 * PG + 100));
	CK(cairn_vmo_set_size((int)h, 4 * PG) == 0);
	CK(!vt_read_bus(p + 3 * PG) && p[3 * PG] == 0 && p[PG] == 'x');
	munmap(p, 4 * PG);
	close((int)h);
}

static void outlives_handle(void)
{
	struct cairn_objcount c0 = vt_counts(), c1;
	long h = cairn_vmo_create(PG, 0);
	char *p = vt_map((int)h, PG, RW, MAP_SHARED, 0);

	CK(h >= 0 && vt_mapped(p));
	if (h < 0 || !vt_mapped(p))
		return;
	strcpy(p, "still here");
	close((int)h);
	c1 = vt_counts();
	CK(c1.objects[CAIRN_OBJ_VMO] == c0.objects[CAIRN_OBJ_VMO]);
	CK(c1.vmo_pages == c0.vmo_pages + 1);
	CK(!strcmp(p, "still here"));
	munmap(p, PG);
	CK(vt_counts().vmo_pages == c0.vmo_pages);
}

/* The request of the bulk transfer: what the child checks in the object it is sent. */
struct bulk_req {
	uint32_t len;  /* bytes of the pattern */
	uint32_t seed; /* vt_fill()'s seed */
	uint32_t op;   /* BULK_* */
	uint32_t reserved;
};

#define BULK_RW 1 /* map it writable, check the pattern, write it back with seed + 1 */
#define BULK_RO 2 /* a read-only handle: writable mapping refused, the pattern readable */
#define BULK_MB (1024 * 1024)

/* The child's side: answer each call with 0 or the line of the check that failed. */
static int bulk_child(int ch)
{
	struct bulk_req q;
	struct cairn_handle_xfer x;
	struct cairn_call c = { .flags = CAIRN_CALL_REPLY_WAIT };
	int32_t status = 0;
	uint8_t *p;

	c.rd.bytes = (uint64_t)(uintptr_t)&q;
	c.rd.handles = (uint64_t)(uintptr_t)&x;
	c.wr.bytes = (uint64_t)(uintptr_t)&status;
	for (;;) {
		c.rd.nbytes = sizeof(q);
		c.rd.nhandles = 1;
		if (cairn_channel_call(ch, &c, CAIRN_DEADLINE_NEVER))
			return 0; /* the parent closed its end: done */
		status = __LINE__;
		if (c.rd.nbytes != sizeof(q) || c.rd.nhandles != 1 || x.type != CAIRN_OBJ_VMO)
			goto reply;
		status = 0;
		if (q.op == BULK_RO) {
			status = vt_map_fails(x.handle, q.len, RW, MAP_SHARED) == EACCES ? 0
			                                                                 : __LINE__;
			p = vt_map(x.handle, q.len, PROT_READ, MAP_SHARED, 0);
		} else {
			p = vt_map(x.handle, q.len, RW, MAP_SHARED, 0);
		}
		if (!vt_mapped(p) || !vt_same(p, q.len, q.seed))
			status = __LINE__;
		else if (q.op == BULK_RW)
			vt_fill(p, q.len, q.seed + 1);
		if (vt_mapped(p))
			munmap(p, q.len);
		close(x.handle);
reply:
		c.wr.nbytes = sizeof(status);
		c.wr.txid = c.rd.txid;
	}
}

/* One call carrying handle @h with @rights beside a 16-byte request; the child's status. */
static int32_t bulk_call(int ch, int h, uint32_t rights, uint32_t op, uint32_t seed)
{
	struct bulk_req q = { .len = BULK_MB, .seed = seed, .op = op };
	struct cairn_handle_xfer x = { .handle = h, .type = CAIRN_OBJ_VMO, .rights = rights };
	struct cairn_call c = { .flags = 0 };
	int32_t status = -1;

	c.wr.bytes = (uint64_t)(uintptr_t)&q;
	c.wr.nbytes = sizeof(q);
	c.wr.handles = (uint64_t)(uintptr_t)&x;
	c.wr.nhandles = 1;
	c.rd.bytes = (uint64_t)(uintptr_t)&status;
	c.rd.nbytes = sizeof(status);
	long r = cairn_channel_call(ch, &c, CAIRN_DEADLINE_NEVER);

	if (r || c.rd.nbytes != sizeof(status)) {
		tap_masked("bulk call: %ld, %u bytes back", r, c.rd.nbytes);
		return -1;
	}
	if (status)
		tap_masked("bulk call: the child's check at line %d failed", status);
	return status;
}

/*
 * Bulk data beside a message: 1 MiB in a memory object, its handle moved
 * through a channel to a child that did not inherit it (the object is made
 * after the fork); the child maps it, checks every byte and writes its own
 * back. Then a read-only handle: the child cannot map it writable.
 */
static void through_a_channel(void)
{
	struct cairn_objcount c0 = vt_counts();
	int32_t ch[2];
	uint8_t *p;
	long h;
	pid_t pid;
	int st, d;

	CK(cairn_channel_create(ch, 0) == 0);
	pid = fork();
	if (pid == 0) {
		close(ch[0]);
		_exit(bulk_child(ch[1]));
	}
	close(ch[1]);
	h = cairn_vmo_create(BULK_MB, 0);
	p = vt_map((int)h, BULK_MB, RW, MAP_SHARED, 0);
	CK(h >= 0 && vt_mapped(p));
	if (h >= 0 && vt_mapped(p)) {
		vt_fill(p, BULK_MB, 5);
		/* The handle moved leaves this process: send a duplicate, keep the original. */
		d = (int)cairn_handle_dup((int)h, CAIRN_RIGHT_SAME_RIGHTS, 0);
		CK(bulk_call(ch[0], d, CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE | CAIRN_RIGHT_MAP,
		             BULK_RW, 5) == 0);
		CK(fcntl(d, F_GETFD) == -1 && errno == EBADF);
		CK(vt_same(p, BULK_MB, 6));
		d = (int)cairn_handle_dup((int)h, CAIRN_RIGHT_SAME_RIGHTS, 0);
		CK(bulk_call(ch[0], d, CAIRN_RIGHT_READ | CAIRN_RIGHT_MAP, BULK_RO, 6) == 0);
		munmap(p, BULK_MB);
	}
	close((int)h);
	close(ch[0]);
	st = ut_wait(pid);
	CK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	vt_wait_counts(&c0);
}

/*
 * A child that makes objects, maps and touches them, and exits with them
 * all open: half of the handles sit unread in a channel's queue.
 */
static int litter(void)
{
	struct cairn_handle_xfer x[4];
	struct cairn_msg m = { .handles = (uint64_t)(uintptr_t)x, .nhandles = 4 };
	int32_t ch[2];

	if (cairn_channel_create(ch, 0))
		return 1;
	for (int i = 0; i < 8; i++) {
		long h = cairn_vmo_create(8 * PG, 0);
		char *p = vt_map((int)h, 8 * PG, RW, MAP_SHARED, 0);

		if (h < 0 || !vt_mapped(p))
			return 2;
		for (int j = 0; j < 8; j++)
			p[j * PG] = (char)j;
		if (i % 2)
			x[i / 2] = (struct cairn_handle_xfer){ .handle = (int32_t)h,
				                               .rights = CAIRN_RIGHT_SAME_RIGHTS };
	}
	return cairn_channel_write(ch[0], &m, 0) ? 3 : 0;
}

static void all_released(void)
{
	struct cairn_objcount c0 = vt_counts(), c1;
	struct cairn_memstat base, now;
	long long frames = 0;
	int st;

	cairn_memstat_read(&base);
	for (int round = 0; round < 20; round++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(litter());
		st = ut_wait(pid);
		CK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	/* A dead process's space may be torn down just after its parent reaps it. */
	for (int i = 0; i < 100; i++) {
		c1 = vt_counts();
		cairn_memstat_read(&now);
		frames = cairn_memstat_frames_apart(&base, &now);
		if (frames == 0 && c1.vmo_pages == c0.vmo_pages)
			break;
		ut_sleep_ms(20);
	}
	CK(c1.objects[CAIRN_OBJ_VMO] == c0.objects[CAIRN_OBJ_VMO]);
	CK(c1.vmo_pages == c0.vmo_pages);
	CK(c1.handles == c0.handles);
	CK(c1.messages == c0.messages && c1.handles_in_flight == c0.handles_in_flight);
	tap_masked("frames %lld bytes from the baseline", frames);
	CK(frames == 0);
}

static const struct vt_point points[] = {
	{ one_process, "made, mapped and written in one process; the calls see the bytes" },
	{ shared_with_child, "a child maps the inherited handle, sees the bytes, writes back" },
	{ rights, "each call and each mapping needs its right; mprotect adds none" },
	{ ranges, "out of range is EINVAL, bad pointers EFAULT, non-handles EBADFD" },
	{ resize_while_mapped, "shrunk under a mapping: SIGBUS past the end; grown: zeros" },
	{ outlives_handle, "a mapping keeps its pages after the last handle closes" },
	{ through_a_channel, "1 MiB passed as a handle beside a message; the child writes back" },
	{ all_released, "processes exiting with objects mapped and queued leave nothing behind" },
};

int main(void)
{
	return vt_run(points, (int)(sizeof(points) / sizeof(points[0])));
}
