# user/fuzz/: the system-call fuzzer, a static musl program (docs/testing.md,
# "System-call fuzzer"). It includes the kernel's syscall table, so it is
# built from the tree's root. `make fuzz-syscalls` runs 10^6 calls on Cairn.

SCFUZZ_BIN  := $(BUILD)/user/fuzz/fuzz
SCFUZZ_SRCS := user/fuzz/fuzz.c user/fuzz/fuzz_args.c user/fuzz/fuzz_files.c user/fuzz/fuzz_files_check.c
SCFUZZ_CC   ?= musl-gcc
SCFUZZ_CALLS ?= 1000000
# One CPU by default: a predictable run time (SCFUZZ_CPUS=4 for SMP races, several times slower under TCG).
SCFUZZ_CPUS ?= 1

$(SCFUZZ_BIN): $(SCFUZZ_SRCS) user/fuzz/fuzz_args.h user/fuzz/fuzz_files.h kernel/syscall/syscalls.def \
		include/cairn/cairn_sys.h user/fuzz/fuzz.mk
	@mkdir -p $(@D)
	$(call quiet,MUSLCC,$@)$(SCFUZZ_CC) -static -std=gnu11 -O2 -g -Wall -Wextra -Werror \
		-Wno-unused-parameter -D_GNU_SOURCE -I. -Iuser/fuzz $(SCFUZZ_SRCS) -o $@

fuzz-bin: $(SCFUZZ_BIN)

# 10^6 calls on Cairn, booted directly with the fuzzer as the program init runs.
fuzz-syscalls: kernel $(SCFUZZ_BIN)
	@tools/linux-baseline --cairn $(KERNEL_ELF) --cpus $(SCFUZZ_CPUS) --timeout 7200 $(SCFUZZ_BIN) -n $(SCFUZZ_CALLS)

.PHONY: fuzz-bin fuzz-syscalls
