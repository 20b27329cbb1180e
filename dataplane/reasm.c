/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bytes the TCP normalizer holds per flow direction (dp_reasm.h):
 * chunk lists in sequence order, their bounds, and the comparison of a
 * segment with what they hold. Sequence numbers compare modulo 2^32.
 */
#include <stdint.h>
#include <string.h>

#include "dp_reasm.h"

static inline int
seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static inline uint32_t
seq_min(uint32_t a, uint32_t b)
{
	return seq_lt(a, b) ? a : b;
}

static inline uint32_t
seq_max(uint32_t a, uint32_t b)
{
	return seq_lt(a, b) ? b : a;
}

static inline uint32_t
min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static inline uint32_t
cend(const struct dp_rchunk *c)
{
	return c->seq + c->len;
}

/* Chunks n bytes take. */
static inline uint32_t
chunks_for(uint32_t n)
{
	return (n + DP_RCHUNK_DATA - 1) / DP_RCHUNK_DATA;
}

void
dp_rpool_init(struct dp_rpool *p, void *mem, uint32_t nb, uint8_t held_max,
	      uint8_t ahead_max)
{
	uint32_t i;

	p->c = mem;
	p->nb = nb;
	p->held_max = held_max;
	p->ahead_max = ahead_max;
	p->free = DP_RNIL;
	p->nb_unacked = 0;
	for (i = nb; i-- > 0;) {
		p->c[i].next = p->free;
		p->free = i;
	}
	p->nb_free = nb;
}

static inline uint32_t
chunk_get(struct dp_rpool *p)
{
	uint32_t i = p->free;

	if (i == DP_RNIL)
		return DP_RNIL;
	p->free = p->c[i].next;
	p->nb_free--;
	return i;
}

static inline void
chunk_put(struct dp_rpool *p, uint32_t i)
{
	p->c[i].next = p->free;
	p->free = i;
	p->nb_free++;
}

/*
 * Release the oldest held chunk; bytes of it the receiver has not
 * acknowledged can no longer be compared (unv).
 */
static void
held_pop(struct dp_rpool *p, struct dp_rdir *d)
{
	uint32_t i = d->held;
	uint32_t end = cend(&p->c[i]);

	if (!d->ackd || seq_lt(d->acked, end)) {
		p->nb_unacked++;
		if (!d->unv || seq_lt(d->unv_end, end))
			d->unv_end = end;
		d->unv = 1;
	}
	d->held = p->c[i].next;
	if (d->held == DP_RNIL)
		d->held_tail = DP_RNIL;
	d->nb_held--;
	chunk_put(p, i);
}

/* Put chunk i at the end of d's held list, its bound kept. */
static void
held_append(struct dp_rpool *p, struct dp_rdir *d, uint32_t i)
{
	while (d->nb_held >= p->held_max && d->held != DP_RNIL)
		held_pop(p, d);
	p->c[i].next = DP_RNIL;
	if (d->held_tail == DP_RNIL)
		d->held = i;
	else
		p->c[d->held_tail].next = i;
	d->held_tail = i;
	d->nb_held++;
}

/*
 * Hold a copy of n scanned bytes at seq (the end of the held bytes): into
 * the last chunk while it has room, then new ones. With no chunk left,
 * not even this direction's oldest, nothing is held and the bytes up to
 * seq + n cannot be compared any more (unv).
 */
static void
hold_bytes(struct dp_rpool *p, struct dp_rdir *d, uint32_t seq,
	   const uint8_t *data, uint32_t n)
{
	struct dp_rchunk *t;
	uint32_t i, k;

	while (n > 0) {
		t = d->held_tail != DP_RNIL ? &p->c[d->held_tail] : NULL;
		if (t != NULL && cend(t) == seq && t->len < DP_RCHUNK_DATA) {
			k = min_u32(n, DP_RCHUNK_DATA - t->len);
			memcpy(t->data + t->len, data, k);
			t->len = (uint16_t)(t->len + k);
		} else {
			if (d->nb_held >= p->held_max)
				held_pop(p, d);
			i = chunk_get(p);
			if (i == DP_RNIL && d->held != DP_RNIL) {
				held_pop(p, d);
				i = chunk_get(p);
			}
			if (i == DP_RNIL) {
				/* nothing held here either: no hole in held */
				if (!d->unv || seq_lt(d->unv_end, seq + n))
					d->unv_end = seq + n;
				d->unv = 1;
				return;
			}
			k = min_u32(n, DP_RCHUNK_DATA);
			p->c[i].seq = seq;
			p->c[i].len = (uint16_t)k;
			memcpy(p->c[i].data, data, k);
			held_append(p, d, i);
		}
		seq += k;
		data += k;
		n -= k;
	}
}

/*
 * Whether the bytes of the segment [s, e) at data equal those chunk c
 * holds for the same sequence numbers (1 when they do or none overlap).
 */
static int
same_bytes(const struct dp_rchunk *c, uint32_t s, uint32_t e,
	   const uint8_t *data)
{
	uint32_t lo = seq_max(s, c->seq), hi = seq_min(e, cend(c));

	if (!seq_lt(lo, hi))
		return 1;
	return memcmp(data + (lo - s), c->data + (lo - c->seq), hi - lo) == 0;
}

enum dp_rverdict
dp_reasm_check(const struct dp_rpool *p, const struct dp_rdir *d, uint32_t seq,
	       const uint8_t *data, uint32_t len)
{
	const struct dp_rchunk *c;
	uint32_t s = seq, e = seq + len, nx = d->next;
	uint32_t vb, lo, cur, need = 0, i;

	if (seq_lt(nx, s) &&
	    seq_lt(nx + (uint32_t)p->ahead_max * DP_RCHUNK_DATA, e))
		return DP_R_FAR;
	/* bytes already scanned: the same as held, and comparable */
	if (seq_lt(s, nx)) {
		vb = d->held != DP_RNIL ? p->c[d->held].seq : nx;
		lo = seq_min(seq_min(e, nx), vb);
		if (d->unv && seq_lt(s, vb) && seq_lt(s, d->unv_end) &&
		    (!d->ackd || seq_lt(d->acked, lo)))
			return DP_R_UNV;
		for (i = d->held; i != DP_RNIL; i = c->next) {
			c = &p->c[i];
			if (!seq_lt(c->seq, e))
				break;
			if (!same_bytes(c, s, e, data))
				return DP_R_DIFF;
		}
	}
	/* bytes ahead: the same as held there; room for the rest */
	cur = seq_max(s, nx);
	if (!seq_lt(cur, e))
		return DP_R_OK;
	for (i = d->ahead; i != DP_RNIL; i = c->next) {
		c = &p->c[i];
		if (!seq_lt(c->seq, e))
			break;
		if (!seq_lt(cur, cend(c)))
			continue;
		if (!same_bytes(c, s, e, data))
			return DP_R_DIFF;
		if (seq_lt(cur, c->seq))
			need += chunks_for(c->seq - cur);
		cur = seq_min(e, cend(c));
	}
	if (seq_lt(cur, e))
		need += chunks_for(e - cur);
	if (seq_lt(nx, s) &&
	    (d->nb_ahead + need > p->ahead_max || need > p->nb_free))
		return DP_R_FULL;
	return DP_R_OK;
}

/*
 * Hold the bytes of [s, e) at data that no chunk of d's ahead list holds
 * yet, in new chunks linked in sequence order (dp_reasm_check() found the
 * room).
 */
static void
hold_ahead(struct dp_rpool *p, struct dp_rdir *d, uint32_t s, uint32_t e,
	   const uint8_t *data)
{
	uint32_t prev = DP_RNIL, a = d->ahead, cur = s, stop, k, i;

	while (seq_lt(cur, e)) {
		if (a != DP_RNIL && !seq_lt(cur, p->c[a].seq) &&
		    seq_lt(cur, cend(&p->c[a])))
			cur = cend(&p->c[a]); /* held already */
		if (a != DP_RNIL && !seq_lt(cur, p->c[a].seq)) {
			prev = a;
			a = p->c[a].next;
			continue;
		}
		stop = a != DP_RNIL ? seq_min(e, p->c[a].seq) : e;
		while (seq_lt(cur, stop)) {
			i = chunk_get(p);
			if (i == DP_RNIL)
				return; /* not reached: checked */
			k = min_u32(stop - cur, DP_RCHUNK_DATA);
			p->c[i].seq = cur;
			p->c[i].len = (uint16_t)k;
			memcpy(p->c[i].data, data + (cur - s), k);
			p->c[i].next = a;
			if (prev == DP_RNIL)
				d->ahead = i;
			else
				p->c[prev].next = i;
			prev = i;
			d->nb_ahead++;
			cur += k;
		}
	}
}

uint32_t
dp_reasm_take(struct dp_rpool *p, struct dp_rdir *d, uint32_t seq,
	      const uint8_t *data, uint32_t len, dp_reasm_feed_t feed,
	      void *ctx)
{
	uint32_t s = seq, e = seq + len, cur = d->next, stop, a, ae;
	uint32_t joined = 0;

	if (seq_lt(cur, s)) {
		hold_ahead(p, d, s, e, data);
		return 0;
	}
	for (;;) {
		a = d->ahead;
		if (a != DP_RNIL && !seq_lt(cur, p->c[a].seq)) {
			/* held ahead, reached now: scanned, then held so */
			struct dp_rchunk *c = &p->c[a];

			d->ahead = c->next;
			d->nb_ahead--;
			ae = cend(c);
			if (!seq_lt(cur, ae)) {
				chunk_put(p, a);
				continue;
			}
			feed(ctx, c->data + (cur - c->seq), ae - cur);
			if (cur == c->seq) {
				held_append(p, d, a);
			} else {
				hold_bytes(p, d, cur, c->data + (cur - c->seq),
					   ae - cur);
				chunk_put(p, a);
			}
			cur = ae;
			joined++;
			continue;
		}
		if (!seq_lt(cur, e))
			break;
		stop = a != DP_RNIL ? seq_min(e, p->c[a].seq) : e;
		feed(ctx, data + (cur - s), stop - cur);
		hold_bytes(p, d, cur, data + (cur - s), stop - cur);
		cur = stop;
	}
	d->next = cur;
	return joined;
}

void
dp_reasm_ack(struct dp_rpool *p, struct dp_rdir *d, uint32_t ack)
{
	if (!d->known || seq_lt(d->next, ack) ||
	    (d->ackd && !seq_lt(d->acked, ack)))
		return;
	d->acked = ack;
	d->ackd = 1;
	/* the last chunk stays: the context of streams after a commit */
	while (d->held != d->held_tail && !seq_lt(ack, cend(&p->c[d->held])))
		held_pop(p, d);
	if (d->unv && !seq_lt(ack, d->unv_end))
		d->unv = 0;
}

uint32_t
dp_reasm_refeed(const struct dp_rpool *p, const struct dp_rdir *d,
		dp_reasm_feed_t feed, void *ctx)
{
	uint32_t i, prev = DP_RNIL, n = 0;

	for (i = d->held; i != DP_RNIL && i != d->held_tail; i = p->c[i].next)
		prev = i;
	if (prev != DP_RNIL && cend(&p->c[prev]) == p->c[d->held_tail].seq) {
		feed(ctx, p->c[prev].data, p->c[prev].len);
		n += p->c[prev].len;
	}
	if (d->held_tail != DP_RNIL) {
		feed(ctx, p->c[d->held_tail].data, p->c[d->held_tail].len);
		n += p->c[d->held_tail].len;
	}
	return n;
}

void
dp_reasm_drop_ahead(struct dp_rpool *p, struct dp_rdir *d)
{
	uint32_t i;

	while ((i = d->ahead) != DP_RNIL) {
		d->ahead = p->c[i].next;
		chunk_put(p, i);
	}
	d->nb_ahead = 0;
}

void
dp_reasm_free(struct dp_rpool *p, struct dp_rdir *d)
{
	uint32_t i;

	dp_reasm_drop_ahead(p, d);
	while ((i = d->held) != DP_RNIL) {
		d->held = p->c[i].next;
		chunk_put(p, i);
	}
	d->held_tail = DP_RNIL;
	d->nb_held = 0;
}
