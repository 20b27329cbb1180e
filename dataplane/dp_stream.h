/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP stream matching of the content rules (stream.c), as the content
 * stage (match.c) calls it. Worker lcores only.
 */
#ifndef DP_STREAM_H
#define DP_STREAM_H

#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "dp.h"
#include "dp_match.h"

/* What the flow stage did with one TCP segment. */
enum dp_seg_fate {
	DP_SEG_UNTRACKED = 0, /* no flow: every rule scanned per packet */
	DP_SEG_FED,	      /* its new bytes went to the stream */
	DP_SEG_DROP,	      /* its flow direction is dropped */
	DP_SEG_INVALID,	      /* refused by the normalizer: drop, *why */
};

/*
 * What the flow table knows of a segment for the rules' flow keyword
 * (docs/rules.md, "Flow"): 0 when it does not track the segment, else
 * DP_FV_TRACKED with the bits below.
 */
#define DP_FV_SERVER  0x1 /* it goes to the end that received the SYN */
#define DP_FV_KNOWN   0x2 /* the client is known: SYN, SYN-ACK or pickup */
#define DP_FV_EST     0x4 /* its session was established before it */
#define DP_FV_TRACKED 0x8

/* The same view for the packet going the other way. */
static inline int
dp_fv_reverse(int fv)
{
	return (fv & DP_FV_KNOWN) ? fv ^ DP_FV_SERVER : fv;
}

/* The TCP flags that move a flow's state: FIN, SYN, RST, URG. */
#define DP_TCP_STATE_FLAGS                                                     \
	(RTE_TCP_FIN_FLAG | RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG |              \
	 RTE_TCP_URG_FLAG)

/*
 * The packet that would come the other way: pi with its ends swapped, for
 * the other direction's ports and rule headers.
 */
static inline void
dp_pkt_reverse(const struct dp_pkt *pi, struct dp_pkt *r)
{
	*r = *pi;
	r->src = pi->dst;
	r->dst = pi->src;
	r->sport = pi->dport;
	r->dport = pi->sport;
}

/*
 * Track TCP segment pi of mbuf m in the worker's flow table (a bare ACK
 * only when its flow exists) and feed its payload bytes not yet scanned
 * to the direction's stream, in sequence order, after the normalizer's
 * checks (docs/rules.md, "TCP normalization"): a segment with a wrong
 * checksum, a SYN with data or out of place, a RST not at the next byte,
 * a FIN out of place, data after a FIN, without ACK, of a flow whose SYN
 * was not seen (unless picked up) or for which the full table has no
 * entry, urgent data, bytes that differ from those held for their place,
 * a retransmission that can no longer be compared, or data ahead beyond
 * what may be held returns DP_SEG_INVALID with *why its reason (or,
 * passed by policy, is scanned per packet only) and changes nothing.
 * Data ahead of the next byte is held (reasm.c) and fed when the gap
 * fills; a retransmission feeds nothing, an overlap its new bytes.
 * *flow_slot gets the slot (or UINT32_MAX) and *flow_dir the direction,
 * for the drop mark; *fv the segment's flow view (DP_FV_*): the
 * session is established for the segments after the one that completes
 * the handshake, and for a flow picked up mid-stream. payload/len: the
 * whole payload, contiguous. Worker lcore.
 */
enum dp_seg_fate
dp_stream_seg_track(struct dp_worker *w, const struct dp_match_set *s,
		    const struct dp_pkt *pi, const struct dp_match_gkey *gk,
		    const struct rte_mbuf *m, const uint8_t *payload,
		    uint32_t len, uint64_t now, uint16_t i, uint32_t dels,
		    uint32_t *flow_slot, uint8_t *flow_dir, int *fv,
		    uint8_t *why);

/*
 * Publish the flow table's own counts (evictions, chunks released
 * unacknowledged, chunks in use) in the worker's record: once per burst.
 * Worker lcore.
 */
void dp_stream_table_counts(struct dp_worker *w);

#endif /* DP_STREAM_H */
