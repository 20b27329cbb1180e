/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What both ends of the request channel (include/bw_ctl.h) check before
 * they trust each other: the run directory that holds the socket, and
 * every message that crosses it. Pure functions of their input, so that
 * the parsers can be fuzzed (tests/fuzz/fuzz_ctl.c).
 */
#ifndef BW_CTLSOCK_H
#define BW_CTLSOCK_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "bw_ctl.h"

/*
 * 0 when st (from fstat of a directory opened with O_NOFOLLOW) may hold
 * the request socket: a directory owned by root or by owner_ok, writable
 * by its owner only. Otherwise -EPERM with why (NUL terminated) saying
 * what is wrong.
 */
int bw_rundir_check(const struct stat *st, uid_t owner_ok, char *why,
		    size_t len);

/*
 * Check the n bytes a recv() returned for a request (n may exceed the
 * size of a request: recv with MSG_TRUNC reports the whole message) and
 * copy them to *req. Returns 0 for a well-formed request of a known op:
 * size, magic, version and reserved bytes exact; for BW_CTL_APPLY an
 * image object name that bw_name_image_shm() could have made and an
 * image size from 1 to BW_IMAGE_SIZE_MAX. Otherwise -EBADMSG with why
 * saying what is wrong (*req then undefined).
 */
int bw_ctl_request_parse(const void *buf, size_t n, struct bw_ctl_request *req,
			 char *why, size_t len);

/*
 * Check the n bytes received for a reply and copy them to *rep, its
 * message NUL terminated. Returns 0, or -EPROTO for a wrong size, magic,
 * version or status.
 */
int bw_ctl_reply_parse(const void *buf, size_t n, struct bw_ctl_reply *rep);

#endif /* BW_CTLSOCK_H */
