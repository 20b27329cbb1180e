/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the test_image* binaries share: an image in a heap block of exactly
 * its length, the patches and expected outcomes of the case tables that
 * corrupt it, and the small rulesets the images are written from.
 */
#ifndef TEST_IMAGE_UTIL_H
#define TEST_IMAGE_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "bw_image.h"
#include "ctl_image.h"
#include "ctl_prefix.h"
#include "ctl_rtab.h"
#include "bw_image_view.h"

#define HDR_SIZE sizeof(struct bw_image_hdr)

/* small_full(): LISTS, PREFIX4 and PREFIX6, laid out one after the other. */
#define SMALL_LISTS_OFF (HDR_SIZE + 3 * 32)
#define SMALL_P4_OFF	(SMALL_LISTS_OFF + 3 * 64)
#define SMALL_P6_OFF	(SMALL_P4_OFF + 7 * 8)
#define SMALL_FULL_LEN	(SMALL_P6_OFF + 4 * 24)

/* A test's own copy of an image, free to corrupt. */
struct timg {
	uint8_t *b;
	size_t len;
};

struct timg timg_copy(const void *src, size_t len);
/* The full image of rs with meta m, in a test buffer. */
struct timg timg_full(const struct ctl_ruleset *rs,
		      const struct ctl_image_meta *m);
void timg_free(struct timg *t);

struct bw_image_hdr *hdr_of(const struct timg *t);
struct bw_image_section *sec_at(const struct timg *t, uint32_t i);
/* The table entry of section type, or NULL. */
struct bw_image_section *sec_of(const struct timg *t, uint32_t type);
/* The table entry of section type, which must be there. */
struct bw_image_section *sec_must(const struct timg *t, uint32_t type);
/* The body of section type, which must be there. */
void *body_of(const struct timg *t, uint32_t type);
/* Recompute the CRC after a change behind the header. */
void recrc(struct timg *t);
/* Remove section type from t's table (its body stays, unreferenced). */
void sec_drop(struct timg *t, uint32_t type);

/*
 * Validate a copy of len bytes in a heap block of exactly len bytes, so
 * that AddressSanitizer reports any read past the end; check that
 * validation changed nothing and that an accepted view lies inside the
 * block. why gets the reason (BW_IMAGE_WHY_LEN bytes).
 */
int validate_exact(const void *img, size_t len, char *why);

/* A CUnit assertion reported at file:line. */
void check_at(const char *file, int line, int cond, const char *what);

/*
 * Validate img (validate_exact()) and check the outcome: accepted when err
 * is 0, else refused with err and a reason that contains kw, or that is
 * kw + 1 when kw starts with '='.
 */
void expect_at(const char *file, int line, const void *img, size_t len, int err,
	       const char *kw);

#define EXPECT_REFUSE(t, err, kw)                                              \
	expect_at(__FILE__, __LINE__, (t)->b, (t)->len, (err), (kw))
#define EXPECT_OK(t) expect_at(__FILE__, __LINE__, (t)->b, (t)->len, 0, NULL)

/* Where a patch lands, besides a section body (a BW_SEC_* type). */
#define TIMG_HDR   0x10000u /* the bytes from the image's start */
#define TIMG_TABLE 0x10001u /* section table entry idx */
#define TIMG_ENTRY 0x10002u /* the section table entry of type idx */

enum timg_op {
	TIMG_END,  /* no more patches */
	TIMG_SET,  /* store val in the size (1, 2, 4 or 8) bytes */
	TIMG_FILL, /* memset the size bytes with val */
	TIMG_COPY, /* the same bytes of element val over element idx */
	TIMG_SWAP, /* exchange those bytes of elements idx and val */
	TIMG_DROP, /* remove section type where from the table */
};

/* One change: size bytes at off in element idx of where. */
struct timg_patch {
	uint8_t op; /* enum timg_op */
	uint32_t where;
	uint32_t idx;
	uint32_t off;
	uint32_t size;
	uint64_t val;
};

#define TIMG_PATCHES_MAX 8

/*
 * One row of a case table: the patches, applied in order to a fresh copy
 * of the base image (the CRC recomputed unless only TIMG_HDR changed), and
 * the outcome (expect_at()).
 */
struct timg_case {
	int line;
	int err;
	const char *kw;
	struct timg_patch p[TIMG_PATCHES_MAX];
};

/* The braces of an initializer: a patch (op, where, idx, off, size, val), a case. */
#define TIMG_INIT(...)                                                         \
	{                                                                      \
		__VA_ARGS__                                                    \
	}
#define TIMG_AT(w, type, i, f)                                                 \
	(w), (i), offsetof(type, f), sizeof(((type *)0)->f)
#define TIMG_SET_AT(w, type, i, f, v)                                          \
	TIMG_INIT(TIMG_SET, TIMG_AT(w, type, i, f), (uint64_t)(v))
#define TIMG_FILL_AT(w, type, i, f, v)                                         \
	TIMG_INIT(TIMG_FILL, TIMG_AT(w, type, i, f), (uint64_t)(v))
#define TIMG_COPY_AT(w, type, i, f, from)                                      \
	TIMG_INIT(TIMG_COPY, TIMG_AT(w, type, i, f), (from))
/* Whole element j over element i; exchange elements i and j. */
#define TIMG_COPY_EL(w, type, i, j)                                            \
	TIMG_INIT(TIMG_COPY, (w), (i), 0, sizeof(type), (j))
#define TIMG_SWAP_EL(w, type, i, j)                                            \
	TIMG_INIT(TIMG_SWAP, (w), (i), 0, sizeof(type), (j))
#define TIMG_DROP_SEC(type) TIMG_INIT(TIMG_DROP, (type), 0, 0, 0, 0)

#define HDR(f, v)    TIMG_SET_AT(TIMG_HDR, struct bw_image_hdr, 0, f, v)
#define SEC(i, f, v) TIMG_SET_AT(TIMG_TABLE, struct bw_image_section, i, f, v)
#define ENTRY(ty, f, v)                                                        \
	TIMG_SET_AT(TIMG_ENTRY, struct bw_image_section, ty, f, v)

/* A row expecting err and kw after the patches that follow. */
#define CASE(err, kw, ...) TIMG_INIT(__LINE__, (err), (kw), {__VA_ARGS__})

/* Run each row of cases[0..n) on base. */
void timg_cases(const char *file, const struct timg *base,
		const struct timg_case *cases, size_t n);

#define TIMG_CASES(base, cases)                                                \
	timg_cases(__FILE__, (base), (cases),                                  \
		   sizeof(cases) / sizeof((cases)[0]))

/* Model building, independent of the list parsers. */
struct ctl_prefix pfx(const char *addr, uint8_t len);
void add_pfx(struct ctl_list *l, const char *addr, uint8_t len);
struct ctl_list *add_list(struct ctl_ruleset *rs, const char *name,
			  uint16_t action, uint16_t match);
void meta_init(struct ctl_image_meta *m, uint64_t gen, uint64_t parent,
	       const char *comment);

/*
 * The small ruleset most corruption tests start from: lists bogons (id 0,
 * IPv4 entries 0-4, IPv6 0-2), partners (id 1, IPv4 5-6, IPv6 3) and
 * empty (id 3: id 2 was deleted), nested and host prefixes included.
 */
void small_ruleset(struct ctl_ruleset *rs);
/*
 * The full image of the ruleset build() makes, generation gen over gen - 1
 * with comment.
 */
struct timg timg_written(void (*build)(struct ctl_ruleset *), uint64_t gen,
			 const char *comment);
/* small_ruleset()'s full image, generation 5 over 4, SMALL_FULL_LEN bytes. */
struct timg small_full(void);
/* A delta image of six changes against it, given out of order. */
struct timg small_delta(void);

/* write_full, validate (exact copy), read back, compare. */
void roundtrip(const struct ctl_ruleset *rs, uint64_t gen);

/* small_ruleset() with the rule tables of four content rules. */
void rules_ruleset_layout(struct ctl_ruleset *rs, enum ctl_rtab_layout layout);
/* The same, one block database and one stream database (--single-db). */
void rules_ruleset(struct ctl_ruleset *rs);
/* Drop the scan groups of t, whatever ctl_rtab_build() made. */
void groups_clear(struct ctl_rtab *t);

#define NB_HAND_GROUPS 8
#define NB_HAND_PORTS  5

/* rules_ruleset() with hand-made scan groups and no block database. */
void groups_ruleset(struct ctl_ruleset *rs);

#endif /* TEST_IMAGE_UTIL_H */
