# boot/bios/: the BIOS boot path. Produces
#   build/boot/mbr.bin    512 bytes: MBR boot code (bytes 0..439 go into the
#                         protective MBR; see docs/bios-boot.md for the patch area)
#   build/boot/stage2.bin flat stage 2, loaded at 0x8000 (at most 120 KiB)
# Stage 2 links boot/common and lib/ compiled with its own flags into build/bios/.

BIOS_BUILD  := $(BUILD)/bios
BIOS_MBR    := $(BUILD)/boot/mbr.bin
BIOS_STAGE2 := $(BUILD)/boot/stage2.bin

BIOS_CFLAGS := $(COMMON_CFLAGS) $(FREESTANDING) -mcmodel=small -fno-pic -fno-pie -Os
BIOS_ASFLAGS := $(BIOS_CFLAGS) -D__ASSEMBLY__

BIOS_C_SRCS := boot/bios/stage2.c boot/bios/console.c boot/bios/mem.c boot/bios/disk.c \
	boot/bios/gpt.c boot/bios/fat32.c boot/bios/vbe.c boot/bios/acpi.c
BIOS_ASM_SRCS := boot/bios/stage2_entry.S boot/bios/realmode.S

BIOS_OBJS := $(patsubst %.S,$(BIOS_BUILD)/%.o,$(BIOS_ASM_SRCS) $(BOOT_COMMON_ASM)) \
	$(patsubst %.c,$(BIOS_BUILD)/%.o,$(BIOS_C_SRCS) $(BOOT_COMMON_SRCS) $(LOADER_LIB_SRCS))

.PHONY: bios
bios: $(BIOS_MBR) $(BIOS_STAGE2)

$(BIOS_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(call quiet,CC,[bios] $<)$(CC) $(BIOS_CFLAGS) -c -o $@ $<

$(BIOS_BUILD)/%.o: %.S
	@mkdir -p $(dir $@)
	$(call quiet,AS,[bios] $<)$(CC) $(BIOS_ASFLAGS) -c -o $@ $<

$(BIOS_BUILD)/stage2.elf: $(BIOS_OBJS) boot/bios/stage2.ld
	$(call quiet,LD,$@)$(LD) -m elf_x86_64 -nostdlib -static -z noexecstack -z max-page-size=0x1000 --no-warn-rwx-segments \
		-T boot/bios/stage2.ld -o $@ $(BIOS_OBJS)

$(BIOS_STAGE2): $(BIOS_BUILD)/stage2.elf
	@mkdir -p $(dir $@)
	$(call quiet,OBJCOPY,$@)$(OBJCOPY) -O binary $< $@

# The MBR carries stage 2's default location (LBA 34) and size in sectors;
# tools/mkimage.sh may patch both (offsets 0x1A8 and 0x1B0).
$(BIOS_MBR): boot/bios/mbr.S $(BIOS_STAGE2)
	@mkdir -p $(dir $@) $(BIOS_BUILD)
	$(call quiet,AS,[bios] $<)n=$$(( ($$(stat -c %s $(BIOS_STAGE2)) + 511) / 512 )); \
		$(CC) -c -DSTAGE2_SECTORS=$$n -o $(BIOS_BUILD)/mbr.o $<
	$(Q)$(LD) -m elf_x86_64 -Ttext=0x7c00 -e _start -o $(BIOS_BUILD)/mbr.elf $(BIOS_BUILD)/mbr.o
	$(call quiet,OBJCOPY,$@)$(OBJCOPY) -O binary -j .text $(BIOS_BUILD)/mbr.elf $@
	@test $$(stat -c %s $@) -eq 512 || { echo "mbr.bin is not 512 bytes"; rm -f $@; exit 1; }
