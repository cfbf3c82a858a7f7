# SPDX-License-Identifier: MIT
# Cairn: one non-recursive Makefile. Each folder lists its sources and rules
# in a build.mk; this file holds the toolchain, the flags of each flavour
# (kernel, UEFI loader, BIOS loader, host) and the user-facing targets.

ARCH    ?= x86_64
BUILD   ?= build
CC      ?= gcc
LD      ?= ld
OBJCOPY ?= objcopy
PYTHON  ?= python3

# Options for run/debug (documented in the README).
CPUS       ?= 2
MEM        ?= 256M
QEMU_CPU   ?= qemu64
QEMU_EXTRA ?=
BIOS       ?= 0
GUI        ?= 0
DIRECT     ?= 0

WARN := -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter \
	$(if $(WERROR),-Werror)
COMMON_CFLAGS := -std=gnu11 -O2 -g $(WARN) -I. -Iinclude -MMD -MP

# Freestanding code that runs in long mode with no SSE and no red zone:
# the kernel, and both loaders' shared code.
FREESTANDING := -ffreestanding -fno-builtin -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-fno-stack-protector -fno-strict-aliasing -mno-red-zone -mno-mmx -mno-sse -mno-sse2 \
	-mno-80387 -fno-asynchronous-unwind-tables -fno-omit-frame-pointer

KERNEL_CFLAGS := $(COMMON_CFLAGS) $(FREESTANDING) -mcmodel=kernel -fno-pic -fno-pie \
	-Ikernel -Ikernel/arch/$(ARCH)/include
# DEBUG=1 (the default: the kernel always carries its tests) compiles in
# ASSERT() and lib/list's corruption checks; DEBUG=0 leaves them out
# (docs/locking.md, "Debug checks").
DEBUG ?= 1
KERNEL_CFLAGS += $(if $(filter 1,$(DEBUG)),-DCAIRN_DEBUG)
# Clang checks the lock annotations (include/cairn/lockdep.h); `make check`
# builds with it and -Werror.
CC_IS_CLANG := $(shell $(CC) --version 2>/dev/null | grep -q clang && echo 1)
KERNEL_CFLAGS += $(if $(CC_IS_CLANG),-Wthread-safety)
KERNEL_ASFLAGS := $(KERNEL_CFLAGS) -D__ASSEMBLY__

HOST_CFLAGS := -std=gnu11 -O1 -g $(WARN) -I. -Iinclude -MMD -MP \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -DCAIRN_HOST_TEST

all: kernel image

include lib/build.mk
include boot/common/build.mk
-include boot/uefi/build.mk
-include boot/bios/build.mk
include kernel/build.mk
-include tests/host/build.mk
include tools/build.mk
-include tools/bench/bench.mk

FORCE:

.PHONY: FORCE all kernel image run debug test test-host test-kernel test-e2e bench clean deps check

deps:
	@tools/deps.sh

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
