/* SPDX-License-Identifier: MIT */
/*
 * FAT timestamps (Microsoft FAT specification 1.03, section 6.1 "Date and
 * Time Formats"): a date word (day 1-31 in bits 0-4, month 1-12 in bits
 * 5-8, years since 1980 in bits 9-15) and a time word (two-second count in
 * bits 0-4, minutes in 5-10, hours in 11-15). FAT has no time zone; Cairn
 * reads and writes them as UTC, as Linux does with its default tz=UTC.
 */
#include <lib/fat/fat.h>

#define SECS_PER_DAY 86400
#define FAT_EPOCH    315532800    /* 1980-01-01 00:00:00 UTC in Unix seconds */
#define FAT_LAST     4354819198LL /* 2107-12-31 23:59:58 UTC */

/* Days from 1970-01-01 to @y-@m-@d (proleptic Gregorian; civil-from-days inverse). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int64_t fat_time_to_unix(uint16_t date, uint16_t time)
{
	unsigned day = date & 0x1f, mon = (date >> 5) & 0xf, year = 1980 + (date >> 9);
	unsigned sec = (time & 0x1f) * 2, min = (time >> 5) & 0x3f, hour = time >> 11;

	if (date == 0)
		return 0;
	/* Out-of-range fields from a disk are clamped, not trusted. */
	if (day == 0)
		day = 1;
	if (mon == 0)
		mon = 1;
	if (mon > 12)
		mon = 12;
	if (hour > 23)
		hour = 23;
	if (min > 59)
		min = 59;
	if (sec > 59)
		sec = 58;
	return days_from_civil(year, mon, day) * SECS_PER_DAY + hour * 3600 + min * 60 + sec;
}

void fat_time_from_unix(int64_t secs, uint16_t *date, uint16_t *time)
{
	int64_t days, rem, z, era, doe, yoe, y, doy, mp;
	unsigned d, m;

	if (secs < FAT_EPOCH)
		secs = FAT_EPOCH;
	if (secs > FAT_LAST)
		secs = FAT_LAST;
	days = secs / SECS_PER_DAY;
	rem = secs % SECS_PER_DAY;
	z = days + 719468;
	era = z / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	y += m <= 2;
	*date = (uint16_t)(((y - 1980) << 9) | (m << 5) | d);
	*time = (uint16_t)(((rem / 3600) << 11) | (((rem / 60) % 60) << 5) | ((rem % 60) / 2));
}
