# SPDX-License-Identifier: MIT
"""Random values of a protocol's messages, as golden files' JSON describes
them (docs/cidl.md, "Tests"): tools/cidl/golden_c.py encodes them with the
Python binding and makes the C binding's test check each one both ways, so
the two bindings are compared on many more values than the golden files
hold. Edge values (the ends of each integer's range, empty and longest
strings, absent optionals) come up often."""

import os
import subprocess
import sys
import tempfile

from cidl_parse import (Array, Bool, Bytes, Enum, Fixed, Handle, Int, String, Struct,
                        OBJ_TYPES, RIGHTS, resolve)

CHARS = ["a", "Z", "0", " ", "\u00e9", "\u20ac", "\U0001f600", "\u0000"]


def text(rng, maximum):
    """A string of at most maximum UTF-8 bytes."""
    want = rng.choice([0, maximum, rng.randint(0, min(maximum, 24))])
    out, size = [], 0
    while size < want:
        c = rng.choice(CHARS)
        n = len(c.encode("utf-8"))
        if size + n > want:
            c, n = "x", 1
        out.append(c)
        size += n
    return "".join(out)


def integer(rng, t):
    lo, hi = t.bounds()
    return rng.choice([lo, hi, 0, min(hi, 1), max(lo, -1) if t.signed else hi // 2,
                       rng.randint(lo, hi)])


def handle(rng, t, handles):
    fd = 200 + len(handles)
    obj = t.obj or rng.choice(sorted(OBJ_TYPES))
    extra = [r for r in sorted(RIGHTS) if r not in t.rights and rng.random() < 0.3]
    handles.append({"handle": fd, "type": obj, "rights": list(t.rights) + extra})
    return fd


def value(rng, t, handles):
    """A JSON value of type t; handles it uses are appended to handles."""
    t = resolve(t)
    if isinstance(t, Int):
        return integer(rng, t)
    if isinstance(t, Bool):
        return rng.random() < 0.5
    if isinstance(t, Enum):
        return rng.choice(t.members)[0]
    if isinstance(t, String):
        return text(rng, t.max)
    if isinstance(t, Bytes):
        n = rng.choice([0, min(t.max, 40), rng.randint(0, min(t.max, 40))])
        return bytes(rng.randrange(256) for _ in range(n)).hex()
    if isinstance(t, Array):
        n = rng.choice([0, min(t.max, 4), rng.randint(0, min(t.max, 4))])
        return [value(rng, t.elem, handles) for _ in range(n)]
    if isinstance(t, Fixed):
        return [value(rng, t.elem, handles) for _ in range(t.count)]
    if isinstance(t, Handle):
        return handle(rng, t, handles)
    if isinstance(t, Struct):
        v = {}
        for f in t.fields:
            absent = f.optional and rng.random() < 0.4
            v[f.name] = None if absent else value(rng, f.type, handles)
        return v
    raise AssertionError(t)


def binding(proto_path):
    """Import the Python binding of a .cidl file (generated into a temporary folder)."""
    here = os.path.dirname(os.path.abspath(__file__))
    out = tempfile.mkdtemp()
    subprocess.check_call([sys.executable, os.path.join(here, "cidlc.py"), "--py", out,
                           proto_path])
    sys.path.insert(0, out)
    name = os.path.splitext(os.path.basename(proto_path))[0]
    return __import__(name)


def goldens(proto, proto_path, count, rng):
    """[(name, description, bytes)] for count random messages, every body in turn."""
    import cidl_rt as rt
    mod = binding(proto_path)
    bodies = [s for m in proto.messages for _, s in m.bodies]
    out = []
    for i in range(count):
        s = bodies[i % len(bodies)]
        handles = []
        v = value(rng, s, handles)
        m = mod.MESSAGES[s.name]
        data, _ = m.encode(rt.from_json(m.body, v))
        out.append(("random_%d_%s" % (i, s.name),
                    {"message": s.name, "value": v, "handles": handles}, data))
    return out
