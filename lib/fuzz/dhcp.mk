# lib/net/dhcp.c: DHCP messages as a server (or anyone on the link) may send
# them, parsed and fed to a client in each state; lib/net/ipconf.c: ip= values.
DHCP_FUZZ_BINS := $(FUZZ_BUILD)/fuzz_dhcp $(FUZZ_BUILD)/fuzz_ipconf

$(FUZZ_BUILD)/fuzz_dhcp: lib/fuzz/fuzz_dhcp.c lib/net/dhcp.c
	@mkdir -p $(@D)
	$(call quiet,FUZZCC,$@)$(FUZZ_CC) $(FUZZ_CFLAGS) $^ -o $@

$(FUZZ_BUILD)/fuzz_ipconf: lib/fuzz/fuzz_ipconf.c lib/net/ipconf.c
	@mkdir -p $(@D)
	$(call quiet,FUZZCC,$@)$(FUZZ_CC) $(FUZZ_CFLAGS) $^ -o $@

fuzz: $(DHCP_FUZZ_BINS)

fuzz-run: fuzz-run-dhcp

fuzz-run-dhcp: $(DHCP_FUZZ_BINS)
	@mkdir -p $(FUZZ_BUILD)/corpus/dhcp
	$(FUZZ_BUILD)/fuzz_dhcp -max_total_time=$(FUZZ_TIME) -max_len=1500 $(FUZZ_BUILD)/corpus/dhcp
	@mkdir -p $(FUZZ_BUILD)/corpus/ipconf
	$(FUZZ_BUILD)/fuzz_ipconf -max_total_time=$(FUZZ_TIME) -max_len=300 $(FUZZ_BUILD)/corpus/ipconf

.PHONY: fuzz-run-dhcp
