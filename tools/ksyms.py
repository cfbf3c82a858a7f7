#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Turn `nm -n` output of the kernel into the assembly of its symbol table.

The table (addresses ascending, offsets into a name blob) lives in the
.ksyms section, which the linker script places after everything else, so
adding it never moves a function: the addresses read from the first link
hold in the final one (the Makefile checks this).
"""
import sys


def main():
    syms = {}
    end = None
    for line in sys.stdin:
        parts = line.split()
        if len(parts) != 3:
            continue
        addr, kind, name = int(parts[0], 16), parts[1], parts[2]
        if name == "_text_end":
            end = addr
        elif kind in "TtWw" and not name.startswith(".L"):
            syms.setdefault(addr, name)
    out = ['\t.section .ksyms, "a"', "\t.balign 8",
           "\t.global ksyms_table, ksyms_count, ksyms_names"]
    entries = sorted(syms.items())
    if end is not None:
        entries.append((end, "_text_end"))
    out.append("ksyms_count:\n\t.quad %d" % len(entries))
    out.append("ksyms_table:")
    offset = 0
    for addr, name in entries:
        out.append("\t.quad 0x%x\n\t.long %d, 0" % (addr, offset))
        offset += len(name) + 1
    out.append("ksyms_names:")
    for _, name in entries:
        out.append('\t.asciz "%s"' % name)
    print("\n".join(out))


if __name__ == "__main__":
    main()
