/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Run directory and message checks of the request channel (bw_ctlsock.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "bw_ctlsock.h"
#include "bw_image.h"
#include "bw_names.h"
#include "bw_reason.h"

int
bw_rundir_check(const struct stat *st, uid_t owner_ok, char *why, size_t len)
{
	if (!S_ISDIR(st->st_mode)) {
		snprintf(why, len, "not a directory");
		return -EPERM;
	}
	if (st->st_uid != 0 && st->st_uid != owner_ok) {
		snprintf(why, len, "owned by uid %u, not root",
			 (unsigned int)st->st_uid);
		return -EPERM;
	}
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		snprintf(why, len, "mode %04o lets others than its owner write",
			 (unsigned int)(st->st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

/* 1 when the n bytes at p are all zero. */
static int
all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/* The parameters of a BW_CTL_CAPTURE request. */
static int
capture_check(const struct bw_ctl_request *req, char *why, size_t len)
{
	struct bw_ctl_capture cap;

	_Static_assert(sizeof(cap) == sizeof(req->shm_name), "capture");
	memcpy(&cap, req->shm_name, sizeof(cap));
	if (cap.what == 0 || cap.what > BW_CAP_WHAT_MAX || cap.reserved0 != 0 ||
	    !all_zero(cap.reserved, sizeof(cap.reserved))) {
		snprintf(why, len, "malformed capture request");
		return -EBADMSG;
	}
	if (cap.snaplen == 0 || cap.snaplen > BW_CAP_SNAPLEN_MAX) {
		snprintf(why, len, "snap length %u outside 1 to %u bytes",
			 (unsigned int)cap.snaplen, BW_CAP_SNAPLEN_MAX);
		return -EBADMSG;
	}
	if (cap.what == BW_CAP_REASON &&
	    (cap.reason == 0 || cap.reason >= BW_REASON_COUNT)) {
		snprintf(why, len, "unknown reason %u",
			 (unsigned int)cap.reason);
		return -EBADMSG;
	}
	if (cap.what == BW_CAP_LIST &&
	    (memchr(cap.list, '\0', sizeof(cap.list)) == NULL ||
	     cap.list[0] == '\0')) {
		snprintf(why, len, "bad list name");
		return -EBADMSG;
	}
	return 0;
}

int
bw_ctl_request_parse(const void *buf, size_t n, struct bw_ctl_request *req,
		     char *why, size_t len)
{
	if (n != sizeof(*req)) {
		snprintf(why, len, "malformed request (%zu bytes, not %zu)", n,
			 sizeof(*req));
		return -EBADMSG;
	}
	memcpy(req, buf, sizeof(*req));
	if (req->magic != BW_CTL_MAGIC || req->version != BW_CTL_VERSION) {
		snprintf(why, len,
			 "malformed request (magic %08x version %u, not "
			 "%08x version %u)",
			 (unsigned int)req->magic, (unsigned int)req->version,
			 (unsigned int)BW_CTL_MAGIC,
			 (unsigned int)BW_CTL_VERSION);
		return -EBADMSG;
	}
	if (!all_zero(req->reserved, sizeof(req->reserved))) {
		snprintf(why, len, "malformed request (reserved bytes set)");
		return -EBADMSG;
	}
	switch (req->op) {
	case BW_CTL_PING:
		return 0;
	case BW_CTL_APPLY:
		if (!bw_name_image_shm_valid(req->shm_name,
					     sizeof(req->shm_name))) {
			snprintf(why, len, "bad image object name");
			return -EBADMSG;
		}
		if (req->image_size == 0 ||
		    req->image_size > BW_IMAGE_SIZE_MAX) {
			snprintf(why, len,
				 "image size %llu outside 1 to %llu bytes",
				 (unsigned long long)req->image_size,
				 (unsigned long long)BW_IMAGE_SIZE_MAX);
			return -EBADMSG;
		}
		return 0;
	case BW_CTL_CAPTURE:
		return capture_check(req, why, len);
	case BW_CTL_CAPTURE_STOP:
		return 0;
	default:
		snprintf(why, len, "unknown op %u", (unsigned int)req->op);
		return -EBADMSG;
	}
}

int
bw_ctl_reply_parse(const void *buf, size_t n, struct bw_ctl_reply *rep)
{
	if (n != sizeof(*rep))
		return -EPROTO;
	memcpy(rep, buf, sizeof(*rep));
	if (rep->magic != BW_CTL_MAGIC || rep->version != BW_CTL_VERSION ||
	    rep->status > BW_CTL_BUSY)
		return -EPROTO;
	rep->message[sizeof(rep->message) - 1] = '\0';
	return 0;
}
