#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Traffic and oracle for the TCP stream stage of the content rules: a
32-byte pattern sent by clients to port 8080 and split over TCP segments,
each flow after a three-way handshake:
  split2, split3, split10   the pattern over 2, 3 and 10 segments
  retrans                   3 segments, the first sent twice
  reorder                   3 segments sent 1, 3, 2, then 3 again: the
                            third, early, is held and passes; the second
                            fills the gap and completes the pattern in
                            stream order (dropped), the resent third
                            drops as a later segment of the flow
  overlap                   3 segments, the second repeating the last 5
                            bytes of the first
  wrongport                 the pattern over 3 segments to port 9090
  wrongbyte                 over 3 segments with one byte changed
  reply                     only the server sends the pattern
Once the pattern is complete, the client sends one more data segment and
an ACK, then the server answers. The drop rule (to_server) must drop the
segment that completes the pattern and every later client segment of that
flow; server segments pass. Writes into OUTDIR: in.pcap, expect.pcap,
counts.txt ("frames N", "drops N" of every reason, "matches N": flows
that match, "retrans N", "ahead N", "joined N", "overlap N", "flows N").

usage: gen_rules_stream.py OUTDIR
"""
import os
import sys

from pktlib import tcp_frame as frame, write_replay  # noqa: E402

PATTERN = b"BULWARK-SPLIT-PATTERN-0123456789"
SERVER = bytes([192, 168, 1, 1])


def cuts(n):
    """n pieces of PATTERN with some bytes before and after."""
    data = b"GET /x " + PATTERN + b" HTTP/1.0\r\n"
    start = len(b"GET /x ")
    bounds = [0] + [start + (i * len(PATTERN)) // n for i in range(1, n)] \
        + [len(data)]
    return [data[bounds[i]:bounds[i + 1]] for i in range(n)]


def flow(idx, kind):
    """(frames, drop flags) of one flow."""
    cli = bytes([10, 0, 0, idx])
    cport, sport = 40000 + idx, 9090 if kind == "wrongport" else 8080
    cs, ss = 1000 * idx, 500000 * idx
    out = []

    def c(seq, flags, pay, drop=False):
        out.append((frame(cli, SERVER, cport, sport, seq, ss + 1, flags,
                          pay), drop))

    def s(flags, pay):
        out.append((frame(SERVER, cli, sport, cport, ss + 1, cs + 1, flags,
                          pay), False))

    c(cs, 0x02, b"")
    out.append((frame(SERVER, cli, sport, cport, ss, cs + 1, 0x12, b""),
                False))
    c(cs + 1, 0x10, b"")
    n = {"split2": 2, "split10": 10}.get(kind, 3)
    pieces = cuts(n)
    if kind == "wrongbyte":
        pieces[1] = pieces[1][:1] + b"#" + pieces[1][2:]
    offs, o = [], cs + 1
    for p in pieces:
        offs.append(o)
        o += len(p)
    end = o
    matches = kind not in ("wrongport", "wrongbyte", "reply")
    if kind == "reply":
        c(cs + 1, 0x18, b"GET / HTTP/1.0\r\n")
        s(0x18, PATTERN)
        return out, False
    if kind == "retrans":
        order = [0, 0, 1, 2]
    elif kind == "reorder":
        order = [0, 2, 1, 2]
    else:
        order = list(range(n))
    done, have = False, set()
    for k, i in enumerate(order):
        p, seq = pieces[i], offs[i]
        if kind == "overlap" and i == 1:
            p, seq = pieces[0][-5:] + p, seq - 5
        # the segment with which every piece is in (in stream order, the
        # pattern complete), and every client segment after it, drop
        have.add(i)
        complete = len(have) == n
        drop = matches and (done or complete)
        c(seq, 0x18, p, drop)
        done = done or (matches and complete)
    c(end, 0x18, b"more data", matches)
    c(end + 9, 0x10, b"", matches)
    s(0x18, b"HTTP/1.0 200 OK\r\n")
    return out, matches


def main():
    out = sys.argv[1]
    kinds = ["split2", "split3", "split10", "retrans", "reorder", "overlap",
             "wrongport", "wrongbyte", "reply"]
    marked, matches = [], 0
    for i, k in enumerate(kinds):
        fr, m = flow(i + 1, k)
        matches += m
        marked += fr
    nb, drops = write_replay(out, marked)
    with open(os.path.join(out, "counts.txt"), "w") as f:
        f.write("frames %d\ndrops %d\nmatches %d\n" % (nb, drops, matches))
        # retrans: one duplicate; ahead: reorder's early third segment,
        # held; joined: its one chunk, scanned when the gap filled;
        # overlap: one segment; flows: one per kind
        f.write("retrans 1\nahead 1\njoined 1\noverlap 1\nflows %d\n"
                % len(kinds))


if __name__ == "__main__":
    main()
