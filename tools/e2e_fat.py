#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end tests of vfat on virtio-blk disks (issue 13), group "disk".

One boot of Cairn (direct, busybox init) with five FAT32 images the host
made, attached as vda..vde; commands are typed into the busybox shell over
serial (tools/e2e_busybox.py's Serial and Shell):

  vda  made by mkfs.fat and filled by mtools with files of random sizes and
       long names in nested folders, with an md5sum manifest made on the
       host: Cairn mounts it and `md5sum -c` must pass.
  vdb  empty: Cairn writes hundreds of files with long names, renames,
       truncates and deletes part of them, writes a manifest of what is
       left (md5sum), unmounts and powers off. On the host `fsck.fat -n`
       must find the volume clean, and the files mcopy gets back must match
       the manifest, with nothing more and nothing less.
  vdc  a boot sector with a bad cluster size: mount must fail.
  vdd  left dirty (FAT[1]'s clean bit cleared): mount read-only, reads work.
  vde  a file whose cluster chain loops: reading it fails, the volume goes
       read-only, the kernel carries on.

Then Cairn updates its own ESP: the `make run` disk image booted by SeaBIOS
from virtio-blk (writes kept, BOOT_SNAPSHOT=0), its EFI system partition
(vda2) mounted; Cairn checks its own kernel file against the host's, writes
a marker and a new command line, powers off; the host finds the partition
clean (fsck.fat -n) with the marker (mtype), and OVMF boots the image again
with the command line Cairn wrote.

  tools/e2e_fat.py [--kernel build/kernel.elf] [-v]
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
import e2e_busybox  # noqa: E402
from e2e_busybox import Serial, Shell, first_prompt  # noqa: E402

BUILD = os.environ.get("BUILD", "build")
ROOTFS = os.path.join(BUILD, "rootfs.cpio")
TOOLS = ["mkfs.fat", "fsck.fat", "mcopy", "mmd", "mtype", "sgdisk"]
NFILES = 300  # files Cairn writes on vdb
HOST_FILES = 60  # files the host puts on vda


def sh_ok(args, **kw):
    """Run a host command; its CompletedProcess (output captured)."""
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kw)


def mkfs(path, mib):
    sh_ok(["rm", "-f", path])
    r = sh_ok(["mkfs.fat", "-F", "32", "-C", path, str(mib * 1024)])
    if r.returncode:
        raise RuntimeError("mkfs.fat failed: %s" % r.stdout.decode())


def host_image(path, work):
    """vda: random files with long names in nested folders, and MANIFEST.MD5."""
    rnd = random.Random(13)
    mkfs(path, 64)
    tree = os.path.join(work, "host-tree")
    shutil.rmtree(tree, ignore_errors=True)
    lines = []
    dirs = ["", "Folder One", "Folder One/Sub folder with a long name", "ünïcödé ☃"]
    for d in dirs:
        os.makedirs(os.path.join(tree, d), exist_ok=True)
    for i in range(HOST_FILES):
        d = dirs[i % len(dirs)]
        name = "file %03d with a rather long name.%s" % (i, ["txt", "bin", "dat"][i % 3])
        size = rnd.choice([0, 1, 511, 4096, 4097]) if i % 5 == 0 else rnd.randrange(0, 300000)
        data = rnd.randbytes(size)
        rel = os.path.join(d, name)
        with open(os.path.join(tree, rel), "wb") as f:
            f.write(data)
        lines.append("%s  %s\n" % (hashlib.md5(data).hexdigest(), rel))
    with open(os.path.join(tree, "MANIFEST.MD5"), "w") as f:
        f.writelines(lines)
    entries = [os.path.join(tree, e) for e in os.listdir(tree)]
    r = sh_ok(["mcopy", "-s", "-i", path, *entries, "::/"])
    if r.returncode:
        raise RuntimeError("mcopy failed: %s" % r.stdout.decode())
    return len(lines)


def poke(path, off, data):
    with open(path, "r+b") as f:
        f.seek(off)
        f.write(data)


def bpb(path):
    """(bytes per sector, reserved sectors, FAT size in sectors, sectors per cluster)."""
    with open(path, "rb") as f:
        b = f.read(64)
    return (int.from_bytes(b[11:13], "little"), int.from_bytes(b[14:16], "little"),
            int.from_bytes(b[36:40], "little"), b[13])


def bad_images(work):
    """vdc (bad cluster size), vdd (dirty) and vde (a looping chain) as paths."""
    bad, dirty, loop = (os.path.join(work, n) for n in ("bad.img", "dirty.img", "loop.img"))
    for p in (bad, dirty, loop):
        mkfs(p, 40)
        with open(os.path.join(work, "small"), "wb") as f:
            f.write(b"readable\n")
        sh_ok(["mcopy", "-i", p, os.path.join(work, "small"), "::/small.txt"])
    poke(bad, 13, b"\x03")
    ss, rsvd, _, spc = bpb(dirty)
    # FAT[1] of both FATs without the clean-shutdown bit (0x08000000, spec section 4).
    fatsz = bpb(dirty)[2]
    for k in range(2):
        poke(dirty, (rsvd + k * fatsz) * ss + 4, (0x07ffffff).to_bytes(4, "little"))
    # A 3-cluster file whose last cluster points back at its first.
    with open(os.path.join(work, "three"), "wb") as f:
        f.write(b"x" * (3 * ss * spc))
    sh_ok(["mcopy", "-i", loop, os.path.join(work, "three"), "::/loop.bin"])
    ss, rsvd, fatsz, spc = bpb(loop)
    with open(loop, "rb") as f:
        f.seek((rsvd + 2 * fatsz) * ss + ss * spc * 0)  # root directory: cluster 2
        root = f.read(ss * spc)
    ent = next(root[i:i + 32] for i in range(0, len(root), 32) if root[i:i + 8] == b"LOOP    ")
    first = int.from_bytes(ent[20:22], "little") << 16 | int.from_bytes(ent[26:28], "little")
    with open(loop, "rb") as f:
        f.seek(rsvd * ss + first * 4)
        second = int.from_bytes(f.read(4), "little") & 0x0fffffff
        f.seek(rsvd * ss + second * 4)
        third = int.from_bytes(f.read(4), "little") & 0x0fffffff
    for k in range(2):
        poke(loop, (rsvd + k * fatsz) * ss + third * 4, first.to_bytes(4, "little"))
    return bad, dirty, loop


# What Cairn types to fill vdb: files in three folders, then renames, truncations and
# deletions of part of them, then a manifest of what is left.
WRITE_CMDS = [
    'mkdir -p /mnt/w && mount -t vfat /dev/vdb /mnt/w && cd /mnt/w',
    'mkdir -p "Dir A/Nested directory" "Dir B" "Empty soon"',
    'i=0; while [ $i -lt %d ]; do case $((i %% 3)) in 0) d="Dir A";; 1) d="Dir A/Nested '
    'directory";; *) d="Dir B";; esac; head -c $(( (i * 7919) %% 70000 )) /dev/urandom '
    '> "$d/a long file name, number $i.data" || break; i=$((i + 1)); done; [ $i = %d ]'
    % (NFILES, NFILES),
    'head -c 2500000 /dev/urandom > "Dir B/Big File.bin" && head -c 8388608 /dev/urandom '
    '> big8m.bin',
    'i=0; while [ $i -lt 60 ]; do mv "Dir A/a long file name, number $i.data" '
    '"Dir B/renamed file $i.txt" 2>/dev/null; i=$((i + 3)); done; true',
    'i=1; while [ $i -lt 120 ]; do truncate -s $((i * 100)) "Dir A/Nested directory/'
    'a long file name, number $i.data" || break; i=$((i + 3)); done; [ $i -ge 120 ]',
    'i=152; while [ $i -lt %d ]; do rm "Dir B/a long file name, number $i.data" || break; '
    'i=$((i + 3)); done; [ $i -ge %d ]' % (NFILES, NFILES),
    'rmdir "Empty soon" && truncate -s 123456 "Dir B/Big File.bin"',
    'find . -type f ! -name MANIFEST.MD5 -print0 | xargs -0 md5sum > MANIFEST.MD5 && '
    'wc -l < MANIFEST.MD5',
    'cd / && umount /mnt/w',
]


def check_write(sh, vdb, work):
    """Cairn fills vdb; returns (detail, why) of the Cairn side (the host side runs later)."""
    took = []
    for cmd in WRITE_CMDS:
        t = time.monotonic()
        status, out = sh.run(cmd, 240)
        took.append("%.0f" % (time.monotonic() - t))
        if status != 0:
            return None, "`%s` failed (status %s): %s" % (cmd[:60], status, out[-5:])
        if cmd.startswith("find"):
            nman = int(out[-1].strip())
    return "%d files in the manifest; steps took %s s" % (nman, "+".join(took)), None


def check_host_side(vdb, work):
    """After poweroff: fsck.fat -n is clean and mcopy gets back exactly the manifest."""
    r = sh_ok(["fsck.fat", "-n", vdb])
    if r.returncode:
        return None, "fsck.fat -n: status %d\n%s" % (r.returncode, r.stdout.decode()[-2000:])
    out = os.path.join(work, "vdb-out")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    r = sh_ok(["mcopy", "-s", "-n", "-i", vdb, "::/", out])
    if r.returncode:
        return None, "mcopy -s failed: %s" % r.stdout.decode()[-2000:]
    files = set()
    for d, _, names in os.walk(out):
        files |= {os.path.relpath(os.path.join(d, n), out) for n in names}
    want = {}
    with open(os.path.join(out, "MANIFEST.MD5")) as f:
        for line in f:
            md5, rel = line.rstrip("\n").split("  ", 1)
            want[os.path.normpath(rel)] = md5
    bad = [rel for rel, md5 in want.items()
           if rel not in files or
           hashlib.md5(open(os.path.join(out, rel), "rb").read()).hexdigest() != md5]
    extra = files - set(want) - {"MANIFEST.MD5"}
    if bad or extra:
        return None, "%d files differ from the manifest (%s), %d not in it (%s)" % (
            len(bad), bad[:3], len(extra), sorted(extra)[:3])
    return "fsck.fat -n clean; %d files match Cairn's manifest" % len(want), None


def check_read(sh, nfiles):
    status, out = sh.run("mkdir -p /mnt/h && mount -t vfat -o ro /dev/vda /mnt/h && "
                         "cd /mnt/h && md5sum -c MANIFEST.MD5 | grep -c ': OK$'; cd /", 120)
    ok = out and out[-1].strip() == str(nfiles)
    if status != 0 or not ok:
        return None, "md5sum -c on the mtools image: %s (status %s)" % (out[-5:], status)
    return "%d files read back with the host's checksums" % nfiles, None


def check_bad(sh, s, start):
    """vdc refused; vdd read-only but readable; vde's loop found, volume read-only."""
    steps = [
        ("mkdir -p /mnt/c && mount -t vfat /dev/vdc /mnt/c", False),
        ("mkdir -p /mnt/d && mount -t vfat /dev/vdd /mnt/d && cat /mnt/d/small.txt", True),
        ("touch /mnt/d/new", False),
        ("mkdir -p /mnt/e && mount -t vfat /dev/vde /mnt/e && cat /mnt/e/small.txt", True),
        ("cat /mnt/e/loop.bin > /dev/null", False),
        ("touch /mnt/e/new", False),
        ("umount /mnt/d && umount /mnt/e && echo alive", True),
    ]
    for cmd, want_ok in steps:
        status, out = sh.run(cmd, 60)
        if status is None or (status == 0) != want_ok:
            return None, "`%s`: status %s, wanted %s: %s" % (cmd, status,
                                                             "0" if want_ok else "failure",
                                                             out[-3:])
    log = s.text(start)
    need = ["vfat: vdc: not a FAT volume", "vfat: vdd: volume was not cleanly unmounted",
            "vfat: vde:"]
    missing = [n for n in need if n not in log]
    if missing:
        return None, "kernel messages missing: %s" % missing
    return "bad BPB refused, dirty volume read-only, looping chain caught", None


def session(kernel, work, report, echo=False):
    """One boot with the five disks; @report(name, detail, why) for each check."""
    vda, vdb = os.path.join(work, "host.img"), os.path.join(work, "write.img")
    nfiles = host_image(vda, work)
    mkfs(vdb, 128)
    bad, dirty, loop = bad_images(work)
    disks = " ".join("%s:virtio" % p for p in (vda, vdb, bad, dirty, loop))
    t0 = time.monotonic()
    s = Serial("direct", kernel, {"INITRD": ROOTFS, "APPEND": "init=/sbin/init",
                                  "DISKS": disks}, echo)
    try:
        sh = Shell(s)
        detail, why = first_prompt(s, sh, t0)
        if why:
            report("boot with five FAT32 disks", None, why)
            return s
        report("read an mtools-made image, md5sum -c on Cairn", *check_read(sh, nfiles))
        report("corrupted volumes: refused or read-only, no panic",
               *check_bad(sh, s, s.mark()))
        w = check_write(sh, vdb, work)
        report("write %d files with long names, rename, truncate, delete" % NFILES, *w)
        sh.start("poweroff")
        if s.wait_exit(120) is None:
            report("poweroff after the writes", None, "still running 120 s after poweroff")
            return s
        if w[1] is None:
            report("the host sees Cairn's files: fsck.fat -n and mcopy against the manifest",
                   *check_host_side(vdb, work))
    finally:
        s.kill()
        report("QEMU time", "%.1f s" % (time.monotonic() - t0), None)
    return s


ESP_MARK = "written by Cairn on its own ESP"
ESP_ARG = "cairn.esp_test=updated"


def esp_partition(img, work):
    """The ESP (partition 2 of tools/mkimage.sh's GPT) copied out, for fsck.fat and mtools."""
    r = sh_ok(["sgdisk", "-i", "2", img])
    first = next(int(l.split(":")[1].split()[0]) for l in r.stdout.decode().splitlines()
                 if l.startswith("First sector"))
    last = next(int(l.split(":")[1].split()[0]) for l in r.stdout.decode().splitlines()
                if l.startswith("Last sector"))
    out = os.path.join(work, "esp.part")
    with open(img, "rb") as f, open(out, "wb") as o:
        f.seek(first * 512)
        o.write(f.read((last - first + 1) * 512))
    return out


def esp_update(sh, kernel):
    with open(kernel, "rb") as f:
        md5 = hashlib.md5(f.read()).hexdigest()
    cmds = [("mkdir -p /mnt/esp && mount -t vfat /dev/vda2 /mnt/esp && "
             "md5sum /mnt/esp/cairn/kernel.elf", md5),
            ("mkdir -p /mnt/esp/EFI/cairn && echo '%s' > /mnt/esp/EFI/cairn/marker.txt && "
             "echo \"$(cat /mnt/esp/cairn/cmdline) %s\" > /mnt/esp/cairn/cmdline && "
             "cat /mnt/esp/cairn/cmdline" % (ESP_MARK, ESP_ARG), ESP_ARG),
            ("umount /mnt/esp", None)]
    for cmd, want in cmds:
        status, out = sh.run(cmd, 60)
        if status != 0 or (want and not any(want in l for l in out)):
            return None, "`%s`: status %s: %s" % (cmd[:50], status, out[-3:])
    return "kernel.elf on the ESP matches the host's; marker and command line written", None


def esp_host(img, work):
    part = esp_partition(img, work)
    r = sh_ok(["fsck.fat", "-n", part])
    if r.returncode:
        return None, "fsck.fat -n on the ESP: status %d\n%s" % (r.returncode,
                                                                r.stdout.decode()[-1500:])
    r = sh_ok(["mtype", "-i", part, "::/EFI/cairn/marker.txt"])
    if r.returncode or r.stdout.decode().strip() != ESP_MARK:
        return None, "mtype marker.txt: %r" % r.stdout.decode()[-300:]
    return "fsck.fat -n clean, mtype reads the marker", None


def esp_session(kernel, work, report, echo=False):
    """Boot the `make run` image from virtio-blk, update the ESP, boot it again."""
    img = e2e_busybox.cairn_image(kernel, ROOTFS, os.path.join(work, "esp-boot.img"))
    t0 = time.monotonic()
    s = Serial("bios", img, {"BOOT_SNAPSHOT": "0", "BOOT_DISK": "virtio"}, echo)
    try:
        sh = Shell(s)
        detail, why = first_prompt(s, sh, t0)
        if why:
            report("ESP: SeaBIOS boots the image from virtio-blk", None, why)
            return
        res = esp_update(sh, kernel)
        report("ESP: Cairn mounts vda2, checks its kernel, writes its boot files", *res)
        sh.start("poweroff")
        s.wait_exit(60)
    finally:
        s.kill()
    if res[1]:
        return
    report("ESP: the host sees Cairn's changes", *esp_host(img, work))
    s = Serial("uefi", img, {"BOOT_DISK": "virtio"}, echo)
    try:
        sh = Shell(s)
        detail, why = first_prompt(s, sh, time.monotonic())
        status, out = sh.run("cat /proc/cmdline", 30) if not why else (None, [why])
        ok = status == 0 and any(ESP_ARG in l for l in out)
        report("ESP: OVMF boots the command line Cairn wrote", "/proc/cmdline has %s" % ESP_ARG
               if ok else None, None if ok else "status %s: %s" % (status, out[-3:]))
    finally:
        s.kill()


def available(kernel):
    missing = [t for t in TOOLS if not shutil.which(t)]
    if missing:
        return "missing host tools: %s (dosfstools, mtools)" % ", ".join(missing)
    need = [kernel, ROOTFS, e2e_busybox.mkrootfs.BUSYBOX,
            os.path.join(BUILD, "boot", "BOOTX64.EFI")]
    gone = [p for p in need if not os.path.exists(p)]
    return "missing %s (make kernel rootfs)" % ", ".join(gone) if gone else None


def run(res, kernel, tmp):
    """tools/cairntest.py's FAT checks of group "disk", results into @res."""
    why = available(kernel)
    if why:
        res.skip("disk/fat: every check", why)
        return
    work = os.path.join(tmp, "fat")
    os.makedirs(work, exist_ok=True)

    def report(name, detail, why):
        res.add("disk/fat: %s" % name, why is None, detail if why is None else why)
    s = session(kernel, work, report)
    log = os.path.join(BUILD, "e2e-fat.log")
    with open(log, "w") as f:
        f.write(s.text())
    print("  disk/fat: serial log in %s" % log)
    esp_session(kernel, work, report)


def main():
    ap = argparse.ArgumentParser(usage=__doc__)
    ap.add_argument("--kernel", default=os.path.join(BUILD, "kernel.elf"))
    ap.add_argument("-v", action="store_true", help="echo the serial line")
    ap.add_argument("--esp-only", action="store_true", help="only the ESP checks")
    opts = ap.parse_args()
    why = available(opts.kernel)
    if why:
        print("SKIP: %s" % why)
        return 0
    failed = 0

    def report(name, detail, why):
        nonlocal failed
        failed += why is not None
        print("%s: %s%s" % ("ok" if why is None else "FAIL", name,
                            " (%s)" % detail if why is None else "\n    " + why))
    with tempfile.TemporaryDirectory() as tmp:
        if not opts.esp_only:
            s = session(opts.kernel, tmp, report, opts.v)
            with open(os.path.join(BUILD, "e2e-fat.log"), "w") as f:
                f.write(s.text())
        esp_session(opts.kernel, tmp, report, opts.v)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
