// SPDX-License-Identifier: MIT
/*
 * kmain: the generic kernel's first C function on every boot path. Brings
 * up the console, the CPU tables and the framebuffer, reports the machine
 * and prints the "cairn: ready" line that tools and tests key on. Then it
 * runs the mode the command line asks for (tests, benchmarks, power), or
 * hands the consoles their input.
 */
#include "core/kmain.h"

#include <lib/format.h>
#include <lib/string.h>

#include "acpi/power.h"
#include "arch/arch.h"
#include "block/blkdev.h"
#include "bus/pci/pci.h"
#include "core/cmdline.h"
#include "core/kbench.h"
#include "core/ktest.h"
#include "core/log.h"
#include "core/panic.h"
#include "core/smp.h"
#include "dev/fb.h"
#include "dev/fbcon.h"
#include "dev/font.h"
#include "dev/ps2.h"
#include "dev/ps2_user.h"
#include "dev/uart16550.h"
#include "fs/fs_types.h"
#include "irq/irq.h"
#include "mm/heap.h"
#include "mm/pagecache.h"
#include "mm/pmm.h"
#include "mm/vm.h"
#include "net/netconf.h"
#include "net/netif.h"
#include "proc/proc.h"
#include "sched/task.h"
#include "shell/shell.h"
#include "time/time.h"
#include "tty/tty.h"

#define BANNER_BG  0x101820 /* fb_banner()'s background colour (dev/fb.c) */
#define BOOT_STEPS 24

struct boot_info boot_info;
bool kernel_test_mode;

/* What the kernel asks of its loader (docs/boot-protocol.md). */
static const struct cairn_config kernel_config __attribute__((used, section(".cairn.config"))) = {
	.magic = CAIRN_CONFIG_MAGIC,
	.version = CAIRN_CONFIG_VERSION,
	.size = sizeof(struct cairn_config),
	.stack_size = CAIRN_CONFIG_DEFAULT_STACK,
	.fb_width = 1024,
	.fb_height = 768,
	.flags = CAIRN_CONFIG_LA57_OK,
};

static const char *const method_names[] = {
	[BOOT_METHOD_UEFI] = "uefi",
	[BOOT_METHOD_BIOS] = "bios",
	[BOOT_METHOD_PVH] = "pvh",
	[BOOT_METHOD_MULTIBOOT2] = "multiboot2",
};

static const char *method_name(uint32_t m)
{
	return m < sizeof(method_names) / sizeof(method_names[0]) && method_names[m]
	               ? method_names[m]
	               : "unknown";
}

static uint64_t usable_mib(void)
{
	uint64_t bytes = 0;
	uint32_t i;

	for (i = 0; i < boot_info.mmap_count; i++) {
		uint32_t t = boot_info.mmap[i].type;

		if (t == BOOT_MEM_USABLE || t == BOOT_MEM_LOADER || t == BOOT_MEM_ACPI_RECLAIMABLE)
			bytes += boot_info.mmap[i].length;
	}
	return bytes >> 20;
}

static void log_memory_map(void)
{
	uint32_t i;

	for (i = 0; i < boot_info.mmap_count; i++)
		pr_debug(
			"mem: %#018llx-%#018llx type %u",
			(unsigned long long)boot_info.mmap[i].base,
			(unsigned long long)(boot_info.mmap[i].base + boot_info.mmap[i].length - 1),
			boot_info.mmap[i].type);
}

/* Where boot time goes: the cycle count at the end of each kmain step (loglevel=3 prints it). */
static struct {
	const char *name[BOOT_STEPS];
	uint64_t end[BOOT_STEPS];
	unsigned n;
} steps; /* [B] */

static void boot_step(const char *name)
{
	if (steps.n < BOOT_STEPS) {
		steps.name[steps.n] = name;
		steps.end[steps.n++] = arch_cycles();
	}
}

/* One debug line, in tenths of a millisecond, once the clock's rate is known. */
static void log_boot_steps(void)
{
	uint64_t prev = boot_info.tsc_at_loader_entry, khz = arch_cycles_khz();
	char line[320];
	size_t len = 0;
	unsigned i;

	if (log_threshold < LOG_DEBUG)
		return;
	for (i = 0; i < steps.n && len < sizeof(line); i++) {
		uint64_t tenths = (steps.end[i] - prev) * 10 / khz;

		len += (size_t)fmt_snprintf(line + len, sizeof(line) - len, " %s %llu.%llu",
		                            steps.name[i], (unsigned long long)(tenths / 10),
		                            (unsigned long long)(tenths % 10));
		prev = steps.end[i];
	}
	pr_debug("boot: ms per step since loader entry:%s", line);
}

/* Frames, page tables, heap; the time of each step goes to the boot profile. */
static void mm_init(void)
{
	if (pmm_init(&boot_info))
		panic("mm: cannot set up the frame allocator");
	boot_step("frames");
	if (vm_init())
		panic("mm: cannot build the kernel page tables");
	boot_step("page-tables");
	if (heap_init())
		panic("mm: cannot set up the heap");
	boot_step("heap");
}

static void print_ready(void)
{
	uint64_t ms = (arch_cycles() - boot_info.tsc_at_loader_entry) / arch_cycles_khz();

	kprintf("cairn: ready boot=%s cpus=%u mem=%lluMiB t=%llums\n",
	        method_name(boot_info.method), smp_cpu_count(), (unsigned long long)usable_mib(),
	        (unsigned long long)ms);
}

static void run_tests(const char *filter)
{
	char f[64];

	cmdline_word(filter, f, sizeof(f));
	arch_qemu_exit(ktest_run(f) == 0 ? KERNEL_EXIT_PASS : KERNEL_EXIT_FAIL);
}

/* True when the command line asks for a mode that runs and ends (tests, benchmarks). */
static bool one_shot_mode(void)
{
	return kernel_test_mode || cmdline_get("kbench") || cmdline_get("echo-test") ||
	       cmdline_get("clock-test");
}

/*
 * The text console on the screen, below the banner: fb_banner() draws its
 * title at y 32 four times the font's size, a gap of 16, then one line of
 * the font (dev/fb.c); 16 more pixels part it from the text. One-shot modes
 * leave the screen to the fbcon suites and benchmark, which draw from the
 * top.
 */
static void screen_console_init(void)
{
	uint32_t banner = 32 + 4 * font_default.height + 16 + font_default.height + 16;

	if (one_shot_mode() || !fb_present())
		return;
	if (fbcon_reserve_top(banner, BANNER_BG) == 0)
		fbcon_init();
}

/* The one-shot modes of the command line; each ends QEMU or the machine. */
static void run_boot_mode(void)
{
	const char *v;

	if (cmdline_get("echo-test")) {
		uart_echo_test(&uart_console);
		arch_qemu_exit(KERNEL_EXIT_PASS);
	}
	/* A real panic report, for the test that its backtrace names functions (docs/kaslr.md). */
	if (cmdline_get("panic-test"))
		panic("panic-test on the command line");
	if (cmdline_get("clock-test")) {
		time_clock_test();
		arch_qemu_exit(KERNEL_EXIT_PASS);
	}
	if ((v = cmdline_get("ktest")))
		run_tests(v);
	if ((v = cmdline_get("kbench"))) {
		char f[64];

		cmdline_word(v, f, sizeof(f));
		kbench_run(f);
		arch_qemu_exit(KERNEL_EXIT_PASS);
	}
	if (cmdline_get("poweroff"))
		power_off();
	if (cmdline_get("reboot"))
		power_reboot();
}

/*
 * Memory, interrupts, time, the other CPUs and tasks. The clock's
 * calibration window stays open from time_start() to time_init() and the
 * other CPUs start from smp_start() to smp_init(), so the work in between
 * is their wait (docs/performance.md, "Direct boot against a null kernel").
 */
static void machine_init(void)
{
	mm_init();
	time_start();
	boot_step("time-start");
	irq_init();
	boot_step("irq");
	smp_start();
	boot_step("smp-start");
	time_init();
	boot_step("time");
	smp_init();
	boot_step("smp");
	task_init();
	uart_enable_rx_irq(&uart_console, UART_COM1_IRQ);
	irq_enable();
	boot_step("tasks");
}

void kmain(const struct boot_info *bi)
{
	const char *v;

	boot_step("loader");
	uart_init(&uart_console, UART_COM1);
	if (bi->magic != CAIRN_BOOT_MAGIC || bi->version != CAIRN_BOOT_VERSION ||
	    bi->size != sizeof(*bi)) {
		kprintf("kernel: bad boot_info (magic %#llx version %u size %u)\n",
		        (unsigned long long)bi->magic, bi->version, bi->size);
		arch_halt();
	}
	boot_info = *bi;
	boot_info.cmdline[BOOT_CMDLINE_MAX - 1] = 0;
	if ((v = cmdline_get("loglevel")) && *v >= '0' && *v <= '3')
		log_threshold = (enum log_level)(*v - '0');
	pr_info("kernel: Cairn %s, booted by %s (%s), cmdline \"%s\"", CAIRN_VERSION,
	        boot_info.loader_name, method_name(boot_info.method), boot_info.cmdline);
	arch_early_init(&boot_info);
	boot_step("arch");
	pr_info("serial: 16550 at %#x, loopback %s", UART_COM1,
	        uart_selftest(&uart_console) == 0 ? "ok" : "FAILED");
	log_memory_map();
	boot_step("serial");
	machine_init();
	fb_init(&boot_info.fb);
	fb_banner("Cairn " CAIRN_VERSION);
	kernel_test_mode = cmdline_get("ktest") != NULL;
	screen_console_init();
	boot_step("fb");
	ps2_init();
	boot_step("ps2");
	tty_init();
	boot_step("tty");
	task_wait_cpus();
	boot_step("cpus");
	/* The page cache's writeback task and shrinker, before any file system has pages. */
	pagecache_init();
	/* The file tree, before the tests, init= or the shell can look for a path. */
	if (fs_boot())
		pr_err("kernel: no file tree; going on without one");
	boot_step("fs");
	/* The network's core (lo, the net task, the socket families) before NICs probe. */
	if (net_init())
		pr_err("kernel: no network stack");
	boot_step("net");
	/* Buses and drivers, once /dev exists for the disks they find. */
	if (pci_init())
		pr_err("kernel: PCI enumeration failed; no PCI devices");
	boot_step("pci");
	/* The disks are probed: `root=` may move "/" onto one (docs/block.md). */
	block_boot();
	boot_step("block");
	net_config_boot(); /* ip= or DHCP, once / is final (docs/net-config.md) */
	log_boot_steps();
	print_ready();
	run_boot_mode();
	/* From here the consoles read their devices (one-shot modes read them directly). */
	tty_start_input();
	if (!proc_start_init()) /* init= takes the console from the kernel shell */
		shell_start();
	/* After init, which must be pid 1: /sbin/ps2kbd takes the keyboard (docs/ps2-user.md). */
	ps2_user_start();
	shell_serve_boot_flow(); /* commands that must run in "main" on CPU 0 */
}
