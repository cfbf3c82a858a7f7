#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the kernel's .kreloc table (docs/kaslr.md) as assembly.

Input: a kernel ELF linked with --emit-relocs. Every relocation the linker
resolved in a loaded section is looked at:
- R_X86_64_64 and R_X86_64_32S whose symbol lies in the image go into the
  table (moving the image by s adds s to those fields); their values must
  fall inside the image or less than 2 MiB past its end, and an absolute
  symbol must not point into it;
- R_X86_64_32 values are below 4 GiB and so physical addresses (the 32-bit
  direct-boot stub, the PVH note, the multiboot2 header): they stay;
- PC-relative ones need nothing, as long as their target moves with the
  image; one aimed at an absolute address is an error, as is any other type.
The table lives in .kreloc, which the linker script places last, so adding
it moves nothing (the Makefile checks this).

usage: kreloc.py KERNEL_ELF > kreloc.S      kreloc.py --empty > kreloc.S
"""
import struct
import sys

MAGIC = 0x434C524B  # "KRLC", CAIRN_KRELOC_MAGIC
LINK_BASE = 0xFFFFFFFF80200000  # CAIRN_KERNEL_LINK_BASE
SLACK = 2 << 20  # KASLR_IMAGE_ALIGN: lib/kaslr/kreloc.c accepts values this far past the end
SHT_SYMTAB, SHT_RELA, SHF_ALLOC, SHN_ABS = 2, 4, 2, 0xFFF1
R_NONE, R_64, R_PC32, R_PLT32, R_32, R_32S, R_PC64 = 0, 1, 2, 4, 10, 11, 24


def sections(data):
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    out = []
    for i in range(shnum):
        (name, typ, flags, addr, off, size, link, info, _, entsize) = struct.unpack_from(
            "<IIQQQQIIQQ", data, shoff + i * shentsize)
        out.append(dict(type=typ, flags=flags, addr=addr, off=off, size=size, link=link,
                        info=info, entsize=entsize))
    return out


def symbols(data, secs):
    symtab = next(s for s in secs if s["type"] == SHT_SYMTAB)
    strtab = secs[symtab["link"]]
    syms = []
    for off in range(symtab["off"], symtab["off"] + symtab["size"], 24):
        name, _, _, shndx, value, _ = struct.unpack_from("<IBBHQQ", data, off)
        end = data.index(b"\0", strtab["off"] + name)
        syms.append((data[strtab["off"] + name:end].decode(), shndx, value))
    return syms


def collect(data):
    secs = sections(data)
    syms = symbols(data, secs)
    named = {n: v for n, _, v in syms}
    lo, hi = named["_kernel_start"], named["_kernel_end"]
    if lo != LINK_BASE:
        sys.exit("kreloc: _kernel_start is %#x, not the link base %#x" % (lo, LINK_BASE))
    wide, narrow = [], []
    for rs in secs:
        if rs["type"] != SHT_RELA or not secs[rs["info"]]["flags"] & SHF_ALLOC:
            continue
        for off in range(rs["off"], rs["off"] + rs["size"], 24):
            where, info, addend = struct.unpack_from("<QQq", data, off)
            typ, name, shndx, value = info & 0xFFFFFFFF, *syms[info >> 32]
            target = (value + addend) & (2**64 - 1)
            # An address of the image, or just past it (an end rounded up to a page).
            inside = lo <= target < hi + SLACK
            if typ in (R_NONE, R_32):
                continue
            if not lo <= where < hi:
                sys.exit("kreloc: relocation at %#x outside the image" % where)
            if typ in (R_PC32, R_PLT32, R_PC64):
                if shndx == SHN_ABS:
                    sys.exit("kreloc: PC-relative reference at %#x to absolute %s" % (where, name))
            elif typ in (R_64, R_32S):
                if shndx != SHN_ABS and inside:
                    (wide if typ == R_64 else narrow).append(where - LINK_BASE)
                elif shndx != SHN_ABS or inside:
                    sys.exit("kreloc: %#x refers to %s+%d outside the image" % (where, name, addend))
            else:
                sys.exit("kreloc: relocation type %d at %#x not supported" % (typ, where))
    return sorted(wide), sorted(narrow)


def emit(wide, narrow):
    out = ['\t.section .kreloc, "a"', "\t.balign 8", "\t.global kreloc_table", "kreloc_table:",
           "\t.long %#x, %d, %d, 0" % (MAGIC, len(wide), len(narrow)), "\t.quad %#x" % LINK_BASE]
    offs = wide + narrow
    for i in range(0, len(offs), 8):
        out.append("\t.long " + ", ".join("%#x" % o for o in offs[i:i + 8]))
    out.append("\t.global kreloc_table_end\nkreloc_table_end:")
    print("\n".join(out))


def main():
    if sys.argv[1:] == ["--empty"]:
        emit([], [])
        return
    with open(sys.argv[1], "rb") as f:
        wide, narrow = collect(f.read())
    emit(wide, narrow)
    print("kreloc: %d 64-bit and %d 32-bit fields" % (len(wide), len(narrow)), file=sys.stderr)


if __name__ == "__main__":
    main()
