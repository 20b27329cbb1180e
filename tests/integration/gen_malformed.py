#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write a capture of well-formed and malformed frames, and the captures the
dataplane must produce from it under the default policy and under
"--malformed tcp-bad-data-offset=pass --malformed l2-truncated=pass".
Independent of the decoder: frames are built byte by byte here.

usage: gen_malformed.py DIR   (writes in.pcap, expect-default.pcap,
                               expect-pass.pcap, counts.txt)
"""
import struct
import sys

from pktlib import csum, write_pcap  # noqa: E402

MAC = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01"


def ipv4(proto, l4, tot_len=None, src=b"\xc6\x12\x00\x01", dst=b"\xc6\x13\x00\x01"):
    tl = 20 + len(l4) if tot_len is None else tot_len
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tl, 1, 0, 64, proto, 0, src, dst)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return MAC + b"\x08\x00" + h + l4


def udp(payload, sport=40000, dport=53):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def tcp(doff, payload=b""):
    hdr = struct.pack("!HHIIBBHHH", 40001, 502, 1, 0, doff << 4, 0x18, 8192, 0, 0)
    return hdr + payload


def ipv6_dstopts_chain(n, l4_proto, l4):
    exts = b""
    for i in range(n):
        nh = 60 if i + 1 < n else l4_proto
        exts += bytes([nh, 0]) + b"\x01\x04\0\0\0\0"  # PadN
    plen = len(exts) + len(l4)
    h = struct.pack("!IHBB", 6 << 28, plen, 60 if n else l4_proto, 64)
    h += b"\xfd" + b"\0" * 14 + b"\x01" + b"\xfd" + b"\0" * 14 + b"\x02"
    return MAC + b"\x86\xdd" + h + exts + l4


def arp():
    body = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + MAC[6:] + b"\xc6\x12\0\1" + b"\0" * 6 + b"\xc6\x12\0\2"
    return b"\xff" * 6 + MAC[6:] + b"\x08\x06" + body


def qinq_icmp():
    icmp = struct.pack("!BBHHH", 8, 0, 0, 7, 1) + b"ping"
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    f = ipv4(1, icmp)
    return f[:12] + b"\x88\xa8\x00\x64" + b"\x81\x00\x00\xc8" + f[12:]


def pad(f):
    return f + b"\0" * max(0, 60 - len(f))


# (frame, reason or None)
FRAMES = []
for i in range(4):
    FRAMES.append((pad(ipv4(17, udp(b"good%d" % i))), None))
for i in range(3):
    FRAMES.append((pad(ipv4(17, udp(b"short"), tot_len=200 + i)), "ipv4-bad-total-length"))
for doff in (3, 15):
    FRAMES.append((pad(ipv4(6, tcp(doff, b"x" * 4))), "tcp-bad-data-offset"))
FRAMES.append((arp(), None))
FRAMES.append((MAC[:10], "l2-truncated"))
for i in range(2):
    FRAMES.append((ipv6_dstopts_chain(9, 17, udp(b"deep")), "ipv6-ext-chain-too-long"))
FRAMES.append((ipv6_dstopts_chain(8, 17, udp(b"ok8")), None))
FRAMES.append((pad(qinq_icmp()), None))

PASS_POLICY = {"tcp-bad-data-offset", "l2-truncated"}


def main():
    d = sys.argv[1]
    write_pcap(d + "/in.pcap", [f for f, _ in FRAMES])
    write_pcap(d + "/expect-default.pcap", [f for f, r in FRAMES if r is None])
    write_pcap(d + "/expect-pass.pcap",
               [f for f, r in FRAMES if r is None or r in PASS_POLICY])
    counts = {}
    for _, r in FRAMES:
        if r:
            counts[r] = counts.get(r, 0) + 1
    with open(d + "/counts.txt", "w") as f:
        for r, n in sorted(counts.items()):
            f.write("%s %d\n" % (r, n))


main()
