# lib/: freestanding pure C, linked unchanged into the kernel and the loaders
# and tested on the host.
LIB_SRCS := lib/format.c lib/string.c lib/elf.c
LIB_SRCS += lib/buddy/buddy.c
LIB_SRCS += lib/paging/paging.c lib/paging/walk.c
LIB_SRCS += lib/alloc/firstfit.c lib/alloc/chunk.c lib/alloc/cairn.c lib/alloc/ops.c
