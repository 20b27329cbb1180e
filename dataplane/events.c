/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Events (docs/events.md). Workers fill a struct dp_event per drop and per
 * alert rule hit and copy it into their own SP/SC ring (rte_ring of
 * fixed-size elements): no lock, no allocation, no syscall; a full ring
 * loses the event and counts it (bw_worker_stats.events_lost). A writer
 * pthread off the workers drains the rings, applies the rate limit per
 * key (rule, list, program or reason) and writes one JSON line per event
 * with Suricata EVE field names to the events file (reopened when SIGHUP
 * bumps dp_hup_gen) and/or syslog.
 *
 * Names: a list's from the status region's list table, a program's from
 * its program table, a rule's message from the copy this file keeps of
 * each content rule set that went into service (dp_events_rules_note()),
 * a list's matching prefix from the control thread's list model, under
 * the model lock, when the model is still the event's generation.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "bw_names.h"
#include "dp.h"
#include "dp_events.h"
#include "dp_match.h"

#define EV_BURST	 256	  /* records dequeued per ring and round */
#define EV_IDLE_NS	 1000000L /* writer sleep when every ring is empty */
#define EV_BUF		 (1u << 20)
#define EV_LINE		 2048
#define RL_SLOTS	 4096 /* rate limit keys (a hash table) */
#define RULE_SETS	 4    /* rule sets whose messages are kept */
#define EV_SWEEP_TSC_DIV 4    /* summaries checked 4 times a second */

/* The messages of one content rule set. */
struct rule_names {
	uint64_t since_gen; /* 0: slot unused */
	uint32_t nb;
	uint32_t *sid;
	char **msg;
};

/* One rate limit key's second. */
struct rl_ent {
	uint64_t key; /* 0: unused */
	uint64_t sec; /* event time, whole seconds */
	uint32_t n;   /* events written in sec */
	uint32_t supp;
	struct dp_event last; /* the last one suppressed */
};

static struct {
	int on;
	struct dp_events_cfg cfg;
	struct dp_status *status;
	const struct bw_model *model;
	struct dp_worker *workers;
	unsigned int nb_workers;
	struct rte_ring *ring[BW_WORKER_MAX];
	pthread_mutex_t model_lock;
	pthread_mutex_t rules_lock;
	struct rule_names rules[RULE_SETS];
	unsigned int rules_next;
	pthread_t thread;
	int started;
	volatile int stop;
	int fd;
	const volatile uint32_t *hup; /* dp_hup_gen (dp_sig.h) */
	uint32_t hup_seen;
	uint64_t tsc0, ns0, hz;
	char port_name[RTE_MAX_ETHPORTS][BW_PORT_NAME_LEN];
	char *buf;
	size_t used;
	struct rl_ent *rl;
	uint64_t written, suppressed, write_errors;
} ev = {
	.model_lock = PTHREAD_MUTEX_INITIALIZER,
	.rules_lock = PTHREAD_MUTEX_INITIALIZER,
	.fd = -1,
};

/* Worker side. */

/* Copy the packet's addressing into e. */
static inline void
ev_fill(struct dp_event *e, const struct dp_worker *w, const struct dp_pkt *pi,
	const struct rte_mbuf *m, uint64_t now, uint64_t gen)
{
	memset(e, 0, sizeof(*e));
	e->tsc = now;
	e->generation = gen;
	e->pkt_len = m->pkt_len;
	e->port = m->port;
	e->dir = pi->dir;
	e->worker = (uint8_t)w->id;
	e->l3 = pi->l3;
	if (pi->l3 != DP_L3_NONE) {
		memcpy(e->src, pi->src.a8, 16);
		memcpy(e->dst, pi->dst.a8, 16);
		e->proto = pi->l4_proto;
		if (pi->flags & DP_PKT_L4) {
			e->flags |= DP_EV_F_L4;
			e->sport = pi->sport;
			e->dport = pi->dport;
		}
	}
	if (pi->nb_vlan != 0) {
		e->flags |= DP_EV_F_VLAN;
		e->vlan = pi->vlan[0];
	}
	e->obj = DP_EV_OBJ_NONE;
}

static inline void
ev_push(struct dp_worker *w, struct dp_event *e)
{
	if (likely(rte_ring_sp_enqueue_elem(w->ev_ring, e, sizeof(*e)) == 0))
		dp_cnt_add(&w->st->events, 1);
	else
		dp_cnt_add(&w->st->events_lost, 1);
}

void
dp_events_burst(struct dp_worker *w, uint64_t generation,
		const struct dp_match_set *ms, struct rte_mbuf **pkts,
		uint16_t n)
{
	uint64_t now = rte_rdtsc();
	struct dp_event e;
	uint16_t i;

	if (w->ev_ring == NULL)
		return;
	for (i = 0; i < n; i++) {
		uint8_t v = w->verdict[i];

		if (v == DP_VERDICT_PASS || v == DP_VERDICT_ALLOW ||
		    v == DP_VERDICT_HELD)
			continue;
		ev_fill(&e, w, &w->info[i], pkts[i], now, generation);
		e.type = DP_EV_DROP;
		e.reason = v;
		if (v == BW_REASON_BLOCKLIST || v == BW_REASON_BPF ||
		    v == BW_REASON_BPF_FAULT)
			e.obj = w->obj[i];
		if (v == BW_REASON_RULE && ms != NULL &&
		    w->obj[i] < ms->nb_rules) {
			const struct bw_image_rule *r = &ms->rules[w->obj[i]];

			e.obj = w->obj[i];
			e.rules_gen = ms->since_gen;
			e.sid = r->sid;
			e.rev = r->rev;
			e.action = r->action;
		}
		ev_push(w, &e);
	}
}

void
dp_events_alerts(struct dp_worker *w, uint64_t generation,
		 const struct dp_match_set *ms, const struct dp_pkt *pi,
		 const struct rte_mbuf *m, const uint32_t *ids, uint32_t nb)
{
	uint64_t now = rte_rdtsc();
	struct dp_event e;
	uint32_t k;

	if (w->ev_ring == NULL)
		return;
	for (k = 0; k < nb; k++) {
		const struct bw_image_rule *r;

		if (ids[k] >= ms->nb_rules)
			continue;
		r = &ms->rules[ids[k]];
		if (r->action != BW_RULE_ALERT)
			continue;
		ev_fill(&e, w, pi, m, now, generation);
		e.type = DP_EV_ALERT;
		e.obj = ids[k];
		e.rules_gen = ms->since_gen;
		e.sid = r->sid;
		e.rev = r->rev;
		e.action = r->action;
		ev_push(w, &e);
	}
}

void
dp_events_frag_drop(struct dp_worker *w, const struct rte_mbuf *m,
		    uint8_t reason)
{
	uint8_t dir = DP_DIR_INBOUND;
	struct dp_event e;
	struct dp_pkt pi;
	unsigned int l;

	if (w->ev_ring == NULL ||
	    !(__atomic_load_n(&w->obs_flags, __ATOMIC_RELAXED) & DP_OBS_EVENTS))
		return;
	for (l = 0; l < w->nb_legs; l++)
		if (w->legs[l].rx_port == m->port)
			dir = w->legs[l].dir;
	/* it decoded when it came in; the verdict is the table's */
	(void)dp_decode_with(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len,
			     m->pkt_len, dir, w->decode, &pi);
	ev_fill(&e, w, &pi, m, rte_rdtsc(), w->obs_gen);
	e.type = DP_EV_DROP;
	e.reason = reason;
	ev_push(w, &e);
}

/* Control thread side. */

void
dp_events_model_lock(void)
{
	pthread_mutex_lock(&ev.model_lock);
}

void
dp_events_model_unlock(void)
{
	pthread_mutex_unlock(&ev.model_lock);
}

static void
rule_names_free(struct rule_names *rn)
{
	uint32_t i;

	if (rn->msg != NULL)
		for (i = 0; i < rn->nb; i++)
			free(rn->msg[i]);
	free(rn->msg);
	free(rn->sid);
	memset(rn, 0, sizeof(*rn));
}

void
dp_events_rules_note(const struct bw_image_view *v, uint64_t since_gen)
{
	struct rule_names rn = {.since_gen = since_gen, .nb = v->nb_rules};
	uint32_t i;

	if (!ev.on || v->nb_rules == 0)
		return;
	rn.sid = calloc(rn.nb, sizeof(*rn.sid));
	rn.msg = calloc(rn.nb, sizeof(*rn.msg));
	if (rn.sid == NULL || rn.msg == NULL)
		goto err_free;
	for (i = 0; i < rn.nb; i++) {
		const struct bw_image_rule *r = &v->rules[i];
		const char *s = "";

		/* validated: msg_off names a NUL-terminated string */
		if (v->rstrings != NULL && r->msg_off < v->rstrings_len)
			s = v->rstrings + r->msg_off;
		rn.sid[i] = r->sid;
		rn.msg[i] = strdup(s);
		if (rn.msg[i] == NULL)
			goto err_free;
	}
	pthread_mutex_lock(&ev.rules_lock);
	rule_names_free(&ev.rules[ev.rules_next]);
	ev.rules[ev.rules_next] = rn;
	ev.rules_next = (ev.rules_next + 1) % RULE_SETS;
	pthread_mutex_unlock(&ev.rules_lock);
	return;
err_free:
	rule_names_free(&rn);
	DP_LOG(WARNING, "events: no memory to keep the messages of %u rules",
	       v->nb_rules);
}

/* Writer side. */

/* Wall clock ns of worker TSC t. */
static uint64_t
tsc_to_ns(uint64_t t)
{
	uint64_t d;

	if (t < ev.tsc0)
		return ev.ns0 - (ev.tsc0 - t) / ev.hz * 1000000000ull;
	d = t - ev.tsc0;
	return ev.ns0 + d / ev.hz * 1000000000ull +
	       d % ev.hz * 1000000000ull / ev.hz;
}

/* A bounded appender: out of room marks it full, the line is dropped. */
struct jb {
	char *p;
	size_t len, used;
	int full;
};

static void jb_printf(struct jb *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
jb_printf(struct jb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->used, b->len - b->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->len - b->used) {
		b->full = 1;
		return;
	}
	b->used += (size_t)n;
}

/* A JSON string value, escaped. */
static void
jb_str(struct jb *b, const char *s)
{
	const unsigned char *c;

	jb_printf(b, "\"");
	for (c = (const unsigned char *)s; *c != '\0'; c++) {
		if (*c == '"' || *c == '\\')
			jb_printf(b, "\\%c", *c);
		else if (*c < 0x20 || *c == 0x7f)
			jb_printf(b, "\\u%04x", *c);
		else
			jb_printf(b, "%c", *c);
	}
	jb_printf(b, "\"");
}

static const char *
proto_name(uint8_t p, char *tmp, size_t len)
{
	switch (p) {
	case 1:
		return "ICMP";
	case 6:
		return "TCP";
	case 17:
		return "UDP";
	case 58:
		return "IPv6-ICMP";
	case 132:
		return "SCTP";
	default:
		snprintf(tmp, len, "%03u", p);
		return tmp;
	}
}

/* The name of list id (status region, under its sequence lock). */
static void
list_name(uint32_t id, char *out, size_t len)
{
	const struct bw_status_hdr *hdr = ev.status->hdr;
	const struct bw_list_info *info = dp_status_list_info(ev.status);
	uint32_t s0, tries;

	out[0] = '\0';
	if (id >= BW_LIST_SLOTS)
		return;
	for (tries = 0; tries < 100; tries++) {
		s0 = __atomic_load_n(&hdr->list_seq, __ATOMIC_ACQUIRE);
		if (s0 & 1)
			continue;
		snprintf(out, len, "%.*s", (int)sizeof(info[id].name),
			 info[id].name);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&hdr->list_seq, __ATOMIC_RELAXED) == s0)
			return;
	}
}

/* The name of program slot (status region, under its sequence lock). */
static void
prog_name(uint32_t slot, char *out, size_t len)
{
	const struct bw_status_hdr *hdr = ev.status->hdr;
	const struct bw_bpf_info *info = dp_status_bpf_info(ev.status);
	uint32_t s0, tries;

	out[0] = '\0';
	if (slot >= BW_BPF_SLOTS)
		return;
	for (tries = 0; tries < 100; tries++) {
		s0 = __atomic_load_n(&hdr->bpf_seq, __ATOMIC_ACQUIRE);
		if (s0 & 1)
			continue;
		snprintf(out, len, "%.*s", (int)sizeof(info[slot].name),
			 info[slot].name);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&hdr->bpf_seq, __ATOMIC_RELAXED) == s0)
			return;
	}
}

/* The message of rule idx of the set that loaded at gen, "" unknown. */
static void
rule_msg(uint64_t gen, uint32_t idx, uint32_t sid, char *out, size_t len)
{
	unsigned int k;

	out[0] = '\0';
	pthread_mutex_lock(&ev.rules_lock);
	for (k = 0; k < RULE_SETS; k++) {
		const struct rule_names *rn = &ev.rules[k];

		if (rn->since_gen == gen && rn->since_gen != 0 &&
		    idx < rn->nb && rn->sid[idx] == sid) {
			snprintf(out, len, "%s", rn->msg[idx]);
			break;
		}
	}
	pthread_mutex_unlock(&ev.rules_lock);
}

/* addr masked to len bits (alen bytes) into out. */
static void
mask_to(const uint8_t *addr, unsigned int len, unsigned int alen, uint8_t *out)
{
	unsigned int i;

	for (i = 0; i < alen; i++) {
		if (len >= 8 * (i + 1))
			out[i] = addr[i];
		else if (len > 8 * i)
			out[i] = addr[i] &
				 (uint8_t)(0xff << (8 - (len - 8 * i)));
		else
			out[i] = 0;
	}
}

/* Whether table t holds (key, len) with list id's bit set. */
static int
route_has(const struct bw_rtable *t, const uint8_t *key, unsigned int len,
	  unsigned int alen, uint32_t id)
{
	uint32_t lo = 0, hi = t->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = memcmp(t->r[mid].addr, key, alen);

		if (c == 0)
			c = (int)t->r[mid].len - (int)len;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->n && t->r[lo].len == len &&
	       memcmp(t->r[lo].addr, key, alen) == 0 &&
	       (t->r[lo].member[id / 64] & (1ull << (id % 64))) != 0;
}

/* The longest prefix of list id holding addr, as text; 0 or -1 none. */
static int
list_prefix(const struct bw_rtable *t, const uint8_t *addr, unsigned int alen,
	    uint32_t id, char *out, size_t len)
{
	uint8_t key[16];
	char a[INET6_ADDRSTRLEN];
	int l;

	for (l = (int)alen * 8; l >= 0; l--) {
		mask_to(addr, (unsigned int)l, alen, key);
		if (route_has(t, key, (unsigned int)l, alen, id)) {
			inet_ntop(alen == 4 ? AF_INET : AF_INET6, key, a,
				  sizeof(a));
			snprintf(out, len, "%s/%d", a, l);
			return 0;
		}
	}
	return -1;
}

/*
 * The prefix of block list id that holds the event's source, else its
 * destination, when the model is still the event's generation.
 */
static void
event_prefix(const struct dp_event *e, char *out, size_t len)
{
	const struct bw_model *m = ev.model;
	unsigned int alen = e->l3 == DP_L3_IPV4 ? 4 : 16;
	int fam = e->l3 == DP_L3_IPV4 ? BW_FAM_V4 : BW_FAM_V6;
	int act;

	out[0] = '\0';
	if (m == NULL || e->obj >= BW_LIST_SLOTS || e->l3 == DP_L3_NONE)
		return;
	pthread_mutex_lock(&ev.model_lock);
	if (m->generation == e->generation && e->obj < BW_LIST_MAX) {
		act = m->lists[e->obj].action == BW_ACTION_ALLOW ? BW_ACT_ALLOW
								 : BW_ACT_BLOCK;
		if (list_prefix(&m->tab[act][fam], e->src, alen, e->obj, out,
				len) != 0)
			list_prefix(&m->tab[act][fam], e->dst, alen, e->obj,
				    out, len);
	}
	pthread_mutex_unlock(&ev.model_lock);
}

/* Format e (a summary of supp suppressed ones when supp != 0). */
static int
event_format(const struct dp_event *e, uint32_t supp, char *line, size_t len)
{
	struct jb b = {.p = line, .len = len};
	char ts[64], a[INET6_ADDRSTRLEN], tmp[16], name[256];
	const char *type = e->type == DP_EV_ALERT ? "alert" : "drop";
	const char *reason;
	uint64_t ns = ev.hz != 0 ? tsc_to_ns(e->tsc) : e->tsc;
	time_t sec = (time_t)(ns / 1000000000ull);
	struct tm tm;
	int af = e->l3 == DP_L3_IPV6 ? AF_INET6 : AF_INET;

	gmtime_r(&sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	jb_printf(&b, "{\"timestamp\":\"%s.%06" PRIu64 "+0000\"", ts,
		  (uint64_t)(ns % 1000000000ull / 1000));
	if (supp != 0)
		jb_printf(&b,
			  ",\"event_type\":\"suppressed\",\"suppressed\":"
			  "{\"event_type\":\"%s\",\"count\":%" PRIu32 "}",
			  type, supp);
	else
		jb_printf(&b, ",\"event_type\":\"%s\"", type);
	if (e->l3 != DP_L3_NONE) {
		inet_ntop(af, e->src, a, sizeof(a));
		jb_printf(&b, ",\"src_ip\":\"%s\"", a);
		if (e->flags & DP_EV_F_L4)
			jb_printf(&b, ",\"src_port\":%u", e->sport);
		inet_ntop(af, e->dst, a, sizeof(a));
		jb_printf(&b, ",\"dest_ip\":\"%s\"", a);
		if (e->flags & DP_EV_F_L4)
			jb_printf(&b, ",\"dest_port\":%u", e->dport);
		jb_printf(&b, ",\"proto\":\"%s\"",
			  proto_name(e->proto, tmp, sizeof(tmp)));
	}
	if (e->flags & DP_EV_F_VLAN)
		jb_printf(&b, ",\"vlan\":[%u]", e->vlan);
	if (e->port < RTE_MAX_ETHPORTS && ev.port_name[e->port][0] != '\0') {
		jb_printf(&b, ",\"in_iface\":");
		jb_str(&b, ev.port_name[e->port]);
	}
	jb_printf(&b,
		  ",\"pkt_len\":%" PRIu32 ",\"worker\":%u,\"port\":%u"
		  ",\"direction\":\"%s\",\"generation\":%" PRIu64,
		  e->pkt_len, e->worker, e->port,
		  e->dir == DP_DIR_OUTBOUND ? "outbound" : "inbound",
		  e->generation);
	if (e->type == DP_EV_DROP) {
		reason = bw_reason_name(e->reason);
		jb_printf(&b, ",\"reason\":\"%s\"",
			  reason != NULL ? reason : "unknown");
	}
	if (e->type == DP_EV_DROP && e->reason == BW_REASON_BLOCKLIST &&
	    e->obj != DP_EV_OBJ_NONE) {
		list_name(e->obj, name, sizeof(name));
		jb_printf(&b, ",\"list\":");
		jb_str(&b, name);
		event_prefix(e, name, sizeof(name));
		if (name[0] != '\0')
			jb_printf(&b, ",\"prefix\":\"%s\"", name);
	}
	if (e->type == DP_EV_DROP &&
	    (e->reason == BW_REASON_BPF || e->reason == BW_REASON_BPF_FAULT) &&
	    e->obj != DP_EV_OBJ_NONE) {
		prog_name(e->obj, name, sizeof(name));
		jb_printf(&b, ",\"program\":");
		jb_str(&b, name);
	}
	if (e->sid != 0 || e->rules_gen != 0) {
		rule_msg(e->rules_gen, e->obj, e->sid, name, sizeof(name));
		jb_printf(&b,
			  ",\"alert\":{\"action\":\"%s\",\"gid\":1,"
			  "\"signature_id\":%" PRIu32 ",\"rev\":%" PRIu32
			  ",\"signature\":",
			  e->action == BW_RULE_DROP ? "blocked" : "allowed",
			  e->sid, e->rev);
		jb_str(&b, name);
		jb_printf(&b, "}");
	}
	jb_printf(&b, "}\n");
	return b.full ? -ENOSPC : (int)b.used;
}

int
dp_events_format(const struct dp_event *e, char *buf, size_t len)
{
	return event_format(e, 0, buf, len);
}

static void
out_flush(void)
{
	size_t off = 0;
	ssize_t n;

	while (ev.fd >= 0 && off < ev.used) {
		n = write(ev.fd, ev.buf + off, ev.used - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ev.write_errors++;
			break;
		}
		off += (size_t)n;
	}
	ev.used = 0;
}

static void
out_line(const struct dp_event *e, uint32_t supp)
{
	char line[EV_LINE];
	int n = event_format(e, supp, line, sizeof(line));

	if (n <= 0)
		return;
	ev.written++;
	if (ev.cfg.syslog) {
		line[n - 1] = '\0';
		syslog(LOG_NOTICE, "%s", line);
		line[n - 1] = '\n';
	}
	if (ev.fd < 0)
		return;
	if (ev.used + (size_t)n > EV_BUF)
		out_flush();
	memcpy(ev.buf + ev.used, line, (size_t)n);
	ev.used += (size_t)n;
}

/* The rate limit key of e: its type, reason and deciding object. */
static uint64_t
rl_key(const struct dp_event *e)
{
	uint64_t obj = e->sid != 0 ? e->sid : e->obj;

	return (uint64_t)e->type << 56 | (uint64_t)e->reason << 48 |
	       (obj & 0xffffffffull) << 8 | 1;
}

static void
rl_flush(struct rl_ent *r)
{
	if (r->supp == 0)
		return;
	out_line(&r->last, r->supp);
	ev.suppressed += r->supp;
	r->supp = 0;
}

/* Write e unless its key is over the rate in e's second. */
static void
event_handle(const struct dp_event *e)
{
	uint32_t rate =
		e->type == DP_EV_ALERT ? ev.cfg.rate_alert : ev.cfg.rate;
	uint64_t key, sec, h;
	struct rl_ent *r;

	if (rate == 0) {
		out_line(e, 0);
		return;
	}
	key = rl_key(e);
	sec = tsc_to_ns(e->tsc) / 1000000000ull;
	h = (key * 0x9e3779b97f4a7c15ull) >> 52;
	r = &ev.rl[h % RL_SLOTS];
	if (r->key != key || r->sec != sec) {
		rl_flush(r);
		r->key = key;
		r->sec = sec;
		r->n = 0;
	}
	if (r->n < rate) {
		r->n++;
		out_line(e, 0);
		return;
	}
	r->supp++;
	r->last = *e;
}

/* The summaries of the seconds that ended before now_sec (all: every). */
static void
rl_sweep(uint64_t now_sec, int all)
{
	unsigned int i;

	if (ev.rl == NULL)
		return;
	for (i = 0; i < RL_SLOTS; i++)
		if (ev.rl[i].supp != 0 && (all || ev.rl[i].sec < now_sec))
			rl_flush(&ev.rl[i]);
}

/* Drain every ring once; returns the records taken. */
static unsigned int
drain(void)
{
	static struct dp_event batch[EV_BURST];
	unsigned int w, k, n, total = 0;

	for (w = 0; w < ev.nb_workers; w++) {
		n = rte_ring_sc_dequeue_burst_elem(
			ev.ring[w], batch, sizeof(batch[0]), EV_BURST, NULL);
		for (k = 0; k < n; k++)
			event_handle(&batch[k]);
		total += n;
	}
	return total;
}

static int
file_open(const char *path)
{
	return open(path,
		    O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW,
		    0640);
}

/* SIGHUP: logrotate moved the file; write to a new one at the path. */
static void
file_reopen(void)
{
	int fd;

	if (ev.cfg.path[0] == '\0')
		return;
	out_flush();
	fd = file_open(ev.cfg.path);
	if (fd < 0) {
		DP_LOG(ERR, "events: reopen %s: %s; writing on to the old file",
		       ev.cfg.path, strerror(errno));
		return;
	}
	close(ev.fd);
	ev.fd = fd;
	DP_LOG(INFO, "events: reopened %s", ev.cfg.path);
}

static void *
writer_main(void *arg)
{
	struct timespec idle = {0, EV_IDLE_NS};
	uint64_t next_sweep = 0, t;
	uint32_t hup;

	(void)arg;
	while (!__atomic_load_n(&ev.stop, __ATOMIC_ACQUIRE)) {
		hup = __atomic_load_n(ev.hup, __ATOMIC_RELAXED);
		if (hup != ev.hup_seen) {
			ev.hup_seen = hup;
			file_reopen();
		}
		if (drain() == 0) {
			out_flush();
			nanosleep(&idle, NULL);
		}
		t = rte_rdtsc();
		if (t >= next_sweep) {
			rl_sweep(tsc_to_ns(t) / 1000000000ull, 0);
			next_sweep = t + ev.hz / EV_SWEEP_TSC_DIV;
		}
	}
	/* the workers stopped: what they left */
	while (drain() != 0)
		;
	rl_sweep(0, 1);
	out_flush();
	return NULL;
}

int
dp_events_init(const struct dp_events_cfg *cfg, struct dp_status *st,
	       const struct bw_model *model, struct dp_worker *workers,
	       unsigned int nb_workers)
{
	char name[RTE_RING_NAMESIZE];
	unsigned int i;

	ev.cfg = *cfg;
	ev.on = cfg->path[0] != '\0' || cfg->syslog;
	if (!ev.on)
		return 0;
	ev.status = st;
	ev.model = model;
	ev.workers = workers;
	ev.nb_workers = nb_workers;
	ev.hz = rte_get_tsc_hz();
	for (i = 0; i < nb_workers; i++) {
		snprintf(name, sizeof(name), "bw_ev%u", i);
		ev.ring[i] = rte_ring_create_elem(
			name, sizeof(struct dp_event), cfg->ring,
			(int)rte_lcore_to_socket_id(workers[i].lcore_id),
			RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
		if (ev.ring[i] == NULL)
			return -ENOMEM;
		workers[i].ev_ring = ev.ring[i];
		__atomic_fetch_or(&workers[i].obs_flags, DP_OBS_EVENTS,
				  __ATOMIC_RELAXED);
	}
	ev.buf = malloc(EV_BUF);
	if (ev.buf == NULL)
		return -ENOMEM;
	if (cfg->rate != 0 || cfg->rate_alert != 0) {
		ev.rl = calloc(RL_SLOTS, sizeof(*ev.rl));
		if (ev.rl == NULL)
			return -ENOMEM;
	}
	return 0;
}

/* Write run_dir/events.path: the absolute path of the events file. */
static void
path_publish(const char *instance, const char *run_dir)
{
	char dflt[PATH_MAX], file[PATH_MAX + 32], tmp[PATH_MAX + 32];
	char abs[PATH_MAX * 2], cwd[PATH_MAX];
	FILE *f;

	if (ev.cfg.path[0] == '\0')
		return;
	if (run_dir == NULL || run_dir[0] == '\0') {
		if (bw_name_run_dir(instance, dflt, sizeof(dflt)) != 0)
			return;
		run_dir = dflt;
	}
	if (ev.cfg.path[0] == '/')
		snprintf(abs, sizeof(abs), "%s", ev.cfg.path);
	else if (getcwd(cwd, sizeof(cwd)) != NULL)
		snprintf(abs, sizeof(abs), "%s/%s", cwd, ev.cfg.path);
	else
		return;
	snprintf(file, sizeof(file), "%s/events.path", run_dir);
	snprintf(tmp, sizeof(tmp), "%s/.events.path.tmp", run_dir);
	unlink(tmp);
	f = fopen(tmp, "wx");
	if (f == NULL)
		goto err_log;
	fchmod(fileno(f), 0644);
	fprintf(f, "%s\n", abs);
	if (fclose(f) != 0 || rename(tmp, file) != 0)
		goto err_log;
	return;
err_log:
	DP_LOG(WARNING,
	       "events: cannot write %s: %s (bulwarkctl events "
	       "needs --file)",
	       file, strerror(errno));
}

int
dp_events_start(const char *instance, const char *run_dir,
		const volatile uint32_t *hup)
{
	struct timespec ts;
	uint16_t p;
	int ret;

	if (!ev.on)
		return 0;
	__atomic_store_n(&ev.stop, 0, __ATOMIC_RELAXED);
	ev.used = 0;
	clock_gettime(CLOCK_REALTIME, &ts);
	ev.tsc0 = rte_rdtsc();
	ev.ns0 = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	RTE_ETH_FOREACH_DEV (p)
		rte_eth_dev_get_name_by_port(p, ev.port_name[p]);
	if (ev.cfg.path[0] != '\0') {
		ev.fd = file_open(ev.cfg.path);
		if (ev.fd < 0)
			return -errno;
	}
	/* the same as the dataplane's own log to syslog (--syslog): the
	 * connection is the process's, shared, and never closed here */
	if (ev.cfg.syslog)
		openlog("bulwark", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	ev.hup = hup;
	ev.hup_seen = __atomic_load_n(hup, __ATOMIC_RELAXED);
	path_publish(instance, run_dir);
	ret = pthread_create(&ev.thread, NULL, writer_main, NULL);
	if (ret != 0)
		return -ret;
	pthread_setname_np(ev.thread, "bw-events");
	ev.started = 1;
	DP_LOG(INFO,
	       "events: to %s%s, ring %u per worker, rate %u drops and %u "
	       "alerts per second and key",
	       ev.cfg.path[0] != '\0' ? ev.cfg.path : "",
	       ev.cfg.syslog
		       ? (ev.cfg.path[0] != '\0' ? " and syslog" : "syslog")
		       : "",
	       ev.cfg.ring, ev.cfg.rate, ev.cfg.rate_alert);
	return 0;
}

void
dp_events_stop(void)
{
	unsigned int i;

	if (!ev.on)
		return;
	if (ev.started) {
		__atomic_store_n(&ev.stop, 1, __ATOMIC_RELEASE);
		pthread_join(ev.thread, NULL);
		ev.started = 0;
	}
	DP_LOG(INFO,
	       "events: %" PRIu64 " written, %" PRIu64 " suppressed by the "
	       "rate limit, %" PRIu64 " write errors",
	       ev.written, ev.suppressed, ev.write_errors);
	if (ev.fd >= 0)
		close(ev.fd);
	ev.fd = -1;
	for (i = 0; i < ev.nb_workers; i++) {
		rte_ring_free(ev.ring[i]);
		ev.ring[i] = NULL;
		ev.workers[i].ev_ring = NULL;
	}
	for (i = 0; i < RULE_SETS; i++)
		rule_names_free(&ev.rules[i]);
	free(ev.rl);
	free(ev.buf);
	ev.rl = NULL;
	ev.buf = NULL;
	ev.on = 0;
}
