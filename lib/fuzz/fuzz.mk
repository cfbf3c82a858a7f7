# lib/fuzz/: libFuzzer targets for the parsers in lib/ that face untrusted
# input. `make fuzz` builds them into build/fuzz/ with clang; run one with
# e.g. build/fuzz/fuzz_elf -max_total_time=60, or `make fuzz-run`.

FUZZ_CC     ?= clang
FUZZ_BUILD  := $(BUILD)/fuzz
FUZZ_TIME   ?= 30
FUZZ_CFLAGS := -std=gnu11 -O1 -g $(WARN) -I. -Iinclude -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_BINS   := $(FUZZ_BUILD)/fuzz_elf $(FUZZ_BUILD)/fuzz_format

# Each target links the one lib/ source it exercises (fuzz_elf: lib/elf.c).
$(FUZZ_BINS): $(FUZZ_BUILD)/fuzz_%: lib/fuzz/fuzz_%.c lib/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $^ -o $@

fuzz: $(FUZZ_BINS)

fuzz-run: $(FUZZ_BINS)
	@mkdir -p $(FUZZ_BUILD)/corpus/elf $(FUZZ_BUILD)/corpus/format
	$(FUZZ_BUILD)/fuzz_elf -max_total_time=$(FUZZ_TIME) -dict=lib/fuzz/elf.dict \
		$(FUZZ_BUILD)/corpus/elf
	$(FUZZ_BUILD)/fuzz_format -max_total_time=$(FUZZ_TIME) $(FUZZ_BUILD)/corpus/format

.PHONY: fuzz fuzz-run
