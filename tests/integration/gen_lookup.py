#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Oracle for block-list lookups, independent of Bulwark's code: Python's
ipaddress module decides which addresses the given lists cover.

For every prefix of the lists: its first, middle and last address (must be
blocked) and the addresses just outside it (must pass unless another prefix
covers them). Writes:
  in.pcap       one UDP frame per probe; even probes carry the address as
                source, odd ones as destination (the lists match either)
  expect.pcap   the frames that must come out (probes that pass)
  probes.txt    "ADDRESS blocked|pass" per probe
  counts.txt    "probes N", "blocked N", "passed N"

usage: gen_lookup.py OUTDIR LISTFILE...
"""
import ipaddress
import struct
import sys

from pktlib import csum, write_pcap  # noqa: E402

OTHER4 = ipaddress.ip_address("192.0.2.77")   # TEST-NET-1: in no list
OTHER6 = ipaddress.ip_address("2001:db8::77")  # documentation: in no list


def read_list(path):
    nets = []
    for line in open(path, encoding="ascii"):
        line = line.split(";")[0].split("#")[0].strip()
        if line:
            nets.append(ipaddress.ip_network(line, strict=True))
    return nets


def covered(addr, nets_by_ver):
    return any(addr in n for n in nets_by_ver[addr.version])


def frame(src, dst, i):
    mac = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01"
    payload = b"probe%06d" % i
    udp = struct.pack("!HHHH", 40000 + i % 1000, 53, 8 + len(payload), 0) + payload
    if src.version == 4:
        h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i & 0xFFFF, 0,
                        64, 17, 0, src.packed, dst.packed)
        h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
        f = mac + b"\x08\x00" + h + udp
    else:
        h = struct.pack("!IHBB", 6 << 28, len(udp), 17, 64) + src.packed + dst.packed
        f = mac + b"\x86\xdd" + h + udp
    return f + b"\0" * max(0, 60 - len(f))


def main():
    outdir, paths = sys.argv[1], sys.argv[2:]
    nets = {4: [], 6: []}
    for p in paths:
        for n in read_list(p):
            nets[n.version].append(n)
    assert not covered(OTHER4, nets) and not covered(OTHER6, nets)
    probes = []
    for ver in (4, 6):
        for n in nets[ver]:
            first, last = n.network_address, n.broadcast_address
            mid = first + (n.num_addresses // 2)
            probes += [(first, True), (mid, True), (last, True)]
            maxa = ipaddress.ip_address((1 << (32 if ver == 4 else 128)) - 1)
            for a in ((first - 1) if int(first) > 0 else None,
                      (last + 1) if last != maxa else None):
                if a is not None:
                    probes.append((a, covered(a, nets)))
    frames_in, frames_out, lines = [], [], []
    for i, (a, blocked) in enumerate(probes):
        other = OTHER4 if a.version == 4 else OTHER6
        f = frame(a, other, i) if i % 2 == 0 else frame(other, a, i)
        frames_in.append(f)
        if not blocked:
            frames_out.append(f)
        lines.append("%s %s\n" % (a, "blocked" if blocked else "pass"))
    write_pcap(outdir + "/in.pcap", frames_in)
    write_pcap(outdir + "/expect.pcap", frames_out)
    with open(outdir + "/probes.txt", "w") as f:
        f.writelines(lines)
    nb = sum(1 for _, b in probes if b)
    with open(outdir + "/counts.txt", "w") as f:
        f.write("probes %d\nblocked %d\npassed %d\n" % (len(probes), nb, len(probes) - nb))


main()
