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
/*
 * Arm a capture (docs/events.md, "Captures"): shm_name holds a struct
 * bw_ctl_capture; the message carries two descriptors (SCM_RIGHTS): a
 * regular file the caller opened for writing, where the dataplane writes
 * pcapng, and the write end of a pipe, which it closes when the capture
 * ends. One capture at a time (BW_CTL_BUSY).
 */
#define BW_CTL_CAPTURE	    3
#define BW_CTL_CAPTURE_STOP 4 /* end the capture in progress */

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

/* bw_ctl_capture.what: which packets a capture keeps */
#define BW_CAP_ALL_DROPS 1 /* every dropped packet */
#define BW_CAP_REASON	 2 /* drops for reason */
#define BW_CAP_SID	 3 /* drops by the content rule sid */
#define BW_CAP_LIST	 4 /* drops by the block list named list */
#define BW_CAP_PASSED	 5 /* forwarded packets */
#define BW_CAP_WHAT_MAX	 5

#define BW_CAP_SNAPLEN_MAX 9216 /* bytes kept of a packet, at most */

/* The parameters of BW_CTL_CAPTURE, in bw_ctl_request.shm_name. */
struct bw_ctl_capture {
	uint8_t what;	      /* BW_CAP_* */
	uint8_t reason;	      /* BW_CAP_REASON: a BW_REASON_* of a drop */
	uint16_t reserved0;   /* zero */
	uint32_t sid;	      /* BW_CAP_SID */
	uint32_t count;	      /* packets, then it ends; 0: until stopped */
	uint32_t snaplen;     /* bytes kept of each, 1..BW_CAP_SNAPLEN_MAX */
	char list[32];	      /* BW_CAP_LIST: NUL terminated */
	uint8_t reserved[16]; /* zero */
};

_Static_assert(sizeof(struct bw_ctl_capture) == 64, "capture size");

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
