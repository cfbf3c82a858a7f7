# lib/fat/: the FAT boot sector, the allocation table and directory entries,
# from an image the fuzzer makes (docs/fat.md).
$(FUZZ_BUILD)/fuzz_fat: lib/fuzz/fuzz_fat.c $(wildcard lib/fat/*.c)
	@mkdir -p $(@D)
	$(call quiet,FUZZCC,$@)$(FUZZ_CC) $(FUZZ_CFLAGS) $^ -o $@

fuzz: $(FUZZ_BUILD)/fuzz_fat

fuzz-run: fuzz-run-fat

fuzz-run-fat: $(FUZZ_BUILD)/fuzz_fat
	@mkdir -p $(FUZZ_BUILD)/corpus/fat
	$(FUZZ_BUILD)/fuzz_fat -max_total_time=$(FUZZ_TIME) $(FUZZ_BUILD)/corpus/fat

.PHONY: fuzz-run-fat
