// SPDX-License-Identifier: MIT
/*
 * The Cairn side of the ext2 end-to-end tests (tools/e2e_disk.py); an
 * ordinary static Linux program, so it runs on the Linux baseline too.
 *
 *   ext2_stress write DIR SEED N   N files of random sizes (0 B .. 8 MiB,
 *       most small) in nested directories under DIR/t; then renames
 *       (within and across directories, a directory across parents),
 *       truncations both ways, deletion of half, hard links and symbolic
 *       links (fast and slow); then DIR/MANIFEST lists what must be there
 *       ("F path size crc32 nlink", "S path target", "D path") and one
 *       line "manifest: LINES lines crc CRC" goes to standard output.
 *   ext2_stress storm DIR SEED     files written and fsync'ed one after the
 *       other, forever, each reported as "synced PATH SIZE CRC" once
 *       fsync returned (with unsynced files in between): the power-cut test
 *       kills the machine in the middle.
 *
 * The contents come from a generator seeded per file, the checksum is
 * zlib's CRC-32 (the host recomputes it with Python's zlib.crc32).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK   65536
#define NDIRS   100
#define NSUB    5
#define MAXPATH 160

static uint32_t crc_table[256];

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t crc_update(uint32_t crc, const uint8_t *p, size_t n)
{
	crc = ~crc;
	while (n--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stdout, "stress: FAIL: ");
	vfprintf(stdout, fmt, ap);
	fprintf(stdout, " (errno %d: %s)\n", errno, strerror(errno));
	va_end(ap);
	fflush(stdout);
	exit(1);
}

/* The bytes of file @id from @off, @n of them (n <= CHUNK), into @buf. */
static void content(uint32_t seed, uint32_t id, uint64_t off, uint8_t *buf, size_t n)
{
	uint64_t s = ((uint64_t)seed << 32 | id) * 0x9e3779b97f4a7c15ull + (off / CHUNK) + 1;

	for (size_t i = 0; i < n; i += 8) {
		uint64_t v = rng_next(&s);
		memcpy(buf + i, &v, n - i < 8 ? n - i : 8);
	}
}

/* Write file @path with @size bytes of content @id; returns its CRC. */
static uint32_t write_file(const char *path, uint32_t seed, uint32_t id, uint64_t size, int sync)
{
	static uint8_t buf[CHUNK];
	uint32_t crc = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		die("create %s", path);
	for (uint64_t off = 0; off < size; off += CHUNK) {
		size_t n = size - off < CHUNK ? (size_t)(size - off) : CHUNK;
		content(seed, id, off, buf, n);
		if (write(fd, buf, n) != (ssize_t)n)
			die("write %s", path);
		crc = crc_update(crc, buf, n);
	}
	if (sync && fsync(fd))
		die("fsync %s", path);
	if (close(fd))
		die("close %s", path);
	return crc;
}

/* CRC of the first @size bytes of content @id followed by @zeros zero bytes. */
static uint32_t crc_of(uint32_t seed, uint32_t id, uint64_t size, uint64_t zeros)
{
	static uint8_t buf[CHUNK];
	uint32_t crc = 0;

	for (uint64_t off = 0; off < size; off += CHUNK) {
		size_t n = size - off < CHUNK ? (size_t)(size - off) : CHUNK;
		content(seed, id, off, buf, n);
		crc = crc_update(crc, buf, n);
	}
	memset(buf, 0, sizeof(buf));
	for (uint64_t z = 0; z < zeros; z += CHUNK)
		crc = crc_update(crc, buf, zeros - z < CHUNK ? (size_t)(zeros - z) : CHUNK);
	return crc;
}

struct file {
	char path[MAXPATH];
	uint64_t size;
	uint32_t crc;
	int nlink;
	int alive;
};

/* Mostly small files: 80% under 1 KiB, 18% under 16 KiB, the rest up to 256 KiB and 8 MiB. */
static uint64_t pick_size(uint64_t *s, uint32_t i)
{
	uint32_t r = (uint32_t)(rng_next(s) % 1000);

	if (i == 0)
		return 8u << 20;
	if (r < 800)
		return rng_next(s) % 1025;
	if (r < 980)
		return 1024 + rng_next(s) % (15 * 1024);
	if (r < 999)
		return 16384 + rng_next(s) % (240 * 1024);
	return 256 * 1024 + rng_next(s) % (7u << 20);
}

static void mkdir_or_die(const char *p)
{
	if (mkdir(p, 0755) && errno != EEXIST)
		die("mkdir %s", p);
}

static void make_tree(const char *top)
{
	char p[MAXPATH];

	snprintf(p, sizeof(p), "%s/t", top);
	mkdir_or_die(p);
	snprintf(p, sizeof(p), "%s/t/links", top);
	mkdir_or_die(p);
	for (int d = 0; d < NDIRS; d++) {
		snprintf(p, sizeof(p), "%s/t/d%02d", top, d);
		mkdir_or_die(p);
		for (int s = 0; s < NSUB; s++) {
			snprintf(p, sizeof(p), "%s/t/d%02d/s%d", top, d, s);
			mkdir_or_die(p);
		}
	}
}

static void create_all(const char *top, uint32_t seed, struct file *f, uint32_t n)
{
	uint64_t s = seed * 2654435761u + 7;

	for (uint32_t i = 0; i < n; i++) {
		uint32_t leaf = i % (NDIRS * NSUB);
		snprintf(f[i].path, MAXPATH, "%s/t/d%02u/s%u/f%05u", top, leaf / NSUB, leaf % NSUB, i);
		f[i].size = pick_size(&s, i);
		f[i].crc = write_file(f[i].path, seed, i, f[i].size, 0);
		f[i].nlink = 1;
		f[i].alive = 1;
	}
}

static void rename_to(struct file *f, const char *to)
{
	if (rename(f->path, to))
		die("rename %s %s", f->path, to);
	snprintf(f->path, MAXPATH, "%s", to);
}

/* Renames, truncations, deletions of half, a directory moved to another parent. */
static void churn(const char *top, uint32_t seed, struct file *f, uint32_t n)
{
	char to[MAXPATH];

	for (uint32_t i = 0; i < n; i++) {
		uint32_t leaf = (i + 37) % (NDIRS * NSUB);
		if (i % 8 == 1) {
			snprintf(to, sizeof(to), "%.*s/r%05u", (int)(strrchr(f[i].path, '/') - f[i].path),
			         f[i].path, i);
			rename_to(&f[i], to);
		} else if (i % 8 == 3) {
			snprintf(to, sizeof(to), "%s/t/d%02u/s%u/m%05u", top, leaf / NSUB, leaf % NSUB, i);
			rename_to(&f[i], to);
		} else if (i % 8 == 5) {
			if (truncate(f[i].path, (off_t)(f[i].size / 3)))
				die("truncate %s", f[i].path);
			f[i].size /= 3;
			f[i].crc = crc_of(seed, i, f[i].size, 0);
		} else if (i % 16 == 7) {
			if (truncate(f[i].path, (off_t)(f[i].size + 5000)))
				die("truncate %s", f[i].path);
			f[i].crc = crc_of(seed, i, f[i].size, 5000);
			f[i].size += 5000;
		} else if (i % 2 == 0 && i != 0) {
			if (unlink(f[i].path))
				die("unlink %s", f[i].path);
			f[i].alive = 0;
		}
	}
	/* A whole directory moves to another parent: its files' paths change. */
	char from[MAXPATH];
	snprintf(from, sizeof(from), "%s/t/d99", top);
	snprintf(to, sizeof(to), "%s/t/d00/moved99", top);
	if (rename(from, to))
		die("rename %s %s", from, to);
	size_t fl = strlen(from);
	for (uint32_t i = 0; i < n; i++) {
		if (f[i].alive && strncmp(f[i].path, from, fl) == 0 && f[i].path[fl] == '/') {
			char moved[2 * MAXPATH];
			snprintf(moved, sizeof(moved), "%s%s", to, f[i].path + fl);
			if (strlen(moved) >= MAXPATH)
				die("path too long: %s", moved);
			memcpy(f[i].path, moved, strlen(moved) + 1);
		}
	}
	/* An empty directory made and removed. */
	snprintf(to, sizeof(to), "%s/t/gone", top);
	mkdir_or_die(to);
	if (rmdir(to))
		die("rmdir %s", to);
}

struct link {
	char path[MAXPATH];
	char target[MAXPATH];
	int hard;
	uint32_t of;
};

/* Hard links and symbolic links (short ones fast, long ones in a block) to living files. */
static uint32_t make_links(const char *top, struct file *f, uint32_t n, struct link *l)
{
	uint32_t k = 0;

	for (uint32_t i = 1; i < n; i += 50) {
		if (!f[i].alive)
			continue;
		l[k].hard = 1;
		l[k].of = i;
		snprintf(l[k].path, MAXPATH, "%s/t/links/h%05u", top, i);
		if (link(f[i].path, l[k].path))
			die("link %s", f[i].path);
		f[i].nlink++;
		k++;
		l[k].hard = 0;
		l[k].of = i;
		snprintf(l[k].path, MAXPATH, "%s/t/links/s%05u", top, i);
		if (i % 100 == 1)
			snprintf(l[k].target, MAXPATH, "%s", f[i].path); /* absolute: a slow link */
		else
			snprintf(l[k].target, MAXPATH, "x%u", i); /* short: fast */
		if (symlink(l[k].target, l[k].path))
			die("symlink %s", l[k].path);
		k++;
	}
	return k;
}

/* Paths in the manifest are relative to @top. */
static const char *rel(const char *top, const char *p)
{
	return p + strlen(top);
}

static void write_manifest(const char *top, struct file *f, uint32_t n, struct link *l,
                           uint32_t nl)
{
	char path[MAXPATH], line[400];
	uint32_t crc = 0, lines = 0;
	FILE *m;

	snprintf(path, sizeof(path), "%s/MANIFEST", top);
	m = fopen(path, "w");
	if (!m)
		die("open %s", path);
	for (uint32_t i = 0; i < n + nl; i++) {
		int len;
		if (i < n && !f[i].alive)
			continue;
		if (i < n)
			len = snprintf(line, sizeof(line), "F %s %llu %08x %d\n", rel(top, f[i].path),
			               (unsigned long long)f[i].size, f[i].crc, f[i].nlink);
		else if (l[i - n].hard)
			len = snprintf(line, sizeof(line), "F %s %llu %08x %d\n",
			               rel(top, l[i - n].path), (unsigned long long)f[l[i - n].of].size,
			               f[l[i - n].of].crc, f[l[i - n].of].nlink);
		else
			len = snprintf(line, sizeof(line), "S %s %s\n", rel(top, l[i - n].path),
			               l[i - n].target);
		fputs(line, m);
		crc = crc_update(crc, (const uint8_t *)line, (size_t)len);
		lines++;
	}
	if (fflush(m) || fsync(fileno(m)) || fclose(m))
		die("write %s", path);
	sync();
	printf("manifest: %u lines crc %08x\n", lines, crc);
}

static int cmd_write(const char *top, uint32_t seed, uint32_t n)
{
	struct file *f = calloc(n, sizeof(*f));
	struct link *l = calloc(n / 25 + 2, sizeof(*l));

	if (!f || !l)
		die("calloc");
	crc_init();
	make_tree(top);
	create_all(top, seed, f, n);
	printf("stress: created %u files\n", n);
	fflush(stdout);
	churn(top, seed, f, n);
	uint32_t nl = make_links(top, f, n, l);
	write_manifest(top, f, n, l, nl);
	printf("stress: done\n");
	return 0;
}

static __attribute__((noreturn)) void cmd_storm(const char *top, uint32_t seed)
{
	char p[MAXPATH];
	uint64_t s = seed + 99;

	crc_init();
	snprintf(p, sizeof(p), "%s/storm", top);
	mkdir_or_die(p);
	for (uint32_t i = 0;; i++) {
		uint64_t size = rng_next(&s) % (300 * 1024);
		int sync = i % 3 == 0;
		snprintf(p, sizeof(p), "%s/storm/f%05u", top, i);
		uint32_t crc = write_file(p, seed, i, size, sync);
		if (sync) {
			int dfd = open(top, O_RDONLY | O_DIRECTORY);
			if (dfd >= 0) {
				fsync(dfd);
				close(dfd);
			}
			printf("synced /storm/f%05u %llu %08x\n", i, (unsigned long long)size, crc);
			fflush(stdout);
		}
	}
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 5 && strcmp(argv[1], "write") == 0)
		return cmd_write(argv[2], (uint32_t)strtoul(argv[3], NULL, 0),
		                 (uint32_t)strtoul(argv[4], NULL, 0));
	if (argc == 4 && strcmp(argv[1], "storm") == 0)
		cmd_storm(argv[2], (uint32_t)strtoul(argv[3], NULL, 0));
	fprintf(stderr, "usage: ext2_stress write DIR SEED N | storm DIR SEED\n");
	return 2;
}
