# tools/: the disk image, the GRUB ISO and the user-facing targets that
# start QEMU or the test runner.

include tools/nullkernel/build.mk

IMAGE := $(BUILD)/cairn.img
# The busybox userland (tools/rootfs.mk) and the disk image `make run` boots it from.
ROOTFS    := $(BUILD)/rootfs.cpio
RUN_IMAGE := $(BUILD)/cairn-run.img
ISO   := $(BUILD)/cairn.iso
UEFI_LOADER ?= $(BUILD)/boot/BOOTX64.EFI
BIOS_MBR    ?= $(BUILD)/boot/mbr.bin
BIOS_STAGE2 ?= $(BUILD)/boot/stage2.bin

image: $(IMAGE)

$(IMAGE): $(KERNEL_ELF) $(UEFI_LOADER) $(BIOS_MBR) $(BIOS_STAGE2) tools/mkimage.sh
	$(call quiet,IMAGE,$@)tools/mkimage.sh $@ $(KERNEL_ELF) $(UEFI_LOADER) $(BIOS_MBR) $(BIOS_STAGE2)

iso: $(ISO)

$(ISO): $(KERNEL_ELF) tools/mkiso.sh
	$(call quiet,ISO,$@)tools/mkiso.sh $@ $(KERNEL_ELF)

# Which boot path run/debug use: DIRECT=1 (PVH -kernel), BIOS=1 (SeaBIOS) or UEFI (OVMF).
# `make run` boots the busybox image (tools/rootfs.mk): on a disk image that
# carries it with the command line, or directly with it as the initrd.
# LINUX=1 boots the same rootfs on the Linux baseline (Debian's kernel, build/debs).
ifeq ($(LINUX),1)
RUN_MODE := direct
RUN_FILE := $(BUILD)/debs/vmlinuz
else ifeq ($(DIRECT),1)
RUN_MODE := direct
RUN_FILE := $(KERNEL_ELF)
else ifeq ($(BIOS),1)
RUN_MODE := bios
RUN_FILE := $(RUN_IMAGE)
else
RUN_MODE := uefi
RUN_FILE := $(RUN_IMAGE)
endif
RUN_ENV := CPUS=$(CPUS) MEM=$(MEM) QEMU_CPU=$(QEMU_CPU) GUI=$(GUI) QEMU_EXTRA="$(QEMU_EXTRA)"

# The disk `make run` attaches as vda (docs/virtio.md): the persistent ext2 data
# disk DATA (made on first use, then kept; /etc/fstab mounts it at /mnt/data),
# or DISK=file.img (any raw image) instead, or nothing with DISK=none. More
# disks: DISKS="img[:virtio|:nvme][:ro] ..." (tools/qemu.sh) come after it.
DATA      ?= $(BUILD)/data.img
DATA_MIB  ?= 256
DISK      ?=
MKE2FS    ?= $(or $(shell command -v mke2fs 2>/dev/null),/sbin/mke2fs)
RUN_DISKS  = $(strip $(if $(DISK),$(filter-out none,$(DISK)),$(DATA)) $(DISKS))

$(DATA):
	@mkdir -p $(@D)
	$(call quiet,MKE2FS,$@)rm -f $@.part && truncate -s $(DATA_MIB)M $@.part && \
		$(MKE2FS) -q -F -t ext2 -L cairn-data $@.part && mv $@.part $@

# The network `make run` gives the guest (docs/net-config.md): QEMU's user network,
# with host port HTTP_PORT forwarded to the guest's port 80 (httpd -h /www in Cairn,
# then http://localhost:8080/ on the host). NET=none: no network card.
NET       ?= user
HTTP_PORT ?= 8080
RUN_NET    = NET=$(NET) HOSTFWD="$(if $(filter user,$(NET)),tcp::$(HTTP_PORT)-:80) $(HOSTFWD)"

run:
	@$(MAKE) --no-print-directory $(RUN_FILE) rootfs $(if $(DISK),,$(DATA))
	@$(RUN_ENV) $(RUN_NET) DISKS="$(RUN_DISKS)" \
		APPEND='$(if $(filter 1,$(LINUX)),$(LINUX_CMDLINE),$(RUN_CMDLINE))' \
		INITRD=$(if $(filter direct,$(RUN_MODE)),$(ROOTFS)) tools/qemu.sh $(RUN_MODE) $(RUN_FILE)

# gdb reads the kernel's link addresses, so the debug boot says nokaslr
# (docs/kaslr.md): on the command line of a direct boot, or in its own image.
DEBUG_IMAGE := $(BUILD)/cairn-debug.img
DEBUG_FILE := $(if $(filter direct,$(RUN_MODE)),$(KERNEL_ELF),$(DEBUG_IMAGE))

$(DEBUG_IMAGE): $(KERNEL_ELF) $(UEFI_LOADER) $(BIOS_MBR) $(BIOS_STAGE2) tools/mkimage.sh
	$(call quiet,IMAGE,$@)tools/mkimage.sh $@ $(KERNEL_ELF) $(UEFI_LOADER) $(BIOS_MBR) $(BIOS_STAGE2) \
		--cmdline nokaslr

debug:
	@$(MAKE) --no-print-directory $(DEBUG_FILE)
	@$(RUN_ENV) DEBUG=1 APPEND="nokaslr $${APPEND:-}" SERIAL=file:$(BUILD)/serial.log \
		tools/qemu.sh $(RUN_MODE) $(DEBUG_FILE) & \
	pid=$$!; sleep 0.5; \
	gdb -q $(KERNEL_ELF) -ex "target remote :1234" -ex "break kmain"; \
	pkill -P $$pid 2>/dev/null; kill $$pid 2>/dev/null; true

# Everything, ending with "N passed, N failed".
test:
	@$(MAKE) --no-print-directory all user rootfs
	@$(PYTHON) tools/cairntest.py

test-kernel: kernel image
	@$(PYTHON) tools/cairntest.py --only kernel

test-e2e: kernel image
	@$(PYTHON) tools/cairntest.py --only e2e

test-pci: kernel image rootfs
	@$(PYTHON) tools/cairntest.py --only pci

# Figures, not tests: boot times beside the null kernel's, and sizes; user programs on
# Cairn beside the Linux baseline; disks (tools/diskbench.py) likewise (docs/performance.md).
bench: all $(NULL_ELF) user
	@$(PYTHON) tools/boottime.py
	@$(PYTHON) tools/userbench.py
	@$(PYTHON) tools/diskbench.py
	@$(PYTHON) tools/diskbench.py --bus nvme
	@$(PYTHON) tools/netbench.py

# The compilation database for clangd: every compiler command of the kernel,
# both loaders, the host tests, the fuzz targets and the benchmark, taken from
# a dry run of these rules (nothing is built), so it always matches them.
COMPDB_GOALS = $(KERNEL_ELF) uefi bios $(HOST_TEST_BINS) $(FUZZ_BINS) $(TTY_FUZZ_BINS) \
	$(BENCH_BUILD)/khb1

compile_commands.json: FORCE
	$(call quiet,GEN,$@)$(MAKE) --no-print-directory -Bn V=1 $(COMPDB_GOALS) | \
		$(PYTHON) tools/compdb.py > $@.tmp && mv $@.tmp $@

# Static checks of STYLE.md (headers on their own, -Werror with GCC and Clang, format).
check:
	@tools/check.sh
