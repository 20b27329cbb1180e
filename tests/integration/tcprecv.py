#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A model of the Linux TCP receiver behind Bulwark: the bytes a server
application reads from each connection of a capture, so that the evasion
tests can ask whether a pattern reached it. Written from RFC 793 and
RFC 5961 and from what Linux does by default, and independent of the
dataplane and of the test's oracle:
  - a segment with a wrong TCP checksum (IPv4 or IPv6 pseudo-header) is
    discarded;
  - the first SYN without ACK opens the connection (its sender is the
    client) and sets the next byte expected; data in a SYN is discarded
    (no TCP Fast Open); a later SYN is ignored (challenge ACK);
  - other segments need ACK and a sequence number before the right edge
    of the window the server last advertised (its acknowledgement plus
    its window, scaled by the window scale option when both SYNs carried
    one, RFC 7323): a segment starting at or past it is discarded, so
    with a zero window every byte is (a zero-window probe's too), as
    Linux's tcp_data_queue() does; before the server says anything the
    window is 65,535 bytes from the client's first byte;
  - a frame whose TTL or hop limit is at most HOPS (1: a router between
    Bulwark and the server) expires on the way and is never received;
  - data is delivered in order; out-of-order data waits in a queue until
    the gap fills; where segments overlap, the bytes queued or delivered
    first win (with --last, a queued byte is replaced by a later one, as
    receivers of the "last wins" target policies do; delivered bytes
    stay);
  - an RST is accepted only at exactly the next byte expected (else a
    challenge ACK or nothing), and ends the connection;
  - URG with a nonzero urgent pointer: the byte at seq + pointer - 1 (if
    within the segment's data) is taken out of the stream, as a socket
    without SO_OOBINLINE reads it;
  - the client's FIN, once in order, ends the stream: data after it is
    discarded.
Only the client-to-server direction is modelled.

usage: tcprecv.py [--last] PCAP PATTERN
prints one line per connection, in the order their SYNs came:
"CLIENT found|absent HEX", CLIENT as address:port ([address]:port for
IPv6), found when the bytes delivered contain PATTERN, HEX those bytes
("-" when none).
"""
import collections
import ipaddress
import struct
import sys

from pktlib import csum, ip_of, read_pcap  # noqa: E402

FIN, SYN, RST, ACK, URG = 0x01, 0x02, 0x04, 0x10, 0x20
WINDOW = 65535  # the server's window until it advertises one
SEQ = 1 << 32

Segment = collections.namedtuple(
    "Segment", "src dst sport dport seq ack flags win urg pay ok ttl wscale")
HOPS = 1  # routers between Bulwark and the server: a TTL of 1 expires


def pseudo(src, dst, length):
    """The TCP checksum's pseudo-header for addresses of 4 or 16 bytes."""
    if len(src) == 4:
        return src + dst + struct.pack("!BBH", 0, 6, length)
    return src + dst + struct.pack("!I3xB", length, 6)


def parse(frame):
    """The TCP segment of an unfragmented IPv4 or IPv6 frame, or None."""
    ip = ip_of(frame)
    if ip is None or ip[0] != 6 or ip[5] & 0x3FFF:
        return None
    l4, end, src, dst = ip[1:5]
    tcp = frame[l4:end]
    if len(tcp) < 20 or len(tcp) < (tcp[12] >> 4) * 4:
        return None
    sport, dport, seq, ack, doff, flags, win, _, urg = struct.unpack(
        "!HHIIBBHHH", tcp[:20])
    ok = csum(pseudo(src, dst, len(tcp)) + tcp) == 0
    return Segment(src, dst, sport, dport, seq, ack, flags, win, urg,
                   tcp[(doff >> 4) * 4:], ok, ttl_of(frame, len(src)),
                   wscale_of(tcp[20:(doff >> 4) * 4]))


def ttl_of(frame, alen):
    """The TTL (IPv4) or hop limit (IPv6) of a frame ip_of() took."""
    off = 14
    while frame[off - 2:off] in (b"\x81\x00", b"\x88\xa8"):
        off += 4
    return frame[off + (8 if alen == 4 else 7)]


def wscale_of(opts):
    """The window scale option's shift (at most 14), or None."""
    i = 0
    while i < len(opts) and opts[i] != 0:
        if opts[i] == 1:
            i += 1
            continue
        if i + 1 >= len(opts) or opts[i + 1] < 2:
            return None
        if opts[i] == 3 and opts[i + 1] == 3 and i + 2 < len(opts):
            return min(opts[i + 2], 14)
        i += opts[i + 1]
    return None


def endpoint(addr, port):
    """address:port, the address in brackets when IPv6."""
    a = ipaddress.ip_address(addr)
    return ("%s:%d" if a.version == 4 else "[%s]:%d") % (a, port)


def signed(n):
    """A sequence number difference modulo 2^32, as -2^31 .. 2^31 - 1."""
    n %= SEQ
    return n - SEQ if n >= SEQ // 2 else n


class Receiver:
    """The server's receiving side of one connection."""

    def __init__(self, syn, last=False):
        self.last = last  # later queued bytes replace earlier ones
        self.base = syn.seq + 1  # the sequence number of the first byte
        self.wscale = syn.wscale  # the client's shift, if it offered one
        self.shift = 0  # the server's window shift, once both offered
        self.right = self.base + WINDOW  # the window's right edge
        self.got = 0  # sequence space taken in order since the SYN
        self.queue = {}  # stream offset -> byte, not yet in order
        self.fin = None  # stream offset of the client's FIN
        self.urgent = set()  # stream offsets of urgent bytes
        self.data = bytearray()  # what the application reads
        self.closed = False

    def advertise(self, s):
        """The server's segment s (checksum valid): its window."""
        if s.flags & SYN:
            if self.wscale is not None and s.wscale is not None:
                self.shift = s.wscale
            if s.flags & ACK:  # a SYN's window is never scaled
                self.right = s.ack + s.win
        elif s.flags & ACK:
            self.right = s.ack + (s.win << self.shift)

    def take(self, s):
        """Process the client's segment s (checksum valid)."""
        if self.closed or s.flags & SYN:
            return
        nxt = (self.base + self.got) % SEQ  # the next byte expected
        if s.flags & RST:
            self.closed = s.seq == nxt
            return
        rel = signed(s.seq - nxt)
        if not s.flags & ACK or signed(s.seq - self.right) >= 0:
            return
        off = self.got + rel
        mark = off + s.urg - 1
        if s.flags & URG and s.urg and self.got <= mark < off + len(s.pay):
            self.urgent.add(mark)
        for i in range(max(0, -rel), len(s.pay)):
            if self.last:
                self.queue[off + i] = s.pay[i]
            else:
                self.queue.setdefault(off + i, s.pay[i])
        if s.flags & FIN and off + len(s.pay) >= self.got and \
                self.fin is None:
            self.fin = off + len(s.pay)
        while self.got != self.fin and self.got in self.queue:
            byte = self.queue.pop(self.got)
            if self.got not in self.urgent:
                self.data.append(byte)
            self.got += 1
        self.closed = self.got == self.fin


def streams(frames, last=False):
    """{client endpoint: bytes the server application reads}, in the
    order the connections opened; last: see Receiver."""
    conns = {}
    for f in frames:
        s = parse(f)
        if s is None or not s.ok or s.ttl <= HOPS:
            continue
        key = (s.src, s.sport, s.dst, s.dport)
        rev = (s.dst, s.dport, s.src, s.sport)
        if key not in conns:
            if rev in conns:
                conns[rev].advertise(s)
            elif s.flags & (SYN | ACK) == SYN:
                conns[key] = Receiver(s, last)
            continue
        conns[key].take(s)
    return {endpoint(k[0], k[1]): bytes(r.data) for k, r in conns.items()}


def main():
    args = sys.argv[1:]
    last = args[:1] == ["--last"]
    args = args[last:]
    if len(args) != 2:
        raise SystemExit(__doc__.split("usage: ")[1].split("\n")[0])
    pattern = args[1].encode()
    for key, data in streams(read_pcap(args[0]), last).items():
        print(key, "found" if pattern in data else "absent",
              data.hex() or "-")


if __name__ == "__main__":
    main()
