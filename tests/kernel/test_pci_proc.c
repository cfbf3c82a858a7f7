// SPDX-License-Identifier: MIT
/*
 * What the PCI core shows: /proc/bus/pci/devices in Linux's layout (one
 * line per function, fields checked against the device list),
 * /proc/interrupts with a message vector's count in its CPU's column, and
 * the shell's lspci.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>

#include <lib/format.h>
#include <lib/string.h>

#include "bus/pci/pci.h"
#include "core/ktest.h"
#include "fs/file.h"
#include "fs/fs_types.h"
#include "fs/procfs/internal.h"
#include "fs/vfs.h"
#include "mm/heap.h"
#include "shell/shell.h"
#include "vfs_testfs.h"

#define TEXT_MAX 16384

/* Mount proc in a scratch directory, read @name whole into a heap buffer; its length or -errno. */
static long read_proc(const char *name, char **out)
{
	char dir[32], mnt[64], path[128];
	struct path p;
	struct file *f;
	long r, len = 0;

	if (!vfs_find_fs("proc"))
		EXPECT_EQ(procfs_register(), 0);
	vfs_test_scratch(dir);
	fmt_snprintf(mnt, sizeof(mnt), "%s/proc", dir);
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, mnt, 0555), 0);
	EXPECT_EQ(vfs_walk(AT_FDCWD, mnt, LOOKUP_FOLLOW, &p), 0);
	EXPECT_EQ(vfs_mount("proc", &p, "proc", 0, NULL), 0);
	path_put(&p);
	*out = kmalloc(TEXT_MAX);
	fmt_snprintf(path, sizeof(path), "%s/%s", mnt, name);
	f = vfs_open(AT_FDCWD, path, O_RDONLY, 0);
	EXPECT_TRUE(!IS_ERR_PTR(f));
	while ((r = kernel_read(f, *out + len, TEXT_MAX - 1 - len, NULL)) > 0)
		len += r;
	file_put(f);
	(*out)[len] = 0;
	/* The mount's root, now that the walk crosses into it, is what umount takes. */
	EXPECT_EQ(vfs_walk(AT_FDCWD, mnt, LOOKUP_FOLLOW, &p), 0);
	EXPECT_EQ(vfs_umount(&p, 0), 0);
	path_put(&p);
	EXPECT_EQ(vfs_rmdir(AT_FDCWD, mnt), 0);
	vfs_test_scratch_done(dir);
	return r < 0 ? r : len;
}

static unsigned count_lines(const char *t)
{
	unsigned n = 0;

	for (; *t; t++)
		n += *t == '\n';
	return n;
}

TEST(pci, proc_devices_has_a_line_per_function)
{
	struct pci_dev *d = pci_dev_at(0);
	char *t, want[64];
	unsigned i;

	EXPECT_TRUE(read_proc("bus/pci/devices", &t) > 0);
	EXPECT_EQ(count_lines(t), pci_dev_count());
	/* The host bridge's line starts with bus and devfn, then vendor and device. */
	fmt_snprintf(want, sizeof(want), "0000\t%04x%04x\t", d->vendor, d->device);
	EXPECT_TRUE(strncmp(t, want, strlen(want)) == 0);
	for (i = 0; (d = pci_dev_at(i)); i++) {
		fmt_snprintf(want, sizeof(want), "%02x%02x\t%04x%04x\t", d->addr.bus,
		             d->addr.dev << 3 | d->addr.fn, d->vendor, d->device);
		EXPECT_TRUE(strstr(t, want) != NULL);
		/* A BAR's start with its flag bits, right-aligned in 16 hex digits. */
		if (d->bar[0].size && !(d->bar[0].flags & PCI_BAR_IO)) {
			fmt_snprintf(
				want, sizeof(want), "\t%16llx",
				(unsigned long long)(d->bar[0].base |
			                             (d->bar[0].flags & PCI_BAR_PREFETCH ? 8 : 0) |
			                             (d->bar[0].flags & PCI_BAR_MEM64 ? 4 : 0)));
			EXPECT_TRUE(strstr(t, want) != NULL);
		}
	}
	kfree(t);
}

TEST(pci, proc_interrupts_lists_the_timer)
{
	char *t;

	EXPECT_TRUE(read_proc("interrupts", &t) > 0);
	EXPECT_TRUE(strstr(t, "CPU0") != NULL);
	EXPECT_TRUE(strstr(t, " LOC: ") != NULL);
	EXPECT_TRUE(strstr(t, "Local timer interrupts\n") != NULL);
	kfree(t);
}

/* Output of one shell command, caught in memory. */
struct membuf {
	char text[8192];
	size_t len;
};

static void mem_sink(void *ctx, const char *s, size_t n)
{
	struct membuf *m = ctx;

	if (n > sizeof(m->text) - 1 - m->len)
		n = sizeof(m->text) - 1 - m->len;
	memcpy(m->text + m->len, s, n);
	m->len += n;
	m->text[m->len] = 0;
}

TEST(pci, lspci_lists_every_function)
{
	static struct membuf out;
	struct shell_out o = { .sink = mem_sink, .ctx = &out, .clear = NULL };
	struct pci_dev *d;
	char want[48];
	unsigned i;

	out.len = 0;
	EXPECT_EQ(shell_run_line("lspci", &o), 0);
	for (i = 0; (d = pci_dev_at(i)); i++) {
		fmt_snprintf(want, sizeof(want), "%02x:%02x.%u %02x%02x: %04x:%04x", d->addr.bus,
		             d->addr.dev, d->addr.fn, d->class_code, d->subclass, d->vendor,
		             d->device);
		EXPECT_TRUE(strstr(out.text, want) != NULL);
	}
	EXPECT_TRUE(strstr(out.text, "host bridge") != NULL);
}
