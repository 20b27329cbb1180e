/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Content rules: build a rule set from an image (control thread) and the
 * per-packet stage (workers). The stage scans the payload of each packet
 * that no earlier stage decided with the block database, gathers the ids
 * Hyperscan reports (deduplicated in a per-worker bitmap, no allocation),
 * checks each candidate rule's header conditions, then applies the
 * actions: a matching pass rule wins over drop and drop over alert, as
 * Suricata's default action order (pass, drop, reject, alert) does. Only
 * the rules that decide are counted: with a pass match, the pass rules;
 * otherwise every matching drop and alert rule.
 *
 * Without per-flow state (docs/rules.md, "Matching"): flow:established
 * holds for TCP segments with ACK and without SYN, and for UDP and ICMP;
 * flow:to_server holds for a TCP SYN without ACK, to_client for a SYN+ACK;
 * for a TCP segment of a flow whose SYN the flow table saw (dp_flow.h),
 * towards the end that received it, or the end that sent it. Both hold
 * for every other packet: its direction in the flow is unknown, and a guess by ports fails on real captures
 * (IEC-104 clients on port 1568 talking to 2404). The rule's own port and
 * address conditions still say which way it looks; a rule can so match a
 * packet Suricata would not (a reply on the same ports), never fewer.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "bw_crc32c.h"
#include "dp.h"
#include "dp_flow.h"
#include "dp_match.h"
#include "dp_ruleset.h"

#define TCP_FLAG_SYN	0x02
#define TCP_FLAG_ACK	0x10
#define IPPROTO_TCP_	6
#define IPPROTO_UDP_	17
#define IPPROTO_ICMP_	1
#define IPPROTO_ICMPV6_ 58

uint32_t
dp_match_crc(const struct bw_image_view *v)
{
	uint32_t crc = 0;

	if (v->nb_rules == 0)
		return 0;
	crc = bw_crc32c(crc, v->rules, (size_t)v->nb_rules * sizeof(*v->rules));
	crc = bw_crc32c(crc, v->raddrs,
			(size_t)v->nb_raddrs * sizeof(*v->raddrs));
	crc = bw_crc32c(crc, v->rports,
			(size_t)v->nb_rports * sizeof(*v->rports));
	crc = bw_crc32c(crc, v->hsdb_block, v->hsdb_block_len);
	crc = bw_crc32c(crc, v->hsgroups,
			(size_t)v->nb_hsgroups * sizeof(*v->hsgroups));
	crc = bw_crc32c(crc, v->hsports,
			(size_t)v->nb_hsports * sizeof(*v->hsports));
	crc = bw_crc32c(crc, v->hsdb_groups, v->hsdb_groups_len);
	return crc | 1u; /* 0 means "no rules" */
}

/* Close the streams of an array of n (NULL entries too) and free it. */
static void
streams_free(hs_stream_t **st, size_t n)
{
	size_t k;

	for (k = 0; st != NULL && k < n; k++)
		if (st[k] != NULL)
			hs_close_stream(st[k], NULL, NULL, NULL);
	rte_free(st);
}

void
dp_match_set_free(struct dp_match_set *s)
{
	uint32_t i;
	size_t n;

	if (s == NULL)
		return;
	streams_free(s->streams, (size_t)s->nb_workers * 2 * s->nb_flows);
	if (s->scratch != NULL) {
		for (i = 0; i < s->nb_workers; i++)
			hs_free_scratch(s->scratch[i]);
		rte_free(s->scratch);
	}
	streams_free(s->live, (size_t)s->nb_workers * (s->nb_classes + 1));
	rte_free(s->cbuf);
	rte_free(s->cused);
	rte_free(s->scls);
	rte_free(s->sdb_mem);
	rte_free(s->db_mem);
	if (s->grp_mem != NULL)
		for (n = 0; n < s->nb_groups; n++)
			rte_free(s->grp_mem[n]);
	rte_free(s->grp_mem);
	rte_free(s->cls);
	rte_free(s->pmap);
	rte_free(s->pbits);
	rte_free(s->hdr_only);
	rte_free(s->ports);
	rte_free(s->addrs);
	rte_free(s->rules);
	rte_free(s);
}

/* A copy of n elements of size bytes in rte memory (NULL when n is 0). */
static int
dup_table(void **dst, const void *src, size_t n, size_t size)
{
	*dst = NULL;
	if (n == 0)
		return 0;
	*dst = rte_malloc("bw_match", n * size, RTE_CACHE_LINE_SIZE);
	if (*dst == NULL)
		return -ENOMEM;
	memcpy(*dst, src, n * size);
	return 0;
}

/*
 * Deserialize len bytes at buf into *mem (64-byte aligned rte memory):
 * *db is the database. Returns 0, -EINVAL with Hyperscan's error in why,
 * or -ENOMEM.
 */
static int
db_deserialize(const uint8_t *buf, uint32_t len, const char *what, void **mem,
	       hs_database_t **db, char *why, size_t why_len)
{
	size_t size = 0;
	hs_error_t e;

	e = hs_serialized_database_size((const char *)buf, len, &size);
	if (e != HS_SUCCESS || size == 0) {
		snprintf(why, why_len,
			 "%s database refused by hyperscan (error %d)", what,
			 e);
		return -EINVAL;
	}
	/* hyperscan wants its bytecode 64-byte aligned, like malloc'd */
	*mem = rte_malloc("bw_hsdb", size, 64);
	if (*mem == NULL)
		return -ENOMEM;
	e = hs_deserialize_database_at((const char *)buf, len,
				       (hs_database_t *)*mem);
	if (e != HS_SUCCESS) {
		snprintf(why, why_len,
			 "%s database refused by hyperscan (error %d)", what,
			 e);
		return -EINVAL;
	}
	*db = (hs_database_t *)*mem;
	return 0;
}

/* Open two streams per flow slot and worker. */
static int
streams_open(struct dp_match_set *s)
{
	size_t n, total = (size_t)s->nb_workers * 2 * s->nb_flows;

	s->streams = rte_zmalloc("bw_streams", total * sizeof(*s->streams), 0);
	if (s->streams == NULL)
		return -ENOMEM;
	for (n = 0; n < total; n++)
		if (hs_open_stream(s->sdb, 0, &s->streams[n]) != HS_SUCCESS)
			return -ENOMEM;
	return 0;
}

/* The port map slot of (lane, role, port): lanes TCP/UDP, roles DST/SRC. */
static inline uint32_t
pmap_at(uint8_t lane, uint8_t role, uint16_t port)
{
	return ((uint32_t)(lane - BW_HSLANE_TCP) * 2u +
		(uint32_t)(role - BW_HSROLE_DST)) *
		       65536u +
	       port;
}

/* What picks a packet's scan groups: its lane and its ports' classes. */
struct gkey {
	uint8_t lane;
	uint16_t cd; /* class of the destination port (role DST), 0: none */
	uint16_t cs; /* class of the source port (role SRC), 0: none */
};

static inline void
gkey_of(const struct dp_match_set *s, const struct dp_pkt *pi, struct gkey *k)
{
	uint32_t ad, as;

	k->lane = bw_hslane((pi->flags & DP_PKT_L4) ? pi->l4_proto : -1);
	k->cd = 0;
	k->cs = 0;
	if (s->pmap == NULL ||
	    (k->lane != BW_HSLANE_TCP && k->lane != BW_HSLANE_UDP))
		return;
	ad = pmap_at(k->lane, BW_HSROLE_DST, pi->dport);
	as = pmap_at(k->lane, BW_HSROLE_SRC, pi->sport);
	if (s->pbits[ad / 64] & (1ull << (ad % 64)))
		k->cd = s->pmap[ad];
	if (s->pbits[as / 64] & (1ull << (as % 64)))
		k->cs = s->pmap[as];
}

/*
 * The scan groups of v (validated by bw_image_validate(): keys unique,
 * classes 1..BW_HSCLASS_MAX of one lane and role, port ranges sorted and
 * naming classes that have a group): deserialize each database, then
 * index them.
 */
static int
groups_load(struct dp_match_set *s, const struct bw_image_view *v, char *why,
	    size_t why_len)
{
	hs_database_t *db;
	uint32_t i, p, max_cls = 0;
	int r;

	for (i = 0; i < v->nb_hsgroups; i++)
		if (v->hsgroups[i].cls > max_cls)
			max_cls = v->hsgroups[i].cls;
	s->grp_mem = rte_zmalloc(
		"bw_match",
		(v->nb_hsgroups ? v->nb_hsgroups : 1) * sizeof(*s->grp_mem), 0);
	s->cls = rte_zmalloc("bw_match", (max_cls + 1) * sizeof(*s->cls),
			     RTE_CACHE_LINE_SIZE);
	s->pmap = rte_zmalloc("bw_match", 4u * 65536u * sizeof(*s->pmap),
			      RTE_CACHE_LINE_SIZE);
	s->pbits =
		rte_zmalloc("bw_match", 4u * 65536u / 8u, RTE_CACHE_LINE_SIZE);
	s->scls = rte_zmalloc("bw_match", (max_cls + 1) * sizeof(*s->scls),
			      RTE_CACHE_LINE_SIZE);
	if (s->grp_mem == NULL || s->cls == NULL || s->pmap == NULL ||
	    s->pbits == NULL || s->scls == NULL)
		return -ENOMEM;
	s->nb_classes = max_cls;
	for (i = 0; i < v->nb_hsgroups; i++) {
		const struct bw_image_hsgroup *g = &v->hsgroups[i];
		char what[48];

		s->nb_groups = i + 1;
		/* stream mode serves the flow table only */
		if (g->mode == BW_HSMODE_STREAM && s->nb_flows == 0)
			continue;
		snprintf(what, sizeof(what), "scan group %" PRIu32, i);
		r = db_deserialize(v->hsdb_groups + g->db_off, g->db_len, what,
				   &s->grp_mem[i], &db, why, why_len);
		if (r < 0)
			return r;
		if (g->mode == BW_HSMODE_STREAM && g->role == BW_HSROLE_BASE)
			s->sdb = db; /* its memory is grp_mem[i] */
		else if (g->mode == BW_HSMODE_STREAM)
			s->scls[g->cls] = db;
		else if (g->role == BW_HSROLE_BASE)
			s->base[g->lane][g->scope] = db;
		else {
			s->cls[g->cls].db[g->scope] = db;
			s->cls[g->cls].base[g->scope] =
				(g->flags & BW_HSGROUP_F_BASE) != 0;
		}
		s->nb_scls += g->mode == BW_HSMODE_STREAM &&
			      g->role != BW_HSROLE_BASE;
	}
	for (i = 0; i < v->nb_hsports; i++) {
		const struct bw_image_hsport *hp = &v->hsports[i];

		for (p = hp->lo; p <= hp->hi; p++) {
			uint32_t at = pmap_at(hp->lane, hp->role, (uint16_t)p);

			s->pmap[at] = hp->cls;
			s->pbits[at / 64] |= 1ull << (at % 64);
		}
	}
	return 0;
}

/* Every per-packet database of s, for the scratch. */
static int
scratch_fit(const struct dp_match_set *s, hs_scratch_t **proto)
{
	uint32_t i;

	if (s->db != NULL && hs_alloc_scratch(s->db, proto) != HS_SUCCESS)
		return -ENOMEM;
	for (i = 0; i < s->nb_groups; i++)
		if (s->grp_mem[i] != NULL &&
		    hs_alloc_scratch((hs_database_t *)s->grp_mem[i], proto) !=
			    HS_SUCCESS)
			return -ENOMEM;
	if (s->sdb != NULL && hs_alloc_scratch(s->sdb, proto) != HS_SUCCESS)
		return -ENOMEM;
	return 0;
}

/*
 * The class stream groups' live streams (one per worker and class) and
 * the per flow direction and role buffers their state is kept in,
 * compressed, between segments. An entry holds the largest stream of any
 * class group with room to spare: a compressed stream is not larger than
 * the stream itself.
 */
static int
class_streams_open(struct dp_match_set *s)
{
	size_t n, cap = 0, sz, entries;
	uint32_t w, c;

	for (c = 1; c <= s->nb_classes; c++)
		if (s->scls[c] != NULL &&
		    hs_stream_size(s->scls[c], &sz) == HS_SUCCESS && sz > cap)
			cap = sz;
	cap = (cap + 64 + 7) & ~(size_t)7;
	if (cap > UINT16_MAX)
		return -ENOMEM;
	s->cbuf_cap = (uint32_t)cap;
	entries = (size_t)s->nb_workers * s->nb_flows * 2 * 2;
	s->live = rte_zmalloc("bw_streams",
			      (size_t)s->nb_workers * (s->nb_classes + 1) *
				      sizeof(*s->live),
			      0);
	s->cbuf = rte_malloc("bw_streams", entries * cap, RTE_CACHE_LINE_SIZE);
	s->cused = rte_zmalloc("bw_streams", entries * sizeof(*s->cused), 0);
	if (s->live == NULL || s->cbuf == NULL || s->cused == NULL)
		return -ENOMEM;
	for (w = 0; w < s->nb_workers; w++)
		for (c = 1; c <= s->nb_classes; c++) {
			n = (size_t)w * (s->nb_classes + 1) + c;
			if (s->scls[c] != NULL &&
			    hs_open_stream(s->scls[c], 0, &s->live[n]) !=
				    HS_SUCCESS)
				return -ENOMEM;
		}
	return 0;
}

/*
 * Deserialize the databases and give each worker a scratch good for all
 * of them (and, with flow slots, its streams).
 */
static int
db_load(struct dp_match_set *s, const struct bw_image_view *v, char *why,
	size_t why_len)
{
	hs_scratch_t *proto = NULL;
	uint32_t i;
	int r, l;

	if (v->nb_hsgroups > 0) {
		r = groups_load(s, v, why, why_len);
		if (r < 0)
			return r;
	} else {
		r = db_deserialize(v->hsdb_block, v->hsdb_block_len, "block",
				   &s->db_mem, &s->db, why, why_len);
		if (r < 0)
			return r;
		/* one database, every lane, both scopes */
		for (l = 1; l <= BW_HSLANE_MAX; l++)
			s->base[l][BW_HSSCOPE_PACKET] = s->db;
	}
	if (s->nb_flows > 0 && v->hsdb_stream_len > 0) {
		r = db_deserialize(v->hsdb_stream, v->hsdb_stream_len, "stream",
				   &s->sdb_mem, &s->sdb, why, why_len);
		if (r < 0)
			return r;
	}
	s->scratch = rte_zmalloc("bw_scratch",
				 s->nb_workers * sizeof(*s->scratch), 0);
	if (s->scratch == NULL)
		return -ENOMEM;
	if (scratch_fit(s, &proto) < 0) {
		hs_free_scratch(proto);
		return -ENOMEM;
	}
	for (i = 0; i < s->nb_workers; i++) {
		if (hs_clone_scratch(proto, &s->scratch[i]) != HS_SUCCESS) {
			hs_free_scratch(proto);
			return -ENOMEM;
		}
	}
	hs_free_scratch(proto);
	if (s->sdb != NULL) {
		r = streams_open(s);
		if (r < 0)
			return r;
	}
	if (s->nb_scls > 0)
		return class_streams_open(s);
	return 0;
}

int
dp_match_set_build(const struct bw_image_view *v, uint32_t nb_workers,
		   uint32_t nb_flows, uint32_t bank, uint64_t gen,
		   struct dp_match_set **out, char *why, size_t why_len)
{
	struct dp_match_set *s;
	uint32_t i, n = 0;
	int r;

	*out = NULL;
	if (v->nb_rules == 0)
		return 0;
	if (v->nb_rules > BW_RULE_SLOTS) {
		snprintf(why, why_len, "%u rules exceed the %u counter slots",
			 v->nb_rules, BW_RULE_SLOTS);
		return -E2BIG;
	}
	s = rte_zmalloc("bw_match", sizeof(*s), RTE_CACHE_LINE_SIZE);
	if (s == NULL)
		goto err_nomem;
	s->nb_rules = v->nb_rules;
	s->bank = bank;
	s->crc32c = dp_match_crc(v);
	s->nb_workers = nb_workers;
	s->nb_flows = nb_flows;
	s->since_gen = gen;
	if (dup_table((void **)&s->rules, v->rules, v->nb_rules,
		      sizeof(*v->rules)) < 0 ||
	    dup_table((void **)&s->addrs, v->raddrs, v->nb_raddrs,
		      sizeof(*v->raddrs)) < 0 ||
	    dup_table((void **)&s->ports, v->rports, v->nb_rports,
		      sizeof(*v->rports)) < 0)
		goto err_nomem;
	for (i = 0; i < v->nb_rules; i++)
		n += !(v->rules[i].flags & BW_RULE_F_CONTENT);
	if (n > 0) {
		s->hdr_only = rte_malloc("bw_match", n * sizeof(uint32_t), 0);
		if (s->hdr_only == NULL)
			goto err_nomem;
		for (i = 0; i < v->nb_rules; i++)
			if (!(v->rules[i].flags & BW_RULE_F_CONTENT))
				s->hdr_only[s->nb_hdr_only++] = i;
	}
	if (v->hsdb_block_len > 0 || v->nb_hsgroups > 0) {
		r = db_load(s, v, why, why_len);
		if (r == -ENOMEM)
			goto err_nomem;
		if (r < 0) {
			dp_match_set_free(s);
			return r;
		}
	}
	*out = s;
	return 0;

err_nomem:
	dp_match_set_free(s);
	snprintf(why, why_len, "out of memory for the content rules");
	return -ENOMEM;
}

void
dp_match_set_publish(const struct dp_match_set *s, struct dp_status *st,
		     uint32_t nb_workers)
{
	struct bw_rule_tab *tab = dp_status_rule_tab(st);
	struct bw_rule_info *info = (struct bw_rule_info *)(tab + 1);
	uint32_t i, nb = s != NULL ? s->nb_rules : 0;

	if (s != NULL)
		for (i = 0; i < nb_workers; i++)
			memset(dp_status_rule_stats(st, i, s->bank), 0,
			       (size_t)nb * sizeof(struct bw_rule_stats));
	/* pairs with the acquire loads of ctl_region_rule_hits() */
	__atomic_store_n(&tab->seq, tab->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	for (i = 0; i < nb; i++) {
		memset(&info[i], 0, sizeof(info[i]));
		info[i].sid = s->rules[i].sid;
		info[i].rev = s->rules[i].rev;
		info[i].action = s->rules[i].action;
		info[i].proto = s->rules[i].proto;
	}
	tab->nb_rules = nb;
	tab->bank = s != NULL ? s->bank : 0;
	tab->generation = s != NULL ? s->since_gen : 0;
	tab->tsc_ref = rte_rdtsc();
	tab->tsc_ref_ns = dp_clock_ns(CLOCK_REALTIME);
	__atomic_store_n(&tab->seq, tab->seq + 1, __ATOMIC_RELEASE);
}

/* Hot path below: worker lcores only. */

/* Hyperscan match callback: note rule id once. */
static int
on_match(unsigned int id, unsigned long long from, unsigned long long to,
	 unsigned int flags, void *ctx)
{
	struct dp_worker *w = ctx;
	uint64_t bit = 1ull << (id % 64);

	(void)from;
	(void)to;
	(void)flags;
	if (unlikely(id >= BW_RULE_SLOTS))
		return 0;
	if (w->match_seen[id / 64] & bit)
		return 0;
	w->match_seen[id / 64] |= bit;
	if (likely(w->nb_match_ids < DP_MATCH_IDS))
		w->match_ids[w->nb_match_ids] = id;
	w->nb_match_ids++;
	return 0;
}

/* a (family, 16 bytes) inside prefix p */
static int
prefix_has(const struct bw_image_raddr *p, uint8_t family, const uint8_t *addr)
{
	unsigned int full = p->len / 8u, rest = p->len % 8u;

	if (p->family != family)
		return 0;
	if (memcmp(p->addr, addr, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((p->addr[full] ^ addr[full]) & (uint8_t)(0xff00u >> rest)) == 0;
}

static int
addr_ok(const struct dp_match_set *s, uint32_t first, uint32_t nb, int neg,
	uint8_t family, const union dp_addr *a)
{
	uint32_t k;

	for (k = first; k < first + nb; k++)
		if (prefix_has(&s->addrs[k], family, a->a8))
			return !neg;
	return neg;
}

static int
port_ok(const struct dp_match_set *s, uint32_t first, uint32_t nb, int neg,
	int has_ports, uint16_t port)
{
	uint32_t k;

	if (nb == 0 && neg)
		return 1; /* any */
	if (!has_ports)
		return 0; /* a port condition never holds without ports */
	for (k = first; k < first + nb; k++)
		if (port >= s->ports[k].lo && port <= s->ports[k].hi)
			return !neg;
	return neg;
}

/* Addresses and ports one way round: (a, ap) as source, (b, bp) as dest. */
static int
ends_ok(const struct dp_match_set *s, const struct bw_image_rule *r,
	const struct dp_pkt *pi, int has_ports, const union dp_addr *a,
	uint16_t ap, const union dp_addr *b, uint16_t bp)
{
	uint8_t fam = pi->l3 == DP_L3_IPV4 ? 4 : 6;

	return addr_ok(s, r->src_first, r->nb_src, r->flags & BW_RULE_F_SRC_NOT,
		       fam, a) &&
	       addr_ok(s, r->dst_first, r->nb_dst, r->flags & BW_RULE_F_DST_NOT,
		       fam, b) &&
	       port_ok(s, r->sport_first, r->nb_sport,
		       r->flags & BW_RULE_F_SPORT_NOT, has_ports, ap) &&
	       port_ok(s, r->dport_first, r->nb_dport,
		       r->flags & BW_RULE_F_DPORT_NOT, has_ports, bp);
}

/*
 * flow:to_server / to_client / established. toward: 1 to the server, 0 to
 * the client when the flow table saw which end sent the SYN, else -1.
 */
static int
flow_ok(const struct bw_image_rule *r, const struct dp_pkt *pi, int toward)
{
	int tcp = pi->l4_proto == IPPROTO_TCP_ && (pi->flags & DP_PKT_L4);
	int syn = tcp && (pi->tcp_flags & TCP_FLAG_SYN);
	int ack = tcp && (pi->tcp_flags & TCP_FLAG_ACK);

	if ((r->flags & BW_RULE_F_ESTABLISHED) && tcp && (syn || !ack))
		return 0;
	if (toward >= 0 && (r->flags & BW_RULE_F_TO_SERVER))
		return toward == 1;
	if (toward >= 0 && (r->flags & BW_RULE_F_TO_CLIENT))
		return toward == 0;
	if (!syn)
		return 1;
	if (r->flags & BW_RULE_F_TO_SERVER)
		return !ack;
	if (r->flags & BW_RULE_F_TO_CLIENT)
		return ack;
	return 1;
}

/* Every header condition of rule r for packet pi with len payload bytes. */
static int
header_ok(const struct dp_match_set *s, const struct bw_image_rule *r,
	  const struct dp_pkt *pi, uint32_t len, int toward)
{
	int l4 = (pi->flags & DP_PKT_L4) != 0;
	int has_ports = l4 && (pi->l4_proto == IPPROTO_TCP_ ||
			       pi->l4_proto == IPPROTO_UDP_);

	switch (r->proto) {
	case BW_RULE_PROTO_TCP:
		if (!l4 || pi->l4_proto != IPPROTO_TCP_)
			return 0;
		break;
	case BW_RULE_PROTO_UDP:
		if (!l4 || pi->l4_proto != IPPROTO_UDP_)
			return 0;
		break;
	case BW_RULE_PROTO_ICMP:
		if (!l4 || (pi->l4_proto != IPPROTO_ICMP_ &&
			    pi->l4_proto != IPPROTO_ICMPV6_))
			return 0;
		break;
	default:
		break;
	}
	if (r->dsize_op == BW_DSIZE_IN &&
	    (len < r->dsize_min || len > r->dsize_max))
		return 0;
	if (r->dsize_op == BW_DSIZE_OUT && len >= r->dsize_min &&
	    len <= r->dsize_max)
		return 0;
	if (!flow_ok(r, pi, toward))
		return 0;
	if (ends_ok(s, r, pi, has_ports, &pi->src, pi->sport, &pi->dst,
		    pi->dport))
		return 1;
	return (r->flags & BW_RULE_F_BIDIR) &&
	       ends_ok(s, r, pi, has_ports, &pi->dst, pi->dport, &pi->src,
		       pi->sport);
}

/* What the matching rules of one packet decide. */
struct decision {
	uint32_t nb_pass, nb_drop, nb_alert;
	uint32_t ids[DP_MATCH_IDS]; /* matching rules, first DP_MATCH_IDS */
	uint32_t nb;
};

/* Empty d (the id list is only read up to d->nb). */
static inline void
decision_clear(struct decision *d)
{
	d->nb_pass = d->nb_drop = d->nb_alert = 0;
	d->nb = 0;
}

static void
consider(const struct dp_match_set *s, struct decision *d, uint32_t id,
	 const struct dp_pkt *pi, uint32_t len, int toward)
{
	const struct bw_image_rule *r;

	if (unlikely(id >= s->nb_rules))
		return;
	r = &s->rules[id];
	if (!header_ok(s, r, pi, len, toward))
		return;
	d->nb_pass += r->action == BW_RULE_PASS;
	d->nb_drop += r->action == BW_RULE_DROP;
	d->nb_alert += r->action == BW_RULE_ALERT;
	if (d->nb < DP_MATCH_IDS)
		d->ids[d->nb++] = id;
}

/* Forget the ids of the last scan (the bitmap bits they set). */
static void
seen_clear(struct dp_worker *w, const struct dp_match_set *s)
{
	uint32_t k;

	if (likely(w->nb_match_ids <= DP_MATCH_IDS)) {
		for (k = 0; k < w->nb_match_ids; k++)
			w->match_seen[w->match_ids[k] / 64] = 0;
	} else {
		memset(w->match_seen, 0,
		       ((s->nb_rules + 63) / 64) * sizeof(uint64_t));
	}
	w->nb_match_ids = 0;
}

/* Hyperscan stream match callback: note rule id once. */
static int
on_stream_match(unsigned int id, unsigned long long from, unsigned long long to,
		unsigned int flags, void *ctx)
{
	struct dp_worker *w = ctx;
	uint32_t k;

	(void)from;
	(void)to;
	(void)flags;
	for (k = 0; k < w->nb_stream_ids; k++)
		if (w->stream_ids[k] == id)
			return 0;
	if (w->nb_stream_ids < DP_MATCH_IDS)
		w->stream_ids[w->nb_stream_ids++] = id;
	return 0;
}

/*
 * The compressed class stream entry of worker w's flow slot, direction
 * dir and role r (0: destination port, 1: source port), and w's live
 * stream of class c.
 */
static inline size_t
centry(const struct dp_match_set *s, const struct dp_worker *w, uint32_t slot,
       uint8_t dir, int r)
{
	return (((size_t)w->id * s->nb_flows + slot) * 2 + dir) * 2 + (size_t)r;
}

static inline hs_stream_t *
clive(const struct dp_match_set *s, const struct dp_worker *w, uint16_t c)
{
	return s->live[(size_t)w->id * (s->nb_classes + 1) + c];
}

/*
 * Put the state kept compressed in entry e into live stream st, dropping
 * what st held before unreported. 0 when the entry holds none (nothing
 * fed yet, or its compression failed) or it cannot be expanded.
 */
static inline int
cexpand(const struct dp_match_set *s, hs_stream_t *st, size_t e)
{
	return s->cused[e] != 0 &&
	       hs_reset_and_expand_stream(
		       st, (const char *)s->cbuf + e * s->cbuf_cap, s->cused[e],
		       NULL, NULL, NULL) == HS_SUCCESS;
}

/*
 * Feed n bytes of flow direction (slot, dir) to the class stream groups
 * of its ports: each role's state comes out of its compressed entry into
 * the worker's live stream of that class, is scanned, and goes back. An
 * entry that cannot hold the state any more (not expected) starts empty
 * at the next segment.
 */
static void
class_feed(struct dp_worker *w, const struct dp_match_set *s,
	   const struct gkey *gk, uint32_t slot, uint8_t dir, const char *data,
	   uint32_t n)
{
	hs_scratch_t *scr = s->scratch[w->id];
	const uint16_t c[2] = {gk->cd, gk->cs};
	size_t e, used;
	hs_stream_t *st;
	char *buf;
	int r;

	for (r = 0; r < 2; r++) {
		if (c[r] == 0 || s->scls[c[r]] == NULL)
			continue;
		e = centry(s, w, slot, dir, r);
		st = clive(s, w, c[r]);
		buf = (char *)s->cbuf + e * s->cbuf_cap;
		if (!cexpand(s, st, e))
			hs_reset_stream(st, 0, NULL, NULL, NULL);
		hs_scan_stream(st, data, n, 0, scr, on_stream_match, w);
		if (hs_compress_stream(st, buf, s->cbuf_cap, &used) !=
		    HS_SUCCESS)
			used = 0;
		s->cused[e] = (uint16_t)used;
	}
}

/*
 * The end of direction dir's data of the flow at slot (its FIN, in
 * sequence, or its RST): Hyperscan reports what it can only decide there
 * (patterns anchored at the end, combinations with a negated term), for
 * the streams of the lane's BASE and of the ports' classes, into w's
 * stream ids like any stream match. The streams start again empty.
 */
static void
stream_end(struct dp_worker *w, const struct dp_match_set *s,
	   const struct gkey *gk, hs_stream_t **strm, uint32_t slot,
	   uint8_t dir)
{
	hs_scratch_t *scr = s->scratch[w->id];
	const uint16_t c[2] = {gk->cd, gk->cs};
	hs_stream_t *st;
	size_t e;
	int r;

	if (strm != NULL)
		hs_reset_stream(strm[dir], 0, scr, on_stream_match, w);
	if (s->nb_scls == 0)
		return;
	for (r = 0; r < 2; r++) {
		if (c[r] == 0 || s->scls[c[r]] == NULL)
			continue;
		e = centry(s, w, slot, dir, r);
		st = clive(s, w, c[r]);
		/* this flow's state into the live stream, then its end */
		if (cexpand(s, st, e))
			hs_reset_stream(st, 0, scr, on_stream_match, w);
		s->cused[e] = 0;
	}
}

/* Drop the rest of direction dir of the flow at slot. */
static inline void
flow_mark(struct dp_flow_table *t, uint32_t slot, uint8_t dir)
{
	struct dp_flow *f = &t->flows[slot];

	if (!f->dropped[0] && !f->dropped[1])
		t->nb_marked++;
	f->dropped[dir] = 1;
}

/*
 * A TCP segment the flow table can leave alone: no payload, no SYN, FIN
 * or RST, no flow direction marked dropped on this worker and no rule
 * without a payload condition (for which its direction would matter).
 * Its flow is neither entered nor refreshed (docs/rules.md).
 */
static inline int
seg_bare(const struct dp_worker *w, const struct dp_match_set *s,
	 const struct dp_pkt *pi)
{
	return pi->payload_len == 0 && !(pi->tcp_flags & 0x07) &&
	       w->flows.nb_marked == 0 && s->nb_hdr_only == 0;
}

/*
 * The packet that would come the other way: pi with its ends swapped, for
 * the other direction's ports and rule headers.
 */
static void
pkt_reverse(const struct dp_pkt *pi, struct dp_pkt *r)
{
	*r = *pi;
	r->src = pi->dst;
	r->dst = pi->src;
	r->sport = pi->dport;
	r->dport = pi->sport;
}

/* What the flow stage did with one TCP segment. */
enum seg_fate {
	SEG_UNTRACKED = 0, /* no flow: every rule scanned per packet */
	SEG_FED,	   /* its new bytes went to the stream */
	SEG_DROP,	   /* its flow direction is dropped */
};

/*
 * Track TCP segment pi of mbuf m in the worker's flow table and feed its
 * payload bytes not yet scanned to the direction's stream, in sequence
 * order: a segment ahead of the next byte expected is not fed (scanned per
 * packet only), one wholly behind it (a retransmission) is skipped, one
 * partly behind it has its new bytes fed. *flow_slot gets the slot (or
 * UINT32_MAX) and *flow_dir the direction, for the drop mark; *toward
 * 1 when the segment goes to the end that received the SYN, 0 when it
 * goes to the end that sent it, -1 when no SYN was seen.
 */
static enum seg_fate
seg_track(struct dp_worker *w, const struct dp_match_set *s,
	  const struct dp_pkt *pi, const struct gkey *gk,
	  const struct rte_mbuf *m, const uint8_t *payload, uint32_t len,
	  uint64_t now, uint16_t i, uint32_t dels, uint32_t *flow_slot,
	  uint8_t *flow_dir, int *toward)
{
	struct bw_worker_stats *st = w->st;
	hs_stream_t **strm;
	struct dp_flow *f;
	uint32_t slot, seq, over;
	const uint8_t *l4;
	enum seg_fate fate = SEG_FED;
	int created, syn, ack, fin, rst;
	int32_t d;
	uint8_t dir;

	*flow_slot = UINT32_MAX;
	dir = w->fdir[i];
	f = dp_flow_get(&w->flows, &w->fkey[i], w->fpos[i], dels, now, &slot,
			&created);
	if (f == NULL) {
		dp_cnt_add(&st->flow[BW_FLOW_FULL], 1);
		return SEG_UNTRACKED;
	}
	*flow_slot = slot;
	*flow_dir = dir;
	if (created)
		dp_cnt_add(&st->flow[BW_FLOW_NEW], 1);
	strm = s->streams != NULL
		       ? &s->streams[((size_t)w->id * s->nb_flows + slot) * 2]
		       : NULL;
	if (f->set != s) {
		/* new flow, or new rules: the streams start from nothing */
		if (strm != NULL) {
			hs_reset_stream(strm[0], 0, NULL, NULL, NULL);
			hs_reset_stream(strm[1], 0, NULL, NULL, NULL);
		}
		if (s->cused != NULL)
			memset(&s->cused[centry(s, w, slot, 0, 0)], 0,
			       4 * sizeof(*s->cused));
		f->seq_known[0] = f->seq_known[1] = 0;
		f->fin_wait[0] = f->fin_wait[1] = 0;
		f->set = s;
	}
	l4 = rte_pktmbuf_mtod_offset(m, const uint8_t *, pi->l4_off);
	seq = (uint32_t)l4[4] << 24 | (uint32_t)l4[5] << 16 |
	      (uint32_t)l4[6] << 8 | l4[7];
	syn = (pi->tcp_flags & TCP_FLAG_SYN) != 0;
	ack = (pi->tcp_flags & TCP_FLAG_ACK) != 0;
	fin = (pi->tcp_flags & 0x01) != 0;
	rst = (pi->tcp_flags & 0x04) != 0;
	if (syn) {
		if (f->client == 2)
			f->client = ack ? (uint8_t)(1 - dir) : dir;
		f->next_seq[dir] = seq + 1;
		f->seq_known[dir] = 1;
	}
	*toward = f->client == 2 ? -1 : f->client == dir;
	if (f->dropped[dir]) {
		dp_cnt_add(&st->flow[BW_FLOW_DROP], 1);
		fate = SEG_DROP;
	} else if (len > 0) {
		if (!f->seq_known[dir]) {
			/* picked up mid-stream: from this byte on */
			f->next_seq[dir] = seq;
			f->seq_known[dir] = 1;
		}
		d = (int32_t)(seq - f->next_seq[dir]);
		if (d > 0) {
			dp_cnt_add(&st->flow[BW_FLOW_OOO], 1);
			fate = SEG_UNTRACKED;
		} else if (d < 0 && (uint32_t)-d >= len) {
			dp_cnt_add(&st->flow[BW_FLOW_RETRANS], 1);
		} else {
			over = d < 0 ? (uint32_t)-d : 0;
			if (over > 0)
				dp_cnt_add(&st->flow[BW_FLOW_OVERLAP], 1);
			if (strm != NULL)
				hs_scan_stream(strm[dir],
					       (const char *)payload + over,
					       len - over, 0, s->scratch[w->id],
					       on_stream_match, w);
			if (s->nb_scls > 0)
				class_feed(w, s, gk, slot, dir,
					   (const char *)payload + over,
					   len - over);
			f->next_seq[dir] += len - over;
			/* the data a FIN overtook is in: the end too */
			d = (int32_t)(f->fin_seq[dir] - f->next_seq[dir]);
			if (unlikely(f->fin_wait[dir]) && d <= 0) {
				f->fin_wait[dir] = 0;
				stream_end(w, s, gk, strm, slot, dir);
			}
		}
	}
	/* the end of this direction's data, when nothing of it is missing */
	if ((fin || rst) && !f->fin[dir] && f->seq_known[dir] &&
	    fate != SEG_DROP) {
		if ((int32_t)(seq + len - f->next_seq[dir]) <= 0) {
			stream_end(w, s, gk, strm, slot, dir);
		} else if (fin && len == 0) {
			/* a bare FIN ahead of data: the end once that is in */
			f->fin_seq[dir] = seq;
			f->fin_wait[dir] = 1;
		}
	}
	if (fin)
		f->fin[dir] = 1;
	/*
	 * A RST ends the other direction's data too, wherever it stood:
	 * its end's matches go after this direction's, from stream_other
	 * on (counted, not dropped: this packet goes the other way).
	 */
	if (rst && f->seq_known[1 - dir] && !f->fin[1 - dir] &&
	    !f->dropped[1 - dir]) {
		struct dp_pkt rev;
		struct gkey rk;

		pkt_reverse(pi, &rev);
		gkey_of(s, &rev, &rk);
		w->stream_other = w->nb_stream_ids;
		stream_end(w, s, &rk, strm, slot, (uint8_t)(1 - dir));
	}
	if (rst || (f->fin[0] && f->fin[1])) {
		dp_flow_del(&w->flows, slot);
		dp_cnt_add(&st->flow[BW_FLOW_CLOSED], 1);
		*flow_slot = UINT32_MAX;
	}
	return fate;
}

/*
 * The per-packet scans of one payload: the BASE group of the packet's
 * lane, then the groups of the classes of its destination and source
 * ports (TCP and UDP); the STREAM scope too when the segment's bytes did
 * not go to a stream (untracked). A class group that holds the BASE rules
 * too stands for the BASE group (if both classes' groups do, the BASE
 * rules are scanned twice and noted once). With a single database it is
 * the BASE of every lane. Hits land in w's id list and bitmap.
 */
static inline void
scan_groups(struct dp_worker *w, const struct dp_match_set *s,
	    const struct gkey *gk, const uint8_t *payload, uint32_t len,
	    hs_scratch_t *scr, int untracked)
{
	const struct dp_class_groups *cd = gk->cd != 0 ? &s->cls[gk->cd] : NULL;
	const struct dp_class_groups *cs = gk->cs != 0 ? &s->cls[gk->cs] : NULL;
	const char *buf = (const char *)payload;
	hs_database_t *db;
	int sc;

	for (sc = BW_HSSCOPE_PACKET;
	     sc <= (untracked ? BW_HSSCOPE_STREAM : BW_HSSCOPE_PACKET); sc++) {
		db = s->base[gk->lane][sc];
		if (db != NULL && !(cd != NULL && cd->base[sc]) &&
		    !(cs != NULL && cs->base[sc]))
			hs_scan(db, buf, len, 0, scr, on_match, w);
		if (cd != NULL && (db = cd->db[sc]) != NULL)
			hs_scan(db, buf, len, 0, scr, on_match, w);
		if (cs != NULL && (db = cs->db[sc]) != NULL)
			hs_scan(db, buf, len, 0, scr, on_match, w);
	}
}

/*
 * Count the hits of decision d on mbuf m: a pass rule decides alone, else
 * the drop and alert rules count.
 */
static void
count_hits(const struct dp_match_set *s, struct bw_rule_stats *rst,
	   const struct decision *d, const struct rte_mbuf *m, uint64_t now)
{
	uint32_t k;

	for (k = 0; k < d->nb; k++) {
		const struct bw_image_rule *r = &s->rules[d->ids[k]];
		struct bw_rule_stats *c = &rst[d->ids[k]];

		if (d->nb_pass > 0 && r->action != BW_RULE_PASS)
			continue;
		dp_cnt_add(&c->pkts, 1);
		dp_cnt_add(&c->bytes, m->pkt_len);
		__atomic_store_n(&c->last_tsc, now, __ATOMIC_RELAXED);
	}
}

/*
 * The matches of the other direction's end (a RST of this direction
 * closed it, stream_other on): their headers are checked as for a packet
 * going that way, and their hits count on m, which is not dropped for
 * them: it goes the other way, and the data they saw has passed.
 */
static void
other_end(struct dp_worker *w, const struct dp_match_set *s,
	  struct bw_rule_stats *rst, const struct dp_pkt *pi, int toward,
	  const struct rte_mbuf *m, uint64_t now)
{
	struct decision d;
	struct dp_pkt rev;
	uint32_t k;

	pkt_reverse(pi, &rev);
	decision_clear(&d);
	for (k = w->stream_other; k < w->nb_stream_ids; k++)
		consider(s, &d, w->stream_ids[k], &rev, 0,
			 toward < 0 ? -1 : !toward);
	count_hits(s, rst, &d, m, now);
}

/* Payload lines fetched DP_PAYLOAD_AHEAD packets before their scan. */
#define DP_PAYLOAD_AHEAD 4
#define DP_PAYLOAD_LINES 4

static inline void
payload_prefetch(const struct dp_pkt *pi, const struct rte_mbuf *m,
		 uint8_t verdict)
{
	const uint8_t *p;
	uint32_t len, k;

	if (verdict != DP_VERDICT_PASS || pi->payload_len == 0 ||
	    pi->payload_off >= m->data_len)
		return;
	p = rte_pktmbuf_mtod_offset(m, const uint8_t *, pi->payload_off);
	len = RTE_MIN((uint32_t)pi->payload_len,
		      (uint32_t)m->data_len - pi->payload_off);
	for (k = 0; k < DP_PAYLOAD_LINES && k * RTE_CACHE_LINE_SIZE < len; k++)
		rte_prefetch0(p + k * RTE_CACHE_LINE_SIZE);
}

void
dp_match_classify(struct dp_worker *w, const struct dp_ruleset *rs,
		  struct rte_mbuf **pkts, uint16_t n, uint8_t *verdict)
{
	const struct dp_match_set *s = rs->match;
	struct bw_rule_stats *rst = w->rst[s->bank & 1];
	hs_scratch_t *scr = s->scratch != NULL ? s->scratch[w->id] : NULL;
	uint64_t now = rte_rdtsc();
	const struct dp_flow_key *kp[DP_BURST];
	int32_t pos[DP_BURST];
	uint16_t at[DP_BURST];
	enum seg_fate fate;
	struct decision d;
	uint32_t len, j, k, id, slot, dels = 0;
	uint8_t dir = 0, track = 0;
	struct gkey gk;
	int toward, have_gk;
	uint16_t i;

	if ((s->sdb != NULL || s->nb_scls > 0) && w->flows.h != NULL) {
		if (unlikely(now >= w->flows.age_next_tsc)) {
			k = dp_flow_age(&w->flows, now);
			if (k != 0)
				dp_cnt_add(&w->st->flow[BW_FLOW_AGED], k);
		}
		/* the burst's TCP flows in one bulk lookup */
		track = 1;
		k = 0;
		for (i = 0; i < n; i++) {
			const struct dp_pkt *pi = &w->info[i];

			w->ftrack[i] = DP_FT_NONE;
			if (verdict[i] != DP_VERDICT_PASS ||
			    pi->l3 == DP_L3_NONE ||
			    pi->l4_proto != IPPROTO_TCP_ ||
			    !(pi->flags & DP_PKT_L4))
				continue;
			if (seg_bare(w, s, pi)) {
				w->ftrack[i] = DP_FT_BARE;
				continue;
			}
			w->ftrack[i] = DP_FT_KEYED;
			dp_flow_key_of(pi, &w->fkey[i], &w->fdir[i]);
			at[k] = i;
			kp[k++] = &w->fkey[i];
		}
		dp_flow_lookup_bulk(&w->flows, kp, k, pos);
		/* positions to their packets; their entries to cache */
		for (j = 0; j < k; j++) {
			w->fpos[at[j]] = pos[j];
			if (pos[j] >= 0 && (uint32_t)pos[j] < w->flows.nb)
				rte_prefetch0(&w->flows.flows[pos[j]]);
		}
		dels = w->flows.dels;
	}
	for (i = 0; i < n && i < DP_PAYLOAD_AHEAD; i++)
		payload_prefetch(&w->info[i], pkts[i], verdict[i]);
	for (i = 0; i < n; i++) {
		const struct dp_pkt *pi = &w->info[i];
		const struct rte_mbuf *m = pkts[i];
		const uint8_t *payload;

		if (i + DP_PAYLOAD_AHEAD < n)
			payload_prefetch(&w->info[i + DP_PAYLOAD_AHEAD],
					 pkts[i + DP_PAYLOAD_AHEAD],
					 verdict[i + DP_PAYLOAD_AHEAD]);

		if (verdict[i] != DP_VERDICT_PASS || pi->l3 == DP_L3_NONE)
			continue;
		/* the first segment holds what is scanned */
		len = pi->payload_len;
		if (pi->payload_off >= m->data_len)
			len = 0;
		else if (len > (uint32_t)m->data_len - pi->payload_off)
			len = (uint32_t)m->data_len - pi->payload_off;
		payload = rte_pktmbuf_mtod_offset(m, const uint8_t *,
						  pi->payload_off);
		decision_clear(&d);
		fate = SEG_UNTRACKED;
		slot = UINT32_MAX;
		toward = -1;
		have_gk = 0;
		w->nb_stream_ids = 0;
		w->stream_other = UINT32_MAX;
		if (track && w->ftrack[i] != DP_FT_NONE) {
			if (w->ftrack[i] == DP_FT_BARE) {
				if (w->flows.nb_marked == 0)
					continue; /* nothing to scan or decide */
				/* a flow of the burst got a drop mark since */
				dp_flow_key_of(pi, &w->fkey[i], &w->fdir[i]);
				w->fpos[i] = -ENOENT;
			}
			gkey_of(s, pi, &gk);
			have_gk = 1;
			fate = seg_track(w, s, pi, &gk, m, payload, len, now, i,
					 dels, &slot, &dir, &toward);
		}
		if (fate == SEG_DROP) {
			verdict[i] = BW_REASON_RULE;
			continue;
		}
		if (scr != NULL && len > 0) {
			if (!have_gk)
				gkey_of(s, pi, &gk);
			scan_groups(w, s, &gk, payload, len, scr,
				    fate != SEG_FED);
			for (k = 0; k < w->nb_match_ids && k < DP_MATCH_IDS;
			     k++) {
				id = w->match_ids[k];
				/* stream rules of a fed segment: the stream */
				if (fate == SEG_FED && id < s->nb_rules &&
				    s->rules[id].scan == BW_RULE_SCAN_STREAM)
					continue;
				consider(s, &d, id, pi, len, toward);
			}
			if (unlikely(w->nb_match_ids > DP_MATCH_IDS)) {
				/* more ids than the list holds: the bitmap */
				for (id = 0; id < s->nb_rules; id++)
					if ((w->match_seen[id / 64] &
					     (1ull << (id % 64))) &&
					    !(fate == SEG_FED &&
					      s->rules[id].scan ==
						      BW_RULE_SCAN_STREAM))
						consider(s, &d, id, pi, len,
							 toward);
			}
			seen_clear(w, s);
		}
		for (k = 0; k < w->nb_stream_ids && k < w->stream_other; k++)
			consider(s, &d, w->stream_ids[k], pi, len, toward);
		for (k = 0; k < s->nb_hdr_only; k++)
			consider(s, &d, s->hdr_only[k], pi, len, toward);
		if (unlikely(w->stream_other < w->nb_stream_ids))
			other_end(w, s, rst, pi, toward, m, now);
		if (d.nb == 0)
			continue;
		count_hits(s, rst, &d, m, now);
		if (d.nb_pass == 0 && d.nb_drop > 0) {
			verdict[i] = BW_REASON_RULE;
			/* later segments of this flow direction drop too */
			if (slot != UINT32_MAX)
				flow_mark(&w->flows, slot, dir);
		}
	}
}
