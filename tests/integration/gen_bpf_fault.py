#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Traffic and oracle for tests/bpf/div_byte.c, independent of Bulwark's
code: inbound IPv4 UDP frames to port 9999 whose payload's first byte d
is the divisor and second byte n the dividend (d == 0 in about one frame
of eight: a division by zero), among frames the program does not divide
for (other ports, TCP, a one-byte payload). The oracle decides from the
bytes it wrote: a frame faults when it is UDP to 9999 with two payload
bytes and d == 0; it is dropped by the program when d != 0 and n // d is
3.

Writes into OUTDIR:
  in.pcap              every frame, in order
  expect_drop.pcap     what must come out with --on-fault drop (default):
                       the input minus faulting and dropped frames
  expect_continue.pcap with --on-fault continue: minus dropped frames
  counts.txt           "frames N", "faults N", "drops N"

usage: gen_bpf_fault.py OUTDIR [FRAMES]
"""
import os
import random
import struct
import sys

from pktlib import csum, tcp_frame, write_pcap  # noqa: E402


def udp_frame(src, dst, sport, dport, pay):
    """Ethernet/IPv4/UDP frame, checksums valid, padded to 60 bytes."""
    ulen = 8 + len(pay)
    ph = src + dst + struct.pack("!BBH", 0, 17, ulen)
    udp = struct.pack("!HHHH", sport, dport, ulen, 0)
    c = csum(ph + udp + pay) or 0xFFFF
    udp = udp[:6] + struct.pack("!H", c)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + ulen, 1, 0x4000, 64,
                     17, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    f = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip + udp + pay
    return f + b"\0" * max(0, 60 - len(f))


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 4000
    rnd = random.Random(15)
    src, dst = bytes([198, 51, 100, 7]), bytes([10, 0, 0, 9])
    marked = []  # (frame, faults, dropped by the program)
    for i in range(n):
        kind = rnd.randrange(10)
        sport = 1024 + i % 50000
        if kind < 7:
            d = 0 if rnd.randrange(8) == 0 else rnd.randrange(1, 256)
            v = rnd.randrange(256)
            pay = bytes([d, v]) + bytes(rnd.randrange(256) for _ in range(rnd.randrange(20)))
            f = udp_frame(src, dst, sport, 9999, pay)
            marked.append((f, d == 0, d != 0 and v // d == 3))
        elif kind == 7:  # another port: never divided for
            f = udp_frame(src, dst, sport, 9998, bytes([0, 3]))
            marked.append((f, False, False))
        elif kind == 8:  # one payload byte: the program stops before
            f = udp_frame(src, dst, sport, 9999, bytes([0]))
            marked.append((f, False, False))
        else:  # TCP to 9999 with a zero byte first
            f = tcp_frame(src, dst, sport, 9999, i, 0, 0x18, b"\0\x03")
            marked.append((f, False, False))
    write_pcap(os.path.join(out, "in.pcap"), [m[0] for m in marked])
    write_pcap(os.path.join(out, "expect_drop.pcap"),
               [f for f, fault, drop in marked if not fault and not drop])
    write_pcap(os.path.join(out, "expect_continue.pcap"),
               [f for f, _, drop in marked if not drop])
    with open(os.path.join(out, "counts.txt"), "w") as c:
        c.write("frames %d\n" % len(marked))
        c.write("faults %d\n" % sum(1 for m in marked if m[1]))
        c.write("drops %d\n" % sum(1 for m in marked if m[2]))


if __name__ == "__main__":
    main()
