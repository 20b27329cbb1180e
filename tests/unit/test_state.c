/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the state directory (control/commit/ctl_state.c), the
 * commit plan of a transaction (ctl_txn_plan() in control/commit/ctl_txn.c)
 * and the lookup oracle (control/model/ctl_lookup.c): atomic writes and
 * modes, newest valid generation with corrupt newer ones skipped,
 * pruning, the audit log's exact lines, the lock; DELTA against FULL
 * decisions, with each DELTA accepted by the dataplane's own model code;
 * lookup on nested lists with every match mode and allow over block,
 * cross-checked against the dataplane model's next hops on random
 * addresses.
 *
 * Every test works in its own directory under $TMPDIR (or /tmp).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "bw_cunit.h"
#include "ctl_image.h"
#include "ctl_lookup.h"
#include "ctl_prefix.h"
#include "ctl_state.h"
#include "ctl_txn.h"
#include "bw_image_view.h"
#include "bw_routes.h"

/* A scratch directory, removed with everything in it by tmp_done(). */
struct tmp {
	char base[256];
	char dir[512]; /* base/state/sub: not created yet */
};

static void
tmp_make(struct tmp *t)
{
	const char *root = getenv("TMPDIR");

	snprintf(t->base, sizeof(t->base), "%s/bw-test-state-XXXXXX",
		 root != NULL && root[0] != '\0' ? root : "/tmp");
	CU_ASSERT_FATAL(mkdtemp(t->base) != NULL);
	snprintf(t->dir, sizeof(t->dir), "%s/state/sub", t->base);
}

static void
rm_rf(const char *path)
{
	char child[PATH_MAX];
	struct dirent *de;
	struct stat sb;
	DIR *d;

	if (lstat(path, &sb) != 0)
		return;
	if (S_ISDIR(sb.st_mode)) {
		d = opendir(path);
		if (d != NULL) {
			while ((de = readdir(d)) != NULL) {
				if (strcmp(de->d_name, ".") == 0 ||
				    strcmp(de->d_name, "..") == 0)
					continue;
				snprintf(child, sizeof(child), "%s/%s", path,
					 de->d_name);
				rm_rf(child);
			}
			closedir(d);
		}
		rmdir(path);
	} else {
		unlink(path);
	}
}

static void
tmp_done(struct tmp *t)
{
	rm_rf(t->base);
}

static void
pfx(struct ctl_prefix *p, const char *s)
{
	CU_ASSERT_FATAL(ctl_prefix_parse(s, strlen(s), p, NULL) == 0);
}

/* Add list name with the given prefixes (NULL-terminated) to rs. */
static struct ctl_list *
add_list(struct ctl_ruleset *rs, const char *name, uint16_t action,
	 uint16_t match, const char *const *prefixes)
{
	struct ctl_list *l = NULL;
	struct ctl_prefix p;

	CU_ASSERT_FATAL(ctl_ruleset_add_list(rs, name, action, match, &l) == 0);
	for (; prefixes != NULL && *prefixes != NULL; prefixes++) {
		pfx(&p, *prefixes);
		CU_ASSERT_FATAL(ctl_prefix_set_add(&l->set, &p) == 0);
	}
	ctl_prefix_set_sort_unique(&l->set);
	return l;
}

/* FULL image of rs as generation gen (parent gen - 1). */
static void *
full_image(const struct ctl_ruleset *rs, uint64_t gen, size_t *len)
{
	struct ctl_image_meta m;
	void *img = NULL;

	memset(&m, 0, sizeof(m));
	m.generation = gen;
	m.parent_gen = gen - 1;
	m.created_ns = 1;
	snprintf(m.comment, sizeof(m.comment), "test gen %" PRIu64, gen);
	CU_ASSERT_FATAL(ctl_image_write_full(rs, &m, &img, len) == 0);
	return img;
}

/* A small ruleset whose content depends on k. */
static void
sample_rs(struct ctl_ruleset *rs, unsigned int k)
{
	static const char *const v[] = {"192.0.2.0/24", "2001:db8::/32", NULL};
	struct ctl_prefix p;
	struct ctl_list *l;
	char s[32];

	memset(rs, 0, sizeof(*rs));
	l = add_list(rs, "blocked", BW_ACTION_DROP, BW_MATCH_ANY, v);
	snprintf(s, sizeof(s), "10.%u.0.0/16", k % 256);
	pfx(&p, s);
	CU_ASSERT_FATAL(ctl_prefix_set_add(&l->set, &p) == 0);
	ctl_prefix_set_sort_unique(&l->set);
}

static void
write_gen(struct ctl_state *st, uint64_t gen)
{
	struct ctl_ruleset rs;
	size_t len;
	void *img;

	sample_rs(&rs, (unsigned int)gen);
	img = full_image(&rs, gen, &len);
	CU_ASSERT_EQUAL(ctl_state_write(st, img, len, gen), 0);
	free(img);
	ctl_ruleset_free(&rs);
}

static int
sets_equal(const struct ctl_prefix_set *a, const struct ctl_prefix_set *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (ctl_prefix_cmp(&a->v[i], &b->v[i]) != 0)
			return 0;
	return 1;
}

static void
test_write_read(void)
{
	struct ctl_ruleset rs, back;
	struct ctl_image_meta m;
	char path[PATH_MAX], why[BW_IMAGE_WHY_LEN];
	struct ctl_state st;
	uint64_t *gens;
	struct stat sb;
	struct tmp t;
	size_t n, len;
	void *img;

	tmp_make(&t);
	/* a reader of a missing directory sees an empty state */
	CU_ASSERT_EQUAL(ctl_state_open(&st, t.dir, 0, NULL), 0);
	CU_ASSERT_EQUAL(st.dir_fd, -1);
	CU_ASSERT_EQUAL(ctl_state_newest(&st, &rs, NULL, NULL), 0);
	CU_ASSERT_EQUAL(rs.generation, 0);
	CU_ASSERT_EQUAL(rs.nb_lists, 0);
	ctl_state_close(&st);

	CU_ASSERT_FATAL(ctl_state_open(&st, t.dir, 1, NULL) == 0);
	CU_ASSERT_EQUAL(stat(t.dir, &sb), 0);
	CU_ASSERT(S_ISDIR(sb.st_mode));
	CU_ASSERT_EQUAL(sb.st_mode & 07777, CTL_STATE_DIR_MODE);

	sample_rs(&rs, 7);
	img = full_image(&rs, 1, &len);
	CU_ASSERT_EQUAL(ctl_state_write(&st, img, len, 1), 0);
	free(img);
	CU_ASSERT_EQUAL(ctl_state_path(&st, 1, path, sizeof(path)), 0);
	CU_ASSERT(strstr(path, "/gen-00000000000000000001.img") != NULL);
	CU_ASSERT_EQUAL(stat(path, &sb), 0);
	CU_ASSERT_EQUAL(sb.st_mode & 07777, CTL_STATE_FILE_MODE);

	CU_ASSERT_EQUAL(ctl_state_read(&st, 1, &back, &m, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(back.generation, 1);
	CU_ASSERT_EQUAL(back.nb_lists, 1);
	CU_ASSERT_STRING_EQUAL(back.lists[0].name, "blocked");
	CU_ASSERT(sets_equal(&back.lists[0].set, &rs.lists[0].set));
	CU_ASSERT_STRING_EQUAL(m.comment, "test gen 1");
	ctl_ruleset_free(&back);

	/* no pending file is left behind, and it is no generation */
	CU_ASSERT_EQUAL(ctl_state_pending(&st, &gens, &n), 0);
	CU_ASSERT_EQUAL(n, 0);
	free(gens);
	img = full_image(&rs, 2, &len);
	CU_ASSERT_EQUAL(ctl_state_prepare(&st, img, len, 2), 0);
	free(img);
	CU_ASSERT_EQUAL(ctl_state_gens(&st, &gens, &n), 0);
	CU_ASSERT_EQUAL(n, 1);
	free(gens);
	CU_ASSERT_EQUAL(ctl_state_pending(&st, &gens, &n), 0);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT(n == 1 && gens[0] == 2);
	free(gens);
	CU_ASSERT_EQUAL(ctl_state_publish(&st, 2), 0);
	CU_ASSERT_EQUAL(ctl_state_gens(&st, &gens, &n), 0);
	CU_ASSERT(n == 2 && gens[0] == 1 && gens[1] == 2);
	free(gens);
	CU_ASSERT_EQUAL(ctl_state_pending(&st, &gens, &n), 0);
	CU_ASSERT_EQUAL(n, 0);
	free(gens);
	CU_ASSERT_EQUAL(ctl_state_read(&st, 9, &back, NULL, why, sizeof(why)),
			-ENOENT);

	ctl_ruleset_free(&rs);
	ctl_state_close(&st);
	tmp_done(&t);
}

static void
test_lock(void)
{
	char path[PATH_MAX];
	struct ctl_state st;
	struct tmp t;
	int fd;

	tmp_make(&t);
	CU_ASSERT_FATAL(ctl_state_open(&st, t.dir, 1, NULL) == 0);
	snprintf(path, sizeof(path), "%s/" BW_STATE_LOCK_FILE, t.dir);
	fd = open(path, O_RDONLY);
	CU_ASSERT_FATAL(fd >= 0);
	/* another open file description: conflicts like another process */
	CU_ASSERT_EQUAL(flock(fd, LOCK_SH | LOCK_NB), -1);
	CU_ASSERT_EQUAL(errno, EWOULDBLOCK);
	ctl_state_close(&st);
	CU_ASSERT_EQUAL(flock(fd, LOCK_EX | LOCK_NB), 0);
	close(fd);
	tmp_done(&t);
}

/* Flip one byte of a generation's file at offset off. */
static void
corrupt(struct ctl_state *st, uint64_t gen, long off)
{
	char path[PATH_MAX];
	FILE *f;
	int c;

	CU_ASSERT_FATAL(ctl_state_path(st, gen, path, sizeof(path)) == 0);
	f = fopen(path, "r+b");
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_FATAL(fseek(f, off, SEEK_SET) == 0);
	c = fgetc(f);
	CU_ASSERT_FATAL(fseek(f, off, SEEK_SET) == 0);
	fputc(c ^ 0x5a, f);
	fclose(f);
}

static void
test_newest_corrupt_skipped(void)
{
	char path[PATH_MAX], *msg = NULL;
	struct ctl_image_meta m;
	struct ctl_ruleset rs;
	struct ctl_state st;
	size_t msg_len = 0, len;
	uint64_t max_gen;
	struct tmp t;
	FILE *warn;
	void *img;

	tmp_make(&t);
	warn = open_memstream(&msg, &msg_len);
	CU_ASSERT_FATAL(warn != NULL);
	CU_ASSERT_FATAL(ctl_state_open(&st, t.dir, 1, warn) == 0);
	write_gen(&st, 1);
	write_gen(&st, 2);
	write_gen(&st, 3);
	CU_ASSERT_EQUAL(ctl_state_newest(&st, &rs, &m, &max_gen), 0);
	CU_ASSERT_EQUAL(rs.generation, 3);
	CU_ASSERT_EQUAL(m.generation, 3);
	CU_ASSERT_EQUAL(max_gen, 3);
	ctl_ruleset_free(&rs);

	/* 4: a body byte flipped (CRC); 5: generation 3's bytes */
	write_gen(&st, 4);
	corrupt(&st, 4, (long)sizeof(struct bw_image_hdr) + 40);
	CU_ASSERT_FATAL(ctl_state_path(&st, 3, path, sizeof(path)) == 0);
	CU_ASSERT_FATAL(ctl_image_load_file(path, &img, &len) == 0);
	CU_ASSERT_FATAL(ctl_state_prepare(&st, img, len, 5) == 0);
	CU_ASSERT_FATAL(ctl_state_publish(&st, 5) == 0);
	free(img);

	CU_ASSERT_EQUAL(ctl_state_newest(&st, &rs, NULL, &max_gen), 0);
	CU_ASSERT_EQUAL(rs.generation, 3);
	CU_ASSERT_EQUAL(max_gen, 5);
	ctl_ruleset_free(&rs);
	fflush(warn);
	CU_ASSERT_FATAL(msg != NULL);
	CU_ASSERT(strstr(msg, "warning: skipping ") != NULL);
	CU_ASSERT(strstr(msg, "gen-00000000000000000005.img: the file name "
			      "says generation 5, its header 3") != NULL);
	CU_ASSERT(strstr(msg, "gen-00000000000000000004.img: ") != NULL);
	CU_ASSERT(strstr(msg, "crc") != NULL || strstr(msg, "CRC") != NULL);

	/* a stray name that is not ours is no generation */
	snprintf(path, sizeof(path), "%s/gen-9.img", t.dir);
	fclose(fopen(path, "w"));
	CU_ASSERT_EQUAL(ctl_state_newest(&st, &rs, NULL, &max_gen), 0);
	CU_ASSERT_EQUAL(max_gen, 5);
	ctl_ruleset_free(&rs);

	/* every generation bad: an empty ruleset, generation 0 */
	corrupt(&st, 1, 0);
	corrupt(&st, 2, 0);
	corrupt(&st, 3, 0);
	CU_ASSERT_EQUAL(ctl_state_newest(&st, &rs, NULL, &max_gen), 0);
	CU_ASSERT_EQUAL(rs.generation, 0);
	CU_ASSERT_EQUAL(rs.nb_lists, 0);
	CU_ASSERT_EQUAL(max_gen, 5);

	ctl_state_close(&st);
	fclose(warn);
	free(msg);
	tmp_done(&t);
}

static void
test_prune(void)
{
	struct ctl_state st;
	uint64_t *gens, g;
	struct tmp t;
	size_t n, i;

	tmp_make(&t);
	CU_ASSERT_FATAL(ctl_state_open(&st, t.dir, 1, NULL) == 0);
	for (g = 1; g <= CTL_STATE_KEEP + 8; g++)
		write_gen(&st, g);
	CU_ASSERT_EQUAL(ctl_state_prune(&st, CTL_STATE_KEEP), 8);
	CU_ASSERT_EQUAL(ctl_state_gens(&st, &gens, &n), 0);
	CU_ASSERT_EQUAL(n, CTL_STATE_KEEP);
	for (i = 0; i < n; i++)
		CU_ASSERT_EQUAL(gens[i], 9 + i);
	free(gens);
	CU_ASSERT_EQUAL(ctl_state_prune(&st, CTL_STATE_KEEP), 0);
	/* never the newest, whatever keep says */
	CU_ASSERT_EQUAL(ctl_state_prune(&st, 0), CTL_STATE_KEEP - 1);
	CU_ASSERT_EQUAL(ctl_state_gens(&st, &gens, &n), 0);
	CU_ASSERT(n == 1 && gens[0] == CTL_STATE_KEEP + 8);
	free(gens);
	ctl_state_close(&st);
	tmp_done(&t);
}

static void
test_audit(void)
{
	char line[2048], path[PATH_MAX], *msg = NULL;
	struct bw_audit_rec r, back, *recs;
	struct ctl_state st;
	size_t n, msg_len = 0;
	struct tmp t;
	FILE *f, *warn;

	memset(&r, 0, sizeof(r));
	r.gen = 12;
	r.parent = 11;
	r.time_s = 1737109353; /* 2025-01-17T10:22:33Z */
	r.uid = 1000;
	snprintf(r.user, sizeof(r.user), "alice");
	snprintf(r.how, sizeof(r.how), BW_HOW_DELTA);
	snprintf(r.op, sizeof(r.op), "list add blocked 192.0.2.1/32\tx\ny");
	CU_ASSERT_EQUAL(bw_audit_format(&r, line, sizeof(line)), 0);
	CU_ASSERT_STRING_EQUAL(line, "12\t11\t2025-01-17T10:22:33Z\t1000\t"
				     "alice\tapplied-delta\tlist add blocked "
				     "192.0.2.1/32 x y\n");
	CU_ASSERT_EQUAL(bw_audit_parse(line, strlen(line), &back), 0);
	CU_ASSERT_EQUAL(back.gen, 12);
	CU_ASSERT_EQUAL(back.parent, 11);
	CU_ASSERT_EQUAL(back.time_s, 1737109353);
	CU_ASSERT_EQUAL(back.uid, 1000);
	CU_ASSERT_STRING_EQUAL(back.user, "alice");
	CU_ASSERT_STRING_EQUAL(back.how, "applied-delta");
	CU_ASSERT_STRING_EQUAL(back.op, "list add blocked 192.0.2.1/32 x y");
	CU_ASSERT_EQUAL(bw_audit_format(&r, line, 20), -ENOSPC);
	snprintf(line, sizeof(line), "12\t11\tyesterday\t0\tu\th\top\n");
	CU_ASSERT_EQUAL(bw_audit_parse(line, strlen(line), &back), -EINVAL);
	snprintf(line, sizeof(line), "12\t11");
	CU_ASSERT_EQUAL(bw_audit_parse(line, strlen(line), &back), -EINVAL);
	snprintf(line, sizeof(line),
		 "x\t11\t2025-01-17T10:22:33Z\t0\tu\th\top\n");
	CU_ASSERT_EQUAL(bw_audit_parse(line, strlen(line), &back), -EINVAL);

	tmp_make(&t);
	CU_ASSERT_FATAL(ctl_state_open(&st, t.dir, 1, NULL) == 0);
	CU_ASSERT_EQUAL(ctl_state_audit_read(&st, &recs, &n), 0);
	CU_ASSERT_EQUAL(n, 0);
	free(recs);
	CU_ASSERT_EQUAL(ctl_state_audit_append(&st, &r), 0);
	r.gen = 13;
	r.parent = 12;
	snprintf(r.how, sizeof(r.how), BW_HOW_STAGED);
	snprintf(r.op, sizeof(r.op), "list drop blocked (-1)");
	CU_ASSERT_EQUAL(ctl_state_audit_append(&st, &r), 0);

	snprintf(path, sizeof(path), "%s/" BW_STATE_AUDIT_FILE, t.dir);
	f = fopen(path, "r");
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT(fgets(line, sizeof(line), f) != NULL);
	CU_ASSERT_STRING_EQUAL(line, "12\t11\t2025-01-17T10:22:33Z\t1000\t"
				     "alice\tapplied-delta\tlist add blocked "
				     "192.0.2.1/32 x y\n");
	CU_ASSERT(fgets(line, sizeof(line), f) != NULL);
	CU_ASSERT_STRING_EQUAL(line, "13\t12\t2025-01-17T10:22:33Z\t1000\t"
				     "alice\tstaged\tlist drop blocked (-1)\n");
	CU_ASSERT(fgets(line, sizeof(line), f) == NULL);
	fclose(f);

	/* a malformed line is skipped with a warning naming it */
	f = fopen(path, "a");
	CU_ASSERT_FATAL(f != NULL);
	fputs("garbage\n", f);
	fclose(f);
	warn = open_memstream(&msg, &msg_len);
	CU_ASSERT_FATAL(warn != NULL);
	st.warn = warn;
	CU_ASSERT_EQUAL(ctl_state_audit_read(&st, &recs, &n), 0);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT(n == 2 && recs[0].gen == 12 && recs[1].gen == 13);
	free(recs);
	fclose(warn);
	CU_ASSERT(msg != NULL && strstr(msg, "audit.log:3: malformed line "
					     "skipped") != NULL);
	free(msg);

	/* bw_audit_self() names the caller */
	memset(&r, 0, sizeof(r));
	bw_audit_self(&r);
	CU_ASSERT_EQUAL(r.uid, (uint32_t)getuid());
	CU_ASSERT(r.user[0] != '\0');
	CU_ASSERT(r.time_s > 1600000000);
	bw_audit_set_uid(&r, 0);
	CU_ASSERT_EQUAL(r.uid, 0);
	CU_ASSERT_STRING_EQUAL(r.user, "root");
	/* a uid without a name is written as its number */
	bw_audit_set_uid(&r, 3999999999u);
	CU_ASSERT_STRING_EQUAL(r.user, "3999999999");

	ctl_state_close(&st);
	tmp_done(&t);
}

/* Base ruleset of the plan tests: two lists. */
static void
plan_base(struct ctl_ruleset *rs)
{
	static const char *const a[] = {"10.0.0.0/8", "192.0.2.0/24",
					"2001:db8::/32", NULL};
	static const char *const b[] = {"10.1.0.0/16", NULL};

	memset(rs, 0, sizeof(*rs));
	add_list(rs, "blocked", BW_ACTION_DROP, BW_MATCH_ANY, a);
	add_list(rs, "ours", BW_ACTION_ALLOW, BW_MATCH_SRC, b);
	rs->generation = 1;
}

static void
set_put(struct ctl_list *l, const char *s)
{
	struct ctl_prefix p;

	pfx(&p, s);
	CU_ASSERT_FATAL(ctl_prefix_set_add(&l->set, &p) == 0);
	ctl_prefix_set_sort_unique(&l->set);
}

static void
set_remove(struct ctl_list *l, const char *s)
{
	struct ctl_prefix p;
	int i;

	pfx(&p, s);
	i = ctl_prefix_set_find(&l->set, &p);
	CU_ASSERT_FATAL(i >= 0);
	memmove(&l->set.v[i], &l->set.v[i + 1],
		(l->set.n - (size_t)i - 1) * sizeof(l->set.v[0]));
	l->set.n--;
}

/*
 * The DELTA of base -> cur must be what the dataplane accepts against
 * base's FULL image, and leave its model equal to cur's FULL image's.
 */
static void
delta_accepted(const struct ctl_ruleset *base, const struct ctl_ruleset *cur,
	       const struct ctl_delta_entry *d, size_t nb)
{
	struct bw_model m_base, m_cur;
	struct bw_image_view v, vd;
	struct ctl_image_meta meta;
	char why[BW_IMAGE_WHY_LEN];
	size_t len_b, len_c, len_d;
	void *ib, *ic, *id = NULL;
	struct bw_ops ops;
	int act, fam;

	ib = full_image(base, 1, &len_b);
	ic = full_image(cur, 2, &len_c);
	memset(&meta, 0, sizeof(meta));
	meta.generation = 2;
	meta.parent_gen = 1;
	CU_ASSERT_FATAL(ctl_image_write_delta(cur, d, nb, &meta, &id, &len_d) ==
			0);
	CU_ASSERT_FATAL(bw_image_validate(ib, len_b, &v, NULL, 0) == 0);
	CU_ASSERT_FATAL(bw_model_from_full(&v, &m_base) == 0);
	CU_ASSERT_FATAL(bw_image_validate(id, len_d, &vd, why, sizeof(why)) ==
			0);
	memset(&ops, 0, sizeof(ops));
	CU_ASSERT_EQUAL(
		bw_model_apply_delta(&m_base, &vd, &ops, why, sizeof(why)), 0);
	CU_ASSERT_FATAL(bw_image_validate(ic, len_c, &v, NULL, 0) == 0);
	CU_ASSERT_FATAL(bw_model_from_full(&v, &m_cur) == 0);
	for (act = 0; act < BW_ACT_COUNT; act++) {
		for (fam = 0; fam < BW_FAM_COUNT; fam++) {
			const struct bw_rtable *x = &m_base.tab[act][fam];
			const struct bw_rtable *y = &m_cur.tab[act][fam];
			uint32_t i;

			CU_ASSERT_EQUAL_FATAL(x->n, y->n);
			for (i = 0; i < x->n; i++) {
				CU_ASSERT_EQUAL(x->r[i].len, y->r[i].len);
				CU_ASSERT_EQUAL(x->r[i].nh, y->r[i].nh);
				CU_ASSERT(memcmp(x->r[i].addr, y->r[i].addr,
						 16) == 0);
			}
		}
	}
	bw_ops_free(&ops);
	bw_model_free(&m_base);
	bw_model_free(&m_cur);
	free(ib);
	free(ic);
	free(id);
}

static void
test_plan(void)
{
	struct ctl_ruleset base, cur;
	struct ctl_delta_entry *d;
	char s[32];
	size_t nb;
	int i;

	plan_base(&base);
	CU_ASSERT_FATAL(ctl_ruleset_dup(&cur, &base) == 0);
	CU_ASSERT_EQUAL(ctl_txn_plan(&base, &cur, 0, 100, &d, &nb),
			CTL_PLAN_NOOP);
	CU_ASSERT_PTR_NULL(d);
	/* structural with nothing changed (drop and re-create): no-op */
	CU_ASSERT_EQUAL(ctl_txn_plan(&base, &cur, 1, 100, &d, &nb),
			CTL_PLAN_NOOP);

	/* one addition: a delta with one ADD in the right list */
	set_put(&cur.lists[1], "198.51.100.7/32");
	CU_ASSERT_EQUAL(ctl_txn_plan(&base, &cur, 0, 100, &d, &nb),
			CTL_PLAN_DELTA);
	CU_ASSERT_FATAL(nb == 1);
	CU_ASSERT_EQUAL(d[0].list, 1);
	CU_ASSERT_EQUAL(d[0].op, BW_OP_ADD);
	CU_ASSERT_EQUAL(d[0].p.len, 32);
	delta_accepted(&base, &cur, d, nb);
	free(d);

	/* added, then removed again: nothing */
	set_remove(&cur.lists[1], "198.51.100.7/32");
	CU_ASSERT_EQUAL(ctl_txn_plan(&base, &cur, 0, 100, &d, &nb),
			CTL_PLAN_NOOP);

	/* a removal and additions in both lists and families */
	set_remove(&cur.lists[0], "192.0.2.0/24");
	set_put(&cur.lists[0], "2001:db8:1::/48");
	set_put(&cur.lists[1], "10.2.0.0/16");
	CU_ASSERT_EQUAL(ctl_txn_plan(&base, &cur, 0, 100, &d, &nb),
			CTL_PLAN_DELTA);
	CU_ASSERT_EQUAL(nb, 3);
	delta_accepted(&base, &cur, d, nb);
	free(d);

	/* exactly delta_max changes: delta; one more: full */
	CU_ASSERT_EQUAL(ctl_txn_plan(&base, &cur, 0, 3, &d, &nb),
			CTL_PLAN_DELTA);
	free(d);
	CU_ASSERT_EQUAL(ctl_txn_plan(&base, &cur, 0, 2, &d, &nb),
			CTL_PLAN_FULL);
	CU_ASSERT_PTR_NULL(d);
	/* a structural change forces a full image */
	CU_ASSERT_EQUAL(ctl_txn_plan(&base, &cur, 1, 100, &d, &nb),
			CTL_PLAN_FULL);
	CU_ASSERT_PTR_NULL(d);
	ctl_ruleset_free(&cur);

	/* many changes: full above the limit */
	CU_ASSERT_FATAL(ctl_ruleset_dup(&cur, &base) == 0);
	for (i = 0; i < 300; i++) {
		snprintf(s, sizeof(s), "172.16.%d.%d/32", i / 256, i % 256);
		set_put(&cur.lists[0], s);
	}
	CU_ASSERT_EQUAL(ctl_txn_plan(&base, &cur, 0, 300, &d, &nb),
			CTL_PLAN_DELTA);
	CU_ASSERT_EQUAL(nb, 300);
	delta_accepted(&base, &cur, d, nb);
	free(d);
	CU_ASSERT_EQUAL(ctl_txn_plan(&base, &cur, 0, 299, &d, &nb),
			CTL_PLAN_FULL);
	ctl_ruleset_free(&cur);

	/* a re-typed list: full, even without prefix changes */
	CU_ASSERT_FATAL(ctl_ruleset_dup(&cur, &base) == 0);
	cur.lists[0].match = BW_MATCH_DST;
	CU_ASSERT_EQUAL(ctl_txn_plan(&base, &cur, 0, 100, &d, &nb),
			CTL_PLAN_FULL);
	cur.lists[0].match = BW_MATCH_ANY;
	cur.lists[1].action = BW_ACTION_DROP;
	CU_ASSERT_EQUAL(ctl_txn_plan(&base, &cur, 0, 100, &d, &nb),
			CTL_PLAN_FULL);
	ctl_ruleset_free(&cur);

	/* a new list, a dropped list: full */
	CU_ASSERT_FATAL(ctl_ruleset_dup(&cur, &base) == 0);
	add_list(&cur, "new", BW_ACTION_DROP, BW_MATCH_ANY, NULL);
	CU_ASSERT_EQUAL(ctl_txn_plan(&base, &cur, 0, 100, &d, &nb),
			CTL_PLAN_FULL);
	ctl_ruleset_free(&cur);
	CU_ASSERT_FATAL(ctl_ruleset_dup(&cur, &base) == 0);
	CU_ASSERT_EQUAL(ctl_ruleset_del_list(&cur, "ours"), 0);
	CU_ASSERT_EQUAL(ctl_txn_plan(&base, &cur, 0, 100, &d, &nb),
			CTL_PLAN_FULL);
	ctl_ruleset_free(&cur);
	ctl_ruleset_free(&base);
}

/*
 * Nested lists, ids 0..5:
 *   0 wide      drop  any  10.0.0.0/8
 *   1 src16     drop  src  10.1.0.0/16
 *   2 okdst24   allow dst  10.1.2.0/24
 *   3 blk24     drop  any  10.1.2.0/24
 *   4 dup16     drop  any  10.1.0.0/16      (ties with 1 on sources)
 *   5 v6        allow any  2001:db8::/32 ; drop from 6 below
 *   6 v6blk     drop  any  2001:db8:1::/48, 2001:db8:1:2::/64
 *   7 dst32     drop  dst  10.9.9.9/32
 *   8 oksrc     allow src  10.9.0.0/16, 10.9.9.0/24
 */
static void
lookup_rs(struct ctl_ruleset *rs)
{
	static const char *const wide[] = {"10.0.0.0/8", NULL};
	static const char *const src16[] = {"10.1.0.0/16", NULL};
	static const char *const okdst24[] = {"10.1.2.0/24", NULL};
	static const char *const blk24[] = {"10.1.2.0/24", NULL};
	static const char *const dup16[] = {"10.1.0.0/16", NULL};
	static const char *const v6[] = {"2001:db8::/32", NULL};
	static const char *const v6blk[] = {"2001:db8:1::/48",
					    "2001:db8:1:2::/64", NULL};
	static const char *const dst32[] = {"10.9.9.9/32", NULL};
	static const char *const oksrc[] = {"10.9.0.0/16", "10.9.9.0/24", NULL};

	memset(rs, 0, sizeof(*rs));
	add_list(rs, "wide", BW_ACTION_DROP, BW_MATCH_ANY, wide);
	add_list(rs, "src16", BW_ACTION_DROP, BW_MATCH_SRC, src16);
	add_list(rs, "okdst24", BW_ACTION_ALLOW, BW_MATCH_DST, okdst24);
	add_list(rs, "blk24", BW_ACTION_DROP, BW_MATCH_ANY, blk24);
	add_list(rs, "dup16", BW_ACTION_DROP, BW_MATCH_ANY, dup16);
	add_list(rs, "v6", BW_ACTION_ALLOW, BW_MATCH_ANY, v6);
	add_list(rs, "v6blk", BW_ACTION_DROP, BW_MATCH_ANY, v6blk);
	add_list(rs, "dst32", BW_ACTION_DROP, BW_MATCH_DST, dst32);
	add_list(rs, "oksrc", BW_ACTION_ALLOW, BW_MATCH_SRC, oksrc);
	rs->generation = 1;
}

/*
 * Look s up on side; check the deciding list's name ("" for none), its
 * prefix, the verdict and the number of lists that contain s.
 */
static void
expect(const struct ctl_ruleset *rs, const char *s, int side,
       const char *decider, const char *prefix, int drop, uint32_t nb_hits)
{
	struct ctl_lookup_side out;
	char got[CTL_PREFIX_STR_LEN];
	struct ctl_prefix p;

	pfx(&p, s);
	ctl_lookup_side(rs, p.family, p.addr, side, &out);
	CU_ASSERT_EQUAL(out.nb_hits, nb_hits);
	CU_ASSERT_EQUAL(out.drop, drop);
	if (decider[0] == '\0') {
		CU_ASSERT_EQUAL(out.decider, -1);
		return;
	}
	CU_ASSERT_FATAL(out.decider >= 0);
	CU_ASSERT_STRING_EQUAL(rs->lists[out.hits[out.decider].index].name,
			       decider);
	ctl_prefix_format(&out.hits[out.decider].match, got, sizeof(got));
	CU_ASSERT_STRING_EQUAL(got, prefix);
}

static void
test_lookup_semantics(void)
{
	struct ctl_ruleset rs;
	struct ctl_lookup_side out;
	struct ctl_prefix p;
	uint32_t i;

	lookup_rs(&rs);
	/* source: the allow list matches destinations only; /24 block wins */
	expect(&rs, "10.1.2.3", CTL_SIDE_SRC, "blk24", "10.1.2.0/24", 1, 5);
	/* destination: allow wins over the longer-or-equal block lists */
	expect(&rs, "10.1.2.3", CTL_SIDE_DST, "okdst24", "10.1.2.0/24", 0, 5);
	/* tie at /16 on sources: lowest id; src16 does not count on dst */
	expect(&rs, "10.1.9.9", CTL_SIDE_SRC, "src16", "10.1.0.0/16", 1, 3);
	expect(&rs, "10.1.9.9", CTL_SIDE_DST, "dup16", "10.1.0.0/16", 1, 3);
	expect(&rs, "10.200.0.1", CTL_SIDE_SRC, "wide", "10.0.0.0/8", 1, 1);
	expect(&rs, "10.200.0.1", CTL_SIDE_DST, "wide", "10.0.0.0/8", 1, 1);
	expect(&rs, "11.0.0.1", CTL_SIDE_SRC, "", "", 0, 0);
	expect(&rs, "11.0.0.1", CTL_SIDE_DST, "", "", 0, 0);
	/* /32 destination block; as a source an allow /24 beats it */
	expect(&rs, "10.9.9.9", CTL_SIDE_DST, "dst32", "10.9.9.9/32", 1, 3);
	expect(&rs, "10.9.9.9", CTL_SIDE_SRC, "oksrc", "10.9.9.0/24", 0, 3);
	/* allow wins even with a shorter prefix than the block */
	expect(&rs, "2001:db8:1:2::1", CTL_SIDE_SRC, "v6", "2001:db8::/32", 0,
	       2);
	expect(&rs, "2001:db8:1:2::1", CTL_SIDE_DST, "v6", "2001:db8::/32", 0,
	       2);
	expect(&rs, "2001:db9::1", CTL_SIDE_SRC, "", "", 0, 0);
	/* IPv4 lists never match an IPv4-mapped IPv6 address */
	expect(&rs, "::ffff:10.1.2.3", CTL_SIDE_SRC, "", "", 0, 0);

	/* the longest prefix of a list is reported, and counts marked */
	pfx(&p, "2001:db8:1:2::1");
	ctl_lookup_side(&rs, p.family, p.addr, CTL_SIDE_SRC, &out);
	for (i = 0; i < out.nb_hits; i++) {
		char got[CTL_PREFIX_STR_LEN];

		ctl_prefix_format(&out.hits[i].match, got, sizeof(got));
		if (strcmp(rs.lists[out.hits[i].index].name, "v6blk") == 0)
			CU_ASSERT_STRING_EQUAL(got, "2001:db8:1:2::/64");
		CU_ASSERT_EQUAL(out.hits[i].counts, 1);
	}
	pfx(&p, "10.1.2.3");
	ctl_lookup_side(&rs, p.family, p.addr, CTL_SIDE_SRC, &out);
	for (i = 0; i < out.nb_hits; i++)
		CU_ASSERT_EQUAL(out.hits[i].counts,
				strcmp(rs.lists[out.hits[i].index].name,
				       "okdst24") != 0);
	ctl_ruleset_free(&rs);
}

/* The deciding list id of the dataplane model for one side, or -1. */
static int
model_decider(const struct bw_model *m, int fam, const uint8_t *addr, int side,
	      int *drop)
{
	uint64_t nh;
	int id;

	nh = bw_model_lookup(m, BW_ACT_ALLOW, fam, addr);
	id = side == CTL_SIDE_SRC ? bw_nh_src(nh) : bw_nh_dst(nh);
	*drop = 0;
	if (id >= 0)
		return id;
	nh = bw_model_lookup(m, BW_ACT_BLOCK, fam, addr);
	id = side == CTL_SIDE_SRC ? bw_nh_src(nh) : bw_nh_dst(nh);
	*drop = id >= 0;
	return id;
}

static uint32_t
rnd(uint64_t *s)
{
	/* xorshift64*: reproducible without libc's rand() state */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return (uint32_t)((*s * 0x2545f4914f6cdd1dull) >> 32);
}

static void
test_lookup_vs_model(void)
{
	static const char *const bases[] = {"10.1.2.0",	      "10.1.0.0",
					    "10.9.9.0",	      "10.0.0.0",
					    "2001:db8:1:2::", "2001:db8::"};
	struct ctl_lookup_side out;
	struct bw_image_view v;
	struct ctl_ruleset rs;
	struct ctl_prefix p;
	struct bw_model m;
	uint64_t seed = 42;
	int side, k, drop, id, mismatches = 0;
	size_t len;
	void *img;

	lookup_rs(&rs);
	img = full_image(&rs, 1, &len);
	CU_ASSERT_FATAL(bw_image_validate(img, len, &v, NULL, 0) == 0);
	CU_ASSERT_FATAL(bw_model_from_full(&v, &m) == 0);
	for (k = 0; k < 20000; k++) {
		uint32_t r = rnd(&seed);

		pfx(&p, bases[r % 6]);
		/* randomize the low bits around each interesting prefix */
		if (p.family == CTL_PREFIX_V4) {
			p.addr[1] ^= (uint8_t)((r >> 8) & 0x0f ? 0 : r >> 16);
			p.addr[2] ^= (uint8_t)((r >> 4) & 0x3 ? 0 : r >> 24);
			p.addr[3] = (uint8_t)(r >> 12);
		} else {
			p.addr[5] ^= (uint8_t)((r >> 8) & 0x7 ? 0 : r >> 16);
			p.addr[7] ^= (uint8_t)((r >> 4) & 0x3 ? 0 : r >> 24);
			p.addr[15] = (uint8_t)(r >> 12);
		}
		for (side = CTL_SIDE_SRC; side <= CTL_SIDE_DST; side++) {
			ctl_lookup_side(&rs, p.family, p.addr, side, &out);
			id = model_decider(&m,
					   p.family == CTL_PREFIX_V4
						   ? BW_FAM_V4
						   : BW_FAM_V6,
					   p.addr, side, &drop);
			if (id != (out.decider >= 0
					   ? (int)rs.lists[out.hits[out.decider]
								   .index]
						     .id
					   : -1) ||
			    drop != out.drop)
				mismatches++;
		}
	}
	CU_ASSERT_EQUAL(mismatches, 0);
	bw_model_free(&m);
	free(img);
	ctl_ruleset_free(&rs);
}

static void
test_names(void)
{
	uint16_t v;

	CU_ASSERT_STRING_EQUAL(ctl_action_name(BW_ACTION_DROP), "drop");
	CU_ASSERT_STRING_EQUAL(ctl_action_name(BW_ACTION_ALLOW), "allow");
	CU_ASSERT_STRING_EQUAL(ctl_match_name(BW_MATCH_ANY), "any");
	CU_ASSERT_EQUAL(ctl_action_parse("allow", &v), 0);
	CU_ASSERT_EQUAL(v, BW_ACTION_ALLOW);
	CU_ASSERT_EQUAL(ctl_match_parse("dst", &v), 0);
	CU_ASSERT_EQUAL(v, BW_MATCH_DST);
	CU_ASSERT_EQUAL(ctl_match_parse("both", &v), -EINVAL);
	CU_ASSERT_EQUAL(ctl_action_parse("block", &v), -EINVAL);
}

static const struct bw_cunit_test tests[] = {
	{"write, read, pending, modes", test_write_read},
	{"commit lock", test_lock},
	{"newest with corrupt newer ones skipped", test_newest_corrupt_skipped},
	{"prune", test_prune},
	{"audit lines", test_audit},
	{"commit plan: delta or full", test_plan},
	{"lookup semantics", test_lookup_semantics},
	{"lookup against the dataplane model", test_lookup_vs_model},
	{"action and match names", test_names},
};

/* Returns 0 when every assertion passed, 1 otherwise (CUnit error too). */
int
main(void)
{
	return BW_CUNIT_RUN("state", tests);
}
