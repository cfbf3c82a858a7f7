/* SPDX-License-Identifier: MIT */
/*
 * A reader for cpio archives in the "newc" format (magic 070701 or 070702),
 * the format of Linux initramfs images and of Cairn's initrd. It walks an
 * archive held in memory and never reads outside it: a truncated header,
 * a bad magic, a name without its NUL or a size past the end is an error.
 * Pure: no allocation, no kernel headers; the kernel's initrd lookup and
 * the host tests link the same object.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CPIO_HDR_SIZE 110u  /* "070701" and 13 fields of 8 hex digits */
#define CPIO_NAME_MAX 4096u /* longer names are refused as corrupt */

/* File type bits of the mode field (the st_mode values of POSIX). */
#define CPIO_S_IFMT   0170000u
#define CPIO_S_IFREG  0100000u
#define CPIO_S_IFDIR  0040000u
#define CPIO_S_IFLNK  0120000u
#define CPIO_S_IFCHR  0020000u
#define CPIO_S_IFBLK  0060000u
#define CPIO_S_IFIFO  0010000u
#define CPIO_S_IFSOCK 0140000u

/* One member of an archive; the pointers point into the archive itself. */
struct cpio_entry {
	const char *name; /* NUL-terminated, as stored (may start with "./") */
	size_t namelen;   /* bytes before the NUL */
	const void *data; /* the file's bytes */
	size_t size;      /* bytes of data */
	uint32_t mode;    /* type and permission bits */
	uint32_t uid, gid;
	uint32_t ino;                  /* with the device numbers: names of one file share it */
	uint32_t nlink;                /* names of the file; >1 on regular files: hard links */
	uint32_t mtime;                /* seconds since 1970 */
	uint32_t devmajor, devminor;   /* the device the file came from (hard-link key) */
	uint32_t rdevmajor, rdevminor; /* a device node's own number */
	size_t offset;                 /* of the member's header in the archive (for messages) */
};

/* A position in an archive; only cpio_next() changes it. */
struct cpio_iter {
	const uint8_t *base; /* the archive */
	size_t size;         /* its length in bytes */
	size_t off;          /* offset of the next header */
	bool done;           /* the trailer was reached (or an error stopped the walk) */
	const char *error;   /* what made the archive corrupt at it->off, or NULL */
};

/* Start a walk over the @size-byte archive at @data. */
void cpio_iter_init(struct cpio_iter *it, const void *data, size_t size);

/*
 * Read the next member into @e. Returns 1 when @e holds one, 0 at the
 * "TRAILER!!!" member or at a clean end of the data, or -EINVAL when the
 * archive is corrupt there (the walk then stays ended; it->off is the
 * offset of the bad member and it->error says what was wrong). A member of
 * the "070702" kind whose data does not add up to its checksum is corrupt.
 * Pure.
 */
int __must_check cpio_next(struct cpio_iter *it, struct cpio_entry *e);

/*
 * Check a member name for unpacking and give it back without its leading
 * "./" parts in *@rel (pointing into @name; "" for the archive's root,
 * which "." or "./" names). Returns 0, or -EINVAL with *@why saying what is
 * wrong: an absolute name, a ".." component, an empty component ("a//b")
 * or a name longer than @max bytes. Pure.
 */
int __must_check cpio_name_check(const char *name, size_t max, const char **rel, const char **why);

/*
 * True when the member name @name names @path: both are compared without
 * leading "/" and "./" parts, so "/bin/sh", "bin/sh" and "./bin/sh" match.
 */
bool cpio_name_matches(const char *name, const char *path);

/*
 * Find the member named @path (see cpio_name_matches()) in the archive.
 * Returns 0 with @e filled, -ENOENT when there is none, or -EINVAL when the
 * archive is corrupt before such a member was found. Pure.
 */
int __must_check cpio_find(const void *data, size_t size, const char *path, struct cpio_entry *e);
