#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue #17 point 3: the bypass hook (--bypass-hook PATH). It runs as
# root, so from a hostile local user's side: a hook file writable by
# group or others, not owned by root, a symbolic link, or in a directory
# others may write is refused at start (the dataplane does not start and
# the hook never runs); a hook made untrusted while the dataplane runs is
# not run at stop. The happy path: "start" once running, "stop" on a
# clean stop, with the documented environment and no descriptor of the
# dataplane (sockets) inherited. A hook that hangs is killed and the
# dataplane goes on.
. "$(dirname "$0")/lib.sh"
quiet() { "$@" >/dev/null 2>&1; }
t_instance hk

t_empty_pcap "$T_TMP/empty.pcap"
out="$T_TMP/hook.out"
hooks="$T_TMP/hooks"
mkdir -m 0755 "$hooks"
cat >"$hooks/bypass" <<EOF
#!/bin/sh
echo "\$1 hook=\$BULWARK_HOOK instance=\$BULWARK_INSTANCE ports=\$BULWARK_PORTS pid=\$BULWARK_PID" >>"$out"
echo "sockets \$(ls -l /proc/\$\$/fd | grep -c socket:)" >>"$out"
EOF
chmod 0755 "$hooks/bypass"

# run LOG HOOK: start the dataplane with HOOK in the background
run() {
	"$BULWARK" --no-huge -m 1024 --no-pci --file-prefix "bw-$inst" -l 0,1 \
		--vdev "net_pcap0,rx_pcap=$T_TMP/empty.pcap,tx_pcap=/dev/null" \
		--vdev "net_pcap1,rx_pcap=$T_TMP/empty.pcap,tx_pcap=/dev/null" \
		-- --instance "$inst" --state-dir "$sd" --bypass-hook "$2" \
		>"$T_TMP/$1" 2>&1 &
	BW_PID=$!
	T_PIDS+=("$BW_PID")
	T_PREFIXES+=("bw-$inst")
}

# refused NAME HOOK MESSAGE: the dataplane must not start, and say why
refused() {
	local rc=0
	run "$1.log" "$2"
	wait "$BW_PID" || rc=$?
	t_true "$1: refused" test "$rc" -ne 0
	t_true "$1: says '$3'" grep -qF -- "$3" "$T_TMP/$1.log"
	t_true "$1: the hook did not run" test ! -e "$out"
}

chmod 0757 "$hooks/bypass"
refused others-writable "$hooks/bypass" "bypass: it is writable by others (mode 0757)"
chmod 0775 "$hooks/bypass"
refused group-writable "$hooks/bypass" "bypass: it is writable by its group (mode 0775)"
chmod 0755 "$hooks/bypass"
chown nobody "$hooks/bypass"
refused not-root "$hooks/bypass" "bypass: it is owned by uid $(id -u nobody), not root"
chown root "$hooks/bypass"
ln -s "$hooks/bypass" "$hooks/link"
refused symlink "$hooks/link" "link: a symbolic link, not a regular file"
chmod 0777 "$hooks"
refused open-directory "$hooks/bypass" "bypass: its directory is writable by others (mode 0777)"
chmod 0755 "$hooks"
chmod 0644 "$hooks/bypass"
refused not-executable "$hooks/bypass" "bypass: not executable by its owner"
chmod 0755 "$hooks/bypass"

# the happy path
run ok.log "$hooks/bypass"
t_true "up with a trusted hook" bw_wait_running "$inst" 20
for _ in $(seq 50); do
	[ -s "$out" ] && break
	sleep 0.1
done
t_check "the hook ran with start" \
	"start hook=start instance=$inst ports=net_pcap0 net_pcap1 pid=$BW_PID" \
	"$(sed -n 1p "$out")"
t_check "no socket of the dataplane inherited" "sockets 0" "$(sed -n 2p "$out")"
bw_stop
t_check "clean exit" 0 "$BW_RC"
t_check "and with stop on the way out" \
	"stop hook=stop instance=$inst ports=net_pcap0 net_pcap1 pid=$BW_PID" \
	"$(sed -n 3p "$out")"
t_check "twice in all" 4 "$(wc -l <"$out")"

# made untrusted while running: not run at stop
rm -f "$out"
run swap.log "$hooks/bypass"
t_true "up again" bw_wait_running "$inst" 20
chmod 0757 "$hooks/bypass"
bw_stop
t_check "clean exit" 0 "$BW_RC"
t_check "a hook made writable by others is not run at stop" 2 "$(wc -l <"$out")"
t_true "the log says so" grep -qF "bypass hook not run (stop): $hooks/bypass: it is writable by others" \
	"$T_TMP/swap.log"
chmod 0755 "$hooks/bypass"

# a hook that hangs is killed; the dataplane goes on
printf '#!/bin/sh\nsleep 30 &\necho $! >%s\nwait\n' "$T_TMP/hang.sleep" >"$hooks/hang"
chmod 0755 "$hooks/hang"
run hang.log "$hooks/hang"
for _ in $(seq 100); do
	grep -qF "bypass hook $hooks/hang start: killed after 5000 ms" "$T_TMP/hang.log" && break
	sleep 0.1
done
t_true "the hook was killed after 5 s" grep -qF "bypass hook $hooks/hang start: killed after 5000 ms" "$T_TMP/hang.log"
t_true "the dataplane goes on" quiet "$BWCTL" --instance "$inst" status
sleep 0.2
# (a zombie until init reaps it: dead all the same)
t_true "what the hook started was killed with it" sh -c "! ps -o stat= -p \$(cat '$T_TMP/hang.sleep') | grep -qv Z"
kill -TERM "$BW_PID"
sleep 0.5
t_true "still stopping while the stop hook hangs" kill -0 "$BW_PID"
bw_stop
t_check "then a clean exit" 0 "$BW_RC"
t_done
