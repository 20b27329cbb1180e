/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the request channel's message parsers
 * (lib/ctlsock.c): bw_ctl_request_parse(), which the dataplane runs on
 * whatever any local user sends to its socket, and bw_ctl_reply_parse(),
 * which bulwarkctl runs on what comes back. The first input byte is a
 * mode, the rest a message, copied into a heap block of exactly its
 * length so that AddressSanitizer reports any read past its end. Mode
 * bits:
 *   0x01  parse a reply instead of a request
 *   0x02  write the right magic and version first
 *   0x04  (requests) zero the reserved bytes first
 * so that the fuzzer gets past the checks it cannot guess. An accepted
 * message is checked against what the parser promises: a request of a
 * known op, with (for an apply) a NUL-terminated object name that
 * bw_name_image_shm_valid() accepts and an image size from 1 to
 * BW_IMAGE_SIZE_MAX, (for a capture) a known selector, a snap length
 * from 1 to BW_CAP_SNAPLEN_MAX, a drop reason or a NUL-terminated list
 * name where the selector needs one and zero reserved bytes; a reply with a NUL-terminated message; and the
 * reason of a refusal is a NUL-terminated string.
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined
 *   -fno-sanitize-recover=all -Iinclude -Ilib lib/ctlsock.c lib/names.c
 *   tests/fuzz/fuzz_ctl.c -o fuzz_ctl
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bw_ctlsock.h"
#include "bw_image.h"
#include "bw_names.h"
#include "bw_reason.h"

#define MODE_REPLY     0x01
#define MODE_FIX_MAGIC 0x02
#define MODE_ZERO_RSVD 0x04

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An accepted capture request keeps the promises of bw_ctl.h. */
static void
check_capture(const struct bw_ctl_request *req)
{
	struct bw_ctl_capture cap;
	size_t i;

	memcpy(&cap, req->shm_name, sizeof(cap));
	if (cap.what < BW_CAP_ALL_DROPS || cap.what > BW_CAP_WHAT_MAX ||
	    cap.reserved0 != 0 || cap.snaplen == 0 ||
	    cap.snaplen > BW_CAP_SNAPLEN_MAX)
		__builtin_trap();
	for (i = 0; i < sizeof(cap.reserved); i++)
		if (cap.reserved[i] != 0)
			__builtin_trap();
	if (cap.what == BW_CAP_REASON &&
	    (cap.reason == 0 || cap.reason >= BW_REASON_COUNT))
		__builtin_trap();
	if (cap.what == BW_CAP_LIST &&
	    (memchr(cap.list, '\0', sizeof(cap.list)) == NULL ||
	     cap.list[0] == '\0'))
		__builtin_trap();
}

static void
check_request(const uint8_t *buf, size_t len, uint8_t mode)
{
	struct bw_ctl_request req;
	char why[256];

	if ((mode & (MODE_FIX_MAGIC | MODE_ZERO_RSVD)) && len == sizeof(req)) {
		struct bw_ctl_request *r = (struct bw_ctl_request *)(void *)buf;

		if (mode & MODE_FIX_MAGIC) {
			r->magic = BW_CTL_MAGIC;
			r->version = BW_CTL_VERSION;
		}
		if (mode & MODE_ZERO_RSVD)
			memset(r->reserved, 0, sizeof(r->reserved));
	}
	memset(why, 0x55, sizeof(why));
	if (bw_ctl_request_parse(buf, len, &req, why, sizeof(why)) != 0) {
		if (memchr(why, '\0', sizeof(why)) == NULL)
			__builtin_trap();
		return;
	}
	if (len != sizeof(req) || req.magic != BW_CTL_MAGIC ||
	    req.version != BW_CTL_VERSION)
		__builtin_trap();
	if (req.op == BW_CTL_APPLY) {
		if (memchr(req.shm_name, '\0', sizeof(req.shm_name)) == NULL ||
		    !bw_name_image_shm_valid(req.shm_name,
					     sizeof(req.shm_name)) ||
		    req.shm_name[0] != '/' || strchr(req.shm_name + 1, '/') ||
		    req.image_size == 0 || req.image_size > BW_IMAGE_SIZE_MAX)
			__builtin_trap();
	} else if (req.op == BW_CTL_CAPTURE) {
		check_capture(&req);
	} else if (req.op != BW_CTL_PING && req.op != BW_CTL_CAPTURE_STOP) {
		__builtin_trap();
	}
}

static void
check_reply(const uint8_t *buf, size_t len, uint8_t mode)
{
	struct bw_ctl_reply rep;

	if ((mode & MODE_FIX_MAGIC) && len == sizeof(rep)) {
		struct bw_ctl_reply *r = (struct bw_ctl_reply *)(void *)buf;

		r->magic = BW_CTL_MAGIC;
		r->version = BW_CTL_VERSION;
	}
	if (bw_ctl_reply_parse(buf, len, &rep) != 0)
		return;
	if (len != sizeof(rep) ||
	    memchr(rep.message, '\0', sizeof(rep.message)) == NULL ||
	    rep.status > BW_CTL_BUSY)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t mode, *buf;
	size_t len;

	if (size < 1)
		return 0;
	mode = data[0];
	len = size - 1;
	buf = malloc(len ? len : 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data + 1, len);
	if (mode & MODE_REPLY)
		check_reply(buf, len, mode);
	else
		check_request(buf, len, mode);
	free(buf);
	return 0;
}
