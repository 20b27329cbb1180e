/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Transactions on the ruleset (ctl_txn.h): begin (lock, base, dataplane
 * check), plan (DELTA or FULL), commit (apply or stage, then record).
 *
 * Order of a commit, so that a crash at any point leaves a state directory
 * that agrees with what a restarted dataplane would run: the FULL image is
 * written and fsync'd as a pending file first; only after the dataplane
 * said OK (or, with no dataplane, at once) is it renamed into place and
 * the audit line appended. A refused or failed apply removes the pending
 * file; a timed-out one leaves it for the next begin to adopt or discard.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bw_crc32c.h"
#include "bw_names.h"
#include "ctl_array.h"
#include "ctl_cli.h"
#include "ctl_commit.h"
#include "ctl_region.h"
#include "ctl_txn.h"
#include "bw_image_view.h"

#define START_POLL_US 100000

void
ctl_txn_init(struct ctl_txn *t, struct ctl_ctx *ctx)
{
	memset(t, 0, sizeof(*t));
	t->ctx = ctx;
	t->st.dir_fd = -1;
	t->st.lock_fd = -1;
	t->timeout_ms = ctl_commit_timeout_ms();
}

/* "WHERE: KIND: " in a batch, else "bulwarkctl: " (and "KIND: " unless
 * an error), on f. */
static void
report_prefix(const struct ctl_txn *t, FILE *f, const char *kind)
{
	if (t->where != NULL)
		fprintf(f, "%s: %s: ", t->where, kind);
	else if (strcmp(kind, "error") == 0)
		fputs(CTL_PROG ": ", f);
	else
		fprintf(f, CTL_PROG ": %s: ", kind);
}

/* One line of kind ("error", "warning") on the context's error stream. */
static void __attribute__((format(printf, 3, 0)))
report(const struct ctl_txn *t, const char *kind, const char *fmt, va_list ap)
{
	report_prefix(t, t->ctx->err, kind);
	vfprintf(t->ctx->err, fmt, ap);
	fputc('\n', t->ctx->err);
}

void
ctl_txn_error(const struct ctl_txn *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(t, "error", fmt, ap);
	va_end(ap);
}

void
ctl_txn_warn(const struct ctl_txn *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(t, "warning", fmt, ap);
	va_end(ap);
}

int
ctl_txn_usage(const struct ctl_txn *t, const char *usage, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = ctl_usage_vreport(t->ctx, t->where, usage, fmt, ap);
	va_end(ap);
	return rc;
}

int
ctl_txn_run(struct ctl_txn *t, int (*perform)(struct ctl_txn *t, void *req),
	    void *req)
{
	int rc;

	if (ctl_txn_begin(t) < 0)
		return CTL_EXIT_FAIL;
	rc = perform(t, req);
	if (rc == CTL_EXIT_OK)
		rc = ctl_txn_commit(t);
	ctl_txn_end(t);
	return rc;
}

void
ctl_txn_warn_shown_gen(const struct ctl_ctx *ctx, int valid,
		       uint64_t applied_gen, uint64_t shown_gen)
{
	if (valid && applied_gen != shown_gen)
		fprintf(ctx->err,
			CTL_PROG ": warning: dataplane instance '%s' runs "
				 "generation %" PRIu64 ", %s holds %" PRIu64
				 "; showing the latter\n",
			ctx->instance, applied_gen, ctx->state_dir, shown_gen);
}

void
ctl_txn_note(struct ctl_txn *t, const char *fmt, ...)
{
	size_t used = strlen(t->summary), room = sizeof(t->summary) - used;
	va_list ap;
	int n;

	if (room <= 4 ||
	    (used >= 3 && strcmp(t->summary + used - 3, "...") == 0))
		return;
	if (t->nb_ops > 0) {
		n = snprintf(t->summary + used, room, "; ");
		used += (size_t)n;
		room -= (size_t)n;
	}
	va_start(ap, fmt);
	n = vsnprintf(t->summary + used, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room)
		memcpy(t->summary + sizeof(t->summary) - 4, "...", 4);
	t->nb_ops++;
}

void
ctl_txn_replace(struct ctl_txn *t, struct ctl_ruleset *rs)
{
	ctl_ruleset_free(&t->cur);
	memcpy(&t->cur, rs, sizeof(*rs));
	memset(rs, 0, sizeof(*rs));
	t->structural = 1;
}

static int
lists_equal(const struct ctl_ruleset *a, const struct ctl_ruleset *b)
{
	uint32_t i;

	if (a->nb_lists != b->nb_lists)
		return 0;
	for (i = 0; i < a->nb_lists; i++) {
		if (a->lists[i].id != b->lists[i].id ||
		    a->lists[i].action != b->lists[i].action ||
		    a->lists[i].match != b->lists[i].match ||
		    strcmp(a->lists[i].name, b->lists[i].name) != 0)
			return 0;
	}
	return 1;
}

struct dvec {
	struct ctl_delta_entry *v;
	size_t n, cap;
};

static int
dvec_push(struct dvec *dv, uint32_t list, uint8_t op,
	  const struct ctl_prefix *p)
{
	struct ctl_delta_entry *e = CTL_ARRAY_PUSH(dv->v, dv->n, dv->cap, 64);

	if (e == NULL)
		return -ENOMEM;
	e->list = (uint16_t)list;
	e->op = op;
	e->p = *p;
	return 0;
}

/*
 * Changes from set a to set b (both sorted, unique), appended to dv while
 * dv->n <= limit; *total counts them all up to limit + 1.
 */
static int
set_diff(const struct ctl_prefix_set *a, const struct ctl_prefix_set *b,
	 uint32_t id, size_t limit, struct dvec *dv, size_t *total)
{
	size_t i = 0, j = 0;
	int c, ret = 0;

	while ((i < a->n || j < b->n) && *total <= limit) {
		c = ctl_prefix_walk_cmp(a, i, b, j);
		if (c == 0) {
			i++;
			j++;
			continue;
		}
		(*total)++;
		if (*total > limit)
			break;
		if (c < 0)
			ret = dvec_push(dv, id, BW_OP_DEL, &a->v[i++]);
		else
			ret = dvec_push(dv, id, BW_OP_ADD, &b->v[j++]);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int
ctl_txn_plan(const struct ctl_ruleset *base, const struct ctl_ruleset *cur,
	     int structural, size_t delta_max, struct ctl_delta_entry **d,
	     size_t *nb)
{
	struct dvec dv = {0};
	size_t total = 0;
	uint32_t i;
	int ret;

	*d = NULL;
	*nb = 0;
	/* programs and content rules travel in FULL images only */
	if (!lists_equal(base, cur) || !ctl_ruleset_progs_equal(base, cur) ||
	    !ctl_rtab_equal(&base->rtab, &cur->rtab))
		return CTL_PLAN_FULL;
	for (i = 0; i < cur->nb_lists; i++) {
		ret = set_diff(&base->lists[i].set, &cur->lists[i].set,
			       cur->lists[i].id, delta_max, &dv, &total);
		if (ret < 0) {
			free(dv.v);
			return ret;
		}
		if (total > delta_max)
			break;
	}
	if (total == 0) {
		free(dv.v);
		return CTL_PLAN_NOOP;
	}
	if (structural || total > delta_max) {
		free(dv.v);
		return CTL_PLAN_FULL;
	}
	*d = dv.v;
	*nb = dv.n;
	return CTL_PLAN_DELTA;
}

/*
 * 1 with *pid set when instance's dataplane is alive and still starting:
 * its status region exists with the pid of a live process but is not
 * published yet (magic 0, written last) or says STARTING. Between the two
 * it reads the state directory, so a change staged now could be missed.
 */
static int
dp_starting(const char *instance, int32_t *pid)
{
	const struct bw_status_hdr *h;
	struct ctl_region r;
	char name[64];
	uint64_t magic;
	struct stat sb;
	void *map;
	int fd, starting = 0;

	if (ctl_region_open(&r, instance) == 0) {
		enum ctl_verdict v = ctl_region_liveness(&r, ctl_now_mono_ns());

		*pid = r.pid;
		ctl_region_close(&r);
		return v == CTL_VERDICT_STARTING || v == CTL_VERDICT_RUNNING;
	}
	if (r.verdict != CTL_VERDICT_CORRUPT ||
	    bw_name_status_shm(instance, name, sizeof(name)) < 0)
		return 0;
	/* not published: only the pid, set at creation, can be trusted */
	fd = shm_open(name, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	if (fstat(fd, &sb) == 0 && (size_t)sb.st_size >= sizeof(*h)) {
		map = mmap(NULL, sizeof(*h), PROT_READ, MAP_SHARED, fd, 0);
		if (map != MAP_FAILED) {
			h = map;
			magic = __atomic_load_n(&h->magic, __ATOMIC_ACQUIRE);
			*pid = __atomic_load_n(&h->pid, __ATOMIC_RELAXED);
			starting =
				magic == 0 && *pid > 0 && ctl_pid_alive(*pid);
			munmap(map, sizeof(*h));
		}
	}
	close(fd);
	return starting;
}

/*
 * Is the dataplane running, and which generation does it run? A dataplane
 * that is starting (status region alive, socket not yet bound) is waited
 * for, since it may be reading the state directory right now. Returns 0
 * (t->running, t->dp_gen set) or a negative errno after reporting.
 */
static int
probe(struct ctl_txn *t)
{
	const char *inst = t->ctx->instance;
	struct bw_ctl_reply rep;
	uint64_t deadline = 0;
	int32_t pid = 0;
	int ret, said = 0;

	for (;;) {
		ret = ctl_commit_ping(inst, CTL_PING_TIMEOUT_MS, &rep);
		if (ret != -ECONNREFUSED || !dp_starting(inst, &pid))
			break;
		if (!said) {
			fprintf(t->ctx->err,
				CTL_PROG ": waiting for dataplane instance "
					 "'%s' (pid %" PRId32 ") to start\n",
				inst, pid);
			said = 1;
			deadline = ctl_now_mono_ns() +
				   (uint64_t)t->timeout_ms * 1000000;
		}
		if (ctl_now_mono_ns() >= deadline) {
			ctl_txn_error(t,
				      "dataplane instance '%s' is alive but "
				      "does not serve requests; nothing "
				      "changed",
				      inst);
			return -ETIMEDOUT;
		}
		usleep(START_POLL_US);
	}
	if (ret == -ECONNREFUSED) {
		t->running = 0;
		return 0;
	}
	if (ret < 0) {
		ctl_txn_error(t,
			      "dataplane instance '%s' does not answer: %s; "
			      "nothing changed",
			      inst, strerror(-ret));
		return ret;
	}
	if (rep.status != BW_CTL_OK) {
		ctl_txn_error(t, "dataplane instance '%s': %s: %s", inst,
			      ctl_commit_status_name(rep.status), rep.message);
		return rep.status == BW_CTL_DENIED ? -EPERM : -EPROTO;
	}
	t->running = 1;
	t->dp_gen = rep.applied_gen;
	return 0;
}

/* An audit record for gen made by the caller now. */
static void
audit_fill(struct bw_audit_rec *rec, uint64_t gen, uint64_t parent,
	   const char *how, const char *op)
{
	memset(rec, 0, sizeof(*rec));
	bw_audit_self(rec);
	rec->gen = gen;
	rec->parent = parent;
	snprintf(rec->how, sizeof(rec->how), "%s", how);
	snprintf(rec->op, sizeof(rec->op), "%s", op);
}

/*
 * Pending files left by an apply that timed out: adopt the one the
 * dataplane now runs when it was made against the base, discard the rest.
 */
static int
pending_settle(struct ctl_txn *t)
{
	char why[BW_IMAGE_WHY_LEN];
	struct bw_audit_rec rec;
	struct ctl_image_meta m;
	struct ctl_ruleset rs;
	uint64_t *gens, g;
	size_t n, i, len;
	uint32_t sum = 0;
	void *img;
	int ret;

	ret = ctl_state_pending(&t->st, &gens, &n);
	if (ret < 0)
		return 0; /* nothing we can settle; commits still work */
	for (i = 0; i < n; i++) {
		g = gens[i];
		if (g > t->max_gen)
			t->max_gen = g;
		ret = -ESTALE;
		if (t->running && t->dp_gen == g &&
		    ctl_state_pending_load(&t->st, g, &img, &len) == 0) {
			ret = ctl_image_read(img, len, &rs, &m, why,
					     sizeof(why));
			sum = bw_crc32c(0, img, len);
			free(img);
			if (ret == 0 && (m.generation != g ||
					 m.parent_gen != t->base.generation)) {
				ctl_ruleset_free(&rs);
				ret = -ESTALE;
			}
		}
		if (ret != 0) {
			ctl_txn_warn(t,
				     "discarding %s/" BW_STATE_PENDING_FMT
				     ": the dataplane does not run "
				     "generation %" PRIu64,
				     t->st.dir, g, g);
			ctl_state_discard(&t->st, g);
			continue;
		}
		ret = ctl_state_publish(&t->st, g);
		if (ret < 0) {
			ctl_ruleset_free(&rs);
			ctl_txn_error(t,
				      "cannot record generation %" PRIu64
				      " in %s: %s",
				      g, t->st.dir, strerror(-ret));
			free(gens);
			return ret;
		}
		audit_fill(&rec, g, m.parent_gen, BW_HOW_ADOPTED, m.comment);
		rec.has_sum = 1;
		rec.sum = sum;
		bw_audit_set_uid(&rec, m.creator_uid);
		rec.time_s = m.created_ns / 1000000000ull;
		ret = ctl_state_audit_append(&t->st, &rec);
		if (ret < 0)
			ctl_txn_warn(t,
				     "cannot append to %s/" BW_STATE_AUDIT_FILE
				     ": %s",
				     t->st.dir, strerror(-ret));
		ctl_txn_warn(t,
			     "generation %" PRIu64 " (\"%s\") was applied "
			     "after its request timed out; recorded it",
			     g, m.comment);
		ctl_ruleset_free(&t->base);
		t->base = rs;
	}
	free(gens);
	return 0;
}

int
ctl_txn_restore_failed(const char *instance, uint64_t *gen, int32_t *err)
{
	const struct bw_status_hdr *h;
	struct ctl_region r;
	int found = 0;

	*gen = 0;
	*err = 0;
	if (ctl_region_open(&r, instance) != 0)
		return 0;
	h = (const void *)r.base;
	if (r.size >= sizeof(*h)) {
		*gen = __atomic_load_n(&h->restore_gen, __ATOMIC_RELAXED);
		*err = __atomic_load_n(&h->restore_err, __ATOMIC_RELAXED);
		found = *gen != 0;
	}
	ctl_region_close(&r);
	return found;
}

/*
 * The dataplane runs another generation than the newest valid one of the
 * state directory: say why that may be and what to do. A rollback replaces
 * whatever runs, so it goes on (against the running generation). Returns
 * 0 to go on or -ESTALE.
 */
static int
mismatch(struct ctl_txn *t)
{
	const char *inst = t->ctx->instance, *dir = t->st.dir;
	char path[PATH_MAX];
	uint64_t rgen;
	int32_t rerr;

	/* it started fail-closed, without the newest (no memory): the new
	 * generation replaces what it runs, as a rollback would */
	if (t->dp_gen < t->base.generation &&
	    ctl_txn_restore_failed(inst, &rgen, &rerr)) {
		ctl_txn_warn(t,
			     "dataplane instance '%s' runs no generation "
			     "(fail-closed): generation %" PRIu64 " could not "
			     "be applied at its start (%s); this commit "
			     "replaces what it runs",
			     inst, rgen, strerror(-rerr));
		t->parent_gen = t->dp_gen;
		return 0;
	}
	if (t->replace_ok) {
		ctl_txn_warn(t,
			     "dataplane instance '%s' runs generation "
			     "%" PRIu64 ", not %s's newest (%" PRIu64 "); "
			     "replacing it",
			     inst, t->dp_gen, dir, t->base.generation);
		t->parent_gen = t->dp_gen;
		return 0;
	}
	if (t->dp_gen > t->base.generation &&
	    ctl_state_path(&t->st, t->dp_gen, path, sizeof(path)) == 0 &&
	    access(path, F_OK) == 0)
		ctl_txn_error(t,
			      "dataplane instance '%s' runs generation "
			      "%" PRIu64 ", whose image %s is unusable (see "
			      "above); 'rollback GENERATION' replaces it with "
			      "a generation of %s",
			      inst, t->dp_gen, path, dir);
	else if (t->base.generation == 0)
		ctl_txn_error(t,
			      "dataplane instance '%s' runs generation "
			      "%" PRIu64 " but %s holds no generation: is it "
			      "using another --state-dir?",
			      inst, t->dp_gen, dir);
	else
		ctl_txn_error(t,
			      "dataplane instance '%s' runs generation "
			      "%" PRIu64 " but the newest generation in %s is "
			      "%" PRIu64 ": is it using another --state-dir? "
			      "'rollback %" PRIu64 "' makes it run that one",
			      inst, t->dp_gen, dir, t->base.generation,
			      t->base.generation);
	return -ESTALE;
}

/*
 * Image objects that a bulwarkctl killed mid-commit left in /dev/shm:
 * those named for this instance by bw_name_image_shm(), whose creator pid
 * is gone, that are regular files owned by the caller (root: by anyone).
 * Called with the state lock held, so no commit of this instance is
 * creating one; an object of a live pid is never touched.
 */
static void
shm_sweep(struct ctl_txn *t)
{
	char name[128], prefix[128];
	size_t pl;
	struct dirent *de;
	struct stat sb;
	const char *p;
	char *end;
	long pid;
	DIR *d;
	int dfd;

	/* the name of pid 1, less the pid: what every pid's starts with */
	if (bw_name_image_shm(t->ctx->instance, 1, name, sizeof(name)) < 0)
		return;
	pl = strlen(name);
	if (pl < 3 || name[0] != '/' || name[pl - 1] != '1')
		return;
	snprintf(prefix, sizeof(prefix), "%.*s", (int)(pl - 2), name + 1);
	pl -= 2;
	dfd = open("/dev/shm", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return;
	d = fdopendir(dfd);
	if (d == NULL) {
		close(dfd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, pl) != 0)
			continue;
		p = de->d_name + pl;
		if (*p < '1' || *p > '9')
			continue;
		errno = 0;
		pid = strtol(p, &end, 10);
		if (errno != 0 || *end != '\0' || pid <= 0 || pid > INT32_MAX ||
		    pid == (long)getpid())
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue; /* alive, or not ours to know */
		if (fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) !=
			    0 ||
		    !S_ISREG(sb.st_mode) ||
		    (geteuid() != 0 && sb.st_uid != geteuid()))
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) != 0)
			continue;
		ctl_txn_warn(
			t,
			"removed /dev/shm/%s (%lld bytes), an image object "
			"left by bulwarkctl pid %ld, which is gone",
			de->d_name, (long long)sb.st_size, pid);
	}
	closedir(d);
}

int
ctl_txn_begin(struct ctl_txn *t)
{
	struct bw_audit_rec *recs;
	size_t n, i;
	int ret;

	ret = ctl_ctx_instance_check(t->ctx);
	if (ret < 0)
		return ret;
	ret = ctl_state_open(&t->st, t->ctx->state_dir, 1, t->ctx->err);
	if (ret < 0)
		return ret;
	shm_sweep(t);
	ret = ctl_state_newest(&t->st, &t->base, NULL, &t->max_gen);
	if (ret < 0)
		goto err_close;
	/* numbers are never reused, even those of removed files */
	if (ctl_state_audit_read(&t->st, &recs, &n) == 0) {
		for (i = 0; i < n; i++)
			if (recs[i].gen > t->max_gen)
				t->max_gen = recs[i].gen;
		free(recs);
	}
	ret = probe(t);
	if (ret < 0)
		goto err_free;
	ret = pending_settle(t);
	if (ret < 0)
		goto err_free;
	t->parent_gen = t->base.generation;
	if (t->running && t->dp_gen != t->base.generation) {
		ret = mismatch(t);
		if (ret < 0)
			goto err_free;
	}
	ret = ctl_ruleset_dup(&t->cur, &t->base);
	if (ret < 0) {
		ctl_txn_error(t, "out of memory");
		goto err_free;
	}
	t->begun = 1;
	return 0;

err_free:
	ctl_ruleset_free(&t->base);
err_close:
	ctl_state_close(&t->st);
	return ret;
}

void
ctl_txn_end(struct ctl_txn *t)
{
	ctl_ruleset_free(&t->base);
	ctl_ruleset_free(&t->cur);
	ctl_state_close(&t->st);
	t->begun = 0;
}

static double
ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

/* Rename the pending file into place, append the audit line, prune. */
static int
record(struct ctl_txn *t, uint64_t gen, const char *how, uint32_t sum)
{
	struct bw_audit_rec rec;
	int ret;

	ret = ctl_state_publish(&t->st, gen);
	if (ret < 0) {
		ctl_txn_error(t,
			      "cannot record generation %" PRIu64 " in %s: %s",
			      gen, t->st.dir, strerror(-ret));
		ctl_state_discard(&t->st, gen);
		return ret;
	}
	audit_fill(&rec, gen, t->parent_gen, how, t->summary);
	rec.has_sum = 1;
	rec.sum = sum;
	ret = ctl_state_audit_append(&t->st, &rec);
	if (ret < 0) {
		ctl_txn_error(t,
			      "generation %" PRIu64 " recorded, but "
			      "appending to %s/" BW_STATE_AUDIT_FILE
			      " failed: %s",
			      gen, t->st.dir, strerror(-ret));
		return ret;
	}
	ret = ctl_state_prune(&t->st, CTL_STATE_KEEP);
	if (ret < 0)
		ctl_txn_warn(t, "cannot prune %s: %s", t->st.dir,
			     strerror(-ret));
	return 0;
}

/* Meta of the new generation: comment is the summary, cut to fit. */
static void
meta_fill(struct ctl_txn *t, struct ctl_image_meta *m, uint64_t gen)
{
	size_t n = strlen(t->summary);

	memset(m, 0, sizeof(*m));
	m->generation = gen;
	m->parent_gen = t->parent_gen;
	m->creator_uid = (uint32_t)getuid();
	m->created_ns = ctl_now_real_ns();
	if (n < sizeof(m->comment)) {
		memcpy(m->comment, t->summary, n);
	} else {
		memcpy(m->comment, t->summary, sizeof(m->comment) - 4);
		memcpy(m->comment + sizeof(m->comment) - 4, "...", 3);
	}
}

/* Stage: no dataplane runs, so the state directory is all there is. */
static int
commit_staged(struct ctl_txn *t, uint64_t gen, uint32_t sum)
{
	if (record(t, gen, BW_HOW_STAGED, sum) < 0)
		return CTL_EXIT_FAIL;
	fprintf(t->ctx->out,
		"generation %" PRIu64 " staged (full): dataplane instance '%s' "
		"is not running; change staged in %s for its next start\n",
		gen, t->ctx->instance, t->st.dir);
	return CTL_EXIT_OK;
}

int
ctl_txn_commit(struct ctl_txn *t)
{
	char why[BW_IMAGE_WHY_LEN];
	struct ctl_delta_entry *d = NULL;
	void *full = NULL, *delta = NULL;
	size_t nb = 0, full_len = 0, delta_len = 0;
	struct ctl_image_meta m;
	struct bw_image_view v;
	struct bw_ctl_reply rep;
	int plan, ret, rc = CTL_EXIT_FAIL, sent_delta;
	uint64_t gen;

	plan = ctl_txn_plan(&t->base, &t->cur, t->structural, CTL_TXN_DELTA_MAX,
			    &d, &nb);
	if (plan < 0) {
		ctl_txn_error(t, "out of memory");
		return CTL_EXIT_FAIL;
	}
	/* the dataplane runs something else than the base: replace it all */
	if (t->parent_gen != t->base.generation) {
		free(d);
		d = NULL;
		nb = 0;
		plan = CTL_PLAN_FULL;
	}
	if (plan == CTL_PLAN_NOOP) {
		if (t->base.generation == 0)
			fprintf(t->ctx->out,
				"nothing changed: no generation committed\n");
		else
			fprintf(t->ctx->out,
				"nothing changed: generation %" PRIu64
				" stays %s\n",
				t->base.generation,
				t->running ? "in force" : "current");
		return CTL_EXIT_OK;
	}
	gen = t->max_gen > t->base.generation ? t->max_gen : t->base.generation;
	if (t->dp_gen > gen)
		gen = t->dp_gen;
	gen++;
	meta_fill(t, &m, gen);
	ret = ctl_image_write_full(&t->cur, &m, &full, &full_len);
	if (ret < 0) {
		ctl_txn_error(t,
			      "cannot build the image of generation "
			      "%" PRIu64 ": %s",
			      gen, strerror(-ret));
		goto out;
	}
	/* what the dataplane checks at its next start, checked now */
	ret = bw_image_validate(full, full_len, &v, why, sizeof(why));
	if (ret < 0) {
		ctl_txn_error(t,
			      "image of generation %" PRIu64 " is invalid: %s",
			      gen, why);
		goto out;
	}
	ret = ctl_state_prepare(&t->st, full, full_len, gen);
	if (ret < 0) {
		ctl_txn_error(t,
			      "cannot write generation %" PRIu64 " to %s: %s",
			      gen, t->st.dir, strerror(-ret));
		goto out;
	}
	if (!t->running) {
		rc = commit_staged(t, gen, bw_crc32c(0, full, full_len));
		goto out;
	}
	sent_delta = 0;
	if (plan == CTL_PLAN_DELTA) {
		m.parent_gen = t->parent_gen;
		ret = ctl_image_write_delta(&t->cur, d, nb, &m, &delta,
					    &delta_len);
		if (ret < 0)
			ctl_txn_warn(t,
				     "cannot build a delta image (%s); "
				     "sending the full image",
				     strerror(-ret));
		else
			sent_delta = 1;
	}
	ret = ctl_commit_apply(t->ctx->instance, sent_delta ? delta : full,
			       sent_delta ? delta_len : full_len, t->timeout_ms,
			       &rep);
	if (ret == 0 && sent_delta && rep.status == BW_CTL_REFUSED) {
		ctl_txn_warn(t,
			     "dataplane refused the delta (%s); sending the "
			     "full image",
			     rep.message);
		sent_delta = 0;
		ret = ctl_commit_apply(t->ctx->instance, full, full_len,
				       t->timeout_ms, &rep);
	}
	if (ret == -ECONNREFUSED) {
		/* it stopped since begin: its next start reads the directory */
		rc = commit_staged(t, gen, bw_crc32c(0, full, full_len));
		goto out;
	}
	if (ret == -ETIMEDOUT) {
		ctl_txn_error(t,
			      "no reply from dataplane instance '%s' within "
			      "%u s; generation %" PRIu64 " may still be "
			      "applied: the next bulwarkctl command records "
			      "it if so",
			      t->ctx->instance,
			      ctl_commit_apply_timeout_ms(
				      t->timeout_ms,
				      sent_delta ? delta_len : full_len) /
				      1000,
			      gen);
		goto out; /* the pending file stays for pending_settle() */
	}
	if (ret < 0) {
		ctl_txn_error(t,
			      "request to dataplane instance '%s' failed: "
			      "%s; nothing changed",
			      t->ctx->instance, strerror(-ret));
		ctl_state_discard(&t->st, gen);
		goto out;
	}
	if (rep.status != BW_CTL_OK) {
		ctl_txn_error(t,
			      "dataplane instance '%s' did not apply "
			      "generation %" PRIu64 " (%s): %s; nothing "
			      "changed",
			      t->ctx->instance, gen,
			      ctl_commit_status_name(rep.status), rep.message);
		ctl_state_discard(&t->st, gen);
		goto out;
	}
	if (rep.applied_gen != gen)
		ctl_txn_warn(t,
			     "dataplane replied OK but runs generation "
			     "%" PRIu64 ", not %" PRIu64,
			     rep.applied_gen, gen);
	if (record(t, gen, sent_delta ? BW_HOW_DELTA : BW_HOW_FULL,
		   bw_crc32c(0, full, full_len)) < 0)
		goto out;
	fprintf(t->ctx->out,
		"generation %" PRIu64 " applied (%s): validate %.3f ms, "
		"build %.3f ms, swap %.3f ms, total %.3f ms\n",
		gen, sent_delta ? "delta" : "full", ms(rep.validate_ns),
		ms(rep.build_ns), ms(rep.swap_ns), ms(rep.total_ns));
	rc = CTL_EXIT_OK;
out:
	free(d);
	free(delta);
	free(full);
	return rc;
}
