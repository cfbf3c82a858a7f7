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


def kernel_benches(build):
    """Boot the image on BIOS with `kbench` and print the kernel's own figures."""
    import subprocess
    import tempfile
    img = os.path.join(tempfile.mkdtemp(prefix="cairn-bench-"), "bench.img")
    subprocess.run(["tools/mkimage.sh", img, os.path.join(build, "kernel.elf"),
                    os.path.join(build, "boot", "BOOTX64.EFI"),
                    os.path.join(build, "boot", "mbr.bin"),
                    os.path.join(build, "boot", "stage2.bin"), "--cmdline", "kbench"],
                   check=True)
    b = Boot("bios", img)
    b.wait_for(r"^bench: done", 300)
    b.kill()
    os.remove(img)
    print("in-kernel benchmarks (BIOS boot, `kbench` on the command line):")
    for line in b.lines:
        if line.startswith("bench: ") and line != "bench: done":
            print("  " + line[7:])


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
    kernel_benches(build)
    for f in ("boot/BOOTX64.EFI", "boot/mbr.bin", "boot/stage2.bin", "kernel.elf", "cairn.img"):
        p = os.path.join(build, f)
        if os.path.exists(p):
            print("size %-18s %9d bytes" % (f, os.path.getsize(p)))


if __name__ == "__main__":
    main()
