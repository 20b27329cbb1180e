/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A sample in the Prometheus text exposition format (ctl_metrics.h).
 * Every family is written with its HELP and TYPE lines, then its samples;
 * counters end in _total, durations are seconds, sizes bytes
 * (docs/metrics.md lists them).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "bw_reason.h"
#include "ctl_metrics.h"

#define LABEL_LEN  (2 * BW_PORT_NAME_LEN + 1) /* escaped names */
#define REASON_BUF 24

void
ctl_metrics_label(char *dst, size_t len, const char *src)
{
	size_t o = 0;
	unsigned char c;

	if (len == 0)
		return;
	for (; *src != '\0'; src++) {
		c = (unsigned char)*src;
		if (c == '\\' || c == '"' || c == '\n') {
			if (o + 2 >= len)
				break;
			dst[o++] = '\\';
			dst[o++] = c == '\n' ? 'n' : (char)c;
			continue;
		}
		if (o + 1 >= len)
			break;
		dst[o++] = c < 0x20 || c >= 0x7f ? '?' : (char)c;
	}
	dst[o] = '\0';
}

/* The HELP and TYPE lines of a family. */
static void
family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static double
ns_s(uint64_t ns)
{
	return (double)ns / 1e9;
}

/* A uint64_t counter of a worker's counters, by offset. */
struct wfield {
	const char *name;
	size_t off;
	const char *help;
};

#define WF(n, field, h)                                                        \
	{                                                                      \
		n, offsetof(struct ctl_counters, field), h                     \
	}

static const struct wfield worker_fields[] = {
	WF("bulwark_rx_packets_total", rx_pkts,
	   "Packets received by the worker from its queues."),
	WF("bulwark_rx_bytes_total", rx_bytes,
	   "Bytes received by the worker (frames without FCS)."),
	WF("bulwark_tx_packets_total", tx_pkts,
	   "Packets the worker's tx queues accepted."),
	WF("bulwark_tx_bytes_total", tx_bytes,
	   "Bytes the worker's tx queues accepted."),
	WF("bulwark_dropped_packets_total", drop_pkts,
	   "Packets the worker dropped, every reason."),
	WF("bulwark_dropped_bytes_total", drop_bytes,
	   "Bytes the worker dropped, every reason."),
	WF("bulwark_busy_cycles_total", busy_tsc,
	   "TSC cycles of poll loops that received packets."),
	WF("bulwark_idle_cycles_total", idle_tsc,
	   "TSC cycles of poll loops that received nothing."),
	WF("bulwark_poll_loops_total", loops, "Poll loop iterations."),
};

static uint64_t
wvalue(const struct ctl_counters *c, size_t off)
{
	uint64_t v;

	memcpy(&v, (const uint8_t *)c + off, sizeof(v));
	return v;
}

static void
write_workers(FILE *f, const struct ctl_sample *s)
{
	size_t k;
	uint32_t i;

	family(f, "bulwark_worker_info", "gauge",
	       "A worker: its EAL lcore and NUMA socket (value 1).");
	for (i = 0; i < s->nb_workers; i++)
		fprintf(f,
			"bulwark_worker_info{worker=\"%" PRIu32
			"\",lcore=\"%" PRIu32 "\",socket=\"%" PRIu32 "\"} 1\n",
			i, s->workers[i].lcore_id, s->workers[i].socket_id);
	for (k = 0; k < sizeof(worker_fields) / sizeof(worker_fields[0]); k++) {
		family(f, worker_fields[k].name, "counter",
		       worker_fields[k].help);
		for (i = 0; i < s->nb_workers; i++)
			fprintf(f, "%s{worker=\"%" PRIu32 "\"} %" PRIu64 "\n",
				worker_fields[k].name, i,
				wvalue(&s->workers[i].c, worker_fields[k].off));
	}
}

/* Reasons a policy may pass (as `stats` shows them among passes). */
static int
reason_passable(unsigned int r)
{
	return r >= BW_REASON_COUNT || bw_reason_policy(r) != 0;
}

static void
write_reasons(FILE *f, const struct ctl_sample *s)
{
	char buf[REASON_BUF];
	unsigned int r, n = s->nb_reasons;

	if (n > BW_REASON_MAX)
		n = BW_REASON_MAX;
	family(f, "bulwark_drops_total", "counter",
	       "Packets dropped, by reason (all workers).");
	for (r = 1; r < n; r++)
		fprintf(f, "bulwark_drops_total{reason=\"%s\"} %" PRIu64 "\n",
			ctl_reason_label(r, buf, sizeof(buf)),
			s->total.reason_drop_pkts[r]);
	family(f, "bulwark_events_total", "counter",
	       "Drop and alert events queued for the event writer.");
	fprintf(f, "bulwark_events_total %" PRIu64 "\n", s->total.events);
	family(f, "bulwark_events_lost_total", "counter",
	       "Events lost: a worker's event ring was full.");
	fprintf(f, "bulwark_events_lost_total %" PRIu64 "\n",
		s->total.events_lost);
	family(f, "bulwark_capture_packets_total", "counter",
	       "Packets copied for an armed capture.");
	fprintf(f, "bulwark_capture_packets_total %" PRIu64 "\n",
		s->total.capture_pkts);
	family(f, "bulwark_capture_lost_total", "counter",
	       "Packets an armed capture lost: its ring was full.");
	fprintf(f, "bulwark_capture_lost_total %" PRIu64 "\n",
		s->total.capture_lost);
	family(f, "bulwark_anomalies_passed_total", "counter",
	       "Malformed or refused packets passed by policy, by reason.");
	for (r = 1; r < n; r++)
		if (reason_passable(r))
			fprintf(f,
				"bulwark_anomalies_passed_total{reason=\"%s\"} "
				"%" PRIu64 "\n",
				ctl_reason_label(r, buf, sizeof(buf)),
				s->total.reason_pass_pkts[r]);
}

struct pfield {
	const char *name;
	size_t off;
	const char *help;
};

#define PF(n, field, h)                                                        \
	{                                                                      \
		n, offsetof(struct ctl_port_sample, field), h                  \
	}

static const struct pfield port_fields[] = {
	PF("bulwark_port_rx_packets_total", ipackets,
	   "Packets received by the port (ethdev counter)."),
	PF("bulwark_port_tx_packets_total", opackets,
	   "Packets sent by the port (ethdev counter)."),
	PF("bulwark_port_rx_bytes_total", ibytes,
	   "Bytes received by the port."),
	PF("bulwark_port_tx_bytes_total", obytes, "Bytes sent by the port."),
	PF("bulwark_port_missed_packets_total", imissed,
	   "Packets the port dropped: rx queue full."),
	PF("bulwark_port_rx_errors_total", ierrors,
	   "Erroneous packets received by the port."),
	PF("bulwark_port_tx_errors_total", oerrors,
	   "Failed transmissions of the port."),
	PF("bulwark_port_rx_nombuf_total", rx_nombuf,
	   "Receive buffer allocation failures of the port."),
};

static void
write_ports(FILE *f, const struct ctl_sample *s)
{
	char name[LABEL_LEN];
	uint64_t v;
	size_t k;
	uint32_t i;

	family(f, "bulwark_port_link_up", "gauge",
	       "1 when the port's link is up, else 0.");
	for (i = 0; i < s->nb_ports; i++) {
		ctl_metrics_label(name, sizeof(name), s->ports[i].name);
		fprintf(f,
			"bulwark_port_link_up{port=\"%s\",role=\"%s\","
			"pair=\"%u\"} %u\n",
			name, ctl_role_name(s->ports[i].role),
			(unsigned int)s->ports[i].pair,
			s->ports[i].link_up ? 1u : 0u);
	}
	family(f, "bulwark_port_link_speed_bytes_per_second", "gauge",
	       "Link speed of the port in bytes per second, 0 when unknown.");
	for (i = 0; i < s->nb_ports; i++) {
		ctl_metrics_label(name, sizeof(name), s->ports[i].name);
		fprintf(f,
			"bulwark_port_link_speed_bytes_per_second{port=\"%s\"} "
			"%" PRIu64 "\n",
			name, (uint64_t)s->ports[i].link_speed_mbps * 125000);
	}
	for (k = 0; k < sizeof(port_fields) / sizeof(port_fields[0]); k++) {
		family(f, port_fields[k].name, "counter", port_fields[k].help);
		for (i = 0; i < s->nb_ports; i++) {
			ctl_metrics_label(name, sizeof(name), s->ports[i].name);
			memcpy(&v,
			       (const uint8_t *)&s->ports[i] +
				       port_fields[k].off,
			       sizeof(v));
			fprintf(f, "%s{port=\"%s\"} %" PRIu64 "\n",
				port_fields[k].name, name, v);
		}
	}
}

static void
write_lists(FILE *f, const struct ctl_sample *s)
{
	const struct ctl_list_hits *h = &s->lists;
	char name[LABEL_LEN], tmp[sizeof(h->info[0].name) + 1];
	unsigned int i, pass;
	static const char *const fam[] = {
		"bulwark_list_hits_total",
		"bulwark_list_hit_bytes_total",
		"bulwark_list_prefixes",
	};
	static const char *const help[] = {
		"Packets the list decided (dropped or allowed).",
		"Bytes of the packets the list decided.",
		"Prefixes in the list, by address family.",
	};

	if (!h->valid)
		return;
	for (pass = 0; pass < 3; pass++) {
		family(f, fam[pass], pass < 2 ? "counter" : "gauge",
		       help[pass]);
		for (i = 0; i < BW_LIST_SLOTS; i++) {
			if (h->info[i].name[0] == '\0')
				continue;
			memcpy(tmp, h->info[i].name, sizeof(h->info[i].name));
			tmp[sizeof(tmp) - 1] = '\0';
			ctl_metrics_label(name, sizeof(name), tmp);
			if (pass == 0)
				fprintf(f, "%s{list=\"%s\"} %" PRIu64 "\n",
					fam[0], name, h->pkts[i]);
			else if (pass == 1)
				fprintf(f, "%s{list=\"%s\"} %" PRIu64 "\n",
					fam[1], name, h->bytes[i]);
			else
				fprintf(f,
					"%s{list=\"%s\",family=\"ipv4\"} %u\n"
					"%s{list=\"%s\",family=\"ipv6\"} %u\n",
					fam[2], name, h->info[i].nb_v4, fam[2],
					name, h->info[i].nb_v6);
		}
	}
}

/* One sid's hits, all rules of that sid summed. */
struct sid_hits {
	uint32_t sid;
	uint64_t pkts;
	uint64_t bytes;
};

static int
sid_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct sid_hits *)a)->sid;
	uint32_t y = ((const struct sid_hits *)b)->sid;

	return x < y ? -1 : x > y;
}

static int
write_rules(FILE *f, const struct ctl_sample *s)
{
	const struct ctl_rule_hits *h = &s->rules;
	struct sid_hits *v;
	uint32_t i, n = 0;

	family(f, "bulwark_rules_generation", "gauge",
	       "Generation that loaded the content rule set in force.");
	fprintf(f, "bulwark_rules_generation %" PRIu64 "\n",
		h->valid ? h->since_gen : 0);
	family(f, "bulwark_rules", "gauge", "Content rules in force.");
	fprintf(f, "bulwark_rules %" PRIu32 "\n", h->valid ? h->nb_rules : 0);
	if (!h->valid || h->nb_rules == 0)
		return 0;
	v = malloc((size_t)h->nb_rules * sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	/* A sid names one series: rules that share it are summed. */
	for (i = 0; i < h->nb_rules && i < BW_RULE_SLOTS; i++) {
		v[i].sid = h->r[i].sid;
		v[i].pkts = h->r[i].pkts;
		v[i].bytes = h->r[i].bytes;
	}
	qsort(v, i, sizeof(*v), sid_cmp);
	for (n = 0, i = 0; i < h->nb_rules && i < BW_RULE_SLOTS; i++) {
		if (n > 0 && v[n - 1].sid == v[i].sid) {
			v[n - 1].pkts += v[i].pkts;
			v[n - 1].bytes += v[i].bytes;
		} else {
			v[n++] = v[i];
		}
	}
	family(f, "bulwark_rule_hits_total", "counter",
	       "Packets the content rule hit since its rule set was loaded.");
	for (i = 0; i < n; i++)
		fprintf(f,
			"bulwark_rule_hits_total{sid=\"%" PRIu32 "\"} %" PRIu64
			"\n",
			v[i].sid, v[i].pkts);
	family(f, "bulwark_rule_hit_bytes_total", "counter",
	       "Bytes of the packets the content rule hit.");
	for (i = 0; i < n; i++)
		fprintf(f,
			"bulwark_rule_hit_bytes_total{sid=\"%" PRIu32
			"\"} %" PRIu64 "\n",
			v[i].sid, v[i].bytes);
	free(v);
	return 0;
}

struct bfield {
	const char *name;
	size_t off;
	const char *help;
};

#define BF(n, field, h)                                                        \
	{                                                                      \
		n, offsetof(struct bw_bpf_stats, field), h                     \
	}

static const struct bfield bpf_fields[] = {
	BF("bulwark_bpf_runs_total", runs, "Packets the eBPF program ran on."),
	BF("bulwark_bpf_drops_total", drops, "Times the program said drop."),
	BF("bulwark_bpf_passes_total", passes, "Times the program said pass."),
	BF("bulwark_bpf_errors_total", errors,
	   "Times the program returned another value (continue)."),
	BF("bulwark_bpf_faults_total", faults,
	   "Times the program faulted (division by zero)."),
};

static void
write_bpf(FILE *f, const struct ctl_bpf_hits *b)
{
	char name[LABEL_LEN], tmp[sizeof(b->info[0].name) + 1];
	uint64_t v;
	size_t k;
	unsigned int i;

	if (b == NULL || !b->valid)
		return;
	for (k = 0; k < sizeof(bpf_fields) / sizeof(bpf_fields[0]); k++) {
		family(f, bpf_fields[k].name, "counter", bpf_fields[k].help);
		for (i = 0; i < BW_BPF_SLOTS; i++) {
			if (b->info[i].name[0] == '\0')
				continue;
			memcpy(tmp, b->info[i].name, sizeof(b->info[i].name));
			tmp[sizeof(tmp) - 1] = '\0';
			ctl_metrics_label(name, sizeof(name), tmp);
			memcpy(&v,
			       (const uint8_t *)&b->sum[i] + bpf_fields[k].off,
			       sizeof(v));
			fprintf(f, "%s{program=\"%s\"} %" PRIu64 "\n",
				bpf_fields[k].name, name, v);
		}
	}
}

int
ctl_metrics_write(FILE *f, const char *instance, const struct ctl_sample *s,
		  const struct ctl_bpf_hits *bpf, enum ctl_verdict verdict)
{
	char inst[LABEL_LEN], version[LABEL_LEN];
	int ret = 0;

	ctl_metrics_label(inst, sizeof(inst), instance);
	family(f, "bulwark_up", "gauge",
	       "1 when the dataplane runs and its heartbeat is fresh, else 0.");
	fprintf(f, "bulwark_up %d\n", verdict == CTL_VERDICT_RUNNING);
	family(f, "bulwark_info", "gauge",
	       "The dataplane instance, its version, state and the verdict "
	       "on it (value 1).");
	ctl_metrics_label(version, sizeof(version),
			  s != NULL ? s->version : "");
	fprintf(f,
		"bulwark_info{dataplane=\"%s\",version=\"%s\",state=\"%s\","
		"verdict=\"%s\"} 1\n",
		inst, version, s != NULL ? ctl_state_name(s->state) : "",
		ctl_verdict_name(verdict));
	if (s == NULL)
		return ferror(f) ? -EIO : 0;
	family(f, "bulwark_start_time_seconds", "gauge",
	       "When the dataplane started, seconds since the Unix epoch.");
	fprintf(f, "bulwark_start_time_seconds %.3f\n", ns_s(s->start_time_ns));
	family(f, "bulwark_heartbeat_age_seconds", "gauge",
	       "Age of the dataplane's heartbeat when read.");
	fprintf(f, "bulwark_heartbeat_age_seconds %.3f\n",
		ns_s(s->heartbeat_age_ns));
	family(f, "bulwark_generation", "gauge",
	       "Ruleset generation in force, 0 for none.");
	fprintf(f, "bulwark_generation %" PRIu64 "\n", s->applied_gen);
	family(f, "bulwark_tsc_hz", "gauge",
	       "TSC cycles per second of the workers.");
	fprintf(f, "bulwark_tsc_hz %" PRIu64 "\n", s->tsc_hz);
	write_workers(f, s);
	write_reasons(f, s);
	write_ports(f, s);
	write_lists(f, s);
	if (write_rules(f, s) < 0)
		ret = -ENOMEM;
	write_bpf(f, bpf);
	if (ferror(f))
		ret = -EIO;
	return ret;
}
