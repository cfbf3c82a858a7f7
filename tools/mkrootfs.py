#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Build the busybox userland image that `make run` boots (docs/userland.md).

The image is one cpio "newc" archive: Debian's busybox-static, unchanged, at
/bin/busybox with a symbolic link for every applet (the list comes from
`busybox --list-full`, run on the host: the binary is a static x86_64
program); the configuration busybox init and the shells read (/etc/inittab,
passwd, group, shadow, profile, hostname, shells); home directories; the
project's own test programs under /opt/cairn and the kv service of
docs/ipc.md (kvd, kv, ipcstat) in /usr/bin; then the overlay folder
rootfs/ copied over the top, and the programs named with --add in
/usr/local/bin. Cairn and the Linux baseline boot the same archive.

The output is reproducible (mtime 0, inode numbers in order) and is only
rewritten when its bytes change, so make sees no change after a no-op run.

usage: tools/mkrootfs.py OUT [--busybox PATH] [--overlay DIR] [--add HOST_PATH]...
                         [--no-tests] [--list] [--run NAME=ARGV0,ARG1,...]...

With --run the image also gets /init = user/init/testinit.c running those
programs (framed as tools/usertest.py reads them) and powering off, so a
script runs on the whole userland on both kernels:
  tools/mkrootfs.py build/s.cpio --run diff=/bin/sh,/opt/cairn/scripts/diff.sh
  tools/linux-baseline --initrd build/s.cpio
  tools/linux-baseline --cairn build/kernel.elf --initrd build/s.cpio
"""
import argparse
import io
import os
import stat
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import initramfs  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BUILD", "build")
BUSYBOX = os.path.join(BUILD, "debs", "busybox")
OVERLAY = os.path.join(ROOT, "rootfs")
# The project's programs that go into the image, host folder -> image folder.
PROGRAM_DIRS = [(os.path.join(BUILD, "user", "musl"), "opt/cairn/tests"),
                (os.path.join(BUILD, "user", "bench"), "opt/cairn/bench"),
                (os.path.join(ROOT, "user", "scripts"), "opt/cairn/scripts"),
                (os.path.join(BUILD, "user", "drivers"), "sbin")]  # the driver host's (issue 15)
ADD_DIR = "usr/local/bin"
# docs/ipc.md's kv service (kvd, kv, ipcstat), built from user/ipc/.
PROGRAM_DIRS += [(os.path.join(BUILD, "user", "ipc"), "usr/bin")]

ROOT_UID, SHADOW_GID, USER_UID, NOBODY_UID = 0, 42, 1000, 65534

# busybox init's table. The first field names the terminal a line runs on
# (init opens /dev/NAME in a new session, so it becomes the controlling
# terminal); an empty one means init's own console. "-" before a command
# makes the shell a login shell, which reads /etc/profile.
INITTAB = """\
# /etc/inittab: busybox init (docs/userland.md). terminal::action:command
::sysinit:/bin/mount -t proc proc /proc
::sysinit:/bin/sh -c 'grep -q " /dev " /proc/mounts || mount -t devtmpfs devtmpfs /dev'
::sysinit:/bin/hostname -F /etc/hostname
::sysinit:/bin/mount -a
ttyS0::respawn:-/bin/sh
tty0::respawn:-/bin/sh
::ctrlaltdel:/sbin/reboot
::shutdown:/bin/sync
::shutdown:/bin/sh -c 'grep -q " /mnt/data " /proc/mounts && umount /mnt/data'
"""

# Three accounts: root, an ordinary user and nobody. nobody gets a real
# shell so that `su nobody -c CMD` runs CMD, and a refusal comes from the
# file's permissions rather than from a missing shell.
PASSWD = """\
root:x:0:0:root:/root:/bin/sh
user:x:1000:1000:user:/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/sh
"""
GROUP = """\
root:x:0:
tty:x:5:user
shadow:x:42:
users:x:100:user
user:x:1000:
nogroup:x:65534:
"""
# Empty passwords for root and user (a development image: `su` and `login`
# let them in without asking); nobody cannot log in.
SHADOW = """\
root::19000:0:99999:7:::
user::19000:0:99999:7:::
nobody:*:19000:0:99999:7:::
"""
PROFILE = r"""# /etc/profile: read by every login shell (the inittab's "-/bin/sh").
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
if [ "$(id -u)" = 0 ]; then
	export HOME=/root USER=root
	PS1='\h:\w# '
else
	PS1='\u@\h:\w$ '
fi
[ -n "$TERM" ] || export TERM=vt102
cd "$HOME" 2>/dev/null
[ -r /etc/motd ] && cat /etc/motd
"""
SHELLS = "/bin/sh\n/bin/ash\n"
HOSTNAME = "cairn\n"

# Directories with their mode and owner, made before anything else.
DIRS = [("bin", 0o755), ("sbin", 0o755), ("usr/bin", 0o755), ("usr/sbin", 0o755),
        ("usr/local/bin", 0o755), ("usr/local/sbin", 0o755), ("etc", 0o755),
        ("dev", 0o755), ("proc", 0o555), ("sys", 0o555), ("tmp", 0o1777),
        ("root", 0o700), ("home", 0o755), ("mnt", 0o755), ("mnt/data", 0o755), ("var", 0o755),
        ("var/log", 0o755), ("var/tmp", 0o1777), ("run", 0o755), ("opt", 0o755)]


class Entry:
    """One thing the archive holds: kind "dir", "file" or "symlink"."""

    def __init__(self, kind, mode=0o755, data=b"", uid=0, gid=0, target=None):
        self.kind, self.mode, self.data = kind, mode, data
        self.uid, self.gid, self.target = uid, gid, target


def applets(busybox):
    """The image paths of busybox's applets, from the binary itself."""
    out = subprocess.run([busybox, "--list-full"], check=True, stdout=subprocess.PIPE,
                         text=True).stdout
    return sorted(p.strip("/") for p in out.split() if p.strip("/") != "bin/busybox")


def read(path):
    with open(path, "rb") as f:
        return f.read()


def base_entries(busybox, tests=True):
    """Everything but the overlay and --add: path -> Entry."""
    e = {d: Entry("dir", mode) for d, mode in DIRS}
    e["home/user"] = Entry("dir", 0o755, uid=USER_UID, gid=USER_UID)
    e["bin/busybox"] = Entry("file", 0o755, read(busybox))
    for path in applets(busybox):
        e.setdefault(path, Entry("symlink", target="/bin/busybox"))
    for name, text, mode, gid in (("inittab", INITTAB, 0o644, 0), ("passwd", PASSWD, 0o644, 0),
                                  ("group", GROUP, 0o644, 0),
                                  ("shadow", SHADOW, 0o640, SHADOW_GID),
                                  ("profile", PROFILE, 0o644, 0), ("shells", SHELLS, 0o644, 0),
                                  ("hostname", HOSTNAME, 0o644, 0)):
        e["etc/" + name] = Entry("file", mode, text.encode(), gid=gid)
    if tests:
        for host, image in PROGRAM_DIRS:
            if not os.path.isdir(host):
                continue
            for name in sorted(os.listdir(host)):
                p = os.path.join(host, name)
                if os.path.isfile(p) and not name.startswith("."):
                    e["%s/%s" % (image, name)] = Entry("file", 0o755, read(p))
    return e


def overlay_entries(top):
    """The overlay folder's files, directories and links, modes as on the host
    (owner root), path -> Entry. Nothing when @top does not exist."""
    e = {}
    if not os.path.isdir(top):
        return e
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames.sort()
        rel = os.path.relpath(dirpath, top)
        for name in dirnames + sorted(filenames):
            host = os.path.join(dirpath, name)
            path = os.path.normpath(os.path.join(rel, name))
            st = os.lstat(host)
            if stat.S_ISLNK(st.st_mode):
                e[path] = Entry("symlink", target=os.readlink(host))
            elif stat.S_ISDIR(st.st_mode):
                e[path] = Entry("dir", stat.S_IMODE(st.st_mode))
            elif stat.S_ISREG(st.st_mode):
                e[path] = Entry("file", stat.S_IMODE(st.st_mode), read(host))
    return e


def add_entries(paths):
    """Programs or files named on the command line, into /usr/local/bin."""
    e = {}
    for host in paths:
        if not os.path.isfile(host):
            raise SystemExit("mkrootfs: %s is not a file" % host)
        mode = stat.S_IMODE(os.stat(host).st_mode) | 0o444
        e["%s/%s" % (ADD_DIR, os.path.basename(host))] = Entry("file", mode, read(host))
    return e


def image_entries(busybox=BUSYBOX, overlay=OVERLAY, add=(), tests=True, extra=None):
    """The whole image, path -> Entry: base, then the overlay, then --add, then
    @extra (tests add their own /init this way)."""
    if not os.path.isfile(busybox):
        raise SystemExit("mkrootfs: %s missing (tools/fetch-debs.sh)" % busybox)
    e = base_entries(busybox, tests)
    for layer in (overlay_entries(overlay), add_entries(add), extra or {}):
        for path, ent in layer.items():
            e.pop(path, None)  # a file may replace a link, and the other way round
            e[path] = ent
    return e


def archive(entries):
    """The cpio bytes of @entries: directories first (so their modes win over
    the implicit ones), then the rest in sorted order."""
    buf = io.BytesIO()
    w = initramfs.CpioWriter(buf)
    for path in sorted(p for p, x in entries.items() if x.kind == "dir"):
        x = entries[path]
        w.add_dir(path, x.mode, x.uid, x.gid)
    for path in sorted(p for p, x in entries.items() if x.kind != "dir"):
        x = entries[path]
        if x.kind == "symlink":
            w.add_symlink(path, x.target)
        else:
            w.add_file(path, x.data, x.mode, x.uid, x.gid)
    w.finish()
    return buf.getvalue()


def write_if_changed(out, data):
    """Write @data to @out unless it already holds exactly that."""
    if os.path.exists(out) and os.path.getsize(out) == len(data) and read(out) == data:
        return False
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    with open(out + ".part", "wb") as f:
        f.write(data)
    os.replace(out + ".part", out)
    return True


def init_entry(runs):
    """/init = user/init/testinit.c running @runs (tools/initramfs.py's
    (name, argv[, timeout]) list), as an Entry."""
    import tempfile
    with tempfile.TemporaryDirectory(prefix="cairn-rootfs-") as tmp:
        init = os.path.join(tmp, "init")
        initramfs.build_init(runs, init)
        return Entry("file", 0o755, read(init))


def test_image(out, runs, files=None, tests=False):
    """The image with /init running @runs and @files (image path -> host
    path or bytes) added: a script runs on the whole userland, on Cairn
    (init=/init) and on Linux (rdinit=/init) alike. Returns @out."""
    extra = {"init": init_entry(runs)}
    for path, src in (files or {}).items():
        data = bytes(src) if isinstance(src, (bytes, bytearray)) else read(src)
        extra[path.lstrip("/")] = Entry("file", 0o755, data)
    write_if_changed(out, archive(image_entries(tests=tests, extra=extra)))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--busybox", default=BUSYBOX)
    ap.add_argument("--overlay", default=OVERLAY)
    ap.add_argument("--add", action="append", default=[],
                    help="a host file for /usr/local/bin (repeatable; also a space list)")
    ap.add_argument("--no-tests", action="store_true", help="leave out /opt/cairn")
    ap.add_argument("--run", action="append", default=[],
                    help="NAME=ARGV0,ARG1,...: add /init (testinit) running these in order")
    ap.add_argument("--list", action="store_true", help="print the image's paths too")
    opts = ap.parse_args()
    add = [p for a in opts.add for p in a.split()]
    runs = [(r.split("=", 1)[0], r.split("=", 1)[1].split(",")) for r in opts.run]
    extra = {"init": init_entry(runs)} if runs else None
    entries = image_entries(opts.busybox, opts.overlay, add, not opts.no_tests, extra)
    data = archive(entries)
    changed = write_if_changed(opts.out, data)
    if opts.list:
        for path in sorted(entries):
            x = entries[path]
            print("%s %04o %d:%d /%s%s" % (x.kind[0], x.mode, x.uid, x.gid, path,
                                           " -> " + x.target if x.target else ""))
    print("mkrootfs: %s, %d entries, %d KiB%s" % (opts.out, len(entries), len(data) // 1024,
                                                  "" if changed else " (unchanged)"),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
