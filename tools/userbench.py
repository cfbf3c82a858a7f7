#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""User-program benchmarks of issue 11, Cairn beside the Linux baseline.

One initramfs holds the programs of user/bench/ (static musl); Debian's
kernel and Cairn each boot it on the same QEMU line (1 vCPU, q35, qemu64,
tools/qemu.sh direct) one after the other in one run, and the figures are
printed side by side as Cairn/Linux ratios against the issue's targets.
Part of `make bench`; `tools/userbench.py --rounds 2` alternates the two
kernels twice and keeps each figure's best boot; `--icount` runs both under
`-icount shift=0,sleep=off`, where guest time counts instructions: figures
that do not move with the host's load (but weigh TCG's costly events, such
as exceptions and TLB flushes, like any instruction).
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import usertest  # noqa: E402

# name in the program's output -> (program, target ratio Cairn/Linux or None)
FIGURES = [
    ("getppid", "getppid", 0.25),
    ("fork+exit+wait", "fork_exit", 0.2),
    ("fork+execve+wait", "fork_exec", 0.2),
    ("page-fault", "page_fault", 0.5),
    ("futex-roundtrip", "futex_pingpong", None),
    ("thread-create+join", "thread_create", None),
    ("signal-handler", "signal", None),
    # Files, pipes and the shell (issue 12): pipe round trips at most a
    # quarter of Linux's, the others at most half.
    ("pipe-roundtrip-1B", "pipe_rt", 0.25),
    ("pipe-roundtrip-64KiB", "pipe_rt", 0.25),
    ("tmpfs-create+write4K+close+unlink", "file_cycle", 0.5),
    ("busybox-sh-c-true", "sh_true", 0.5),
    ("stat-5-deep", "stat_deep", 0.5),
    # File mappings over the page cache (issue 13's pcache lane): a tmpfs file's pages.
    ("file-map-read-fault-shared", "file_map", None),
    ("file-map-write-fault-private", "file_map", None),
    # 1 MiB between processes (issue 15's vmo lane): through a pipe, in shared memory (Linux:
    # a memfd; Cairn: a memory object), its handle passed each time (SCM_RIGHTS; a channel).
    ("bulk-1MiB-pipe", "bulk_1m", None),
    ("bulk-1MiB-shared", "bulk_1m", None),
    ("bulk-1MiB-handoff", "bulk_1m", None),
]
BENCH_ENV = {"CPUS": "1", "MEM": "512M", "QEMU_CPU": "qemu64"}
LINE = re.compile(r"^bench (\S+) (\d+) ns/op")


def build_initrd(figures=FIGURES):
    # busybox for busybox-sh-c-true; a program with two figures runs once.
    runs, files = [], {"bin/busybox": usertest.BUSYBOX}
    for _, prog, _ in figures:
        path = "b/" + prog
        if path in files:
            continue
        files[path] = os.path.join(usertest.USER_BUILD, "bench", prog)
        # A slow kernel may need more than testinit's default 60 s for a program.
        runs.append((prog, ["/" + path], 300))
    out = os.path.join(usertest.USER_BUILD, "initramfs-bench.cpio")
    return usertest.build_initrd(out, runs, files)


def figures(lines):
    out = {}
    for l in lines:
        m = LINE.match(l)
        if m:
            out[m.group(1)] = int(m.group(2))
    return out


def fmt(ns):
    if ns is None:
        return "-"
    if ns >= 1000000:
        return "%.2f ms" % (ns / 1e6)
    if ns >= 10000:
        return "%.1f us" % (ns / 1e3)
    return "%d ns" % ns


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kernel", default=os.path.join(usertest.BUILD, "kernel.elf"))
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--icount", action="store_true", help="-icount shift=0,sleep=off")
    ap.add_argument("--only", metavar="PROG,...",
                    help="only these programs of user/bench (e.g. pipe_rt,stat_deep)")
    opts = ap.parse_args()
    figs = [f for f in FIGURES if not opts.only or f[1] in opts.only.split(",")]
    env = dict(BENCH_ENV)
    if opts.icount:
        env["QEMU_EXTRA"] = "-icount shift=0,sleep=off"
    initrd = build_initrd(figs)
    best = {"linux": {}, "cairn": {}}
    for _ in range(opts.rounds):
        for label, kernel, append in (("linux", usertest.VMLINUZ, usertest.LINUX_APPEND),
                                      ("cairn", opts.kernel, usertest.CAIRN_APPEND)):
            lines, status = usertest.boot(kernel, initrd, append, env, timeout=1800,
                                          slow={f[1]: 300 for f in figs})
            if status is None:
                print("userbench: the %s boot did not finish; its last lines:" % label)
                print("\n".join("  | " + l for l in lines[-10:]))
            for name, ns in figures(lines).items():
                best[label][name] = min(ns, best[label].get(name, ns))
    print("user benchmarks: 1 vCPU, q35, qemu64, TCG%s; median of 5 rounds per boot%s"
          % (" -icount shift=0,sleep=off" if opts.icount else "",
             ", best of %d boots" % opts.rounds if opts.rounds > 1 else ""))
    print("%-34s %12s %12s %8s %8s" % ("figure", "Linux", "Cairn", "ratio", "target"))
    for name, _, target in figs:
        l, c = best["linux"].get(name), best["cairn"].get(name)
        ratio = "%.2f" % (c / l) if l and c else "-"
        goal = ("<= %.2f %s" % (target, "met" if l and c and c / l <= target else "missed")
                if target else "")
        print("%-34s %12s %12s %8s   %s" % (name, fmt(l), fmt(c), ratio, goal))
    return 0


if __name__ == "__main__":
    sys.exit(main())
