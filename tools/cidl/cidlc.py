#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""cidlc: the .cidl interface compiler (docs/cidl.md).

    cidlc.py --c OUTDIR FILE.cidl    NAME.h, NAME.c, NAME_client.c, NAME_server.c
    cidlc.py --py OUTDIR FILE.cidl   NAME.py (needs tools/cidl/cidl_rt.py to import)
    cidlc.py --check FILE.cidl       parse and check only

Python 3 standard library only. Exit status 1 with "FILE:LINE: message" on
a mistake in the file."""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cidl_c  # noqa: E402
import cidl_parse  # noqa: E402


def write(path, text):
    """Write only if different, so that make does not rebuild what did not change."""
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return
    except OSError:
        pass
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def emit_c(proto, src, outdir):
    import cidl_stubs
    base = os.path.join(outdir, proto.name)
    write(base + ".h", cidl_c.header(proto, src, cidl_stubs.declarations(proto)))
    write(base + ".c", cidl_c.source(proto, src))
    write(base + "_client.c", cidl_stubs.client(proto, src))
    write(base + "_server.c", cidl_stubs.server(proto, src))


def emit_py(proto, src, outdir):
    import cidl_py
    write(os.path.join(outdir, proto.name + ".py"), cidl_py.module(proto, src))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--c", metavar="OUTDIR")
    ap.add_argument("--py", metavar="OUTDIR")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("file")
    opts = ap.parse_args()
    try:
        proto = cidl_parse.load(opts.file)
    except (cidl_parse.CidlError, OSError) as e:
        print("cidlc: %s" % e, file=sys.stderr)
        return 1
    stem = os.path.splitext(os.path.basename(opts.file))[0]
    if stem != proto.name:
        print("cidlc: %s: protocol %s must be in %s.cidl" % (opts.file, proto.name, proto.name),
              file=sys.stderr)
        return 1
    src = os.path.relpath(opts.file) if not os.path.isabs(opts.file) else opts.file
    for outdir, emit in ((opts.c, emit_c), (opts.py, emit_py)):
        if outdir:
            os.makedirs(outdir, exist_ok=True)
            emit(proto, src, outdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
