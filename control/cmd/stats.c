/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `bulwarkctl stats`: counters of a status region as text tables or as the
 * JSON object of docs/stats-json.md, once or every --watch seconds with
 * rates between samples. The row of the command is in table.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "ctl_cli.h"
#include "ctl_cmd.h"
#include "ctl_json.h"
#include "ctl_lookup.h"
#include "ctl_region.h"
#include "ctl_rtab.h"
#include "ctl_sample.h"
#include "ctl_stats.h"
#include "ctl_text.h"

#define WATCH_MIN_S  0.01
#define WATCH_MAX_S  86400.0
#define REASON_LABEL 24 /* "reason-N" buffers */

/*
 * Reasons shown for a dataplane that defines nb_reasons: 1 .. nb_reasons-1
 * ("none" is not a drop). A reason with a policy (malformed packets, TCP
 * normalization) may count passes; one this build does not know may too:
 * it is shown among passes rather than hidden.
 */
static int
reason_maybe_malformed(unsigned int r)
{
	return r >= BW_REASON_COUNT || bw_reason_policy(r) != 0;
}

/* A uint64_t counter of a struct: its offset and name (its JSON key). */
struct counter {
	size_t off;
	const char *key;
};

#define COUNTER(type, field)                                                   \
	{                                                                      \
		offsetof(type, field), #field                                  \
	}
#define TRAFFIC(field) COUNTER(struct ctl_counters, field)
#define NB(v)	       (sizeof(v) / sizeof((v)[0]))

/* Traffic and load; the tables show the first NB_TRAFFIC_SHOWN. */
static const struct counter traffic[] = {
	TRAFFIC(rx_pkts),  TRAFFIC(rx_bytes),  TRAFFIC(tx_pkts),
	TRAFFIC(tx_bytes), TRAFFIC(drop_pkts), TRAFFIC(drop_bytes),
	TRAFFIC(busy_tsc), TRAFFIC(idle_tsc),  TRAFFIC(loops),
};
#define NB_TRAFFIC_SHOWN 6

static const struct counter decode[] = {
	TRAFFIC(ipv4_pkts), TRAFFIC(ipv6_pkts),		TRAFFIC(nonip_pkts),
	TRAFFIC(frag_pkts), TRAFFIC(anomaly_pass_pkts),
};

/* The counters of a port, after its identity. */
#define PORT(field) COUNTER(struct ctl_port_sample, field)
static const struct counter port_counters[] = {
	PORT(ipackets), PORT(opackets), PORT(ibytes),  PORT(obytes),
	PORT(imissed),	PORT(ierrors),	PORT(oerrors), PORT(rx_nombuf),
};

static uint64_t
counter_of(const void *base, const struct counter *c)
{
	uint64_t v;

	memcpy(&v, (const char *)base + c->off, sizeof(v));
	return v;
}

/* The n counters v of the struct at base, as JSON members. */
static void
json_u64s(struct ctl_json *j, const void *base, const struct counter *v,
	  size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		ctl_json_u64(j, v[i].key, counter_of(base, &v[i]));
}

/* The n counters v of the struct at base, as table cells. */
static void
cells_u64(struct ctl_table *t, const void *base, const struct counter *v,
	  size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		ctl_table_cell(t, "%" PRIu64, counter_of(base, &v[i]));
}

static void
json_counters(struct ctl_json *j, const struct ctl_counters *c,
	      uint32_t nb_reasons)
{
	char buf[REASON_LABEL];
	unsigned int r;

	json_u64s(j, c, traffic, NB(traffic));
	ctl_json_double(j, "cycles_per_pkt", ctl_cycles_per_pkt(c), 2);
	json_u64s(j, c, decode, NB(decode));
	ctl_json_object_begin(j, "drops");
	for (r = 1; r < nb_reasons; r++)
		ctl_json_u64(j, ctl_reason_label(r, buf, sizeof(buf)),
			     c->reason_drop_pkts[r]);
	ctl_json_object_end(j);
	ctl_json_object_begin(j, "anomalies_passed");
	for (r = 1; r < nb_reasons; r++)
		if (reason_maybe_malformed(r))
			ctl_json_u64(j, ctl_reason_label(r, buf, sizeof(buf)),
				     c->reason_pass_pkts[r]);
	ctl_json_object_end(j);
	/* appended: members keep their order within the ABI major */
	{
		static const char *const flow_names[] = BW_FLOW_NAMES;
		unsigned int k;

		ctl_json_object_begin(j, "flows");
		for (k = 0; k < BW_FLOW_COUNTERS; k++)
			ctl_json_u64(j, flow_names[k], c->flow[k]);
		ctl_json_object_end(j);
	}
	{
		static const char *const frag_names[] = BW_FRAG_NAMES;
		unsigned int k;

		ctl_json_object_begin(j, "fragments");
		for (k = 0; k < BW_FRAG_COUNTERS; k++)
			ctl_json_u64(j, frag_names[k], c->frag[k]);
		ctl_json_object_end(j);
	}
	{
		static const char *const tun_names[] = BW_TUN_NAMES;
		char key[8];
		unsigned int k;

		ctl_json_object_begin(j, "tunnels");
		for (k = 0; k < BW_TUN_TYPES; k++)
			ctl_json_u64(j, tun_names[k], c->tun_pkts[k]);
		ctl_json_object_begin(j, "depth");
		for (k = 0; k < BW_TUN_DEPTH_MAX; k++) {
			snprintf(key, sizeof(key), "%u", k + 1);
			ctl_json_u64(j, key, c->tun_depth_pkts[k]);
		}
		ctl_json_object_end(j);
		ctl_json_object_end(j);
	}
	/* events and captures (status ABI minor 5, docs/events.md) */
	ctl_json_object_begin(j, "events");
	ctl_json_u64(j, "queued", c->events);
	ctl_json_u64(j, "lost", c->events_lost);
	ctl_json_object_end(j);
	ctl_json_object_begin(j, "capture");
	ctl_json_u64(j, "pkts", c->capture_pkts);
	ctl_json_u64(j, "lost", c->capture_lost);
	ctl_json_object_end(j);
}

static void
json_rate(struct ctl_json *j, const struct ctl_rate *rt)
{
	ctl_json_double(j, "rx_pps", rt->rx_pps, 1);
	ctl_json_double(j, "tx_pps", rt->tx_pps, 1);
	ctl_json_double(j, "drop_pps", rt->drop_pps, 1);
}

static void
json_rates(struct ctl_json *j, const struct ctl_rates *rates)
{
	uint32_t i;

	ctl_json_object_begin(j, "rates");
	ctl_json_double(j, "interval_s", rates->interval_s, 3);
	json_rate(j, &rates->total);
	ctl_json_double(j, "rx_bps", rates->total.rx_bps, 1);
	ctl_json_double(j, "tx_bps", rates->total.tx_bps, 1);
	ctl_json_double(j, "cycles_per_pkt", rates->total.cycles_per_pkt, 2);
	ctl_json_array_begin(j, "workers");
	for (i = 0; i < rates->nb_workers; i++) {
		ctl_json_object_begin(j, NULL);
		ctl_json_u64(j, "id", i);
		json_rate(j, &rates->workers[i]);
		ctl_json_double(j, "cycles_per_pkt",
				rates->workers[i].cycles_per_pkt, 2);
		ctl_json_object_end(j);
	}
	ctl_json_array_end(j);
	ctl_json_object_end(j);
}

/* Nanoseconds the dataplane has been up: until it stopped, or until now. */
static uint64_t
uptime_ns(const struct ctl_sample *s)
{
	uint64_t end = s->real_ns;

	if (s->state == BW_STATE_STOPPED && s->stop_time_ns != 0)
		end = s->stop_time_ns;

	return end > s->start_time_ns ? end - s->start_time_ns : 0;
}

void
ctl_stats_json(FILE *f, const struct ctl_sample *cur,
	       const struct ctl_sample *prev, int with_rates)
{
	struct ctl_rates *rates = NULL;
	struct ctl_json j;
	uint32_t i;
	char mac[18];

	ctl_json_init(&j, f);
	ctl_json_object_begin(&j, NULL);
	ctl_json_strn(&j, "instance", cur->instance, sizeof(cur->instance));
	ctl_json_strn(&j, "version", cur->version, sizeof(cur->version));
	ctl_json_i64(&j, "pid", cur->pid);
	ctl_json_str(&j, "state", ctl_state_name(cur->state));
	ctl_json_str(&j, "health", ctl_verdict_name(cur->verdict));
	ctl_json_bool(&j, "running", cur->verdict == CTL_VERDICT_RUNNING);
	ctl_json_ns_as_s(&j, "time", cur->real_ns);
	ctl_json_ns_as_s(&j, "start_time", cur->start_time_ns);
	ctl_json_ns_as_s_or_null(&j, "stop_time", cur->stop_time_ns);
	ctl_json_double(&j, "uptime_s", (double)uptime_ns(cur) / 1e9, 3);
	ctl_json_double(&j, "heartbeat_age_s",
			(double)cur->heartbeat_age_ns / 1e9, 3);
	ctl_json_u64(&j, "tsc_hz", cur->tsc_hz);
	ctl_json_u64(&j, "applied_generation", cur->applied_gen);

	ctl_json_object_begin(&j, "totals");
	json_counters(&j, &cur->total, cur->nb_reasons);
	ctl_json_object_end(&j);

	ctl_json_array_begin(&j, "workers");
	for (i = 0; i < cur->nb_workers; i++) {
		const struct ctl_worker_sample *w = &cur->workers[i];

		ctl_json_object_begin(&j, NULL);
		ctl_json_u64(&j, "id", i);
		ctl_json_u64(&j, "lcore", w->lcore_id);
		ctl_json_u64(&j, "socket", w->socket_id);
		json_counters(&j, &w->c, cur->nb_reasons);
		ctl_json_object_end(&j);
	}
	ctl_json_array_end(&j);

	ctl_json_array_begin(&j, "ports");
	for (i = 0; i < cur->nb_ports; i++) {
		const struct ctl_port_sample *p = &cur->ports[i];

		ctl_json_object_begin(&j, NULL);
		ctl_json_u64(&j, "id", p->port_id);
		ctl_json_strn(&j, "name", p->name, sizeof(p->name));
		ctl_json_str(&j, "role", ctl_role_name(p->role));
		ctl_json_u64(&j, "pair", p->pair);
		ctl_json_bool(&j, "link_up", p->link_up != 0);
		ctl_json_u64(&j, "speed_mbps", p->link_speed_mbps);
		ctl_json_u64(&j, "queues", p->nb_queues);
		json_u64s(&j, p, port_counters, NB(port_counters));
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x",
			 p->mac[0], p->mac[1], p->mac[2], p->mac[3], p->mac[4],
			 p->mac[5]);
		ctl_json_str(&j, "mac", mac);
		ctl_json_object_end(&j);
	}
	ctl_json_array_end(&j);

	ctl_json_array_begin(&j, "lists");
	for (i = 0; cur->lists.valid && i < BW_LIST_SLOTS; i++) {
		const struct bw_list_info *li = &cur->lists.info[i];

		if (li->name[0] == '\0')
			continue;
		ctl_json_object_begin(&j, NULL);
		ctl_json_u64(&j, "id", i);
		ctl_json_strn(&j, "name", li->name, sizeof(li->name));
		ctl_json_str(&j, "action", ctl_action_name(li->action));
		ctl_json_str(&j, "match", ctl_match_name(li->match));
		ctl_json_u64(&j, "prefixes_v4", li->nb_v4);
		ctl_json_u64(&j, "prefixes_v6", li->nb_v6);
		ctl_json_u64(&j, "since_generation", li->since_gen);
		ctl_json_u64(&j, "hits_pkts", cur->lists.pkts[i]);
		ctl_json_u64(&j, "hits_bytes", cur->lists.bytes[i]);
		ctl_json_object_end(&j);
	}
	ctl_json_array_end(&j);

	ctl_json_array_begin(&j, "rules");
	for (i = 0; cur->rules.valid && i < cur->rules.nb_rules; i++) {
		const struct ctl_rule_hit *rh = &cur->rules.r[i];

		ctl_json_object_begin(&j, NULL);
		ctl_json_u64(&j, "id", i);
		ctl_json_u64(&j, "sid", rh->sid);
		ctl_json_u64(&j, "rev", rh->rev);
		ctl_json_str(&j, "action", ctl_rtab_action_name(rh->action));
		ctl_json_u64(&j, "since_generation", cur->rules.since_gen);
		ctl_json_u64(&j, "hits_pkts", rh->pkts);
		ctl_json_u64(&j, "hits_bytes", rh->bytes);
		ctl_json_ns_as_s_or_null(&j, "last_hit", rh->last_ns);
		ctl_json_object_end(&j);
	}
	ctl_json_array_end(&j);

	if (with_rates) {
		if (prev != NULL)
			rates = malloc(sizeof(*rates));
		if (rates != NULL && ctl_rates_compute(prev, cur, rates) == 0)
			json_rates(&j, rates);
		else
			ctl_json_null(&j, "rates");
		free(rates);
	}
	ctl_json_object_end(&j);
	fputc('\n', f);
}

static void
text_header(FILE *f, const struct ctl_sample *s)
{
	char up[32];

	ctl_fmt_duration(up, sizeof(up), uptime_ns(s));
	fprintf(f, "instance %s  version %s  %s  pid %" PRId32 "  up %s  ",
		s->instance, s->version, ctl_state_name(s->state), s->pid, up);
	if (s->applied_gen != 0)
		fprintf(f, "ruleset generation %" PRIu64 "\n", s->applied_gen);
	else
		fputs("no ruleset\n", f);
}

static void
table_counters_row(struct ctl_table *t, const struct ctl_counters *c)
{
	cells_u64(t, c, traffic, NB_TRAFFIC_SHOWN);
	ctl_table_cell(t, "%.1f", ctl_cycles_per_pkt(c));
}

static void
table_decode_row(struct ctl_table *t, const struct ctl_counters *c)
{
	uint64_t all = c->busy_tsc + c->idle_tsc;

	cells_u64(t, c, decode, NB(decode));
	ctl_table_cell(t, "%" PRIu64, c->loops);
	ctl_table_cell(t, "%.1f%%",
		       all == 0 ? 0.0
				: 100.0 * (double)c->busy_tsc / (double)all);
}

/* Print t on f (after a blank line when blank), free it. Returns 0. */
static int
table_out(FILE *f, struct ctl_table *t, int blank)
{
	if (blank)
		fputc('\n', f);
	ctl_table_print(t, f, 0);
	ctl_table_free(t);
	return 0;
}

/* Workers and their total: traffic, then decode and load. */
static int
text_workers(FILE *f, const struct ctl_sample *s)
{
	struct ctl_table *t;
	uint32_t i;

	t = ctl_table_new(10, s->nb_workers + 2, "rrrrrrrrrr");
	if (t == NULL)
		return -errno;
	ctl_table_header(t, "WORKER", "LCORE", "SOCKET", "RX_PKTS", "RX_BYTES",
			 "TX_PKTS", "TX_BYTES", "DROP_PKTS", "DROP_BYTES",
			 "CYC/PKT", NULL);
	for (i = 0; i < s->nb_workers; i++) {
		ctl_table_row(t);
		ctl_table_cell(t, "%" PRIu32, i);
		ctl_table_cell(t, "%" PRIu32, s->workers[i].lcore_id);
		ctl_table_cell(t, "%" PRIu32, s->workers[i].socket_id);
		table_counters_row(t, &s->workers[i].c);
	}
	ctl_table_row(t);
	ctl_table_cell(t, "total");
	ctl_table_cell(t, "-");
	ctl_table_cell(t, "-");
	table_counters_row(t, &s->total);
	table_out(f, t, 0);

	t = ctl_table_new(8, s->nb_workers + 2, "rrrrrrrr");
	if (t == NULL)
		return -errno;
	ctl_table_header(t, "WORKER", "IPV4", "IPV6", "NON_IP", "FRAGS",
			 "ANOMALY_PASS", "LOOPS", "BUSY", NULL);
	for (i = 0; i < s->nb_workers; i++) {
		ctl_table_row(t);
		ctl_table_cell(t, "%" PRIu32, i);
		table_decode_row(t, &s->workers[i].c);
	}
	ctl_table_row(t);
	ctl_table_cell(t, "total");
	table_decode_row(t, &s->total);
	return table_out(f, t, 1);
}

void
ctl_stats_port_cells(struct ctl_table *t, const struct ctl_port_sample *p)
{
	char name[BW_PORT_NAME_LEN];

	ctl_fmt_printable(name, sizeof(name), p->name, sizeof(p->name));
	ctl_table_cell(t, "%u", p->port_id);
	ctl_table_cell(t, "%s", name);
	ctl_table_cell(t, "%s", ctl_role_name(p->role));
	ctl_table_cell(t, "%u", p->pair);
	ctl_table_cell(t, "%s", p->link_up ? "up" : "down");
}

static int
text_ports(FILE *f, const struct ctl_sample *s)
{
	struct ctl_table *t;
	uint32_t i;

	if (s->nb_ports == 0)
		return 0;
	t = ctl_table_new(14, s->nb_ports + 1, "rllrlrrrrrrrrr");
	if (t == NULL)
		return -errno;
	ctl_table_header(t, "PORT", "NAME", "ROLE", "PAIR", "LINK", "IPACKETS",
			 "OPACKETS", "IBYTES", "OBYTES", "IMISSED", "IERRORS",
			 "OERRORS", "NOMBUF", "QUEUES", NULL);
	for (i = 0; i < s->nb_ports; i++) {
		ctl_table_row(t);
		ctl_stats_port_cells(t, &s->ports[i]);
		cells_u64(t, &s->ports[i], port_counters, NB(port_counters));
		ctl_table_cell(t, "%" PRIu32, s->ports[i].nb_queues);
	}
	return table_out(f, t, 1);
}

/* Non-zero per-reason counters of one array, or "none". */
static int
text_reasons(FILE *f, const char *title, const char *col,
	     const uint64_t *counts, uint32_t nb_reasons)
{
	char buf[REASON_LABEL];
	struct ctl_table *t;
	unsigned int r;

	t = ctl_table_new(2, BW_REASON_MAX + 1, "lr");
	if (t == NULL)
		return -errno;
	ctl_table_row(t);
	ctl_table_cell(t, "%s", title);
	ctl_table_cell(t, "%s", col);
	for (r = 1; r < nb_reasons; r++) {
		if (counts[r] == 0)
			continue;
		ctl_table_row(t);
		ctl_table_cell(t, "%s", ctl_reason_label(r, buf, sizeof(buf)));
		ctl_table_cell(t, "%" PRIu64, counts[r]);
	}
	return table_out(f, t, 1);
}

/* Tunnelled packets by type and depth; nothing when there were none. */
static int
text_tunnels(FILE *f, const struct ctl_counters *c)
{
	static const char *const tun_names[] = BW_TUN_NAMES;
	struct ctl_table *t;
	unsigned int k;

	if (c->tun_pkts[0] == 0)
		return 0;
	t = ctl_table_new(2, BW_TUN_TYPES + BW_TUN_DEPTH_MAX + 1, "lr");
	if (t == NULL)
		return -errno;
	ctl_table_header(t, "TUNNEL", "PKTS", NULL);
	for (k = 0; k < BW_TUN_TYPES; k++) {
		if (k != 0 && c->tun_pkts[k] == 0)
			continue;
		ctl_table_row(t);
		ctl_table_cell(t, "%s", tun_names[k]);
		ctl_table_cell(t, "%" PRIu64, c->tun_pkts[k]);
	}
	for (k = 0; k < BW_TUN_DEPTH_MAX; k++) {
		if (c->tun_depth_pkts[k] == 0)
			continue;
		ctl_table_row(t);
		ctl_table_cell(t, "depth %u", k + 1);
		ctl_table_cell(t, "%" PRIu64, c->tun_depth_pkts[k]);
	}
	return table_out(f, t, 1);
}

static int
text_rates(FILE *f, const struct ctl_rates *rt)
{
	char a[16], b[16], c[16], d[16];
	struct ctl_table *t;
	uint32_t i;
	size_t k;

	ctl_fmt_si(a, sizeof(a), rt->total.rx_pps);
	ctl_fmt_si(b, sizeof(b), rt->total.rx_bps);
	ctl_fmt_si(c, sizeof(c), rt->total.tx_pps);
	ctl_fmt_si(d, sizeof(d), rt->total.tx_bps);
	fprintf(f,
		"\nrates over %.2f s: rx %s pps %sbit/s  tx %s pps %sbit/s  ",
		rt->interval_s, a, b, c, d);
	ctl_fmt_si(a, sizeof(a), rt->total.drop_pps);
	fprintf(f, "drop %s pps  %.1f cycles/pkt\n", a,
		rt->total.cycles_per_pkt);

	t = ctl_table_new(5, rt->nb_workers + 1, "rrrrr");
	if (t == NULL)
		return -errno;
	ctl_table_header(t, "WORKER", "RX_PPS", "TX_PPS", "DROP_PPS", "CYC/PKT",
			 NULL);
	for (i = 0; i < rt->nb_workers; i++) {
		const struct ctl_rate *w = &rt->workers[i];
		const double pps[] = {w->rx_pps, w->tx_pps, w->drop_pps};

		ctl_table_row(t);
		ctl_table_cell(t, "%" PRIu32, i);
		for (k = 0; k < NB(pps); k++) {
			ctl_fmt_si(a, sizeof(a), pps[k]);
			ctl_table_cell(t, "%s", a);
		}
		ctl_table_cell(t, "%.1f", w->cycles_per_pkt);
	}
	return table_out(f, t, 0);
}

void
ctl_stats_text(FILE *f, const struct ctl_sample *cur,
	       const struct ctl_sample *prev)
{
	struct ctl_rates *rates;

	text_header(f, cur);
	fputc('\n', f);
	if (text_workers(f, cur) < 0 || text_ports(f, cur) < 0 ||
	    text_reasons(f, "DROP REASON", "PKTS", cur->total.reason_drop_pkts,
			 cur->nb_reasons) < 0 ||
	    text_reasons(f, "PASSED MALFORMED", "PKTS",
			 cur->total.reason_pass_pkts, cur->nb_reasons) < 0 ||
	    text_tunnels(f, &cur->total) < 0) {
		fputs(CTL_PROG ": out of memory\n", stderr);
		return;
	}
	{
		const uint64_t *fr = cur->total.frag;

		fprintf(f,
			"\nfragments: %" PRIu64 " held (%" PRIu64
			" now, %" PRIu64 " datagrams), %" PRIu64
			" reassembled, %" PRIu64 " timed out, %" PRIu64
			" overlapping, %" PRIu64 " over limit, %" PRIu64
			" duplicates\n",
			fr[BW_FRAG_HELD], fr[BW_FRAG_HELD_NOW],
			fr[BW_FRAG_DGRAM_NOW], fr[BW_FRAG_REASSEMBLED],
			fr[BW_FRAG_TIMEOUT], fr[BW_FRAG_OVERLAP],
			fr[BW_FRAG_LIMIT], fr[BW_FRAG_DUP]);
	}
	if (prev == NULL)
		return;
	rates = malloc(sizeof(*rates));
	if (rates == NULL)
		return;
	if (ctl_rates_compute(prev, cur, rates) == 0)
		text_rates(f, rates);
	free(rates);
}

/* Set by SIGINT and SIGTERM while --watch runs. */
static volatile sig_atomic_t stats_stop;

static void
stats_on_signal(int sig)
{
	(void)sig;
	stats_stop = 1;
}

static void
stats_print(struct ctl_ctx *ctx, const struct ctl_sample *cur,
	    const struct ctl_sample *prev, int json, int watch)
{
	char when[64];

	if (json) {
		ctl_stats_json(ctx->out, cur, prev, watch);
	} else {
		if (watch) {
			ctl_fmt_time(when, sizeof(when), cur->real_ns);
			fprintf(ctx->out, "--- %s\n", when);
		}
		ctl_stats_text(ctx->out, cur, prev);
		if (watch)
			fputc('\n', ctx->out);
	}
	fflush(ctx->out);
}

/*
 * Swap in a new region when the dataplane restarted under the same name.
 * Returns 1 when swapped (rates restart), 0 otherwise.
 */
static int
stats_follow_restart(struct ctl_ctx *ctx, struct ctl_region *r)
{
	struct ctl_region fresh;

	if (!ctl_region_replaced(r))
		return 0;
	/* A region being created fails validation: retry next interval. */
	if (ctl_region_open(&fresh, ctx->instance) < 0)
		return 0;
	ctl_region_close(r);
	*r = fresh;
	fprintf(ctx->err,
		CTL_PROG ": instance '%s' restarted (pid %" PRId32
			 "): rates start again\n",
		ctx->instance, r->pid);
	return 1;
}

static void
timespec_add_s(struct timespec *ts, double s)
{
	uint64_t ns = (uint64_t)ts->tv_nsec + (uint64_t)(s * 1e9);

	ts->tv_sec += (time_t)(ns / 1000000000u);
	ts->tv_nsec = (long)(ns % 1000000000u);
}

/* Sample every interval_s until a signal or count samples; 0 or -errno. */
static int
stats_watch(struct ctl_ctx *ctx, struct ctl_region *r, struct ctl_sample *s[2],
	    int json, double interval_s, uint64_t count)
{
	struct sigaction sa, old_int, old_term;
	enum ctl_verdict last = s[0]->verdict;
	struct ctl_sample *tmp;
	struct timespec next;
	uint64_t nb = 1;
	int have_prev, rc = 0;
	uint64_t now;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = stats_on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: the sleep below must return on a signal. */
	stats_stop = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);

	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!stats_stop && (count == 0 || nb < count)) {
		timespec_add_s(&next, interval_s);
		while (!stats_stop &&
		       clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next,
				       NULL) == EINTR)
			;
		if (stats_stop)
			break;
		now = ctl_now_mono_ns();
		/* Late by a whole interval (suspend, stop): do not catch up. */
		if (now > (uint64_t)next.tv_sec * 1000000000u +
				  (uint64_t)next.tv_nsec +
				  (uint64_t)(interval_s * 1e9)) {
			next.tv_sec = (time_t)(now / 1000000000u);
			next.tv_nsec = (long)(now % 1000000000u);
		}
		have_prev = !stats_follow_restart(ctx, r);
		ctl_sample_take(r, s[1], now, ctl_now_real_ns());
		if (s[1]->verdict != last &&
		    s[1]->verdict != CTL_VERDICT_RUNNING)
			ctl_region_report(ctx->err, r, s[1]->verdict, now,
					  "warning: ");
		last = s[1]->verdict;
		stats_print(ctx, s[1], have_prev ? s[0] : NULL, json, 1);
		if (ferror(ctx->out)) {
			rc = -EIO;
			break;
		}
		nb++;
		tmp = s[0];
		s[0] = s[1];
		s[1] = tmp;
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	return rc;
}

/* A parsed `stats` command line. */
struct stats_req {
	int json;
	int watch;	   /* --watch given */
	double interval_s; /* its SECONDS */
	uint64_t count;	   /* --count, 0: until a signal */
};

int
ctl_cmd_stats_run(struct ctl_ctx *ctx, const struct ctl_args *a)
{
	const struct stats_req *q = CTL_REQ(a, struct stats_req);
	struct ctl_sample *s[2] = {NULL, NULL};
	struct ctl_region r;
	int rc;
	uint64_t now;

	if (q->count != 0 && !q->watch)
		return ctl_usage_report(ctx, NULL, a->usage,
					"--count needs --watch");

	if (ctl_region_open(&r, ctx->instance) < 0) {
		ctl_region_report(ctx->err, &r, r.verdict, 0, "");
		return CTL_EXIT_FAIL;
	}
	s[0] = malloc(sizeof(*s[0]));
	s[1] = malloc(sizeof(*s[1]));
	if (s[0] == NULL || s[1] == NULL) {
		fprintf(ctx->err, CTL_PROG ": out of memory\n");
		rc = CTL_EXIT_FAIL;
		goto out_free;
	}
	now = ctl_now_mono_ns();
	ctl_sample_take(&r, s[0], now, ctl_now_real_ns());
	ctl_region_report(ctx->err, &r, s[0]->verdict, now, "warning: ");
	stats_print(ctx, s[0], NULL, q->json, q->watch);
	rc = CTL_EXIT_OK;
	if (q->watch && !ferror(ctx->out) &&
	    stats_watch(ctx, &r, s, q->json, q->interval_s, q->count) < 0)
		rc = CTL_EXIT_FAIL;
	if (ferror(ctx->out)) {
		fprintf(ctx->err, CTL_PROG ": cannot write the output\n");
		rc = CTL_EXIT_FAIL;
	}

out_free:
	free(s[0]);
	free(s[1]);
	ctl_region_close(&r);
	return rc;
}

const struct ctl_opt ctl_cmd_stats_opts[] = {
	{.name = "json",
	 .type = CTL_OPT_FLAG,
	 .off = offsetof(struct stats_req, json),
	 .help = "one JSON object (docs/stats-json.md)"},
	{.name = "watch",
	 .type = CTL_OPT_REAL,
	 .off = offsetof(struct stats_req, interval_s),
	 .seen_off = CTL_FIELD1(struct stats_req, watch),
	 .real_min = WATCH_MIN_S,
	 .real_max = WATCH_MAX_S,
	 .bad = "%o needs seconds between %m and %M, not '%a'",
	 .value = "SECONDS",
	 .help = "print every SECONDS (0.01-86400) until SIGINT or SIGTERM, "
		 "with rates; with --json, one object per line"},
	{.name = "count",
	 .type = CTL_OPT_UINT,
	 .off = offsetof(struct stats_req, count),
	 .min = 1,
	 .max = ULONG_MAX,
	 .bad = "%o needs a positive integer, not '%a'",
	 .value = "N",
	 .help = "with --watch: stop after N samples"},
	CTL_OPTS_END(struct stats_req),
};
