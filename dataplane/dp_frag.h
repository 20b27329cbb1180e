/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IP fragment bookkeeping of one worker (docs/architecture.md, "IP
 * fragments"): a bounded table of datagrams under reassembly, each holding
 * up to a fixed number of fragments (opaque handles: the original frames,
 * which the caller forwards or frees once the datagram is decided), keyed
 * like the reassembly of RFC 791 / RFC 8200 (addresses, identification).
 * It refuses every overlap (RFC 5722; for IPv4 as an attack) except an
 * exact duplicate, which it reports so that the caller may compare bytes,
 * and says when a datagram is complete. Pure C: no DPDK, no allocation
 * after dp_frag_tab_init(), no global state, so that the unit tests and
 * the fuzzer run it without EAL. Not thread safe: one table per worker.
 */
#ifndef DP_FRAG_H
#define DP_FRAG_H

#include <stddef.h>
#include <stdint.h>

#define DP_FRAG_PER_DGRAM_MAX 64	 /* --frag-per-datagram bound */
#define DP_FRAG_DGRAMS_MAX    (1u << 20) /* --frag-datagrams bound */
#define DP_FRAG_NONE_IDX      UINT32_MAX
#define DP_FRAG_IP_MAX	      65535 /* bytes of an IP payload, at most */

/* A datagram's identity; zero the padding (compared with memcmp). */
struct dp_frag_key {
	uint32_t src[4]; /* network byte order; IPv4 in src[0] */
	uint32_t dst[4];
	uint32_t id; /* IPv4 identification or IPv6 fragment id */
	uint8_t l3;  /* 4 or 6 */
	uint8_t pad;
	uint16_t port; /* the rx port: a datagram leaves where it goes */
};

/* One fragment held: its place in the datagram's fragmentable part. */
struct dp_frag_piece {
	void *pkt;     /* the caller's frame */
	uint32_t off;  /* offset of its data in the datagram, bytes */
	uint32_t len;  /* its data bytes */
	uint32_t hoff; /* caller's: where the data starts in the frame */
};

struct dp_frag_dgram {
	struct dp_frag_key key;
	uint64_t deadline; /* dropped when now reaches it */
	uint32_t older;	   /* age list (creation order), or NONE */
	uint32_t newer;
	uint32_t slot;	/* its index slot */
	uint32_t hash;	/* of its key */
	uint32_t total; /* fragmentable bytes, known once the last came */
	uint32_t have;	/* bytes covered by the pieces */
	uint16_t nb;	/* pieces held, in arrival order */
	uint8_t proto;	/* IPv4 protocol of the fragments (0 for IPv6) */
	uint8_t last;	/* the fragment without "more" arrived */
	uint8_t done;	/* complete: off the age list until released */
};

struct dp_frag_tab {
	uint32_t nb;	 /* datagram entries */
	uint32_t per;	 /* pieces per datagram */
	uint32_t mask;	 /* index slots - 1 (a power of two >= 2 nb) */
	uint32_t used;	 /* entries in use */
	uint32_t held;	 /* pieces held, all entries */
	uint32_t free;	 /* free entry list through newer, or NONE */
	uint32_t oldest; /* age list ends, or NONE */
	uint32_t newest;
	uint64_t timeout; /* in the caller's time unit */
	uint64_t seed;	  /* of the key hash */
	uint32_t *slot;	  /* index: entry + 1, 0 empty */
	struct dp_frag_dgram *d;
	struct dp_frag_piece *pieces; /* per entries a datagram */
};

/* dp_frag_add() results */
#define DP_FRAG_HELD	 0 /* piece held, datagram incomplete */
#define DP_FRAG_COMPLETE 1 /* piece held, datagram out->idx complete */
#define DP_FRAG_DROP	 2 /* drop the piece and datagram out->idx */
#define DP_FRAG_DUP	 3 /* same place as piece out->piece of out->idx */
#define DP_FRAG_FULL	 4 /* no entry free: evict one, then add again */
#define DP_FRAG_BAD	 5 /* the piece alone is invalid: drop it */
/* datagram out->idx is complete, not yet released: drop the piece alone */
#define DP_FRAG_LATE 6

/* why a DP_FRAG_DROP */
#define DP_FRAG_WHY_OVERLAP 1 /* overlaps a held piece, or past the end */
#define DP_FRAG_WHY_LIMIT   2 /* more pieces than the table holds */

struct dp_frag_out {
	uint32_t idx;	/* datagram entry */
	uint32_t piece; /* DP_FRAG_DUP: index of the held piece */
	int why;	/* DP_FRAG_DROP: DP_FRAG_WHY_* */
};

/* Bytes of memory dp_frag_tab_init() needs for nb entries of per pieces. */
size_t dp_frag_tab_mem(uint32_t nb, uint32_t per);

/*
 * Lay a table of nb entries (1..DP_FRAG_DGRAMS_MAX) of per pieces
 * (1..DP_FRAG_PER_DGRAM_MAX) over mem (dp_frag_tab_mem() bytes, aligned
 * for uint64_t). A datagram dies timeout time units after its first
 * fragment. seed keys the hash (choose it at random). Returns 0, or -1 for
 * bounds out of range.
 */
int dp_frag_tab_init(struct dp_frag_tab *t, void *mem, uint32_t nb,
		     uint32_t per, uint64_t timeout, uint64_t seed);

/*
 * Offer a fragment of datagram k: data bytes [off, off + len) of the
 * fragmentable part, more set unless it is the last one; proto is the IPv4
 * protocol (0 for IPv6), pkt and hoff are kept in the piece. now: the
 * current time. Returns a DP_FRAG_* result and fills *out. On
 * DP_FRAG_COMPLETE and DP_FRAG_DROP the caller disposes of the datagram's
 * pieces (dp_frag_pieces()) and calls dp_frag_release(); on DP_FRAG_DROP,
 * DP_FRAG_BAD and DP_FRAG_LATE the offered piece is not held (the caller
 * drops it). A complete datagram stays in the table, off the age list
 * (never expired nor evicted), until released: a fragment of its key is
 * then a DP_FRAG_DUP of one of its pieces, or DP_FRAG_LATE.
 */
int dp_frag_add(struct dp_frag_tab *t, const struct dp_frag_key *k,
		uint8_t proto, uint32_t off, uint32_t len, int more, void *pkt,
		uint32_t hoff, uint64_t now, struct dp_frag_out *out);

/* The pieces of entry idx, in arrival order; *nb gets their count. */
static inline struct dp_frag_piece *
dp_frag_pieces(struct dp_frag_tab *t, uint32_t idx, uint32_t *nb)
{
	*nb = t->d[idx].nb;
	return &t->pieces[(size_t)idx * t->per];
}

/* Forget entry idx (its pieces are the caller's again). */
void dp_frag_release(struct dp_frag_tab *t, uint32_t idx);

/*
 * The oldest incomplete entry when its deadline is at or before now
 * (expired), or when force is set and any is incomplete (eviction);
 * DP_FRAG_NONE_IDX otherwise.
 * The caller disposes of its pieces and releases it.
 */
uint32_t dp_frag_oldest(const struct dp_frag_tab *t, uint64_t now, int force);

#endif /* DP_FRAG_H */
