#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Seeds for lib/fuzz/fuzz_kvd.c: one well-formed request of each kind of
idl/kv.cidl, encoded by its Python binding, in the fuzzer's input format
(a handle count byte, a (type, rights) byte pair per handle, the bytes).

  tools/kv_fuzz_seeds.py OUTDIR
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import e2e_svc  # noqa: E402  (kv_binding: the generated module)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    kv = e2e_svc.kv_binding(out)
    reqs = [("get", kv.get_req, {"key": "k"}, []),
            ("put", kv.put_req, {"key": "k", "value": b"v"}, []),
            ("delete", kv.delete_req, {"key": "k"}, []),
            ("list", kv.list_req, {}, []),
            ("put_blob", kv.put_blob_req, {"key": "k", "blob": 0, "size": 4}, [(2, 0x09)]),
            ("get_blob", kv.get_blob_req, {"key": "k"}, []),
            ("wait", kv.wait_req, {"key": "k"}, [])]
    for name, msg, value, handles in reqs:
        data = msg.encode(value)[0]
        head = bytes([len(handles)]) + b"".join(bytes(h) for h in handles)
        with open(os.path.join(out, "seed-" + name), "wb") as f:
            f.write(head + data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
