#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""IP fragment cases for frag.sh, and their oracle.

Writes OUTDIR/in.pcap (every frame, into the outside port),
OUTDIR/expect.pcap (the frames that must come out of the inside port, in
the order they must), OUTDIR/counts.txt ("frames N", "drops N", "REASON N"
per drop reason, "reassembled N", "timeouts N", "overlaps N", "over_limit N",
"duplicates N", "held N") and OUTDIR/cases.txt.

The oracle is written here from the behaviour documented in
docs/architecture.md ("IP fragments"), not from the dataplane's code: a
datagram's fragments are held until they cover it, then all come out, in
arrival order, at the completing fragment's place, or all are dropped
(for the datagram's verdict, decided by the rules below on the datagram
rebuilt here); a fragment that overlaps a held one drops the datagram
(an exact duplicate with the same bytes is dropped alone); the (per+1)th
fragment of a datagram drops it; fragments that do not complete a datagram
are dropped when it times out (at the latest at stop). Fragments of the
same key after a datagram was decided start a new one.

Rules in force (frag.sh): content "EVIL-FRAG" in UDP, TCP payload
(TCP through the stream engine, after a handshake); dsize > 2000 to UDP
port 7777; block list
203.0.113.66/32 and 2001:db8:66::/48.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pktlib import csum, write_pcap  # noqa: E402

PER = 24  # --frag-per-datagram of frag.sh
ETH4 = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00"
ETH6 = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x86\xdd"
PATTERN = b"EVIL-FRAG"


def a4(s):
    return bytes(int(x) for x in s.split("."))


def a6(last, prefix=b"\x20\x01\x0d\xb8\0\x01"):
    return prefix + b"\0" * (15 - len(prefix)) + bytes([last])


def payload(n, salt):
    return bytes((i * 7 + salt) % 251 for i in range(n)).replace(b"E", b"e")


def udp4(src, dst, sport, dport, pay):
    u = struct.pack("!HHHH", sport, dport, 8 + len(pay), 0)
    c = csum(src + dst + struct.pack("!BBH", 0, 17, len(u) + len(pay)) + u +
             pay) or 0xFFFF
    return u[:6] + struct.pack("!H", c) + pay


def tcp4(src, dst, sport, dport, pay, seq=1000, ack=0, flags=0x18):
    t = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags,
                    65535, 0, 0)
    c = csum(src + dst + struct.pack("!BBH", 0, 6, len(t) + len(pay)) + t +
             pay)
    return t[:16] + struct.pack("!H", c) + t[18:] + pay


def udp6(src, dst, sport, dport, pay):
    u = struct.pack("!HHHH", sport, dport, 8 + len(pay), 0)
    ph = src + dst + struct.pack("!IxxxB", len(u) + len(pay), 17)
    c = csum(ph + u + pay) or 0xFFFF
    return u[:6] + struct.pack("!H", c) + pay


def frags4(src, dst, ident, proto, data, cuts, df=False):
    """IPv4 fragments of L4 bytes data cut at offsets cuts: a list of
    (frame, off, len, more)."""
    out = []
    bounds = [0] + cuts + [len(data)]
    for i in range(len(bounds) - 1):
        off, end = bounds[i], bounds[i + 1]
        more = i < len(bounds) - 2
        out.append(ip4_frag(src, dst, ident, proto, off, data[off:end], more))
    return out


def ip4_frag(src, dst, ident, proto, off, chunk, more):
    field = (0x2000 if more else 0) | (off // 8)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(chunk), ident, field,
                     64, proto, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    f = ETH4 + ip + chunk
    return (f + b"\0" * max(0, 60 - len(f)), off, len(chunk), more)


def ip6_frag(src, dst, ident, exts, nh, off, chunk, more):
    """IPv6 fragment: exts (bytes of extension headers before the fragment
    header, already chained, the last one's next header 44) and the
    fragment header naming nh."""
    fh = struct.pack("!BBHI", nh, 0, off | (1 if more else 0), ident)
    first_nh = 0 if exts else 44
    ip = struct.pack("!IHBB16s16s", 6 << 28, len(exts) + 8 + len(chunk),
                     first_nh, 64, src, dst)
    return (ETH6 + ip + exts + fh + chunk, off, len(chunk), more)


def frags6(src, dst, ident, data, cuts, exts=b"", nh=17):
    out = []
    bounds = [0] + cuts + [len(data)]
    for i in range(len(bounds) - 1):
        off, end = bounds[i], bounds[i + 1]
        more = i < len(bounds) - 2
        out.append(ip6_frag(src, dst, ident, exts, nh, off, data[off:end],
                            more))
    return out


# extension headers before the fragment header: hop-by-hop (PadN) then
# destination options (PadN), the latter naming the fragment header
HBH_DST = (bytes([60, 0, 1, 4, 0, 0, 0, 0]) + bytes([44, 0, 1, 4, 0, 0, 0, 0]))


def verdict_of(src, proto, dport, l4pay):
    """The reason the rules give a datagram, or None (pass)."""
    if src in (a4("203.0.113.66"),) or src[:6] == b"\x20\x01\x0d\xb8\0\x66":
        return "blocklist"
    if proto in (6, 17) and PATTERN in l4pay:
        return "content-rule"
    if proto == 17 and dport == 7777 and len(l4pay) > 2000:
        return "content-rule"
    return None


def main():
    out = sys.argv[1]
    frames = []  # (frame, key or None, off, len, more, data, decoder)
    verdicts = {}  # key -> verdict of the datagram
    cases = []
    ident = [100]

    def nid():
        ident[0] += 1
        return ident[0]

    def add4(name, src, dst, proto, dport, pay, cuts, order=None, extra=(),
             sport=5000, seq=1000, ack=0):
        i = nid()
        l4 = (udp4(src, dst, sport, dport, pay) if proto == 17 else
              tcp4(src, dst, sport, dport, pay, seq, ack))
        fr = frags4(src, dst, i, proto, l4, cuts)
        key = (4, src, dst, i)
        verdicts[key] = verdict_of(src, proto, dport, pay)
        seq = [fr[k] for k in (order or range(len(fr)))]
        for k in extra:
            seq.insert(k[0], k[1])
        cases.append((name, key))
        return key, seq

    def push(key, seq, decoder=None):
        for f, off, ln, more in seq:
            frames.append((f, key, off, ln, more, decoder))

    s1, d1 = a4("192.0.2.1"), a4("198.51.100.1")
    # in order, reversed
    k, q = add4("in-order", s1, d1, 17, 53, payload(2000, 1), [512, 1024])
    push(k, q)
    k, q = add4("reversed", s1, d1, 17, 53, payload(2000, 2), [512, 1024],
                order=[2, 1, 0])
    push(k, q)
    # interleaved: two datagrams, same addresses, alternating
    ka, qa = add4("interleaved-a", s1, d1, 17, 53, payload(1500, 3), [600])
    kb, qb = add4("interleaved-b", s1, d1, 17, 53, payload(1500, 4), [600])
    for x, y in zip(qa, qb):
        push(ka, [x])
        push(kb, [y])
    # duplicated: the middle fragment twice, same bytes
    k, q = add4("duplicated", s1, d1, 17, 53, payload(2000, 5), [512, 1024])
    push(k, [q[0], q[1], q[1], q[2]])
    # overlapping, same and different data: [0,512) then [256,1024)
    for name, salt in (("overlap-same", 6), ("overlap-diff", 7)):
        k, q = add4(name, s1, d1, 17, 53, payload(2000, salt), [512, 1024])
        l4 = udp4(s1, d1, 5000, 53, payload(2000, salt))
        mid = l4[256:1024]
        if name == "overlap-diff":
            mid = bytes(b ^ 0x55 for b in mid)
        ov = ip4_frag(s1, d1, k[3], 17, 256, mid, True)
        push(k, [q[0], ov, q[1], q[2]])
    # tiny: a TCP first fragment of 8 bytes (RFC 1858), the rest
    k, q = add4("tiny", s1, d1, 6, 80, payload(400, 8), [16])
    push(k, [q[0]], decoder="fragment-too-small")
    push(k, q[1:])
    # timed out: the middle fragment never comes
    k, q = add4("timed-out", s1, d1, 17, 53, payload(2000, 9), [512, 1024])
    push(k, [q[0], q[2]])
    # too many fragments: PER + 2 fragments of 64 bytes
    k, q = add4("over-limit", s1, d1, 17, 53, payload(64 * (PER + 2) - 8, 10),
                [64 * j for j in range(1, PER + 2)])
    push(k, q)
    # more fragments than rte_ip_frag takes (8): handed to it as runs; the
    # pattern across the boundary of two fragments inside a run, or none
    for name, salt, evil in (("many", 24, False), ("many-pattern", 25, True)):
        pay = payload(1900, salt)
        if evil:
            pay = pay[:1530] + PATTERN + pay[1530 + len(PATTERN):]
        k, q = add4(name, s1, d1, 17, 53, pay, [96 * j for j in range(1, 20)],
                    order=list(range(19, -1, -1)))
        push(k, q)
    # the pattern in a later fragment, across a fragment boundary
    pay = payload(1200, 11)
    pay = pay[:1010] + PATTERN + pay[1010 + len(PATTERN):]
    k, q = add4("pattern-later", s1, d1, 17, 53, pay, [512, 1024])
    push(k, q)
    # TCP: a handshake (whole packets), then a data segment in fragments,
    # which the stream engine gets whole: with the pattern, or clean
    for name, sport, data in (("pattern-tcp", 5001, pay),
                              ("clean-tcp", 5002, payload(1200, 21))):
        for src, dst, sp, dp, sq, ak, fl in (
                (s1, d1, sport, 80, 7000, 0, 0x02),
                (d1, s1, 80, sport, 9000, 7001, 0x12),
                (s1, d1, sport, 80, 7001, 9001, 0x10)):
            t = tcp4(src, dst, sp, dp, b"", sq, ak, fl)
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(t), 1,
                             0x4000, 64, 6, 0, src, dst)
            ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
            f = ETH4 + ip + t
            frames.append((f + b"\0" * max(0, 60 - len(f)), None, 0, 0,
                           False, None))
        k, q = add4(name, s1, d1, 6, 80, data, [512, 1024], sport=sport,
                    seq=7001, ack=9001)
        push(k, q)
    # dsize on the datagram: 3000 bytes to 7777 dropped, 1500 passes
    k, q = add4("dsize-big", s1, d1, 17, 7777, payload(3000, 12),
                [1000, 2000])
    push(k, q)
    k, q = add4("dsize-small", s1, d1, 17, 7777, payload(1500, 13),
                [600, 1200])
    push(k, q)
    # a block-listed source in fragments
    k, q = add4("blocked", a4("203.0.113.66"), d1, 17, 53, payload(1500, 14),
                [600])
    push(k, q)

    # IPv6: extension headers before the fragment header, clean and with
    # the pattern in the last fragment
    s6, d6 = a6(1), a6(2)
    for name, salt, evil in (("v6-ext", 15, False), ("v6-ext-pattern", 16,
                                                     True)):
        i = nid()
        pay = payload(2400, salt)
        if evil:
            pay = pay[:2300] + PATTERN + pay[2300 + len(PATTERN):]
        l4 = udp6(s6, d6, 5000, 53, pay)
        key = (6, s6, d6, i)
        verdicts[key] = verdict_of(s6, 17, 53, pay)
        cases.append((name, key))
        push(key, frags6(s6, d6, i, l4, [800, 1600], exts=HBH_DST))
    # IPv6, extension headers before the fragment header, 14 fragments
    # (runs for rte_ip_frag), the pattern in the ninth
    i = nid()
    pay = payload(2400, 26)
    pay = pay[:1400] + PATTERN + pay[1400 + len(PATTERN):]
    l4 = udp6(s6, d6, 5000, 53, pay)
    key = (6, s6, d6, i)
    verdicts[key] = verdict_of(s6, 17, 53, pay)
    cases.append(("v6-ext-many-pattern", key))
    push(key, frags6(s6, d6, i, l4, [176 * j for j in range(1, 14)],
                     exts=HBH_DST))
    # IPv6 blocked source, reversed
    i = nid()
    sb = a6(9, b"\x20\x01\x0d\xb8\0\x66")
    l4 = udp6(sb, d6, 5000, 53, payload(1600, 17))
    key = (6, sb, d6, i)
    verdicts[key] = "blocklist"
    cases.append(("v6-blocked", key))
    push(key, list(reversed(frags6(sb, d6, i, l4, [800]))))
    # IPv6 tiny: the first fragment ends inside the UDP header (RFC 7112)
    i = nid()
    l4 = udp6(s6, d6, 5000, 53, payload(600, 18))
    key = (6, s6, d6, i)
    verdicts[key] = None
    cases.append(("v6-tiny", key))
    # the first fragment holds a destination options header and no UDP
    # header at all; the UDP header and payload follow at offset 8
    dst_opts = bytes([17, 0, 1, 4, 0, 0, 0, 0])
    f0 = ip6_frag(s6, d6, i, b"", 60, 0, dst_opts, True)
    rest = ip6_frag(s6, d6, i, b"", 60, 8, l4, False)
    push(key, [f0], decoder="fragment-too-small")
    push(key, [rest])

    def gre4(name, src, pay, cuts):
        """GRE carrying IPv4/UDP from src, the outer datagram cut at
        cuts."""
        i = nid()
        ia, ib = a4(src), a4("10.1.0.2")
        iu = udp4(ia, ib, 5000, 53, pay)
        iip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(iu), 9, 0, 64,
                          17, 0, ia, ib)
        iip = iip[:10] + struct.pack("!H", csum(iip)) + iip[12:]
        key = (4, s1, d1, i)
        verdicts[key] = verdict_of(ia, 17, 53, pay)
        cases.append((name, key))
        push(key, frags4(s1, d1, i, 47,
                         struct.pack("!HH", 0, 0x0800) + iip + iu, cuts))

    # GRE whose outer IPv4 datagram is fragmented: reassembled, then
    # decapsulated (docs/architecture.md, "IP fragments"): the inner UDP
    # payload's pattern lies in the second fragment
    for name, salt, evil in (("gre-outer", 22, False),
                             ("gre-outer-pattern", 23, True)):
        pay = payload(1400, salt)
        if evil:
            pay = pay[:1100] + PATTERN + pay[1100 + len(PATTERN):]
        gre4(name, "10.1.0.1", pay, [800])
    # GRE whose first fragment holds 8 bytes: the GRE header and half the
    # inner IPv4 header; the inner source block-listed, or the pattern
    # right after the inner headers
    gre4("gre-short-first-blocked", "203.0.113.66", payload(600, 27),
         [8, 400])
    pay = payload(600, 28)
    gre4("gre-short-first-pattern", "10.1.0.1",
         PATTERN + pay[len(PATTERN):], [8, 400])
    # atomic fragments (RFC 6946): not held, classified alone
    for name, salt, evil in (("v6-atomic", 19, False), ("v6-atomic-pattern",
                                                        20, True)):
        i = nid()
        pay = payload(300, salt)
        if evil:
            pay = pay[:100] + PATTERN + pay[100 + len(PATTERN):]
        l4 = udp6(s6, d6, 5000, 53, pay)
        f = ip6_frag(s6, d6, i, b"", 17, 0, l4, False)[0]
        frames.append((f, None, 0, 0, False,
                       "content-rule" if evil else None))
        cases.append((name, None))

    # the oracle: replay the documented behaviour
    table = {}  # key -> {"pieces": [(frame, off, len, more)], ...}
    emitted = []  # frames that come out, in order
    drops = {}
    dgram = {"reassembled": 0, "timeouts": 0, "overlaps": 0,
             "over_limit": 0, "duplicates": 0, "held": 0}

    def drop(reason, n=1):
        drops[reason] = drops.get(reason, 0) + n

    for f, key, off, ln, more, decoder in frames:
        if key is None:  # not a fragment
            if decoder:
                drop(decoder)
            else:
                emitted.append(f)
            continue
        if decoder:
            drop(decoder)
            continue
        e = table.setdefault(key, {"pieces": [], "total": None})
        end = off + ln
        clash = None
        for pf, po, pl, pm in e["pieces"]:
            if po == off and pl == ln and pm == more:
                clash = "dup-same" if pf == f else "overlap"
                break
            if off < po + pl and po < end:
                clash = "overlap"
                break
            if not more and po + pl > end:
                clash = "overlap"
                break
        if clash is None and e["total"] is not None and end > e["total"]:
            clash = "overlap"
        if clash is None and not more and e["total"] is not None:
            clash = "overlap"
        if clash == "dup-same":
            drop("ip-frag-duplicate")
            dgram["duplicates"] += 1
            continue
        if clash == "overlap":
            drop("ip-frag-overlap", len(e["pieces"]) + 1)
            dgram["overlaps"] += 1
            del table[key]
            continue
        if len(e["pieces"]) == PER:
            drop("ip-frag-limit", len(e["pieces"]) + 1)
            dgram["over_limit"] += 1
            del table[key]
            continue
        e["pieces"].append((f, off, ln, more))
        dgram["held"] += 1
        if not more:
            e["total"] = end
        if e["total"] is not None and \
                sum(p[2] for p in e["pieces"]) == e["total"]:
            dgram["reassembled"] += 1
            v = verdicts[key]
            if v is None:
                emitted.extend(p[0] for p in e["pieces"])
            else:
                drop(v, len(e["pieces"]))
            del table[key]
    for key, e in table.items():
        drop("ip-frag-timeout", len(e["pieces"]))
        dgram["timeouts"] += 1

    write_pcap(os.path.join(out, "in.pcap"), [x[0] for x in frames])
    write_pcap(os.path.join(out, "expect.pcap"), emitted)
    with open(os.path.join(out, "counts.txt"), "w") as fh:
        fh.write("frames %d\n" % len(frames))
        fh.write("drops %d\n" % sum(drops.values()))
        fh.write("passed %d\n" % len(emitted))
        fh.write("fragments %d\n" % sum(1 for x in frames if x[1]))
        for r, n in sorted(drops.items()):
            fh.write("%s %d\n" % (r, n))
        for k2, n in dgram.items():
            fh.write("%s %d\n" % (k2, n))
    with open(os.path.join(out, "cases.txt"), "w") as fh:
        for name, key in cases:
            fh.write("%s %s\n" % (name, key[3] if key else "-"))


if __name__ == "__main__":
    main()
