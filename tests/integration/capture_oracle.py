#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Oracle for captures (docs/events.md, "Captures"), independent of
Bulwark's code: tshark reads the pcapng (fields, and a classic pcap copy
for the bytes), gen_rules_ics's sid_of() decides which frames of the
input the five IEC-104 drop rules drop and for which sid.

usage: capture_oracle.py IN.pcap CAP.pcapng MODE [ARG]
  MODE stretch    the packets are, in order, a stretch of the oracle's
                  dropped frames (cyclic: the replay repeats), whole, each
                  commented "reason=content-rule sid=SID"
  MODE drops      each packet is a frame the oracle drops, commented
                  with its sid (the ring may have lost some between)
  MODE sid S      each packet is a frame the oracle drops for sid S
  MODE passed     each packet is a frame the oracle passes, "passed"
  MODE snap L     each packet is the first L bytes of a dropped frame,
                  its original length recorded
  MODE list NAME=ADDR  each packet is a frame of the input from or to
                  ADDR, commented "reason=blocklist list=NAME"
Prints the number of packets that break the rule (0: all hold), and the
number of packets on stderr.
"""
import os
import struct
import subprocess
import sys
import tempfile

from gen_rules_ics import sid_of
from pktlib import read_pcap


def tshark_packets(path):
    out = subprocess.run(
        ["tshark", "-r", path, "-T", "fields", "-E", "separator=|",
         "-e", "frame.len", "-e", "frame.cap_len", "-e", "frame.comment"],
        check=True, capture_output=True, text=True).stdout
    meta = []
    for line in out.splitlines():
        ln, cl, comment = line.split("|", 2)
        meta.append((int(ln), int(cl), comment))
    with tempfile.TemporaryDirectory() as d:
        copy = os.path.join(d, "c.pcap")
        subprocess.run(["tshark", "-r", path, "-F", "pcap", "-w", copy],
                       check=True, capture_output=True)
        b = open(copy, "rb").read()
    e = "<" if struct.unpack("<I", b[:4])[0] in (0xA1B2C3D4, 0xA1B23C4D) \
        else ">"
    data, off = [], 24
    while off + 16 <= len(b):
        _, _, caplen, _ = struct.unpack(e + "IIII", b[off:off + 16])
        data.append(b[off + 16:off + 16 + caplen])
        off += 16 + caplen
    assert len(data) == len(meta), (len(data), len(meta))
    return [(m[0], m[1], m[2], d) for m, d in zip(meta, data)]


def main():
    inp, cap, mode = sys.argv[1:4]
    arg = sys.argv[4] if len(sys.argv) > 4 else None
    frames = list(read_pcap(inp))
    drops = [(f, sid_of(f)) for f in frames if sid_of(f) is not None]
    passed = {f for f in frames if sid_of(f) is None}
    by_bytes = {f: s for f, s in drops}
    pk = tshark_packets(cap)
    print(len(pk), file=sys.stderr)
    bad = 0
    if mode == "stretch":
        best = len(pk) + 1
        for s in range(len(drops)):
            miss = 0
            for k, (ln, cl, com, d) in enumerate(pk):
                f, sid = drops[(s + k) % len(drops)]
                if d != f or ln != len(f) or \
                        com != "reason=content-rule sid=%d" % sid:
                    miss += 1
            best = min(best, miss)
        bad = best if pk else 1
    elif mode == "drops":
        for ln, cl, com, d in pk:
            if d not in by_bytes or \
                    com != "reason=content-rule sid=%d" % by_bytes[d]:
                bad += 1
        bad += 0 if pk else 1
    elif mode == "sid":
        for ln, cl, com, d in pk:
            if by_bytes.get(d) != int(arg) or \
                    com != "reason=content-rule sid=%s" % arg:
                bad += 1
    elif mode == "passed":
        for ln, cl, com, d in pk:
            if d not in passed or com != "passed" or ln != len(d):
                bad += 1
    elif mode == "snap":
        snap = int(arg)
        for ln, cl, com, d in pk:
            full = [f for f, _ in drops if f[:snap] == d and len(f) == ln]
            if cl != min(snap, ln) or len(d) != cl or not full:
                bad += 1
    elif mode == "list":
        import ipaddress
        from pktlib import ip_of
        name, addr = arg.split("=")
        addr = ipaddress.ip_address(addr)
        every = set(frames)
        for ln, cl, com, d in pk:
            ip = ip_of(d)
            ends = () if ip is None else (ipaddress.ip_address(ip[3]),
                                          ipaddress.ip_address(ip[4]))
            if d not in every or addr not in ends or \
                    com != "reason=blocklist list=%s" % name:
                bad += 1
        bad += 0 if pk else 1
    else:
        raise SystemExit("unknown mode " + mode)
    print(bad)


main()
