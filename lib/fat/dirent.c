/* SPDX-License-Identifier: MIT */
/*
 * Reading directory entries (Microsoft FAT specification 1.03, section 6
 * "FAT Directory Structure" and section 7 "FAT Long Directory Entries"): a
 * file's name is its 8.3 short entry, optionally preceded by long-name
 * parts of 13 UCS-2 characters each, last part first, each carrying the
 * short name's checksum. A walk feeds the entries one by one; parts that
 * are out of order, orphaned or carry the wrong checksum are ignored, as
 * the specification tells, and the short name is shown instead.
 */
#include <cairn/errno.h>

#include <lib/fat/fat.h>
#include <lib/string.h>

/* Entry offsets (spec sections 6 and 7). */
#define DE_ATTR     11
#define DE_NTRES    12
#define DE_CTENTH   13
#define DE_CTIME    14
#define DE_CDATE    16
#define DE_ADATE    18
#define DE_CLUSHI   20
#define DE_MTIME    22
#define DE_MDATE    24
#define DE_CLUSLO   26
#define DE_SIZE     28
#define LFN_ORD     0
#define LFN_CSUM    13
#define LFN_LAST    0x40u
#define LFN_ORDMASK 0x3fu

/* Where the 13 characters of a long-name part sit (offsets of each UCS-2 unit). */
static const uint8_t lfn_char_off[FAT_LFN_CHARS] = {
	1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30
};

void fat_lfn_reset(struct fat_lfn_state *st)
{
	st->expect = 0;
	st->count = 0;
	st->csum = 0;
	st->complete = false;
}

uint8_t fat_lfn_checksum(const uint8_t *sn)
{
	uint8_t sum = 0;
	unsigned i;

	/* Spec section 7.2: rotate right by one, then add the next byte. */
	for (i = 0; i < 11; i++)
		sum = (uint8_t)(((sum & 1) ? 0x80 : 0) + (sum >> 1) + sn[i]);
	return sum;
}

uint32_t fat_dirent_cluster(const uint8_t *ent)
{
	return ((uint32_t)fat_le16(ent + DE_CLUSHI) << 16) | fat_le16(ent + DE_CLUSLO);
}

void fat_dirent_set_cluster(uint8_t *ent, uint32_t c)
{
	fat_put16(ent + DE_CLUSHI, (uint16_t)(c >> 16));
	fat_put16(ent + DE_CLUSLO, (uint16_t)c);
}

/* A short-name byte as text: bytes a name may not hold become '_'. */
static char short_char(uint8_t c, bool lower)
{
	if (c < 0x20 || c == '/' || c >= 0x7f)
		return '_';
	if (lower && c >= 'A' && c <= 'Z')
		return (char)(c - 'A' + 'a');
	return (char)c;
}

size_t fat_short_to_text(const uint8_t *sn, uint8_t ntres, char *out)
{
	size_t n = 0, blen = 8, elen = 3, i;
	uint8_t first = sn[0] == 0x05 ? FAT_DELETED : sn[0];

	while (blen > 0 && sn[blen - 1] == ' ')
		blen--;
	while (elen > 0 && sn[8 + elen - 1] == ' ')
		elen--;
	for (i = 0; i < blen; i++)
		out[n++] = short_char(i ? sn[i] : first, ntres & FAT_CASE_BASE);
	if (elen) {
		out[n++] = '.';
		for (i = 0; i < elen; i++)
			out[n++] = short_char(sn[8 + i], ntres & FAT_CASE_EXT);
	}
	out[n] = '\0';
	return n;
}

/* Append code point @cp as UTF-8 at @out + *@n. */
static void put_utf8(char *out, size_t *n, uint32_t cp)
{
	if (cp < 0x80) {
		out[(*n)++] = (char)cp;
	} else if (cp < 0x800) {
		out[(*n)++] = (char)(0xc0 | (cp >> 6));
		out[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		out[(*n)++] = (char)(0xe0 | (cp >> 12));
		out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		out[(*n)++] = (char)(0xf0 | (cp >> 18));
		out[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[(*n)++] = (char)(0x80 | (cp & 0x3f));
	}
}

/*
 * The long name in @st as UTF-8 in @out (FAT_NAME_MAX + 1 bytes). Returns
 * its length, or 0 when it cannot name a file here (empty, a NUL-free
 * '/', a control character): the caller falls back to the short name.
 * Unpaired surrogates become U+FFFD.
 */
static size_t lfn_to_utf8(const struct fat_lfn_state *st, char *out)
{
	unsigned units = st->count * FAT_LFN_CHARS, i;
	size_t n = 0;

	for (i = 0; i < units && st->name[i]; i++) {
		uint32_t u = st->name[i];

		if (u < 0x20 || u == '/')
			return 0;
		if (u >= 0xd800 && u < 0xdc00 && i + 1 < units && st->name[i + 1] >= 0xdc00 &&
		    st->name[i + 1] < 0xe000) {
			u = 0x10000 + ((u - 0xd800) << 10) + (st->name[i + 1] - 0xdc00);
			i++;
		} else if (u >= 0xd800 && u < 0xe000) {
			u = 0xfffd;
		}
		put_utf8(out, &n, u);
	}
	if ((n == 1 && out[0] == '.') || (n == 2 && out[0] == '.' && out[1] == '.'))
		return 0;
	out[n] = '\0';
	return n;
}

/* One long-name part: start, continue or break the pending name. */
static void feed_lfn(struct fat_lfn_state *st, const uint8_t *ent)
{
	unsigned ord = ent[LFN_ORD] & LFN_ORDMASK, i;

	if (ent[LFN_ORD] & LFN_LAST) {
		if (ord == 0 || ord > FAT_LFN_SLOTS) {
			fat_lfn_reset(st);
			return;
		}
		st->count = ord;
		st->csum = ent[LFN_CSUM];
	} else if (st->expect == 0 || ord != st->expect || ent[LFN_CSUM] != st->csum) {
		fat_lfn_reset(st);
		return;
	}
	for (i = 0; i < FAT_LFN_CHARS; i++)
		st->name[(ord - 1) * FAT_LFN_CHARS + i] = fat_le16(ent + lfn_char_off[i]);
	st->expect = ord - 1;
	st->complete = ord == 1;
}

/* Decode the short entry @ent into @out, using @st's long name when it fits. */
static void feed_short(struct fat_lfn_state *st, const uint8_t *ent, struct fat_dirent *out)
{
	memcpy(out->short_name, ent, 11);
	out->attr = ent[DE_ATTR];
	out->ntres = ent[DE_NTRES];
	out->cluster = fat_dirent_cluster(ent);
	out->size = fat_le32(ent + DE_SIZE);
	out->ctime_tenth = ent[DE_CTENTH];
	out->ctime = fat_le16(ent + DE_CTIME);
	out->cdate = fat_le16(ent + DE_CDATE);
	out->adate = fat_le16(ent + DE_ADATE);
	out->mtime = fat_le16(ent + DE_MTIME);
	out->mdate = fat_le16(ent + DE_MDATE);
	out->namelen = 0;
	out->nslots = 1;
	if (st->complete && st->csum == fat_lfn_checksum(ent)) {
		out->namelen = lfn_to_utf8(st, out->name);
		if (out->namelen)
			out->nslots = st->count + 1;
	}
	if (!out->namelen)
		out->namelen = fat_short_to_text(ent, out->ntres, out->name);
	fat_lfn_reset(st);
}

enum fat_feed fat_dir_feed(struct fat_lfn_state *st, const uint8_t *ent, struct fat_dirent *out)
{
	uint8_t attr = ent[DE_ATTR];

	if (ent[0] == 0) {
		fat_lfn_reset(st);
		return FAT_FEED_END;
	}
	if (ent[0] == FAT_DELETED) {
		fat_lfn_reset(st);
		return FAT_FEED_SKIP;
	}
	if ((attr & 0x3fu) == FAT_ATTR_LFN) {
		feed_lfn(st, ent);
		return FAT_FEED_SKIP;
	}
	if ((attr & (FAT_ATTR_VOLUME | FAT_ATTR_DIR)) == FAT_ATTR_VOLUME) {
		fat_lfn_reset(st);
		return FAT_FEED_SKIP;
	}
	feed_short(st, ent, out);
	return FAT_FEED_ENTRY;
}
