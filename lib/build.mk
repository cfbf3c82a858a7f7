# lib/: freestanding pure C, linked unchanged into the kernel and the loaders
# and tested on the host.
LIB_SRCS := lib/format.c lib/string.c lib/elf/elf.c lib/elf/exec.c
LIB_SRCS += lib/buddy/buddy.c
LIB_SRCS += lib/paging/paging.c lib/paging/walk.c lib/paging/share.c lib/paging/copy.c
LIB_SRCS += lib/alloc/cairn.c lib/alloc/cairn_check.c lib/alloc/cairn_realloc.c lib/alloc/cairn_cache.c
# Benchmark-only allocators and the vtable adapters: the host tests and KHB-1 link them,
# the kernel never does.
LIB_HOST_SRCS := lib/alloc/firstfit.c lib/alloc/chunk.c lib/alloc/cairn_ops.c lib/alloc/ops.c
LIB_SRCS += lib/memmap/memmap.c lib/memmap/bootmap.c
LIB_SRCS += lib/kaslr/kaslr.c lib/kaslr/kreloc.c lib/cmdline/cmdline.c
LIB_SRCS += lib/vt/vt.c lib/vt/vt_csi.c
LIB_SRCS += lib/strace/sysent.c lib/random/chacha.c lib/timespec/timespec.c lib/futex/futex_op.c lib/strace/strace.c lib/strace/names.c

# The subset the boot loaders link (stage 2 must stay under 120 KiB).
LOADER_LIB_SRCS := lib/format.c lib/string.c lib/elf/elf.c lib/memmap/memmap.c lib/memmap/bootmap.c \
	lib/kaslr/kaslr.c lib/kaslr/kreloc.c lib/cmdline/cmdline.c
LIB_SRCS += lib/acpi/tables.c lib/acpi/madt.c lib/acpi/fadt.c lib/acpi/hpet.c lib/acpi/mcfg.c lib/acpi/aml.c
LIB_SRCS += lib/input/keymap.c lib/input/ps2kbd.c lib/input/ps2mouse.c
LIB_SRCS += lib/tty/ldisc.c lib/tty/ldisc_input.c lib/tty/lineedit.c lib/tty/lineedit_hist.c lib/tty/shlex.c
LIB_SRCS += lib/list/list.c
LIB_SRCS += lib/signal/signal.c
LIB_SRCS += lib/cpio/cpio.c
LIB_SRCS += lib/vma/vma.c
LIB_SRCS += lib/radix/radix.c
# Issue 13: on-disk formats and device rings, one folder each (every .c in it).
LIB_SRCS += $(sort $(wildcard lib/virtio/*.c lib/nvme/*.c lib/part/*.c lib/blkq/*.c lib/ext2/*.c lib/fat/*.c))
LIB_SRCS += $(sort $(wildcard lib/net/*.c))
# Issue 15: the IDL runtime (encode/decode primitives the generated code calls).
LIB_SRCS += $(sort $(wildcard lib/cidl/*.c))
LIB_SRCS += lib/exec/shebang.c
LIB_SRCS += lib/ipc/rights.c
LIB_SRCS += lib/pci/config.c lib/pci/enum.c
LIB_SRCS += lib/procfs/seq.c lib/procfs/loadavg.c lib/procfs/procfmt_pid.c lib/procfs/procfmt_sys.c
