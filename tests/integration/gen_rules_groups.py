#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Traffic that makes many content rules fire, for comparing the two
layouts of the per-packet databases (scan groups and one database).
Independent of Bulwark's code: it reads the rule files itself, simply
(header "action proto src sport dir dst dport"; content with |hex| and
the escapes, its offset, depth, distance and within; isdataat; dsize;
sid), and gives each tcp, tcp-pkt, udp and ip rule a payload: its
positive contents in order, a few seeded random bytes between them (the
distance or offset they ask for, where they ask), padded for isdataat
and dsize. Each payload goes out (ip rules as TCP and as UDP) as:
  (a) a frame the rule's header allows: an external address (HOME_NET
      is 10.0.0.0/8 here, every other address external) for a side that
      is $EXTERNAL_NET, a home address for $HOME_NET and the *_SERVERS,
      for "any" the opposite of the other side (external to home when
      both are "any"); a port of the rule's set, or an ephemeral one
      (40000 + n) for "any", a negation or a variable that is one;
  (b) the same frame the other way round (addresses and ports swapped);
  (c) the same addresses, with random ports.
Then random payloads (64..1460 bytes) both ways on TCP ports 80, 443,
502, 2404, 20000 and UDP port 53, and ICMP echo requests carrying the
payloads of the ip and icmp rules. IPv4 with valid checksums, TCP with
ACK|PSH and random sequence numbers, every frame its own flow (its own
pair of addresses).

Writes OUTDIR/in.pcap and prints the number of frames.

usage: gen_rules_groups.py OUTDIR RULES...
"""
import os
import random
import re
import struct
import sys

from pktlib import csum, write_pcap  # noqa: E402

PORT_VARS = {"HTTP_PORTS": 80, "ORACLE_PORTS": 1521, "SSH_PORTS": 22,
             "FILE_DATA_PORTS": 80, "FTP_PORTS": 21, "DNP3_PORTS": 20000,
             "MODBUS_PORTS": 502}
RANDOM_TCP_PORTS = (80, 443, 502, 2404, 20000)
RANDOM_PER_WAY = 4
MAX_PAYLOAD = 1460


def options(text):
    """[(keyword, value)] of a rule's option text (between the parens)."""
    out, cur, quoted, i = [], "", False, 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            cur += text[i:i + 2]
            i += 2
            continue
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
        i += 1
    if cur.strip():
        out.append(cur.strip())
    res = []
    for o in out:
        k, _, v = o.partition(":")
        res.append((k.strip(), v.strip()))
    return res


def content_bytes(v):
    """(negated, bytes) of a content value: "..." with |hex| blocks."""
    neg = v.startswith("!")
    v = v.lstrip("!").strip()
    if len(v) < 2 or v[0] != '"' or v[-1] != '"':
        return neg, None
    v, out, i = v[1:-1], bytearray(), 0
    while i < len(v):
        if v[i] == "|":
            j = v.index("|", i + 1)
            out += bytes.fromhex(v[i + 1:j].replace(" ", ""))
            i = j + 1
        elif v[i] == "\\" and i + 1 < len(v):
            out.append(ord(v[i + 1]))
            i += 2
        else:
            out.append(ord(v[i]))
            i += 1
    return neg, bytes(out)


def number(v):
    """The leading integer of an option value, or None."""
    m = re.match(r"\s*(-?\d+)", v)
    return int(m.group(1)) if m else None


def payload(opts, rnd):
    """A payload that holds the rule's positive contents, or b"" when it
    has none."""
    # [bytes, {modifier: value}] of each positive content
    items, cur, skip = [], None, False
    dsize = isdata = 0
    for k, v in opts:
        if k == "content":
            neg, b = content_bytes(v)
            skip = neg or not b
            cur = None if skip else [b, {}]
            if cur is not None:
                items.append(cur)
        elif k in ("offset", "depth", "distance", "within") and not skip \
                and cur is not None and number(v) is not None:
            cur[1][k] = number(v)
        elif k == "isdataat" and not v.startswith("!") and \
                number(v) is not None:
            # relative: bytes after the content so far; absolute: > N
            if "relative" in v and cur is not None:
                cur[1]["after"] = number(v)
            else:
                isdata = max(isdata, number(v) + 1)
        elif k == "dsize":
            m = re.match(r"\s*(>=|<=|>|<|!)?\s*(\d+)(?:\s*(<>|-)\s*(\d+))?",
                         v)
            if m and m.group(1) in (None, ">", ">="):
                n = int(m.group(2)) + (m.group(1) == ">" or
                                       m.group(3) is not None)
                dsize = max(dsize, n)
    out = bytearray()
    for b, mod in items:
        if "offset" in mod:
            gap = max(0, mod["offset"] - len(out))
        elif "distance" in mod:
            gap = max(0, mod["distance"])
        elif "within" in mod or "depth" in mod or not out:
            gap = 0
        else:
            gap = rnd.randint(1, 4)
        out += bytes(rnd.randrange(256) for _ in range(gap)) + b
        out += bytes(rnd.randrange(256) for _ in range(mod.get("after", 0)))
    if not out:
        return b""
    want = max(isdata, dsize)
    out += bytes(rnd.randrange(256) for _ in range(max(0, want - len(out))))
    return bytes(out[:MAX_PAYLOAD])


def side(addr):
    """'ext', 'home' or None (any) for an address set."""
    if "EXTERNAL_NET" in addr or "AIM_SERVERS" in addr:
        return "ext"
    if "HOME_NET" in addr or "_SERVER" in addr:
        return "home"
    return None


def port_of(spec, eph):
    """A port of a port set, or eph where the set is "any", a negation or
    a variable that stands for one."""
    spec = spec.strip()
    if spec.startswith("["):
        for item in spec[1:-1].split(","):
            if not item.strip().startswith("!"):
                return port_of(item, eph)
        return eph
    if spec.startswith("$"):
        return PORT_VARS.get(spec[1:], eph)
    m = re.match(r"^(\d*):(\d*)$", spec)
    if m:
        lo = int(m.group(1) or 0)
        return lo if lo > 0 else 1
    if spec.isdigit():
        return int(spec)
    return eph


class Frames:
    """Frames in order; frame n has its own pair of addresses."""

    def __init__(self, rnd):
        self.rnd = rnd
        self.frames = []

    def addr(self, kind, second=False):
        n = len(self.frames)
        if kind == "ext":
            net = (203, 0, 113) if (n // 254) % 2 == 0 else (198, 51, 100)
            return bytes(net + (1 + n % 254,))
        # home: unique per frame
        return bytes([10, 200 if second else 1 + (n >> 16), (n >> 8) & 255,
                      n & 255])

    def add(self, proto, src, dst, sport, dport, pay):
        rnd = self.rnd
        if proto == 6:
            l4 = struct.pack("!HHIIBBHHH", sport, dport,
                             rnd.getrandbits(32), rnd.getrandbits(32),
                             5 << 4, 0x18, 65535, 0, 0)
            at = 16
        elif proto == 17:
            l4 = struct.pack("!HHHH", sport, dport, 8 + len(pay), 0)
            at = 6
        else:
            # ICMP echo request: sport is the identifier, dport the seq
            l4 = struct.pack("!BBHHH", 8, 0, 0, sport, dport)
            c = csum(l4 + pay)
            l4 = l4[:2] + struct.pack("!H", c) + l4[4:]
        if proto in (6, 17):
            ph = src + dst + struct.pack("!BBH", 0, proto, len(l4) + len(pay))
            c = csum(ph + l4 + pay)
            if proto == 17 and c == 0:
                c = 0xFFFF
            l4 = l4[:at] + struct.pack("!H", c) + l4[at + 2:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4) + len(pay),
                         len(self.frames) & 0xFFFF, 0x4000, 64, proto, 0,
                         src, dst)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        f = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip + l4 + pay
        self.frames.append(f + b"\0" * max(0, 60 - len(f)))


def rules_of(paths):
    """(proto, src, sport, dst, dport, opts) of each rule line."""
    head = re.compile(r"^(alert|drop|pass)\s+(\S+)\s+(\S+)\s+(\S+)\s+"
                      r"(->|<>)\s+(\S+)\s+(\S+)\s*\((.*)\)\s*$")
    for p in paths:
        with open(p, encoding="utf-8", errors="replace") as f:
            for line in f:
                m = head.match(line.strip())
                if m:
                    yield (m.group(2), m.group(3), m.group(4), m.group(6),
                           m.group(7), options(m.group(8)))


def main():
    out, paths = sys.argv[1], sys.argv[2:]
    rnd = random.Random(20240611)
    fr = Frames(rnd)
    icmp_pays = []
    for proto, src, sport, dst, dport, opts in rules_of(paths):
        if proto not in ("tcp", "tcp-pkt", "udp", "ip", "icmp"):
            continue
        pay = payload(opts, rnd)
        if not pay:
            continue
        if proto in ("ip", "icmp"):
            icmp_pays.append(pay)
        if proto == "icmp":
            continue
        s, d = side(src), side(dst)
        if s is None and d is None:
            s, d = "ext", "home"
        elif s is None:
            s = "home" if d == "ext" else "ext"
        elif d is None:
            d = "home" if s == "ext" else "ext"
        l4s = {"tcp": (6,), "tcp-pkt": (6,), "udp": (17,)}.get(proto,
                                                              (6, 17))
        for l4 in l4s:
            for way in ("a", "b", "c"):
                eph = 40000 + len(fr.frames) % 20000
                a, b = fr.addr(s), fr.addr(d, second=(s == d))
                if way == "c":
                    sp, dp = rnd.randint(1, 65535), rnd.randint(1, 65535)
                else:
                    sp, dp = port_of(sport, eph), port_of(dport, eph + 1)
                if way == "b":
                    a, b, sp, dp = b, a, dp, sp
                fr.add(l4, a, b, sp, dp, pay)
    for l4, ports in ((6, RANDOM_TCP_PORTS), (17, (53,))):
        for port in ports:
            for i in range(2 * RANDOM_PER_WAY):
                eph = 40000 + len(fr.frames) % 20000
                pay = bytes(rnd.randrange(256)
                            for _ in range(rnd.randint(64, MAX_PAYLOAD)))
                ext, home = fr.addr("ext"), fr.addr("home")
                if i % 2 == 0:
                    fr.add(l4, ext, home, eph, port, pay)
                else:
                    fr.add(l4, home, ext, port, eph, pay)
    for i, pay in enumerate(icmp_pays):
        fr.add(1, fr.addr("ext"), fr.addr("home"), 0x4242, i + 1, pay)
    write_pcap(os.path.join(out, "in.pcap"), fr.frames)
    print(len(fr.frames))


if __name__ == "__main__":
    main()
