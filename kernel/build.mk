# kernel/: the Cairn kernel ELF, with the in-kernel tests built in (they run
# when the command line says "ktest"). Linked three times: the second link
# adds the symbol table generated from the first (see tools/ksyms.py) and
# keeps its relocations (--emit-relocs), from which tools/kreloc.py writes
# the KASLR relocation table that the third link adds (docs/kaslr.md).

KERNEL_ARCH_DIR := kernel/arch/$(ARCH)
KERNEL_SUBDIRS := core dev acpi bus/pci mm bench irq time sched tty shell
# Issue 11: the system-call layer and processes (added only once whichever lane lands first).
KERNEL_SUBDIRS += $(filter-out $(KERNEL_SUBDIRS),syscall proc)
# Issue 12: files (kernel/fs and one folder per file system).
KERNEL_SUBDIRS += fs fs/tmpfs fs/devfs fs/procfs
# Issue 13: disks (a folder may not exist yet; the wildcard below skips it).
KERNEL_SUBDIRS += block drivers drivers/virtio drivers/nvme fs/ext2 fs/fat
# Issue 14: the network.
KERNEL_SUBDIRS += net
# Issue 15: handles, channels, memory objects, device objects.
KERNEL_SUBDIRS += ipc
KERNEL_C := $(wildcard $(patsubst %,kernel/%/*.c,$(KERNEL_SUBDIRS)) $(KERNEL_ARCH_DIR)/*/*.c) \
	$(wildcard tests/kernel/*.c tests/kernel/arch/$(ARCH)/*.c) $(LIB_SRCS) \
	boot/common/entropy.c
KERNEL_S := $(wildcard $(KERNEL_ARCH_DIR)/*/*.S)
KERNEL_OBJS := $(patsubst %.c,$(BUILD)/kernel/%.o,$(KERNEL_C)) \
	$(patsubst %.S,$(BUILD)/kernel/%.o,$(KERNEL_S)) $(BUILD)/kernel/gen/font.o
KERNEL_LDS := $(KERNEL_ARCH_DIR)/linker.ld
KERNEL_LDFLAGS := -nostdlib -n -z max-page-size=4096 -z noexecstack -T $(KERNEL_LDS)
KERNEL_FONT ?= /usr/share/consolefonts/Lat2-Terminus16.psf.gz
KERNEL_ELF := $(BUILD)/kernel.elf

kernel: $(KERNEL_ELF)

$(BUILD)/kernel/%.o: %.c
	@mkdir -p $(dir $@)
	$(call quiet,CC,$<)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(BUILD)/kernel/%.o: %.S
	@mkdir -p $(dir $@)
	$(call quiet,AS,$<)$(CC) $(KERNEL_ASFLAGS) -c $< -o $@

# The font comes with a Debian package (tools/deps.sh): if it has gone since
# the packages were last checked, install it again rather than stop with
# "No rule to make target".
$(KERNEL_FONT):
	@tools/deps.sh
	@test -f $@ || { echo "kernel: no font at $@ (set KERNEL_FONT=)"; exit 1; }

$(BUILD)/gen/font.c: $(KERNEL_FONT) tools/psf2c.py
	@mkdir -p $(dir $@)
	$(call quiet,GEN,$@)$(PYTHON) tools/psf2c.py $< $@

$(BUILD)/kernel/gen/font.o: $(BUILD)/gen/font.c
	@mkdir -p $(dir $@)
	$(call quiet,CC,$<)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(BUILD)/gen/ksyms-empty.S: tools/ksyms.py
	@mkdir -p $(dir $@)
	$(call quiet,GEN,$@)$(PYTHON) tools/ksyms.py < /dev/null > $@

$(BUILD)/kernel/gen/%.o: $(BUILD)/gen/%.S
	@mkdir -p $(dir $@)
	$(call quiet,AS,$<)$(CC) $(KERNEL_ASFLAGS) -c $< -o $@

# Relink when the object list itself changes (a source added or removed).
KERNEL_OBJ_LIST := $(BUILD)/kernel/objects.txt
$(KERNEL_OBJ_LIST): FORCE
	@mkdir -p $(dir $@)
	@echo "$(KERNEL_OBJS)" | cmp -s - $@ || echo "$(KERNEL_OBJS)" > $@

$(BUILD)/gen/kreloc-empty.S: tools/kreloc.py
	@mkdir -p $(dir $@)
	$(call quiet,GEN,$@)$(PYTHON) tools/kreloc.py --empty > $@

KERNEL_EMPTY_KRELOC := $(BUILD)/kernel/gen/kreloc-empty.o

$(BUILD)/kernel.pass1.elf: $(KERNEL_OBJS) $(BUILD)/kernel/gen/ksyms-empty.o $(KERNEL_EMPTY_KRELOC) \
		$(KERNEL_LDS) $(KERNEL_OBJ_LIST)
	$(call quiet,LD,$@)$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/kernel/gen/ksyms-empty.o \
		$(KERNEL_EMPTY_KRELOC)

$(BUILD)/gen/ksyms.S: $(BUILD)/kernel.pass1.elf tools/ksyms.py
	$(call quiet,GEN,$@)nm -n --defined-only $< | $(PYTHON) tools/ksyms.py > $@

$(BUILD)/kernel.pass2.elf: $(BUILD)/kernel.pass1.elf $(BUILD)/kernel/gen/ksyms.o
	$(call quiet,LD,$@)$(LD) $(KERNEL_LDFLAGS) --emit-relocs -o $@ $(KERNEL_OBJS) \
		$(BUILD)/kernel/gen/ksyms.o $(KERNEL_EMPTY_KRELOC)

$(BUILD)/gen/kreloc.S: $(BUILD)/kernel.pass2.elf tools/kreloc.py
	$(call quiet,GEN,$@)$(PYTHON) tools/kreloc.py $< > $@.tmp && mv $@.tmp $@

# The final link must place every symbol where the first one did, and the
# relocation table must describe it: nothing but the tables at the end moves.
KERNEL_SYMS_CMP := grep -v -e ' ksyms_' -e ' kreloc_' -e ' _kernel_end'
$(KERNEL_ELF): $(BUILD)/kernel.pass2.elf $(BUILD)/kernel/gen/ksyms.o $(BUILD)/kernel/gen/kreloc.o
	$(call quiet,LD,$@)$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/kernel/gen/ksyms.o \
		$(BUILD)/kernel/gen/kreloc.o
	@nm -n --defined-only $(BUILD)/kernel.pass1.elf | $(KERNEL_SYMS_CMP) > $(BUILD)/gen/syms1.txt
	@nm -n --defined-only $@ | $(KERNEL_SYMS_CMP) > $(BUILD)/gen/syms2.txt
	@cmp -s $(BUILD)/gen/syms1.txt $(BUILD)/gen/syms2.txt || \
		{ echo "kernel: symbol addresses moved between links"; rm -f $@; exit 1; }
