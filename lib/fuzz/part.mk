# lib/part/: the MBR and GPT readers, fed whole disk images (a corrupt or
# hostile disk's partition table is read at every boot that sees it).
PART_FUZZ_BINS := $(FUZZ_BUILD)/fuzz_part

$(PART_FUZZ_BINS): $(FUZZ_BUILD)/fuzz_%: lib/fuzz/fuzz_%.c lib/part/gpt.c lib/part/mbr.c
	@mkdir -p $(@D)
	$(call quiet,FUZZCC,$@)$(FUZZ_CC) $(FUZZ_CFLAGS) $^ -o $@

fuzz: $(PART_FUZZ_BINS)

fuzz-run: fuzz-run-part

# A valid GPT from sgdisk seeds the corpus (the CRCs are out of a blind fuzzer's reach).
fuzz-run-part: $(PART_FUZZ_BINS)
	@mkdir -p $(FUZZ_BUILD)/corpus/part
	@seed=$(FUZZ_BUILD)/corpus/part/sgdisk-gpt; [ -f $$seed ] || ! command -v sgdisk > /dev/null || \
		{ truncate -s 64K $$seed && sgdisk -n 1:34:60 -n 2:61:90 $$seed > /dev/null; }
	$(FUZZ_BUILD)/fuzz_part -max_total_time=$(FUZZ_TIME) -max_len=65536 $(FUZZ_BUILD)/corpus/part

.PHONY: fuzz-run-part
