/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/procfs: the text buffer (cutting, escaping, padding),
 * the load-average arithmetic against values worked out by hand, and the
 * formats of /proc's files against lines as Linux 6.1 prints them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

/* The code under test. */
#include <lib/procfs/loadavg.h>
#include <lib/procfs/procfmt.h>
#include <lib/procfs/seq.h>

static char text[65536];

static struct seqbuf fresh(void)
{
	struct seqbuf s;

	seq_init(&s, text, sizeof(text));
	return s;
}

/* The buffer's text as a C string (the buffer itself has no NUL). */
static const char *str(struct seqbuf *s)
{
	static char out[sizeof(text) + 1];

	memcpy(out, s->buf, s->len);
	out[s->len] = '\0';
	return out;
}

static void seq_cuts_and_flags(void **state)
{
	char small[8];
	struct seqbuf s;

	(void)state;
	seq_init(&s, small, sizeof(small));
	seq_puts(&s, "abc");
	assert_false(seq_overflowed(&s));
	seq_printf(&s, "%d-%s", 12345, "xyz");
	assert_true(seq_overflowed(&s));
	assert_int_equal(s.len, 8);
	assert_memory_equal(small, "abc12345", 8);
	seq_putc(&s, 'q');
	assert_int_equal(s.len, 8);
}

static void seq_escapes_octal(void **state)
{
	struct seqbuf s = fresh();

	(void)state;
	seq_escape(&s, "/mnt/a b\tc\\d\ne", " \t\n\\");
	assert_string_equal(str(&s), "/mnt/a\\040b\\011c\\134d\\012e");
}

static void seq_pads_to_column(void **state)
{
	struct seqbuf s = fresh();

	(void)state;
	seq_puts(&s, "first line\n");
	seq_setwidth(&s, 6);
	seq_puts(&s, "abc");
	seq_pad(&s, '|');
	seq_puts(&s, "\n");
	seq_setwidth(&s, 2);
	seq_puts(&s, "abcd");
	seq_pad(&s, 0);
	assert_string_equal(str(&s), "first line\nabc   |\nabcd");
}

static void loadavg_converges(void **state)
{
	unsigned long avg[3] = { 0, 0, 0 }, r[3];
	int i;

	(void)state;
	/* One step from 0 with one task: 1 * (2048 - 1884) rounded up = 164 + 2047 / 2048... */
	assert_int_equal(loadavg_step(0, LOADAVG_EXP_1, LOADAVG_FIXED_1),
	                 (LOADAVG_FIXED_1 * (LOADAVG_FIXED_1 - LOADAVG_EXP_1) + 2047) / 2048);
	/* Decay with nothing running never rounds up and reaches 0. */
	assert_int_equal(loadavg_step(100, LOADAVG_EXP_1, 0), 100 * 1884 / 2048);
	/* A steady two tasks for an hour: the 1-minute mean reads 2.00. */
	for (i = 0; i < 720; i++)
		loadavg_update(avg, 2);
	loadavg_rounded(avg, r);
	assert_int_equal(LOADAVG_INT(r[0]), 2);
	assert_int_equal(LOADAVG_FRAC(r[0]), 0);
	/* The 15-minute mean has come within 5% of 2 after an hour and never passes it. */
	assert_true(avg[2] <= 2 * LOADAVG_FIXED_1 && avg[2] > 19 * LOADAVG_FIXED_1 / 10);
}

static struct procfmt_task sample_task(void)
{
	struct procfmt_task t;

	memset(&t, 0, sizeof(t));
	t.pid = t.tid = 42;
	t.ppid = 1;
	t.pgid = 42;
	t.sid = 7;
	t.tpgid = -1;
	t.state = 'S';
	strcpy(t.comm, "sh");
	t.flags = 0x400100;
	t.utime = 12;
	t.stime = 3;
	t.priority = 20;
	t.nthreads = 1;
	t.start_time = 250;
	t.vsize = 1126400;
	t.rss = 90;
	t.rsslim = UINT64_MAX;
	t.start_code = 0x400000;
	t.end_code = 0x4a1234;
	t.start_stack = 0x7ffd1000;
	t.sig_blocked = 1ull << 1 | 1ull << 40;
	t.sig_caught = 0x10002;
	t.waiting = true;
	t.exit_signal = 17;
	t.cpu = 1;
	t.start_data = 0x4a2000;
	t.end_data = 0x4a3000;
	t.start_brk = 0x4c0000;
	t.arg_start = 0x7ffd2000;
	t.arg_end = 0x7ffd2008;
	t.env_start = 0x7ffd2008;
	t.env_end = 0x7ffd2100;
	return t;
}

static void pid_stat_line(void **state)
{
	struct seqbuf s = fresh();
	struct procfmt_task t = sample_task();

	(void)state;
	procfmt_pid_stat(&s, &t);
	assert_string_equal(str(&s), "42 (sh) S 1 42 7 0 -1 4194560 0 0 0 0 12 3 0 0 20 0 1 0 250 "
	                             "1126400 90 18446744073709551615 4194304 4854324 2147291136 0 "
	                             "0 0 2 0 65538 1 0 0 17 1 0 0 0 0 0 4857856 4861952 4980736 "
	                             "2147295232 2147295240 2147295240 2147295488 0\n");
}

/* The number of space-separated fields after the ")" plus the two before: 52 as in Linux. */
static void pid_stat_has_52_fields(void **state)
{
	struct seqbuf s = fresh();
	struct procfmt_task t = sample_task();
	const char *p;
	int n = 2;

	(void)state;
	strcpy(t.comm, "a b) c");
	procfmt_pid_stat(&s, &t);
	p = strrchr(str(&s), ')');
	assert_non_null(p);
	for (p++; *p; p++)
		n += *p == ' ';
	assert_int_equal(n, 52);
}

static void pid_status_lines(void **state)
{
	struct seqbuf s = fresh();
	struct procfmt_task t = sample_task();
	const char *out;

	(void)state;
	t.umask = 022;
	t.uid[0] = t.uid[1] = t.uid[2] = t.uid[3] = 1000;
	t.ngroups = 2;
	t.groups[0] = 24;
	t.groups[1] = 100;
	t.fd_size = 64;
	t.vm_size = t.vm_peak = 1100;
	t.vm_rss = t.vm_hwm = 360;
	t.rss_anon = 100;
	t.cpus_allowed = 3;
	t.ncpus = 2;
	t.sigq_max = 7823;
	procfmt_pid_status(&s, &t);
	out = str(&s);
	assert_non_null(strstr(out, "Name:\tsh\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t42\n"));
	assert_non_null(strstr(out, "Uid:\t1000\t1000\t1000\t1000\nGid:\t0\t0\t0\t0\n"));
	assert_non_null(strstr(out, "FDSize:\t64\nGroups:\t24 100 \nNStgid:\t42\n"));
	assert_non_null(strstr(out, "VmSize:\t    1100 kB\n"));
	assert_non_null(strstr(out, "RssFile:\t     260 kB\n"));
	assert_non_null(strstr(out, "SigQ:\t0/7823\nSigPnd:\t0000000000000000\n"));
	assert_non_null(strstr(out, "SigBlk:\t0000010000000002\n"));
	assert_non_null(strstr(out, "CapEff:\t0000000000000000\n"));
	assert_non_null(strstr(out, "Cpus_allowed:\t3\nCpus_allowed_list:\t0-1\n"));
	assert_non_null(strstr(out, "Mems_allowed:\t00000000,"));
	assert_non_null(strstr(out, ",00000001\nMems_allowed_list:\t0\n"));
	assert_non_null(strstr(out, "nonvoluntary_ctxt_switches:\t0\n"));
}

/* The labels in the order Debian's 6.1.0-57 kernel printed them for a process. */
static void pid_status_order(void **state)
{
	static const char *const order[] = {
		"Name:",
		"Umask:",
		"State:",
		"Tgid:",
		"Ngid:",
		"Pid:",
		"PPid:",
		"TracerPid:",
		"Uid:",
		"Gid:",
		"FDSize:",
		"Groups:",
		"NStgid:",
		"NSpid:",
		"NSpgid:",
		"NSsid:",
		"VmPeak:",
		"VmSize:",
		"VmLck:",
		"VmPin:",
		"VmHWM:",
		"VmRSS:",
		"RssAnon:",
		"RssFile:",
		"RssShmem:",
		"VmData:",
		"VmStk:",
		"VmExe:",
		"VmLib:",
		"VmPTE:",
		"VmSwap:",
		"HugetlbPages:",
		"CoreDumping:",
		"THP_enabled:",
		"Threads:",
		"SigQ:",
		"SigPnd:",
		"ShdPnd:",
		"SigBlk:",
		"SigIgn:",
		"SigCgt:",
		"CapInh:",
		"CapPrm:",
		"CapEff:",
		"CapBnd:",
		"CapAmb:",
		"NoNewPrivs:",
		"Seccomp:",
		"Seccomp_filters:",
		"Speculation_Store_Bypass:",
		"SpeculationIndirectBranch:",
		"Cpus_allowed:",
		"Cpus_allowed_list:",
		"Mems_allowed:",
		"Mems_allowed_list:",
		"voluntary_ctxt_switches:",
		"nonvoluntary_ctxt_switches:",
	};
	struct seqbuf s = fresh();
	struct procfmt_task t = sample_task();
	const char *p;

	(void)state;
	t.vm_size = 100;
	t.umask = 022;
	procfmt_pid_status(&s, &t);
	p = str(&s);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		assert_true(strncmp(p, order[i], strlen(order[i])) == 0);
		p = strchr(p, '\n') + 1;
	}
	assert_true(*p == '\0');
}

static void pid_status_masks(void **state)
{
	struct seqbuf s = fresh();
	struct procfmt_task t = sample_task();

	(void)state;
	t.cpus_allowed = 0x2d; /* CPUs 0, 2, 3, 5 of 36 */
	t.ncpus = 36;
	procfmt_pid_status(&s, &t);
	assert_non_null(
		strstr(str(&s), "Cpus_allowed:\t0,0000002d\nCpus_allowed_list:\t0,2-3,5\n"));
	/* A zombie has no address space: no Vm lines. */
	assert_null(strstr(str(&s), "VmSize"));
}

static void statm_line(void **state)
{
	struct seqbuf s = fresh();
	struct procfmt_task t = sample_task();

	(void)state;
	t.text_pages = 161;
	t.data_pages = 40;
	procfmt_pid_statm(&s, &t);
	assert_string_equal(str(&s), "275 90 0 161 0 40 0\n");
}

static void maps_lines(void **state)
{
	struct seqbuf s = fresh();
	struct procfmt_vma heap = {
		0x5598d82f8000, 0x5598d8319000, true, true, false, false, 0, 0, 0, 0, "[heap]"
	};
	struct procfmt_vma anon = {
		0x7fc27c89c000, 0x7fc27c8be000, true, true, false, false, 0, 0, 0, 0, NULL
	};
	struct procfmt_vma low = { 0x400000, 0x401000, true, false, true,    true,
		                   0x1000,   0xfe,     1,    77,    "/bin/x" };

	(void)state;
	procfmt_map(&s, &heap);
	procfmt_map(&s, &anon);
	procfmt_map(&s, &low);
	/* The first two lines are copied from a Linux maps file. */
	assert_string_equal(str(&s),
	                    "5598d82f8000-5598d8319000 rw-p 00000000 00:00 0                     "
	                    "     [heap]\n"
	                    "7fc27c89c000-7fc27c8be000 rw-p 00000000 00:00 0 \n"
	                    "00400000-00401000 r-xs 00001000 fe:01 77                             "
	                    "    /bin/x\n");
}

static void meminfo_text(void **state)
{
	struct seqbuf s = fresh();
	struct procfmt_mem m;
	const char *out;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.total = 24683772ull * 1024;
	m.free = 23711688ull * 1024;
	m.vmalloc_total = 34359738367ull * 1024;
	m.gbpages = true;
	procfmt_meminfo(&s, &m);
	out = str(&s);
	assert_true(strncmp(out, "MemTotal:       24683772 kB\nMemFree:        23711688 kB\n",
	                    56) == 0);
	assert_non_null(strstr(out, "\nActive(anon):          0 kB\n"));
	assert_non_null(strstr(out, "\nVmallocTotal:   34359738367 kB\n"));
	assert_non_null(strstr(out, "\nHardwareCorrupted:     0 kB\n"));
	assert_non_null(strstr(out, "\nHugePages_Total:       0\n"));
	assert_non_null(strstr(out, "\nHugepagesize:       2048 kB\n"));
	assert_non_null(strstr(out, "\nDirectMap1G:           0 kB\n"));
	/* Debian's 6.1.192 has SecPageTables right after PageTables (a backport). */
	assert_non_null(
		strstr(out, "\nPageTables:            0 kB\nSecPageTables:         0 kB\n"));
	/* The labels in the order Debian's 6.1.0-57 kernel printed them on QEMU (no 1 GiB pages). */
	m.gbpages = false;
	s = fresh();
	procfmt_meminfo(&s, &m);
	out = str(&s);
	{
		static const char *const order[] = {
			"MemTotal:",       "MemFree:",
			"MemAvailable:",   "Buffers:",
			"Cached:",         "SwapCached:",
			"Active:",         "Inactive:",
			"Active(anon):",   "Inactive(anon):",
			"Active(file):",   "Inactive(file):",
			"Unevictable:",    "Mlocked:",
			"SwapTotal:",      "SwapFree:",
			"Zswap:",          "Zswapped:",
			"Dirty:",          "Writeback:",
			"AnonPages:",      "Mapped:",
			"Shmem:",          "KReclaimable:",
			"Slab:",           "SReclaimable:",
			"SUnreclaim:",     "KernelStack:",
			"PageTables:",     "SecPageTables:",
			"NFS_Unstable:",   "Bounce:",
			"WritebackTmp:",   "CommitLimit:",
			"Committed_AS:",   "VmallocTotal:",
			"VmallocUsed:",    "VmallocChunk:",
			"Percpu:",         "HardwareCorrupted:",
			"AnonHugePages:",  "ShmemHugePages:",
			"ShmemPmdMapped:", "FileHugePages:",
			"FilePmdMapped:",  "HugePages_Total:",
			"HugePages_Free:", "HugePages_Rsvd:",
			"HugePages_Surp:", "Hugepagesize:",
			"Hugetlb:",        "DirectMap4k:",
			"DirectMap2M:",
		};
		const char *p = out;

		for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
			assert_true(strncmp(p, order[i], strlen(order[i])) == 0);
			p = strchr(p, '\n') + 1;
		}
		assert_true(*p == '\0');
	}
}

static void stat_text(void **state)
{
	struct procfmt_cputime cpu[2] = { { 100, 0, 20, 500, 0, 0, 0, 0, 0, 0 },
		                          { 50, 1, 10, 700, 2, 0, 0, 0, 0, 0 } };
	struct procfmt_sysstat st = { cpu, 2, 0, 9876, 1796525668, 577, 3, 0 };
	struct seqbuf s = fresh();

	(void)state;
	procfmt_stat(&s, &st);
	assert_string_equal(str(&s), "cpu  150 1 30 1200 2 0 0 0 0 0\n"
	                             "cpu0 100 0 20 500 0 0 0 0 0 0\n"
	                             "cpu1 50 1 10 700 2 0 0 0 0 0\n"
	                             "intr 0\nctxt 9876\nbtime 1796525668\nprocesses 577\n"
	                             "procs_running 3\nprocs_blocked 0\n"
	                             "softirq 0 0 0 0 0 0 0 0 0 0 0\n");
}

static void loadavg_and_uptime_text(void **state)
{
	unsigned long avg[3] = { 2 * LOADAVG_FIXED_1 + 205, 1967, 0 };
	struct seqbuf s = fresh();

	(void)state;
	procfmt_loadavg(&s, avg, 1, 127, 26210);
	procfmt_uptime(&s, 19662470000000ull, 9922329999999ull);
	/* 205/2048 = 0.1000..., 1967/2048 = 0.9604... -> rounded 0.96. */
	assert_string_equal(str(&s), "2.10 0.96 0.00 1/127 26210\n19662.47 9922.32\n");
}

static void mounts_line(void **state)
{
	struct seqbuf s = fresh();

	(void)state;
	procfmt_mount(&s, "proc", "/proc", "proc", "rw,nosuid");
	procfmt_mount(&s, NULL, "/mnt/my disk", "tmpfs", "ro");
	assert_string_equal(str(&s), "proc /proc proc rw,nosuid 0 0\n"
	                             "none /mnt/my\\040disk tmpfs ro 0 0\n");
}

static void ticks(void **state)
{
	(void)state;
	assert_int_equal(procfmt_ns_to_ticks(0), 0);
	assert_int_equal(procfmt_ns_to_ticks(9999999), 0);
	assert_int_equal(procfmt_ns_to_ticks(10000000), 1);
	assert_int_equal(procfmt_ns_to_ticks(2500000000ull), 250);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seq_cuts_and_flags), cmocka_unit_test(seq_escapes_octal),
		cmocka_unit_test(seq_pads_to_column), cmocka_unit_test(loadavg_converges),
		cmocka_unit_test(pid_stat_line),      cmocka_unit_test(pid_stat_has_52_fields),
		cmocka_unit_test(pid_status_lines),   cmocka_unit_test(pid_status_masks),
		cmocka_unit_test(pid_status_order),   cmocka_unit_test(statm_line),
		cmocka_unit_test(maps_lines),         cmocka_unit_test(meminfo_text),
		cmocka_unit_test(stat_text),          cmocka_unit_test(loadavg_and_uptime_text),
		cmocka_unit_test(mounts_line),        cmocka_unit_test(ticks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
