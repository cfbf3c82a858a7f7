#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write corrupt copies of a good static ELF executable for
user/tests/elf_corrupt.c: execve must refuse each with ENOEXEC or EINVAL.

usage: tools/mkbadelf.py GOOD_ELF OUT_DIR
Layout facts from the System V ABI's ELF-64 object file format: the header
is 64 bytes; e_entry at 24, e_phoff at 32, e_phentsize at 54, e_phnum at
56; a program header is 56 bytes with p_type at 0, p_offset at 8, p_vaddr at
16, p_filesz at 32, p_memsz at 40.
"""
import os
import struct
import sys

PT_LOAD = 1


def loads(elf):
    """File offsets of the PT_LOAD program headers."""
    phoff, = struct.unpack_from("<Q", elf, 32)
    phentsize, phnum = struct.unpack_from("<HH", elf, 54)
    return [phoff + i * phentsize for i in range(phnum)
            if struct.unpack_from("<I", elf, phoff + i * phentsize)[0] == PT_LOAD]


def patched(elf, fmt, off, value):
    b = bytearray(elf)
    struct.pack_into(fmt, b, off, value)
    return bytes(b)


def variants(elf):
    ph = loads(elf)
    if len(ph) < 2:
        sys.exit("mkbadelf: want a program with two PT_LOAD segments")
    first_vaddr, = struct.unpack_from("<Q", elf, ph[0] + 16)
    last_memsz, = struct.unpack_from("<Q", elf, ph[-1] + 40)
    last_filesz, = struct.unpack_from("<Q", elf, ph[-1] + 32)
    return {
        "truncated": elf[:40],                                 # not even a whole header
        "not-elf": b"this is not an executable\n" * 4,
        "wrong-machine": patched(elf, "<H", 18, 183),          # EM_AARCH64
        "bad-phentsize": patched(elf, "<H", 54, 40),
        "phdrs-past-end": patched(elf, "<Q", 32, len(elf) + 4096),
        "overlapping": patched(elf, "<Q", ph[1] + 16, first_vaddr),
        "huge-memsz": patched(elf, "<Q", ph[-1] + 40, 1 << 62),
        "filesz-over-memsz": patched(elf, "<Q", ph[-1] + 32, last_memsz + last_filesz + 8192),
        "offset-past-end": patched(elf, "<Q", ph[-1] + 8, len(elf) + (1 << 20)),
        "entry-outside": patched(elf, "<Q", 24, 0x10),
    }


def main():
    good, out = sys.argv[1], sys.argv[2]
    with open(good, "rb") as f:
        elf = f.read()
    os.makedirs(out, exist_ok=True)
    for name, data in variants(elf).items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        os.chmod(os.path.join(out, name), 0o755)
    return 0


if __name__ == "__main__":
    sys.exit(main())
