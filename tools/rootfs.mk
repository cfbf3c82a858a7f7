# The busybox userland image `make run` boots (docs/userland.md): the cpio
# archive tools/mkrootfs.py writes from Debian's busybox-static, the
# project's musl test programs and benchmarks, the overlay folder rootfs/
# and the files named with ADD=, and the disk image that carries it with the
# kernel and the command line. Included after user/build.mk, whose program
# lists it uses.

# ROOTFS and RUN_IMAGE are named in tools/build.mk, whose run target uses them.
# What init= says: busybox init by default, INIT=kshell (or INIT= empty) for
# the kernel shell; APPEND adds to the command line.
INIT       ?= /sbin/init
ADD        ?=
RUN_CMDLINE = $(strip $(if $(INIT),init=$(INIT)) $(APPEND))
# The Linux baseline's (make run LINUX=1): its initramfs init is rdinit=.
LINUX_CMDLINE = $(strip console=ttyS0 rdinit=$(or $(INIT),/sbin/init) quiet $(APPEND))
ROOTFS_PROGS := $(addprefix $(USER_BUILD)/musl/,$(USER_TESTS)) \
	$(addprefix $(USER_BUILD)/bench/,$(USER_BENCHES))
ROOTFS_PROGS += $(USER_DRIVERS) # user/drivers/drivers.mk: /sbin/ps2kbd (docs/ps2-user.md)

.PHONY: rootfs
rootfs: $(ROOTFS)

# mkrootfs rewrites the archive only when its bytes change, so running it
# every time costs a second and rebuilds nothing after it.
$(ROOTFS): FORCE $(BUILD)/debs/busybox $(ROOTFS_PROGS) tools/mkrootfs.py tools/initramfs.py
	@$(PYTHON) tools/mkrootfs.py $@ $(foreach f,$(ADD),--add $(f))

# The command line as a file that changes only when INIT or APPEND do.
$(BUILD)/run-cmdline: FORCE
	@mkdir -p $(@D)
	@printf '%s\n' '$(RUN_CMDLINE)' | cmp -s - $@ 2>/dev/null || printf '%s\n' '$(RUN_CMDLINE)' > $@

$(RUN_IMAGE): $(KERNEL_ELF) $(UEFI_LOADER) $(BIOS_MBR) $(BIOS_STAGE2) $(ROOTFS) \
		$(BUILD)/run-cmdline tools/mkimage.sh
	$(call quiet,IMAGE,$@)tools/mkimage.sh $@ $(KERNEL_ELF) $(UEFI_LOADER) $(BIOS_MBR) \
		$(BIOS_STAGE2) --cmdline "$$(cat $(BUILD)/run-cmdline)" --initrd $(ROOTFS) \
		--size $$((64 + 2 * $$(stat -c %s $(ROOTFS)) / 1048576))

# The end-to-end checks typed into the busybox shell, on Cairn and on Linux.
test-busybox: kernel image rootfs
	@$(PYTHON) tools/cairntest.py --only busybox

.PHONY: test-busybox
