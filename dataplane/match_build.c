/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The content rule set of an image (dp_match.h), on the control thread:
 * copy its rule tables, deserialize its per-packet and stream databases,
 * index the scan groups, allocate the workers' scratch and open their
 * streams up front, publish the rule table, free the set.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include "bw_crc32c.h"
#include "dp.h"
#include "dp_match.h"
#include "dp_ruleset.h"

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
	streams_free(s->probe, (size_t)s->nb_workers * (s->nb_classes + 1));
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
		else if (g->role == BW_HSROLE_BASE) {
			s->base[g->lane][g->scope] = db;
			if (g->flags & BW_HSGROUP_F_STREAM)
				s->base_stream[g->lane] = 1;
		} else {
			s->cls[g->cls].db[g->scope] = db;
			s->cls[g->cls].base[g->scope] =
				(g->flags & BW_HSGROUP_F_BASE) != 0;
			if (g->flags & BW_HSGROUP_F_STREAM)
				s->cls[g->cls].stream = 1;
		}
		s->nb_scls += g->mode == BW_HSMODE_STREAM &&
			      g->role != BW_HSROLE_BASE;
	}
	for (i = 0; i < v->nb_hsports; i++) {
		const struct bw_image_hsport *hp = &v->hsports[i];

		for (p = hp->lo; p <= hp->hi; p++) {
			uint32_t at = dp_match_pmap_at(hp->lane, hp->role,
						       (uint16_t)p);

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
 * One probe stream per worker for the stream database and for each class
 * stream group (s->probe): what stream.c copies a flow's state into.
 */
static int
probes_open(struct dp_match_set *s)
{
	uint32_t w, c, nc = s->nb_classes + 1;
	hs_database_t *db;

	if (s->sdb == NULL && s->nb_scls == 0)
		return 0;
	s->probe =
		rte_zmalloc("bw_streams",
			    (size_t)s->nb_workers * nc * sizeof(*s->probe), 0);
	if (s->probe == NULL)
		return -ENOMEM;
	for (w = 0; w < s->nb_workers; w++)
		for (c = 0; c < nc; c++) {
			db = c == 0 ? s->sdb
				    : (s->scls != NULL ? s->scls[c] : NULL);
			if (db != NULL &&
			    hs_open_stream(db, 0,
					   &s->probe[(size_t)w * nc + c]) !=
				    HS_SUCCESS)
				return -ENOMEM;
		}
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
	if (s->nb_scls > 0) {
		r = class_streams_open(s);
		if (r < 0)
			return r;
	}
	return probes_open(s);
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
	for (i = 0; i < v->nb_rules; i++) {
		const struct bw_image_rule *ru = &v->rules[i];

		n += !(ru->flags & BW_RULE_F_CONTENT);
		/* only_stream never holds without streams: refused, not dead */
		if ((ru->flags & BW_RULE_F_STREAM) && nb_flows == 0) {
			snprintf(why, why_len,
				 "rule sid %u uses flow:only_stream, which "
				 "needs "
				 "the flow table: the dataplane runs with "
				 "--flows 0",
				 ru->sid);
			dp_match_set_free(s);
			return -EINVAL;
		}
		if (!(ru->flags & DP_RULE_F_FLOW))
			continue;
		s->flow_rules = 1;
		/* never approximated without per-flow state (issue #14) */
		if (nb_flows == 0) {
			snprintf(why, why_len,
				 "rule sid %u uses flow:established, to_server "
				 "or to_client, which need the flow table: the "
				 "dataplane runs with --flows 0",
				 ru->sid);
			dp_match_set_free(s);
			return -EINVAL;
		}
	}
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
