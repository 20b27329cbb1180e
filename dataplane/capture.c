/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Captures (dp_capture.h, docs/events.md "Captures"). One at a time.
 *
 * Arming (control thread): the parameters are written, then the capture
 * id is bumped (release), then each worker's DP_OBS_CAPTURE is set. A
 * worker (acquire load of the id) copies each selected packet into the
 * next free slot of its own ring, stamped with the id, and publishes it
 * with a release store of its head; a full ring loses the packet and
 * counts it (capture_lost). The capture thread takes slots up to the head
 * (acquire), writes those of its id as pcapng enhanced packet blocks and
 * releases them (tail). It ends after count packets, on
 * BW_CTL_CAPTURE_STOP, on a write error or at stop: it clears the flags,
 * writes the packet count into the requester's pipe and closes it, which
 * tells the requester the file is complete. The rings live until the
 * dataplane exits, so a worker still in a burst when the flag goes off
 * writes into memory that exists; its slot carries an old id and is
 * skipped by the next capture.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_memcpy.h>

#include "dp.h"
#include "dp_capture.h"
#include "dp_events.h"
#include "dp_ruleset.h"

#define CAP_IDLE_NS 1000000L
#define CAP_BUF	    (1u << 20)

/* One captured packet in a worker's ring. */
struct cap_slot {
	uint64_t tsc;
	uint32_t id;	 /* capture id it was taken for */
	uint32_t caplen; /* bytes in data */
	uint32_t origlen;
	uint32_t sid;  /* content rule, 0: none */
	uint32_t list; /* list id, UINT32_MAX: none */
	uint16_t port;
	uint8_t reason; /* BW_REASON_*, 0: passed */
	uint8_t pad[5];
	uint8_t data[];
};

#define SLOT_SIZE                                                              \
	((sizeof(struct cap_slot) + BW_CAP_SNAPLEN_MAX + 63) & ~(size_t)63)

/* A worker's ring (dp_worker.cap). */
struct dp_capture {
	uint32_t head; /* next slot the worker fills; its release store */
	uint32_t tail; /* next slot the writer reads; its release store */
	uint8_t *slots;
};

static struct {
	struct dp_status *status;
	struct dp_worker *workers;
	unsigned int nb_workers;
	struct dp_capture *rings; /* nb_workers, made at the first arm */
	/* what workers read, written before id moves */
	struct bw_ctl_capture p;
	uint32_t list_id;
	uint32_t id;
	/* the capture in progress */
	pthread_mutex_t lock;
	int busy;    /* armed, thread running */
	int started; /* a thread to join */
	pthread_t thread;
	volatile int stop;
	int fd, done_fd;
	uint64_t tsc0, ns0, hz;
	uint64_t written;
	char *buf;
	size_t used;
	int werr;
} cap = {.lock = PTHREAD_MUTEX_INITIALIZER, .fd = -1, .done_fd = -1};

void
dp_capture_init(struct dp_status *st, struct dp_worker *workers,
		unsigned int nb_workers)
{
	cap.status = st;
	cap.workers = workers;
	cap.nb_workers = nb_workers;
}

/* Worker side. */

static inline int
selects(const struct dp_worker *w, const struct dp_ruleset *rs, uint16_t i,
	uint8_t v, uint32_t *sid)
{
	int dropped = v != DP_VERDICT_PASS && v != DP_VERDICT_ALLOW &&
		      v != DP_VERDICT_HELD;
	const struct dp_match_set *ms = rs != NULL ? rs->match : NULL;

	*sid = 0;
	if (dropped && v == BW_REASON_RULE && ms != NULL &&
	    w->obj[i] < ms->nb_rules)
		*sid = ms->rules[w->obj[i]].sid;
	switch (cap.p.what) {
	case BW_CAP_ALL_DROPS:
		return dropped;
	case BW_CAP_REASON:
		return dropped && v == cap.p.reason;
	case BW_CAP_SID:
		return dropped && *sid != 0 && *sid == cap.p.sid;
	case BW_CAP_LIST:
		return dropped && v == BW_REASON_BLOCKLIST &&
		       w->obj[i] == cap.list_id;
	case BW_CAP_PASSED:
		return v == DP_VERDICT_PASS || v == DP_VERDICT_ALLOW;
	default:
		return 0;
	}
}

void
dp_capture_burst(struct dp_worker *w, const struct dp_ruleset *rs,
		 struct rte_mbuf **pkts, uint16_t n)
{
	/* pairs with the release store in dp_capture_serve(): the
	 * parameters and w->cap were written before */
	uint32_t id = __atomic_load_n(&cap.id, __ATOMIC_ACQUIRE);
	struct dp_capture *r = w->cap;
	uint32_t head, tail, sid;
	uint64_t now = rte_rdtsc();
	uint16_t i;

	if (r == NULL)
		return;
	head = r->head;
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct cap_slot *s;
		const void *p;
		uint8_t v = w->verdict[i];

		if (!selects(w, rs, i, v, &sid))
			continue;
		tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
		if (head - tail >= DP_CAP_SLOTS) {
			dp_cnt_add(&w->st->capture_lost, 1);
			continue;
		}
		s = (struct cap_slot *)(r->slots +
					(head % DP_CAP_SLOTS) * SLOT_SIZE);
		s->tsc = now;
		s->id = id;
		s->origlen = m->pkt_len;
		s->caplen = RTE_MIN(m->pkt_len, cap.p.snaplen);
		s->sid = sid;
		s->list = v == BW_REASON_BLOCKLIST ? w->obj[i] : UINT32_MAX;
		s->port = m->port;
		s->reason =
			v == DP_VERDICT_PASS || v == DP_VERDICT_ALLOW ? 0 : v;
		p = rte_pktmbuf_read(m, 0, s->caplen, s->data);
		if (p != NULL && p != s->data)
			rte_memcpy(s->data, p, s->caplen);
		head++;
		__atomic_store_n(&r->head, head, __ATOMIC_RELEASE);
		dp_cnt_add(&w->st->capture_pkts, 1);
	}
}

/* Capture thread side: pcapng (the block layouts of the pcapng draft). */

static void
out_flush(void)
{
	size_t off = 0;
	ssize_t n;

	while (!cap.werr && off < cap.used) {
		n = write(cap.fd, cap.buf + off, cap.used - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			DP_LOG(ERR, "capture: write: %s; ending it",
			       n < 0 ? strerror(errno) : "nothing written");
			cap.werr = 1;
			break;
		}
		off += (size_t)n;
	}
	cap.used = 0;
}

static void
put(const void *p, size_t n)
{
	if (cap.used + n > CAP_BUF)
		out_flush();
	memcpy(cap.buf + cap.used, p, n);
	cap.used += n;
}

static void
put32(uint32_t v)
{
	put(&v, 4);
}

static void
put16(uint16_t v)
{
	put(&v, 2);
}

static void
put_pad(size_t n)
{
	static const uint8_t zero[4];

	put(zero, (4 - n % 4) % 4);
}

/* An option: code, length, value padded to 32 bits. */
static void
put_opt(uint16_t code, const void *v, uint16_t len)
{
	put16(code);
	put16(len);
	put(v, len);
	put_pad(len);
}

static uint32_t
opt_len(size_t len)
{
	return 4 + (uint32_t)((len + 3) & ~(size_t)3);
}

static void
write_headers(void)
{
	uint16_t p;
	uint8_t tsresol = 9; /* nanoseconds */
	char name[BW_PORT_NAME_LEN];
	uint32_t len;

	/* section header block, little endian (the host's) */
	put32(0x0A0D0D0A);
	put32(28);
	put32(0x1A2B3C4D);
	put16(1);
	put16(0);
	put32(0xffffffff);
	put32(0xffffffff);
	put32(28);
	/* one interface description block per port, id = port id */
	for (p = 0; p < RTE_MAX_ETHPORTS; p++) {
		if (!rte_eth_dev_is_valid_port(p))
			break;
		if (rte_eth_dev_get_name_by_port(p, name) != 0)
			snprintf(name, sizeof(name), "port%u", p);
		len = 20 + opt_len(strlen(name)) + opt_len(1) + 4;
		put32(1);
		put32(len);
		put16(1); /* LINKTYPE_ETHERNET */
		put16(0);
		put32(cap.p.snaplen);
		put_opt(2, name, (uint16_t)strlen(name)); /* if_name */
		put_opt(9, &tsresol, 1);		  /* if_tsresol */
		put32(0);				  /* opt_endofopt */
		put32(len);
	}
}

static uint64_t
tsc_ns(uint64_t t)
{
	uint64_t d = t >= cap.tsc0 ? t - cap.tsc0 : 0;

	return cap.ns0 + d / cap.hz * 1000000000ull +
	       d % cap.hz * 1000000000ull / cap.hz;
}

/* The list's name from the status region (sequence lock). */
static void
list_name(uint32_t id, char *out, size_t len)
{
	const struct bw_status_hdr *hdr = cap.status->hdr;
	const struct bw_list_info *info = dp_status_list_info(cap.status);
	uint32_t s0, k;

	out[0] = '\0';
	if (id >= BW_LIST_SLOTS)
		return;
	for (k = 0; k < 100; k++) {
		s0 = __atomic_load_n(&hdr->list_seq, __ATOMIC_ACQUIRE);
		if (s0 & 1)
			continue;
		snprintf(out, len, "%.*s", (int)sizeof(info[id].name),
			 info[id].name);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&hdr->list_seq, __ATOMIC_RELAXED) == s0)
			return;
	}
}

static void
write_packet(const struct cap_slot *s)
{
	char comment[128], name[40];
	const char *reason = bw_reason_name(s->reason);
	uint64_t ns = tsc_ns(s->tsc);
	size_t clen;
	uint32_t len;

	if (s->reason == 0) {
		snprintf(comment, sizeof(comment), "passed");
	} else if (s->sid != 0) {
		snprintf(comment, sizeof(comment), "reason=%s sid=%" PRIu32,
			 reason, s->sid);
	} else if (s->list != UINT32_MAX) {
		list_name(s->list, name, sizeof(name));
		snprintf(comment, sizeof(comment), "reason=%s list=%s", reason,
			 name);
	} else {
		snprintf(comment, sizeof(comment), "reason=%s",
			 reason != NULL ? reason : "unknown");
	}
	clen = strlen(comment);
	len = 32 + ((s->caplen + 3) & ~3u) + opt_len(clen) + 4;
	put32(6);
	put32(len);
	put32(s->port);
	put32((uint32_t)(ns >> 32));
	put32((uint32_t)ns);
	put32(s->caplen);
	put32(s->origlen);
	put(s->data, s->caplen);
	put_pad(s->caplen);
	put_opt(1, comment, (uint16_t)clen); /* opt_comment */
	put32(0);
	put32(len);
}

/* Take what the rings hold; returns the slots taken. */
static unsigned int
drain(void)
{
	unsigned int w, taken = 0;

	for (w = 0; w < cap.nb_workers; w++) {
		struct dp_capture *r = &cap.rings[w];
		uint32_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
		uint32_t tail = r->tail;

		while (tail != head) {
			const struct cap_slot *s =
				(const struct cap_slot *)(r->slots +
							  (tail %
							   DP_CAP_SLOTS) *
								  SLOT_SIZE);

			if (s->id == cap.id &&
			    (cap.p.count == 0 || cap.written < cap.p.count)) {
				write_packet(s);
				cap.written++;
			}
			tail++;
			taken++;
		}
		__atomic_store_n(&r->tail, tail, __ATOMIC_RELEASE);
	}
	return taken;
}

static void
flags_set(int on)
{
	unsigned int w;

	for (w = 0; w < cap.nb_workers; w++) {
		if (on)
			__atomic_fetch_or(&cap.workers[w].obs_flags,
					  DP_OBS_CAPTURE, __ATOMIC_RELEASE);
		else
			__atomic_fetch_and(&cap.workers[w].obs_flags,
					   (uint8_t)~DP_OBS_CAPTURE,
					   __ATOMIC_RELEASE);
	}
}

static void *
cap_main(void *arg)
{
	struct timespec idle = {0, CAP_IDLE_NS};
	uint64_t n;

	(void)arg;
	write_headers();
	while (!__atomic_load_n(&cap.stop, __ATOMIC_ACQUIRE) && !cap.werr &&
	       (cap.p.count == 0 || cap.written < cap.p.count)) {
		if (drain() == 0) {
			out_flush();
			nanosleep(&idle, NULL);
		}
	}
	flags_set(0);
	/* what the workers published before they saw the flag go */
	nanosleep(&idle, NULL);
	drain();
	out_flush();
	DP_LOG(INFO, "capture %u: %" PRIu64 " packets written", cap.id,
	       cap.written);
	close(cap.fd);
	n = cap.written;
	if (write(cap.done_fd, &n, sizeof(n)) != (ssize_t)sizeof(n))
		DP_LOG(WARNING, "capture %u: the requester is gone", cap.id);
	close(cap.done_fd);
	cap.fd = cap.done_fd = -1;
	pthread_mutex_lock(&cap.lock);
	cap.busy = 0;
	pthread_mutex_unlock(&cap.lock);
	return NULL;
}

/* The id of the list named name in the status region, or -1. */
static int
list_find(const char *name)
{
	char n[40];
	uint32_t id;

	for (id = 0; id < BW_LIST_SLOTS; id++) {
		list_name(id, n, sizeof(n));
		if (n[0] != '\0' && strcmp(n, name) == 0)
			return (int)id;
	}
	return -1;
}

static int
rings_make(void)
{
	unsigned int w;

	if (cap.rings != NULL)
		return 0;
	cap.buf = malloc(CAP_BUF);
	cap.rings = calloc(cap.nb_workers, sizeof(*cap.rings));
	if (cap.buf == NULL || cap.rings == NULL)
		return -ENOMEM;
	for (w = 0; w < cap.nb_workers; w++) {
		cap.rings[w].slots =
			aligned_alloc(64, DP_CAP_SLOTS * SLOT_SIZE);
		if (cap.rings[w].slots == NULL)
			return -ENOMEM;
		memset(cap.rings[w].slots, 0, DP_CAP_SLOTS * SLOT_SIZE);
	}
	for (w = 0; w < cap.nb_workers; w++)
		cap.workers[w].cap = &cap.rings[w];
	return 0;
}

static void
refuse(struct bw_ctl_reply *rep, uint16_t status, int err, const char *msg)
{
	rep->status = status;
	rep->err = err;
	snprintf(rep->message, sizeof(rep->message), "%s", msg);
}

void
dp_capture_serve(const struct bw_ctl_request *req, int *fds,
		 unsigned int nb_fds, struct bw_ctl_reply *rep)
{
	struct bw_ctl_capture p;
	struct timespec ts;
	struct stat st;
	int list_id = -1, ret;

	memcpy(&p, req->shm_name, sizeof(p));
	if (nb_fds != 2 || fstat(fds[0], &st) != 0 || !S_ISREG(st.st_mode) ||
	    fstat(fds[1], &st) != 0 || !S_ISFIFO(st.st_mode)) {
		refuse(rep, BW_CTL_BAD_REQUEST, -EBADF,
		       "a capture needs two descriptors: a regular file and "
		       "a pipe");
		return;
	}
	if (p.what == BW_CAP_LIST) {
		list_id = list_find(p.list);
		if (list_id < 0) {
			refuse(rep, BW_CTL_REFUSED, -ENOENT,
			       "no such list in force");
			return;
		}
	}
	pthread_mutex_lock(&cap.lock);
	if (cap.busy) {
		pthread_mutex_unlock(&cap.lock);
		refuse(rep, BW_CTL_BUSY, -EBUSY,
		       "a capture is in progress (one at a time)");
		return;
	}
	if (cap.started) {
		pthread_join(cap.thread, NULL);
		cap.started = 0;
	}
	ret = rings_make();
	if (ret != 0) {
		pthread_mutex_unlock(&cap.lock);
		refuse(rep, BW_CTL_REFUSED, ret, "out of memory for the rings");
		return;
	}
	cap.p = p;
	cap.list_id = (uint32_t)list_id;
	cap.fd = fds[0];
	cap.done_fd = fds[1];
	cap.written = 0;
	cap.werr = 0;
	cap.used = 0;
	cap.hz = rte_get_tsc_hz();
	clock_gettime(CLOCK_REALTIME, &ts);
	cap.tsc0 = rte_rdtsc();
	cap.ns0 = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	__atomic_store_n(&cap.stop, 0, __ATOMIC_RELEASE);
	/* pairs with the acquire load in dp_capture_burst() */
	__atomic_store_n(&cap.id, cap.id + 1, __ATOMIC_RELEASE);
	ret = pthread_create(&cap.thread, NULL, cap_main, NULL);
	if (ret != 0) {
		pthread_mutex_unlock(&cap.lock);
		cap.fd = cap.done_fd = -1;
		refuse(rep, BW_CTL_REFUSED, -ret, "cannot start its thread");
		return;
	}
	pthread_setname_np(cap.thread, "bw-capture");
	cap.busy = 1;
	cap.started = 1;
	fds[0] = fds[1] = -1; /* the capture's now */
	flags_set(1);
	pthread_mutex_unlock(&cap.lock);
	rep->status = BW_CTL_OK;
	snprintf(rep->message, sizeof(rep->message), "capture %u armed",
		 cap.id);
	DP_LOG(INFO, "capture %u armed: what %u, count %u, snaplen %u", cap.id,
	       p.what, p.count, p.snaplen);
}

void
dp_capture_serve_stop(struct bw_ctl_reply *rep)
{
	pthread_mutex_lock(&cap.lock);
	if (cap.busy)
		__atomic_store_n(&cap.stop, 1, __ATOMIC_RELEASE);
	rep->status = BW_CTL_OK;
	snprintf(rep->message, sizeof(rep->message), "%s",
		 cap.busy ? "capture ending" : "no capture in progress");
	pthread_mutex_unlock(&cap.lock);
}

void
dp_capture_fini(void)
{
	unsigned int w;

	__atomic_store_n(&cap.stop, 1, __ATOMIC_RELEASE);
	if (cap.started)
		pthread_join(cap.thread, NULL);
	cap.started = 0;
	if (cap.rings != NULL) {
		for (w = 0; w < cap.nb_workers; w++) {
			cap.workers[w].cap = NULL;
			free(cap.rings[w].slots);
		}
		free(cap.rings);
		cap.rings = NULL;
	}
	free(cap.buf);
	cap.buf = NULL;
}
