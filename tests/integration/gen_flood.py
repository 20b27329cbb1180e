#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Traffic for the flow-table flood test (evasion_flood.sh): many
connections to port 80 fill a small flow table, and among them an attack
(the pattern split over two segments, flood packets between them) and a
control flow (CLEAN in three parts). KIND:
  syn  3000 SYNs from distinct clients, never answered: flows that never
       complete a handshake, which a full table evicts first
  est  3000 completed handshakes: established flows, which a full table
       keeps, so the attack's and the control's SYNs find no entry
Writes OUTDIR/in.pcap and OUTDIR/cases.txt (as gen_evasion.py does).

usage: gen_flood.py OUTDIR syn|est
"""
import os
import sys

from gen_evasion import ACK, CLEAN, SYN, Flow, segment  # noqa: E402
from pktlib import write_pcap  # noqa: E402

NB = 3000


def flood(kind, lo, hi):
    """The flood's frames for clients lo .. hi - 1."""
    out = []
    for n in range(lo, hi):
        cli = bytes([10, 1, n >> 8, n & 0xFF])
        srv = bytes([192, 168, 1, 80])
        ports = (20000 + n % 40000, 80)
        out.append(segment(cli, srv, ports, n * 7919, 0, SYN, b""))
        if kind == "est":
            out.append(segment(srv, cli, ports[::-1], n * 104729,
                               n * 7919 + 1, SYN | ACK, b""))
            out.append(segment(cli, srv, ports, n * 7919 + 1,
                               n * 104729 + 1, ACK, b""))
    return out


def main():
    out, kind = sys.argv[1], sys.argv[2]
    frames = flood(kind, 0, NB // 2)
    atk = Flow(1)
    atk.handshake()
    atk.c(b"GET /?q=EVIL-")
    frames += atk.frames
    frames += flood(kind, NB // 2, NB)
    atk.frames = []
    atk.c(b"PAYLOAD HTTP/1.0\r\n\r\n")
    frames += atk.frames
    ctl = Flow(2)
    ctl.handshake()
    ctl.pieces([CLEAN[:9], CLEAN[9:30], CLEAN[30:]], [0, 1, 2])
    frames += ctl.frames
    write_pcap(os.path.join(out, "in.pcap"), frames)
    with open(os.path.join(out, "cases.txt"), "w") as f:
        f.write("frames %d\n" % len(frames))
        f.write("attack %s\n" % atk.key())
        f.write("control %s %s\n" % (ctl.key(), CLEAN.hex()))


if __name__ == "__main__":
    main()
