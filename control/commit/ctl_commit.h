/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The client side of the request channel (include/bw_ctl.h): ask a running
 * dataplane for its generation, or hand it a ruleset image to apply.
 */
#ifndef CTL_COMMIT_H
#define CTL_COMMIT_H

#include <stddef.h>
#include <stdint.h>

#include "bw_ctl.h"

/*
 * How long an apply waits for the dataplane's reply; the environment
 * variable BULWARK_TIMEOUT (whole seconds, 1 to 3600) overrides it.
 */
#define CTL_COMMIT_TIMEOUT_MS  30000
#define CTL_COMMIT_TIMEOUT_ENV "BULWARK_TIMEOUT"
/*
 * An apply waits longer for a larger image: the dataplane builds its
 * tables from it (a 1.1M-prefix image, about 20 MiB, took 34 s), so the
 * wait is the base plus CTL_COMMIT_MS_PER_MIB per whole MiB, at most
 * CTL_COMMIT_TIMEOUT_MAX_MS.
 */
#define CTL_COMMIT_MS_PER_MIB	  2000u
#define CTL_COMMIT_TIMEOUT_MAX_MS 3600000u
/* How long a ping waits: the dataplane answers pings at once. */
#define CTL_PING_TIMEOUT_MS 5000

/*
 * Ask instance's dataplane for the generation in force (rep->applied_gen).
 * Returns 0 when a well-formed reply arrived (look at rep->status),
 * -ECONNREFUSED when no dataplane serves the instance, -ETIMEDOUT when no
 * reply came within timeout_ms, -EPROTO for a malformed reply, or another
 * negative errno. CLI thread.
 */
int ctl_commit_ping(const char *instance, unsigned int timeout_ms,
		    struct bw_ctl_reply *rep);

/*
 * Apply the len bytes at img: create the POSIX shm object
 * "/bulwark.<instance>.img.<pid>" (mode 0640), fill it, send BW_CTL_APPLY,
 * wait up to ctl_commit_apply_timeout_ms(timeout_ms, len) for the reply,
 * unlink the object. Returns as
 * ctl_commit_ping(); with 0, rep->status says whether it was applied.
 */
int ctl_commit_apply(const char *instance, const void *img, size_t len,
		     unsigned int timeout_ms, struct bw_ctl_reply *rep);

/*
 * How long ctl_commit_apply() waits for the reply to an image of len
 * bytes when given base_ms (the caller's report of a timeout should name
 * this, not base_ms).
 */
unsigned int ctl_commit_apply_timeout_ms(unsigned int base_ms, size_t len);

/*
 * "ok", "denied", "bad-request", "refused", "conflict", "busy",
 * "untrusted", or "unknown".
 */
const char *ctl_commit_status_name(uint16_t status);

/* CTL_COMMIT_TIMEOUT_MS, or $BULWARK_TIMEOUT seconds when valid. */
unsigned int ctl_commit_timeout_ms(void);

#endif /* CTL_COMMIT_H */
