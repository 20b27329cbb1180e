#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Oracle for the example eBPF programs (examples/bpf), independent of
Bulwark's code: it parses the frames itself and decides which ones each
program must drop when they arrive from the outside port.

Input: the ICS captures given (classic pcap, Ethernet), then crafted TCP
scan probes (SYN+FIN, NULL, XMAS, and normal segments around them).
Writes into OUTDIR:
  in.pcap             every frame, in order
  expect_NAME.pcap    what must come out with program NAME alone
                      (NAME: modbus_write, dnp3_restart, tcp_flags)
  expect_all.pcap     what must come out with the three together
  counts.txt          "frames N", "NAME N" (drops), "all N"

usage: gen_bpf.py OUTDIR PCAP...
"""
import struct
import sys

from pktlib import csum, ip_of, read_pcap, write_pcap  # noqa: E402

MODBUS_WRITES = {5, 6, 15, 16, 22, 23}
DNP3_RESTARTS = {13, 14}


def parse(b):
    """(proto, dport, tcp_flags, payload) of an IPv4/IPv6 TCP or UDP frame,
    or None. Later IPv4 fragments have no L4 header."""
    ip = ip_of(b)
    if ip is None or ip[5] & 0x1FFF:
        return None
    proto, l4, end = ip[:3]
    if proto == 6 and l4 + 20 <= end:
        hl, flags = (b[l4 + 12] >> 4) * 4, b[l4 + 13]
    elif proto == 17 and l4 + 8 <= end:
        hl, flags = 8, 0
    else:
        return None
    if l4 + hl > end:
        return None
    dport = struct.unpack("!H", b[l4 + 2:l4 + 4])[0]
    return proto, dport, flags, b[l4 + hl:end]


def modbus_write(p):
    proto, dport, _, pay = p
    return (proto == 6 and dport == 502 and len(pay) >= 8
            and pay[2:4] == b"\0\0" and pay[7] in MODBUS_WRITES)


def dnp3_restart(p):
    _, dport, _, pay = p
    return (dport == 20000 and len(pay) >= 13 and pay[0] == 0x05
            and pay[1] == 0x64 and pay[2] >= 8 and pay[3] & 0x40
            and pay[3] & 0x0F in (3, 4) and pay[10] & 0x40
            and pay[12] in DNP3_RESTARTS)


def tcp_flags(p):
    proto, _, f, _ = p
    return proto == 6 and ((f & 0x03) == 0x03 or (f & 0x3F) == 0
                           or (f & 0x29) == 0x29)


RULES = {"modbus_write": modbus_write, "dnp3_restart": dnp3_restart,
         "tcp_flags": tcp_flags}


def probe(i, flags):
    """A TCP segment with the given flags from a scanner at 203.0.113.5."""
    tcp = struct.pack("!HHIIBBHHH", 33000 + i, 80 + i % 3, i, 0, 5 << 4,
                      flags, 1024, 0, 0)
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), i, 0, 48, 6,
                    0, bytes([203, 0, 113, 5]), bytes([192, 0, 2, 10]))
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    f = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + h + tcp
    return f + b"\0" * max(0, 60 - len(f))


def main():
    out, pcaps = sys.argv[1], sys.argv[2:]
    frames = [fr for p in pcaps for fr in read_pcap(p)]
    # nmap -sF -sN -sX and friends, between ordinary segments
    for i, fl in enumerate([0x02, 0x03, 0x12, 0x00, 0x10, 0x29, 0x18,
                            0x2B, 0x01, 0xC0, 0x3F, 0x04, 0x11, 0x07]):
        frames.append(probe(i, fl))
    parsed = [parse(fr) for fr in frames]
    counts = ["frames %d" % len(frames)]
    for name, rule in RULES.items():
        keep = [fr for fr, p in zip(frames, parsed)
                if p is None or not rule(p)]
        write_pcap("%s/expect_%s.pcap" % (out, name), keep)
        counts.append("%s %d" % (name, len(frames) - len(keep)))
    keep = [fr for fr, p in zip(frames, parsed)
            if p is None or not any(r(p) for r in RULES.values())]
    write_pcap("%s/expect_all.pcap" % out, keep)
    counts.append("all %d" % (len(frames) - len(keep)))
    write_pcap("%s/in.pcap" % out, frames)
    open("%s/counts.txt" % out, "w").write("\n".join(counts) + "\n")


main()
