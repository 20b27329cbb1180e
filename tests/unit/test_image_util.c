/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The helpers of the test_image* binaries (test_image_util.h): test copies
 * of images, exact-length validation, the case table runner, and the
 * rulesets (small, with content rules, with hand-made scan groups) that
 * the tests write their images from.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <CUnit/Basic.h>

#include "bw_crc32c.h"
#include "ctl_hsmap.h"
#include "ctl_rules.h"
#include "test_image_util.h"

struct timg
timg_copy(const void *src, size_t len)
{
	struct timg t;

	t.len = len;
	t.b = aligned_alloc(CTL_IMAGE_ALIGN,
			    (len + CTL_IMAGE_ALIGN) &
				    ~(size_t)(CTL_IMAGE_ALIGN - 1));
	CU_ASSERT_FATAL(t.b != NULL);
	memcpy(t.b, src, len);
	return t;
}

struct timg
timg_full(const struct ctl_ruleset *rs, const struct ctl_image_meta *m)
{
	struct timg t;
	size_t len;
	void *img;

	CU_ASSERT_FATAL(ctl_image_write_full(rs, m, &img, &len) == 0);
	t = timg_copy(img, len);
	free(img);
	return t;
}

void
timg_free(struct timg *t)
{
	free(t->b);
	t->b = NULL;
}

struct bw_image_hdr *
hdr_of(const struct timg *t)
{
	return (struct bw_image_hdr *)t->b;
}

struct bw_image_section *
sec_at(const struct timg *t, uint32_t i)
{
	return (struct bw_image_section *)(t->b + hdr_of(t)->section_off) + i;
}

struct bw_image_section *
sec_of(const struct timg *t, uint32_t type)
{
	uint32_t i;

	for (i = 0; i < hdr_of(t)->nb_sections; i++) {
		if (sec_at(t, i)->type == type)
			return sec_at(t, i);
	}
	return NULL;
}

struct bw_image_section *
sec_must(const struct timg *t, uint32_t type)
{
	struct bw_image_section *s = sec_of(t, type);

	CU_ASSERT_FATAL(s != NULL);
	if (s == NULL)
		abort(); /* not reached: the assertion jumped out */
	return s;
}

void *
body_of(const struct timg *t, uint32_t type)
{
	return t->b + sec_must(t, type)->off;
}

void
recrc(struct timg *t)
{
	struct bw_image_hdr *h = hdr_of(t);

	h->crc32c = bw_crc32c(0, t->b + h->hdr_size, h->size - h->hdr_size);
}

void
sec_drop(struct timg *t, uint32_t type)
{
	struct bw_image_section *s = sec_must(t, type);
	struct bw_image_hdr *h = hdr_of(t);

	*s = *sec_at(t, h->nb_sections - 1);
	memset(sec_at(t, h->nb_sections - 1), 0, sizeof(*s));
	h->nb_sections--;
}

/* Every pointer and count of an accepted view lies inside [b, end). */
static void
view_inside(const struct bw_image_view *v, const uint8_t *b, const uint8_t *end)
{
	CU_ASSERT((const void *)v->hdr == b);
	CU_ASSERT((const uint8_t *)(v->lists + v->nb_lists) <= end);
	CU_ASSERT(v->nb_p4 == 0 || (const uint8_t *)(v->p4 + v->nb_p4) <= end);
	CU_ASSERT(v->nb_p6 == 0 || (const uint8_t *)(v->p6 + v->nb_p6) <= end);
	CU_ASSERT(v->nb_d4 == 0 || (const uint8_t *)(v->d4 + v->nb_d4) <= end);
	CU_ASSERT(v->nb_d6 == 0 || (const uint8_t *)(v->d6 + v->nb_d6) <= end);
}

int
validate_exact(const void *img, size_t len, char *why)
{
	struct bw_image_view v;
	uint8_t *b;
	int r;

	b = malloc(len > 0 ? len : 1);
	CU_ASSERT_FATAL(b != NULL);
	CU_ASSERT_FATAL(((uintptr_t)b & 7) == 0);
	memcpy(b, img, len);
	memset(why, 'X', BW_IMAGE_WHY_LEN);
	r = bw_image_validate(b, len, &v, why, BW_IMAGE_WHY_LEN);
	CU_ASSERT(memchr(why, '\0', BW_IMAGE_WHY_LEN) != NULL);
	CU_ASSERT(memcmp(b, img, len) == 0);
	if (r == 0) {
		CU_ASSERT(why[0] == '\0');
		view_inside(&v, b, b + len);
	} else {
		CU_ASSERT(r == -EINVAL || r == -E2BIG);
		CU_ASSERT(why[0] != '\0');
		CU_ASSERT(v.hdr == NULL && v.lists == NULL && v.nb_lists == 0);
	}
	free(b);
	return r;
}

void
check_at(const char *file, int line, int cond, const char *what)
{
	CU_assertImplementation(cond ? CU_TRUE : CU_FALSE, (unsigned int)line,
				what, file, "", CU_FALSE);
}

void
expect_at(const char *file, int line, const void *img, size_t len, int err,
	  const char *kw)
{
	char why[BW_IMAGE_WHY_LEN];
	int r = validate_exact(img, len, why);
	int ok;

	if (err == 0) {
		ok = r == 0;
		check_at(file, line, ok, "accepted");
	} else if (kw[0] == '=') {
		check_at(file, line, r == err,
			 "refused with the expected error");
		ok = r == err && strcmp(why, kw + 1) == 0;
		check_at(file, line, ok, "refused with the exact reason");
	} else {
		ok = r == err && strstr(why, kw) != NULL;
		check_at(file, line, ok, "refused with the expected reason");
	}
	if (!ok)
		fprintf(stderr, "\n  %s:%d: got %d '%s', want %d '%s'\n", file,
			line, r, r != 0 ? why : "", err,
			err != 0 ? kw : "accepted");
}

/* Element idx of where in t. */
static uint8_t *
patch_elem(struct timg *t, uint32_t where, uint32_t idx)
{
	struct bw_image_section *s;

	if (where == TIMG_HDR)
		return t->b;
	if (where == TIMG_TABLE)
		return (uint8_t *)sec_at(t, idx);
	s = sec_of(t, where == TIMG_ENTRY ? idx : where);
	if (s == NULL)
		CU_FAIL_FATAL("patch of a section the image does not have");
	if (where == TIMG_ENTRY)
		return (uint8_t *)s;
	return t->b + s->off + (size_t)idx * s->elem_size;
}

/* Store the low size (1, 2, 4 or 8) bytes of val, in host order, at e. */
static void
patch_set(uint8_t *e, uint32_t size, uint64_t val)
{
	uint16_t v16 = (uint16_t)val;
	uint32_t v32 = (uint32_t)val;
	uint8_t v8 = (uint8_t)val;
	const void *v = size == 1   ? (const void *)&v8
			: size == 2 ? (const void *)&v16
			: size == 4 ? (const void *)&v32
				    : (const void *)&val;

	if (size != 1 && size != 2 && size != 4 && size != 8)
		CU_FAIL_FATAL("patch of a field that is no integer");
	memcpy(e, v, size);
}

static void
patch_apply(struct timg *t, const struct timg_patch *p)
{
	uint8_t *e, *o, tmp[sizeof(struct bw_image_list)]; /* the largest */

	if (p->op == TIMG_DROP) {
		sec_drop(t, p->where);
		return;
	}
	e = patch_elem(t, p->where, p->idx) + p->off;
	if (p->op == TIMG_FILL) {
		memset(e, (int)p->val, p->size);
		return;
	}
	if (p->op == TIMG_SET) {
		patch_set(e, p->size, p->val);
		return;
	}
	/* TIMG_COPY and TIMG_SWAP: the same bytes of element val */
	o = patch_elem(t, p->where, (uint32_t)p->val) + p->off;
	if (p->size > sizeof(tmp))
		CU_FAIL_FATAL("patch of an element larger than a list");
	memcpy(tmp, e, p->size);
	memcpy(e, o, p->size);
	if (p->op == TIMG_SWAP)
		memcpy(o, tmp, p->size);
}

void
timg_cases(const char *file, const struct timg *base,
	   const struct timg_case *cases, size_t n)
{
	const struct timg_case *c;
	const struct timg_patch *p;
	struct timg t;
	int body;

	for (c = cases; c < cases + n; c++) {
		t = timg_copy(base->b, base->len);
		body = 0;
		for (p = c->p; p < c->p + TIMG_PATCHES_MAX && p->op != TIMG_END;
		     p++) {
			patch_apply(&t, p);
			body |= p->where != TIMG_HDR;
		}
		if (body)
			recrc(&t);
		expect_at(file, c->line, t.b, t.len, c->err, c->kw);
		timg_free(&t);
	}
}

struct ctl_prefix
pfx(const char *addr, uint8_t len)
{
	struct ctl_prefix p;

	memset(&p, 0, sizeof(p));
	if (strchr(addr, ':') != NULL) {
		p.family = CTL_PREFIX_V6;
		CU_ASSERT_FATAL(inet_pton(AF_INET6, addr, p.addr) == 1);
	} else {
		p.family = CTL_PREFIX_V4;
		CU_ASSERT_FATAL(inet_pton(AF_INET, addr, p.addr) == 1);
	}
	p.len = len;
	return p;
}

void
add_pfx(struct ctl_list *l, const char *addr, uint8_t len)
{
	struct ctl_prefix p = pfx(addr, len);

	CU_ASSERT_FATAL(ctl_prefix_set_add(&l->set, &p) == 0);
}

struct ctl_list *
add_list(struct ctl_ruleset *rs, const char *name, uint16_t action,
	 uint16_t match)
{
	struct ctl_list *l = NULL;

	CU_ASSERT_FATAL(ctl_ruleset_add_list(rs, name, action, match, &l) == 0);
	CU_ASSERT_FATAL(l != NULL);
	return l;
}

void
meta_init(struct ctl_image_meta *m, uint64_t gen, uint64_t parent,
	  const char *comment)
{
	memset(m, 0, sizeof(*m));
	m->generation = gen;
	m->parent_gen = parent;
	m->creator_uid = 1000;
	m->created_ns = 1737133427000000000ull;
	snprintf(m->comment, sizeof(m->comment), "%s", comment);
}

void
small_ruleset(struct ctl_ruleset *rs)
{
	struct ctl_list *l;

	memset(rs, 0, sizeof(*rs));
	l = add_list(rs, "bogons", BW_ACTION_DROP, BW_MATCH_SRC);
	add_pfx(l, "192.168.0.0", 16);
	add_pfx(l, "10.0.0.0", 16);
	add_pfx(l, "10.0.0.0", 8);
	add_pfx(l, "172.16.0.0", 12);
	add_pfx(l, "1.2.3.4", 32);
	add_pfx(l, "fc00::", 7);
	add_pfx(l, "2001:db8::", 32);
	add_pfx(l, "2001:db8::1", 128);
	ctl_prefix_set_sort_unique(&l->set);
	l = add_list(rs, "partners", BW_ACTION_ALLOW, BW_MATCH_ANY);
	/* sorts before bogons' last entry: order is per list only */
	add_pfx(l, "1.0.0.0", 24);
	add_pfx(l, "203.0.113.7", 32);
	add_pfx(l, "2001:db8:1::", 48);
	ctl_prefix_set_sort_unique(&l->set);
	add_list(rs, "tmp", BW_ACTION_DROP, BW_MATCH_DST);
	add_list(rs, "empty.list-2", BW_ACTION_DROP, BW_MATCH_DST);
	CU_ASSERT_FATAL(ctl_ruleset_del_list(rs, "tmp") == 0);
}

struct timg
timg_written(void (*build)(struct ctl_ruleset *), uint64_t gen,
	     const char *comment)
{
	struct ctl_image_meta m;
	struct ctl_ruleset rs;
	struct timg t;

	build(&rs);
	meta_init(&m, gen, gen - 1, comment);
	t = timg_full(&rs, &m);
	ctl_ruleset_free(&rs);
	return t;
}

struct timg
small_full(void)
{
	return timg_written(small_ruleset, 5, "unit test");
}

/* Changes against small_ruleset(), given out of order. */
static const struct {
	uint16_t list;
	uint8_t op;
	const char *addr;
	uint8_t len;
} small_changes[] = {
	{3, BW_OP_ADD, "10.9.0.0", 16},	    {0, BW_OP_DEL, "10.0.0.0", 16},
	{1, BW_OP_ADD, "2001:db8:2::", 48}, {0, BW_OP_ADD, "100.64.0.0", 10},
	{0, BW_OP_DEL, "fc00::", 7},	    {3, BW_OP_ADD, "10.0.0.0", 16},
};

#define NB_SMALL_CHANGES (sizeof(small_changes) / sizeof(small_changes[0]))

struct timg
small_delta(void)
{
	struct ctl_delta_entry d[NB_SMALL_CHANGES];
	struct ctl_image_meta m;
	struct ctl_ruleset rs;
	struct timg t;
	size_t i, len;
	void *img;

	small_ruleset(&rs);
	for (i = 0; i < NB_SMALL_CHANGES; i++) {
		d[i].list = small_changes[i].list;
		d[i].op = small_changes[i].op;
		d[i].p = pfx(small_changes[i].addr, small_changes[i].len);
	}
	meta_init(&m, 6, 5, "delta");
	CU_ASSERT_FATAL(ctl_image_write_delta(&rs, d, NB_SMALL_CHANGES, &m,
					      &img, &len) == 0);
	t = timg_copy(img, len);
	free(img);
	ctl_ruleset_free(&rs);
	return t;
}

/* Same name, id, action, match and prefixes. */
static int
list_equal(const struct ctl_list *x, const struct ctl_list *y)
{
	return strcmp(x->name, y->name) == 0 && x->id == y->id &&
	       x->action == y->action && x->match == y->match &&
	       x->set.n == y->set.n &&
	       (x->set.n == 0 ||
		memcmp(x->set.v, y->set.v, x->set.n * sizeof(*x->set.v)) == 0);
}

/* The same lists in the same order. */
static int
ruleset_equal(const struct ctl_ruleset *a, const struct ctl_ruleset *b)
{
	uint32_t i = 0;

	while (a->nb_lists == b->nb_lists && i < a->nb_lists &&
	       list_equal(&a->lists[i], &b->lists[i]))
		i++;
	return a->nb_lists == b->nb_lists && i == a->nb_lists;
}

void
roundtrip(const struct ctl_ruleset *rs, uint64_t gen)
{
	char why[BW_IMAGE_WHY_LEN];
	struct ctl_image_meta m, m2;
	struct ctl_ruleset back;
	size_t len;
	void *img;
	int r;

	meta_init(&m, gen, gen - 1, "round trip");
	r = ctl_image_write_full(rs, &m, &img, &len);
	CU_ASSERT_FATAL(r == 0);
	CU_ASSERT(((uintptr_t)img & (CTL_IMAGE_ALIGN - 1)) == 0);
	CU_ASSERT(validate_exact(img, len, why) == 0);
	r = ctl_image_read(img, len, &back, &m2, why, sizeof(why));
	CU_ASSERT_FATAL(r == 0);
	CU_ASSERT(ruleset_equal(rs, &back));
	CU_ASSERT(back.generation == gen);
	CU_ASSERT(m2.generation == gen && m2.parent_gen == gen - 1);
	CU_ASSERT(m2.creator_uid == m.creator_uid);
	CU_ASSERT(m2.created_ns == m.created_ns);
	CU_ASSERT(strcmp(m2.comment, "round trip") == 0);
	ctl_ruleset_free(&back);
	free(img);
}

/* Content rules: a small set with every header field in use. */
static const char rules_text[] =
	"drop tcp $EXTERNAL_NET any -> $HOME_NET 2404 (msg:\"iec104 "
	"startdt\"; flow:to_server,established; content:\"|68 04 07 00|\"; "
	"sid:1001; rev:2; classtype:attempted-admin;)\n"
	"alert udp [10.0.0.0/8,!10.1.0.0/16] [53,5353] <> any 1024: "
	"(msg:\"dns\"; dsize:>20; content:\"abc\"; nocase; sid:1002;)\n"
	"pass ip any any -> 192.0.2.1 any (msg:\"ok\"; content:\"x\"; "
	"sid:1003;)\n"
	"alert tcp any any -> any ![80,8080] (msg:\"no content\"; "
	"dsize:0; sid:1004;)\n";

void
rules_ruleset_layout(struct ctl_ruleset *rs, enum ctl_rtab_layout layout)
{
	char err[CTL_HSDB_ERR_LEN];
	struct ctl_rules_stats st;
	struct ctl_rules_opts o;
	struct ctl_rules rules;

	memset(rs, 0, sizeof(*rs));
	small_ruleset(rs);
	ctl_rules_init(&rules);
	memset(&o, 0, sizeof(o));
	o.check = ctl_hsmap_check;
	CU_ASSERT_FATAL(ctl_rules_load_buf(&rules, "t.rules", rules_text,
					   sizeof(rules_text) - 1, &o,
					   &st) == 0);
	CU_ASSERT_FATAL(st.taken == 4);
	CU_ASSERT_FATAL(ctl_rtab_build_layout(&rules, NULL, layout, &rs->rtab,
					      NULL, err, sizeof(err)) == 0);
	ctl_rules_free(&rules);
}

void
rules_ruleset(struct ctl_ruleset *rs)
{
	rules_ruleset_layout(rs, CTL_RTAB_SINGLE);
}

void
groups_clear(struct ctl_rtab *t)
{
	free(t->groups);
	free(t->hsports);
	free(t->gdb);
	t->groups = NULL;
	t->hsports = NULL;
	t->gdb = NULL;
	t->nb_groups = 0;
	t->nb_hsports = 0;
	t->gdb_len = 0;
}

/*
 * Hand-made scan groups for rules_text (the validator does not look into
 * the databases, so their bytes are a pattern): TCP base, dst class 1 in
 * both scopes (2404: sid 1001), UDP base, src class 2 and dst class 3 (53
 * and 5353: sid 1002 <>), ICMP and OTHER base (sid 1003).
 */
static const struct bw_image_hsgroup hand_groups[NB_HAND_GROUPS] = {
	{.lane = BW_HSLANE_TCP, .role = BW_HSROLE_BASE, .nb_rules = 1},
	{.lane = BW_HSLANE_TCP,
	 .role = BW_HSROLE_DST,
	 .cls = 1,
	 .nb_rules = 2,
	 .flags = BW_HSGROUP_F_BASE},
	{.lane = BW_HSLANE_TCP,
	 .role = BW_HSROLE_DST,
	 .cls = 1,
	 .scope = BW_HSSCOPE_STREAM,
	 .nb_rules = 1},
	{.lane = BW_HSLANE_UDP, .role = BW_HSROLE_BASE, .nb_rules = 1},
	{.lane = BW_HSLANE_UDP, .role = BW_HSROLE_SRC, .cls = 2, .nb_rules = 2},
	{.lane = BW_HSLANE_UDP, .role = BW_HSROLE_DST, .cls = 3, .nb_rules = 2},
	{.lane = BW_HSLANE_ICMP, .role = BW_HSROLE_BASE, .nb_rules = 1},
	{.lane = BW_HSLANE_OTHER, .role = BW_HSROLE_BASE, .nb_rules = 1},
};

/* Database bytes of each hand-made group: not multiples of 8 on purpose. */
static const uint32_t hand_db_len[NB_HAND_GROUPS] = {13, 8, 21, 5,
						     30, 7, 1,	16};

/* Sorted by (lane, role, lo), disjoint within one (lane, role). */
static const struct bw_image_hsport hand_ports[NB_HAND_PORTS] = {
	{2404, 2404, 1, BW_HSLANE_TCP, BW_HSROLE_DST},
	{53, 53, 3, BW_HSLANE_UDP, BW_HSROLE_DST},
	{5353, 5353, 3, BW_HSLANE_UDP, BW_HSROLE_DST},
	{53, 53, 2, BW_HSLANE_UDP, BW_HSROLE_SRC},
	{5353, 5353, 2, BW_HSLANE_UDP, BW_HSROLE_SRC},
};

void
groups_ruleset(struct ctl_ruleset *rs)
{
	struct ctl_rtab *t = &rs->rtab;
	uint32_t i, off = 0, k;

	rules_ruleset(rs);
	free(t->block);
	t->block = NULL;
	t->block_len = 0;
	groups_clear(t);
	t->nb_groups = NB_HAND_GROUPS;
	t->groups = malloc(sizeof(hand_groups));
	t->nb_hsports = NB_HAND_PORTS;
	t->hsports = malloc(sizeof(hand_ports));
	CU_ASSERT_FATAL(t->groups != NULL && t->hsports != NULL);
	memcpy(t->groups, hand_groups, sizeof(hand_groups));
	memcpy(t->hsports, hand_ports, sizeof(hand_ports));
	for (i = 0; i < NB_HAND_GROUPS; i++) {
		t->groups[i].db_off = off;
		t->groups[i].db_len = hand_db_len[i];
		off = (off + hand_db_len[i] + 7) & ~7u;
	}
	/* the last database ends the blob: no padding after it */
	t->gdb_len = t->groups[NB_HAND_GROUPS - 1].db_off +
		     hand_db_len[NB_HAND_GROUPS - 1];
	t->gdb = malloc(t->gdb_len);
	CU_ASSERT_FATAL(t->gdb != NULL);
	for (k = 0; k < t->gdb_len; k++)
		t->gdb[k] = (uint8_t)(k * 13 + 1);
}
