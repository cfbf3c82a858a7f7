#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Convert a QEMU screendump (binary PPM, P6) to PNG with only the standard
library: one IDAT of filter-0 scanlines (PNG spec, ISO/IEC 15948, 11.2).

    tools/pngwrite.py screen.ppm screen.png
"""
import struct
import sys
import zlib


def read_ppm(path):
    """(width, height, RGB bytes) of a binary 8-bit PPM."""
    data = open(path, "rb").read()
    fields = data.split(maxsplit=4)
    if fields[0] != b"P6" or int(fields[3]) != 255:
        raise ValueError("%s: not a binary 8-bit PPM" % path)
    w, h = int(fields[1]), int(fields[2])
    return w, h, fields[4][-w * h * 3:]


def chunk(kind, body):
    return (struct.pack(">I", len(body)) + kind + body +
            struct.pack(">I", zlib.crc32(kind + body) & 0xffffffff))


def write_png(path, w, h, rgb):
    rows = b"".join(b"\x00" + rgb[y * w * 3:(y + 1) * w * 3] for y in range(h))
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)  # 8-bit truecolour
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) +
                chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: pngwrite.py in.ppm out.png")
    write_png(sys.argv[2], *read_ppm(sys.argv[1]))


if __name__ == "__main__":
    main()
