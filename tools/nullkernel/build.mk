# tools/nullkernel/: a do-nothing PVH kernel, the floor `make bench` sets
# Cairn's direct boot beside (docs/performance.md). 32-bit code, paging off;
# it links lib/acpi and the loaders' serial code built with its own flags into
# build/nullkernel/. -malign-double gives 64-bit fields their 64-bit build's
# alignment, which the shared headers' layout checks expect.

NULL_BUILD := $(BUILD)/nullkernel
NULL_ELF   := $(BUILD)/nullkernel.elf
NULL_CFLAGS := $(COMMON_CFLAGS) $(FREESTANDING) -m32 -march=i686 -malign-double -fno-pic -fno-pie -Os \
	-Ikernel/arch/$(ARCH)/include
NULL_SRCS := tools/nullkernel/null.c tools/nullkernel/udivmoddi4.c boot/common/serial.c \
	lib/acpi/tables.c lib/acpi/fadt.c lib/acpi/aml.c lib/format.c lib/string.c
NULL_OBJS := $(NULL_BUILD)/tools/nullkernel/entry.o $(patsubst %.c,$(NULL_BUILD)/%.o,$(NULL_SRCS))

.PHONY: nullkernel
nullkernel: $(NULL_ELF)

$(NULL_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(call quiet,CC,$<)$(CC) $(NULL_CFLAGS) -c $< -o $@

$(NULL_BUILD)/%.o: %.S
	@mkdir -p $(dir $@)
	$(call quiet,AS,$<)$(CC) $(NULL_CFLAGS) -D__ASSEMBLY__ -c $< -o $@

$(NULL_ELF): $(NULL_OBJS) tools/nullkernel/null.ld
	$(call quiet,LD,$@)$(LD) -m elf_i386 -nostdlib -static -z noexecstack --no-warn-rwx-segments \
		-T tools/nullkernel/null.ld -o $@ $(NULL_OBJS)
