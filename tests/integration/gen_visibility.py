#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Traffic and its oracle for the visibility tests (metrics, telemetry,
top, explain), independent of Bulwark's code: each class of frame is
built here and counted here.

Writes into OUTDIR:
  in.pcap           the frames, classes interleaved
  expect.pcap       the frames that must come out (not dropped)
  attackers.list    the block list: 198.51.100.0/24
  vis.rules         the content rules (drop sid 9000001, alert 9000002)
  counts.txt        "KEY N" lines:
    frames          every frame
    list_attackers  UDP frames from 198.51.100.7 (dropped by the list)
    sid9000001      TCP to port 80 carrying EVILPAYLOAD (dropped)
    sid9000002      TCP to port 80 carrying ALERTME (forwarded)
    bad_version     IPv4 frames whose version nibble is 5 (dropped)
    passed          clean UDP frames (forwarded)
    drops           every dropped frame
    rx_bytes        bytes of every frame

usage: gen_visibility.py OUTDIR
"""
import os
import struct
import sys

from pktlib import csum, tcp_frame, write_replay  # noqa: E402

MAC = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01"
N_LIST, N_DROP, N_ALERT, N_BAD, N_PASS = 37, 23, 11, 5, 50


def ip4(s):
    return bytes(int(x) for x in s.split("."))


def udp_frame(src, dst, sport, dport, pay):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(pay), 0) + pay
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 7, 0, 64, 17, 0,
                    src, dst)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    f = MAC + b"\x08\x00" + h + udp
    return f + b"\0" * max(0, 60 - len(f))


def bad_version_frame(i):
    f = bytearray(udp_frame(ip4("192.0.2.30"), ip4("10.0.0.7"), 1000 + i, 53,
                            b"x" * 8))
    f[14] = 0x55  # version 5, header length 5
    return bytes(f)


def main():
    out = sys.argv[1]
    classes = []
    for i in range(N_LIST):
        classes.append(("list", udp_frame(ip4("198.51.100.7"), ip4("10.0.0.5"),
                                          5000 + i, 53, b"listprobe%03d" % i)))
    for i in range(N_DROP):
        classes.append(("drop", tcp_frame(ip4("192.0.2.10"), ip4("10.0.0.5"),
                                          40000 + i, 80, 1000 + i, 1, 0x18,
                                          b"GET /EVILPAYLOAD/%03d" % i)))
    for i in range(N_ALERT):
        classes.append(("alert", tcp_frame(ip4("192.0.2.11"), ip4("10.0.0.5"),
                                           41000 + i, 80, 2000 + i, 1, 0x18,
                                           b"GET /ALERTME/%03d" % i)))
    for i in range(N_BAD):
        classes.append(("bad", bad_version_frame(i)))
    for i in range(N_PASS):
        classes.append(("pass", udp_frame(ip4("192.0.2.20"), ip4("10.0.0.6"),
                                          6000 + i, 53, b"clean%03d" % i)))
    # interleave: sort by a stable spread so that classes mix
    classes = [c for _, c in sorted(enumerate(classes),
                                    key=lambda t: (t[0] * 7919) % 1009)]
    marked = [(f, k in ("list", "drop", "bad")) for k, f in classes]
    frames, drops = write_replay(out, marked)
    with open(os.path.join(out, "attackers.list"), "w") as f:
        f.write("198.51.100.0/24\n")
    with open(os.path.join(out, "vis.rules"), "w") as f:
        f.write('drop tcp any any -> any 80 (msg:"evil payload"; '
                'content:"EVILPAYLOAD"; sid:9000001; rev:2;)\n')
        f.write('alert tcp any any -> any 80 (msg:"alert me"; '
                'content:"ALERTME"; sid:9000002; rev:1;)\n')
    with open(os.path.join(out, "counts.txt"), "w") as f:
        f.write("frames %d\n" % frames)
        f.write("list_attackers %d\n" % N_LIST)
        f.write("sid9000001 %d\n" % N_DROP)
        f.write("sid9000002 %d\n" % N_ALERT)
        f.write("bad_version %d\n" % N_BAD)
        f.write("passed %d\n" % (N_ALERT + N_PASS))
        f.write("drops %d\n" % drops)
        f.write("rx_bytes %d\n" % sum(len(c) for _, c in classes))


if __name__ == "__main__":
    main()
