/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The request channel from bulwarkctl to the dataplane: a SOCK_SEQPACKET
 * Unix socket in the abstract namespace, named by bw_name_ctl_sock(). One
 * request, one reply, per connection. The dataplane learns who asks from
 * SO_PEERCRED and refuses anyone who is neither root nor a member of the
 * operators' group (BW_OPERATOR_GROUP). Requests are served one at a time.
 *
 * To apply a ruleset, bulwarkctl writes the image into a POSIX shm object of
 * its own (mode 0640), sends its name; the dataplane copies it into its own
 * memory before looking at it, validates, builds, swaps, and replies. The
 * client unlinks the object after the reply.
 */
#ifndef BW_CTL_H
#define BW_CTL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define BW_CTL_MAGIC	  0x42574354u /* "TCWB" */
#define BW_CTL_VERSION	  1
#define BW_OPERATOR_GROUP "bulwark"

/* bw_ctl_request.op */
#define BW_CTL_PING  1 /* reply with the applied generation */
#define BW_CTL_APPLY 2 /* apply the image in shm_name */

/* bw_ctl_reply.status */
#define BW_CTL_OK	   0
#define BW_CTL_DENIED	   1 /* caller is not an operator */
#define BW_CTL_BAD_REQUEST 2 /* malformed request */
#define BW_CTL_REFUSED	   3 /* image invalid or cannot be built */
#define BW_CTL_CONFLICT	   4 /* parent generation is not the one in force */
#define BW_CTL_BUSY	   5 /* too many connections from this uid */
/* Never sent: bulwarkctl's verdict on a peer that is not root (or itself). */
#define BW_CTL_UNTRUSTED 6

struct bw_ctl_request {
	uint32_t magic;	      /* BW_CTL_MAGIC */
	uint16_t version;     /* BW_CTL_VERSION */
	uint16_t op;	      /* BW_CTL_* */
	uint64_t image_size;  /* bytes of the image object */
	char shm_name[64];    /* image object name, NUL terminated */
	uint8_t reserved[48]; /* zero */
};

_Static_assert(sizeof(struct bw_ctl_request) == 128, "request size");

struct bw_ctl_reply {
	uint32_t magic;	      /* BW_CTL_MAGIC */
	uint16_t version;     /* BW_CTL_VERSION */
	uint16_t status;      /* BW_CTL_OK or a failure class */
	int32_t err;	      /* 0 or a negative errno */
	uint32_t reserved0;   /* zero */
	uint64_t applied_gen; /* generation in force after the request */
	uint64_t validate_ns; /* copy + checks */
	uint64_t build_ns;    /* table builds off the hot path */
	uint64_t swap_ns;     /* publish + RCU grace period */
	uint64_t total_ns;    /* request received to reply */
	char message[256];    /* why, when status != OK; summary otherwise */
	uint8_t reserved[56]; /* zero */
};

_Static_assert(sizeof(struct bw_ctl_reply) == 368, "reply size");

#endif /* BW_CTL_H */
