/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-burst content rule stage (workers; the set is built in
 * match_build.c, TCP streams are fed in stream.c). The stage scans the
 * payload of each packet that no earlier stage decided with the block
 * database, gathers the ids Hyperscan reports (deduplicated in a per-worker
 * bitmap, no allocation), checks each candidate rule's header conditions,
 * then applies the actions: a matching pass rule wins over drop and drop
 * over alert, as Suricata's default action order (pass, drop, reject, alert)
 * does. Only the rules that decide are counted: with a pass match, the pass
 * rules; otherwise every matching drop and alert rule.
 *
 * The flow keyword (docs/rules.md, "Matching in the dataplane"): from
 * the flow table, which tracks TCP flows when the set has stream rules or
 * flow rules, and UDP, ICMP and other IP flows when it has flow rules. A
 * tracked TCP segment is established when its session is (from the
 * segment after the handshake's last ACK on, or picked up mid-stream) and
 * goes to the server or the client when the SYN was seen; a refused
 * segment passed by policy as a packet of its flow; a TCP segment
 * without a flow (mid-stream, table full) is not established. Another
 * packet goes to the server when it comes from the end that sent its
 * flow's first packet, and is established once its flow carried packets
 * both ways; without a flow (no room) it is its flow's first packet.
 * Per-flow state is never approximated per packet: a set with flow
 * rules needs the table (match_build.c refuses it with --flows 0). For a
 * TCP flow without a SYN seen both directions hold: a guess by ports
 * fails on real captures (IEC-104 clients on port 1568 talking to 2404);
 * the rule's own port and address conditions still say which way it
 * looks.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <netinet/in.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_prefetch.h>

#include "dp.h"
#include "dp_flow.h"
#include "dp_match.h"
#include "dp_ruleset.h"
#include "dp_stream.h"

/* Worker lcores only. */

/* Hyperscan match callback: note rule id once. */
static int
on_match(unsigned int id, unsigned long long from __rte_unused,
	 unsigned long long to __rte_unused, unsigned int flags __rte_unused,
	 void *ctx)
{
	struct dp_worker *w = ctx;
	uint64_t bit = 1ull << (id % 64);

	if (unlikely(id >= BW_RULE_SLOTS))
		return 0;
	if (w->match_scr.seen[id / 64] & bit)
		return 0;
	w->match_scr.seen[id / 64] |= bit;
	if (likely(w->match_scr.nb_ids < DP_MATCH_IDS))
		w->match_scr.ids[w->match_scr.nb_ids] = id;
	w->match_scr.nb_ids++;
	return 0;
}

/* a (family, 16 bytes) inside prefix p */
static int
prefix_has(const struct bw_image_raddr *p, uint8_t family, const uint8_t *addr)
{
	unsigned int full = p->len / 8u, rest = p->len % 8u;

	if (p->family != family)
		return 0;
	if (memcmp(p->addr, addr, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((p->addr[full] ^ addr[full]) & (uint8_t)(0xff00u >> rest)) == 0;
}

static int
addr_ok(const struct dp_match_set *s, uint32_t first, uint32_t nb, int neg,
	uint8_t family, const union dp_addr *a)
{
	uint32_t k;

	for (k = first; k < first + nb; k++)
		if (prefix_has(&s->addrs[k], family, a->a8))
			return !neg;
	return neg;
}

static int
port_ok(const struct dp_match_set *s, uint32_t first, uint32_t nb, int neg,
	int has_ports, uint16_t port)
{
	uint32_t k;

	if (nb == 0 && neg)
		return 1; /* any */
	if (!has_ports)
		return 0; /* a port condition never holds without ports */
	for (k = first; k < first + nb; k++)
		if (port >= s->ports[k].lo && port <= s->ports[k].hi)
			return !neg;
	return neg;
}

/* Addresses and ports one way round: (a, ap) as source, (b, bp) as dest. */
static int
ends_ok(const struct dp_match_set *s, const struct bw_image_rule *r,
	const struct dp_pkt *pi, int has_ports, const union dp_addr *a,
	uint16_t ap, const union dp_addr *b, uint16_t bp)
{
	uint8_t fam = pi->l3 == DP_L3_IPV4 ? 4 : 6;

	return addr_ok(s, r->src_first, r->nb_src, r->flags & BW_RULE_F_SRC_NOT,
		       fam, a) &&
	       addr_ok(s, r->dst_first, r->nb_dst, r->flags & BW_RULE_F_DST_NOT,
		       fam, b) &&
	       port_ok(s, r->sport_first, r->nb_sport,
		       r->flags & BW_RULE_F_SPORT_NOT, has_ports, ap) &&
	       port_ok(s, r->dport_first, r->nb_dport,
		       r->flags & BW_RULE_F_DPORT_NOT, has_ports, bp);
}

/*
 * flow:to_server / to_client / established, with fv the flow table's view
 * of the segment (DP_FV_*, dp_stream.h): a tracked TCP segment is
 * established when its session is, and goes to the server or the client
 * when its client is known (a SYN, a SYN-ACK or a mid-stream pickup). An
 * untracked packet: see the head comment.
 */
static int
flow_ok(const struct bw_image_rule *r, const struct dp_pkt *pi, int fv)
{
	int tcp = pi->l4_proto == IPPROTO_TCP && (pi->flags & DP_PKT_L4);
	int syn = tcp && (pi->tcp_flags & RTE_TCP_SYN_FLAG);
	int ack = tcp && (pi->tcp_flags & RTE_TCP_ACK_FLAG);

	/* no flow, no session: never approximated per packet */
	if ((r->flags & BW_RULE_F_ESTABLISHED) && !(fv & DP_FV_EST))
		return 0;
	if ((fv & DP_FV_KNOWN) && (r->flags & BW_RULE_F_TO_SERVER))
		return (fv & DP_FV_SERVER) != 0;
	if ((fv & DP_FV_KNOWN) && (r->flags & BW_RULE_F_TO_CLIENT))
		return (fv & DP_FV_SERVER) == 0;
	if (!syn)
		return 1;
	if (r->flags & BW_RULE_F_TO_SERVER)
		return !ack;
	if (r->flags & BW_RULE_F_TO_CLIENT)
		return ack;
	return 1;
}

/* Every header condition of rule r for packet pi with len payload bytes. */
static int
header_ok(const struct dp_match_set *s, const struct bw_image_rule *r,
	  const struct dp_pkt *pi, uint32_t len, int fv)
{
	int l4 = (pi->flags & DP_PKT_L4) != 0;
	int has_ports = l4 && (pi->l4_proto == IPPROTO_TCP ||
			       pi->l4_proto == IPPROTO_UDP);

	switch (r->proto) {
	case BW_RULE_PROTO_TCP:
		if (!l4 || pi->l4_proto != IPPROTO_TCP)
			return 0;
		break;
	case BW_RULE_PROTO_UDP:
		if (!l4 || pi->l4_proto != IPPROTO_UDP)
			return 0;
		break;
	case BW_RULE_PROTO_ICMP:
		if (!l4 || (pi->l4_proto != IPPROTO_ICMP &&
			    pi->l4_proto != IPPROTO_ICMPV6))
			return 0;
		break;
	default:
		break;
	}
	if (r->dsize_op == BW_DSIZE_IN &&
	    (len < r->dsize_min || len > r->dsize_max))
		return 0;
	if (r->dsize_op == BW_DSIZE_OUT && len >= r->dsize_min &&
	    len <= r->dsize_max)
		return 0;
	if ((r->flags & BW_RULE_F_DATAAT) &&
	    (len < r->data_min || len > r->data_max))
		return 0; /* absolute isdataat (packet-scoped rules only) */
	if (!flow_ok(r, pi, fv))
		return 0;
	if (ends_ok(s, r, pi, has_ports, &pi->src, pi->sport, &pi->dst,
		    pi->dport))
		return 1;
	return (r->flags & BW_RULE_F_BIDIR) &&
	       ends_ok(s, r, pi, has_ports, &pi->dst, pi->dport, &pi->src,
		       pi->sport);
}

/* What the matching rules of one packet decide. */
struct decision {
	uint32_t nb_pass, nb_drop, nb_alert;
	uint32_t ids[DP_MATCH_IDS]; /* matching rules, first DP_MATCH_IDS */
	uint32_t nb;
};

/* Empty d (the id list is only read up to d->nb). */
static inline void
decision_clear(struct decision *d)
{
	d->nb_pass = d->nb_drop = d->nb_alert = 0;
	d->nb = 0;
}

static void
consider(const struct dp_match_set *s, struct decision *d, uint32_t id,
	 const struct dp_pkt *pi, uint32_t len, int fv)
{
	const struct bw_image_rule *r;

	if (unlikely(id >= s->nb_rules))
		return;
	r = &s->rules[id];
	if (!header_ok(s, r, pi, len, fv))
		return;
	d->nb_pass += r->action == BW_RULE_PASS;
	d->nb_drop += r->action == BW_RULE_DROP;
	d->nb_alert += r->action == BW_RULE_ALERT;
	if (d->nb < DP_MATCH_IDS)
		d->ids[d->nb++] = id;
}

/* The first drop rule of d (which holds one), for the drop's event. */
static inline uint32_t
first_drop(const struct dp_match_set *s, const struct decision *d)
{
	uint32_t k;

	for (k = 0; k < d->nb; k++)
		if (s->rules[d->ids[k]].action == BW_RULE_DROP)
			return d->ids[k];
	return DP_EV_OBJ_NONE;
}

/* Forget the ids of the last scan (the bitmap bits they set). */
static void
seen_clear(struct dp_worker *w, const struct dp_match_set *s)
{
	uint32_t k;

	if (likely(w->match_scr.nb_ids <= DP_MATCH_IDS)) {
		for (k = 0; k < w->match_scr.nb_ids; k++)
			w->match_scr.seen[w->match_scr.ids[k] / 64] = 0;
	} else {
		memset(w->match_scr.seen, 0,
		       ((s->nb_rules + 63) / 64) * sizeof(uint64_t));
	}
	w->match_scr.nb_ids = 0;
}

/*
 * The per-packet scans of one payload: the BASE group of the packet's
 * lane, then the groups of the classes of its destination and source
 * ports (TCP and UDP); the STREAM scope too (the content stage asks for
 * it always: a TCP rule is matched against each segment's payload and
 * its stream, Suricata's pkt_stream). A class group that holds the BASE
 * rules too stands for the BASE group (if both classes' groups do, the
 * BASE rules are scanned twice and noted once); a PACKET group that holds
 * its key's stream rules (BW_HSGROUP_F_STREAM) stands for that key's
 * STREAM block group. With a single database it is the BASE of every
 * lane. Hits land in w's id list and bitmap.
 */
static inline void
scan_groups(struct dp_worker *w, const struct dp_match_set *s,
	    const struct dp_match_gkey *gk, const uint8_t *payload,
	    uint32_t len, hs_scratch_t *scr, int untracked)
{
	const struct dp_class_groups *cd = gk->cd != 0 ? &s->cls[gk->cd] : NULL;
	const struct dp_class_groups *cs = gk->cs != 0 ? &s->cls[gk->cs] : NULL;
	const char *buf = (const char *)payload;
	hs_database_t *db;
	int sc, base_done = 0;

	for (sc = BW_HSSCOPE_PACKET;
	     sc <= (untracked ? BW_HSSCOPE_STREAM : BW_HSSCOPE_PACKET); sc++) {
		db = s->base[gk->lane][sc];
		if (db != NULL && !(cd != NULL && cd->base[sc]) &&
		    !(cs != NULL && cs->base[sc]) &&
		    !(sc == BW_HSSCOPE_STREAM && base_done &&
		      s->base_stream[gk->lane])) {
			hs_scan(db, buf, len, 0, scr, on_match, w);
			base_done = 1;
		}
		if (cd != NULL && (db = cd->db[sc]) != NULL &&
		    !(sc == BW_HSSCOPE_STREAM && cd->stream))
			hs_scan(db, buf, len, 0, scr, on_match, w);
		if (cs != NULL && (db = cs->db[sc]) != NULL &&
		    !(sc == BW_HSSCOPE_STREAM && cs->stream))
			hs_scan(db, buf, len, 0, scr, on_match, w);
	}
}

/*
 * Whether a per-packet hit of rule id counts: a rule with flow:only_stream (BW_RULE_F_STREAM) counts on the stream
 * alone, never per packet: a segment no stream took (mid-stream without
 * pickup, no room in the table, refused and passed by policy) is not
 * stream data, as Suricata's only_stream holds.
 */
static inline int
pkt_takes(const struct dp_match_set *s, uint32_t id)
{
	return !(id < s->nb_rules && (s->rules[id].flags & BW_RULE_F_STREAM));
}

/*
 * Count the hits of decision d on mbuf m: a pass rule decides alone, else
 * the drop and alert rules count.
 */
static void
count_hits(const struct dp_match_set *s, struct bw_rule_stats *rst,
	   const struct decision *d, const struct rte_mbuf *m, uint64_t now)
{
	uint32_t k;

	for (k = 0; k < d->nb; k++) {
		const struct bw_image_rule *r = &s->rules[d->ids[k]];
		struct bw_rule_stats *c = &rst[d->ids[k]];

		if (d->nb_pass > 0 && r->action != BW_RULE_PASS)
			continue;
		dp_cnt_add(&c->pkts, 1);
		dp_cnt_add(&c->bytes, m->pkt_len);
		__atomic_store_n(&c->last_tsc, now, __ATOMIC_RELAXED);
	}
}

/*
 * The matches of the other direction's end (a RST of this direction
 * closed it, stream_other on): their headers are checked as for a packet
 * going that way, and their hits count on m, which is not dropped for
 * them: it goes the other way, and the data they saw has passed.
 */
static void
other_end(struct dp_worker *w, const struct dp_match_set *s,
	  struct bw_rule_stats *rst, const struct dp_pkt *pi, int fv,
	  const struct rte_mbuf *m, uint64_t now)
{
	struct decision d;
	struct dp_pkt rev;
	uint32_t k;

	dp_pkt_reverse(pi, &rev);
	decision_clear(&d);
	for (k = w->match_scr.stream_other; k < w->match_scr.nb_stream_ids; k++)
		consider(s, &d, w->match_scr.stream_ids[k], &rev, 0,
			 dp_fv_reverse(fv));
	count_hits(s, rst, &d, m, now);
}

/* Payload lines fetched DP_PAYLOAD_AHEAD packets before their scan. */
#define DP_PAYLOAD_AHEAD 4
#define DP_PAYLOAD_LINES 4

static inline void
payload_prefetch(const struct dp_pkt *pi, const struct rte_mbuf *m,
		 uint8_t verdict)
{
	const uint8_t *p;
	uint32_t len, k;

	if (verdict != DP_VERDICT_PASS || pi->payload_len == 0 ||
	    pi->payload_off >= m->data_len)
		return;
	p = rte_pktmbuf_mtod_offset(m, const uint8_t *, pi->payload_off);
	len = RTE_MIN((uint32_t)pi->payload_len,
		      (uint32_t)m->data_len - pi->payload_off);
	for (k = 0; k < DP_PAYLOAD_LINES && k * RTE_CACHE_LINE_SIZE < len; k++)
		rte_prefetch0(p + k * RTE_CACHE_LINE_SIZE);
}

/*
 * The payload of pi, *len bytes: in place when the first mbuf segment
 * holds it, else (jumbo frames, scattered rx) copied whole into the
 * worker's linear buffer, so that every byte is scanned. A payload that
 * does not fit there is cut at DP_LINEAR_MAX (not reached: mbufs carry at
 * most 65535 bytes).
 */
static inline const uint8_t *
payload_of(struct dp_worker *w, const struct rte_mbuf *m,
	   const struct dp_pkt *pi, uint32_t *len)
{
	uint32_t n = pi->payload_len;

	if (likely(pi->payload_off + n <= m->data_len)) {
		*len = n;
		return rte_pktmbuf_mtod_offset(m, const uint8_t *,
					       pi->payload_off);
	}
	if (pi->payload_off >= m->pkt_len) {
		*len = 0;
		return w->linear;
	}
	n = RTE_MIN(n, m->pkt_len - pi->payload_off);
	n = RTE_MIN(n, (uint32_t)DP_LINEAR_MAX);
	*len = n;
	return rte_pktmbuf_read(m, pi->payload_off, n, w->linear);
}

void
dp_match_classify(struct dp_worker *w, const struct dp_ruleset *rs,
		  struct rte_mbuf **pkts, uint16_t n, uint8_t *verdict)
{
	const struct dp_match_set *s = rs->match;
	struct bw_rule_stats *rst = w->rst[s->bank & 1];
	hs_scratch_t *scr = s->scratch != NULL ? s->scratch[w->id] : NULL;
	uint64_t now = rte_rdtsc();
	const struct dp_flow_key *kp[DP_BURST];
	int32_t pos[DP_BURST];
	uint16_t at[DP_BURST];
	enum dp_seg_fate fate;
	struct decision d;
	uint32_t len, j, k, id, slot, dels = 0;
	uint8_t dir = 0, track = 0, why = 0;
	struct dp_match_gkey gk;
	int fv, have_gk, scanned;
	uint16_t i;

	/* stream rules, or rules that read the flow keyword */
	if ((s->sdb != NULL || s->nb_scls > 0 || s->flow_rules) &&
	    w->flows.h != NULL) {
		if (unlikely(now >= w->flows.age_next_tsc)) {
			k = dp_flow_age(&w->flows, now);
			if (k != 0)
				dp_cnt_add(&w->st->flow[BW_FLOW_AGED], k);
		}
		/*
		 * the burst's flows in one bulk lookup: TCP, and the others
		 * when a rule reads the flow keyword
		 */
		track = 1;
		k = 0;
		for (i = 0; i < n; i++) {
			const struct dp_pkt *pi = &w->info[i];

			w->flow_scr.track[i] = DP_FT_NONE;
			if (verdict[i] != DP_VERDICT_PASS ||
			    pi->l3 == DP_L3_NONE || !(pi->flags & DP_PKT_L4))
				continue;
			if (pi->l4_proto == IPPROTO_TCP)
				w->flow_scr.track[i] = DP_FT_KEYED;
			else if (s->flow_rules)
				w->flow_scr.track[i] = DP_FT_OTHER;
			else
				continue;
			dp_flow_key_of(pi, &w->flow_scr.key[i],
				       &w->flow_scr.dir[i]);
			at[k] = i;
			kp[k++] = &w->flow_scr.key[i];
		}
		dp_flow_lookup_bulk(&w->flows, kp, k, pos);
		/* positions to their packets; their entries to cache */
		for (j = 0; j < k; j++) {
			w->flow_scr.pos[at[j]] = pos[j];
			if (pos[j] >= 0 && (uint32_t)pos[j] < w->flows.nb) {
				rte_prefetch0(&w->flows.flows[pos[j]]);
				rte_prefetch0(&w->flows.flows[pos[j]].d[0]);
			}
		}
		dels = w->flows.dels;
	}
	for (i = 0; i < n && i < DP_PAYLOAD_AHEAD; i++)
		payload_prefetch(&w->info[i], pkts[i], verdict[i]);
	for (i = 0; i < n; i++) {
		const struct dp_pkt *pi = &w->info[i];
		const struct rte_mbuf *m = pkts[i];
		const uint8_t *payload;

		if (i + DP_PAYLOAD_AHEAD < n)
			payload_prefetch(&w->info[i + DP_PAYLOAD_AHEAD],
					 pkts[i + DP_PAYLOAD_AHEAD],
					 verdict[i + DP_PAYLOAD_AHEAD]);

		if (verdict[i] != DP_VERDICT_PASS || pi->l3 == DP_L3_NONE)
			continue;
		payload = payload_of(w, m, pi, &len);
		decision_clear(&d);
		fate = DP_SEG_UNTRACKED;
		slot = UINT32_MAX;
		/*
		 * a TCP segment the table does not take is not established;
		 * another packet without a flow is its flow's first
		 */
		fv = 0;
		if (track)
			fv = w->flow_scr.track[i] != DP_FT_NONE
				     ? DP_FV_TRACKED
				     : DP_FV_TRACKED | DP_FV_KNOWN |
					       DP_FV_SERVER;
		have_gk = 0;
		scanned = 0;
		w->match_scr.nb_stream_ids = 0;
		w->match_scr.stream_other = UINT32_MAX;
		if (track && w->flow_scr.track[i] == DP_FT_OTHER) {
			fv = dp_flow_other_view(&w->flows, &w->flow_scr.key[i],
						w->flow_scr.dir[i],
						w->flow_scr.pos[i], dels, now);
		} else if (track && w->flow_scr.track[i] != DP_FT_NONE) {
			dp_match_gkey_of(s, pi, &gk);
			have_gk = 1;
			fate = dp_stream_seg_track(w, s, pi, &gk, m, payload,
						   len, now, i, dels, &slot,
						   &dir, &fv, &why);
		}
		if (fate == DP_SEG_DROP) {
			verdict[i] = BW_REASON_RULE;
			w->obj[i] = DP_EV_OBJ_NONE; /* an earlier segment's */
			continue;
		}
		if (unlikely(fate == DP_SEG_INVALID)) {
			verdict[i] = why;
			continue;
		}
		if (scr != NULL && len > 0) {
			if (!have_gk)
				dp_match_gkey_of(s, pi, &gk);
			/*
			 * packet and stream inspection: every scope on the
			 * segment's own payload too (docs/rules.md, "Packet
			 * and stream inspection")
			 */
			scan_groups(w, s, &gk, payload, len, scr, 1);
			for (k = 0; k < w->match_scr.nb_ids && k < DP_MATCH_IDS;
			     k++) {
				id = w->match_scr.ids[k];
				if (!pkt_takes(s, id))
					continue;
				consider(s, &d, id, pi, len, fv);
			}
			if (unlikely(w->match_scr.nb_ids > DP_MATCH_IDS)) {
				/* more ids than the list holds: the bitmap */
				for (id = 0; id < s->nb_rules; id++)
					if ((w->match_scr.seen[id / 64] &
					     (1ull << (id % 64))) &&
					    pkt_takes(s, id))
						consider(s, &d, id, pi, len,
							 fv);
			}
			scanned = 1;
		}
		/* a stream hit of a rule the packet hit counts once */
		for (k = 0; k < w->match_scr.nb_stream_ids &&
			    k < w->match_scr.stream_other;
		     k++) {
			id = w->match_scr.stream_ids[k];
			if (scanned && id < s->nb_rules &&
			    (w->match_scr.seen[id / 64] &
			     (1ull << (id % 64))) &&
			    pkt_takes(s, id))
				continue;
			consider(s, &d, id, pi, len, fv);
		}
		if (scanned)
			seen_clear(w, s);
		for (k = 0; k < s->nb_hdr_only; k++)
			consider(s, &d, s->hdr_only[k], pi, len, fv);
		if (unlikely(w->match_scr.stream_other <
			     w->match_scr.nb_stream_ids))
			other_end(w, s, rst, pi, fv, m, now);
		if (d.nb == 0)
			continue;
		count_hits(s, rst, &d, m, now);
		if (unlikely(__atomic_load_n(&w->obs_flags, __ATOMIC_RELAXED) &
			     DP_OBS_EVENTS) &&
		    d.nb_pass == 0 && d.nb_alert > 0)
			dp_events_alerts(w, rs->generation, s, pi, m, d.ids,
					 d.nb);
		if (d.nb_pass == 0 && d.nb_drop > 0) {
			verdict[i] = BW_REASON_RULE;
			w->obj[i] = first_drop(s, &d);
			/* later segments of this flow direction drop too */
			if (slot != UINT32_MAX)
				dp_flow_mark(&w->flows, slot, dir);
		}
	}
	if (track)
		dp_stream_table_counts(w);
}
