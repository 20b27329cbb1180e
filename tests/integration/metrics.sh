#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# `bulwarkctl metrics` against a real dataplane: the frames of
# gen_visibility.py (a block list, a drop and an alert rule, malformed and
# clean frames, counted by the generator, not by Bulwark) replayed through
# the outside port, then
# - the printed exposition passes `promtool check metrics` and its values
#   equal the generator's counts (rx per worker and per port, drops by
#   reason, list and rule hits);
# - --textfile writes the same by an atomic rename, mode 0644, no leftover;
# - --listen serves it over HTTP (GET /metrics; 404, 405 otherwise) and a
#   real Prometheus server scrapes it and answers PromQL with the counts;
# - after the dataplane stopped: bulwark_up 0, final counters kept; for an
#   instance that does not exist: bulwark_up 0, exit 1; bad options refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vislib.sh"

t_instance mx
PROMTOOL=$(command -v promtool || true)
PROMETHEUS=$(command -v prometheus || true)
[ -n "$PROMTOOL" ] || {
	echo "promtool is missing: apt-get install prometheus" >&2
	exit 1
}
[ -n "$PROMETHEUS" ] || {
	echo "prometheus is missing: apt-get install prometheus" >&2
	exit 1
}

vis_setup
vis_start --events "$T_TMP/events.json"

# m FILE SERIES: the value of one series of an exposition
m() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }

# --- printed once
rc=0
ctl metrics >"$T_TMP/m.prom" || rc=$?
t_check "metrics exits 0 while running" 0 $rc
t_true "promtool check metrics" "$PROMTOOL" check metrics <"$T_TMP/m.prom"
"$PROMTOOL" check metrics <"$T_TMP/m.prom" || true
t_check "up" 1 "$(m "$T_TMP/m.prom" bulwark_up)"
check_values() {
	local f=$1 what=$2
	# every drop and alert hit is an event (oracle: the generator's
	# counts), and the writer wrote as many lines
	t_check "$what: events (oracle)" \
		"$(($(t_count drops) + $(t_count sid9000002)))" \
		"$(m "$f" bulwark_events_total)"
	t_check "$what: events lost" 0 "$(m "$f" bulwark_events_lost_total)"
	t_check "$what: nothing captured" 0 "$(m "$f" bulwark_capture_packets_total)"
	t_check "$what: rx of the worker (oracle)" "$frames" \
		"$(m "$f" 'bulwark_rx_packets_total{worker="0"}')"
	t_check "$what: rx bytes of the worker (oracle)" "$(t_count rx_bytes)" \
		"$(m "$f" 'bulwark_rx_bytes_total{worker="0"}')"
	t_check "$what: rx of the outside port (oracle)" "$frames" \
		"$(m "$f" 'bulwark_port_rx_packets_total{port="net_pcap0"}')"
	t_check "$what: sent by the inside port (oracle)" "$(t_count passed)" \
		"$(m "$f" 'bulwark_port_tx_packets_total{port="net_pcap1"}')"
	t_check "$what: dropped (oracle)" "$(t_count drops)" \
		"$(m "$f" 'bulwark_dropped_packets_total{worker="0"}')"
	t_check "$what: blocklist drops (oracle)" "$(t_count list_attackers)" \
		"$(m "$f" 'bulwark_drops_total{reason="blocklist"}')"
	t_check "$what: content-rule drops (oracle)" "$(t_count sid9000001)" \
		"$(m "$f" 'bulwark_drops_total{reason="content-rule"}')"
	t_check "$what: bad-version drops (oracle)" "$(t_count bad_version)" \
		"$(m "$f" 'bulwark_drops_total{reason="ipv4-bad-version"}')"
	t_check "$what: list hits (oracle)" "$(t_count list_attackers)" \
		"$(m "$f" 'bulwark_list_hits_total{list="attackers"}')"
	t_check "$what: drop rule hits (oracle)" "$(t_count sid9000001)" \
		"$(m "$f" 'bulwark_rule_hits_total{sid="9000001"}')"
	t_check "$what: alert rule hits (oracle)" "$(t_count sid9000002)" \
		"$(m "$f" 'bulwark_rule_hits_total{sid="9000002"}')"
	t_check "$what: generation is the state directory's" \
		"$(ctl history 2>/dev/null | awk '$1 == "*" { print $2 }')" \
		"$(m "$f" bulwark_generation)"
	t_check "$what: outside link up" 1 \
		"$(m "$f" 'bulwark_port_link_up{port="net_pcap0",role="outside",pair="0"}')"
	t_check "$what: list prefixes" 1 \
		"$(m "$f" 'bulwark_list_prefixes{list="attackers",family="ipv4"}')"
}
check_values "$T_TMP/m.prom" printed
t_true "heartbeat age below 3 s" awk -v a="$(m "$T_TMP/m.prom" bulwark_heartbeat_age_seconds)" \
	'BEGIN { exit !(a >= 0 && a < 3) }'
t_true "every family has HELP and TYPE" awk '
	/^# HELP / { h[$3] = 1; next }
	/^# TYPE / { t[$3] = 1; next }
	{ n = $1; sub(/\{.*/, "", n); if (!(n in h) || !(n in t)) bad = 1 }
	END { exit bad }' "$T_TMP/m.prom"

# --- textfile: atomic, readable, nothing left behind
mkdir "$T_TMP/tf"
t_true "textfile written" ctl metrics --textfile "$T_TMP/tf/bulwark.prom"
t_true "textfile: promtool" "$PROMTOOL" check metrics <"$T_TMP/tf/bulwark.prom"
check_values "$T_TMP/tf/bulwark.prom" textfile
t_check "textfile: mode 644" 644 "$(stat -c %a "$T_TMP/tf/bulwark.prom")"
t_check "textfile: no temporary file left" "bulwark.prom" "$(ls "$T_TMP/tf")"
# a planted symlink in place of the target is replaced, its target untouched
echo keep >"$T_TMP/victim"
ln -sf "$T_TMP/victim" "$T_TMP/tf/bulwark.prom"
t_true "textfile over a symlink" ctl metrics --textfile "$T_TMP/tf/bulwark.prom"
t_check "textfile: the symlink's target untouched" keep "$(cat "$T_TMP/victim")"
t_true "textfile: a file now" test -f "$T_TMP/tf/bulwark.prom" -a ! -L "$T_TMP/tf/bulwark.prom"
rc=0
ctl metrics --textfile "$T_TMP/nodir/x.prom" 2>"$T_TMP/tf.err" || rc=$?
t_check "textfile in a missing directory fails" 1 $rc
t_true "textfile: says why" grep -q "cannot write $T_TMP/nodir/x.prom" "$T_TMP/tf.err"
# --interval rewrites it until SIGTERM
"$BWCTL" --instance "$inst" metrics --textfile "$T_TMP/tf/loop.prom" --interval 0.2 &
lpid=$!
T_PIDS+=("$lpid")
for _ in $(seq 50); do [ -f "$T_TMP/tf/loop.prom" ] && break; sleep 0.1; done
m1=$(stat -c %Y.%y "$T_TMP/tf/loop.prom" 2>/dev/null || echo none)
sleep 0.6
m2=$(stat -c %Y.%y "$T_TMP/tf/loop.prom" 2>/dev/null || echo none)
t_true "textfile --interval rewrites" test "$m1" != "$m2" -a "$m1" != none
kill -TERM "$lpid"
rc=0
wait "$lpid" || rc=$?
t_check "textfile --interval stops on SIGTERM with 0" 0 $rc

# --- HTTP
"$BWCTL" --instance "$inst" metrics --listen 127.0.0.1:0 >"$T_TMP/listen.out" 2>&1 &
xpid=$!
T_PIDS+=("$xpid")
port=
for _ in $(seq 50); do
	port=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$T_TMP/listen.out")
	[ -n "$port" ] && break
	sleep 0.1
done
t_true "exporter listens" test -n "$port"
curl -s -m 5 -D "$T_TMP/h.txt" -o "$T_TMP/http.prom" "http://127.0.0.1:$port/metrics"
t_true "HTTP: promtool" "$PROMTOOL" check metrics <"$T_TMP/http.prom"
check_values "$T_TMP/http.prom" HTTP
t_true "HTTP: content type 0.0.4" grep -qi '^Content-Type: text/plain; version=0.0.4' "$T_TMP/h.txt"
t_check "HTTP: 404 elsewhere" 404 \
	"$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/nothing")"
t_check "HTTP: POST refused" 405 \
	"$(curl -s -m 5 -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$port/metrics")"
t_check "HTTP: a POST with a body refused" 405 \
	"$(curl -s -m 5 -o /dev/null -w '%{http_code}' --data-binary @"$T_TMP/in.pcap" "http://127.0.0.1:$port/metrics")"
t_check "HTTP: still serving after that" 200 \
	"$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/metrics")"

# --- a real Prometheus server scrapes it
pport=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$T_TMP/prom"
cat >"$T_TMP/prom/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: bulwark
    static_configs:
      - targets: ['127.0.0.1:$port']
EOF
"$PROMETHEUS" --config.file="$T_TMP/prom/prometheus.yml" \
	--storage.tsdb.path="$T_TMP/prom/data" \
	--web.listen-address="127.0.0.1:$pport" >"$T_TMP/prom/log" 2>&1 &
ppid_=$!
T_PIDS+=("$ppid_")
# promql QUERY: the value of the first sample of an instant query, or ""
promql() {
	curl -s -m 3 -G "http://127.0.0.1:$pport/api/v1/query" \
		--data-urlencode "query=$1" >"$T_TMP/prom/q.json" 2>/dev/null || return 0
	t_json "$T_TMP/prom/q.json" 'd["data"]["result"][0]["value"][1] if d["data"]["result"] else ""' 2>/dev/null || true
}
got=
for _ in $(seq 60); do
	got=$(promql 'bulwark_list_hits_total{list="attackers"}')
	[ -n "$got" ] && break
	sleep 0.5
done
t_check "Prometheus: list hits by PromQL (oracle)" "$(t_count list_attackers)" "$got"
t_check "Prometheus: blocklist + content-rule drops by PromQL (oracle)" \
	$(($(t_count list_attackers) + $(t_count sid9000001))) \
	"$(promql 'sum(bulwark_drops_total{reason=~"blocklist|content-rule"})')"
t_check "Prometheus: rx by PromQL (oracle)" "$frames" \
	"$(promql 'sum(bulwark_rx_packets_total)')"
t_check "Prometheus: the target is up" 1 "$(promql 'up{job="bulwark"}')"
kill -TERM "$ppid_" 2>/dev/null
wait "$ppid_" 2>/dev/null || true

# --- the dataplane stops: the final counters, bulwark_up 0
bw_stop
t_check "clean exit" 0 "$BW_RC"
curl -s -m 5 -o "$T_TMP/stopped.prom" "http://127.0.0.1:$port/metrics"
t_check "stopped: up 0" 0 "$(m "$T_TMP/stopped.prom" bulwark_up)"
t_true "stopped: verdict stopped" grep -q 'verdict="stopped"' "$T_TMP/stopped.prom"
check_values "$T_TMP/stopped.prom" stopped
kill -TERM "$xpid"
rc=0
wait "$xpid" || rc=$?
t_check "exporter stops on SIGTERM with 0" 0 $rc

rc=0
"$BWCTL" --instance "nosuch$$" metrics >"$T_TMP/missing.prom" 2>"$T_TMP/missing.err" || rc=$?
t_check "missing instance: exit 1" 1 $rc
t_true "missing instance: promtool" "$PROMTOOL" check metrics <"$T_TMP/missing.prom"
t_check "missing instance: up 0" 0 "$(m "$T_TMP/missing.prom" bulwark_up)"
t_true "missing instance: verdict" grep -q 'verdict="missing"' "$T_TMP/missing.prom"

rc=0
ctl metrics --listen 127.0.0.1 >/dev/null 2>&1 || rc=$?
t_check "--listen without a port: exit 2" 2 $rc
rc=0
ctl metrics --listen localhost:80 >/dev/null 2>&1 || rc=$?
t_check "--listen with a name: exit 2" 2 $rc
rc=0
ctl metrics --listen 127.0.0.1:70000 >/dev/null 2>&1 || rc=$?
t_check "--listen with a port above 65535: exit 2" 2 $rc
rc=0
ctl metrics --interval 1 >/dev/null 2>&1 || rc=$?
t_check "--interval without --textfile: exit 2" 2 $rc
rc=0
ctl metrics --listen 127.0.0.1:0 --textfile x >/dev/null 2>&1 || rc=$?
t_check "--listen with --textfile: exit 2" 2 $rc

t_done
