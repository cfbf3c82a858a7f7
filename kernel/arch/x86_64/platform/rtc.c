// SPDX-License-Identifier: MIT
/*
 * The battery-backed real-time clock of the PC (Motorola MC146818A and its
 * compatibles, reached through the CMOS index/data ports 0x70/0x71): the
 * date at boot, and the periodic interrupt the IRQ tests use. Register
 * map, data modes and the update cycle: MC146818A datasheet, "Address Map"
 * (Figure 2), "Registers" A-D and "Update Cycle". The century byte is not
 * part of the chip; the FADT names its CMOS index (ACPI 6.5, 5.2.9, CENTURY).
 * Locks: [L] cmos_lock (the index/data pair is a two-step access).
 */
#include <cairn/errno.h>

#include <arch/cpu.h>
#include <arch/pio.h>

#include "acpi/acpi.h"
#include "arch/x86_64/x86.h"
#include "sched/spinlock.h"
#include "time/time.h"

#define CMOS_INDEX 0x70 /* bit 7 of the index masks NMI on the PC; kept clear */
#define CMOS_DATA  0x71

#define RTC_SEC   0x00
#define RTC_MIN   0x02
#define RTC_HOUR  0x04
#define RTC_MDAY  0x07
#define RTC_MON   0x08
#define RTC_YEAR  0x09
#define RTC_REG_A 0x0a
#define RTC_REG_B 0x0b
#define RTC_REG_C 0x0c

#define REG_A_UIP         0x80 /* update in progress: the time registers are changing */
#define REG_A_RATE_MASK   0x0f
#define REG_A_RATE_1024   0x06 /* 32768 Hz >> (6 - 1) = 1024 Hz (Table 5, periodic rates) */
#define REG_B_PIE         0x40 /* periodic interrupt enable */
#define REG_B_BINARY      0x04 /* DM: 1 binary, 0 BCD */
#define REG_B_24H         0x02 /* 24/12: 1 = 24-hour mode */
#define HOUR_PM           0x80 /* 12-hour mode: bit 7 of the hour is PM */
#define CENTURY_MAX_INDEX 0x7f
#define UIP_SPIN_MAX      1000000u
#define READ_TRIES        5

static struct spinlock cmos_lock = SPINLOCK_INIT("cmos"); /* guards [L] */

static uint8_t cmos_read_locked(uint8_t reg) __must_hold(&cmos_lock)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

static void cmos_write_locked(uint8_t reg, uint8_t v) __must_hold(&cmos_lock)
{
	outb(CMOS_INDEX, reg);
	outb(CMOS_DATA, v);
}

/* Wait for the end of an update cycle (UIP clear); false if it never ends. */
static bool wait_no_update_locked(void) __must_hold(&cmos_lock)
{
	unsigned spin;

	for (spin = 0; spin < UIP_SPIN_MAX; spin++) {
		if (!(cmos_read_locked(RTC_REG_A) & REG_A_UIP))
			return true;
		x86_pause();
	}
	return false;
}

static void read_raw_locked(struct x86_rtc_raw *r, uint8_t century_index) __must_hold(&cmos_lock)
{
	r->sec = cmos_read_locked(RTC_SEC);
	r->min = cmos_read_locked(RTC_MIN);
	r->hour = cmos_read_locked(RTC_HOUR);
	r->mday = cmos_read_locked(RTC_MDAY);
	r->mon = cmos_read_locked(RTC_MON);
	r->year = cmos_read_locked(RTC_YEAR);
	r->century = century_index ? cmos_read_locked(century_index) : 0;
	r->status_b = cmos_read_locked(RTC_REG_B);
}

static bool same(const struct x86_rtc_raw *a, const struct x86_rtc_raw *b)
{
	return a->sec == b->sec && a->min == b->min && a->hour == b->hour && a->mday == b->mday &&
	       a->mon == b->mon && a->year == b->year && a->century == b->century;
}

/* BCD byte to binary; -1 for a nibble above 9. */
static int from_bcd(uint8_t v)
{
	if ((v & 0x0f) > 9 || (v >> 4) > 9)
		return -1;
	return (v >> 4) * 10 + (v & 0x0f);
}

static unsigned days_in_month(unsigned year, unsigned mon)
{
	static const uint8_t days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return mon == 2 && leap ? 29 : days[mon - 1];
}

/* Each field through BCD when the chip is in BCD mode; -1 marks a bad digit. */
static int field(const struct x86_rtc_raw *raw, uint8_t v)
{
	return (raw->status_b & REG_B_BINARY) ? v : from_bcd(v);
}

/*
 * Decode the registers: BCD or binary (register B, DM), 12-hour clock with
 * the PM flag in the hour's bit 7 or 24-hour (register B, 24/12), and the
 * century (when there is no century byte, years 70-99 are 19xx). Every
 * field is range-checked: a dead battery reads as garbage.
 */
int x86_rtc_decode(const struct x86_rtc_raw *raw, struct rtc_time *out)
{
	bool pm = !(raw->status_b & REG_B_24H) && (raw->hour & HOUR_PM);
	int sec = field(raw, raw->sec), min = field(raw, raw->min);
	int hour = field(raw, raw->hour & (raw->status_b & REG_B_24H ? 0xff : 0x7f));
	int mday = field(raw, raw->mday), mon = field(raw, raw->mon), yy = field(raw, raw->year);
	int cc = raw->century ? field(raw, raw->century) : (yy >= 70 ? 19 : 20);

	if (sec < 0 || sec > 59 || min < 0 || min > 59 || yy < 0 || yy > 99 || cc < 0)
		return -EINVAL;
	if (!(raw->status_b & REG_B_24H)) {
		if (hour < 1 || hour > 12)
			return -EINVAL;
		hour = hour % 12 + (pm ? 12 : 0);
	}
	if (hour < 0 || hour > 23 || mon < 1 || mon > 12)
		return -EINVAL;
	out->year = (uint16_t)(cc * 100 + yy);
	if (mday < 1 || (unsigned)mday > days_in_month(out->year, (unsigned)mon))
		return -EINVAL;
	out->mon = (uint8_t)mon;
	out->mday = (uint8_t)mday;
	out->hour = (uint8_t)hour;
	out->min = (uint8_t)min;
	out->sec = (uint8_t)sec;
	return 0;
}

/* The FADT's CENTURY index when it names a CMOS byte; else 0. */
static uint8_t century_index(bool *no_rtc)
{
	const struct acpi_fadt_info *f = acpi_fadt();

	*no_rtc = f && f->no_cmos_rtc;
	if (!f || f->century <= RTC_REG_B || f->century > CENTURY_MAX_INDEX)
		return 0;
	return f->century;
}

/*
 * Read the date: wait out an update cycle, read every register, and again
 * until two reads agree, so no read straddles an update. Returns 0,
 * -ENODEV (the FADT says there is no CMOS RTC), -EIO (stuck in update or
 * never stable) or -EINVAL (values out of range).
 */
int arch_rtc_read(struct rtc_time *out)
{
	struct x86_rtc_raw a, b;
	uint64_t flags;
	bool no_rtc, stable = false;
	uint8_t ci = century_index(&no_rtc);
	int i;

	if (no_rtc)
		return -ENODEV;
	flags = spin_lock_irqsave(&cmos_lock);
	for (i = 0; i < READ_TRIES && !stable; i++) {
		if (!wait_no_update_locked())
			break;
		read_raw_locked(&a, ci);
		if (!wait_no_update_locked())
			break;
		read_raw_locked(&b, ci);
		stable = same(&a, &b);
	}
	spin_unlock_irqrestore(&cmos_lock, flags);
	if (!stable)
		return -EIO;
	return x86_rtc_decode(&b, out);
}

/* Periodic interrupt at 1024 Hz on IRQ 8 (register A rate, register B PIE). */
void x86_rtc_periodic(bool on)
{
	uint64_t flags = spin_lock_irqsave(&cmos_lock);
	uint8_t a = cmos_read_locked(RTC_REG_A), b = cmos_read_locked(RTC_REG_B);

	if (on)
		cmos_write_locked(RTC_REG_A, (uint8_t)((a & ~REG_A_RATE_MASK) | REG_A_RATE_1024));
	cmos_write_locked(RTC_REG_B, on ? b | REG_B_PIE : b & ~REG_B_PIE);
	(void)cmos_read_locked(RTC_REG_C);
	spin_unlock_irqrestore(&cmos_lock, flags);
}

/* Reading register C clears its flags and lets the RTC raise IRQ 8 again. Any context. */
uint8_t x86_rtc_ack(void)
{
	uint64_t flags = spin_lock_irqsave(&cmos_lock);
	uint8_t c = cmos_read_locked(RTC_REG_C);

	spin_unlock_irqrestore(&cmos_lock, flags);
	return c;
}
