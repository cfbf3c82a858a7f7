#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Boot-time figures: whole-QEMU-process time of a direct (PVH) boot to
power-off beside a null kernel's; wall time from QEMU start to
`cairn: ready` and the kernel's own t= (milliseconds since loader entry),
median of N boots on each boot path. Part of `make bench`;
`tools/boottime.py direct` runs only the first comparison."""
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


def timed_poweroff(elf, cpus, expect):
    """One `tools/qemu.sh direct` run with `poweroff` on the command line:
    milliseconds from starting the script until QEMU has exited, and the CPU
    time the script and QEMU used (user + system, all threads), or None when
    the kernel did not print @expect or QEMU did not exit cleanly (ACPI S5
    ends QEMU with status 0)."""
    import resource
    import subprocess
    env = dict(os.environ, CPUS=str(cpus), APPEND="poweroff", SERIAL="stdio", GUI="0")
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    p = subprocess.Popen(["tools/qemu.sh", "direct", elf], env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         start_new_session=True)
    try:
        raw = p.communicate(timeout=60)[0]
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, 9)  # QEMU is the script's child: end the whole group
        p.communicate()
        print("boottime: %s with %d CPU(s) still running after 60 s" % (elf, cpus),
              file=sys.stderr)
        return None
    wall = time.monotonic() - start
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime)
    out = raw.decode(errors="replace")
    if p.returncode != 0 or expect not in out:
        print("boottime: %s with %d CPU(s) exited %d:\n%s" % (elf, cpus, p.returncode, out),
              file=sys.stderr)
        return None
    return wall * 1000, cpu * 1000


def direct_vs_null(build, n):
    """Cairn and the null kernel (tools/nullkernel), each booted with the
    same QEMU line to power-off, n times with 1 and with 2 CPUs. The runs
    alternate (Cairn first on even rounds, the null kernel on odd ones) so
    that load from elsewhere on the machine falls on both alike."""
    kernels = [("cairn", os.path.join(build, "kernel.elf"), "cairn: ready"),
               ("null", os.path.join(build, "nullkernel.elf"), "nullkernel: ready")]
    runs = {(k, c): [] for k, _, _ in kernels for c in (1, 2)}
    diffs = {1: [], 2: []}
    for i in range(n):
        for cpus in (1, 2):
            pair = {}
            for name, elf, expect in (kernels if i % 2 == 0 else kernels[::-1]):
                r = timed_poweroff(elf, cpus, expect)
                if r:
                    pair[name] = r[0]
                    runs[(name, cpus)].append(r)
            if len(pair) == 2:
                diffs[cpus].append(pair["cairn"] - pair["null"])
    print("direct boot to power-off, whole QEMU process (tools/qemu.sh direct, APPEND=poweroff),"
          " medians of %d interleaved runs (ms):" % n)
    print("cpus  cairn  null  difference  ratio  paired difference | CPU time: cairn  null  difference")
    for cpus in (1, 2):
        c, z = runs[("cairn", cpus)], runs[("null", cpus)]
        if not c or not z:
            print("%4d  (runs failed)" % cpus)
            continue
        mc, mz = statistics.median(r[0] for r in c), statistics.median(r[0] for r in z)
        uc, uz = statistics.median(r[1] for r in c), statistics.median(r[1] for r in z)
        print("%4d  %5.1f %5.1f  %10.1f  %5.2f  %17.1f |           %5.1f %5.1f  %10.1f"
              % (cpus, mc, mz, mc - mz, mc / mz, statistics.median(diffs[cpus]), uc, uz, uc - uz))


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
    direct_vs_null(build, max(11, int(os.environ.get("DIRECT_RUNS", "11"))))
    if sys.argv[1:] == ["direct"]:
        return
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
