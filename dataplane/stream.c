/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP stream matching of the content rules (docs/rules.md, "TCP
 * streams"): a segment's place in its flow (the worker's flow table,
 * flow.c), its new bytes fed in sequence to the Hyperscan streams of the
 * set in force, and the end of a direction's data. Worker lcores only.
 */
#include <stdint.h>
#include <string.h>

#include <netinet/in.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "dp.h"
#include "dp_flow.h"
#include "dp_match.h"
#include "dp_stream.h"

/* Note rule id once in w's stream ids. */
static inline void
note_id(struct dp_worker *w, unsigned int id)
{
	uint32_t k;

	for (k = 0; k < w->match_scr.nb_stream_ids; k++)
		if (w->match_scr.stream_ids[k] == id)
			return;
	if (w->match_scr.nb_stream_ids < DP_MATCH_IDS)
		w->match_scr.stream_ids[w->match_scr.nb_stream_ids++] = id;
}

/*
 * Decided on the segment (docs/rules.md, "Decided on the segment that
 * completes it"). Hyperscan evaluates a logical combination (a rule of
 * several terms) lazily in streaming mode: at a later sub-expression
 * match, or at the end of the stream, with the offset at which it became
 * true. So after each chunk a stream is fed (bytes lo..hi of its
 * direction), a probe copies the stream, feeds the copy one more byte
 * and ends it: a report there (during that byte, whose sub-expression
 * matches flush what is pending, or at the end) at an offset up to hi is a
 * combination that holds by the end of the chunk, and became true in
 * this chunk when its offset is past lo (else an earlier probe gave
 * it). A combination that needs the end of the data (a negated term, an
 * anchor at the end) holds in the copy only at the extra byte, past hi:
 * it waits for the real end. A live report at an offset up to lo is a
 * late combination that a probe gave already.
 */
struct win {
	struct dp_worker *w;
	uint64_t lo, hi;
	uint32_t nb; /* end_one(): ids the probes gave */
	uint32_t ids[DP_MATCH_IDS];
};

/* A live stream match: note the rule once, unless a probe gave it. */
static int
on_stream_match(unsigned int id, unsigned long long from __rte_unused,
		unsigned long long to, unsigned int flags __rte_unused,
		void *ctx)
{
	struct win *c = ctx;

	if (to > c->lo)
		note_id(c->w, id);
	return 0;
}

/* A probe's report: the rule holds from this chunk on. */
static int
on_probe_match(unsigned int id, unsigned long long from __rte_unused,
	       unsigned long long to, unsigned int flags __rte_unused,
	       void *ctx)
{
	struct win *c = ctx;

	if (to > c->lo && to <= c->hi)
		note_id(c->w, id);
	return 0;
}

/* At the real end: what the probes gave already. */
static int
on_end_probe(unsigned int id, unsigned long long from __rte_unused,
	     unsigned long long to, unsigned int flags __rte_unused, void *ctx)
{
	struct win *c = ctx;

	if (to <= c->hi && c->nb < DP_MATCH_IDS)
		c->ids[c->nb++] = id;
	return 0;
}

/* The real end's reports: those the probes did not give. */
static int
on_end_match(unsigned int id, unsigned long long from __rte_unused,
	     unsigned long long to __rte_unused,
	     unsigned int flags __rte_unused, void *ctx)
{
	struct win *c = ctx;
	uint32_t k;

	for (k = 0; k < c->nb; k++)
		if (c->ids[k] == id)
			return 0;
	note_id(c->w, id);
	return 0;
}

/* Copy st into probe stream pr, one more byte, end it: reports to cb. */
static inline void
probe_run(hs_stream_t *pr, const hs_stream_t *st, hs_scratch_t *scr,
	  match_event_handler cb, struct win *c)
{
	static const char extra;

	if (pr == NULL ||
	    hs_reset_and_copy_stream(pr, st, NULL, NULL, NULL) != HS_SUCCESS)
		return;
	/* a match on the extra byte flushes what was pending: keep it */
	hs_scan_stream(pr, &extra, 1, 0, scr, cb, c);
	hs_reset_stream(pr, 0, scr, cb, c);
}

/* Worker w's probe stream of class c (0: the stream database). */
static inline hs_stream_t *
cprobe(const struct dp_match_set *s, const struct dp_worker *w, uint16_t c)
{
	return s->probe != NULL
		       ? s->probe[(size_t)w->id * (s->nb_classes + 1) + c]
		       : NULL;
}

/*
 * The compressed class stream entry of worker w's flow slot, direction
 * dir and role r (0: destination port, 1: source port), and w's live
 * stream of class c.
 */
static inline size_t
centry(const struct dp_match_set *s, const struct dp_worker *w, uint32_t slot,
       uint8_t dir, int r)
{
	return (((size_t)w->id * s->nb_flows + slot) * 2 + dir) * 2 + (size_t)r;
}

static inline hs_stream_t *
clive(const struct dp_match_set *s, const struct dp_worker *w, uint16_t c)
{
	return s->live[(size_t)w->id * (s->nb_classes + 1) + c];
}

/*
 * Put the state kept compressed in entry e into live stream st, dropping
 * what st held before unreported. 0 when the entry holds none (nothing
 * fed yet, or its compression failed) or it cannot be expanded.
 */
static inline int
cexpand(const struct dp_match_set *s, hs_stream_t *st, size_t e)
{
	return s->cused[e] != 0 &&
	       hs_reset_and_expand_stream(
		       st, (const char *)s->cbuf + e * s->cbuf_cap, s->cused[e],
		       NULL, NULL, NULL) == HS_SUCCESS;
}

/*
 * Feed n bytes of flow direction (slot, dir) to the class stream groups
 * of its ports: each role's state comes out of its compressed entry into
 * the worker's live stream of that class, is scanned, and goes back. An
 * entry that cannot hold the state any more (not expected) starts empty
 * at the next segment.
 */
static void
class_feed(struct dp_worker *w, const struct dp_match_set *s,
	   const struct dp_match_gkey *gk, uint32_t slot, uint8_t dir,
	   const char *data, uint32_t n, struct win *win, int probe)
{
	hs_scratch_t *scr = s->scratch[w->id];
	const uint16_t c[2] = {gk->cd, gk->cs};
	size_t e, used;
	hs_stream_t *st;
	char *buf;
	int r;

	for (r = 0; r < 2; r++) {
		if (c[r] == 0 || s->scls[c[r]] == NULL)
			continue;
		e = centry(s, w, slot, dir, r);
		st = clive(s, w, c[r]);
		buf = (char *)s->cbuf + e * s->cbuf_cap;
		if (!cexpand(s, st, e))
			hs_reset_stream(st, 0, NULL, NULL, NULL);
		hs_scan_stream(st, data, n, 0, scr, on_stream_match, win);
		if (probe)
			probe_run(cprobe(s, w, c[r]), st, scr, on_probe_match,
				  win);
		if (hs_compress_stream(st, buf, s->cbuf_cap, &used) !=
		    HS_SUCCESS)
			used = 0;
		s->cused[e] = (uint16_t)used;
	}
}

/*
 * End stream st, fed bytes so far: what it decides only there (patterns
 * anchored at the end, combinations with a negated term) into w's stream
 * ids, less what the probes gave already (a combination true before the
 * end, which the stream itself reports only now).
 */
static void
end_one(struct dp_worker *w, hs_stream_t *st, hs_stream_t *pr,
	hs_scratch_t *scr, uint64_t fed)
{
	struct win c = {.w = w, .lo = 0, .hi = fed, .nb = 0};

	probe_run(pr, st, scr, on_end_probe, &c);
	hs_reset_stream(st, 0, scr, on_end_match, &c);
}

/*
 * The end of direction dir's data of the flow f at slot (its FIN, in
 * sequence, or its RST), for the streams of the lane's BASE and of the
 * ports' classes (end_one()). The streams start again empty.
 */
static void
stream_end(struct dp_worker *w, const struct dp_match_set *s,
	   const struct dp_match_gkey *gk, hs_stream_t **strm,
	   struct dp_flow *f, uint32_t slot, uint8_t dir)
{
	hs_scratch_t *scr = s->scratch[w->id];
	const uint16_t c[2] = {gk->cd, gk->cs};
	uint64_t fed = f->fed[dir];
	hs_stream_t *st;
	size_t e;
	int r;

	f->fed[dir] = 0;
	if (strm != NULL)
		end_one(w, strm[dir], cprobe(s, w, 0), scr, fed);
	if (s->nb_scls == 0)
		return;
	for (r = 0; r < 2; r++) {
		if (c[r] == 0 || s->scls[c[r]] == NULL)
			continue;
		e = centry(s, w, slot, dir, r);
		st = clive(s, w, c[r]);
		/* this flow's state into the live stream, then its end */
		if (cexpand(s, st, e))
			end_one(w, st, cprobe(s, w, c[r]), scr, fed);
		s->cused[e] = 0;
	}
}

/* A big-endian 32-bit field of a header. */
static inline uint32_t
rd_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/*
 * The ones' complement sum (RFC 1071) of n contiguous bytes, in the byte
 * order rte_raw_cksum() gives: 32-bit words into four 64-bit accumulators
 * (a sum of native words folds to the sum of their 16-bit halves, as
 * 2^16 is 1 modulo 2^16 - 1), several times faster than 16-bit words.
 */
static inline uint16_t
raw_sum(const uint8_t *p, uint32_t n)
{
	uint64_t a = 0, b = 0, c = 0, d = 0;
	uint32_t w[4];
	uint16_t h;

	for (; n >= 16; p += 16, n -= 16) {
		memcpy(w, p, 16);
		a += w[0];
		b += w[1];
		c += w[2];
		d += w[3];
	}
	for (; n >= 4; p += 4, n -= 4) {
		memcpy(w, p, 4);
		a += w[0];
	}
	if (n >= 2) {
		memcpy(&h, p, 2);
		b += h;
		p += 2;
		n -= 2;
	}
	if (n > 0) {
		h = 0;
		memcpy(&h, p, 1); /* the odd byte, padded with a zero byte */
		c += h;
	}
	a += b + c + d;
	a = (a & 0xffffffff) + (a >> 32);
	a = (a & 0xffffffff) + (a >> 32);
	a = (a & 0xffff) + (a >> 16);
	a = (a & 0xffff) + (a >> 16);
	return (uint16_t)a;
}

/*
 * The TCP checksum of segment pi of m: 1 when right. The port's verdict
 * when it checked (rx offload), else computed over the whole segment
 * (every mbuf segment) with the IPv4 or IPv6 pseudo-header. A fragment
 * cannot be checked alone: 1 (fragments: docs/rules.md).
 */
static int
tcp_cksum_ok(const struct rte_mbuf *m, const struct dp_pkt *pi)
{
	uint64_t ol = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
	uint32_t seglen, alen, sum;
	uint16_t raw;

	if (ol == RTE_MBUF_F_RX_L4_CKSUM_GOOD)
		return 1;
	if (ol == RTE_MBUF_F_RX_L4_CKSUM_BAD)
		return 0;
	if (pi->frag != DP_FRAG_NONE)
		return 1;
	seglen = (uint32_t)(pi->payload_off - pi->l4_off) + pi->payload_len;
	if (likely(pi->l4_off + seglen <= m->data_len))
		raw = raw_sum(
			rte_pktmbuf_mtod_offset(m, const uint8_t *, pi->l4_off),
			seglen);
	else if (rte_raw_cksum_mbuf(m, pi->l4_off, seglen, &raw) != 0)
		return 0;
	alen = pi->l3 == DP_L3_IPV6 ? 16 : 4;
	sum = raw;
	sum += rte_raw_cksum(pi->src.a8, alen);
	sum += rte_raw_cksum(pi->dst.a8, alen);
	sum += rte_cpu_to_be_16(IPPROTO_TCP);
	sum += rte_cpu_to_be_16((uint16_t)seglen);
	sum += rte_cpu_to_be_16((uint16_t)(seglen >> 16));
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/*
 * A segment the normalizer refuses for reason: dropped (the default), or
 * by policy forwarded and counted, its bytes scanned per packet only.
 * Either way it changes nothing of its flow.
 */
static enum dp_seg_fate
seg_invalid(struct dp_worker *w, uint8_t reason, uint8_t *why)
{
	if (w->malformed_drop[reason]) {
		*why = reason;
		return DP_SEG_INVALID;
	}
	dp_cnt_add(&w->st->reason_pass_pkts[reason], 1);
	dp_cnt_add(&w->st->anomaly_pass_pkts, 1);
	return DP_SEG_UNTRACKED;
}

/*
 * The checks of a segment before it may change its flow (RFC 793, RFC
 * 5961, Linux as the receiver): BW_REASON_NONE, or why it may not. The
 * bytes it carries are checked against the held ones after (reasm.c).
 */
static uint8_t
seg_check(const struct dp_worker *w, const struct dp_flow *f, uint8_t dir,
	  const uint8_t *l4, uint32_t seq, uint32_t len, uint8_t flags)
{
	const struct dp_rdir *d = &f->d[dir], *o = &f->d[1 - dir];
	int32_t ahead = (int32_t)(seq - d->next);

	if (flags & RTE_TCP_SYN_FLAG) {
		/*
		 * a SYN again: only its own retransmission, during the
		 * handshake or before data (its data is compared with what
		 * the first one carried, as any retransmission's)
		 */
		if (d->known &&
		    (seq != f->isn[dir] ||
		     (f->state >= DP_TCPS_ESTABLISHED && seq + 1 != d->next)))
			return BW_REASON_TCP_SYN;
		return BW_REASON_NONE;
	}
	/* an urgent byte leaves the stream the receiver reads */
	if ((flags & RTE_TCP_URG_FLAG) && (l4[18] | l4[19]) != 0)
		return BW_REASON_TCP_URG;
	/*
	 * RFC 5961 3.2: a reset only at exactly the next byte; from an end
	 * not heard yet (RFC 793, SYN-SENT), one that acknowledges exactly
	 * what the other end sent (a refused connection).
	 */
	if (flags & RTE_TCP_RST_FLAG) {
		if (d->known)
			return ahead == 0 ? BW_REASON_NONE : BW_REASON_TCP_RST;
		return (flags & RTE_TCP_ACK_FLAG) && o->known &&
				       rd_be32(l4 + 8) == o->next
			       ? BW_REASON_NONE
			       : BW_REASON_TCP_RST;
	}
	if (!d->known) {
		/* data or a FIN of an end whose SYN was not seen */
		if ((len > 0 || (flags & RTE_TCP_FIN_FLAG)) &&
		    !w->tcp_midstream)
			return BW_REASON_TCP_MIDSTREAM;
		return BW_REASON_NONE;
	}
	/* RFC 793: after the SYN, a segment without ACK is discarded */
	if ((len > 0 || (flags & RTE_TCP_FIN_FLAG)) &&
	    !(flags & RTE_TCP_ACK_FLAG))
		return BW_REASON_TCP_NOACK;
	if (d->fin) {
		/*
		 * no data or FIN after the FIN (it took next - 1); up to it:
		 * a retransmission; an ACK alone sits at next
		 */
		return (len > 0 || (flags & RTE_TCP_FIN_FLAG)) &&
				       (int32_t)(seq + len - (d->next - 1)) > 0
			       ? BW_REASON_TCP_FIN
			       : BW_REASON_NONE;
	}
	if (flags & RTE_TCP_FIN_FLAG) {
		/* a FIN ahead of the next byte is not held: dropped */
		if (ahead > 0)
			return BW_REASON_TCP_OOO;
		/* a FIN is at the next byte once the data before it is in */
		if ((int32_t)(seq + len - d->next) < 0)
			return BW_REASON_TCP_FIN;
	}
	return BW_REASON_NONE;
}

/* What the held-bytes check refuses a segment for (reasm.c). */
static const uint8_t rverdict_reason[] = {
	[DP_R_OK] = BW_REASON_NONE,
	[DP_R_DIFF] = BW_REASON_TCP_OVERLAP,
	[DP_R_UNV] = BW_REASON_TCP_UNVERIFIED,
	[DP_R_FULL] = BW_REASON_TCP_OOO,
	[DP_R_FAR] = BW_REASON_TCP_OOO,
};

/* The scans of one flow direction: dp_reasm_take()'s feed. */
struct feed_ctx {
	struct dp_worker *w;
	const struct dp_match_set *s;
	const struct dp_match_gkey *gk;
	hs_stream_t *strm; /* the lane's BASE stream, or NULL */
	struct dp_flow *f;
	uint32_t slot;
	uint8_t dir;
	uint8_t refeed; /* context after a commit: no probe */
};

static void
stream_feed(void *arg, const uint8_t *p, uint32_t n)
{
	struct feed_ctx *c = arg;
	hs_scratch_t *scr = c->s->scratch[c->w->id];
	uint64_t *fed = &c->f->fed[c->dir];
	struct win win = {.w = c->w, .lo = *fed, .hi = *fed + n};

	if (c->strm != NULL) {
		hs_scan_stream(c->strm, (const char *)p, n, 0, scr,
			       on_stream_match, &win);
		if (!c->refeed)
			probe_run(cprobe(c->s, c->w, 0), c->strm, scr,
				  on_probe_match, &win);
	}
	if (c->s->nb_scls > 0)
		class_feed(c->w, c->s, c->gk, c->slot, c->dir, (const char *)p,
			   n, &win, !c->refeed);
	*fed += n;
}

/*
 * The session state after an accepted segment with flags of direction
 * dir (docs/rules.md, "TCP sessions").
 */
static void
state_move(struct dp_flow *f, uint8_t dir, uint8_t flags)
{
	if (flags & RTE_TCP_SYN_FLAG) {
		if (f->client == 2)
			f->client = (flags & RTE_TCP_ACK_FLAG)
					    ? (uint8_t)(1 - dir)
					    : dir;
		if (f->state == DP_TCPS_NONE)
			f->state = DP_TCPS_SYN_SENT;
		if ((flags & RTE_TCP_ACK_FLAG) && f->state == DP_TCPS_SYN_SENT)
			f->state = DP_TCPS_SYN_RCVD;
	} else if ((flags & RTE_TCP_ACK_FLAG) && f->state == DP_TCPS_SYN_RCVD &&
		   dir == f->client) {
		f->state = DP_TCPS_ESTABLISHED;
		f->est = 1;
	}
	if (flags & RTE_TCP_FIN_FLAG)
		f->state = DP_TCPS_CLOSING;
}

/* Segment view fv (dp_stream.h) of direction dir of f; est: established. */
static inline int
flow_view(const struct dp_flow *f, uint8_t dir, int est)
{
	int fv = DP_FV_TRACKED | (est ? DP_FV_EST : 0);

	if (f->client != 2)
		fv |= DP_FV_KNOWN | (f->client == dir ? DP_FV_SERVER : 0);
	return fv;
}

/* See dp_stream.h. */
void
dp_stream_table_counts(struct dp_worker *w)
{
	struct bw_worker_stats *st = w->st;

	__atomic_store_n(&st->flow[BW_FLOW_EVICTED], w->flows.nb_evicted,
			 __ATOMIC_RELAXED);
	__atomic_store_n(&st->flow[BW_FLOW_UNACKED], w->flows.pool.nb_unacked,
			 __ATOMIC_RELAXED);
	__atomic_store_n(&st->flow[BW_FLOW_HELD_NOW],
			 dp_rpool_used(&w->flows.pool), __ATOMIC_RELAXED);
}

/* A refused segment's own new entry is not kept. */
static enum dp_seg_fate
seg_refuse(struct dp_worker *w, uint32_t slot, int created, uint8_t reason,
	   uint32_t *flow_slot, uint8_t *why)
{
	if (reason == BW_REASON_TCP_OOO)
		dp_cnt_add(&w->st->flow[BW_FLOW_OOO], 1);
	if (created) {
		dp_flow_del(&w->flows, slot);
		*flow_slot = UINT32_MAX;
	}
	return seg_invalid(w, reason, why);
}

/*
 * A reset at the next byte ends both directions' data (its own payload
 * is not stream data): this direction's, then the other's, whose matches
 * go after from stream_other on (counted, not dropped: this packet goes
 * the other way). The flow goes.
 */
static void
seg_reset(struct dp_worker *w, const struct dp_match_set *s,
	  const struct dp_pkt *pi, const struct dp_match_gkey *gk,
	  hs_stream_t **strm, struct dp_flow *f, uint32_t slot, uint8_t dir)
{
	if (!f->d[dir].fin)
		stream_end(w, s, gk, strm, f, slot, dir);
	/* the other direction's streams, once they are this flow's */
	if (f->d[1 - dir].known && !f->d[1 - dir].fin && !f->dropped[1 - dir] &&
	    f->set[1 - dir] == s) {
		struct dp_pkt rev;
		struct dp_match_gkey rk;

		dp_pkt_reverse(pi, &rev);
		dp_match_gkey_of(s, &rev, &rk);
		w->match_scr.stream_other = w->match_scr.nb_stream_ids;
		stream_end(w, s, &rk, strm, f, slot, (uint8_t)(1 - dir));
	}
	dp_flow_del(&w->flows, slot);
	dp_cnt_add(&w->st->flow[BW_FLOW_CLOSED], 1);
}

/* See dp_stream.h. */
enum dp_seg_fate
dp_stream_seg_track(struct dp_worker *w, const struct dp_match_set *s,
		    const struct dp_pkt *pi, const struct dp_match_gkey *gk,
		    const struct rte_mbuf *m, const uint8_t *payload,
		    uint32_t len, uint64_t now, uint16_t i, uint32_t dels,
		    uint32_t *flow_slot, uint8_t *flow_dir, int *fv,
		    uint8_t *why)
{
	struct bw_worker_stats *st = w->st;
	struct dp_rpool *pool = &w->flows.pool;
	hs_stream_t **strm;
	struct dp_flow *f;
	struct dp_rdir *d;
	uint32_t slot, seq, dseq, joined;
	const uint8_t *l4;
	int created, bare, cks_bad;
	uint8_t dir, reason, est, flags = pi->tcp_flags;
	struct feed_ctx fc;
	enum dp_rverdict rv;

	*flow_slot = UINT32_MAX;
	dir = w->flow_scr.dir[i];
	bare = len == 0 && !(flags & DP_TCP_STATE_FLAGS);
	/*
	 * A segment the receiver discards changes nothing, not even a flow;
	 * a bare ACK changes no stream state and is not checked.
	 */
	cks_bad = !bare && unlikely(!tcp_cksum_ok(m, pi));
	f = dp_flow_get(&w->flows, &w->flow_scr.key[i], w->flow_scr.pos[i],
			dels, now, !bare && !cks_bad, &slot, &created);
	if (unlikely(cks_bad)) {
		/* passed by policy, it is seen as its flow's packet */
		if (f != NULL)
			*fv = flow_view(f, dir, f->est);
		return seg_invalid(w, BW_REASON_TCP_CKSUM, why);
	}
	if (f == NULL) {
		if (bare)
			return DP_SEG_UNTRACKED; /* a bare ACK makes no flow */
		dp_cnt_add(&st->flow[BW_FLOW_FULL], 1);
		return seg_invalid(w, BW_REASON_TCP_FLOW_FULL, why);
	}
	*flow_slot = slot;
	*flow_dir = dir;
	strm = s->streams != NULL
		       ? &s->streams[((size_t)w->id * s->nb_flows + slot) * 2]
		       : NULL;
	fc = (struct feed_ctx){
		.w = w,
		.s = s,
		.gk = gk,
		.strm = strm != NULL ? strm[dir] : NULL,
		.f = f,
		.slot = slot,
		.dir = dir,
	};
	if (f->set[dir] != s &&
	    (len > 0 || (flags & (RTE_TCP_FIN_FLAG | RTE_TCP_RST_FLAG)))) {
		/*
		 * New flow, or new rules, at the first segment that feeds or
		 * ends a stream: this direction's streams start from
		 * nothing, then take the last bytes it holds as scanned (up
		 * to two chunks) as context, so that a pattern split across
		 * the commit is still found. The TCP state and held bytes
		 * stay (a new flow's are empty): forgetting them at a commit
		 * would take the next segment, ahead or not, as a mid-stream
		 * start.
		 */
		if (strm != NULL)
			hs_reset_stream(strm[dir], 0, NULL, NULL, NULL);
		if (s->cused != NULL)
			memset(&s->cused[centry(s, w, slot, dir, 0)], 0,
			       2 * sizeof(*s->cused));
		f->set[dir] = s;
		f->fed[dir] = 0;
		if (!created && !f->dropped[dir]) {
			fc.refeed = 1;
			dp_reasm_refeed(pool, &f->d[dir], stream_feed, &fc);
			fc.refeed = 0;
		}
	}
	if (f->dropped[dir]) {
		dp_cnt_add(&st->flow[BW_FLOW_DROP], 1);
		return DP_SEG_DROP;
	}
	l4 = rte_pktmbuf_mtod_offset(m, const uint8_t *, pi->l4_off);
	seq = rd_be32(l4 + 4);
	d = &f->d[dir];
	reason = seg_check(w, f, dir, l4, seq, len, flags);
	/* the data of a SYN starts after the SYN's own sequence number */
	dseq = seq + !!(flags & RTE_TCP_SYN_FLAG);
	if (reason == BW_REASON_NONE && len > 0 && d->known &&
	    !(flags & RTE_TCP_RST_FLAG)) {
		rv = dp_reasm_check(pool, d, dseq, payload, len);
		reason = rverdict_reason[rv];
	}
	if (unlikely(reason != BW_REASON_NONE)) {
		if (!created)
			*fv = flow_view(f, dir, f->est);
		return seg_refuse(w, slot, created, reason, flow_slot, why);
	}
	if (created)
		dp_cnt_add(&st->flow[BW_FLOW_NEW], 1);
	if (d->side == 0)
		d->side = (uint8_t)(pi->dir + 1);
	/*
	 * An acknowledgement releases the other direction's held bytes it
	 * covers, when it comes in on the other port than they did: one
	 * forged on the attacker's side must not free what a decoy left.
	 */
	if ((flags & RTE_TCP_ACK_FLAG) && f->d[1 - dir].side != 0 &&
	    f->d[1 - dir].side != d->side)
		dp_reasm_ack(pool, &f->d[1 - dir], rd_be32(l4 + 8));
	/*
	 * established from the segment after the handshake's last ACK on,
	 * and that ACK when it carries data, which the receiver delivers
	 */
	est = f->est;
	state_move(f, dir, flags);
	*fv = flow_view(f, dir, est || (len > 0 && f->est));
	if ((flags & RTE_TCP_SYN_FLAG) && !d->known) {
		d->next = seq + 1;
		d->known = 1;
		f->isn[dir] = seq;
	}
	if (flags & RTE_TCP_RST_FLAG) {
		seg_reset(w, s, pi, gk, strm, f, slot, dir);
		*flow_slot = UINT32_MAX;
		return DP_SEG_FED;
	}
	if (!d->known && (len > 0 || (flags & RTE_TCP_FIN_FLAG))) {
		/* picked up mid-stream (--tcp-midstream pickup): from here */
		d->next = seq;
		d->known = 1;
		if (f->state == DP_TCPS_NONE) {
			f->state = DP_TCPS_MIDSTREAM;
			f->est = 1;
		}
		/*
		 * as Suricata's stream.midstream: established from here, and
		 * the end whose segment comes first is the client, unless a
		 * SYN-ACK already named it (Suricata's direction guess; its
		 * app-layer reversal has no parsers here: docs/rules.md)
		 */
		if (f->client == 2)
			f->client = dir;
		*fv = flow_view(f, dir, 1);
		dp_cnt_add(&st->flow[BW_FLOW_MIDSTREAM], 1);
	}
	if (len > 0) {
		int32_t ahead = (int32_t)(dseq - d->next);

		/* nothing held ahead lies past a FIN */
		if (flags & RTE_TCP_FIN_FLAG)
			dp_reasm_drop_ahead(pool, d);
		if (ahead > 0)
			dp_cnt_add(&st->flow[BW_FLOW_AHEAD], 1);
		else if ((int32_t)(dseq + len - d->next) <= 0)
			dp_cnt_add(&st->flow[BW_FLOW_RETRANS], 1);
		else if (ahead < 0)
			dp_cnt_add(&st->flow[BW_FLOW_OVERLAP], 1);
		joined = dp_reasm_take(pool, d, dseq, payload, len, stream_feed,
				       &fc);
		if (joined > 0)
			dp_cnt_add(&st->flow[BW_FLOW_JOINED], joined);
	}
	/* a FIN in sequence (seg_check): the end of this direction's data */
	if ((flags & RTE_TCP_FIN_FLAG) && !d->fin) {
		stream_end(w, s, gk, strm, f, slot, dir);
		d->fin = 1;
		d->next++; /* the FIN takes one, as a SYN does */
	}
	if (f->d[0].fin && f->d[1].fin) {
		dp_flow_del(&w->flows, slot);
		dp_cnt_add(&st->flow[BW_FLOW_CLOSED], 1);
		*flow_slot = UINT32_MAX;
	}
	return DP_SEG_FED;
}
