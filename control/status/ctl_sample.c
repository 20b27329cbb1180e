/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Samples of a status region: one pass of relaxed loads over every counter,
 * totals over workers, rates between two samples.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl_sample.h"

#define LOAD_RELAXED(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

static void
worker_copy(const struct bw_worker_stats *w, struct ctl_worker_sample *s)
{
	struct ctl_counters *c = &s->c;
	unsigned int r;

	s->lcore_id = LOAD_RELAXED(w->lcore_id);
	s->socket_id = LOAD_RELAXED(w->socket_id);
	c->rx_pkts = LOAD_RELAXED(w->rx_pkts);
	c->rx_bytes = LOAD_RELAXED(w->rx_bytes);
	c->tx_pkts = LOAD_RELAXED(w->tx_pkts);
	c->tx_bytes = LOAD_RELAXED(w->tx_bytes);
	c->drop_pkts = LOAD_RELAXED(w->drop_pkts);
	c->drop_bytes = LOAD_RELAXED(w->drop_bytes);
	c->busy_tsc = LOAD_RELAXED(w->busy_tsc);
	c->idle_tsc = LOAD_RELAXED(w->idle_tsc);
	c->loops = LOAD_RELAXED(w->loops);
	c->ipv4_pkts = LOAD_RELAXED(w->ipv4_pkts);
	c->ipv6_pkts = LOAD_RELAXED(w->ipv6_pkts);
	c->nonip_pkts = LOAD_RELAXED(w->nonip_pkts);
	c->frag_pkts = LOAD_RELAXED(w->frag_pkts);
	c->anomaly_pass_pkts = LOAD_RELAXED(w->anomaly_pass_pkts);
	for (r = 0; r < BW_FLOW_COUNTERS; r++)
		c->flow[r] = LOAD_RELAXED(w->flow[r]);
	for (r = 0; r < BW_FRAG_COUNTERS; r++)
		c->frag[r] = LOAD_RELAXED(w->frag[r]);
	for (r = 0; r < BW_TUN_TYPES; r++)
		c->tun_pkts[r] = LOAD_RELAXED(w->tun_pkts[r]);
	for (r = 0; r < BW_TUN_DEPTH_MAX; r++)
		c->tun_depth_pkts[r] = LOAD_RELAXED(w->tun_depth_pkts[r]);
	c->events = LOAD_RELAXED(w->events);
	c->events_lost = LOAD_RELAXED(w->events_lost);
	c->capture_pkts = LOAD_RELAXED(w->capture_pkts);
	c->capture_lost = LOAD_RELAXED(w->capture_lost);
	for (r = 0; r < BW_REASON_MAX; r++) {
		c->reason_drop_pkts[r] = LOAD_RELAXED(w->reason_drop_pkts[r]);
		c->reason_pass_pkts[r] = LOAD_RELAXED(w->reason_pass_pkts[r]);
	}
}

static void
port_copy(const struct bw_port_stats *p, struct ctl_port_sample *s)
{
	/* Written once by the main lcore at start; a byte copy is enough. */
	memcpy(s->name, p->name, sizeof(s->name));
	s->name[sizeof(s->name) - 1] = '\0';
	memcpy(s->mac, p->mac, sizeof(s->mac));
	s->port_id = LOAD_RELAXED(p->port_id);
	s->pair = LOAD_RELAXED(p->pair);
	s->role = LOAD_RELAXED(p->role);
	s->link_up = LOAD_RELAXED(p->link_up);
	s->link_speed_mbps = LOAD_RELAXED(p->link_speed_mbps);
	s->nb_queues = LOAD_RELAXED(p->nb_queues);
	s->ipackets = LOAD_RELAXED(p->ipackets);
	s->opackets = LOAD_RELAXED(p->opackets);
	s->ibytes = LOAD_RELAXED(p->ibytes);
	s->obytes = LOAD_RELAXED(p->obytes);
	s->imissed = LOAD_RELAXED(p->imissed);
	s->ierrors = LOAD_RELAXED(p->ierrors);
	s->oerrors = LOAD_RELAXED(p->oerrors);
	s->rx_nombuf = LOAD_RELAXED(p->rx_nombuf);
}

static void
counters_add(struct ctl_counters *sum, const struct ctl_counters *c)
{
	unsigned int r;

	sum->rx_pkts += c->rx_pkts;
	sum->rx_bytes += c->rx_bytes;
	sum->tx_pkts += c->tx_pkts;
	sum->tx_bytes += c->tx_bytes;
	sum->drop_pkts += c->drop_pkts;
	sum->drop_bytes += c->drop_bytes;
	sum->busy_tsc += c->busy_tsc;
	sum->idle_tsc += c->idle_tsc;
	sum->loops += c->loops;
	sum->ipv4_pkts += c->ipv4_pkts;
	sum->ipv6_pkts += c->ipv6_pkts;
	sum->nonip_pkts += c->nonip_pkts;
	sum->frag_pkts += c->frag_pkts;
	sum->anomaly_pass_pkts += c->anomaly_pass_pkts;
	for (r = 0; r < BW_FLOW_COUNTERS; r++)
		sum->flow[r] += c->flow[r];
	for (r = 0; r < BW_FRAG_COUNTERS; r++)
		sum->frag[r] += c->frag[r];
	for (r = 0; r < BW_TUN_TYPES; r++)
		sum->tun_pkts[r] += c->tun_pkts[r];
	for (r = 0; r < BW_TUN_DEPTH_MAX; r++)
		sum->tun_depth_pkts[r] += c->tun_depth_pkts[r];
	sum->events += c->events;
	sum->events_lost += c->events_lost;
	sum->capture_pkts += c->capture_pkts;
	sum->capture_lost += c->capture_lost;
	for (r = 0; r < BW_REASON_MAX; r++) {
		sum->reason_drop_pkts[r] += c->reason_drop_pkts[r];
		sum->reason_pass_pkts[r] += c->reason_pass_pkts[r];
	}
}

void
ctl_sample_take(const struct ctl_region *r, struct ctl_sample *s,
		uint64_t now_mono_ns, uint64_t now_real_ns)
{
	const struct bw_status_hdr *h = ctl_region_hdr(r);
	uint32_t i;

	memset(s, 0, sizeof(*s));
	s->mono_ns = now_mono_ns;
	s->real_ns = now_real_ns;
	s->state = ctl_region_state(r);
	s->verdict = ctl_region_liveness(r, now_mono_ns);
	memcpy(s->instance, r->instance, sizeof(s->instance));
	memcpy(s->version, r->version, sizeof(s->version));
	s->pid = r->pid;
	s->start_time_ns = r->start_time_ns;
	s->stop_time_ns = LOAD_RELAXED(h->stop_time_ns);
	s->heartbeat_age_ns = ctl_region_heartbeat_age_ns(r, now_mono_ns);
	s->tsc_hz = r->tsc_hz;
	/* Generations are published with release by the main lcore. */
	s->applied_gen = __atomic_load_n(&h->applied_gen, __ATOMIC_ACQUIRE);
	s->nb_workers = r->nb_workers;
	s->nb_ports = r->nb_ports;
	s->nb_reasons = r->nb_reasons;
	for (i = 0; i < r->nb_workers; i++) {
		worker_copy(ctl_region_worker(r, i), &s->workers[i]);
		counters_add(&s->total, &s->workers[i].c);
	}
	for (i = 0; i < r->nb_ports; i++)
		port_copy(ctl_region_port(r, i), &s->ports[i]);
	ctl_region_list_hits(r, &s->lists);
	ctl_region_rule_hits(r, &s->rules);
}

double
ctl_cycles_per_pkt(const struct ctl_counters *c)
{
	if (c->rx_pkts == 0)
		return 0.0;
	return (double)c->busy_tsc / (double)c->rx_pkts;
}

/* Growth of a counter; one that went backwards did not grow. */
static uint64_t
delta(uint64_t cur, uint64_t prev)
{
	return cur >= prev ? cur - prev : 0;
}

static void
rate_of(const struct ctl_counters *p, const struct ctl_counters *c, double secs,
	struct ctl_rate *out)
{
	uint64_t rx = delta(c->rx_pkts, p->rx_pkts);
	uint64_t busy = delta(c->busy_tsc, p->busy_tsc);

	out->rx_pps = (double)rx / secs;
	out->tx_pps = (double)delta(c->tx_pkts, p->tx_pkts) / secs;
	out->drop_pps = (double)delta(c->drop_pkts, p->drop_pkts) / secs;
	out->rx_bps = (double)delta(c->rx_bytes, p->rx_bytes) * 8.0 / secs;
	out->tx_bps = (double)delta(c->tx_bytes, p->tx_bytes) * 8.0 / secs;
	out->cycles_per_pkt = rx == 0 ? 0.0 : (double)busy / (double)rx;
}

int
ctl_rates_compute(const struct ctl_sample *prev, const struct ctl_sample *cur,
		  struct ctl_rates *rates)
{
	double secs;
	uint32_t i;

	if (cur->mono_ns <= prev->mono_ns ||
	    cur->nb_workers != prev->nb_workers || cur->pid != prev->pid ||
	    cur->start_time_ns != prev->start_time_ns)
		return -EINVAL;
	secs = (double)(cur->mono_ns - prev->mono_ns) / 1e9;
	rates->interval_s = secs;
	rates->nb_workers = cur->nb_workers;
	rate_of(&prev->total, &cur->total, secs, &rates->total);
	for (i = 0; i < cur->nb_workers; i++)
		rate_of(&prev->workers[i].c, &cur->workers[i].c, secs,
			&rates->workers[i]);
	return 0;
}

const char *
ctl_reason_label(unsigned int r, char *buf, size_t len)
{
	const char *name = bw_reason_name(r);

	if (name != NULL)
		return name;
	snprintf(buf, len, "reason-%u", r);
	return buf;
}
