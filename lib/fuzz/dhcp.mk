# lib/net/dhcp.c: DHCP messages as a server (or anyone on the link) may send
# them, parsed and fed to a client in each state.
DHCP_FUZZ_BINS := $(FUZZ_BUILD)/fuzz_dhcp

$(DHCP_FUZZ_BINS): $(FUZZ_BUILD)/fuzz_%: lib/fuzz/fuzz_%.c lib/net/dhcp.c
	@mkdir -p $(@D)
	$(call quiet,FUZZCC,$@)$(FUZZ_CC) $(FUZZ_CFLAGS) $^ -o $@

fuzz: $(DHCP_FUZZ_BINS)

fuzz-run: fuzz-run-dhcp

fuzz-run-dhcp: $(DHCP_FUZZ_BINS)
	@mkdir -p $(FUZZ_BUILD)/corpus/dhcp
	$(FUZZ_BUILD)/fuzz_dhcp -max_total_time=$(FUZZ_TIME) -max_len=1500 $(FUZZ_BUILD)/corpus/dhcp

.PHONY: fuzz-run-dhcp
