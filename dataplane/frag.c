/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fragment table of dp_frag.h: datagram entries in an open-addressing
 * index (linear probing, backward-shift deletion, keyed hash), a free list
 * and an age list in creation order, which is deadline order because every
 * datagram gets the same time to complete. Pure C, no allocation.
 */
#include <string.h>

#include "dp_frag.h"

#define NONE DP_FRAG_NONE_IDX

size_t
dp_frag_tab_mem(uint32_t nb, uint32_t per)
{
	uint64_t slots = 1;

	while (slots < 2 * (uint64_t)nb)
		slots <<= 1;
	return (size_t)nb * sizeof(struct dp_frag_dgram) +
	       (size_t)nb * per * sizeof(struct dp_frag_piece) +
	       (size_t)slots * sizeof(uint32_t);
}

int
dp_frag_tab_init(struct dp_frag_tab *t, void *mem, uint32_t nb, uint32_t per,
		 uint64_t timeout, uint64_t seed)
{
	uint64_t slots = 1;
	uint32_t i;

	if (nb == 0 || nb > DP_FRAG_DGRAMS_MAX || per == 0 ||
	    per > DP_FRAG_PER_DGRAM_MAX)
		return -1;
	while (slots < 2 * (uint64_t)nb)
		slots <<= 1;
	memset(t, 0, sizeof(*t));
	memset(mem, 0, dp_frag_tab_mem(nb, per));
	t->nb = nb;
	t->per = per;
	t->mask = (uint32_t)(slots - 1);
	t->timeout = timeout;
	t->seed = seed | 1;
	t->d = mem;
	t->pieces = (struct dp_frag_piece *)(t->d + nb);
	t->slot = (uint32_t *)(t->pieces + (size_t)nb * per);
	for (i = 0; i < nb; i++)
		t->d[i].newer = i + 1 < nb ? i + 1 : NONE;
	t->free = 0;
	t->oldest = NONE;
	t->newest = NONE;
	return 0;
}

/* A keyed mix of the key's words: the sender chooses ids and addresses. */
static uint32_t
key_hash(const struct dp_frag_tab *t, const struct dp_frag_key *k)
{
	const uint32_t *w = (const uint32_t *)k;
	uint64_t h = t->seed;
	size_t i;

	for (i = 0; i < sizeof(*k) / sizeof(uint32_t); i++) {
		h ^= w[i];
		h *= 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	h ^= t->seed >> 7;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return (uint32_t)h;
}

static uint32_t
lookup(const struct dp_frag_tab *t, const struct dp_frag_key *k, uint32_t h)
{
	uint32_t s = h & t->mask, e;

	while ((e = t->slot[s]) != 0) {
		if (t->d[e - 1].hash == h &&
		    memcmp(&t->d[e - 1].key, k, sizeof(*k)) == 0)
			return e - 1;
		s = (s + 1) & t->mask;
	}
	return NONE;
}

static uint32_t
create(struct dp_frag_tab *t, const struct dp_frag_key *k, uint32_t h,
       uint8_t proto, uint64_t now)
{
	uint32_t idx = t->free, s = h & t->mask;
	struct dp_frag_dgram *d = &t->d[idx];

	t->free = d->newer;
	while (t->slot[s] != 0)
		s = (s + 1) & t->mask;
	t->slot[s] = idx + 1;
	memset(d, 0, sizeof(*d));
	d->key = *k;
	d->hash = h;
	d->slot = s;
	d->proto = proto;
	d->deadline = now + t->timeout;
	d->newer = NONE;
	d->older = t->newest;
	if (t->newest != NONE)
		t->d[t->newest].newer = idx;
	else
		t->oldest = idx;
	t->newest = idx;
	t->used++;
	return idx;
}

static void
age_unlink(struct dp_frag_tab *t, struct dp_frag_dgram *d)
{
	if (d->older != NONE)
		t->d[d->older].newer = d->newer;
	else
		t->oldest = d->newer;
	if (d->newer != NONE)
		t->d[d->newer].older = d->older;
	else
		t->newest = d->older;
}

void
dp_frag_release(struct dp_frag_tab *t, uint32_t idx)
{
	struct dp_frag_dgram *d = &t->d[idx];
	uint32_t i = d->slot, j = i, home;

	/* backward shift: no probe run may cross the emptied slot */
	t->slot[i] = 0;
	for (;;) {
		j = (j + 1) & t->mask;
		if (t->slot[j] == 0)
			break;
		home = t->d[t->slot[j] - 1].hash & t->mask;
		/* the entry at j stays if its home lies cyclically in (i, j] */
		if (i <= j ? (home > i && home <= j) : (home > i || home <= j))
			continue;
		t->slot[i] = t->slot[j];
		t->d[t->slot[i] - 1].slot = i;
		t->slot[j] = 0;
		i = j;
	}
	if (!d->done)
		age_unlink(t, d);
	t->held -= d->nb;
	t->used--;
	d->nb = 0;
	d->done = 0;
	d->newer = t->free;
	t->free = idx;
}

uint32_t
dp_frag_oldest(const struct dp_frag_tab *t, uint64_t now, int force)
{
	if (t->oldest == NONE)
		return NONE;
	if (force || t->d[t->oldest].deadline <= now)
		return t->oldest;
	return NONE;
}

int
dp_frag_add(struct dp_frag_tab *t, const struct dp_frag_key *k, uint8_t proto,
	    uint32_t off, uint32_t len, int more, void *pkt, uint32_t hoff,
	    uint64_t now, struct dp_frag_out *out)
{
	uint32_t h, idx, i, end = off + len;
	struct dp_frag_dgram *d;
	struct dp_frag_piece *p;

	out->idx = NONE;
	out->piece = NONE;
	out->why = 0;
	/* RFC 791 / 8200: 8-byte units; all but the last a multiple of 8 */
	if (len == 0 || off > DP_FRAG_IP_MAX || len > DP_FRAG_IP_MAX ||
	    end > DP_FRAG_IP_MAX || off % 8 != 0 || (more && len % 8 != 0))
		return DP_FRAG_BAD;
	h = key_hash(t, k);
	idx = lookup(t, k, h);
	if (idx == NONE) {
		if (t->used == t->nb)
			return DP_FRAG_FULL;
		idx = create(t, k, h, proto, now);
	}
	out->idx = idx;
	d = &t->d[idx];
	p = &t->pieces[(size_t)idx * t->per];
	out->why = DP_FRAG_WHY_OVERLAP;
	if (d->done) {
		/* decided already: a copy of a piece, or nothing of it */
		for (i = 0; i < d->nb; i++)
			if (p[i].off == off && p[i].len == len &&
			    (p[i].off + p[i].len == d->total) == !more) {
				out->piece = i;
				return DP_FRAG_DUP;
			}
		return DP_FRAG_LATE;
	}
	if (proto != d->proto)
		return DP_FRAG_DROP;
	if (d->last && end > d->total)
		return DP_FRAG_DROP;
	for (i = 0; i < d->nb; i++) {
		uint32_t pend = p[i].off + p[i].len;

		if (p[i].off == off && p[i].len == len) {
			/* the same place and the same "more" */
			if ((d->last && pend == d->total) == !more) {
				out->piece = i;
				return DP_FRAG_DUP;
			}
			return DP_FRAG_DROP;
		}
		if (off < pend && p[i].off < end)
			return DP_FRAG_DROP;
		if (!more && pend > end)
			return DP_FRAG_DROP;
	}
	if (!more && d->last)
		return DP_FRAG_DROP; /* a second, different end */
	if (d->nb == t->per) {
		out->why = DP_FRAG_WHY_LIMIT;
		return DP_FRAG_DROP;
	}
	out->why = 0;
	p[d->nb].pkt = pkt;
	p[d->nb].off = off;
	p[d->nb].len = len;
	p[d->nb].hoff = hoff;
	d->nb++;
	t->held++;
	d->have += len;
	if (!more) {
		d->last = 1;
		d->total = end;
	}
	if (!d->last || d->have != d->total)
		return DP_FRAG_HELD;
	d->done = 1;
	age_unlink(t, d);
	return DP_FRAG_COMPLETE;
}
