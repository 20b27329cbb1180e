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
 *   DIR/audit.log                      GEN PARENT TIME UID USER HOW SUM OP
 *   DIR/lock                           flock(): exclusive for a commit,
 *                                      shared for readers
 *   DIR/.tmp-XXXXXXXXXXXXXXXX          a file being written: created with
 *                                      O_EXCL, renamed into place
 *
 * Trust (docs/security.md): the directory and every file read from it
 * must be a regular file (a directory for DIR) owned by root, by the
 * caller, or by the operators' group, writable by nobody else: not by
 * others, and by its group only when that group is the operators' (or
 * root's). Files are opened relative to the directory's descriptor,
 * O_NOFOLLOW | O_NONBLOCK, and checked on the descriptor they were read
 * from. A generation N is valid when gen-N.img is such a file, a FULL
 * image that validates and whose header names generation N, and the
 * audit log's last line for N carries the CRC32C of the whole file: the
 * dataplane and bulwarkctl both decide it with bw_state_load_gen().
 */
#ifndef BW_STATEDIR_H
#define BW_STATEDIR_H

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/stat.h>
#include <sys/types.h>

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
	int has_sum;		      /* sum is set (lines written since the
					 checksum was added have one) */
	uint32_t sum;		      /* CRC32C of the whole image file */
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
 * uid, user, how, "crc32c:" and 8 lower-case hex digits of sum (when
 * has_sum; the field is left out otherwise), op. Tabs, newlines and other
 * control characters in user, how and op are written as spaces. Returns 0
 * or -ENOSPC.
 */
int bw_audit_format(const struct bw_audit_rec *rec, char *buf, size_t len);

/*
 * Parse one audit line (newline optional): 8 fields with the checksum, or
 * the 7 of a line written before it (has_sum 0). Returns 0 or -EINVAL.
 */
int bw_audit_parse(const char *line, size_t n, struct bw_audit_rec *rec);

/* Size of a why buffer for the functions below. */
#define BW_STATE_WHY_LEN 256

/* Name of a temporary file (BW_STATE_TMP_PREFIX + 16 hex digits). */
#define BW_STATE_TMP_PREFIX ".tmp-"
#define BW_STATE_TMP_LEN    32

/* gid of the operators' group (BW_OPERATOR_GROUP), or (gid_t)-1. */
gid_t bw_state_operator_gid(void);

/*
 * Does *sb (of the state directory when dir, else of a file in it) pass
 * the trust rule above for a caller of effective uid euid? Returns 0, or
 * -EPERM with the reason in why ("owned by uid 1000, not root or group
 * 'bulwark'", "writable by others (mode 1777)", ...), or -EINVAL when it
 * is not a directory / regular file ("a FIFO, not a regular file").
 */
int bw_state_trusted(const struct stat *sb, int dir, uid_t euid, gid_t op_gid,
		     char *why, size_t why_len);

/*
 * Open the state directory dir (O_DIRECTORY) and check it with
 * bw_state_trusted(). Returns the descriptor, or a negative errno with the
 * reason in why (-ENOENT: it does not exist; -EPERM: not trusted).
 */
int bw_state_dir_open(const char *dir, uid_t euid, gid_t op_gid, char *why,
		      size_t why_len);

/*
 * Open name in dir_fd for reading, safely: O_NOFOLLOW | O_NONBLOCK (a
 * symbolic link is refused, a FIFO does not block), then fstat() on the
 * descriptor: only a trusted regular file. Returns the descriptor (blocking
 * mode restored) or a negative errno with the reason in why.
 */
int bw_state_open_file(int dir_fd, const char *name, uid_t euid, gid_t op_gid,
		       char *why, size_t why_len);

/*
 * Copy the regular file or shm object fd into a new buffer aligned to
 * align, without mmap(): fstat() for the size (at most max, at least 1),
 * pread() until that many bytes came, then fstat() again. A file that
 * shrinks or grows meanwhile is refused (-EINVAL, why says so), never a
 * signal. *buf is freed by the caller. Returns 0 or a negative errno.
 */
int bw_state_read_fd(int fd, size_t max, size_t align, void **buf, size_t *len,
		     char *why, size_t why_len);

/*
 * Every well-formed line of dir_fd's audit log, in file order, into *recs
 * (malloc'd, the caller frees it). Each malformed line calls bad(arg,
 * line number) when bad is not NULL and is skipped. A missing log is empty.
 * The log is opened with bw_state_open_file(). Returns 0 or a negative
 * errno with the reason in why.
 */
int bw_state_audit_load(int dir_fd, uid_t euid, gid_t op_gid,
			struct bw_audit_rec **recs, size_t *n,
			void (*bad)(void *arg, size_t lineno), void *arg,
			char *why, size_t why_len);

/*
 * Generation gen of dir_fd, read and checked as the rule above says, with
 * recs[n] the audit log: 0 and the image in *img (64-aligned, the caller
 * frees it) and *len, or -EINVAL / -EPERM / another negative errno with
 * the reason in why. The one decision both programs make.
 */
int bw_state_load_gen(int dir_fd, uint64_t gen, const struct bw_audit_rec *recs,
		      size_t n, uid_t euid, gid_t op_gid, void **img,
		      size_t *len, char *why, size_t why_len);

/*
 * Create a new temporary file in dir_fd (mode, O_EXCL | O_NOFOLLOW, a
 * random BW_STATE_TMP_PREFIX name into name, BW_STATE_TMP_LEN bytes) for
 * writing. Returns the descriptor or a negative errno.
 */
int bw_state_tmp_create(int dir_fd, mode_t mode, char *name);

#endif /* BW_STATEDIR_H */
