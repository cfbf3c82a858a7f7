#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""IPC benchmarks of issue 15: Cairn's channel calls beside Linux's pipes and AF_UNIX.

One initramfs holds three programs of user/bench/ (static musl): pipe_rt
--matrix and unix_rt, which run on both kernels, and chan_rt, which prints
figures only on Cairn. Each measures a round trip (client sends N bytes,
server answers N) between two processes and between two threads, both on
CPU 0 ("same") or on CPUs 0 and 1 ("cross"; user/lib/pingpong.h). Debian's
kernel and Cairn boot it one after the other on the same QEMU line (q35,
qemu64, TCG, tools/qemu.sh direct), with 1 vCPU and then with 2, and the
table shows every figure with the channel's ratio to Linux's pipe (target:
at most 1/4) and to Linux's AF_UNIX socket. Part of `make bench`; alone:
`tools/ipcbench.py` (--cpus 1,2  --rounds N: best of N boots of each
kernel;  --icount: guest time counts instructions;  --only linux|cairn).
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import usertest  # noqa: E402

PROGRAMS = [("pipe_rt", ["--matrix"]), ("unix_rt", []), ("chan_rt", [])]
LINE = re.compile(r"^bench (\S+)-(proc|thread)-(same|cross) (\d+) ns/op .*min (\d+),")
TARGET = 0.25  # a channel call round trip at most 1/4 of Linux's pipe round trip
# Rows: (kernel, figure, label); the channel rows are compared below.
ROWS = [("linux", "pipe-1B", "Linux pipe 1 B"),
        ("linux", "pipe-64B", "Linux pipe 64 B"),
        ("linux", "pipe-4KiB", "Linux pipe 4 KiB"),
        ("linux", "unix-1B", "Linux AF_UNIX 1 B"),
        ("linux", "unix-64B", "Linux AF_UNIX 64 B"),
        ("linux", "unix-4KiB", "Linux AF_UNIX 4 KiB"),
        ("linux", "unix-1fd", "Linux AF_UNIX 1 B + 1 fd"),
        ("cairn", "pipe-1B", "Cairn pipe 1 B"),
        ("cairn", "unix-1B", "Cairn AF_UNIX 1 B"),
        ("cairn", "unix-1fd", "Cairn AF_UNIX 1 B + 1 fd"),
        ("cairn", "chan-0B", "Cairn channel call 0 B"),
        ("cairn", "chan-64B", "Cairn channel call 64 B"),
        ("cairn", "chan-4KiB", "Cairn channel call 4 KiB"),
        ("cairn", "chan-1h", "Cairn channel call 1 handle"),
        # The parts of a call, in one thread (chan_rt's parts(): no wake-up, no switch).
        ("cairn", "chanpart-null-call", "  part: null Cairn call"),
        ("cairn", "chanpart-handle-info", "  part: handle_info call"),
        ("cairn", "chanpart-write+read-0B", "  part: write+read 0 B"),
        ("cairn", "chanpart-write+read-4KiB", "  part: write+read 4 KiB"),
        ("cairn", "chanpart-write+read-1h", "  part: write+read 1 handle")]
# (channel figure, Linux figure it is held against, with the target?)
RATIOS = [("chan-0B", "pipe-1B", True), ("chan-64B", "pipe-64B", True),
          ("chan-4KiB", "pipe-4KiB", True), ("chan-1h", "unix-1fd", False),
          ("chan-0B", "unix-1B", False), ("chan-4KiB", "unix-4KiB", False)]


def build_initrd(programs):
    files, runs = {}, []
    for prog, args in programs:
        files["b/" + prog] = os.path.join(usertest.USER_BUILD, "bench", prog)
        runs.append((prog, ["/b/" + prog] + args, 600))
    out = os.path.join(usertest.USER_BUILD, "initramfs-ipc.cpio")
    return usertest.build_initrd(out, runs, files)


def parse(lines, stat="median"):
    """{(figure, mode, where): ns} from the bench lines of one boot: each
    figure's median round, or its fastest round (@stat "min")."""
    out = {}
    for l in lines:
        m = LINE.match(l)
        if m:
            out[(m.group(1), m.group(2), m.group(3))] = int(m.group(5 if stat == "min" else 4))
    return out


def columns(cpus):
    """The placements of the table: (vCPUs, mode, where, heading)."""
    cols = []
    for n in cpus:
        for where in (("same",) if n == 1 else ("same", "cross")):
            for mode in ("proc", "thread"):
                cols.append((n, mode, where, "%d:%s:%s" % (n, where, mode[:4])))
    return cols


def fmt(ns):
    if ns is None:
        return "-"
    if ns >= 1000000:
        return "%.2fms" % (ns / 1e6)
    if ns >= 10000:
        return "%.1fus" % (ns / 1e3)
    return "%dns" % ns


def report(res, cpus, opts):
    cols = columns(cpus)
    print("IPC round trips: q35, qemu64, TCG%s, 512 MiB; %s of 5 rounds per boot%s"
          % (" -icount shift=0,sleep=off" if opts.icount else "",
             "fastest" if opts.stat == "min" else "median",
             ", best of %d boots" % opts.rounds if opts.rounds > 1 else ""))
    print("columns: vCPUs:placement:mode (same = both on CPU 0, cross = CPU 0 and CPU 1; "
          "proc = two processes, thre = two threads of one)")
    print("%-30s" % "figure" + "".join("%14s" % c[3] for c in cols))
    for kernel, fig, label in ROWS:
        vals = [res[kernel].get(c[0], {}).get((fig, c[1], c[2])) for c in cols]
        print("%-30s" % label + "".join("%14s" % fmt(v) for v in vals))
    for chan, lin, target in RATIOS:
        cells, verdicts = [], []
        for c in cols:
            cv = res["cairn"].get(c[0], {}).get((chan, c[1], c[2]))
            lv = res["linux"].get(c[0], {}).get((lin, c[1], c[2]))
            r = cv / lv if cv and lv else None
            cells.append("%.3f" % r if r is not None else "-")
            if target and r is not None:
                verdicts.append(r <= TARGET)
        label = "%s / Linux %s" % (chan, lin)
        print("%-30s" % label + "".join("%14s" % x for x in cells))
        if target:
            print("%-30s" % ("  target <= %.2f" % TARGET) +
                  "".join("%14s" % ("-" if x == "-" else
                                    ("met" if float(x) <= TARGET else "missed"))
                          for x in cells))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kernel", default=os.path.join(usertest.BUILD, "kernel.elf"))
    ap.add_argument("--cpus", default="1,2", help="vCPU counts to boot with (1,2)")
    ap.add_argument("--rounds", type=int, default=1, help="boots of each kernel; best kept")
    ap.add_argument("--icount", action="store_true", help="-icount shift=0,sleep=off")
    ap.add_argument("--only", choices=("linux", "cairn"))
    # On a loaded host noise only adds time: the fastest round is the steadier figure.
    ap.add_argument("--stat", choices=("median", "min"), default="median",
                    help="each figure's median round (default) or fastest")
    ap.add_argument("--progs", metavar="PROG,...", help="only these (pipe_rt,unix_rt,chan_rt)")
    ap.add_argument("--cairn-append", default="", metavar="ARGS",
                    help="more of Cairn's command line (e.g. idle_poll_us=0)")
    ap.add_argument("--log", help="append every boot's console to this file")
    opts = ap.parse_args()
    progs = [p for p in PROGRAMS if not opts.progs or p[0] in opts.progs.split(",")]
    cpus = [int(x) for x in opts.cpus.split(",")]
    for prog, _ in progs:
        if not os.path.exists(os.path.join(usertest.USER_BUILD, "bench", prog)):
            print("ipcbench: skipped: %s/bench/%s missing (make user)"
                  % (usertest.USER_BUILD, prog))
            return 0
    initrd = build_initrd(progs)
    res = {"linux": {}, "cairn": {}}
    for n in cpus:
        env = {"CPUS": str(n), "MEM": "512M", "QEMU_CPU": "qemu64"}
        if opts.icount:
            env["QEMU_EXTRA"] = "-icount shift=0,sleep=off"
        for _ in range(opts.rounds):
            for label, kernel, append in (("linux", usertest.VMLINUZ, usertest.LINUX_APPEND),
                                          ("cairn", opts.kernel,
                                           (usertest.CAIRN_APPEND + " " + opts.cairn_append)
                                           .strip())):
                if opts.only and opts.only != label:
                    continue
                lines, status = usertest.boot(kernel, initrd, append, env, timeout=1800,
                                              slow={p: 600 for p, _ in progs})
                if opts.log:
                    with open(opts.log, "a") as f:
                        f.write("=== %s, %d vCPU(s)\n%s\n" % (label, n, "\n".join(lines)))
                if status is None:
                    print("ipcbench: the %s boot (%d vCPUs) did not finish; its last lines:"
                          % (label, n))
                    print("\n".join("  | " + l for l in lines[-10:]))
                for l in lines:
                    if "failed" in l and l.startswith("bench ") or "did not end" in l:
                        print("ipcbench: %s, %d vCPU(s): %s" % (label, n, l))
                best = res[label].setdefault(n, {})
                for k, ns in parse(lines, opts.stat).items():
                    best[k] = min(ns, best.get(k, ns))
    report(res, cpus, opts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
