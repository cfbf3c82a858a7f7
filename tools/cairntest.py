#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Cairn's test runner: host unit tests, in-kernel suites in QEMU (direct
boot, UEFI and BIOS) and end-to-end boots, ending with `N passed, N failed`.

Each QEMU boot has its own timeout; a boot that hangs, triple-faults (exit
status 0 under -no-reboot) or stops reporting counts as failed, and the
serial log of every failed boot is printed.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_busybox  # noqa: E402  (tools/e2e_busybox.py)
import e2e_datadisk  # noqa: E402  (tools/e2e_datadisk.py)
import e2e_disk  # noqa: E402  (tools/e2e_disk.py)
import e2e_fat  # noqa: E402  (tools/e2e_fat.py)
import e2e_ipc  # noqa: E402  (tools/e2e_ipc.py)
import e2e_dynamic  # noqa: E402  (tools/e2e_dynamic.py)
import e2e_kaslr  # noqa: E402  (tools/e2e_kaslr.py)
import e2e_net  # noqa: E402  (tools/e2e_net.py)
import e2e_pci  # noqa: E402  (tools/e2e_pci.py)
import e2e_relay  # noqa: E402  (tools/e2e_relay.py)
import e2e_shell  # noqa: E402  (tools/e2e_shell.py)
import usertest  # noqa: E402  (tools/usertest.py)
from pngwrite import read_ppm  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BUILD", "build")
QEMU = os.path.join(ROOT, "tools", "qemu.sh")
FONT = "/usr/share/consolefonts/Lat2-Terminus16.psf.gz"
PASS_STATUS = 33  # isa-debug-exit: (0x10 << 1) | 1
READY = re.compile(r"cairn: ready boot=(\S+) cpus=(\d+) mem=(\d+)MiB t=(\d+)ms")


class Boot:
    """One QEMU run with its serial output collected line by line."""

    def __init__(self, mode, path, env=None, args=(), stdin_closed=False, stdin_pipe=False):
        # Disks and a network card only when the test names them (env DISKS and NET,
        # tools/qemu.sh).
        e = dict(os.environ, SERIAL="stdio", GUI="0", DISKS="", NET="none")
        e.update(env or {})
        self.lines = []
        self.times = []  # time.monotonic() when each line arrived
        self.cond = threading.Condition()
        self.proc = subprocess.Popen([QEMU, mode, path, *args], env=e, cwd=ROOT,
                                     stdin=subprocess.PIPE if stdin_pipe else subprocess.DEVNULL,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True,
                                     preexec_fn=(lambda: os.close(0)) if stdin_closed else None)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            with self.cond:
                self.times.append(time.monotonic())
                self.lines.append(line)
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def wait_for(self, pattern, timeout):
        """Return the first match of @pattern in the output, or None."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        seen = 0
        with self.cond:
            while True:
                for line in self.lines[seen:]:
                    m = rx.search(line)
                    if m:
                        return m
                seen = len(self.lines)
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self.reader.is_alive()):
                    return None
                self.cond.wait(min(left, 0.2))

    def write(self, data):
        """Send @data to the guest's serial port (needs stdin_pipe=True)."""
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def arrival(self, match):
        """When the line holding @match (from wait_for) arrived."""
        with self.cond:
            return self.times[self.lines.index(match.string)]

    def wait_exit(self, timeout):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, 9)
            except ProcessLookupError:
                pass
            self.proc.wait()
        self.reader.join(2)

    def log(self):
        return "\n".join("    | " + l for l in self.lines[-60:])


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.lock = threading.Lock()

    def skip(self, name, reason):
        """A test that could not run (a prerequisite is missing): neither passed nor failed."""
        with self.lock:
            self.skipped += 1
            print("skip - %s (%s)" % (name, reason), flush=True)

    def add(self, name, ok, detail=""):
        with self.lock:
            if ok:
                self.passed += 1
                print("ok - %s%s" % (name, " (%s)" % detail if detail else ""), flush=True)
            else:
                self.failed += 1
                print("FAIL - %s\n%s" % (name, detail), flush=True)


def run_host(res):
    p = subprocess.run(["make", "-s", "test-host"], cwd=ROOT, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    m = re.search(r"^host: (\d+) passed, (\d+) failed$", p.stdout, re.M)
    for line in p.stdout.splitlines():
        if not line.startswith("PASS:"):
            print("  " + line)
    if not m:
        res.add("host tests (no summary line)", False, p.stdout[-3000:])
        return
    with res.lock:
        res.passed += int(m.group(1))
        res.failed += int(m.group(2))
    if p.returncode != 0 and int(m.group(2)) == 0:
        res.add("host tests exit status", False, "make test-host exited %d" % p.returncode)


def run_ktests(res, label, mode, path, env=None, timeout=300):
    """Boot a kernel with 'ktest' on its command line and count its TAP results."""
    b = Boot(mode, path, env)
    status = b.wait_exit(timeout)
    b.kill()
    plan = None
    seen = 0
    for line in b.lines:
        m = re.match(r"^1\.\.(\d+)$", line)
        if m:
            plan = int(m.group(1))
        m = re.match(r"^(not ok|ok) \d+ - (\S+)", line)
        if m:
            seen += 1
            name = "%s: %s" % (label, m.group(2))
            if m.group(1) == "ok":
                res.add(name, True)
            else:
                i = b.lines.index(line)
                res.add(name, False, "\n".join("    " + l for l in b.lines[i + 1:i + 5]))
    problems = []
    if plan is None:
        problems.append("no TAP plan")
    elif seen != plan:
        problems.append("%d of %d tests reported" % (seen, plan))
    if status is None:
        problems.append("timed out after %ds" % timeout)
    elif status == 0:
        problems.append("QEMU exited 0 (triple fault?)")
    elif status not in (PASS_STATUS, 35):
        problems.append("QEMU exit status %d" % status)
    if problems:
        res.add("%s: test boot" % label, False, "; ".join(problems) + "\n" + b.log())


def boot_ready(res, name, mode, path, want, env=None, timeout=120, expect=None,
               stdin_closed=False):
    """Boot until the ready line; @expect is a further pattern the log must hold."""
    b = Boot(mode, path, env, stdin_closed=stdin_closed)
    m = b.wait_for(READY.pattern, timeout)
    b.kill()
    if m and expect and not any(re.search(expect, l) for l in b.lines):
        res.add(name, False, "no line matching /%s/\n%s" % (expect, b.log()))
    elif m and m.group(1) == want:
        res.add(name, True, "boot=%s cpus=%s mem=%sMiB t=%sms" % m.groups())
    else:
        res.add(name, False, ("wrong boot method %s" % m.group(1) if m else "no ready line")
                + "\n" + b.log())


def boot_refused(res, name, mode, path, reason, timeout=120):
    """The loader must print @reason and 'cairn: boot failed', then halt (not reboot)."""
    b = Boot(mode, path)
    m = b.wait_for(r"cairn: boot failed", timeout)
    ok = m is not None
    why = ""
    if not ok:
        why = "no 'cairn: boot failed' line"
    elif not any(re.search(reason, l) for l in b.lines):
        ok, why = False, "reason /%s/ not printed" % reason
    else:
        time.sleep(3)  # -no-reboot: a reset would end QEMU; a halted loader keeps it running
        if b.proc.poll() is not None:
            ok, why = False, "QEMU exited (status %s) instead of halting" % b.proc.returncode
    if any(READY.search(l) for l in b.lines):
        ok, why = False, "kernel started"
    b.kill()
    res.add(name, ok, "" if ok else why + "\n" + b.log())


def boot_power(res, name, mode, path, expect, env=None, timeout=120):
    """Boot an image whose command line says poweroff or reboot: QEMU must exit by
    itself with status 0 (-no-reboot turns a reset into an exit) after the ready
    line, and the last method the kernel logged must match @expect."""
    b = Boot(mode, path, env)
    status = b.wait_exit(timeout)
    b.kill()
    tried = [l for l in b.lines if re.search(r"power: (ACPI S5|reset via)", l)]
    why = None
    if status is None:
        why = "QEMU still running after %ds" % timeout
    elif status != 0:
        why = "QEMU exit status %d" % status
    elif not any(READY.search(l) for l in b.lines):
        why = "no ready line"
    elif not tried or not re.search(expect, tried[-1]):
        why = "last power method %r, want /%s/" % (tried[-1] if tried else None, expect)
    res.add(name, why is None, tried[-1].strip() if why is None else why + "\n" + b.log())


def clock_drift(b):
    """clock-test: the kernel's clock against the host's over ~10 s, within 1%."""
    m1 = b.wait_for(r"clock: mark 1 (\d+)", 60)
    m2 = m1 and b.wait_for(r"clock: mark 2 (\d+)", 60)
    if not m2:
        return None, "no clock marks"
    guest = (int(m2.group(1)) - int(m1.group(1))) / 1e9
    host = b.arrival(m2) - b.arrival(m1)
    drift = abs(guest - host) / host
    detail = "guest %.3f s, host %.3f s, drift %.3f%%" % (guest, host, drift * 100)
    return detail, None if drift < 0.01 else detail


def serial_echo(b, expect=None):
    """echo-test: a line written to the serial port comes back through the RX interrupt
    (and the boot log holds a line matching @expect)."""
    if not b.wait_for(r"echo: ready", 60):
        return None, "no 'echo: ready'"
    if expect and not any(re.search(expect, l) for l in b.lines):
        return None, "no line matching /%s/" % expect
    b.write(b"hello cairn\n")
    m = b.wait_for(r'echo: got "(.*)" \((\d+) receive interrupts', 30)
    if not m or m.group(1) != "hello cairn" or int(m.group(2)) < 1:
        return None, "line not echoed by interrupt: %r" % (m.group(0) if m else None)
    return "%s receive interrupts" % m.group(2), None


def boot_mode(res, name, append, check, env=None, timeout=120):
    """Boot the kernel directly with @append; @check(boot) talks to it and returns
    (detail, failure); the kernel must then leave QEMU with the pass status."""
    e = dict(env or {}, APPEND=append)
    b = Boot("direct", os.path.join(BUILD, "kernel.elf"), e, stdin_pipe=True)
    detail, why = check(b)
    status = b.wait_exit(timeout) if why is None else None
    b.kill()
    if why is None and status != PASS_STATUS:
        why = "QEMU exit status %s" % status
    res.add(name, why is None, detail if why is None else why + "\n" + b.log())


def title_bitmap(text, scale):
    """The banner title as the kernel must draw it, from the font's own bitmaps."""
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    import gzip
    import psf2c
    raw = open(FONT, "rb").read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    width, height, stride, count, glyphs, table, version = psf2c.parse(raw)
    cmap = psf2c.unicode_map(table, count, version)
    on = set()
    for i, ch in enumerate(text):
        g = cmap.get(ord(ch), 0) * stride * height
        for row in range(height):
            for col in range(width):
                if glyphs[g + row * stride + col // 8] & (0x80 >> (col % 8)):
                    for dy in range(scale):
                        for dx in range(scale):
                            on.add(((i * width + col) * scale + dx, row * scale + dy))
    return on, len(text) * width * scale, height * scale


def screen_banner(res, name, mode, path, timeout=120):
    """Boot with a display, screendump through the monitor and check the banner."""
    tmp = tempfile.mkdtemp(prefix="cairn-screen-")
    sock, ppm = os.path.join(tmp, "mon.sock"), os.path.join(tmp, "screen.ppm")
    b = Boot(mode, path, args=["-monitor", "unix:%s,server,nowait" % sock])
    m = b.wait_for(r"fb: (\d+)x(\d+)", timeout) and b.wait_for(READY.pattern, timeout)
    why = "no framebuffer or ready line"
    if m:
        import socket
        time.sleep(0.5)
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(sock)
            e2e_shell.screendump(s, ppm)
        why = check_banner(ppm)
    b.kill()
    shutil.rmtree(tmp, ignore_errors=True)
    res.add(name, why is None, "" if why is None else why + "\n" + b.log())


def check_banner(ppm):
    """None when the screen shows the banner pixel for pixel, else the reason."""
    w, h, px = read_ppm(ppm)

    def at(x, y):
        i = (y * w + x) * 3
        return px[i] << 16 | px[i + 1] << 8 | px[i + 2]
    if at(w - 5, h - 5) != 0x101820 or at(w // 2, 1) != 0xd08040:
        return "background %06x / top bar %06x not the banner's" % (at(w - 5, h - 5),
                                                                   at(w // 2, 1))
    on, tw, th = title_bitmap("Cairn 0.1", 4)
    wrong = sum(1 for y in range(th) for x in range(tw)
                if (at(32 + x, 32 + y) == 0xf0e6d2) != ((x, y) in on))
    return None if wrong == 0 and on else "%d title pixels differ from the font" % wrong


def make_image(out, kernel, cmdline=None, no_kernel=False):
    cmd = [os.path.join(ROOT, "tools", "mkimage.sh"), out, kernel,
           os.path.join(BUILD, "boot", "BOOTX64.EFI"), os.path.join(BUILD, "boot", "mbr.bin"),
           os.path.join(BUILD, "boot", "stage2.bin")]
    if cmdline:
        cmd += ["--cmdline", cmdline]
    if no_kernel:
        cmd += ["--no-kernel"]
    subprocess.run(cmd, cwd=ROOT, check=True)


# The first bytes of a disk the kernel tests may overwrite (tests/kernel/test_virtio_blk.c).
SCRATCH_MAGIC = b"CAIRN-SCRATCH-DISK\n"


def scratch_disks(tmp, n=2, mib=64):
    """@n sparse raw images of @mib MiB marked as scratch; their paths."""
    paths = []
    for i in range(n):
        path = os.path.join(tmp, "scratch%d.img" % i)
        with open(path, "wb") as f:
            f.write(SCRATCH_MAGIC)
            f.truncate(mib << 20)
        paths.append(path)
    return paths


def partitioned_disks(tmp):
    """Two 64 MiB scratch images with partition tables for kernel/pvh-disks
    (tests/kernel/test_blkdisk.c): a GPT made by sgdisk, and an MBR with a
    primary, an extended and a logical partition written here (no sfdisk
    needed). None when sgdisk is missing."""
    os.makedirs(os.path.join(tmp, "parts"))
    gpt, mbr = scratch_disks(os.path.join(tmp, "parts"), 2)
    r = subprocess.run(["sgdisk", "-n", "1:2048:+8M", "-n", "2:0:+16M", gpt],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if r.returncode != 0:
        return None

    def entry(status, ptype, start, count):
        return bytes([status, 0, 0, 0, ptype, 0, 0, 0]) + start.to_bytes(4, "little") + \
            count.to_bytes(4, "little")
    with open(mbr, "r+b") as f:
        table = entry(0x80, 0x83, 2048, 16384) + entry(0, 0x05, 18432, 16384)
        f.seek(446)
        f.write(table + bytes(32) + b"\x55\xaa")
        # The extended partition's first record: logical 5 at +2048, 4 MiB, end of chain.
        f.seek(18432 * 512 + 446)
        f.write(entry(0, 0x83, 2048, 8192) + bytes(48) + b"\x55\xaa")
    return gpt, mbr


def root_disk(tmp):
    """An ext2 image made by mke2fs -d with /hello.txt and /dev, for the
    kernel/pvh-rootdisk boot (tests/kernel/test_rootdisk.c); None without
    mke2fs."""
    src = os.path.join(tmp, "rootsrc")
    os.makedirs(os.path.join(src, "dev"))
    with open(os.path.join(src, "hello.txt"), "w") as f:
        f.write("hello from the host\n")
    img = os.path.join(tmp, "root.img")
    r = subprocess.run(["mke2fs", "-q", "-F", "-t", "ext2", "-b", "1024", "-d", src, img, "16M"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return img if r.returncode == 0 else None


def fsck_clean(img):
    """Whether e2fsck -fn finds no error in @img and its superblock says
    clean (the power-off path remounted it read-only); the output when not."""
    r = subprocess.run(["e2fsck", "-fn", img], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    h = subprocess.run(["dumpe2fs", "-h", img], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL)
    state = re.search(rb"^Filesystem state:\s+(.*)$", h.stdout, re.M)
    clean = r.returncode == 0 and state is not None and state.group(1).strip() == b"clean"
    return clean, r.stdout.decode(errors="replace") + "state: %s" % (
        state.group(1).decode() if state else "?")


def nvme_fs_files(img):
    """Whether debugfs finds the files tests/kernel/test_nvme_ext2.c wrote in @img."""
    def cat(name):
        r = subprocess.run(["debugfs", "-R", "cat " + name, img], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL)
        return r.stdout
    small, big = cat("/from-cairn.txt"), cat("/cairn-big.bin")
    want = bytes((i * 7 + 3) & 0xff for i in range(200000))
    if small != b"written on cairn\n":
        return False, "/from-cairn.txt: %r" % small[:80]
    if big != want:
        return False, "/cairn-big.bin: %d bytes, differs from the pattern" % len(big)
    return True, ""


def corrupt_kernels(tmp):
    kernel = open(os.path.join(ROOT, BUILD, "kernel.elf"), "rb").read()
    truncated = os.path.join(tmp, "truncated.elf")
    open(truncated, "wb").write(kernel[:3000])
    notelf = os.path.join(tmp, "notelf.elf")
    open(notelf, "wb").write(b"This is not an ELF file.\n" * 100)
    wrongarch = os.path.join(tmp, "wrongarch.elf")
    open(wrongarch, "wb").write(kernel[:18] + b"\x28\x00" + kernel[20:])  # EM_ARM
    return [("truncated", truncated, r"trunc|past end|beyond"),
            ("not-elf", notelf, r"not an ELF"),
            ("wrong-machine", wrongarch, r"machine")]


def main():
    try:
        return run_all()
    except (subprocess.CalledProcessError, OSError) as e:
        # A missing build product or a failed image build: say so in the summary.
        print("FAIL - test setup: %s" % e)
        print("0 passed, 1 failed")
        return 1


def run_all():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="",
                    help="comma list of groups: host,kernel,e2e,user,busybox,pci,disk,net,relay,ipc")
    ap.add_argument("-j", type=int, default=2, help="QEMU boots run at once")
    opts = ap.parse_args()
    groups = set(opts.only.split(",")) if opts.only else {"host", "kernel", "e2e", "user",
                                                          "busybox", "pci", "disk"}
    groups |= set() if opts.only else {"net"}  # the network end to end (tools/e2e_net.py)
    groups |= set() if opts.only else {"relay"}  # Cairn against Linux (tools/e2e_relay.py)
    groups |= set() if opts.only else {"ipc"}  # services and user drivers (tools/e2e_ipc.py)
    res = Results()
    start = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="cairn-test-")
    kernel = os.path.join(BUILD, "kernel.elf")
    jobs = []

    if "host" in groups:
        run_host(res)
    if "kernel" in groups or "e2e" in groups:
        test_img = os.path.join(tmp, "ktest.img")
        make_image(test_img, kernel, "ktest")
    if "kernel" in groups:
        jobs += [lambda: run_ktests(res, "kernel/pvh", "direct", kernel, {"APPEND": "ktest"}),
                 lambda: run_ktests(res, "kernel/pvh-cpu-max", "direct", kernel,
                                    {"APPEND": "ktest", "QEMU_CPU": "max", "CPUS": "4",
                                     "MEM": "1G"}),
                 lambda: run_ktests(res, "kernel/uefi", "uefi", test_img),
                 lambda: run_ktests(res, "kernel/bios", "bios", test_img),
                 lambda: run_ktests(res, "kernel/uefi-la57", "uefi", test_img,
                                    {"QEMU_CPU": "max"}),
                 lambda: run_ktests(res, "kernel/bios-la57", "bios", test_img,
                                    {"QEMU_CPU": "max"}),
                 # SMP: every suite on 1 and 4 CPUs, the smp suite on 2 (with a listed
                 # CPU that never answers) and 8 (docs/smp.md).
                 lambda: run_ktests(res, "kernel/pvh-smp1", "direct", kernel,
                                    {"APPEND": "ktest smp_expect=1", "CPUS": "1"}),
                 lambda: run_ktests(res, "kernel/pvh-smp2-phantom", "direct", kernel,
                                    {"APPEND": "ktest=smp smp_expect=2 smp_phantom",
                                     "CPUS": "2"}),
                 lambda: run_ktests(res, "kernel/pvh-smp4", "direct", kernel,
                                    {"APPEND": "ktest smp_expect=4", "CPUS": "4"}),
                 lambda: run_ktests(res, "kernel/pvh-smp8", "direct", kernel,
                                    {"APPEND": "ktest=smp smp_expect=8", "CPUS": "8"})]
        # virtio-blk on real QEMU disks: vda read-write, vdb read-only (docs/virtio.md);
        # virtio-net on QEMU's user network (docs/virtio-net.md).
        scratch = scratch_disks(tmp)
        jobs += [lambda: run_ktests(res, "kernel/pvh-virtio", "direct", kernel,
                                    {"APPEND": "ktest=virtio", "CPUS": "4", "NET": "user",
                                     "DISKS": "%s %s:ro" % tuple(scratch)})]
        # Partition tables on real disks: a GPT on vda, an MBR on nvme0n1 (docs/block.md).
        parts = partitioned_disks(tmp)
        if parts:
            jobs += [lambda: run_ktests(res, "kernel/pvh-disks", "direct", kernel,
                                        {"APPEND": "ktest=blkdisk", "CPUS": "2",
                                         "DISKS": "%s %s:nvme" % parts})]
        else:
            res.skip("kernel/pvh-disks", "sgdisk is missing (gdisk package)")
        # root= on an ext2 disk made by the host; afterwards the host's e2fsck finds it clean.
        rootimg = root_disk(tmp)
        if rootimg:
            def rootdisk_job():
                run_ktests(res, "kernel/pvh-rootdisk", "direct", kernel,
                           {"APPEND": "ktest=rootdisk root=/dev/vda rootfstype=ext2 rw",
                            "CPUS": "2", "DISKS": rootimg})
                clean, out = fsck_clean(rootimg)
                res.add("kernel/pvh-rootdisk: e2fsck -fn after the boot", clean, out[-3000:])
            jobs += [rootdisk_job]
        else:
            res.skip("kernel/pvh-rootdisk", "mke2fs is missing (e2fsprogs package)")
        # NVMe: nvme0n1 for I/O, nvme1n1 for the controller that stops answering,
        # nvme3n1 with 4096-byte blocks (after DISKS: QEMU_EXTRA) (docs/nvme.md).
        os.makedirs(os.path.join(tmp, "nvme"))
        nvme_disks = scratch_disks(os.path.join(tmp, "nvme"), 3)
        nvme_4k = ("-drive if=none,file=%s,format=raw,id=n4k -device nvme,id=nc4k,serial=cairn3 "
                   "-device nvme-ns,bus=nc4k,drive=n4k,logical_block_size=4096,"
                   "physical_block_size=4096" % nvme_disks[2])
        # nvme2n1: an ext2 image made by the host, written by Cairn (tests/kernel/test_nvme_ext2.c),
        # then checked here: e2fsck -fn clean, Cairn's files read back by debugfs.
        nvme_fs = root_disk(os.path.join(tmp, "nvme"))
        nvme_fs_disk = " %s:nvme" % nvme_fs if nvme_fs else ""

        def nvme_job():
            run_ktests(res, "kernel/pvh-nvme", "direct", kernel,
                       {"APPEND": "ktest=nvme", "CPUS": "4",
                        "DISKS": "%s:nvme %s:nvme" % tuple(nvme_disks[:2]) + nvme_fs_disk,
                        "QEMU_EXTRA": nvme_4k})
            if nvme_fs:
                clean, out = fsck_clean(nvme_fs)
                res.add("kernel/pvh-nvme: e2fsck -fn after the boot", clean, out[-3000:])
                ok, why = nvme_fs_files(nvme_fs)
                res.add("kernel/pvh-nvme: debugfs reads what Cairn wrote", ok, why)
        jobs += [nvme_job]
    if "e2e" in groups:
        image = os.path.join(BUILD, "cairn.img")
        iso = os.path.join(tmp, "cairn.iso")
        subprocess.run([os.path.join(ROOT, "tools", "mkiso.sh"), iso, kernel], cwd=ROOT,
                       check=True)
        # GRUB's framebuffer tag: the console's colours come from its colour info.
        iso_fb = os.path.join(tmp, "fbcon.iso")
        subprocess.run([os.path.join(ROOT, "tools", "mkiso.sh"), iso_fb, kernel, "ktest=fbcon"],
                       cwd=ROOT, check=True)
        jobs += [lambda: run_ktests(res, "kernel/multiboot2-fbcon", "iso", iso_fb)]
        jobs += [lambda: boot_ready(res, "e2e: image boots on UEFI", "uefi", image, "uefi"),
                 lambda: boot_ready(res, "e2e: image boots on BIOS", "bios", image, "bios"),
                 lambda: boot_ready(res, "e2e: kernel boots directly (PVH)", "direct", kernel,
                                    "pvh"),
                 lambda: boot_ready(res, "e2e: GRUB multiboot2 ISO", "iso", iso, "multiboot2"),
                 lambda: boot_ready(res, "e2e: UEFI with 4 CPUs and 1 GiB", "uefi", image,
                                    "uefi", {"CPUS": "4", "MEM": "1G"}),
                 lambda: boot_ready(res, "e2e: BIOS with 4 CPUs and 4 GiB", "bios", image,
                                    "bios", {"CPUS": "4", "MEM": "4G"}),
                 lambda: boot_ready(res, "e2e: UEFI with 1 CPU and 128 MiB", "uefi", image,
                                    "uefi", {"CPUS": "1", "MEM": "128M"}),
                 lambda: boot_ready(res, "e2e: UEFI with 5-level paging", "uefi", image, "uefi",
                                    {"QEMU_CPU": "qemu64,+la57"}, expect=r"vm: .*5-level"),
                 lambda: boot_ready(res, "e2e: BIOS with 5-level paging", "bios", image, "bios",
                                    {"QEMU_CPU": "qemu64,+la57"}, expect=r"vm: .*5-level")]
        jobs += [lambda: boot_ready(res, "e2e: UEFI without GOP boots with a warning", "uefi",
                                    image, "uefi", {"QEMU_EXTRA": "-vga none"},
                                    expect=r"uefi: .*(GOP|graphics)"),
                 lambda: boot_ready(res, "e2e: BIOS without VGA boots", "bios", image, "bios",
                                    {"QEMU_EXTRA": "-vga none"}),
                 lambda: boot_mode(res, "e2e: clock drift against the host over 10 s",
                                   "clock-test", clock_drift),
                 lambda: boot_mode(res, "e2e: serial receive by interrupt (echo)", "echo-test",
                                   serial_echo),
                 lambda: boot_mode(res, "e2e: no ACPI: serial receive through the 8259 PIC",
                                   "echo-test", lambda b: serial_echo(b, r"through the 8259 PIC"),
                                   {"QEMU_EXTRA": "-machine pc,acpi=off"}),
                 lambda: boot_ready(res, "e2e: no HPET: falls back to the PIT", "direct", kernel,
                                    "pvh", {"QEMU_EXTRA": "-machine q35,hpet=off"},
                                    expect=r"falling back to the PIT"),
                 lambda: boot_ready(res, "e2e: runs with standard input closed", "direct",
                                    kernel, "pvh", stdin_closed=True),
                 lambda: screen_banner(res, "e2e: UEFI framebuffer shows the banner", "uefi",
                                       image),
                 lambda: screen_banner(res, "e2e: BIOS (VBE) framebuffer shows the banner",
                                       "bios", image),
                 lambda: e2e_shell.shell_serial(res, Boot, kernel),
                 lambda: e2e_shell.shell_screen(res, Boot, image, FONT),
                 lambda: e2e_shell.shell_screen(res, Boot, image, FONT, "uefi"),
                 lambda: e2e_shell.shell_test_all(res, Boot, image)]
        off, reb = (os.path.join(tmp, a + ".img") for a in ("poweroff", "reboot"))
        make_image(off, kernel, cmdline="poweroff")
        make_image(reb, kernel, cmdline="reboot")
        pc, s5 = {"QEMU_EXTRA": "-machine pc"}, r"power: ACPI S5"
        jobs += [lambda: boot_power(res, "e2e: poweroff on q35 UEFI", "uefi", off, s5),
                 lambda: boot_power(res, "e2e: poweroff on q35 BIOS", "bios", off, s5),
                 lambda: boot_power(res, "e2e: poweroff on pc UEFI", "uefi", off, s5, pc),
                 lambda: boot_power(res, "e2e: poweroff on pc BIOS", "bios", off, s5, pc),
                 lambda: boot_power(res, "e2e: reboot on q35 BIOS uses the reset register",
                                    "bios", reb, r"reset via ACPI reset register"),
                 lambda: boot_power(res, "e2e: reboot on pc BIOS uses the 8042", "bios", reb,
                                    r"reset via 8042", pc)]
        jobs += e2e_kaslr.jobs(res, Boot, ROOT, BUILD, tmp, make_image)
        nokernel = os.path.join(tmp, "no-kernel.img")
        make_image(nokernel, kernel, no_kernel=True)
        jobs += [lambda: boot_refused(res, "e2e: UEFI loader reports a missing kernel", "uefi",
                                      nokernel, r"kernel\.elf"),
                 lambda: boot_refused(res, "e2e: BIOS loader reports a missing kernel", "bios",
                                      nokernel, r"kernel\.elf")]
        for label, path, reason in corrupt_kernels(tmp):
            img = os.path.join(tmp, "bad-%s.img" % label)
            make_image(img, path)
            jobs += [lambda img=img, label=label, reason=reason: boot_refused(
                         res, "e2e: UEFI loader refuses %s kernel" % label, "uefi", img, reason),
                     lambda img=img, label=label, reason=reason: boot_refused(
                         res, "e2e: BIOS loader refuses %s kernel" % label, "bios", img, reason)]
    if "user" in groups:
        # User programs on Cairn beside the Linux baseline (tools/usertest.py).
        jobs += [lambda: usertest.run(res, kernel),
                 lambda: usertest.run_images(res, kernel, tmp)]
    if "busybox" in groups:
        # The busybox userland typed into over serial, on Cairn and on the Linux
        # baseline booting the same image (tools/e2e_busybox.py).
        jobs += [lambda: e2e_busybox.run(res, kernel, "cairn", tmp),
                 lambda: e2e_busybox.run(res, kernel, "linux", tmp)]
        # `make run`'s data disk: fstab, mount -a, kept across boots (tools/e2e_datadisk.py).
        jobs += [lambda: e2e_datadisk.run(res, kernel, tmp)]
    if "pci" in groups:
        # The device list against QEMU's, and MSI-X spread over CPUs (tools/e2e_pci.py).
        jobs += e2e_pci.jobs(res, Boot, kernel, tmp)
        # QEMU's pc machine has no MCFG: enumeration through the 0xCF8 ports.
        jobs += [lambda: run_ktests(res, "kernel/pvh-pc-ports", "direct", kernel,
                                    {"APPEND": "ktest=pci", "QEMU_EXTRA": "-machine pc"})]
    if "disk" in groups:
        # ext2 on virtio-blk disks: 10,000 files checked by e2fsck and debugfs, an image
        # the host made, corrupted images, a power cut (tools/e2e_disk.py).
        jobs += e2e_disk.jobs(res, kernel, tmp)
        # FAT32 on virtio-blk disks: an mtools image read on Cairn, files Cairn writes
        # checked by fsck.fat and mcopy, corrupted volumes (tools/e2e_fat.py).
        jobs += [lambda: e2e_fat.run(res, kernel, tmp)]
        # Debian's dynamically linked coreutils chrooted into an ext2 disk (tools/e2e_dynamic.py).
        jobs += e2e_dynamic.jobs(res, kernel, tmp)
    if "net" in groups:
        # busybox on a virtio-net card on QEMU's user network, against host servers (tools/e2e_net.py).
        jobs += [lambda: e2e_net.run(res, kernel, tmp, "cairn"),
                 lambda: e2e_net.run(res, kernel, tmp, "linux")]
    if "relay" in groups:
        # Cairn and Linux through a hostile link (tools/e2e_relay.py, docs/net-tests.md).
        jobs += [lambda: e2e_relay.run(res, kernel, tmp)]
    if "ipc" in groups:
        # A service over channels run from the shell, a user-space driver killed under
        # load (tools/e2e_ipc.py, docs/ipc.md).
        jobs += e2e_ipc.jobs(res, kernel, tmp)
    with ThreadPoolExecutor(max_workers=opts.j) as pool:
        for f in [pool.submit(j) for j in jobs]:
            f.result()
    shutil.rmtree(tmp, ignore_errors=True)
    print("test time: %.0fs" % (time.monotonic() - start))
    if res.skipped:
        print("%d skipped" % res.skipped)
    print("%d passed, %d failed" % (res.passed, res.failed))
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
