#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the golden files of idl/test_all.cidl into tests/cidl/golden/: for
each, NAME.bin (the message's bytes) and NAME.json (what they mean: the
message, the value, the handles a channel read would report, or the error
every decoder must refuse them with). Run once when goldens are added; the
committed files are then the reference that both bindings are tested
against (tests/host/test_cidl_golden.c, tests/cidl/test_cidl.py), so a
change of either binding's encoding shows up as a failure, not a new file.

    tools/cidl/mkgolden.py [--force] OUTDIR"""

import json
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import cidl_rt as rt  # noqa: E402

KITCHEN = {
    "nums": {"a": 0xab, "b": 0xbeef, "c": 0xdeadbeef, "d": 0x0123456789abcdef, "e": -5,
             "f": -300, "g": -70000, "h": -2**63, "yes": True},
    "shapes": [{"name": "tri", "fill": "BLUE",
                "corners": [{"x": 0, "y": 0}, {"x": 3, "y": 0}, {"x": -1, "y": 1}],
                "label": None},
               {"name": "h\u00e9", "fill": "GREEN", "corners": [], "label": "label"}],
    "blob": "000102ff", "mac": [0x52, 0x54, 0, 0x12, 0x34, 0x56],
    "grid": [[1, 2, 3], [-1, -2, -32768]], "moves": ["DOWN", "UP", "SAME"], "kind": "HUGE",
    "origin": {"x": 7, "y": -7}, "count": 0xffffffff, "words": ["a", "\u00fcn\u00ef", ""],
}
KITCHEN_MIN = {
    "nums": {"a": 0, "b": 0, "c": 0, "d": 0, "e": 0, "f": 0, "g": 0, "h": 0, "yes": False},
    "shapes": [], "blob": "", "mac": [0] * 6, "grid": [[0] * 3] * 2, "moves": [],
    "kind": "SMALL", "origin": None, "count": None, "words": [],
}
RW = ["READ", "WRITE"]
SHARE_HANDLES = [
    {"handle": 100, "type": "vmo", "rights": ["READ", "MAP", "TRANSFER"]},
    {"handle": 101, "type": "channel", "rights": RW + ["WAIT"]},
    {"handle": 102, "type": "process", "rights": []},
    {"handle": 103, "type": "vmo", "rights": ["READ"]},
    {"handle": 104, "type": "vmo", "rights": ["READ", "WRITE"]},
    {"handle": 105, "type": "vmo", "rights": ["READ"]},
]
SHARE = {"memory": 100, "peer": 101, "anything": 102, "more": [103, 104, 105]}
SHARE_MIN = {"memory": 7, "peer": None, "anything": 8, "more": []}
SHARE_MIN_HANDLES = [{"handle": 7, "type": "vmo", "rights": ["READ", "MAP"]},
                     {"handle": 8, "type": "irq", "rights": ["WAIT"]}]

# name: (message, value, handles)
GOOD = {
    "tick": ("tick_evt", {"seq": 5, "when": -1}, []),
    "kitchen_full": ("kitchen_req", KITCHEN, []),
    "kitchen_min": ("kitchen_req", KITCHEN_MIN, []),
    "kitchen_rep_note": ("kitchen_rep", {"ok": True, "note": "fine"}, []),
    "kitchen_rep_bare": ("kitchen_rep", {"ok": False, "note": None}, []),
    "share_full": ("share_req", SHARE, SHARE_HANDLES),
    "share_min": ("share_req", SHARE_MIN, SHARE_MIN_HANDLES),
    "share_rep": ("share_rep", {"size": 1 << 40}, []),
    "ping_req": ("ping_req", {}, []),
    "ping_rep": ("ping_rep", {}, []),
    "lend_rep": ("lend_rep", {"memory": 42},
                 [{"handle": 42, "type": "vmo", "rights": ["READ", "WRITE", "MAP"]}]),
}


def patch(b, off, new):
    return b[:off] + new + b[off + len(new):]


def set_len(b, n):
    return patch(b, 8, struct.pack("<I", n))


def bad_goldens(g):
    """name: (message, bytes, handles, error, what is wrong)."""
    k, tick, note = g["kitchen_full"], g["tick"], g["kitchen_rep_note"]
    sh, shm = g["share_full"], g["share_min"]
    tri = k.index(b"tri")
    hx = SHARE_HANDLES
    no_map = [dict(hx[0], rights=["READ", "TRANSFER"])] + hx[1:]
    chan = [dict(hx[0], type="channel")] + hx[1:]
    return {
        "bad_short": ("kitchen_req", k[:-1], [], "ENODATA", "one byte short"),
        "bad_short_len": ("kitchen_req", set_len(k[:-1], len(k) - 17), [], "ENODATA",
                          "one byte short, the header's length agreeing"),
        "bad_header_short": ("tick_evt", tick[:15], [], "ENODATA", "shorter than a header"),
        "bad_len_past_end": ("kitchen_rep", patch(note, 18, b"\x1f"), [], "ENODATA",
                             "a string's length (31, within its 32) past the end"),
        "bad_body_len": ("tick_evt", set_len(tick, 17), [], "ENODATA",
                         "the header's body length past the end"),
        "bad_trailing": ("kitchen_req", set_len(k + b"\0", len(k) - 15), [], "EBADMSG",
                         "a byte after the last field"),
        "bad_enum": ("kitchen_req", patch(k, tri + 3, b"\x03"), [], "EBADMSG",
                     "color 3 is not a member"),
        "bad_bool": ("kitchen_req", patch(k, 46, b"\x02"), [], "EBADMSG", "bool 2"),
        "bad_tag": ("kitchen_rep", patch(note, 17, b"\x02"), [], "EBADMSG",
                    "optional tag 2"),
        "bad_count": ("kitchen_req", patch(k, 47, b"\x05"), [], "EOVERFLOW",
                      "5 shapes in an array<shape, 4>"),
        "bad_string_max": ("kitchen_req", patch(k, tri - 4, b"\x21"), [], "EOVERFLOW",
                           "a string<32> of 33 bytes"),
        "bad_utf8": ("kitchen_req", patch(k, tri, b"\xc0\xaf"), [], "EBADMSG",
                     "an overlong UTF-8 form"),
        "bad_magic": ("tick_evt", patch(tick, 0, b"CJ"), [], "EBADMSG", "magic"),
        "bad_wire": ("tick_evt", patch(tick, 2, b"\x02"), [], "EPROTONOSUPPORT",
                     "wire format version 2"),
        "bad_flags": ("tick_evt", patch(tick, 3, b"\x04"), [], "EBADMSG", "unknown flag"),
        "bad_as_reply": ("tick_evt", patch(tick, 3, b"\x01"), [], "EBADMSG",
                         "an event flagged as a reply"),
        "bad_reserved": ("tick_evt", patch(tick, 14, b"\x01"), [], "EBADMSG",
                         "reserved header bytes"),
        "bad_ordinal": ("tick_evt", patch(tick, 4, b"\x08"), [], "EBADMSG",
                        "another message's ordinal"),
        "bad_handle_index": ("share_req", patch(sh, 16, b"\x06"), hx, "EBADF",
                             "handle index 6 of 6 handles"),
        "bad_handle_twice": ("share_req", patch(sh, 24, b"\x00"), hx, "EBADF",
                             "handle index 0 used twice"),
        "bad_handle_unused": ("share_req", shm, SHARE_MIN_HANDLES + [hx[3]], "EBADF",
                              "a handle no field takes"),
        "bad_handle_absent": ("share_req", patch(shm, 16, b"\xff\xff\xff\xff"),
                              SHARE_MIN_HANDLES[1:], "EBADF",
                              "a required handle absent"),
        "bad_rights": ("share_req", sh, no_map, "EACCES", "a vmo without MAP"),
        "bad_type": ("share_req", sh, chan, "EACCES", "a channel where a vmo goes"),
        "bad_reply_rights": ("lend_rep", g["lend_rep"],
                             [{"handle": 42, "type": "vmo", "rights": ["READ"]}], "EACCES",
                             "a reply's vmo without WRITE"),
        "bad_remote": ("ping_rep", rt.Message("ping", 3, "rep", 1, None).encode_error(95), [],
                       "EOPNOTSUPP", "an error reply: -EOPNOTSUPP"),
        "bad_error_reply": ("ping_rep", patch(g["ping_rep"], 3, b"\x03"), [],
                            "ENODATA", "an error reply without its -errno"),
    }


def load_binding():
    out = tempfile.mkdtemp()
    subprocess.check_call([sys.executable, os.path.join(HERE, "cidlc.py"), "--py", out,
                           os.path.join(ROOT, "idl", "test_all.cidl")])
    sys.path.insert(0, out)
    import test_all
    return test_all


def main():
    force = "--force" in sys.argv
    outdir = [a for a in sys.argv[1:] if a != "--force"][0]
    os.makedirs(outdir, exist_ok=True)
    ta = load_binding()
    good = {}
    for name, (msg, value, handles) in GOOD.items():
        m = ta.MESSAGES[msg]
        good[name], _ = m.encode(rt.from_json(m.body, value))
        write(outdir, name, good[name], {"message": msg, "value": value, "handles": handles},
              force)
    for name, (msg, b, handles, err, why) in bad_goldens(good).items():
        write(outdir, name, b, {"message": msg, "handles": handles, "error": err,
                                "about": why}, force)


def write(outdir, name, b, desc, force):
    path = os.path.join(outdir, name)
    if os.path.exists(path + ".bin") and not force:
        return
    with open(path + ".bin", "wb") as f:
        f.write(b)
    with open(path + ".json", "w", encoding="utf-8") as f:
        json.dump(desc, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
