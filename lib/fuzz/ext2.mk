# lib/ext2/: whole disk images (superblock, group descriptors, inodes, block
# maps, directory blocks), read and then changed. fuzz-run-ext2 seeds the
# corpus with small mke2fs images when e2fsprogs is installed.
EXT2_FUZZ_SRCS := $(sort $(wildcard lib/ext2/*.c))

$(FUZZ_BUILD)/fuzz_ext2: lib/fuzz/fuzz_ext2.c $(EXT2_FUZZ_SRCS)
	@mkdir -p $(@D)
	$(call quiet,FUZZCC,$@)$(FUZZ_CC) $(FUZZ_CFLAGS) $^ -o $@

fuzz: $(FUZZ_BUILD)/fuzz_ext2

fuzz-run: fuzz-run-ext2

fuzz-run-ext2: $(FUZZ_BUILD)/fuzz_ext2
	@mkdir -p $(FUZZ_BUILD)/corpus/ext2
	@if command -v mke2fs >/dev/null; then \
		d=$$(mktemp -d) && mkdir -p $$d/t/sub && echo hi > $$d/t/a && ln -s a $$d/t/l && \
		head -c 20000 /dev/urandom > $$d/t/sub/b && \
		for b in 1024 2048 4096; do \
			mke2fs -q -F -t ext2 -b $$b -N 32 -d $$d/t $(FUZZ_BUILD)/corpus/ext2/seed$$b 200k \
				>/dev/null 2>&1; \
		done; rm -rf $$d; fi
	$(FUZZ_BUILD)/fuzz_ext2 -max_total_time=$(FUZZ_TIME) -max_len=1048576 $(FUZZ_BUILD)/corpus/ext2

.PHONY: fuzz-run-ext2
