# SPDX-License-Identifier: MIT
"""The checks of tools/e2e_busybox.py: each types commands into the busybox
shell through a Shell, as a person would, and returns (detail, None) when
what came back is right, or (None, why). The expected values come from the
image (tools/mkrootfs.py's own list) and the host (busybox's md5), never
from a run of the check itself.
"""
import os
import re
import time

import e2e_shell

BUILD = os.environ.get("BUILD", "build")
MEM_MIB = 256  # the machine's memory: the MemTotal check's bound
PROMPT = re.compile(r"\[(\d+)\] e2e# ")
FONT = "/usr/share/consolefonts/Lat2-Terminus16.psf.gz"

# The README's example of a program of one's own, built and added as it says.
HELLO_C = '#include <stdio.h>\nint main(void) { puts("hello from my program"); }\n'
HELLO_OUT = "hello from my program"


def failure(what, status, out):
    return "%s (status %s)\n%s" % (what, status, "\n".join("    > " + l for l in out[-25:]))


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


def check_fd_link(sh, ctx):
    # /proc/self/fd/0 of a pipe is a magic link: cat reopens the pipe itself.
    status, out = sh.run("echo through-the-pipe | cat /proc/self/fd/0")
    if status != 0 or out != ["through-the-pipe"]:
        return None, failure("want the piped line back", status, out)
    return "cat read the pipe through /proc/self/fd/0", None


def check_hostname(sh, ctx):
    # Short lines: a command longer than the terminal's width comes back wrapped.
    status, out = sh.run("hostname e2e-host && uname -n")
    status2, out2 = sh.run("cat /proc/sys/kernel/hostname")
    back, _ = sh.run("hostname -F /etc/hostname")
    if status != 0 or status2 != 0 or out + out2 != ["e2e-host"] * 2 or back != 0:
        return None, failure("want e2e-host twice, then the old name back", status,
                             out + out2)
    return "hostname, uname -n and /proc agree", None


def check_syslog(sh, ctx):
    # busybox syslogd binds /dev/log (an AF_UNIX datagram socket); logger sends to it.
    steps = ["syslogd -O /tmp/e2e-syslog", "logger -t e2e hello-unix", "sleep 1",
             "grep -c 'e2e: hello-unix' /tmp/e2e-syslog", "killall syslogd"]
    outs = [sh.run(c) for c in steps]
    if any(st != 0 for st, _ in outs) or outs[3][1] != ["1"]:
        return None, failure("want one logged line", outs[3][0],
                             sum((o for _, o in outs), []))
    return "syslogd wrote logger's line", None


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
    ("echo LINE | cat /proc/self/fd/0", check_fd_link),
    ("hostname NAME, then uname -n and /proc/sys/kernel/hostname", check_hostname),
    ("syslogd on /dev/log, logger writes to it", check_syslog),
]
CAIRN_ONLY = (check_screen,)
SHORT = {"ls": 0, "ps": 1, "top": 2, "meminfo": 3, "free": 4, "vi": 5, "jobs": 6, "fg": 7,
         "bg": 8, "ctrlc": 9, "yes": 10, "find": 11, "tar": 12, "su": 13,
         "programs": 14, "screen": 15, "fdlink": 16, "hostname": 17, "syslog": 18}
