/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ruleset model bulwarkctl edits: lists, programs and content rule
 * tables, added, removed, copied and compared in memory.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bw_crc32c.h"
#include "ctl_model.h"
#include "bw_image_view.h"

/* A malloc'd copy of len bytes at src in *dst (NULL when len is 0). */
static int
blob_dup(void **dst, const void *src, size_t len)
{
	*dst = NULL;
	if (len == 0)
		return 0;
	*dst = malloc(len);
	if (*dst == NULL)
		return -ENOMEM;
	memcpy(*dst, src, len);
	return 0;
}

/*
 * The tables of struct ctl_rtab, each a uint32_t count (of elements, or
 * bytes for the byte tables) and a malloc'd pointer: what
 * ctl_rtab_free(), ctl_rtab_dup() and ctl_rtab_equal() walk.
 */
#define RTAB_TABLE(nb, p)                                                      \
	{                                                                      \
		offsetof(struct ctl_rtab, nb), offsetof(struct ctl_rtab, p),   \
			sizeof(((struct ctl_rtab *)0)->p[0])                   \
	}

static const struct {
	size_t nb;   /* offset of the count */
	size_t p;    /* offset of the pointer */
	size_t size; /* bytes of one element */
} rtab_tables[] = {
	RTAB_TABLE(nb_rules, rules),   RTAB_TABLE(nb_addrs, addrs),
	RTAB_TABLE(nb_ports, ports),   RTAB_TABLE(strings_len, strings),
	RTAB_TABLE(block_len, block),  RTAB_TABLE(stream_len, stream),
	RTAB_TABLE(nb_groups, groups), RTAB_TABLE(nb_hsports, hsports),
	RTAB_TABLE(gdb_len, gdb),
};

#define NB_RTAB_TABLES (sizeof(rtab_tables) / sizeof(rtab_tables[0]))

/* The pointer of table k of t (copied out: its element type varies). */
static void *
table_ptr(const struct ctl_rtab *t, size_t k)
{
	void *p;

	memcpy(&p, (const char *)t + rtab_tables[k].p, sizeof(p));
	return p;
}

/* The bytes table k of t holds. */
static size_t
table_bytes(const struct ctl_rtab *t, size_t k)
{
	uint32_t nb;

	memcpy(&nb, (const char *)t + rtab_tables[k].nb, sizeof(nb));
	return (size_t)nb * rtab_tables[k].size;
}

void
ctl_rtab_free(struct ctl_rtab *t)
{
	size_t k;

	for (k = 0; k < NB_RTAB_TABLES; k++)
		free(table_ptr(t, k));
	memset(t, 0, sizeof(*t));
}

int
ctl_rtab_dup(struct ctl_rtab *dst, const struct ctl_rtab *src)
{
	struct ctl_rtab d = *src; /* the counts; every pointer is replaced */
	size_t k;
	int r = 0;

	for (k = 0; k < NB_RTAB_TABLES; k++) {
		void *copy;

		r |= blob_dup(&copy, table_ptr(src, k), table_bytes(src, k));
		memcpy((char *)&d + rtab_tables[k].p, &copy, sizeof(copy));
	}
	if (r != 0) {
		ctl_rtab_free(&d);
		memset(dst, 0, sizeof(*dst));
		return -ENOMEM;
	}
	*dst = d;
	return 0;
}

int
ctl_rtab_equal(const struct ctl_rtab *a, const struct ctl_rtab *b)
{
	size_t k, len;

	for (k = 0; k < NB_RTAB_TABLES; k++) {
		len = table_bytes(a, k);
		/* either pointer may be NULL at 0 bytes */
		if (len != table_bytes(b, k) ||
		    (len != 0 &&
		     memcmp(table_ptr(a, k), table_ptr(b, k), len) != 0))
			return 0;
	}
	return 1;
}

/*
 * Take element i out of the *nb elements of elem bytes at base: the later
 * ones move down, and the slot freed at the end is zeroed.
 */
static void
slot_remove(void *base, uint32_t *nb, uint32_t i, size_t elem)
{
	uint8_t *b = base;

	memmove(b + (size_t)i * elem, b + (size_t)(i + 1) * elem,
		(size_t)(*nb - i - 1) * elem);
	(*nb)--;
	memset(b + (size_t)*nb * elem, 0, elem);
}

void
ctl_ruleset_free(struct ctl_ruleset *rs)
{
	uint32_t i;

	for (i = 0; i < rs->nb_lists && i < BW_LIST_MAX; i++)
		ctl_prefix_set_free(&rs->lists[i].set);
	for (i = 0; i < rs->nb_progs && i < BW_BPF_MAX; i++)
		free(rs->progs[i].insns);
	ctl_rtab_free(&rs->rtab);
	memset(rs, 0, sizeof(*rs));
}

struct ctl_list *
ctl_ruleset_find(struct ctl_ruleset *rs, const char *name)
{
	uint32_t i;

	for (i = 0; i < rs->nb_lists; i++) {
		if (strcmp(rs->lists[i].name, name) == 0)
			return &rs->lists[i];
	}
	return NULL;
}

int
ctl_ruleset_add_list(struct ctl_ruleset *rs, const char *name, uint16_t action,
		     uint16_t match, struct ctl_list **out)
{
	struct ctl_list *l;
	uint32_t i, id = 0;

	if (!bw_image_name_valid(name))
		return -EINVAL;
	if (action != BW_ACTION_DROP && action != BW_ACTION_ALLOW)
		return -EINVAL;
	if (match != BW_MATCH_SRC && match != BW_MATCH_DST &&
	    match != BW_MATCH_ANY)
		return -EINVAL;
	if (ctl_ruleset_find(rs, name) != NULL)
		return -EEXIST;
	if (rs->nb_lists >= BW_LIST_MAX)
		return -ENOSPC;
	/* sorted by id: the first gap is the smallest free id */
	for (i = 0; i < rs->nb_lists && rs->lists[i].id == id; i++)
		id++;
	memmove(&rs->lists[i + 1], &rs->lists[i],
		(rs->nb_lists - i) * sizeof(rs->lists[0]));
	l = &rs->lists[i];
	memset(l, 0, sizeof(*l));
	memcpy(l->name, name, strlen(name));
	l->id = id;
	l->action = action;
	l->match = match;
	rs->nb_lists++;
	if (out != NULL)
		*out = l;
	return 0;
}

int
ctl_ruleset_del_list(struct ctl_ruleset *rs, const char *name)
{
	struct ctl_list *l = ctl_ruleset_find(rs, name);

	if (l == NULL)
		return -ENOENT;
	ctl_prefix_set_free(&l->set);
	slot_remove(rs->lists, &rs->nb_lists, (uint32_t)(l - rs->lists),
		    sizeof(rs->lists[0]));
	return 0;
}

struct ctl_prog *
ctl_ruleset_find_prog(struct ctl_ruleset *rs, const char *name)
{
	uint32_t i;

	for (i = 0; i < rs->nb_progs; i++) {
		if (strcmp(rs->progs[i].name, name) == 0)
			return &rs->progs[i];
	}
	return NULL;
}

static int
prog_order_cmp(const void *a, const void *b)
{
	const struct ctl_prog *x = a, *y = b;

	return x->order < y->order ? -1 : x->order > y->order;
}

int
ctl_ruleset_put_prog(struct ctl_ruleset *rs, const char *name,
		     const struct bw_image_insn *insns, uint32_t nb,
		     const uint32_t *order)
{
	struct ctl_prog *p = ctl_ruleset_find_prog(rs, name);
	struct bw_image_insn *code;
	uint32_t i, want;
	int clash = 0;

	if (!bw_image_name_valid(name) || nb == 0 || nb > BW_BPF_INSNS_MAX ||
	    insns == NULL)
		return -EINVAL;
	if (p == NULL && rs->nb_progs >= BW_BPF_MAX)
		return -ENOSPC;
	if (order != NULL) {
		want = *order;
	} else if (p != NULL) {
		want = p->order;
	} else if (rs->nb_progs == 0) {
		want = CTL_PROG_ORDER_STEP;
	} else {
		want = rs->progs[rs->nb_progs - 1].order;
		if (want > UINT32_MAX - CTL_PROG_ORDER_STEP)
			return -ERANGE;
		want += CTL_PROG_ORDER_STEP;
	}
	for (i = 0; i < rs->nb_progs; i++) {
		if (&rs->progs[i] == p || rs->progs[i].order < want)
			continue;
		if (rs->progs[i].order == want)
			clash = 1;
		/* the last one sorts last: only it can overflow */
		if (clash && rs->progs[i].order == UINT32_MAX)
			return -ERANGE;
	}
	code = malloc((size_t)nb * sizeof(*code));
	if (code == NULL)
		return -ENOMEM;
	memcpy(code, insns, (size_t)nb * sizeof(*code));
	if (clash) {
		for (i = 0; i < rs->nb_progs; i++)
			if (&rs->progs[i] != p && rs->progs[i].order >= want)
				rs->progs[i].order++;
	}
	if (p == NULL) {
		p = &rs->progs[rs->nb_progs++];
		memset(p, 0, sizeof(*p));
		memcpy(p->name, name, strlen(name));
	}
	free(p->insns);
	p->insns = code;
	p->nb_insns = nb;
	p->order = want;
	qsort(rs->progs, rs->nb_progs, sizeof(rs->progs[0]), prog_order_cmp);
	return 0;
}

int
ctl_ruleset_del_prog(struct ctl_ruleset *rs, const char *name)
{
	struct ctl_prog *p = ctl_ruleset_find_prog(rs, name);

	if (p == NULL)
		return -ENOENT;
	free(p->insns);
	slot_remove(rs->progs, &rs->nb_progs, (uint32_t)(p - rs->progs),
		    sizeof(rs->progs[0]));
	return 0;
}

uint32_t
ctl_prog_crc(const struct ctl_prog *p)
{
	return bw_crc32c(0, p->insns, (size_t)p->nb_insns * sizeof(*p->insns));
}

int
ctl_ruleset_progs_equal(const struct ctl_ruleset *a,
			const struct ctl_ruleset *b)
{
	uint32_t i;

	if (a->nb_progs != b->nb_progs)
		return 0;
	for (i = 0; i < a->nb_progs; i++) {
		const struct ctl_prog *x = &a->progs[i], *y = &b->progs[i];

		if (strcmp(x->name, y->name) != 0 || x->order != y->order ||
		    x->nb_insns != y->nb_insns || x->on_fault != y->on_fault ||
		    memcmp(x->insns, y->insns,
			   (size_t)x->nb_insns * sizeof(*x->insns)) != 0)
			return 0;
	}
	return 1;
}

int
ctl_ruleset_dup(struct ctl_ruleset *dst, const struct ctl_ruleset *src)
{
	const struct ctl_prefix_set *s;
	struct ctl_prefix_set *d;
	uint32_t i;

	memcpy(dst, src, sizeof(*dst));
	/* nothing of dst is owned until its copy is made */
	dst->nb_progs = 0;
	memset(&dst->rtab, 0, sizeof(dst->rtab));
	for (i = 0; i < src->nb_lists; i++) {
		s = &src->lists[i].set;
		d = &dst->lists[i].set;
		memset(d, 0, sizeof(*d));
		if (s->n == 0)
			continue;
		d->v = malloc(s->n * sizeof(*s->v));
		if (d->v == NULL) {
			dst->nb_lists = i;
			ctl_ruleset_free(dst);
			return -ENOMEM;
		}
		memcpy(d->v, s->v, s->n * sizeof(*s->v));
		d->n = s->n;
		d->cap = s->n;
	}
	for (i = 0; i < src->nb_progs; i++) {
		size_t bytes = (size_t)src->progs[i].nb_insns *
			       sizeof(*src->progs[i].insns);

		dst->progs[i].insns = malloc(bytes);
		if (dst->progs[i].insns == NULL) {
			ctl_ruleset_free(dst);
			return -ENOMEM;
		}
		memcpy(dst->progs[i].insns, src->progs[i].insns, bytes);
		dst->nb_progs = i + 1;
	}
	if (ctl_rtab_dup(&dst->rtab, &src->rtab) < 0) {
		ctl_ruleset_free(dst);
		return -ENOMEM;
	}
	return 0;
}
