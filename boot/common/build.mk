# boot/common/: shared by the UEFI and BIOS loaders; each loader's build.mk
# compiles these sources (and LIB_SRCS) with its own flags.
BOOT_COMMON_SRCS := boot/common/loader.c boot/common/paging.c \
	boot/common/printf.c boot/common/serial.c boot/common/kaslr.c boot/common/entropy.c
BOOT_COMMON_ASM := boot/common/enter.S
