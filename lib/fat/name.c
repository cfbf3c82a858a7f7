/* SPDX-License-Identifier: MIT */
/*
 * Names for new directory entries: whether a name fits 8.3 as it is (then
 * the Windows NT case bits keep "readme.txt" lower case without a long
 * name, as Linux's vfat does with shortname=mixed), else its long-name
 * parts and a short "basis" name with a numeric tail (Microsoft FAT
 * specification 1.03, section 7.2 "Basis-Name Generation Algorithm" and
 * "Numeric-Tail Generation Algorithm").
 */
#include <cairn/errno.h>

#include <lib/fat/fat.h>
#include <lib/string.h>

/* Characters a long name may not contain beyond controls (spec section 7). */
static bool lfn_forbidden(uint32_t c)
{
	return c < 0x20 || c == '"' || c == '*' || c == '/' || c == ':' || c == '<' || c == '>' ||
	       c == '?' || c == '\\' || c == '|' || c == 0x7f;
}

/* ASCII characters a short name may hold besides letters and digits (spec section 6.1). */
static bool short_special(uint32_t c)
{
	return c == '$' || c == '%' || c == '\'' || c == '-' || c == '_' || c == '@' || c == '~' ||
	       c == '`' || c == '!' || c == '(' || c == ')' || c == '{' || c == '}' || c == '^' ||
	       c == '#' || c == '&';
}

static bool is_upper(uint32_t c)
{
	return c >= 'A' && c <= 'Z';
}

static bool is_lower(uint32_t c)
{
	return c >= 'a' && c <= 'z';
}

static uint8_t to_upper(uint32_t c)
{
	return (uint8_t)(is_lower(c) ? c - 'a' + 'A' : c);
}

static bool short_ok(uint32_t c)
{
	return is_upper(c) || is_lower(c) || (c >= '0' && c <= '9') || short_special(c);
}

/* Decode one UTF-8 sequence at @s (@n bytes left) into *@cp; bytes used, 0 if invalid. */
static size_t utf8_decode(const uint8_t *s, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t c = s[0];

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
	if (len == 0 || len > n || c >= 0xf8)
		return 0;
	c &= 0x7fu >> len;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3fu);
	}
	/* Refuse overlong forms, surrogates and values past Unicode. */
	if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c < 0xe000) || c > 0x10ffff)
		return 0;
	*cp = c;
	return len;
}

/* @name as UTF-16 into p->lfn; -EINVAL for bad UTF-8 or forbidden characters. */
static int plan_units(const char *name, size_t len, struct fat_name_plan *p)
{
	const uint8_t *s = (const uint8_t *)name;
	size_t i = 0, used;
	uint32_t cp;

	p->lfn_len = 0;
	while (i < len) {
		used = utf8_decode(s + i, len - i, &cp);
		if (!used || lfn_forbidden(cp))
			return -EINVAL;
		i += used;
		if (p->lfn_len + (cp >= 0x10000 ? 2 : 1) > FAT_LFN_MAX)
			return -ENAMETOOLONG;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			p->lfn[p->lfn_len++] = (uint16_t)(0xd800 + (cp >> 10));
			p->lfn[p->lfn_len++] = (uint16_t)(0xdc00 + (cp & 0x3ff));
		} else {
			p->lfn[p->lfn_len++] = (uint16_t)cp;
		}
	}
	return 0;
}

/* Whether lfn[from, to) is short-name material of one case; its case in *@lower. */
static bool part_fits(const uint16_t *u, unsigned from, unsigned to, unsigned max, bool *lower)
{
	bool up = false, lo = false;
	unsigned i;

	if (to - from > max)
		return false;
	for (i = from; i < to; i++) {
		if (!short_ok(u[i]))
			return false;
		up |= is_upper(u[i]);
		lo |= is_lower(u[i]);
	}
	*lower = lo;
	return !(up && lo);
}

/* The name is 8.3 already: fill the final short name and case bits. */
static bool plan_exact(struct fat_name_plan *p)
{
	unsigned dot = p->lfn_len, i, ndots = 0;
	bool blow, elow = false;

	for (i = 0; i < p->lfn_len; i++)
		if (p->lfn[i] == '.')
			dot = i, ndots++;
	if (ndots > 1 || dot == 0 || dot + 1 == p->lfn_len)
		return false;
	if (!part_fits(p->lfn, 0, dot, 8, &blow))
		return false;
	if (dot < p->lfn_len && !part_fits(p->lfn, dot + 1, p->lfn_len, 3, &elow))
		return false;
	memset(p->sn, ' ', 11);
	for (i = 0; i < dot; i++)
		p->sn[i] = to_upper(p->lfn[i]);
	for (i = dot + 1; i < p->lfn_len; i++)
		p->sn[8 + i - dot - 1] = to_upper(p->lfn[i]);
	p->ntres = (uint8_t)((blow ? FAT_CASE_BASE : 0) | (elow ? FAT_CASE_EXT : 0));
	p->need_lfn = false;
	return true;
}

/* One character of the basis name: upper case, '_' for what 8.3 cannot hold. */
static uint8_t basis_char(uint32_t c)
{
	return short_ok(c) ? to_upper(c) : '_';
}

/* The basis name (spec section 7.2): leading dots and all spaces go, parts truncated. */
static void plan_basis(struct fat_name_plan *p)
{
	unsigned i = 0, last_dot = p->lfn_len, n = 0;

	for (i = 0; i < p->lfn_len; i++)
		if (p->lfn[i] == '.')
			last_dot = i;
	memset(p->sn, ' ', 11);
	for (i = 0; i < p->lfn_len && p->lfn[i] == '.'; i++)
		;
	for (; i < p->lfn_len && p->lfn[i] != '.' && n < 8; i++)
		if (p->lfn[i] != ' ')
			p->sn[n++] = basis_char(p->lfn[i]);
	if (n == 0)
		p->sn[n++] = '_';
	n = 0;
	for (i = last_dot + 1; last_dot != 0 && i < p->lfn_len && n < 3; i++)
		if (p->lfn[i] != ' ')
			p->sn[8 + n++] = basis_char(p->lfn[i]);
	p->ntres = 0;
	p->need_lfn = true;
}

int fat_name_plan(const char *name, size_t len, struct fat_name_plan *p)
{
	int err;

	/* Linux's vfat drops trailing dots and spaces; Windows cannot name them. */
	while (len > 0 && (name[len - 1] == '.' || name[len - 1] == ' '))
		len--;
	if (len == 0)
		return -EINVAL;
	err = plan_units(name, len, p);
	if (err)
		return err;
	if (!plan_exact(p))
		plan_basis(p);
	return 0;
}

uint32_t fat_name_hash(const uint16_t *lfn, unsigned len)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	unsigned i;

	for (i = 0; i < len; i++)
		h = (h ^ lfn[i]) * 16777619u;
	return h;
}

void fat_short_tail(const uint8_t *basis, unsigned n, uint32_t hash, uint8_t *out)
{
	static const char hex[] = "0123456789ABCDEF";
	char tail[8], prefix[8];
	unsigned tl = 0, pl = 0, num, i, keep;

	memcpy(out, basis, 11);
	for (pl = 0; pl < 8 && basis[pl] != ' '; pl++)
		prefix[pl] = (char)basis[pl];
	if (n > 4) {
		/* Two basis characters, then four hash digits (Windows' scheme, in spirit). */
		pl = pl < 2 ? pl : 2;
		for (i = 0; i < 4; i++)
			prefix[pl++] = hex[(hash >> (12 - 4 * i)) & 0xf];
		n -= 4;
	}
	num = n;
	do {
		tail[tl++] = (char)('0' + num % 10);
		num /= 10;
	} while (num && tl < 6);
	tail[tl++] = '~';
	keep = pl < 8 - tl ? pl : 8 - tl;
	memset(out, ' ', 8);
	memcpy(out, prefix, keep);
	for (i = 0; i < tl; i++)
		out[keep + i] = (uint8_t)tail[tl - 1 - i];
}

unsigned fat_plan_slots(const struct fat_name_plan *p)
{
	return p->need_lfn ? (p->lfn_len + FAT_LFN_CHARS - 1) / FAT_LFN_CHARS + 1 : 1;
}

/* Offsets of the 13 UCS-2 units in a long-name part (spec section 7, table 6). */
static const uint8_t part_off[FAT_LFN_CHARS] = { 1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30 };

/* Long-name part @ord (1-based) of @p into @e. */
static void make_part(const struct fat_name_plan *p, unsigned ord, bool last, uint8_t csum,
                      uint8_t *e)
{
	unsigned i, k;
	uint16_t u;

	memset(e, 0, FAT_DIRENT_SIZE);
	e[0] = (uint8_t)(ord | (last ? 0x40u : 0));
	e[11] = FAT_ATTR_LFN;
	e[13] = csum;
	for (i = 0; i < FAT_LFN_CHARS; i++) {
		k = (ord - 1) * FAT_LFN_CHARS + i;
		/* After the name: one NUL, then 0xffff padding (spec section 7). */
		u = k < p->lfn_len ? p->lfn[k] : k == p->lfn_len ? 0 : 0xffff;
		fat_put16(e + part_off[i], u);
	}
}

void fat_plan_entries(const struct fat_name_plan *p, uint8_t attr, uint8_t *out)
{
	unsigned nparts = fat_plan_slots(p) - 1, i;
	uint8_t csum = fat_lfn_checksum(p->sn);
	uint8_t *e;

	for (i = 0; i < nparts; i++)
		make_part(p, nparts - i, i == 0, csum, out + i * FAT_DIRENT_SIZE);
	e = out + nparts * FAT_DIRENT_SIZE;
	memset(e, 0, FAT_DIRENT_SIZE);
	memcpy(e, p->sn, 11);
	if (e[0] == FAT_DELETED)
		e[0] = 0x05;
	e[11] = attr;
	e[12] = p->ntres;
}

/* @s's length without trailing dots and spaces, unless nothing would be left ("." and ".."). */
static size_t strip_tail(const char *s, size_t len)
{
	size_t n = len;

	while (n > 0 && (s[n - 1] == '.' || s[n - 1] == ' '))
		n--;
	return n ? n : len;
}

static uint8_t fold(uint8_t c)
{
	return (uint8_t)(is_upper(c) ? c - 'A' + 'a' : c);
}

bool fat_name_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i;

	alen = strip_tail(a, alen);
	blen = strip_tail(b, blen);
	if (alen != blen)
		return false;
	for (i = 0; i < alen; i++)
		if (fold((uint8_t)a[i]) != fold((uint8_t)b[i]))
			return false;
	return true;
}
