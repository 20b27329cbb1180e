#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Traffic and oracle for the end of a TCP stream: rules that Hyperscan
can only decide when a direction's data ends, each flow after a three-way
handshake, the client's data in two segments.

Rules (rules_eod.sh):
  9101 drop, port 7000: "PASS " then at least 40 bytes and no newline
       within 40 bytes of it (a buffer overflow signature)
  9102 alert, port 7001: "HELLO" and nowhere "AGENT"

Flows:
  long      7000: "PASS " + 30 x A | 30 x A, client FIN: 9101 at the FIN
  newline   7000: "PASS " + 10 x A + LF + 19 x B | 30 x B, FIN: nothing
  open      7000: as long, but no FIN: the data never ends, nothing
  reset     7000: as long, ending with the client's RST: 9101 at the RST
  srvreset  7000: as long, ending with the server's RST, which ends the
                  client's data too: 9101 counts at that RST, which passes
                  (it goes to the client)
  late      7000: as long, but the client's bare FIN overtakes its second
                  segment: that FIN is dropped as out of order (counted
                  "ooo"), the second segment passes, 9101 at the client's
                  FIN sent again
  hello     7001: "HELLO " | "world", FIN: 9102 at the FIN
  agent     7001: "HELLO " | "AGENT", FIN: nothing (a scan of the first
                  segment alone would have matched)
The drop rule drops the client's FIN (or RST, or the segment that a FIN
overtook); server segments pass, and so does the client's last ACK: with
FIN seen both ways the flow has left the table. Writes into OUTDIR: in.pcap,
expect.pcap, counts.txt ("frames N", "drops N" of every reason, "hits9101
N", "hits9102 N", "ooo N": the tcp-out-of-order drops among them).

usage: gen_rules_eod.py OUTDIR
"""
import os
import sys

from pktlib import tcp_frame, write_replay  # noqa: E402

SERVER = bytes([192, 168, 2, 1])


def flow(idx, kind):
    """(frames, drop flags, 9101 hits, 9102 hits) of one flow."""
    cli = bytes([10, 0, 1, idx])
    cport = 41000 + idx
    sport = 7001 if kind in ("hello", "agent") else 7000
    cs, ss = 1000 * idx + 7, 600000 * idx + 3
    out = []
    state = {"cseq": cs + 1, "dropping": False, "ooo": 0}

    def c(flags, pay=b"", drop=False):
        state["dropping"] = state["dropping"] or drop
        out.append((tcp_frame(cli, SERVER, cport, sport, state["cseq"],
                              ss + 1, flags, pay), state["dropping"]))
        state["cseq"] += len(pay) + (1 if flags & 0x01 else 0)

    def s(flags, seq, pay=b""):
        out.append((tcp_frame(SERVER, cli, sport, cport, seq,
                              state["cseq"], flags, pay), False))

    out.append((tcp_frame(cli, SERVER, cport, sport, cs, 0, 0x02, b""),
                False))
    s(0x12, ss)
    c(0x10)
    if kind == "newline":
        parts = [b"PASS " + b"A" * 10 + b"\n" + b"B" * 19, b"B" * 30]
    elif kind == "hello":
        parts = [b"HELLO ", b"world"]
    elif kind == "agent":
        parts = [b"HELLO ", b"AGENT"]
    else:
        parts = [b"PASS " + b"A" * 30, b"A" * 30]
    if kind == "late":
        # data 1, the FIN where the data ends (ahead of data 2: dropped as
        # out of order, the normalizer keeps no segment ahead), data 2
        # (the data has not ended: nothing yet), the client's FIN again
        c(0x18, parts[0])
        seq2 = state["cseq"]
        state["cseq"] += len(parts[1])
        out.append((tcp_frame(cli, SERVER, cport, sport, state["cseq"],
                              ss + 1, 0x11, b""), True))
        state["ooo"] += 1
        state["cseq"] = seq2
        c(0x18, parts[1])
        c(0x11, drop=True)
        state["dropping"] = False
        s(0x11, ss + 1)
        c(0x10)
        return out, 1, 0, state["ooo"]
    for p in parts:
        c(0x18, p)
    s(0x10, ss + 1)
    h1 = int(kind in ("long", "reset", "srvreset"))
    h2 = int(kind == "hello")
    if kind == "open":
        c(0x10)
        s(0x18, ss + 1, b"OK\r\n")
        return out, h1, h2, 0
    if kind == "reset":
        c(0x14, drop=True)
        return out, h1, h2, 0
    if kind == "srvreset":
        s(0x14, ss + 1)
        return out, h1, h2, 0
    c(0x11, drop=kind == "long")
    s(0x11, ss + 1)
    # FIN both ways: the flow leaves the table, its drop mark with it
    state["dropping"] = False
    c(0x10)
    return out, h1, h2, 0


def main():
    out = sys.argv[1]
    kinds = ["long", "newline", "open", "reset", "srvreset", "late",
             "hello", "agent"]
    marked, h1, h2, ooo = [], 0, 0, 0
    for i, k in enumerate(kinds):
        fr, a, b, o = flow(i + 1, k)
        h1 += a
        h2 += b
        ooo += o
        marked += fr
    nb, drops = write_replay(out, marked)
    with open(os.path.join(out, "counts.txt"), "w") as f:
        f.write("frames %d\ndrops %d\nhits9101 %d\nhits9102 %d\n"
                "ooo %d\n" % (nb, drops, h1, h2, ooo))


if __name__ == "__main__":
    main()
