/* SPDX-License-Identifier: MIT */
/*
 * cpio "newc" reader. Layout of a member (the format as GNU cpio and the
 * Linux initramfs documentation describe it): a 110-byte ASCII header, the
 * name with its NUL, padding to a multiple of 4 from the member's start,
 * then the file's bytes padded to a multiple of 4. Every size is checked
 * against what is left of the archive before it is used.
 */
#include <cairn/errno.h>

#include <lib/cpio/cpio.h>
#include <lib/string.h>

/* Offsets of the header fields after the 6-byte magic, 8 hex digits each. */
enum {
	CPIO_F_INO = 0,
	CPIO_F_MODE = 1,
	CPIO_F_UID = 2,
	CPIO_F_GID = 3,
	CPIO_F_NLINK = 4,
	CPIO_F_MTIME = 5,
	CPIO_F_FILESIZE = 6,
	CPIO_F_DEVMAJOR = 7,
	CPIO_F_DEVMINOR = 8,
	CPIO_F_RDEVMAJOR = 9,
	CPIO_F_RDEVMINOR = 10,
	CPIO_F_NAMESIZE = 11,
	CPIO_F_CHECK = 12,
	CPIO_NFIELDS = 13,
};

static const char cpio_trailer[] = "TRAILER!!!";

/* Parse the 8 hex digits of field @field; false when one is not a hex digit. */
static bool cpio_field(const uint8_t *hdr, unsigned field, uint32_t *out)
{
	const uint8_t *p = hdr + 6 + 8 * field;
	uint32_t v = 0;
	unsigned i;

	for (i = 0; i < 8; i++) {
		uint8_t c = p[i];

		if (c >= '0' && c <= '9')
			v = v << 4 | (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v << 4 | (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v = v << 4 | (uint32_t)(c - 'A' + 10);
		else
			return false;
	}
	*out = v;
	return true;
}

static size_t cpio_align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

void cpio_iter_init(struct cpio_iter *it, const void *data, size_t size)
{
	it->base = data;
	it->size = data ? size : 0;
	it->off = 0;
	it->done = false;
	it->error = NULL;
}

static int cpio_corrupt(struct cpio_iter *it, const char *why)
{
	it->done = true;
	it->error = why;
	return -EINVAL;
}

/* Read the header at it->off into @e, @namesize and @check; NULL or what is wrong. */
static const char *cpio_read_header(struct cpio_iter *it, struct cpio_entry *e, uint32_t *namesize,
                                    uint32_t *check)
{
	const uint8_t *h = it->base + it->off;
	uint32_t f[CPIO_NFIELDS];
	unsigned i;

	if (it->size - it->off < CPIO_HDR_SIZE)
		return "truncated header";
	if (memcmp(h, "07070", 5) != 0 || (h[5] != '1' && h[5] != '2'))
		return "bad magic";
	for (i = 0; i < CPIO_NFIELDS; i++)
		if (!cpio_field(h, i, &f[i]))
			return "a header field is not hex";
	e->ino = f[CPIO_F_INO];
	e->mode = f[CPIO_F_MODE];
	e->uid = f[CPIO_F_UID];
	e->gid = f[CPIO_F_GID];
	e->nlink = f[CPIO_F_NLINK];
	e->mtime = f[CPIO_F_MTIME];
	e->size = f[CPIO_F_FILESIZE];
	e->devmajor = f[CPIO_F_DEVMAJOR];
	e->devminor = f[CPIO_F_DEVMINOR];
	e->rdevmajor = f[CPIO_F_RDEVMAJOR];
	e->rdevminor = f[CPIO_F_RDEVMINOR];
	e->offset = it->off;
	*namesize = f[CPIO_F_NAMESIZE];
	*check = h[5] == '2' ? f[CPIO_F_CHECK] : 0;
	if (*namesize == 0 || *namesize > CPIO_NAME_MAX)
		return "bad name size";
	return NULL;
}

/* The "070702" checksum: the sum of the data's bytes, modulo 2^32. */
static uint32_t cpio_sum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		sum += p[i];
	return sum;
}

int cpio_next(struct cpio_iter *it, struct cpio_entry *e)
{
	size_t name_off, data_off, left;
	uint32_t namesize, check;
	const char *why;

	if (it->done || it->off >= it->size) {
		it->done = true;
		return 0;
	}
	why = cpio_read_header(it, e, &namesize, &check);
	if (why)
		return cpio_corrupt(it, why);
	name_off = it->off + CPIO_HDR_SIZE;
	left = it->size - name_off;
	if (namesize > left)
		return cpio_corrupt(it, "name past the end");
	if (it->base[name_off + namesize - 1] != '\0')
		return cpio_corrupt(it, "name without its NUL");
	e->name = (const char *)it->base + name_off;
	e->namelen = namesize - 1;
	if (strnlen(e->name, namesize) != e->namelen)
		return cpio_corrupt(it, "NUL inside the name");
	/* Padding is counted from the member's start, which is 4-aligned. */
	data_off = it->off + cpio_align4(CPIO_HDR_SIZE + namesize);
	if (data_off > it->size || e->size > it->size - data_off)
		return cpio_corrupt(it, "data past the end");
	e->data = it->base + data_off;
	if (strcmp(e->name, cpio_trailer) == 0) {
		it->done = true;
		return 0;
	}
	if (it->base[it->off + 5] == '2' && cpio_sum(e->data, e->size) != check)
		return cpio_corrupt(it, "checksum mismatch");
	/* The last member's padding may be cut off; the next call then ends cleanly. */
	it->off = data_off + e->size;
	it->off = it->size - it->off < 4 ? it->size : cpio_align4(it->off);
	return 1;
}

int cpio_name_check(const char *name, size_t max, const char **rel, const char **why)
{
	const char *p, *c;
	size_t n;

	if (name[0] == '/') {
		*why = "absolute name";
		return -EINVAL;
	}
	while (name[0] == '.' && (name[1] == '/' || name[1] == '\0'))
		name += name[1] ? 2 : 1;
	if (strlen(name) > max) {
		*why = "name too long";
		return -EINVAL;
	}
	for (p = name; *p; p = *c ? c + 1 : c) {
		for (c = p; *c && *c != '/'; c++)
			;
		n = (size_t)(c - p);
		/* A trailing '/' is allowed ("dir/"); an empty part inside is not. */
		if (n == 0 && *c) {
			*why = "empty component";
			return -EINVAL;
		}
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			*why = "\"..\" component";
			return -EINVAL;
		}
	}
	*rel = name;
	return 0;
}

/* Skip any mix of leading "/" and "./" parts. */
static const char *cpio_strip(const char *s)
{
	for (;;) {
		if (s[0] == '/')
			s++;
		else if (s[0] == '.' && s[1] == '/')
			s += 2;
		else
			return s;
	}
}

bool cpio_name_matches(const char *name, const char *path)
{
	return strcmp(cpio_strip(name), cpio_strip(path)) == 0;
}

int cpio_find(const void *data, size_t size, const char *path, struct cpio_entry *e)
{
	struct cpio_iter it;
	struct cpio_entry cur;
	int r;

	if (!path)
		return -EINVAL;
	cpio_iter_init(&it, data, size);
	while ((r = cpio_next(&it, &cur)) == 1) {
		if (cpio_name_matches(cur.name, path)) {
			*e = cur;
			return 0;
		}
	}
	return r < 0 ? r : -ENOENT;
}
