#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`make run`'s persistent data disk (docs/virtio.md), end to end: the busybox
image boots directly (as `make run DIRECT=1`) with a fresh ext2 image made as
`make run` makes build/data.img attached as vda; the inittab's `mount -a`
must mount it at /mnt/data (/etc/fstab). A file written there must survive
`poweroff`, be readable with the host's debugfs from a file system that
`e2fsck -fn` finds clean, and be there again at the next boot.

  tools/e2e_datadisk.py [--echo]        (tools/cairntest.py runs it in "busybox")
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_busybox  # noqa: E402

TOKEN = "kept-by-cairn-13"
MKE2FS = shutil.which("mke2fs") or "/sbin/mke2fs"
E2FSCK = shutil.which("e2fsck") or "/sbin/e2fsck"
DEBUGFS = shutil.which("debugfs") or "/sbin/debugfs"


def boot_and_run(kernel, rootfs, img, cmds, echo):
    """Boot with @img as vda, run @cmds (command, timeout) at the shell, power
    off. Returns (outputs, None) or (None, why)."""
    env = {"INITRD": rootfs, "APPEND": e2e_busybox.CAIRN_APPEND, "DISKS": img}
    s = e2e_busybox.Serial("direct", kernel, env, echo)
    try:
        sh = e2e_busybox.Shell(s)
        _, why = e2e_busybox.first_prompt(s, sh, time.monotonic())
        if why:
            return None, why
        outs = []
        for cmd, timeout in cmds:
            status, out = sh.run(cmd, timeout)
            if status != 0:
                return None, "'%s' answered %s: %r\n%s" % (cmd, status, out, s.tail())
            outs.append(out)
        sh.start("poweroff")
        if s.wait_exit(60) is None:
            return None, "still running 60 s after poweroff\n" + s.tail()
        return outs, None
    finally:
        s.kill()


def check(kernel, work, echo):
    """None when the data disk works end to end, else why not."""
    rootfs = e2e_busybox.test_rootfs(os.path.join(work, "rootfs.cpio"), work)
    img = os.path.join(work, "data.img")
    with open(img, "wb") as f:
        f.truncate(64 << 20)
    subprocess.run([MKE2FS, "-q", "-F", "-t", "ext2", "-L", "cairn-data", img], check=True)
    outs, why = boot_and_run(kernel, rootfs, img, [
        ("grep ' /mnt/data ext2 ' /proc/mounts", 30),
        ("echo %s > /mnt/data/kept.txt && sync" % TOKEN, 60)], echo)
    if why:
        return "first boot: " + why
    r = subprocess.run([E2FSCK, "-fn", img], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    if r.returncode != 0:
        return "e2fsck -fn after poweroff: exit %d\n%s" % (r.returncode, r.stdout)
    r = subprocess.run([DEBUGFS, "-R", "cat kept.txt", img], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True)
    if r.stdout.strip() != TOKEN:
        return "debugfs reads %r from kept.txt" % r.stdout
    outs, why = boot_and_run(kernel, rootfs, img, [("cat /mnt/data/kept.txt", 30)], echo)
    if why:
        return "second boot: " + why
    if TOKEN not in outs[0]:
        return "second boot: kept.txt holds %r" % outs[0]
    return None


def available(kernel):
    for need in (kernel, e2e_busybox.mkrootfs.BUSYBOX, MKE2FS, E2FSCK, DEBUGFS):
        if not os.path.exists(need):
            return "%s missing" % need
    return None


def run(res, kernel, tmp, echo=False):
    name = "busybox: make run's data disk mounted at /mnt/data, kept across boots, e2fsck clean"
    why = available(kernel)
    if why:
        res.add(name + " # SKIP " + why, True)
        return
    work = os.path.join(tmp, "datadisk")
    os.makedirs(work, exist_ok=True)
    why = check(kernel, work, echo)
    res.add(name, why is None, why or "")


def main():
    ap = argparse.ArgumentParser(usage=__doc__)
    ap.add_argument("--echo", action="store_true")
    ap.add_argument("--kernel", default=os.path.join(e2e_busybox.BUILD, "kernel.elf"))
    opts = ap.parse_args()
    os.chdir(e2e_busybox.ROOT)
    why = available(opts.kernel)
    if why:
        print("skip: " + why)
        return 0
    with tempfile.TemporaryDirectory(prefix="cairn-datadisk-") as tmp:
        why = check(opts.kernel, tmp, opts.echo)
    print("ok" if why is None else "FAIL: " + why)
    return 0 if why is None else 1


if __name__ == "__main__":
    sys.exit(main())
