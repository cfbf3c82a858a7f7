// SPDX-License-Identifier: MIT
/*
 * Directories (issue 12): getdents64 with buffers from too small to
 * large, every entry exactly once (also while the reader deletes what it
 * has seen), rewinding, d_type, and the errors. The order of entries and
 * the d_off cookies differ between file systems, so only sets of names
 * and counts are printed.
 */
#include "fsutil.h"

#define NFILES 60

static char names[NFILES][64];

/* Names of several lengths, so the records have several sizes. */
static void make_files(void)
{
	for (int i = 0; i < NFILES; i++) {
		snprintf(names[i], sizeof(names[i]), "f%d-%.*s", i, i % 37,
		         "abcdefghijklmnopqrstuvwxyz0123456789ABCDEF");
		ut_put(names[i], "x", 1);
	}
}

static int name_index(const char *n)
{
	for (int i = 0; i < NFILES; i++)
		if (!strcmp(names[i], n))
			return i;
	return -1;
}

/*
 * Read the whole directory through @fd with a buffer of @bufsz bytes,
 * counting how often each name is seen in @seen (and . and .. in
 * @dots); @unlink_seen removes each file once it is read. Returns the
 * number of calls, or -errno of the first failing one.
 */
static long read_all(int fd, size_t bufsz, int seen[NFILES], int *dots, int *other,
                     bool unlink_seen)
{
	char buf[4096];
	long n, calls = 0;

	while ((n = ut_getdents64(fd, buf, bufsz)) > 0) {
		calls++;
		for (long off = 0; off < n;) {
			struct ut_dirent64 *d = (struct ut_dirent64 *)(buf + off);
			int i = name_index(d->d_name);

			off += d->d_reclen;
			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
				(*dots)++;
			else if (i < 0)
				(*other)++;
			else {
				seen[i]++;
				if (unlink_seen)
					unlink(d->d_name);
			}
		}
	}
	return n < 0 ? -errno : calls;
}

/* Check that one pass saw every name once; print a summary for @what. */
static void check_pass(const char *what, long calls, const int seen[NFILES], int dots, int other)
{
	int once = 0, twice = 0, none = 0;

	for (int i = 0; i < NFILES; i++) {
		once += seen[i] == 1;
		twice += seen[i] > 1;
		none += seen[i] == 0;
	}
	tap_ok(calls > 0 && once == NFILES && dots == 2 && !other,
	       "%s: %d names once, %d more than once, %d missed, %d dots, %d others", what, once,
	       twice, none, dots, other);
}

static void buffer_sizes(int fd)
{
	static const size_t sizes[] = { 4096, 1024, 200, 88, 64 };
	int seen[NFILES], dots, other;
	char buf[32];
	long calls;

	/* The longest record: 19 bytes of header, a 42-byte name and its NUL, rounded up to 8. */
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		char what[64];

		memset(seen, 0, sizeof(seen));
		dots = other = 0;
		lseek(fd, 0, SEEK_SET);
		calls = read_all(fd, sizes[k], seen, &dots, &other, false);
		snprintf(what, sizeof(what), "a %zu-byte buffer", sizes[k]);
		check_pass(what, calls, seen, dots, other);
		if (sizes[k] <= 88)
			tap_ok(calls >= NFILES / 2, "%s takes at least %d calls", what, NFILES / 2);
	}
	lseek(fd, 0, SEEK_SET);
	tap_errno(ut_getdents64(fd, buf, 1), EINVAL, "a 1-byte buffer");
	tap_errno(ut_getdents64(fd, buf, 0), EINVAL, "a 0-byte buffer");
	tap_errno(ut_getdents64(fd, buf, 23), EINVAL, "a buffer smaller than the first record");
	tap_ok(ut_getdents64(fd, buf, 24) == 24, "a buffer of exactly the first record (.)");
}

static void types(void)
{
	char buf[1024];
	int fd, got = 0;
	long n;

	mkdir("t", 0755);
	mkdir("t/dir", 0755);
	ut_put("t/reg", "", 0);
	symlink("reg", "t/lnk");
	mkfifo("t/fifo", 0644);
	fd = open("t", O_RDONLY | O_DIRECTORY);
	while ((n = ut_getdents64(fd, buf, sizeof(buf))) > 0)
		for (long off = 0; off < n;) {
			struct ut_dirent64 *d = (struct ut_dirent64 *)(buf + off);

			off += d->d_reclen;
			got += !strcmp(d->d_name, "dir") && d->d_type == DT_DIR;
			got += !strcmp(d->d_name, "reg") && d->d_type == DT_REG;
			got += !strcmp(d->d_name, "lnk") && d->d_type == DT_LNK;
			got += !strcmp(d->d_name, "fifo") && d->d_type == DT_FIFO;
			got += !strcmp(d->d_name, ".") && d->d_type == DT_DIR;
			got += !strcmp(d->d_name, "..") && d->d_type == DT_DIR;
		}
	tap_ok(got == 6, "d_type of a directory, file, link, FIFO, . and ..: %d of 6 right", got);
	close(fd);
	ut_rmtree("t");
}

static void errors(void)
{
	char buf[256];
	int fd;

	fd = open("f0-", O_RDONLY);
	tap_errno(ut_getdents64(fd, buf, sizeof(buf)), ENOTDIR, "getdents64 on a file");
	close(fd);
	tap_errno(ut_getdents64(999, buf, sizeof(buf)), EBADF, "getdents64 on a closed descriptor");
	fd = open(".", O_RDONLY | O_DIRECTORY);
	tap_errno(ut_getdents64(fd, (void *)16, sizeof(buf)), EFAULT,
	          "getdents64 into a bad pointer");
	close(fd);
}

int main(void)
{
	const char *dir = ut_scratch("fs_dirs");
	int seen[NFILES] = { 0 }, dots = 0, other = 0, fd;
	long calls;

	if (!dir || chdir(dir) != 0) {
		tap_line("Bail out! no scratch directory: %s", tap_errno_name(errno));
		return 1;
	}
	make_files();
	fd = open(".", O_RDONLY | O_DIRECTORY);
	buffer_sizes(fd);
	types();
	errors();
	lseek(fd, 0, SEEK_SET);
	calls = read_all(fd, 100, seen, &dots, &other, true);
	check_pass("deleting each name once read (100-byte buffer)", calls, seen, dots, other);
	memset(seen, 0, sizeof(seen));
	dots = other = 0;
	lseek(fd, 0, SEEK_SET);
	calls = read_all(fd, 4096, seen, &dots, &other, false);
	tap_ok(calls == 1 && dots == 2 && !other, "then only . and .. are left");
	close(fd);
	chdir("/");
	tap_ok(rmdir(dir) == 0, "and the directory can be removed");
	tap_plan(tap_count);
	return tap_failed ? 1 : 0;
}
