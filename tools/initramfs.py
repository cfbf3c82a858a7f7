#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Build the test initramfs that both Cairn and the Linux baseline boot.

The archive is cpio "newc" (the format Linux's initramfs and Cairn's
lib/cpio read), written here so that no host tool decides its layout: every
entry has mtime 0 and fixed inode numbers, so the same inputs give the same
bytes (tools/usertest.py keys its cache of Linux's output on their hash).

/init is user/init/testinit.c linked with a generated list of the programs
to run, because Cairn has no files to read a list from before the files
issue; it is built with musl-gcc -static here, per archive.

usage as a tool:  tools/initramfs.py OUT.cpio [--file ARCHIVE_PATH=HOST_PATH]...
                  [--run NAME=ARGV0,ARG1,...]...
"""
import argparse
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INIT_CC = os.environ.get("MUSL_CC", "musl-gcc")


def _c_string(s):
    out = ['"']
    for ch in s.encode():
        if ch in (0x22, 0x5c):
            out.append("\\" + chr(ch))
        elif 0x20 <= ch < 0x7f:
            out.append(chr(ch))
        else:
            out.append("\\%03o" % ch)
    out.append('"')
    return "".join(out)


def list_source(runs):
    """C source defining testinit_list for @runs, a list of (name, argv) or
    (name, argv, timeout in seconds)."""
    lines = ['#include "testinit.h"', "#include <stddef.h>"]
    for i, (_, argv, *_) in enumerate(runs):
        lines.append("static const char *const argv%d[] = {%s, NULL};"
                     % (i, ", ".join(_c_string(a) for a in argv)))
    lines.append("const struct testinit_entry testinit_list[] = {")
    for i, (name, _, *rest) in enumerate(runs):
        lines.append("\t{%s, argv%d, %d}," % (_c_string(name), i, rest[0] if rest else 0))
    lines.append("\t{NULL, NULL, 0},")
    lines.append("};")
    lines.append("const char testinit_count_text[] = %s;" % _c_string(str(len(runs))))
    return "\n".join(lines) + "\n"


def build_init(runs, out):
    """Compile /init with the list @runs into @out."""
    with tempfile.TemporaryDirectory(prefix="cairn-init-") as tmp:
        src = os.path.join(tmp, "list.c")
        with open(src, "w") as f:
            f.write(list_source(runs))
        subprocess.run([INIT_CC, "-static", "-O2", "-Wall", "-Werror",
                        "-I", os.path.join(ROOT, "user", "init"),
                        os.path.join(ROOT, "user", "init", "testinit.c"), src, "-o", out],
                       check=True)


class CpioWriter:
    """cpio newc: a 110-byte ASCII header, the name, the data, each padded to 4.
    Every entry has mtime 0 and numbered inodes, so equal inputs give equal
    bytes. Directories a path needs are written before it (mode 0755, root)
    unless add_dir() wrote them first with their own mode and owner."""

    def __init__(self, f):
        self.f = f
        self.ino = 1
        self.dirs = set()

    def _entry(self, name, mode, data=b"", nlink=1, uid=0, gid=0):
        name_b = name.encode() + b"\0"
        fields = [self.ino, mode, uid, gid, nlink, 0, len(data), 0, 0, 0, 0, len(name_b), 0]
        self.ino += 1
        hdr = b"070701" + b"".join(b"%08x" % v for v in fields)
        self.f.write(hdr + name_b)
        self.f.write(b"\0" * (-(len(hdr) + len(name_b)) % 4))
        self.f.write(data)
        self.f.write(b"\0" * (-len(data) % 4))

    def mkdirs(self, path):
        parts = path.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d and d not in self.dirs:
                self.dirs.add(d)
                self._entry(d, 0o040755, nlink=2)

    def add_dir(self, path, mode=0o755, uid=0, gid=0):
        """A directory with its own permission bits (sticky /tmp, private /root)."""
        path = path.strip("/")
        self.mkdirs(path)
        if path not in self.dirs:
            self.dirs.add(path)
            self._entry(path, 0o040000 | mode, nlink=2, uid=uid, gid=gid)

    def add_file(self, path, data, mode=0o755, uid=0, gid=0):
        path = path.lstrip("/")
        self.mkdirs(path)
        self._entry(path, 0o100000 | mode, data, uid=uid, gid=gid)

    def add_symlink(self, path, target):
        """A symbolic link: the target is the entry's data, as newc stores it."""
        path = path.lstrip("/")
        self.mkdirs(path)
        self._entry(path, 0o120777, target.encode())

    def finish(self):
        self._entry("TRAILER!!!", 0, nlink=1)
        pad = -self.f.tell() % 512
        self.f.write(b"\0" * pad)


def build(out, runs, files):
    """Write the archive @out: /init running @runs, plus @files (archive path ->
    host path or bytes), in sorted order for reproducible bytes."""
    with tempfile.TemporaryDirectory(prefix="cairn-initramfs-") as tmp:
        init = os.path.join(tmp, "init")
        build_init(runs, init)
        with open(init, "rb") as f:
            init_data = f.read()
    tmp_out = out + ".part"
    with open(tmp_out, "wb") as f:
        w = CpioWriter(f)
        w.add_file("init", init_data)
        for path in sorted(files):
            src = files[path]
            if isinstance(src, (bytes, bytearray)):
                data = bytes(src)
            else:
                with open(src, "rb") as g:
                    data = g.read()
            w.add_file(path, data)
        w.finish()
    os.replace(tmp_out, out)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--file", action="append", default=[], help="ARCHIVE_PATH=HOST_PATH")
    ap.add_argument("--run", action="append", default=[], help="NAME=ARGV0,ARG1,...")
    opts = ap.parse_args()
    files = dict(f.split("=", 1) for f in opts.file)
    runs = [(r.split("=", 1)[0], r.split("=", 1)[1].split(",")) for r in opts.run]
    build(opts.out, runs, files)
    return 0


if __name__ == "__main__":
    sys.exit(main())
