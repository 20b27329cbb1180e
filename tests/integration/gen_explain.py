#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Probes for explain.sh: TCP and UDP frames taken apart here (pktlib's
decoder, not Bulwark's) into the operands of `bulwarkctl explain`.

usage: gen_explain.py OUTDIR PCAP...
Writes OUTDIR/probes.pcap (the frames kept, in order), OUTDIR/probes.txt
("N SRC DST PROTO SPORT DPORT" per frame) and OUTDIR/payload/N (its L4
payload). Kept: unfragmented IPv4/IPv6 TCP and UDP frames whose headers
are whole.
"""
import ipaddress
import os
import struct
import sys

from pktlib import ip_of, read_pcap, write_pcap  # noqa: E402


def main():
    out, paths = sys.argv[1], sys.argv[2:]
    os.makedirs(os.path.join(out, "payload"), exist_ok=True)
    kept, lines = [], []
    for p in paths:
        for f in read_pcap(p):
            ip = ip_of(f)
            if ip is None:
                continue
            proto, l4, end, src, dst, frag = ip
            if proto not in (6, 17) or (frag & 0x3FFF) != 0:
                continue
            if proto == 6:
                if l4 + 20 > end:
                    continue
                hl = (f[l4 + 12] >> 4) * 4
                if hl < 20 or l4 + hl > end:
                    continue
                pay = f[l4 + hl:end]
            else:
                if l4 + 8 > end:
                    continue
                pay = f[l4 + 8:end]
            sport, dport = struct.unpack("!HH", f[l4:l4 + 4])
            n = len(kept)
            kept.append(f)
            lines.append("%d %s %s %s %d %d" % (
                n, ipaddress.ip_address(src), ipaddress.ip_address(dst),
                "tcp" if proto == 6 else "udp", sport, dport))
            with open(os.path.join(out, "payload", str(n)), "wb") as o:
                o.write(pay)
    write_pcap(os.path.join(out, "probes.pcap"), kept)
    with open(os.path.join(out, "probes.txt"), "w") as o:
        o.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
