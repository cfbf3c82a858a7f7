#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The Python binding and the compiler's checks, as TAP (run by `make
test-host` beside the cmocka tests, which count its "ok" lines):

- every golden file of tests/cidl/golden/: a good one's value encodes to
  exactly its bytes and handles, and its bytes decode back to the value; a
  bad one is refused with the error its .json names (the C binding is held
  to the same files by tests/host/test_cidl_golden.c);
- every good golden cut short by one byte (header length kept, or fixed
  up) is refused with ENODATA;
- mistakes in .cidl files are refused with their line."""

import glob
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools", "cidl"))

import cidl_parse  # noqa: E402
import cidl_rt as rt  # noqa: E402

results = []


def check(name, ok, detail=""):
    results.append((name, bool(ok), detail))


def load_binding(tmp):
    subprocess.check_call([sys.executable, os.path.join(ROOT, "tools", "cidl", "cidlc.py"),
                           "--py", tmp, os.path.join(ROOT, "idl", "test_all.cidl")])
    sys.path.insert(0, tmp)
    import test_all
    return test_all


def xfers(desc):
    out = []
    for h in desc["handles"]:
        rights = 0
        for r in h["rights"]:
            rights |= rt.RIGHTS[r]
        out.append((h["handle"], rt.OBJ_TYPES[h["type"]], rights))
    return out


def error_of(fn):
    try:
        fn()
    except rt.CidlError as e:
        return e.errno
    return None


def good_golden(ta, name, m, data, desc):
    got, handles = m.encode(rt.from_json(m.body, desc["value"]))
    check("%s: encodes to the golden bytes" % name, got == data,
          "got %s" % got.hex())
    want = xfers(desc)
    same = [h for h, _ in handles] == [h for h, _, _ in want] and all(
        t in (0, w[1]) for (_, t), w in zip(handles, want))
    check("%s: encodes the golden handles" % name, same, repr(handles))
    name_any, _ = rt.decode_any(ta.MESSAGES, data, want)
    check("%s: decode_any finds %s" % (name, desc["message"]), name_any == desc["message"])
    value = m.decode(data, want)
    check("%s: decodes to the golden value" % name,
          rt.to_json(m.body, value) == rt.to_json(m.body, rt.from_json(m.body, desc["value"])),
          repr(value))
    short = [error_of(lambda n=n: m.decode(data[:n], want)) for n in range(len(data))]
    check("%s: every cut is refused with ENODATA" % name,
          all(e == "ENODATA" for e in short), repr(short))
    fixed = []
    for n in range(rt.HEADER_BYTES, len(data)):
        cut = bytearray(data[:n])
        cut[8:12] = (n - rt.HEADER_BYTES).to_bytes(4, "little")
        fixed.append(error_of(lambda c=bytes(cut): m.decode(c, want)))
    check("%s: every cut with its length fixed up is refused with ENODATA" % name,
          all(e == "ENODATA" for e in fixed), repr(fixed))


def goldens(ta):
    files = sorted(glob.glob(os.path.join(ROOT, "tests", "cidl", "golden", "*.json")))
    check("golden files exist (%d)" % len(files), len(files) >= 30)
    for path in files:
        name = os.path.basename(path)[:-5]
        with open(path, encoding="utf-8") as f:
            desc = json.load(f)
        with open(path[:-5] + ".bin", "rb") as f:
            data = f.read()
        m = ta.MESSAGES[desc["message"]]
        if "error" in desc:
            err = error_of(lambda: m.decode(data, xfers(desc)))
            check("%s: refused with %s (%s)" % (name, desc["error"], desc["about"]),
                  err == desc["error"], "got %s" % err)
        else:
            good_golden(ta, name, m, data, desc)


BAD_CIDL = {
    "duplicate ordinal": "event a = 1 { } event b = 1 { }",
    "unknown type": "struct s { x: nothing; }",
    "recursive struct": "struct s { x: t; } struct t { y: array<s, 2>; }",
    "message too big": "event e = 1 { a: bytes<65536>; }",
    "too many handles": "event e = 1 { a: array<handle, 65>; }",
    "enum value out of range": "enum e : u8 { A = 256; }",
    "unknown right": "event e = 1 { h: handle<vmo, FLY>; }",
    "unknown object type": "event e = 1 { h: handle<socket>; }",
    "has_ prefix": "struct s { has_x: u8; }",
    "zero bound": "struct s { x: string<0>; }",
    "duplicate field": "struct s { x: u8; x: u8; }",
    "array of empty elements": "struct e { } struct s { x: array<e, 100>; }",
    "enum without members": "enum e : u8 { }",
    "a C keyword as a field": "struct s { int: u8; }",
    "a Python keyword as a type": "struct class { x: u8; }",
    "a struct named as a message body": "struct a_req { x: u8; } request a = 1 { } reply { }",
}


def bad_cidl(tmp):
    for what, body in BAD_CIDL.items():
        path = os.path.join(tmp, "t.cidl")
        with open(path, "w") as f:
            f.write("protocol t version 1;\n" + body + "\n")
        try:
            cidl_parse.load(path)
            check("cidlc refuses: %s" % what, False, "accepted")
        except cidl_parse.CidlError as e:
            check("cidlc refuses: %s" % what, "t.cidl:" in str(e), str(e))


def random_values(ta):
    """Random values (as tools/cidl/golden_c.py --random makes for the C test)
    decode back to themselves; their handles come back as sent."""
    import random
    import cidl_random
    proto = cidl_parse.load(os.path.join(ROOT, "idl", "test_all.cidl"))
    rng = random.Random(7)
    bodies = [b for m in proto.messages for _, b in m.bodies]
    bad = []
    for i in range(300):
        s = bodies[i % len(bodies)]
        handles = []
        v = cidl_random.value(rng, s, handles)
        m = ta.MESSAGES[s.name]
        data, sent = m.encode(rt.from_json(m.body, v))
        got = m.decode(data, xfers({"handles": handles}))
        if rt.to_json(m.body, got) != rt.to_json(m.body, rt.from_json(m.body, v)) or [
                h for h, _ in sent] != [h["handle"] for h in handles]:
            bad.append((s.name, v))
    check("300 random values decode back to themselves", not bad, repr(bad[:2]))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        ta = load_binding(tmp)
        goldens(ta)
        random_values(ta)
        bad_cidl(tmp)
        check("an encoder refuses a string past its maximum",
              error_of(lambda: ta.kitchen_rep.encode({"ok": True, "note": "x" * 33}))
              == "EINVAL")
        with open(os.path.join(ROOT, "tests", "cidl", "golden", "kitchen_min.json")) as f:
            v = rt.from_json(ta.kitchen_req.body, json.load(f)["value"])
        check("an encoder takes kitchen_min", error_of(lambda: ta.kitchen_req.encode(v)) is None)
        check("an encoder refuses an enum name not a member",
              error_of(lambda: ta.kitchen_req.encode(dict(v, kind="MEDIUM"))) == "EINVAL")
        check("an encoder refuses a value out of its integer's range",
              error_of(lambda: ta.tick_evt.encode({"seq": -1, "when": 0})) == "EINVAL")
    print("1..%d" % len(results))
    for i, (name, ok, detail) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok:
            print("# " + detail[:2000].replace("\n", "\n# "))
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
