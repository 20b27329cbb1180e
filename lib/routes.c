/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Block/allow list model and FIB operation lists (see bw_routes.h).
 * Runs on the dataplane's control thread, never on a worker.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_routes.h"

static unsigned int
fam_alen(int fam)
{
	return fam == BW_FAM_V4 ? 4 : 16;
}

static int
act_of(uint16_t action)
{
	return action == BW_ACTION_ALLOW ? BW_ACT_ALLOW : BW_ACT_BLOCK;
}

static void
prefix_mask(const uint8_t *in, unsigned int len, unsigned int alen,
	    uint8_t *out)
{
	unsigned int i;

	for (i = 0; i < alen; i++) {
		if (len >= 8 * (i + 1))
			out[i] = in[i];
		else if (len > 8 * i)
			out[i] = in[i] & (uint8_t)(0xff00u >> (len - 8 * i));
		else
			out[i] = 0;
	}
	for (; i < 16; i++)
		out[i] = 0;
}

/* 1 when prefix (oa, ol) contains prefix (ia, il). */
static int
prefix_contains(const uint8_t *oa, unsigned int ol, const uint8_t *ia,
		unsigned int il, unsigned int alen)
{
	uint8_t m[16];

	if (il < ol)
		return 0;
	prefix_mask(ia, ol, alen, m);
	return memcmp(m, oa, alen) == 0;
}

static int
key_cmp(const uint8_t *a, unsigned int al, const uint8_t *b, unsigned int bl,
	unsigned int alen)
{
	int c = memcmp(a, b, alen);

	if (c != 0)
		return c;
	return (int)al - (int)bl;
}

/* First index whose (addr, len) is >= the key. */
static uint32_t
lower_bound(const struct bw_rtable *t, const uint8_t *addr, unsigned int len,
	    unsigned int alen)
{
	uint32_t lo = 0, hi = t->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (key_cmp(t->r[mid].addr, t->r[mid].len, addr, len, alen) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
find_exact(const struct bw_rtable *t, const uint8_t *addr, unsigned int len,
	   unsigned int alen, uint32_t *pos)
{
	*pos = lower_bound(t, addr, len, alen);
	return *pos < t->n && t->r[*pos].len == len &&
	       memcmp(t->r[*pos].addr, addr, alen) == 0;
}

static int
lowest_list(const uint64_t member[2], const uint64_t mask[2])
{
	uint64_t b0 = member[0] & mask[0], b1 = member[1] & mask[1];

	if (b0 != 0)
		return __builtin_ctzll(b0);
	if (b1 != 0)
		return 64 + __builtin_ctzll(b1);
	return -1;
}

struct masks {
	uint64_t src[2]; /* lists matching on source */
	uint64_t dst[2]; /* lists matching on destination */
};

static void
model_masks(const struct bw_model *m, struct masks *mk)
{
	unsigned int id;

	memset(mk, 0, sizeof(*mk));
	for (id = 0; id < BW_LIST_MAX; id++) {
		if (m->lists[id].action == 0)
			continue;
		if (m->lists[id].match & BW_MATCH_SRC)
			mk->src[id / 64] |= 1ull << (id % 64);
		if (m->lists[id].match & BW_MATCH_DST)
			mk->dst[id / 64] |= 1ull << (id % 64);
	}
}

static int
opvec_push(struct bw_opvec *v, const struct bw_route *r, int del)
{
	struct bw_route_op *op;

	if (v->n == v->cap) {
		uint32_t cap = v->cap ? v->cap * 2 : 256;
		void *o = realloc(v->o, (size_t)cap * sizeof(*v->o));

		if (o == NULL)
			return -ENOMEM;
		v->o = o;
		v->cap = cap;
	}
	op = &v->o[v->n++];
	memcpy(op->addr, r->addr, sizeof(op->addr));
	op->len = r->len;
	op->del = (uint8_t)del;
	op->nh = r->nh;
	return 0;
}

static int
rtable_reserve(struct bw_rtable *t, uint32_t need)
{
	uint32_t cap;
	void *r;

	if (need <= t->cap)
		return 0;
	cap = t->cap ? t->cap : 1024;
	while (cap < need)
		cap *= 2;
	r = realloc(t->r, (size_t)cap * sizeof(*t->r));
	if (r == NULL)
		return -ENOMEM;
	t->r = r;
	t->cap = cap;
	return 0;
}

/*
 * Recompute next hops of the entries inside prefix (pa, pl) (the entry
 * itself included, when present), given the source/destination lists
 * inherited from the nearest enclosing entry. Entries whose next hop
 * changes are pushed to ops as adds (when ops is not NULL).
 */
static int
recompute_range(struct bw_rtable *t, const uint8_t *pa, unsigned int pl,
		int in_src, int in_dst, unsigned int alen,
		const struct masks *mk, struct bw_opvec *ops)
{
	uint32_t stack[129], depth = 0, i;

	for (i = lower_bound(t, pa, pl, alen); i < t->n; i++) {
		struct bw_route *e = &t->r[i];
		int src, dst;
		uint16_t nh;

		if (!prefix_contains(pa, pl, e->addr, e->len, alen))
			break;
		while (depth > 0 &&
		       !prefix_contains(t->r[stack[depth - 1]].addr,
					t->r[stack[depth - 1]].len, e->addr,
					e->len, alen))
			depth--;
		if (depth > 0) {
			src = bw_nh_src(t->r[stack[depth - 1]].nh);
			dst = bw_nh_dst(t->r[stack[depth - 1]].nh);
		} else {
			src = in_src;
			dst = in_dst;
		}
		if (lowest_list(e->member, mk->src) >= 0)
			src = lowest_list(e->member, mk->src);
		if (lowest_list(e->member, mk->dst) >= 0)
			dst = lowest_list(e->member, mk->dst);
		nh = bw_nh_encode(src, dst);
		if (nh != e->nh) {
			e->nh = nh;
			if (ops != NULL && opvec_push(ops, e, 0) != 0)
				return -ENOMEM;
		}
		stack[depth++] = i;
	}
	return 0;
}

/* Lists inherited by prefix (pa, pl) from its nearest enclosing entry. */
static void
inherited(const struct bw_rtable *t, const uint8_t *pa, unsigned int pl,
	  unsigned int alen, int *src, int *dst)
{
	uint8_t m[16];
	uint32_t pos;
	int l;

	*src = -1;
	*dst = -1;
	for (l = (int)pl - 1; l >= 0; l--) {
		prefix_mask(pa, (unsigned int)l, alen, m);
		if (find_exact(t, m, (unsigned int)l, alen, &pos)) {
			*src = bw_nh_src(t->r[pos].nh);
			*dst = bw_nh_dst(t->r[pos].nh);
			return;
		}
	}
}

struct flat {
	uint8_t addr[16];
	uint8_t len;
	uint8_t list;
};

static int
flat_cmp(const void *a, const void *b, void *alen)
{
	const struct flat *x = a, *y = b;
	int c = key_cmp(x->addr, x->len, y->addr, y->len,
			*(const unsigned int *)alen);

	return c != 0 ? c : (int)x->list - (int)y->list;
}

/*
 * Build one action/family table from the lists of a validated FULL image.
 */
static int
table_from_view(const struct bw_image_view *v, int act, int fam,
		struct bw_rtable *t)
{
	unsigned int alen = fam_alen(fam);
	struct flat *f;
	size_t n = 0, i, j;
	uint32_t l;

	for (l = 0; l < v->nb_lists; l++)
		if (act_of(v->lists[l].action) == act)
			n += fam == BW_FAM_V4 ? v->lists[l].nb_v4
					      : v->lists[l].nb_v6;
	if (n == 0)
		return 0;
	f = malloc(n * sizeof(*f));
	if (f == NULL)
		return -ENOMEM;
	for (l = 0, n = 0; l < v->nb_lists; l++) {
		const struct bw_image_list *li = &v->lists[l];

		if (act_of(li->action) != act)
			continue;
		if (fam == BW_FAM_V4) {
			for (j = li->v4_first; j < li->v4_first + li->nb_v4;
			     j++) {
				uint32_t a = v->p4[j].addr;

				memset(&f[n], 0, sizeof(f[n]));
				f[n].addr[0] = (uint8_t)(a >> 24);
				f[n].addr[1] = (uint8_t)(a >> 16);
				f[n].addr[2] = (uint8_t)(a >> 8);
				f[n].addr[3] = (uint8_t)a;
				f[n].len = v->p4[j].len;
				f[n++].list = (uint8_t)li->id;
			}
		} else {
			for (j = li->v6_first; j < li->v6_first + li->nb_v6;
			     j++) {
				memcpy(f[n].addr, v->p6[j].addr, 16);
				f[n].len = v->p6[j].len;
				f[n++].list = (uint8_t)li->id;
			}
		}
	}
	qsort_r(f, n, sizeof(*f), flat_cmp, &alen);
	if (rtable_reserve(t, (uint32_t)n) != 0) {
		free(f);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		struct bw_route *r;

		if (t->n == 0 ||
		    key_cmp(t->r[t->n - 1].addr, t->r[t->n - 1].len, f[i].addr,
			    f[i].len, alen) != 0) {
			r = &t->r[t->n++];
			memset(r, 0, sizeof(*r));
			memcpy(r->addr, f[i].addr, 16);
			r->len = f[i].len;
		}
		r = &t->r[t->n - 1];
		r->member[f[i].list / 64] |= 1ull << (f[i].list % 64);
	}
	free(f);
	return 0;
}

/*
 * Build a model (lists and route tables with next hops) from a validated
 * FULL image. Returns 0 or -ENOMEM (m is then freed). Control thread.
 */
int
bw_model_from_full(const struct bw_image_view *v, struct bw_model *m)
{
	static const uint8_t zero[16];
	struct masks mk;
	uint32_t l;
	int act, fam, ret;

	memset(m, 0, sizeof(*m));
	m->generation = v->hdr->generation;
	m->nb_lists = v->nb_lists;
	for (l = 0; l < v->nb_lists; l++) {
		const struct bw_image_list *li = &v->lists[l];
		struct bw_list_meta *lm = &m->lists[li->id];

		memcpy(lm->name, li->name, sizeof(lm->name));
		lm->action = li->action;
		lm->match = li->match;
		lm->nb_v4 = li->nb_v4;
		lm->nb_v6 = li->nb_v6;
	}
	model_masks(m, &mk);
	for (act = 0; act < BW_ACT_COUNT; act++) {
		for (fam = 0; fam < BW_FAM_COUNT; fam++) {
			struct bw_rtable *t = &m->tab[act][fam];

			ret = table_from_view(v, act, fam, t);
			if (ret != 0) {
				bw_model_free(m);
				return ret;
			}
			recompute_range(t, zero, 0, -1, -1, fam_alen(fam), &mk,
					NULL);
		}
	}
	return 0;
}

/*
 * FIB operations that turn tables holding old's routes into tables holding
 * m's: deletes of vanished prefixes, adds of new prefixes and of prefixes
 * whose next hop changed. old may be an all-zero model (first load).
 * Returns 0 or -ENOMEM.
 */
int
bw_model_diff(const struct bw_model *old, const struct bw_model *m,
	      struct bw_ops *ops)
{
	int act, fam;

	for (act = 0; act < BW_ACT_COUNT; act++) {
		for (fam = 0; fam < BW_FAM_COUNT; fam++) {
			const struct bw_rtable *a = &old->tab[act][fam];
			const struct bw_rtable *b = &m->tab[act][fam];
			struct bw_opvec *v = &ops->v[act][fam];
			unsigned int alen = fam_alen(fam);
			uint32_t i = 0, j = 0;
			int ret = 0;

			while (ret == 0 && (i < a->n || j < b->n)) {
				int c;

				if (i == a->n)
					c = 1;
				else if (j == b->n)
					c = -1;
				else
					c = key_cmp(a->r[i].addr, a->r[i].len,
						    b->r[j].addr, b->r[j].len,
						    alen);
				if (c < 0) {
					ret = opvec_push(v, &a->r[i++], 1);
				} else if (c > 0) {
					ret = opvec_push(v, &b->r[j++], 0);
				} else {
					if (a->r[i].nh != b->r[j].nh)
						ret = opvec_push(v, &b->r[j],
								 0);
					i++;
					j++;
				}
			}
			if (ret != 0)
				return ret;
		}
	}
	return 0;
}

static void
delta_entry(const struct bw_image_view *v, int fam, uint32_t i,
	    uint8_t addr[16], uint8_t *len, uint16_t *list, uint8_t *op)
{
	memset(addr, 0, 16);
	if (fam == BW_FAM_V4) {
		uint32_t a = v->d4[i].addr;

		addr[0] = (uint8_t)(a >> 24);
		addr[1] = (uint8_t)(a >> 16);
		addr[2] = (uint8_t)(a >> 8);
		addr[3] = (uint8_t)a;
		*len = v->d4[i].len;
		*list = v->d4[i].list;
		*op = v->d4[i].op;
	} else {
		memcpy(addr, v->d6[i].addr, 16);
		*len = v->d6[i].len;
		*list = v->d6[i].list;
		*op = v->d6[i].op;
	}
}

/* Check a delta against the model without changing anything. */
static int
delta_check(const struct bw_model *m, const struct bw_image_view *v, char *why,
	    size_t why_len)
{
	int64_t cnt[BW_LIST_MAX][BW_FAM_COUNT];
	uint32_t l, i, pos, nb;
	int fam;

	if (v->hdr->parent_gen != m->generation) {
		snprintf(why, why_len,
			 "delta made against generation %llu, generation %llu "
			 "is in force",
			 (unsigned long long)v->hdr->parent_gen,
			 (unsigned long long)m->generation);
		return -ESTALE;
	}
	if (v->nb_lists != m->nb_lists)
		goto err_lists;
	for (l = 0; l < v->nb_lists; l++) {
		const struct bw_image_list *li = &v->lists[l];
		const struct bw_list_meta *lm = &m->lists[li->id];

		if (lm->action != li->action || lm->match != li->match ||
		    strncmp(lm->name, li->name, sizeof(lm->name)) != 0)
			goto err_lists;
		cnt[li->id][BW_FAM_V4] = lm->nb_v4;
		cnt[li->id][BW_FAM_V6] = lm->nb_v6;
	}
	for (fam = 0; fam < BW_FAM_COUNT; fam++) {
		nb = fam == BW_FAM_V4 ? v->nb_d4 : v->nb_d6;
		for (i = 0; i < nb; i++) {
			uint8_t addr[16], len, op;
			uint16_t list;
			const struct bw_rtable *t;
			int in;

			delta_entry(v, fam, i, addr, &len, &list, &op);
			t = &m->tab[act_of(m->lists[list].action)][fam];
			in = find_exact(t, addr, len, fam_alen(fam), &pos) &&
			     (t->r[pos].member[list / 64] >> (list % 64) & 1);
			if (op == BW_OP_ADD && in) {
				snprintf(why, why_len,
					 "delta adds a prefix that list '%s' "
					 "already holds (entry %u)",
					 m->lists[list].name, i);
				return -EINVAL;
			}
			if (op == BW_OP_DEL && !in) {
				snprintf(
					why, why_len,
					"delta removes a prefix that list '%s' "
					"does not hold (entry %u)",
					m->lists[list].name, i);
				return -EINVAL;
			}
			cnt[list][fam] += op == BW_OP_ADD ? 1 : -1;
		}
	}
	for (l = 0; l < v->nb_lists; l++) {
		const struct bw_image_list *li = &v->lists[l];

		if (cnt[li->id][BW_FAM_V4] != li->nb_v4 ||
		    cnt[li->id][BW_FAM_V6] != li->nb_v6) {
			snprintf(why, why_len,
				 "list '%s': delta leaves %lld/%lld prefixes, "
				 "image says %u/%u",
				 li->name, (long long)cnt[li->id][BW_FAM_V4],
				 (long long)cnt[li->id][BW_FAM_V6], li->nb_v4,
				 li->nb_v6);
			return -EINVAL;
		}
	}
	return 0;

err_lists:
	snprintf(why, why_len,
		 "a delta may only add or remove prefixes; its lists differ "
		 "from those in force");
	return -EINVAL;
}

/* Apply one checked delta entry in place and fix up next hops. */
static int
delta_one(struct bw_model *m, int fam, const uint8_t *addr, uint8_t len,
	  uint16_t list, uint8_t op, const struct masks *mk,
	  struct bw_opvec *ops)
{
	struct bw_rtable *t = &m->tab[act_of(m->lists[list].action)][fam];
	unsigned int alen = fam_alen(fam);
	uint32_t pos;
	int src, dst, ret;

	if (!find_exact(t, addr, len, alen, &pos)) {
		/* only adds get here: delta_check proved dels exist */
		ret = rtable_reserve(t, t->n + 1);
		if (ret != 0)
			return ret;
		memmove(&t->r[pos + 1], &t->r[pos],
			(size_t)(t->n - pos) * sizeof(*t->r));
		memset(&t->r[pos], 0, sizeof(t->r[pos]));
		memcpy(t->r[pos].addr, addr, 16);
		t->r[pos].len = len;
		t->n++;
	}
	if (op == BW_OP_ADD)
		t->r[pos].member[list / 64] |= 1ull << (list % 64);
	else
		t->r[pos].member[list / 64] &= ~(1ull << (list % 64));
	if (t->r[pos].member[0] == 0 && t->r[pos].member[1] == 0) {
		ret = opvec_push(ops, &t->r[pos], 1);
		if (ret != 0)
			return ret;
		memmove(&t->r[pos], &t->r[pos + 1],
			(size_t)(t->n - pos - 1) * sizeof(*t->r));
		t->n--;
	}
	inherited(t, addr, len, alen, &src, &dst);
	return recompute_range(t, addr, len, src, dst, alen, mk, ops);
}

/*
 * Apply a validated DELTA image to the model: checks first (parent
 * generation, identical list definitions, every removed prefix present and
 * every added one absent, resulting counts equal the image's), and only
 * then changes m and appends the FIB operations to ops. Returns 0,
 * -ESTALE (parent is not the generation in force), -EINVAL (why says what)
 * or -ENOMEM (m is then unusable: rebuild it from a FULL image).
 */
int
bw_model_apply_delta(struct bw_model *m, const struct bw_image_view *v,
		     struct bw_ops *ops, char *why, size_t why_len)
{
	struct masks mk;
	uint32_t i, nb;
	int fam, ret;

	ret = delta_check(m, v, why, why_len);
	if (ret != 0)
		return ret;
	model_masks(m, &mk);
	for (fam = 0; fam < BW_FAM_COUNT; fam++) {
		nb = fam == BW_FAM_V4 ? v->nb_d4 : v->nb_d6;
		for (i = 0; i < nb; i++) {
			uint8_t addr[16], len, op;
			uint16_t list;

			delta_entry(v, fam, i, addr, &len, &list, &op);
			ret = delta_one(
				m, fam, addr, len, list, op, &mk,
				&ops->v[act_of(m->lists[list].action)][fam]);
			if (ret != 0) {
				snprintf(why, why_len, "out of memory");
				return ret;
			}
		}
	}
	for (i = 0; i < v->nb_lists; i++) {
		m->lists[v->lists[i].id].nb_v4 = v->lists[i].nb_v4;
		m->lists[v->lists[i].id].nb_v6 = v->lists[i].nb_v6;
	}
	m->generation = v->hdr->generation;
	return 0;
}

/*
 * Longest-prefix lookup of addr in one table of the model: the next hop a
 * FIB built from it returns (BW_NH_NONE when nothing covers addr). Slow
 * (one binary search per length); for tests and the lookup request.
 */
uint64_t
bw_model_lookup(const struct bw_model *m, int act, int fam, const uint8_t *addr)
{
	const struct bw_rtable *t = &m->tab[act][fam];
	unsigned int alen = fam_alen(fam);
	uint8_t key[16];
	uint32_t pos;
	int l;

	for (l = (int)alen * 8; l >= 0; l--) {
		prefix_mask(addr, (unsigned int)l, alen, key);
		if (find_exact(t, key, (unsigned int)l, alen, &pos))
			return t->r[pos].nh;
	}
	return BW_NH_NONE;
}

void
bw_model_free(struct bw_model *m)
{
	int act, fam;

	for (act = 0; act < BW_ACT_COUNT; act++)
		for (fam = 0; fam < BW_FAM_COUNT; fam++) {
			free(m->tab[act][fam].r);
			m->tab[act][fam].r = NULL;
			m->tab[act][fam].n = 0;
			m->tab[act][fam].cap = 0;
		}
}

void
bw_ops_free(struct bw_ops *ops)
{
	int act, fam;

	for (act = 0; act < BW_ACT_COUNT; act++)
		for (fam = 0; fam < BW_FAM_COUNT; fam++) {
			free(ops->v[act][fam].o);
			memset(&ops->v[act][fam], 0, sizeof(ops->v[act][fam]));
		}
}

uint32_t
bw_ops_count(const struct bw_ops *ops)
{
	uint32_t n = 0;
	int act, fam;

	for (act = 0; act < BW_ACT_COUNT; act++)
		for (fam = 0; fam < BW_FAM_COUNT; fam++)
			n += ops->v[act][fam].n;
	return n;
}
