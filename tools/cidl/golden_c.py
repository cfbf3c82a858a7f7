#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Turn the golden files (tests/cidl/golden/NAME.{bin,json}) of a protocol
into a C header for tests/host/test_cidl_golden.c: each golden's bytes and
handles, its value as a C initializer of the generated struct, an equality
function per type, and one table the test walks. With --random N, N more
entries: random values (tools/cidl/cidl_random.py) the Python binding
encoded, which the C binding must encode to the same bytes and decode back.

    tools/cidl/golden_c.py idl/test_all.cidl tests/cidl/golden OUT.h [--random N]
    tools/cidl/golden_c.py idl/test_all.cidl tests/cidl/golden --seeds DIR   (fuzzer corpus)"""

import glob
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cidl_random  # noqa: E402
from cidl_c import Names, int_literal  # noqa: E402
from cidl_parse import (Array, Bool, Bytes, Enum, Fixed, Handle, Int, String,  # noqa: E402
                        Struct, OBJ_TYPES, RIGHTS, load, resolve)

ERRNO = {"ENODATA": "CIDL_ENODATA", "EBADMSG": "CIDL_EBADMSG", "EOVERFLOW": "CIDL_EOVERFLOW",
         "EBADF": "CIDL_EBADF", "EACCES": "CIDL_EACCES", "EPROTONOSUPPORT":
         "CIDL_EPROTONOSUPPORT", "EOPNOTSUPP": "CIDL_EOPNOTSUPP"}


def c_bytes(b):
    if not b:
        return "{ NULL, 0 }"
    return '{ (const uint8_t *)"%s", %d }' % ("".join("\\x%02x" % x for x in b), len(b))


def init(n, t, v):
    """A C initializer for value v (JSON) of type t."""
    t = resolve(t)
    if isinstance(t, Int):
        return int_literal(v, t)
    if isinstance(t, Bool):
        return "true" if v else "false"
    if isinstance(t, Enum):
        return n.macro(t.name, v)
    if isinstance(t, String):
        return c_bytes(v.encode("utf-8"))
    if isinstance(t, Bytes):
        return c_bytes(bytes.fromhex(v))
    if isinstance(t, Handle):
        return "CIDL_HANDLE_NONE" if v is None else str(v)
    if isinstance(t, Fixed):
        return "{ %s }" % ", ".join(init(n, t.elem, x) for x in v)
    if isinstance(t, Array):
        items = ", ".join(init(n, t.elem, x) for x in v)
        return "{ .count = %d, .items = { %s } }" % (len(v), items) if v else "{ .count = 0 }"
    if isinstance(t, Struct):
        parts = []
        for f in t.fields:
            x = v.get(f.name)
            if f.optional and not isinstance(resolve(f.type), Handle):
                parts.append(".has_%s = %s" % (f.name, "false" if x is None else "true"))
                if x is None:
                    continue
            parts.append(".%s = %s" % (f.name, init(n, f.type, x)))
        return "{ %s }" % ", ".join(parts) if parts else "{ 0 }"
    raise AssertionError(t)


def eq(n, t, a, b, depth):
    """A C expression (or loop lines) comparing a and b of type t: lines that
    return false on a difference."""
    t = resolve(t)
    if isinstance(t, (String, Bytes)):
        return ["if (!cidl_bytes_eq(&%s, &%s))" % (a, b), "\treturn false;"]
    if isinstance(t, Struct):
        return ["if (!eq_%s(&%s, &%s))" % (t.name, a, b), "\treturn false;"]
    i = "i%d" % depth
    if isinstance(t, Fixed):
        inner = eq(n, t.elem, "%s[%s]" % (a, i), "%s[%s]" % (b, i), depth + 1)
        return ["for (uint32_t %s = 0; %s < %d; %s++) {" % (i, i, t.count, i)] + [
            "\t" + x for x in inner] + ["}"]
    if isinstance(t, Array):
        inner = eq(n, t.elem, "%s.items[%s]" % (a, i), "%s.items[%s]" % (b, i), depth + 1)
        return ["if (%s.count != %s.count)" % (a, b), "\treturn false;",
                "for (uint32_t %s = 0; %s < %s.count; %s++) {" % (i, i, a, i)] + [
            "\t" + x for x in inner] + ["}"]
    return ["if (%s != %s)" % (a, b), "\treturn false;"]


def eq_fn(n, s):
    out = ["static bool eq_%s(const %s *a, const %s *b)" % (s.name, n.struct(s.name),
                                                           n.struct(s.name)), "{"]
    for f in s.fields:
        a, b = "a->" + f.name, "b->" + f.name
        if f.optional and not isinstance(resolve(f.type), Handle):
            out += ["\tif (a->has_%s != b->has_%s)" % (f.name, f.name), "\t\treturn false;",
                    "\tif (a->has_%s) {" % f.name]
            out += ["\t\t" + x for x in eq(n, f.type, a, b, 0)] + ["\t}"]
        else:
            out += ["\t" + x for x in eq(n, f.type, a, b, 0)]
    if not s.fields:
        out.append("\t(void)a;\n\t(void)b;")
    out += ["\treturn true;", "}", ""]
    return out


def glue(n, s):
    """Type-erased encode/decode/equal for the table."""
    st, nm = n.struct(s.name), s.name
    return ["static int enc_%s(struct cidl_writer *w, const void *v)" % nm,
            "{", "\treturn %s(w, v);" % n.fn(nm, "encode"), "}", "",
            "static int dec_%s(struct cidl_reader *r, void *v)" % nm,
            "{", "\treturn %s(r, v);" % n.fn(nm, "decode"), "}", "",
            "static bool equal_%s(const void *a, const void *b)" % nm,
            "{", "\treturn eq_%s((const %s *)a, (const %s *)b);" % (nm, st, st), "}", ""]


def golden(n, bodies, name, desc, data):
    s = bodies[desc["message"]]
    out = ["static const uint8_t %s_bytes[] = { %s };" % (
        name, ", ".join("0x%02x" % x for x in data) or "0")]
    hx = []
    for h in desc["handles"]:
        rights = " | ".join("CAIRN_RIGHT_%s" % r for r in h["rights"]) or "0"
        hx.append("{ .handle = %d, .type = %d, .rights = %s }" % (
            h["handle"], OBJ_TYPES[h["type"]], rights))
    out.append("static const struct cairn_handle_xfer %s_hx[] = { %s };" % (
        name, ", ".join(hx) or "{ 0 }"))
    if "value" in desc:
        out.append("static const %s %s_value = %s;" % (n.struct(s.name), name,
                                                        init(n, s, desc["value"])))
    row = ('{ "%s", %s_bytes, %d, %s_hx, %d, %s, sizeof(%s), %s, enc_%s, dec_%s, equal_%s }' % (
        name, name, len(data), name, len(desc["handles"]),
        "&%s_value" % name if "value" in desc else "NULL", n.struct(s.name),
        "-" + ERRNO[desc["error"]] if "error" in desc else "0", s.name, s.name, s.name))
    return out, row


def seeds(proto, golden_dir, outdir):
    """Fuzzer inputs from the goldens: body index, handles, the bytes."""
    names = [s.name for m in proto.messages for _, s in m.bodies]
    os.makedirs(outdir, exist_ok=True)
    for path in sorted(glob.glob(os.path.join(golden_dir, "*.json"))):
        with open(path, encoding="utf-8") as f:
            desc = json.load(f)
        with open(path[:-5] + ".bin", "rb") as f:
            data = f.read()
        hx = b""
        for h in desc["handles"][:7]:
            rights = sum(RIGHTS[r] for r in h["rights"])
            hx += bytes([OBJ_TYPES[h["type"]] | (0x80 if rights >> 8 else 0), rights & 0xff])
        seed = bytes([names.index(desc["message"]), len(hx) // 2]) + hx + data
        with open(os.path.join(outdir, os.path.basename(path)[:-5]), "wb") as f:
            f.write(seed)


def main():
    proto = load(sys.argv[1])
    if sys.argv[3] == "--seeds":
        seeds(proto, sys.argv[2], sys.argv[4])
        return
    n = Names(proto)
    bodies = {s.name: s for m in proto.messages for _, s in m.bodies}
    out = ["/* Generated by tools/cidl/golden_c.py from %s: do not edit. */" % sys.argv[2],
           "#pragma once", "", '#include "cidl/%s.h"' % proto.name, "",
           "static bool cidl_bytes_eq(const struct cidl_bytes *a, const struct cidl_bytes *b)",
           "{", "\treturn a->len == b->len && (!a->len || !memcmp(a->data, b->data, a->len));",
           "}", ""]
    for s in proto.structs + list(bodies.values()):
        out += eq_fn(n, s)
    for s in bodies.values():
        out += glue(n, s)
    out += ["/* Every message body, for the fuzzer (lib/fuzz/fuzz_cidl.c). */",
            "struct cidl_body {", "\tconst char *name;", "\tsize_t size;",
            "\tint (*encode)(struct cidl_writer *w, const void *v);",
            "\tint (*decode)(struct cidl_reader *r, void *v);",
            "\tbool (*equal)(const void *a, const void *b);", "};", "",
            "static const struct cidl_body cidl_bodies[] = {"]
    out += ['\t{ "%s", sizeof(%s), enc_%s, dec_%s, equal_%s },' % (
        s.name, n.struct(s.name), s.name, s.name, s.name) for s in bodies.values()]
    out += ["};", ""]
    rows = []
    for path in sorted(glob.glob(os.path.join(sys.argv[2], "*.json"))):
        name = os.path.basename(path)[:-5]
        with open(path, encoding="utf-8") as f:
            desc = json.load(f)
        with open(path[:-5] + ".bin", "rb") as f:
            data = f.read()
        lines, row = golden(n, bodies, "g_" + name, desc, data)
        out += lines + [""]
        rows.append(row)
    if len(sys.argv) > 5 and sys.argv[4] == "--random":
        rng = random.Random(1015)  # fixed: the same values on every build
        for name, desc, data in cidl_random.goldens(proto, sys.argv[1], int(sys.argv[5]), rng):
            lines, row = golden(n, bodies, "g_" + name, desc, data)
            out += lines + [""]
            rows.append(row)
    out += ["struct golden {", "\tconst char *name;", "\tconst uint8_t *bytes;",
            "\tuint32_t len;", "\tconst struct cairn_handle_xfer *hx;", "\tuint32_t nhx;",
            "\tconst void *value; /* NULL for a bad golden */", "\tsize_t size;",
            "\tint error; /* what decoding must return */",
            "\tint (*encode)(struct cidl_writer *w, const void *v);",
            "\tint (*decode)(struct cidl_reader *r, void *v);",
            "\tbool (*equal)(const void *a, const void *b);", "};", "",
            "static const struct golden goldens[] = {"]
    out += ["\t%s," % r for r in rows] + ["};", ""]
    with open(sys.argv[3] + ".tmp", "w") as f:
        f.write("\n".join(out))
    os.replace(sys.argv[3] + ".tmp", sys.argv[3])


if __name__ == "__main__":
    main()
