#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The kv service of docs/ipc.md, run from Cairn's shell (issue 15, group "ipc").

One boot of the busybox image (tools/mkrootfs.py: kvd, kv and ipcstat are in
/usr/bin) directly (PVH) on 2 CPUs. Then, typed into the login shell over
serial as a person would:

  walkthrough  every command of docs/ipc.md's ```console blocks, in order,
               its output compared line by line with the document's: the
               document cannot drift from what the programs do
  bad-input    requests the client's encoder would never make, sent raw
               (`kv raw HEX`, made on the host from a request the Python
               binding of idl/kv.cidl encodes): one byte short, a string
               or body length past the end, a key past its bound, an
               unknown ordinal. kvd's generated decoder refuses each with
               an error reply carrying the same errno as the Python
               binding's decoder, then closes that client's channel; kvd
               keeps serving the next client. The good request's reply,
               from kvd's generated C, decodes in Python
  handles      put_blob requests carrying handles (kv raw HEX vmo:r|vmo:w|chan):
               a memory object with READ is stored; one without READ, a
               channel instead, a missing handle, an extra handle are each
               refused with the errno the Python binding's decoder gives
               for the same bytes and rights (and their handles closed:
               the final count shows none left)
  many         20 clients at once in the background, every key there after
  kill-client  a client blocked in a call (`kv wait`) killed with -9; kvd
               notices the dead channel and keeps serving
  kill-server  kvd killed with -9 while a client waits in a call: the
               client's call fails with EPIPE, a new client finds no
               server; a new kvd serves over the dead one's socket file
  counts       ipcstat (cairn_object_count) after everything exited equals
               its count before kvd started: no channel, handle, message
               or memory object left behind

  tools/e2e_svc.py [-v] [--only walkthrough,counts]   (tools/e2e_ipc.py collects it)
"""
import argparse
import os
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_busybox as eb  # noqa: E402
import mkrootfs  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BUILD", "build")
DOC = os.path.join(ROOT, "docs", "ipc.md")
PROGS = [os.path.join(BUILD, "user", "ipc", p) for p in ("kvd", "kv", "ipcstat")]
DOC_PROMPT = "cairn:~# "
APPEND = "init=/sbin/init"


def doc_sessions(path=DOC):
    """The document's ```console blocks as (command, expected output lines)
    pairs, in order: a line starting with the prompt is a command, the lines
    after it up to the next prompt are what it prints."""
    steps, block = [], None
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if block is None:
                block = [] if line.strip() == "```console" else None
                continue
            if line.strip() == "```":
                block = None
                continue
            if line.startswith(DOC_PROMPT):
                steps.append((line[len(DOC_PROMPT):], []))
            elif steps:
                steps[-1][1].append(line)
    return steps


def doc_excerpts(path=DOC):
    """(source path, [chunks of lines]) of each block a `<!-- from: PATH -->`
    line introduces; "..." lines split a block into chunks."""
    out, src, block = [], None, None
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if block is not None:
                if line.strip() == "```":
                    out.append((src, block))
                    src, block = None, None
                elif line.strip() == "...":
                    block.append([])
                else:
                    block[-1].append(line)
            elif line.startswith("<!-- from: "):
                src = line[len("<!-- from: "):].rstrip(" ->")
            elif src and line.startswith("```"):
                block = [[]]
    return out


def check_excerpts():
    """Each excerpt of docs/ipc.md, chunk by chunk, appears in its file in
    order: the walkthrough shows the code that runs. None or why not."""
    for src, chunks in doc_excerpts():
        path = src if os.path.isabs(src) else os.path.join(
            BUILD, src[len("build/"):]) if src.startswith("build/") else os.path.join(ROOT, src)
        if not os.path.exists(path):
            return "%s: missing" % src
        with open(path) as f:
            lines = f.read().split("\n")
        at = 0
        for chunk in chunks:
            found = next((i for i in range(at, len(lines) - len(chunk) + 1)
                          if lines[i:i + len(chunk)] == chunk), None)
            if found is None:
                return "%s: the excerpt starting %r is not in the file" % (src, chunk[:1])
            at = found + len(chunk)
    return None


def output(out):
    """A command's output lines without carriage returns or kernel log lines."""
    lines = [l.rstrip("\r") for l in out if not l.startswith("syscall:")]
    return [] if lines == [""] else lines  # nothing printed


def check_walkthrough(sh, ctx):
    steps = doc_sessions()
    if not steps:
        return None, "no ```console block in %s" % DOC
    for cmd, want in steps:
        status, out = sh.run(cmd, 60)
        got = output(out)
        if status != 0 or got != want:
            return None, "'%s': status %s\n  got  %r\n  want %r" % (cmd, status, got, want)
    return "%d commands of docs/ipc.md" % len(steps), None


def kv_ok(sh, cmd, want=None, timeout=60):
    """Run @cmd; None if it exits 0 (and prints @want when given), else why."""
    status, out = sh.run(cmd, timeout)
    got = output(out)
    if status != 0 or (want is not None and got != want):
        return "'%s': status %s, output %r (want %r)" % (cmd, status, got, want)
    return None


def start_kvd(sh):
    """A fresh kvd in the background (it returns once it listens)."""
    return kv_ok(sh, "kvd")


def stop_kvd(sh):
    return kv_ok(sh, "kill $(cat /run/kvd.pid); while [ -e /run/kvd.pid ]; do sleep 0.1; done")


def kv_binding(tmp):
    """The Python binding of idl/kv.cidl (tools/cidl/cidlc.py --py): the
    build's, else one generated into @tmp."""
    sys.path.insert(0, os.path.join(ROOT, "tools", "cidl"))
    where = os.path.join(BUILD, "gen", "cidl", "py")
    if not os.path.exists(os.path.join(where, "kv.py")):
        where = os.path.join(tmp, "py")
        subprocess.run([sys.executable, os.path.join(ROOT, "tools", "cidl", "cidlc.py"), "--py",
                        where, os.path.join(ROOT, "idl", "kv.cidl")], check=True)
    sys.path.insert(0, where)
    import kv  # noqa: E402  (generated)
    return kv


def bad_requests(kv):
    """A good get request, and (name, bytes, the error the Python binding
    finds) for requests kvd's decoder must refuse. Each bad one is made from
    the wire format (docs/cidl.md: a 16-byte header -- magic, wire version,
    flags, ordinal, body length, protocol version, 0 -- then the body; a
    string is a u32 length and its bytes)."""
    import cidl_rt
    good = kv.get_req.encode({"key": "greeting"})[0]
    too_long = "k" * (kv.MAX_KEY + 1)
    cases = [("one byte short", good[:-1]),
             ("a string length past the end", good[:16] + struct.pack("<I", 60) + good[20:]),
             ("a key past its bound (%d bytes)" % len(too_long),
              good[:8] + struct.pack("<I", 4 + len(too_long)) + good[12:16] +
              struct.pack("<I", len(too_long)) + too_long.encode()),
             ("a body length past the end", good[:8] + struct.pack("<I", 100) + good[12:]),
             ("an ordinal kv.cidl does not have", good[:4] + struct.pack("<I", 99) + good[8:])]
    out = []
    for name, data in cases:
        try:
            kv.get_req.decode(data)
            code = None
        except cidl_rt.CidlError as e:
            code = e.errno
        # Python has no dispatcher: an unknown ordinal is the server's EOPNOTSUPP.
        out.append((name, data, "EOPNOTSUPP" if "ordinal" in name else code))
    return good, out


def error_reply(hexline):
    """The errno name an error reply (hex, docs/cidl.md) carries, or None."""
    try:
        data = bytes.fromhex(hexline.strip())
        magic, _, flags, _, body_len, _, _, err = struct.unpack("<HBBIIHHi", data)
    except (ValueError, struct.error):
        return None
    import cidl_rt
    names = {v: k for k, v in cidl_rt.ERRNO.items()}  # the binding's names (EOPNOTSUPP)
    return names.get(-err, "E%d" % -err) if magic == 0x4943 and flags == 3 and body_len == 4 \
        else None


def check_bad_input(sh, ctx):
    kv = kv_binding(ctx["tmp"])
    why = start_kvd(sh)
    if why:
        return None, why
    good, cases = bad_requests(kv)
    # The well-formed request first: the raw path itself must work, and the
    # Python binding reads kvd's reply.
    status, out = sh.run("kv raw %s" % good.hex(), 30)
    got = output(out)
    try:
        rep = kv.get_rep.decode(bytes.fromhex(got[0])) if status == 0 and got else None
    except Exception as e:  # noqa: BLE001  (any failure to read it is the finding)
        rep = "%r" % e
    if rep != {"result": "NOT_FOUND", "value": None}:
        return None, "the well-formed request: status %s, %r, decoded %r" % (status, got, rep)
    for name, data, py in cases:
        status, out = sh.run("kv raw %s" % data.hex(), 30)
        got = output(out)
        c = error_reply(got[0]) if got else None
        if status == 0 or not any("kvd refused the request" in l for l in got) or c != py:
            return None, "%s: status %s, %r; kvd's error %s, the Python binding's %s" % (
                name, status, got, c, py)
    why = kv_ok(sh, "kv put after-bad ok && kv get after-bad", ["ok"]) or stop_kvd(sh)
    return (None, why) if why else ("%d malformed requests refused, with the Python binding's "
                                    "errors" % len(cases), None)


VMO, CHANNEL = 2, 1
READ, WRITE, TRANSFER = 1, 2, 8
# `kv raw`'s handles (user/ipc/kv.c) as the receiver sees them: (type, rights).
RAW_HANDLES = {"vmo:r": (VMO, READ | TRANSFER), "vmo:w": (VMO, WRITE | TRANSFER),
               "chan": (CHANNEL, 0x1f)}


def handle_requests(kv):
    """put_blob requests with handles: (name, bytes, kv raw's handle specs,
    the Python binding's error or None). The first one is good."""
    import cidl_rt
    one, _ = kv.put_blob_req.encode({"key": "blob", "blob": 0, "size": 4})
    cases = [("a memory object with READ", one, ["vmo:r"]),
             ("a memory object without READ", one, ["vmo:w"]),
             ("a channel where a memory object goes", one, ["chan"]),
             ("a handle index with no handle", one, []),
             ("a handle no field takes", one, ["vmo:r", "vmo:r"])]
    out = []
    for name, data, specs in cases:
        try:
            kv.put_blob_req.decode(data, [(i,) + RAW_HANDLES[h] for i, h in enumerate(specs)])
            code = None
        except cidl_rt.CidlError as e:
            code = e.errno
        out.append((name, data, specs, code))
    return out


def check_handles(sh, ctx):
    kv = kv_binding(ctx["tmp"])
    why = start_kvd(sh)
    if why:
        return None, why
    for name, data, specs, py in handle_requests(kv):
        status, out = sh.run("kv raw %s %s" % (data.hex(), " ".join(specs)), 30)
        got = output(out)
        c = error_reply(got[0]) if got else None
        if py is None:
            ok = status == 0 and got and kv.put_blob_rep.decode(bytes.fromhex(got[0])) == \
                {"result": "OK"}
        else:
            ok = status == 1 and c == py
        if not ok:
            return None, "%s: status %s, %r; kvd's error %s, the Python binding's %s" % (
                name, status, got, c, py)
    why = kv_ok(sh, "kv get blob", ["raw!"])
    if why:
        return None, why
    # kvd is idle and still running: every handle it was sent is closed
    # (stored blobs are copies), so the counts are the baseline's.
    idle = ipcstat(sh)
    if idle != ctx.get("counts_before"):
        return None, "kvd idle after the requests: %s\n  baseline: %s" % (
            idle, ctx.get("counts_before"))
    why = stop_kvd(sh)
    return (None, why) if why else ("%s; kvd idle holds no handle" % ", ".join(
        "%s: %s" % (c[0], c[3] or "stored") for c in handle_requests(kv)), None)


def check_many(sh, ctx):
    why = start_kvd(sh)
    if why:
        return None, why
    n = 20
    # In a subshell: no job-control notices from the interactive shell.
    cmd = "(for i in $(seq %d); do kv put m$i v$i & done; wait); kv list | grep -c '^m'" % n
    why = kv_ok(sh, cmd, [str(n)], 120)
    why = why or kv_ok(sh, "kv get m17", ["v17"]) or stop_kvd(sh)
    return (None, why) if why else ("%d clients at once" % n, None)


def counts(line):
    """ipcstat's line as a dict of ints ({} if it is not one)."""
    try:
        return {k: int(v) for k, v in (f.split("=") for f in line.split())}
    except ValueError:
        return {}


def waiter_in(ctx):
    """Shell: until the one waiting client is connected, both ends of its
    channel beside the baseline's (a fixed sleep could lose the race on a
    loaded machine)."""
    n = counts(ctx.get("counts_before") or "").get("channels", 0) + 2
    return "until ipcstat | grep -q 'channels=%d '; do sleep 0.1; done" % n


def check_kill_client(sh, ctx):
    why = start_kvd(sh)
    if why:
        return None, why
    # The client waits inside its call (kvd holds the reply until the key
    # appears); kill -9 takes it mid-call. ipcstat meanwhile must see the
    # channel's two ends and their handles: the count at the end means
    # something only if it counts these.
    status, out = sh.run("(kv wait never-put & %s; ipcstat; kill -9 $!; wait $!; echo $?)" %
                         waiter_in(ctx), 60)
    got = output(out)
    during = counts(got[0]) if got else {}
    # 128 + SIGKILL; the shell may say "Killed" before it.
    if status != 0 or got[-1:] != ["137"]:
        return None, "the killed client: %r" % got
    base = counts(ctx.get("counts_before") or "")
    if during.get("channels", 0) < base.get("channels", 0) + 2 or \
            during.get("handles", 0) < base.get("handles", 0) + 2:
        return None, "ipcstat during the call counts no channel: %r" % got
    why = kv_ok(sh, "kv put never-put now && kv put after-kill ok && kv get after-kill", ["ok"])
    why = why or stop_kvd(sh)
    return (None, why) if why else ("kvd kept serving; during the call: %d channel ends, %d "
                                    "handles" % (during["channels"] - base.get("channels", 0),
                                                 during["handles"] - base.get("handles", 0)),
                                    None)


def check_kill_server(sh, ctx):
    why = start_kvd(sh)
    if why:
        return None, why
    status, out = sh.run("(kv wait never-put & %s; kill -9 $(cat /run/kvd.pid); wait $!; "
                         "echo status $?)" % waiter_in(ctx), 60)
    got = output(out)
    if status != 0 or "status 1" not in got or not any("EPIPE" in l or "closed" in l
                                                       for l in got):
        return None, "the waiting client: status %s, %r" % (status, got)
    status, out = sh.run("kv get greeting", 30)
    if status == 0:
        return None, "a client found a dead server: %r" % output(out)
    # A new kvd replaces the dead one's socket file and serves at once.
    sh.run("rm -f /run/kvd.pid", 10)
    why = start_kvd(sh) or kv_ok(sh, "kv put again yes && kv get again", ["yes"]) or stop_kvd(sh)
    return (None, "after the restart: " + why) if why else \
        ("the caller got EPIPE; a new kvd serves over the stale socket file", None)


def ipcstat(sh):
    status, out = sh.run("ipcstat", 30)
    got = output(out)
    return got[0] if status == 0 and len(got) == 1 else None


def settled_counts(sh):
    """The baseline: ipcstat once two readings half a second apart agree
    (a driver the system starts at boot may still be coming up)."""
    last = ipcstat(sh)
    for _ in range(20):
        time.sleep(0.5)
        now = ipcstat(sh)
        if now == last:
            return now
        last = now
    return None


def check_counts(sh, ctx):
    base = ctx.get("counts_before")
    if not base:
        return None, "no count was taken before the checks"
    now = None
    for _ in range(20):  # a killed process's handles go when it is reaped
        now = ipcstat(sh)
        if now == base:
            return base, None
        time.sleep(0.5)
    return None, "before: %s\n  after:  %s" % (base, now)


CHECKS = [("walkthrough", "docs/ipc.md's walkthrough run from the shell", check_walkthrough),
          ("bad-input", "malformed requests refused by kvd's decoder", check_bad_input),
          ("handles", "handles in requests: type and rights checked, refused ones closed",
           check_handles),
          ("many", "many clients at once", check_many),
          ("kill-client", "a client killed mid-call", check_kill_client),
          ("kill-server", "the server killed: clients get EPIPE", check_kill_server),
          ("counts", "kernel objects back at the baseline", check_counts)]


def session(kernel, tmp, report, only=None, echo=False):
    """Boot, take the baseline count, run the checks, report each."""
    rootfs = os.path.join(tmp, "svc-rootfs.cpio")
    mkrootfs.write_if_changed(rootfs, mkrootfs.archive(mkrootfs.image_entries()))
    s = eb.Serial("direct", kernel, {"INITRD": rootfs, "APPEND": APPEND, "CPUS": "2"}, echo)
    try:
        sh = eb.Shell(s)
        _, why = eb.first_prompt(s, sh, time.monotonic())
        if why:
            report("boot to a shell", None, why)
            return s
        # A wide terminal: ash's line editor would wrap the echo of a long command.
        sh.run("stty cols 250", 10)
        ctx = {"counts_before": settled_counts(sh), "tmp": tmp}
        checks = [(label, fn) for short, label, fn in CHECKS if not only or short in only]
        eb.run_checks(sh, checks, ctx, report)
    finally:
        s.kill()
    return s


def missing():
    need = PROGS + [mkrootfs.BUSYBOX]
    return [p for p in need if not os.path.exists(p)]


def jobs(res, kernel, tmp):
    """The group's one boot, as a job for tools/cairntest.py (tools/e2e_ipc.py)."""
    def run():
        gone = missing()
        if gone:
            res.skip("ipc/svc: every check", "missing %s (make user)" % ", ".join(gone))
            return

        def report(name, detail, why):
            res.add("ipc/svc: %s" % name, why is None, detail if why is None else why)
        why = check_excerpts()
        report("docs/ipc.md's excerpts are the code", "%d excerpts" % len(doc_excerpts()), why)
        s = session(kernel, tmp, report)
        with open(os.path.join(BUILD, "e2e-svc.log"), "w") as f:
            f.write(s.text())
    return [run]


def main():
    ap = argparse.ArgumentParser(usage=__doc__)
    ap.add_argument("--kernel", default=os.path.join(BUILD, "kernel.elf"))
    ap.add_argument("--only", default="", help="comma list: " + ",".join(c[0] for c in CHECKS))
    ap.add_argument("-v", action="store_true", help="echo the serial line")
    opts = ap.parse_args()
    os.chdir(ROOT)
    gone = missing()
    if gone:
        print("e2e_svc: missing %s (make user)" % ", ".join(gone))
        return 1
    counts = [0, 0]

    def report(name, detail, why):
        counts[why is not None] += 1
        print("ok - %s (%s)" % (name, detail) if why is None else "FAIL - %s\n%s" % (name, why),
              flush=True)
    only = set(opts.only.split(",")) if opts.only else None
    why = check_excerpts()
    report("docs/ipc.md's excerpts are the code", "%d excerpts" % len(doc_excerpts()), why)
    with tempfile.TemporaryDirectory(prefix="cairn-e2e-svc-") as tmp:
        s = session(opts.kernel, tmp, report, only, opts.v)
    with open(os.path.join(BUILD, "e2e-svc.log"), "w") as f:
        f.write(s.text())
    print("%d passed, %d failed" % tuple(counts))
    return 1 if counts[1] else 0


if __name__ == "__main__":
    sys.exit(main())
