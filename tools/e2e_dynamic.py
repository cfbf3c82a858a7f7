#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Dynamically linked programs from an ext2 disk (issue 13, part 6; group "disk").

The host puts Debian's own /usr/bin/ls, sort and md5sum, the interpreter
and the libraries `ldd` lists (tools/usertest.py's dynamic_files()) and a
file of words into an ext2 image with `mke2fs -d`. Cairn boots the busybox
image with that disk (tools/qemu.sh's DISKS=), mounts it read-only and runs
the three programs chrooted into it, so the kernel loads the program and
ld.so from ext2 and ld.so maps the libraries from ext2 through the page
cache. Their output is checked against what the host computes itself:
the checksums of the files, the names ls lists, the words sorted.

  tools/e2e_dynamic.py [-v]
"""
import argparse
import hashlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_busybox as eb  # noqa: E402
import mkrootfs  # noqa: E402
import usertest  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BUILD", "build")
APPEND = "init=/sbin/init"
CPUS = os.environ.get("E2E_DISK_CPUS", "1")


def make_tree(top):
    """The disk's files: the programs and libraries, and /data/words."""
    for rel, host in usertest.dynamic_files().items():
        p = os.path.join(top, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        shutil.copyfile(host, p)
        os.chmod(p, 0o755)
    rnd = random.Random(20261206)
    words = ["%s-%d" % ("".join(rnd.choice("abcdefghij") for _ in range(rnd.randint(1, 8))),
                        rnd.randint(0, 999)) for _ in range(2000)]
    os.makedirs(os.path.join(top, "data"))
    with open(os.path.join(top, "data", "words"), "w") as f:
        f.write("\n".join(words) + "\n")
    return words


def md5(path):
    with open(path, "rb") as f:
        return hashlib.md5(f.read()).hexdigest()


def checks(top, words):
    """(name, command, expected output lines) run chrooted into the disk."""
    progs = sorted(p for p in usertest.dynamic_files())
    sums = ["%s  /%s" % (md5(os.path.join(top, p)), p) for p in progs]
    return [
        ("md5sum of every file it loads", "/usr/bin/md5sum " + " ".join("/" + p for p in progs),
         sums),
        ("ls", "/usr/bin/ls -1 /usr/bin /data", ["/data:", "words", "", "/usr/bin:", "ls",
                                                "md5sum", "sort"]),
        ("sort -u of 2,000 words",
         "/usr/bin/sort -u /data/words | chroot /mnt/dyn /usr/bin/md5sum",
         [hashlib.md5(("\n".join(sorted(set(words))) + "\n").encode()).hexdigest() + "  -"]),
    ]


def run_checks(res, rootfs, img, top, words, echo):
    s = eb.Serial("direct", os.path.join(BUILD, "kernel.elf"),
                  {"INITRD": rootfs, "APPEND": APPEND, "DISKS": "%s:virtio:ro" % img,
                   "MEM": "512M", "CPUS": CPUS}, echo)
    shell = eb.Shell(s)
    try:
        _, why = eb.first_prompt(s, shell, time.monotonic())
        if why:
            res.add("disk: boot with the coreutils disk", False, why)
            return
        st, out = shell.run("mkdir -p /mnt/dyn && mount -t ext2 -o ro /dev/vda /mnt/dyn", 30)
        if st != 0:
            res.add("disk: mount the coreutils disk", False, "\n".join(out) + s.tail())
            return
        for name, cmd, want in checks(top, words):
            st, out = shell.run("chroot /mnt/dyn " + cmd, 120)
            got = [l.rstrip("\r") for l in out if not l.startswith("syscall:")]
            # The terminal wraps the echo of a long command: its tail comes first.
            got = got[len(got) - len(want):] if len(got) > len(want) else got
            ok = st == 0 and got == want
            res.add("disk: Debian's dynamically linked %s from ext2 on Cairn" % name, ok,
                    "" if ok else "status %s\n  got  %r\n  want %r\n%s" % (st, got[:12],
                                                                             want[:12], s.tail()))
        shell.run("umount /mnt/dyn", 30)
    finally:
        s.kill()
        with open(os.path.join(BUILD, "e2e-dynamic.log"), "w") as f:
            f.write(s.text())


def jobs(res, kernel, tmp, echo=False):
    """The group's boot, as a job for tools/cairntest.py."""
    def run():
        name = "disk: dynamically linked programs from ext2"
        need = [t for t in ("mke2fs", "ldd") if not shutil.which(t)]
        if need or not os.path.isfile(mkrootfs.BUSYBOX):
            res.skip(name, "missing " + ", ".join(need or [mkrootfs.BUSYBOX]))
            return
        work = tempfile.mkdtemp(prefix="e2e-dyn-", dir=tmp)
        top = os.path.join(work, "tree")
        words = make_tree(top)
        img = os.path.join(work, "dyn.img")
        r = subprocess.run(["mke2fs", "-q", "-F", "-t", "ext2", "-b", "4096", "-d", top, img,
                            "32M"], capture_output=True, text=True)
        if r.returncode:
            res.add(name, False, "mke2fs: " + r.stdout + r.stderr)
            return
        rootfs = os.path.join(work, "rootfs.cpio")
        # No /etc/fstab mounts: the image's would mount vda at /mnt/data (make run's disk).
        fstab = {"etc/fstab": mkrootfs.Entry("file", 0o644, b"# e2e_dynamic: nothing at boot\n")}
        mkrootfs.write_if_changed(rootfs, mkrootfs.archive(mkrootfs.image_entries(extra=fstab)))
        run_checks(res, rootfs, img, top, words, echo)
        shutil.rmtree(work, ignore_errors=True)
    return [run]


def main():
    ap = argparse.ArgumentParser(usage=__doc__)
    ap.add_argument("-v", action="store_true", help="echo the serial line")
    opts = ap.parse_args()
    os.chdir(ROOT)
    import cairntest
    res = cairntest.Results()
    with tempfile.TemporaryDirectory(prefix="cairn-e2e-dyn-") as tmp:
        for j in jobs(res, os.path.join(BUILD, "kernel.elf"), tmp, opts.v):
            j()
    print("%d passed, %d failed" % (res.passed, res.failed))
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
