#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Tunnelled traffic and its oracle for tunnel.sh, independent of Bulwark's
code: every frame is built here byte by byte, and whether it must pass is
decided here from the documented semantics (docs/blocklists.md and
docs/architecture.md, "Tunnels"):

  - more than 3 levels of encapsulation: dropped, tunnel-too-deep;
  - a malformed tunnel header: dropped under its reason;
  - a fragment inside a tunnel: dropped, tunnel-inner-fragment (its
    levels counted: the decoder crossed them);
  - every IP header, outer and inner, has an address in an allow list:
    passes (later stages skipped);
  - else a blocked address in any IP header: dropped, blocklist;
  - else the innermost UDP payload holds EVILTOKEN: dropped, content-rule.

Encapsulations: IPv4/IPv6 in IPv4/IPv6, GRE (plain, checksum+key+sequence,
Ethernet, PPTP version 1), VXLAN over IPv4 and IPv6, GENEVE with options,
GTP-U with and without an extension header, MPLS, PPPoE, and nestings of
two and three levels.

Writes to OUTDIR:
  in.pcap            the frames
  expect.pcap        what passes with the default UDP ports
  expect-ports.pcap  what passes with --vxlan-port 8472
  block.txt          the block list; allow.txt the allow list
  counts.txt         "frames N", "drop.REASON N", "tun.TYPE N",
                     "depth.D N" (default ports), and the same with a
                     "ports." prefix for --vxlan-port 8472

usage: gen_tunnel.py OUTDIR
"""
import collections
import ipaddress
import struct
import sys

from pktlib import csum, write_pcap

MAC = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01"
IMAC = b"\x02\0\0\0\0\x0a\x02\0\0\0\0\x0b"
BLOCK = ["203.0.113.66/32", "198.51.100.250/32", "2001:db8:bad::/48"]
ALLOW = ["10.9.0.0/16", "192.0.2.128/25"]
EVIL = b"xxEVILTOKENxx"
TYPES = ("ip", "gre", "vxlan", "geneve", "gtpu", "mpls", "pppoe")
REASONS = ("blocklist", "content-rule", "tunnel-too-deep", "vxlan-bad-header",
           "gre-bad-header", "geneve-bad-header", "gtpu-bad-header",
           "tunnel-inner-fragment")


def A(s):
    return ipaddress.ip_address(s).packed


O4 = (A("192.0.2.1"), A("192.0.2.2"))
O4_ALLOWED = (A("192.0.2.200"), A("192.0.2.201"))
O4_BLOCKED = (A("198.51.100.250"), A("192.0.2.2"))
O6 = (A("2001:db8::1"), A("2001:db8::2"))
CLEAN4 = (A("10.1.0.1"), A("10.1.0.2"))
CLEAN6 = (A("2001:db8:1::1"), A("2001:db8:1::2"))


def ip4(src, dst, proto, payload):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 7, 0, 64,
                    proto, 0, src, dst)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def ip6(src, dst, nh, payload):
    return struct.pack("!IHBB", 6 << 28, len(payload), nh, 64) + src + dst \
        + payload


def carry(addrs, proto, payload):
    src, dst = addrs
    return (ip4 if len(src) == 4 else ip6)(src, dst, proto, payload)


def udp(addrs, sport, dport, pay):
    src, dst = addrs
    u = struct.pack("!HHHH", sport, dport, 8 + len(pay), 0) + pay
    if len(src) == 4:
        ph = src + dst + struct.pack("!BBH", 0, 17, len(u))
    else:
        ph = src + dst + struct.pack("!IxxxB", len(u), 17)
    c = csum(ph + u) or 0xFFFF
    return u[:6] + struct.pack("!H", c) + u[8:]


def ethertype(pkt):
    return 0x0800 if pkt[0] >> 4 == 4 else 0x86DD


def eth(et, body, dst_src=MAC):
    f = dst_src + struct.pack("!H", et) + body
    return f + b"\0" * max(0, 60 - len(f))


def ieth(pkt):
    return IMAC + struct.pack("!H", ethertype(pkt)) + pkt


class Pkt:
    """An IP packet (or a frame for MPLS/PPPoE) and what it holds: the
    address pairs of its IP headers outermost first, its levels (type,
    UDP port or None) outermost first, the innermost payload."""

    def __init__(self, data, pairs, levels, payload, frame=False):
        self.data, self.pairs, self.levels = data, pairs, levels
        self.payload, self.frame = payload, frame

    def seen(self, vxlan_ports):
        """(pairs, level types) a decoder that takes only vxlan_ports for
        VXLAN sees: it stops at a VXLAN level on another port, whose
        carrier is then the innermost packet (its payload holds all the
        inner bytes, so the innermost payload's content with it)."""
        for i, (t, port) in enumerate(self.levels):
            if t == "vxlan" and port not in vxlan_ports:
                return self.pairs[:i + 1], [x[0] for x in self.levels[:i]]
        return self.pairs, [x[0] for x in self.levels]


def inner(addrs, payload, dport=5001):
    return Pkt(carry(addrs, 17, udp(addrs, 5000, dport, payload)), [addrs],
               [], payload)


def wrap(p, addrs, proto, body, level, port=None):
    return Pkt(carry(addrs, proto, body), [addrs] + p.pairs,
               [(level, port)] + p.levels, p.payload)


def t_ip(p, o):
    return wrap(p, o, 4 if p.data[0] >> 4 == 4 else 41, p.data, "ip")


def t_gre(p, o):
    return wrap(p, o, 47, struct.pack("!HH", 0, ethertype(p.data)) + p.data,
                "gre")


def t_gre_cks(p, o):
    """Checksum (right), key and sequence number present."""
    body = struct.pack("!HHHHII", 0xB000, ethertype(p.data), 0, 0, 0x77,
                       9) + p.data
    body = body[:4] + struct.pack("!H", csum(body)) + body[6:]
    return wrap(p, o, 47, body, "gre")


def t_gre_teb(p, o):
    return wrap(p, o, 47, struct.pack("!HHI", 0x2000, 0x6558, 5) +
                ieth(p.data), "gre")


def t_pptp(p, o):
    ppp = b"\xff\x03\x00\x21" + p.data
    return wrap(p, o, 47, struct.pack("!BBHHHI", 0x30, 0x01, 0x880B,
                                      len(ppp), 0x99, 3) + ppp, "gre")


def t_udp(p, o, sport, dport, hdr, body, level):
    return wrap(p, o, 17, udp(o, sport, dport, hdr + body), level, dport)


def t_vxlan(p, o, port=4789):
    return t_udp(p, o, 49152, port, struct.pack("!B3xI", 0x08, 0x1234 << 8),
                 ieth(p.data), "vxlan")


def t_geneve(p, o):
    opt = struct.pack("!HBBI", 0x0102, 0x01, 1, 0xCAFE)  # 8 bytes
    return t_udp(p, o, 49153, 6081,
                 struct.pack("!BBHI", 2, 0, 0x6558, 0x5678 << 8) + opt,
                 ieth(p.data), "geneve")


def t_gtpu(p, o):
    return t_udp(p, o, 2152, 2152,
                 struct.pack("!BBHI", 0x30, 255, len(p.data), 0x1001), p.data,
                 "gtpu")


def t_gtpu_ext(p, o):
    """E flag: sequence word, then a 4-byte PDU session container."""
    hdr = struct.pack("!BBHIHBB", 0x34, 255, 8 + len(p.data), 0x1002, 0, 0,
                      0x85) + bytes([1, 0x00, 0x09, 0x00])
    return t_udp(p, o, 2152, 2152, hdr, p.data, "gtpu")


def t_mpls(p):
    labels = struct.pack("!II", 100 << 12 | 64, 200 << 12 | 0x100 | 64)
    return Pkt(eth(0x8847, labels + p.data), p.pairs,
               [("mpls", None)] + p.levels, p.payload, True)


def t_pppoe(p):
    proto = 0x0021 if p.data[0] >> 4 == 4 else 0x0057
    body = struct.pack("!BBHHH", 0x11, 0, 0x42, 2 + len(p.data), proto)
    return Pkt(eth(0x8864, body + p.data), p.pairs,
               [("pppoe", None)] + p.levels, p.payload, True)


def frame_of(p):
    return p.data if p.frame else eth(ethertype(p.data), p.data)


class Oracle:
    def __init__(self):
        self.block = [ipaddress.ip_network(n) for n in BLOCK]
        self.allow = [ipaddress.ip_network(n) for n in ALLOW]

    def _in(self, nets, a):
        a = ipaddress.ip_address(a)
        return any(a.version == n.version and a in n for n in nets)

    def verdict(self, pairs, levels, payload):
        """None (pass) or the drop reason for a well-formed packet."""
        if len(levels) > 3:
            return "tunnel-too-deep"
        if all(self._in(self.allow, s) or self._in(self.allow, d)
               for s, d in pairs):
            return None
        if any(self._in(self.block, a) for pair in pairs for a in pair):
            return "blocklist"
        if EVIL in payload:
            return "content-rule"
        return None


def main():
    out = sys.argv[1]
    oracle = Oracle()
    # (frame, levels counted, drop reason or None), per configuration
    cases = []

    def add(p, reason=None, reason_ports=None, crossed=False):
        """reason: a malformation the frame carries with the default
        ports, reason_ports: with --vxlan-port 8472 (None: none there);
        crossed: its levels are counted all the same."""
        per = []
        for ports, r in (({4789}, reason), ({8472}, reason_ports)):
            pairs, lv = p.seen(ports)
            if r is not None:
                per.append((lv[:3] if crossed else [], r))
            else:
                per.append((lv[:3], oracle.verdict(pairs, lv, p.payload)))
        cases.append((frame_of(p),) + tuple(per))

    single = [("ip4", t_ip, O4), ("ip6", t_ip, O6), ("gre", t_gre, O4),
              ("gre6", t_gre, O6), ("gre-cks", t_gre_cks, O4),
              ("gre-teb", t_gre_teb, O4), ("vxlan", t_vxlan, O4),
              ("vxlan6", t_vxlan, O6), ("geneve", t_geneve, O4),
              ("gtpu", t_gtpu, O4), ("gtpu-ext", t_gtpu_ext, O4)]
    blocked4 = A("203.0.113.66")
    blocked6 = A("2001:db8:bad::5")
    for _, enc, o in single:
        for fam, clean, bad in ((4, CLEAN4, blocked4), (6, CLEAN6, blocked6)):
            add(enc(inner(clean, b"hello tunnel"), o))
            add(enc(inner((bad, clean[1]), b"hello"), o))
            add(enc(inner((clean[0], bad), b"hello"), o))
            add(enc(inner(clean, EVIL), o))
        if len(o[0]) == 4:
            add(enc(inner(CLEAN4, b"hello"), O4_BLOCKED))
    add(t_pptp(inner(CLEAN4, b"ppp"), O4))
    add(t_pptp(inner((blocked4, CLEAN4[1]), b"ppp"), O4))
    add(t_pptp(inner(CLEAN4, EVIL), O4))
    for wrap_l2 in (t_mpls, t_pppoe):
        for clean, bad in ((CLEAN4, blocked4), (CLEAN6, blocked6)):
            add(wrap_l2(inner(clean, b"l2")))
            add(wrap_l2(inner((bad, clean[1]), b"l2")))
            add(wrap_l2(inner(clean, EVIL)))

    # allow lists: every IP header must be covered
    in_allowed = (A("10.9.0.1"), A("10.1.0.2"))
    for enc in (t_gre, t_vxlan):
        add(enc(inner(in_allowed, EVIL), O4))          # outer not: scanned
        add(enc(inner(in_allowed, EVIL), O4_ALLOWED))  # all: passes
        add(enc(inner(CLEAN4, EVIL), O4_ALLOWED))      # inner not: scanned

    # nestings
    add(t_gre(t_vxlan(inner(CLEAN6, b"nested"), O4), O4))
    add(t_gre(t_vxlan(inner((blocked6, CLEAN6[1]), b"nested"), O4), O4))
    add(t_gre(t_vxlan(inner(CLEAN4, EVIL), O4), O4))
    o_mid = (A("198.18.0.1"), A("198.18.0.2"))
    add(t_mpls(t_ip(t_gre(inner(CLEAN4, b"three"), o_mid), O4)))
    add(t_mpls(t_ip(t_gre(inner(CLEAN4, EVIL), o_mid), O4)))
    add(t_mpls(t_ip(t_gre(inner((blocked4, CLEAN4[1]), b"3"), o_mid), O4)))
    # a blocked address in the middle level only
    add(t_gre(t_ip(inner(CLEAN4, b"mid"), (blocked4, O4[1])), O4))
    # four levels: refused, three counted
    add(t_ip(t_ip(t_ip(t_ip(inner(CLEAN4, b"deep"), O4), O4), O4), O4))

    # malformed tunnel headers: dropped, no level entered
    p = inner(CLEAN4, b"x")
    bad_vx = t_udp(p, O4, 1, 4789, struct.pack("!B3xI", 0x00, 0x1234 << 8),
                   ieth(p.data), "vxlan")
    # not VXLAN at all when 4789 is not a VXLAN port: passes then
    add(bad_vx, reason="vxlan-bad-header")
    add(wrap(p, O4, 47, struct.pack("!HH", 0x0003, 0x0800) + p.data, "gre"),
        reason="gre-bad-header", reason_ports="gre-bad-header")
    add(t_udp(p, O4, 1, 6081, struct.pack("!BBHI", 0x40, 0, 0x0800, 0),
              p.data, "geneve"), reason="geneve-bad-header",
        reason_ports="geneve-bad-header")
    add(t_udp(p, O4, 1, 2152, struct.pack("!BBHI", 0x50, 255, len(p.data),
                                          0), p.data, "gtpu"),
        reason="gtpu-bad-header", reason_ports="gtpu-bad-header")

    # a fragment inside a tunnel (MF set): dropped, GRE level counted
    fr = inner(CLEAN4, b"fragment")
    h = bytearray(fr.data[:20])
    h[6:8], h[10:12] = b"\x20\x00", b"\0\0"
    h[10:12] = struct.pack("!H", csum(bytes(h)))
    fr.data = bytes(h) + fr.data[20:]
    add(t_gre(fr, O4), reason="tunnel-inner-fragment",
        reason_ports="tunnel-inner-fragment", crossed=True)

    # configured ports: 8472 is VXLAN only under --vxlan-port 8472, which
    # also takes 4789 away
    for pay, addrs in ((b"port", CLEAN4), (b"port", (blocked4, CLEAN4[1])),
                       (EVIL, CLEAN4)):
        add(t_vxlan(inner(addrs, pay), O4, 8472))

    # untunnelled controls
    add(inner(CLEAN4, b"plain"))
    add(inner((blocked4, CLEAN4[1]), b"plain"))
    add(inner(CLEAN4, EVIL))

    write_pcap("%s/in.pcap" % out, [c[0] for c in cases])
    lines = ["frames %d\n" % len(cases)]
    for k, name in ((1, "expect.pcap"), (2, "expect-ports.pcap")):
        write_pcap("%s/%s" % (out, name), [c[0] for c in cases
                                           if c[k][1] is None])
        drops, tun, depth = (collections.Counter(), collections.Counter(),
                             collections.Counter())
        for c in cases:
            lv, v = c[k]
            if v is not None:
                drops[v] += 1
            if lv:
                tun["any"] += 1
                for t in set(lv):
                    tun[t] += 1
                depth[len(lv)] += 1
        pre = "" if k == 1 else "ports."
        for r in REASONS:
            lines.append("%sdrop.%s %d\n" % (pre, r, drops[r]))
        assert set(drops) <= set(REASONS), drops
        lines.append("%sdrops %d\n" % (pre, sum(drops.values())))
        for t in ("any",) + TYPES:
            lines.append("%stun.%s %d\n" % (pre, t, tun[t]))
        for d in (1, 2, 3):
            lines.append("%sdepth.%d %d\n" % (pre, d, depth[d]))
    with open("%s/counts.txt" % out, "w") as f:
        f.writelines(lines)
    with open("%s/block.txt" % out, "w") as f:
        f.write("\n".join(BLOCK) + "\n")
    with open("%s/allow.txt" % out, "w") as f:
        f.write("\n".join(ALLOW) + "\n")


if __name__ == "__main__":
    main()
