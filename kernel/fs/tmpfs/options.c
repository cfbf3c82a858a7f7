// SPDX-License-Identifier: MIT
/*
 * tmpfs mount options, as Linux's tmpfs takes them in mount(2)'s data
 * string: "size=" (bytes with a k/m/g suffix, or a % of RAM), "nr_inodes=",
 * "mode=" (octal, the root directory's permissions), "uid=" and "gid=".
 * An unknown option or a bad value refuses the mount with -EINVAL. Without
 * options an instance may use half of RAM and as many inodes as pages.
 */
#include <cairn/errno.h>

#include <lib/string.h>

#include "fs/tmpfs/internal.h"
#include "mm/pmm.h"

uint64_t tmpfs_ram_bytes(void)
{
	struct pmm_stats st;

	pmm_stats(&st);
	return st.total;
}

/* A number in @base (8 or 10) with, if @suffix, one of k, m, g or (if @pct) %. */
static int tmpfs_parse_num(const char *v, size_t n, unsigned base, bool suffix, uint64_t *out)
{
	uint64_t x = 0, mult = 1;
	size_t i = 0;

	for (; i < n && v[i] >= '0' && v[i] < (char)('0' + base); i++) {
		if (x > (UINT64_MAX - 9) / base)
			return -EINVAL;
		x = x * base + (uint64_t)(v[i] - '0');
	}
	if (i == 0 || n - i > (suffix ? 1u : 0u))
		return -EINVAL;
	if (i < n) {
		switch (v[i] | 0x20) {
		case 'k':
			mult = 1ull << 10;
			break;
		case 'm':
			mult = 1ull << 20;
			break;
		case 'g':
			mult = 1ull << 30;
			break;
		case '%':
			if (x > 100)
				return -EINVAL;
			*out = tmpfs_ram_bytes() / 100 * x;
			return 0;
		default:
			return -EINVAL;
		}
	}
	if (x > UINT64_MAX / mult)
		return -EINVAL;
	*out = x * mult;
	return 0;
}

/* Apply "key=value" (@klen, @v/@vlen) to @t. */
static int tmpfs_option(struct tmpfs_sb *t, const char *k, size_t klen, const char *v, size_t vlen)
{
	uint64_t x;
	int err;

#define KEY_IS(s) (klen == sizeof(s) - 1 && memcmp(k, s, klen) == 0)
	if (KEY_IS("size")) {
		err = tmpfs_parse_num(v, vlen, 10, true, &x);
		/* As Linux: 0 means no limit. */
		t->max_pages = x ? (x + PAGE_SIZE - 1) / PAGE_SIZE : UINT64_MAX;
	} else if (KEY_IS("nr_inodes")) {
		err = tmpfs_parse_num(v, vlen, 10, true, &x);
		t->max_inodes = x ? x : UINT64_MAX;
	} else if (KEY_IS("mode")) {
		err = tmpfs_parse_num(v, vlen, 8, false, &x);
		t->root_mode = (uint32_t)x;
		err = err ? err : (x > 07777 ? -EINVAL : 0);
	} else if (KEY_IS("uid") || KEY_IS("gid")) {
		err = tmpfs_parse_num(v, vlen, 10, false, &x);
		err = err ? err : (x > 0xfffffffeu ? -EINVAL : 0);
		*(k[0] == 'u' ? &t->root_uid : &t->root_gid) = (uint32_t)x;
	} else {
		err = -EINVAL;
	}
#undef KEY_IS
	return err;
}

int tmpfs_parse_options(struct tmpfs_sb *t, const char *data)
{
	const char *p = data, *end, *eq;
	int err;

	t->max_pages = tmpfs_ram_bytes() / 2 / PAGE_SIZE;
	t->max_inodes = t->max_pages;
	t->root_mode = 01777;
	t->root_uid = 0;
	t->root_gid = 0;
	while (p && *p) {
		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		for (eq = p; eq < end && *eq != '='; eq++)
			;
		if (end != p) {
			if (eq == end)
				return -EINVAL;
			err = tmpfs_option(t, p, (size_t)(eq - p), eq + 1, (size_t)(end - eq - 1));
			if (err)
				return err;
		}
		p = *end ? end + 1 : end;
	}
	return 0;
}
