/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of what `bulwarkctl stats` prints from samples of the status
 * region: the stats JSON (parsed with jansson, checked by key) with exact
 * numbers, reasons a build does not know and rates between two samples
 * with injected timestamps; the text form; and the JSON writer beneath.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "bw_json.h"
#include "ctl_json.h"
#include "ctl_stats.h"
#include "test_ctl_fixture.h"

static const uint64_t t_mono = 5000 * NS;
static const uint64_t t_real = 1700000010ULL * NS + 123456789;

/* Open the region as the test has written it; sample 0 at t_mono. */
static void
open_sampled(void)
{
	CU_ASSERT_EQUAL_FATAL(reader_open(), 0);
	ctl_sample_take(&g_r, g_s[0], t_mono, t_real);
}

/* What worker 0 counts between the two samples of sample_moved(). */
static const struct {
	size_t off;
	uint64_t v;
} moved[] = {
	{WORKER_AT(rx_pkts), 1000},   {WORKER_AT(busy_tsc), 150000},
	{WORKER_AT(rx_bytes), 64000}, {WORKER_AT(tx_pkts), 900},
	{WORKER_AT(tx_bytes), 57600}, {WORKER_AT(drop_pkts), 100},
};

/*
 * fill_counters()'s region with a fresh heartbeat, sampled into g_s[0] at
 * t_mono and into g_s[1] dt_ns later, after worker 0 counted the first
 * nb_moved of moved[] and worker 1 nothing.
 */
static void
sample_moved(uint64_t dt_ns, size_t nb_moved)
{
	size_t i;

	CU_ASSERT_FATAL(region_create(2, 2, 0) == 0);
	fill_counters();
	hdr()->heartbeat_ns = t_mono;
	open_sampled();
	for (i = 0; i < nb_moved; i++)
		*(uint64_t *)((uint8_t *)worker(0) + moved[i].off) +=
			moved[i].v;
	ctl_sample_take(&g_r, g_s[1], t_mono + dt_ns, t_real + dt_ns);
}

enum render {
	RENDER_TEXT,
	RENDER_JSON,	   /* no rates member */
	RENDER_JSON_RATES, /* rates since prev, null without one */
};

/* cur (and rates since prev) as `how` prints it, in a fresh string. */
static char *
render(enum render how, const struct ctl_sample *cur,
       const struct ctl_sample *prev)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	if (how == RENDER_TEXT)
		ctl_stats_text(f, cur, prev);
	else
		ctl_stats_json(f, cur, prev, how == RENDER_JSON_RATES);
	fclose(f);
	return buf;
}

/*
 * render()'s JSON parsed, a new reference; its text in *txt for the
 * caller to free.
 */
static json_t *
render_parsed(enum render how, const struct ctl_sample *cur,
	      const struct ctl_sample *prev, char **txt)
{
	json_t *js;

	*txt = render(how, cur, prev);
	CU_ASSERT_PTR_NOT_NULL_FATAL(*txt);
	js = bw_json_line(*txt, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(js);
	return js;
}

/*
 * Name of the highest-numbered reason of this build with a pass policy
 * (malformed packets, TCP normalization): the last one listed among
 * passes.
 */
static const char *
last_malformed(void)
{
	unsigned int r = BW_REASON_COUNT - 1;

	while (r > 0 && bw_reason_policy(r) == 0)
		r--;
	return bw_reason_name(r);
}

/* "prefix.key" for a key known at run time (a reason name), static. */
static const char *
path_of(const char *prefix, const char *key)
{
	static char path[160];

	snprintf(path, sizeof(path), "%s.%s", prefix, key);
	return path;
}

/*
 * The reason table at path (totals.drops or totals.anomalies_passed) runs
 * keys[0..n) to its end, keys[i] counting v[i].
 */
static void
check_reason_tail(json_t *js, const char *path, const char *const *keys,
		  const json_int_t *v, size_t n)
{
	size_t i;

	CU_ASSERT(bw_json_last_key(js, path, keys[n - 1]));
	for (i = 0; i < n; i++)
		CU_ASSERT(bw_json_is_int(js, path_of(path, keys[i]), v[i]));
}

struct int_member {
	const char *path;
	json_int_t v;
};

static void
test_json_totals(void)
{
	/* The counters of fill_counters(), summed over both workers. */
	static const struct int_member totals[] = {
		{"totals.rx_pkts", 300},
		{"totals.rx_bytes", 32000},
		{"totals.tx_pkts", 280},
		{"totals.tx_bytes", 30080},
		{"totals.drop_pkts", 20},
		{"totals.drop_bytes", 1920},
		{"totals.busy_tsc", 90000},
		{"totals.idle_tsc", 6000},
		{"totals.loops", 120},
		{"totals.ipv4_pkts", 230},
		{"totals.ipv6_pkts", 65},
		{"totals.nonip_pkts", 5},
		{"totals.frag_pkts", 2},
		{"totals.anomaly_pass_pkts", 3},
		{"totals.drops.l2-truncated", 0},
		{"totals.drops.ipv4-truncated", 5},
		{"totals.drops.udp-bad-length", 9},
		{"totals.drops.tx-full", 6},
		{"totals.anomalies_passed.l2-truncated", 0},
		{"totals.anomalies_passed.ipv4-bad-options", 3},
		{"totals.flows.new", 0},
		{"totals.flows.dropped_after_match", 0},
		{"totals.tunnels.any", 11},
		{"totals.tunnels.ip", 0},
		{"totals.tunnels.gre", 5},
		{"totals.tunnels.vxlan", 6},
		{"totals.tunnels.pppoe", 0},
		{"totals.tunnels.depth.1", 9},
		{"totals.tunnels.depth.2", 2},
		{"totals.tunnels.depth.3", 0},
		{"workers[1].tunnels.vxlan", 4},
		{"totals.events.queued", 9},
		{"totals.events.lost", 3},
		{"totals.capture.pkts", 7},
		{"totals.capture.lost", 1},
		{"workers[1].events.lost", 3},
		{"workers[0].id", 0},
		{"workers[0].lcore", 2},
		{"workers[0].socket", 0},
		{"workers[0].rx_pkts", 100},
		{"workers[0].rx_bytes", 6400},
		{"workers[0].tx_pkts", 90},
		{"workers[1].id", 1},
		{"workers[1].lcore", 3},
		{"workers[1].socket", 1},
		{"workers[1].rx_pkts", 200},
		{"ports[0].id", 10},
		{"ports[0].pair", 0},
		{"ports[0].speed_mbps", 25000},
		{"ports[0].queues", 2},
		{"ports[0].ipackets", 1111},
		{"ports[0].opackets", 2222},
		{"ports[0].ibytes", 3333},
		{"ports[0].obytes", 4444},
		{"ports[0].imissed", 5},
		{"ports[0].ierrors", 6},
		{"ports[0].oerrors", 7},
		{"ports[0].rx_nombuf", 8},
		{"ports[1].id", 11},
		{"ports[1].pair", 0},
	};
	/* fill_counters()'s port name, U+FFFD for the invalid byte. */
	static const char name1[] = "we\"ird\\\x01\xef\xbf\xbd";
	const char *last = bw_reason_name(BW_REASON_COUNT - 1);
	char *txt;
	json_t *js;
	size_t i;

	CU_ASSERT_FATAL(region_create(2, 2, 0) == 0);
	fill_counters();
	hdr()->heartbeat_ns = t_mono - 250000000ULL;
	open_sampled();
	CU_ASSERT_EQUAL(g_s[0]->total.rx_pkts, 300);
	CU_ASSERT_EQUAL(g_s[0]->total.reason_drop_pkts[BW_REASON_IP4_TRUNC], 5);
	CU_ASSERT_DOUBLE_EQUAL(ctl_cycles_per_pkt(&g_s[0]->total), 300.0, 1e-9);

	js = render_parsed(RENDER_JSON, g_s[0], NULL, &txt);

	/* Top level, in the order of docs/stats-json.md. */
	CU_ASSERT(bw_json_first_key(js, "", "instance"));
	CU_ASSERT(bw_json_keys_run(
		js, "", "instance", "version", "pid", "state", "health",
		"running", "time", "start_time", "stop_time", "uptime_s",
		"heartbeat_age_s", "tsc_hz", "applied_generation", "totals",
		"workers", "ports", NULL));
	CU_ASSERT(bw_json_is_str(js, "instance", g_instance));
	CU_ASSERT(bw_json_is_str(js, "version", "9.8.7"));
	CU_ASSERT(bw_json_is_int(js, "pid", getpid()));
	CU_ASSERT(bw_json_is_str(js, "state", "running"));
	CU_ASSERT(bw_json_is_str(js, "health", "running"));
	CU_ASSERT(bw_json_is_bool(js, "running", 1));
	CU_ASSERT(bw_json_is_real(js, "time", 1700000010.123456789));
	CU_ASSERT(bw_json_is_real(js, "start_time", 1700000000.123456789));
	/*
	 * A double keeps 17 digits and these times have 19: the nanoseconds
	 * written without rounding are checked on the text.
	 */
	CU_ASSERT_PTR_NOT_NULL(strstr(txt,
				      "\"time\":1700000010.123456789,"
				      "\"start_time\":1700000000.123456789,"));
	CU_ASSERT(bw_json_is_null(js, "stop_time"));
	CU_ASSERT(bw_json_is_real(js, "uptime_s", 10.0));
	CU_ASSERT(bw_json_is_real(js, "heartbeat_age_s", 0.25));
	CU_ASSERT(bw_json_is_int(js, "tsc_hz", 2500000000LL));
	CU_ASSERT(bw_json_is_int(js, "applied_generation", 42));
	CU_ASSERT(bw_json_absent(js, "", "rates"));

	for (i = 0; i < sizeof(totals) / sizeof(totals[0]); i++)
		CU_ASSERT(bw_json_is_int(js, totals[i].path, totals[i].v));

	/* Totals: counters, then the reason tables, flows and fragments
	 * appended last. */
	CU_ASSERT(bw_json_first_key(js, "totals", "rx_pkts"));
	CU_ASSERT(bw_json_keys_run(
		js, "totals", "rx_pkts", "rx_bytes", "tx_pkts", "tx_bytes",
		"drop_pkts", "drop_bytes", "busy_tsc", "idle_tsc", "loops",
		"cycles_per_pkt", "ipv4_pkts", "ipv6_pkts", "nonip_pkts",
		"frag_pkts", "anomaly_pass_pkts", "drops", "anomalies_passed",
		"flows", "fragments", "tunnels", "events", "capture", NULL));
	CU_ASSERT(bw_json_last_key(js, "totals", "capture"));
	CU_ASSERT(bw_json_first_key(js, "totals.fragments", "held"));
	CU_ASSERT(bw_json_last_key(js, "totals.fragments", "datagrams_now"));
	CU_ASSERT(bw_json_is_real(js, "totals.cycles_per_pkt", 300.0));
	/* Drops: every reason but "none", up to the last this build defines. */
	CU_ASSERT(bw_json_first_key(js, "totals.drops", "l2-truncated"));
	CU_ASSERT(bw_json_last_key(js, "totals.drops", last));
	CU_ASSERT(bw_json_is_int(js, path_of("totals.drops", last), 0));
	CU_ASSERT(bw_json_nowhere(js, "none"));
	/* Passes: malformed reasons only, so no "tx-full" there. */
	CU_ASSERT(bw_json_first_key(js, "totals.anomalies_passed",
				    "l2-truncated"));
	CU_ASSERT(bw_json_last_key(js, "totals.anomalies_passed",
				   last_malformed()));
	CU_ASSERT(bw_json_is_int(
		js, path_of("totals.anomalies_passed", last_malformed()), 0));
	CU_ASSERT(bw_json_absent(js, "totals.anomalies_passed", "tx-full"));
	/* TCP stream counters. */
	CU_ASSERT(bw_json_first_key(js, "totals.flows", "new"));
	CU_ASSERT(bw_json_last_key(js, "totals.flows", "midstream"));
	/* Tunnels: every type, then depth. */
	CU_ASSERT(bw_json_first_key(js, "totals.tunnels", "any"));
	CU_ASSERT(bw_json_keys_run(js, "totals.tunnels", "any", "ip", "gre",
				   "vxlan", "geneve", "gtpu", "mpls", "pppoe",
				   "depth", NULL));

	/* Workers. */
	CU_ASSERT_EQUAL(json_array_size(bw_json_get(js, "workers")), 2);
	CU_ASSERT(bw_json_first_key(js, "workers[0]", "id"));
	CU_ASSERT(bw_json_keys_run(js, "workers[0]", "id", "lcore", "socket",
				   "rx_pkts", "rx_bytes", "tx_pkts", NULL));
	CU_ASSERT(bw_json_keys_run(js, "workers[1]", "id", "lcore", "socket",
				   "rx_pkts", NULL));
	CU_ASSERT(bw_json_is_real(js, "workers[0].cycles_per_pkt", 200.0));
	CU_ASSERT(bw_json_is_real(js, "workers[1].cycles_per_pkt", 350.0));

	/* Ports. */
	CU_ASSERT_EQUAL(json_array_size(bw_json_get(js, "ports")), 2);
	CU_ASSERT(bw_json_first_key(js, "ports[0]", "id"));
	CU_ASSERT(bw_json_keys_run(js, "ports[0]", "id", "name", "role", "pair",
				   "link_up", "speed_mbps", "queues",
				   "ipackets", "opackets", "ibytes", "obytes",
				   "imissed", "ierrors", "oerrors", "rx_nombuf",
				   "mac", NULL));
	CU_ASSERT(bw_json_last_key(js, "ports[0]", "mac"));
	CU_ASSERT(bw_json_is_str(js, "ports[0].name", "net_memif0"));
	CU_ASSERT(bw_json_is_str(js, "ports[0].role", "outside"));
	CU_ASSERT(bw_json_is_bool(js, "ports[0].link_up", 1));
	CU_ASSERT(bw_json_is_str(js, "ports[0].mac", "02:00:5e:ab:cd:ef"));
	CU_ASSERT(bw_json_first_key(js, "ports[1]", "id"));
	CU_ASSERT(bw_json_keys_run(js, "ports[1]", "id", "name", "role", "pair",
				   "link_up", NULL));
	CU_ASSERT(
		bw_json_is_strn(js, "ports[1].name", name1, sizeof(name1) - 1));
	CU_ASSERT(bw_json_is_str(js, "ports[1].role", "inside"));
	CU_ASSERT(bw_json_is_bool(js, "ports[1].link_up", 0));
	json_decref(js);
	free(txt);
}

/* Worker i of rates.workers[]: its id, packet rates and cycles per packet. */
static void
check_worker_rate(json_t *js, unsigned int i, double rx, double tx, double drop,
		  double cycles)
{
	char path[64];

	snprintf(path, sizeof(path), "rates.workers[%u]", i);
	CU_ASSERT(bw_json_first_key(js, path, "id"));
	CU_ASSERT(bw_json_keys_run(js, path, "id", "rx_pps", "tx_pps",
				   "drop_pps", "cycles_per_pkt", NULL));
	CU_ASSERT(bw_json_last_key(js, path, "cycles_per_pkt"));
	CU_ASSERT(bw_json_is_int(js, path_of(path, "id"), i));
	CU_ASSERT(bw_json_is_real(js, path_of(path, "rx_pps"), rx));
	CU_ASSERT(bw_json_is_real(js, path_of(path, "tx_pps"), tx));
	CU_ASSERT(bw_json_is_real(js, path_of(path, "drop_pps"), drop));
	CU_ASSERT(bw_json_is_real(js, path_of(path, "cycles_per_pkt"), cycles));
}

static void
test_json_rates(void)
{
	struct ctl_rates rates;
	char *txt;
	json_t *js;

	/* Two seconds later worker 0 moved, worker 1 did not. */
	sample_moved(2 * NS, sizeof(moved) / sizeof(moved[0]));
	CU_ASSERT_EQUAL_FATAL(ctl_rates_compute(g_s[0], g_s[1], &rates), 0);
	CU_ASSERT_DOUBLE_EQUAL(rates.interval_s, 2.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(rates.total.rx_pps, 500.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(rates.total.rx_bps, 256000.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(rates.workers[0].cycles_per_pkt, 150.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(rates.workers[1].rx_pps, 0.0, 1e-12);

	js = render_parsed(RENDER_JSON_RATES, g_s[1], g_s[0], &txt);
	CU_ASSERT(bw_json_last_key(js, "", "rates"));
	CU_ASSERT(bw_json_first_key(js, "rates", "interval_s"));
	CU_ASSERT(bw_json_keys_run(js, "rates", "interval_s", "rx_pps",
				   "tx_pps", "drop_pps", "rx_bps", "tx_bps",
				   "cycles_per_pkt", "workers", NULL));
	CU_ASSERT(bw_json_last_key(js, "rates", "workers"));
	CU_ASSERT(bw_json_is_real(js, "rates.interval_s", 2.0));
	CU_ASSERT(bw_json_is_real(js, "rates.rx_pps", 500.0));
	CU_ASSERT(bw_json_is_real(js, "rates.tx_pps", 450.0));
	CU_ASSERT(bw_json_is_real(js, "rates.drop_pps", 50.0));
	CU_ASSERT(bw_json_is_real(js, "rates.rx_bps", 256000.0));
	CU_ASSERT(bw_json_is_real(js, "rates.tx_bps", 230400.0));
	CU_ASSERT(bw_json_is_real(js, "rates.cycles_per_pkt", 150.0));
	CU_ASSERT_EQUAL(json_array_size(bw_json_get(js, "rates.workers")), 2);
	check_worker_rate(js, 0, 500.0, 450.0, 50.0, 150.0);
	check_worker_rate(js, 1, 0.0, 0.0, 0.0, 0.0);
	json_decref(js);
	free(txt);

	/* First sample of a watch: the member is there, null. */
	js = render_parsed(RENDER_JSON_RATES, g_s[0], NULL, &txt);
	CU_ASSERT(bw_json_is_null(js, "rates"));
	CU_ASSERT(bw_json_last_key(js, "", "rates"));
	json_decref(js);
	free(txt);

	/* Not comparable: no time elapsed, another run of the dataplane. */
	CU_ASSERT_EQUAL(ctl_rates_compute(g_s[1], g_s[1], &rates), -EINVAL);
	g_s[1]->start_time_ns++;
	CU_ASSERT_EQUAL(ctl_rates_compute(g_s[0], g_s[1], &rates), -EINVAL);
	g_s[1]->start_time_ns--;

	/* A counter that went backwards is no change, not 2^64. */
	g_s[1]->total.rx_pkts = 0;
	CU_ASSERT_EQUAL(ctl_rates_compute(g_s[0], g_s[1], &rates), 0);
	CU_ASSERT_DOUBLE_EQUAL(rates.total.rx_pps, 0.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(rates.total.cycles_per_pkt, 0.0, 1e-12);
}

static void
test_unknown_reason(void)
{
	static const json_int_t drops[] = {0, 0, 17}, passes[] = {0, 0, 4};
	static const json_int_t none[] = {0};
	static const char *const small[] = {"fragment-too-small"};
	unsigned int r = BW_REASON_COUNT + 1;
	char unk0[32], unk1[32];
	const char *keys[3];
	char *txt;
	json_t *js;

	CU_ASSERT_FATAL(region_create(2, 2, 0) == 0);
	fill_counters();
	hdr()->nb_reasons = BW_REASON_COUNT + 2;
	worker(1)->reason_drop_pkts[r] = 17;
	worker(1)->reason_pass_pkts[r] = 4;
	open_sampled();
	js = render_parsed(RENDER_JSON, g_s[0], NULL, &txt);
	snprintf(unk0, sizeof(unk0), "reason-%u", r - 1);
	snprintf(unk1, sizeof(unk1), "reason-%u", r);
	keys[0] = bw_reason_name(BW_REASON_COUNT - 1);
	keys[1] = unk0;
	keys[2] = unk1;
	CU_ASSERT(bw_json_keys_run(js, "totals.drops", keys[0], unk0, unk1,
				   NULL));
	check_reason_tail(js, "totals.drops", keys, drops, 3);
	/* Unknown reasons may be malformed: listed among passes too. */
	keys[0] = last_malformed();
	CU_ASSERT(bw_json_keys_run(js, "totals.anomalies_passed", keys[0], unk0,
				   unk1, NULL));
	check_reason_tail(js, "totals.anomalies_passed", keys, passes, 3);
	json_decref(js);
	free(txt);

	/* A dataplane defining fewer reasons: only its own are keys. */
	hdr()->nb_reasons = BW_REASON_TX_FULL;
	ctl_region_close(&g_r);
	open_sampled();
	js = render_parsed(RENDER_JSON, g_s[0], NULL, &txt);
	CU_ASSERT(bw_json_nowhere(js, "tx-full"));
	check_reason_tail(js, "totals.drops", small, none, 1);
	check_reason_tail(js, "totals.anomalies_passed", small, none, 1);
	json_decref(js);
	free(txt);
}

static void
test_json_stopped(void)
{
	char *txt;
	json_t *js;

	CU_ASSERT_FATAL(region_create(2, 2, 0) == 0);
	fill_counters();
	hdr()->state = BW_STATE_STOPPED;
	hdr()->stop_time_ns = hdr()->start_time_ns + 90 * NS + 500000000ULL;
	open_sampled();
	js = render_parsed(RENDER_JSON, g_s[0], NULL, &txt);
	CU_ASSERT(bw_json_keys_run(js, "", "state", "health", "running", NULL));
	CU_ASSERT(bw_json_is_str(js, "state", "stopped"));
	CU_ASSERT(bw_json_is_str(js, "health", "stopped"));
	CU_ASSERT(bw_json_is_bool(js, "running", 0));
	CU_ASSERT(bw_json_keys_run(js, "", "stop_time", "uptime_s", NULL));
	CU_ASSERT(bw_json_is_real(js, "stop_time", 1700000090.623456789));
	/* 19 digits: the exact nanoseconds on the text (test_json_totals). */
	CU_ASSERT_PTR_NOT_NULL(
		strstr(txt, "\"stop_time\":1700000090.623456789,"));
	CU_ASSERT(bw_json_is_real(js, "uptime_s", 90.5));
	json_decref(js);
	free(txt);
}

static void
test_text(void)
{
	char *txt;

	sample_moved(NS, 2); /* packets and busy ticks only */
	txt = render(RENDER_TEXT, g_s[1], g_s[0]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(txt);
	CU_ASSERT_PTR_NOT_NULL(strstr(txt, "ruleset generation 42"));
	CU_ASSERT_PTR_NOT_NULL(strstr(txt, "ipv4-truncated"));
	CU_ASSERT_PTR_NOT_NULL(strstr(txt, "udp-bad-length"));
	CU_ASSERT_PTR_NOT_NULL(strstr(txt, "ipv4-bad-options"));
	/* Zero reasons are left out of text. */
	CU_ASSERT_PTR_NULL(strstr(txt, "l2-truncated"));
	CU_ASSERT_PTR_NULL(strstr(txt, "no-ruleset"));
	CU_ASSERT_PTR_NOT_NULL(strstr(txt, "rates over 1.00 s"));
	CU_ASSERT_PTR_NOT_NULL(strstr(txt, "net_memif0"));
	/* Control bytes of a port name never reach the terminal. */
	CU_ASSERT_PTR_NULL(strchr(txt, '\x01'));
	free(txt);
}

/* --- the JSON writer ---------------------------------------------------- */

/*
 * ctl_json_write_string() of in[0..len) prints text (and a newline), which
 * a JSON reader reads back as want[0..want_len).
 */
static void
check_string(const char *in, size_t len, const char *text, const char *want,
	     size_t want_len)
{
	char *buf = NULL;
	size_t buf_len = 0;
	json_t *js;
	FILE *f;

	f = open_memstream(&buf, &buf_len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	ctl_json_write_string(f, in, len);
	fputc('\n', f);
	fclose(f);
	CU_ASSERT_STRING_EQUAL(buf, text);
	js = bw_json_line(buf, JSON_DECODE_ANY);
	CU_ASSERT_PTR_NOT_NULL_FATAL(js);
	CU_ASSERT(bw_json_is_strn(js, "", want, want_len));
	json_decref(js);
	free(buf);
}

static void
test_json_escape(void)
{
	static const char valid[] = "a\"b\\c\n\t\x1f\x7f"
				    "\xc3\xa9"		/* é */
				    "\xe2\x82\xac"	/* € */
				    "\xf0\x9f\x98\x80"; /* emoji */
	static const char invalid[] = "\xc0\xaf"	/* overlong '/' */
				      "\xed\xa0\x80"	/* surrogate */
				      "\xe2\x82";	/* truncated */
	/* Each of the 7 invalid bytes reads back as U+FFFD. */
	static const char fffd[] = "\xef\xbf\xbd";
	char in[sizeof(valid) - 1 + sizeof(invalid)];
	char expect[sizeof(valid) - 1 + 7 * (sizeof(fffd) - 1)];
	size_t n;

	memcpy(in, valid, sizeof(valid) - 1);
	memcpy(in + sizeof(valid) - 1, invalid, sizeof(invalid));
	memcpy(expect, valid, sizeof(valid) - 1);
	for (n = 0; n < 7; n++)
		memcpy(expect + sizeof(valid) - 1 + n * (sizeof(fffd) - 1),
		       fffd, sizeof(fffd) - 1);

	/*
	 * The escapes themselves: \u for controls and DEL, UTF-8 as is; a
	 * JSON reader gets the bytes back, invalid ones replaced.
	 */
	check_string(in, sizeof(in),
		     "\"a\\\"b\\\\c\\n\\t\\u001f\\u007f\xc3\xa9\xe2\x82\xac"
		     "\xf0\x9f\x98\x80\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd"
		     "\\ufffd\\ufffd\"\n",
		     expect, sizeof(expect));
	/* Length bounds the read: no NUL needed. */
	check_string("abcdef", 3, "\"abc\"\n", "abc", 3);
}

static void
test_json_writer(void)
{
	struct ctl_json j;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_t *js;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	ctl_json_init(&j, f);
	ctl_json_object_begin(&j, NULL);
	ctl_json_u64(&j, "max", UINT64_MAX);
	ctl_json_i64(&j, "neg", -5);
	ctl_json_double(&j, "nan", NAN, 2);
	ctl_json_double(&j, "negzero", -0.0, 1);
	ctl_json_ns_as_s(&j, "t", 5);
	ctl_json_array_begin(&j, "a");
	ctl_json_bool(&j, NULL, true);
	ctl_json_null(&j, NULL);
	ctl_json_object_begin(&j, NULL);
	ctl_json_object_end(&j);
	ctl_json_array_end(&j);
	ctl_json_object_end(&j);
	fputc('\n', f);
	fclose(f);
	CU_ASSERT_STRING_EQUAL(buf,
			       "{\"max\":18446744073709551615,\"neg\":-5,"
			       "\"nan\":null,\"negzero\":0.0,"
			       "\"t\":0.000000005,\"a\":[true,null,{}]}\n");
	/* jansson's integers are int64_t: UINT64_MAX reads as a real. */
	js = bw_json_line(buf, JSON_DECODE_INT_AS_REAL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(js);
	CU_ASSERT(bw_json_keys_run(js, "", "max", "neg", "nan", "negzero", "t",
				   "a", NULL));
	CU_ASSERT(bw_json_is_real(js, "max", (double)UINT64_MAX));
	CU_ASSERT(bw_json_is_real(js, "neg", -5.0));
	CU_ASSERT(bw_json_is_null(js, "nan"));
	CU_ASSERT(bw_json_is_real(js, "negzero", 0.0));
	CU_ASSERT(!signbit(json_real_value(bw_json_get(js, "negzero"))));
	CU_ASSERT(bw_json_is_real(js, "t", 5e-9));
	CU_ASSERT_EQUAL(json_array_size(bw_json_get(js, "a")), 3);
	CU_ASSERT(bw_json_is_bool(js, "a[0]", 1));
	CU_ASSERT(bw_json_is_null(js, "a[1]"));
	CU_ASSERT(json_is_object(bw_json_get(js, "a[2]")));
	CU_ASSERT_EQUAL(json_object_size(bw_json_get(js, "a[2]")), 0);
	json_decref(js);
	free(buf);
}

static const struct bw_cunit_test tests[] = {
	{"json totals, workers, ports", test_json_totals},
	{"json rates", test_json_rates},
	{"json unknown reasons", test_unknown_reason},
	{"json stopped", test_json_stopped},
	{"json string escaping", test_json_escape},
	{"json writer", test_json_writer},
	{"text output", test_text},
};

/* Returns 0 when every assertion passed, 1 otherwise (CUnit error too). */
int
main(void)
{
	return CTL_FIXTURE_RUN("ctl_stats", tests);
}
