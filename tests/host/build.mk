# tests/host/: cmocka unit tests of lib/ built for the host under ASan and
# UBSan. Each tests/host/test_*.c becomes one executable in build/host/,
# linked with the host build of lib/; `make test-host` builds and runs them
# all and prints "host: N passed, N failed".

HOST_CC    ?= $(CC)
HOST_BUILD := $(BUILD)/host

# lib/string.c defines memcpy and friends; on the host it is built under
# lib_-prefixed names so it neither replaces nor clashes with the C library.
HOST_STRING_FUNCS := memcpy memmove memset memcmp strlen strnlen strcmp strncmp strchr strstr
HOST_STRING_RENAMES := $(foreach f,$(HOST_STRING_FUNCS),-D$(f)=lib_$(f))

HOST_LIB_OBJS  := $(patsubst lib/%.c,$(HOST_BUILD)/lib/%.o,$(LIB_SRCS) $(LIB_HOST_SRCS))
HOST_TEST_SRCS := $(sort $(wildcard tests/host/test_*.c))
HOST_TEST_BINS := $(patsubst tests/host/%.c,$(HOST_BUILD)/%,$(HOST_TEST_SRCS))
export HOST_TEST_BINS

$(HOST_BUILD)/lib/string.o: lib/string.c
	@mkdir -p $(@D)
	$(call quiet,HOSTCC,$<)$(HOST_CC) $(HOST_CFLAGS) -fno-builtin $(HOST_STRING_RENAMES) -c $< -o $@

$(filter-out $(HOST_BUILD)/lib/string.o,$(HOST_LIB_OBJS)): $(HOST_BUILD)/lib/%.o: lib/%.c
	@mkdir -p $(@D)
	$(call quiet,HOSTCC,$<)$(HOST_CC) $(HOST_CFLAGS) -c $< -o $@

# A subject's tests may be split by topic over test_NAME_*.c sharing helpers:
# tests/host/NAME_helpers.c (with NAME_helpers.h) is linked into each of them.
HOST_HELPER_SRCS := $(wildcard tests/host/*_helpers.c)
HOST_HELPER_OBJ = $(patsubst tests/host/%.c,$(HOST_BUILD)/helpers/%.o,$(1))

$(call HOST_HELPER_OBJ,$(HOST_HELPER_SRCS)): $(HOST_BUILD)/helpers/%.o: tests/host/%.c
	@mkdir -p $(@D)
	$(call quiet,HOSTCC,$<)$(HOST_CC) $(HOST_CFLAGS) -c $< -o $@

$(foreach h,$(HOST_HELPER_SRCS),$(eval \
	$(filter $(HOST_BUILD)/test_$(notdir $(h:_helpers.c=))_%,$(HOST_TEST_BINS)): \
		$(call HOST_HELPER_OBJ,$(h))))

$(HOST_TEST_BINS): $(HOST_BUILD)/%: tests/host/%.c $(HOST_LIB_OBJS)
	@mkdir -p $(@D)
	$(call quiet,HOSTCC,$<)$(HOST_CC) $(HOST_CFLAGS) $< $(filter %_helpers.o,$^) $(HOST_LIB_OBJS) \
		-lcmocka -o $@

test-host: $(HOST_TEST_BINS)
	@tests/host/run.sh $(HOST_TEST_BINS)

-include lib/fuzz/fuzz.mk
