// SPDX-License-Identifier: MIT
/*
 * /proc/cpuinfo on x86: Linux's field names and layout
 * (arch/x86/kernel/cpu/proc.c), filled from CPUID (Intel SDM Vol. 2A,
 * CPUID) on the CPU that reads the file; every CPU of a machine Cairn
 * runs on reports the same features, only the APIC ids differ. The flag
 * list holds the features Cairn knows by name, in Linux's order of
 * CPUID words (1.EDX, 80000001.EDX, 1.ECX, 80000001.ECX, 7.EBX).
 */
#include <arch/cpu.h>
#include <lib/procfs/seq.h>
#include <lib/string.h>

#include "arch/arch.h"
#include "core/percpu.h"

struct cpu_flag {
	uint8_t word; /* index into the register table of show_flags() */
	uint8_t bit;
	const char *name;
};

/* Word 0: CPUID 1 EDX; 1: 80000001 EDX; 2: 1 ECX; 3: 80000001 ECX; 4: 7.0 EBX. */
static const struct cpu_flag cpu_flags[] = {
	{ 0, 0, "fpu" },         { 0, 1, "vme" },      { 0, 2, "de" },        { 0, 3, "pse" },
	{ 0, 4, "tsc" },         { 0, 5, "msr" },      { 0, 6, "pae" },       { 0, 7, "mce" },
	{ 0, 8, "cx8" },         { 0, 9, "apic" },     { 0, 11, "sep" },      { 0, 12, "mtrr" },
	{ 0, 13, "pge" },        { 0, 14, "mca" },     { 0, 15, "cmov" },     { 0, 16, "pat" },
	{ 0, 17, "pse36" },      { 0, 19, "clflush" }, { 0, 23, "mmx" },      { 0, 24, "fxsr" },
	{ 0, 25, "sse" },        { 0, 26, "sse2" },    { 0, 27, "ss" },       { 0, 28, "ht" },
	{ 1, 11, "syscall" },    { 1, 20, "nx" },      { 1, 26, "pdpe1gb" },  { 1, 27, "rdtscp" },
	{ 1, 29, "lm" },         { 2, 0, "pni" },      { 2, 1, "pclmulqdq" }, { 2, 9, "ssse3" },
	{ 2, 12, "fma" },        { 2, 13, "cx16" },    { 2, 19, "sse4_1" },   { 2, 20, "sse4_2" },
	{ 2, 21, "x2apic" },     { 2, 22, "movbe" },   { 2, 23, "popcnt" },   { 2, 25, "aes" },
	{ 2, 26, "xsave" },      { 2, 28, "avx" },     { 2, 29, "f16c" },     { 2, 30, "rdrand" },
	{ 2, 31, "hypervisor" }, { 3, 0, "lahf_lm" },  { 3, 5, "abm" },       { 4, 0, "fsgsbase" },
	{ 4, 3, "bmi1" },        { 4, 5, "avx2" },     { 4, 7, "smep" },      { 4, 8, "bmi2" },
	{ 4, 9, "erms" },        { 4, 18, "rdseed" },  { 4, 19, "adx" },      { 4, 20, "smap" },
};

static uint32_t max_leaf(uint32_t base)
{
	uint32_t r[4];

	x86_cpuid(base, 0, r);
	return r[0];
}

/* The brand string of leaves 80000002-80000004, leading spaces dropped. */
static void show_model_name(struct seqbuf *s)
{
	uint32_t r[12];
	const char *p = (const char *)r;
	size_t n;

	if (max_leaf(0x80000000u) < 0x80000004u) {
		seq_puts(s, "model name\t: unknown\n");
		return;
	}
	for (unsigned i = 0; i < 3; i++)
		x86_cpuid(0x80000002u + i, 0, &r[4 * i]);
	while (*p == ' ')
		p++;
	n = strnlen(p, sizeof(r) - (size_t)(p - (const char *)r));
	seq_puts(s, "model name\t: ");
	seq_write(s, p, n);
	seq_putc(s, '\n');
}

static void show_flags(struct seqbuf *s)
{
	uint32_t r[4], words[5] = { 0 };
	unsigned i;

	x86_cpuid(1, 0, r);
	words[0] = r[3];
	words[2] = r[2];
	if (max_leaf(0x80000000u) >= 0x80000001u) {
		x86_cpuid(0x80000001u, 0, r);
		words[1] = r[3];
		words[3] = r[2];
	}
	if (max_leaf(0) >= 7) {
		x86_cpuid(7, 0, r);
		words[4] = r[1];
	}
	seq_puts(s, "flags\t\t:");
	for (i = 0; i < sizeof(cpu_flags) / sizeof(cpu_flags[0]); i++)
		if (words[cpu_flags[i].word] >> cpu_flags[i].bit & 1)
			seq_printf(s, " %s", cpu_flags[i].name);
	seq_puts(s, "\nbugs\t\t:\n");
}

/* Family, model and stepping with the extended fields folded in (SDM Vol. 2A, CPUID.01H:EAX). */
static void show_ident(struct seqbuf *s, unsigned cpu)
{
	uint32_t r[4], vendor[4] = { 0 };
	unsigned family, model;

	x86_cpuid(0, 0, r);
	vendor[0] = r[1];
	vendor[1] = r[3];
	vendor[2] = r[2];
	seq_printf(s, "processor\t: %u\nvendor_id\t: %s\n", cpu, (const char *)vendor);
	x86_cpuid(1, 0, r);
	family = (r[0] >> 8) & 0xf;
	model = (r[0] >> 4) & 0xf;
	if (family == 0xf)
		family += (r[0] >> 20) & 0xff;
	if (family >= 6)
		model |= ((r[0] >> 16) & 0xf) << 4;
	seq_printf(s, "cpu family\t: %u\nmodel\t\t: %u\n", family, model);
	show_model_name(s);
	seq_printf(s, "stepping\t: %u\n", r[0] & 0xf);
}

void arch_cpuinfo(struct seqbuf *s, unsigned cpu, unsigned ncpus)
{
	uint64_t khz = arch_cycles_khz();
	unsigned apic = percpu_of(cpu)->apic_id, clflush, phys = 36, virt = 48;
	uint32_t r[4];

	show_ident(s, cpu);
	seq_printf(s, "cpu MHz\t\t: %llu.%03llu\n", (unsigned long long)(khz / 1000),
	           (unsigned long long)(khz % 1000));
	if (max_leaf(0x80000000u) >= 0x80000006u) {
		x86_cpuid(0x80000006u, 0, r);
		if (r[2] >> 16)
			seq_printf(s, "cache size\t: %u KB\n", r[2] >> 16);
	}
	seq_printf(s, "physical id\t: 0\nsiblings\t: %u\ncore id\t\t: %u\ncpu cores\t: %u\n", ncpus,
	           cpu, ncpus);
	seq_printf(s, "apicid\t\t: %u\ninitial apicid\t: %u\n", apic, apic);
	seq_printf(s, "fpu\t\t: yes\nfpu_exception\t: yes\ncpuid level\t: %u\nwp\t\t: yes\n",
	           max_leaf(0));
	show_flags(s);
	seq_printf(s, "bogomips\t: %llu.%02llu\n", (unsigned long long)(khz / 500),
	           (unsigned long long)(khz / 5 % 100));
	x86_cpuid(1, 0, r);
	clflush = ((r[1] >> 8) & 0xff) * 8;
	if (max_leaf(0x80000000u) >= 0x80000008u) {
		x86_cpuid(0x80000008u, 0, r);
		phys = r[0] & 0xff;
		virt = (r[0] >> 8) & 0xff;
	}
	seq_printf(s, "clflush size\t: %u\ncache_alignment\t: %u\n", clflush, clflush);
	seq_printf(s, "address sizes\t: %u bits physical, %u bits virtual\npower management:\n\n",
	           phys, virt);
}
