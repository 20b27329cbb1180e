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

void
ctl_rtab_free(struct ctl_rtab *t)
{
	free(t->rules);
	free(t->addrs);
	free(t->ports);
	free(t->strings);
	free(t->block);
	free(t->stream);
	free(t->groups);
	free(t->hsports);
	free(t->gdb);
	memset(t, 0, sizeof(*t));
}

int
ctl_rtab_dup(struct ctl_rtab *dst, const struct ctl_rtab *src)
{
	struct ctl_rtab d = {0};
	int r = 0;

	d.nb_rules = src->nb_rules;
	d.nb_addrs = src->nb_addrs;
	d.nb_ports = src->nb_ports;
	d.strings_len = src->strings_len;
	d.block_len = src->block_len;
	d.stream_len = src->stream_len;
	d.nb_groups = src->nb_groups;
	d.nb_hsports = src->nb_hsports;
	d.gdb_len = src->gdb_len;
	r |= blob_dup((void **)&d.rules, src->rules,
		      (size_t)src->nb_rules * sizeof(*src->rules));
	r |= blob_dup((void **)&d.addrs, src->addrs,
		      (size_t)src->nb_addrs * sizeof(*src->addrs));
	r |= blob_dup((void **)&d.ports, src->ports,
		      (size_t)src->nb_ports * sizeof(*src->ports));
	r |= blob_dup((void **)&d.strings, src->strings, src->strings_len);
	r |= blob_dup((void **)&d.block, src->block, src->block_len);
	r |= blob_dup((void **)&d.stream, src->stream, src->stream_len);
	r |= blob_dup((void **)&d.groups, src->groups,
		      (size_t)src->nb_groups * sizeof(*src->groups));
	r |= blob_dup((void **)&d.hsports, src->hsports,
		      (size_t)src->nb_hsports * sizeof(*src->hsports));
	r |= blob_dup((void **)&d.gdb, src->gdb, src->gdb_len);
	if (r != 0) {
		ctl_rtab_free(&d);
		memset(dst, 0, sizeof(*dst));
		return -ENOMEM;
	}
	*dst = d;
	return 0;
}

/* 1 when the len bytes at a and b are equal (either may be NULL at 0). */
static int
blob_equal(const void *a, const void *b, size_t len)
{
	return len == 0 || memcmp(a, b, len) == 0;
}

int
ctl_rtab_equal(const struct ctl_rtab *a, const struct ctl_rtab *b)
{
	return a->nb_rules == b->nb_rules && a->nb_addrs == b->nb_addrs &&
	       a->nb_ports == b->nb_ports && a->strings_len == b->strings_len &&
	       a->block_len == b->block_len && a->stream_len == b->stream_len &&
	       a->nb_groups == b->nb_groups && a->nb_hsports == b->nb_hsports &&
	       a->gdb_len == b->gdb_len &&
	       blob_equal(a->rules, b->rules,
			  (size_t)a->nb_rules * sizeof(*a->rules)) &&
	       blob_equal(a->addrs, b->addrs,
			  (size_t)a->nb_addrs * sizeof(*a->addrs)) &&
	       blob_equal(a->ports, b->ports,
			  (size_t)a->nb_ports * sizeof(*a->ports)) &&
	       blob_equal(a->strings, b->strings, a->strings_len) &&
	       blob_equal(a->block, b->block, a->block_len) &&
	       blob_equal(a->stream, b->stream, a->stream_len) &&
	       blob_equal(a->groups, b->groups,
			  (size_t)a->nb_groups * sizeof(*a->groups)) &&
	       blob_equal(a->hsports, b->hsports,
			  (size_t)a->nb_hsports * sizeof(*a->hsports)) &&
	       blob_equal(a->gdb, b->gdb, a->gdb_len);
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
	uint32_t i;

	if (l == NULL)
		return -ENOENT;
	i = (uint32_t)(l - rs->lists);
	ctl_prefix_set_free(&l->set);
	memmove(&rs->lists[i], &rs->lists[i + 1],
		(rs->nb_lists - i - 1) * sizeof(rs->lists[0]));
	rs->nb_lists--;
	memset(&rs->lists[rs->nb_lists], 0, sizeof(rs->lists[0]));
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
	uint32_t i;

	if (p == NULL)
		return -ENOENT;
	i = (uint32_t)(p - rs->progs);
	free(p->insns);
	memmove(&rs->progs[i], &rs->progs[i + 1],
		(rs->nb_progs - i - 1) * sizeof(rs->progs[0]));
	rs->nb_progs--;
	memset(&rs->progs[rs->nb_progs], 0, sizeof(rs->progs[0]));
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
		    x->nb_insns != y->nb_insns ||
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
