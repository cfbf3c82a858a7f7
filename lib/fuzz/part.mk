# lib/part/: the MBR and GPT readers, fed whole disk images (a corrupt or
# hostile disk's partition table is read at every boot that sees it).
PART_FUZZ_BINS := $(FUZZ_BUILD)/fuzz_part

$(PART_FUZZ_BINS): $(FUZZ_BUILD)/fuzz_%: lib/fuzz/fuzz_%.c lib/part/gpt.c lib/part/mbr.c
	@mkdir -p $(@D)
	$(call quiet,FUZZCC,$@)$(FUZZ_CC) $(FUZZ_CFLAGS) $^ -o $@

fuzz: $(PART_FUZZ_BINS)

fuzz-run: fuzz-run-part

fuzz-run-part: $(PART_FUZZ_BINS)
	@mkdir -p $(FUZZ_BUILD)/corpus/part
	$(FUZZ_BUILD)/fuzz_part -max_total_time=$(FUZZ_TIME) $(FUZZ_BUILD)/corpus/part

.PHONY: fuzz-run-part
