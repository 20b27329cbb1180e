#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Oracle for the events file (docs/events.md), independent of Bulwark's
code: it reads the input capture itself and decides, frame by frame,
which event each must produce, with the frame's own 5-tuple, then
compares that multiset with the events the dataplane wrote, one for one.

usage:
  events_oracle.py ics-drop IN.pcap RULES EVENTS
      the ICS captures with the five IEC-104 rules as drop rules, flows
      off: a drop event (reason content-rule, alert.action blocked, the
      sid, rev and msg of the rule in RULES) per frame gen_rules_ics's
      sid_of() names
  events_oracle.py ics-alert IN.pcap RULES EVENTS
      the same rules as shipped (alert), flows tracked with mid-stream
      pickup: an alert event per frame the rules hit (gen_rules_ics's
      Sessions), a drop event (tcp-bad-checksum) per refused frame
  events_oracle.py lookup IN.pcap PROBES EVENTS NAME=LISTFILE...
      the block-list probes: a drop event (reason blocklist) per blocked
      probe, naming the list whose file covers the address and its
      longest prefix there
Prints the number of mismatches (0: equal) and the first few on stderr.
Every line of EVENTS must be a JSON object.
"""
import collections
import ipaddress
import json
import re
import struct
import sys

from gen_rules_ics import directed, refused, sid_of, tcp_of, Sessions
from pktlib import ip_of, read_pcap


def rule_meta(path):
    """sid -> (rev, msg) from a rules file, by regular expression."""
    meta = {}
    for line in open(path, encoding="utf-8"):
        m = re.search(r"\bsid:\s*(\d+)\s*;", line)
        if not m or line.lstrip().startswith("#"):
            continue
        rev = re.search(r"\brev:\s*(\d+)\s*;", line)
        msg = re.search(r'\bmsg:\s*"((?:[^"\\]|\\.)*)"\s*;', line)
        meta[int(m.group(1))] = (int(rev.group(1)) if rev else 0,
                                 msg.group(1) if msg else "")
    return meta


def five(t):
    src, dst, sport, dport = t[:4]
    return (str(src), sport, str(dst), dport, "TCP")


def ev_five(e):
    return (str(ipaddress.ip_address(e["src_ip"])), e.get("src_port"),
            str(ipaddress.ip_address(e["dest_ip"])), e.get("dest_port"),
            e["proto"])


def load(path):
    return [json.loads(line) for line in open(path, encoding="utf-8")]


def compare(want, got):
    w, g = collections.Counter(want), collections.Counter(got)
    bad = list((w - g).items())[:5] + list((g - w).items())[:5]
    for b in bad:
        print("mismatch", b, file=sys.stderr)
    print(sum((w - g).values()) + sum((g - w).values()))


def ics(mode, pcap, rules, events):
    meta = rule_meta(rules)
    want = []
    sess = Sessions()
    for f in read_pcap(pcap):
        sid, t = sid_of(f), tcp_of(f)
        if mode == "ics-drop":
            if sid is not None:
                rev, msg = meta[sid]
                want.append(("drop", "content-rule") + five(t) +
                             (sid, rev, msg, "blocked"))
            continue
        bad = refused(f)
        if t is None:
            client, est = None, False
        elif bad:
            client, est = sess.peek(t)
        else:
            client, est = sess.see(t)
        if bad:
            want.append(("drop", "tcp-bad-checksum") + five(t) +
                        (None, None, None, None))
        elif sid is not None and directed(sid, t, client, est):
            rev, msg = meta[sid]
            want.append(("alert", None) + five(t) +
                        (sid, rev, msg, "allowed"))
    got = []
    for e in load(events):
        a = e.get("alert", {})
        got.append((e["event_type"], e.get("reason")) + ev_five(e) +
                   (a.get("signature_id"), a.get("rev"),
                    a.get("signature"), a.get("action")))
    compare(want, got)


def lookup(pcap, probes, events, lists):
    nets = {}
    for spec in lists:
        name, path = spec.split("=", 1)
        for line in open(path, encoding="ascii"):
            line = line.split(";")[0].split("#")[0].strip()
            if line:
                nets.setdefault(name, []).append(ipaddress.ip_network(line))
    want = []
    for f, line in zip(read_pcap(pcap), open(probes, encoding="ascii")):
        addr_s, verdict = line.split()
        if verdict != "blocked":
            continue
        addr = ipaddress.ip_address(addr_s)
        _, l4, _, src, dst, _ = ip_of(f)

        sport, dport = struct.unpack("!HH", f[l4:l4 + 4])
        hits = [(n.prefixlen, name, n) for name, ns in nets.items()
                for n in ns if n.version == addr.version and addr in n]
        # the list: the only one of its family here; its longest prefix
        names = {h[1] for h in hits}
        assert len(names) == 1, (addr_s, names)
        best = max(h for h in hits)
        want.append(("drop", "blocklist",
                     str(ipaddress.ip_address(src)), sport,
                     str(ipaddress.ip_address(dst)), dport, "UDP",
                     best[1], str(best[2])))
    got = [(e["event_type"], e.get("reason")) + ev_five(e) +
           (e.get("list"), e.get("prefix")) for e in load(events)]
    compare(want, got)


def main():
    mode = sys.argv[1]
    if mode in ("ics-drop", "ics-alert"):
        ics(mode, *sys.argv[2:5])
    elif mode == "lookup":
        lookup(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
    else:
        raise SystemExit("unknown mode " + mode)


main()
