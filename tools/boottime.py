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


def key_echo_latency(build, keys=60):
    """Keypress-to-echo on the serial console: the time from writing one byte
    to QEMU's COM1 until the shell's echo of it comes back (median, max)."""
    import select
    import subprocess
    env = dict(os.environ, SERIAL="stdio", GUI="0")
    p = subprocess.Popen(["tools/qemu.sh", "direct", os.path.join(build, "kernel.elf")],
                         env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, start_new_session=True)
    out = b""

    def read_until(token, timeout):
        nonlocal out
        end = time.monotonic() + timeout
        while token not in out:
            left = end - time.monotonic()
            if left <= 0 or not select.select([p.stdout], [], [], left)[0]:
                return False
            out += os.read(p.stdout.fileno(), 4096)
        return True
    times = []
    if read_until(b"for the commands", 120):
        time.sleep(0.5)
        for i in range(keys):
            ch = bytes([ord("a") + i % 26])
            out = b""
            t0 = time.monotonic()
            p.stdin.write(ch)
            p.stdin.flush()
            if not read_until(ch, 5):
                break
            times.append(time.monotonic() - t0)
    os.killpg(p.pid, 9)
    p.wait()
    if len(times) == keys:
        print("keypress to echo (serial, shell line editor, %d keys): median %.2f ms, max %.2f ms"
              % (keys, statistics.median(times) * 1000, max(times) * 1000))
    else:
        print("keypress to echo: no echo after %d keys" % len(times), file=sys.stderr)


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
    key_echo_latency(build)
    for f in ("boot/BOOTX64.EFI", "boot/mbr.bin", "boot/stage2.bin", "kernel.elf", "cairn.img"):
        p = os.path.join(build, f)
        if os.path.exists(p):
            print("size %-18s %9d bytes" % (f, os.path.getsize(p)))


if __name__ == "__main__":
    main()
