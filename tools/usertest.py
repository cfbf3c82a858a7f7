#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""User programs on Cairn beside the Linux baseline (issue 11), for
tools/cairntest.py's group "user" and for tools/linux-baseline.

One initramfs (tools/initramfs.py) holds every test program of user/tests/
in each libc build, Debian's busybox-static and the corrupt ELFs; its /init
runs them all in one boot and frames each one's output. The same archive
boots Debian's kernel and Cairn on the same QEMU line (tools/qemu.sh direct
with INITRD=). Per program and libc the runner reports:
  (a) on Cairn, the program exited 0 and every TAP line is ok;
  (b) Cairn's output equals Linux's, apart from "#~ " lines (run-to-run values);
and Linux's own TAP result, which checks the test against the oracle.
Linux's serial output is cached per input hash in build/user/linux-cache, so
`make test` boots Linux only when a program, the kernel package or the QEMU
line changed.
"""
import hashlib
import os
import re
import subprocess
import sys
import threading
import time

import initramfs

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BUILD", "build")
QEMU = os.path.join(ROOT, "tools", "qemu.sh")
USER_BUILD = os.path.join(BUILD, "user")
VMLINUZ = os.path.join(BUILD, "debs", "vmlinuz")
BUSYBOX = os.path.join(BUILD, "debs", "busybox")
LINUX_APPEND = "console=ttyS0 rdinit=/init quiet loglevel=1 panic=-1"
CAIRN_APPEND = "init=/init"
# Both kernels boot with these: the threads test wants 4 CPUs.
QEMU_ENV = {"CPUS": "4", "MEM": "512M", "QEMU_CPU": "qemu64"}
LIBCS = ("musl", "glibc")

# The test programs of user/tests/: name -> options. "cairn_only" names a
# program whose output is not compared with Linux, with the reason;
# "timeout" raises /init's limit of 60 s for it (seconds).
PROGRAMS = {
    "fork_tree": {},
    # 4,000 processes: over a minute on a host busy with other guests.
    "proc_many": {"timeout": 300},
    "cow": {},
    "threads": {},
    "signals": {},
    "signals_frame": {},
    "segv": {},
    "clone_thread": {},
    "mman": {},
    "brk": {},
    "ids": {},
    "time": {},
    "uname": {},
    "getrandom": {},
    "rlimits": {},
    "futex": {},
    "tty": {},
    "tty_job": {},
    "termios": {},
    "pty": {},
    "procfs": {},
    "proc_fdlinks": {},
    "hostname": {},
    # exec through the files, scripts, set-id programs; permissions between processes.
    "exec_files": {},
    "proc_perm": {},
    # The files issue's families (user/tests/fs_*.c), each in a scratch
    # directory of its own under /tmp.
    "fs_files": {},
    "fs_names": {},
    "fs_dirs": {},
    "fs_meta": {},
    "fs_at": {},
    "fs_mount": {},
    "fs_bad": {},
    "fs_perm": {},
    "fs_dev": {},
    "blk_loop": {},
    # Runs after the others: a kernel that shares descriptors between
    # processes loses the console for every later program.
    "fd_close": {"last": True},
    "kill_group": {"last": True},
    "auxv": {},
    "aslr": {},
    # Pipes, FIFOs and readiness (issue 12's pipe lane; FIFOs live in /tmp).
    "pipe_semantics": {},
    "poll_select": {},
    "poll_epoll": {},
    # 200 processes leave channel queues full of handles; every object and byte must come
    # back (issue 15's handle lane).
    "ipc_leak": {"timeout": 180},
    # SIGKILL ends a child busy in a 2 GiB copy at once (the fuzzer's slow kills).
    "kill_busy": {},
    # PT_INTERP: an interpreter of our own making runs; bad ones are refused as Linux does.
    "exec_interp": {},
    # File-backed mmap over the page cache (issue 13's pcache lane), in /tmp.
    "mmap_file": {},
    # Memory objects (issue 15's vmo lane): Cairn-only points, skipped on Linux.
    "ipc_vmo": {}, "ipc_vmo_stress": {},
    # UDP, raw and ping sockets over loopback (issue 14's wire lane).
    "udp_loop": {},
    "udp_errors": {},
    "raw_ping": {},
    # Interface ioctls and rtnetlink on lo; the interval timer ping needs (issue 14's conf lane).
    "net_ifioctl": {},
    "net_rtnl": {},
    "itimer": {},
    # Channels: rights, limits, back-pressure, calls (issue 15's chan lane).
    "ipc_channel": {}, "ipc_chan_edge": {"timeout": 120}, "ipc_chan_stress": {"timeout": 180},
    # TCP and the socket layer over loopback (issue 14's sock lane).
    "sock_errors": {},
    "tcp_loopback": {},
    "tcp_bulk": {"timeout": 180},
    # AF_UNIX sockets (issue 14's unix lane; socket files in /tmp).
    "unix_stream": {}, "unix_dgram": {}, "unix_scm": {}, "unix_leak": {},
    # Handles, rights, wait_many, process and thread objects (issue 15's handle lane).
    "ipc_handles": {},
    "elf_corrupt": {"cairn_only": "Linux maps overlapping segments and jumps to an entry "
                                  "outside every segment; the issue asks Cairn to refuse them"},
}
# Built a third way, gcc -static-pie (build/user/pie/).
PIE_PROGRAMS = ("auxv", "aslr")
# Run twice in the boot: its "#~" lines (addresses) must differ between runs.
RANDOMISED = ("aslr",)

# The system-call fuzzer of user/fuzz (the sys lane's), 10^5 calls as an
# unprivileged user, in a boot of its own with 1 CPU (fork costs ~100 ms
# across CPUs under TCG today, which would make it ten minutes on 4);
# checked on Cairn only (its baseline checks need Cairn's cairn_memstat).
FUZZ = os.path.join(USER_BUILD, "fuzz", "fuzz")
FUZZ_RUN = ("fuzz", ["/t/fuzz", "-n", "100000", "-u", "1000"], 600)
# Its file mode (issue 12): file calls only, in /tmp/fuzz-N, with the
# invariants of user/fuzz/fuzz_files.h checked; in the same boot.
FUZZ_FILES_RUN = ("fuzz-files", ["/t/fuzz", "-f", "-n", "50000", "-u", "1000"], 600)
SLOW = {FUZZ_RUN[0]: FUZZ_RUN[2], FUZZ_FILES_RUN[0]: FUZZ_FILES_RUN[2]}
SLOW.update({"%s/%s" % (libc, name): opts["timeout"] for libc in LIBCS
             for name, opts in PROGRAMS.items() if "timeout" in opts})

BUSYBOX_LOOP = "i=0; while [ $i -lt 1000 ]; do i=$((i+1)); done; echo $i"
BUSYBOX_RUNS = [
    ("busybox/echo", ["/bin/busybox", "echo", "hello from busybox"]),
    ("busybox/uname", ["/bin/busybox", "uname", "-a"]),
    ("busybox/sh-loop", ["/bin/busybox", "sh", "-c", BUSYBOX_LOOP]),
]

# The differential shell scripts of user/scripts/ (issue 12), run by busybox
# sh through user/scripts/tap-script.sh, which prints each output line after
# "| " (compared with Linux byte for byte) and then TAP.
SCRIPTS = ("diff", "blockdev", "dynamic")
# The dynamically linked programs user/scripts/dynamic.sh runs (issue 13,
# part 6): Debian's own, with their interpreter and libraries as ldd lists
# them, copied unchanged from the build machine (dynamic_files()).
DYNAMIC_PROGRAMS = ("/usr/bin/ls", "/usr/bin/sort", "/usr/bin/md5sum")
SCRIPT_DIR = os.path.join(ROOT, "user", "scripts")
SCRIPT_RUNS = [("script/%s" % n, ["/bin/busybox", "sh", "/s/tap-script.sh", "/s/%s.sh" % n], 120)
               for n in SCRIPTS]
SCRIPT_LINE = "| "

# A kernel that printed one of these will say nothing more: stop its boot
# (once the backtrace is out).
DEAD = (b"cairn: halted after panic", b"---[ end Kernel panic")
TAP = re.compile(r"^(not ok|ok) (\d+)( |$)")
PLAN = re.compile(r"^1\.\.(\d+)$")
RUN = re.compile(r"^=== run (\S+)$")
END = re.compile(r"^=== end (\S+): (.*)$")


def available():
    """None when the user tests can run, else why not."""
    if not os.path.exists(VMLINUZ) or not os.path.exists(BUSYBOX):
        return "%s or %s missing (tools/fetch-debs.sh)" % (VMLINUZ, BUSYBOX)
    for libc in LIBCS:
        for name in PROGRAMS:
            if not os.path.exists(os.path.join(USER_BUILD, libc, name)):
                return "%s/%s/%s missing (make user)" % (USER_BUILD, libc, name)
    return None


def test_runs():
    """The (name, argv) list /init runs, and the files the archive holds."""
    runs, files = [], {"bin/busybox": BUSYBOX}
    # blk_loop needs Linux's loop driver, a module there (inert files on Cairn).
    files.update(linux_modules())
    variants = [(libc, name) for libc in LIBCS for name in PROGRAMS
                if not PROGRAMS[name].get("last")]
    variants += [("pie", name) for name in PIE_PROGRAMS]
    variants += [(libc, name) for libc in LIBCS for name in PROGRAMS if PROGRAMS[name].get("last")]
    first_last = None
    for libc, name in variants:
        if first_last is None and PROGRAMS.get(name, {}).get("last"):
            first_last = len(runs)
        path = "t/%s/%s" % (libc, name)
        files[path] = os.path.join(USER_BUILD, libc, name)
        limit = PROGRAMS.get(name, {}).get("timeout")
        extra = (limit,) if limit else ()
        if name in RANDOMISED:
            runs += [("%s/%s#%d" % (libc, name, i), ["/" + path]) + extra for i in (1, 2)]
        else:
            runs.append(("%s/%s" % (libc, name), ["/" + path]) + extra)
    elfdir = os.path.join(USER_BUILD, "elf")
    if os.path.isdir(elfdir):
        for f in sorted(os.listdir(elfdir)):
            files["t/elf/" + f] = os.path.join(elfdir, f)
    if first_last is None:
        first_last = len(runs)
    runs = runs[:first_last] + BUSYBOX_RUNS + SCRIPT_RUNS + runs[first_last:]
    files["s/tap-script.sh"] = os.path.join(SCRIPT_DIR, "tap-script.sh")
    for n in SCRIPTS:
        files["s/%s.sh" % n] = os.path.join(SCRIPT_DIR, n + ".sh")
    files.update(dynamic_files())
    return runs, files


def dynamic_files():
    """Archive path -> host file for DYNAMIC_PROGRAMS and everything `ldd`
    says they load, each at the path the program will look for it (the
    interpreter at its PT_INTERP path, a library at ldd's path), with the
    bytes of the file behind any symbolic link."""
    files = {}
    for prog in DYNAMIC_PROGRAMS:
        if not os.path.exists(prog):
            raise RuntimeError("%s missing on the build machine (coreutils)" % prog)
        files[prog.lstrip("/")] = prog
        out = subprocess.run(["ldd", prog], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            m = re.match(r"^\s*(?:\S+ => )?(/\S+) \(0x[0-9a-f]+\)$", line)
            if m:
                files[m.group(1).lstrip("/")] = os.path.realpath(m.group(1))
    return files


MODULES = os.path.join(BUILD, "debs", "modules")


def linux_modules():
    """Archive path -> host path of the Linux baseline's disk modules
    (tools/fetch-debs.sh), for an initramfs whose programs use disks:
    testinit loads them on Linux; on Cairn they are inert files."""
    files = {}
    with open(os.path.join(MODULES, "load")) as f:
        names = f.read().split()
    files["lib/modules/load"] = os.path.join(MODULES, "load")
    for n in names:
        files["lib/modules/" + n] = os.path.join(MODULES, n)
    return files


def build_initrd(out, runs, files):
    os.makedirs(os.path.dirname(out), exist_ok=True)
    return initramfs.build(out, runs, files)


def boot(kernel, initrd, append, env=None, timeout=900, echo=False, start_timeout=90,
         idle_timeout=90, slow=None, mode="direct"):
    """Boot @kernel with @initrd on tools/qemu.sh's direct path; return
    (lines, exit status, or None when it was stopped). It is stopped after
    @timeout seconds in all, when /init has not spoken @start_timeout seconds
    after boot, or when the console stays silent @idle_timeout seconds (init
    reports every program within its own 60 s limit), or @slow[NAME] seconds
    while the program NAME runs. @echo: copy the serial output to our
    standard output as it comes. @mode: tools/qemu.sh's (for "uefi" and
    "bios", @kernel is a disk image holding the initrd and command line).
    Disks: @env's DISKS (tools/qemu.sh's syntax); none otherwise, whatever
    the caller's environment says."""
    e = dict(os.environ, SERIAL="stdio", GUI="0", INITRD=initrd or "", APPEND=append, DISKS="")
    e.update(QEMU_ENV)
    e.update(env or {})
    p = subprocess.Popen([QEMU, mode, kernel], env=e, cwd=ROOT, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         start_new_session=True)
    out = []
    state = {"last": time.monotonic(), "init": False, "dead": False, "idle": idle_timeout}

    def read():
        for raw in p.stdout:
            out.append(raw)
            state["last"] = time.monotonic()
            state["init"] = state["init"] or raw.startswith(b"testinit:")
            state["dead"] = state["dead"] or any(raw.startswith(m) for m in DEAD)
            m = RUN.match(raw.decode("utf-8", "replace").rstrip())
            if m:
                state["idle"] = max(idle_timeout, (slow or {}).get(m.group(1), 0) + 30)
            if echo:
                sys.stdout.write(raw.decode("utf-8", "replace"))
                sys.stdout.flush()
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    start = time.monotonic()
    status = None
    while status is None:
        try:
            status = p.wait(1)
        except subprocess.TimeoutExpired:
            t = time.monotonic()
            if (t - start > timeout or t - state["last"] > state["idle"] or state["dead"]
                    or (not state["init"] and t - start > start_timeout)):
                os.killpg(p.pid, 9)
                p.wait()
                break
    reader.join(5)
    lines = [l.decode("utf-8", "replace").rstrip("\r\n") for l in out]
    return lines, status


def _cache_key(initrd, append, env):
    h = hashlib.sha256()
    for path in (initrd, VMLINUZ):
        with open(path, "rb") as f:
            h.update(hashlib.sha256(f.read()).digest())
    h.update(repr((append, sorted(dict(QEMU_ENV, **(env or {})).items()))).encode())
    return h.hexdigest()[:24]


def linux_output(initrd, env=None, timeout=900, use_cache=True):
    """Linux's serial lines for @initrd, from the cache when the inputs match."""
    cache = os.path.join(USER_BUILD, "linux-cache")
    path = os.path.join(cache, _cache_key(initrd, LINUX_APPEND, env) + ".log")
    if use_cache and os.path.exists(path):
        with open(path) as f:
            return f.read().splitlines(), True
    lines, status = boot(VMLINUZ, initrd, LINUX_APPEND, env, timeout, slow=SLOW)
    if status is not None and any(l.startswith("testinit: done") for l in lines):
        os.makedirs(cache, exist_ok=True)
        with open(path + ".part", "w") as f:
            f.write("\n".join(lines) + "\n")
        os.replace(path + ".part", path)
    return lines, False


def sections(lines):
    """Parse /init's framing: name -> {"lines": [...], "status": str or None}."""
    out, cur = {}, None
    for line in lines:
        m = RUN.match(line)
        if m:
            cur = out.setdefault(m.group(1), {"lines": [], "status": None})
            continue
        m = END.match(line)
        if m and m.group(1) in out:
            out[m.group(1)]["status"] = m.group(2)
            cur = None
            continue
        if cur is not None:
            cur["lines"].append(line)
    return out


SKIP = re.compile(r" # SKIP.*$")


def compared(lines):
    """The lines that must match Linux: TAP points, the plan, "# " diagnostics
    and a script's output lines ("| ", SCRIPT_RUNS). Anything else (a kernel's own log line on the same serial port, "#~ " lines)
    is not part of the program's answer. A point's "# SKIP" directive is left
    out: a Cairn-only check (cairn_memstat) is skipped on Linux."""
    return [SKIP.sub("", l) for l in lines
            if TAP.match(l) or PLAN.match(l) or l.startswith("# ") or l.startswith(SCRIPT_LINE)]


def tap_verdict(sec):
    """None when a section ran to exit 0 with every planned TAP point ok, else why."""
    if sec is None:
        return "did not run"
    if sec["status"] is None:
        return "did not finish"
    bad = [l for l in sec["lines"] if l.startswith("not ok")]
    plan = [int(PLAN.match(l).group(1)) for l in sec["lines"] if PLAN.match(l)]
    points = [l for l in sec["lines"] if TAP.match(l)]
    if bad:
        return "failed: " + "; ".join(bad[:5])
    if not plan or plan[0] != len(points):
        return "plan %s, %d points" % (plan[0] if plan else "missing", len(points))
    if sec["status"] != "exit 0":
        return sec["status"]
    return None


def diff_verdict(cairn, linux):
    """None when Cairn's compared lines and exit status equal Linux's, else a diff."""
    if cairn is None or linux is None:
        return "no output on %s" % ("Cairn" if cairn is None else "Linux")
    a, b = compared(cairn["lines"]), compared(linux["lines"])
    if a == b and cairn["status"] == linux["status"]:
        return None
    import difflib
    d = list(difflib.unified_diff(b, a, "linux", "cairn", lineterm="", n=1))
    d.append("status: linux %s, cairn %s" % (linux["status"], cairn["status"]))
    return "\n".join("    " + l for l in d[:40])


def uname_line(secs):
    """What `busybox uname -a` must print, from the uname test's "#~ uname" line."""
    for name in ("glibc/uname", "musl/uname"):
        for l in (secs.get(name) or {}).get("lines", []):
            m = re.match(r"^#~ uname (.*)$", l)
            if m:
                f = dict(kv.split("=", 1) for kv in m.group(1).split("\t"))
                return "%s %s %s %s %s GNU/Linux" % (f["sysname"], f["nodename"], f["release"],
                                                    f["version"], f["machine"])
    return None


def busybox_checks(secs):
    """(name, failure or None) for the three busybox runs of the issue."""
    def out(name):
        s = secs.get(name)
        return None if s is None or s["status"] is None else s

    checks = []
    s = out("busybox/echo")
    checks.append(("busybox echo", None if s and "hello from busybox" in s["lines"]
                   and s["status"] == "exit 0" else "got %r" % (s,)))
    s, want = out("busybox/uname"), uname_line(secs)
    checks.append(("busybox uname -a", None if s and want and want in s["lines"]
                   else "want %r, got %r" % (want, s)))
    s = out("busybox/sh-loop")
    checks.append(("busybox sh 1000-iteration loop", None if s and "1000" in s["lines"]
                   and s["status"] == "exit 0" else "got %r" % (s,)))
    return checks


def randomised_checks(secs, prefix):
    """Two runs of each randomised program must print different "#~" lines."""
    checks = []
    variants = [(libc, n) for libc in LIBCS for n in RANDOMISED]
    variants += [("pie", n) for n in RANDOMISED if n in PIE_PROGRAMS]
    for libc, n in variants:
        runs = [secs.get("%s/%s#%d" % (libc, n, i)) for i in (1, 2)]
        masked = [[l for l in r["lines"] if l.startswith("#~ ")] if r else [] for r in runs]
        same = [a for a, b in zip(*masked) if a == b]
        why = None
        if not masked[0] or len(masked[0]) != len(masked[1]):
            why = "runs printed %d and %d address lines" % tuple(len(m) for m in masked)
        elif same:
            why = "same in both runs: " + "; ".join(same)
        checks.append(("%s%s/%s: addresses differ between two runs" % (prefix, libc, n), why))
    return checks


def program_names(runs):
    return [r[0] for r in runs if not r[0].startswith("busybox/")]


def report(res, runs, cairn_secs, linux_secs):
    """Add every user-test result to @res (tools/cairntest.py's Results)."""
    for name in program_names(runs):
        base = name.split("#")[0].split("/")[-1]
        opts = PROGRAMS.get(base, {})
        c, l = cairn_secs.get(name), linux_secs.get(name)
        why = tap_verdict(c)
        res.add("user: %s: TAP on Cairn" % name, why is None, "" if why is None else "    " + why)
        if opts.get("cairn_only"):
            continue
        why = tap_verdict(l)
        res.add("user: %s: TAP on Linux" % name, why is None, "" if why is None else "    " + why)
        why = diff_verdict(c, l)
        res.add("user: %s: same output as Linux" % name, why is None, why or "")
    for label, why in busybox_checks(cairn_secs):
        res.add("user: %s on Cairn" % label, why is None, "    %s" % why if why else "")
    for label, why in randomised_checks(cairn_secs, "user: Cairn "):
        res.add(label, why is None, "    %s" % why if why else "")
    for label, why in randomised_checks(linux_secs, "user: Linux "):
        res.add(label, why is None, "    %s" % why if why else "")


MAX_CAIRN_BOOTS = 8


def cairn_boots(res, kernel, runs, files, timeout):
    """Boot Cairn on @runs; when a boot ends early (a panic, a hang, a console
    lost), report the program it ended in and boot again with the programs
    after it, at most MAX_CAIRN_BOOTS times. Returns (sections, all lines)."""
    secs, all_lines, left, n, problems = {}, [], list(runs), 0, []
    while left and n < MAX_CAIRN_BOOTS:
        n += 1
        initrd = build_initrd(os.path.join(USER_BUILD, "initramfs-cairn%d.cpio" % n), left, files)
        start = time.monotonic()
        lines, status = boot(kernel, initrd, CAIRN_APPEND, timeout=timeout,
                             slow={r[0]: r[2] for r in left if len(r) > 2})
        all_lines += ["##### Cairn boot %d: %d programs" % (n, len(left))] + lines
        why = boot_problem(lines, status, time.monotonic() - start)
        if why:
            problems.append("boot %d: %s" % (n, why))
        got = sections(lines)
        secs.update({k: v for k, v in got.items() if v["status"] is not None})
        done = [i for i, r in enumerate(left) if r[0] in got and got[r[0]]["status"] is not None]
        started = [i for i, r in enumerate(left) if r[0] in got]
        if not started or len(done) == len(left):
            break
        last = max(started)
        if last in done:
            left = left[last + 1:]  # it died between programs: blame none
            continue
        # The program the boot ended in gets the boot's last lines as its output.
        name = left[last][0]
        secs[name] = {"lines": got[name]["lines"] + lines[-20:], "status": "the boot ended here"}
        left = left[last + 1:]
    res.add("user: Cairn runs every program in one boot and powers off", not problems,
            "\n".join("    " + p for p in problems))
    return secs, all_lines


def run(res, kernel, timeout=1800):
    """The whole "user" group: build the archive, boot Linux (or read its
    cache) and Cairn side by side, and report."""
    why = available()
    if why:
        res.add("user: setup", False, "    " + why)
        return
    runs, files = test_runs()
    initrd = build_initrd(os.path.join(USER_BUILD, "initramfs-test.cpio"), runs, files)
    linux = {}

    def boot_linux():
        linux["lines"], linux["cached"] = linux_output(initrd)
    t = threading.Thread(target=boot_linux)
    t.start()
    cairn_secs, cairn_lines = cairn_boots(res, kernel, runs, files, timeout)
    t.join()
    for label, lines in (("cairn", cairn_lines), ("linux", linux["lines"])):
        with open(os.path.join(USER_BUILD, "test-%s.log" % label), "w") as f:
            f.write("\n".join(lines) + "\n")
    # A cached output is one whose boot ran to its end (linux_output).
    why = boot_problem(linux["lines"], 0, 0)
    res.add("user: Linux runs every program in one boot and powers off%s"
            % (" (cached)" if linux["cached"] else ""), why is None, "    %s" % why if why else "")
    print("  user: serial logs in %s/test-{cairn,linux}.log" % USER_BUILD)
    report(res, runs, cairn_secs, sections(linux["lines"]))
    run_fuzz(res, kernel)


def run_fuzz(res, kernel):
    """The fuzzer's boot: its TAP must be all ok and the boot must end well."""
    if not os.path.exists(FUZZ):
        res.add("user: fuzz", False, "    %s missing (make fuzz-bin)" % FUZZ)
        return
    initrd = build_initrd(os.path.join(USER_BUILD, "initramfs-fuzz.cpio"),
                          [FUZZ_RUN, FUZZ_FILES_RUN], {"t/fuzz": FUZZ})
    lines, status = boot(kernel, initrd, CAIRN_APPEND, {"CPUS": "1"}, timeout=1500,
                         slow=SLOW)
    with open(os.path.join(USER_BUILD, "test-fuzz.log"), "w") as f:
        f.write("\n".join(lines) + "\n")
    secs = sections(lines)
    why = tap_verdict(secs.get(FUZZ_RUN[0])) or boot_problem(lines, status, 0)
    res.add("user: fuzz: %s calls on Cairn, which still answers with memory back at its "
            "baseline" % FUZZ_RUN[1][2], why is None, "    %s" % why if why else "")
    why = tap_verdict(secs.get(FUZZ_FILES_RUN[0])) or boot_problem(lines, status, 0)
    res.add("user: fuzz: %s file calls on Cairn in a scratch directory, file-system "
            "invariants held, memory back at its baseline" % FUZZ_FILES_RUN[1][3], why is None,
            "    %s" % why if why else "")


def boot_problem(lines, status, secs):
    """None when /init ran to its end and the machine powered off, else why not."""
    why = None
    if status is None:
        why = "stopped after %.0f s (no init, a silent console or the time limit)" % secs
    elif not any(l.startswith("testinit: done") for l in lines):
        why = "ended (QEMU status %s) before testinit was done" % status
    elif status != 0:
        why = "QEMU exit status %s after testinit was done (no power-off?)" % status
    if why:
        why += "; last lines:\n" + "\n".join("    | " + l for l in lines[-25:])
    return why


def run_images(res, kernel, tmp):
    """The loaders' path: a disk image with cairn/initrd and "init=/init" as
    its command line boots on UEFI and on BIOS and runs a program and busybox."""
    if available():
        return
    runs = [("musl/uname", ["/t/uname"]), BUSYBOX_RUNS[0]]
    files = {"t/uname": os.path.join(USER_BUILD, "musl", "uname"), "bin/busybox": BUSYBOX}
    initrd = build_initrd(os.path.join(tmp, "image-initrd.cpio"), runs, files)
    image = os.path.join(tmp, "user.img")
    subprocess.run([os.path.join(ROOT, "tools", "mkimage.sh"), image, kernel,
                    os.path.join(BUILD, "boot", "BOOTX64.EFI"),
                    os.path.join(BUILD, "boot", "mbr.bin"),
                    os.path.join(BUILD, "boot", "stage2.bin"),
                    "--cmdline", CAIRN_APPEND, "--initrd", initrd], cwd=ROOT, check=True)
    for mode in ("uefi", "bios"):
        lines, status = boot(image, None, "", {"CPUS": "2", "MEM": "256M"}, timeout=180,
                             mode=mode)
        secs = sections(lines)
        why = boot_problem(lines, status, 0) or tap_verdict(secs.get("musl/uname"))
        if not why and "hello from busybox" not in (secs.get("busybox/echo") or {}).get(
                "lines", []):
            why = "busybox echo printed nothing"
        res.add("user: %s disk image runs /init from cairn/initrd" % mode.upper(), why is None,
                "    %s" % why if why else "")
