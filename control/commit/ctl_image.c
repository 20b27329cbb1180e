/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ruleset image writer and reader for bulwarkctl. The writer lays out
 * header, section table and section bodies, each 8-aligned, in one zeroed
 * allocation, fills the CRC last and runs the dataplane's own validator on
 * the result. The reader trusts nothing but bw_image_validate().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bw_util.h"
#include "bw_crc32c.h"
#include "bw_bpf.h"
#include "ctl_array.h"
#include "ctl_image.h"
#include "bw_image_view.h"

#define IMG_SEC_MAX 14 /* sections one image of ours holds: lists + 13 */

/* The planned layout of an image. */
struct layout {
	uint32_t nb_sec;
	struct bw_image_section sec[IMG_SEC_MAX];
	uint64_t size; /* bytes */
};

static uint64_t
align8(uint64_t v)
{
	return (v + 7) & ~(uint64_t)7;
}

/* Append a section of count elements, unless it is empty and optional. */
static void
layout_add(struct layout *lo, uint32_t type, uint32_t elem_size, uint32_t count,
	   int optional)
{
	if (optional && count == 0)
		return;
	lo->sec[lo->nb_sec].type = type;
	lo->sec[lo->nb_sec].elem_size = elem_size;
	lo->sec[lo->nb_sec].count = count;
	lo->sec[lo->nb_sec].len = (uint64_t)count * elem_size;
	lo->nb_sec++;
}

/*
 * Give each planned section its offset. At most IMG_SEC_MAX sections of
 * 32-bit counts of small elements: the 64-bit sum cannot wrap. Returns 0
 * or -E2BIG.
 */
static int
layout_place(struct layout *lo)
{
	uint64_t off;
	uint32_t i;

	off = align8(sizeof(struct bw_image_hdr) +
		     (uint64_t)lo->nb_sec * sizeof(struct bw_image_section));
	for (i = 0; i < lo->nb_sec; i++) {
		lo->sec[i].off = off;
		off = align8(off + lo->sec[i].len);
	}
	if (off > BW_IMAGE_SIZE_MAX)
		return -E2BIG;
	lo->size = off;
	return 0;
}

static struct bw_image_section *
layout_find(struct layout *lo, uint32_t type)
{
	uint32_t i;

	for (i = 0; i < lo->nb_sec; i++) {
		if (lo->sec[i].type == type)
			return &lo->sec[i];
	}
	return NULL;
}

/* The body of the planned section type in buf, or NULL when not planned. */
static void *
layout_body(struct layout *lo, uint8_t *buf, uint32_t type)
{
	struct bw_image_section *s = layout_find(lo, type);

	return s != NULL ? buf + s->off : NULL;
}

/*
 * A zeroed buffer for the planned image with the header and section table
 * written. Returns 0, -EINVAL for a comment without NUL, or -ENOMEM.
 */
static int
image_start(const struct layout *lo, const struct ctl_image_meta *m,
	    uint32_t kind, uint8_t **out)
{
	struct bw_image_hdr *h;
	size_t alloc, clen;
	uint8_t *img;

	clen = strnlen(m->comment, sizeof(m->comment));
	if (clen == sizeof(m->comment))
		return -EINVAL;
	/* aligned_alloc() wants a multiple of the alignment */
	alloc = (size_t)(lo->size + CTL_IMAGE_ALIGN - 1) &
		~(size_t)(CTL_IMAGE_ALIGN - 1);
	img = aligned_alloc(CTL_IMAGE_ALIGN, alloc);
	if (img == NULL)
		return -ENOMEM;
	memset(img, 0, alloc);
	h = (struct bw_image_hdr *)img;
	h->magic = BW_IMAGE_MAGIC;
	h->abi_major = BW_IMAGE_ABI_MAJOR;
	h->abi_minor = BW_IMAGE_ABI_MINOR;
	h->hdr_size = sizeof(*h);
	h->size = lo->size;
	h->kind = kind;
	h->generation = m->generation;
	h->parent_gen = m->parent_gen;
	h->created_ns = m->created_ns;
	h->creator_uid = m->creator_uid;
	h->nb_sections = lo->nb_sec;
	h->section_off = sizeof(*h);
	memcpy(h->comment, m->comment, clen);
	memcpy(img + h->section_off, lo->sec,
	       lo->nb_sec * sizeof(struct bw_image_section));
	*out = img;
	return 0;
}

/*
 * Fill the CRC, then check the image as the dataplane will. Frees img and
 * returns the validator's error when it refuses (a bug of the caller's
 * model or of this writer). Returns 0 or a negative errno.
 */
static int
image_finish(uint8_t *img, uint64_t size, void **out, size_t *len)
{
	struct bw_image_hdr *h = (struct bw_image_hdr *)img;
	struct bw_image_view v;
	int r;

	h->crc32c = bw_crc32c(0, img + h->hdr_size, size - h->hdr_size);
	r = bw_image_validate(img, size, &v, NULL, 0);
	if (r < 0) {
		free(img);
		return r;
	}
	*out = img;
	*len = size;
	return 0;
}

static uint32_t
addr4_host(const uint8_t *a)
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
	       (uint32_t)a[2] << 8 | (uint32_t)a[3];
}

static void
addr4_net(uint32_t addr, uint8_t *a)
{
	a[0] = (uint8_t)(addr >> 24);
	a[1] = (uint8_t)(addr >> 16);
	a[2] = (uint8_t)(addr >> 8);
	a[3] = (uint8_t)addr;
}

/* An image being written: its plan, its buffer, its prefix sections. */
struct writer {
	struct layout lo;
	uint8_t *buf;
	uint32_t nb4[BW_LIST_MAX], nb6[BW_LIST_MAX]; /* of each list */
	uint32_t tot4, tot6;			     /* of all lists */
	struct bw_image_prefix4 *p4; /* PREFIX4 or DELTA4, NULL when empty */
	struct bw_image_prefix6 *p6; /* PREFIX6 or DELTA6, NULL when empty */
	uint32_t k4, k6;	     /* entries written */
};

/* Append p, of list with op, to the section of its family. */
static void
pfx_put(struct writer *o, const struct ctl_prefix *p, uint8_t op, uint16_t list)
{
	if (p->family == CTL_PREFIX_V4) {
		struct bw_image_prefix4 *e = &o->p4[o->k4++];

		e->addr = addr4_host(p->addr);
		e->len = p->len;
		e->op = op;
		e->list = list;
	} else {
		struct bw_image_prefix6 *e = &o->p6[o->k6++];

		memcpy(e->addr, p->addr, sizeof(p->addr));
		e->len = p->len;
		e->op = op;
		e->list = list;
	}
}

/*
 * Count each list's prefixes per family. Returns 0, -EINVAL for a bad
 * family or too many lists, -E2BIG over BW_PREFIX_MAX.
 */
static int
count_prefixes(const struct ctl_ruleset *rs, uint32_t nb4[BW_LIST_MAX],
	       uint32_t nb6[BW_LIST_MAX], uint32_t *tot4, uint32_t *tot6)
{
	uint64_t s4 = 0, s6 = 0;
	const struct ctl_list *l;
	uint32_t i;
	size_t k;

	if (rs->nb_lists > BW_LIST_MAX)
		return -EINVAL;
	for (i = 0; i < rs->nb_lists; i++) {
		l = &rs->lists[i];
		nb4[i] = 0;
		nb6[i] = 0;
		if (l->set.n > 2ull * BW_PREFIX_MAX)
			return -E2BIG;
		for (k = 0; k < l->set.n; k++) {
			if (l->set.v[k].family == CTL_PREFIX_V4)
				nb4[i]++;
			else if (l->set.v[k].family == CTL_PREFIX_V6)
				nb6[i]++;
			else
				return -EINVAL;
		}
		s4 += nb4[i];
		s6 += nb6[i];
	}
	if (s4 > BW_PREFIX_MAX || s6 > BW_PREFIX_MAX)
		return -E2BIG;
	*tot4 = (uint32_t)s4;
	*tot6 = (uint32_t)s6;
	return 0;
}

/*
 * The LISTS section; full: ranges follow each other in id order. The
 * validator checks ids, names, action and match afterwards.
 */
static int
lists_fill(struct bw_image_list *out, const struct ctl_ruleset *rs,
	   const uint32_t *nb4, const uint32_t *nb6, int full)
{
	uint32_t i, first4 = 0, first6 = 0;
	const struct ctl_list *l;

	for (i = 0; i < rs->nb_lists; i++) {
		l = &rs->lists[i];
		if (!bw_image_name_valid(l->name))
			return -EINVAL;
		memcpy(out[i].name, l->name, strlen(l->name));
		out[i].id = l->id;
		out[i].action = l->action;
		out[i].match = l->match;
		out[i].nb_v4 = nb4[i];
		out[i].nb_v6 = nb6[i];
		if (full) {
			out[i].v4_first = first4;
			out[i].v6_first = first6;
			first4 += nb4[i];
			first6 += nb6[i];
		}
	}
	return 0;
}

/*
 * Instructions of all programs, checking what the validator will: count,
 * names, orders strictly ascending. Returns 0 or -EINVAL.
 */
static int
count_insns(const struct ctl_ruleset *rs, uint32_t *total)
{
	uint32_t i, sum = 0;

	if (rs->nb_progs > BW_BPF_MAX)
		return -EINVAL;
	for (i = 0; i < rs->nb_progs; i++) {
		const struct ctl_prog *p = &rs->progs[i];

		if (!bw_image_name_valid(p->name) || p->nb_insns == 0 ||
		    p->nb_insns > BW_BPF_INSNS_MAX || p->insns == NULL ||
		    (i > 0 && p->order <= rs->progs[i - 1].order))
			return -EINVAL;
		sum += p->nb_insns;
	}
	*total = sum;
	return 0;
}

/* The BPF and BPF_INSNS sections of a FULL image. */
static void
progs_fill(const struct ctl_ruleset *rs, struct bw_image_bpf *tab,
	   struct bw_image_insn *code)
{
	uint32_t i, first = 0;

	for (i = 0; i < rs->nb_progs; i++) {
		const struct ctl_prog *p = &rs->progs[i];

		memcpy(tab[i].name, p->name, strlen(p->name));
		tab[i].order = p->order;
		tab[i].nb_insns = p->nb_insns;
		tab[i].insn_first = first;
		tab[i].ctx_size = sizeof(struct bw_bpf_ctx);
		tab[i].on_fault = (uint8_t)p->on_fault;
		memcpy(code + first, p->insns,
		       (size_t)p->nb_insns * sizeof(*code));
		first += p->nb_insns;
	}
}

/* Copy the content rule tables into their planned sections. */
static void
rtab_fill(struct layout *lo, uint8_t *buf, const struct ctl_rtab *t)
{
	const struct {
		uint32_t type;
		const void *src;
	} part[] = {
		{BW_SEC_RULES, t->rules},      {BW_SEC_RADDRS, t->addrs},
		{BW_SEC_RPORTS, t->ports},     {BW_SEC_RSTRINGS, t->strings},
		{BW_SEC_HSDB_BLOCK, t->block}, {BW_SEC_HSDB_STREAM, t->stream},
		{BW_SEC_HSGROUPS, t->groups},  {BW_SEC_HSPORTS, t->hsports},
		{BW_SEC_HSDB_GROUPS, t->gdb},
	};
	struct bw_image_section *s;
	size_t i;

	for (i = 0; i < sizeof(part) / sizeof(part[0]); i++) {
		s = layout_find(lo, part[i].type);
		if (s != NULL && part[i].src != NULL)
			memcpy(buf + s->off, part[i].src, (size_t)s->len);
	}
}

/* The content rule tables of a validated view, copied into t. */
static int
rtab_from_view(struct ctl_rtab *t, const struct bw_image_view *v)
{
	struct ctl_rtab src = {
		.nb_rules = v->nb_rules,
		.rules = (struct bw_image_rule *)(uintptr_t)v->rules,
		.nb_addrs = v->nb_raddrs,
		.addrs = (struct bw_image_raddr *)(uintptr_t)v->raddrs,
		.nb_ports = v->nb_rports,
		.ports = (struct bw_image_rport *)(uintptr_t)v->rports,
		.strings_len = v->rstrings_len,
		.strings = (char *)(uintptr_t)v->rstrings,
		.block_len = v->hsdb_block_len,
		.block = (uint8_t *)(uintptr_t)v->hsdb_block,
		.stream_len = v->hsdb_stream_len,
		.stream = (uint8_t *)(uintptr_t)v->hsdb_stream,
		.nb_groups = v->nb_hsgroups,
		.groups = (struct bw_image_hsgroup *)(uintptr_t)v->hsgroups,
		.nb_hsports = v->nb_hsports,
		.hsports = (struct bw_image_hsport *)(uintptr_t)v->hsports,
		.gdb_len = v->hsdb_groups_len,
		.gdb = (uint8_t *)(uintptr_t)v->hsdb_groups,
	};

	return ctl_rtab_dup(t, &src);
}

/* Count the prefixes of rs's lists and plan its LISTS section, the first. */
static int
plan_lists(struct writer *w, const struct ctl_ruleset *rs)
{
	int r = count_prefixes(rs, w->nb4, w->nb6, &w->tot4, &w->tot6);

	if (r == 0)
		layout_add(&w->lo, BW_SEC_LISTS, sizeof(struct bw_image_list),
			   rs->nb_lists, 0);
	return r;
}

/*
 * Place the planned sections, start an image of kind in w->buf and fill
 * its LISTS section from rs (with each list's ranges in a FULL image);
 * then find the prefix sections p4 and p6 (types t4, t6). Returns 0 or a
 * negative errno (w->buf then not allocated).
 */
static int
image_begin(struct writer *w, const struct ctl_ruleset *rs,
	    const struct ctl_image_meta *m, uint32_t kind, uint32_t t4,
	    uint32_t t6)
{
	int r;

	r = layout_place(&w->lo);
	if (r < 0)
		return r;
	r = image_start(&w->lo, m, kind, &w->buf);
	if (r < 0)
		return r;
	r = lists_fill((struct bw_image_list *)(w->buf + w->lo.sec[0].off), rs,
		       w->nb4, w->nb6, kind == BW_IMAGE_FULL);
	if (r < 0) {
		free(w->buf);
		return r;
	}
	w->p4 = layout_body(&w->lo, w->buf, t4);
	w->p6 = layout_body(&w->lo, w->buf, t6);
	return 0;
}

int
ctl_image_write_full(const struct ctl_ruleset *rs,
		     const struct ctl_image_meta *m, void **img, size_t *len)
{
	struct bw_image_insn *code;
	struct bw_image_bpf *tab;
	struct writer w = {0};
	uint32_t i, nb_insns;
	size_t k;
	int r;

	r = plan_lists(&w, rs);
	if (r < 0)
		return r;
	r = count_insns(rs, &nb_insns);
	if (r < 0)
		return r;
	layout_add(&w.lo, BW_SEC_PREFIX4, sizeof(*w.p4), w.tot4, 1);
	layout_add(&w.lo, BW_SEC_PREFIX6, sizeof(*w.p6), w.tot6, 1);
	layout_add(&w.lo, BW_SEC_BPF, sizeof(struct bw_image_bpf), rs->nb_progs,
		   1);
	layout_add(&w.lo, BW_SEC_BPF_INSNS, sizeof(struct bw_image_insn),
		   nb_insns, 1);
	layout_add(&w.lo, BW_SEC_RULES, sizeof(struct bw_image_rule),
		   rs->rtab.nb_rules, 1);
	layout_add(&w.lo, BW_SEC_RADDRS, sizeof(struct bw_image_raddr),
		   rs->rtab.nb_addrs, 1);
	layout_add(&w.lo, BW_SEC_RPORTS, sizeof(struct bw_image_rport),
		   rs->rtab.nb_ports, 1);
	layout_add(&w.lo, BW_SEC_RSTRINGS, 1, rs->rtab.strings_len, 1);
	layout_add(&w.lo, BW_SEC_HSDB_BLOCK, 1, rs->rtab.block_len, 1);
	layout_add(&w.lo, BW_SEC_HSDB_STREAM, 1, rs->rtab.stream_len, 1);
	layout_add(&w.lo, BW_SEC_HSGROUPS, sizeof(struct bw_image_hsgroup),
		   rs->rtab.nb_groups, 1);
	layout_add(&w.lo, BW_SEC_HSPORTS, sizeof(struct bw_image_hsport),
		   rs->rtab.nb_hsports, 1);
	layout_add(&w.lo, BW_SEC_HSDB_GROUPS, 1, rs->rtab.gdb_len, 1);
	r = image_begin(&w, rs, m, BW_IMAGE_FULL, BW_SEC_PREFIX4,
			BW_SEC_PREFIX6);
	if (r < 0)
		return r;
	/*
	 * ctl_prefix_cmp() orders by family, then address bytes, then length:
	 * a sorted set yields each family in the image's (addr, len) order.
	 */
	for (i = 0; i < rs->nb_lists; i++) {
		for (k = 0; k < rs->lists[i].set.n; k++)
			pfx_put(&w, &rs->lists[i].set.v[k], BW_OP_PRESENT,
				(uint16_t)rs->lists[i].id);
	}
	tab = layout_body(&w.lo, w.buf, BW_SEC_BPF);
	code = layout_body(&w.lo, w.buf, BW_SEC_BPF_INSNS);
	if (tab != NULL && code != NULL)
		progs_fill(rs, tab, code);
	rtab_fill(&w.lo, w.buf, &rs->rtab);
	return image_finish(w.buf, w.lo.size, img, len);
}

/* Delta order: list, then (addr, len); qsort() callbacks. */
static int
delta4_cmp(const void *pa, const void *pb)
{
	const struct bw_image_prefix4 *a = pa, *b = pb;

	return CTL_CMP(a->list, b->list) ?: CTL_CMP(a->addr, b->addr) ?:
					     CTL_CMP(a->len, b->len);
}

static int
delta6_cmp(const void *pa, const void *pb)
{
	const struct bw_image_prefix6 *a = pa, *b = pb;

	return CTL_CMP(a->list, b->list) ?:
		       memcmp(a->addr, b->addr, sizeof(a->addr)) ?:
		       CTL_CMP(a->len, b->len);
}

int
ctl_image_write_delta(const struct ctl_ruleset *result_lists,
		      const struct ctl_delta_entry *d, size_t nb,
		      const struct ctl_image_meta *m, void **img, size_t *len)
{
	uint32_t n4 = 0, n6 = 0;
	struct writer w = {0};
	size_t k;
	int r;

	r = plan_lists(&w, result_lists);
	if (r < 0)
		return r;
	for (k = 0; k < nb; k++) {
		if (d[k].p.family == CTL_PREFIX_V4)
			n4++;
		else if (d[k].p.family == CTL_PREFIX_V6)
			n6++;
		else
			return -EINVAL;
		if (n4 > BW_PREFIX_MAX || n6 > BW_PREFIX_MAX)
			return -E2BIG;
	}
	layout_add(&w.lo, BW_SEC_DELTA4, sizeof(*w.p4), n4, 1);
	layout_add(&w.lo, BW_SEC_DELTA6, sizeof(*w.p6), n6, 1);
	r = image_begin(&w, result_lists, m, BW_IMAGE_DELTA, BW_SEC_DELTA4,
			BW_SEC_DELTA6);
	if (r < 0)
		return r;
	for (k = 0; k < nb; k++)
		pfx_put(&w, &d[k].p, d[k].op, d[k].list);
	/* Sorted in place in the image: the entries are ours now. */
	if (n4 > 1)
		qsort(w.p4, n4, sizeof(*w.p4), delta4_cmp);
	if (n6 > 1)
		qsort(w.p6, n6, sizeof(*w.p6), delta6_cmp);
	return image_finish(w.buf, w.lo.size, img, len);
}

/* The prefixes of list l of a validated FULL image, as a sorted set. */
static int
set_from_image(struct ctl_prefix_set *set, const struct bw_image_view *v,
	       const struct bw_image_list *l)
{
	size_t n = (size_t)l->nb_v4 + l->nb_v6;
	struct ctl_prefix *p;
	uint32_t k;

	memset(set, 0, sizeof(*set));
	if (n == 0)
		return 0;
	set->v = calloc(n, sizeof(*set->v));
	if (set->v == NULL)
		return -ENOMEM;
	/* family 4 sorts before 6 (ctl_prefix_cmp), and each is in order */
	p = set->v;
	for (k = l->v4_first; k < l->v4_first + l->nb_v4; k++, p++) {
		p->family = CTL_PREFIX_V4;
		p->len = v->p4[k].len;
		addr4_net(v->p4[k].addr, p->addr);
	}
	for (k = l->v6_first; k < l->v6_first + l->nb_v6; k++, p++) {
		p->family = CTL_PREFIX_V6;
		p->len = v->p6[k].len;
		memcpy(p->addr, v->p6[k].addr, sizeof(p->addr));
	}
	set->n = n;
	set->cap = n;
	return 0;
}

int
ctl_image_read(const void *img, size_t len, struct ctl_ruleset *rs,
	       struct ctl_image_meta *m, char *why, size_t why_len)
{
	const struct bw_image_list *l;
	struct bw_image_view v;
	struct ctl_list *cl;
	uint32_t i;
	int r;

	memset(rs, 0, sizeof(*rs));
	r = bw_image_validate(img, len, &v, why, why_len);
	if (r < 0)
		return r;
	if (v.hdr->kind != BW_IMAGE_FULL) {
		if (why != NULL && why_len > 0)
			snprintf(why, why_len,
				 "delta image where a full image is needed");
		return -EINVAL;
	}
	for (i = 0; i < v.nb_lists; i++) {
		l = &v.lists[i];
		cl = &rs->lists[i];
		/* validated: NUL terminated and zero padded */
		memcpy(cl->name, l->name, sizeof(cl->name));
		cl->id = l->id;
		cl->action = l->action;
		cl->match = l->match;
		r = set_from_image(&cl->set, &v, l);
		if (r < 0)
			goto err_free;
		rs->nb_lists = i + 1;
	}
	for (i = 0; i < v.nb_progs; i++) {
		const struct bw_image_bpf *b = &v.progs[i];
		struct ctl_prog *cp = &rs->progs[i];

		/* validated: NUL terminated and zero padded */
		memcpy(cp->name, b->name, sizeof(cp->name));
		cp->order = b->order;
		cp->nb_insns = b->nb_insns;
		cp->on_fault = b->on_fault;
		cp->insns = malloc((size_t)b->nb_insns * sizeof(*cp->insns));
		if (cp->insns == NULL) {
			r = -ENOMEM;
			goto err_free;
		}
		memcpy(cp->insns, v.insns + b->insn_first,
		       (size_t)b->nb_insns * sizeof(*cp->insns));
		rs->nb_progs = i + 1;
	}
	r = rtab_from_view(&rs->rtab, &v);
	if (r < 0)
		goto err_free;
	rs->generation = v.hdr->generation;
	if (m != NULL) {
		memset(m, 0, sizeof(*m));
		m->generation = v.hdr->generation;
		m->parent_gen = v.hdr->parent_gen;
		m->creator_uid = v.hdr->creator_uid;
		m->created_ns = v.hdr->created_ns;
		memcpy(m->comment, v.hdr->comment, sizeof(m->comment));
	}
	return 0;

err_free:
	ctl_ruleset_free(rs);
	if (why != NULL && why_len > 0)
		snprintf(why, why_len, "out of memory");
	return r;
}

int
ctl_image_load_file(const char *path, void **img, size_t *len)
{
	int r;

	r = bw_file_read(path, BW_IMAGE_SIZE_MAX, CTL_IMAGE_ALIGN,
			 BW_FILE_REGULAR, img, len);
	return r == -EFBIG ? -E2BIG : r == -EISDIR ? -EINVAL : r;
}
