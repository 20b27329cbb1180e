#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Traffic and oracle for the TCP evasion test (evasion.sh): the evasions
of Ptacek & Newsham against the rule
  drop tcp any any -> any 80 (content:"EVIL-PAYLOAD"; sid:1;)
and control flows, each case one connection (client 10.0.0.N or
fd00:e::N, port 40000 + N, to port 80), after a three-way handshake.
CASES lists them: a reordering, b far SYNs, c decoys the receiver never
takes (bad checksum, TTL that expires behind Bulwark), d data in a SYN
(Linux discards it; the client sends it again), e bogus RSTs and FINs, f
an urgent byte, g the sequence wrap, h jumbo frames (the pattern past the
first mbuf segment), i decoys the receiver discards (no ACK) or that a
last-wins receiver replaces, j windows: a zero-window probe carrying a
decoy byte, a decoy at the right edge of the window, data past the
unscaled window that window scaling admits; k the controls.

The oracle models the dataplane's stream normalizer: for a segment with
data, SYN, FIN or RST (a bare ACK passes unchecked), per direction of a
flow, "next" the next byte expected, checks before any state changes
(a dropped segment changes none):
  1. a wrong TCP checksum: dropped, tcp-bad-checksum;
  2. a SYN in a direction whose next byte is known, unless at the first
     SYN's sequence number (a retransmission; the engine also refuses
     that once the handshake is done and data went, which no case sends):
     tcp-invalid-syn; the first SYN sets next = seq + 1; a SYN's data is
     data at seq + 1, checked and scanned as from 7 on;
  3. URG with a nonzero urgent pointer: tcp-urgent-data;
  4. an RST at seq == next ends the flow (its data is not scanned); any
     other RST: tcp-invalid-rst;
  5. data or a FIN without ACK: tcp-missing-ack;
  6. a FIN after an accepted FIN, or data beyond it: tcp-invalid-fin;
     segments at or behind an accepted FIN pass;
  7. a byte of the segment that differs from the byte seen before at its
     sequence number (scanned, or held ahead of a gap):
     tcp-overlap-different-data;
  8. a FIN ahead of next: tcp-out-of-order; data ahead of next is held
     (passes) and scanned when the gap before it fills; data behind next
     is a retransmission, only its new bytes are scanned;
  9. a FIN in order ends the direction's stream (and drops what is held
     ahead); a FIN behind next: tcp-invalid-fin;
  10. the segment whose new bytes, with the held ones they join,
     complete the pattern in stream order (or that holds it whole), and
     every later segment of that direction: content-rule.
Cases where these rules leave the verdict open are refused: a bare ACK
after a match (rules_stream.sh has it dropped), a bad checksum after a
match, the pattern whole in a segment dropped for another reason. The attacks
must deliver the pattern to a receiver where bytes first queued win
(Linux) or to one where the last win, and behind Bulwark to neither. Each
case
states the drops it expects, checked against the oracle; each attack must
deliver the pattern to the Linux receiver model (tcprecv.py) from the
input and not from the oracle's output, and each control its data from
both: the generator fails otherwise.

Writes into OUTDIR: in.pcap, expect.pcap (the input minus the oracle's
drops), counts.txt ("frames N", "drops N", one line "REASON N" per
reason) and cases.txt, one line per case: "attack NAME CLIENT" or
"control NAME CLIENT HEX", CLIENT as tcprecv.py names it and HEX the
data the server must read.

usage: gen_evasion.py OUTDIR
"""
import os
import struct
import sys

from pktlib import csum, tcp_frame, write_replay  # noqa: E402
from tcprecv import (ACK, FIN, RST, SEQ, SYN, URG, endpoint,  # noqa: E402
                     parse, pseudo, signed, streams)

PATTERN = b"EVIL-PAYLOAD"
CLEAN = b"GET /index.html HTTP/1.0\r\nHost: www.example.com\r\n\r\n"
PA = 0x08 | ACK
FAR = 0x40000000  # a sequence number offset far out of any window
REASONS = ("tcp-bad-checksum", "tcp-invalid-syn", "tcp-urgent-data",
           "tcp-invalid-rst", "tcp-out-of-order", "tcp-invalid-fin",
           "tcp-missing-ack", "tcp-overlap-different-data", "content-rule")
BAD, ISYN, URGENT, IRST, OOO, IFIN, NOACK, OVERLAP, RULE = REASONS


def segment(src, dst, ports, seq, ack, flags, pay, urg=0, bad=False,
            win=65535, wscale=None, ttl=64):
    """An Ethernet frame with an IPv4 or IPv6 (addresses of 16 bytes) TCP
    segment, its checksum wrong (but not 0 for 0xffff) when bad; wscale:
    a window scale option (RFC 7323) of that shift."""
    v4 = len(src) == 4
    f = tcp_frame(src if v4 else bytes(4), dst if v4 else bytes(4),
                  ports[0], ports[1], seq, ack, flags, pay)
    opts = b"" if wscale is None else struct.pack("!BBBB", 1, 3, 3, wscale)
    tcp = bytearray(f[34:54] + opts + pay)
    tcp[12] = (20 + len(opts)) // 4 << 4
    head = bytearray(f[:34]) if v4 else f[:12] + struct.pack(
        "!HIHBB", 0x86DD, 6 << 28, len(tcp), 6, ttl) + src + dst
    if v4:
        struct.pack_into("!H", head, 16, 20 + len(tcp))
        struct.pack_into("!BBH", head, 22, ttl, 6, 0)
        struct.pack_into("!H", head, 24, csum(bytes(head[14:34])))
    struct.pack_into("!HHH", tcp, 14, win, 0, urg)
    c = csum(pseudo(src, dst, len(tcp)) + tcp)
    struct.pack_into("!H", tcp, 16, (c + 0x1234) % 0x10000 if bad else c)
    f = bytes(head) + tcp
    return f + b"\0" * max(0, 60 - len(f))


class Flow:
    """The frames of one case's connection."""

    def __init__(self, idx, v6=False, isn=None):
        if v6:
            self.ends = [bytes.fromhex("fd00000e" + "00" * 11) + bytes([n])
                         for n in (idx, 80)]
        else:
            self.ends = [bytes([10, 0, 0, idx]), bytes([192, 168, 1, 80])]
        self.ports = [40000 + idx, 80]
        # the next sequence number each side sends, client first
        self.seq = [100000 * idx + 7 if isn is None else isn,
                    700000 * idx + 3]
        self.frames = []
        self.data = CLEAN  # what a control's server must read

    def send(self, side, pay=b"", flags=PA, rel=None, **kw):
        """A segment from side 0 (client) or 1 (server), at that side's
        next sequence number plus rel; without rel, the side then moves
        past its data, SYN and FIN. kw: segment()'s urg and bad."""
        at = self.seq[side] + (rel or 0)
        o = 1 - side
        self.frames.append(segment(
            self.ends[side], self.ends[o], self.ports[side::o - side],
            at % SEQ, self.seq[o] % SEQ if flags & ACK else 0, flags, pay,
            **kw))
        if rel is None:
            self.seq[side] = at + len(pay) + bool(flags & (SYN | FIN))

    def c(self, pay=b"", flags=PA, **kw):
        self.send(0, pay, flags, **kw)

    def handshake(self):
        self.c(flags=SYN)
        self.send(1, flags=SYN | ACK)
        self.c(flags=ACK)

    def pieces(self, parts, order):
        """The client's parts, each at its place in the stream, sent in
        the order given (indices); then the client moves past them."""
        at = [self.seq[0] + len(b"".join(parts[:i]))
              for i in range(len(parts))]
        for i in order:
            self.c(parts[i], rel=at[i] - self.seq[0])
        self.seq[0] += len(b"".join(parts))

    def key(self):
        return endpoint(self.ends[0], self.ports[0])


def split(f, opening=(), before=(), between=(), parts=(b"EVIL-",
                                                        b"PAYLOAD")):
    """An attack: segments of the opening (the client's, before the
    handshake), the handshake, the start of a request, the segments
    before, the first of the parts, the segments between, the other parts
    and the end of the request, and no bare ACK after that (open: see
    Oracle). A segment: Flow.c's keyword arguments."""
    for s in opening:
        f.c(**s)
    f.handshake()
    f.c(b"GET /?q=")
    for s in before:
        f.c(**s)
    f.c(parts[0])
    for s in list(between) + [dict(pay=p) for p in parts[1:]]:
        f.c(**s)
    f.c(b" HTTP/1.0\r\n\r\n")


def reorder(f):
    """The pattern's second half before its first, never sent again, then
    the pattern split again, in order: ahead of the gap, all of it is."""
    f.handshake()
    f.pieces([b"EVIL-", b"PAYLOAD"], [1, 0])
    f.pieces([b" EVIL-", b"PAYLOAD"], [0, 1])


def control(order):
    """A control flow: CLEAN in three parts, sent in the order given."""
    def build(f):
        f.handshake()
        f.pieces([CLEAN[:9], CLEAN[9:30], CLEAN[30:]], order)
    return build


def fin_close(f):
    """CLEAN, the client's FIN and its retransmission, the server's
    answer and FIN, the client's last ACK."""
    f.handshake()
    f.c(CLEAN)
    f.c(flags=FIN | ACK)
    f.c(flags=FIN | ACK, rel=-1)
    f.send(1, b"HTTP/1.0 200 OK\r\n\r\n")
    f.send(1, flags=FIN | ACK)
    f.c(flags=ACK)


def rst_close(f):
    """CLEAN, then the client's RST at its next sequence number."""
    f.handshake()
    f.c(CLEAN)
    f.c(flags=RST | ACK)


def jumbo(f):
    """A control flow: CLEAN in a 7000-byte segment (several mbufs)."""
    f.data = CLEAN * (7000 // len(CLEAN))
    f.handshake()
    f.pieces([f.data], [0])


def overlap_ahead(f):
    """Ahead of a one-byte gap "VIL-PAYXXXX", then "VIL-PAYLOAD" over it
    (a receiver where the last bytes queued win reads the pattern), then
    the gap's "E" and the rest."""
    f.handshake()
    f.c(b"GET /?q=")
    f.c(b"VIL-PAYXXXX", rel=1)
    f.c(b"VIL-PAYLOAD", rel=1)
    f.c(b"E", rel=0)
    f.seq[0] += len(PATTERN)
    f.c(b" HTTP/1.0\r\n\r\n")


def overlap_behind(f):
    """A control: "EVIL-PAYXXXX" in order, then "LOAD" over its last four
    bytes (every receiver has those already and keeps them)."""
    f.data = b"GET /?q=EVIL-PAYXXXX HTTP/1.0\r\n\r\n"
    f.handshake()
    f.c(b"GET /?q=")
    f.c(b"EVIL-PAYXXXX")
    f.c(b"LOAD", rel=-4)
    f.c(b" HTTP/1.0\r\n\r\n")


def zero_window(probe):
    """After "GET /?q=" the server's window closes; a zero-window probe of
    one byte (the receiver discards it), the window opens, the pattern in
    two parts at the probe's place."""
    def build(f):
        f.handshake()
        f.c(b"GET /?q=")
        f.send(1, flags=ACK, win=0)
        f.c(probe, rel=0)
        f.send(1, flags=ACK)
        f.c(b"EVIL-")
        f.c(b"PAYLOAD")
        f.c(b" HTTP/1.0\r\n\r\n")
    return build


def window_edge(f):
    """The server opens 64 bytes, the client fills them, then a decoy at
    the right edge (the receiver discards it), the window opens, the
    pattern in two parts at the decoy's place."""
    f.handshake()
    f.c(b"GET /?q=")
    f.send(1, flags=ACK, win=64)
    f.c(b"A" * 64)
    f.c(b"EVIL-PAYXXXX", rel=0)
    f.send(1, flags=ACK)
    f.c(b"EVIL-")
    f.c(b"PAYLOAD")
    f.c(b" HTTP/1.0\r\n\r\n")


def wscale(f):
    """Both SYNs offer a window scale of 7; the server's window field says
    512, 65,536 bytes scaled: the pattern, split, lies past the first 512
    bytes, which a normalizer that ignored the scale would leave out."""
    f.c(flags=SYN, wscale=7)
    f.send(1, flags=SYN | ACK, wscale=7, win=512)
    f.c(flags=ACK)
    f.send(1, flags=ACK, win=512)
    f.c(b"GET /?q=" + b"A" * 1000)
    f.c(b"EVIL-")
    f.c(b"PAYLOAD")
    f.c(b" HTTP/1.0\r\n\r\n")


def control_zero_window(f):
    """A control: a zero-window probe with the right byte, then the rest."""
    f.handshake()
    f.c(CLEAN[:9])
    f.send(1, flags=ACK, win=0)
    f.c(CLEAN[9:10], rel=0)
    f.send(1, flags=ACK)
    f.c(CLEAN[9:])


def control_syn_data(f):
    """A control: the SYN carries the request's first 20 bytes, which
    Linux discards; the client sends them again after the handshake."""
    f.c(CLEAN[:20], flags=SYN, rel=0)
    f.handshake()
    f.pieces([CLEAN[:9], CLEAN[9:30], CLEAN[30:]], [0, 1, 2])


def attack(**kw):
    return lambda f: split(f, **kw)


# name, attack or control, how to build it, Flow options, drops expected
CASES = [
    ("a-reorder", "attack", reorder, {}, [RULE] * 3),
    ("b-syn-far", "attack", attack(
        before=[dict(flags=SYN, rel=FAR)], parts=[PATTERN]), {},
     [ISYN, RULE, RULE]),
    ("b-syn-far-split", "attack", attack(
        before=[dict(flags=SYN, rel=FAR)]), {}, [ISYN, RULE, RULE]),
    ("c-decoy-badsum", "attack", attack(
        before=[dict(pay=b"EVIL-PAYXXXX", rel=0, bad=True)],
        parts=[PATTERN]), {}, [BAD, RULE, RULE]),
    ("c-decoy-overlap", "attack", attack(
        between=[dict(pay=b"XXXXXXXX", rel=-2, bad=True)]), {},
     [BAD, RULE, RULE]),
    ("c-decoy-badsum-ipv6", "attack", attack(
        before=[dict(pay=b"EVIL-PAYXXXX", rel=0, bad=True)],
        parts=[PATTERN]), {"v6": True}, [BAD, RULE, RULE]),
    ("c-decoy-ttl", "attack", attack(
        before=[dict(pay=b"EVIL-PAYXXXX", rel=0, ttl=1)]), {},
     [OVERLAP]),
    ("c-decoy-ttl-ipv6", "attack", attack(
        before=[dict(pay=b"EVIL-PAYXXXX", rel=0, ttl=1)]), {"v6": True},
     [OVERLAP]),
    # a SYN's data is placed at seq + 1: other bytes sent after it drop,
    # the same bytes are a retransmission and complete the pattern
    ("d-syn-data", "attack", attack(
        opening=[dict(pay=b"X" * 40, flags=SYN, rel=0)]), {},
     [OVERLAP] * 4),
    ("d-syn-data-resent", "attack", attack(
        opening=[dict(pay=b"GET /?q=EVIL-", flags=SYN, rel=0)]), {},
     [RULE, RULE]),
    ("e-rst-badsum", "attack", attack(
        between=[dict(flags=RST | ACK, rel=0, bad=True)]), {},
     [BAD, RULE, RULE]),
    ("e-rst-far", "attack", attack(
        between=[dict(flags=RST | ACK, rel=FAR)]), {}, [IRST, RULE, RULE]),
    ("e-rst-in-window", "attack", attack(
        between=[dict(flags=RST | ACK, rel=3)]), {}, [IRST, RULE, RULE]),
    ("e-fin-badsum", "attack", attack(
        between=[dict(flags=FIN | ACK, rel=0, bad=True)]), {},
     [BAD, RULE, RULE]),
    ("e-fin-behind", "attack", attack(
        between=[dict(flags=FIN | ACK, rel=-5)]), {}, [IFIN, RULE, RULE]),
    ("f-urgent", "attack", attack(
        between=[dict(pay=b"XLOAD", flags=PA | URG, urg=1)],
        parts=[b"EVIL-PAY"]), {}, [URGENT]),
    # "GET /?q=" ends at 2^32 - 2: "EVIL-" wraps, "PAYLOAD" starts at 3
    ("g-seq-wrap", "attack", attack(), {"isn": SEQ - 11}, [RULE, RULE]),
    # frames longer than an mbuf's 2 KiB: the pattern in a later mbuf
    # segment, and across the boundary of the first two (frame byte 2048)
    ("h-jumbo", "attack", attack(
        parts=[b"x" * 5000 + PATTERN + b"y" * 100]), {}, [RULE, RULE]),
    ("h-jumbo-edge", "attack", attack(
        parts=[b"x" * (2048 - 54 - 6) + PATTERN + b"y" * 3000]), {},
     [RULE, RULE]),
    ("i-decoy-noack", "attack", attack(
        before=[dict(pay=b"EVIL-PAYXXXX", rel=0, flags=0x08)],
        parts=[PATTERN]), {}, [NOACK, RULE, RULE]),
    ("i-overlap-ahead", "attack", overlap_ahead, {}, [OVERLAP]),
    ("i-fin-ahead", "attack", attack(
        between=[dict(flags=FIN | ACK, rel=20)]), {}, [OOO, RULE, RULE]),
    ("j-zero-window-probe", "attack", zero_window(b"X"), {}, [OVERLAP]),
    ("j-window-edge", "attack", window_edge, {}, [OVERLAP]),
    ("j-window-scale", "attack", wscale, {}, [RULE, RULE]),
    ("k-split", "control", control([0, 1, 2]), {}, []),
    ("k-zero-window", "control", control_zero_window, {}, []),
    ("k-syn-data", "control", control_syn_data, {}, []),
    ("k-reorder", "control", control([0, 2, 1, 2]), {}, []),
    ("k-overlap-behind", "control", overlap_behind, {}, [OVERLAP]),
    ("k-retransmit", "control", control([0, 1, 1, 2]), {}, []),
    ("k-fin-close", "control", fin_close, {}, []),
    ("k-rst-close", "control", rst_close, {}, []),
    ("k-split-ipv6", "control", control([0, 1, 2]), {"v6": True}, []),
    ("k-jumbo", "control", jumbo, {}, []),
]


class Direction:
    """The oracle's state of one direction of a flow."""

    def __init__(self):
        self.nxt = None  # the next byte expected
        self.isn = None  # the first SYN's sequence number
        self.fin = None  # the sequence number of an accepted FIN
        self.tail = bytearray()  # the last bytes scanned, to find a split pattern
        self.seen = {}  # sequence number -> byte scanned or held ahead
        self.matched = False


class Oracle:
    """The normalizer's verdict on each segment, in capture order."""

    def __init__(self):
        self.flows = {}

    def __call__(self, s):
        """The reason s must be dropped for, or None."""
        ends = frozenset([(s.src, s.sport), (s.dst, s.dport)])
        d = self.flows.setdefault(ends, {}).setdefault((s.src, s.sport),
                                                       Direction())
        if not s.pay and not s.flags & (SYN | FIN | RST):
            if d.matched:  # rules_stream.sh drops it, the rules pass it
                raise SystemExit("open: a bare ACK after a match")
            return None
        why = self.check(s, d, ends)
        if s.dport == 80 and PATTERN in s.pay and why not in (None, RULE):
            raise SystemExit("open: the pattern whole in a %s segment" %
                             why)
        return why

    def check(self, s, d, ends):
        if d.matched and not s.ok:
            raise SystemExit("open: a bad checksum after a match")
        if d.matched or not s.ok:
            return RULE if d.matched else BAD
        if s.flags & SYN:
            if d.nxt is not None and s.seq != d.isn:
                return ISYN
            if d.nxt is None:
                d.isn, d.nxt = s.seq, (s.seq + 1) % SEQ
            if not s.pay:
                return None
            s = s._replace(seq=(s.seq + 1) % SEQ, flags=ACK)  # its data
        if s.flags & URG and s.urg:
            return URGENT
        if s.flags & RST:
            if s.seq != d.nxt:
                return IRST
            del self.flows[ends]
            return None
        if d.nxt is None:
            d.nxt = s.seq
        if (s.pay or s.flags & FIN) and not s.flags & ACK:
            return NOACK
        rel = signed(s.seq - d.nxt)
        end = (s.seq + len(s.pay)) % SEQ
        if d.fin is not None:
            return IFIN if (s.pay or s.flags & FIN) and \
                signed(end - d.fin) > 0 else None
        if s.flags & FIN and rel > 0:
            return OOO
        if s.flags & FIN and rel + len(s.pay) < 0:
            return IFIN
        for i, b in enumerate(s.pay):
            if d.seen.get((s.seq + i) % SEQ, b) != b:
                return OVERLAP
        for i, b in enumerate(s.pay):
            d.seen[(s.seq + i) % SEQ] = b
        if rel > 0:
            return None  # held ahead of the gap
        if s.flags & FIN:  # nothing held ahead lies past a FIN
            d.seen = {k: v for k, v in d.seen.items()
                      if signed(k - end) < 0}
        # the new bytes, and the held ones they join
        new, at = bytearray(), d.nxt
        while at in d.seen:
            new.append(d.seen[at])
            at = (at + 1) % SEQ
        if s.dport == 80 and PATTERN in d.tail + new:
            d.matched = True
            return RULE
        d.tail = (d.tail + new)[1 - len(PATTERN):]
        d.nxt = at
        if s.flags & FIN:
            d.fin = d.nxt
        return None


def main():
    out = sys.argv[1]
    oracle, marked, lines = Oracle(), [], []
    counts = dict.fromkeys(REASONS, 0)
    for idx, (name, kind, build, opts, want) in enumerate(CASES, 1):
        f = Flow(idx, **opts)
        build(f)
        got = []
        for fr in f.frames:
            why = oracle(parse(fr))
            marked.append((fr, why is not None))
            if why:
                got.append(why)
                counts[why] += 1
        if got != want:
            raise SystemExit("%s: the oracle drops %s, the case says %s" %
                             (name, got, want))
        lines.append((kind, name, f.key(), f.data))
    sent, kept = [[streams((fr for fr, dropped in marked
                            if not (out and dropped)), last)
                    for last in (False, True)] for out in (False, True)]
    for kind, name, key, data in lines:
        if kind == "attack":
            ok = any(PATTERN in r[key] for r in sent) and \
                not any(PATTERN in r[key] for r in kept)
        else:
            ok = all(r[key] == data for r in sent + kept)
        if not ok:
            raise SystemExit("%s: the receiver models read %r, then %r" %
                             (name, [r[key] for r in sent],
                              [r[key] for r in kept]))
    nb, drops = write_replay(out, marked)
    with open(os.path.join(out, "counts.txt"), "w") as f:
        f.write("frames %d\ndrops %d\n" % (nb, drops))
        f.writelines("%s %d\n" % kv for kv in counts.items())
    with open(os.path.join(out, "cases.txt"), "w") as f:
        for kind, name, key, data in lines:
            f.write("%s %s %s%s\n" % (kind, name, key, " " + data.hex()
                                      if kind == "control" else ""))


if __name__ == "__main__":
    main()
