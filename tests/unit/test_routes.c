/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the list model (lib/routes.c): next hops against a
 * brute-force oracle over randomly nested lists of every action and match
 * mode, FIB operation lists replayed on a simulated FIB, deltas against
 * rebuilds from scratch, and refusals that leave the model untouched.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "bw_testdata.h"
#include "bw_cunit.h"
#include "bw_routes.h"

#define NB_LISTS     7
#define MAX_PER_LIST 300

struct tprefix {
	uint8_t addr[16];
	uint8_t len;
};

struct tlist {
	uint16_t action, match;
	struct tprefix v[2][MAX_PER_LIST]; /* [fam] */
	uint32_t n[2];
};

static struct tlist lists[NB_LISTS];
static uint64_t rng = 88172645463325252ull;

static uint64_t
rnd(void)
{
	return bw_test_rnd(&rng);
}

static void
mask(uint8_t *a, unsigned int len, unsigned int alen)
{
	unsigned int i;

	for (i = 0; i < alen; i++) {
		if (len >= 8 * (i + 1))
			continue;
		a[i] = len > 8 * i ? a[i] & (uint8_t)(0xff00u >> (len - 8 * i))
				   : 0;
	}
}

static int
contains(const struct tprefix *p, const uint8_t *addr, unsigned int alen)
{
	uint8_t m[16];

	memcpy(m, addr, 16);
	mask(m, p->len, alen);
	return memcmp(m, p->addr, alen) == 0;
}

/* Random address in a small space so that prefixes nest a lot. */
static void
rand_addr(int fam, uint8_t *a)
{
	memset(a, 0, 16);
	if (fam == BW_FAM_V4) {
		a[0] = 10;
		a[1] = (uint8_t)(rnd() % 2);
		a[2] = (uint8_t)(rnd() % 4);
		a[3] = (uint8_t)rnd();
	} else {
		a[0] = 0x20;
		a[1] = 0x01;
		a[2] = 0x0d;
		a[3] = 0xb8;
		a[4] = (uint8_t)(rnd() % 2);
		a[7] = (uint8_t)(rnd() % 4);
		a[15] = (uint8_t)rnd();
	}
}

static int
tp_cmp(const void *x, const void *y)
{
	const struct tprefix *a = x, *b = y;
	int c = memcmp(a->addr, b->addr, 16);

	return c != 0 ? c : (int)a->len - (int)b->len;
}

static int
has(const struct tlist *l, int fam, const struct tprefix *p)
{
	return bsearch(p, l->v[fam], l->n[fam], sizeof(*p), tp_cmp) != NULL;
}

static void
gen_lists(void)
{
	static const uint16_t act[] = {BW_ACTION_DROP, BW_ACTION_ALLOW};
	int id, fam;

	memset(lists, 0, sizeof(lists));
	for (id = 0; id < NB_LISTS; id++) {
		lists[id].action = act[rnd() % 3 == 0];
		lists[id].match = (uint16_t)(1 + rnd() % 3);
		for (fam = 0; fam < 2; fam++) {
			unsigned int alen = fam == BW_FAM_V4 ? 4 : 16;
			uint32_t k, want = (uint32_t)(rnd() % 120);

			for (k = 0; k < want; k++) {
				struct tprefix p;

				rand_addr(fam, p.addr);
				p.len = fam == BW_FAM_V4
						? (uint8_t)(8 + rnd() % 25)
						: (uint8_t)(24 + rnd() % 105);
				mask(p.addr, p.len, alen);
				if (!has(&lists[id], fam, &p)) {
					lists[id].v[fam][lists[id].n[fam]++] =
						p;
					qsort(lists[id].v[fam],
					      lists[id].n[fam],
					      sizeof(struct tprefix), tp_cmp);
				}
			}
		}
	}
}

/* Image-shaped arrays for a view over the lists. */
static struct bw_image_list img_lists[NB_LISTS];
static struct bw_image_prefix4 img_p4[NB_LISTS * MAX_PER_LIST];
static struct bw_image_prefix6 img_p6[NB_LISTS * MAX_PER_LIST];
static struct bw_image_hdr img_hdr;

static void
view_full(struct bw_image_view *v, uint64_t gen)
{
	uint32_t n4 = 0, n6 = 0, k;
	int id;

	memset(v, 0, sizeof(*v));
	memset(&img_hdr, 0, sizeof(img_hdr));
	img_hdr.kind = BW_IMAGE_FULL;
	img_hdr.generation = gen;
	memset(img_lists, 0, sizeof(img_lists));
	for (id = 0; id < NB_LISTS; id++) {
		struct bw_image_list *li = &img_lists[id];

		snprintf(li->name, sizeof(li->name), "list%d", id);
		li->id = (uint32_t)id;
		li->action = lists[id].action;
		li->match = lists[id].match;
		li->v4_first = n4;
		li->nb_v4 = lists[id].n[0];
		li->v6_first = n6;
		li->nb_v6 = lists[id].n[1];
		for (k = 0; k < lists[id].n[0]; k++, n4++) {
			const uint8_t *a = lists[id].v[0][k].addr;

			img_p4[n4].addr = (uint32_t)a[0] << 24 |
					  (uint32_t)a[1] << 16 |
					  (uint32_t)a[2] << 8 | a[3];
			img_p4[n4].len = lists[id].v[0][k].len;
			img_p4[n4].list = (uint16_t)id;
			img_p4[n4].op = BW_OP_PRESENT;
		}
		for (k = 0; k < lists[id].n[1]; k++, n6++) {
			memset(&img_p6[n6], 0, sizeof(img_p6[n6]));
			memcpy(img_p6[n6].addr, lists[id].v[1][k].addr, 16);
			img_p6[n6].len = lists[id].v[1][k].len;
			img_p6[n6].list = (uint16_t)id;
		}
	}
	v->hdr = &img_hdr;
	v->lists = img_lists;
	v->nb_lists = NB_LISTS;
	v->p4 = img_p4;
	v->nb_p4 = n4;
	v->p6 = img_p6;
	v->nb_p6 = n6;
}

/* Brute force: which list decides for addr as source (want SRC) or dest. */
static int
oracle(int act, int fam, const uint8_t *addr, uint16_t want)
{
	unsigned int alen = fam == BW_FAM_V4 ? 4 : 16;
	int id, best = -1, best_len = -1;
	uint32_t k;

	for (id = 0; id < NB_LISTS; id++) {
		uint16_t a = lists[id].action == BW_ACTION_ALLOW ? BW_ACT_ALLOW
								 : BW_ACT_BLOCK;

		if (a != act || !(lists[id].match & want))
			continue;
		for (k = 0; k < lists[id].n[fam]; k++) {
			const struct tprefix *p = &lists[id].v[fam][k];

			if (contains(p, addr, alen) && p->len > best_len) {
				best_len = p->len;
				best = id;
			}
		}
	}
	return best;
}

static void
check_against_oracle(const struct bw_model *m, int rounds)
{
	int i, act, fam, bad = 0;

	for (i = 0; i < rounds; i++) {
		for (fam = 0; fam < 2; fam++) {
			uint8_t addr[16];

			rand_addr(fam, addr);
			for (act = 0; act < BW_ACT_COUNT; act++) {
				uint64_t nh =
					bw_model_lookup(m, act, fam, addr);

				if (bw_nh_src(nh) != oracle(act, fam, addr,
							    BW_MATCH_SRC) ||
				    bw_nh_dst(nh) != oracle(act, fam, addr,
							    BW_MATCH_DST))
					bad++;
			}
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* A simulated FIB: the set of (prefix, next hop) the ops leave behind. */
struct sim_route {
	uint8_t addr[16];
	uint8_t len;
	uint16_t nh;
};
static struct sim_route sim[2][2][NB_LISTS * MAX_PER_LIST * 2];
static uint32_t sim_n[2][2];

static void
sim_apply(const struct bw_ops *ops)
{
	int act, fam;
	uint32_t i, j;

	for (act = 0; act < 2; act++)
		for (fam = 0; fam < 2; fam++)
			for (i = 0; i < ops->v[act][fam].n; i++) {
				const struct bw_route_op *o =
					&ops->v[act][fam].o[i];
				struct sim_route *t = sim[act][fam];

				for (j = 0; j < sim_n[act][fam]; j++)
					if (t[j].len == o->len &&
					    memcmp(t[j].addr, o->addr, 16) == 0)
						break;
				if (o->del) {
					CU_ASSERT(j < sim_n[act][fam]);
					if (j < sim_n[act][fam])
						t[j] = t[--sim_n[act][fam]];
				} else {
					if (j == sim_n[act][fam])
						sim_n[act][fam]++;
					memcpy(t[j].addr, o->addr, 16);
					t[j].len = o->len;
					t[j].nh = o->nh;
				}
			}
}

/* The simulated FIB holds exactly the model's routes. */
static void
sim_check(const struct bw_model *m)
{
	int act, fam, bad = 0;
	uint32_t i, j;

	for (act = 0; act < 2; act++)
		for (fam = 0; fam < 2; fam++) {
			const struct bw_rtable *t = &m->tab[act][fam];

			CU_ASSERT_EQUAL(sim_n[act][fam], t->n);
			for (i = 0; i < t->n; i++) {
				for (j = 0; j < sim_n[act][fam]; j++)
					if (sim[act][fam][j].len ==
						    t->r[i].len &&
					    memcmp(sim[act][fam][j].addr,
						   t->r[i].addr, 16) == 0)
						break;
				if (j == sim_n[act][fam] ||
				    sim[act][fam][j].nh != t->r[i].nh)
					bad++;
			}
		}
	CU_ASSERT_EQUAL(bad, 0);
}

static void
models_equal(const struct bw_model *a, const struct bw_model *b)
{
	int act, fam;

	for (act = 0; act < 2; act++)
		for (fam = 0; fam < 2; fam++) {
			const struct bw_rtable *x = &a->tab[act][fam];
			const struct bw_rtable *y = &b->tab[act][fam];

			CU_ASSERT_EQUAL_FATAL(x->n, y->n);
			CU_ASSERT(x->n == 0 ||
				  memcmp(x->r, y->r, x->n * sizeof(*x->r)) ==
					  0);
		}
}

static void
test_full_matches_oracle(void)
{
	struct bw_image_view v;
	struct bw_model m;
	int round;

	for (round = 0; round < 20; round++) {
		gen_lists();
		view_full(&v, 1);
		CU_ASSERT_EQUAL_FATAL(bw_model_from_full(&v, &m), 0);
		check_against_oracle(&m, 400);
		bw_model_free(&m);
	}
}

static void
test_diff_replays(void)
{
	struct bw_model empty, a, b;
	struct bw_image_view v;
	struct bw_ops ops;

	memset(&empty, 0, sizeof(empty));
	memset(sim_n, 0, sizeof(sim_n));
	gen_lists();
	view_full(&v, 1);
	CU_ASSERT_EQUAL_FATAL(bw_model_from_full(&v, &a), 0);
	memset(&ops, 0, sizeof(ops));
	CU_ASSERT_EQUAL(bw_model_diff(&empty, &a, &ops), 0);
	sim_apply(&ops);
	sim_check(&a);
	bw_ops_free(&ops);

	/* an unrelated second generation: the diff turns a into b */
	gen_lists();
	view_full(&v, 2);
	CU_ASSERT_EQUAL_FATAL(bw_model_from_full(&v, &b), 0);
	CU_ASSERT_EQUAL(bw_model_diff(&a, &b, &ops), 0);
	sim_apply(&ops);
	sim_check(&b);
	bw_ops_free(&ops);

	/* no change, no operation */
	CU_ASSERT_EQUAL(bw_model_diff(&b, &b, &ops), 0);
	CU_ASSERT_EQUAL(bw_ops_count(&ops), 0);
	bw_ops_free(&ops);
	bw_model_free(&a);
	bw_model_free(&b);
}

/* Delta arrays and their view. */
static struct bw_image_prefix4 d4[NB_LISTS * 40];
static struct bw_image_prefix6 d6[NB_LISTS * 40];

static int
d4_cmp(const void *x, const void *y)
{
	const struct bw_image_prefix4 *a = x, *b = y;

	if (a->list != b->list)
		return (int)a->list - (int)b->list;
	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	return (int)a->len - (int)b->len;
}

static int
d6_cmp(const void *x, const void *y)
{
	const struct bw_image_prefix6 *a = x, *b = y;
	int c;

	if (a->list != b->list)
		return (int)a->list - (int)b->list;
	c = memcmp(a->addr, b->addr, 16);
	return c != 0 ? c : (int)a->len - (int)b->len;
}

/*
 * Make a random delta against the current lists, change the lists to the
 * result, and describe it in v (lists section = resulting lists).
 */
static void
gen_delta(struct bw_image_view *v, uint64_t parent, uint64_t gen)
{
	uint32_t n4 = 0, n6 = 0;
	int id, fam, k;

	for (id = 0; id < NB_LISTS; id++) {
		for (fam = 0; fam < 2; fam++) {
			unsigned int alen = fam == BW_FAM_V4 ? 4 : 16;
			int changes = (int)(rnd() % 8);

			for (k = 0; k < changes; k++) {
				struct tlist *l = &lists[id];
				struct tprefix p;
				uint8_t op;
				uint32_t pos;

				if (l->n[fam] > 0 && rnd() % 2) {
					pos = (uint32_t)(rnd() % l->n[fam]);
					p = l->v[fam][pos];
					memmove(&l->v[fam][pos],
						&l->v[fam][pos + 1],
						(l->n[fam] - pos - 1) *
							sizeof(p));
					l->n[fam]--;
					op = BW_OP_DEL;
				} else {
					rand_addr(fam, p.addr);
					p.len = fam == BW_FAM_V4
							? (uint8_t)(8 +
								    rnd() % 25)
							: (uint8_t)(24 +
								    rnd() % 105);
					mask(p.addr, p.len, alen);
					if (has(l, fam, &p) ||
					    l->n[fam] == MAX_PER_LIST)
						continue;
					l->v[fam][l->n[fam]++] = p;
					qsort(l->v[fam], l->n[fam], sizeof(p),
					      tp_cmp);
					op = BW_OP_ADD;
				}
				/* a prefix changed twice in one delta would
				 * break the strict order: skip such picks */
				if (fam == 0) {
					uint32_t a = (uint32_t)p.addr[0] << 24 |
						     (uint32_t)p.addr[1] << 16 |
						     (uint32_t)p.addr[2] << 8 |
						     p.addr[3];
					uint32_t j;

					for (j = 0; j < n4; j++)
						if (d4[j].list == id &&
						    d4[j].addr == a &&
						    d4[j].len == p.len)
							break;
					if (j < n4) {
						/* undo: cancel both */
						d4[j] = d4[--n4];
						continue;
					}
					d4[n4].addr = a;
					d4[n4].len = p.len;
					d4[n4].list = (uint16_t)id;
					d4[n4++].op = op;
				} else {
					uint32_t j;

					for (j = 0; j < n6; j++)
						if (d6[j].list == id &&
						    d6[j].len == p.len &&
						    memcmp(d6[j].addr, p.addr,
							   16) == 0)
							break;
					if (j < n6) {
						d6[j] = d6[--n6];
						continue;
					}
					memset(&d6[n6], 0, sizeof(d6[n6]));
					memcpy(d6[n6].addr, p.addr, 16);
					d6[n6].len = p.len;
					d6[n6].list = (uint16_t)id;
					d6[n6++].op = op;
				}
			}
		}
	}
	qsort(d4, n4, sizeof(d4[0]), d4_cmp);
	qsort(d6, n6, sizeof(d6[0]), d6_cmp);
	view_full(v, gen); /* resulting lists and counts */
	img_hdr.kind = BW_IMAGE_DELTA;
	img_hdr.parent_gen = parent;
	v->p4 = NULL;
	v->nb_p4 = 0;
	v->p6 = NULL;
	v->nb_p6 = 0;
	v->d4 = d4;
	v->nb_d4 = n4;
	v->d6 = d6;
	v->nb_d6 = n6;
}

static void
test_deltas(void)
{
	struct bw_model m, fresh;
	struct bw_image_view v;
	struct bw_ops ops;
	char why[256];
	uint64_t gen;

	memset(sim_n, 0, sizeof(sim_n));
	gen_lists();
	view_full(&v, 1);
	CU_ASSERT_EQUAL_FATAL(bw_model_from_full(&v, &m), 0);
	{
		struct bw_model empty;

		memset(&empty, 0, sizeof(empty));
		memset(&ops, 0, sizeof(ops));
		bw_model_diff(&empty, &m, &ops);
		sim_apply(&ops);
		bw_ops_free(&ops);
	}
	for (gen = 2; gen < 200; gen++) {
		gen_delta(&v, gen - 1, gen);
		memset(&ops, 0, sizeof(ops));
		CU_ASSERT_EQUAL_FATAL(
			bw_model_apply_delta(&m, &v, &ops, why, sizeof(why)),
			0);
		CU_ASSERT_EQUAL(m.generation, gen);
		sim_apply(&ops);
		sim_check(&m);
		bw_ops_free(&ops);
		if (gen % 20 == 0) {
			view_full(&v, gen);
			CU_ASSERT_EQUAL_FATAL(bw_model_from_full(&v, &fresh),
					      0);
			models_equal(&m, &fresh);
			bw_model_free(&fresh);
			check_against_oracle(&m, 200);
		}
	}
	bw_model_free(&m);
}

static void
snapshot_equal(const struct bw_model *m, const struct bw_model *snap)
{
	CU_ASSERT_EQUAL(m->generation, snap->generation);
	CU_ASSERT(memcmp(m->lists, snap->lists, sizeof(m->lists)) == 0);
	models_equal(m, snap);
}

static void
test_delta_refusals(void)
{
	struct bw_model m, snap;
	struct bw_image_view v, full;
	struct bw_ops ops;
	char why[256];
	int id;

	gen_lists();
	for (id = 0; id < NB_LISTS; id++) /* every list has an IPv4 entry */
		if (lists[id].n[0] == 0) {
			lists[id].v[0][0].addr[0] = 192;
			lists[id].v[0][0].addr[3] = (uint8_t)id;
			lists[id].v[0][0].len = 32;
			lists[id].n[0] = 1;
		}
	view_full(&full, 5);
	CU_ASSERT_EQUAL_FATAL(bw_model_from_full(&full, &m), 0);
	CU_ASSERT_EQUAL_FATAL(bw_model_from_full(&full, &snap), 0);
	memset(&ops, 0, sizeof(ops));

	/* wrong parent */
	gen_delta(&v, 4, 6);
	CU_ASSERT_EQUAL(bw_model_apply_delta(&m, &v, &ops, why, sizeof(why)),
			-ESTALE);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "generation 4"));
	snapshot_equal(&m, &snap);

	/* add a prefix the list already holds: lists[0]'s first entry */
	view_full(&v, 6);
	img_hdr.kind = BW_IMAGE_DELTA;
	img_hdr.parent_gen = 5;
	d4[0] = img_p4[img_lists[0].v4_first];
	d4[0].op = BW_OP_ADD;
	img_lists[0].nb_v4++;
	v.p4 = NULL;
	v.nb_p4 = 0;
	v.p6 = NULL;
	v.nb_p6 = 0;
	v.d4 = d4;
	v.nb_d4 = 1;
	v.d6 = NULL;
	v.nb_d6 = 0;
	CU_ASSERT_EQUAL(bw_model_apply_delta(&m, &v, &ops, why, sizeof(why)),
			-EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "already holds"));
	snapshot_equal(&m, &snap);

	/* remove a prefix the list does not hold */
	img_lists[0].nb_v4 -= 2;
	d4[0].op = BW_OP_DEL;
	d4[0].addr ^= 0x00000100u; /* a /32 or longer bit: keep host bits 0 */
	d4[0].len = 32;
	CU_ASSERT_EQUAL(bw_model_apply_delta(&m, &v, &ops, why, sizeof(why)),
			-EINVAL);
	snapshot_equal(&m, &snap);

	/* counts that disagree with the result */
	d4[0] = img_p4[img_lists[0].v4_first];
	d4[0].op = BW_OP_DEL;
	img_lists[0].nb_v4 += 2; /* one more than the truth */
	CU_ASSERT_EQUAL(bw_model_apply_delta(&m, &v, &ops, why, sizeof(why)),
			-EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "image says"));
	snapshot_equal(&m, &snap);

	/* a changed list definition */
	img_lists[0].nb_v4--;
	img_lists[1].match = (uint16_t)(img_lists[1].match % 3 + 1);
	CU_ASSERT_EQUAL(bw_model_apply_delta(&m, &v, &ops, why, sizeof(why)),
			-EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "lists differ"));
	snapshot_equal(&m, &snap);
	CU_ASSERT_EQUAL(bw_ops_count(&ops), 0);

	bw_ops_free(&ops);
	bw_model_free(&m);
	bw_model_free(&snap);
}

static void
test_nh_encoding(void)
{
	CU_ASSERT_EQUAL(bw_nh_encode(-1, -1), BW_NH_NONE);
	CU_ASSERT_EQUAL(bw_nh_src(bw_nh_encode(126, 0)), 126);
	CU_ASSERT_EQUAL(bw_nh_dst(bw_nh_encode(126, 0)), 0);
	CU_ASSERT_EQUAL(bw_nh_src(bw_nh_encode(-1, 126)), -1);
	CU_ASSERT_EQUAL(bw_nh_dst(bw_nh_encode(-1, 126)), 126);
	/* the largest next hop fits the 15 bits a 2-byte DIR24_8 entry has */
	CU_ASSERT(bw_nh_encode(BW_LIST_MAX - 1, BW_LIST_MAX - 1) < 0x8000);
}

static const struct bw_cunit_test tests[] = {
	{"next hop encoding", test_nh_encoding},
	{"full build matches brute force", test_full_matches_oracle},
	{"diff ops replay to the new tables", test_diff_replays},
	{"200 deltas equal rebuilds", test_deltas},
	{"refused deltas change nothing", test_delta_refusals},
};

/* Returns 0 when every assertion passed, 1 otherwise (CUnit error too). */
int
main(void)
{
	return BW_CUNIT_RUN("routes", tests);
}
