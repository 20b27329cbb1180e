#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A stand-in for systemd's notification socket (or for /dev/log): an
AF_UNIX datagram socket at SOCKET that writes every line it receives to
OUT, "WALLCLOCK_S LINE" (flushed at once). When a datagram holds the
line READY=1 it runs ON_READY (a shell command) first, output to
OUT.ready, so that what that command sees is what held when systemd
would have called the service started. Exits after MAX_S seconds or on
SIGTERM.

usage: svc_notify.py SOCKET OUT MAX_S [ON_READY]
"""
import os
import signal
import socket
import subprocess
import sys
import time


def main():
    path, out, max_s = sys.argv[1], sys.argv[2], float(sys.argv[3])
    on_ready = sys.argv[4] if len(sys.argv) > 4 else None
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    end = time.monotonic() + max_s
    ran = False
    with open(out, "w") as f:
        while time.monotonic() < end:
            s.settimeout(max(0.05, end - time.monotonic()))
            try:
                msg = s.recv(4096)
            except socket.timeout:
                continue
            now = time.time()
            lines = msg.decode(errors="replace").split("\n")
            if "READY=1" in lines and on_ready and not ran:
                ran = True
                with open(out + ".ready", "w") as r:
                    subprocess.run(on_ready, shell=True, stdout=r,
                                   stderr=subprocess.STDOUT, timeout=20)
            for line in lines:
                if line:
                    f.write(f"{now:.3f} {line}\n")
            f.flush()


if __name__ == "__main__":
    main()
