#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# IP fragments of real kernel traffic through the dataplane (two network
# namespaces joined by veths, as netns.sh, but attached with net_pcap's
# iface mode: DPDK 22.11's net_af_packet joins a PACKET_FANOUT group with
# the defragment flag, so the kernel hands it IPv4 datagrams already
# reassembled, cut at its frame size; see docs/architecture.md): pings of 3000 bytes
# (IPv4 and IPv6, fragmented by the sender at MTU 1500) must be answered,
# UDP datagrams of 4000 bytes must reach the receiving application whole,
# and those whose pattern sits in a later fragment only must not reach it
# at all, while the clean ones sent around them do; the same with
# datagrams of 16000 bytes (11 fragments). The receiver (a Python
# socket in the inside namespace) is the oracle: what the kernel
# reassembled and handed to it. Needs root; bounded in time.
. "$(dirname "$0")/lib.sh"

t_netns_begin fn

echo 'drop udp any any -> any 6000 (msg:"frag"; content:"EVIL-FRAG"; sid:1; rev:1;)' \
	>"$T_TMP/frag.rules"
t_true "stage the rule" ctl rules load "$T_TMP/frag.rules"

bw_start "$inst" "$T_TMP/bulwark.log" \
	--vdev "net_pcap0,iface=$T_VO" --vdev "net_pcap1,iface=$T_VI" \
	-- --instance "$inst" --state-dir "$sd" --pair 0:1
t_true "dataplane comes up on the veths" bw_wait_running "$inst" 20

t_true "IPv4 ping of 3000 bytes (fragmented) through bulwark" \
	ip netns exec "$nsa" timeout 20 ping -c 3 -i 0.2 -W 2 -s 3000 -M want 10.199.0.2
t_true "IPv6 ping of 3000 bytes (fragmented) through bulwark" \
	ip netns exec "$nsa" timeout 20 ping -6 -c 3 -i 0.2 -W 2 -s 3000 fd00:b1:0:1::2

# receiver: every datagram it gets, one line "LEN FIRST-BYTE-TAG"
ip netns exec "$nsb" timeout 20 "$PY" - "$T_TMP/recv.txt" <<'EOF' &
import socket, sys
out = open(sys.argv[1], "w")
s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s4.bind(("10.199.0.2", 6000))
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s6.bind(("fd00:b1:0:1::2", 6000))
import select
open(sys.argv[1] + ".ready", "w").close()
while True:
    r, _, _ = select.select([s4, s6], [], [], 4)
    if not r:
        break
    for s in r:
        d = s.recv(65535)
        out.write("%d %s\n" % (len(d), d[:8].decode()))
        out.flush()
EOF
rcv=$!
T_PIDS+=("$rcv")
for i in $(seq 50); do [ -e "$T_TMP/recv.txt.ready" ] && break; sleep 0.1; done

# sender: clean and evil datagrams of 4000 bytes, the pattern at byte
# 3500 (the third fragment at MTU 1500), IPv4 and IPv6, interleaved
t_true "send the datagrams" ip netns exec "$nsa" timeout 20 "$PY" - <<'EOF'
import socket, time
s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
for i in range(5):
    for s, dst, fam in ((s4, "10.199.0.2", "4"), (s6, "fd00:b1:0:1::2", "6")):
        clean = ("clean%s%d" % (fam, i)).ljust(8, "x").encode() + b"a" * 3992
        evil = ("evil%s%d" % (fam, i)).ljust(8, "x").encode() + b"a" * 3492 + b"EVIL-FRAG" + b"a" * 491
        s.sendto(clean, (dst, 6000))
        s.sendto(evil, (dst, 6000))
        # 16000 bytes: 11 fragments, more than rte_ip_frag takes at once
        big = ("big%s%d" % (fam, i)).ljust(8, "x").encode() + b"b" * 15992
        bevil = (("bevil%s%d" % (fam, i)).ljust(8, "x").encode() +
                 b"b" * 13992 + b"EVIL-FRAG" + b"b" * 1991)
        s.sendto(big, (dst, 6000))
        s.sendto(bevil, (dst, 6000))
        time.sleep(0.05)
EOF
wait "$rcv" || true
t_check "clean datagrams received whole (IPv4 and IPv6)" 10 \
	"$(grep -c '^4000 clean' "$T_TMP/recv.txt")"
t_check "clean datagrams of 11 fragments received whole" 10 \
	"$(grep -c '^16000 big' "$T_TMP/recv.txt")"
t_check "no datagram with the pattern received" 0 \
	"$(grep -c 'evil' "$T_TMP/recv.txt")"

"$BWCTL" --instance "$inst" stats --json >"$T_TMP/s.json"
s="$T_TMP/s.json"
t_true "datagrams reassembled: pings both ways and the UDP ones" \
	t_json_true "$s" 'd["totals"]["fragments"]["reassembled"] >= 12 + 40'
t_true "the evil datagrams' fragments dropped by the rule" \
	t_json_true "$s" 'd["totals"]["drops"]["content-rule"] >= 10 * 3 + 10 * 11'
t_check "nothing timed out or overlapped" "0 0" \
	"$(t_json "$s" 'd["totals"]["fragments"]["timeouts"]') $(t_json "$s" 'd["totals"]["fragments"]["overlaps"]')"
bw_stop
t_check "clean exit on SIGTERM" 0 "$BW_RC"
t_done
