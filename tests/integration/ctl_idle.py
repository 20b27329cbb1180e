# SPDX-License-Identifier: BSD-3-Clause
"""Open N connections to a dataplane's request socket and send nothing.
usage: ctl_idle.py SOCKET N HOLD_S READY_FILE OUT_FILE
Writes to OUT_FILE, one "KEY VALUE" a line: connected (connect succeeded),
denied / busy / other (a reply with that status came within a second),
waiting (no reply: the dataplane kept the connection), closed (waiting
connections the dataplane closed within HOLD_S) and closed_max_s (the
latest of those closes, seconds after connecting). Touches READY_FILE
once every connection is open. Written apart from Bulwark's code: the
reply layout is read from include/bw_ctl.h by hand."""
import select
import socket
import struct
import sys
import time

path, n, hold, ready, out = (sys.argv[1], int(sys.argv[2]),
                             float(sys.argv[3]), sys.argv[4], sys.argv[5])
MAGIC, DENIED, BUSY = 0x42574354, 1, 5
conns, res = [], {"connected": 0, "denied": 0, "busy": 0, "other": 0,
                  "waiting": 0, "closed": 0}
for _ in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        s.connect(path)
    except OSError:
        s.close()
        continue
    res["connected"] += 1
    conns.append((s, time.monotonic()))
open(ready, "w").write("open\n")
# a refusal comes at accept: give every connection one second at once
pending, end = list(conns), time.monotonic() + 1.0
while pending and time.monotonic() < end:
    r, _, _ = select.select([s for s, _ in pending], [], [],
                            max(0.0, end - time.monotonic()))
    for s in r:
        try:
            m = s.recv(4096)
        except OSError:
            m = b""
        if len(m) == 368 and struct.unpack_from("<I", m)[0] == MAGIC:
            st = struct.unpack_from("<H", m, 6)[0]
            res["denied" if st == DENIED else "busy" if st == BUSY
                else "other"] += 1
        else:
            res["other"] += 1
        pending = [(c, t) for c, t in pending if c is not s]
waiting = pending
res["waiting"] = len(waiting)
last, end = 0.0, time.monotonic() + hold
while waiting and time.monotonic() < end:
    r, _, _ = select.select([s for s, _ in waiting], [], [], 0.2)
    for s in r:
        t0 = [t for c, t in waiting if c is s][0]
        try:
            m = s.recv(4096)
        except OSError:
            m = b""
        if not m:
            res["closed"] += 1
            last = max(last, time.monotonic() - t0)
            waiting = [(c, t) for c, t in waiting if c is not s]
res["closed_max_s"] = "%.1f" % last
with open(out, "w") as f:
    for k, v in res.items():
        f.write("%s %s\n" % (k, v))
