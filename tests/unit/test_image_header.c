/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the ruleset image's frame, as bw_image_validate() checks
 * it: the CRC-32C, every header byte flipped, boundary values of every
 * header field, a later minor's bigger header, the section table, and
 * truncation at every length. Every image validated is first copied into
 * a heap block of exactly its length, so that AddressSanitizer reports any
 * read past the end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "bw_crc32c.h"
#include "bw_cunit.h"
#include "test_image_util.h"

static void
test_crc32c(void)
{
	static const char check[] = "123456789";
	uint8_t buf[1000];
	size_t i;

	/* the CRC-32C check value (RFC 3720 B.4, and every CRC catalogue) */
	CU_ASSERT(bw_crc32c(0, check, 9) == 0xe3069283u);
	CU_ASSERT(bw_crc32c(0, check, 0) == 0);
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	/* split anywhere, continued: same as whole */
	for (i = 0; i <= 17; i++)
		CU_ASSERT(bw_crc32c(bw_crc32c(0, buf, i), buf + i,
				    sizeof(buf) - i) ==
			  bw_crc32c(0, buf, sizeof(buf)));
	memset(buf, 0, 32);
	CU_ASSERT(bw_crc32c(0, buf, 32) == 0x8a9136aau); /* RFC 3720 B.4 */
}

/*
 * The precise outcome of validating small_full() with header byte off
 * changed: the keyword of the reason, or NULL when the image must still be
 * accepted. The CRC covers only what follows the header, so a field
 * without a rule of its own (abi_minor, created_ns, creator_uid, comment
 * text, a generation that stays above parent_gen) is accepted as changed.
 */
static const char *
flip_outcome(const struct bw_image_hdr *h, size_t off)
{
	const char *nul;
	size_t i;

	if (off < 8)
		return "magic";
	if (off < 10)
		return "abi major";
	if (off < 12)
		return NULL; /* abi_minor: any minor of major 1 */
	if (off < 16)
		return "hdr_size";
	if (off < 24)
		return "size";
	if (off < 28)
		return "crc32c mismatch";
	if (off < 32)
		return "kind";
	if (off < 48) {
		if (h->generation == 0)
			return "generation 0";
		return h->parent_gen >= h->generation ? "parent_gen" : NULL;
	}
	if (off < 60)
		return NULL; /* created_ns, creator_uid */
	if (off < 68)
		return "section"; /* nb_sections, section_off */
	if (off < 72)
		return "reserved0";
	if (off < 200) {
		nul = memchr(h->comment, '\0', sizeof(h->comment));
		if (nul == NULL)
			return "not NUL terminated";
		for (i = (size_t)(nul - h->comment); i < sizeof(h->comment);
		     i++) {
			if (h->comment[i] != '\0')
				return "after the NUL";
		}
		return NULL;
	}
	return "header reserved byte";
}

static void
test_header_flips(void)
{
	static const uint8_t masks[] = {0x01, 0x02, 0x04, 0x08, 0x10,
					0x20, 0x40, 0x80, 0xff};
	char why[BW_IMAGE_WHY_LEN];
	struct timg base = small_full(), t;
	unsigned int nb_ok = 0, nb_refused = 0;
	const char *kw;
	size_t off, i;
	int r;

	t = timg_copy(base.b, base.len);
	for (off = 0; off < HDR_SIZE; off++) {
		for (i = 0; i < sizeof(masks); i++) {
			memcpy(t.b, base.b, base.len);
			t.b[off] ^= masks[i];
			kw = flip_outcome(hdr_of(&t), off);
			r = validate_exact(t.b, t.len, why);
			if (kw == NULL) {
				check_at(__FILE__, __LINE__, r == 0,
					 "flip accepted");
				nb_ok++;
			} else {
				check_at(__FILE__, __LINE__,
					 r == -EINVAL &&
						 strstr(why, kw) != NULL,
					 "flip refused with reason");
				nb_refused++;
			}
			if ((kw == NULL) != (r == 0) ||
			    (kw != NULL && strstr(why, kw) == NULL))
				fprintf(stderr,
					"\n  byte %zu ^ 0x%02x: got %d '%s', "
					"want '%s'\n",
					off, masks[i], r, why,
					kw != NULL ? kw : "accepted");
		}
	}
	/* the unguarded bytes: abi_minor, created_ns, creator_uid, text */
	CU_ASSERT(nb_ok > 0 && nb_refused > nb_ok);
	timg_free(&t);
	timg_free(&base);
}

/* One header field of small_full() set to v. */
#define HCASE(f, v, err, kw) CASE((err), (kw), HDR(f, v))
#define COMMENT_FILL(c)                                                        \
	TIMG_FILL_AT(TIMG_HDR, struct bw_image_hdr, 0, comment, c)

static const struct timg_case header_cases[] = {
	HCASE(magic, 0, -EINVAL, "bad magic 0x0000000000000000"),
	HCASE(magic, UINT64_MAX, -EINVAL, "magic"),
	HCASE(magic, BW_IMAGE_MAGIC + 1, -EINVAL, "magic"),
	HCASE(abi_major, 0, -EINVAL, "abi major 0 not supported"),
	HCASE(abi_major, 2, -EINVAL, "abi major 2"),
	HCASE(abi_major, UINT16_MAX, -EINVAL, "abi major 65535"),
	HCASE(abi_minor, 1, 0, NULL),
	HCASE(abi_minor, UINT16_MAX, 0, NULL),
	HCASE(hdr_size, 0, -EINVAL, "hdr_size 0 below 256"),
	HCASE(hdr_size, 255, -EINVAL, "hdr_size 255 below"),
	HCASE(hdr_size, 257, -EINVAL, "hdr_size 257 in abi minor"),
	HCASE(hdr_size, 264, -EINVAL, "hdr_size 264 in abi minor"),
	HCASE(hdr_size, UINT32_MAX, -EINVAL, "hdr_size"),
	HCASE(size, 0, -EINVAL, "size 0 differs"),
	HCASE(size, SMALL_FULL_LEN - 1, -EINVAL, "differs from image length"),
	HCASE(size, SMALL_FULL_LEN + 1, -EINVAL, "differs from image length"),
	HCASE(size, UINT64_MAX, -EINVAL, "differs"),
	HCASE(crc32c, 0, -EINVAL, "crc32c mismatch: header 0x00000000"),
	HCASE(kind, 0, -EINVAL, "unknown kind 0"),
	HCASE(kind, 3, -EINVAL, "unknown kind 3"),
	HCASE(kind, UINT32_MAX, -EINVAL, "unknown kind"),
	HCASE(kind, BW_IMAGE_DELTA, -EINVAL,
	      "delta image has a prefix4 section"),
	HCASE(generation, 0, -EINVAL, "generation 0"),
	HCASE(generation, 4, -EINVAL, "parent_gen 4 not below"),
	HCASE(generation, UINT64_MAX, 0, NULL),
	HCASE(parent_gen, 0, 0, NULL),
	HCASE(parent_gen, 5, -EINVAL, "parent_gen 5 not below"),
	HCASE(parent_gen, UINT64_MAX, -EINVAL, "parent_gen"),
	HCASE(created_ns, UINT64_MAX, 0, NULL),
	HCASE(creator_uid, UINT32_MAX, 0, NULL),
	HCASE(nb_sections, 0, -EINVAL, "no lists section"),
	HCASE(nb_sections, BW_IMAGE_SECTIONS_MAX + 1, -EINVAL,
	      "nb_sections 65 over the limit"),
	HCASE(nb_sections, UINT32_MAX, -EINVAL, "nb_sections"),
	HCASE(nb_sections, BW_IMAGE_SECTIONS_MAX, -EINVAL,
	      "section table ends past the image"),
	HCASE(section_off, 0, -EINVAL, "overlaps the header"),
	HCASE(section_off, 4, -EINVAL, "not 8-aligned"),
	HCASE(section_off, 248, -EINVAL, "overlaps the header"),
	HCASE(section_off, SMALL_FULL_LEN, -EINVAL, "ends past the image"),
	HCASE(section_off, SMALL_FULL_LEN - 3 * 32 + 8, -EINVAL,
	      "ends past the image"),
	HCASE(section_off, UINT32_MAX, -EINVAL, "not 8-aligned"),
	HCASE(section_off, UINT32_MAX - 7, -EINVAL, "ends past the image"),
	HCASE(reserved0, 1, -EINVAL, "reserved0"),
	HCASE(reserved0, 0x80000000u, -EINVAL, "reserved0"),
	/* both ends of the unchecked generation range */
	CASE(0, NULL, HDR(generation, 1), HDR(parent_gen, 0)),
	CASE(0, NULL, HDR(generation, UINT64_MAX),
	     HDR(parent_gen, UINT64_MAX - 1)),
	CASE(-EINVAL, "parent_gen", HDR(generation, UINT64_MAX),
	     HDR(parent_gen, UINT64_MAX)),
	HCASE(reserved[0], 1, -EINVAL, "header reserved byte 0 not zero"),
	HCASE(reserved[55], 0x80, -EINVAL, "header reserved byte 55 not zero"),
	/* comment: 127 characters and the NUL fit, 128 do not */
	CASE(-EINVAL, "comment not NUL terminated", COMMENT_FILL('x')),
	CASE(0, NULL, COMMENT_FILL('x'), HDR(comment[BW_COMMENT_LEN - 1], 0)),
	CASE(0, NULL, COMMENT_FILL(0)),
	CASE(-EINVAL, "comment byte 1 after the NUL", COMMENT_FILL(0),
	     HDR(comment[1], 'b')),
};

static void
test_header_bounds(void)
{
	char why[BW_IMAGE_WHY_LEN];
	struct timg b = small_full();
	struct bw_image_view v;
	struct bw_image_hdr *h;
	size_t fake;

	CU_ASSERT_FATAL(b.len == SMALL_FULL_LEN);
	TIMG_CASES(&b, header_cases);

	/*
	 * Over BW_IMAGE_SIZE_MAX: refused on the header alone. The buffer
	 * holds only the header (ASan proves nothing else is read) while len
	 * claims more.
	 */
	fake = (size_t)BW_IMAGE_SIZE_MAX + 8;
	h = malloc(HDR_SIZE);
	CU_ASSERT_FATAL(h != NULL);
	memcpy(h, b.b, HDR_SIZE);
	h->size = fake;
	CU_ASSERT(bw_image_validate(h, fake, &v, why, sizeof(why)) == -E2BIG);
	CU_ASSERT(strstr(why, "over the limit") != NULL);
	h->size = fake - 8;
	CU_ASSERT(bw_image_validate(h, fake, &v, why, sizeof(why)) == -EINVAL);
	CU_ASSERT(strstr(why, "differs") != NULL);
	/* no room for a reason: still refused, nothing written */
	CU_ASSERT(bw_image_validate(h, 3, &v, NULL, 0) == -EINVAL);
	CU_ASSERT(bw_image_validate(NULL, 3, &v, why, sizeof(why)) == -EINVAL);
	CU_ASSERT(bw_image_validate(h, 3, NULL, why, sizeof(why)) == -EINVAL);
	/* a reason cut to the buffer, still terminated */
	CU_ASSERT(bw_image_validate(h, 3, &v, why, 6) == -EINVAL);
	CU_ASSERT(strcmp(why, "image") == 0);
	free(h);
	timg_free(&b);
}

/* The bigger header's minor, and a byte of its own it may hold. */
#define MINOR_UP   HDR(abi_minor, BW_IMAGE_ABI_MINOR + 1)
#define EXTRA_BYTE TIMG_INIT(TIMG_SET, TIMG_HDR, 0, HDR_SIZE + 3, 1, 0x5a)

static const struct timg_case bigger_cases[] = {
	CASE(0, NULL, MINOR_UP),
	/* the extra header bytes are the later minor's: not checked */
	CASE(0, NULL, MINOR_UP, EXTRA_BYTE),
	/* but not covered by sections or the table */
	CASE(-EINVAL, "section table off 256 overlaps the header", MINOR_UP,
	     EXTRA_BYTE, HDR(section_off, HDR_SIZE)),
	CASE(-EINVAL, "section 0 (lists) overlaps the section", MINOR_UP,
	     EXTRA_BYTE, SEC(0, off, SMALL_LISTS_OFF)),
	CASE(-EINVAL, "hdr_size 260 not 8-aligned", MINOR_UP, EXTRA_BYTE,
	     HDR(hdr_size, HDR_SIZE + 4)),
	CASE(-EINVAL, "past the image", MINOR_UP, EXTRA_BYTE,
	     HDR(hdr_size, SMALL_FULL_LEN + 16)),
	CASE(-EINVAL, "section table off", MINOR_UP, EXTRA_BYTE,
	     HDR(hdr_size, SMALL_FULL_LEN + 8)),
};

/*
 * A later minor's bigger header: the image shifted by 8 bytes, every
 * offset moved. Accepted only with abi_minor above ours.
 */
static void
test_header_bigger(void)
{
	struct timg b = small_full(), t;
	struct bw_image_hdr *h;
	uint32_t i;

	CU_ASSERT_FATAL(b.len == SMALL_FULL_LEN);
	t.len = b.len + 8;
	t.b = aligned_alloc(CTL_IMAGE_ALIGN, (t.len + 63) & ~(size_t)63);
	CU_ASSERT_FATAL(t.b != NULL);
	memset(t.b, 0, t.len);
	memcpy(t.b, b.b, HDR_SIZE);
	memcpy(t.b + HDR_SIZE + 8, b.b + HDR_SIZE, b.len - HDR_SIZE);
	h = hdr_of(&t);
	h->hdr_size = HDR_SIZE + 8;
	h->size = t.len;
	h->section_off += 8;
	for (i = 0; i < h->nb_sections; i++)
		sec_at(&t, i)->off += 8;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "hdr_size 264 in abi minor");
	TIMG_CASES(&t, bigger_cases);
	timg_free(&t);
	timg_free(&b);
}

/* Every byte behind the header is covered by the CRC. */
static void
test_body_crc(void)
{
	struct timg b = small_full(), t = timg_copy(b.b, b.len);
	size_t off;
	int bit;

	for (off = HDR_SIZE; off < b.len; off++) {
		for (bit = 0; bit < 8; bit += 3) {
			memcpy(t.b, b.b, b.len);
			t.b[off] ^= (uint8_t)(1u << bit);
			EXPECT_REFUSE(&t, -EINVAL, "crc32c mismatch");
		}
	}
	timg_free(&t);
	timg_free(&b);
}

/* One field of section table entry i set to v. */
#define SCASE(i, f, v, err, kw) CASE((err), (kw), SEC(i, f, v))

static const struct timg_case section_cases[] = {
	SCASE(1, type, 0, -EINVAL, "section 1: unknown type 0"),
	SCASE(1, type, BW_SEC_HSDB_GROUPS + 1, -EINVAL,
	      "section 1: unknown type 17"),
	SCASE(0, type, UINT32_MAX, -EINVAL, "unknown type 4294967295"),
	SCASE(2, type, BW_SEC_PREFIX4, -EINVAL,
	      "section 2 (prefix4): duplicate type, also section 1"),
	SCASE(1, type, BW_SEC_LISTS, -EINVAL, "duplicate type"),
	SCASE(1, elem_size, 16, -EINVAL,
	      "section 1 (prefix4): elem_size 16 (want 8)"),
	SCASE(1, elem_size, 0, -EINVAL, "elem_size 0"),
	SCASE(2, reserved, 1, -EINVAL,
	      "section 2 (prefix6): reserved not zero"),
	SCASE(1, len, 8 * 7 + 8, -EINVAL,
	      "section 1 (prefix4): len 64 is not count 7 * elem_size 8"),
	SCASE(1, count, 8, -EINVAL, "is not count 8"),
	SCASE(1, len, 0, -EINVAL, "len 0 is not count 7"),
	/* 2^29 * 8 wraps to 0 in 32 bits; the check multiplies in 64 */
	CASE(-EINVAL, "len 0 is not count 536870912", SEC(1, count, 1u << 29),
	     SEC(1, len, 0)),
	CASE(-E2BIG, "536870912 entries over the limit 16777216",
	     SEC(1, count, 1u << 29), SEC(1, len, (uint64_t)1 << 32)),
	CASE(-E2BIG, "16777217 entries over the limit",
	     SEC(1, count, BW_PREFIX_MAX + 1),
	     SEC(1, len, (uint64_t)(BW_PREFIX_MAX + 1) * 8)),
	CASE(-EINVAL, "ends past the image", SEC(1, count, BW_PREFIX_MAX),
	     SEC(1, len, (uint64_t)BW_PREFIX_MAX * 8)),
	CASE(-E2BIG, "section 0 (lists): 128 entries over the limit 127",
	     SEC(0, count, BW_LIST_MAX + 1),
	     SEC(0, len, (uint64_t)(BW_LIST_MAX + 1) * 64)),
	SCASE(1, off, SMALL_P4_OFF + 4, -EINVAL,
	      "section 1 (prefix4): off 548 not 8-aligned"),
	SCASE(1, off, 0, -EINVAL,
	      "section 1 (prefix4) overlaps the header (off 0"),
	SCASE(1, off, HDR_SIZE - 8, -EINVAL, "overlaps the header"),
	SCASE(1, off, HDR_SIZE, -EINVAL,
	      "section 1 (prefix4) overlaps the section table (off 256 len "
	      "56, table off 256 len 96)"),
	SCASE(0, off, HDR_SIZE + 64, -EINVAL, "overlaps the section table"),
	SCASE(1, off, SMALL_LISTS_OFF + 64, -EINVAL,
	      "section 1 (prefix4) overlaps section 0 (lists)"),
	SCASE(2, off, SMALL_P4_OFF + 8, -EINVAL,
	      "section 2 (prefix6) overlaps section 1 (prefix4)"),
	SCASE(2, off, SMALL_LISTS_OFF, -EINVAL, "overlaps section 0"),
	SCASE(2, off, SMALL_FULL_LEN - 8, -EINVAL,
	      "section 2 (prefix6) ends past the image (off 688 len 96, "
	      "size 696)"),
	SCASE(2, off, SMALL_FULL_LEN, -EINVAL, "ends past the image"),
	SCASE(2, off, UINT64_MAX - 7, -EINVAL, "ends past the image"),
	SCASE(2, off, (uint64_t)1 << 63, -EINVAL, "ends past the image"),
	/* off + len that wraps 64 bits: off + 96 == 2^64 == 0 */
	SCASE(2, off, (uint64_t)0 - 96, -EINVAL, "ends past the image"),
	/* sections in any order */
	CASE(0, NULL, TIMG_SWAP_EL(TIMG_TABLE, struct bw_image_section, 0, 2)),
	/* an empty prefix6 section at the end, but lists claim 4 entries */
	CASE(-EINVAL,
	     "list ranges cover 4 ipv6 entries, the prefix6 section has 0",
	     SEC(2, count, 0), SEC(2, len, 0), SEC(2, off, SMALL_FULL_LEN)),
	/* kind and section types */
	SCASE(0, type, BW_SEC_DELTA4, -EINVAL, "elem_size 64 (want 8)"),
	SCASE(1, type, BW_SEC_DELTA4, -EINVAL,
	      "full image has a delta4 section (section 1)"),
	SCASE(2, type, BW_SEC_DELTA6, -EINVAL,
	      "full image has a delta6 section"),
	CASE(-EINVAL, "duplicate type", SEC(0, type, BW_SEC_PREFIX6),
	     SEC(0, elem_size, 24), SEC(0, count, 8)),
	CASE(-EINVAL, "no lists section", HDR(nb_sections, 2),
	     TIMG_COPY_EL(TIMG_TABLE, struct bw_image_section, 0, 1),
	     TIMG_COPY_EL(TIMG_TABLE, struct bw_image_section, 1, 2)),
};

static void
test_sections(void)
{
	struct timg b = small_full();

	/* small_full(): LISTS, PREFIX4, PREFIX6 in that order */
	CU_ASSERT_FATAL(sec_at(&b, 0)->type == BW_SEC_LISTS);
	CU_ASSERT_FATAL(sec_at(&b, 1)->type == BW_SEC_PREFIX4);
	CU_ASSERT_FATAL(sec_at(&b, 2)->type == BW_SEC_PREFIX6);
	CU_ASSERT_FATAL(sec_at(&b, 0)->off == SMALL_LISTS_OFF);
	CU_ASSERT_FATAL(sec_at(&b, 1)->off == SMALL_P4_OFF &&
			sec_at(&b, 2)->off == SMALL_P6_OFF);
	CU_ASSERT_FATAL(b.len == SMALL_FULL_LEN);
	TIMG_CASES(&b, section_cases);
	timg_free(&b);
}

/* Every prefix of the image refused at every shorter length. */
static void
test_truncation(void)
{
	struct timg imgs[2], t;
	struct bw_image_hdr *h;
	size_t n, i;

	imgs[0] = small_full();
	imgs[1] = small_delta();
	for (i = 0; i < 2; i++) {
		for (n = 0; n < imgs[i].len; n++)
			expect_at(__FILE__, __LINE__, imgs[i].b, n, -EINVAL,
				  n < HDR_SIZE ? "image too short"
					       : "differs from image length");
		/* with size and CRC made to agree: the layout still refuses */
		t = timg_copy(imgs[i].b, imgs[i].len);
		h = hdr_of(&t);
		for (n = HDR_SIZE; n < imgs[i].len; n++) {
			h->size = n;
			h->crc32c = bw_crc32c(0, t.b + HDR_SIZE, n - HDR_SIZE);
			expect_at(__FILE__, __LINE__, t.b, n, -EINVAL,
				  "past the image");
		}
		timg_free(&t);
		timg_free(&imgs[i]);
	}
}

static void
test_alignment(void)
{
	struct timg b = small_full();
	char why[BW_IMAGE_WHY_LEN];
	struct bw_image_view v;
	uint8_t *buf;
	size_t shift;

	buf = aligned_alloc(64, (b.len + 8 + 63) & ~(size_t)63);
	CU_ASSERT_FATAL(buf != NULL);
	for (shift = 1; shift < 8; shift++) {
		memcpy(buf + shift, b.b, b.len);
		CU_ASSERT(bw_image_validate(buf + shift, b.len, &v, why,
					    sizeof(why)) == -EINVAL);
		CU_ASSERT(strstr(why, "not 8-byte aligned") != NULL);
	}
	memcpy(buf + 8, b.b, b.len);
	CU_ASSERT(bw_image_validate(buf + 8, b.len, &v, why, sizeof(why)) == 0);
	free(buf);
	timg_free(&b);
}

static const struct bw_cunit_test tests[] = {
	{"crc32c check values", test_crc32c},
	{"header byte flips", test_header_flips},
	{"header field bounds", test_header_bounds},
	{"later minor bigger header", test_header_bigger},
	{"body covered by crc", test_body_crc},
	{"section table", test_sections},
	{"truncation", test_truncation},
	{"buffer alignment", test_alignment},
};

/* Returns 0 when every assertion passed, 1 otherwise (CUnit error too). */
int
main(void)
{
	return BW_CUNIT_RUN("image_header", tests);
}
