# SPDX-License-Identifier: BSD-3-Clause
"""Frame and capture helpers shared by the test traffic generators.
Independent of Bulwark's code on purpose: the tests use them as oracles."""
import os
import struct


def csum(b):
    """Internet checksum (RFC 1071) of bytes b."""
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ip_of(b):
    """(proto, l4 offset, end of the IP datagram in b, source, destination
    address bytes, IPv4 flags and fragment offset field or 0) of an IPv4
    or IPv6 frame behind up to two VLAN tags, or None. IPv6 extension
    headers are not walked: proto is the first next header."""
    off, et = 14, struct.unpack("!H", b[12:14])[0]
    tags = 0
    while et in (0x8100, 0x88A8) and tags < 2:
        et = struct.unpack("!H", b[off + 2:off + 4])[0]
        off += 4
        tags += 1
    if et == 0x0800 and b[off] >> 4 == 4:
        frag = struct.unpack("!H", b[off + 6:off + 8])[0]
        end = off + struct.unpack("!H", b[off + 2:off + 4])[0]
        return (b[off + 9], off + (b[off] & 15) * 4, min(end, len(b)),
                b[off + 12:off + 16], b[off + 16:off + 20], frag)
    if et == 0x86DD and b[off] >> 4 == 6:
        end = off + 40 + struct.unpack("!H", b[off + 4:off + 6])[0]
        return (b[off + 6], off + 40, min(end, len(b)),
                b[off + 8:off + 24], b[off + 24:off + 40], 0)
    return None


def tcp_frame(src, dst, sport, dport, seq, ack, flags, pay):
    """Ethernet/IPv4/TCP frame (4-byte addresses src, dst), checksums
    valid, padded to 60 bytes."""
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF,
                      ack & 0xFFFFFFFF, 5 << 4, flags, 65535, 0, 0)
    ph = src + dst + struct.pack("!BBH", 0, 6, len(tcp) + len(pay))
    c = csum(ph + tcp + pay + (b"\0" if len(pay) % 2 else b""))
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(pay), 1,
                     0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    f = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip + tcp + pay
    return f + b"\0" * max(0, 60 - len(f))


def write_pcap(path, frames):
    """A classic little-endian Ethernet pcap, one microsecond apart."""
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, f in enumerate(frames):
            out.write(struct.pack("<IIII", 1700000000 + i // 1000000,
                                  i % 1000000, len(f), len(f)))
            out.write(f)


def write_replay(outdir, marked):
    """OUTDIR/in.pcap: every frame of marked, a list of (frame, dropped);
    OUTDIR/expect.pcap: those not dropped, what must come out. Returns
    (frames, drops)."""
    write_pcap(os.path.join(outdir, "in.pcap"), [f for f, _ in marked])
    keep = [f for f, dropped in marked if not dropped]
    write_pcap(os.path.join(outdir, "expect.pcap"), keep)
    return len(marked), len(marked) - len(keep)


def read_pcap(path):
    """Frames of a classic Ethernet pcap (either byte order)."""
    b = open(path, "rb").read()
    magic = struct.unpack("<I", b[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        e = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        e = ">"
    else:
        raise SystemExit("%s: not a classic pcap" % path)
    if struct.unpack(e + "I", b[20:24])[0] != 1:
        raise SystemExit("%s: not Ethernet" % path)
    off = 24
    while off + 16 <= len(b):
        _, _, caplen, wirelen = struct.unpack(e + "IIII", b[off:off + 16])
        off += 16
        if caplen != wirelen:
            raise SystemExit("%s: a truncated capture" % path)
        yield b[off:off + caplen]
        off += caplen
