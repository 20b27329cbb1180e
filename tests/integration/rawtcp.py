#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Real-kernel TCP evasions for evasion_netns.sh: a raw-socket attacker
that talks to a real Linux TCP server, the server, and a plain kernel
client. Independent of Bulwark's code: the test's oracle is what the
server application reads.

serve ADDR PORT OUTDIR
    Listen on ADDR:PORT; per connection, write every byte the
    application reads to OUTDIR/PEERADDR_PEERPORT.bin (created at accept,
    so its existence proves the handshake completed) until EOF, an error,
    IDLE_S without data or LIFE_S in all, then the way it ended to
    PEERADDR_PEERPORT.end. The socket closes with an RST (SO_LINGER 0):
    nothing lingers to retransmit into the next phase. Once it has read
    PAUSE the application stops reading for PAUSE_S (its window closes,
    for the zero-window case). OUTDIR/ready
    appears once it listens; SIGTERM (or SERVE_S) stops accepting, and
    it exits once every connection has ended.

attack IFACE SRCMAC DSTMAC SRCIP DSTIP BASEPORT OUTDIR
    Run every raw case, one connection each from SRCIP port
    BASEPORT + case number to DSTIP port 80, over an AF_PACKET socket on
    IFACE: Ethernet frames written whole, the server's answers read from
    the same socket (for its ISN, ACKs and timestamps). SRCIP is an
    address no stack in the sender's namespace owns, and SRCMAC a MAC
    no interface has (the server's side gets a static neighbour entry),
    so the server's answers reach no TCP stack but the attacker's:
    nothing sends an RST for the connections it does not know. Prints
    one line per case, "NAME KIND PORT ok" or "NAME KIND PORT fail WHY";
    writes OUTDIR/NAME.expect, the bytes a Linux server reads when every
    frame reaches it (the case's claim, checked where nothing filters),
    and OUTDIR/badsum.txt, the number of frames sent with a wrong TCP
    checksum.

send ADDR PORT FILE WAIT_S
    A kernel TCP client: connect, print the local port, send FILE, shut
    down writing, wait (at most WAIT_S) for the server to close, close
    with an RST; prints "eof", "reset" or "timeout".

cases
    The raw cases, "NAME KIND NUMBER" per line. KIND: attack (Linux reads
    the pattern when nothing filters), ambiguity (two copies of the same
    bytes; Linux keeps the first, which is not the pattern) or control
    (benign data that must arrive whole).

Every wait is bounded; nothing loops without a count or a deadline.
"""
import os
import random
import signal
import socket
import struct
import sys
import threading
import time

from pktlib import csum  # noqa: E402

PATTERN = b"EVIL-PAYLOAD"
PRE = b"GET /?q="  # every attack's request starts so, in order
TAIL = b" HTTP/1.0\r\n\r\n"
CLEAN = b"GET /index.html HTTP/1.0\r\nHost: www.example.com\r\n\r\n"
FIN, SYN, RST, PSH, ACK, URG = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20
PA = PSH | ACK
SEQ = 1 << 32
FAR = 0x40000000  # a sequence offset far out of any window
GAP_S = 0.01  # between two frames: the order they were written in holds
IDLE_S = 3.0  # the server gives up on a connection silent this long
LIFE_S = 20.0  # and on any after this long
SERVE_S = 60.0  # the server stops accepting after this long in any case
PAUSE = b"PAUSE"  # the server application stops reading after it
PAUSE_S = 4.0  # for this long
ETH_P_IP = 0x0800


class Failed(Exception):
    pass


def tcp_frame(link, sport, seq, ack, flags, pay=b"", urg=0, opts=b"",
              bad=False):
    """An Ethernet/IPv4/TCP frame from the attacker to the server, its
    TCP checksum wrong (never 0 for 0xffff) when bad, padded to 60."""
    tcp = struct.pack("!HHIIBBHHH", sport, 80, seq % SEQ, ack % SEQ,
                      (5 + len(opts) // 4) << 4, flags, 65535, 0, urg)
    tcp += opts + pay
    c = csum(link.src + link.dst + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)
    if bad:
        c = (c + 0x1234) % 0x10000
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    link.ident = (link.ident + 1) % 0x10000
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), link.ident,
                     0x4000, 64, 6, 0, link.src, link.dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    f = link.dmac + link.smac + struct.pack("!H", ETH_P_IP) + ip + tcp
    return f + b"\0" * max(0, 60 - len(f))


def parse(f, link):
    """(sport, dport, seq, ack, flags, tsval, win) of a TCP segment from
    the server to the attacker's address, or None."""
    if len(f) < 54 or f[12:14] != b"\x08\x00" or f[23] != 6:
        return None
    ihl = (f[14] & 15) * 4
    if f[26:30] != link.dst or f[30:34] != link.src:
        return None
    t = 14 + ihl
    sport, dport, seq, ack, off, flags, win = struct.unpack(
        "!HHIIBBH", f[t:t + 16])
    opts, tsval, i = f[t + 20:t + (off >> 4) * 4], None, 0
    while i < len(opts) and opts[i] != 0:  # kind 8: timestamps
        if opts[i] == 1:
            i += 1
            continue
        if i + 1 >= len(opts) or opts[i + 1] < 2:
            break
        if opts[i] == 8 and opts[i + 1] == 10 and i + 10 <= len(opts):
            tsval = struct.unpack("!I", opts[i + 2:i + 6])[0]
        i += opts[i + 1]
    return sport, dport, seq, ack, flags, tsval, win


class Link:
    """The attacker's AF_PACKET socket and addresses."""

    def __init__(self, iface, smac, dmac, src, dst):
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                                  socket.htons(ETH_P_IP))
        self.sock.bind((iface, ETH_P_IP))
        self.smac = bytes.fromhex(smac.replace(":", ""))
        self.dmac = bytes.fromhex(dmac.replace(":", ""))
        self.src = socket.inet_aton(src)
        self.dst = socket.inet_aton(dst)
        self.ident = random.getrandbits(16)
        self.nb_bad = 0  # frames sent with a wrong TCP checksum

    def wait(self, conn, done, timeout):
        """Read the server's segments to conn until done() or timeout
        seconds; whether done() held."""
        end = time.monotonic() + timeout
        while not done():
            left = end - time.monotonic()
            if left <= 0:
                return False
            self.sock.settimeout(left)
            try:
                f = self.sock.recv(65535)
            except socket.timeout:
                return done()
            s = parse(f, self)
            if s and s[0] == 80 and s[1] == conn.sport:
                conn.heard(*s[2:])
        return True


class Conn:
    """One raw connection: the client's sequence space as offsets from
    its first data byte (the SYN at -1), what the server acknowledged."""

    def __init__(self, link, sport, ts=False, wscale=None, isn=None):
        self.link, self.sport = link, sport
        self.wscale = wscale  # the window scale the SYN offers
        self.win = None  # the server's last window field (unscaled)
        self.isn = random.getrandbits(32) if isn is None else isn
        self.nxt = 0  # the offset of the next byte in order
        self.rcv = None  # the server's next sequence number
        self.acked = -1  # the highest offset the server acknowledged
        self.ts = random.randrange(1 << 20, 1 << 30) if ts else None
        self.peer_ts = 0

    def heard(self, seq, ack, flags, tsval, win):
        self.win = win
        if flags & SYN and flags & ACK:
            self.rcv = (seq + 1) % SEQ
        if flags & ACK:
            rel = (ack - self.isn - 1) % SEQ
            if rel < SEQ // 2:
                self.acked = max(self.acked, rel)
        if tsval is not None:
            self.peer_ts = tsval

    def tx(self, off, pay=b"", flags=PA, tsval=None, **kw):
        """A segment at offset off; with timestamps on, TSval tsval (the
        connection's clock, one tick per segment, when None)."""
        opts = b""
        if flags & SYN:
            opts = b"\x02\x04\x05\xb4"  # MSS 1460
            if self.wscale is not None:
                opts += b"\x01\x03\x03" + bytes([self.wscale])
        if self.ts is not None:
            if tsval is None:
                self.ts += 1
                tsval = self.ts
            opts += b"\x01\x01\x08\x0a" + struct.pack("!II", tsval,
                                                      self.peer_ts)
        ack = self.rcv if flags & ACK and self.rcv is not None else 0
        self.link.nb_bad += bool(kw.get("bad"))
        self.link.sock.send(tcp_frame(self.link, self.sport,
                                      self.isn + 1 + off, ack, flags, pay,
                                      opts=opts, **kw))
        time.sleep(GAP_S)

    def handshake(self, syn_pay=None):
        """SYN (after a SYN carrying syn_pay, when given), SYN-ACK, ACK;
        Failed without a SYN-ACK after three SYNs."""
        if syn_pay is not None:
            self.tx(-1, syn_pay, SYN)
        for _ in range(3):
            self.tx(-1, flags=SYN)
            if self.link.wait(self, lambda: self.rcv is not None, 1.0):
                break
        else:
            raise Failed("no SYN-ACK")
        self.tx(0, flags=ACK)

    def data(self, pay, **kw):
        """pay in order; the connection moves past it."""
        self.tx(self.nxt, pay, **kw)
        self.nxt += len(pay)

    def at(self, rel, pay=b"", flags=PA, **kw):
        """A segment rel bytes from the next in order; nothing moves."""
        self.tx(self.nxt + rel, pay, flags, **kw)

    def fin(self):
        """FIN in order; a short wait for its ACK (none when the filter
        holds the stream back)."""
        self.tx(self.nxt, flags=FIN | ACK)
        self.link.wait(self, lambda: self.acked > self.nxt, 0.3)


def finish_split(c, first=PRE):
    """The pattern's two halves in order, the request's tail, the FIN;
    returns the bytes Linux reads when nothing filters, first being what
    the request carried before them."""
    c.data(b"EVIL-")
    c.data(b"PAYLOAD")
    c.data(TAIL)
    c.fin()
    return first + PATTERN + TAIL


def reorder(c):
    """(1) The pattern's second half first, never sent again."""
    c.handshake()
    c.data(PRE)
    c.at(5, b"PAYLOAD")
    c.at(0, b"EVIL-")
    c.nxt += len(PATTERN)
    c.data(TAIL)
    c.fin()
    return PRE + PATTERN + TAIL


def syn_far(c):
    """(2) A SYN in the connection far out of the window, then the
    pattern split (Linux answers a challenge ACK and carries on)."""
    c.handshake()
    c.data(PRE)
    c.at(FAR, flags=SYN)
    return finish_split(c)


def decoy_badsum(c):
    """(3) A decoy with a wrong TCP checksum at the pattern's place, then
    the pattern."""
    c.handshake()
    c.data(PRE)
    c.at(0, b"EVIL-PAYXXXX", bad=True)
    c.data(PATTERN)
    c.data(TAIL)
    c.fin()
    return PRE + PATTERN + TAIL


def syn_data(c):
    """(4) A first SYN carrying the request's start and decoy data (Linux
    discards it: no Fast Open), the handshake, the pattern split: the
    SYN's data sits at the place of the data sent after it."""
    c.handshake(syn_pay=PRE + b"X" * 32)
    c.data(PRE)
    return finish_split(c)


def syn_data_resent(c):
    """(4b) A first SYN carrying the request up to the pattern's first
    half (Linux discards it), then the same bytes again and the second
    half: the SYN's bytes counted at their place complete the pattern."""
    c.handshake(syn_pay=PRE + b"EVIL-")
    c.data(PRE)
    return finish_split(c)


def rst_decoys(c):
    """(5) Between the pattern's halves: an RST with a wrong checksum, one
    far out of the window and one in the window but not at the next byte
    (RFC 5961: a challenge ACK, no reset)."""
    c.handshake()
    c.data(PRE)
    c.data(b"EVIL-")
    c.at(0, flags=RST | ACK, bad=True)
    c.at(FAR, flags=RST | ACK)
    c.at(3, flags=RST | ACK)
    c.data(b"PAYLOAD")
    c.data(TAIL)
    c.fin()
    return PRE + PATTERN + TAIL


def urgent(c):
    """(6) An urgent byte inside the pattern: Linux takes it out of the
    stream (no SO_OOBINLINE), the application reads the pattern."""
    c.handshake()
    c.data(PRE)
    c.data(b"EVIL-PAY")
    c.data(b"XLOAD", flags=PA | URG, urg=1)
    c.data(TAIL)
    c.fin()
    return PRE + PATTERN + TAIL


def decoy_first(c):
    """(7) Benign bytes at the pattern's place, then the pattern at the
    same place: Linux keeps the first copy."""
    c.handshake()
    c.data(PRE)
    c.at(0, b"x" * len(PATTERN))
    c.data(PATTERN)
    c.data(TAIL)
    c.fin()
    return PRE + b"x" * len(PATTERN) + TAIL


def decoy_paws(c):
    """(7b) A decoy that reaches the filter but not the application, as a
    TTL-limited one would past a router: benign bytes whose timestamp is
    older than the last one seen (PAWS, RFC 7323: Linux discards it),
    then the pattern at the same place with a current timestamp."""
    c.handshake()
    c.data(PRE)
    c.at(0, b"x" * len(PATTERN), tsval=c.ts - 100000)
    c.data(PATTERN)
    c.data(TAIL)
    c.fin()
    return PRE + PATTERN + TAIL


def overlap_tail(c):
    """(8) "EVIL-PAYXXXX", then a segment overlapping its tail with
    "LOAD": Linux keeps the bytes it already has."""
    c.handshake()
    c.data(PRE)
    c.data(b"EVIL-PAYXXXX")
    c.at(-4, b"LOAD" + TAIL)
    c.nxt += len(TAIL)
    c.fin()
    return PRE + b"EVIL-PAYXXXX" + TAIL


def overlap_ofo(c):
    """(8b) Ahead of a one-byte gap, "VIL-PAYXXXX", then a longer segment
    from the same place, "VIL-PAYLOAD...": Linux's out-of-order queue
    replaces the first with the one that covers it; then the gap."""
    c.handshake()
    c.data(PRE)
    c.at(1, b"VIL-PAYXXXX")
    c.at(1, b"VIL-PAYLOAD" + TAIL)
    c.at(0, b"E")
    c.nxt += len(PATTERN + TAIL)
    c.fin()
    return PRE + PATTERN + TAIL


def zero_window(c):
    """(9) The application stops reading (after PAUSE); the client fills
    the window until the server advertises none, then a zero-window probe
    carrying a decoy byte (Linux discards it: no window), and once the
    window opens, the pattern split at the probe's place."""
    c.handshake()
    c.data(PRE + PAUSE)
    filler = b""
    for _ in range(100):
        c.link.wait(c, lambda: c.acked >= c.nxt, 0.5)
        if c.win == 0:
            break
        left = min(c.win or 1000, 16000)
        while left > 0:
            chunk = b"f" * min(1000, left)
            c.data(chunk)
            filler += chunk
            left -= len(chunk)
    else:
        raise Failed("the window never closed")
    c.at(0, b"X")
    if not c.link.wait(c, lambda: c.win, PAUSE_S + 3):
        raise Failed("the window never opened")
    return finish_split(c, PRE + PAUSE + filler)


def window_scale(c):
    """(10) Window scaling (RFC 7323) on, both ends: the pattern, split,
    past the first 1000 bytes of the request."""
    c.handshake()
    c.data(PRE + b"A" * 1000)
    return finish_split(c, PRE + b"A" * 1000)


def seq_wrap(c):
    """(11) The client's sequence numbers wrap past 2^32 inside the
    pattern's first half (its ISN is 2^32 - 12): the pattern split."""
    c.handshake()
    c.data(PRE)
    return finish_split(c)


def bytes_control(c):
    """(k1) A benign request in one-byte segments, two pairs swapped; what
    the server has not acknowledged then is sent again from there, in
    order, as a TCP sender would (at most six times)."""
    c.handshake()
    order = list(range(len(CLEAN)))
    for i in (10, 30):
        order[i], order[i + 1] = order[i + 1], order[i]
    for i in order:
        c.tx(i, CLEAN[i:i + 1])
    c.nxt = len(CLEAN)
    for _ in range(6):
        if c.link.wait(c, lambda: c.acked >= len(CLEAN), 0.5):
            break
        c.tx(max(c.acked, 0), CLEAN[max(c.acked, 0):])
    c.fin()
    return CLEAN


# name, kind, build (returns the bytes Linux reads when nothing filters),
# whether the connection uses timestamps, the SYN's window scale, its ISN
# (None: random)
CASES = [
    ("1-reorder", "attack", reorder, False, None, None),
    ("2-syn-far", "attack", syn_far, False, None, None),
    ("3-decoy-badsum", "attack", decoy_badsum, False, None, None),
    ("4-syn-data", "attack", syn_data, False, None, None),
    ("4b-syn-data-resent", "attack", syn_data_resent, False, None, None),
    ("5-rst-decoys", "attack", rst_decoys, False, None, None),
    ("6-urgent", "attack", urgent, False, None, None),
    ("7-decoy-first", "ambiguity", decoy_first, False, None, None),
    ("7b-decoy-paws", "attack", decoy_paws, True, None, None),
    ("8-overlap-tail", "ambiguity", overlap_tail, False, None, None),
    ("8b-overlap-ofo", "attack", overlap_ofo, False, None, None),
    ("9-zero-window", "attack", zero_window, False, None, None),
    ("10-window-scale", "attack", window_scale, False, 7, None),
    ("11-seq-wrap", "attack", seq_wrap, False, None, SEQ - 12),
    ("k1-bytes", "control", bytes_control, False, None, None),
]


def attack(iface, smac, dmac, src, dst, base, outdir):
    link = Link(iface, smac, dmac, src, dst)
    for n, (name, kind, build, ts, ws, isn) in enumerate(CASES, 1):
        port = int(base) + n
        try:
            expect = build(Conn(link, port, ts, ws, isn))
            with open(os.path.join(outdir, name + ".expect"), "wb") as f:
                f.write(expect)
            print(name, kind, port, "ok", flush=True)
        except (Failed, OSError) as e:
            print(name, kind, port, "fail", str(e).replace(" ", "-"),
                  flush=True)
    with open(os.path.join(outdir, "badsum.txt"), "w") as f:
        f.write("%d\n" % link.nb_bad)


def serve(addr, port, outdir):
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    ls = socket.create_server((addr, int(port)), backlog=64)
    ls.settimeout(0.2)
    open(os.path.join(outdir, "ready"), "w").close()
    threads, end = [], time.monotonic() + SERVE_S
    while not stop.is_set() and time.monotonic() < end:
        try:
            c, peer = ls.accept()
        except (socket.timeout, InterruptedError):
            continue
        t = threading.Thread(target=session, args=(c, peer, outdir))
        t.start()
        threads.append(t)
    ls.close()
    for t in threads:
        t.join(LIFE_S + 5)


def session(c, peer, outdir):
    """What the application reads from connection c, into its file."""
    base = os.path.join(outdir, "%s_%d" % peer)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.settimeout(0.25)
    start = last = time.monotonic()
    how, tail, paused = "lifetime", b"", False
    with open(base + ".bin", "wb") as f:
        while time.monotonic() - start < LIFE_S:
            try:
                b = c.recv(65536)
            except socket.timeout:
                if time.monotonic() - last >= IDLE_S:
                    how = "idle"
                    break
                continue
            except OSError as e:
                how = "error-%d" % (e.errno or 0)
                break
            if not b:
                how = "eof"
                break
            f.write(b)
            f.flush()
            seen = tail + b
            tail = seen[-len(PAUSE):]
            if not paused and PAUSE in seen:
                paused = True
                time.sleep(PAUSE_S)
            last = time.monotonic()
    c.close()
    with open(base + ".end", "w") as f:
        f.write(how + "\n")


def send(addr, port, path, wait_s):
    data = open(path, "rb").read()
    end = time.monotonic() + float(wait_s)
    s = socket.create_connection((addr, int(port)), timeout=float(wait_s))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    print(s.getsockname()[1], flush=True)
    how = "timeout"
    try:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        while time.monotonic() < end:
            s.settimeout(max(0.01, end - time.monotonic()))
            if not s.recv(65536):
                how = "eof"
                break
    except socket.timeout:
        pass
    except ConnectionResetError:
        how = "reset"
    s.close()
    print(how, flush=True)


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "serve" and len(args) == 3:
        serve(*args)
    elif cmd == "attack" and len(args) == 7:
        attack(*args)
    elif cmd == "send" and len(args) == 4:
        send(*args)
    elif cmd == "cases" and not args:
        for n, (name, kind, *_) in enumerate(CASES, 1):
            print(name, kind, n)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
