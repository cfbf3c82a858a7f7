# lib/fuzz/: libFuzzer targets for the parsers in lib/ that face untrusted
# input. `make fuzz` builds them into build/fuzz/ with clang; run one with
# e.g. build/fuzz/fuzz_elf -max_total_time=60, or `make fuzz-run`.

FUZZ_CC     ?= clang
FUZZ_BUILD  := $(BUILD)/fuzz
FUZZ_TIME   ?= 30
FUZZ_CFLAGS := -std=gnu11 -O1 -g $(WARN) -I. -Iinclude -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_BINS   := $(FUZZ_BUILD)/fuzz_elf $(FUZZ_BUILD)/fuzz_format
FUZZ_BINS   += $(FUZZ_BUILD)/fuzz_vt $(FUZZ_BUILD)/fuzz_cpio

# Each target links the lib/ sources it exercises.
$(FUZZ_BINS): $(FUZZ_BUILD)/fuzz_%: lib/fuzz/fuzz_%.c
	@mkdir -p $(@D)
	$(call quiet,FUZZCC,$@)$(FUZZ_CC) $(FUZZ_CFLAGS) $^ -o $@

$(FUZZ_BUILD)/fuzz_elf: lib/elf/elf.c lib/elf/exec.c
$(FUZZ_BUILD)/fuzz_format: lib/format.c
$(FUZZ_BUILD)/fuzz_vt: lib/vt/vt.c lib/vt/vt_csi.c
$(FUZZ_BUILD)/fuzz_cpio: lib/cpio/cpio.c

fuzz: $(FUZZ_BINS)

fuzz-run: $(FUZZ_BINS)
	@mkdir -p $(FUZZ_BUILD)/corpus/elf $(FUZZ_BUILD)/corpus/format $(FUZZ_BUILD)/corpus/vt \
		$(FUZZ_BUILD)/corpus/cpio
	$(FUZZ_BUILD)/fuzz_elf -max_total_time=$(FUZZ_TIME) -dict=lib/fuzz/elf.dict \
		$(FUZZ_BUILD)/corpus/elf
	$(FUZZ_BUILD)/fuzz_format -max_total_time=$(FUZZ_TIME) $(FUZZ_BUILD)/corpus/format
	$(FUZZ_BUILD)/fuzz_vt -max_total_time=$(FUZZ_TIME) $(FUZZ_BUILD)/corpus/vt
	$(FUZZ_BUILD)/fuzz_cpio -max_total_time=$(FUZZ_TIME) $(FUZZ_BUILD)/corpus/cpio

.PHONY: fuzz fuzz-run

# lib/tty/: the line discipline, the line editor and the shell's word
# splitter, each fed whatever a terminal or a user could type.
TTY_FUZZ_BINS := $(FUZZ_BUILD)/fuzz_ldisc $(FUZZ_BUILD)/fuzz_lineedit $(FUZZ_BUILD)/fuzz_shlex

$(TTY_FUZZ_BINS): $(FUZZ_BUILD)/fuzz_%: lib/fuzz/fuzz_%.c lib/tty/%.c
	@mkdir -p $(@D)
	$(call quiet,FUZZCC,$@)$(FUZZ_CC) $(FUZZ_CFLAGS) $^ -o $@

$(FUZZ_BUILD)/fuzz_lineedit: lib/tty/lineedit_hist.c lib/format.c
$(FUZZ_BUILD)/fuzz_ldisc: lib/tty/ldisc_input.c

fuzz: $(TTY_FUZZ_BINS)

fuzz-run: fuzz-run-tty

fuzz-run-tty: $(TTY_FUZZ_BINS)
	@mkdir -p $(FUZZ_BUILD)/corpus/ldisc $(FUZZ_BUILD)/corpus/lineedit $(FUZZ_BUILD)/corpus/shlex
	$(FUZZ_BUILD)/fuzz_ldisc -max_total_time=$(FUZZ_TIME) $(FUZZ_BUILD)/corpus/ldisc
	$(FUZZ_BUILD)/fuzz_lineedit -max_total_time=$(FUZZ_TIME) $(FUZZ_BUILD)/corpus/lineedit
	$(FUZZ_BUILD)/fuzz_shlex -max_total_time=$(FUZZ_TIME) $(FUZZ_BUILD)/corpus/shlex

.PHONY: fuzz-run-tty

# lib/kaslr/kreloc.c: the check a loader runs on a kernel's KASLR relocation
# table (docs/kaslr.md) before it patches anything.
KASLR_FUZZ_BINS := $(FUZZ_BUILD)/fuzz_kreloc

$(KASLR_FUZZ_BINS): $(FUZZ_BUILD)/fuzz_%: lib/fuzz/fuzz_%.c lib/kaslr/%.c
	@mkdir -p $(@D)
	$(call quiet,FUZZCC,$@)$(FUZZ_CC) $(FUZZ_CFLAGS) $^ -o $@

fuzz: $(KASLR_FUZZ_BINS)

fuzz-run: fuzz-run-kaslr

fuzz-run-kaslr: $(KASLR_FUZZ_BINS)
	@mkdir -p $(FUZZ_BUILD)/corpus/kreloc
	$(FUZZ_BUILD)/fuzz_kreloc -max_total_time=$(FUZZ_TIME) $(FUZZ_BUILD)/corpus/kreloc

.PHONY: fuzz-run-kaslr

# lib/buddy/: operation sequences against a shadow map of held frames.
$(FUZZ_BUILD)/fuzz_buddy: lib/fuzz/fuzz_buddy.c lib/buddy/buddy.c
	@mkdir -p $(@D)
	$(call quiet,FUZZCC,$@)$(FUZZ_CC) $(FUZZ_CFLAGS) $^ -o $@

fuzz: $(FUZZ_BUILD)/fuzz_buddy

fuzz-run: fuzz-run-buddy

fuzz-run-buddy: $(FUZZ_BUILD)/fuzz_buddy
	@mkdir -p $(FUZZ_BUILD)/corpus/buddy
	$(FUZZ_BUILD)/fuzz_buddy -max_total_time=$(FUZZ_TIME) $(FUZZ_BUILD)/corpus/buddy

.PHONY: fuzz-run-buddy

# lib/vma/: operation sequences against a page array, with failing allocations.
$(FUZZ_BUILD)/fuzz_vma: lib/fuzz/fuzz_vma.c lib/vma/vma.c
	@mkdir -p $(@D)
	$(call quiet,FUZZCC,$@)$(FUZZ_CC) $(FUZZ_CFLAGS) $^ -o $@

fuzz: $(FUZZ_BUILD)/fuzz_vma

fuzz-run: fuzz-run-vma

fuzz-run-vma: $(FUZZ_BUILD)/fuzz_vma
	@mkdir -p $(FUZZ_BUILD)/corpus/vma
	$(FUZZ_BUILD)/fuzz_vma -max_total_time=$(FUZZ_TIME) $(FUZZ_BUILD)/corpus/vma

.PHONY: fuzz-run-vma

# lib/exec/shebang.c: the "#!" line of any file a user can make and exec.
$(FUZZ_BUILD)/fuzz_shebang: lib/fuzz/fuzz_shebang.c lib/exec/shebang.c
	@mkdir -p $(@D)
	$(call quiet,FUZZCC,$@)$(FUZZ_CC) $(FUZZ_CFLAGS) $^ -o $@

fuzz: $(FUZZ_BUILD)/fuzz_shebang

fuzz-run: fuzz-run-shebang

fuzz-run-shebang: $(FUZZ_BUILD)/fuzz_shebang
	@mkdir -p $(FUZZ_BUILD)/corpus/shebang
	$(FUZZ_BUILD)/fuzz_shebang -max_total_time=$(FUZZ_TIME) $(FUZZ_BUILD)/corpus/shebang

.PHONY: fuzz-run-shebang

# Each subsystem may keep its own targets in lib/fuzz/NAME.mk (issue 13 on).
-include $(filter-out lib/fuzz/fuzz.mk,$(wildcard lib/fuzz/*.mk))
