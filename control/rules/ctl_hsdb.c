/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hyperscan compile, serialize and debug scan for bulwarkctl.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bw_util.h"
#include "ctl_array.h"
#include "ctl_hsdb.h"

#define PATTERN_EXCERPT 64 /* bytes of an expression quoted in an error */

void
ctl_hsdb_free(struct ctl_hsdb *db)
{
	hs_free_scratch(db->scratch);
	hs_free_database(db->db);
	memset(db, 0, sizeof(*db));
}

/* 1 when rule r goes into a database chosen by o. */
static int
rule_chosen(const struct ctl_rules *rs, size_t i, const struct ctl_hsdb_opts *o)
{
	const struct ctl_rule *r = &rs->rules[i];
	unsigned int scopes = o->scopes;

	if (scopes == 0)
		scopes = o->mode == CTL_HSDB_STREAM ? CTL_HSDB_SCOPE_STREAM
						    : CTL_HSDB_SCOPE_PACKET;
	if (o->pick != NULL && !o->pick[i])
		return 0;
	if (!(scopes & (1u << ctl_rule_scan(r))))
		return 0;
	if (o->protos != 0 && !(o->protos & (1u << r->proto)))
		return 0;
	return 1;
}

/* "FILE:LINE sid N: hyperscan: MESSAGE (expression 'X')" for e. */
static void
compile_error(const struct ctl_rules *rs, const struct ctl_hsexpr *e,
	      const char *msg, char *err, size_t err_len)
{
	char ex[PATTERN_EXCERPT + 8];

	ctl_prefix_excerpt(ex, sizeof(ex), e->pattern, strlen(e->pattern));
	if (e->rule < rs->nb_rules) {
		const struct ctl_rule *r = &rs->rules[e->rule];

		bw_why_set(err, err_len,
			   "%s:%u sid %u: hyperscan: %s (expression '%s')",
			   r->file, r->line, r->sid, msg, ex);
	} else {
		bw_why_set(err, err_len, "hyperscan: %s (expression '%s')", msg,
			   ex);
	}
}

int
ctl_hsdb_compile(const struct ctl_rules *rs, const struct ctl_hsmap *map,
		 const struct ctl_hsdb_opts *o, struct ctl_hsdb *out, char *err,
		 size_t err_len)
{
	static const struct ctl_hsdb_limits def = {
		CTL_HSDB_MAX_RULES, CTL_HSDB_MAX_EXPRS, CTL_HSDB_MAX_DB_BYTES};
	const struct ctl_hsdb_limits *lim = o->limits ? o->limits : &def;
	const char **pats = NULL;
	const hs_expr_ext_t **exts = NULL;
	unsigned int *flags = NULL, *ids = NULL, mode;
	size_t *src = NULL; /* index in map->e of each compiled expression */
	hs_compile_error_t *cerr = NULL;
	size_t i, n = 0, nb_rules = 0, nb_exprs = 0;
	int eod = 0, som = 0, ret;
	struct ctl_hsdb nd, *db = &nd; /* replaces *out only when good */
	uint64_t t0;

	memset(&nd, 0, sizeof(nd));
	db->mode = o->mode;
	db->rule_space = (uint32_t)rs->nb_rules;
	if (o->mode != CTL_HSDB_BLOCK && o->mode != CTL_HSDB_STREAM) {
		bw_why_set(err, err_len, "bad database mode %d", (int)o->mode);
		return -EINVAL;
	}
	if (map->nb_rules != rs->nb_rules) {
		bw_why_set(
			err, err_len,
			"the expression map is of another rule set (%zu rules, "
			"not %zu)",
			map->nb_rules, rs->nb_rules);
		return -EINVAL;
	}
	for (i = 0; i < rs->nb_rules; i++) {
		if (map->count[i] == 0 || !rule_chosen(rs, i, o))
			continue;
		nb_rules++;
		nb_exprs += map->count[i];
		eod |= map->needs_eod[i];
	}
	nb_exprs += eod;
	if (nb_rules > lim->max_rules) {
		bw_why_set(err, err_len,
			   "%zu rules with payload conditions exceed the limit "
			   "of %u",
			   nb_rules, lim->max_rules);
		return -E2BIG;
	}
	if (nb_exprs > lim->max_exprs) {
		bw_why_set(err, err_len,
			   "%zu hyperscan expressions exceed the limit of %u",
			   nb_exprs, lim->max_exprs);
		return -E2BIG;
	}
	if (nb_rules == 0) {
		/* Hyperscan cannot compile an empty set: no database */
		ctl_hsdb_free(out);
		*out = nd;
		return 0;
	}
	pats = calloc(nb_exprs, sizeof(*pats));
	exts = calloc(nb_exprs, sizeof(*exts));
	flags = calloc(nb_exprs, sizeof(*flags));
	ids = calloc(nb_exprs, sizeof(*ids));
	src = calloc(nb_exprs, sizeof(*src));
	if (pats == NULL || exts == NULL || flags == NULL || ids == NULL ||
	    src == NULL) {
		bw_why_set(err, err_len, "out of memory");
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < rs->nb_rules + (size_t)eod; i++) {
		size_t first, count, k;

		if (i == rs->nb_rules) {
			first = map->eod;
			count = 1;
		} else {
			if (map->count[i] == 0 || !rule_chosen(rs, i, o))
				continue;
			first = map->first[i];
			count = map->count[i];
		}
		for (k = first; k < first + count; k++) {
			const struct ctl_hsexpr *e = &map->e[k];

			pats[n] = e->pattern;
			flags[n] = e->flags;
			ids[n] = e->id;
			exts[n] = e->has_ext ? &e->ext : NULL;
			src[n] = k;
			som |= (e->flags & HS_FLAG_SOM_LEFTMOST) != 0;
			n++;
		}
	}
	mode = o->mode == CTL_HSDB_STREAM ? HS_MODE_STREAM : HS_MODE_BLOCK;
	if (som && mode == HS_MODE_STREAM)
		mode |= HS_MODE_SOM_HORIZON_LARGE;
	t0 = bw_clock_ns(CLOCK_MONOTONIC);
	if (hs_compile_ext_multi(pats, flags, ids, exts, (unsigned int)n, mode,
				 NULL, &db->db, &cerr) != HS_SUCCESS) {
		if (cerr != NULL && cerr->expression >= 0 &&
		    (size_t)cerr->expression < n)
			compile_error(rs, &map->e[src[cerr->expression]],
				      cerr->message, err, err_len);
		else
			bw_why_set(err, err_len, "hyperscan: %s",
				   cerr != NULL ? cerr->message
						: "compile failed");
		hs_free_compile_error(cerr);
		db->db = NULL;
		ret = -EINVAL;
		goto out;
	}
	db->compile_ns = bw_clock_ns(CLOCK_MONOTONIC) - t0;
	db->nb_rules = (uint32_t)nb_rules;
	db->nb_exprs = (uint32_t)n;
	if (hs_database_size(db->db, &db->db_bytes) != HS_SUCCESS) {
		bw_why_set(err, err_len, "hyperscan: cannot size the database");
		ret = -EINVAL;
		goto out;
	}
	if (db->db_bytes > lim->max_db_bytes) {
		bw_why_set(
			err, err_len,
			"hyperscan database of %zu bytes exceeds the limit of "
			"%llu bytes",
			db->db_bytes, (unsigned long long)lim->max_db_bytes);
		ret = -E2BIG;
		goto out;
	}
	ctl_hsdb_free(out);
	*out = nd;
	ret = 0;
out:
	if (ret)
		ctl_hsdb_free(&nd);
	free(pats);
	free(exts);
	free(flags);
	free(ids);
	free(src);
	return ret;
}

int
ctl_hsdb_serialize(const struct ctl_hsdb *db, char **buf, size_t *len)
{
	*buf = NULL;
	*len = 0;
	if (db->db == NULL)
		return -ENOENT;
	if (hs_serialize_database(db->db, buf, len) != HS_SUCCESS)
		return -ENOMEM;
	return 0;
}

/* Rule ids seen during one scan. */
struct hits {
	uint32_t *v;
	size_t n;
	size_t cap;
	uint32_t rule_space;
	int err;
};

static int
on_match(unsigned int id, unsigned long long from, unsigned long long to,
	 unsigned int flags, void *ctx)
{
	struct hits *h = ctx;

	(void)from;
	(void)to;
	(void)flags;
	if (id >= h->rule_space)
		return 0; /* never reported: sub-expressions are quiet */
	if (CTL_ARRAY_GROW(h->v, h->n, h->cap, 16) < 0) {
		h->err = -ENOMEM;
		return 1; /* stop the scan */
	}
	h->v[h->n++] = id;
	return 0;
}

static int
u32_cmp(const void *a, const void *b)
{
	return CTL_CMP(*(const uint32_t *)a, *(const uint32_t *)b);
}

/* Sort, dedup and copy the hits out. */
static int
hits_out(struct hits *h, uint32_t *ids, size_t max_ids, size_t *nb_ids)
{
	size_t i, o = 0;

	if (h->err) {
		free(h->v);
		return h->err;
	}
	if (h->n > 0)
		qsort(h->v, h->n, sizeof(*h->v), u32_cmp);
	for (i = 0; i < h->n; i++) {
		if (i > 0 && h->v[i] == h->v[i - 1])
			continue;
		if (o < max_ids)
			ids[o] = h->v[i];
		o++;
	}
	*nb_ids = o;
	free(h->v);
	return 0;
}

static int
scratch_get(struct ctl_hsdb *db)
{
	if (db->scratch != NULL)
		return 0;
	return hs_alloc_scratch(db->db, &db->scratch) == HS_SUCCESS ? 0
								    : -ENOMEM;
}

int
ctl_hsdb_scan(struct ctl_hsdb *db, const void *data, size_t len, uint32_t *ids,
	      size_t max_ids, size_t *nb_ids)
{
	struct hits h = {NULL, 0, 0, db->rule_space, 0};
	hs_error_t r;

	*nb_ids = 0;
	if (db->mode != CTL_HSDB_BLOCK || len > UINT_MAX)
		return -EINVAL;
	if (db->db == NULL)
		return 0;
	if (scratch_get(db))
		return -ENOMEM;
	r = hs_scan(db->db, data, (unsigned int)len, 0, db->scratch, on_match,
		    &h);
	if (r != HS_SUCCESS && r != HS_SCAN_TERMINATED) {
		free(h.v);
		return -EIO;
	}
	return hits_out(&h, ids, max_ids, nb_ids);
}

int
ctl_hsdb_scan_stream(struct ctl_hsdb *db, const struct iovec *seg,
		     size_t nb_seg, uint32_t *ids, size_t max_ids,
		     size_t *nb_ids)
{
	struct hits h = {NULL, 0, 0, db->rule_space, 0};
	hs_stream_t *st = NULL;
	size_t i;
	int ret = 0;

	*nb_ids = 0;
	if (db->mode != CTL_HSDB_STREAM)
		return -EINVAL;
	for (i = 0; i < nb_seg; i++) {
		if (seg[i].iov_len > UINT_MAX)
			return -EINVAL;
	}
	if (db->db == NULL)
		return 0;
	if (scratch_get(db))
		return -ENOMEM;
	if (hs_open_stream(db->db, 0, &st) != HS_SUCCESS)
		return -ENOMEM;
	for (i = 0; i < nb_seg && h.err == 0; i++) {
		hs_error_t r = hs_scan_stream(st, seg[i].iov_base,
					      (unsigned int)seg[i].iov_len, 0,
					      db->scratch, on_match, &h);

		if (r != HS_SUCCESS && r != HS_SCAN_TERMINATED) {
			ret = -EIO;
			break;
		}
	}
	if (hs_close_stream(st, db->scratch, ret == 0 ? on_match : NULL, &h) !=
		    HS_SUCCESS &&
	    ret == 0)
		ret = -EIO;
	if (ret) {
		free(h.v);
		return ret;
	}
	return hits_out(&h, ids, max_ids, nb_ids);
}
