/* SPDX-License-Identifier: MIT */
/*
 * The file mode's invariants (fuzz_files.h): the child's probe of a fresh
 * file and the parent's walk of what the child left behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fuzz_files.h"

#define MAX_ENTRIES 128 /* per directory; the pool makes far fewer */
#define MAX_DEPTH   12

/* Linux's struct linux_dirent64. */
struct dent64 {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

static bool fail(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
	return false;
}

/* Out of memory, descriptors or space: the probe cannot say anything. */
static bool benign(int e)
{
	return e == EMFILE || e == ENFILE || e == ENOSPC || e == ENOMEM;
}

/* How often @dir lists @name; -errno when it cannot be read. */
static int listed(const char *dir, const char *name)
{
	char buf[2048];
	int fd = open(dir, O_RDONLY | O_DIRECTORY), count = 0;
	long n;

	if (fd < 0)
		return -errno;
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0)
		for (long off = 0; off < n;) {
			struct dent64 *d = (struct dent64 *)(buf + off);

			off += d->reclen;
			count += !strcmp(d->name, name);
		}
	close(fd);
	return n < 0 ? -errno : count;
}

/* The probe's file once written: its size, contents and listing. */
static bool probe_written(struct fuzz_env *e, int fd, const char *p, const uint8_t *out, size_t len,
                          char *why, size_t n)
{
	static uint8_t in[9000];
	struct stat st;
	int seen;

	if (fstat(fd, &st) != 0)
		return fail(why, n, "probe: fstat: %s", strerror(errno));
	if (!S_ISREG(st.st_mode) || st.st_size != (off_t)len)
		return fail(why, n, "probe: fstat size %lld after writing %zu",
		            (long long)st.st_size, len);
	if (pread(fd, in, len, 0) != (ssize_t)len || memcmp(in, out, len))
		return fail(why, n, "probe: %zu bytes did not read back", len);
	seen = listed(e->probe_dir, strrchr(p, '/') + 1);
	if (seen != 1 && !(seen < 0 && benign(-seen)))
		return fail(why, n, "probe: the new file is listed %d times", seen);
	return true;
}

bool fuzz_files_probe(struct fuzz_env *e, char *why, size_t n)
{
	static uint8_t out[9000];
	size_t len = 1 + fuzz_rand(e) % sizeof(out);
	char p[96];
	struct stat st;
	bool ok;
	int fd;

	snprintf(p, sizeof(p), "%s/p%u", e->probe_dir, e->probes++);
	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)fuzz_rand(e);
	fd = open(p, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		return benign(errno) || fail(why, n, "probe: create: %s", strerror(errno));
	if (write(fd, out, len) != (ssize_t)len) {
		ok = benign(errno) || fail(why, n, "probe: write of %zu: %s", len, strerror(errno));
		close(fd);
		unlink(p);
		return ok;
	}
	ok = probe_written(e, fd, p, out, len, why, n);
	close(fd);
	if (unlink(p) != 0)
		return fail(why, n, "probe: unlink: %s", strerror(errno));
	if (ok && (lstat(p, &st) == 0 || errno != ENOENT))
		return fail(why, n, "probe: the name stays after unlink");
	return ok;
}

struct names {
	char name[MAX_ENTRIES][256];
	int count;
};

/* Read @dir's names (not . and ..) into @ns; -errno when it cannot. */
static int read_names(const char *dir, struct names *ns)
{
	char buf[2048];
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
	long n = 0;

	if (fd < 0)
		return -errno;
	ns->count = 0;
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0)
		for (long off = 0; off < n && ns->count < MAX_ENTRIES;) {
			struct dent64 *d = (struct dent64 *)(buf + off);

			off += d->reclen;
			if (strcmp(d->name, ".") && strcmp(d->name, ".."))
				snprintf(ns->name[ns->count++], 256, "%s", d->name);
		}
	close(fd);
	return n < 0 ? -errno : 0;
}

/* One table of names per level of the walk (static: the parent's stack stays small). */
static struct names levels[MAX_DEPTH + 1];

static int count_of(const struct names *ns, const char *name)
{
	int c = 0;

	for (int i = 0; i < ns->count; i++)
		c += !strcmp(ns->name[i], name);
	return c;
}

static int check_dir(const char *dir, int depth, char *why, size_t n);

unsigned long fuzz_files_walked;

/* One listed entry: it must exist; a directory is checked in turn; then it goes. */
static int check_entry(const char *dir, const char *name, int depth, char *why, size_t n)
{
	char sub[1024];
	struct stat st;

	snprintf(sub, sizeof(sub), "%s/%s", dir, name);
	fuzz_files_walked++;
	if (lstat(sub, &st) != 0) {
		fail(why, n, "%s is listed but lstat says %s", sub, strerror(errno));
		return 1;
	}
	if (S_ISDIR(st.st_mode))
		return check_dir(sub, depth + 1, why, n);
	if (unlink(sub) != 0) {
		fail(why, n, "unlink %s: %s", sub, strerror(errno));
		return 1;
	}
	return 0;
}

/* Every listed name exists, once; every pool name that exists is listed; all removable. */
static int check_dir(const char *dir, int depth, char *why, size_t n)
{
	static const char *const simple[] = { "a", "b", "c", "d", "e", "f", "l1", "l2", "g", "x" };
	struct names *ns = &levels[depth];
	int bad = 0, r;
	char sub[1024];
	struct stat st;

	chmod(dir, 0700);
	r = read_names(dir, ns);
	if (r < 0 || depth >= MAX_DEPTH) {
		fail(why, n, "cannot list %s: %s", dir, r < 0 ? strerror(-r) : "too deep");
		return 1;
	}
	for (unsigned i = 0; i < sizeof(simple) / sizeof(simple[0]); i++) {
		snprintf(sub, sizeof(sub), "%s/%s", dir, simple[i]);
		if (lstat(sub, &st) == 0 && count_of(ns, simple[i]) != 1 && ++bad)
			fail(why, n, "%s exists but is listed %d times", sub,
			     count_of(ns, simple[i]));
	}
	for (int i = 0; i < ns->count; i++)
		bad += check_entry(dir, ns->name[i], depth, why, n);
	if (rmdir(dir) != 0 && ++bad)
		fail(why, n, "rmdir %s after removing every listed name: %s", dir, strerror(errno));
	return bad;
}

int fuzz_files_check(const char *dir, char *why, size_t n)
{
	char probe[96];

	why[0] = '\0';
	snprintf(probe, sizeof(probe), "%s.p", dir);
	return check_dir(dir, 0, why, n) + check_dir(probe, 0, why, n);
}

void fuzz_files_warm(void)
{
	char why[160];

	mkdir("/tmp/fuzz-warm", 0755);
	mkdir("/tmp/fuzz-warm.p", 0700);
	mkdir("/tmp/fuzz-warm/d", 0755);
	mkdir("/tmp/fuzz-warm/d/e", 0755);
	close(open("/tmp/fuzz-warm/a", O_CREAT | O_WRONLY, 0644));
	close(open("/tmp/fuzz-warm/d/e/f", O_CREAT | O_WRONLY, 0644));
	symlink("a", "/tmp/fuzz-warm/l1");
	/* Every level of the walk's name table, so its pages are in before the baseline. */
	for (int i = 0; i <= MAX_DEPTH; i++)
		memset(&levels[i], 0, sizeof(levels[i]));
	fuzz_files_check("/tmp/fuzz-warm", why, sizeof(why));
}
