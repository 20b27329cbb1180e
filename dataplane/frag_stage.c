/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IP reassembly stage (docs/architecture.md, "IP fragments"). A
 * fragment leaves its burst and is held, the original frame, in the
 * worker's fragment table (frag.c), which refuses overlaps (RFC 5722; for
 * IPv4 as an attack), drops an exact duplicate alone, bounds and times
 * out what it holds. When a fragment completes its datagram, copies of
 * the held fragments (at most DP_FRAG_RUNS runs of them) are handed to
 * DPDK's rte_ip_frag, which rebuilds the datagram; it is decoded and
 * classified by the later stages in the completing fragment's slot, and
 * the verdict then applies to every original fragment: all forwarded
 * unchanged in arrival order, or all dropped.
 *
 * rte_ip_frag never sees an original nor holds a datagram between bursts
 * (docs/architecture.md, "How rte_ip_frag is used"): it consumes and
 * rewrites the fragments it is given, a full table of its own would refuse
 * new datagrams for a whole timeout, an exact duplicate would drop its
 * datagram, it takes 8 fragments a datagram, and it cannot rebuild an
 * IPv6 datagram whose fragment header follows other extension headers:
 * those are put back here.
 *
 * Worker lcore only, but dp_frag_init() and dp_frag_fini(): no allocation
 * but mempool gets, no locks, syscalls or logging.
 */
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_ip_frag.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_random.h>

#include "dp.h"

#define IP6_HLEN      40
#define IP6_EXT_MAX   DP_IP6_EXT_MAX
#define IPPROTO_FRAG  44
#define DP_FRAG_CACHE 32 /* mbufs of the reassembly pool's lcore cache */

_Static_assert(DP_FRAG_RUNS <= RTE_LIBRTE_IP_FRAG_MAX_FRAG,
	       "rte_ip_frag takes fewer fragments than DP_FRAG_RUNS");

int
dp_frag_init(struct dp_worker *w, const struct dp_config *cfg, int socket)
{
	struct dp_frag_state *f = &w->frag;
	char name[RTE_MEMPOOL_NAMESIZE];
	size_t mem;
	unsigned int i;

	for (i = 0; i < DP_BURST; i++)
		f->slot[i] = DP_FRAG_NONE_IDX;
	if (cfg->frag_dgrams == 0)
		return 0;
	mem = dp_frag_tab_mem(cfg->frag_dgrams, cfg->frag_per);
	f->mem =
		rte_zmalloc_socket("bw_frag", mem, RTE_CACHE_LINE_SIZE, socket);
	if (f->mem == NULL)
		return -1;
	f->timeout_tsc = rte_get_tsc_hz() / 1000 * cfg->frag_ms;
	if (dp_frag_tab_init(&f->tab, f->mem, cfg->frag_dgrams, cfg->frag_per,
			     f->timeout_tsc, rte_rand()) != 0)
		goto fail;
	snprintf(name, sizeof(name), "bw_frag%u", w->id);
	/* one lcore takes and gives: a cache spares the ring's atomics */
	f->pool = rte_pktmbuf_pool_create(name, DP_FRAG_POOL, DP_FRAG_CACHE, 0,
					  DP_FRAG_SEG + RTE_PKTMBUF_HEADROOM,
					  socket);
	if (f->pool == NULL)
		goto fail;
	/*
	 * rte_ip_frag's table gets one datagram at a time, whole: one entry
	 * in use at most. Its clock (f->gen) moves 2 per datagram with a
	 * lifetime of 1, so an entry it kept (a rebuild that failed half
	 * way) is stale at the next rebuild, which frees it: the same key
	 * reuses it, another finds the table full and takes the oldest
	 * entry, stale (ip_frag_find())
	 */
	f->rte_tbl = rte_ip_frag_table_create(1, 2, 1, 1, socket);
	f->death = rte_zmalloc_socket("bw_frag_dr", sizeof(*f->death),
				      RTE_CACHE_LINE_SIZE, socket);
	if (f->rte_tbl == NULL || f->death == NULL)
		goto fail;
	f->on = 1;
	return 0;
fail:
	if (f->rte_tbl != NULL)
		rte_ip_frag_table_destroy(f->rte_tbl);
	rte_free(f->death);
	rte_mempool_free(f->pool);
	rte_free(f->mem);
	f->rte_tbl = NULL;
	f->death = NULL;
	f->pool = NULL;
	f->mem = NULL;
	return -1;
}

void
dp_frag_fini(struct dp_worker *w)
{
	struct dp_frag_state *f = &w->frag;

	if (!f->on)
		return;
	/* the worker dropped what it held when it stopped */
	rte_ip_frag_table_destroy(f->rte_tbl);
	rte_ip_frag_free_death_row(f->death, 0);
	rte_free(f->death);
	rte_mempool_free(f->pool);
	rte_free(f->mem);
	f->on = 0;
}

static void
gauges(struct dp_worker *w)
{
	struct bw_worker_stats *st = w->st;

	__atomic_store_n(&st->frag[BW_FRAG_HELD_NOW], w->frag.tab.held,
			 __ATOMIC_RELAXED);
	__atomic_store_n(&st->frag[BW_FRAG_DGRAM_NOW], w->frag.tab.used,
			 __ATOMIC_RELAXED);
}

/* Free the held fragments of entry idx as drops for reason r, forget it. */
static void
dgram_drop(struct dp_worker *w, uint32_t idx, uint8_t r, int counter)
{
	struct bw_worker_stats *st = w->st;
	struct dp_frag_piece *p;
	uint64_t bytes = 0;
	uint32_t k, nb;

	p = dp_frag_pieces(&w->frag.tab, idx, &nb);
	if (nb != 0)
		dp_events_frag_drop(w, p[0].pkt, r);
	for (k = 0; k < nb; k++) {
		struct rte_mbuf *m = p[k].pkt;

		bytes += m->pkt_len;
		rte_pktmbuf_free(m);
	}
	dp_frag_release(&w->frag.tab, idx);
	dp_cnt_add(&st->reason_drop_pkts[r], nb);
	dp_cnt_add(&st->drop_pkts, nb);
	dp_cnt_add(&st->drop_bytes, bytes);
	dp_cnt_add(&st->frag[counter], 1);
}

void
dp_frag_expire(struct dp_worker *w, uint64_t now, int all)
{
	uint32_t idx;
	int any = 0;

	if (!w->frag.on)
		return;
	while ((idx = dp_frag_oldest(&w->frag.tab, now, all)) !=
	       DP_FRAG_NONE_IDX) {
		dgram_drop(w, idx, BW_REASON_IP_FRAG_TIMEOUT, BW_FRAG_TIMEOUT);
		any = 1;
	}
	if (any)
		gauges(w);
}

/* Byte off of m, or -1 past its end. */
static inline int
byte_at(const struct rte_mbuf *m, uint32_t off)
{
	uint8_t b;
	const uint8_t *p;

	if (off >= m->pkt_len)
		return -1;
	p = rte_pktmbuf_read(m, off, 1, &b);
	return p == NULL ? -1 : *p;
}

/*
 * The IPv6 fragment header of m (decoded as pi): its offset *fh, and the
 * offset *nhf of the next-header field that names it. 0, or -1.
 */
static int
ip6_frag_hdr(const struct rte_mbuf *m, const struct dp_pkt *pi, uint32_t *fh,
	     uint32_t *nhf)
{
	uint32_t pos = pi->l3_off + IP6_HLEN, field = pi->l3_off + 6;
	unsigned int k;
	int nh = byte_at(m, field);

	for (k = 0; k <= IP6_EXT_MAX && nh >= 0; k++) {
		int len;

		if (nh == IPPROTO_FRAG) {
			*fh = pos;
			*nhf = field;
			return 0;
		}
		/* decode.c walked this chain: only extension headers here */
		len = byte_at(m, pos + 1);
		if (len < 0)
			return -1;
		field = pos;
		nh = byte_at(m, pos);
		pos += nh == 51 ? ((uint32_t)len + 2) * 4
				: ((uint32_t)len + 1) * 8;
	}
	return -1;
}

/*
 * Where the fragmentable data of fragment m starts (*hoff), its length,
 * offset and more flag; the IPv4 protocol. 0, or -1 when m's headers say
 * otherwise than the decoder found.
 */
static int
frag_place(const struct rte_mbuf *m, const struct dp_pkt *pi, uint32_t *hoff,
	   uint32_t *len, uint32_t *off, int *more, uint8_t *proto)
{
	uint32_t end = pi->l3_off + pi->l3_len, fh, nhf;
	int b0, b6, b;

	if (pi->l3 == DP_L3_IPV4) {
		b0 = byte_at(m, pi->l3_off);
		b6 = byte_at(m, pi->l3_off + 6);
		b = byte_at(m, pi->l3_off + 9);
		if (b0 < 0 || b6 < 0 || b < 0)
			return -1;
		*hoff = pi->l3_off + (uint32_t)(b0 & 0x0f) * 4;
		*more = (b6 & 0x20) != 0;
		*proto = (uint8_t)b;
	} else {
		if (ip6_frag_hdr(m, pi, &fh, &nhf) != 0)
			return -1;
		b = byte_at(m, fh + 3);
		if (b < 0)
			return -1;
		*hoff = fh + 8;
		*more = (b & 1) != 0;
		*proto = 0;
	}
	if (*hoff > end || end > m->pkt_len)
		return -1;
	*len = end - *hoff;
	*off = pi->frag_off;
	return 0;
}

/* Copy len bytes at off of chain m to dst, segment by segment. */
static inline void
copy_out(const struct rte_mbuf *m, uint32_t off, uint32_t len, uint8_t *dst)
{
	while (m != NULL && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	while (len > 0 && m != NULL) {
		uint32_t n = RTE_MIN(len, (uint32_t)m->data_len - off);

		memcpy(dst, rte_pktmbuf_mtod_offset(m, const uint8_t *, off),
		       n);
		dst += n;
		len -= n;
		off = 0;
		m = m->next;
	}
}

/* An mbuf chain of the reassembly pool, written from its start. */
struct wchain {
	struct rte_mempool *mp;
	struct rte_mbuf *head;
	struct rte_mbuf *tail;
};

/* Start c. 0, or -1 (the pool is empty). */
static int
wchain_start(struct wchain *c, struct rte_mempool *mp)
{
	c->mp = mp;
	c->head = c->tail = rte_pktmbuf_alloc(mp);
	return c->head == NULL ? -1 : 0;
}

/* Append len bytes of m at off to c. 0, or -1 (the pool is empty). */
static int
wchain_put(struct wchain *c, const struct rte_mbuf *m, uint32_t off,
	   uint32_t len)
{
	while (len > 0) {
		struct rte_mbuf *t = c->tail;
		uint32_t n = rte_pktmbuf_tailroom(t);

		if (n == 0) {
			t = rte_pktmbuf_alloc(c->mp);
			if (t == NULL)
				return -1;
			c->tail->next = t;
			c->tail = t;
			c->head->nb_segs++;
			n = rte_pktmbuf_tailroom(t);
		}
		n = RTE_MIN(n, len);
		copy_out(m, off, n,
			 rte_pktmbuf_mtod_offset(t, uint8_t *, t->data_len));
		t->data_len = (uint16_t)(t->data_len + n);
		c->head->pkt_len += n;
		off += n;
		len -= n;
	}
	return 0;
}

/* A datagram to rebuild: its first fragment and where its headers lie. */
struct rebuild {
	const struct rte_mbuf *m0; /* the fragment at offset 0 */
	uint32_t l3_off;
	uint32_t hdr; /* the datagram's data start: L2, IP, extensions */
	uint32_t fh;  /* IPv6: the fragment header's offset in m0 */
	uint32_t nhf; /* IPv6: the next-header field naming it */
	uint32_t ext; /* IPv6: bytes of extension headers before it */
	uint8_t v6;
};

/*
 * A copy of the held pieces order[a..b) (adjacent) as one fragment for
 * rte_ip_frag: the headers of the fragment at offset 0 (IPv6: its fixed
 * header and fragment header, without the extension headers between:
 * rte_ip_frag takes none), offset and more flag of the run, then the
 * run's data.
 */
static struct rte_mbuf *
run_copy(struct dp_worker *w, const struct rebuild *rb,
	 const struct dp_frag_piece *p, const uint8_t *order, uint32_t a,
	 uint32_t b, int last)
{
	const struct rte_mbuf *m0 = rb->m0;
	uint32_t off = p[order[a]].off, len = 0, k, ch;
	struct wchain c;
	uint8_t *ip;

	for (k = a; k < b; k++)
		len += p[order[k]].len;
	if (wchain_start(&c, w->frag.pool) != 0)
		return NULL;
	if (rb->v6) {
		ch = rb->l3_off + IP6_HLEN + 8;
		if (wchain_put(&c, m0, 0, rb->l3_off + IP6_HLEN) != 0 ||
		    wchain_put(&c, m0, rb->fh, 8) != 0)
			goto fail;
	} else {
		ch = rb->hdr;
		if (wchain_put(&c, m0, 0, ch) != 0)
			goto fail;
	}
	for (k = a; k < b; k++)
		if (wchain_put(&c, p[order[k]].pkt, p[order[k]].hoff,
			       p[order[k]].len) != 0)
			goto fail;
	/* the headers lie in the first segment: rb->hdr + 8 <= DP_FRAG_SEG */
	ip = rte_pktmbuf_mtod_offset(c.head, uint8_t *, rb->l3_off);
	if (rb->v6) {
		uint32_t pl = 8 + len;

		ip[4] = (uint8_t)(pl >> 8);
		ip[5] = (uint8_t)pl;
		ip[6] = IPPROTO_FRAG;
		ip[IP6_HLEN + 2] = (uint8_t)(off >> 8);
		ip[IP6_HLEN + 3] = (uint8_t)((off & 0xf8) | (last ? 0 : 1));
	} else {
		uint32_t tl = ch - rb->l3_off + len;
		uint32_t field = (uint32_t)(ip[6] & 0xc0) << 8 |
				 (last ? 0 : 0x2000) | off >> 3;

		ip[2] = (uint8_t)(tl >> 8);
		ip[3] = (uint8_t)tl;
		ip[6] = (uint8_t)(field >> 8);
		ip[7] = (uint8_t)field;
	}
	c.head->l2_len = rb->l3_off;
	c.head->l3_len = ch - rb->l3_off;
	return c.head;
fail:
	rte_pktmbuf_free(c.head);
	return NULL;
}

/*
 * Hand the runs of datagram idx to rte_ip_frag in offset order: the last
 * gives the datagram, or nothing when it disagreed (then NULL: what it
 * took is freed).
 */
static struct rte_mbuf *
rte_rebuild(struct dp_worker *w, const struct rebuild *rb,
	    const struct dp_frag_piece *p, const uint8_t *order, uint32_t nb)
{
	struct dp_frag_state *f = &w->frag;
	uint32_t runs = RTE_MIN(nb, (uint32_t)DP_FRAG_RUNS), k, a = 0;
	struct rte_mbuf *r = NULL;

	f->gen += 2;
	for (k = 0; k < runs; k++) {
		/* nb / runs pieces a run, one more for the first nb % runs */
		uint32_t b = a + nb / runs + (k < nb % runs);
		struct rte_mbuf *mc;
		uint8_t *ip;

		if (r != NULL)
			break;
		mc = run_copy(w, rb, p, order, a, b, k + 1 == runs);
		if (mc == NULL)
			break;
		ip = rte_pktmbuf_mtod_offset(mc, uint8_t *, rb->l3_off);
		if (rb->v6)
			r = rte_ipv6_frag_reassemble_packet(
				f->rte_tbl, f->death, mc, f->gen,
				(struct rte_ipv6_hdr *)ip,
				(struct rte_ipv6_fragment_ext *)(ip +
								 IP6_HLEN));
		else
			r = rte_ipv4_frag_reassemble_packet(
				f->rte_tbl, f->death, mc, f->gen,
				(struct rte_ipv4_hdr *)ip);
		a = b;
	}
	if (k < runs && r != NULL) {
		/* a datagram before its last run: not the one frag.c has */
		rte_pktmbuf_free(r);
		r = NULL;
	}
	rte_ip_frag_free_death_row(f->death, 0);
	return r;
}

/*
 * Build datagram idx, completed by the fragment decoded as pi0: order its
 * pieces, have rte_ip_frag rebuild it from copies, lay it out for the
 * decoder and put back what rte_ip_frag leaves out. Returns it, or NULL
 * (a bound: *why set).
 */
static struct rte_mbuf *
build(struct dp_worker *w, uint32_t idx, const struct dp_pkt *pi0, uint8_t *why)
{
	struct dp_frag_tab *t = &w->frag.tab;
	uint8_t order[DP_FRAG_PER_DGRAM_MAX];
	struct dp_frag_piece *p;
	struct rebuild rb;
	struct rte_mbuf *r;
	struct wchain c;
	struct dp_pkt d0;
	uint32_t nb, k, j, split;
	uint32_t total = t->d[idx].total;
	uint8_t *h, *ip;

	*why = BW_REASON_IP_FRAG_LIMIT;
	p = dp_frag_pieces(t, idx, &nb);
	if (nb < 2)
		return NULL; /* not a fragmented datagram: frag.c never says */
	/* arrival order to offset order (at most 64: insertion sort) */
	for (k = 0; k < nb; k++) {
		for (j = k; j > 0 && p[order[j - 1]].off > p[k].off; j--)
			order[j] = order[j - 1];
		order[j] = (uint8_t)k;
	}
	memset(&rb, 0, sizeof(rb));
	rb.m0 = p[order[0]].pkt;
	/* the first fragment's headers, as the decoder saw them */
	dp_decode(rte_pktmbuf_mtod(rb.m0, const uint8_t *), rb.m0->data_len,
		  rb.m0->pkt_len, pi0->dir, &d0);
	rb.l3_off = d0.l3_off;
	if (d0.l3 == DP_L3_IPV4) {
		rb.hdr = p[order[0]].hoff;
		if (rb.hdr - d0.l3_off + total > DP_FRAG_IP_MAX)
			return NULL;
	} else {
		if (d0.l3 != DP_L3_IPV6 ||
		    ip6_frag_hdr(rb.m0, &d0, &rb.fh, &rb.nhf) != 0)
			return NULL;
		rb.v6 = 1;
		rb.hdr = rb.fh;
		rb.ext = rb.fh - d0.l3_off - IP6_HLEN;
		if (rb.hdr - d0.l3_off - IP6_HLEN + total > DP_FRAG_IP_MAX)
			return NULL;
	}
	/* the copies' headers fit their first segment; mbuf l2_len: 7 bits */
	if (rb.hdr + 8 > DP_FRAG_SEG || rb.l3_off > 127)
		return NULL;
	r = rte_rebuild(w, &rb, p, order, nb);
	if (r == NULL)
		return NULL;
	/*
	 * Its datagram, in segments of DP_FRAG_SEG (the decoder reads the
	 * headers from the first; a first fragment may be short), with the
	 * IPv6 extension headers before the fragment header put back
	 */
	split = rb.l3_off + (rb.v6 ? IP6_HLEN : 0);
	if (r->pkt_len != rb.hdr - rb.ext + total ||
	    wchain_start(&c, w->frag.pool) != 0) {
		rte_pktmbuf_free(r);
		return NULL;
	}
	if (wchain_put(&c, r, 0, split) != 0 ||
	    wchain_put(&c, rb.m0, split, rb.ext) != 0 ||
	    wchain_put(&c, r, split, r->pkt_len - split) != 0) {
		rte_pktmbuf_free(c.head);
		rte_pktmbuf_free(r);
		return NULL;
	}
	rte_pktmbuf_free(r);
	h = rte_pktmbuf_mtod(c.head, uint8_t *);
	ip = h + rb.l3_off;
	if (rb.v6) {
		uint32_t len = total + rb.ext;
		/* rte_ip_frag wrote the fragment's next header in the fixed
		 * header: it belongs where the fragment header was named */
		int nh = ip[6];

		ip[6] = (uint8_t)byte_at(rb.m0, rb.l3_off + 6);
		h[rb.nhf] = (uint8_t)nh;
		ip[4] = (uint8_t)(len >> 8);
		ip[5] = (uint8_t)len;
	} else {
		struct rte_ipv4_hdr *ih = (struct rte_ipv4_hdr *)ip;

		/* it clears the reserved bit: the datagram keeps the first
		 * fragment's; it leaves the checksum to the NIC */
		ip[6] = (uint8_t)((ip[6] & 0x7f) |
				  (byte_at(rb.m0, rb.l3_off + 6) & 0x80));
		ih->hdr_checksum = 0;
		ih->hdr_checksum = rte_ipv4_cksum(ih);
	}
	return c.head;
}

/* Are the data of fragment m and held piece q the same bytes? */
static int
same_data(const struct rte_mbuf *m, uint32_t hoff,
	  const struct dp_frag_piece *q)
{
	uint8_t a[256], b[256];
	uint32_t done = 0;

	while (done < q->len) {
		uint32_t n = RTE_MIN(q->len - done, (uint32_t)sizeof(a));
		const uint8_t *x = rte_pktmbuf_read(m, hoff + done, n, a);
		const uint8_t *y =
			rte_pktmbuf_read(q->pkt, q->hoff + done, n, b);

		if (x == NULL || y == NULL || memcmp(x, y, n) != 0)
			return 0;
		done += n;
	}
	return 1;
}

/* Slot i now holds datagram idx: build, decode, policy. */
static void
complete(struct dp_worker *w, struct rte_mbuf **pkts, uint16_t i, uint32_t idx)
{
	struct dp_pkt *pi = &w->info[i];
	struct rte_mbuf *r;
	uint8_t why;
	int reason;

	r = build(w, idx, pi, &why);
	if (r == NULL) {
		dgram_drop(w, idx, why, BW_FRAG_LIMIT);
		w->verdict[i] = DP_VERDICT_HELD; /* freed with its datagram */
		return;
	}
	pkts[i] = r;
	w->frag.slot[i] = idx;
	w->frag.nb_done++;
	dp_cnt_add(&w->st->frag[BW_FRAG_REASSEMBLED], 1);
	/* the whole datagram, tunnels decapsulated as on the port */
	reason =
		dp_decode_with(rte_pktmbuf_mtod(r, const uint8_t *),
			       r->data_len, r->pkt_len, pi->dir, w->decode, pi);
	if (unlikely(pi->depth != 0))
		dp_tunnel_count(w->st, pi);
	w->verdict[i] = DP_VERDICT_PASS;
	if (unlikely(reason != BW_REASON_NONE)) {
		if (w->malformed_drop[reason]) {
			w->verdict[i] = (uint8_t)reason;
		} else {
			dp_cnt_add(&w->st->reason_pass_pkts[reason], 1);
			dp_cnt_add(&w->st->anomaly_pass_pkts, 1);
		}
	}
}

void
dp_frag_stage(struct dp_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	struct dp_frag_state *f = &w->frag;
	uint64_t now = rte_rdtsc();
	uint16_t i;

	f->nb_done = 0;
	dp_frag_expire(w, now, 0);
	for (i = 0; i < n; i++) {
		struct dp_pkt *pi = &w->info[i];
		struct rte_mbuf *m = pkts[i];
		struct dp_frag_key k;
		struct dp_frag_out out;
		uint32_t hoff, len, off;
		uint8_t proto;
		int more, res;

		f->slot[i] = DP_FRAG_NONE_IDX;
		if (likely(pi->frag == DP_FRAG_NONE) ||
		    w->verdict[i] != DP_VERDICT_PASS ||
		    (pi->l3 != DP_L3_IPV4 && pi->l3 != DP_L3_IPV6))
			continue;
		if (unlikely(pi->depth != 0)) {
			/*
			 * a fragment inside a tunnel: reassembly rebuilds one
			 * IP header, not the levels around it (docs/
			 * architecture.md, "IP fragments")
			 */
			if (w->malformed_drop[BW_REASON_TUN_FRAG]) {
				w->verdict[i] = BW_REASON_TUN_FRAG;
			} else {
				dp_cnt_add(&w->st->reason_pass_pkts
						    [BW_REASON_TUN_FRAG],
					   1);
				dp_cnt_add(&w->st->anomaly_pass_pkts, 1);
			}
			continue;
		}
		if (frag_place(m, pi, &hoff, &len, &off, &more, &proto) != 0)
			goto bad;
		memset(&k, 0, sizeof(k));
		memcpy(k.src, pi->src.a8, sizeof(k.src));
		memcpy(k.dst, pi->dst.a8, sizeof(k.dst));
		k.id = pi->frag_id;
		k.l3 = pi->l3;
		/* fragments of another port (another pair, the other side)
		 * never join: the datagram's fragments leave on one port */
		k.port = m->port;
		res = dp_frag_add(&f->tab, &k, proto, off, len, more, m, hoff,
				  now, &out);
		if (res == DP_FRAG_FULL) {
			/* the oldest incomplete datagram makes room (counted);
			 * none when every entry completed in this burst */
			uint32_t old = dp_frag_oldest(&f->tab, now, 1);

			if (old == DP_FRAG_NONE_IDX) {
				w->verdict[i] = BW_REASON_IP_FRAG_LIMIT;
				continue;
			}
			dgram_drop(w, old, BW_REASON_IP_FRAG_LIMIT,
				   BW_FRAG_LIMIT);
			res = dp_frag_add(&f->tab, &k, proto, off, len, more, m,
					  hoff, now, &out);
		}
		switch (res) {
		case DP_FRAG_HELD:
			w->verdict[i] = DP_VERDICT_HELD;
			dp_cnt_add(&w->st->frag[BW_FRAG_HELD], 1);
			break;
		case DP_FRAG_COMPLETE:
			dp_cnt_add(&w->st->frag[BW_FRAG_HELD], 1);
			complete(w, pkts, i, out.idx);
			break;
		case DP_FRAG_DUP: {
			uint32_t nb;
			struct dp_frag_piece *p =
				dp_frag_pieces(&f->tab, out.idx, &nb);

			if (same_data(m, hoff, &p[out.piece])) {
				w->verdict[i] = BW_REASON_IP_FRAG_DUP;
				dp_cnt_add(&w->st->frag[BW_FRAG_DUP], 1);
				break;
			}
			w->verdict[i] = BW_REASON_IP_FRAG_OVERLAP;
			/* a datagram decided in this burst stays decided */
			if (!f->tab.d[out.idx].done)
				dgram_drop(w, out.idx,
					   BW_REASON_IP_FRAG_OVERLAP,
					   BW_FRAG_OVERLAP);
			break;
		}
		case DP_FRAG_LATE:
			/* other bytes for a datagram decided in this burst */
			w->verdict[i] = BW_REASON_IP_FRAG_OVERLAP;
			break;
		case DP_FRAG_DROP:
			if (out.why == DP_FRAG_WHY_LIMIT) {
				w->verdict[i] = BW_REASON_IP_FRAG_LIMIT;
				dgram_drop(w, out.idx, BW_REASON_IP_FRAG_LIMIT,
					   BW_FRAG_LIMIT);
			} else {
				w->verdict[i] = BW_REASON_IP_FRAG_OVERLAP;
				dgram_drop(w, out.idx,
					   BW_REASON_IP_FRAG_OVERLAP,
					   BW_FRAG_OVERLAP);
			}
			break;
		default:
			goto bad;
		}
		continue;
	bad:
		/* a fragment the decoder passed by policy stays per packet */
		if (pi->reason == BW_REASON_NONE)
			w->verdict[i] = pi->l3 == DP_L3_IPV4
						? BW_REASON_IP4_FRAG
						: BW_REASON_IP6_FRAG;
	}
	gauges(w);
}

void
dp_frag_settle(struct dp_worker *w, struct rte_mbuf **pkts, uint16_t i,
	       uint8_t v, struct rte_mbuf **pass, uint16_t *np,
	       struct rte_mbuf **drop, uint16_t *nd)
{
	struct bw_worker_stats *st = w->st;
	uint32_t idx = w->frag.slot[i], nb, k;
	struct dp_frag_piece *p = dp_frag_pieces(&w->frag.tab, idx, &nb);
	uint64_t bytes = 0;

	if (v == DP_VERDICT_PASS || v == DP_VERDICT_ALLOW) {
		for (k = 0; k < nb; k++)
			pass[(*np)++] = p[k].pkt;
	} else {
		for (k = 0; k < nb; k++) {
			struct rte_mbuf *m = p[k].pkt;

			bytes += m->pkt_len;
			drop[(*nd)++] = m;
		}
		/* drop_pkts: the caller counts what it has in drop[] */
		dp_cnt_add(&st->reason_drop_pkts[v], nb);
		dp_cnt_add(&st->drop_bytes, bytes);
	}
	rte_pktmbuf_free(pkts[i]);
	dp_frag_release(&w->frag.tab, idx);
	w->frag.slot[i] = DP_FRAG_NONE_IDX;
	gauges(w);
}
