# lib/virtio/: the split virtqueue driven by a device that writes anything
# into the used ring and the descriptor table.
$(FUZZ_BUILD)/fuzz_vring: lib/fuzz/fuzz_vring.c lib/virtio/vring.c
	@mkdir -p $(@D)
	$(call quiet,FUZZCC,$@)$(FUZZ_CC) $(FUZZ_CFLAGS) $^ -o $@

fuzz: $(FUZZ_BUILD)/fuzz_vring

fuzz-run: fuzz-run-vring

fuzz-run-vring: $(FUZZ_BUILD)/fuzz_vring
	@mkdir -p $(FUZZ_BUILD)/corpus/vring
	$(FUZZ_BUILD)/fuzz_vring -max_total_time=$(FUZZ_TIME) $(FUZZ_BUILD)/corpus/vring

.PHONY: fuzz-run-vring
