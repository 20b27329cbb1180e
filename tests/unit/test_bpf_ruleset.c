/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of eBPF programs in the ruleset: the program model of
 * bulwarkctl (ctl_model.h: names, run order, replacing, the limit, what the
 * commit plan makes of a change) and the program sections of the ruleset
 * image (ctl_image.h writes them, bw_image_view.h checks every field).
 *
 * Usage: test_bpf_ruleset [DATA_DIR [BUILD_DIR]] (test_bpf_util.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "bw_crc32c.h"
#include "bw_image_view.h"
#include "ctl_image.h"
#include "ctl_txn.h"
#include "test_bpf_util.h"

static void
meta_init(struct ctl_image_meta *m, uint64_t gen, uint64_t parent)
{
	memset(m, 0, sizeof(*m));
	m->generation = gen;
	m->parent_gen = parent;
	m->creator_uid = 1000;
	m->created_ns = 1737133427000000000ull;
	snprintf(m->comment, sizeof(m->comment), "bpf test");
}

/* Three programs with distinct code; one list so the image has LISTS. */
static void
ruleset_with_progs(struct ctl_ruleset *rs)
{
	struct bw_image_insn code[4] = {MOV_K(0, 0), EXIT, EXIT, EXIT};
	uint32_t order;

	memset(rs, 0, sizeof(*rs));
	CU_ASSERT_FATAL(ctl_ruleset_add_list(rs, "l", BW_ACTION_DROP,
					     BW_MATCH_ANY, NULL) == 0);
	code[0] = MOV_K(0, 1);
	CU_ASSERT_FATAL(ctl_ruleset_put_prog(rs, "one", code, 2, NULL) == 0);
	code[0] = MOV_K(0, 2);
	CU_ASSERT_FATAL(ctl_ruleset_put_prog(rs, "two", code, 2, NULL) == 0);
	code[0] = MOV_K(0, 3);
	order = 5;
	CU_ASSERT_FATAL(ctl_ruleset_put_prog(rs, "first", code, 3, &order) ==
			0);
}

static const struct bw_image_section *
sec_of(const uint8_t *img, uint32_t type)
{
	const struct bw_image_hdr *h = (const struct bw_image_hdr *)img;
	const struct bw_image_section *s =
		(const struct bw_image_section *)(img + h->section_off);
	uint32_t i;

	for (i = 0; i < h->nb_sections; i++)
		if (s[i].type == type)
			return &s[i];
	return NULL;
}

static void
recrc(uint8_t *img)
{
	struct bw_image_hdr *h = (struct bw_image_hdr *)img;

	h->crc32c = bw_crc32c(0, img + h->hdr_size, h->size - h->hdr_size);
}

/* A change to program entry k of a good image, and the refusal wanted. */
static const struct entry_case {
	uint32_t k;
	size_t off, size; /* the bytes of struct bw_image_bpf changed */
	uint32_t val;	  /* their value: a field of 4 bytes or 1 */
	char name[BW_BPF_NAME_LEN + 1]; /* their bytes: in the name */
	const char *keyword;
} entries[] = {
#define FIELD(f)                                                               \
	offsetof(struct bw_image_bpf, f), sizeof(((struct bw_image_bpf *)0)->f)
#define NAME(n) offsetof(struct bw_image_bpf, name), (n)
	{1, FIELD(order), 5, "", "program orders not ascending at 1"},
	{2, FIELD(order), 10, "", "not ascending at 2"},
	{0, FIELD(nb_insns), 0, "", "program 0 ('first'): 0 instructions"},
	{0, FIELD(nb_insns), BW_BPF_INSNS_MAX + 1, "", "4097 instructions"},
	{1, FIELD(nb_insns), 1, "", "program 2 ('two'): insn_first 5, want 4"},
	{2, FIELD(nb_insns), 3, "",
	 "program ranges cover 8 instructions, the bpf_insns section has 7"},
	{1, FIELD(insn_first), 2, "", "insn_first 2, want 3"},
	{2, FIELD(ctx_size), 512, "",
	 "verified for a context of 512 bytes, this dataplane has 640"},
	{2, FIELD(reserved[3]), 1, "", "('two'): reserved not zero"},
	{2, NAME(BW_BPF_NAME_LEN), 0, "one",
	 "program 2: duplicate name 'one' (also program 1)"},
	{0, NAME(1), 0, "", "program 0: empty name"},
	{0, NAME(4), 0, "a b", "name has character 0x20 at 1"},
	{0, NAME(BW_BPF_NAME_LEN), 0, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	 "program 0: name not NUL terminated"},
	{0, NAME(BW_BPF_NAME_LEN), 0, "ab\0\0\0z",
	 "name byte 5 after the NUL not zero"},
#undef NAME
#undef FIELD
};

/* A copy of img with the change of case c, validated. */
static void
expect_entry_refused(const uint8_t *img, size_t len, const struct entry_case *c)
{
	char why[BW_IMAGE_WHY_LEN] = "";
	struct bw_image_view v;
	uint8_t *b = aligned_alloc(64, (len + 63) & ~(size_t)63), *at;
	const struct bw_image_section *s;
	uint8_t u8 = (uint8_t)c->val;
	int r, ok;

	CU_ASSERT_FATAL(b != NULL);
	memcpy(b, img, len);
	s = sec_of(b, BW_SEC_BPF);
	CU_ASSERT_FATAL(s != NULL);
	if (s == NULL)
		abort(); /* not reached: the assertion jumped out */
	at = b + s->off + c->k * sizeof(struct bw_image_bpf) + c->off;
	if (c->off == offsetof(struct bw_image_bpf, name))
		memcpy(at, c->name, c->size);
	else if (c->size == sizeof(c->val))
		memcpy(at, &c->val, sizeof(c->val));
	else
		memcpy(at, &u8, sizeof(u8));
	recrc(b);
	r = bw_image_validate(b, len, &v, why, sizeof(why));
	ok = r == -EINVAL && strstr(why, c->keyword) != NULL;
	CU_ASSERT(ok);
	if (!ok)
		fprintf(stderr, "\n  entry case %d: got %d '%s', want '%s'",
			(int)(c - entries), r, why, c->keyword);
	free(b);
}

static void
test_image_programs(void)
{
	struct ctl_ruleset rs, back;
	struct ctl_image_meta m;
	struct bw_image_view v;
	char why[BW_IMAGE_WHY_LEN];
	void *img = NULL, *delta = NULL;
	size_t len = 0, dlen = 0;
	uint32_t i;

	ruleset_with_progs(&rs);
	CU_ASSERT(rs.nb_progs == 3);
	CU_ASSERT(strcmp(rs.progs[0].name, "first") == 0 &&
		  rs.progs[0].order == 5);
	CU_ASSERT(strcmp(rs.progs[1].name, "one") == 0 &&
		  rs.progs[1].order == CTL_PROG_ORDER_STEP);
	CU_ASSERT(rs.progs[2].order == 2 * CTL_PROG_ORDER_STEP);
	meta_init(&m, 7, 6);
	CU_ASSERT_FATAL(ctl_image_write_full(&rs, &m, &img, &len) == 0);
	CU_ASSERT_FATAL(bw_image_validate(img, len, &v, why, sizeof(why)) == 0);
	CU_ASSERT(v.nb_progs == 3 && v.nb_insns == 7);
	CU_ASSERT(v.progs[1].insn_first == 3 && v.progs[2].insn_first == 5);
	CU_ASSERT(v.progs[0].ctx_size == sizeof(struct bw_bpf_ctx));
	CU_ASSERT(v.insns[0].imm == 3 && v.insns[3].imm == 1);
	/* read back: the same programs */
	CU_ASSERT_FATAL(
		ctl_image_read(img, len, &back, NULL, why, sizeof(why)) == 0);
	CU_ASSERT(ctl_ruleset_progs_equal(&rs, &back));
	CU_ASSERT(back.generation == 7);
	ctl_ruleset_free(&back);

	/* refusals, each on a copy */
	for (i = 0; i < NB(entries); i++)
		expect_entry_refused(img, len, &entries[i]);

	/* a DELTA image never carries programs, and keeps those in force */
	meta_init(&m, 8, 7);
	CU_ASSERT_FATAL(
		ctl_image_write_delta(&rs, NULL, 0, &m, &delta, &dlen) == 0);
	CU_ASSERT_FATAL(bw_image_validate(delta, dlen, &v, why, sizeof(why)) ==
			0);
	CU_ASSERT(v.nb_progs == 0 && v.progs == NULL && v.insns == NULL);
	CU_ASSERT(sec_of(delta, BW_SEC_BPF) == NULL);
	free(delta);
	/* a DELTA with a program section, or instructions without a table */
	{
		uint8_t *b = aligned_alloc(64, (len + 63) & ~(size_t)63);
		struct bw_image_hdr *h = (struct bw_image_hdr *)b;
		const struct bw_image_section *last;
		struct bw_image_section *s;

		CU_ASSERT_FATAL(b != NULL);
		memcpy(b, img, len);
		h->kind = BW_IMAGE_DELTA;
		/* FULL's prefix sections are absent here: only BPF remains */
		recrc(b);
		CU_ASSERT(bw_image_validate(b, len, &v, why, sizeof(why)) ==
			  -EINVAL);
		CU_ASSERT(strstr(why, "delta image has a bpf section") != NULL);
		/* drop the table's BPF entry: the last one takes its place */
		memcpy(b, img, len);
		s = (struct bw_image_section *)(uintptr_t)sec_of(b, BW_SEC_BPF);
		last = sec_of(b, BW_SEC_BPF_INSNS);
		if (s == NULL || last == NULL)
			abort(); /* the writer made both: checked above */
		*s = *last;
		h->nb_sections--;
		recrc(b);
		CU_ASSERT(bw_image_validate(b, len, &v, why, sizeof(why)) ==
			  -EINVAL);
		CU_ASSERT(strstr(why, "bpf_insns section without a bpf "
				      "section") != NULL);
		free(b);
	}
	free(img);

	/* no programs: no program sections at all (images stay as before) */
	ctl_ruleset_free(&rs);
	memset(&rs, 0, sizeof(rs));
	CU_ASSERT_FATAL(ctl_ruleset_add_list(&rs, "l", BW_ACTION_DROP,
					     BW_MATCH_ANY, NULL) == 0);
	meta_init(&m, 1, 0);
	CU_ASSERT_FATAL(ctl_image_write_full(&rs, &m, &img, &len) == 0);
	CU_ASSERT(sec_of(img, BW_SEC_BPF) == NULL);
	CU_ASSERT(sec_of(img, BW_SEC_BPF_INSNS) == NULL);
	CU_ASSERT(((struct bw_image_hdr *)img)->nb_sections == 1);
	free(img);
	ctl_ruleset_free(&rs);
}

/* ------------------------------------------------------------ model */

static void
test_model(void)
{
	struct bw_image_insn code[2] = {MOV_K(0, 0), EXIT};
	struct ctl_ruleset rs, cur;
	struct ctl_delta_entry *d;
	uint32_t order, i;
	size_t nb;
	char name[16];

	memset(&rs, 0, sizeof(rs));
	CU_ASSERT(ctl_ruleset_put_prog(&rs, "bad name", code, 2, NULL) ==
		  -EINVAL);
	CU_ASSERT(ctl_ruleset_put_prog(&rs, "x", code, 0, NULL) == -EINVAL);
	CU_ASSERT(ctl_ruleset_put_prog(&rs, "a", code, 2, NULL) == 0);
	CU_ASSERT(ctl_ruleset_put_prog(&rs, "b", code, 2, NULL) == 0);
	CU_ASSERT(ctl_ruleset_put_prog(&rs, "c", code, 2, NULL) == 0);
	CU_ASSERT(rs.progs[0].order == 10 && rs.progs[2].order == 30);
	/* --order of a taken place: that one and the later ones move down */
	order = 20;
	CU_ASSERT(ctl_ruleset_put_prog(&rs, "d", code, 2, &order) == 0);
	CU_ASSERT(strcmp(rs.progs[1].name, "d") == 0 &&
		  rs.progs[1].order == 20);
	CU_ASSERT(strcmp(rs.progs[2].name, "b") == 0 &&
		  rs.progs[2].order == 21);
	CU_ASSERT(rs.progs[3].order == 31);
	/* replacing keeps the order unless one is given */
	code[0] = MOV_K(0, 2);
	CU_ASSERT(ctl_ruleset_put_prog(&rs, "a", code, 2, NULL) == 0);
	CU_ASSERT(strcmp(rs.progs[0].name, "a") == 0 &&
		  rs.progs[0].order == 10 && rs.progs[0].insns[0].imm == 2);
	order = 100;
	CU_ASSERT(ctl_ruleset_put_prog(&rs, "a", code, 2, &order) == 0);
	CU_ASSERT(strcmp(rs.progs[3].name, "a") == 0);
	/* moving onto its own place is no clash */
	CU_ASSERT(ctl_ruleset_put_prog(&rs, "a", code, 2, &order) == 0);
	CU_ASSERT(rs.progs[2].order == 31 && rs.progs[3].order == 100);
	/* copies: equal, then not */
	CU_ASSERT_FATAL(ctl_ruleset_dup(&cur, &rs) == 0);
	CU_ASSERT(cur.progs[0].insns != rs.progs[0].insns);
	CU_ASSERT(ctl_ruleset_progs_equal(&rs, &cur));
	CU_ASSERT(ctl_txn_plan(&rs, &cur, 0, 100, &d, &nb) == CTL_PLAN_NOOP);
	cur.progs[1].insns[0].imm = 9;
	CU_ASSERT(!ctl_ruleset_progs_equal(&rs, &cur));
	CU_ASSERT(ctl_txn_plan(&rs, &cur, 0, 100, &d, &nb) == CTL_PLAN_FULL);
	CU_ASSERT(d == NULL);
	cur.progs[1].insns[0].imm = rs.progs[1].insns[0].imm;
	CU_ASSERT(ctl_ruleset_del_prog(&cur, "d") == 0);
	CU_ASSERT(ctl_ruleset_del_prog(&cur, "d") == -ENOENT);
	CU_ASSERT(cur.nb_progs == 3);
	CU_ASSERT(ctl_txn_plan(&rs, &cur, 0, 100, &d, &nb) == CTL_PLAN_FULL);
	ctl_ruleset_free(&cur);
	/* order overflow, and the most programs a ruleset holds */
	order = UINT32_MAX;
	CU_ASSERT(ctl_ruleset_put_prog(&rs, "z", code, 2, &order) == 0);
	CU_ASSERT(ctl_ruleset_put_prog(&rs, "y", code, 2, NULL) == -ERANGE);
	CU_ASSERT(ctl_ruleset_put_prog(&rs, "y", code, 2, &order) == -ERANGE);
	for (i = rs.nb_progs; i < BW_BPF_MAX; i++) {
		snprintf(name, sizeof(name), "p%u", i);
		order = 1000 + i;
		CU_ASSERT(ctl_ruleset_put_prog(&rs, name, code, 2, &order) ==
			  0);
	}
	CU_ASSERT(rs.nb_progs == BW_BPF_MAX);
	order = 7;
	CU_ASSERT(ctl_ruleset_put_prog(&rs, "one-more", code, 2, &order) ==
		  -ENOSPC);
	/* replacing one of the sixteen still works */
	CU_ASSERT(ctl_ruleset_put_prog(&rs, "p10", code, 1, NULL) == 0);
	ctl_ruleset_free(&rs);
	CU_ASSERT(rs.nb_progs == 0);
}

/* The tests main runs (test_bpf_util.h). */
const struct bw_cunit_test bpf_tests[] = {
	{"image program sections", test_image_programs},
	{"program model and commit plan", test_model},
	{NULL, NULL},
};
