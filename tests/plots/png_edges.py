#!/usr/bin/env python3
"""png_edges.py PNG... - nothing is cut at the edges of a graph: every
pixel of each image's outer frame (3 pixels wide) is background. Text or
a line that runs off the image leaves ink there. Prints "CUT file: side"
for each edge with ink and "checked N"; exit 1 if any was cut. Reads
8-bit RGB or RGBA PNGs (what gnuplot's pngcairo writes) with zlib alone."""
import struct
import sys
import zlib


def pixels(path):
    d = open(path, "rb").read()
    pos, idat, w, h, ct = 8, b"", 0, 0, 2
    while pos < len(d):
        n = struct.unpack(">I", d[pos:pos + 4])[0]
        kind, body = d[pos + 4:pos + 8], d[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ct = struct.unpack(">IIBB", body[:10])
            if depth != 8 or ct not in (2, 6):
                raise SystemExit(f"{path}: not 8-bit RGB/RGBA")
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, bpp = zlib.decompress(idat), {2: 3, 6: 4}[ct]
    stride, rows, prev, i = w * bpp, [], bytearray(w * bpp), 0
    for _ in range(h):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else
                                      b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return w, h, bpp, rows


def main():
    cut = 0
    for path in sys.argv[1:]:
        w, h, bpp, rows = pixels(path)
        ink = lambda x, y: min(rows[y][x * bpp:x * bpp + 3]) < 200
        sides = {"left": any(ink(x, y) for y in range(h) for x in range(3)),
                 "right": any(ink(x, y) for y in range(h) for x in range(w - 3, w)),
                 "top": any(ink(x, y) for y in range(3) for x in range(w)),
                 "bottom": any(ink(x, y) for y in range(h - 3, h) for x in range(w))}
        for side, bad in sides.items():
            if bad:
                print(f"CUT {path}: {side}")
                cut += 1
    print(f"checked {len(sys.argv) - 1}")
    return 1 if cut else 0


sys.exit(main())
