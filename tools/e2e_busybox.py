#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end tests of the busybox userland (issue 12), typed over serial.

One boot of the `make run` image (tools/mkrootfs.py) per kernel: busybox
init starts a login shell on ttyS0, and the checks below type commands into
it as a person would, wait for the prompt and read what came back. The
same checks run on Debian's Linux kernel booting the same archive: that
proves the checks themselves (each must pass there), and Cairn must pass
them too. Each check is one line of `make test` (group "busybox").

  tools/e2e_busybox.py                 Cairn (build/kernel.elf, UEFI image)
  tools/e2e_busybox.py --linux         the Linux baseline
  tools/e2e_busybox.py --only vi,su    some checks; -v echoes the serial line

The prompt is set to "[$?] e2e# " first, so every command's exit status
comes back with the prompt that follows it.
"""
import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mkrootfs  # noqa: E402
from e2e_busybox_checks import (CAIRN_ONLY, CHECKS, HELLO_C, HELLO_OUT, MEM_MIB,  # noqa: E402
                                PROMPT, SHORT)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BUILD", "build")
QEMU = os.path.join(ROOT, "tools", "qemu.sh")
VMLINUZ = os.path.join(BUILD, "debs", "vmlinuz")
UNAME_TEST = os.path.join(BUILD, "user", "musl", "uname")
LINUX_APPEND = "console=ttyS0 rdinit=/sbin/init quiet loglevel=1 panic=-1"
CAIRN_APPEND = "init=/sbin/init"
QEMU_ENV = {"CPUS": "2", "MEM": "%dM" % MEM_MIB, "QEMU_CPU": "qemu64", "GUI": "0", "DISKS": ""}

ESCAPES = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78cDEHMZ]"
                     rb"|[\r\x07\x00]")
FIRST_PROMPT = re.compile(r"(?m)^\S*:\S*# $")
BOOT_WAIT = 180
# A kernel that printed one of these says nothing more: stop waiting for it.
DEAD = re.compile(r"cairn: halted after panic|---\[ end Kernel panic")
CMD_WAIT = 60


def clean(raw):
    """Serial bytes as text: terminal escapes, carriage returns and bells removed."""
    return ESCAPES.sub(b"", bytes(raw)).decode("utf-8", "replace")


class Serial:
    """A QEMU boot whose serial port is our pipe: raw bytes in and out."""

    def __init__(self, mode, path, env, echo=False, args=()):
        e = dict(os.environ, SERIAL="stdio", **QEMU_ENV)
        e.update(env)
        self.raw = bytearray()
        self.cond = threading.Condition()
        self.echo = echo
        self.proc = subprocess.Popen([QEMU, mode, path, *args], env=e, cwd=ROOT,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        while True:
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                break
            with self.cond:
                self.raw += chunk
                self.cond.notify_all()
            if self.echo:
                sys.stdout.write(chunk.decode("utf-8", "replace"))
                sys.stdout.flush()
        with self.cond:
            self.cond.notify_all()

    def mark(self):
        with self.cond:
            return len(self.raw)

    def send(self, data):
        """Type @data (bytes or text)."""
        if isinstance(data, str):
            data = data.encode()
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass

    def wait(self, pred, start, timeout):
        """Wait until @pred(text since @start) is true-ish; return it or None."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                got = pred(clean(self.raw[start:]))
                if got:
                    return got
                left = deadline - time.monotonic()
                if left <= 0 or not self.reader.is_alive():
                    return None
                self.cond.wait(min(left, 0.5))

    def text(self, start=0):
        with self.cond:
            return clean(self.raw[start:])

    def alive(self):
        return self.proc.poll() is None

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

    def tail(self, n=40):
        return "\n".join("    | " + l for l in self.text().splitlines()[-n:])


class Shell:
    """The login shell on the serial line, driven command by command."""

    def __init__(self, serial):
        self.s = serial

    def run(self, cmd, timeout=CMD_WAIT):
        """Type @cmd and Enter; (exit status, output lines) once the prompt is
        back, or (None, output so far) when it does not come back in time."""
        start = self.s.mark()
        self.s.send(cmd + "\r")

        def done(text):
            nl = text.find("\n")  # the end of the echoed command line
            m = PROMPT.search(text, nl + 1) if nl >= 0 else None
            return (m, text[nl + 1:m.start()]) if m else None
        got = self.s.wait(done, start, timeout)
        if not got:
            text = self.s.text(start)
            return None, text.split("\n")[1:]
        m, out = got
        return int(m.group(1)), out.split("\n")[:-1] if out.endswith("\n") else out.split("\n")

    def start(self, cmd):
        """Type @cmd and Enter without waiting; returns the mark to read from."""
        start = self.s.mark()
        self.s.send(cmd + "\r")
        return start

    def prompt_after(self, start, timeout):
        """(status, output) when a prompt comes after @start, else (None, text)."""
        def done(text):
            m = PROMPT.search(text)
            return (m, text[:m.start()]) if m else None
        got = self.s.wait(done, start, timeout)
        if not got:
            return None, self.s.text(start)
        return int(got[0].group(1)), got[1]

    def recover(self):
        """After a check lost the prompt: ^C, Enter and a fresh prompt, or False."""
        self.s.send(b"\x03")
        time.sleep(0.5)
        status, _ = self.run("echo recovered", 20)
        return status is not None


def test_rootfs(out, tmp):
    """The image `make run ADD=hello` boots, with hello built by musl-gcc -static."""
    src, prog = os.path.join(tmp, "hello.c"), os.path.join(tmp, "hello")
    with open(src, "w") as f:
        f.write(HELLO_C)
    subprocess.run([os.environ.get("MUSL_CC", "musl-gcc"), "-static", "-O2", src, "-o", prog],
                   check=True)
    mkrootfs.write_if_changed(out, mkrootfs.archive(mkrootfs.image_entries(add=[prog])))
    return out


def image_context(busybox):
    """What the checks compare against, from the image itself."""
    entries = mkrootfs.image_entries()
    with open(busybox, "rb") as f:
        md5 = hashlib.md5(f.read()).hexdigest()
    return {"passwd_paths": sorted("/" + p for p in entries if p.split("/")[-1] == "passwd"),
            "busybox_md5": md5}


def cairn_image(kernel, rootfs, out):
    """The disk image `make run` boots: kernel, rootfs as cairn/initrd, init=/sbin/init."""
    size = 64 + os.path.getsize(rootfs) // (1 << 20) * 2
    subprocess.run([os.path.join(ROOT, "tools", "mkimage.sh"), out, kernel,
                    os.path.join(BUILD, "boot", "BOOTX64.EFI"),
                    os.path.join(BUILD, "boot", "mbr.bin"),
                    os.path.join(BUILD, "boot", "stage2.bin"),
                    "--cmdline", CAIRN_APPEND, "--initrd", rootfs, "--size", str(size)],
                   cwd=ROOT, check=True)
    return out


def boot(target, kernel, rootfs, work, echo, direct):
    """Start @target's QEMU on @rootfs: Linux directly; Cairn directly (@direct)
    or from the UEFI disk image `make run` boots, with a monitor socket for
    the screen check."""
    if target == "linux":
        return Serial("direct", VMLINUZ, {"INITRD": rootfs, "APPEND": LINUX_APPEND}, echo)
    if direct:
        return Serial("direct", kernel, {"INITRD": rootfs, "APPEND": CAIRN_APPEND}, echo)
    img = cairn_image(kernel, rootfs, os.path.join(work, "busybox.img"))
    mon = os.path.join(work, "monitor.sock")
    return Serial("uefi", img, {}, echo, ["-monitor", "unix:%s,server,nowait" % mon])


def first_prompt(s, sh, t0):
    """Wait for the login shell's prompt and set PS1; (detail, None) or (None, why)."""
    ok = s.wait(lambda t: FIRST_PROMPT.search(t) or DEAD.search(t), 0, BOOT_WAIT)
    ok = ok if ok and not DEAD.search(ok.group(0)) else None
    took = time.monotonic() - t0
    if not ok:
        return None, "no shell prompt on ttyS0 within %d s\n%s" % (BOOT_WAIT, s.tail())
    status, out = sh.run("PS1='[$?] e2e# '", 30)
    if status != 0:
        return None, "the prompt did not change (PS1 with $?): %r\n%s" % (out, s.tail())
    return "prompt %.1f s after QEMU started" % took, None


def run_checks(sh, checks, ctx, report):
    """Each check in turn; after a failure the shell must answer again, else the
    rest are reported failed with that reason. Returns the reason or None."""
    lost = None
    for name, fn in checks:
        if lost:
            report(name, None, "not run: %s" % lost)
            continue
        try:
            detail, why = fn(sh, ctx)
        except Exception as e:  # a check's own bug must not hide the others
            detail, why = None, "check raised %r" % e
        report(name, detail, why)
        if why and not sh.recover():
            lost = "the shell stopped answering after '%s'" % name
    return lost


def session(target, kernel, tmp, report, only=None, echo=False, direct=False):
    """Boot @target ("cairn" or "linux") on the image test_rootfs() builds, run
    the checks, @report(name, detail, why) for each; returns the Serial (killed)."""
    work = os.path.join(tmp, "busybox-" + target)
    os.makedirs(work, exist_ok=True)
    rootfs = test_rootfs(os.path.join(work, "rootfs.cpio"), work)
    screen = target == "cairn" and not direct
    checks = [c for i, c in enumerate(CHECKS)
              if (only is None or i in only) and (screen or c[1] not in CAIRN_ONLY)]
    ctx = image_context(mkrootfs.BUSYBOX)
    ctx.update(work=work, monitor=os.path.join(work, "monitor.sock"))
    t0 = time.monotonic()
    s = boot(target, kernel, rootfs, work, echo, direct)
    try:
        sh = Shell(s)
        detail, why = first_prompt(s, sh, t0)
        report("boot to a login shell on ttyS0", detail, why)
        lost = run_checks(sh, checks, ctx, report) if why is None else "no shell"
        if not lost and only is None:
            sh.start("poweroff")
            status = s.wait_exit(60)
            if status is None:
                report("poweroff ends the machine", None,
                       "still running 60 s after poweroff\n" + s.tail())
            else:
                report("poweroff ends the machine", "QEMU exit status %s" % status, None)
        elif lost:
            report("poweroff ends the machine", None, "not run: %s" % lost)
    finally:
        s.kill()
    return s


def available(kernel, target):
    """None when the group can run on @target, else why not."""
    need = [mkrootfs.BUSYBOX, UNAME_TEST]
    need += [VMLINUZ] if target == "linux" else [kernel, os.path.join(BUILD, "boot",
                                                                      "BOOTX64.EFI")]
    missing = [p for p in need if not os.path.exists(p)]
    return "missing %s (make kernel image rootfs)" % ", ".join(missing) if missing \
        else None


def run(res, kernel, target, tmp):
    """tools/cairntest.py's group "busybox" on @target, results into @res."""
    label = "busybox/%s" % target
    why = available(kernel, target)
    if why:
        res.skip("%s: every check" % label, why)
        return
    log = os.path.join(BUILD, "e2e-busybox-%s.log" % target)

    def report(name, detail, why):
        res.add("%s: %s" % (label, name), why is None, detail if why is None else why)
    s = session(target, kernel, tmp, report)
    with open(log, "w") as f:
        f.write(s.text())
    print("  %s: serial log in %s" % (label, log))


def main():
    ap = argparse.ArgumentParser(usage=__doc__)
    ap.add_argument("--linux", action="store_true", help="the Linux baseline instead of Cairn")
    ap.add_argument("--kernel", default=os.path.join(BUILD, "kernel.elf"))
    ap.add_argument("--direct", action="store_true",
                    help="Cairn: boot the kernel directly (PVH), not the UEFI image")
    ap.add_argument("--only", default="", help="comma list: " + ",".join(SHORT))
    ap.add_argument("-v", action="store_true", help="echo the serial line")
    opts = ap.parse_args()
    os.chdir(ROOT)
    target = "linux" if opts.linux else "cairn"
    only = {SHORT[n] for n in opts.only.split(",")} if opts.only else None
    counts = [0, 0]

    def report(name, detail, why):
        counts[why is not None] += 1
        if why is None:
            print("ok - %s: %s (%s)" % (target, name, detail), flush=True)
        else:
            print("FAIL - %s: %s\n%s" % (target, name, why), flush=True)
    with tempfile.TemporaryDirectory(prefix="cairn-e2e-bb-") as tmp:
        s = session(target, opts.kernel, tmp, report, only, opts.v, opts.direct)
    with open(os.path.join(BUILD, "e2e-busybox-%s.log" % target), "w") as f:
        f.write(s.text())
    print("%d passed, %d failed" % tuple(counts))
    return 1 if counts[1] else 0


if __name__ == "__main__":
    sys.exit(main())
