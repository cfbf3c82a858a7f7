# lib/net/tcp*.c: a script of segments (any flags, sequence and acknowledgement
# numbers near the live ones or anywhere, options, payloads), application calls
# and clock jumps against one connection opened actively or passively; the
# state machine's invariants are checked after every step.
TCP_FUZZ_SRCS := $(sort $(wildcard lib/net/tcp*.c))

$(FUZZ_BUILD)/fuzz_tcp_input: lib/fuzz/fuzz_tcp_input.c $(TCP_FUZZ_SRCS)
	@mkdir -p $(@D)
	$(call quiet,FUZZCC,$@)$(FUZZ_CC) $(FUZZ_CFLAGS) $^ -o $@

fuzz: $(FUZZ_BUILD)/fuzz_tcp_input

fuzz-run: fuzz-run-tcp_input

fuzz-run-tcp_input: $(FUZZ_BUILD)/fuzz_tcp_input
	@mkdir -p $(FUZZ_BUILD)/corpus/tcp_input
	$(FUZZ_BUILD)/fuzz_tcp_input -max_total_time=$(FUZZ_TIME) $(FUZZ_BUILD)/corpus/tcp_input

.PHONY: fuzz-run-tcp_input
