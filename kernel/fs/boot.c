// SPDX-License-Identifier: MIT
/*
 * The boot sequence of the file tree (docs/tmpfs.md): the built-in file
 * system types, a tmpfs as "/", the initrd unpacked into it, then /dev,
 * /proc and /tmp, with devtmpfs mounted on /dev as Linux does with
 * devtmpfs.mount=1. /proc is left for init to mount, as on Linux.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/stat.h>

#include "arch/arch.h"
#include "core/kmain.h"
#include "core/log.h"
#include "fs/file.h"
#include "fs/fs_types.h"
#include "fs/initramfs.h"
#include "fs/vfs.h"

/*
 * The procfs lane's register function replaces this one; until it lands
 * the tree boots without "proc". (A weak undefined symbol would not do: the
 * KASLR relocation table refuses references outside the image.)
 */
__attribute__((weak)) int procfs_register(void)
{
	return -ENOSYS;
}

/* Register the built-in types; only tmpfs is needed to go on. */
static int fs_boot_types(void)
{
	int err = tmpfs_register();

	if (err) {
		pr_err("fs: cannot register tmpfs: error %d", err);
		return err;
	}
	err = devfs_register();
	if (err)
		pr_err("fs: cannot register devtmpfs: error %d", err);
	err = procfs_register();
	if (err && err != -ENOSYS)
		pr_err("fs: cannot register proc: error %d", err);
	err = ext2_register();
	if (err)
		pr_err("fs: cannot register ext2: error %d", err);
	return 0;
}

/* Give "/" the mode Linux's rootfs has before the archive's "." entry may change it. */
static void fs_boot_root_mode(void)
{
	struct path root;

	vfs_root(&root);
	if (vfs_chmod(&root, 0755))
		pr_warn("fs: cannot set the mode of /");
	path_put(&root);
}

static void fs_boot_initrd(void)
{
	struct initramfs_stats st;
	uint64_t t0 = arch_cycles(), us;
	int err;

	if (!boot_info.initrd_phys || !boot_info.initrd_size)
		return;
	err = initramfs_unpack(phys_to_virt(boot_info.initrd_phys), boot_info.initrd_size, "/",
	                       &st);
	us = (arch_cycles() - t0) * 1000 / arch_cycles_khz();
	pr_info("initramfs: %llu members, %llu KiB of data in %llu us%s (%llu not made)",
	        (unsigned long long)st.entries, (unsigned long long)(st.bytes >> 10),
	        (unsigned long long)us, err ? ", stopped at a corrupt member" : "",
	        (unsigned long long)st.failed);
}

/* /dev, /proc and /tmp exist after boot whatever the archive held. */
static void fs_boot_dirs(void)
{
	static const struct {
		const char *path;
		uint32_t mode;
	} dirs[] = { { "/dev", 0755 }, { "/proc", 0555 }, { "/tmp", 01777 } };
	unsigned i;
	int err;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		err = vfs_mkdir(AT_FDCWD, dirs[i].path, dirs[i].mode);
		if (err && err != -EEXIST)
			pr_err("fs: cannot make %s: error %d", dirs[i].path, err);
	}
}

static void fs_boot_mount_dev(void)
{
	struct path dev;
	int err = vfs_walk(AT_FDCWD, "/dev", LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &dev);

	if (!err) {
		err = vfs_mount("devtmpfs", &dev, "devtmpfs", 0, NULL);
		path_put(&dev);
	}
	if (err)
		pr_err("fs: cannot mount devtmpfs on /dev: error %d", err);
}

int fs_boot(void)
{
	int err = fs_boot_types();

	if (err)
		return err;
	err = vfs_init_root();
	if (err) {
		pr_err("fs: cannot mount the root: error %d", err);
		return err;
	}
	fs_boot_root_mode();
	fs_boot_initrd();
	fs_boot_dirs();
	fs_boot_mount_dev();
	return 0;
}
