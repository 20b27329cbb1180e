/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ruleset build and swap. Runs on the dataplane's control thread (and on
 * the main lcore at boot, before workers start); never on a worker.
 *
 * A commit has the shape of OpenBSD pf's DIOCXBEGIN .. DIOCXCOMMIT:
 * validate the image, let every stage (eBPF programs, content rules,
 * lists) prepare its part of the standby ruleset, where any failure
 * changes nothing and releases what was prepared, then swap the ruleset
 * pointer (the RCU release store) and retire the replaced parts after the
 * grace period (rte_rcu_qsbr).
 *
 * Two copies of the FIBs exist. A commit computes the FIB operations that
 * turn the generation in force into the new one (a diff for a FULL image,
 * the delta itself for a DELTA image), applies them to the standby copy,
 * publishes a ruleset that points at it, waits for an RCU grace period,
 * frees the replaced ruleset object and applies the same operations to the
 * copy that just went out of use, so both stay level. Adding one address
 * to a million-prefix list is then a handful of FIB operations per copy.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_memzone.h>
#include <rte_malloc.h>

#include "bw_statedir.h"
#include "bw_util.h"
#include "dp.h"
#include "bw_image_view.h"
#include "dp_events.h"
#include "dp_ruleset.h"

#define DP_TBL8_MIN    256
#define DP_TBL8_2B_MAX 32767 /* tbl8 groups a 2-byte entry can index */
#define DP_ROUTES_MIN  1024

static uint64_t
now_ns(void)
{
	return dp_clock_ns(CLOCK_MONOTONIC);
}

static uint32_t
host4(const uint8_t *a)
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
	       (uint32_t)a[2] << 8 | a[3];
}

/* tbl8 groups a table of routes may need (upper bound, then some room). */
static uint32_t
tbl8_need(const struct bw_rtable *t, int fam)
{
	uint64_t n = 0;
	uint32_t i;

	for (i = 0; i < t->n; i++) {
		if (t->r[i].len <= 24)
			continue;
		/* DIR24_8: one group per /24 with longer routes; the
		 * trie: one per byte beyond the 24-bit first level */
		n += fam == BW_FAM_V4 ? 1 : (t->r[i].len - 24 + 7) / 8;
	}
	n = n + n / 4 + DP_TBL8_MIN;
	return n > UINT32_MAX / 2 ? UINT32_MAX / 2 : (uint32_t)n;
}

static void
tables_free_one(struct dp_tables *t, int act, int fam)
{
	if (fam == BW_FAM_V4) {
		rte_fib_free(t->fib4[act]);
		t->fib4[act] = NULL;
	} else {
		rte_fib6_free(t->fib6[act]);
		t->fib6[act] = NULL;
	}
	t->tbl8[act][fam] = 0;
	t->routes[act][fam] = 0;
}

/* Create an empty FIB for one action/family sized for tbl8 and routes. */
static int
fib_create(struct dp_rsctl *c, struct dp_tables *t, int act, int fam,
	   uint32_t tbl8, uint32_t routes)
{
	char name[RTE_MEMZONE_NAMESIZE];

	snprintf(name, sizeof(name), "bw%d%c%u", fam == BW_FAM_V4 ? 4 : 6,
		 act == BW_ACT_BLOCK ? 'b' : 'a', c->fib_seq++);
	/*
	 * 2-byte entries halve the tables (32 MiB of tbl24 instead of 64),
	 * but index at most DP_TBL8_2B_MAX tbl8 groups (15 bits; the 16th
	 * flags an extended entry); beyond that, 4-byte entries.
	 */
	if (fam == BW_FAM_V4) {
		struct rte_fib_conf conf = {
			.type = RTE_FIB_DIR24_8,
			.default_nh = BW_NH_NONE,
			.max_routes = (int)routes,
			.dir24_8 = {.nh_sz = tbl8 <= DP_TBL8_2B_MAX
						     ? RTE_FIB_DIR24_8_2B
						     : RTE_FIB_DIR24_8_4B,
				    .num_tbl8 = tbl8},
		};

		t->fib4[act] = rte_fib_create(name, SOCKET_ID_ANY, &conf);
		if (t->fib4[act] == NULL)
			goto err;
	} else {
		struct rte_fib6_conf conf = {
			.type = RTE_FIB6_TRIE,
			.default_nh = BW_NH_NONE,
			.max_routes = (int)routes,
			.trie = {.nh_sz = tbl8 <= DP_TBL8_2B_MAX
						  ? RTE_FIB6_TRIE_2B
						  : RTE_FIB6_TRIE_4B,
				 .num_tbl8 = tbl8},
		};

		t->fib6[act] = rte_fib6_create(name, SOCKET_ID_ANY, &conf);
		if (t->fib6[act] == NULL)
			goto err;
	}
	t->tbl8[act][fam] = tbl8;
	t->routes[act][fam] = routes;
	return 0;
err:
	/* tbl24 (2^24 entries) and the tbl8 groups (256 entries each), of
	 * 2 or 4 bytes, and a rib node (about 64 bytes) per route */
	c->fib_need = ((1ull << 24) + (uint64_t)tbl8 * 256) *
			      (tbl8 <= DP_TBL8_2B_MAX ? 2 : 4) +
		      (uint64_t)routes * 64;
	DP_LOG(ERR,
	       "cannot create FIB %s (%u tbl8 groups, %u routes, about %" PRIu64
	       " MiB): %s",
	       name, tbl8, routes, c->fib_need >> 20, rte_strerror(rte_errno));
	return -ENOMEM;
}

static int
fib_op(struct dp_tables *t, int act, int fam, const uint8_t *addr, uint8_t len,
       int del, uint16_t nh)
{
	int ret;

	if (fam == BW_FAM_V4)
		ret = del ? rte_fib_delete(t->fib4[act], host4(addr), len)
			  : rte_fib_add(t->fib4[act], host4(addr), len, nh);
	else
		ret = del ? rte_fib6_delete(t->fib6[act], addr, len)
			  : rte_fib6_add(t->fib6[act], addr, len, nh);
	/* deleting what is not there leaves the table as wanted */
	return del && ret == -ENOENT ? 0 : ret;
}

/*
 * (Re)build one FIB of a copy from the model table, with room to grow.
 */
static int
fib_rebuild(struct dp_rsctl *c, struct dp_tables *t, int act, int fam,
	    const struct bw_rtable *rt, uint32_t min_tbl8)
{
	uint32_t i, tbl8, routes;
	int ret;

	tables_free_one(t, act, fam);
	if (rt->n == 0)
		return 0;
	tbl8 = tbl8_need(rt, fam);
	if (tbl8 < min_tbl8)
		tbl8 = min_tbl8;
	/* the RIB under the FIB also holds branch nodes: up to one per route */
	routes = 2 * rt->n + rt->n / 4 + DP_ROUTES_MIN;
	ret = fib_create(c, t, act, fam, tbl8, routes);
	if (ret != 0)
		return ret;
	for (i = 0; i < rt->n; i++) {
		ret = fib_op(t, act, fam, rt->r[i].addr, rt->r[i].len, 0,
			     rt->r[i].nh);
		if (ret != 0) {
			DP_LOG(ERR, "FIB rebuild: route %u of %u: %s", i, rt->n,
			       strerror(-ret));
			tables_free_one(t, act, fam);
			return ret;
		}
	}
	return 0;
}

/*
 * Bring one copy to the model's content by applying ops (or by a rebuild
 * when it is dirty, or when a FIB runs out of room). m is the model that
 * the copy must end up equal to. Returns 0, or a negative errno after
 * which the copy is marked dirty.
 */
static int
tables_apply(struct dp_rsctl *c, struct dp_tables *t, const struct bw_ops *ops,
	     const struct bw_model *m)
{
	int act, fam, ret;
	uint32_t i;

	for (act = 0; act < BW_ACT_COUNT; act++) {
		for (fam = 0; fam < BW_FAM_COUNT; fam++) {
			const struct bw_rtable *rt = &m->tab[act][fam];
			const struct bw_opvec *v = &ops->v[act][fam];
			int exists = fam == BW_FAM_V4 ? t->fib4[act] != NULL
						      : t->fib6[act] != NULL;

			if (t->dirty || (!exists && rt->n != 0)) {
				ret = fib_rebuild(c, t, act, fam, rt, 0);
				if (ret != 0)
					goto err;
				continue;
			}
			if (rt->n == 0) {
				tables_free_one(t, act, fam);
				continue;
			}
			for (i = 0; i < v->n; i++) {
				ret = fib_op(t, act, fam, v->o[i].addr,
					     v->o[i].len, v->o[i].del,
					     v->o[i].nh);
				/* -ENOSPC: out of tbl8 groups; -ENOMEM: out
				 * of RIB nodes. Both: rebuild bigger. */
				if (ret == -ENOSPC || ret == -ENOMEM) {
					DP_LOG(INFO,
					       "FIB %d/%d full, rebuilding "
					       "larger",
					       act, fam);
					ret = fib_rebuild(c, t, act, fam, rt,
							  t->tbl8[act][fam] *
								  2);
					break;
				}
				if (ret != 0)
					break;
			}
			if (ret != 0)
				goto err;
		}
	}
	t->dirty = 0;
	return 0;
err:
	DP_LOG(ERR, "FIB %s IPv%d: %s", act == BW_ACT_BLOCK ? "block" : "allow",
	       fam == BW_FAM_V4 ? 4 : 6, strerror(-ret));
	t->dirty = 1;
	return ret;
}

/* Publish list names, sizes and the generation in the status region. */
static void
status_publish(struct dp_rsctl *c, const struct bw_model *old)
{
	struct bw_status_hdr *hdr = c->status->hdr;
	struct bw_list_info *info = dp_status_list_info(c->status);
	const struct bw_model *m = &c->model;
	uint32_t id, w;

	__atomic_store_n(&hdr->list_seq, hdr->list_seq + 1, __ATOMIC_RELEASE);
	for (id = 0; id < BW_LIST_MAX; id++) {
		const struct bw_list_meta *lm = &m->lists[id];
		struct bw_list_info *li = &info[id];

		if (lm->action == 0) {
			memset(li, 0, sizeof(*li));
			continue;
		}
		/* a new list in a slot starts counting from the slot's sum */
		if (old == NULL || old->lists[id].action == 0 ||
		    strcmp(old->lists[id].name, lm->name) != 0) {
			li->base_pkts = 0;
			li->base_bytes = 0;
			for (w = 0; w < c->nb_workers; w++) {
				struct bw_list_stats *ls =
					dp_status_list_stats(c->status, w);

				li->base_pkts += __atomic_load_n(
					&ls[id].pkts, __ATOMIC_RELAXED);
				li->base_bytes += __atomic_load_n(
					&ls[id].bytes, __ATOMIC_RELAXED);
			}
			li->since_gen = m->generation;
		}
		memcpy(li->name, lm->name, sizeof(li->name));
		li->action = lm->action;
		li->match = lm->match;
		li->nb_v4 = lm->nb_v4;
		li->nb_v6 = lm->nb_v6;
	}
	__atomic_store_n(&hdr->list_seq, hdr->list_seq + 1, __ATOMIC_RELEASE);
	__atomic_store_n(&hdr->applied_ns, dp_clock_ns(CLOCK_REALTIME),
			 __ATOMIC_RELAXED);
	/* pairs with the acquire load of applied_gen in bulwarkctl */
	__atomic_store_n(&hdr->applied_gen, m->generation, __ATOMIC_RELEASE);
}

/*
 * Set up the ruleset state: the RCU variable for nb_workers workers and
 * no ruleset yet. Returns 0 or a negative errno. Main lcore.
 */
int
dp_rsctl_init(struct dp_rsctl *c, uint32_t nb_workers, struct dp_status *st)
{
	size_t sz;

	memset(c, 0, sizeof(*c));
	c->status = st;
	c->nb_workers = nb_workers;
	sz = rte_rcu_qsbr_get_memsize(nb_workers);
	c->qsbr = rte_zmalloc("bw_qsbr", sz, RTE_CACHE_LINE_SIZE);
	if (c->qsbr == NULL)
		return -ENOMEM;
	if (rte_rcu_qsbr_init(c->qsbr, nb_workers) != 0) {
		rte_free(c->qsbr);
		return -EINVAL;
	}
	return 0;
}

static void
reply_set(struct bw_ctl_reply *rep, uint16_t status, int err, const char *msg)
{
	rep->status = status;
	rep->err = err;
	snprintf(rep->message, sizeof(rep->message), "%s", msg);
}

/*
 * Level the copy of the tables that the last apply took out of use: apply
 * the same FIB operations to it (or rebuild it when dirty), so that the
 * next commit finds a standby equal to the tables in force. Runs after the
 * reply went out, so that a commit costs the operator one table update,
 * not two. Control thread (or main lcore at boot).
 */
void
dp_rsctl_level(struct dp_rsctl *c)
{
	if (!c->level_pending)
		return;
	/* the copy not in use: the one the last apply swapped out */
	if (tables_apply(c, &c->copy[1 - c->cur], &c->pending, &c->model) != 0)
		DP_LOG(WARNING, "standby tables not levelled; the next commit "
				"rebuilds them");
	bw_ops_free(&c->pending);
	c->level_pending = 0;
}

/*
 * One commit in the making, from DIOCXBEGIN to DIOCXCOMMIT in OpenBSD pf's
 * terms: what validation found, and what each stage prepared for the
 * standby ruleset. Control thread (or main lcore at boot).
 */
struct txn {
	void *copy;		       /* our copy of the image */
	struct bw_image_view v;	       /* of copy, once validated */
	int full;		       /* a FULL image (else a DELTA) */
	struct bw_model next;	       /* FULL: the model it brings */
	const struct bw_model *target; /* what the tables must equal */
	struct bw_ops ops;	       /* FIB operations to get there */
	uint64_t t1;		       /* end of validation, ns */
	/* the stages' parts */
	struct dp_ruleset rs;	    /* what workers will see */
	int standby;		    /* lists: the copy of the tables */
	struct dp_bpf_set *bpf;	    /* eBPF: FULL's new set, or NULL */
	struct dp_match_set *match; /* content rules: a new set, or NULL */
	int new_match;		   /* rs.match is match, not the set in force */
	struct dp_ruleset *old_rs; /* the ruleset the swap replaced */
	char why[BW_IMAGE_WHY_LEN]; /* a refusal's reason */
};

/*
 * Validate: copy the image, check it, check its parent generation (FULL)
 * and compute the model it leads to and the FIB operations from the model
 * in force (a DELTA applies to that model in place). Fills *rep on a
 * refusal and returns 0 or a negative errno. Control thread.
 */
static int
txn_begin(struct dp_rsctl *c, struct txn *t, const void *img, size_t len,
	  int boot, struct bw_ctl_reply *rep)
{
	uint64_t in_force = c->active != NULL ? c->active->generation : 0;
	int ret;

	memset(t, 0, sizeof(*t));
	rep->applied_gen = in_force;
	if (len == 0 || len > BW_IMAGE_SIZE_MAX) {
		reply_set(rep, BW_CTL_REFUSED, -E2BIG,
			  "image size out of range");
		return -E2BIG;
	}
	/* our own copy: the writer cannot change what we validated */
	t->copy = aligned_alloc(64, (len + 63) & ~(size_t)63);
	if (t->copy == NULL) {
		reply_set(rep, BW_CTL_REFUSED, -ENOMEM, "out of memory");
		return -ENOMEM;
	}
	memcpy(t->copy, img, len);
	ret = bw_image_validate(t->copy, len, &t->v, t->why, sizeof(t->why));
	if (ret != 0) {
		reply_set(rep, BW_CTL_REFUSED, ret, t->why);
		return ret;
	}
	t->t1 = now_ns();
	t->full = t->v.hdr->kind == BW_IMAGE_FULL;
	t->rs.generation = t->v.hdr->generation;
	if (!boot && t->full && t->v.hdr->parent_gen != in_force) {
		snprintf(t->why, sizeof(t->why),
			 "image made against generation %" PRIu64
			 ", generation %" PRIu64 " is in force",
			 t->v.hdr->parent_gen, in_force);
		reply_set(rep, BW_CTL_CONFLICT, -ESTALE, t->why);
		return -ESTALE;
	}
	if (t->full) {
		ret = bw_model_from_full(&t->v, &t->next);
		if (ret == 0)
			ret = bw_model_diff(&c->model, &t->next, &t->ops);
		if (ret != 0) {
			reply_set(rep, BW_CTL_REFUSED, ret, "out of memory");
			return ret;
		}
		t->target = &t->next;
		return 0;
	}
	if (c->model_broken || boot) {
		reply_set(rep, BW_CTL_REFUSED, -EINVAL,
			  "a full image is needed (no base for a delta)");
		return -EINVAL;
	}
	dp_events_model_lock();
	ret = bw_model_apply_delta(&c->model, &t->v, &t->ops, t->why,
				   sizeof(t->why));
	dp_events_model_unlock();
	if (ret == -ENOMEM)
		c->model_broken = 1;
	if (ret != 0) {
		reply_set(rep,
			  ret == -ESTALE ? BW_CTL_CONFLICT : BW_CTL_REFUSED,
			  ret, t->why);
		return ret;
	}
	t->target = &c->model;
	return 0;
}

/* Free what validation made (the stages' parts are theirs). */
static void
txn_end(struct txn *t)
{
	bw_model_free(&t->next);
	bw_ops_free(&t->ops);
	free(t->copy);
}

/*
 * The stages of a ruleset and their life cycle around a commit. Each
 * hook runs on the control thread (or main lcore at boot); the per-burst
 * classify of each stage runs on the workers (dp.h).
 */
struct stage_ops {
	/*
	 * Build the stage's part of the standby ruleset into t. May fail:
	 * fills *rep, leaves nothing of its own allocated and returns a
	 * negative errno.
	 */
	int (*prepare)(struct dp_rsctl *c, struct txn *t,
		       struct bw_ctl_reply *rep);
	/* Release what prepare made: a later step failed. */
	void (*abort)(struct dp_rsctl *c, struct txn *t);
	/* Just before the swap (cannot fail); NULL: nothing to do. */
	void (*publish)(struct dp_rsctl *c, struct txn *t);
	/*
	 * After the grace period that followed the swap: no worker runs the
	 * replaced part any more. Adopt the new part, free the old one.
	 */
	void (*retire)(struct dp_rsctl *c, struct txn *t);
};

/*
 * eBPF: a FULL image brings its own programs, loaded (and JIT-compiled:
 * native code is per process) before any table is touched, so that a
 * program the dataplane cannot load refuses the whole commit. A DELTA
 * keeps the programs in force.
 */
static int
bpf_prepare(struct dp_rsctl *c, struct txn *t, struct bw_ctl_reply *rep)
{
	int ret;

	t->rs.bpf = c->bpf;
	if (!t->full)
		return 0;
	ret = dp_bpf_set_build(&t->v, c->bpf, c->status, c->nb_workers,
			       c->bpf_jit, t->v.hdr->generation, &t->bpf,
			       t->why, sizeof(t->why));
	if (ret != 0) {
		reply_set(rep, BW_CTL_REFUSED, ret, t->why);
		return ret;
	}
	t->rs.bpf = t->bpf;
	return 0;
}

static void
bpf_abort(struct dp_rsctl *c, struct txn *t)
{
	(void)c;
	dp_bpf_set_free(t->bpf);
	t->bpf = NULL;
}

static void
bpf_retire(struct dp_rsctl *c, struct txn *t)
{
	struct dp_bpf_set *old;

	if (!t->full)
		return;
	old = c->bpf;
	c->bpf = t->bpf;
	t->bpf = NULL;
	dp_bpf_set_publish(c->bpf, c->status);
	dp_bpf_set_free(old);
}

/*
 * Content rules: the set in force stays when the image brings the same
 * rules (its counters go on); else a new set on the other counter bank,
 * deserialized before anything is touched. A DELTA keeps the set.
 */
static int
match_prepare(struct dp_rsctl *c, struct txn *t, struct bw_ctl_reply *rep)
{
	int ret;

	t->rs.match = c->match;
	if (!t->full ||
	    (c->match != NULL && dp_match_crc(&t->v) == c->match->crc32c))
		return 0;
	ret = dp_match_set_build(&t->v, c->nb_workers, c->nb_flows,
				 c->match != NULL ? 1 - c->match->bank : 0,
				 t->v.hdr->generation, &t->match, t->why,
				 sizeof(t->why));
	if (ret != 0) {
		reply_set(rep, BW_CTL_REFUSED, ret, t->why);
		return ret;
	}
	t->new_match = 1;
	t->rs.match = t->match;
	return 0;
}

static void
match_abort(struct dp_rsctl *c, struct txn *t)
{
	(void)c;
	dp_match_set_free(t->match);
	t->match = NULL;
	t->new_match = 0;
}

/* zero the new set's counter bank and name it before the swap */
static void
match_publish(struct dp_rsctl *c, struct txn *t)
{
	if (t->new_match) {
		dp_match_set_publish(t->match, c->status, c->nb_workers);
		dp_events_rules_note(&t->v, t->v.hdr->generation);
	}
}

static void
match_retire(struct dp_rsctl *c, struct txn *t)
{
	struct dp_match_set *old;

	if (!t->new_match)
		return;
	old = c->match;
	c->match = t->match;
	t->match = NULL;
	dp_match_set_free(old);
}

/*
 * Lists: bring the standby copy of the FIBs to the new model (the copy
 * in force before the first ruleset exists).
 */
static int
lists_prepare(struct dp_rsctl *c, struct txn *t, struct bw_ctl_reply *rep)
{
	int ret;

	t->standby = c->active == NULL ? c->cur : 1 - c->cur;
	/* a model broken by a failed delta no longer describes the tables:
	 * rebuild both copies from the new one */
	if (c->model_broken)
		c->copy[t->standby].dirty = 1;
	ret = tables_apply(c, &c->copy[t->standby], &t->ops, t->target);
	if (ret != 0) {
		if (!t->full)
			c->model_broken = 1;
		reply_set(rep, BW_CTL_REFUSED, ret,
			  "cannot build the tables (out of memory?)");
		return ret;
	}
	memcpy(t->rs.fib4, c->copy[t->standby].fib4, sizeof(t->rs.fib4));
	memcpy(t->rs.fib6, c->copy[t->standby].fib6, sizeof(t->rs.fib6));
	return 0;
}

/* The standby no longer equals any model: rebuilt at the next commit. */
static void
lists_abort(struct dp_rsctl *c, struct txn *t)
{
	if (!t->full)
		c->model_broken = 1;
	c->copy[t->standby].dirty = 1;
}

static void
lists_retire(struct dp_rsctl *c, struct txn *t)
{
	/* the copy that just went out of use (or the second copy, after the
	 * very first load) is levelled by dp_rsctl_level(), after the reply */
	if (t->old_rs == NULL || c->model_broken)
		c->copy[1 - t->standby].dirty = 1;
	if (t->full) {
		struct bw_model prev;

		dp_events_model_lock(); /* the events writer reads it */
		prev = c->model;
		c->model = t->next;
		memset(&t->next, 0, sizeof(t->next));
		dp_events_model_unlock();
		status_publish(c, &prev);
		bw_model_free(&prev);
	} else {
		status_publish(c, &c->model);
	}
	c->model_broken = 0;
	c->cur = t->standby;
}

/*
 * In prepare order: programs and rules are loaded before any table is
 * touched. Retired in the reverse order: the lists' status (and the
 * applied generation) first, as before the stages had hooks. The flow
 * tables are per worker and outlive rulesets: their per-set state (the
 * streams) is the content rule set's.
 */
static const struct stage_ops stages[] = {
	{bpf_prepare, bpf_abort, NULL, bpf_retire},
	{match_prepare, match_abort, match_publish, match_retire},
	{lists_prepare, lists_abort, NULL, lists_retire},
};

/*
 * Apply an image: validate it, let every stage prepare its part of the
 * standby ruleset, swap, wait a grace period, retire the replaced parts;
 * dp_rsctl_level() then levels the other copy of the tables. boot:
 * loading from the state directory before workers run (parent generation
 * not checked). Fills *rep (status, times, message) and returns 0 or a
 * negative errno; on any failure the ruleset in force is untouched and
 * whatever was prepared is released. Control thread or, at boot, main
 * lcore.
 */
int
dp_rsctl_apply(struct dp_rsctl *c, const void *img, size_t len, int boot,
	       struct bw_ctl_reply *rep)
{
	struct txn t;
	struct dp_ruleset *rs;
	uint64_t t0 = now_ns(), t2, t3;
	unsigned int k, nb_ready = 0;
	int ret;

	dp_rsctl_level(c);
	ret = txn_begin(c, &t, img, len, boot, rep);
	if (ret != 0)
		goto out;
	for (k = 0; k < RTE_DIM(stages); k++) {
		ret = stages[k].prepare(c, &t, rep);
		if (ret != 0)
			goto err_abort;
		nb_ready++;
	}
	rs = rte_zmalloc("bw_ruleset", sizeof(*rs), RTE_CACHE_LINE_SIZE);
	if (rs == NULL) {
		reply_set(rep, BW_CTL_REFUSED, -ENOMEM, "out of memory");
		ret = -ENOMEM;
		goto err_abort;
	}
	*rs = t.rs;
	for (k = 0; k < RTE_DIM(stages); k++)
		if (stages[k].publish != NULL)
			stages[k].publish(c, &t);
	t2 = now_ns();

	t.old_rs = c->active;
	/* pairs with the acquire load in worker.c leg_poll() */
	__atomic_store_n(&c->active, rs, __ATOMIC_RELEASE);
	rte_rcu_qsbr_synchronize(c->qsbr, RTE_QSBR_THRID_INVALID);
	rte_free(t.old_rs);
	t3 = now_ns();
	for (k = RTE_DIM(stages); k-- > 0;)
		stages[k].retire(c, &t);

	rep->applied_gen = c->model.generation;
	/* a generation runs again: no longer one that failed at start */
	if (c->status != NULL && c->status->hdr != NULL) {
		c->status->hdr->restore_gen = 0;
		c->status->hdr->restore_err = 0;
	}
	rep->validate_ns = t.t1 - t0;
	rep->build_ns = t2 - t.t1;
	rep->swap_ns = t3 - t2;
	rep->total_ns = now_ns() - t0;
	snprintf(t.why, sizeof(t.why),
		 "generation %" PRIu64 ": %u lists, %u programs, %u rules, "
		 "%u FIB changes",
		 c->model.generation, c->model.nb_lists,
		 c->bpf != NULL ? c->bpf->nb : 0,
		 c->match != NULL ? c->match->nb_rules : 0,
		 bw_ops_count(&t.ops));
	reply_set(rep, BW_CTL_OK, 0, t.why);
	DP_LOG(INFO, "%s (%s) in %.3f ms", t.why, t.v.hdr->comment,
	       (double)rep->total_ns / 1e6);
	c->pending = t.ops;
	memset(&t.ops, 0, sizeof(t.ops));
	c->level_pending = 1;
	ret = 0;
	goto out;

err_abort:
	while (nb_ready > 0) {
		nb_ready--;
		stages[nb_ready].abort(c, &t);
	}
out:
	txn_end(&t);
	return ret;
}

/*
 * Apply the image in the open regular file or shm object fd, which the
 * request said is size bytes: copied with pread() (bw_state_read_fd()),
 * never mapped, so that a client that shrinks the object meanwhile gets a
 * refusal, not a SIGBUS in the dataplane. Control thread.
 */
int
dp_rsctl_apply_fd(struct dp_rsctl *c, int fd, size_t size,
		  struct bw_ctl_reply *rep)
{
	char why[BW_STATE_WHY_LEN];
	size_t len;
	void *buf;
	int ret;

	ret = bw_state_read_fd(fd, BW_IMAGE_SIZE_MAX, 64, &buf, &len, why,
			       sizeof(why));
	if (ret == 0 && len != size) {
		free(buf);
		snprintf(why, sizeof(why),
			 "changed size while being read (%zu bytes, then %zu)",
			 size, len);
		ret = -EINVAL;
	}
	if (ret < 0) {
		char msg[sizeof(rep->message)];

		snprintf(msg, sizeof(msg), "image object: %.200s", why);
		reply_set(rep, BW_CTL_BAD_REQUEST, ret, msg);
		DP_LOG(WARNING, "refused image object: %s", why);
		return ret;
	}
	ret = dp_rsctl_apply(c, buf, len, 0, rep);
	free(buf);
	return ret;
}

/*
 * Apply the newest valid generation found in the state directory. The
 * directory must be trusted (bw_statedir.h): otherwise -EPERM, and the
 * caller refuses to start. A generation that bw_state_load_gen() refuses
 * (unreadable, not a FULL image, not bound to its audit line) or whose
 * content this dataplane refuses is skipped with a log line: it is not
 * valid. Returns 0 when one was applied or the directory holds none,
 * -ENOENT when none of those present could be applied. Main lcore, before
 * workers start.
 */
int
dp_rsctl_load_state(struct dp_rsctl *c, const char *dir, uint64_t *failed_gen,
		    char *fail_why, size_t fail_why_len)
{
	char path[PATH_MAX], why[BW_IMAGE_WHY_LEN];
	gid_t op_gid = bw_state_operator_gid();
	struct bw_audit_rec *recs = NULL;
	struct bw_ctl_reply rep;
	uint64_t *gens = NULL;
	size_t n = 0, i, nrecs = 0, len = 0;
	void *buf = NULL;
	int fd, ret;

	*failed_gen = 0;
	if (fail_why_len > 0)
		fail_why[0] = '\0';
	fd = bw_state_dir_open(dir, geteuid(), op_gid, why, sizeof(why));
	if (fd == -ENOENT) {
		DP_LOG(INFO,
		       "state directory %s: %s; starting without a "
		       "ruleset",
		       dir, why);
		return 0;
	}
	if (fd < 0) {
		DP_LOG(ERR, "refusing state directory %s: %s", dir, why);
		return -EPERM;
	}
	ret = bw_state_gens(fd, BW_STATE_IMAGE_PREFIX, &gens, &n);
	if (ret == 0 && n > 0)
		ret = bw_state_audit_load(fd, geteuid(), op_gid, &recs, &nrecs,
					  NULL, NULL, why, sizeof(why));
	else if (ret < 0)
		snprintf(why, sizeof(why), "%s", strerror(-ret));
	if (ret < 0) {
		close(fd);
		free(gens);
		DP_LOG(ERR, "state directory %s: %s", dir, why);
		return -EPERM;
	}
	/* newest first: bw_state_gens() sorts ascending */
	for (i = n; i-- > 0;) {
		snprintf(path, sizeof(path), "%s/" BW_STATE_IMAGE_FMT, dir,
			 gens[i]);
		ret = bw_state_load_gen(fd, gens[i], recs, nrecs, geteuid(),
					op_gid, &buf, &len, why, sizeof(why));
		if (ret != 0) {
			DP_LOG(WARNING,
			       "skipping generation %" PRIu64 " (%s): %s",
			       gens[i], path, why);
			continue;
		}
		memset(&rep, 0, sizeof(rep));
		ret = dp_rsctl_apply(c, buf, len, 1, &rep);
		free(buf);
		dp_rsctl_level(c);
		if (ret == 0) {
			DP_LOG(INFO, "restored generation %" PRIu64 " from %s",
			       gens[i], path);
			goto out;
		}
		if (rep.err == -ENOMEM || rep.err == -ENOSPC) {
			/* valid, but this dataplane lacks the memory: an
			 * older generation is no substitute */
			*failed_gen = gens[i];
			if (c->fib_need != 0)
				snprintf(fail_why, fail_why_len,
					 "%s: one of its tables alone needs "
					 "about "
					 "%" PRIu64 " MiB of DPDK memory",
					 rep.message, c->fib_need >> 20);
			else
				snprintf(fail_why, fail_why_len, "%s",
					 rep.message);
			ret = -ENOMEM;
			goto out;
		}
		DP_LOG(WARNING, "skipping generation %" PRIu64 " (%s): %s",
		       gens[i], path, rep.message);
	}
	ret = n == 0 ? 0 : -ENOENT;
out:
	close(fd);
	free(recs);
	free(gens);
	return ret;
}

/* Free everything. Workers must have stopped. Main lcore. */
void
dp_rsctl_fini(struct dp_rsctl *c)
{
	int k, act, fam;

	bw_ops_free(&c->pending);
	rte_free(c->active);
	c->active = NULL;
	dp_bpf_set_free(c->bpf);
	c->bpf = NULL;
	dp_match_set_free(c->match);
	c->match = NULL;
	for (k = 0; k < 2; k++)
		for (act = 0; act < BW_ACT_COUNT; act++)
			for (fam = 0; fam < BW_FAM_COUNT; fam++)
				tables_free_one(&c->copy[k], act, fam);
	bw_model_free(&c->model);
	rte_free(c->qsbr);
}
