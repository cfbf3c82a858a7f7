# tools/: disk image, GRUB ISO, QEMU runner, test runner.
