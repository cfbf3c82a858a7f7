/* SPDX-License-Identifier: MIT */
/*
 * I/O vectors: the buffers of read(2), readv(2) and their kernel twins,
 * consumed piece by piece. User copies stop at the first fault; the bytes
 * before it count, as Linux counts a short read into a partly bad buffer.
 */
#include <arch/page.h>
#include <lib/string.h>

#include "fs/file.h"
#include "mm/uaccess.h"

void uio_init1(struct uio *u, struct uio_seg *seg, uintptr_t base, size_t len, bool user)
{
	seg->base = base;
	seg->len = len;
	u->seg = seg;
	u->nseg = 1;
	u->off = 0;
	u->resid = len;
	u->user = user;
	u->faulted = false;
}

/* Skip exhausted segments; false when the uio is used up. */
static bool uio_next(struct uio *u)
{
	while (u->nseg && u->off >= u->seg->len) {
		u->seg++;
		u->nseg--;
		u->off = 0;
	}
	return u->nseg && u->resid;
}

/* One piece: at most @n bytes, within one segment and (for user memory) one page. */
static size_t uio_piece(const struct uio *u, size_t n)
{
	size_t left = u->seg->len - u->off;
	uintptr_t at = u->seg->base + u->off;

	if (n > left)
		n = left;
	if (u->user) {
		size_t to_page = PAGE_SIZE - (at & (PAGE_SIZE - 1));

		if (n > to_page)
			n = to_page;
	}
	return n;
}

static void uio_advance(struct uio *u, size_t n)
{
	u->off += n;
	u->resid -= n;
}

size_t uio_copy_out(struct uio *u, const void *src, size_t n)
{
	const char *s = src;
	size_t done = 0;

	while (done < n && !u->faulted && uio_next(u)) {
		size_t k = uio_piece(u, n - done);
		uintptr_t at = u->seg->base + u->off;

		if (u->user) {
			if (copy_to_user((void *)at, s + done, k)) {
				u->faulted = true;
				break;
			}
		} else {
			memcpy((void *)at, s + done, k);
		}
		uio_advance(u, k);
		done += k;
	}
	return done;
}

size_t uio_copy_in(struct uio *u, void *dst, size_t n)
{
	char *d = dst;
	size_t done = 0;

	while (done < n && !u->faulted && uio_next(u)) {
		size_t k = uio_piece(u, n - done);
		uintptr_t at = u->seg->base + u->off;

		if (u->user) {
			if (copy_from_user(d + done, (const void *)at, k)) {
				u->faulted = true;
				break;
			}
		} else {
			memcpy(d + done, (const void *)at, k);
		}
		uio_advance(u, k);
		done += k;
	}
	return done;
}

size_t uio_zero(struct uio *u, size_t n)
{
	size_t done = 0;

	while (done < n && !u->faulted && uio_next(u)) {
		size_t k = uio_piece(u, n - done);
		uintptr_t at = u->seg->base + u->off;

		if (u->user) {
			if (clear_user((void *)at, k)) {
				u->faulted = true;
				break;
			}
		} else {
			memset((void *)at, 0, k);
		}
		uio_advance(u, k);
		done += k;
	}
	return done;
}

bool uio_faulted(const struct uio *u)
{
	return u->faulted;
}
