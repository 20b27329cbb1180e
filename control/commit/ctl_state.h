/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The state directory of an instance (--state-dir, default
 * /var/lib/bulwark/NAME) as bulwarkctl writes it: one FULL ruleset image
 * per committed generation (read by the dataplane when it starts), an
 * audit log with one line per generation, and a lock file that serializes
 * commits. The names and the audit line format are lib/bw_statedir.h's;
 * image files are mode 0640.
 *
 * Every file is written by bulwarkctl alone, on the CLI thread.
 */
#ifndef CTL_STATE_H
#define CTL_STATE_H

#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "bw_statedir.h"
#include "ctl_image.h"

/*
 * Generations kept in the state directory: older image files are removed
 * after each commit (their audit lines stay). The newest is never removed.
 */
#define CTL_STATE_KEEP 32

#define CTL_STATE_DIR_MODE 0750
/*
 * The state directory itself once given to the operators' group: they
 * commit (write it) too. No setgid: bulwarkctl gives its files the group
 * (file_group()), a file anyone else could plant keeps its own group.
 */
#define CTL_STATE_DIR_OP_MODE 0770
#define CTL_STATE_FILE_MODE   0640
/* lock and audit log: the operators' group locks and appends too */
#define CTL_STATE_LOCK_MODE 0660

/* How long ctl_state_open() waits for another commit to finish. */
#define CTL_STATE_LOCK_WAIT_MS 60000

/* An open state directory. */
struct ctl_state {
	char dir[PATH_MAX]; /* as given */
	int dir_fd;	    /* -1: absent (opened for reading only) */
	int lock_fd;	    /* -1: not locked */
	gid_t op_gid;	    /* the operators' group, or -1 */
	FILE *warn;	    /* where warnings go (skipped generations) */
};

/*
 * Open the state directory dir. exclusive: create it when missing (mode
 * CTL_STATE_DIR_MODE, every missing parent too, group "bulwark" when that
 * group exists, the directory itself then CTL_STATE_DIR_OP_MODE) and take the exclusive lock, waiting up to
 * CTL_STATE_LOCK_WAIT_MS for another commit. Otherwise take the shared lock
 * when the lock file exists; a missing directory is then an empty state
 * (dir_fd -1), not an error. warn may be NULL (stderr). Returns 0 or a
 * negative errno (-EWOULDBLOCK when the lock was not obtained in time),
 * after writing one "bulwarkctl: ..." line to warn. CLI thread.
 */
int ctl_state_open(struct ctl_state *st, const char *dir, int exclusive,
		   FILE *warn);

/* Release the lock and close. Safe on a closed or failed state. */
void ctl_state_close(struct ctl_state *st);

/*
 * Path of generation gen's image file into buf. Returns 0 or
 * -ENAMETOOLONG.
 */
int ctl_state_path(const struct ctl_state *st, uint64_t gen, char *buf,
		   size_t len);

/*
 * Generation numbers of the image files present (named like
 * BW_STATE_IMAGE_FMT, valid or not), ascending, into *gens (malloc'd, the
 * caller frees it; NULL when *n is 0). Returns 0, -ENOMEM or the errno of
 * reading the directory.
 */
int ctl_state_gens(const struct ctl_state *st, uint64_t **gens, size_t *n);

/*
 * Read generation gen into *rs (and *m when not NULL). The file must be a
 * valid FULL image whose header names generation gen. Returns 0 (the caller
 * frees rs with ctl_ruleset_free()) or a negative errno with a reason in why
 * (why_len bytes; BW_IMAGE_WHY_LEN is enough); rs is then empty.
 */
int ctl_state_read(const struct ctl_state *st, uint64_t gen,
		   struct ctl_ruleset *rs, struct ctl_image_meta *m, char *why,
		   size_t why_len);

/*
 * The newest generation that reads back valid, into *rs and *m (m may be
 * NULL); each newer file that does not is skipped with a warning naming
 * the file and the reason. No valid generation: rs empty, generation 0.
 * *max_gen (may be NULL) gets the highest generation number of any image
 * file, valid or not, or 0. Returns 0, or -ENOMEM / the errno of reading
 * the directory.
 */
int ctl_state_newest(const struct ctl_state *st, struct ctl_ruleset *rs,
		     struct ctl_image_meta *m, uint64_t *max_gen);

/*
 * Readers' shortcut: open dir shared, read the newest generation into *rs
 * (and *m), close. A missing directory is an empty ruleset (generation 0).
 * Returns 0 or a negative errno after a message on warn.
 */
int ctl_state_current(const char *dir, FILE *warn, struct ctl_ruleset *rs,
		      struct ctl_image_meta *m);

/*
 * Write the len bytes at img as generation gen's pending file (tmp name,
 * mode CTL_STATE_FILE_MODE, fsync'd), not yet visible as a generation.
 * Returns 0 or a negative errno (nothing left behind). Exclusive lock.
 */
int ctl_state_prepare(const struct ctl_state *st, const void *img, size_t len,
		      uint64_t gen);

/*
 * Replace the file name of the state directory with the len bytes at data:
 * a new temporary file (O_EXCL, mode CTL_STATE_FILE_MODE, fsync'd) renamed
 * over name, so that a symbolic link planted at name is replaced, never
 * followed. Returns 0 or a negative errno (nothing left behind).
 */
int ctl_state_replace_file(const struct ctl_state *st, const char *name,
			   const void *data, size_t len);

/* Rename gen's pending file into place and fsync the directory. */
int ctl_state_publish(const struct ctl_state *st, uint64_t gen);

/* Remove gen's pending file. Returns 0 or a negative errno. */
int ctl_state_discard(const struct ctl_state *st, uint64_t gen);

/*
 * ctl_state_prepare(), ctl_state_publish(), then an audit line ("staged",
 * parent gen - 1, the image's checksum) that binds the file to gen.
 */
int ctl_state_write(const struct ctl_state *st, const void *img, size_t len,
		    uint64_t gen);

/* Generations with a pending file, ascending (as ctl_state_gens()). */
int ctl_state_pending(const struct ctl_state *st, uint64_t **gens, size_t *n);

/* Load gen's pending file (whole, aligned; the caller frees *img). */
int ctl_state_pending_load(const struct ctl_state *st, uint64_t gen, void **img,
			   size_t *len);

/*
 * Remove image files so that the keep newest remain (keep >= 1: the
 * newest is never removed), then fsync the directory. Returns the number
 * removed or a negative errno. Exclusive lock.
 */
int ctl_state_prune(const struct ctl_state *st, size_t keep);

/* Append rec's line to the audit log with one write(), then fsync. */
int ctl_state_audit_append(const struct ctl_state *st,
			   const struct bw_audit_rec *rec);

/*
 * Every well-formed line of the audit log, in file order, into *recs
 * (malloc'd, the caller frees it). Malformed lines are skipped with a
 * warning "DIR/audit.log:LINE: ...". A missing log is empty. Returns 0 or
 * a negative errno.
 */
int ctl_state_audit_read(const struct ctl_state *st, struct bw_audit_rec **recs,
			 size_t *n);

#endif /* CTL_STATE_H */
