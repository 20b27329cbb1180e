/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the IP fragment table (dataplane/frag.c,
 * dp_frag.h). An input sets the bounds (1 to 8 datagrams of 1 to 8
 * fragments, a timeout of 1 to 16 ticks) and then a run of fragments of 12
 * datagram keys (offsets 0 to 120, lengths 1 to 48, with or without "more",
 * now and then an exact duplicate) and clock steps, driven the way the
 * dataplane drives the table: expired datagrams first, the oldest
 * incomplete one evicted when the table is full, complete datagrams
 * released at once or at the end of a "burst" step, fragments of their key
 * meanwhile duplicates or late.
 *
 * The oracle is a model written here from dp_frag.h's contract, not from
 * frag.c: per key the fragments held in arrival order; a fragment that is
 * invalid alone (empty, past 65535, not in 8-byte units) is refused; one
 * in the same place as a held one with the same "more" is a duplicate;
 * any other intersection, a second end, or data past the end drops the
 * datagram; the (per+1)th fragment drops it; it is complete when the end
 * came and the lengths add up to it. After every step, abort() unless the
 * table's answer is the model's, the datagram and pieces it names are the
 * model's (same handles, same order), its counts are the model's, and its
 * index finds every datagram in use from its home slot without crossing an
 * empty slot, each once.
 * Built and run by scripts/fuzz (target frag).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp_frag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define KEYS	12
#define PER_MAX 8

struct mpiece {
	uintptr_t pkt;
	uint32_t off, len;
	int more;
};

struct mdgram {
	int live;
	int done;      /* complete, released at the next settle step */
	uint64_t born; /* creation order */
	uint64_t deadline;
	uint32_t total; /* UINT32_MAX: end not seen */
	uint32_t nb;
	struct mpiece p[PER_MAX];
};

static struct mdgram model[KEYS];
static uint64_t births;

#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "fuzz_frag: %s:%d: %s\n", __FILE__,    \
				__LINE__, #c);                                 \
			abort();                                               \
		}                                                              \
	} while (0)

static void
key_of(int k, struct dp_frag_key *key)
{
	memset(key, 0, sizeof(*key));
	key->src[0] = 0x0a000001u + (uint32_t)(k % 3);
	key->dst[0] = 0x0a000101u;
	key->id = (uint32_t)(k / 3);
	key->l3 = k % 2 ? 6 : 4;
}

static int
key_index(const struct dp_frag_key *key)
{
	struct dp_frag_key x;
	int k;

	for (k = 0; k < KEYS; k++) {
		key_of(k, &x);
		if (memcmp(&x, key, sizeof(x)) == 0)
			return k;
	}
	return -1;
}

/* Entry idx of the table holds exactly model datagram k. */
static void
same_dgram(struct dp_frag_tab *t, uint32_t idx, int k)
{
	struct dp_frag_piece *p;
	uint32_t nb, i;

	CHECK(idx < t->nb);
	CHECK(key_index(&t->d[idx].key) == k);
	p = dp_frag_pieces(t, idx, &nb);
	CHECK(nb == model[k].nb);
	for (i = 0; i < nb; i++) {
		CHECK((uintptr_t)p[i].pkt == model[k].p[i].pkt);
		CHECK(p[i].off == model[k].p[i].off);
		CHECK(p[i].len == model[k].p[i].len);
	}
}

static void
invariants(const struct dp_frag_tab *t)
{
	uint32_t used = 0, held = 0, s, e, n = 0;
	int k;

	for (k = 0; k < KEYS; k++)
		if (model[k].live) {
			used++;
			held += model[k].nb;
		}
	CHECK(t->used == used);
	CHECK(t->held == held);
	for (s = 0; s <= t->mask; s++) {
		uint32_t h;

		e = t->slot[s];
		if (e == 0)
			continue;
		n++;
		CHECK(e - 1 < t->nb);
		CHECK(t->d[e - 1].slot == s);
		k = key_index(&t->d[e - 1].key);
		CHECK(k >= 0 && model[k].live);
		/* reachable: no empty slot from its home up to s */
		for (h = t->d[e - 1].hash & t->mask; h != s;
		     h = (h + 1) & t->mask)
			CHECK(t->slot[h] != 0);
	}
	CHECK(n == used);
}

/* The oldest live model datagram, or -1. */
static int
model_oldest(void)
{
	int k, best = -1;

	for (k = 0; k < KEYS; k++)
		if (model[k].live && !model[k].done &&
		    (best < 0 || model[k].born < model[best].born))
			best = k;
	return best;
}

static void
release(struct dp_frag_tab *t, uint32_t idx, int k)
{
	same_dgram(t, idx, k);
	dp_frag_release(t, idx);
	model[k].live = 0;
	model[k].done = 0;
	model[k].nb = 0;
}

/* What the contract says an offer gives; *dup the duplicated piece. */
static int
model_add(int k, uint32_t off, uint32_t len, int more, uint32_t per,
	  uint32_t *dup, int *why)
{
	struct mdgram *d = &model[k];
	uint32_t end = off + len, i;

	*why = DP_FRAG_WHY_OVERLAP;
	if (len == 0 || end > DP_FRAG_IP_MAX || off % 8 != 0 ||
	    (more && len % 8 != 0))
		return DP_FRAG_BAD;
	if (!d->live)
		return -1; /* new: held or complete */
	if (d->done) {
		for (i = 0; i < d->nb; i++)
			if (d->p[i].off == off && d->p[i].len == len &&
			    d->p[i].more == more) {
				*dup = i;
				return DP_FRAG_DUP;
			}
		return DP_FRAG_LATE;
	}
	for (i = 0; i < d->nb; i++) {
		uint32_t pend = d->p[i].off + d->p[i].len;

		if (d->p[i].off == off && d->p[i].len == len &&
		    d->p[i].more == more) {
			*dup = i;
			return DP_FRAG_DUP;
		}
		if (off < pend && d->p[i].off < end)
			return DP_FRAG_DROP;
	}
	if (d->total != UINT32_MAX && (end > d->total || !more))
		return DP_FRAG_DROP;
	if (!more)
		for (i = 0; i < d->nb; i++)
			if (d->p[i].off + d->p[i].len > end)
				return DP_FRAG_DROP;
	if (d->nb == per) {
		*why = DP_FRAG_WHY_LIMIT;
		return DP_FRAG_DROP;
	}
	return -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint64_t mem[(sizeof(struct dp_frag_dgram) * 8 +
			     sizeof(struct dp_frag_piece) * 64 + 4 * 16) /
				    8 +
			    1];
	struct dp_frag_tab t;
	uint32_t nb, per, timeout;
	uint64_t now = 0;
	uintptr_t handle = 1;
	size_t pos = 3;

	if (size < 3)
		return 0;
	nb = 1 + data[0] % 8;
	per = 1 + data[1] % PER_MAX;
	timeout = 1 + data[2] % 16;
	CHECK(dp_frag_tab_mem(nb, per) <= sizeof(mem));
	CHECK(dp_frag_tab_init(&t, mem, nb, per, timeout, 0x1234) == 0);
	memset(model, 0, sizeof(model));
	births = 0;

	while (pos + 4 <= size) {
		const uint8_t *op = data + pos;
		struct dp_frag_key key;
		struct dp_frag_out out;
		uint32_t idx, off, len, dup = UINT32_MAX;
		int k, more, want, res, why = 0, o;

		pos += 4;
		now += op[0] >> 6;
		if ((op[0] & 0x3f) == 0x3f) {
			now += op[1];
			continue;
		}
		if ((op[0] & 0x3f) == 0x3e) {
			/* end of a burst: the decided datagrams go */
			for (k = 0; k < KEYS; k++)
				if (model[k].done) {
					uint32_t x;

					for (x = 0; x < t.nb; x++)
						if (t.d[x].done &&
						    key_index(&t.d[x].key) == k)
							break;
					CHECK(x < t.nb);
					release(&t, x, k);
				}
			invariants(&t);
			continue;
		}
		/* expired datagrams go first, oldest first */
		while ((idx = dp_frag_oldest(&t, now, 0)) != DP_FRAG_NONE_IDX) {
			o = model_oldest();
			CHECK(o >= 0 && model[o].deadline <= now);
			release(&t, idx, o);
		}
		o = model_oldest();
		CHECK(o < 0 || model[o].deadline > now);

		k = (op[0] & 0x3f) % KEYS;
		off = (uint32_t)(op[1] % 16) * 8;
		len = 1 + op[2] % 48;
		more = op[3] & 1;
		if (op[3] & 2)
			len = (len + 7) & ~7u;
		if ((op[3] & 0x1c) == 0x1c && model[k].live &&
		    model[k].nb > 0) {
			/* an exact copy of a held piece */
			const struct mpiece *c =
				&model[k].p[op[3] >> 5 < model[k].nb
						    ? op[3] >> 5
						    : 0];

			off = c->off;
			len = c->len;
			more = c->more;
		}
		key_of(k, &key);
		want = model_add(k, off, len, more, per, &dup, &why);
		if (want == -1 && !model[k].live && t.used == t.nb)
			want = DP_FRAG_FULL;
		res = dp_frag_add(&t, &key, 0, off, len, more, (void *)handle,
				  0, now, &out);
		if (res == DP_FRAG_FULL) {
			CHECK(want == DP_FRAG_FULL);
			idx = dp_frag_oldest(&t, now, 1);
			o = model_oldest();
			if (o < 0) {
				/* every entry decided in this burst */
				CHECK(idx == DP_FRAG_NONE_IDX);
				handle++;
				invariants(&t);
				continue;
			}
			CHECK(idx != DP_FRAG_NONE_IDX);
			release(&t, idx, o);
			want = model_add(k, off, len, more, per, &dup, &why);
			res = dp_frag_add(&t, &key, 0, off, len, more,
					  (void *)handle, 0, now, &out);
		}
		if (want == -1) {
			struct mdgram *d = &model[k];

			if (!d->live) {
				memset(d, 0, sizeof(*d));
				d->live = 1;
				d->born = births++;
				d->deadline = now + timeout;
				d->total = UINT32_MAX;
			}
			d->p[d->nb++] = (struct mpiece){handle, off, len, more};
			if (!more)
				d->total = off + len;
			{
				uint32_t sum = 0, i;

				for (i = 0; i < d->nb; i++)
					sum += d->p[i].len;
				want = d->total != UINT32_MAX && sum == d->total
					       ? DP_FRAG_COMPLETE
					       : DP_FRAG_HELD;
			}
		}
		CHECK(res == want);
		switch (res) {
		case DP_FRAG_HELD:
			same_dgram(&t, out.idx, k);
			break;
		case DP_FRAG_COMPLETE: {
			/* the pieces tile [0, total) */
			struct dp_frag_piece *p;
			uint32_t n, i, cover = 0, j;

			p = dp_frag_pieces(&t, out.idx, &n);
			for (i = 0; i < n; i++)
				for (j = 0; j < n; j++)
					if (p[j].off == cover) {
						cover += p[j].len;
						break;
					}
			CHECK(cover == model[k].total);
			same_dgram(&t, out.idx, k);
			model[k].done = 1;
			if (op[3] & 0x80)
				release(&t, out.idx, k);
			break;
		}
		case DP_FRAG_DUP:
			CHECK(out.piece == dup);
			same_dgram(&t, out.idx, k);
			break;
		case DP_FRAG_DROP:
			CHECK(out.why == why);
			release(&t, out.idx, k);
			break;
		case DP_FRAG_BAD:
		case DP_FRAG_LATE:
			break;
		default:
			CHECK(0);
		}
		handle++;
		invariants(&t);
	}
	return 0;
}
