# user/: Linux x86_64 programs that run unchanged on Cairn and on the Linux
# baseline (docs/testing.md, "User programs"). Every test of user/tests/ is
# built twice, with musl-gcc -static and with gcc -static (glibc), and a few
# a third way as static-PIE (gcc -static-pie); user/bench/ is built with
# musl. They are ordinary hosted C: none of the kernel's flags apply.

USER_BUILD   := $(BUILD)/user
MUSL_CC      ?= musl-gcc
GLIBC_CC     ?= gcc
USER_CFLAGS  := -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter -Werror -D_GNU_SOURCE= \
	-pthread -I. -Iuser/lib
USER_HDRS    := $(wildcard user/lib/*.h)
USER_TESTS   := $(patsubst user/tests/%.c,%,$(wildcard user/tests/*.c))
USER_BENCHES := $(patsubst user/bench/%.c,%,$(wildcard user/bench/*.c))
# The static-PIE builds (tools/usertest.py PIE_PROGRAMS): load address randomised too.
USER_PIE     := auxv aslr

USER_BINS := $(foreach l,musl glibc,$(addprefix $(USER_BUILD)/$(l)/,$(USER_TESTS))) \
	$(addprefix $(USER_BUILD)/pie/,$(USER_PIE)) \
	$(addprefix $(USER_BUILD)/bench/,$(USER_BENCHES)) \
	$(USER_BUILD)/elf/good

$(USER_BUILD)/musl/%: user/tests/%.c $(USER_HDRS) user/build.mk
	@mkdir -p $(@D)
	$(call quiet,MUSLCC,$@)$(MUSL_CC) -static $(USER_CFLAGS) $< -o $@

$(USER_BUILD)/glibc/%: user/tests/%.c $(USER_HDRS) user/build.mk
	@mkdir -p $(@D)
	$(call quiet,CC,$@)$(GLIBC_CC) -static $(USER_CFLAGS) $< -o $@

$(USER_BUILD)/pie/%: user/tests/%.c $(USER_HDRS) user/build.mk
	@mkdir -p $(@D)
	$(call quiet,CC,$@)$(GLIBC_CC) -static-pie -fPIE $(USER_CFLAGS) $< -o $@

$(USER_BUILD)/bench/%: user/bench/%.c $(USER_HDRS) user/build.mk
	@mkdir -p $(@D)
	$(call quiet,MUSLCC,$@)$(MUSL_CC) -static $(USER_CFLAGS) $< -o $@

# The corrupt ELFs execve must refuse (user/tests/elf_corrupt.c), each made
# from one small good program by tools/mkbadelf.py.
$(USER_BUILD)/elf/good: user/elf/good.c tools/mkbadelf.py user/build.mk
	@mkdir -p $(@D)
	$(call quiet,MUSLCC,$@)$(MUSL_CC) -static -O2 -Wall -Werror $< -o $@
	$(call quiet,BADELF,$(@D))$(PYTHON) tools/mkbadelf.py $@ $(@D)

# The kv service of docs/ipc.md: kvd, kv, ipcstat.
-include user/ipc/ipc.mk

# Debian's kernel and busybox-static, unpacked into build/debs (nothing installed).
# Offline, the fetch says why and the build goes on: the user group of the
# tests then fails with that reason, and every other group still runs.
$(BUILD)/debs/vmlinuz $(BUILD)/debs/busybox: tools/fetch-debs.sh
	$(call quiet,FETCH,$@)tools/fetch-debs.sh $(BUILD) || \
		echo "user: no Linux baseline or busybox: the user tests will fail" >&2

user: $(USER_BINS) $(BUILD)/debs/vmlinuz

# One program on Cairn or on Linux, e.g. make run-user PROG=build/user/musl/signals.
run-user: kernel user
	@tools/linux-baseline --cairn $(KERNEL_ELF) $(PROG)

run-linux: user
	@tools/linux-baseline $(PROG)

test-user: kernel user
	@$(PYTHON) tools/cairntest.py --only user

.PHONY: user run-user run-linux test-user

# The sys lane's system-call fuzzer (user/fuzz/fuzz.mk) runs in the user
# group of make test when built; include its rules unless the top Makefile did.
ifndef SCFUZZ_BIN
-include user/fuzz/fuzz.mk
endif
user: $(SCFUZZ_BIN)
-include user/tools/tools.mk
-include user/drivers/drivers.mk
