# tools/cidl/: the interface compiler (docs/cidl.md). From idl/NAME.cidl it makes
#   $(BUILD)/gen/cidl/NAME.h, NAME.c          types, encode/decode (kernel, host, user)
#   $(BUILD)/gen/cidl/NAME_client.c, _server.c  stubs over Cairn's channel calls (user)
#   $(BUILD)/gen/cidl/py/NAME.py              the Python binding (host)
# Generated C is included as "cidl/NAME.h" (-I$(BUILD)/gen).

CIDL_GEN      := $(BUILD)/gen/cidl
CIDLC         := tools/cidl/cidlc.py
CIDLC_DEPS    := $(wildcard tools/cidl/*.py)
CIDL_RT_SRCS  := $(sort $(wildcard lib/cidl/*.c))
CIDL_ALL      := $(patsubst idl/%.cidl,%,$(wildcard idl/*.cidl))

include idl/build.mk

$(CIDL_GEN)/%.h $(CIDL_GEN)/%.c $(CIDL_GEN)/%_client.c $(CIDL_GEN)/%_server.c: idl/%.cidl \
		$(CIDLC_DEPS)
	@mkdir -p $(@D)
	$(call quiet,CIDLC,$<)$(PYTHON) $(CIDLC) --c $(CIDL_GEN) $<

$(CIDL_GEN)/py/%.py: idl/%.cidl $(CIDLC_DEPS)
	@mkdir -p $(@D)
	$(call quiet,CIDLC,$<)$(PYTHON) $(CIDLC) --py $(@D) $<

cidl: $(foreach n,$(CIDL_ALL),$(CIDL_GEN)/$(n).h $(CIDL_GEN)/py/$(n).py)

.PHONY: cidl

# The kernel links NAME.c of each protocol in KERNEL_CIDL; every kernel object
# waits for their headers (order-only), so kernel code may include them.
KERNEL_CFLAGS += -I$(BUILD)/gen
HOST_CFLAGS += -I$(BUILD)/gen
CIDL_KERNEL_OBJS := $(patsubst %,$(BUILD)/kernel/gen/cidl/%.o,$(KERNEL_CIDL))
CIDL_KERNEL_HDRS := $(patsubst %,$(CIDL_GEN)/%.h,$(KERNEL_CIDL))
$(KERNEL_OBJS): | $(CIDL_KERNEL_HDRS)
KERNEL_OBJS += $(CIDL_KERNEL_OBJS)
$(BUILD)/kernel.pass1.elf: $(CIDL_KERNEL_OBJS)

$(BUILD)/kernel/gen/cidl/%.o: $(CIDL_GEN)/%.c $(CIDL_GEN)/%.h
	@mkdir -p $(@D)
	$(call quiet,CC,$<)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

# User programs that speak a protocol (docs/cidl.md, "Building"):
#   $(eval $(call cidl_user_prog,TARGETS,NAMES))
# compiles each of NAMES' generated C and the runtime into the TARGETS
# (e.g. $(USER_BUILD)/musl/ipc_echo $(USER_BUILD)/glibc/ipc_echo), whose own
# source then includes "cidl/NAME.h".
CIDL_USER_CFLAGS := -Iinclude -I$(BUILD)/gen
cidl_user_srcs = $(foreach n,$(1),$(CIDL_GEN)/$(n).c $(CIDL_GEN)/$(n)_client.c \
	$(CIDL_GEN)/$(n)_server.c) $(CIDL_RT_SRCS)
define cidl_user_prog
$(1): $(call cidl_user_srcs,$(2)) $(foreach n,$(2),$(CIDL_GEN)/$(n).h)
$(1): USER_CFLAGS += $(CIDL_USER_CFLAGS) $(call cidl_user_srcs,$(2))
endef

# The user test of the stubs (user/tests/ipc_cidl.c).
$(eval $(call cidl_user_prog,$(BUILD)/user/musl/ipc_cidl $(BUILD)/user/glibc/ipc_cidl,test_all))

# Host tests (tests/host/test_cidl*.c) link the C binding of idl/test_all.cidl
# and include the golden files' table that tools/cidl/golden_c.py writes.
CIDL_HOST_TESTS := $(filter $(HOST_BUILD)/test_cidl%,$(HOST_TEST_BINS))
CIDL_HOST_OBJS  := $(HOST_BUILD)/gen/cidl/test_all.o
$(CIDL_HOST_OBJS): $(HOST_BUILD)/gen/cidl/%.o: $(CIDL_GEN)/%.c $(CIDL_GEN)/%.h
	@mkdir -p $(@D)
	$(call quiet,HOSTCC,$<)$(HOST_CC) $(HOST_CFLAGS) -c $< -o $@

$(CIDL_GEN)/test_all_golden.h: $(wildcard tests/cidl/golden/*) idl/test_all.cidl $(CIDLC_DEPS)
	@mkdir -p $(@D)
	$(call quiet,GOLDEN,$@)$(PYTHON) tools/cidl/golden_c.py idl/test_all.cidl tests/cidl/golden $@ \
		--random 300

$(CIDL_HOST_TESTS): $(CIDL_HOST_OBJS)
$(HOST_BUILD)/test_cidl_golden: $(CIDL_GEN)/test_all_golden.h
$(CIDL_HOST_TESTS): HOST_LIB_OBJS += $(CIDL_HOST_OBJS)

# The Python binding's tests (TAP) run with the host tests and count in their total.
HOST_TEST_BINS += $(wildcard tests/cidl/test_cidl.py)
