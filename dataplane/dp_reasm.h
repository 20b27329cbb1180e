/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bytes the TCP normalizer holds per flow direction (reasm.c,
 * docs/rules.md "TCP normalization"): copies of the bytes already scanned
 * and not yet acknowledged, to compare a retransmission with, and of the
 * bytes that came ahead of a gap, scanned when it fills. Both live in
 * chunks of a per-worker pool allocated before the workers start, each
 * direction bounded in chunks: the hot path never allocates. No DPDK
 * here: the fuzz harness and unit tests build it alone.
 */
#ifndef DP_REASM_H
#define DP_REASM_H

#include <stdint.h>

#define DP_RCHUNK_SIZE 2048 /* bytes of a pool chunk, header included */
#define DP_RCHUNK_DATA (DP_RCHUNK_SIZE - 16)
#define DP_RNIL	       UINT32_MAX /* no chunk */

/* --stream-hold and --stream-ahead: KiB per direction, defaults, limits */
#define DP_RHOLD_KIB_DEFAULT  256
#define DP_RAHEAD_KIB_DEFAULT 64
#define DP_RDIR_KIB_MAX	      (255 * DP_RCHUNK_DATA / 1024)
/* --stream-memory: MiB of chunks per worker, default and limit */
#define DP_RPOOL_MIB_DEFAULT 96
#define DP_RPOOL_MIB_MAX     65536

/* A run of bytes of one direction, from sequence number seq. */
struct dp_rchunk {
	uint32_t seq;  /* of data[0] */
	uint32_t next; /* the next chunk of its list, or DP_RNIL */
	uint16_t len;  /* bytes in data */
	uint8_t pad[6];
	uint8_t data[DP_RCHUNK_DATA];
};

_Static_assert(sizeof(struct dp_rchunk) == DP_RCHUNK_SIZE, "chunk size");

/* A worker's chunks: a free list, and the bounds per direction. */
struct dp_rpool {
	struct dp_rchunk *c; /* nb chunks */
	uint32_t nb;
	uint32_t free;	     /* the free list's first chunk */
	uint32_t nb_free;    /* chunks on it */
	uint8_t held_max;    /* chunks of scanned bytes per direction */
	uint8_t ahead_max;   /* chunks of bytes ahead of a gap per direction */
	uint64_t nb_unacked; /* held chunks released unacknowledged, so far */
};

/*
 * One direction of a TCP flow: where its sequence is and what it holds.
 * The held list covers [first held byte, next) without a hole; below its
 * first byte, what was released had been acknowledged by the receiver,
 * unless unv is set: then bytes below unv_end (and at or above acked, if
 * ackd) went before the receiver acknowledged them and a retransmission
 * of them cannot be compared.
 */
struct dp_rdir {
	uint32_t next;	    /* next byte expected (known set) */
	uint32_t acked;	    /* highest acknowledgement seen (ackd set) */
	uint32_t unv_end;   /* see above (unv set) */
	uint32_t held;	    /* scanned bytes, oldest first */
	uint32_t held_tail; /* the held list's last chunk */
	uint32_t ahead;	    /* bytes past a gap, lowest first */
	uint8_t nb_held;    /* chunks on held */
	uint8_t nb_ahead;   /* chunks on ahead */
	uint8_t known;	    /* next is set */
	uint8_t fin;	    /* a FIN accepted, in sequence (next took it) */
	uint8_t ackd;	    /* acked is set */
	uint8_t unv;	    /* unv_end is set */
	uint8_t side;	    /* the port side its packets came in: 0 unknown */
	uint8_t pad;
};

_Static_assert(sizeof(struct dp_rdir) == 32, "direction size");

/* What dp_reasm_check() finds wrong with a segment. */
enum dp_rverdict {
	DP_R_OK = 0,
	DP_R_DIFF, /* bytes differ from those held for its place */
	DP_R_UNV,  /* retransmits bytes released unacknowledged */
	DP_R_FULL, /* ahead of a gap, and no room to hold it */
	DP_R_FAR,  /* ahead of the next byte by more than the bound */
};

/* Receives the bytes of a direction in sequence order (the scans). */
typedef void (*dp_reasm_feed_t)(void *ctx, const uint8_t *p, uint32_t n);

/*
 * Make pool p of nb chunks at mem (nb * DP_RCHUNK_SIZE bytes), each
 * direction holding at most held_max chunks of scanned bytes and
 * ahead_max of bytes ahead of a gap (1 to 255 each).
 */
void dp_rpool_init(struct dp_rpool *p, void *mem, uint32_t nb, uint8_t held_max,
		   uint8_t ahead_max);

/*
 * The segment of len bytes at seq of direction d (known, len > 0), as the
 * receiver would take it: DP_R_OK, or why not. Changes nothing.
 */
enum dp_rverdict dp_reasm_check(const struct dp_rpool *p,
				const struct dp_rdir *d, uint32_t seq,
				const uint8_t *data, uint32_t len);

/*
 * Take a segment dp_reasm_check() found DP_R_OK: its bytes ahead of the
 * next one are held; when it reaches the next byte, its new bytes and the
 * held ones it joins go to feed in order, d->next moves past them and
 * they are held as scanned. Returns how many held-ahead chunks it
 * joined (0: none).
 */
uint32_t dp_reasm_take(struct dp_rpool *p, struct dp_rdir *d, uint32_t seq,
		       const uint8_t *data, uint32_t len, dp_reasm_feed_t feed,
		       void *ctx);

/*
 * The receiver of direction d acknowledged every byte before ack: release
 * the held chunks it covers, but the last (the context dp_reasm_refeed()
 * gives new streams). An ack past d->next or behind the held bytes is
 * ignored.
 */
void dp_reasm_ack(struct dp_rpool *p, struct dp_rdir *d, uint32_t ack);

/*
 * Feed the last bytes d holds as scanned, up to its last two chunks (at
 * most 2 * DP_RCHUNK_DATA), in order: the context of new streams.
 * Returns how many.
 */
uint32_t dp_reasm_refeed(const struct dp_rpool *p, const struct dp_rdir *d,
			 dp_reasm_feed_t feed, void *ctx);

/* Release every byte held ahead of a gap in d (its FIN came before). */
void dp_reasm_drop_ahead(struct dp_rpool *p, struct dp_rdir *d);

/* Release every chunk of d. */
void dp_reasm_free(struct dp_rpool *p, struct dp_rdir *d);

/* An empty direction: no chunk, nothing known. */
static inline void
dp_rdir_init(struct dp_rdir *d)
{
	*d = (struct dp_rdir){
		.held = DP_RNIL, .held_tail = DP_RNIL, .ahead = DP_RNIL};
}

/* Chunks of p in use now. */
static inline uint32_t
dp_rpool_used(const struct dp_rpool *p)
{
	return p->nb - p->nb_free;
}

#endif /* DP_REASM_H */
