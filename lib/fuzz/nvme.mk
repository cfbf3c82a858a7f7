# lib/nvme/: what a controller hands back is untrusted. fuzz_nvme_identify
# parses any 4 KiB as Identify data; fuzz_nvme_cq plays a controller that
# posts arbitrary completion entries against the driver's queue accounting;
# fuzz_nvme_prp builds PRP lists for arbitrary segment lists.
NVME_FUZZ_BINS := $(FUZZ_BUILD)/fuzz_nvme_identify $(FUZZ_BUILD)/fuzz_nvme_cq \
	$(FUZZ_BUILD)/fuzz_nvme_prp

$(NVME_FUZZ_BINS): $(FUZZ_BUILD)/fuzz_%: lib/fuzz/fuzz_%.c $(wildcard lib/nvme/*.c)
	@mkdir -p $(@D)
	$(call quiet,FUZZCC,$@)$(FUZZ_CC) $(FUZZ_CFLAGS) $^ -o $@

fuzz: $(NVME_FUZZ_BINS)

fuzz-run: fuzz-run-nvme

fuzz-run-nvme: $(NVME_FUZZ_BINS)
	@mkdir -p $(FUZZ_BUILD)/corpus/nvme_identify $(FUZZ_BUILD)/corpus/nvme_cq \
		$(FUZZ_BUILD)/corpus/nvme_prp
	$(FUZZ_BUILD)/fuzz_nvme_identify -max_total_time=$(FUZZ_TIME) $(FUZZ_BUILD)/corpus/nvme_identify
	$(FUZZ_BUILD)/fuzz_nvme_cq -max_total_time=$(FUZZ_TIME) $(FUZZ_BUILD)/corpus/nvme_cq
	$(FUZZ_BUILD)/fuzz_nvme_prp -max_total_time=$(FUZZ_TIME) $(FUZZ_BUILD)/corpus/nvme_prp

.PHONY: fuzz-run-nvme
