#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Oracle for the ET IEC-104 rules (sids 2046158-2046162 of
tests/data/rules/emerging-scada.rules), independent of Bulwark's code: it
parses the frames itself and finds the IEC-104 U-format frames those
rules name. An APCI is 0x68, a length byte of 4, then the control field;
a U frame carries one of the function bits in its first control byte
(STARTDT act 0x07, con 0x0b, STOPDT act 0x13, TESTFR act 0x43, con 0x83)
and three zero bytes. Each rule wants one such frame as the whole TCP
payload (dsize:6), on an established connection (ACK, no SYN), towards
port 2404 in $HOME_NET (activations, to_server) or from port 2404
(confirmations, to_client).

Input: the captures given (classic pcap, Ethernet). Writes into OUTDIR:
  in.pcap        every frame, in order
  expect.pcap    the frames that must come out when the five rules drop
  expect_tracked.pcap  the frames that must come out when flows are
                 tracked: the input minus the TCP segments with a wrong
                 checksum that the normalizer refuses
  counts.txt     "frames N", "SID N" per rule (its hits without flow
                 options), "trackedSID N" (its hits when flows are
                 tracked, direction and state from the class Sessions)
                 and "passedSID N" (the same with bad checksums passed
                 by policy), "drops N", "cksum N" (frames
                 refused for their checksum), and "iec104 FILE N" per
                 capture (frames any of the rules hits)

usage: gen_rules_ics.py OUTDIR PCAP...
"""
import ipaddress
import os
import struct
import sys

from pktlib import csum, ip_of, read_pcap, write_pcap, \
    write_replay  # noqa: E402

HOME_NET = [ipaddress.ip_network(n) for n in
            ("192.168.0.0/16", "10.0.0.0/8", "172.16.0.0/12", "fc00::/7")]
# sid: (control byte, towards the server)
RULES = {
    2046158: (0x43, True),   # TESTFR act
    2046159: (0x83, False),  # TESTFR con
    2046160: (0x07, True),   # STARTDT act
    2046161: (0x0B, False),  # STARTDT con
    2046162: (0x13, True),   # STOPDT act
}


def tcp_of(b):
    """(src, dst, sport, dport, flags, payload) of an unfragmented IPv4 or
    IPv6 TCP frame, or None."""
    ip = ip_of(b)
    if ip is None:
        return None
    proto, l4, end, src, dst, frag = ip
    if frag & 0x3FFF:
        return None
    src, dst = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    if proto != 6 or l4 + 20 > end:
        return None
    hl, flags = (b[l4 + 12] >> 4) * 4, b[l4 + 13]
    if hl < 20 or l4 + hl > end:
        return None
    sport, dport = struct.unpack("!HH", b[l4:l4 + 4])
    return src, dst, sport, dport, flags, b[l4 + hl:end]


def refused(b):
    """True for a TCP segment that the stream normalizer drops when flows
    are tracked: its checksum is wrong (RFC 793 pseudo-header) and it is
    not a bare ACK (it has payload, or SYN, FIN, RST or URG). Captures
    taken on a sending host carry such checksums: the NIC fills them in
    after the capture point."""
    ip = ip_of(b)
    if ip is None:
        return False
    proto, l4, end, src, dst, frag = ip
    if proto != 6 or frag & 0x3FFF or l4 + 20 > end:
        return False
    seg = b[l4:end]
    hl, flags = (seg[12] >> 4) * 4, seg[13]
    if len(seg) == hl and not flags & 0x27:
        return False
    ph = src + dst + struct.pack("!BBH", 0, 6, len(seg)) if len(src) == 4 \
        else src + dst + struct.pack("!IxxxB", len(seg), 6)
    return csum(ph + seg) != 0


class Sessions:
    """TCP sessions as Suricata's stream engine sees them with midstream
    pickup on (stream.midstream: true), written from its documented
    behaviour: the client is the end that sent the SYN, else the receiver
    of a SYN-ACK seen first, else the sender of the flow's first segment
    with data or a FIN (Bulwark enters no flow for a bare ACK or a RST);
    established after the client's ACK of the SYN-ACK (that ACK too when
    it carries data) or from the first segment picked up mid-stream."""

    def __init__(self):
        self.client = {}
        self.est = set()
        self.synack = set()

    def see(self, t):
        """Account segment t; return (client, established) for it."""
        src, dst, sport, dport, flags, pl = t
        key = frozenset(((src, sport), (dst, dport)))
        me = (src, sport)
        syn, ack, fin = flags & 0x02, flags & 0x10, flags & 0x01
        if key not in self.client:
            if syn:
                self.client[key] = (dst, dport) if ack else me
            elif pl or fin:
                self.client[key] = me
                self.est.add(key)  # picked up: established from here
        elif syn and ack:
            self.synack.add(key)
        elif ack and key in self.synack and self.client[key] == me:
            self.synack.discard(key)
            if pl:
                self.est.add(key)
                return self.client[key], True
            self.est.add(key)
            return self.client[key], False
        return self.client.get(key), key in self.est

    def peek(self, t):
        """(client, established) of t's flow, without accounting t."""
        src, dst, sport, dport = t[:4]
        key = frozenset(((src, sport), (dst, dport)))
        return self.client.get(key), key in self.est


def directed(sid, t, client, est):
    """True when rule sid's flow:established,to_server/to_client holds
    for segment t of a flow whose client is client."""
    if client is None or not est:
        return False
    src, dst, sport, dport = t[:4]
    if RULES[sid][1]:
        return (src, sport) == client
    return (dst, dport) == client


def sid_of(b):
    """The rule that hits frame b, or None."""
    t = tcp_of(b)
    if t is None:
        return None
    src, dst, sport, dport, flags, pl = t
    if len(pl) != 6 or pl[0] != 0x68 or pl[1] != 4 or pl[3:] != b"\0\0\0":
        return None
    if not (flags & 0x10) or (flags & 0x02):
        return None
    for sid, (ctl, to_server) in RULES.items():
        if pl[2] != ctl:
            continue
        # IEC-104 servers listen on 2404: that side is the server
        if to_server and dport == 2404 and sport != 2404 and \
                any(dst in n for n in HOME_NET):
            return sid
        if not to_server and sport == 2404 and dport != 2404:
            return sid
    return None


def main():
    out, pcaps = sys.argv[1], sys.argv[2:]
    marked = []
    counts = {sid: 0 for sid in RULES}
    per_file = []
    # tracked: the alert run, flows tracked, bad checksums refused;
    # passed: the same with them passed by policy (they leave their flow
    # as it was, and are matched with its state)
    tracked = {sid: 0 for sid in RULES}
    passed = {sid: 0 for sid in RULES}
    sess = Sessions()
    alert_keep = []
    for p in pcaps:
        n = 0
        for f in read_pcap(p):
            sid = sid_of(f)
            bad = refused(f)
            t = tcp_of(f)
            if t is None:
                client, est = None, False
            elif bad:
                client, est = sess.peek(t)
            else:
                client, est = sess.see(t)
            marked.append((f, sid is not None))
            if not bad:
                alert_keep.append(f)
            if sid is not None:
                counts[sid] += 1
                n += 1
                if directed(sid, t, client, est):
                    passed[sid] += 1
                    if not bad:
                        tracked[sid] += 1
        per_file.append((os.path.basename(p), n))
    nb, drops = write_replay(out, marked)
    write_pcap(os.path.join(out, "expect_tracked.pcap"), alert_keep)
    with open(os.path.join(out, "counts.txt"), "w") as f:
        f.write("frames %d\n" % nb)
        for sid in sorted(counts):
            f.write("%d %d\n" % (sid, counts[sid]))
            f.write("tracked%d %d\n" % (sid, tracked[sid]))
            f.write("passed%d %d\n" % (sid, passed[sid]))
        f.write("drops %d\n" % drops)
        f.write("cksum %d\n" % (nb - len(alert_keep)))
        for name, n in per_file:
            f.write("iec104 %s %d\n" % (name, n))


if __name__ == "__main__":
    main()
