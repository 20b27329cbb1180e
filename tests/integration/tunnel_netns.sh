#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Tunnels the kernel makes, through the dataplane: two network namespaces
# joined by bulwark on af_packet veths (netns.sh's set-up), and VXLAN
# between them over IPv4 and over IPv6, on 4789 and on 8472 (given with
# --vxlan-port). Before any list, the inner addresses .2 and .3 of each
# tunnel answer; then a block list holds every .3 and a content rule
# drops UDP carrying EVILTOKEN: .3 stops answering, .2 still does, and
# the inside host gets the clean datagram but not the bad one. A VXLAN
# on 9999, a port not declared, is not decapsulated: its .3 still
# answers (the documented limit). Where the kernel can also make IP in
# IP, sit, GRE, gretap, ip6ip6 or GENEVE devices, the same checks run
# on them; a kernel without them is named in the log, and tunnel.sh
# covers those encapsulations with crafted captures. Needs root.
. "$(dirname "$0")/lib.sh"

t_netns_begin tn
A=(ip netns exec "$T_NSA")
B=(ip netns exec "$T_NSB")

# case NAME K: both ends of tunnel device tNAME in namespace a (.1) and
# b (.2, .3) on 10.202.K.0/24; its creation commands follow in CMD_A and
# CMD_B (words after "ip"). Returns 1 when the kernel refuses them.
cases=()
mk() { # mk NAME K MANDATORY CMD_A -- CMD_B
	local name=$1 k=$2 must=$3 a=() b=()
	shift 3
	while [ "$1" != -- ]; do a+=("$1"); shift; done
	shift
	b=("$@")
	if ! "${A[@]}" ip "${a[@]}" 2>"$T_TMP/mk.err" ||
		! "${B[@]}" ip "${b[@]}" 2>>"$T_TMP/mk.err"; then
		if [ "$must" = yes ]; then
			t_check "create $name" created \
				"refused: $(cat "$T_TMP/mk.err")"
		else
			t_log "kernel cannot make $name ($(head -1 "$T_TMP/mk.err")): covered by tunnel.sh's captures"
		fi
		return 0
	fi
	"${A[@]}" ip link set "t$name" up
	"${B[@]}" ip link set "t$name" up
	"${A[@]}" ip addr add "10.202.$k.1/24" dev "t$name"
	"${B[@]}" ip addr add "10.202.$k.2/24" dev "t$name"
	"${B[@]}" ip addr add "10.202.$k.3/24" dev "t$name"
	cases+=("$name:$k")
}
L4=(local 10.199.0.1 remote 10.199.0.2)
R4=(local 10.199.0.2 remote 10.199.0.1)
L6=(local fd00:b1:0:1::1 remote fd00:b1:0:1::2)
R6=(local fd00:b1:0:1::2 remote fd00:b1:0:1::1)
mk vx4 1 yes link add tvx4 type vxlan id 42 "${L4[@]}" dstport 4789 dev eth0 \
	-- link add tvx4 type vxlan id 42 "${R4[@]}" dstport 4789 dev eth0
mk vx6 2 yes link add tvx6 type vxlan id 44 "${L6[@]}" dstport 4789 dev eth0 \
	-- link add tvx6 type vxlan id 44 "${R6[@]}" dstport 4789 dev eth0
mk vx8472 3 yes link add tvx8472 type vxlan id 45 "${L4[@]}" dstport 8472 \
	dev eth0 -- link add tvx8472 type vxlan id 45 "${R4[@]}" dstport 8472 dev eth0
mk ipip 4 no tunnel add tipip mode ipip "${L4[@]}" -- tunnel add tipip mode ipip "${R4[@]}"
mk gre 5 no tunnel add tgre mode gre "${L4[@]}" key 7 -- tunnel add tgre mode gre "${R4[@]}" key 7
mk gretap 6 no link add tgretap type gretap "${L4[@]}" -- link add tgretap type gretap "${R4[@]}"
mk sit 7 no tunnel add tsit mode sit "${L4[@]}" -- tunnel add tsit mode sit "${R4[@]}"
mk ip6ip6 8 no -6 tunnel add tip6ip6 mode ipip6 "${L6[@]}" -- -6 tunnel add tip6ip6 mode ipip6 "${R6[@]}"
mk geneve 9 no link add tgeneve type geneve id 46 remote 10.199.0.2 -- link add tgeneve type geneve id 46 remote 10.199.0.1
ncases=${#cases[@]}
# the undeclared port: not a case, a limit
"${A[@]}" ip link add tvx9999 type vxlan id 47 "${L4[@]}" dstport 9999 dev eth0
"${B[@]}" ip link add tvx9999 type vxlan id 47 "${R4[@]}" dstport 9999 dev eth0
"${A[@]}" ip link set tvx9999 up
"${B[@]}" ip link set tvx9999 up
"${A[@]}" ip addr add 10.202.99.1/24 dev tvx9999
"${B[@]}" ip addr add 10.202.99.3/24 dev tvx9999
# an inner IPv6 pair on the IPv4 VXLAN
"${A[@]}" ip addr add fd00:202:1::1/64 dev tvx4 nodad
"${B[@]}" ip addr add fd00:202:1::2/64 dev tvx4 nodad
"${B[@]}" ip addr add fd00:202:1::3/64 dev tvx4 nodad

bw_start "$inst" "$T_TMP/bulwark.log" \
	--vdev "net_af_packet0,iface=$T_VO" --vdev "net_af_packet1,iface=$T_VI" \
	-- --instance "$inst" --state-dir "$sd" --pair 0:1 \
	--vxlan-port 4789 --vxlan-port 8472
t_true "dataplane up" bw_wait_running "$inst" 20

pings() { # pings ADDR: 0 when ADDR answers from namespace a
	"${A[@]}" timeout 10 ping -c 2 -i 0.2 -W 1 "$@" "$ADDR" >/dev/null 2>&1
}
for c in "${cases[@]}"; do
	k=${c#*:}
	ADDR=10.202.$k.3 t_true "${c%:*}: .3 answers before the lists" pings
	ADDR=10.202.$k.2 t_true "${c%:*}: .2 answers before the lists" pings
done
ADDR=fd00:202:1::3 t_true "vx4: inner IPv6 ::3 answers before the lists" pings -6
ADDR=10.202.99.3 t_true "vx9999: .3 answers before the lists" pings

printf '%s\n' 10.202.0.3/32 10.202.1.3/32 10.202.2.3/32 10.202.3.3/32 \
	10.202.4.3/32 10.202.5.3/32 10.202.6.3/32 10.202.7.3/32 10.202.8.3/32 \
	10.202.9.3/32 10.202.99.3/32 fd00:202:1::3/128 >"$T_TMP/block.txt"
printf '%s\n' 'drop udp any any -> any 7000 (msg:"evil"; content:"EVILTOKEN"; sid:7201;)' \
	>"$T_TMP/tn.rules"
t_true "load the block list" ctl list load inner "$T_TMP/block.txt"
t_true "load the rule" ctl rules load "$T_TMP/tn.rules"

for c in "${cases[@]}"; do
	n=${c%:*} k=${c#*:}
	ADDR=10.202.$k.2 t_true "$n: .2 still answers" pings
	ADDR=10.202.$k.3 t_true "$n: blocked .3 no longer answers" \
		eval '! pings'
	# the inside host's UDP socket is the oracle for the content rule
	"${B[@]}" timeout 5 "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 7000))
s.settimeout(3)
with open(sys.argv[2], "w") as out:
    try:
        while True:
            out.write(s.recv(2000).decode() + "\n")
            out.flush()
    except socket.timeout:
        pass
' "10.202.$k.2" "$T_TMP/$n.recv" &
	rpid=$!
	T_PIDS+=("$rpid")
	sleep 0.5
	"${A[@]}" "$PY" -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for m in (b"hello-" + sys.argv[2].encode(), b"EVILTOKEN-" + sys.argv[2].encode(),
          b"bye-" + sys.argv[2].encode()):
    s.sendto(m, (sys.argv[1], 7000))
    time.sleep(0.1)
' "10.202.$k.2" "$n"
	wait "$rpid" || true
	t_true "$n: the clean datagrams arrived" \
		grep -qx "hello-$n" "$T_TMP/$n.recv"
	t_true "$n: the last one too" grep -qx "bye-$n" "$T_TMP/$n.recv"
	t_check "$n: the EVILTOKEN one did not" 0 \
		"$(grep -c EVILTOKEN "$T_TMP/$n.recv" || true)"
done
ADDR=fd00:202:1::2 t_true "vx4: inner IPv6 ::2 still answers" pings -6
ADDR=fd00:202:1::3 t_true "vx4: blocked inner IPv6 ::3 no longer answers" \
	eval '! pings -6'
ADDR=10.202.99.3 t_true "vx9999 (undeclared port): .3 still answers" pings

"$BWCTL" --instance "$inst" stats --json >"$T_TMP/s.json"
s=$T_TMP/s.json
t_true "VXLAN packets counted" t_json_true "$s" \
	'd["totals"]["tunnels"]["vxlan"] > 0 and d["totals"]["tunnels"]["depth"]["1"] >= d["totals"]["tunnels"]["vxlan"]'
t_true "a blocklist drop per blocked ping at least" t_json_true "$s" \
	"d['totals']['drops']['blocklist'] >= $((2 * ncases + 2))"
t_true "a content-rule drop per case at least" t_json_true "$s" \
	"d['totals']['drops']['content-rule'] >= $ncases"
t_check "no malformed tunnel drop" 0 "$(t_json "$s" \
	'sum(d["totals"]["drops"][r] for r in ("tunnel-too-deep", "vxlan-bad-header", "gre-bad-header", "geneve-bad-header"))')"
bw_stop
t_check "clean exit" 0 "$BW_RC"
t_done
