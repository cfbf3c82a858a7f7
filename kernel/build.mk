# kernel/: the Cairn kernel ELF, with the in-kernel tests built in (they run
# when the command line says "ktest"). Linked twice: the second link adds the
# symbol table generated from the first (see tools/ksyms.py).

KERNEL_ARCH_DIR := kernel/arch/$(ARCH)
KERNEL_SUBDIRS := core dev acpi bus/pci mm bench irq time sched tty shell
# Issue 11: the system-call layer and processes (added only once whichever lane lands first).
KERNEL_SUBDIRS += $(filter-out $(KERNEL_SUBDIRS),syscall proc)
KERNEL_C := $(wildcard $(patsubst %,kernel/%/*.c,$(KERNEL_SUBDIRS)) $(KERNEL_ARCH_DIR)/*/*.c) \
	$(wildcard tests/kernel/*.c tests/kernel/arch/$(ARCH)/*.c) $(LIB_SRCS)
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

$(BUILD)/kernel.pass1.elf: $(KERNEL_OBJS) $(BUILD)/kernel/gen/ksyms-empty.o $(KERNEL_LDS) \
		$(KERNEL_OBJ_LIST)
	$(call quiet,LD,$@)$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/kernel/gen/ksyms-empty.o

$(BUILD)/gen/ksyms.S: $(BUILD)/kernel.pass1.elf tools/ksyms.py
	$(call quiet,GEN,$@)nm -n --defined-only $< | $(PYTHON) tools/ksyms.py > $@

# The final link must place every symbol where the first one did.
$(KERNEL_ELF): $(BUILD)/kernel.pass1.elf $(BUILD)/kernel/gen/ksyms.o
	$(call quiet,LD,$@)$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/kernel/gen/ksyms.o
	@nm -n --defined-only $(BUILD)/kernel.pass1.elf | grep -v -e ' ksyms_' -e ' _kernel_end' > $(BUILD)/gen/syms1.txt
	@nm -n --defined-only $@ | grep -v -e ' ksyms_' -e ' _kernel_end' > $(BUILD)/gen/syms2.txt
	@cmp -s $(BUILD)/gen/syms1.txt $(BUILD)/gen/syms2.txt || \
		{ echo "kernel: symbol addresses moved between links"; rm -f $@; exit 1; }
