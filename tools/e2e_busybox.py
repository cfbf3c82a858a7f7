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
import e2e_shell  # noqa: E402
import mkrootfs  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BUILD", "build")
QEMU = os.path.join(ROOT, "tools", "qemu.sh")
VMLINUZ = os.path.join(BUILD, "debs", "vmlinuz")
UNAME_TEST = os.path.join(BUILD, "user", "musl", "uname")
LINUX_APPEND = "console=ttyS0 rdinit=/sbin/init quiet loglevel=1 panic=-1"
CAIRN_APPEND = "init=/sbin/init"
MEM_MIB = 256
QEMU_ENV = {"CPUS": "2", "MEM": "%dM" % MEM_MIB, "QEMU_CPU": "qemu64", "GUI": "0"}

ESCAPES = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78cDEHMZ]|[\r\x07\x00]")
PROMPT = re.compile(r"\[(\d+)\] e2e# ")
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


def failure(what, status, out):
    return "%s (status %s)\n%s" % (what, status, "\n".join("    > " + l for l in out[-25:]))


# ---- the checks: each takes (shell, ctx) and returns (detail, None) or (None, why) ----

def check_ls_proc(sh, ctx):
    status, out = sh.run("ls -l /proc")
    text = "\n".join(out)
    need = [(r"(?m)^dr-xr-xr-x\s.*\s1$", "a directory for pid 1"),
            (r"(?m)\sself -> \d+$", "self -> PID"),
            (r"(?m)\smeminfo$", "meminfo"), (r"(?m)\smounts( -> \S+)?$", "mounts")]
    missing = [what for rx, what in need if not re.search(rx, text)]
    if status != 0 or missing:
        return None, failure("missing: %s" % ", ".join(missing), status, out)
    return "%d entries" % len(out), None


def check_ps(sh, ctx):
    status, out = sh.run("ps")
    text = "\n".join(out)
    # This busybox shows no TIME column; ash runs ps in a forked shell
    # without exec, so its row is "{ps} -/bin/sh" (comm, then cmdline).
    need = [(r"(?m)^\s*PID\s+USER\s+(TIME\s+)?COMMAND$", "the header"),
            (r"(?m)^\s*1\s+root\s+(\S+\s+)?\S*init\b", "init as pid 1"),
            (r"(?m)^\s*\d+\s+root\s+(\S+\s+)?-/bin/sh$", "the login shell"),
            (r"(?m)^\s*\d+\s+root\s+(\S+\s+)?(\{ps\} .*|ps)$", "ps itself")]
    missing = [what for rx, what in need if not re.search(rx, text)]
    if status != 0 or missing:
        return None, failure("missing: %s" % ", ".join(missing), status, out)
    return "%d processes" % (len(out) - 1), None


def check_top(sh, ctx):
    status, out = sh.run("top -n 1")
    text = "\n".join(out)
    need = [(r"Mem: \d+K used, \d+K free", "the Mem: line"),
            (r"CPU:\s+\d+% usr", "the CPU: line"),
            (r"Load average: [\d.]+ [\d.]+ [\d.]+", "the load average"),
            (r"PID\s+PPID\s+USER\s+STAT\s+VSZ", "the header"),
            (r"(?m)^\s*1\s+0\s+root\s+\S+\s+\d+", "init's row")]
    missing = [what for rx, what in need if not re.search(rx, text)]
    if status != 0 or missing:
        return None, failure("missing: %s" % ", ".join(missing), status, out)
    return "%d lines" % len(out), None


def check_meminfo(sh, ctx):
    status, out = sh.run("cat /proc/meminfo | grep MemTotal")
    m = re.match(r"^MemTotal:\s+(\d+) kB$", out[0]) if len(out) == 1 else None
    if status != 0 or not m:
        return None, failure("want one 'MemTotal: N kB' line", status, out)
    kib = int(m.group(1))
    ctx["memtotal"] = kib
    if not MEM_MIB * 1024 // 2 < kib <= MEM_MIB * 1024:
        return None, "MemTotal %d kB is not within half of the machine's %d MiB" % (kib, MEM_MIB)
    return "%d kB of %d MiB" % (kib, MEM_MIB), None


def check_free(sh, ctx):
    status, out = sh.run("free")
    text = "\n".join(out)
    m = re.search(r"(?m)^Mem:\s+(\d+)\s+(\d+)\s+(\d+)", text)
    if status != 0 or not re.search(r"(?m)^\s+total\s+used\s+free", text) or not m:
        return None, failure("no header or Mem: line", status, out)
    total, used, free = (int(g) for g in m.groups())
    if "memtotal" in ctx and total != ctx["memtotal"]:
        return None, "free's total %d kB differs from MemTotal %d kB" % (total, ctx["memtotal"])
    if used + free > total or free <= 0:
        return None, failure("used %d + free %d exceed total %d" % (used, free, total), 0, out)
    return "total %d kB, used %d, free %d" % (total, used, free), None


def check_vi(sh, ctx):
    """vi in raw mode: delete the first line, append one at the end, save."""
    status, out = sh.run("mkdir -p /tmp/e2e && printf 'alpha\\nbeta\\n' > /tmp/e2e/v.txt")
    if status != 0:
        return None, failure("could not write the file", status, out)
    start = sh.start("vi /tmp/e2e/v.txt")
    if not sh.s.wait(lambda t: "beta" in t.split("\n", 1)[-1], start, 30):
        return None, "vi did not show the file\n" + sh.s.tail()
    time.sleep(1)
    for keys in ("dd", "G", "o", "gamma", "\x1b"):
        sh.s.send(keys)
        time.sleep(0.4)
    status, out = sh.prompt_after(sh.start(":wq"), 30)
    if status is None:
        sh.s.send(b"\x1b:q!\r")
        return None, "vi did not exit after :wq\n" + sh.s.tail()
    status, out = sh.run("cat /tmp/e2e/v.txt")
    if status != 0 or out != ["beta", "gamma"]:
        return None, failure("file holds %r, want ['beta', 'gamma']" % out, status, out)
    return "file now beta, gamma", None


def check_jobs(sh, ctx):
    status, out = sh.run("sleep 100 &")
    if status != 0:
        return None, failure("sleep 100 & failed", status, out)
    status, out = sh.run("jobs")
    if status != 0 or not any(re.match(r"^\[1\]\+\s+Running\s+sleep 100$", l) for l in out):
        return None, failure("jobs does not list sleep 100 as running", status, out)
    ctx["job"] = True
    return "sleep 100 runs as job 1", None


def check_fg_stop(sh, ctx):
    if not ctx.get("job"):
        return None, "no background job (the jobs check failed)"
    start = sh.start("fg")
    time.sleep(3)
    if PROMPT.search(sh.s.text(start)):
        return None, "fg came back at once:\n" + sh.s.tail(10)
    sh.s.send(b"\x1a")
    stop, out = sh.prompt_after(start, 20)
    if stop is None or not re.search(r"\[1\]\+\s+Stopped\s+sleep 100", out):
        return None, failure("^Z did not stop the job", stop, out.split("\n"))
    status, out = sh.run("jobs")
    if not any(re.match(r"^\[1\]\+\s+Stopped\s+sleep 100$", l) for l in out):
        return None, failure("jobs does not list it as stopped", status, out)
    why = job_state(sh, "T")
    if why:
        return None, why
    ctx["stopped"] = True
    return "fg waited, ^Z stopped it (status %s, state T)" % stop, None


def job_state(sh, want):
    """None when job 1's state in /proc/PID/status is @want, else why not."""
    status, out = sh.run("grep State /proc/$(jobs -p %1)/status")
    if status != 0 or not out or not re.match(r"^State:\s+%s \(" % want, out[0]):
        return failure("job 1's state is not %s" % want, status, out)
    return None


def check_bg(sh, ctx):
    if not ctx.get("stopped"):
        return None, "no stopped job (the fg/^Z check failed)"
    status, out = sh.run("bg")
    if status != 0 or not any(re.match(r"^\[1\]\s+sleep 100$", l) for l in out):
        return None, failure("bg did not resume job 1", status, out)
    status, out = sh.run("jobs")
    if not any(re.match(r"^\[1\]\+\s+Running\s+sleep 100$", l) for l in out):
        return None, failure("jobs does not list it as running again", status, out)
    # The job must really run again: sleeping (S), no longer stopped (T).
    why = job_state(sh, "S")
    if why:
        return None, why
    status, out = sh.run("kill %1; wait; jobs")
    if any("sleep 100" in l and "Running" in l for l in out):
        return None, failure("kill %1 left the job running", status, out)
    return "resumed, then killed", None


def check_ctrl_c(sh, ctx):
    start = sh.start("cat /dev/zero | wc -c")
    time.sleep(3)
    if PROMPT.search(sh.s.text(start)):
        return None, "the pipeline ended by itself:\n" + sh.s.tail(10)
    t0 = time.monotonic()
    sh.s.send(b"\x03")
    status, out = sh.prompt_after(start, 20)
    took = time.monotonic() - t0
    if status != 130:
        return None, failure("status %s after ^C, want 130 (SIGINT)" % status, status,
                             str(out).split("\n"))
    if re.search(r"(?m)^\d+$", out):
        return None, "wc survived ^C and printed a count:\n" + out
    return "both ended by SIGINT in %.1f s" % took, None


def check_yes_head(sh, ctx):
    status, out = sh.run("yes | head -n 100000 | wc -l", 120)
    if status != 0 or [l.strip() for l in out] != ["100000"]:
        return None, failure("want 100000", status, out)
    return "100000 lines", None


def check_find(sh, ctx):
    status, out = sh.run("find / -name passwd", 120)
    got = sorted(l for l in out if l.startswith("/"))
    want = ctx["passwd_paths"]
    if got != want:
        return None, failure("found %s, the image holds %s" % (got, want), status, out)
    return " ".join(got), None


def check_tar(sh, ctx):
    steps = ["rm -rf /tmp/tt && mkdir -p /tmp/tt/src/d /tmp/tt/out",
             "cp -a /etc /bin/busybox /tmp/tt/src/d/ && cd /tmp/tt",
             "tar czf t.tgz -C src d && tar xzf t.tgz -C out",
             "(cd src && find d -type f | sort | xargs md5sum) > a.md5",
             "(cd out && find d -type f | sort | xargs md5sum) > b.md5"]
    for cmd in steps:
        status, out = sh.run(cmd, 180)
        if status != 0:
            sh.run("cd /")
            return None, failure("'%s' failed" % cmd, status, out)
    status, out = sh.run("wc -l < a.md5; md5sum a.md5 b.md5; cd /")
    sums = [l.split()[0] for l in out[1:]]
    status2, out2 = sh.run("grep busybox /tmp/tt/b.md5")
    want_bb = ctx["busybox_md5"]
    if len(sums) != 2 or sums[0] != sums[1] or int(out[0].strip() or 0) < 5:
        return None, failure("the sums of the lists differ or the list is short", status, out)
    if not out2 or not out2[0].startswith(want_bb):
        return None, failure("busybox after the round trip is not %s" % want_bb, status2, out2)
    return "%s files, lists' md5 %s" % (out[0].strip(), sums[0]), None


def check_programs(sh, ctx):
    """The project's musl test program in /opt/cairn and one added with ADD=."""
    status, out = sh.run("/opt/cairn/tests/uname")
    points = [l for l in out if re.match(r"^(not )?ok \d+", l)]
    plan = [l for l in out if re.match(r"^1\.\.\d+$", l)]
    if status != 0 or not plan or len(points) != int(plan[0][3:]) or \
            any(p.startswith("not") for p in points):
        return None, failure("/opt/cairn/tests/uname is not all ok", status, out)
    status, out = sh.run("which hello && hello")
    if status != 0 or out != ["/usr/local/bin/hello", HELLO_OUT]:
        return None, failure("the added program did not run", status, out)
    return "uname test %d/%d ok; hello from /usr/local/bin" % (len(points), len(points)), None


def check_su(sh, ctx):
    status, out = sh.run("su nobody -c id")
    if status != 0 or not any(re.match(r"^uid=65534\(nobody\) gid=65534", l) for l in out):
        return None, failure("su nobody -c id did not run as nobody", status, out)
    status, out = sh.run("su nobody -c 'cat /etc/shadow'")
    if status == 0 or not any("Permission denied" in l for l in out) or \
            any(l.startswith("root:") for l in out):
        return None, failure("nobody was not refused /etc/shadow", status, out)
    refused = status
    status, out = sh.run("head -n 1 /etc/shadow")
    if status != 0 or not out or not out[0].startswith("root:"):
        return None, failure("root cannot read /etc/shadow", status, out)
    return "refused with status %d; id and root's read work" % refused, None


FONT = "/usr/share/consolefonts/Lat2-Terminus16.psf.gz"


def check_screen(sh, ctx):
    """The shell on tty0: `echo hello` typed on the PS/2 keyboard (QEMU's
    sendkey), and "hello" drawn below it in the kernel's font (Cairn only: the
    Linux baseline's VGA console draws another font)."""
    import pngwrite
    import socket
    ppm = os.path.join(ctx["work"], "screen.ppm")
    with socket.socket(socket.AF_UNIX) as mon:
        mon.connect(ctx["monitor"])
        for key in ["e", "c", "h", "o", "spc", "h", "e", "l", "l", "o", "ret"]:
            mon.sendall(("sendkey %s\n" % key).encode())
            time.sleep(0.15)
        time.sleep(2)
        e2e_shell.screendump(mon, ppm)
    w, h, px = pngwrite.read_ppm(ppm)
    pngwrite.write_png(os.path.join(BUILD, "e2e-busybox-screen.png"), w, h, px)
    cells, cw, ch = e2e_shell.glyphs(FONT, "hello")
    typed = e2e_shell.find_text(w, h, px, e2e_shell.glyphs(FONT, "echo hello")[0], cw, ch)
    out = [(x, y) for x, y in e2e_shell.find_text(w, h, px, cells, cw, ch)
           if typed and x == 0 and y >= typed[-1][1] + ch]
    if not typed or not out:
        return None, "typed 'echo hello' %s, output 'hello' %s on the screen (%s)" % (
            "found" if typed else "not found", "found" if out else "not found",
            os.path.join(BUILD, "e2e-busybox-screen.png"))
    return "typed at y=%d, hello at y=%d" % (typed[-1][1], out[0][1]), None


CHECKS = [
    ("ls -l /proc", check_ls_proc),
    ("ps", check_ps),
    ("top -n 1", check_top),
    ("cat /proc/meminfo | grep MemTotal", check_meminfo),
    ("free", check_free),
    ("vi edits and saves a file", check_vi),
    ("sleep 100 & and jobs", check_jobs),
    ("fg, then ^Z stops it", check_fg_stop),
    ("bg resumes it", check_bg),
    ("^C stops a foreground pipeline", check_ctrl_c),
    ("yes | head -n 100000 | wc -l", check_yes_head),
    ("find / -name passwd", check_find),
    ("tar czf / tar xzf round trip with equal md5sum", check_tar),
    ("su nobody -c 'cat /etc/shadow' refused", check_su),
    ("static programs from /opt/cairn and ADD= run", check_programs),
    ("a shell on the screen (tty0): echo hello typed on the keyboard", check_screen),
]
CAIRN_ONLY = (check_screen,)
SHORT = {"ls": 0, "ps": 1, "top": 2, "meminfo": 3, "free": 4, "vi": 5, "jobs": 6, "fg": 7,
         "bg": 8, "ctrlc": 9, "yes": 10, "find": 11, "tar": 12, "su": 13,
         "programs": 14, "screen": 15}


# The README's example of a program of one's own, built and added as it says.
HELLO_C = '#include <stdio.h>\nint main(void) { puts("hello from my program"); }\n'
HELLO_OUT = "hello from my program"


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


def session(target, kernel, tmp, report, only=None, echo=False):
    """Boot @target ("cairn" or "linux") on the image test_rootfs() builds, run
    the checks, @report(name, detail, why) for each; returns the Serial (killed)."""
    work = os.path.join(tmp, "busybox-" + target)
    os.makedirs(work, exist_ok=True)
    rootfs = test_rootfs(os.path.join(work, "rootfs.cpio"), work)
    if target == "linux":
        s = Serial("direct", VMLINUZ, {"INITRD": rootfs, "APPEND": LINUX_APPEND}, echo)
    else:
        img = cairn_image(kernel, rootfs, os.path.join(work, "busybox.img"))
        mon = os.path.join(work, "monitor.sock")
        s = Serial("uefi", img, {}, echo, ["-monitor", "unix:%s,server,nowait" % mon])
    checks = [c for i, c in enumerate(CHECKS) if (only is None or i in only)
              and (target == "cairn" or c[1] not in CAIRN_ONLY)]
    ctx = image_context(mkrootfs.BUSYBOX)
    ctx.update(work=work, monitor=os.path.join(work, "monitor.sock"))
    try:
        sh = Shell(s)
        ok = s.wait(lambda t: FIRST_PROMPT.search(t) or DEAD.search(t), 0, BOOT_WAIT)
        ok = ok if ok and not DEAD.search(ok.group(0)) else None
        status, out = (sh.run("PS1='[$?] e2e# '", 30) if ok else (None, []))
        why = None
        if not ok:
            why = "no shell prompt on ttyS0 within %d s" % BOOT_WAIT
        elif status != 0:
            why = "the prompt did not change (PS1 with $?): %r" % out
        report("boot to a login shell on ttyS0", None if why else "prompt after boot",
               why and why + "\n" + s.tail())
        lost = None if why is None else "no shell"
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
        if not lost and (only is None):
            sh.start("poweroff")
            status = s.wait_exit(60)
            report("poweroff ends the machine", "QEMU exit status %s" % status
                   if status is not None else None,
                   None if status is not None else "still running 60 s after poweroff\n"
                   + s.tail())
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
        s = session(target, opts.kernel, tmp, report, only, opts.v)
    with open(os.path.join(BUILD, "e2e-busybox-%s.log" % target), "w") as f:
        f.write(s.text())
    print("%d passed, %d failed" % tuple(counts))
    return 1 if counts[1] else 0


if __name__ == "__main__":
    sys.exit(main())
