/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP stream matching of the content rules (docs/rules.md, "TCP
 * streams"): a segment's place in its flow (the worker's flow table,
 * flow.c), its new bytes fed in sequence to the Hyperscan streams of the
 * set in force, and the end of a direction's data. Worker lcores only.
 */
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_mbuf.h>

#include "dp.h"
#include "dp_flow.h"
#include "dp_match.h"
#include "dp_stream.h"

#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_ACK 0x10

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

/* See dp_stream.h. */
enum dp_seg_fate
dp_stream_seg_track(struct dp_worker *w, const struct dp_match_set *s,
		    const struct dp_pkt *pi, const struct dp_match_gkey *gk,
		    const struct rte_mbuf *m, const uint8_t *payload,
		    uint32_t len, uint64_t now, uint16_t i, uint32_t dels,
		    uint32_t *flow_slot, uint8_t *flow_dir, int *toward)
{
	struct bw_worker_stats *st = w->st;
	hs_stream_t **strm;
	struct dp_flow *f;
	uint32_t slot, seq, over;
	const uint8_t *l4;
	enum dp_seg_fate fate = DP_SEG_FED;
	int created, syn, ack, fin, rst;
	int32_t d;
	uint8_t dir;

	*flow_slot = UINT32_MAX;
	dir = w->flow_scr.dir[i];
	f = dp_flow_get(&w->flows, &w->flow_scr.key[i], w->flow_scr.pos[i],
			dels, now, &slot, &created);
	if (f == NULL) {
		dp_cnt_add(&st->flow[BW_FLOW_FULL], 1);
		return DP_SEG_UNTRACKED;
	}
	*flow_slot = slot;
	*flow_dir = dir;
	if (created)
		dp_cnt_add(&st->flow[BW_FLOW_NEW], 1);
	strm = s->streams != NULL
		       ? &s->streams[((size_t)w->id * s->nb_flows + slot) * 2]
		       : NULL;
	if (f->set != s) {
		/* new flow, or new rules: the streams start from nothing */
		if (strm != NULL) {
			hs_reset_stream(strm[0], 0, NULL, NULL, NULL);
			hs_reset_stream(strm[1], 0, NULL, NULL, NULL);
		}
		if (s->cused != NULL)
			memset(&s->cused[centry(s, w, slot, 0, 0)], 0,
			       4 * sizeof(*s->cused));
		f->seq_known[0] = f->seq_known[1] = 0;
		f->fin_wait[0] = f->fin_wait[1] = 0;
		f->set = s;
	}
	l4 = rte_pktmbuf_mtod_offset(m, const uint8_t *, pi->l4_off);
	seq = (uint32_t)l4[4] << 24 | (uint32_t)l4[5] << 16 |
	      (uint32_t)l4[6] << 8 | l4[7];
	syn = (pi->tcp_flags & TCP_FLAG_SYN) != 0;
	ack = (pi->tcp_flags & TCP_FLAG_ACK) != 0;
	fin = (pi->tcp_flags & 0x01) != 0;
	rst = (pi->tcp_flags & 0x04) != 0;
	if (syn) {
		if (f->client == 2)
			f->client = ack ? (uint8_t)(1 - dir) : dir;
		f->next_seq[dir] = seq + 1;
		f->seq_known[dir] = 1;
	}
	*toward = f->client == 2 ? -1 : f->client == dir;
	if (f->dropped[dir]) {
		dp_cnt_add(&st->flow[BW_FLOW_DROP], 1);
		fate = DP_SEG_DROP;
	} else if (len > 0) {
		if (!f->seq_known[dir]) {
			/* picked up mid-stream: from this byte on */
			f->next_seq[dir] = seq;
			f->seq_known[dir] = 1;
		}
		d = (int32_t)(seq - f->next_seq[dir]);
		if (d > 0) {
			dp_cnt_add(&st->flow[BW_FLOW_OOO], 1);
			fate = DP_SEG_UNTRACKED;
		} else if (d < 0 && (uint32_t)-d >= len) {
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
			/* the data a FIN overtook is in: the end too */
			d = (int32_t)(f->fin_seq[dir] - f->next_seq[dir]);
			if (unlikely(f->fin_wait[dir]) && d <= 0) {
				f->fin_wait[dir] = 0;
				stream_end(w, s, gk, strm, slot, dir);
			}
		}
	}
	/* the end of this direction's data, when nothing of it is missing */
	if ((fin || rst) && !f->fin[dir] && f->seq_known[dir] &&
	    fate != DP_SEG_DROP) {
		if ((int32_t)(seq + len - f->next_seq[dir]) <= 0) {
			stream_end(w, s, gk, strm, slot, dir);
		} else if (fin && len == 0) {
			/* a bare FIN ahead of data: the end once that is in */
			f->fin_seq[dir] = seq;
			f->fin_wait[dir] = 1;
		}
	}
	if (fin)
		f->fin[dir] = 1;
	/*
	 * A RST ends the other direction's data too, wherever it stood:
	 * its end's matches go after this direction's, from stream_other
	 * on (counted, not dropped: this packet goes the other way).
	 */
	if (rst && f->seq_known[1 - dir] && !f->fin[1 - dir] &&
	    !f->dropped[1 - dir]) {
		struct dp_pkt rev;
		struct dp_match_gkey rk;

		dp_pkt_reverse(pi, &rev);
		dp_match_gkey_of(s, &rev, &rk);
		w->match_scr.stream_other = w->match_scr.nb_stream_ids;
		stream_end(w, s, &rk, strm, slot, (uint8_t)(1 - dir));
	}
	if (rst || (f->fin[0] && f->fin[1])) {
		dp_flow_del(&w->flows, slot);
		dp_cnt_add(&st->flow[BW_FLOW_CLOSED], 1);
		*flow_slot = UINT32_MAX;
	}
	return fate;
}
