# lib/cidl/ and the C generated from idl/test_all.cidl (tools/cidl/cidl.mk):
# every message decoder fed what another process could send.
CIDL_FUZZ_GEN := $(BUILD)/gen/cidl

$(FUZZ_BUILD)/fuzz_cidl: lib/fuzz/fuzz_cidl.c $(CIDL_FUZZ_GEN)/test_all.c $(wildcard lib/cidl/*.c) \
		$(CIDL_FUZZ_GEN)/test_all_golden.h
	@mkdir -p $(@D)
	$(call quiet,FUZZCC,$@)$(FUZZ_CC) $(FUZZ_CFLAGS) -I$(BUILD)/gen $(filter %.c,$^) -o $@

fuzz: $(FUZZ_BUILD)/fuzz_cidl

fuzz-run: fuzz-run-cidl

fuzz-run-cidl: $(FUZZ_BUILD)/fuzz_cidl
	@$(PYTHON) tools/cidl/golden_c.py idl/test_all.cidl tests/cidl/golden --seeds \
		$(FUZZ_BUILD)/corpus/cidl
	$(FUZZ_BUILD)/fuzz_cidl -max_total_time=$(FUZZ_TIME) -max_len=1024 $(FUZZ_BUILD)/corpus/cidl

.PHONY: fuzz-run-cidl
