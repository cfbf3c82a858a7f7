#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end tests of PCI (issue 13), used by tools/cairntest.py (group "pci").

1. The device list matches QEMU's: Cairn boots with a few more devices than
   q35 has (a PCI Express root port with a device behind it, so a bridge is
   crossed, and QEMU's edu device), the kernel shell's `lspci` is typed over
   serial, and every function, ID, class and BAR it lists is compared with
   `info pci` from QEMU's monitor on a socket.
2. MSI-X vectors land on more than one CPU: Cairn boots busybox with a
   virtio-blk and an NVMe disk, reads them from every CPU (taskset), and
   /proc/interrupts must show message interrupts counted on two CPUs or
   more. Until a disk driver binds a device it skips, saying so.

  tools/e2e_pci.py            both, on build/kernel.elf; -v echoes the serial line
"""
import argparse
import os
import re
import socket
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BUILD", "build")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\r|\x07")
EXTRA_DEVICES = ["-device", "pcie-root-port,id=rp1,chassis=1,slot=1",
                 "-device", "virtio-rng-pci,bus=rp1",
                 "-device", "pcie-root-port,id=rp2,chassis=2,slot=2",
                 "-device", "edu"]
UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}

# lspci: "00:02.0 0200: 8086:10d3 (rev 00) Ethernet controller ..." and "        BAR0 mem32 ..."
LSPCI_FN = re.compile(r"^([0-9a-f]{2}):([0-9a-f]{2})\.([0-7]) ([0-9a-f]{4}): "
                      r"([0-9a-f]{4}):([0-9a-f]{4}) ")
LSPCI_BAR = re.compile(r"^\s+BAR([0-5]) (io|mem32|mem64)( pref)? (0x[0-9a-f]+|0) "
                       r"\[(\d+)([KMGT]?)\]")
# info pci: "  Bus  0, device   2, function 0:", "    Ethernet controller: PCI device 8086:10d3",
# "      BAR0: 32 bit memory at 0xfeb80000 [0xfeb9ffff]." or "BAR2: I/O at 0xc040 [0xc05f]."
LSPCI_INTX = re.compile(r"  INT([A-D]) GSI (\d+)")
QEMU_IRQ = re.compile(r"^\s*IRQ (\d+), pin ([A-D])")
QEMU_FN = re.compile(r"^\s*Bus\s+(\d+), device\s+(\d+), function (\d+):")
QEMU_ID = re.compile(r"^\s*(.*): PCI device ([0-9a-f]{4}):([0-9a-f]{4})")
QEMU_CLASS = re.compile(r"^\s*Class (\d{4})")
QEMU_BAR = re.compile(r"^\s*BAR([0-5]): (?:(32|64) bit (prefetchable )?memory|(I/O)) at "
                      r"(0x[0-9a-f]+) \[(0x[0-9a-f]+)\]")


def clean(line):
    return ANSI.sub("", line)


def parse_lspci(lines):
    """{(bus, dev, fn): {"id": (vendor, device), "class": c, "bars": {n: (kind, base, size)}}}"""
    devs, cur = {}, None
    for line in map(clean, lines):
        m = LSPCI_FN.match(line)
        if m:
            cur = {"id": (m.group(5), m.group(6)), "class": m.group(4), "bars": {}}
            i = LSPCI_INTX.search(line)
            cur["intx"] = (i.group(1), int(i.group(2))) if i else None
            devs[tuple(int(m.group(i), 16) for i in (1, 2, 3))] = cur
            continue
        m = LSPCI_BAR.match(line)
        if m and cur is not None:
            kind = "io" if m.group(2) == "io" else m.group(2) + ("p" if m.group(3) else "")
            cur["bars"][int(m.group(1))] = (kind, int(m.group(4), 16),
                                            int(m.group(5)) * UNITS[m.group(6)])
    return devs


def parse_info_pci(text):
    """The same shape from QEMU's `info pci` (BARs the firmware left unplaced are left out)."""
    devs, cur = {}, None
    for line in text.splitlines():
        m = QEMU_FN.match(line)
        if m:
            cur = {"id": None, "class": None, "bars": {}, "intx": None}
            devs[tuple(int(m.group(i)) for i in (1, 2, 3))] = cur
            continue
        if cur is None:
            continue
        m = QEMU_ID.match(line)
        if m and cur["id"] is None:
            cur["id"] = (m.group(2), m.group(3))
            c = QEMU_CLASS.match(m.group(1))
            # An unnamed class is printed in decimal ("Class 0255" is 0x00ff).
            cur["class"] = "%04x" % int(c.group(1), 10) if c else None
            continue
        m = QEMU_IRQ.match(line)
        if m:
            cur["intx"] = (m.group(2), int(m.group(1)))
            continue
        m = QEMU_BAR.match(line)
        if m:
            base, end = int(m.group(5), 16), int(m.group(6), 16)
            if base == 0xffffffffffffffff or end < base:
                continue
            kind = "io" if m.group(4) else "mem" + m.group(2) + ("p" if m.group(3) else "")
            cur["bars"][int(m.group(1))] = (kind, base, end - base + 1)
    return devs


def monitor(sock_path, command, timeout=10):
    """Run @command on QEMU's human monitor at @sock_path; its output."""
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(timeout)
        s.connect(sock_path)
        data = b""
        while not data.endswith(b"(qemu) "):
            data += s.recv(4096)
        s.sendall(command.encode() + b"\n")
        data = b""
        while not data.rstrip().endswith(b"(qemu)"):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    return ANSI.sub("", data.decode("utf-8", "replace"))


def compare(cairn, qemu):
    """A list of differences between the two device lists (empty: they agree)."""
    diffs = []
    for addr in sorted(set(cairn) | set(qemu)):
        name = "%02x:%02x.%x" % addr
        if addr not in cairn or addr not in qemu:
            diffs.append("%s only in %s" % (name, "QEMU" if addr in qemu else "Cairn"))
            continue
        c, q = cairn[addr], qemu[addr]
        if c["id"] != q["id"]:
            diffs.append("%s: IDs %s:%s against QEMU's %s:%s" % ((name,) + c["id"] + q["id"]))
        if q["class"] and q["class"] != c["class"]:
            diffs.append("%s: class %s against QEMU's %s" % (name, c["class"], q["class"]))
        # lspci shows the INTx pin and line while a function has no vectors allocated.
        if c["intx"] and c["intx"] != q["intx"]:
            diffs.append("%s: INTx %s against QEMU's %s" % (name, c["intx"], q["intx"]))
        if c["bars"] != q["bars"]:
            diffs.append("%s: BARs %s against QEMU's %s" % (name, c["bars"], q["bars"]))
    return diffs


def settle(b, quiet, timeout):
    """Wait until @b printed nothing for @quiet seconds (at most @timeout)."""
    deadline = time.monotonic() + timeout
    seen, since = len(b.lines), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        if len(b.lines) != seen:
            seen, since = len(b.lines), time.monotonic()
        elif time.monotonic() - since >= quiet:
            return


def lspci_matches_info_pci(res, Boot, mode, path, tmp):
    """Test 1: `lspci` on Cairn against `info pci` on the same QEMU, booted by
    @mode: "direct" (SeaBIOS placed the BARs) or "uefi" (OVMF did)."""
    name = "e2e pci: lspci matches QEMU's info pci (bridge, edu, virtio-rng; %s)" % mode
    if not os.path.exists(path):
        res.skip(name, "%s not built" % path)
        return
    sock = os.path.join(tmp, "pci-monitor-%s.sock" % mode)
    b = Boot(mode, path, {"CPUS": "2"}, stdin_pipe=True,
             args=EXTRA_DEVICES + ["-monitor", "unix:%s,server,nowait" % sock])
    try:
        if b.wait_for(r"cairn: ready", 120) is None:
            res.add(name, False, "no ready line\n" + b.log())
            return
        time.sleep(1)
        start = len(b.lines)
        # The next command only once lspci is quiet: its echo must not land in lspci's lines.
        b.write(b"lspci\r")
        settle(b, 1.0, 20)
        b.write(b"echo lspci-done\r")
        if b.wait_for(r"^lspci-done$", 30) is None:
            res.add(name, False, "lspci did not finish\n" + b.log())
            return
        cairn = parse_lspci(b.lines[start:])
        qemu = parse_info_pci(monitor(sock, "info pci"))
    finally:
        b.kill()
    diffs = compare(cairn, qemu)
    behind = [a for a in cairn if a[0] > 0]
    if not behind:
        diffs.append("no function found behind a bridge")
    nbars = sum(len(d["bars"]) for d in cairn.values())
    if not any(d["intx"] for d in cairn.values()):
        diffs.append("no INTx pin and line listed by lspci")
    res.add(name, not diffs and len(cairn) > 0 and nbars > 0,
            "%d functions, %d BARs, %d behind bridges" % (len(cairn), nbars, len(behind))
            if not diffs
            else "\n".join("    " + d for d in diffs[:20]))


def msi_counts(text):
    """Per CPU, the message interrupts /proc/interrupts counted; and the rows seen."""
    lines = [clean(l) for l in text.splitlines()]
    head = next((l for l in lines if "CPU0" in l), None)
    if head is None:
        return None, []
    ncpu = len(head.split())
    sums, rows = [0] * ncpu, []
    for l in lines:
        if " PCI-MSI" not in l:
            continue
        f = l.split()
        rows.append(l.strip())
        for i in range(ncpu):
            sums[i] += int(f[1 + i])
    return sums, rows


def msix_spread(res, kernel, tmp, echo=False):
    """Test 2: disk reads from every CPU; message interrupts on two CPUs or more."""
    import e2e_busybox
    import mkrootfs
    name = "e2e pci: MSI-X interrupts land on more than one CPU"
    if not os.path.exists(mkrootfs.BUSYBOX):
        res.skip(name, "no busybox (%s)" % mkrootfs.BUSYBOX)
        return
    rootfs = os.path.join(tmp, "pci-rootfs.cpio")
    try:
        # The busybox image without the test programs: only the shell and taskset are used.
        mkrootfs.write_if_changed(rootfs, mkrootfs.archive(mkrootfs.image_entries(tests=False)))
    except (SystemExit, OSError) as e:
        res.skip(name, "no rootfs: %s" % e)
        return
    disks = [os.path.join(tmp, "pci-disk%d.img" % i) for i in (0, 1)]
    for disk in disks:
        with open(disk, "wb") as f:
            f.truncate(8 << 20)
    args = ["-drive", "if=none,file=%s,format=raw,id=d0" % disks[0],
            "-device", "virtio-blk-pci,disable-legacy=on,drive=d0",
            "-drive", "if=none,file=%s,format=raw,id=d1" % disks[1],
            "-device", "nvme,serial=cairnpci,drive=d1"]
    s = e2e_busybox.Serial("direct", kernel, {"INITRD": rootfs, "APPEND": "init=/sbin/init",
                                              "CPUS": "2"}, echo, args)
    try:
        sh = e2e_busybox.Shell(s)
        detail, why = e2e_busybox.first_prompt(s, sh, time.monotonic())
        if why:
            res.add(name, False, why)
            return
        # Different blocks from each CPU: a second read of the same ones would
        # come from the buffer cache without touching the disk.
        reads = ("for d in /dev/vda /dev/nvme0n1; do [ -b $d ] || continue; "
                 "for c in 1 2; do taskset $c dd if=$d of=/dev/null bs=4096 count=256 "
                 "skip=$((c * 512)) 2>/dev/null; done; done")
        sh.run(reads, 120)
        status, out = sh.run("cat /proc/interrupts", 30)
        if echo:
            print("\n".join(out or []))
    finally:
        s.kill()
    sums, rows = msi_counts("\n".join(out or []))
    bound = [r for r in rows if not r.endswith("-edge")]
    if status != 0 or sums is None:
        res.add(name, False, "cannot read /proc/interrupts: %r" % (out,))
    elif not bound:
        res.skip(name, "no driver has message vectors yet (virtio-blk, NVMe not landed)")
    else:
        busy = [i for i, n in enumerate(sums) if n > 0]
        res.add(name, len(busy) >= 2, "per CPU %s over %d vectors" % (sums, len(rows)))


def jobs(res, Boot, kernel, tmp):
    """tools/cairntest.py's group "pci"."""
    image = os.path.join(BUILD, "cairn.img")
    return [lambda: lspci_matches_info_pci(res, Boot, "direct", kernel, tmp),
            lambda: lspci_matches_info_pci(res, Boot, "uefi", image, tmp),
            lambda: msix_spread(res, kernel, tmp)]


def main():
    import cairntest
    ap = argparse.ArgumentParser(usage=__doc__)
    ap.add_argument("--kernel", default=os.path.join(BUILD, "kernel.elf"))
    ap.add_argument("-v", action="store_true", help="echo the serial line")
    opts = ap.parse_args()
    os.chdir(ROOT)
    res = cairntest.Results()
    with tempfile.TemporaryDirectory(prefix="cairn-e2e-pci-") as tmp:
        lspci_matches_info_pci(res, cairntest.Boot, "direct", opts.kernel, tmp)
        lspci_matches_info_pci(res, cairntest.Boot, "uefi", os.path.join(BUILD, "cairn.img"),
                               tmp)
        msix_spread(res, opts.kernel, tmp, opts.v)
    print("%d passed, %d failed" % (res.passed, res.failed))
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
