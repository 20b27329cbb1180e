/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Content rules in the dataplane (docs/rules.md, "Matching"): the rule
 * table of an image, its per-packet databases (scan groups by protocol and
 * port, or one block database) and stream database deserialized into
 * memory the set owns, one Hyperscan scratch per worker, and the
 * per-packet stage.
 */
#ifndef DP_MATCH_H
#define DP_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include <hs.h>

#include "bw_image.h"
#include "bw_image_view.h"
#include "dp_decode.h"
#include "dp_status.h"

/* The per-packet scan groups of one port class, by scope. */
struct dp_class_groups {
	hs_database_t *db[2]; /* [scope], NULL where none */
	uint8_t base[2];      /* [scope]: db (not NULL) holds its lane's
				 BASE rules too (BW_HSGROUP_F_BASE) */
	uint8_t stream;	      /* db[PACKET] holds the class's stream rules
				 too (BW_HSGROUP_F_STREAM) */
};

/*
 * The content rules of one generation. Built on the control thread,
 * shared by every ruleset until a FULL image brings other rules, freed
 * after the RCU grace period that retires its last ruleset. Workers only
 * read it (and write their own scratch).
 */
struct dp_match_set {
	uint32_t nb_rules;
	uint32_t bank;	     /* counter bank in the status region, 0/1 */
	uint32_t crc32c;     /* of the rule sections it was built from */
	uint32_t nb_workers; /* entries of scratch[] */
	uint64_t since_gen;  /* generation that loaded it */
	struct bw_image_rule *rules;  /* nb_rules */
	struct bw_image_raddr *addrs; /* shared address table */
	struct bw_image_rport *ports; /* shared port table */
	uint32_t *hdr_only;	      /* rules without a payload condition */
	uint32_t nb_hdr_only;
	void *db_mem;	    /* the single block database lives here */
	hs_database_t *db;  /* NULL with scan groups or no expression */
	uint32_t nb_groups; /* scan groups (bw_image.h) */
	void **grp_mem;	    /* their databases live here */
	/* per-packet databases: [lane][scope], NULL where none */
	hs_database_t *base[BW_HSLANE_MAX + 1][2];
	/* [lane]: base[lane][PACKET] holds the BASE stream rules too */
	uint8_t base_stream[BW_HSLANE_MAX + 1];
	struct dp_class_groups *cls; /* [class], nb_classes + 1 */
	uint32_t nb_classes;
	uint16_t *pmap;	 /* [lane TCP/UDP][role DST/SRC][port]: class, 0 */
	uint64_t *pbits; /* the same, a bit per port with a class: 32 KiB
			    that stay in cache where pmap (512 KiB) would
			    not, for the many ports without a class */
	hs_scratch_t **scratch; /* one per worker, NULL without any
				   database; good for every database */
	void *sdb_mem;		/* the single stream database lives here */
	hs_database_t *sdb;	/* streams per slot: the single stream
				   database or the TCP BASE stream group;
				   NULL: none, or no flow table */
	uint32_t nb_flows;	/* flow slots per worker */
	hs_stream_t **streams;	/* [worker][slot][dir], opened up front */
	/*
	 * Class stream groups (scan groups with a flow table): one live
	 * stream per worker and class, its state kept per flow direction
	 * and role compressed (hs_compress_stream) between segments.
	 */
	hs_database_t **scls; /* [class]: stream-mode group or NULL */
	uint32_t nb_scls;     /* classes with one */
	hs_stream_t **live;   /* [worker][class] */
	uint8_t *cbuf;	      /* [worker][slot][dir][role] x cbuf_cap */
	uint16_t *cused;      /* bytes in each cbuf entry, 0: empty */
	uint32_t cbuf_cap;    /* bytes per entry */
	/*
	 * Probe streams, [worker][class] (class 0: the stream database
	 * sdb), opened up front: a copy of a flow's stream taken after each
	 * chunk it is fed and ended there, to learn which logical
	 * combinations hold by then (stream.c, "Decided on the segment").
	 */
	hs_stream_t **probe;
	/*
	 * A rule reads the flow keyword (established, to_server,
	 * to_client): the flow table tracks flows for it even without
	 * stream rules; a set with one needs the table (--flows > 0).
	 */
	uint8_t flow_rules;
};

/* The rule flags of the flow keyword's options that need per-flow state. */
#define DP_RULE_F_FLOW                                                         \
	(BW_RULE_F_ESTABLISHED | BW_RULE_F_TO_SERVER | BW_RULE_F_TO_CLIENT)

/* The port map slot of (lane, role, port): lanes TCP/UDP, roles DST/SRC. */
static inline uint32_t
dp_match_pmap_at(uint8_t lane, uint8_t role, uint16_t port)
{
	return ((uint32_t)(lane - BW_HSLANE_TCP) * 2u +
		(uint32_t)(role - BW_HSROLE_DST)) *
		       65536u +
	       port;
}

/* What picks a packet's scan groups: its lane and its ports' classes. */
struct dp_match_gkey {
	uint8_t lane;
	uint16_t cd; /* class of the destination port (role DST), 0: none */
	uint16_t cs; /* class of the source port (role SRC), 0: none */
};

/* The scan group key of packet pi under s. Worker lcore. */
static inline void
dp_match_gkey_of(const struct dp_match_set *s, const struct dp_pkt *pi,
		 struct dp_match_gkey *k)
{
	uint32_t ad, as;

	k->lane = bw_hslane((pi->flags & DP_PKT_L4) ? pi->l4_proto : -1);
	k->cd = 0;
	k->cs = 0;
	if (s->pmap == NULL ||
	    (k->lane != BW_HSLANE_TCP && k->lane != BW_HSLANE_UDP))
		return;
	ad = dp_match_pmap_at(k->lane, BW_HSROLE_DST, pi->dport);
	as = dp_match_pmap_at(k->lane, BW_HSROLE_SRC, pi->sport);
	if (s->pbits[ad / 64] & (1ull << (ad % 64)))
		k->cd = s->pmap[ad];
	if (s->pbits[as / 64] & (1ull << (as % 64)))
		k->cs = s->pmap[as];
}

/*
 * CRC32C of the rule sections of a validated FULL image (0 when it has
 * none), to tell whether a FULL image brings other rules than cur.
 */
uint32_t dp_match_crc(const struct bw_image_view *v);

/*
 * Build the set of a validated FULL image v for nb_workers workers, with
 * counter bank `bank`: copy the tables, deserialize the per-packet
 * databases (hs_serialized_database_size, then hs_deserialize_database_at
 * into 64-byte aligned buffers) and index the scan groups by lane, class
 * and scope with a dense port-to-class map, allocate one scratch good for
 * every database and clone it per worker.
 * With nb_flows flow slots per worker and a stream database, deserialize
 * that too and open two streams per slot and worker (the hot path only
 * resets them).
 * *out is NULL when v has no rules. Returns 0, or -EINVAL (a database
 * Hyperscan refuses, or a rule with the flow keyword when nb_flows is 0:
 * its reason in why) or -ENOMEM. Control thread.
 */
int dp_match_set_build(const struct bw_image_view *v, uint32_t nb_workers,
		       uint32_t nb_flows, uint32_t bank, uint64_t gen,
		       struct dp_match_set **out, char *why, size_t why_len);

/*
 * Before s goes into service: zero its counter bank for every worker and
 * write the rule table of the status region (sequence lock). s may be
 * NULL (no rules). Control thread.
 */
void dp_match_set_publish(const struct dp_match_set *s, struct dp_status *st,
			  uint32_t nb_workers);

/* Free s (NULL is fine). Control thread, after the grace period. */
void dp_match_set_free(struct dp_match_set *s);

#endif /* DP_MATCH_H */
