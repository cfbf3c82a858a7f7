#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end tests of ext2 on virtio-blk disks (issue 13, group "disk").

Cairn boots directly (PVH) with the busybox image and disks made here by
e2fsprogs, attached through tools/qemu.sh's DISKS=; the checks are typed
into the serial shell (tools/e2e_busybox.py's Serial and Shell). Three
boots:

  1. write and read: user/disk/ext2_stress writes 10,000 files of random
     sizes on an empty ext2 (1 KiB blocks), renames, truncates, deletes
     half, links and symlinks, and leaves a manifest; Cairn checksums
     (busybox md5sum) a tree the host put into a 4 KiB-block image with
     `mke2fs -d` and indexed with `e2fsck -D`; four corrupted images are
     mounted (refused, or read-only with errors), and the shell must still
     answer. After the unmount the host runs `e2fsck -fn` on the written
     disk and checks every file of the manifest with `debugfs rdump`.
  2. power cut: ext2_stress writes and fsyncs files until QEMU is killed.
  3. after the cut: the disk mounts read-only ("not cleanly unmounted"),
     `e2fsck -fy` repairs it on the host, and every file Cairn reported as
     fsync'ed is intact.

  tools/e2e_disk.py [-v] [--files N]
"""
import argparse
import hashlib
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_busybox as eb  # noqa: E402
import mkrootfs  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BUILD", "build")
STRESS_SRC = os.path.join(ROOT, "user", "disk", "ext2_stress.c")
STRESS = "/usr/local/bin/ext2_stress"
SEED = 20261206
APPEND = "init=/sbin/init"
TOOLS = ("mke2fs", "e2fsck", "debugfs")


def sh(cmd, **kw):
    return subprocess.run(cmd, shell=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, **kw)


def missing_tools():
    need = [t for t in TOOLS if not shutil.which(t)]
    cc = os.environ.get("MUSL_CC", "musl-gcc")
    if not shutil.which(cc):
        need.append(cc)
    if not os.path.isfile(mkrootfs.BUSYBOX):
        need.append(mkrootfs.BUSYBOX)
    return need


def build_rootfs(tmp):
    """The busybox image with ext2_stress added (built here with musl)."""
    prog = os.path.join(tmp, "ext2_stress")
    subprocess.run([os.environ.get("MUSL_CC", "musl-gcc"), "-static", "-O2", "-std=gnu11",
                    "-D_GNU_SOURCE", STRESS_SRC, "-o", prog], check=True)
    out = os.path.join(tmp, "rootfs.cpio")
    mkrootfs.write_if_changed(out, mkrootfs.archive(mkrootfs.image_entries(add=[prog])))
    return out


def mkfs(path, mib, bsize, src=None):
    d = "-d %s" % src if src else ""
    r = sh("mke2fs -q -F -t ext2 -b %d %s %s %dM" % (bsize, d, path, mib))
    if r.returncode:
        raise RuntimeError("mke2fs: " + r.stdout)
    return path


# ---- images the host writes ----

def read_tree(top):
    """A tree for Cairn to read: sizes across the block-map levels, a big
    directory (indexed by e2fsck -D), a sparse file. Returns {path: md5}."""
    sizes = [0, 1, 1023, 4096, 4097, 48 * 1024 + 5, 300000, 4 << 20, (4 << 20) + 4097]
    want = {}

    def put(rel, data):
        p = os.path.join(top, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
        want["./" + rel] = hashlib.md5(data).hexdigest()
    for i, n in enumerate(sizes):
        put("sizes/f%d" % i, os.urandom(n))
    for i in range(600):
        put("many/entry-with-a-long-name-%04d" % i, b"%d\n" % i * (i % 5))
    p = os.path.join(top, "sparse")
    with open(p, "wb") as f:
        f.seek(20 << 20)
        f.write(b"end")
    want["./sparse"] = hashlib.md5(b"\0" * (20 << 20) + b"end").hexdigest()
    return want


def corrupt_images(tmp):
    """(name, path, expectation) for each damaged image: 'refused' or 'readonly'."""
    src = os.path.join(tmp, "csrc")
    os.makedirs(os.path.join(src, "dir"), exist_ok=True)
    with open(os.path.join(src, "file"), "wb") as f:
        f.write(os.urandom(5000))
    for i in range(5):
        open(os.path.join(src, "dir", "n%d" % i), "w").close()
    out = []

    def image(name):
        p = mkfs(os.path.join(tmp, "bad-%s.img" % name), 8, 1024, src)
        return p

    # A bad superblock magic (s_magic at byte 56 of the superblock at 1024).
    p = image("magic")
    with open(p, "r+b") as f:
        f.seek(1024 + 56)
        f.write(b"\x34\x12")
    out.append(("bad superblock magic", p, "refused"))
    # Group descriptor 0 (block 2 with 1 KiB blocks) with its inode table past the end.
    p = image("gdt")
    with open(p, "r+b") as f:
        f.seek(2048 + 8)
        f.write(struct.pack("<I", 10 ** 6))
    out.append(("group descriptor outside the disk", p, "refused"))
    # An inode whose third block pointer lies past the end.
    p = image("block")
    ino = int(re.search(r"Inode:\s+(\d+)", sh("debugfs -R 'stat /file' %s" % p).stdout)[1])
    sh("debugfs -w -R 'sif <%d> block[2] 9999999' %s" % (ino, p))
    out.append(("inode with a block past the end", p, "readonly"))
    # A directory entry whose rec_len runs off its block.
    p = image("reclen")
    blk = int(re.search(r"\((\d+)\):\s*(\d+)", sh("debugfs -R 'stat /dir' %s" % p).stdout)[2])
    with open(p, "r+b") as f:
        f.seek(blk * 1024 + 4)
        f.write(struct.pack("<H", 4000))
    out.append(("directory entry with a bad rec_len", p, "readonly"))
    return out


# ---- checks on the host ----

def fsck(img, fix=False):
    r = sh("e2fsck -f%s %s" % ("y" if fix else "n", img))
    return r.returncode, r.stdout


def check_manifest(img, tmp):
    """Every manifest line against `debugfs rdump`; (ok, detail)."""
    out = os.path.join(tmp, "rdump")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    r = sh("debugfs -R 'rdump / %s' %s" % (out, img))
    man = os.path.join(out, "MANIFEST")
    if not os.path.isfile(man):
        return False, "no MANIFEST on the disk\n" + r.stdout[-2000:]
    seen, bad, links = set(), [], {}
    for line in open(man):
        kind, rel, *rest = line.split()
        p = out + rel
        seen.add(rel)
        if kind == "S":
            if not os.path.islink(p) or os.readlink(p) != rest[0]:
                bad.append("%s: symlink %r, want %r" % (rel, os.path.islink(p) and
                                                        os.readlink(p), rest[0]))
            continue
        size, crc, nlink = int(rest[0]), int(rest[1], 16), int(rest[2])
        if not os.path.isfile(p):
            bad.append("%s: missing" % rel)
            continue
        data = open(p, "rb").read()
        if len(data) != size or zlib.crc32(data) != crc:
            bad.append("%s: %d bytes crc %08x, want %d %08x" % (rel, len(data),
                                                               zlib.crc32(data), size, crc))
        if nlink > 1:
            links[rel] = nlink
    for dirpath, _, files in os.walk(out):
        for fn in files:
            rel = os.path.join(dirpath, fn)[len(out):]
            if rel not in seen and rel != "/MANIFEST" and "/lost+found" not in rel:
                bad.append("%s: on the disk but not in the manifest" % rel)
    # Link counts of the hard-linked files, as debugfs reads them.
    cmds = os.path.join(tmp, "stat.cmds")
    with open(cmds, "w") as f:
        for rel in sorted(links):
            f.write("stat %s\n" % rel)
    got = re.findall(r"Links: (\d+)", sh("debugfs -f %s %s" % (cmds, img)).stdout)
    if [int(g) for g in got] != [links[r] for r in sorted(links)]:
        bad.append("link counts %s, want %s" % (got[:10], [links[r] for r in sorted(links)][:10]))
    files = sum(1 for line in open(man))
    return not bad, "%d manifest entries, %d hard-linked" % (files, len(links)) if not bad \
        else "\n".join(bad[:20])


# ---- the boots ----

def boot(rootfs, disks, echo):
    s = eb.Serial("direct", os.path.join(BUILD, "kernel.elf"),
                  {"INITRD": rootfs, "APPEND": APPEND, "DISKS": " ".join(disks), "MEM": "512M"},
                  echo)
    sh_ = eb.Shell(s)
    detail, why = eb.first_prompt(s, sh_, time.monotonic())
    return s, sh_, why


def run_write_read(res, rootfs, tmp, nfiles, echo):
    wimg = mkfs(os.path.join(tmp, "write.img"), 192, 1024)
    rsrc = os.path.join(tmp, "rsrc")
    want = read_tree(rsrc)
    rimg = mkfs(os.path.join(tmp, "read.img"), 64, 4096, rsrc)
    sh("e2fsck -fyD %s" % rimg)
    bad = corrupt_images(tmp)
    disks = ["%s:virtio" % wimg, "%s:virtio" % rimg] + ["%s:virtio" % b[1] for b in bad]
    s, shell, why = boot(rootfs, disks, echo)
    try:
        if why:
            res.add("disk: boot with ext2 disks", False, why)
            return
        st, out = shell.run("mkdir -p /mnt/w /mnt/r && mount -t ext2 /dev/vda /mnt/w", 30)
        if st != 0:
            res.add("disk: mount an empty ext2", False, "\n".join(out) + s.tail())
            return
        t0 = time.monotonic()
        st, out = shell.run("%s write /mnt/w %d %d" % (STRESS, SEED, nfiles), 900)
        took = time.monotonic() - t0
        man = [l for l in out if l.startswith("manifest:")]
        ok = st == 0 and man and any("stress: done" in l for l in out)
        res.add("disk: ext2_stress writes %d files on Cairn" % nfiles, ok,
                "%.0f s, %s" % (took, man[0]) if ok else "\n".join(out[-20:]) + s.tail())
        read_check(res, shell, s, want)
        corrupt_check(res, shell, s, bad)
        st, out = shell.run("umount /mnt/w && echo unmounted", 300)
        res.add("disk: unmount after the write", st == 0, "\n".join(out) + s.tail())
    finally:
        s.kill()
        with open(os.path.join(BUILD, "e2e-disk-write.log"), "w") as f:
            f.write(s.text())
    rc, log = fsck(wimg)
    res.add("disk: e2fsck -fn is clean after Cairn wrote", rc == 0, log[-3000:])
    ok, detail = check_manifest(wimg, tmp)
    res.add("disk: every file matches Cairn's manifest (debugfs rdump)", ok, detail)


def read_check(res, shell, s, want):
    st, out = shell.run("mount -t ext2 -o ro /dev/vdb /mnt/r && cd /mnt/r && "
                        "find . -type f | sort | xargs md5sum; cd /", 300)
    got = {}
    for line in out:
        m = re.match(r"([0-9a-f]{32})\s+(\S+)$", line.strip())
        if m:
            got[m[2]] = m[1]
    diff = sorted(k for k in want if got.get(k) != want[k])
    extra = sorted(k for k in got if k not in want and "lost+found" not in k)
    res.add("disk: Cairn's md5sum of a mke2fs -d image (4 KiB blocks, htree) matches the host",
            st == 0 and not diff and not extra,
            "%d files" % len(want) if not diff and not extra else
            "differ: %s extra: %s\n%s" % (diff[:10], extra[:10], s.tail()))


def corrupt_check(res, shell, s, bad):
    for i, (name, _, expect) in enumerate(bad):
        dev, mnt = "/dev/vd%s" % chr(ord("c") + i), "/mnt/c%d" % i
        mark = s.mark()
        st, out = shell.run("mkdir -p %s; mount -t ext2 %s %s" % (mnt, dev, mnt), 30)
        if expect == "refused":
            ok = st not in (0, None) and re.search(r"ext2: vd.: cannot mount", s.text(mark))
        else:
            shell.run("cat %s/file %s/dir/* >/dev/null 2>&1; ls %s/dir >/dev/null 2>&1"
                      % (mnt, mnt, mnt), 30)
            st2, _ = shell.run("touch %s/new" % mnt, 30)
            ok = st == 0 and st2 not in (0, None) and \
                re.search(r"ext2: vd.: .*switching to read-only", s.text(mark))
            shell.run("umount %s" % mnt, 30)
        st3, _ = shell.run("echo alive", 20)
        res.add("disk: corrupted image (%s): %s" % (name, "mount refused" if expect == "refused"
                                                     else "errors, read-only"),
                bool(ok) and st3 == 0, s.text(mark)[-2000:])


def run_power_cut(res, rootfs, tmp, echo):
    img = mkfs(os.path.join(tmp, "cut.img"), 64, 1024)
    s, shell, why = boot(rootfs, ["%s:virtio" % img], echo)
    synced = []
    try:
        if why:
            res.add("disk: power cut during a write storm", False, why)
            return
        st, out = shell.run("mkdir -p /mnt/p && mount -t ext2 /dev/vda /mnt/p", 30)
        start = shell.start("%s storm /mnt/p %d" % (STRESS, SEED))
        got = s.wait(lambda t: len(re.findall(r"synced \S+ \d+ [0-9a-f]{8}\n", t)) >= 40 or
                     "FAIL" in t, start, 300)
        synced = re.findall(r"synced (\S+) (\d+) ([0-9a-f]{8})\n", s.text(start))
        time.sleep(0.3)
    finally:
        s.kill()  # the cut: no unmount, no sync
        with open(os.path.join(BUILD, "e2e-disk-cut.log"), "w") as f:
            f.write(s.text())
    if not got or len(synced) < 40:
        res.add("disk: power cut during a write storm", False, s.tail())
        return
    res.add("disk: power cut during a write storm", True, "%d files fsync'ed" % len(synced))
    s, shell, why = boot(rootfs, ["%s:virtio" % img], echo)
    try:
        mark = s.mark()
        st, _ = shell.run("mkdir -p /mnt/p && mount -t ext2 /dev/vda /mnt/p", 30)
        st2, _ = shell.run("touch /mnt/p/after", 30)
        ok = not why and st == 0 and st2 not in (0, None) and \
            "not cleanly unmounted, mounting read-only" in s.text(mark)
        res.add("disk: after the cut the disk mounts read-only", ok, s.text(mark)[-2000:])
    finally:
        s.kill()
    rc, log = fsck(img, fix=True)
    rc2, log2 = fsck(img)
    res.add("disk: e2fsck -fy repairs the cut disk", rc in (0, 1) and rc2 == 0,
            "e2fsck -fy exit %d" % rc if rc2 == 0 else log[-1500:] + log2[-1500:])
    out = os.path.join(tmp, "cutdump")
    os.makedirs(out, exist_ok=True)
    sh("debugfs -R 'rdump /storm %s' %s" % (out, img))
    bad = []
    for rel, size, crc in synced:
        p = os.path.join(out, rel.lstrip("/"))
        data = open(p, "rb").read() if os.path.isfile(p) else None
        if data is None or len(data) != int(size) or zlib.crc32(data) != int(crc, 16):
            bad.append(rel)
    res.add("disk: every file fsync'ed before the cut is intact", not bad,
            "%d files" % len(synced) if not bad else "lost or damaged: %s" % bad[:20])


def jobs(res, kernel, tmp, nfiles=10000, echo=False):
    """The group's boots, as jobs for tools/cairntest.py (one after the other: one job)."""
    def run():
        name = "disk: ext2 end-to-end"
        need = missing_tools()
        if need:
            res.skip(name, "missing " + ", ".join(need))
            return
        if not os.path.isfile(kernel):
            res.skip(name, "no %s" % kernel)
            return
        work = tempfile.mkdtemp(prefix="e2e-disk-", dir=tmp)
        rootfs = build_rootfs(work)
        run_write_read(res, rootfs, work, nfiles, echo)
        run_power_cut(res, rootfs, work, echo)
        shutil.rmtree(work, ignore_errors=True)
    return [run]


def main():
    ap = argparse.ArgumentParser(usage=__doc__)
    ap.add_argument("-v", action="store_true", help="echo the serial line")
    ap.add_argument("--files", type=int, default=10000)
    opts = ap.parse_args()
    os.chdir(ROOT)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import cairntest
    res = cairntest.Results()
    with tempfile.TemporaryDirectory(prefix="cairn-e2e-disk-") as tmp:
        for j in jobs(res, os.path.join(BUILD, "kernel.elf"), tmp, opts.files, opts.v):
            j()
    print("%d passed, %d failed" % (res.passed, res.failed))
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
