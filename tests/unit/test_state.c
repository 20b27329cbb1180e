/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the state directory (control/commit/ctl_state.c,
 * lib/statedir.c): atomic writes and modes, pending generations, newest
 * valid generation with corrupt newer ones skipped, pruning with keep, the
 * audit log's exact lines, the commit lock. The commit plan is
 * test_state_plan.c, the lookup oracle test_state_lookup.c.
 *
 * Every test works in its own directory under $TMPDIR (or /tmp).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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
#include "ctl_state.h"
#include "bw_image_view.h"
#include "test_state_util.h"

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

/* A small ruleset whose content depends on k. */
static void
sample_rs(struct ctl_ruleset *rs, unsigned int k)
{
	static const char *const v[] = {"192.0.2.0/24", "2001:db8::/32", NULL};
	struct ctl_list *l;
	char s[32];

	memset(rs, 0, sizeof(*rs));
	l = state_add_list(rs, "blocked", BW_ACTION_DROP, BW_MATCH_ANY, v);
	snprintf(s, sizeof(s), "10.%u.0.0/16", k % 256);
	state_set_put(l, s);
}

static void
write_gen(struct ctl_state *st, uint64_t gen)
{
	struct ctl_ruleset rs;
	size_t len;
	void *img;

	sample_rs(&rs, (unsigned int)gen);
	img = state_full_image(&rs, gen, &len);
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
	/* the operators' group writes it too, when it exists */
	if (bw_state_operator_gid() != (gid_t)-1 &&
	    sb.st_gid == bw_state_operator_gid()) {
		CU_ASSERT_EQUAL(sb.st_mode & 07777, 0770);
	} else {
		CU_ASSERT_EQUAL(sb.st_mode & 07777, 0750);
	}

	sample_rs(&rs, 7);
	img = state_full_image(&rs, 1, &len);
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
	img = state_full_image(&rs, 2, &len);
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

static const struct bw_cunit_test tests[] = {
	{"write, read, pending, modes", test_write_read},
	{"commit lock", test_lock},
	{"newest with corrupt newer ones skipped", test_newest_corrupt_skipped},
	{"prune", test_prune},
	{"audit lines", test_audit},
};

/* Returns 0 when every assertion passed, 1 otherwise (CUnit error too). */
int
main(void)
{
	return BW_CUNIT_RUN("state", tests);
}
