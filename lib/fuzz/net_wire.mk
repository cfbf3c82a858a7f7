# lib/net/: the wire parsers (Ethernet, ARP, IPv4, ICMP, UDP, TCP with its
# options), the ARP cache and IPv4 reassembly driven by scripts of events
# (docs/net-wire.md).
NET_FUZZ_BINS := $(FUZZ_BUILD)/fuzz_net_wire $(FUZZ_BUILD)/fuzz_net_arp $(FUZZ_BUILD)/fuzz_net_reass

$(NET_FUZZ_BINS): $(FUZZ_BUILD)/fuzz_%: lib/fuzz/fuzz_%.c lib/net/wire.c lib/net/wire_tcp.c
	@mkdir -p $(@D)
	$(call quiet,FUZZCC,$@)$(FUZZ_CC) $(FUZZ_CFLAGS) $^ -o $@

$(FUZZ_BUILD)/fuzz_net_arp: lib/net/arp.c
$(FUZZ_BUILD)/fuzz_net_reass: lib/net/reass.c

fuzz: $(NET_FUZZ_BINS)

fuzz-run: fuzz-run-net

fuzz-run-net: $(NET_FUZZ_BINS)
	@mkdir -p $(FUZZ_BUILD)/corpus/net_wire $(FUZZ_BUILD)/corpus/net_arp $(FUZZ_BUILD)/corpus/net_reass
	$(FUZZ_BUILD)/fuzz_net_wire -max_total_time=$(FUZZ_TIME) $(FUZZ_BUILD)/corpus/net_wire
	$(FUZZ_BUILD)/fuzz_net_arp -max_total_time=$(FUZZ_TIME) $(FUZZ_BUILD)/corpus/net_arp
	$(FUZZ_BUILD)/fuzz_net_reass -max_total_time=$(FUZZ_TIME) $(FUZZ_BUILD)/corpus/net_reass

.PHONY: fuzz-run-net
