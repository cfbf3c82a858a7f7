# lib/: freestanding pure C, linked unchanged into the kernel and the loaders
# and tested on the host.
LIB_SRCS := lib/format.c lib/string.c lib/elf.c
