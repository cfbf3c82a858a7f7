# lib/pci/: configuration space is what devices answer, so it is untrusted:
# fuzz_pci builds a simulated machine from the input (tests/host/pci_sim.h)
# and enumerates it, sizes every BAR and walks every capability list.
PCI_FUZZ_BINS := $(FUZZ_BUILD)/fuzz_pci

$(PCI_FUZZ_BINS): $(FUZZ_BUILD)/fuzz_%: lib/fuzz/fuzz_%.c lib/pci/config.c lib/pci/enum.c
	@mkdir -p $(@D)
	$(call quiet,FUZZCC,$@)$(FUZZ_CC) $(FUZZ_CFLAGS) $^ -o $@

fuzz: $(PCI_FUZZ_BINS)

fuzz-run: fuzz-run-pci

fuzz-run-pci: $(PCI_FUZZ_BINS)
	@mkdir -p $(FUZZ_BUILD)/corpus/pci
	$(FUZZ_BUILD)/fuzz_pci -max_total_time=$(FUZZ_TIME) $(FUZZ_BUILD)/corpus/pci

.PHONY: fuzz-run-pci
