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
and UDP flows, for the alert rules (content "UDPPROBE")
  sid 2 flow:to_server   sid 3 flow:to_client   sid 4 flow:established
  sid 5 flow:to_server,established
whose client is the source of a flow's first datagram and which is
established once datagrams went both ways, that one included (Suricata
user guide, "Flow Keywords": to_server/to_client follow the flow's
client and server; UDP is established after traffic both ways):
  udp-lo       client 10.0.1.1:50001, the lower address, to
               192.168.2.1:53: query, answer, query, answer
  udp-hi       client 192.168.9.9:53 (the higher address, the lower
               port) to 10.0.1.2:60000: the same four
  udp-oneway   client 10.0.1.3:50003 to 192.168.2.1:53 twice, no answer
The UDP hits do not depend on --tcp-midstream.
flood/ (a UDP flood against a small table, --flows 8, of which non-TCP
flows may take a quarter): a TCP client's SYN, then 40 UDP datagrams
from 40 sources (each a new flow; those the table has no room for are
their flow's first packet: to the server, not established), then the
SYN-ACK, the ACK and the client's data, which must still be established
and dropped: the flood may not evict the TCP flow in its handshake.
Writes into OUTDIR: in.pcap, expect-drop.pcap, expect-pass.pcap,
expect-pickup.pcap (the input minus what each mode drops) and counts.txt:
"frames N", then "MODE-REASON N" for content-rule and tcp-midstream,
"MODE-only N" (the hits of a flow:only_stream alert rule on CASE-DATA:
the TCP segments whose data a stream takes), then
"hits-SID N" for sids 2 to 5.

usage: gen_flow_state.py OUTDIR
"""
import os
import sys

import struct

from pktlib import csum, tcp_frame, write_pcap  # noqa: E402

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

    def c(seq, flags, pay=b"", why=None, only=MODES):
        why = dict(why or {})
        if pay:  # the modes whose stream takes it: the only_stream rule
            why["_only"] = only
        out.append((tcp_frame(cli, SERVER, cport, 8080, seq, ss + 1, flags,
                              pay), why))

    def s(seq, flags, pay=b""):
        out.append((tcp_frame(SERVER, cli, 8080, cport, seq, cs + 1, flags,
                              pay), {"_only": MODES} if pay else {}))

    every = dict.fromkeys(MODES, RULE)
    if kind == "midstream":
        # no stream without pickup; with it the first feeds one, and its
        # drop marks the flow: the second never reaches the stream
        c(cs + 1, PA, DATA, {"drop": MID, "pickup": RULE}, ("pickup",))
        c(cs + 1 + len(DATA), PA, DATA, {"drop": MID, "pickup": RULE}, ())
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


def udp_frame(src, dst, sport, dport, pay):
    """Ethernet/IPv4/UDP frame, checksums valid, padded to 60 bytes."""
    udp = struct.pack("!HHHH", sport, dport, 8 + len(pay), 0)
    ph = src + dst + struct.pack("!BBH", 0, 17, len(udp) + len(pay))
    c = csum(ph + udp + pay) or 0xFFFF
    udp = udp[:6] + struct.pack("!H", c)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp) + len(pay), 1,
                     0x4000, 64, 17, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    f = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip + udp + pay
    return f + b"\0" * max(0, 60 - len(f))


UDP_CASES = [  # (client, cport, server, sport, directions: c or s)
    (bytes([10, 0, 1, 1]), 50001, bytes([192, 168, 2, 1]), 53, "cscs"),
    (bytes([192, 168, 9, 9]), 53, bytes([10, 0, 1, 2]), 60000, "cscs"),
    (bytes([10, 0, 1, 3]), 50003, bytes([192, 168, 2, 1]), 53, "cc"),
]


def udp_flows():
    """[(frame, set of sids 2-5 that hit)]: the oracle tracks each flow
    by its client, the first sender, and the directions seen."""
    out = []
    for cli, cp, srv, sp, dirs in UDP_CASES:
        seen = set()
        for d in dirs:
            seen.add(d)
            est = seen == {"c", "s"}
            if d == "c":
                f = udp_frame(cli, srv, cp, sp, b"UDPPROBE query")
                hit = {2} | ({4, 5} if est else set())
            else:
                f = udp_frame(srv, cli, sp, cp, b"UDPPROBE answer")
                hit = {3} | ({4} if est else set())
            out.append((f, hit))
    return out


def main():
    out = sys.argv[1]
    frames = []
    for i, k in enumerate(["handshake", "ackdata", "reply", "nosynack",
                           "midstream"]):
        frames += flow(i + 1, k)
    udp = udp_flows()
    frames += [(f, {}) for f, _ in udp]
    write_pcap(os.path.join(out, "in.pcap"), [f for f, _ in frames])
    counts = ["frames %d" % len(frames)]
    for sid in (2, 3, 4, 5):
        counts.append("hits-%d %d" % (sid, sum(sid in h for _, h in udp)))
    for m in MODES:
        write_pcap(os.path.join(out, "expect-%s.pcap" % m),
                   [f for f, why in frames if why.get(m) is None])
        for r in (RULE, MID):
            counts.append("%s-%s %d" % (m, r, sum(
                why.get(m) == r for _, why in frames)))
        counts.append("%s-only %d" % (m, sum(
            m in why.get("_only", ()) for _, why in frames)))
    cli, srv = bytes([10, 0, 9, 1]), bytes([192, 168, 1, 1])
    flood = [tcp_frame(cli, srv, 40999, 8080, 7000, 0, SYN, b"")]
    for k in range(40):
        flood.append(udp_frame(bytes([172, 16, 1, 10 + k]), srv, 5000 + k,
                               53, b"UDPPROBE flood"))
    flood.append(tcp_frame(srv, cli, 8080, 40999, 9000, 7001, SYN | ACK,
                           b""))
    flood.append(tcp_frame(cli, srv, 40999, 8080, 7001, 9001, ACK, b""))
    data = tcp_frame(cli, srv, 40999, 8080, 7001, 9001, PA, DATA)
    os.makedirs(os.path.join(out, "flood"), exist_ok=True)
    write_pcap(os.path.join(out, "flood", "in.pcap"), flood + [data])
    write_pcap(os.path.join(out, "flood", "expect.pcap"), flood)
    counts += ["flood-frames %d" % (len(flood) + 1), "flood-hits-2 40"]
    with open(os.path.join(out, "counts.txt"), "w") as f:
        f.write("\n".join(counts) + "\n")


if __name__ == "__main__":
    main()
