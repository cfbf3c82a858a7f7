#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generate docs/syscalls.md from kernel/syscall/syscalls.def, and its last
section, Cairn's own calls, from kernel/syscall/cairn_calls.def.

Every Linux x86_64 system call gets a status:
  full     - implemented as Linux does it;
  partial  - implemented, with what is missing in the notes below;
  ENOSYS   - answers -ENOSYS (no lane owns it, or its owner's sys_NAME()
             is not defined anywhere yet: only the weak default exists).
A call counts as implemented when some kernel/*.c file other than
sys_weak.c defines `long sys_NAME(`; so the page cannot claim a call
that does not exist.

  tools/syscalls_doc.py             print the page
  tools/syscalls_doc.py --check F   exit 1 if file F differs (make check)
  tools/syscalls_doc.py --write F   write it
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEF = os.path.join(ROOT, "kernel/syscall/syscalls.def")
CAIRN_DEF = os.path.join(ROOT, "kernel/syscall/cairn_calls.def")

# Cairn's calls (include/cairn/ipc.h has the ABI): what each does and the
# page that documents it. A call in the table but not here says "-": add it.
CAIRN_CALLS = {
    "memstat": ("the kernel's memory counts, for leak tests (cairn_sys.h)", "testing.md"),
    "abi_version": ("CAIRN_ABI_VERSION of the kernel", "abi.md"),
    "object_count": ("live kernel objects and handles, for leak tests", "abi.md"),
    "handle_dup": ("a new handle to the same object, same or fewer rights", "abi.md"),
    "handle_info": ("a handle's type, rights, koid and signals", "abi.md"),
    "wait_many": ("wait for signals on up to 64 handles", "abi.md"),
    "channel_create": ("a connected pair of channel ends", "channels.md"),
    "channel_write": ("send a message of bytes and handles", "channels.md"),
    "channel_read": ("receive a message", "channels.md"),
    "channel_call": ("send, then wait for the matching reply", "channels.md"),
    "vmo_create": ("a new memory object", "vmo.md"),
    "vmo_read": ("copy out of a memory object", "vmo.md"),
    "vmo_write": ("copy into a memory object", "vmo.md"),
    "vmo_get_size": ("a memory object's size", "vmo.md"),
    "vmo_set_size": ("resize a memory object", "vmo.md"),
    "process_self": ("a handle to the calling process", "abi.md"),
    "thread_self": ("a handle to the calling thread", "abi.md"),
    "task_kill": ("end a process or one thread", "abi.md"),
    "irq_ack": ("an interrupt was handled: unmask it", "drvhost.md"),
    "ioport_read": ("read an I/O port of a range", "drvhost.md"),
    "ioport_write": ("write an I/O port of a range", "drvhost.md"),
}
CAIRN_RE = re.compile(r"^CAIRN_CALL\((\d+), (\w+), (\d)\)$")

LANES = {
    "SYS": "system-call layer",
    "MM": "memory",
    "ARCH": "architecture",
    "SIG": "signals",
    "PROC": "processes",
}

# What an implemented call lacks. A call listed here is "partial".
PARTIAL = {
    "setitimer": "ITIMER_REAL only (ITIMER_VIRTUAL, ITIMER_PROF: EINVAL); at most 64 processes "
                 "with a running timer (EAGAIN past that)",
    "getitimer": "ITIMER_REAL only (ITIMER_VIRTUAL, ITIMER_PROF: EINVAL)",
    "getxattr": "no file system keeps extended attributes: every name is ENODATA",
    "lgetxattr": "no file system keeps extended attributes: every name is ENODATA",
    "fgetxattr": "no file system keeps extended attributes: every name is ENODATA",
    "listxattr": "no file system keeps extended attributes: the list is empty",
    "llistxattr": "no file system keeps extended attributes: the list is empty",
    "flistxattr": "no file system keeps extended attributes: the list is empty",
    "recvmmsg": "the timeout argument is ignored (MSG_WAITFORONE is honoured)",
    "poll": "a poll a signal without handler restarts starts its timeout again",
    "select": "nfds above 1024 is cut to 1024 (Linux: to its table's size)",
    "pipe2": "O_NOTIFICATION_PIPE: EINVAL",
    "epoll_ctl": "EPOLLEXCLUSIVE and EPOLLWAKEUP accepted, with no effect",
    "fcntl": "record locks (F_GETLK, F_SETLK, F_SETLKW) are checked and granted, none is "
             "recorded; F_SETOWN/F_GETOWN accepted, no SIGIO; leases and signals EINVAL",
    "flock": "every lock is granted at once and none is recorded",
    "open": "O_TMPFILE: ENOTSUP",
    "openat": "O_TMPFILE: ENOTSUP",
    "renameat2": "RENAME_EXCHANGE and RENAME_WHITEOUT: EINVAL",
    "preadv2": "RWF_* flags: ENOTSUP",
    "pwritev2": "RWF_* flags: ENOTSUP",
    "close_range": "CLOSE_RANGE_UNSHARE does not unshare a table shared by CLONE_FILES",
    "statx": "STATX_BASIC_STATS only (no birth time, no attributes)",
    "mount": "new instances, MS_BIND, MS_REMOUNT (RDONLY, NOSUID, NODEV, NOEXEC); MS_MOVE "
             "EINVAL; MS_REC and propagation flags ignored",
    "umount2": "MNT_FORCE acts as a plain unmount; MNT_EXPIRE always EAGAIN (no expiry marks)",
    "ioctl": "FIOCLEX, FIONCLEX, FIONBIO, FIOASYNC (no SIGIO); terminals (docs/tty.md): "
             "TCGETS, TCSETS, TCSETSW, TCSETSF, TCFLSH, TCXONC (no flow control), FIONREAD, "
             "TIOCOUTQ (always 0), TIOCGWINSZ, TIOCSWINSZ, TIOCSTI, TIOCSCTTY, TIOCNOTTY, "
             "TIOCGPGRP, TIOCSPGRP, TIOCGSID; /dev/ptmx: TIOCGPTN, TIOCSPTLCK; pipes: "
             "FIONREAD; others ENOTTY",
    "nanosleep": "a handled signal ends it with EINTR and the time left; a stop/continue "
                 "also ends it (Linux restarts it)",
    "clock_nanosleep": "REALTIME, MONOTONIC, BOOTTIME, TAI; CPU-time clocks: ENOTSUP; "
                       "interrupted as nanosleep",
    "clock_gettime": "CPU-time clocks by the scheduler's run time; clock ids of other "
                     "processes (negative ids) EINVAL",
    "clock_getres": "clock ids of other processes (negative ids) EINVAL",
    "sysinfo": "load averages 0, no swap, no shared or buffer memory",
    "futex": "no priority-inheritance operations (LOCK_PI, UNLOCK_PI, TRYLOCK_PI, "
             "WAIT_REQUEUE_PI, CMP_REQUEUE_PI, LOCK_PI2: ENOSYS); shared keys by physical "
             "address only where the memory layer reports MAP_SHARED",
    "reboot": "HALT powers off; CAD_ON and CAD_OFF accepted with nothing to switch",
    "getpriority": "per process (the tid of a thread that is not the first: ESRCH); not "
                   "used by the scheduler yet",
    "setpriority": "per process, Linux's EPERM/EACCES rules; the value is kept and "
                   "reported, the scheduler does not use it yet",
    "pidfd_open": "gives a Cairn process handle (docs/abi.md: WAIT, INSPECT, DUPLICATE, "
                  "TRANSFER), POLLIN once the process ended; pidfd_send_signal, pidfd_getfd "
                  "and waitid(P_PIDFD) are ENOSYS",
    "prctl": "PR_GET_DUMPABLE, PR_SET_DUMPABLE (0, 1), PR_SET_NAME, PR_GET_NAME (the "
             "process's name); other options EINVAL",
}

SYSCALL_RE = re.compile(r"^SYSCALL\((\d+), (\w+), (\d), ([^)]*), (\w+)\)$")


def read_table():
    rows = []
    with open(DEF) as f:
        for line in f:
            m = SYSCALL_RE.match(line.strip())
            if m:
                kinds = [k.strip() for k in m.group(4).split(",")]
                rows.append((int(m.group(1)), m.group(2), int(m.group(3)), kinds, m.group(5)))
    return rows


def read_cairn_table():
    rows = []
    with open(CAIRN_DEF) as f:
        for line in f:
            m = CAIRN_RE.match(line.strip())
            if m:
                rows.append((int(m.group(1)), m.group(2), int(m.group(3))))
    return rows


def render_cairn():
    """Cairn's own calls: numbers from 1024 up, outside Linux's table."""
    out = [
        "",
        "## Cairn's own calls",
        "",
        "Numbers 1024 and up are Cairn's own (`kernel/syscall/cairn_calls.def`, ABI",
        "in `include/cairn/ipc.h` and `include/cairn/cairn_sys.h`, rules in",
        "[abi.md](abi.md)). Linux answers them `-ENOSYS`, which is how a program",
        "tells it runs on Cairn; until a call's owner defines `sys_cairn_NAME()`,",
        "Cairn answers `-ENOSYS` too. User programs call them through the",
        "wrappers of `user/lib/cairn.h`.",
        "",
        "| nr | name | arguments | what | documented in |",
        "| --- | --- | --- | --- | --- |",
    ]
    for nr, name, nargs in read_cairn_table():
        what, doc = CAIRN_CALLS.get(name, ("-", "abi.md"))
        out.append("| %d | `cairn_%s` | %d | %s | [%s](%s) |" % (nr, name, nargs, what, doc, doc))
    return out


def defined_calls():
    """Names NAME for which some kernel .c file (not sys_weak.c) defines long sys_NAME(."""
    found = set()
    pat = re.compile(r"^long sys_(\w+)\(", re.M)
    for d, _, files in os.walk(os.path.join(ROOT, "kernel")):
        for fn in files:
            if fn.endswith(".c") and fn != "sys_weak.c":
                with open(os.path.join(d, fn), errors="replace") as f:
                    found.update(pat.findall(f.read()))
    return found


def status(name, owner, have):
    if owner == "NONE":
        return "ENOSYS", ""
    if name not in have:
        return "ENOSYS", "owned by the %s lane, not implemented yet" % LANES[owner]
    if name in PARTIAL:
        return "partial", PARTIAL[name]
    return "full", ""


def render():
    rows = read_table()
    have = defined_calls()
    counts = {"full": 0, "partial": 0, "ENOSYS": 0}
    body = []
    for nr, name, nargs, kinds, owner in rows:
        st, note = status(name, owner, have)
        counts[st] += 1
        args = ", ".join(k for k in kinds if k != "_") or "-"
        body.append("| %d | `%s` | %s | %s | %s |" % (nr, name, args, st, note))
    out = [
        "# System calls",
        "",
        "Cairn answers Linux's x86_64 system-call ABI: the numbers, structures and",
        "error codes of Linux, so static Linux programs run unchanged. This page is",
        "generated by `tools/syscalls_doc.py` from `kernel/syscall/syscalls.def`, the one",
        "table the dispatcher, strace, the fuzzer and this page share; `make check`",
        "fails when it is stale. A call is counted as implemented only when its",
        "`sys_NAME()` is defined in the kernel (not just the weak `-ENOSYS` default).",
        "",
        "- **full**: as Linux does it.",
        "- **partial**: implemented; the notes say what is missing.",
        "- **ENOSYS**: answers `-ENOSYS`; the first call of each is logged once,",
        "  `syscall: NAME (NR) not implemented, returning ENOSYS`.",
        "",
        "Numbers 335 to 423 were never assigned on x86_64 and answer `-ENOSYS`",
        "without a log line, as do numbers past the table (463 and up; the x32",
        "numbers from 512 are not part of the ABI).",
        "",
        "Argument kinds (how `strace` prints them): I int, U unsigned, X hex,",
        "P pointer, S string, FD descriptor, OFL open flags, MODE octal mode,",
        "PROT/MAPF mmap protection/flags, CLONE clone flags, SIG signal, FUTEX futex",
        "operation, CLK clock id.",
        "",
        "Totals: %d calls, %d full, %d partial, %d ENOSYS." % (
            len(rows), counts["full"], counts["partial"], counts["ENOSYS"]),
        "",
        "| nr | name | arguments | status | notes |",
        "| --- | --- | --- | --- | --- |",
    ]
    return "\n".join(out + body + render_cairn()) + "\n"


def main(argv):
    text = render()
    if len(argv) == 3 and argv[1] == "--check":
        try:
            with open(argv[2]) as f:
                old = f.read()
        except OSError:
            old = None
        if old != text:
            sys.stderr.write("syscalls_doc: %s is stale: run tools/syscalls_doc.py --write %s\n"
                             % (argv[2], argv[2]))
            return 1
        return 0
    if len(argv) == 3 and argv[1] == "--write":
        with open(argv[2], "w") as f:
            f.write(text)
        return 0
    if len(argv) == 1:
        sys.stdout.write(text)
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
