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
# A window for the screen console when there is a display to show it on.
GUI        ?= $(if $(DISPLAY)$(WAYLAND_DISPLAY),1,0)
DIRECT     ?= 0

# Build lines: short ("  CC      kernel/core/kmain.c") by default, the full
# commands with V=1, nothing with -s. A rule writes
#	$(call quiet,CC,$<)$(CC) ... -o $@
# and starts any further line of its recipe with $(Q).
V ?= 0
ifeq ($(V),1)
Q :=
quiet =
else ifneq ($(findstring s,$(firstword -$(MAKEFLAGS))),)
Q := @
quiet = @
else
Q := @
quiet = @printf '  %-7s %s\n' '$(1)' '$(2)';
endif

# The Debian packages the build needs (tools/deps.sh) are installed before
# anything is built, as `make run` always did: on a fresh machine `make`,
# `make kernel` or `make image` install what is missing. $(DEPS_OK) records
# that tools/deps.sh found everything, so later runs cost one `test` and no
# dpkg or apt call; editing tools/deps.sh (a new package) checks again.
# `make deps` always checks; a dry run (make -n) never installs.
DEPS_OK := $(BUILD)/deps.ok
NO_DEPS_GOALS := clean deps
ifeq ($(findstring n,$(firstword -$(MAKEFLAGS))),)
ifneq ($(filter-out $(NO_DEPS_GOALS),$(or $(MAKECMDGOALS),all)),)
DEPS_STATUS := $(shell [ $(DEPS_OK) -nt tools/deps.sh ] || \
	{ tools/deps.sh >&2 && mkdir -p $(BUILD) && touch $(DEPS_OK); } || echo failed)
ifeq ($(DEPS_STATUS),failed)
$(error tools/deps.sh could not install the packages the build needs)
endif
endif
endif

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
include tools/cidl/cidl.mk
include tools/build.mk
include user/build.mk
include tools/rootfs.mk
-include tools/bench/bench.mk

FORCE:

.PHONY: FORCE all kernel image run debug test test-host test-kernel test-e2e test-pci bench clean deps check

deps:
	@tools/deps.sh && mkdir -p $(BUILD) && touch $(DEPS_OK)

clean:
	$(call quiet,CLEAN,$(BUILD))rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
