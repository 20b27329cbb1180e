#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Table-driven conformance with Suricata's documented verdicts
(conformance.sh). Each row of CASES is one flow: the rule it exercises,
the line of Suricata's user guide that decides it, and its packets, each
marked with the sids that must hit it (written by hand from that line,
not from the dataplane). Flows are independent: client 10.0.3.N, port
42000 + N, to 192.168.3.1 on the rule's port.

The oracle of drops: a packet a drop rule hits is dropped, and so is
every later packet of its flow direction (docs/rules.md, "TCP streams":
the direction is marked); under --tcp-midstream drop a data segment of a
flow without a handshake is dropped as tcp-midstream (no hit).

Writes into OUTDIR for each MODE (drop: the default --tcp-midstream,
pickup): in.pcap (every mode replays the same), expect-MODE.pcap and
counts.txt lines "frames N", "MODE-drops N", "MODE-hits-SID N".

usage: gen_conformance.py OUTDIR
"""
import os
import sys

from pktlib import tcp_frame, write_pcap  # noqa: E402

SERVER = bytes([192, 168, 3, 1])
SYN, ACK, PA, FA, F = 0x02, 0x10, 0x18, 0x11, 0x01
MODES = ("drop", "pickup")

# sid: (action, port (negative: the source port), rule body)
RULES = {
    # ET 2000488 (MS-SQL injection), two terms
    101: ("drop", 1433, "flow:to_server,established; content:\"'|00|\"; "
          "content:\"-|00|-|00|\";"),
    # ET 2019323 (OpenVPN CVE-2014-6271), an anchored term and another
    102: ("drop", 1194, "flow:to_server,established; content:\"|20|\"; "
          "depth:1; content:\"|28 29 20 7b|\"; fast_pattern;"),
    # ET 2022116 (ysoserial), three terms, one relative
    103: ("drop", 8009, "flow:to_server,established; "
          "content:\"|ac ed 00 05 73 72 00|\"; fast_pattern; "
          "content:\"java/io/Serializable\"; nocase; distance:0; "
          "content:\"ysoserial/payloads/util/Gadgets\";"),
    # a negated term on the stream only: decided at the end of the data
    104: ("drop", 7001, "flow:to_server,established,only_stream; "
          "content:\"HELLO\"; content:!\"AGENT\";"),
    # session state and direction, header only
    105: ("alert", 8081, "flow:to_server,established;"),
    106: ("alert", 8082, "flow:to_server,established; "
          "content:\"CONF-PROBE\";"),
    107: ("alert", -8082, "flow:to_client; content:\"CONF-PROBE\";"),
    108: ("alert", 8083, "flow:to_server,established;"),
    # per PDU: packet and stream inspection
    109: ("alert", 445, "flow:to_server,established; content:\"SMB\"; "
          "depth:8;"),
    # the same pattern, packet only and stream only
    110: ("alert", 7002, "flow:to_server,established,no_stream; "
          "content:\"SPLIT-ME-NOW\";"),
    111: ("alert", 7002, "flow:to_server,established,only_stream; "
          "content:\"SPLIT-ME-NOW\";"),
    112: ("alert", 7002, "flow:to_server,established; "
          "content:\"SPLIT-ME-NOW\";"),
    # the direction of a flow picked up mid-stream (port 0: any to any)
    113: ("alert", 0, "flow:to_server; content:\"MID-PROBE\";"),
    114: ("alert", 0, "flow:to_client; content:\"MID-PROBE\";"),
}

U_EST = ("Suricata user guide, Flow Keywords, flow: \"established: "
         "Match on established connections\"; the handshake's last ACK "
         "is not yet established")
U_MID = ("Suricata user guide, Suricata.yaml, stream: \"midstream: "
         "false\" (the default) takes up no session without a "
         "handshake; \"true\" takes it up as established")
U_DIR = ("Suricata user guide, Flow Keywords, flow: \"to_server: match "
         "on packets from client to server\", the client being the end "
         "that sent the SYN")
U_MIDDIR = ("Suricata's stream engine, midstream pickup (devguide, "
            "Protocol detection: \"can, in the midstream case, reverse a "
            "flow direction\"): the flow's first packet goes to the "
            "server, a SYN-ACK seen first comes from it; the app-layer "
            "reversal needs a parser that knows the protocol (none here)")
U_STREAM = ("Suricata user guide, Rules Format / Payload Keywords: the "
            "rule matches on the packet whose data completes its "
            "contents (all present in the reassembled stream so far)")
U_PS = ("Suricata user guide, Rule Types and Categorization: a TCP "
        "rule with payload keywords is of type pkt_stream, matched "
        "against the packet payload and the reassembled stream; "
        "flow:no_stream / only_stream restrict it to one")
U_NEG = ("Suricata user guide, Payload Keywords, content: a negated "
         "content holds only when the data cannot contain it any more: "
         "at the end of the stream")


def tcp_case(idx, port, script):
    """Frames of one TCP flow from script: a list of (who, flags, payload,
    sids hit per mode or for all). who: c (client) or s (server)."""
    cli = bytes([10, 0, 3, idx])
    cport = 42000 + idx
    seq = {"c": 1000 * idx, "s": 700000 * idx}
    out = []
    for who, flags, pay, hits in script:
        if who == "c":
            f = tcp_frame(cli, SERVER, cport, port, seq["c"], seq["s"],
                          flags, pay)
        else:
            f = tcp_frame(SERVER, cli, port, cport, seq["s"], seq["c"],
                          flags, pay)
        seq[who] += len(pay) + (1 if flags & (SYN | F) else 0)
        if not isinstance(hits, dict):
            hits = {m: set(hits) for m in MODES}
        out.append((idx, who, f, hits, len(pay) > 0 and
                    not (flags & SYN)))
    return out


def hs(hits_ack=()):
    return [("c", SYN, b"", ()), ("s", SYN | ACK, b"", ()),
            ("c", ACK, b"", hits_ack)]


SQLI = b"SELECT 'x'\x00 OR 1=1 -\x00-\x00 trailing"
YSO = (b"\xac\xed\x00\x05sr\x00" + b"....java/io/Serializable...." +
       b"ysoserial/payloads/util/Gadgets....")

# (name, Suricata's line, sid, port, script, the ends whose SYN the flow
# never shows: their data is mid-stream)
CASES = [
    ("handshake: data after the last ACK is established", U_EST, 106, 8082,
     hs() + [("c", PA, b"GET CONF-PROBE", [106])], ""),
    ("the handshake's completing ACK is not established", U_EST, 105, 8081,
     hs() + [("c", PA, b"data", [105])], ""),
    ("no handshake: not established without pickup", U_MID, 108, 8083,
     [("c", PA, b"GET /a", {"drop": set(), "pickup": {108}}),
      ("c", PA, b"GET /b", {"drop": set(), "pickup": {108}})],
     "cs"),
    ("mid-stream, the server's reply first: taken as the client's",
     U_MIDDIR, 113, 0,
     [("s", PA, b"MID-PROBE reply", {"drop": set(), "pickup": {113}}),
      ("c", PA, b"MID-PROBE request", {"drop": set(), "pickup": {114}})],
     "cs"),
    ("mid-stream, the client's request first", U_MIDDIR, 113, 0,
     [("c", PA, b"MID-PROBE request", {"drop": set(), "pickup": {113}}),
      ("s", PA, b"MID-PROBE reply", {"drop": set(), "pickup": {114}})],
     "cs"),
    ("mid-stream, a SYN-ACK first names the client", U_MIDDIR, 114, 0,
     [("s", SYN | ACK, b"", ()),
      ("s", PA, b"MID-PROBE reply", [114]),
      ("c", PA, b"MID-PROBE request", {"drop": set(), "pickup": {113}})],
     "c"),
    ("server reply goes to the client", U_DIR, 107, 8082,
     hs() + [("s", PA, b"CONF-PROBE reply", [107])], ""),
    ("two terms in one segment, FIN after: hit on the segment", U_STREAM,
     101, 1433, hs() + [("c", PA, SQLI, [101]), ("c", FA, b"", ())],
     ""),
    ("two terms in one segment, no FIN", U_STREAM, 101, 1433,
     hs() + [("c", PA, SQLI, [101])], ""),
    ("two terms over two segments: hit on the second", U_STREAM, 101,
     1433, hs() + [("c", PA, SQLI[:12], ()), ("c", PA, SQLI[12:], [101]),
                   ("c", FA, b"", ())], ""),
    ("anchored term and another in one segment", U_STREAM, 102, 1194,
     hs() + [("c", PA, b" () { :;}; /bin/id", [102]), ("c", FA, b"", ())],
     ""),
    ("three terms in one segment", U_STREAM, 103, 8009,
     hs() + [("c", PA, YSO, [103]), ("c", FA, b"", ())], ""),
    ("three terms over two segments, no FIN", U_STREAM, 103, 8009,
     hs() + [("c", PA, YSO[:20], ()), ("c", PA, YSO[20:], [103])], ""),
    ("SMB PDUs in one connection, each its own segment", U_PS, 109, 445,
     hs() + [("c", PA, b"\x00\x00\x00\x10\xffSMBr" + b"A" * 11, [109]),
             ("c", PA, b"\x00\x00\x00\x10\xffSMBs" + b"B" * 11, [109]),
             ("c", PA, b"\x00\x00\x00\x10\xffSMBt" + b"C" * 11, [109])],
     ""),
    ("pattern in one segment: packet, stream and both hit once", U_PS,
     110, 7002, hs() + [("c", PA, b"xx SPLIT-ME-NOW yy", [110, 111, 112])],
     ""),
    ("pattern split over two segments: the stream only", U_PS, 111, 7002,
     hs() + [("c", PA, b"xx SPLIT-", ()),
             ("c", PA, b"ME-NOW yy", [111, 112])], ""),
    ("negated term, only_stream: decided at the FIN", U_NEG, 104, 7001,
     hs() + [("c", PA, b"HELLO world", ()), ("c", FA, b"", [104])], ""),
    ("negated term present: nothing", U_NEG, 104, 7001,
     hs() + [("c", PA, b"HELLO AGENT", ()), ("c", FA, b"", ())], ""),
]


def main():
    out = sys.argv[1]
    frames = []
    for i, (name, line, sid, port, script, nohs) in enumerate(CASES):
        for fr in tcp_case(i + 1, port, script):
            frames.append(fr + (nohs,))
    write_pcap(os.path.join(out, "in.pcap"), [f[2] for f in frames])
    counts = ["frames %d" % len(frames)]
    for m in MODES:
        marked = set()
        keep = []
        drops = 0
        hits = dict.fromkeys(RULES, 0)
        for idx, who, f, h, data, nohs in frames:
            if (idx, who) in marked:
                drops += 1
                continue
            if who in nohs and data and m == "drop":
                drops += 1  # tcp-midstream
                continue
            dropped = False
            for sid in h[m]:
                hits[sid] += 1
                if RULES[sid][0] == "drop":
                    dropped = True
            if dropped:
                marked.add((idx, who))
                drops += 1
                continue
            keep.append(f)
        write_pcap(os.path.join(out, "expect-%s.pcap" % m), keep)
        counts.append("%s-drops %d" % (m, drops))
        for sid in RULES:
            counts.append("%s-hits-%d %d" % (m, sid, hits[sid]))
    with open(os.path.join(out, "counts.txt"), "w") as f:
        f.write("\n".join(counts) + "\n")
    with open(os.path.join(out, "conformance.rules"), "w") as f:
        for sid, (act, port, body) in sorted(RULES.items()):
            hdr = ("any any -> any %d" % port if port > 0 else
                   "any %d -> any any" % -port if port < 0 else
                   "any any -> any any")
            f.write('%s tcp %s (msg:"conformance %d"; %s sid:%d;)\n' %
                    (act, hdr, sid, body, sid))
    with open(os.path.join(out, "table.txt"), "w") as f:
        for name, line, sid, port, _, _ in CASES:
            f.write("sid %d port %d: %s -- %s\n" % (sid, port, name, line))


if __name__ == "__main__":
    main()
