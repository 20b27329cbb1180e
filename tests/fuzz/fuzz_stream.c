/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the TCP normalizer's held-bytes store
 * (dataplane/reasm.c, dp_reasm.h). An input is a pool (8 to 64 chunks,
 * 2 to 8 of them a direction for scanned bytes and for bytes ahead) and a
 * run of operations on two directions sharing it: segments behind, at,
 * ahead of and far ahead of the next byte, 1 to 3000 bytes drawn from a
 * per-direction stream with now and then one byte changed;
 * acknowledgements, some past the next byte; FIN drops of the bytes
 * ahead; frees that restart a direction with a new ISN.
 *
 * The oracle is a receiver written here without reasm.c's logic: for
 * each segment the store accepts it keeps the bytes by offset from
 * ISN + 1, first copy wins, and delivers its in-order prefix. After every
 * operation, abort() unless:
 *  (a) the bytes the store fed equal the receiver's delivered ones;
 *  (b) an accepted segment carries the receiver's bytes wherever the store
 *      must still know them: every offset the receiver holds at or above
 *      its highest acknowledgement (below it the receiver has
 *      acknowledged the bytes and discards copies, so they may pass);
 *  (c) the chunks on the lists of both directions and on the free list
 *      are the pool's, each once, in their bounds, holding the receiver's
 *      bytes in sequence order, and dp_rpool_used() counts them; none
 *      after both directions are freed;
 *  and each refusal has its documented cause (a DIFF a differing byte, a
 *  FAR its distance, a FULL or UNV the place it names), and a segment at
 *  the next byte that agrees with everything held is accepted.
 * Built and run by scripts/fuzz (target stream).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp_reasm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NB_CHUNKS_MAX 64
#define WIN	      (1u << 20) /* receiver offsets a direction may use */
#define SEG_MAX	      3000
#define OPS_MAX	      400

/* The receiver of one direction, by offset from ISN + 1. */
struct recv {
	struct dp_rdir d; /* the store's side of it */
	uint32_t isn;
	uint8_t salt;	  /* of its byte stream */
	uint32_t nxt;	  /* offsets [0, nxt) delivered */
	uint32_t acked;	  /* offsets [0, acked) acknowledged */
	uint32_t nb_over; /* bytes held past nxt */
	uint32_t hi;	  /* offsets [0, hi) may be set */
	uint32_t fed;	  /* bytes the store fed */
	uint8_t have[WIN];
	uint8_t buf[WIN];
};

static struct dp_rchunk mem[NB_CHUNKS_MAX];
static struct dp_rpool pool;
static struct recv rv[2];
static uint8_t seg[SEG_MAX];
static uint8_t seen[NB_CHUNKS_MAX];

static void
must(int ok, const char *what)
{
	if (ok)
		return;
	fprintf(stderr, "fuzz_stream: %s\n", what);
	abort();
}

/* The input, read a byte at a time; zeros once it runs out. */
struct in {
	const uint8_t *p;
	size_t n;
};

static uint32_t
get8(struct in *in)
{
	if (in->n == 0)
		return 0;
	in->n--;
	return *in->p++;
}

static uint32_t
get16(struct in *in)
{
	uint32_t v = get8(in);

	return v << 8 | get8(in);
}

static uint32_t
get32(struct in *in)
{
	uint32_t v = get16(in);

	return v << 16 | get16(in);
}

/* Byte off of the sender's stream (its truth). */
static uint8_t
truth(const struct recv *r, uint32_t off)
{
	uint32_t x = (off + 1) * 0x9e3779b1u;

	return (uint8_t)((x >> 24) ^ (x >> 11) ^ r->salt);
}

static void
recv_start(struct recv *r, uint32_t isn, uint8_t salt)
{
	memset(r->have, 0, r->hi);
	r->isn = isn;
	r->salt = salt;
	r->nxt = r->acked = r->nb_over = r->hi = r->fed = 0;
	dp_rdir_init(&r->d);
	r->d.known = 1;
	r->d.next = isn + 1;
}

/* The store's feed: what it scans must be what the receiver delivers. */
static void
feed(void *ctx, const uint8_t *p, uint32_t n)
{
	struct recv *r = ctx;

	must(n > 0, "empty feed");
	must(r->fed + n <= r->nxt, "fed past the receiver's in-order bytes");
	must(memcmp(p, r->buf + r->fed, n) == 0,
	     "fed bytes differ from the receiver's");
	r->fed += n;
}

/*
 * Walk list i of direction r, its chunks in sequence order: in the pool,
 * not seen on another list, 1 to DP_RCHUNK_DATA bytes each holding the
 * receiver's bytes. Returns the chunks and sets *bytes.
 */
static uint32_t
walk(const struct recv *r, uint32_t i, int contiguous, uint32_t *bytes)
{
	uint32_t n = 0, off, prev_end = 0;

	*bytes = 0;
	for (; i != DP_RNIL; i = mem[i].next) {
		const struct dp_rchunk *c = &mem[i];

		must(i < pool.nb, "chunk index outside the pool");
		must(!seen[i], "chunk on two lists");
		seen[i] = 1;
		must(c->len >= 1 && c->len <= DP_RCHUNK_DATA, "chunk length");
		off = c->seq - (r->isn + 1);
		must(off < WIN && off + c->len <= r->hi,
		     "chunk outside stream");
		if (n > 0)
			must(contiguous ? off == prev_end : off >= prev_end,
			     contiguous ? "held bytes with a hole"
					: "ahead chunks out of order");
		must(memcmp(c->data, r->buf + off, c->len) == 0,
		     "held bytes differ from the receiver's");
		for (uint32_t k = 0; k < c->len; k++)
			must(r->have[off + k], "held a byte not accepted");
		prev_end = off + c->len;
		*bytes += c->len;
		n++;
	}
	return n;
}

/* (c) and the lists' shape, after every operation. */
static void
check_pool(void)
{
	uint32_t total = 0, nfree = 0, i, n, bytes, first;
	int k;

	memset(seen, 0, sizeof(seen));
	for (k = 0; k < 2; k++) {
		struct recv *r = &rv[k];

		must(r->d.next == r->isn + 1 + r->nxt,
		     "next is not the receiver's");
		must(r->fed == r->nxt, "fed fewer bytes than delivered");
		n = walk(r, r->d.held, 1, &bytes);
		must(n == r->d.nb_held && n <= pool.held_max, "held count");
		if (n > 0) {
			first = mem[r->d.held].seq - (r->isn + 1);
			must(first + bytes == r->nxt, "held bytes end at next");
			must(mem[r->d.held_tail].next == DP_RNIL,
			     "held tail not last");
		} else {
			must(r->d.held_tail == DP_RNIL, "tail of nothing");
		}
		total += n;
		n = walk(r, r->d.ahead, 0, &bytes);
		must(n == r->d.nb_ahead && n <= pool.ahead_max, "ahead count");
		if (n > 0)
			must(mem[r->d.ahead].seq - (r->isn + 1) > r->nxt,
			     "ahead bytes not past next");
		must(bytes == r->nb_over, "ahead bytes are not those accepted");
		total += n;
	}
	for (i = pool.free; i != DP_RNIL; i = mem[i].next) {
		must(i < pool.nb && !seen[i], "free list");
		seen[i] = 1;
		nfree++;
	}
	must(nfree == pool.nb_free, "free count");
	must(total + nfree == pool.nb, "chunks lost");
	must(dp_rpool_used(&pool) == total && total <= pool.nb, "used count");
}

/*
 * Accept [s, s + len) into the receiver, first copy wins, and deliver its
 * in-order prefix. Returns whether bytes held past nxt before were
 * delivered (the store joined chunks it held ahead).
 */
static int
recv_take(struct recv *r, uint32_t s, const uint8_t *p, uint32_t len)
{
	uint32_t o, old_nxt = r->nxt, added = 0;

	for (o = s; o < s + len; o++)
		if (!r->have[o]) {
			r->have[o] = 1;
			r->buf[o] = p[o - s];
			if (o >= r->nxt) {
				r->nb_over++;
				added++;
			}
		}
	if (s + len > r->hi)
		r->hi = s + len;
	while (r->nxt < r->hi && r->have[r->nxt]) {
		r->nxt++;
		r->nb_over--;
	}
	/* from the next byte on, every byte it added was delivered */
	return s <= old_nxt && r->nxt - old_nxt > added;
}

static void
op_segment(struct in *in, struct recv *r)
{
	const uint32_t bound = (uint32_t)pool.ahead_max * DP_RCHUNK_DATA;
	uint32_t where = get8(in) % 8, k = get16(in), len, s, e, o, alter, need;
	int diff = 0, joined, agree = 1;
	struct dp_rdir before;
	enum dp_rverdict v;

	switch (where) {
	case 0:
	case 1:
		s = r->nxt;
		break;
	case 2:
		s = r->nxt + k % 64;
		break;
	case 3:
	case 4:
		s = r->nxt > k % 8192 ? r->nxt - k % 8192 : 0;
		break;
	case 5:
		s = r->nxt + 1 + k % (bound + 512);
		break;
	case 6:
		s = r->nxt + bound - 1000 + k % 4000;
		break;
	default:
		s = r->nxt + (k & 0xff) * 64;
		break;
	}
	len = 1 + get16(in) % SEG_MAX;
	if (get8(in) & 1)
		len = 1 + len % 16;
	if (s + len > WIN)
		return;
	e = s + len;
	for (o = s; o < e; o++)
		seg[o - s] = truth(r, o);
	alter = get8(in);
	if ((alter & 0xe0) == 0xe0)
		seg[get16(in) % len] ^= (uint8_t)(alter | 1);
	for (o = s; o < e; o++)
		if (r->have[o] && r->buf[o] != seg[o - s]) {
			if (o >= r->nxt)
				agree = 0;
			diff = 1;
		}

	before = r->d;
	v = dp_reasm_check(&pool, &r->d, r->isn + 1 + s, seg, len);
	must(memcmp(&before, &r->d, sizeof(before)) == 0, "check changed d");
	switch (v) {
	case DP_R_OK:
		/* (b) what the receiver holds unacknowledged was compared */
		for (o = s > r->acked ? s : r->acked; o < e; o++)
			must(!r->have[o] || r->buf[o] == seg[o - s],
			     "accepted bytes differ from held ones");
		break;
	case DP_R_DIFF:
		must(diff, "DIFF with the receiver's bytes");
		break;
	case DP_R_UNV:
		must(s < r->nxt && e > r->acked,
		     "UNV with no unacknowledged old byte");
		break;
	case DP_R_FULL:
		must(s > r->nxt, "FULL for a segment not ahead");
		/* with nothing held ahead, the room it needs must lack */
		need = (len + DP_RCHUNK_DATA - 1) / DP_RCHUNK_DATA;
		must(r->nb_over > 0 || need > pool.ahead_max ||
			     need > pool.nb_free,
		     "FULL with nothing held ahead and room");
		break;
	case DP_R_FAR:
		must(s > r->nxt && e > r->nxt + bound, "FAR within the bound");
		break;
	default:
		must(0, "unknown verdict");
	}
	must(v == DP_R_FAR || !(s > r->nxt && e > r->nxt + bound),
	     "far segment not FAR");
	must(s != r->nxt || !agree || v == DP_R_OK,
	     "in-order segment agreeing with held bytes refused");
	if (v != DP_R_OK)
		return;
	joined = recv_take(r, s, seg, len);
	must((dp_reasm_take(&pool, &r->d, r->isn + 1 + s, seg, len, feed, r) >
	      0) == joined,
	     "joined held chunks");
}

static void
op_ack(struct in *in, struct recv *r)
{
	uint32_t k = get16(in), a;

	if (k & 0x8000) {
		/* past the next byte: ignored by the store */
		dp_reasm_ack(&pool, &r->d, r->isn + 1 + r->nxt + 1 + k % 5000);
		return;
	}
	a = r->nxt > k % 4096 ? r->nxt - k % 4096 : 0;
	dp_reasm_ack(&pool, &r->d, r->isn + 1 + a);
	if (a > r->acked)
		r->acked = a;
}

/* A FIN before a gap: the receiver forgets what came past it. */
static void
op_drop_ahead(struct recv *r)
{
	uint32_t o;

	dp_reasm_drop_ahead(&pool, &r->d);
	for (o = r->nxt; o < r->hi; o++)
		r->have[o] = 0;
	r->nb_over = 0;
	r->hi = r->nxt;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = {data, size};
	uint32_t nb, held_max, ahead_max, op, n, i;
	struct recv *r;

	nb = 8 + get8(&in) % (NB_CHUNKS_MAX - 7);
	held_max = 2 + get8(&in) % 7;
	ahead_max = 2 + get8(&in) % 7;
	memset(mem, 0xa5, sizeof(mem));
	dp_rpool_init(&pool, mem, nb, (uint8_t)held_max, (uint8_t)ahead_max);
	recv_start(&rv[0], get32(&in), 0);
	recv_start(&rv[1], get32(&in), 0x3c);
	check_pool();

	for (n = 0; n < OPS_MAX && in.n > 0; n++) {
		op = get8(&in);
		r = &rv[op & 1];
		switch ((op >> 1) % 16) {
		case 10:
		case 11:
		case 12:
			op_ack(&in, r);
			break;
		case 13:
			op_drop_ahead(r);
			break;
		case 14:
			dp_reasm_free(&pool, &r->d);
			recv_start(r, get32(&in), (uint8_t)get8(&in));
			break;
		case 15:
			/* a run of small in-order segments */
			for (i = get8(&in) % 32 + 1; i > 0; i--) {
				/* at next, 1 + i % 8 bytes, unchanged */
				const uint8_t b[6] = {0, 0, 0, 0,
						      (uint8_t)(i & 7)};
				struct in one = {b, sizeof(b)};

				op_segment(&one, r);
			}
			break;
		default:
			op_segment(&in, r);
			break;
		}
		check_pool();
	}
	dp_reasm_free(&pool, &rv[0].d);
	dp_reasm_free(&pool, &rv[1].d);
	must(dp_rpool_used(&pool) == 0, "chunks left after freeing all");
	recv_start(&rv[0], 0, 0);
	recv_start(&rv[1], 0, 0);
	return 0;
}
