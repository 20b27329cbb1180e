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

/* Hyperscan stream match callback: note rule id once. */
static int
on_stream_match(unsigned int id, unsigned long long from __rte_unused,
		unsigned long long to __rte_unused,
		unsigned int flags __rte_unused, void *ctx)
{
	struct dp_worker *w = ctx;
	uint32_t k;

	for (k = 0; k < w->match_scr.nb_stream_ids; k++)
		if (w->match_scr.stream_ids[k] == id)
			return 0;
	if (w->match_scr.nb_stream_ids < DP_MATCH_IDS)
		w->match_scr.stream_ids[w->match_scr.nb_stream_ids++] = id;
	return 0;
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
	   const char *data, uint32_t n)
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
		hs_scan_stream(st, data, n, 0, scr, on_stream_match, w);
		if (hs_compress_stream(st, buf, s->cbuf_cap, &used) !=
		    HS_SUCCESS)
			used = 0;
		s->cused[e] = (uint16_t)used;
	}
}

/*
 * The end of direction dir's data of the flow at slot (its FIN, in
 * sequence, or its RST): Hyperscan reports what it can only decide there
 * (patterns anchored at the end, combinations with a negated term), for
 * the streams of the lane's BASE and of the ports' classes, into w's
 * stream ids like any stream match. The streams start again empty.
 */
static void
stream_end(struct dp_worker *w, const struct dp_match_set *s,
	   const struct dp_match_gkey *gk, hs_stream_t **strm, uint32_t slot,
	   uint8_t dir)
{
	hs_scratch_t *scr = s->scratch[w->id];
	const uint16_t c[2] = {gk->cd, gk->cs};
	hs_stream_t *st;
	size_t e;
	int r;

	if (strm != NULL)
		hs_reset_stream(strm[dir], 0, scr, on_stream_match, w);
	if (s->nb_scls == 0)
		return;
	for (r = 0; r < 2; r++) {
		if (c[r] == 0 || s->scls[c[r]] == NULL)
			continue;
		e = centry(s, w, slot, dir, r);
		st = clive(s, w, c[r]);
		/* this flow's state into the live stream, then its end */
		if (cexpand(s, st, e))
			hs_reset_stream(st, 0, scr, on_stream_match, w);
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
 * 5961, Linux as the receiver): BW_REASON_NONE, or why it may not. dir's
 * sequence is known when next is set.
 */
static uint8_t
seg_check(const struct dp_flow *f, uint8_t dir, const uint8_t *l4, uint32_t seq,
	  uint32_t len, uint8_t flags)
{
	int known = f->seq_known[dir];
	int32_t d = (int32_t)(seq - f->next_seq[dir]);

	if (flags & RTE_TCP_SYN_FLAG) {
		/* SYN data is not delivered (no TFO): a decoy */
		if (len > 0)
			return BW_REASON_TCP_SYN;
		/* a SYN again: only its own retransmission before data */
		if (known && seq + 1 != f->next_seq[dir])
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
		if (known)
			return d == 0 ? BW_REASON_NONE : BW_REASON_TCP_RST;
		return (flags & RTE_TCP_ACK_FLAG) && f->seq_known[1 - dir] &&
				       rd_be32(l4 + 8) == f->next_seq[1 - dir]
			       ? BW_REASON_NONE
			       : BW_REASON_TCP_RST;
	}
	if (!known)
		return BW_REASON_NONE; /* picked up mid-stream here */
	if (f->fin[dir]) {
		/*
		 * nothing after the FIN (it took next - 1); up to it: a
		 * retransmission
		 */
		return (int32_t)(seq + len - (f->next_seq[dir] - 1)) > 0
			       ? BW_REASON_TCP_FIN
			       : BW_REASON_NONE;
	}
	/* data or FIN ahead of the next byte: not kept yet, dropped */
	if (d > 0 && (len > 0 || (flags & RTE_TCP_FIN_FLAG)))
		return BW_REASON_TCP_OOO;
	/* a FIN is at the next byte once the data before it is in */
	if ((flags & RTE_TCP_FIN_FLAG) &&
	    (int32_t)(seq + len - f->next_seq[dir]) < 0)
		return BW_REASON_TCP_FIN;
	return BW_REASON_NONE;
}

/* See dp_stream.h. */
enum dp_seg_fate
dp_stream_seg_track(struct dp_worker *w, const struct dp_match_set *s,
		    const struct dp_pkt *pi, const struct dp_match_gkey *gk,
		    const struct rte_mbuf *m, const uint8_t *payload,
		    uint32_t len, uint64_t now, uint16_t i, uint32_t dels,
		    uint32_t *flow_slot, uint8_t *flow_dir, int *toward,
		    uint8_t *why)
{
	struct bw_worker_stats *st = w->st;
	hs_stream_t **strm;
	struct dp_flow *f;
	uint32_t slot, seq, over;
	const uint8_t *l4;
	int created, syn, ack, fin, rst;
	uint8_t dir, reason;
	int32_t d;

	*flow_slot = UINT32_MAX;
	dir = w->flow_scr.dir[i];
	/*
	 * A segment the receiver discards changes nothing, not even a flow;
	 * a bare ACK changes no stream state and is not checked.
	 */
	if ((len > 0 || (pi->tcp_flags & DP_TCP_STATE_FLAGS)) &&
	    unlikely(!tcp_cksum_ok(m, pi)))
		return seg_invalid(w, BW_REASON_TCP_CKSUM, why);
	f = dp_flow_get(&w->flows, &w->flow_scr.key[i], w->flow_scr.pos[i],
			dels, now, &slot, &created);
	if (f == NULL) {
		dp_cnt_add(&st->flow[BW_FLOW_FULL], 1);
		return DP_SEG_UNTRACKED;
	}
	*flow_slot = slot;
	*flow_dir = dir;
	strm = s->streams != NULL
		       ? &s->streams[((size_t)w->id * s->nb_flows + slot) * 2]
		       : NULL;
	if (f->set != s) {
		/*
		 * New flow, or new rules: the streams start from nothing at
		 * the next byte. The TCP state stays (a new flow's is zero):
		 * forgetting it at a commit would take the next segment,
		 * ahead or not, as a mid-stream start.
		 */
		if (strm != NULL) {
			hs_reset_stream(strm[0], 0, NULL, NULL, NULL);
			hs_reset_stream(strm[1], 0, NULL, NULL, NULL);
		}
		if (s->cused != NULL)
			memset(&s->cused[centry(s, w, slot, 0, 0)], 0,
			       4 * sizeof(*s->cused));
		f->set = s;
	}
	l4 = rte_pktmbuf_mtod_offset(m, const uint8_t *, pi->l4_off);
	seq = rd_be32(l4 + 4);
	syn = (pi->tcp_flags & RTE_TCP_SYN_FLAG) != 0;
	ack = (pi->tcp_flags & RTE_TCP_ACK_FLAG) != 0;
	fin = (pi->tcp_flags & RTE_TCP_FIN_FLAG) != 0;
	rst = (pi->tcp_flags & RTE_TCP_RST_FLAG) != 0;
	if (f->dropped[dir]) {
		dp_cnt_add(&st->flow[BW_FLOW_DROP], 1);
		return DP_SEG_DROP;
	}
	reason = seg_check(f, dir, l4, seq, len, pi->tcp_flags);
	if (unlikely(reason != BW_REASON_NONE)) {
		if (reason == BW_REASON_TCP_OOO)
			dp_cnt_add(&st->flow[BW_FLOW_OOO], 1);
		if (created) {
			/* an entry for a refused segment alone: not kept */
			dp_flow_del(&w->flows, slot);
			*flow_slot = UINT32_MAX;
		}
		return seg_invalid(w, reason, why);
	}
	if (created)
		dp_cnt_add(&st->flow[BW_FLOW_NEW], 1);
	if (syn) {
		if (f->client == 2)
			f->client = ack ? (uint8_t)(1 - dir) : dir;
		f->next_seq[dir] = seq + 1;
		f->seq_known[dir] = 1;
		f->fin[dir] = 0;
	}
	*toward = f->client == 2 ? -1 : f->client == dir;
	if (rst) {
		/*
		 * A reset at the next byte ends both directions' data (its
		 * own payload is not stream data): this direction's, then
		 * the other's, whose matches go after from stream_other on
		 * (counted, not dropped: this packet goes the other way).
		 */
		if (!f->fin[dir])
			stream_end(w, s, gk, strm, slot, dir);
		if (f->seq_known[1 - dir] && !f->fin[1 - dir] &&
		    !f->dropped[1 - dir]) {
			struct dp_pkt rev;
			struct dp_match_gkey rk;

			dp_pkt_reverse(pi, &rev);
			dp_match_gkey_of(s, &rev, &rk);
			w->match_scr.stream_other = w->match_scr.nb_stream_ids;
			stream_end(w, s, &rk, strm, slot, (uint8_t)(1 - dir));
		}
		dp_flow_del(&w->flows, slot);
		dp_cnt_add(&st->flow[BW_FLOW_CLOSED], 1);
		*flow_slot = UINT32_MAX;
		return DP_SEG_FED;
	}
	if (len > 0) {
		if (!f->seq_known[dir]) {
			/* picked up mid-stream: from this byte on */
			f->next_seq[dir] = seq;
			f->seq_known[dir] = 1;
		}
		d = (int32_t)(seq - f->next_seq[dir]);
		if (d < 0 && (uint32_t)-d >= len) {
			dp_cnt_add(&st->flow[BW_FLOW_RETRANS], 1);
		} else {
			over = d < 0 ? (uint32_t)-d : 0;
			if (over > 0)
				dp_cnt_add(&st->flow[BW_FLOW_OVERLAP], 1);
			if (strm != NULL)
				hs_scan_stream(strm[dir],
					       (const char *)payload + over,
					       len - over, 0, s->scratch[w->id],
					       on_stream_match, w);
			if (s->nb_scls > 0)
				class_feed(w, s, gk, slot, dir,
					   (const char *)payload + over,
					   len - over);
			f->next_seq[dir] += len - over;
		}
	}
	/* a FIN in sequence (seg_check): the end of this direction's data */
	if (fin && !f->fin[dir]) {
		if (!f->seq_known[dir]) {
			f->next_seq[dir] = seq + len;
			f->seq_known[dir] = 1;
		}
		stream_end(w, s, gk, strm, slot, dir);
		f->fin[dir] = 1;
		f->next_seq[dir]++; /* the FIN takes one, as a SYN does */
	}
	if (f->fin[0] && f->fin[1]) {
		dp_flow_del(&w->flows, slot);
		dp_cnt_add(&st->flow[BW_FLOW_CLOSED], 1);
		*flow_slot = UINT32_MAX;
	}
	return DP_SEG_FED;
}
