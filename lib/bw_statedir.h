/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The layout of an instance's state directory, owned here for both
 * programs: file names, how a generation is read off a name, and the audit
 * log's line format. bulwarkctl writes the directory (control/commit/ctl_state.c);
 * the dataplane reads it when it starts (dataplane/ruleset.c).
 *
 *   DIR/gen-00000000000000000007.img   FULL image of generation 7
 *   DIR/.pending-gen-...img            written and fsync'd before a commit
 *                                      is sent; renamed into place when
 *                                      the dataplane accepted it
 *   DIR/audit.log                      GEN PARENT TIME UID USER HOW OP
 *   DIR/lock                           flock(): exclusive for a commit,
 *                                      shared for readers
 */
#ifndef BW_STATEDIR_H
#define BW_STATEDIR_H

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>

/* Image files: prefix, 20 decimal digits, ".img"; nothing else is ours. */
#define BW_STATE_IMAGE_PREFIX	"gen-"
#define BW_STATE_PENDING_PREFIX ".pending-gen-"
#define BW_STATE_IMAGE_FMT	BW_STATE_IMAGE_PREFIX "%020" PRIu64 ".img"
#define BW_STATE_PENDING_FMT	BW_STATE_PENDING_PREFIX "%020" PRIu64 ".img"
#define BW_STATE_LOCK_FILE	"lock"
#define BW_STATE_AUDIT_FILE	"audit.log"

/*
 * Returns 1 and sets *gen when name is exactly prefix, 20 decimal digits
 * that fit in 64 bits, and ".img" (as BW_STATE_IMAGE_FMT writes them);
 * 0 otherwise: "gen-7.img" or "gen-...img.bak" are not generations.
 */
int bw_state_name_gen(const char *name, const char *prefix, uint64_t *gen);

/*
 * The generations of the files in the directory dir_fd whose names
 * bw_state_name_gen() takes with prefix, ascending, into *gens (malloc'd,
 * the caller frees it; NULL when *n is 0). dir_fd is not closed. Returns
 * 0, -ENOMEM or the errno of reading the directory. Any thread.
 */
int bw_state_gens(int dir_fd, const char *prefix, uint64_t **gens, size_t *n);

/* One line of the audit log. */
#define BW_AUDIT_USER_LEN 64
#define BW_AUDIT_HOW_LEN  16
#define BW_AUDIT_OP_LEN	  1024

struct bw_audit_rec {
	uint64_t gen;		      /* generation committed */
	uint64_t parent;	      /* generation it was made against */
	uint64_t time_s;	      /* CLOCK_REALTIME seconds */
	uint32_t uid;		      /* real uid of the operator */
	char user[BW_AUDIT_USER_LEN]; /* user name, or the uid */
	char how[BW_AUDIT_HOW_LEN];   /* applied-delta, applied-full, ... */
	char op[BW_AUDIT_OP_LEN];     /* summary of the change */
};

/* How a generation came to be, for bw_audit_rec.how. */
#define BW_HOW_DELTA   "applied-delta" /* applied as a DELTA image */
#define BW_HOW_FULL    "applied-full"  /* applied as a FULL image */
#define BW_HOW_STAGED  "staged"	       /* dataplane not running */
#define BW_HOW_ADOPTED "adopted"       /* applied after its reply timed out */

/* Fill uid, user and time_s with the caller's identity and now. */
void bw_audit_self(struct bw_audit_rec *rec);

/* Fill uid and user (its name, or the number when it has none). */
void bw_audit_set_uid(struct bw_audit_rec *rec, uint32_t uid);

/*
 * The audit line of rec (newline included) into buf: fields separated by
 * one tab: generation, parent, time as ISO 8601 UTC ("2025-01-17T10:22:33Z"),
 * uid, user, how, op. Tabs, newlines and other control characters in user,
 * how and op are written as spaces. Returns 0 or -ENOSPC.
 */
int bw_audit_format(const struct bw_audit_rec *rec, char *buf, size_t len);

/* Parse one audit line (newline optional). Returns 0 or -EINVAL. */
int bw_audit_parse(const char *line, size_t n, struct bw_audit_rec *rec);

#endif /* BW_STATEDIR_H */
