/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-worker flow table for the content rules' stream matching and flow
 * keyword (docs/rules.md, "TCP streams", "Flows of UDP and other IP
 * protocols"): TCP flows, and, when the rule set reads the flow keyword,
 * UDP, ICMP and other IP flows (the protocol is in the key), which may
 * take at most 1/DP_FLOW_OTHER_SHARE of the table and never evict a TCP
 * flow: a UDP flood cannot push out the TCP flows, established or not. Symmetric RSS keeps both directions of
 * a flow on one worker, so the table is the worker's alone: no lock, no
 * atomic. A flow's slot (its rte_hash position) also names its two
 * Hyperscan streams in the rule set in force (dp_match.h), which opens
 * them up front on the control thread: the hot path never allocates.
 */
#ifndef DP_FLOW_H
#define DP_FLOW_H

#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>

#include "dp_decode.h"
#include "dp_reasm.h"

#define DP_FLOWS_DEFAULT     16384 /* flows per worker (--flows) */
#define DP_FLOWS_MAX	     (1u << 22)
#define DP_FLOW_IDLE_S	     3600  /* --flow-idle default: seconds */
#define DP_FLOW_EMBRYO_S     30	   /* idle limit of flows not established */
#define DP_FLOW_EVICT_SCAN   32	   /* entries looked at for an eviction */
#define DP_FLOW_IDLE_MAX     86400 /* --flow-idle: seconds, at most a day */
#define DP_FLOW_AGE_STEP_US  1000  /* between aging steps */
#define DP_FLOW_AGE_BUDGET   64	   /* table entries looked at per step, */
#define DP_FLOW_AGE_SHIFT    12	   /* ... or capacity >> this if more */
#define DP_FLOW_OTHER_SHARE  4	   /* non-TCP flows: a quarter at most */
#define DP_FLOW_OTHER_IDLE_S 300   /* idle limit of a two-way non-TCP flow */

/* dp_flow_scratch.track[] (dp.h): a non-TCP packet keyed for its flow */
#define DP_FT_OTHER 2

/* Both directions of a flow give the same key: the lower end first. */
struct dp_flow_key {
	uint8_t a[16];	 /* address of the lower end */
	uint8_t b[16];	 /* address of the higher end */
	uint16_t pa;	 /* port of the lower end */
	uint16_t pb;	 /* port of the higher end */
	uint8_t family;	 /* 4 or 6 */
	uint8_t proto;	 /* IP protocol (IPPROTO_TCP, _UDP, ...) */
	uint8_t pad[10]; /* zero: 48 bytes, rte_hash's vector compare */
};

_Static_assert(sizeof(struct dp_flow_key) == 48, "flow key size");

struct dp_match_set;

/* The TCP session state of a flow (docs/rules.md, "TCP sessions"). */
enum dp_tcp_state {
	DP_TCPS_NONE = 0,    /* no SYN seen: picked up mid-stream, or new */
	DP_TCPS_SYN_SENT,    /* the client's SYN */
	DP_TCPS_SYN_RCVD,    /* the server's SYN-ACK */
	DP_TCPS_ESTABLISHED, /* the client acknowledged the SYN-ACK */
	DP_TCPS_CLOSING,     /* a FIN accepted */
	DP_TCPS_MIDSTREAM,   /* picked up without a handshake (pickup on) */
};

/*
 * One tracked TCP flow (direction 0 is from end a to end b of its key),
 * at its rte_hash position: two cache lines, which the content stage
 * prefetches after the burst's bulk lookup. The key stays in rte_hash's
 * own key store (rte_hash_get_key_with_position()).
 */
struct dp_flow {
	uint64_t last_tsc; /* TSC of the last packet */
	/* per direction: the set whose streams hold its state */
	const struct dp_match_set *set[2];
	uint8_t dropped[2]; /* a drop rule matched: drop the rest */
	uint8_t client;	    /* 0/1: sent the SYN, or came first; 2: unknown */
	uint8_t used;	    /* slot holds a flow */
	uint8_t state;	    /* enum dp_tcp_state */
	uint8_t est;	    /* reached ESTABLISHED or MIDSTREAM once */
	uint8_t proto;	    /* IP protocol of the key */
	uint8_t seen;	    /* non-TCP: bit dir, a packet went that way */
	uint32_t isn[2];    /* per direction: its SYN's sequence number */
	uint64_t fed[2];    /* per direction: bytes its streams were fed */
	uint8_t pad[4];
	uint32_t del_stamp; /* dp_flow_table.dels just after its last removal */
	struct dp_rdir d[2]; /* per direction: sequence, held bytes */
} __attribute__((aligned(64)));

_Static_assert(sizeof(struct dp_flow) == 128, "a flow is two cache lines");

struct rte_hash;

struct dp_flow_table {
	struct rte_hash *h;
	struct dp_flow *flows; /* nb entries, by rte_hash position */
	uint32_t nb;	       /* positions (rte_hash's key ids) */
	uint32_t cap;	       /* flows it holds (--flows) */
	uint32_t nb_used;      /* flows it holds now */
	uint32_t age_cursor;   /* rte_hash_iterate() position */
	uint32_t age_budget;   /* entries looked at per aging step */
	uint32_t evict_cursor; /* the next entry an eviction looks at */
	uint64_t age_next_tsc; /* TSC of the next aging step */
	uint64_t age_step_tsc; /* DP_FLOW_AGE_STEP_US in TSC ticks */
	uint32_t dels;	       /* removals so far: stale bulk positions */
	uint32_t nb_marked;    /* flows with a direction dropped */
	uint64_t idle_tsc;     /* the idle time (--flow-idle) in TSC ticks */
	uint64_t embryo_tsc;   /* that of flows not established */
	struct dp_rpool pool;  /* the flows' held bytes */
	uint64_t nb_evicted;   /* flows evicted for room, so far */
	uint32_t nb_other;     /* non-TCP flows it holds now */
	uint32_t other_cap;    /* ... at most (cap / DP_FLOW_OTHER_SHARE) */
	uint64_t other_tsc;    /* idle time of a two-way non-TCP flow */
};

/* What dp_flow_table_init() sizes: the table and its held bytes. */
struct dp_flow_params {
	uint32_t nb;	    /* flows */
	uint32_t idle_s;    /* idle time of an established flow */
	uint32_t pool_mib;  /* MiB of held-byte chunks */
	uint32_t hold_kib;  /* scanned bytes held per direction */
	uint32_t ahead_kib; /* bytes held ahead of a gap per direction */
};

/*
 * Create worker id's table on socket as fp says: an established flow
 * idle for fp->idle_s seconds is aged out, others after
 * DP_FLOW_EMBRYO_S at most. Returns 0 or a negative errno. Main lcore,
 * before the workers start.
 */
int dp_flow_table_init(struct dp_flow_table *t, unsigned int id,
		       const struct dp_flow_params *fp, int socket);

/* Free a table made by dp_flow_table_init() (safe when it failed). */
void dp_flow_table_fini(struct dp_flow_table *t);

/* memcmp() order of two addresses of words 32-bit words: -1, 0 or 1. */
static inline int
dp_flow_addr_cmp(const union dp_addr *x, const union dp_addr *y,
		 unsigned int words)
{
	unsigned int i;

	for (i = 0; i < words; i++) {
		uint32_t p = rte_be_to_cpu_32(x->a32[i]);
		uint32_t q = rte_be_to_cpu_32(y->a32[i]);

		if (p != q)
			return p < q ? -1 : 1;
	}
	return 0;
}

/* The symmetric key of pi; *dir 0 when pi goes from end a to end b. */
static inline void
dp_flow_key_of(const struct dp_pkt *pi, struct dp_flow_key *k, uint8_t *dir)
{
	unsigned int words = pi->l3 == DP_L3_IPV4 ? 1 : 4;
	int c = dp_flow_addr_cmp(&pi->src, &pi->dst, words);
	const union dp_addr *lo = &pi->src, *hi = &pi->dst;

	*dir = 0;
	if (c > 0 || (c == 0 && pi->sport > pi->dport)) {
		lo = &pi->dst;
		hi = &pi->src;
		*dir = 1;
	}
	memset(k, 0, sizeof(*k));
	memcpy(k->a, lo->a8, words * 4);
	memcpy(k->b, hi->a8, words * 4);
	k->pa = *dir ? pi->dport : pi->sport;
	k->pb = *dir ? pi->sport : pi->dport;
	k->family = words == 1 ? 4 : 6;
	k->proto = pi->l4_proto;
}

/*
 * Positions of n keys (up to DP_BURST) in one rte_hash bulk lookup, which
 * overlaps their cache misses: pos[i] >= 0 or -ENOENT. Worker lcore.
 */
void dp_flow_lookup_bulk(struct dp_flow_table *t,
			 const struct dp_flow_key *const *keys, uint32_t n,
			 int32_t *pos);

/*
 * The flow of key k, created when new and create is set: pos is k's
 * position from dp_flow_lookup_bulk() made while t->dels was dels (when
 * the flow at pos was removed since then, pos is stale and k is looked
 * up again), or -ENOENT. *slot
 * is its position (the stream index), *created 1 for a new one. A full
 * table first evicts a flow (dp_flow_evict()). NULL when k has no flow
 * and none can be made. Worker lcore.
 */
struct dp_flow *dp_flow_get(struct dp_flow_table *t,
			    const struct dp_flow_key *k, int32_t pos,
			    uint32_t dels, uint64_t now, int create,
			    uint32_t *slot, int *created);

/*
 * Make room in a full table: of the next DP_FLOW_EVICT_SCAN entries,
 * remove the one idle longest among those not established (handshake
 * not complete, closing, or picked up mid-stream; a non-TCP flow seen
 * one way only), only among the non-TCP flows when other_only is set.
 * 1 when one went, 0 when every entry looked at is kept. Worker lcore.
 */
int dp_flow_evict(struct dp_flow_table *t, int other_only);

/*
 * The flow view (DP_FV_*, dp_stream.h) of non-TCP packet i of the burst
 * (keyed as DP_FT_OTHER): its flow found or made, the client the source
 * of its first packet, established once packets went both ways (from
 * the first one back on, as Suricata's flow state). A packet whose flow
 * the table cannot take (its share full and no non-TCP flow to evict)
 * is seen as the first packet of a new flow: to the server, not
 * established. Worker lcore.
 */
int dp_flow_other_view(struct dp_flow_table *t, const struct dp_flow_key *k,
		       uint8_t dir, int32_t pos, uint32_t dels, uint64_t now);

/* Remove the flow at slot. Worker lcore. */
void dp_flow_del(struct dp_flow_table *t, uint32_t slot);

/*
 * Drop the rest of direction dir of the flow at slot (the content stage,
 * on a drop rule's match). Worker lcore.
 */
static inline void
dp_flow_mark(struct dp_flow_table *t, uint32_t slot, uint8_t dir)
{
	struct dp_flow *f = &t->flows[slot];

	if (!f->dropped[0] && !f->dropped[1])
		t->nb_marked++;
	f->dropped[dir] = 1;
}

/*
 * One aging step when its time (every DP_FLOW_AGE_STEP_US) has come: look
 * at the next t->age_budget entries and remove those idle for longer than
 * the table's idle time (--flow-idle; a non-TCP flow seen both ways:
 * DP_FLOW_OTHER_IDLE_S at most; a flow not established:
 * DP_FLOW_EMBRYO_S at most). Returns how many TCP flows were removed
 * (the flow counters count TCP flows). Worker lcore.
 */
uint32_t dp_flow_age(struct dp_flow_table *t, uint64_t now);

#endif /* DP_FLOW_H */
