/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Read-only access to a dataplane's status region (include/bw_status.h):
 * open, map, validate every size and offset once, then judge liveness.
 *
 * The layout fields are copied out of the header at validation time and only
 * the copies are used afterwards, so a writer that scribbles on its header
 * later cannot make bulwarkctl read outside the mapping.
 */
#ifndef CTL_REGION_H
#define CTL_REGION_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "bw_status.h"

/* A running dataplane whose heartbeat is older than this is not responding. */
#define CTL_HEARTBEAT_MAX_NS 3000000000ULL

/* What bulwarkctl concludes about an instance. */
enum ctl_verdict {
	CTL_VERDICT_RUNNING = 0,    /* state running, alive, fresh heartbeat */
	CTL_VERDICT_STARTING,	    /* alive, ports being set up */
	CTL_VERDICT_STOPPING,	    /* alive, workers draining */
	CTL_VERDICT_STOPPED,	    /* stopped cleanly: final counters */
	CTL_VERDICT_UNKNOWN_STATE,  /* alive, state this build cannot name */
	CTL_VERDICT_STALE,	    /* process gone without stopping */
	CTL_VERDICT_NOT_RESPONDING, /* heartbeat older than 3 s */
	CTL_VERDICT_MISSING,	    /* no status region */
	CTL_VERDICT_DENIED,	    /* no permission to open it */
	CTL_VERDICT_OPEN_ERROR,	    /* other error opening or mapping it */
	CTL_VERDICT_INCOMPATIBLE,   /* ABI major version differs */
	CTL_VERDICT_CORRUPT,	    /* fails validation */
};

struct ctl_region {
	char shm_name[64];	    /* "/bulwark.<instance>.status" */
	char instance[BW_NAME_LEN]; /* the instance asked for */
	const uint8_t *base;	    /* read-only mapping, NULL if none */
	size_t size;		    /* bytes mapped (= region_size) */
	dev_t dev;		    /* identity of the mapped object */
	ino_t ino;
	/* Copied from the header and validated by ctl_region_open(). */
	uint16_t abi_major;
	uint16_t abi_minor;
	int32_t pid;
	uint32_t nb_workers;
	uint32_t nb_ports;
	uint32_t nb_reasons;
	uint32_t worker_off;
	uint32_t worker_size;
	uint32_t port_off;
	uint32_t port_size;
	uint64_t start_time_ns;
	uint64_t tsc_hz;
	char version[BW_NAME_LEN];
	/* Why ctl_region_open() failed. */
	enum ctl_verdict verdict; /* MISSING ... CORRUPT, RUNNING when open */
	int err;		  /* errno of the failing call, or 0 */
	char what[192];		  /* detail for CORRUPT and INCOMPATIBLE */
};

/*
 * Open, map and validate the status region of an instance. Returns 0 with
 * r->base mapped, or a negative errno with r unmapped and r->verdict, r->err
 * and r->what saying why: -ENOENT (MISSING), -EACCES or -EPERM (DENIED),
 * -EPROTO (INCOMPATIBLE), -EBADMSG (CORRUPT), any other (OPEN_ERROR, among
 * them -EINVAL for an invalid instance name). Called by the CLI thread.
 */
int ctl_region_open(struct ctl_region *r, const char *instance);

/* Unmap. Safe on a region that failed to open or was closed already. */
void ctl_region_close(struct ctl_region *r);

/*
 * Non-zero when the shm object now behind the region's name is not the one
 * mapped (the dataplane restarted and created a new one). An absent name
 * counts as not replaced.
 */
int ctl_region_replaced(const struct ctl_region *r);

/* The header and records of an open region; i must be below nb_*. */
const struct bw_status_hdr *ctl_region_hdr(const struct ctl_region *r);
const struct bw_worker_stats *ctl_region_worker(const struct ctl_region *r,
						uint32_t i);
const struct bw_port_stats *ctl_region_port(const struct ctl_region *r,
					    uint32_t i);

/* state with acquire order (pairs with the dataplane's release store). */
uint32_t ctl_region_state(const struct ctl_region *r);

/* Heartbeat age in ns at now_mono_ns (CLOCK_MONOTONIC); 0 if in the future. */
uint64_t ctl_region_heartbeat_age_ns(const struct ctl_region *r,
				     uint64_t now_mono_ns);

/*
 * Liveness of an open region at now_mono_ns: STOPPED when the dataplane
 * says so; STALE when its pid is gone (or a zombie); for state running,
 * NOT_RESPONDING when the heartbeat is older than CTL_HEARTBEAT_MAX_NS,
 * else RUNNING; STARTING, STOPPING or UNKNOWN_STATE otherwise.
 */
enum ctl_verdict ctl_region_liveness(const struct ctl_region *r,
				     uint64_t now_mono_ns);

/* Non-zero when a process with this pid exists and is not a zombie. */
int ctl_pid_alive(int32_t pid);

/* Short stable name of a verdict ("running", "not-responding", ...). */
const char *ctl_verdict_name(enum ctl_verdict v);

/* Name of a BW_STATE_* value ("running", ...), "unknown" for others. */
const char *ctl_state_name(uint32_t state);

/* Name of a BW_ROLE_* value ("outside", "inside"), "unknown" for others. */
const char *ctl_role_name(uint16_t role);

/*
 * Write the one line that explains verdict v for region r to f, starting
 * with "bulwarkctl: " and prefix (e.g. "warning: ", or ""). Nothing for
 * CTL_VERDICT_RUNNING. now_mono_ns dates the heartbeat.
 */
void ctl_region_report(FILE *f, const struct ctl_region *r, enum ctl_verdict v,
		       uint64_t now_mono_ns, const char *prefix);

/* CLOCK_MONOTONIC and CLOCK_REALTIME now, in ns. */
uint64_t ctl_now_mono_ns(void);
uint64_t ctl_now_real_ns(void);

/* Hits of every list slot, copied out of a region. */
struct ctl_list_hits {
	int valid;	      /* the copy succeeded */
	uint64_t applied_gen; /* generation in force when copied */
	struct bw_list_info info[BW_LIST_SLOTS]; /* name "" = unused slot */
	uint64_t pkts[BW_LIST_SLOTS];  /* since the list took the slot */
	uint64_t bytes[BW_LIST_SLOTS]; /* likewise */
};

/*
 * Copy the list table (under its sequence lock) and sum the per-worker
 * list counters of an open region into *h. Returns 0 with h->valid set, or
 * -EINVAL (layout outside the mapping) / -EAGAIN (table rewritten on every
 * try); *h is zeroed first. Works on a stopped dataplane's region too.
 */
int ctl_region_list_hits(const struct ctl_region *r, struct ctl_list_hits *h);

/* Counters of every eBPF program slot, copied out of a region. */
struct ctl_bpf_hits {
	int valid;	      /* the copy succeeded */
	uint64_t applied_gen; /* generation in force when copied */
	uint32_t jit;	      /* bw_status_hdr.bpf_jit */
	struct bw_bpf_info info[BW_BPF_SLOTS]; /* name "" = unused slot */
	struct bw_bpf_stats sum[BW_BPF_SLOTS]; /* since the program took
						  the slot (base subtracted) */
};

/*
 * Copy the program table (under its sequence lock) and sum the per-worker
 * program counters of an open region into *h, as ctl_region_list_hits()
 * does for lists. A region of a dataplane without program tables reads
 * -EINVAL. *h is zeroed first.
 */
int ctl_region_bpf_hits(const struct ctl_region *r, struct ctl_bpf_hits *h);

/* One content rule of the set in force and its counters, all workers. */
struct ctl_rule_hit {
	uint32_t sid;
	uint32_t rev;
	uint8_t action;	  /* BW_RULE_* of bw_image.h */
	uint8_t proto;	  /* BW_RULE_PROTO_* */
	uint64_t pkts;	  /* packets it hit since its set was loaded */
	uint64_t bytes;	  /* their frame bytes */
	uint64_t last_ns; /* CLOCK_REALTIME ns of the last hit, 0: never */
};

struct ctl_rule_hits {
	int valid;	      /* the copy succeeded */
	uint64_t applied_gen; /* generation in force when copied */
	uint64_t since_gen;   /* generation that loaded the rule set */
	uint32_t nb_rules;    /* entries of r[] in use */
	struct ctl_rule_hit r[BW_RULE_SLOTS]; /* by rule index */
};

/*
 * Copy the rule table (under its sequence lock) and sum the counters of
 * the bank it names over every worker into *h; retried when the table
 * changed meanwhile. A region without a rule table (older dataplane)
 * reads -EINVAL; -EAGAIN when it was rewritten on every try. *h is
 * zeroed first.
 */
int ctl_region_rule_hits(const struct ctl_region *r, struct ctl_rule_hits *h);

#endif /* CTL_REGION_H */
