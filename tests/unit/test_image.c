/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the ruleset image: bw_image_validate() (dataplane) and the
 * writer and reader of control/commit/ctl_image.c and the model of
 * control/model/ctl_model.c. Round trips with the
 * real Spamhaus DROP lists and with random rulesets; every header byte
 * flipped; boundary values of every header field; broken section tables,
 * lists and prefixes; truncation at every length. Every image validated is
 * first copied into a heap block of exactly its length, so that
 * AddressSanitizer reports any read past the end.
 *
 * Usage: test_image [DATA_DIR]. DATA_DIR (else $BW_TEST_DATA, else
 * ../tests/data, tests/data or the data folder beside this source) holds
 * blocklists/. With BW_WRITE_SEEDS=DIR set, only writes fuzzer seeds (a
 * mode byte, then an image; see tests/fuzz/fuzz_image.c) into DIR.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <CUnit/Basic.h>

#include "bw_crc32c.h"
#include "bw_cunit.h"
#include "bw_image.h"
#include "ctl_image.h"
#include "ctl_hsmap.h"
#include "ctl_prefix.h"
#include "ctl_rtab.h"
#include "ctl_rules.h"
#include "ctl_txn.h"
#include "bw_image_view.h"

#define HDR_SIZE     sizeof(struct bw_image_hdr)
#define SPAMHAUS_V4  "blocklists/spamhaus-drop-2025-01-17.txt"
#define SPAMHAUS_V6  "blocklists/spamhaus-dropv6-2025-01-17.txt"
#define SPAMHAUS_NB4 1385 /* prefixes in the 2025-01-17 DROP list */
#define SPAMHAUS_NB6 78	  /* prefixes in the 2025-01-17 DROPv6 list */
#define NB_RANDOM    200  /* random rulesets that must round-trip */

/* Fuzzer seed mode byte (tests/fuzz/fuzz_image.c): fix CRC and size. */
#define SEED_MODE_FIXUP 0x03

static const char *data_dir_arg; /* argv[1] */

/* A test's own copy of an image, free to corrupt. */
struct timg {
	uint8_t *b;
	size_t len;
};

/* Report at the caller's line, like CU_ASSERT. */
static void
check_at(int line, int cond, const char *what)
{
	CU_assertImplementation(cond ? CU_TRUE : CU_FALSE, (unsigned int)line,
				what, __FILE__, "", CU_FALSE);
}

static struct timg
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

/* The full image of rs with meta m, in a test buffer. */
static struct timg
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

static struct bw_image_hdr *
hdr_of(const struct timg *t)
{
	return (struct bw_image_hdr *)t->b;
}

static struct bw_image_section *
sec_at(const struct timg *t, uint32_t i)
{
	return (struct bw_image_section *)(t->b + hdr_of(t)->section_off) + i;
}

/* The table entry of section type, or NULL. */
static struct bw_image_section *
sec_of(const struct timg *t, uint32_t type)
{
	uint32_t i;

	for (i = 0; i < hdr_of(t)->nb_sections; i++) {
		if (sec_at(t, i)->type == type)
			return sec_at(t, i);
	}
	return NULL;
}

/* The table entry of section type, which must be there. */
static struct bw_image_section *
sec_must(const struct timg *t, uint32_t type)
{
	struct bw_image_section *s = sec_of(t, type);

	CU_ASSERT_FATAL(s != NULL);
	if (s == NULL)
		abort(); /* not reached: the assertion jumped out */
	return s;
}

static void *
body_of(const struct timg *t, uint32_t type)
{
	struct bw_image_section *s = sec_of(t, type);

	CU_ASSERT_FATAL(s != NULL);
	if (s == NULL)
		abort(); /* not reached: the assertion jumped out */
	return t->b + s->off;
}

static struct bw_image_list *
lists_of(const struct timg *t)
{
	return body_of(t, BW_SEC_LISTS);
}

/* Recompute the CRC after a change behind the header. */
static void
recrc(struct timg *t)
{
	struct bw_image_hdr *h = hdr_of(t);

	h->crc32c = bw_crc32c(0, t->b + h->hdr_size, h->size - h->hdr_size);
}

/*
 * Validate a copy of len bytes in a heap block of exactly len bytes; check
 * that validation changed nothing and that an accepted view lies inside
 * the block. why gets the reason (BW_IMAGE_WHY_LEN bytes).
 */
static int
validate_exact(const void *img, size_t len, char *why)
{
	struct bw_image_view v;
	const uint8_t *end;
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
	end = b + len;
	if (r == 0) {
		CU_ASSERT(why[0] == '\0');
		CU_ASSERT((const void *)v.hdr == b);
		CU_ASSERT((const uint8_t *)(v.lists + v.nb_lists) <= end);
		CU_ASSERT(v.nb_p4 == 0 ||
			  (const uint8_t *)(v.p4 + v.nb_p4) <= end);
		CU_ASSERT(v.nb_p6 == 0 ||
			  (const uint8_t *)(v.p6 + v.nb_p6) <= end);
		CU_ASSERT(v.nb_d4 == 0 ||
			  (const uint8_t *)(v.d4 + v.nb_d4) <= end);
		CU_ASSERT(v.nb_d6 == 0 ||
			  (const uint8_t *)(v.d6 + v.nb_d6) <= end);
	} else {
		CU_ASSERT(r == -EINVAL || r == -E2BIG);
		CU_ASSERT(why[0] != '\0');
		CU_ASSERT(v.hdr == NULL && v.lists == NULL && v.nb_lists == 0);
	}
	free(b);
	return r;
}

/* Refused with err, and the reason contains keyword. */
static void
expect_refuse_at(int line, const void *img, size_t len, int err,
		 const char *keyword)
{
	char why[BW_IMAGE_WHY_LEN];
	int r = validate_exact(img, len, why);
	int ok = r == err && strstr(why, keyword) != NULL;

	check_at(line, ok, "refused with the expected reason");
	if (!ok)
		fprintf(stderr, "\n  line %d: got %d '%s', want %d '%s'\n",
			line, r, r != 0 ? why : "", err, keyword);
}

static void
expect_ok_at(int line, const void *img, size_t len)
{
	char why[BW_IMAGE_WHY_LEN];
	int r = validate_exact(img, len, why);

	check_at(line, r == 0, "accepted");
	if (r != 0)
		fprintf(stderr, "\n  line %d: refused: %s\n", line, why);
}

#define EXPECT_REFUSE(t, err, kw)                                              \
	expect_refuse_at(__LINE__, (t)->b, (t)->len, (err), (kw))
#define EXPECT_OK(t) expect_ok_at(__LINE__, (t)->b, (t)->len)

/* Model building, independent of the list parsers. */

static struct ctl_prefix
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

static void
add_pfx(struct ctl_list *l, const char *addr, uint8_t len)
{
	struct ctl_prefix p = pfx(addr, len);

	CU_ASSERT_FATAL(ctl_prefix_set_add(&l->set, &p) == 0);
}

static struct ctl_list *
add_list(struct ctl_ruleset *rs, const char *name, uint16_t action,
	 uint16_t match)
{
	struct ctl_list *l = NULL;

	CU_ASSERT_FATAL(ctl_ruleset_add_list(rs, name, action, match, &l) == 0);
	CU_ASSERT_FATAL(l != NULL);
	return l;
}

static void
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

/*
 * The small ruleset most corruption tests start from: lists bogons (id 0,
 * IPv4 entries 0-4, IPv6 0-2), partners (id 1, IPv4 5-6, IPv6 3) and
 * empty (id 3: id 2 was deleted), nested and host prefixes included.
 */
static void
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

static struct timg
small_full(void)
{
	struct ctl_image_meta m;
	struct ctl_ruleset rs;
	struct timg t;

	small_ruleset(&rs);
	meta_init(&m, 5, 4, "unit test");
	t = timg_full(&rs, &m);
	ctl_ruleset_free(&rs);
	return t;
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

static struct timg
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

static void
timg_free(struct timg *t)
{
	free(t->b);
	t->b = NULL;
}

/* Same lists, ids, actions, matches and prefixes. */
static int
ruleset_equal(const struct ctl_ruleset *a, const struct ctl_ruleset *b)
{
	uint32_t i;

	if (a->nb_lists != b->nb_lists)
		return 0;
	for (i = 0; i < a->nb_lists; i++) {
		const struct ctl_list *x = &a->lists[i], *y = &b->lists[i];

		if (strcmp(x->name, y->name) != 0 || x->id != y->id ||
		    x->action != y->action || x->match != y->match ||
		    x->set.n != y->set.n)
			return 0;
		if (x->set.n > 0 && memcmp(x->set.v, y->set.v,
					   x->set.n * sizeof(*x->set.v)) != 0)
			return 0;
	}
	return 1;
}

/* write_full, validate (exact copy), read back, compare. */
static void
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

static void
test_small_roundtrip(void)
{
	char why[BW_IMAGE_WHY_LEN];
	struct bw_image_view v;
	struct ctl_ruleset rs;
	struct timg t = small_full();
	const struct bw_image_list *l;

	CU_ASSERT_FATAL(bw_image_validate(t.b, t.len, &v, why, sizeof(why)) ==
			0);
	CU_ASSERT(v.hdr->generation == 5 && v.hdr->parent_gen == 4);
	CU_ASSERT(v.hdr->kind == BW_IMAGE_FULL);
	CU_ASSERT(v.hdr->size == t.len && t.len % 8 == 0);
	CU_ASSERT(strcmp(v.hdr->comment, "unit test") == 0);
	CU_ASSERT(v.hdr->nb_sections == 3);
	CU_ASSERT_FATAL(v.nb_lists == 3);
	CU_ASSERT(v.nb_p4 == 7 && v.nb_p6 == 4);
	CU_ASSERT(v.d4 == NULL && v.d6 == NULL && v.nb_d4 == 0);
	l = v.lists;
	CU_ASSERT(strcmp(l[0].name, "bogons") == 0 && l[0].id == 0);
	CU_ASSERT(l[0].action == BW_ACTION_DROP && l[0].match == BW_MATCH_SRC);
	CU_ASSERT(l[0].v4_first == 0 && l[0].nb_v4 == 5);
	CU_ASSERT(l[0].v6_first == 0 && l[0].nb_v6 == 3);
	CU_ASSERT(strcmp(l[1].name, "partners") == 0 && l[1].id == 1);
	CU_ASSERT(l[1].v4_first == 5 && l[1].nb_v4 == 2);
	CU_ASSERT(l[1].v6_first == 3 && l[1].nb_v6 == 1);
	CU_ASSERT(strcmp(l[2].name, "empty.list-2") == 0 && l[2].id == 3);
	CU_ASSERT(l[2].v4_first == 7 && l[2].nb_v4 == 0);
	CU_ASSERT(l[2].v6_first == 4 && l[2].nb_v6 == 0);
	/* host order, sorted by (addr, len) within the list */
	CU_ASSERT(v.p4[0].addr == 0x01020304u && v.p4[0].len == 32);
	CU_ASSERT(v.p4[1].addr == 0x0a000000u && v.p4[1].len == 8);
	CU_ASSERT(v.p4[2].addr == 0x0a000000u && v.p4[2].len == 16);
	CU_ASSERT(v.p4[4].addr == 0xc0a80000u && v.p4[4].list == 0);
	CU_ASSERT(v.p4[5].addr == 0x01000000u && v.p4[5].list == 1);
	CU_ASSERT(v.p6[0].addr[0] == 0x20 && v.p6[0].addr[1] == 0x01 &&
		  v.p6[0].len == 32);
	CU_ASSERT(v.p6[1].len == 128 && v.p6[1].addr[15] == 1);
	CU_ASSERT(v.p6[2].addr[0] == 0xfc && v.p6[2].len == 7);

	small_ruleset(&rs);
	roundtrip(&rs, 5);
	roundtrip(&rs, 1);
	ctl_ruleset_free(&rs);
	/* an empty ruleset: a LISTS section with no entries */
	roundtrip(&rs, 1);
	timg_free(&t);
}

/* Folder holding blocklists/, or NULL. */
static const char *
data_dir_find(char *buf, size_t size)
{
	const char *cands[4];
	char src[PATH_MAX];
	struct stat st;
	char *slash;
	size_t i;

	cands[0] = data_dir_arg;
	cands[1] = getenv("BW_TEST_DATA");
	cands[2] = "../tests/data";
	cands[3] = "tests/data";
	for (i = 0; i < 4; i++) {
		if (cands[i] == NULL ||
		    snprintf(buf, size, "%s/blocklists", cands[i]) >= (int)size)
			continue;
		if (stat(buf, &st) == 0 && S_ISDIR(st.st_mode) &&
		    snprintf(buf, size, "%s", cands[i]) < (int)size)
			return buf;
	}
	/* tests/unit/test_image.c -> tests/unit/../data */
	if (snprintf(src, sizeof(src), "%s", __FILE__) >= (int)sizeof(src))
		return NULL;
	slash = strrchr(src, '/');
	if (slash == NULL)
		return NULL;
	*slash = '\0';
	if (snprintf(buf, size, "%s/../data/blocklists", src) >= (int)size)
		return NULL;
	if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
		return NULL;
	/* shorter than the path just built */
	*strrchr(buf, '/') = '\0';
	return buf;
}

/*
 * A tiny reader of Spamhaus DROP files, independent of bulwarkctl's list
 * parsers: "CIDR ; SBLnnn" lines, ';' comments. Returns the prefixes read.
 */
static size_t
read_drop(const char *dir, const char *file, struct ctl_list *l)
{
	char path[PATH_MAX], line[256], addr[64];
	struct ctl_prefix p;
	unsigned int len;
	size_t n = 0;
	FILE *f;

	CU_ASSERT_FATAL(snprintf(path, sizeof(path), "%s/%s", dir, file) <
			(int)sizeof(path));
	f = fopen(path, "r");
	CU_ASSERT_FATAL(f != NULL);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == ';' || line[0] == '\n')
			continue;
		CU_ASSERT_FATAL(sscanf(line, "%63[^/ ;]/%u", addr, &len) == 2);
		memset(&p, 0, sizeof(p));
		if (strchr(addr, ':') != NULL) {
			p.family = CTL_PREFIX_V6;
			CU_ASSERT_FATAL(inet_pton(AF_INET6, addr, p.addr) == 1);
			CU_ASSERT_FATAL(len <= 128);
		} else {
			p.family = CTL_PREFIX_V4;
			CU_ASSERT_FATAL(inet_pton(AF_INET, addr, p.addr) == 1);
			CU_ASSERT_FATAL(len <= 32);
		}
		p.len = (uint8_t)len;
		CU_ASSERT_FATAL(ctl_prefix_set_add(&l->set, &p) == 0);
		n++;
	}
	fclose(f);
	return n;
}

/* Both DROP lists in one ruleset: v4, v6, and a list holding both. */
static void
spamhaus_ruleset(struct ctl_ruleset *rs, size_t *nb4, size_t *nb6)
{
	char dir[PATH_MAX];
	struct ctl_list *l4, *l6, *both;

	CU_ASSERT_FATAL(data_dir_find(dir, sizeof(dir)) != NULL);
	memset(rs, 0, sizeof(*rs));
	l4 = add_list(rs, "spamhaus-drop", BW_ACTION_DROP, BW_MATCH_ANY);
	*nb4 = read_drop(dir, SPAMHAUS_V4, l4);
	l6 = add_list(rs, "spamhaus-dropv6", BW_ACTION_DROP, BW_MATCH_ANY);
	*nb6 = read_drop(dir, SPAMHAUS_V6, l6);
	both = add_list(rs, "spamhaus.all", BW_ACTION_DROP, BW_MATCH_SRC);
	/* pointers move as lists are added: look them up again */
	l4 = ctl_ruleset_find(rs, "spamhaus-drop");
	l6 = ctl_ruleset_find(rs, "spamhaus-dropv6");
	CU_ASSERT_FATAL(l4 != NULL && l6 != NULL);
	CU_ASSERT_FATAL(ctl_prefix_set_merge(&both->set, &l4->set) == 0);
	CU_ASSERT_FATAL(ctl_prefix_set_merge(&both->set, &l6->set) == 0);
	ctl_prefix_set_sort_unique(&l4->set);
	ctl_prefix_set_sort_unique(&l6->set);
	ctl_prefix_set_sort_unique(&both->set);
}

static void
test_spamhaus_roundtrip(void)
{
	char why[BW_IMAGE_WHY_LEN], path[] = "/tmp/bw_test_image.XXXXXX";
	struct ctl_image_meta m;
	struct bw_image_view v;
	struct ctl_ruleset rs;
	size_t nb4, nb6, len, len2;
	void *img, *img2;
	int fd;

	spamhaus_ruleset(&rs, &nb4, &nb6);
	CU_ASSERT(nb4 == SPAMHAUS_NB4 && nb6 == SPAMHAUS_NB6);
	/* real lists hold no duplicates */
	CU_ASSERT(rs.lists[0].set.n == nb4 && rs.lists[1].set.n == nb6);
	CU_ASSERT(rs.lists[2].set.n == nb4 + nb6);
	roundtrip(&rs, 42);

	meta_init(&m, 7, 6, "spamhaus 2025-01-17");
	CU_ASSERT_FATAL(ctl_image_write_full(&rs, &m, &img, &len) == 0);
	CU_ASSERT_FATAL(bw_image_validate(img, len, &v, why, sizeof(why)) == 0);
	CU_ASSERT(v.nb_p4 == 2 * nb4 && v.nb_p6 == 2 * nb6);
	CU_ASSERT(v.lists[2].v4_first == nb4 && v.lists[2].nb_v4 == nb4);
	CU_ASSERT(v.lists[2].v6_first == nb6 && v.lists[2].nb_v6 == nb6);
	/* 1.10.16.0/20, the first line of the file */
	CU_ASSERT(v.p4[0].addr == 0x010a1000u && v.p4[0].len == 20);

	/* through a file */
	fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(write(fd, img, len) == (ssize_t)len);
	close(fd);
	CU_ASSERT_FATAL(ctl_image_load_file(path, &img2, &len2) == 0);
	CU_ASSERT(((uintptr_t)img2 & (CTL_IMAGE_ALIGN - 1)) == 0);
	CU_ASSERT(len2 == len && memcmp(img, img2, len) == 0);
	CU_ASSERT(validate_exact(img2, len2, why) == 0);
	free(img2);
	unlink(path);
	free(img);
	ctl_ruleset_free(&rs);
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
				check_at(__LINE__, r == 0, "flip accepted");
				nb_ok++;
			} else {
				check_at(__LINE__,
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

/* Set a header field of a fresh copy of base, expect the outcome. */
static void
hdr_case(int line, const struct timg *base, size_t off, const void *val,
	 size_t size, int err, const char *kw)
{
	struct timg t = timg_copy(base->b, base->len);

	memcpy(t.b + off, val, size);
	if (err == 0)
		expect_ok_at(line, t.b, t.len);
	else
		expect_refuse_at(line, t.b, t.len, err, kw);
	timg_free(&t);
}

#define HDR_CASE(base, field, v, err, kw)                                      \
	do {                                                                   \
		__typeof__(((struct bw_image_hdr *)0)->field) val_ = (v);      \
		hdr_case(__LINE__, (base),                                     \
			 offsetof(struct bw_image_hdr, field), &val_,          \
			 sizeof(val_), (err), (kw));                           \
	} while (0)

static void
test_header_bounds(void)
{
	struct timg b = small_full();
	uint64_t gmax = UINT64_MAX;
	uint8_t *huge;
	size_t fake;

	HDR_CASE(&b, magic, 0, -EINVAL, "bad magic 0x0000000000000000");
	HDR_CASE(&b, magic, UINT64_MAX, -EINVAL, "magic");
	HDR_CASE(&b, magic, BW_IMAGE_MAGIC + 1, -EINVAL, "magic");
	HDR_CASE(&b, abi_major, 0, -EINVAL, "abi major 0 not supported");
	HDR_CASE(&b, abi_major, 2, -EINVAL, "abi major 2");
	HDR_CASE(&b, abi_major, UINT16_MAX, -EINVAL, "abi major 65535");
	HDR_CASE(&b, abi_minor, 1, 0, NULL);
	HDR_CASE(&b, abi_minor, UINT16_MAX, 0, NULL);
	HDR_CASE(&b, hdr_size, 0, -EINVAL, "hdr_size 0 below 256");
	HDR_CASE(&b, hdr_size, 255, -EINVAL, "hdr_size 255 below");
	HDR_CASE(&b, hdr_size, 257, -EINVAL, "hdr_size 257 in abi minor");
	HDR_CASE(&b, hdr_size, 264, -EINVAL, "hdr_size 264 in abi minor");
	HDR_CASE(&b, hdr_size, UINT32_MAX, -EINVAL, "hdr_size");
	HDR_CASE(&b, size, 0, -EINVAL, "size 0 differs");
	HDR_CASE(&b, size, b.len - 1, -EINVAL, "differs from image length");
	HDR_CASE(&b, size, b.len + 1, -EINVAL, "differs from image length");
	HDR_CASE(&b, size, UINT64_MAX, -EINVAL, "differs");
	HDR_CASE(&b, crc32c, 0, -EINVAL, "crc32c mismatch: header 0x00000000");
	HDR_CASE(&b, kind, 0, -EINVAL, "unknown kind 0");
	HDR_CASE(&b, kind, 3, -EINVAL, "unknown kind 3");
	HDR_CASE(&b, kind, UINT32_MAX, -EINVAL, "unknown kind");
	HDR_CASE(&b, kind, BW_IMAGE_DELTA, -EINVAL,
		 "delta image has a prefix4 section");
	HDR_CASE(&b, generation, 0, -EINVAL, "generation 0");
	HDR_CASE(&b, generation, 4, -EINVAL, "parent_gen 4 not below");
	HDR_CASE(&b, generation, UINT64_MAX, 0, NULL);
	HDR_CASE(&b, parent_gen, 0, 0, NULL);
	HDR_CASE(&b, parent_gen, 5, -EINVAL, "parent_gen 5 not below");
	HDR_CASE(&b, parent_gen, UINT64_MAX, -EINVAL, "parent_gen");
	HDR_CASE(&b, created_ns, UINT64_MAX, 0, NULL);
	HDR_CASE(&b, creator_uid, UINT32_MAX, 0, NULL);
	HDR_CASE(&b, nb_sections, 0, -EINVAL, "no lists section");
	HDR_CASE(&b, nb_sections, BW_IMAGE_SECTIONS_MAX + 1, -EINVAL,
		 "nb_sections 65 over the limit");
	HDR_CASE(&b, nb_sections, UINT32_MAX, -EINVAL, "nb_sections");
	HDR_CASE(&b, nb_sections, BW_IMAGE_SECTIONS_MAX, -EINVAL,
		 "section table ends past the image");
	HDR_CASE(&b, section_off, 0, -EINVAL, "overlaps the header");
	HDR_CASE(&b, section_off, 4, -EINVAL, "not 8-aligned");
	HDR_CASE(&b, section_off, 248, -EINVAL, "overlaps the header");
	HDR_CASE(&b, section_off, b.len, -EINVAL, "ends past the image");
	HDR_CASE(&b, section_off, b.len - 3 * 32 + 8, -EINVAL,
		 "ends past the image");
	HDR_CASE(&b, section_off, UINT32_MAX, -EINVAL, "not 8-aligned");
	HDR_CASE(&b, section_off, UINT32_MAX - 7, -EINVAL,
		 "ends past the image");
	HDR_CASE(&b, reserved0, 1, -EINVAL, "reserved0");
	HDR_CASE(&b, reserved0, 0x80000000u, -EINVAL, "reserved0");

	/* both ends of the unchecked generation range */
	{
		struct timg t = timg_copy(b.b, b.len);

		hdr_of(&t)->generation = 1;
		hdr_of(&t)->parent_gen = 0;
		EXPECT_OK(&t);
		hdr_of(&t)->generation = gmax;
		hdr_of(&t)->parent_gen = gmax - 1;
		EXPECT_OK(&t);
		hdr_of(&t)->parent_gen = gmax;
		EXPECT_REFUSE(&t, -EINVAL, "parent_gen");
		hdr_of(&t)->generation = 5;
		hdr_of(&t)->parent_gen = 4;
		hdr_of(&t)->reserved[0] = 1;
		EXPECT_REFUSE(&t, -EINVAL, "header reserved byte 0 not zero");
		hdr_of(&t)->reserved[0] = 0;
		hdr_of(&t)->reserved[55] = 0x80;
		EXPECT_REFUSE(&t, -EINVAL, "header reserved byte 55 not zero");
		hdr_of(&t)->reserved[55] = 0;
		/* comment: 127 characters and the NUL fit, 128 do not */
		memset(hdr_of(&t)->comment, 'x', BW_COMMENT_LEN);
		EXPECT_REFUSE(&t, -EINVAL, "comment not NUL terminated");
		hdr_of(&t)->comment[BW_COMMENT_LEN - 1] = '\0';
		EXPECT_OK(&t);
		memset(hdr_of(&t)->comment, 0, BW_COMMENT_LEN);
		EXPECT_OK(&t);
		hdr_of(&t)->comment[1] = 'b';
		EXPECT_REFUSE(&t, -EINVAL, "comment byte 1 after the NUL");
		timg_free(&t);
	}

	/*
	 * Over BW_IMAGE_SIZE_MAX: refused on the header alone. The buffer
	 * holds only the header (ASan proves nothing else is read) while len
	 * claims more.
	 */
	fake = (size_t)BW_IMAGE_SIZE_MAX + 8;
	huge = malloc(HDR_SIZE);
	CU_ASSERT_FATAL(huge != NULL);
	memcpy(huge, b.b, HDR_SIZE);
	((struct bw_image_hdr *)huge)->size = fake;
	{
		char why[BW_IMAGE_WHY_LEN];
		struct bw_image_view v;

		CU_ASSERT(bw_image_validate(huge, fake, &v, why, sizeof(why)) ==
			  -E2BIG);
		CU_ASSERT(strstr(why, "over the limit") != NULL);
		((struct bw_image_hdr *)huge)->size = fake - 8;
		CU_ASSERT(bw_image_validate(huge, fake, &v, why, sizeof(why)) ==
			  -EINVAL);
		CU_ASSERT(strstr(why, "differs") != NULL);
		/* no room for a reason: still refused, nothing written */
		CU_ASSERT(bw_image_validate(huge, 3, &v, NULL, 0) == -EINVAL);
		CU_ASSERT(bw_image_validate(NULL, 3, &v, why, sizeof(why)) ==
			  -EINVAL);
		CU_ASSERT(bw_image_validate(huge, 3, NULL, why, sizeof(why)) ==
			  -EINVAL);
		/* a reason cut to the buffer, still terminated */
		CU_ASSERT(bw_image_validate(huge, 3, &v, why, 6) == -EINVAL);
		CU_ASSERT(strcmp(why, "image") == 0);
	}
	free(huge);
	timg_free(&b);
}

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
	h->abi_minor = BW_IMAGE_ABI_MINOR + 1;
	EXPECT_OK(&t);
	/* the extra header bytes are the later minor's: not checked */
	t.b[HDR_SIZE + 3] = 0x5a;
	recrc(&t);
	EXPECT_OK(&t);
	/* but not covered by sections or the table */
	h->section_off -= 8;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "section table off 256 overlaps the header");
	h->section_off += 8;
	sec_at(&t, 0)->off -= 8;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "section 0 (lists) overlaps the section");
	sec_at(&t, 0)->off += 8;
	h->hdr_size = HDR_SIZE + 4;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "hdr_size 260 not 8-aligned");
	h->hdr_size = (uint32_t)t.len + 8;
	EXPECT_REFUSE(&t, -EINVAL, "past the image");
	h->hdr_size = (uint32_t)t.len;
	EXPECT_REFUSE(&t, -EINVAL, "section table off");
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

/* Change one section table entry of a copy of base, expect the outcome. */
static void
sec_case(int line, const struct timg *base, uint32_t idx, size_t field_off,
	 uint64_t val, size_t size, int err, const char *kw)
{
	struct timg t = timg_copy(base->b, base->len);
	uint8_t *f = (uint8_t *)sec_at(&t, idx) + field_off;
	uint32_t v32 = (uint32_t)val;

	if (size == 8)
		memcpy(f, &val, 8);
	else
		memcpy(f, &v32, 4);
	recrc(&t);
	if (err == 0)
		expect_ok_at(line, t.b, t.len);
	else
		expect_refuse_at(line, t.b, t.len, err, kw);
	timg_free(&t);
}

#define SEC_CASE(base, idx, field, v, err, kw)                                 \
	sec_case(__LINE__, (base), (idx),                                      \
		 offsetof(struct bw_image_section, field), (uint64_t)(v),      \
		 sizeof(((struct bw_image_section *)0)->field), (err), (kw))

static void
test_sections(void)
{
	struct timg b = small_full(), t;
	struct bw_image_section *s, tmp;
	uint64_t lists_off, p4_off, p6_off;

	/* small_full(): LISTS, PREFIX4, PREFIX6 in that order */
	CU_ASSERT_FATAL(sec_at(&b, 0)->type == BW_SEC_LISTS);
	CU_ASSERT_FATAL(sec_at(&b, 1)->type == BW_SEC_PREFIX4);
	CU_ASSERT_FATAL(sec_at(&b, 2)->type == BW_SEC_PREFIX6);
	lists_off = sec_at(&b, 0)->off;
	p4_off = sec_at(&b, 1)->off;
	p6_off = sec_at(&b, 2)->off;
	CU_ASSERT(lists_off == HDR_SIZE + 3 * 32);
	CU_ASSERT(p4_off == lists_off + 3 * 64 && p6_off == p4_off + 7 * 8);
	CU_ASSERT(b.len == p6_off + 4 * 24);

	SEC_CASE(&b, 1, type, 0, -EINVAL, "section 1: unknown type 0");
	SEC_CASE(&b, 1, type, BW_SEC_HSDB_GROUPS + 1, -EINVAL,
		 "section 1: unknown type 17");
	SEC_CASE(&b, 0, type, UINT32_MAX, -EINVAL, "unknown type 4294967295");
	SEC_CASE(&b, 2, type, BW_SEC_PREFIX4, -EINVAL,
		 "section 2 (prefix4): duplicate type, also section 1");
	SEC_CASE(&b, 1, type, BW_SEC_LISTS, -EINVAL, "duplicate type");
	SEC_CASE(&b, 1, elem_size, 16, -EINVAL,
		 "section 1 (prefix4): elem_size 16 (want 8)");
	SEC_CASE(&b, 1, elem_size, 0, -EINVAL, "elem_size 0");
	SEC_CASE(&b, 2, reserved, 1, -EINVAL,
		 "section 2 (prefix6): reserved not zero");
	SEC_CASE(&b, 1, len, 8 * 7 + 8, -EINVAL,
		 "section 1 (prefix4): len 64 is not count 7 * elem_size 8");
	SEC_CASE(&b, 1, count, 8, -EINVAL, "is not count 8");
	SEC_CASE(&b, 1, len, 0, -EINVAL, "len 0 is not count 7");
	/* 2^29 * 8 wraps to 0 in 32 bits; the check multiplies in 64 */
	t = timg_copy(b.b, b.len);
	s = sec_at(&t, 1);
	s->count = 1u << 29;
	s->len = 0;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "len 0 is not count 536870912");
	s->len = (uint64_t)1 << 32;
	recrc(&t);
	EXPECT_REFUSE(&t, -E2BIG, "536870912 entries over the limit 16777216");
	s->count = BW_PREFIX_MAX + 1;
	s->len = (uint64_t)s->count * 8;
	recrc(&t);
	EXPECT_REFUSE(&t, -E2BIG, "16777217 entries over the limit");
	s->count = BW_PREFIX_MAX;
	s->len = (uint64_t)s->count * 8;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "ends past the image");
	s = sec_at(&t, 0);
	memcpy(sec_at(&t, 1), sec_at(&b, 1), sizeof(*s));
	s->count = BW_LIST_MAX + 1;
	s->len = (uint64_t)s->count * 64;
	recrc(&t);
	EXPECT_REFUSE(&t, -E2BIG,
		      "section 0 (lists): 128 entries over the "
		      "limit 127");
	timg_free(&t);

	SEC_CASE(&b, 1, off, p4_off + 4, -EINVAL,
		 "section 1 (prefix4): off 548 not 8-aligned");
	SEC_CASE(&b, 1, off, 0, -EINVAL,
		 "section 1 (prefix4) overlaps the header (off 0");
	SEC_CASE(&b, 1, off, HDR_SIZE - 8, -EINVAL, "overlaps the header");
	SEC_CASE(&b, 1, off, HDR_SIZE, -EINVAL,
		 "section 1 (prefix4) overlaps the section table (off 256 len "
		 "56, table off 256 len 96)");
	SEC_CASE(&b, 0, off, HDR_SIZE + 64, -EINVAL,
		 "overlaps the section "
		 "table");
	SEC_CASE(&b, 1, off, lists_off + 64, -EINVAL,
		 "section 1 (prefix4) overlaps section 0 (lists)");
	SEC_CASE(&b, 2, off, p4_off + 8, -EINVAL,
		 "section 2 (prefix6) overlaps section 1 (prefix4)");
	SEC_CASE(&b, 2, off, lists_off, -EINVAL, "overlaps section 0");
	SEC_CASE(&b, 2, off, b.len - 8, -EINVAL,
		 "section 2 (prefix6) ends past the image (off 688 len 96, "
		 "size 696)");
	SEC_CASE(&b, 2, off, b.len, -EINVAL, "ends past the image");
	SEC_CASE(&b, 2, off, UINT64_MAX - 7, -EINVAL, "ends past the image");
	SEC_CASE(&b, 2, off, (uint64_t)1 << 63, -EINVAL, "ends past the image");
	/* off + len that wraps 64 bits */
	t = timg_copy(b.b, b.len);
	s = sec_at(&t, 2);
	s->off = (uint64_t)0 - 96; /* off + len == 2^64 == 0 */
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "ends past the image");
	timg_free(&t);

	/* sections in any order; an empty section anywhere in the image */
	t = timg_copy(b.b, b.len);
	tmp = *sec_at(&t, 0);
	*sec_at(&t, 0) = *sec_at(&t, 2);
	*sec_at(&t, 2) = tmp;
	recrc(&t);
	EXPECT_OK(&t);
	memcpy(t.b, b.b, b.len);
	s = sec_at(&t, 2);
	s->count = 0;
	s->len = 0;
	s->off = b.len;
	sec_at(&t, 0)->type = BW_SEC_LISTS;
	/* prefix6 empty but lists still claim 4 entries */
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL,
		      "list ranges cover 4 ipv6 entries, the "
		      "prefix6 section has 0");
	timg_free(&t);

	/* kind and section types */
	SEC_CASE(&b, 0, type, BW_SEC_DELTA4, -EINVAL, "elem_size 64 (want 8)");
	t = timg_copy(b.b, b.len);
	sec_at(&t, 1)->type = BW_SEC_DELTA4;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL,
		      "full image has a delta4 section (section "
		      "1)");
	sec_at(&t, 1)->type = BW_SEC_PREFIX4;
	sec_at(&t, 2)->type = BW_SEC_DELTA6;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "full image has a delta6 section");
	sec_at(&t, 2)->type = BW_SEC_PREFIX6;
	sec_at(&t, 0)->type = BW_SEC_PREFIX6;
	sec_at(&t, 0)->elem_size = 24;
	sec_at(&t, 0)->count = 8;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "duplicate type");
	hdr_of(&t)->nb_sections = 2;
	memcpy(t.b + HDR_SIZE, b.b + HDR_SIZE, b.len - HDR_SIZE);
	*sec_at(&t, 0) = *sec_at(&b, 1);
	*sec_at(&t, 1) = *sec_at(&b, 2);
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "no lists section");
	timg_free(&t);
	timg_free(&b);
}

static void
test_lists(void)
{
	struct timg b = small_full(), t = timg_copy(b.b, b.len);
	struct bw_image_list *l = lists_of(&t);

#define RESET() memcpy(t.b, b.b, b.len)
	memset(l[1].name, 'a', BW_LIST_NAME_LEN);
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "list 1: name not NUL terminated");
	l[1].name[BW_LIST_NAME_LEN - 1] = '\0';
	recrc(&t);
	EXPECT_OK(&t); /* 31 characters */
	RESET();
	memset(l[1].name, 0, BW_LIST_NAME_LEN);
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "list 1: empty name");
	RESET();
	l[0].name[3] = '/';
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "list 0: name has character 0x2f at 3");
	l[0].name[3] = ' ';
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "character 0x20");
	l[0].name[3] = (char)0xc3;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "character 0xc3");
	RESET();
	l[0].name[20] = 'x';
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL,
		      "list 0: name byte 20 after the NUL not zero");
	RESET();
	memcpy(l[2].name, l[0].name, BW_LIST_NAME_LEN);
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL,
		      "list 2: duplicate name 'bogons' (also list "
		      "0)");
	RESET();
	l[1].id = 0;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL,
		      "list ids not ascending at 1 (id 0 after 0)");
	RESET();
	l[0].id = 2;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL,
		      "list ids not ascending at 1 (id 1 after 2)");
	RESET();
	l[2].id = BW_LIST_MAX;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL,
		      "list 2 ('empty.list-2'): id 127 not below "
		      "127");
	l[2].id = UINT32_MAX;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "not below 127");
	l[2].id = BW_LIST_MAX - 1;
	recrc(&t);
	EXPECT_OK(&t);
	RESET();
	l[1].action = 0;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "list 1 ('partners'): unknown action 0");
	l[1].action = 3;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "unknown action 3");
	RESET();
	l[1].match = 0;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "unknown match 0");
	l[1].match = 4;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "unknown match 4");
	RESET();
	l[2].reserved = 1ull << 63;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL,
		      "list 2 ('empty.list-2'): reserved not zero");

	/* ranges: bogons v4 [0,5) v6 [0,3); partners [5,7) [3,4); empty [7,7) */
	RESET();
	l[0].nb_v4 = 4; /* gap */
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL,
		      "list 1 ('partners'): range v4_first 5 "
		      "v6_first 3, want 4 and 3");
	l[0].nb_v4 = 6; /* overlap */
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "range v4_first 5 v6_first 3, want 6");
	RESET();
	l[0].v4_first = 1;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "list 0 ('bogons'): range v4_first 1");
	RESET();
	l[2].v6_first = 3;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "want 7 and 4");
	RESET();
	l[2].nb_v4 = 1; /* past the section's 7 entries */
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL,
		      "list ranges cover 8 ipv4 entries, the "
		      "prefix4 section has 7");
	RESET();
	l[1].nb_v4 = 1; /* 203.0.113.7/32 in no list */
	l[2].v4_first = 6;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL,
		      "list ranges cover 6 ipv4 entries, the "
		      "prefix4 section has 7");
	RESET();
	l[1].nb_v6 = 0; /* one entry left over */
	l[2].v6_first = 3;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL,
		      "list ranges cover 3 ipv6 entries, the "
		      "prefix6 section has 4");
	RESET();
	l[1].nb_v4 = UINT32_MAX; /* 5 + 2^32 - 1 wraps to 4 in 32 bits */
	l[2].v4_first = 4;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "v4_first 4 v6_first 4, want 4294967300");
#undef RESET
	timg_free(&t);
	timg_free(&b);
}

static void
test_prefixes(void)
{
	struct timg b = small_full(), t = timg_copy(b.b, b.len);
	struct bw_image_prefix4 *p4 = body_of(&t, BW_SEC_PREFIX4), x4;
	struct bw_image_prefix6 *p6 = body_of(&t, BW_SEC_PREFIX6), x6;
	char why[BW_IMAGE_WHY_LEN];

#define RESET() memcpy(t.b, b.b, b.len)
	/* bogons v4: 1.2.3.4/32 10/8 10.0/16 172.16/12 192.168/16 */
	p4[1].addr |= 1;
	recrc(&t);
	CU_ASSERT(validate_exact(t.b, t.len, why) == -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "prefix4 1 of list 'bogons': host bits "
				    "set (10.0.0.1/8)");
	RESET();
	p4[3].addr = 0xac1f0000u; /* 172.31.0.0/12 */
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "host bits set (172.31.0.0/12)");
	RESET();
	p4[0].len = 33;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL,
		      "prefix4 0 of list 'bogons': len 33 over 32");
	p4[0].len = 255;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "len 255 over 32");
	RESET();
	p4[0].addr = 0;
	p4[0].len = 0; /* 0.0.0.0/0 is a prefix like any other */
	recrc(&t);
	EXPECT_OK(&t);
	p4[0].addr = 0x80000000u;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "host bits set (128.0.0.0/0)");
	RESET();
	x4 = p4[1];
	p4[1] = p4[2];
	p4[2] = x4;
	recrc(&t);
	CU_ASSERT(validate_exact(t.b, t.len, why) == -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "prefix4 entries of list 'bogons' not "
				    "sorted at 2 (10.0.0.0/8)");
	RESET();
	p4[2] = p4[1];
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL,
		      "prefix4 2 of list 'bogons': duplicate "
		      "(10.0.0.0/8)");
	RESET();
	p4[6] = p4[5]; /* partners */
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "prefix4 6 of list 'partners': duplicate");
	RESET();
	p4[5].op = BW_OP_ADD;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL,
		      "prefix4 5 of list 'partners': op 1 in a "
		      "full image");
	RESET();
	p4[5].list = 0;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL,
		      "prefix4 5 of list 'partners': list 0, want "
		      "1");

	/* bogons v6: 2001:db8::/32 2001:db8::1/128 fc00::/7; partners */
	RESET();
	p6[2].addr[0] = 0xfd;
	recrc(&t);
	CU_ASSERT(validate_exact(t.b, t.len, why) == -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "prefix6 2 of list 'bogons': host bits "
				    "set (fd00::/7)");
	RESET();
	p6[0].addr[15] = 1;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "host bits set (2001:db8::1/32)");
	RESET();
	p6[1].len = 129;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL,
		      "prefix6 1 of list 'bogons': len 129 over "
		      "128");
	RESET();
	p6[1].reserved = 1;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL,
		      "prefix6 1 of list 'bogons': reserved not "
		      "zero");
	RESET();
	x6 = p6[0];
	p6[0] = p6[1];
	p6[1] = x6;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL,
		      "prefix6 entries of list 'bogons' not "
		      "sorted at 1");
	RESET();
	p6[1] = p6[0];
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL,
		      "prefix6 1 of list 'bogons': duplicate "
		      "(2001:db8::/32)");
	RESET();
	p6[1].len = 32; /* same address, longer first: not sorted */
	memset(&p6[1].addr[4], 0, 12);
	p6[0].len = 48;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "not sorted at 1 (2001:db8::/32)");
	RESET();
	p6[3].op = BW_OP_DEL;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "prefix6 3 of list 'partners': op 2");
	RESET();
	p6[3].list = 3;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "list 3, want 1");
	RESET();
	p6[3].len = 0;
	memset(p6[3].addr, 0, 16); /* ::/0 */
	recrc(&t);
	EXPECT_OK(&t);
#undef RESET
	timg_free(&t);
	timg_free(&b);
}

static void
test_delta(void)
{
	struct timg b = small_delta(), t = timg_copy(b.b, b.len);
	char why[BW_IMAGE_WHY_LEN];
	struct bw_image_prefix4 *d4, x4;
	struct bw_image_prefix6 *d6;
	struct bw_image_view v;
	struct ctl_ruleset rs;
	struct bw_image_list *l;

	CU_ASSERT_FATAL(bw_image_validate(b.b, b.len, &v, why, sizeof(why)) ==
			0);
	CU_ASSERT(v.hdr->kind == BW_IMAGE_DELTA && v.hdr->parent_gen == 5);
	CU_ASSERT(v.p4 == NULL && v.p6 == NULL && v.nb_p4 == 0);
	CU_ASSERT_FATAL(v.nb_lists == 3 && v.nb_d4 == 4 && v.nb_d6 == 2);
	/* the list table of the result: sizes, no ranges */
	CU_ASSERT(v.lists[0].v4_first == 0 && v.lists[0].nb_v4 == 5);
	CU_ASSERT(v.lists[1].v6_first == 0 && v.lists[1].nb_v6 == 1);
	/* sorted by (list, addr, len) */
	CU_ASSERT(v.d4[0].list == 0 && v.d4[0].addr == 0x0a000000u &&
		  v.d4[0].len == 16 && v.d4[0].op == BW_OP_DEL);
	CU_ASSERT(v.d4[1].list == 0 && v.d4[1].addr == 0x64400000u &&
		  v.d4[1].op == BW_OP_ADD);
	CU_ASSERT(v.d4[2].list == 3 && v.d4[2].addr == 0x0a000000u);
	CU_ASSERT(v.d4[3].list == 3 && v.d4[3].addr == 0x0a090000u);
	CU_ASSERT(v.d6[0].list == 0 && v.d6[0].addr[0] == 0xfc &&
		  v.d6[0].op == BW_OP_DEL);
	CU_ASSERT(v.d6[1].list == 1 && v.d6[1].len == 48);
	EXPECT_OK(&b);
	/* bulwarkctl reads FULL images only */
	CU_ASSERT(ctl_image_read(b.b, b.len, &rs, NULL, why, sizeof(why)) ==
		  -EINVAL);
	CU_ASSERT(strstr(why, "delta image") != NULL);
	CU_ASSERT(rs.nb_lists == 0);

	d4 = body_of(&t, BW_SEC_DELTA4);
	d6 = body_of(&t, BW_SEC_DELTA6);
	l = lists_of(&t);
#define RESET() memcpy(t.b, b.b, b.len)
	hdr_of(&t)->kind = BW_IMAGE_FULL;
	EXPECT_REFUSE(&t, -EINVAL, "full image has a delta4 section");
	RESET();
	sec_at(&t, 1)->type = BW_SEC_PREFIX4;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL,
		      "delta image has a prefix4 section (section "
		      "1)");
	RESET();
	sec_at(&t, 2)->type = BW_SEC_PREFIX6;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "delta image has a prefix6 section");
	RESET();
	l[1].v4_first = 1;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL,
		      "list 1 ('partners'): v4_first 1 v6_first "
		      "0 not zero in a delta image");
	RESET();
	l[0].v6_first = 2;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "not zero in a delta image");
	RESET();
	l[0].nb_v4 = BW_PREFIX_MAX;
	l[1].nb_v4 = 1;
	recrc(&t);
	EXPECT_REFUSE(&t, -E2BIG, "list sizes sum to 16777217 ipv4");
	RESET();
	d4[0].op = BW_OP_PRESENT;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "delta4 0: op 0 (want add 1 or del 2)");
	d4[0].op = 3;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "delta4 0: op 3");
	RESET();
	d4[3].list = 2;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "delta4 3: list 2 not in the lists section");
	d4[3].list = BW_LIST_MAX;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "list 127 not in the lists section");
	d4[3].list = UINT16_MAX;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "list 65535 not in");
	RESET();
	x4 = d4[0];
	d4[0] = d4[3];
	d4[3] = x4;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL,
		      "delta4 entries not sorted at 1 (list 0 "
		      "after 3)");
	RESET();
	x4 = d4[0];
	d4[0] = d4[1];
	d4[1] = x4;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL,
		      "delta4 entries of list 'bogons' not sorted "
		      "at 1");
	RESET();
	d4[1] = d4[0];
	d4[1].op = BW_OP_ADD; /* add and delete the same prefix */
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL,
		      "delta4 1 of list 'bogons': duplicate "
		      "(10.0.0.0/16)");
	RESET();
	d4[2].addr |= 0x100;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL,
		      "delta4 2 of list 'empty.list-2': host bits "
		      "set (10.0.1.0/16)");
	RESET();
	d4[2].len = 40;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "len 40 over 32");
	RESET();
	d6[1].reserved = 7;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL,
		      "delta6 1 of list 'partners': reserved not "
		      "zero");
	RESET();
	d6[0].len = 200;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL,
		      "delta6 0 of list 'bogons': len 200 over 128");
	RESET();
	d6[0].op = BW_OP_PRESENT;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "delta6 0: op 0");
	RESET();
	d6[1].list = 0; /* same list as d6[0], now out of order */
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL,
		      "delta6 entries of list 'bogons' not sorted");
	RESET();
	d6[0].list = 1;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL,
		      "delta6 entries of list 'partners' not "
		      "sorted at 1");
#undef RESET
	timg_free(&t);
	timg_free(&b);
}

static void
test_delta_writer(void)
{
	struct ctl_delta_entry d[3];
	char why[BW_IMAGE_WHY_LEN];
	struct ctl_image_meta m;
	struct bw_image_view v;
	struct ctl_ruleset rs;
	size_t len;
	void *img;

	small_ruleset(&rs);
	meta_init(&m, 9, 8, "");
	/* no changes at all: the list table alone */
	CU_ASSERT_FATAL(ctl_image_write_delta(&rs, d, 0, &m, &img, &len) == 0);
	CU_ASSERT(validate_exact(img, len, why) == 0);
	CU_ASSERT_FATAL(bw_image_validate(img, len, &v, why, sizeof(why)) == 0);
	CU_ASSERT(v.hdr->nb_sections == 1 && v.d4 == NULL && v.d6 == NULL);
	free(img);
	/* the same prefix in two lists is two changes */
	d[0].list = 3;
	d[0].op = BW_OP_ADD;
	d[0].p = pfx("10.0.0.0", 8);
	d[1] = d[0];
	d[1].list = 1;
	d[2] = d[0];
	d[2].list = 0;
	d[2].op = BW_OP_DEL;
	CU_ASSERT_FATAL(ctl_image_write_delta(&rs, d, 3, &m, &img, &len) == 0);
	CU_ASSERT_FATAL(bw_image_validate(img, len, &v, why, sizeof(why)) == 0);
	CU_ASSERT(v.nb_d4 == 3 && v.d4[0].list == 0 && v.d4[2].list == 3);
	CU_ASSERT(d[0].list == 3); /* the caller's array is not sorted */
	free(img);
	/* the same prefix twice in one list */
	d[1].list = 3;
	d[1].op = BW_OP_DEL;
	CU_ASSERT(ctl_image_write_delta(&rs, d, 3, &m, &img, &len) == -EINVAL);
	/* a list the result does not have */
	d[1].list = 2;
	CU_ASSERT(ctl_image_write_delta(&rs, d, 3, &m, &img, &len) == -EINVAL);
	d[1].list = 1;
	d[1].op = BW_OP_PRESENT;
	CU_ASSERT(ctl_image_write_delta(&rs, d, 3, &m, &img, &len) == -EINVAL);
	d[1].op = BW_OP_ADD;
	d[1].p.family = 5;
	CU_ASSERT(ctl_image_write_delta(&rs, d, 3, &m, &img, &len) == -EINVAL);
	d[1].p = pfx("10.0.0.1", 8);
	CU_ASSERT(ctl_image_write_delta(&rs, d, 3, &m, &img, &len) == -EINVAL);
	m.parent_gen = 9;
	d[1].p = pfx("10.0.0.0", 8);
	CU_ASSERT(ctl_image_write_delta(&rs, d, 3, &m, &img, &len) == -EINVAL);
	ctl_ruleset_free(&rs);
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
		for (n = 0; n < imgs[i].len; n++) {
			if (n < HDR_SIZE)
				expect_refuse_at(__LINE__, imgs[i].b, n,
						 -EINVAL, "image too short");
			else
				expect_refuse_at(__LINE__, imgs[i].b, n,
						 -EINVAL,
						 "differs from image length");
		}
		/* with size and CRC made to agree: the layout still refuses */
		t = timg_copy(imgs[i].b, imgs[i].len);
		h = hdr_of(&t);
		for (n = HDR_SIZE; n < imgs[i].len; n++) {
			h->size = n;
			h->crc32c = bw_crc32c(0, t.b + HDR_SIZE, n - HDR_SIZE);
			expect_refuse_at(__LINE__, t.b, n, -EINVAL,
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

/* A small deterministic generator (xorshift64*). */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint32_t
rng_below(uint32_t n)
{
	return (uint32_t)(rng() % n);
}

static struct ctl_prefix
random_prefix(void)
{
	struct ctl_prefix p;
	unsigned int bits, i;

	memset(&p, 0, sizeof(p));
	p.family = rng_below(3) == 0 ? CTL_PREFIX_V6 : CTL_PREFIX_V4;
	bits = p.family == CTL_PREFIX_V4 ? 32 : 128;
	/* short lengths often, to make duplicates and nesting likely */
	p.len = (uint8_t)(rng_below(4) == 0 ? rng_below(9)
					    : rng_below(bits + 1));
	for (i = 0; i < bits / 8; i++)
		p.addr[i] = (uint8_t)rng();
	for (i = 0; i < bits; i++) {
		if (i >= p.len)
			p.addr[i / 8] &= (uint8_t) ~(0x80u >> (i % 8));
	}
	return p;
}

static const char name_chars[] = "abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";

/* nb lists with random ids, names, actions, matches and prefixes. */
static void
random_ruleset(struct ctl_ruleset *rs, uint32_t nb, uint32_t max_pfx)
{
	struct ctl_list *l;
	struct ctl_prefix p;
	uint32_t i, k, n, id = 0, len;

	memset(rs, 0, sizeof(*rs));
	for (i = 0; i < nb; i++) {
		l = &rs->lists[i];
		/* ascending ids with random gaps, all below BW_LIST_MAX */
		id += rng_below(BW_LIST_MAX - id - (nb - i) + 1);
		l->id = id++;
		do {
			len = 1 + rng_below(BW_LIST_NAME_LEN - 1);
			for (k = 0; k < len; k++)
				l->name[k] = name_chars[rng_below(
					sizeof(name_chars) - 1)];
			l->name[len] = '\0';
			rs->nb_lists = i;
		} while (ctl_ruleset_find(rs, l->name) != NULL);
		l->action = (uint16_t)(1 + rng_below(2));
		l->match = (uint16_t)(1 + rng_below(3));
		n = max_pfx > 0 ? rng_below(max_pfx + 1) : 0;
		for (k = 0; k < n; k++) {
			p = random_prefix();
			CU_ASSERT_FATAL(ctl_prefix_set_add(&l->set, &p) == 0);
		}
		ctl_prefix_set_sort_unique(&l->set);
	}
	rs->nb_lists = nb;
}

static void
test_random(void)
{
	struct ctl_delta_entry *d;
	struct ctl_prefix_set chg;
	char why[BW_IMAGE_WHY_LEN];
	struct ctl_image_meta m;
	struct bw_image_view v;
	struct ctl_ruleset rs;
	uint32_t i, nb, k;
	size_t len, j;
	void *img;

	for (i = 0; i < NB_RANDOM; i++) {
		nb = i == 0 ? BW_LIST_MAX : rng_below(BW_LIST_MAX + 1);
		random_ruleset(&rs, nb, i % 10 == 0 ? 400 : 30);
		roundtrip(&rs, 1 + rng_below(1000));

		/* a delta of random distinct changes per list */
		d = calloc(nb * 8 + 1, sizeof(*d));
		CU_ASSERT_FATAL(d != NULL);
		len = 0;
		for (k = 0; k < nb; k++) {
			memset(&chg, 0, sizeof(chg));
			for (j = rng_below(9); j > 0; j--) {
				struct ctl_prefix p = random_prefix();

				CU_ASSERT_FATAL(ctl_prefix_set_add(&chg, &p) ==
						0);
			}
			ctl_prefix_set_sort_unique(&chg);
			for (j = 0; j < chg.n; j++) {
				d[len].list = (uint16_t)rs.lists[k].id;
				d[len].op = (uint8_t)(1 + rng_below(2));
				d[len].p = chg.v[j];
				len++;
			}
			ctl_prefix_set_free(&chg);
		}
		/* shuffle: the writer sorts */
		for (j = len; j > 1; j--) {
			struct ctl_delta_entry x = d[j - 1];
			size_t o = rng_below((uint32_t)j);

			d[j - 1] = d[o];
			d[o] = x;
		}
		meta_init(&m, 3, 2, "random delta");
		k = (uint32_t)len;
		CU_ASSERT_FATAL(
			ctl_image_write_delta(&rs, d, k, &m, &img, &len) == 0);
		CU_ASSERT(validate_exact(img, len, why) == 0);
		CU_ASSERT_FATAL(
			bw_image_validate(img, len, &v, why, sizeof(why)) == 0);
		CU_ASSERT(v.nb_d4 + v.nb_d6 == k);
		free(img);
		free(d);
		ctl_ruleset_free(&rs);
	}
}

static void
test_list_limit(void)
{
	struct ctl_ruleset rs;
	struct ctl_list *l;
	char name[16];
	uint32_t i;

	memset(&rs, 0, sizeof(rs));
	for (i = 0; i < BW_LIST_MAX; i++) {
		snprintf(name, sizeof(name), "l%u", i);
		CU_ASSERT_FATAL(ctl_ruleset_add_list(&rs, name, BW_ACTION_DROP,
						     BW_MATCH_SRC, &l) == 0);
		CU_ASSERT(l->id == i);
	}
	CU_ASSERT(ctl_ruleset_add_list(&rs, "one-more", BW_ACTION_DROP,
				       BW_MATCH_SRC, &l) == -ENOSPC);
	CU_ASSERT(ctl_ruleset_add_list(&rs, "l5", BW_ACTION_DROP, BW_MATCH_SRC,
				       &l) == -EEXIST);
	roundtrip(&rs, 2);
	/* the freed id is reused, the order kept */
	CU_ASSERT(ctl_ruleset_del_list(&rs, "l40") == 0);
	CU_ASSERT(ctl_ruleset_find(&rs, "l40") == NULL);
	CU_ASSERT(rs.nb_lists == BW_LIST_MAX - 1 && rs.lists[40].id == 41);
	CU_ASSERT(ctl_ruleset_add_list(&rs, "new", BW_ACTION_ALLOW,
				       BW_MATCH_DST, &l) == 0);
	CU_ASSERT(l->id == 40 && l == &rs.lists[40]);
	CU_ASSERT(ctl_ruleset_find(&rs, "new") == l);
	roundtrip(&rs, 3);
	ctl_ruleset_free(&rs);
	CU_ASSERT(rs.nb_lists == 0);
}

static void
test_ruleset_ops(void)
{
	char name[BW_LIST_NAME_LEN + 1];
	struct ctl_ruleset rs;
	struct ctl_list *l = NULL;

	memset(&rs, 0, sizeof(rs));
	memset(name, 'n', sizeof(name));
	name[BW_LIST_NAME_LEN] = '\0';
	CU_ASSERT(ctl_ruleset_add_list(&rs, name, BW_ACTION_DROP, BW_MATCH_SRC,
				       &l) == -EINVAL);
	name[BW_LIST_NAME_LEN - 1] = '\0';
	CU_ASSERT(ctl_ruleset_add_list(&rs, name, BW_ACTION_DROP, BW_MATCH_SRC,
				       &l) == 0);
	CU_ASSERT(strlen(l->name) == BW_LIST_NAME_LEN - 1);
	CU_ASSERT(ctl_ruleset_add_list(&rs, "", BW_ACTION_DROP, BW_MATCH_SRC,
				       &l) == -EINVAL);
	CU_ASSERT(ctl_ruleset_add_list(&rs, "a b", BW_ACTION_DROP, BW_MATCH_SRC,
				       &l) == -EINVAL);
	CU_ASSERT(ctl_ruleset_add_list(&rs, "a/b", BW_ACTION_DROP, BW_MATCH_SRC,
				       &l) == -EINVAL);
	CU_ASSERT(ctl_ruleset_add_list(&rs, "ok", 0, BW_MATCH_SRC, &l) ==
		  -EINVAL);
	CU_ASSERT(ctl_ruleset_add_list(&rs, "ok", BW_ACTION_DROP, 4, &l) ==
		  -EINVAL);
	CU_ASSERT(ctl_ruleset_add_list(&rs, "Ok_.-9", BW_ACTION_ALLOW,
				       BW_MATCH_ANY, NULL) == 0);
	CU_ASSERT(rs.nb_lists == 2 && rs.lists[1].id == 1);
	CU_ASSERT(ctl_ruleset_del_list(&rs, "nope") == -ENOENT);
	CU_ASSERT(ctl_ruleset_del_list(&rs, name) == 0);
	CU_ASSERT(rs.nb_lists == 1 && rs.lists[0].id == 1);
	CU_ASSERT(ctl_ruleset_add_list(&rs, "zero", BW_ACTION_DROP,
				       BW_MATCH_SRC, &l) == 0);
	CU_ASSERT(l == &rs.lists[0] && l->id == 0);
	CU_ASSERT(bw_image_name_valid("a") && !bw_image_name_valid(NULL));
	ctl_ruleset_free(&rs);
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

/* Build the rule tables of rules_text into rs (rs zeroed first). */
static void
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

/* The same, one block database and one stream database (--single-db). */
static void
rules_ruleset(struct ctl_ruleset *rs)
{
	rules_ruleset_layout(rs, CTL_RTAB_SINGLE);
}

static void
test_rules_roundtrip(void)
{
	struct ctl_ruleset rs, back, dup;
	struct ctl_image_meta m;
	struct bw_image_view v;
	const struct bw_image_rule *r;
	char why[BW_IMAGE_WHY_LEN];
	void *img;
	size_t len;

	rules_ruleset(&rs);
	CU_ASSERT(rs.rtab.nb_rules == 4);
	CU_ASSERT(rs.rtab.block_len > 0 && rs.rtab.nb_groups == 0);
	CU_ASSERT(rs.rtab.gdb_len == 0);
	CU_ASSERT(rs.rtab.stream_len > 0);
	r = rs.rtab.rules;
	CU_ASSERT(r[0].sid == 1001 && r[0].rev == 2 &&
		  r[0].action == BW_RULE_DROP &&
		  r[0].proto == BW_RULE_PROTO_TCP &&
		  r[0].scan == BW_RULE_SCAN_STREAM);
	CU_ASSERT(r[0].flags & BW_RULE_F_TO_SERVER);
	CU_ASSERT(r[0].flags & BW_RULE_F_ESTABLISHED);
	CU_ASSERT(r[0].flags & BW_RULE_F_CONTENT);
	CU_ASSERT(r[0].flags & BW_RULE_F_SRC_NOT); /* !$HOME_NET */
	CU_ASSERT(r[0].nb_dport == 1 &&
		  rs.rtab.ports[r[0].dport_first].lo == 2404);
	CU_ASSERT(strcmp(ctl_rtab_string(&rs.rtab, r[0].msg_off),
			 "iec104 startdt") == 0);
	CU_ASSERT(strcmp(ctl_rtab_string(&rs.rtab, r[0].classtype_off),
			 "attempted-admin") == 0);
	CU_ASSERT(r[1].flags & BW_RULE_F_BIDIR);
	CU_ASSERT(r[1].dsize_op == BW_DSIZE_IN && r[1].dsize_min == 21);
	CU_ASSERT(r[1].scan == BW_RULE_SCAN_PACKET);
	CU_ASSERT(r[1].nb_sport == 2);
	CU_ASSERT(r[2].action == BW_RULE_PASS &&
		  r[2].proto == BW_RULE_PROTO_IP);
	CU_ASSERT(!(r[3].flags & BW_RULE_F_CONTENT));
	CU_ASSERT(r[3].flags & BW_RULE_F_DPORT_NOT);
	/* $HOME_NET is shared by rules 0 (destination) and 2's any */
	CU_ASSERT(r[0].dst_first == r[0].dst_first);

	meta_init(&m, 7, 6, "rules");
	CU_ASSERT_FATAL(ctl_image_write_full(&rs, &m, &img, &len) == 0);
	CU_ASSERT(ctl_image_read(img, len, &back, NULL, why, sizeof(why)) == 0);
	CU_ASSERT(ctl_rtab_equal(&rs.rtab, &back.rtab));
	CU_ASSERT(ctl_ruleset_dup(&dup, &back) == 0);
	CU_ASSERT(ctl_rtab_equal(&dup.rtab, &rs.rtab));
	/* rules changed: a FULL commit, never a delta */
	{
		struct ctl_delta_entry *d = NULL;
		size_t nb = 0;

		CU_ASSERT(ctl_txn_plan(&back, &dup, 0, 100, &d, &nb) ==
			  CTL_PLAN_NOOP);
		dup.rtab.rules[0].rev++;
		CU_ASSERT(ctl_txn_plan(&back, &dup, 0, 100, &d, &nb) ==
			  CTL_PLAN_FULL);
		free(d);
	}
	ctl_ruleset_free(&dup);
	ctl_ruleset_free(&back);
	free(img);
	ctl_ruleset_free(&rs);

	/* the default layout: scan groups, stream groups, no databases */
	rules_ruleset_layout(&rs, CTL_RTAB_GROUPS);
	CU_ASSERT(rs.rtab.block_len == 0 && rs.rtab.stream_len == 0);
	CU_ASSERT(rs.rtab.nb_groups > 0 && rs.rtab.gdb_len > 0);
	{
		uint32_t i, nb_stream = 0, nb_merged = 0;

		for (i = 0; i < rs.rtab.nb_groups; i++) {
			const struct bw_image_hsgroup *g = &rs.rtab.groups[i];

			nb_stream += g->mode == BW_HSMODE_STREAM;
			if (!(g->flags & BW_HSGROUP_F_BASE)) {
				/* the packet scope's class groups all merge */
				CU_ASSERT(g->role == BW_HSROLE_BASE ||
					  g->scope != BW_HSSCOPE_PACKET);
				continue;
			}
			/* sid 1002's classes with sid 1003 of the UDP BASE */
			CU_ASSERT(g->lane == BW_HSLANE_UDP &&
				  g->role != BW_HSROLE_BASE &&
				  g->scope == BW_HSSCOPE_PACKET &&
				  g->mode == BW_HSMODE_BLOCK &&
				  g->nb_rules == 2);
			nb_merged++;
		}
		/* sid 1001 is a stream rule on port 2404: its class */
		CU_ASSERT(nb_stream > 0);
		/* sid 1002 (<>) keys a source and a destination class */
		CU_ASSERT(nb_merged == 2);
	}
	CU_ASSERT_FATAL(ctl_image_write_full(&rs, &m, &img, &len) == 0);
	CU_ASSERT(bw_image_validate(img, len, &v, why, sizeof(why)) == 0);
	CU_ASSERT(v.hsdb_stream == NULL && v.nb_hsgroups == rs.rtab.nb_groups);
	CU_ASSERT(ctl_image_read(img, len, &back, NULL, why, sizeof(why)) == 0);
	CU_ASSERT(ctl_rtab_equal(&rs.rtab, &back.rtab));
	ctl_ruleset_free(&back);
	free(img);
	ctl_ruleset_free(&rs);
}

/* Change one byte-range of a rules image, fix the CRC, expect a refusal. */
#define RULE_CASE(base, field, val, err, kw)                                   \
	do {                                                                   \
		struct timg c_ = timg_copy((base)->b, (base)->len);            \
		struct bw_image_rule *r_ = body_of(&c_, BW_SEC_RULES);         \
		r_->field = (val);                                             \
		recrc(&c_);                                                    \
		EXPECT_REFUSE(&c_, (err), (kw));                               \
		free(c_.b);                                                    \
	} while (0)

static void
test_rules_refusals(void)
{
	struct ctl_ruleset rs;
	struct ctl_image_meta m;
	struct bw_image_raddr *a;
	struct bw_image_rport *pt;
	struct timg t, c;
	char *str;

	rules_ruleset(&rs);
	meta_init(&m, 3, 2, "rules");
	t = timg_full(&rs, &m);
	EXPECT_OK(&t);

	RULE_CASE(&t, action, 0, -EINVAL,
		  "rule 0 (sid 1001): unknown action 0");
	RULE_CASE(&t, action, 4, -EINVAL, "unknown action 4");
	RULE_CASE(&t, proto, 9, -EINVAL, "unknown protocol 9");
	RULE_CASE(&t, scan, 0, -EINVAL, "unknown scan scope 0");
	RULE_CASE(&t, proto, BW_RULE_PROTO_UDP, -EINVAL,
		  "stream scope for a non-tcp rule");
	RULE_CASE(&t, dsize_op, 3, -EINVAL, "unknown dsize op 3");
	RULE_CASE(&t, dsize_min, 5, -EINVAL, "dsize bounds without a dsize op");
	RULE_CASE(&t, flags, 0x1000u | BW_RULE_F_CONTENT, -EINVAL,
		  "unknown flags 0x1000");
	RULE_CASE(&t, flags,
		  BW_RULE_F_CONTENT | BW_RULE_F_TO_SERVER | BW_RULE_F_TO_CLIENT,
		  -EINVAL, "flow to_server and to_client");
	RULE_CASE(&t, priority, 256, -EINVAL, "priority 256");
	RULE_CASE(&t, reserved, 1, -EINVAL, "reserved not zero");
	RULE_CASE(&t, src_first, UINT32_MAX, -EINVAL,
		  "source addresses [4294967295");
	RULE_CASE(&t, nb_dst, 1000, -EINVAL, "past the raddrs section");
	RULE_CASE(&t, dport_first, 10000, -EINVAL, "past the rports section");
	RULE_CASE(&t, msg_off, 1u << 20, -EINVAL, "past the rstrings section");
	RULE_CASE(&t, classtype_off, UINT32_MAX, -EINVAL,
		  "classtype offset 4294967295");

	/* dsize min above max, on rule 1 */
	c = timg_copy(t.b, t.len);
	((struct bw_image_rule *)body_of(&c, BW_SEC_RULES))[1].dsize_max = 3;
	recrc(&c);
	EXPECT_REFUSE(&c, -EINVAL,
		      "rule 1 (sid 1002): dsize min 21 above max 3");
	free(c.b);

	/* address entries: host bits, family, length, order */
	c = timg_copy(t.b, t.len);
	a = body_of(&c, BW_SEC_RADDRS);
	a[0].addr[3] = 1;
	recrc(&c);
	EXPECT_REFUSE(&c, -EINVAL, "raddr 0");
	a[0].addr[3] = 0;
	a[0].family = 5;
	recrc(&c);
	EXPECT_REFUSE(&c, -EINVAL, "unknown family");
	a[0].family = 4;
	a[0].len = 33;
	recrc(&c);
	EXPECT_REFUSE(&c, -EINVAL, "prefix length over 32");
	free(c.b);

	/* ports: lo above hi, and out of order */
	c = timg_copy(t.b, t.len);
	pt = body_of(&c, BW_SEC_RPORTS);
	pt[rs.rtab.rules[1].sport_first].lo = 6000;
	recrc(&c);
	EXPECT_REFUSE(&c, -EINVAL, "lo 6000 above hi 53");
	pt[rs.rtab.rules[1].sport_first].lo = 53;
	pt[rs.rtab.rules[1].sport_first + 1].lo = 50;
	recrc(&c);
	EXPECT_REFUSE(&c, -EINVAL, "ports not sorted and disjoint");
	free(c.b);

	/* the string table must end with a NUL */
	c = timg_copy(t.b, t.len);
	str = body_of(&c, BW_SEC_RSTRINGS);
	str[sec_must(&c, BW_SEC_RSTRINGS)->count - 1] = 'x';
	recrc(&c);
	EXPECT_REFUSE(&c, -EINVAL, "rstrings section does not end with a NUL");
	free(c.b);

	/* a content rule needs the databases */
	c = timg_copy(t.b, t.len);
	sec_must(&c, BW_SEC_HSDB_STREAM)->type = 0;
	recrc(&c);
	EXPECT_REFUSE(&c, -EINVAL, "unknown type 0");
	free(c.b);

	/* rule sections without the rules section */
	c = timg_copy(t.b, t.len);
	sec_must(&c, BW_SEC_RULES)->type = BW_SEC_PREFIX4 + 0;
	recrc(&c);
	EXPECT_REFUSE(&c, -EINVAL, "duplicate type");
	free(c.b);

	free(t.b);
	ctl_ruleset_free(&rs);
}

/* Drop the scan groups of t, whatever ctl_rtab_build() made. */
static void
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

/* A model without databases for rules that need them cannot be written. */
static void
test_rules_writer_refuses(void)
{
	struct ctl_ruleset rs;
	struct ctl_image_meta m;
	void *img = NULL;
	size_t len = 0;

	rules_ruleset(&rs);
	meta_init(&m, 3, 2, "rules");
	free(rs.rtab.stream);
	rs.rtab.stream = NULL;
	rs.rtab.stream_len = 0;
	CU_ASSERT(ctl_image_write_full(&rs, &m, &img, &len) == -EINVAL);
	CU_ASSERT(img == NULL);
	/* neither a block database nor scan groups, whichever was built */
	free(rs.rtab.block);
	rs.rtab.block = NULL;
	rs.rtab.block_len = 0;
	groups_clear(&rs.rtab);
	CU_ASSERT(ctl_image_write_full(&rs, &m, &img, &len) == -EINVAL);
	ctl_rtab_free(&rs.rtab);
	CU_ASSERT(ctl_image_write_full(&rs, &m, &img, &len) == 0);
	free(img);
	ctl_ruleset_free(&rs);
}

/* A DELTA image may not carry rules: they stay as in force. */
static void
test_rules_delta_refused(void)
{
	struct ctl_ruleset rs;
	struct ctl_image_meta m;
	struct timg t;

	rules_ruleset(&rs);
	meta_init(&m, 3, 2, "rules");
	t = timg_full(&rs, &m);
	hdr_of(&t)->kind = BW_IMAGE_DELTA;
	/* the full image's prefix sections make it bad first: drop them */
	sec_must(&t, BW_SEC_PREFIX4)->type = BW_SEC_DELTA4;
	sec_must(&t, BW_SEC_PREFIX6)->type = BW_SEC_DELTA6;
	recrc(&t);
	EXPECT_REFUSE(&t, -EINVAL, "delta image has a rules section");
	free(t.b);
	ctl_ruleset_free(&rs);
}

/*
 * Hand-made scan groups for rules_text (the validator does not look into
 * the databases, so their bytes are a pattern): TCP base, dst class 1 in
 * both scopes (2404: sid 1001), UDP base, src class 2 and dst class 3 (53
 * and 5353: sid 1002 <>), ICMP and OTHER base (sid 1003).
 */
static const struct bw_image_hsgroup hand_groups[] = {
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

#define NB_HAND_GROUPS (sizeof(hand_groups) / sizeof(hand_groups[0]))

/* Database bytes of each hand-made group: not multiples of 8 on purpose. */
static const uint32_t hand_db_len[] = {13, 8, 21, 5, 30, 7, 1, 16};

_Static_assert(sizeof(hand_db_len) / sizeof(hand_db_len[0]) == NB_HAND_GROUPS,
	       "one length per hand-made group");

/* Sorted by (lane, role, lo), disjoint within one (lane, role). */
static const struct bw_image_hsport hand_ports[] = {
	{2404, 2404, 1, BW_HSLANE_TCP, BW_HSROLE_DST},
	{53, 53, 3, BW_HSLANE_UDP, BW_HSROLE_DST},
	{5353, 5353, 3, BW_HSLANE_UDP, BW_HSROLE_DST},
	{53, 53, 2, BW_HSLANE_UDP, BW_HSROLE_SRC},
	{5353, 5353, 2, BW_HSLANE_UDP, BW_HSROLE_SRC},
};

#define NB_HAND_PORTS (sizeof(hand_ports) / sizeof(hand_ports[0]))

/* rules_ruleset() with the hand-made scan groups and no block database. */
static void
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

/* Remove section type from t's table (its body stays, unreferenced). */
static void
sec_drop(struct timg *t, uint32_t type)
{
	struct bw_image_section *s = sec_must(t, type);
	struct bw_image_hdr *h = hdr_of(t);

	*s = *sec_at(t, h->nb_sections - 1);
	memset(sec_at(t, h->nb_sections - 1), 0, sizeof(*s));
	h->nb_sections--;
}

/* Change one field of scan group idx of a copy of base, expect a refusal. */
#define GROUP_CASE(base, idx, field, val, err, kw)                             \
	do {                                                                   \
		struct timg c_ = timg_copy((base)->b, (base)->len);            \
		struct bw_image_hsgroup *g_ = body_of(&c_, BW_SEC_HSGROUPS);   \
		g_[idx].field = (val);                                         \
		recrc(&c_);                                                    \
		EXPECT_REFUSE(&c_, (err), (kw));                               \
		free(c_.b);                                                    \
	} while (0)

/* Likewise for entry idx of the scan groups' port map. */
#define HSPORT_CASE(base, idx, field, val, err, kw)                            \
	do {                                                                   \
		struct timg c_ = timg_copy((base)->b, (base)->len);            \
		struct bw_image_hsport *p_ = body_of(&c_, BW_SEC_HSPORTS);     \
		p_[idx].field = (val);                                         \
		recrc(&c_);                                                    \
		EXPECT_REFUSE(&c_, (err), (kw));                               \
		free(c_.b);                                                    \
	} while (0)

/*
 * Scan groups (bw_image.h): a valid image with hand-made groups round
 * trips; each broken field, section pairing and limit is refused with
 * its reason.
 */
static void
test_scan_groups(void)
{
	struct ctl_ruleset rs, back, dup;
	char why[BW_IMAGE_WHY_LEN];
	struct bw_image_hsport *pt, tmp;
	struct bw_image_section *s;
	struct ctl_image_meta m;
	struct bw_image_view v;
	struct timg t, c;
	void *img;
	size_t len;

	groups_ruleset(&rs);
	meta_init(&m, 9, 8, "scan groups");
	t = timg_full(&rs, &m);
	EXPECT_OK(&t);
	CU_ASSERT(sec_of(&t, BW_SEC_HSDB_BLOCK) == NULL);
	CU_ASSERT(sec_must(&t, BW_SEC_HSGROUPS)->off % 8 == 0);
	CU_ASSERT(sec_must(&t, BW_SEC_HSDB_GROUPS)->count == rs.rtab.gdb_len);
	CU_ASSERT_FATAL(bw_image_validate(t.b, t.len, &v, why, sizeof(why)) ==
			0);
	CU_ASSERT(v.nb_hsgroups == NB_HAND_GROUPS &&
		  v.nb_hsports == NB_HAND_PORTS);
	CU_ASSERT(v.hsdb_groups_len == rs.rtab.gdb_len);
	CU_ASSERT(v.hsdb_block == NULL && v.hsdb_block_len == 0);
	CU_ASSERT(v.hsgroups != NULL && v.hsgroups[2].cls == 1 &&
		  v.hsgroups[2].scope == BW_HSSCOPE_STREAM);
	CU_ASSERT(v.hsports != NULL && v.hsports[4].lo == 5353);
	CU_ASSERT(v.hsdb_groups != NULL &&
		  memcmp(v.hsdb_groups, rs.rtab.gdb, rs.rtab.gdb_len) == 0);
	CU_ASSERT((const uint8_t *)(v.hsgroups + v.nb_hsgroups) <= t.b + t.len);
	CU_ASSERT(v.hsdb_groups + v.hsdb_groups_len <= t.b + t.len);
	/* read back: the same tables, byte for byte; a copy too */
	CU_ASSERT_FATAL(
		ctl_image_read(t.b, t.len, &back, NULL, why, sizeof(why)) == 0);
	CU_ASSERT(ctl_rtab_equal(&rs.rtab, &back.rtab));
	CU_ASSERT(back.rtab.block == NULL && back.rtab.block_len == 0);
	CU_ASSERT_FATAL(ctl_ruleset_dup(&dup, &back) == 0);
	CU_ASSERT(ctl_rtab_equal(&dup.rtab, &rs.rtab));
	dup.rtab.gdb[dup.rtab.gdb_len - 1] ^= 1;
	CU_ASSERT(!ctl_rtab_equal(&dup.rtab, &rs.rtab));
	dup.rtab.gdb[dup.rtab.gdb_len - 1] ^= 1;
	dup.rtab.hsports[0].hi++;
	CU_ASSERT(!ctl_rtab_equal(&dup.rtab, &rs.rtab));
	dup.rtab.hsports[0].hi--;
	dup.rtab.groups[0].nb_rules++;
	CU_ASSERT(!ctl_rtab_equal(&dup.rtab, &rs.rtab));
	ctl_ruleset_free(&dup);
	ctl_ruleset_free(&back);

	/* one field of one group */
	GROUP_CASE(&t, 3, lane, 0, -EINVAL, "hsgroup 3: lane 0 unknown");
	GROUP_CASE(&t, 0, lane, BW_HSLANE_MAX + 1, -EINVAL,
		   "hsgroup 0: lane 5 unknown");
	GROUP_CASE(&t, 1, role, 3, -EINVAL, "hsgroup 1: role 3 unknown");
	GROUP_CASE(&t, 0, scope, 2, -EINVAL, "hsgroup 0: scope 2 unknown");
	GROUP_CASE(&t, 0, cls, 4, -EINVAL,
		   "hsgroup 0: base group with class 4 (want 0)");
	GROUP_CASE(&t, 6, role, BW_HSROLE_DST, -EINVAL,
		   "hsgroup 6: role 1 on lane 3");
	GROUP_CASE(&t, 7, role, BW_HSROLE_SRC, -EINVAL,
		   "hsgroup 7: role 2 on lane 4");
	GROUP_CASE(&t, 1, cls, 0, -EINVAL, "hsgroup 1: class 0 not in 1..2047");
	GROUP_CASE(&t, 4, cls, BW_HSCLASS_MAX + 1, -EINVAL,
		   "hsgroup 4: class 2048 not in 1..2047");
	GROUP_CASE(&t, 3, scope, BW_HSSCOPE_STREAM, -EINVAL,
		   "hsgroup 3: stream scope on lane 2 (tcp only)");
	GROUP_CASE(&t, 6, scope, BW_HSSCOPE_STREAM, -EINVAL,
		   "hsgroup 6: stream scope on lane 3");
	GROUP_CASE(&t, 1, db_off, 20, -EINVAL,
		   "hsgroup 1: db_off 20 not 8-aligned");
	GROUP_CASE(&t, 2, db_len, 0, -EINVAL, "hsgroup 2: db_len 0");
	GROUP_CASE(&t, 7, db_len, 17, -EINVAL,
		   "hsgroup 7: database [104, +17) past the hsdb_groups "
		   "section (120 bytes)");
	GROUP_CASE(&t, 0, db_off, 128, -EINVAL, "past the hsdb_groups section");
	/* 0xfffffff8 + 13 wraps 32 bits; the sum is taken in 64 */
	GROUP_CASE(&t, 0, db_off, 0xfffffff8u, -EINVAL,
		   "hsgroup 0: database [4294967288, +13) past");
	GROUP_CASE(&t, 0, db_len, BW_HSDB_MAX + 1, -E2BIG,
		   "hsgroup 0: db_len 268435457 over the limit 268435456");
	GROUP_CASE(&t, 0, nb_rules, 5, -EINVAL,
		   "hsgroup 0: 5 rules, the image has 4");
	GROUP_CASE(&t, 5, mode, 2, -EINVAL, "hsgroup 5: mode 2 unknown");
	GROUP_CASE(&t, 1, mode, BW_HSMODE_STREAM, -EINVAL,
		   "hsgroup 1: stream mode in the packet scope");
	GROUP_CASE(&t, 2, mode, BW_HSMODE_STREAM, -EINVAL,
		   "hsgroup 2: stream mode with a stream database");
	GROUP_CASE(&t, 5, flags, 0x100, -EINVAL,
		   "hsgroup 5: flags 0x100 unknown");
	GROUP_CASE(&t, 0, flags, BW_HSGROUP_F_BASE, -EINVAL,
		   "hsgroup 0: flag base on a base group");
	/* (lane, role, cls, scope, mode) unique; a class in one (lane, role) */
	GROUP_CASE(&t, 2, scope, BW_HSSCOPE_PACKET, -EINVAL,
		   "hsgroup 2: duplicate of hsgroup 1 (lane 1 role 1 class 1 "
		   "scope 0 mode 0)");
	GROUP_CASE(&t, 3, lane, BW_HSLANE_TCP, -EINVAL,
		   "hsgroup 3: duplicate of hsgroup 0 (lane 1 role 0 class 0");
	GROUP_CASE(&t, 5, cls, 2, -EINVAL,
		   "hsgroup 5: class 2 on lane 2 role 1, hsgroup 4 has it on "
		   "lane 2 role 2");
	GROUP_CASE(&t, 4, cls, 1, -EINVAL,
		   "hsgroup 4: class 1 on lane 2 role 2, hsgroup 1 has it on "
		   "lane 1 role 1");
	/* the other scope of a class counts too */
	GROUP_CASE(&t, 2, role, BW_HSROLE_SRC, -EINVAL,
		   "hsgroup 2: class 1 on lane 1 role 2, hsgroup 1 has it");
	/* stream-mode groups instead of the stream database */
	{
		struct ctl_ruleset sm;
		struct ctl_rtab *st;
		struct timg u;
		void *im;
		size_t ln;

		groups_ruleset(&sm);
		st = &sm.rtab;
		free(st->stream);
		st->stream = NULL;
		st->stream_len = 0;
		/* the stream rule has neither: refused */
		if (ctl_image_write_full(&sm, &m, &im, &ln) == 0) {
			CU_FAIL("a stream rule without stream groups written");
			free(im);
		}
		st->groups = realloc(st->groups,
				     (st->nb_groups + 2) * sizeof(*st->groups));
		CU_ASSERT_FATAL(st->groups != NULL);
		st->groups[st->nb_groups] = st->groups[2];
		st->groups[st->nb_groups].mode = BW_HSMODE_STREAM;
		st->groups[st->nb_groups + 1] = st->groups[0];
		st->groups[st->nb_groups + 1].scope = BW_HSSCOPE_STREAM;
		st->groups[st->nb_groups + 1].mode = BW_HSMODE_STREAM;
		st->nb_groups += 2;
		CU_ASSERT_FATAL(ctl_image_write_full(&sm, &m, &im, &ln) == 0);
		u = timg_copy(im, ln);
		free(im);
		EXPECT_OK(&u);
		CU_ASSERT(sec_of(&u, BW_SEC_HSDB_STREAM) == NULL);
		GROUP_CASE(&u, NB_HAND_GROUPS + 1, cls, 1, -EINVAL,
			   "base group with class 1");
		/* the same key twice in stream mode */
		{
			struct timg d = timg_copy(u.b, u.len);
			struct bw_image_hsgroup *g =
				body_of(&d, BW_SEC_HSGROUPS);

			g[NB_HAND_GROUPS + 1] = g[NB_HAND_GROUPS];
			recrc(&d);
			EXPECT_REFUSE(&d, -EINVAL, "duplicate of hsgroup 8");
			free(d.b);
		}
		free(u.b);
		ctl_ruleset_free(&sm);
	}
	/* a group's number of rules may be 0 (only for the operator) */
	c = timg_copy(t.b, t.len);
	((struct bw_image_hsgroup *)body_of(&c, BW_SEC_HSGROUPS))[0].nb_rules =
		0;
	recrc(&c);
	EXPECT_OK(&c);
	free(c.b);

	/* the port map */
	HSPORT_CASE(&t, 0, lane, BW_HSLANE_ICMP, -EINVAL,
		    "hsport 0: lane 3 (tcp or udp only)");
	HSPORT_CASE(&t, 1, lane, 0, -EINVAL, "hsport 1: lane 0");
	HSPORT_CASE(&t, 2, role, BW_HSROLE_BASE, -EINVAL,
		    "hsport 2: role 0 (dst or src only)");
	HSPORT_CASE(&t, 0, lo, 3000, -EINVAL,
		    "hsport 0: lo 3000 above hi 2404");
	HSPORT_CASE(&t, 0, cls, 0, -EINVAL, "hsport 0: class 0 not in 1..2047");
	HSPORT_CASE(&t, 0, cls, 9, -EINVAL,
		    "hsport 0: class 9 has no group of lane 1 role 1");
	HSPORT_CASE(&t, 3, cls, 3, -EINVAL,
		    "hsport 3: class 3 has no group of lane 2 role 2");
	HSPORT_CASE(&t, 2, lo, 53, -EINVAL,
		    "hsports not sorted and disjoint at hsport 2");
	c = timg_copy(t.b, t.len);
	pt = body_of(&c, BW_SEC_HSPORTS);
	pt[2].lo = 54;
	recrc(&c);
	EXPECT_OK(&c); /* 53-53 then 54-5353: adjacent, disjoint */
	/* (lane, role) out of order */
	memcpy(c.b, t.b, t.len);
	tmp = pt[0];
	pt[0] = pt[1];
	pt[1] = tmp;
	recrc(&c);
	EXPECT_REFUSE(&c, -EINVAL,
		      "hsports not sorted and disjoint at hsport 1 (lane 1 "
		      "role 1 ports 2404-2404 after lane 2 role 1");
	/* lo out of order within one (lane, role) */
	memcpy(c.b, t.b, t.len);
	tmp = pt[1];
	pt[1] = pt[2];
	pt[2] = tmp;
	recrc(&c);
	EXPECT_REFUSE(&c, -EINVAL, "not sorted and disjoint at hsport 2");
	/* role src before dst */
	memcpy(c.b, t.b, t.len);
	tmp = pt[2];
	pt[2] = pt[3];
	pt[3] = tmp;
	recrc(&c);
	EXPECT_REFUSE(&c, -EINVAL, "not sorted and disjoint at hsport 3");
	free(c.b);

	/* sections: pairing, the block database, rules, kind, limits */
	c = timg_copy(t.b, t.len);
	sec_drop(&c, BW_SEC_HSPORTS);
	recrc(&c);
	EXPECT_OK(&c); /* no port map: the classes are never chosen */
	memcpy(c.b, t.b, t.len);
	sec_drop(&c, BW_SEC_HSDB_GROUPS);
	recrc(&c);
	EXPECT_REFUSE(&c, -EINVAL,
		      "hsgroups section without an hsdb_groups section");
	memcpy(c.b, t.b, t.len);
	sec_must(&c, BW_SEC_HSDB_GROUPS)->type = BW_SEC_HSDB_BLOCK;
	recrc(&c);
	EXPECT_REFUSE(&c, -EINVAL,
		      "hsgroups section without an hsdb_groups section");
	memcpy(c.b, t.b, t.len);
	sec_drop(&c, BW_SEC_HSGROUPS);
	recrc(&c);
	EXPECT_REFUSE(&c, -EINVAL,
		      "hsdb_groups section without an hsgroups section");
	sec_drop(&c, BW_SEC_HSDB_GROUPS);
	recrc(&c);
	EXPECT_REFUSE(&c, -EINVAL,
		      "hsports section without an hsgroups section");
	/* neither groups nor a block database for the content rules */
	sec_drop(&c, BW_SEC_HSPORTS);
	recrc(&c);
	EXPECT_REFUSE(&c, -EINVAL,
		      "rule 0 (sid 1001): content rule without a block "
		      "database or scan groups");
	/* both a block database and groups */
	memcpy(c.b, t.b, t.len);
	sec_must(&c, BW_SEC_HSDB_STREAM)->type = BW_SEC_HSDB_BLOCK;
	recrc(&c);
	EXPECT_REFUSE(&c, -EINVAL, "both a block database and scan groups");
	/* groups without rules */
	memcpy(c.b, t.b, t.len);
	sec_drop(&c, BW_SEC_RULES);
	sec_drop(&c, BW_SEC_RADDRS);
	sec_drop(&c, BW_SEC_RPORTS);
	sec_drop(&c, BW_SEC_RSTRINGS);
	sec_drop(&c, BW_SEC_HSDB_STREAM);
	recrc(&c);
	EXPECT_REFUSE(&c, -EINVAL, "hsgroups section without a rules section");
	/* ... and in a delta image */
	hdr_of(&c)->kind = BW_IMAGE_DELTA;
	sec_must(&c, BW_SEC_PREFIX4)->type = BW_SEC_DELTA4;
	sec_must(&c, BW_SEC_PREFIX6)->type = BW_SEC_DELTA6;
	recrc(&c);
	EXPECT_REFUSE(&c, -EINVAL, "delta image has a hsgroups section");
	/* element sizes and count limits */
	memcpy(c.b, t.b, t.len);
	s = sec_must(&c, BW_SEC_HSGROUPS);
	s->elem_size = 24;
	s->len = (uint64_t)s->count * 24;
	recrc(&c);
	EXPECT_REFUSE(&c, -EINVAL, "(hsgroups): elem_size 24 (want 20)");
	s->elem_size = sizeof(struct bw_image_hsgroup);
	s->count = BW_HSGROUP_MAX + 1;
	s->len = (uint64_t)s->count * s->elem_size;
	recrc(&c);
	EXPECT_REFUSE(&c, -E2BIG,
		      "(hsgroups): 4097 entries over the limit 4096");
	memcpy(c.b, t.b, t.len);
	s = sec_must(&c, BW_SEC_HSPORTS);
	s->count = BW_HSPORTS_MAX + 1;
	s->len = (uint64_t)s->count * s->elem_size;
	recrc(&c);
	EXPECT_REFUSE(&c, -E2BIG,
		      "(hsports): 1048577 entries over the limit 1048576");
	memcpy(c.b, t.b, t.len);
	s = sec_must(&c, BW_SEC_HSDB_GROUPS);
	s->count = (uint32_t)BW_IMAGE_SIZE_MAX + 1;
	s->len = s->count;
	recrc(&c);
	EXPECT_REFUSE(&c, -E2BIG, "(hsdb_groups): 1073741825 entries over");
	free(c.b);

	/* the writer runs the validator: it refuses what the image would */
	rs.rtab.block_len = 8;
	rs.rtab.block = calloc(1, 8);
	CU_ASSERT_FATAL(rs.rtab.block != NULL);
	img = NULL;
	CU_ASSERT(ctl_image_write_full(&rs, &m, &img, &len) == -EINVAL);
	CU_ASSERT(img == NULL);
	free(rs.rtab.block);
	rs.rtab.block = NULL;
	rs.rtab.block_len = 0;
	rs.rtab.groups[1].cls = 0;
	CU_ASSERT(ctl_image_write_full(&rs, &m, &img, &len) == -EINVAL);
	rs.rtab.groups[1].cls = 1;
	CU_ASSERT_FATAL(ctl_image_write_full(&rs, &m, &img, &len) == 0);
	free(img);
	free(t.b);
	ctl_ruleset_free(&rs);
}

static void
test_writer_refuses(void)
{
	struct ctl_image_meta m;
	struct ctl_ruleset rs;
	struct ctl_prefix p, *v;
	size_t len;
	void *img = NULL;

	small_ruleset(&rs);
	meta_init(&m, 5, 4, "x");
	m.generation = 0;
	CU_ASSERT(ctl_image_write_full(&rs, &m, &img, &len) == -EINVAL);
	m.generation = 4;
	CU_ASSERT(ctl_image_write_full(&rs, &m, &img, &len) == -EINVAL);
	m.generation = 5;
	memset(m.comment, 'c', sizeof(m.comment));
	CU_ASSERT(ctl_image_write_full(&rs, &m, &img, &len) == -EINVAL);
	meta_init(&m, 5, 4, "x");
	/* bogons: 1.2.3.4/32 10.0.0.0/8 ... */
	v = rs.lists[0].set.v;
	p = v[1];
	v[1] = v[0]; /* a duplicate */
	CU_ASSERT(ctl_image_write_full(&rs, &m, &img, &len) == -EINVAL);
	v[1] = v[2]; /* 10.0.0.0/16 before 10.0.0.0/16: also */
	v[2] = p;    /* ... then 10.0.0.0/8: not sorted */
	CU_ASSERT(ctl_image_write_full(&rs, &m, &img, &len) == -EINVAL);
	v[2] = v[1];
	v[1] = p;
	v[1].family = 0;
	CU_ASSERT(ctl_image_write_full(&rs, &m, &img, &len) == -EINVAL);
	v[1] = p;
	v[1].addr[3] = 1; /* 10.0.0.1/8 */
	CU_ASSERT(ctl_image_write_full(&rs, &m, &img, &len) == -EINVAL);
	v[1] = p;
	v[1].len = 33;
	CU_ASSERT(ctl_image_write_full(&rs, &m, &img, &len) == -EINVAL);
	v[1] = p;
	rs.lists[0].name[0] = '!';
	CU_ASSERT(ctl_image_write_full(&rs, &m, &img, &len) == -EINVAL);
	rs.lists[0].name[0] = 'b';
	rs.lists[1].id = 0;
	CU_ASSERT(ctl_image_write_full(&rs, &m, &img, &len) == -EINVAL);
	rs.lists[1].id = 1;
	CU_ASSERT(img == NULL);
	CU_ASSERT_FATAL(ctl_image_write_full(&rs, &m, &img, &len) == 0);
	free(img);
	ctl_ruleset_free(&rs);
}

static void
test_load_file(void)
{
	char path[] = "/tmp/bw_test_image.XXXXXX";
	size_t len = 1;
	void *img = NULL;
	int fd;

	CU_ASSERT(ctl_image_load_file("/nonexistent/bw/image", &img, &len) ==
		  -ENOENT);
	CU_ASSERT(ctl_image_load_file("/tmp", &img, &len) == -EINVAL);
	fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	CU_ASSERT_FATAL(ctl_image_load_file(path, &img, &len) == 0);
	CU_ASSERT(len == 0 && img != NULL);
	free(img);
	unlink(path);
}

/* Fuzzer seeds: SEED_MODE_FIXUP then the image, one file each. */
static int
write_seed(const char *dir, const char *name, const struct timg *t)
{
	char path[PATH_MAX];
	uint8_t mode = SEED_MODE_FIXUP;
	FILE *f;
	int ok;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		return -1;
	f = fopen(path, "wb");
	if (f == NULL)
		return -1;
	ok = fwrite(&mode, 1, 1, f) == 1 &&
	     fwrite(t->b, 1, t->len, f) == t->len;
	return fclose(f) == 0 && ok ? 0 : -1;
}

static int
write_seeds(const char *dir)
{
	struct ctl_image_meta m;
	struct ctl_ruleset rs;
	struct timg t;
	size_t len;
	void *img;
	int r = 0;

	t = small_full();
	r |= write_seed(dir, "small-full", &t);
	timg_free(&t);
	t = small_delta();
	r |= write_seed(dir, "small-delta", &t);
	timg_free(&t);
	memset(&rs, 0, sizeof(rs));
	meta_init(&m, 1, 0, "");
	if (ctl_image_write_full(&rs, &m, &img, &len) == 0) {
		t.b = img;
		t.len = len;
		r |= write_seed(dir, "empty", &t);
		free(img);
	}
	random_ruleset(&rs, 12, 12);
	if (ctl_image_write_full(&rs, &m, &img, &len) == 0) {
		t.b = img;
		t.len = len;
		r |= write_seed(dir, "random-12", &t);
		free(img);
	}
	/* with two eBPF programs (r0 = 0; exit), so the fuzzer meets them */
	{
		const struct bw_image_insn code[2] = {{.code = 0xb7},
						      {.code = 0x95}};
		uint32_t order = 3;

		if (ctl_ruleset_put_prog(&rs, "p1", code, 2, NULL) == 0 &&
		    ctl_ruleset_put_prog(&rs, "p0", code, 2, &order) == 0 &&
		    ctl_image_write_full(&rs, &m, &img, &len) == 0) {
			t.b = img;
			t.len = len;
			r |= write_seed(dir, "random-12-bpf", &t);
			free(img);
		}
	}
	ctl_ruleset_free(&rs);
	/* content rules with hand-made scan groups and their port map */
	groups_ruleset(&rs);
	if (ctl_image_write_full(&rs, &m, &img, &len) == 0) {
		t.b = img;
		t.len = len;
		r |= write_seed(dir, "rules-groups", &t);
		free(img);
	} else {
		r = -1;
	}
	ctl_ruleset_free(&rs);
	return r;
}

/* Only test run with BW_WRITE_SEEDS set: the helpers assert inside CUnit. */
static void
test_write_seeds(void)
{
	CU_ASSERT(write_seeds(getenv("BW_WRITE_SEEDS")) == 0);
}

static const struct bw_cunit_test tests[] = {
	{"crc32c check values", test_crc32c},
	{"small round trip", test_small_roundtrip},
	{"spamhaus round trip", test_spamhaus_roundtrip},
	{"header byte flips", test_header_flips},
	{"header field bounds", test_header_bounds},
	{"later minor bigger header", test_header_bigger},
	{"body covered by crc", test_body_crc},
	{"section table", test_sections},
	{"lists", test_lists},
	{"full prefixes", test_prefixes},
	{"delta", test_delta},
	{"delta writer", test_delta_writer},
	{"truncation", test_truncation},
	{"buffer alignment", test_alignment},
	{"random rulesets", test_random},
	{"list limit", test_list_limit},
	{"ruleset model", test_ruleset_ops},
	{"writer refuses", test_writer_refuses},
	{"load file", test_load_file},
	{"rules round trip", test_rules_roundtrip},
	{"rules refusals", test_rules_refusals},
	{"rules writer refuses", test_rules_writer_refuses},
	{"rules in a delta refused", test_rules_delta_refused},
	{"scan groups", test_scan_groups},
};

/* BW_WRITE_SEEDS=DIR: write the fuzzer's seed images instead of testing. */
static const struct bw_cunit_test seed_tests[] = {
	{"write seeds", test_write_seeds},
};

/* Returns 0 when every assertion passed, 1 otherwise (CUnit error too). */
int
main(int argc, char **argv)
{
	if (argc > 1)
		data_dir_arg = argv[1];
	if (getenv("BW_WRITE_SEEDS") != NULL)
		return BW_CUNIT_RUN("image", seed_tests);
	return BW_CUNIT_RUN("image", tests);
}
