# tools/bench/: KHB-1, the kernel-heap benchmark (docs/performance.md). `make bench-alloc`
# builds build/bench/khb1 from tools/bench/khb1.c and the lib/alloc/ sources, at -O2 with
# no sanitizers and the cairn heap's checks compiled out, runs it pinned to CPU 1 when
# taskset exists, prints the table and writes build/bench/khb1.csv.

BENCH_BUILD  := $(BUILD)/bench
BENCH_CFLAGS := -std=gnu11 -O2 -g $(WARN) -I. -Iinclude -DCAIRN_ALLOC_CHECKED=0
KHB1_SRCS    := tools/bench/khb1.c $(wildcard lib/alloc/*.c)
BENCH_PIN    := $(shell command -v taskset >/dev/null 2>&1 && echo taskset -c 1)

$(BENCH_BUILD)/khb1: $(KHB1_SRCS) $(wildcard lib/alloc/*.h) tools/bench/bench.mk
	@mkdir -p $(@D)
	$(call quiet,CC,$@)$(CC) $(BENCH_CFLAGS) $(KHB1_SRCS) -o $@

bench-alloc: $(BENCH_BUILD)/khb1
	$(call quiet,RUN,$(BENCH_BUILD)/khb1)$(BENCH_PIN) $(BENCH_BUILD)/khb1 --csv $(BENCH_BUILD)/khb1.csv

.PHONY: bench-alloc

# Issue 15's IPC figures (tools/ipcbench.py, docs/performance.md "IPC beside Linux"):
# channel call round trips on Cairn beside Linux's pipes and AF_UNIX, 1 and 2 vCPUs.
bench: bench-ipc
bench-ipc: kernel user
	@$(PYTHON) tools/ipcbench.py

.PHONY: bench-ipc
