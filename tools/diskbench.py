#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Disk benchmarks of issue 13, Cairn beside the Linux baseline.

user/bench/diskbench.c runs on Debian's kernel and on Cairn, one after the
other in one run, on the same QEMU line (tools/qemu.sh direct, 2 vCPUs,
512 MiB) with the same two virtio-blk disks, fresh copies of one template
each time: vda, a 512 MiB raw scratch disk full of random bytes (no
holes, so reads fetch data), and vdb, an ext2 file system
made by `mke2fs -t ext2 -d` holding big.bin (128 MiB) and src.tar (a 50 MB
archive of 2,000-odd files). Linux loads virtio_blk and ext4 (which serves
ext2) from the initramfs (tools/fetch-debs.sh, user/init/testinit.c).
Figures are printed side by side with the Cairn/Linux ratio; the issue's
target is a ratio of at least 1 on each. Part of `make bench`, which runs it
twice: as above, then with --bus nvme, the same two images attached as two
NVMe controllers (nvme0n1, nvme1n1; Linux loads its nvme driver).
"""
import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import usertest  # noqa: E402

BENCH_DIR = os.path.join(usertest.BUILD, "bench", "disk")
PROG = os.path.join(usertest.USER_BUILD, "bench", "diskbench")
ENV = {"CPUS": "2", "MEM": "512M", "QEMU_CPU": "qemu64"}
RAW_MIB, FS_MIB = 512, 512
LINE = re.compile(r"^disk (\S+) ([\d.]+) (\S+) \((.*)\)$")
SKIP = re.compile(r"^disk (\S+) skipped: (.*)$")
MKE2FS = shutil.which("mke2fs") or "/sbin/mke2fs"


def make_tree(top, rng):
    """A source-tree-like folder of about 50 MB: many small files, a few large."""
    total, n = 0, 0
    while total < 50 * 10**6:
        d = os.path.join(top, "d%02d" % (n % 37), "s%d" % (n % 5))
        os.makedirs(d, exist_ok=True)
        size = rng.choice((rng.randrange(200, 8000), rng.randrange(8000, 60000),
                           rng.randrange(100000, 1500000) if n % 50 == 0 else 3000))
        with open(os.path.join(d, "f%05d.dat" % n), "wb") as f:
            f.write(rng.randbytes(size))
        total += size
        n += 1
    return n


def templates():
    """The two template images (made once, kept in build/bench/disk)."""
    os.makedirs(BENCH_DIR, exist_ok=True)
    raw = os.path.join(BENCH_DIR, "raw.img")
    fs = os.path.join(BENCH_DIR, "fs.img")
    if not os.path.exists(raw):
        # Data everywhere (no holes): a read must fetch bytes, not QEMU's zeros for a hole.
        with open(raw + ".part", "wb") as f:
            for _ in range(RAW_MIB):
                f.write(os.urandom(1 << 20))
        os.replace(raw + ".part", raw)
    if not os.path.exists(fs):
        rng = random.Random(13)
        with tempfile.TemporaryDirectory(prefix="cairn-diskbench-") as tmp:
            root, tree = os.path.join(tmp, "root"), os.path.join(tmp, "tree")
            os.makedirs(root)
            with open(os.path.join(root, "big.bin"), "wb") as f:
                for _ in range(128):
                    f.write(rng.randbytes(1 << 20))
            files = make_tree(tree, rng)
            with tarfile.open(os.path.join(root, "src.tar"), "w", format=tarfile.GNU_FORMAT) as t:
                t.add(tree, arcname="src")
            print("diskbench: made src.tar (%d files)" % files)
            with open(fs + ".part", "wb") as f:
                f.truncate(FS_MIB << 20)
            subprocess.run([MKE2FS, "-q", "-F", "-t", "ext2", "-d", root, fs + ".part"],
                           check=True)
        os.replace(fs + ".part", fs)
    return raw, fs


# The two disks' names on either kernel, and the DISKS suffix, per bus (tools/qemu.sh).
BUSES = {"virtio": (("/dev/vda", "/dev/vdb"), "", "virtio-blk"),
         "nvme": (("/dev/nvme0n1", "/dev/nvme1n1"), ":nvme", "NVMe (one controller per disk)")}


def initrd(bus):
    files = {"bin/busybox": usertest.BUSYBOX, "b/diskbench": PROG}
    files.update(usertest.linux_modules())
    raw_dev, fs_dev = BUSES[bus][0]
    runs = [("diskbench", ["/b/diskbench", raw_dev, fs_dev, "/mnt", "/mnt/src.tar"], 1500)]
    out = os.path.join(usertest.USER_BUILD, "initramfs-diskbench-%s.cpio" % bus)
    return usertest.build_initrd(out, runs, files)


def run_one(kernel, append, archive, raw, fs, work, echo, bus):
    """Boot @kernel on fresh copies of the templates; name -> (value, unit, detail) or why."""
    disks = []
    for src in (raw, fs):
        dst = os.path.join(work, os.path.basename(src))
        subprocess.run(["cp", "--sparse=auto", src, dst], check=True)
        disks.append(dst + BUSES[bus][1])
    env = dict(ENV, DISKS=" ".join(disks))
    lines, status = usertest.boot(kernel, archive, append, env, timeout=1800, echo=echo,
                                  slow={"diskbench": 1500})
    out = {}
    for l in lines:
        m = LINE.match(l)
        if m:
            out[m.group(1)] = (float(m.group(2)), m.group(3), m.group(4))
        m = SKIP.match(l)
        if m:
            out[m.group(1)] = m.group(2)
    if status is None:
        print("diskbench: the boot of %s did not finish; its last lines:" % kernel)
        print("\n".join("  | " + l for l in lines[-15:]))
    return out


def show(v):
    return "%.1f %s" % (v[0], v[1]) if isinstance(v, tuple) else "-"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kernel", default=os.path.join(usertest.BUILD, "kernel.elf"))
    ap.add_argument("--only", choices=("linux", "cairn"), help="boot one kernel only")
    ap.add_argument("--echo", action="store_true", help="copy the serial output here")
    ap.add_argument("--bus", choices=sorted(BUSES), default="virtio",
                    help="attach the disks as virtio-blk (default) or NVMe")
    opts = ap.parse_args()
    os.chdir(usertest.ROOT)
    subprocess.run([os.path.join("tools", "fetch-debs.sh"), usertest.BUILD], check=True)
    for need in (PROG, usertest.VMLINUZ, usertest.MODULES):
        if not os.path.exists(need):
            print("diskbench: %s missing (make user; tools/fetch-debs.sh)" % need)
            return 1
    raw, fs = templates()
    archive = initrd(opts.bus)
    res = {}
    with tempfile.TemporaryDirectory(prefix="cairn-diskbench-") as work:
        for label, kernel, append in (("linux", usertest.VMLINUZ, usertest.LINUX_APPEND),
                                      ("cairn", opts.kernel, usertest.CAIRN_APPEND)):
            if opts.only in (None, label):
                res[label] = run_one(kernel, append, archive, raw, fs, work, opts.echo,
                                     opts.bus)
    names = []
    for r in res.values():
        names += [n for n in r if n not in names]
    print("disk benchmarks: %s, 2 vCPUs, 512 MiB, q35, TCG; one boot each" % BUSES[opts.bus][2])
    print("%-18s %14s %14s %7s  %s" % ("figure", "Linux", "Cairn", "ratio", "target >= 1"))
    for n in names:
        lv, cv = res.get("linux", {}).get(n), res.get("cairn", {}).get(n)
        ok = isinstance(lv, tuple) and isinstance(cv, tuple) and lv[0] > 0
        ratio = "%.2f" % (cv[0] / lv[0]) if ok else "-"
        verdict = ("met" if cv[0] >= lv[0] else "missed") if ok else ""
        print("%-18s %14s %14s %7s  %s" % (n, show(lv), show(cv), ratio, verdict))
        for label, v in (("Linux", lv), ("Cairn", cv)):
            if isinstance(v, str):
                print("    %s: skipped: %s" % (label, v))
    return 0


if __name__ == "__main__":
    sys.exit(main())
