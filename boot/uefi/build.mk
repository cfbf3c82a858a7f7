# boot/uefi/: the UEFI loader, a PE32+ application built with gnu-efi.
# lib/ and boot/common/ are compiled again here, position-independent, into
# $(BUILD)/uefi/, then linked as a shared object and converted to PE.
UEFI_BUILD  := $(BUILD)/uefi
UEFI_LOADER := $(BUILD)/boot/BOOTX64.EFI

EFI_INC  ?= /usr/include/efi
EFI_LIB  ?= /usr/lib
EFI_LDS  := $(EFI_LIB)/elf_x86_64_efi.lds
EFI_CRT0 := $(EFI_LIB)/crt0-efi-x86_64.o

UEFI_CFLAGS := $(COMMON_CFLAGS) $(FREESTANDING) -fpic -fshort-wchar -DGNU_EFI_USE_MS_ABI \
	-isystem $(EFI_INC) -isystem $(EFI_INC)/$(ARCH)
UEFI_LDFLAGS := -nostdlib -znocombreloc -shared -Bsymbolic --no-undefined -z noexecstack \
	--no-warn-rwx-segments -T $(EFI_LDS)

UEFI_SRCS := boot/uefi/main.c boot/uefi/console.c boot/uefi/file.c boot/uefi/gop.c \
	boot/uefi/memory.c
UEFI_C_OBJS := $(patsubst %.c,$(UEFI_BUILD)/%.o,$(UEFI_SRCS) $(BOOT_COMMON_SRCS) $(LOADER_LIB_SRCS))
UEFI_S_OBJS := $(patsubst %.S,$(UEFI_BUILD)/%.o,$(BOOT_COMMON_ASM))

$(UEFI_C_OBJS): $(UEFI_BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(call quiet,CC,[uefi] $<)$(CC) $(UEFI_CFLAGS) -c $< -o $@

$(UEFI_S_OBJS): $(UEFI_BUILD)/%.o: %.S
	@mkdir -p $(@D)
	$(call quiet,AS,[uefi] $<)$(CC) $(UEFI_CFLAGS) -D__ASSEMBLY__ -c $< -o $@

$(UEFI_BUILD)/loader.so: $(UEFI_C_OBJS) $(UEFI_S_OBJS)
	$(call quiet,LD,$@)$(LD) $(UEFI_LDFLAGS) $(EFI_CRT0) $^ -L$(EFI_LIB) -lefi -lgnuefi -o $@

# Keep only the sections the PE image needs (gnu-efi's README).
$(UEFI_LOADER): $(UEFI_BUILD)/loader.so
	@mkdir -p $(@D)
	$(call quiet,OBJCOPY,$@)$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela \
		-j '.rel.*' -j '.rela.*' -j .reloc --target efi-app-x86_64 --subsystem=10 $< $@

.PHONY: uefi
uefi: $(UEFI_LOADER)
