#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Traffic and oracle for flow_state.sh: the rule
  drop tcp any any -> any any (flow:to_server,established;
      content:"CASE-DATA"; sid:1;)
against TCP flows whose session state decides it (docs/rules.md,
"Matching in the dataplane"), one flow per case, client 10.0.0.N port
40000 + N to server 192.168.1.1 port 8080, written from the rule's
documented meaning and not from the dataplane:
  handshake    SYN, SYN-ACK, ACK, then the client's data: established,
               to the server: dropped
  ackdata      SYN, SYN-ACK, then the handshake's last ACK carrying the
               data (the receiver delivers it): dropped
  reply        after the handshake the server sends the data: to the
               client, passes
  nosynack     SYN, then the client's data with ACK, no SYN-ACK seen: the
               session is not established, passes
  midstream    no handshake, the client's data twice: under the default
               --tcp-midstream drop both drop as tcp-midstream; with pass
               both pass (no session: not established); with pickup the
               first is established as Suricata's stream.midstream makes
               it, and drops, and the second with it (content-rule)
Writes into OUTDIR: in.pcap, expect-drop.pcap, expect-pass.pcap,
expect-pickup.pcap (the input minus what each mode drops) and counts.txt:
"frames N", then "MODE-REASON N" for content-rule and tcp-midstream.

usage: gen_flow_state.py OUTDIR
"""
import os
import sys

from pktlib import tcp_frame, write_pcap  # noqa: E402

DATA = b"GET /CASE-DATA HTTP/1.0\r\n\r\n"
SERVER = bytes([192, 168, 1, 1])
SYN, ACK, PA = 0x02, 0x10, 0x18
MODES = ("drop", "pass", "pickup")
RULE, MID = "content-rule", "tcp-midstream"


def flow(idx, kind):
    """[(frame, {mode: drop reason or None})] of one case."""
    cli = bytes([10, 0, 0, idx])
    cport = 40000 + idx
    cs, ss = 1000 * idx, 500000 * idx
    out = []

    def c(seq, flags, pay=b"", why=None):
        out.append((tcp_frame(cli, SERVER, cport, 8080, seq, ss + 1, flags,
                              pay), why or {}))

    def s(seq, flags, pay=b""):
        out.append((tcp_frame(SERVER, cli, 8080, cport, seq, cs + 1, flags,
                              pay), {}))

    every = dict.fromkeys(MODES, RULE)
    if kind == "midstream":
        c(cs + 1, PA, DATA, {"drop": MID, "pickup": RULE})
        c(cs + 1 + len(DATA), PA, DATA, {"drop": MID, "pickup": RULE})
        return out
    c(cs, SYN)
    if kind == "nosynack":
        c(cs + 1, PA, DATA)
        return out
    s(ss, SYN | ACK)
    if kind == "ackdata":
        c(cs + 1, PA, DATA, every)
        return out
    c(cs + 1, ACK)
    if kind == "reply":
        s(ss + 1, PA, DATA)
    else:
        c(cs + 1, PA, DATA, every)
    return out


def main():
    out = sys.argv[1]
    frames = []
    for i, k in enumerate(["handshake", "ackdata", "reply", "nosynack",
                           "midstream"]):
        frames += flow(i + 1, k)
    write_pcap(os.path.join(out, "in.pcap"), [f for f, _ in frames])
    counts = ["frames %d" % len(frames)]
    for m in MODES:
        write_pcap(os.path.join(out, "expect-%s.pcap" % m),
                   [f for f, why in frames if why.get(m) is None])
        for r in (RULE, MID):
            counts.append("%s-%s %d" % (m, r, sum(
                why.get(m) == r for _, why in frames)))
    with open(os.path.join(out, "counts.txt"), "w") as f:
        f.write("\n".join(counts) + "\n")


if __name__ == "__main__":
    main()
