#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Boot-time figures: wall time from QEMU start to `cairn: ready` and the
kernel's own t= (milliseconds since loader entry), median of N boots on
each boot path. Part of `make bench`."""
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cairntest import Boot, READY  # noqa: E402


def measure(mode, path, n, env=None):
    walls, ts = [], []
    for _ in range(n):
        start = time.monotonic()
        b = Boot(mode, path, env)
        m = b.wait_for(READY.pattern, 120)
        wall = time.monotonic() - start
        b.kill()
        if not m:
            print("boottime: %s did not reach ready" % mode, file=sys.stderr)
            return None
        walls.append(wall)
        ts.append(int(m.group(4)))
    return statistics.median(walls), statistics.median(ts)


def main():
    n = int(os.environ.get("RUNS", "5"))
    build = os.environ.get("BUILD", "build")
    paths = [("uefi", os.path.join(build, "cairn.img"), None),
             ("bios", os.path.join(build, "cairn.img"), None),
             ("direct", os.path.join(build, "kernel.elf"), None)]
    print("boot path  QEMU start to ready (median of %d)  kernel t= (loader entry to ready)" % n)
    for mode, path, env in paths:
        r = measure(mode, path, n, env)
        if r:
            print("%-9s  %8.2f s                          %6d ms" % (mode, r[0], r[1]))
    for f in ("boot/BOOTX64.EFI", "boot/mbr.bin", "boot/stage2.bin", "kernel.elf", "cairn.img"):
        p = os.path.join(build, f)
        if os.path.exists(p):
            print("size %-18s %9d bytes" % (f, os.path.getsize(p)))


if __name__ == "__main__":
    main()
