#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Hostile fragment soup for frag.sh: OUTDIR/soup.pcap, N frames (seeded,
reproducible) of IPv4 and IPv6 fragments from a handful of keys, at random
offsets and lengths (overlapping, duplicated, past 65535, not in 8-byte
units, empty), with random "more" flags and protocols, some with IPv6
extension headers before the fragment header, some cut short, some whole
datagrams completing from the pieces. No verdict is predicted: the test
checks that the dataplane survives it and accounts for every frame."""
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pktlib import csum, write_pcap  # noqa: E402

ETH4 = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00"
ETH6 = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x86\xdd"


def v4(r, key, off, chunk, more, proto):
    src, dst, ident = key
    field = (0x2000 if more else 0) | ((off // 8) & 0x1FFF)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(chunk), ident,
                     field, 64, proto, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ETH4 + ip + chunk


def v6(r, key, off, chunk, more, proto):
    src, dst, ident = key
    exts = b""
    first = 44
    if r.random() < 0.4:
        exts = bytes([60, 0, 1, 4, 0, 0, 0, 0]) + bytes([44, 0, 1, 4, 0, 0,
                                                          0, 0])
        first = 0
    fh = struct.pack("!BBHI", proto, 0, (off & 0xFFF8) | (1 if more else 0),
                     ident)
    ip = struct.pack("!IHBB16s16s", 6 << 28, len(exts) + 8 + len(chunk),
                     first, 64, src, dst)
    return ETH6 + ip + exts + fh + chunk


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    r = random.Random(1858)
    keys4 = [(bytes([192, 0, 2, r.randrange(1, 4)]), bytes([198, 51, 100, 1]),
              r.randrange(1, 6)) for _ in range(6)]
    keys6 = [(b"\x20\x01\x0d\xb8" + bytes(11) + bytes([r.randrange(1, 4)]),
              b"\x20\x01\x0d\xb8" + bytes(11) + b"\x09", r.randrange(1, 6))
             for _ in range(6)]
    frames = []
    while len(frames) < n:
        six = r.random() < 0.5
        key = r.choice(keys6 if six else keys4)
        proto = r.choice((17, 17, 6, 1, 58 if six else 1))
        if r.random() < 0.2:
            # a whole datagram, cut in order or shuffled
            data = bytes(r.randrange(256) for _ in range(r.randrange(9, 3000)))
            cuts = sorted({r.randrange(1, len(data) // 8 + 1) * 8
                           for _ in range(r.randrange(1, 14))} - {len(data)})
            cuts = [c for c in cuts if c < len(data)]
            bounds = [0] + cuts + [len(data)]
            parts = [(bounds[i], data[bounds[i]:bounds[i + 1]],
                      i < len(bounds) - 2) for i in range(len(bounds) - 1)]
            if r.random() < 0.5:
                r.shuffle(parts)
            for off, chunk, more in parts:
                f = (v6 if six else v4)(r, key, off, chunk, more, proto)
                frames.append(f)
            continue
        off = r.choice((0, 8, 16, 1480, 65528, r.randrange(0, 65536)))
        ln = r.choice((0, 1, 7, 8, 16, 24, 1480, r.randrange(0, 1500)))
        more = r.random() < 0.6
        chunk = bytes(r.randrange(256) for _ in range(ln))
        f = (v6 if six else v4)(r, key, off, chunk, more, proto)
        if r.random() < 0.05:
            f = f[:r.randrange(14, len(f))]
        frames.append(f + b"\0" * max(0, 60 - len(f)))
    write_pcap(os.path.join(out, "soup.pcap"), frames[:n])


if __name__ == "__main__":
    main()
