#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Network benchmarks of issue 14, Cairn beside the Linux baseline.

Debian's kernel and Cairn each boot the same initramfs on the same QEMU line
(tools/qemu.sh direct, NET=user: virtio-net on QEMU's user network, host
ports forwarded to the guest's 80 and 7), one after the other in one run.
The guest configures eth0 (10.0.2.15/24, gateway 10.0.2.2) with busybox
ifconfig and route, serves /www with the unchanged busybox httpd and runs
user/bench/tcpecho on port 7. From the host:

  - requests/s with p50 and p99 latency of a 1 KiB file, 1 and 8 clients
    at once (ApacheBench, `ab`: apache2-utils);
  - a 100 MB file in MB/s (curl);
  - the round trip of 1 byte over one TCP connection (median of 1000).

The figures are printed side by side with Cairn/Linux ratios against the
issue's targets. Part of `make bench`; alone: `tools/netbench.py`
(--only linux|cairn, --requests N, --bulk-mb N, --cpus N; 1 vCPU by default).
"""
import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import usertest  # noqa: E402

GUEST_IP, GATEWAY = "10.0.2.15", "10.0.2.2"
READY = "netbench: ready"
# Linux's ip= needs CONFIG_IP_PNP, which Debian's kernel lacks: both get the
# same ifconfig/route lines; Cairn's ip= matches them (no DHCP wait at boot).
IP_ARG = "ip=%s::%s:255.255.255.0::eth0:off" % (GUEST_IP, GATEWAY)
SCRIPT = """B=/bin/busybox
$B mkdir -p /proc /sys /www /tmp
$B mount -t proc proc /proc 2>/dev/null
$B mount -t sysfs sysfs /sys 2>/dev/null
[ -e /dev/zero ] || $B mount -t devtmpfs devtmpfs /dev
$B ifconfig lo 127.0.0.1 up
$B ifconfig eth0 {ip} netmask 255.255.255.0 up || echo "netbench: ifconfig failed"
$B route add default gw {gw} 2>/dev/null
$B dd if=/dev/urandom of=/www/1k bs=1024 count=1 2>/dev/null
$B dd if=/dev/zero of=/www/bulk bs=1048576 count={mb} 2>/dev/null
$B ls -l /www
$B httpd -p 80 -h /www || echo "netbench: httpd failed"
/b/tcpecho 7 &
$B sleep 1
echo "{ready}"
exec $B sleep 100000
"""
# Targets of issue 14, Cairn/Linux: requests/s at least 2.5x, p99 at most 1/2, bulk at least 1x.
TARGETS = {"rps": (">=", 2.5), "p99": ("<=", 0.5), "bulk": (">=", 1.0), "rtt": (None, None)}


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Guest:
    """One kernel booted with the benchmark initramfs, its console collected."""

    def __init__(self, kernel, initrd, append, env):
        self.http, self.echo = free_port(), free_port()
        e = dict(os.environ, SERIAL="stdio", GUI="0", INITRD=initrd, APPEND=append, DISKS="",
                 NET="user",
                 HOSTFWD="tcp:127.0.0.1:%d-:80 tcp:127.0.0.1:%d-:7" % (self.http, self.echo))
        e.update(env)
        self.lines = []
        self.proc = subprocess.Popen([usertest.QEMU, "direct", kernel], env=e, cwd=usertest.ROOT,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for raw in self.proc.stdout:
            self.lines.append(raw.decode("utf-8", "replace").rstrip("\r\n"))

    def wait_ready(self, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end and self.proc.poll() is None:
            if READY in self.lines:
                return True
            time.sleep(0.2)
        return False

    def stop(self):
        try:
            os.killpg(self.proc.pid, 9)
        except ProcessLookupError:
            pass
        self.proc.wait()


def ab(port, path, n, c, timeout):
    """requests/s, p50 ms, p99 ms from ApacheBench, or None (with the reason printed)."""
    cmd = ["ab", "-q", "-n", str(n), "-c", str(c), "-s", "10",
           "http://127.0.0.1:%d%s" % (port, path)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout).stdout
    except subprocess.TimeoutExpired:
        print("netbench: %s timed out" % " ".join(cmd))
        return None
    rps = re.search(r"Requests per second:\s+([\d.]+)", out)
    p50 = re.search(r"^\s+50%\s+(\d+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\d+)", out, re.M)
    failed = re.search(r"Failed requests:\s+(\d+)", out)
    if (not (rps and p50 and p99) or (failed and int(failed.group(1)))
            or "Non-2xx responses" in out):
        print("netbench: ab -c %d failed:\n%s" % (c, "\n".join("  | " + l for l in
                                                            out.splitlines()[-12:])))
        return None
    return float(rps.group(1)), float(p50.group(1)), float(p99.group(1))


def bulk(port, mb, timeout):
    """MB/s of one GET of the bulk file (its size checked), or None."""
    cmd = ["curl", "-s", "-o", "/dev/null", "-m", str(timeout), "-w",
           "%{size_download} %{time_total}", "http://127.0.0.1:%d/bulk" % port]
    r = subprocess.run(cmd, capture_output=True, text=True)
    try:
        size, secs = r.stdout.split()
        size, secs = int(size), float(secs)
    except ValueError:
        size, secs = 0, 0
    if size != mb << 20 or secs <= 0:
        print("netbench: curl got %d of %d bytes (exit %d)" % (size, mb << 20, r.returncode))
        return None
    return size / secs / 1e6


def round_trip(port, n):
    """Median microseconds of @n 1-byte round trips over one connection, or None."""
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        times = []
        for i in range(n + 20):
            t = time.perf_counter()
            s.sendall(b"x")
            if s.recv(1) != b"x":
                raise OSError("wrong byte back")
            if i >= 20:  # the first ones warm up both sides
                times.append(time.perf_counter() - t)
        s.close()
    except OSError as e:
        print("netbench: round trips: %s" % e)
        return None
    return statistics.median(times) * 1e6


def measure(label, kernel, append, initrd, opts):
    env = {"CPUS": str(opts.cpus), "MEM": opts.mem, "QEMU_CPU": "qemu64"}
    g = Guest(kernel, initrd, append, env)
    figs = {}
    try:
        if not g.wait_ready(opts.boot_timeout):
            print("netbench: %s never got ready; its last lines:" % label)
            print("\n".join("  | " + l for l in g.lines[-15:]))
            return figs
        # One request first: ARP, the first connection, the file's pages.
        ab(g.http, "/1k", 5, 1, 60)
        for c in (1, 8):
            r = ab(g.http, "/1k", opts.requests * c, c, opts.step_timeout)
            if r:
                figs["rps c%d" % c], figs["p50 c%d" % c], figs["p99 c%d" % c] = r
        b = bulk(g.http, opts.bulk_mb, opts.step_timeout)
        if b:
            figs["bulk"] = b
        t = round_trip(g.echo, opts.round_trips)
        if t:
            figs["rtt"] = t
    finally:
        g.stop()
    return figs


ROWS = [("rps c1", "requests/s, 1 KiB, 1 client", "rps", "%.0f"),
        ("p50 c1", "  p50 ms", None, "%.0f"),
        ("p99 c1", "  p99 ms", "p99", "%.0f"),
        ("rps c8", "requests/s, 1 KiB, 8 clients", "rps", "%.0f"),
        ("p50 c8", "  p50 ms", None, "%.0f"),
        ("p99 c8", "  p99 ms", "p99", "%.0f"),
        ("bulk", "bulk GET MB/s", "bulk", "%.1f"),
        ("rtt", "TCP round trip 1 byte, us", "rtt", "%.0f")]


def verdict(kind, l, c):
    op, goal = TARGETS.get(kind, (None, None))
    if not op or l is None or c is None:
        return ""
    if op == "<=" and l == 0:
        ok = c == 0
    else:
        ok = c / l >= goal if op == ">=" else c / l <= goal
    return "%s %.2f %s" % (op, goal, "met" if ok else "missed")


def report(res, opts):
    print("network benchmarks: %d vCPU(s), q35, qemu64, TCG, virtio-net, QEMU user network "
          "(slirp) with hostfwd; %d requests per client, %d MB bulk, %d round trips"
          % (opts.cpus, opts.requests, opts.bulk_mb, opts.round_trips))
    print("%-32s %10s %10s %8s   %s" % ("figure", "Linux", "Cairn", "ratio", "target"))
    for key, name, kind, f in ROWS:
        l, c = res["linux"].get(key), res["cairn"].get(key)
        ratio = "%.2f" % (c / l) if l and c is not None else "-"
        print("%-32s %10s %10s %8s   %s" % (name, f % l if l is not None else "-",
                                            f % c if c is not None else "-", ratio,
                                            verdict(kind, l, c)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kernel", default=os.path.join(usertest.BUILD, "kernel.elf"))
    ap.add_argument("--only", choices=("linux", "cairn"))
    # One vCPU, as tools/userbench.py: on this shared 2-core host a second vCPU
    # thread mostly measures the host's scheduler (docs/performance.md).
    ap.add_argument("--cpus", type=int, default=1)
    ap.add_argument("--mem", default="512M")
    ap.add_argument("--requests", type=int, default=500, help="per client, for ab")
    ap.add_argument("--bulk-mb", type=int, default=100)
    ap.add_argument("--round-trips", type=int, default=1000)
    ap.add_argument("--boot-timeout", type=int, default=120)
    ap.add_argument("--cairn-append", default="", metavar="ARGS",
                    help="more of Cairn's command line (e.g. idle_poll_us=0)")
    ap.add_argument("--step-timeout", type=int, default=300)
    opts = ap.parse_args()
    for tool in ("ab", "curl"):
        if not shutil.which(tool):
            print("netbench: skipped: no %s on the host (tools/deps.sh installs it)" % tool)
            return 0
    echo = os.path.join(usertest.USER_BUILD, "bench", "tcpecho")
    script = SCRIPT.format(ip=GUEST_IP, gw=GATEWAY, mb=opts.bulk_mb, ready=READY)
    files = {"bin/busybox": usertest.BUSYBOX, "b/tcpecho": echo}
    files.update(usertest.linux_modules())
    runs = [("netbench", ["/bin/busybox", "sh", "-c", script], 100000)]
    initrd = usertest.build_initrd(os.path.join(usertest.USER_BUILD, "initramfs-net.cpio"),
                                   runs, files)
    res = {"linux": {}, "cairn": {}}
    for label, kernel, append in (("linux", usertest.VMLINUZ, usertest.LINUX_APPEND),
                                  ("cairn", opts.kernel,
                                   (usertest.CAIRN_APPEND + " " + opts.cairn_append).strip())):
        if opts.only and opts.only != label:
            continue
        res[label] = measure(label, kernel, append + " " + IP_ARG, initrd, opts)
    report(res, opts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
