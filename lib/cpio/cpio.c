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
	CPIO_F_NAMESIZE = 11,
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
}

static int cpio_corrupt(struct cpio_iter *it)
{
	it->done = true;
	return -EINVAL;
}

/* Read the header at it->off into @e and the name/data sizes; 0 or -EINVAL. */
static int cpio_read_header(struct cpio_iter *it, struct cpio_entry *e, uint32_t *namesize)
{
	const uint8_t *h = it->base + it->off;
	uint32_t filesize;

	if (it->size - it->off < CPIO_HDR_SIZE)
		return -EINVAL;
	if (memcmp(h, "07070", 5) != 0 || (h[5] != '1' && h[5] != '2'))
		return -EINVAL;
	if (!cpio_field(h, CPIO_F_MODE, &e->mode) || !cpio_field(h, CPIO_F_UID, &e->uid) ||
	    !cpio_field(h, CPIO_F_GID, &e->gid) || !cpio_field(h, CPIO_F_FILESIZE, &filesize) ||
	    !cpio_field(h, CPIO_F_NAMESIZE, namesize))
		return -EINVAL;
	if (*namesize == 0 || *namesize > CPIO_NAME_MAX)
		return -EINVAL;
	e->size = filesize;
	return 0;
}

int cpio_next(struct cpio_iter *it, struct cpio_entry *e)
{
	size_t name_off, data_off, left;
	uint32_t namesize;

	if (it->done || it->off >= it->size) {
		it->done = true;
		return 0;
	}
	if (cpio_read_header(it, e, &namesize))
		return cpio_corrupt(it);
	name_off = it->off + CPIO_HDR_SIZE;
	left = it->size - name_off;
	if (namesize > left || it->base[name_off + namesize - 1] != '\0')
		return cpio_corrupt(it);
	e->name = (const char *)it->base + name_off;
	e->namelen = namesize - 1;
	if (strnlen(e->name, namesize) != e->namelen)
		return cpio_corrupt(it);
	/* Padding is counted from the member's start, which is 4-aligned. */
	data_off = it->off + cpio_align4(CPIO_HDR_SIZE + namesize);
	if (data_off > it->size || e->size > it->size - data_off)
		return cpio_corrupt(it);
	e->data = it->base + data_off;
	if (strcmp(e->name, cpio_trailer) == 0) {
		it->done = true;
		return 0;
	}
	/* The last member's padding may be cut off; the next call then ends cleanly. */
	it->off = data_off + e->size;
	it->off = it->size - it->off < 4 ? it->size : cpio_align4(it->off);
	return 1;
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
