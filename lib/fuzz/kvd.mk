# user/ipc/kvd_proto.c: kvd's request handling (docs/ipc.md) fed whatever a
# client could send, with the C generated from idl/kv.cidl and lib/cidl/
# ($(BUILD)/gen/cidl: tools/cidl/cidl.mk, included after this file, makes it).
KVD_FUZZ_SRCS := lib/fuzz/fuzz_kvd.c user/ipc/kvd_proto.c user/ipc/kv_store.c \
	$(BUILD)/gen/cidl/kv.c $(BUILD)/gen/cidl/kv_server.c $(wildcard lib/cidl/*.c)

$(FUZZ_BUILD)/fuzz_kvd: $(KVD_FUZZ_SRCS) $(BUILD)/gen/cidl/kv.h $(wildcard user/ipc/*.h)
	@mkdir -p $(@D)
	$(call quiet,FUZZCC,$@)$(FUZZ_CC) $(FUZZ_CFLAGS) -D_GNU_SOURCE -I$(BUILD)/gen -Iuser/lib \
		$(KVD_FUZZ_SRCS) -o $@

fuzz: $(FUZZ_BUILD)/fuzz_kvd

fuzz-run: fuzz-run-kvd

# Seeds: a good request of each kind, made by the Python binding.
fuzz-run-kvd: $(FUZZ_BUILD)/fuzz_kvd
	@$(PYTHON) tools/kv_fuzz_seeds.py $(FUZZ_BUILD)/corpus/kvd
	$(FUZZ_BUILD)/fuzz_kvd -max_total_time=$(FUZZ_TIME) -max_len=600 $(FUZZ_BUILD)/corpus/kvd

.PHONY: fuzz-run-kvd
