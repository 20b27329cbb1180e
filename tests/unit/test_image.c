/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the ruleset image's round trips through the writer and
 * the reader of control/commit/ctl_image.c and the model of
 * control/model/ctl_model.c: a small ruleset, the real Spamhaus DROP
 * lists (through a file too) and random rulesets and deltas; the list
 * limit, the model's checks and the writer's refusals. The frame, the
 * lists, the content rules and the scan groups have test_image_header,
 * _lists, _rules and _groups.
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

#include "bw_cunit.h"
#include "test_image_util.h"

#define SPAMHAUS_V4  "blocklists/spamhaus-drop-2025-01-17.txt"
#define SPAMHAUS_V6  "blocklists/spamhaus-dropv6-2025-01-17.txt"
#define SPAMHAUS_NB4 1385 /* prefixes in the 2025-01-17 DROP list */
#define SPAMHAUS_NB6 78	  /* prefixes in the 2025-01-17 DROPv6 list */
#define NB_RANDOM    200  /* random rulesets that must round-trip */

/* Fuzzer seed mode byte (tests/fuzz/fuzz_image.c): fix CRC and size. */
#define SEED_MODE_FIXUP 0x03

static const char *data_dir_arg; /* argv[1] */

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
	{"small round trip", test_small_roundtrip},
	{"spamhaus round trip", test_spamhaus_roundtrip},
	{"random rulesets", test_random},
	{"list limit", test_list_limit},
	{"ruleset model", test_ruleset_ops},
	{"writer refuses", test_writer_refuses},
	{"load file", test_load_file},
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
