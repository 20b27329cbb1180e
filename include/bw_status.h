/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The status region: a POSIX shared-memory object that the dataplane creates
 * at start (mode 0660, name from bw_name_status_shm()) and that bulwarkctl maps
 * read-only. It holds identity, liveness and counters. libc types only.
 *
 * Layout: struct bw_status_hdr at offset 0, then nb_workers records of
 * worker_size bytes at worker_off, then nb_ports records of port_size bytes at
 * port_off. Readers use the offsets and sizes from the header, never sizeof,
 * so that minor versions may append fields.
 *
 * Writers: every field has exactly one writer thread, named in its comment.
 * Counters are written with relaxed atomic stores; readers load them relaxed
 * and may see a counter set that is a few bursts apart, never a torn value.
 */
#ifndef BW_STATUS_H
#define BW_STATUS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bw_reason.h"

#define BW_STATUS_MAGIC	    0x5355544154535742ULL /* "BWSTATUS" little endian */
#define BW_STATUS_ABI_MAJOR 1
/* 3: frag, tun_pkts, tun_depth_pkts, restore_gen, restore_err */
/* 4: bw_bpf_stats.faults, bw_bpf_info.base_faults and on_fault */
/* 5: bw_worker_stats.events, events_lost, capture_pkts, capture_lost */
#define BW_STATUS_ABI_MINOR 5

#define BW_CACHE_LINE	 64
#define BW_NAME_LEN	 32 /* instance and version strings, NUL included */
#define BW_PORT_NAME_LEN 64 /* ethdev names, NUL included */
#define BW_WORKER_MAX	 128
#define BW_PORT_MAX	 32

/* bw_status_hdr.state */
#define BW_STATE_STARTING 1 /* ports being set up, no packet forwarded yet */
#define BW_STATE_RUNNING  2 /* workers polling */
#define BW_STATE_STOPPING 3 /* signal received, workers draining */
#define BW_STATE_STOPPED  4 /* final counters written, process exiting */

/* bw_port_stats.role */
#define BW_ROLE_OUTSIDE 0 /* faces the uplink */
#define BW_ROLE_INSIDE	1 /* faces the protected network */

struct bw_status_hdr {
	uint64_t magic;		    /* BW_STATUS_MAGIC, written last at start */
	uint16_t abi_major;	    /* BW_STATUS_ABI_MAJOR */
	uint16_t abi_minor;	    /* BW_STATUS_ABI_MINOR */
	uint32_t hdr_size;	    /* bytes: sizeof(struct bw_status_hdr) */
	uint64_t region_size;	    /* bytes: size of the whole object */
	int32_t pid;		    /* dataplane process id */
	uint32_t state;		    /* BW_STATE_*; main lcore, release store */
	uint64_t start_time_ns;	    /* CLOCK_REALTIME ns when started */
	uint64_t stop_time_ns;	    /* CLOCK_REALTIME ns when stopped, or 0 */
	uint64_t heartbeat_ns;	    /* CLOCK_MONOTONIC ns; main lcore, ~10 Hz */
	uint64_t tsc_hz;	    /* TSC ticks per second of the workers */
	uint64_t applied_gen;	    /* ruleset generation in force, 0: none */
	uint32_t nb_workers;	    /* worker records that follow */
	uint32_t nb_ports;	    /* port records that follow */
	uint32_t nb_reasons;	    /* reasons defined by the writer's build */
	uint32_t worker_off;	    /* bytes from region start */
	uint32_t worker_size;	    /* bytes per worker record */
	uint32_t port_off;	    /* bytes from region start */
	uint32_t port_size;	    /* bytes per port record */
	uint32_t reserved0;	    /* zero */
	char instance[BW_NAME_LEN]; /* instance name, NUL terminated */
	char version[BW_NAME_LEN];  /* dataplane version, NUL terminated */
	uint32_t list_info_off;	    /* bytes: bw_list_info[BW_LIST_SLOTS] */
	uint32_t list_stats_off;    /* bytes: per-worker list counters */
	uint32_t list_stats_size;   /* bytes per worker's block of them */
	uint32_t nb_list_slots;	    /* BW_LIST_SLOTS */
	uint32_t list_seq;	    /* odd while list_info is rewritten */
	uint32_t fail_closed;	    /* 1: drop all before a ruleset exists */
	uint64_t applied_ns;	    /* CLOCK_REALTIME ns of the last apply */
	uint32_t bpf_info_off;	    /* bytes: bw_bpf_info[nb_bpf_slots] */
	uint32_t bpf_stats_off;	    /* bytes: per-worker program counters */
	uint32_t bpf_stats_size;    /* bytes per worker's block of them */
	uint32_t nb_bpf_slots;	    /* BW_BPF_SLOTS */
	uint32_t bpf_seq;	    /* odd while bpf_info is rewritten */
	uint32_t bpf_jit;	    /* 1: programs JIT-compiled when possible,
				       0: interpreter forced (--bpf-no-jit) */
	uint32_t rule_tab_off;	    /* bytes: struct bw_rule_tab */
	uint32_t rule_stats_off;    /* bytes: per-worker rule counters */
	uint32_t rule_stats_size;   /* bytes per worker's block of them */
	uint32_t nb_rule_slots;	    /* BW_RULE_SLOTS, per bank */
	uint64_t restore_gen;	    /* newest valid generation of the state
				 directory that could not be applied at
				 start (then 0 runs, fail-closed), or 0 */
	int32_t restore_err;	    /* its negative errno (-ENOMEM), or 0 */
	uint8_t reserved[4];	    /* zero */
};

_Static_assert(sizeof(struct bw_status_hdr) == 256, "status header size");
_Static_assert(offsetof(struct bw_status_hdr, state) == 28, "state offset");
_Static_assert(offsetof(struct bw_status_hdr, heartbeat_ns) == 48,
	       "heartbeat offset");
_Static_assert(offsetof(struct bw_status_hdr, instance) == 104,
	       "instance offset");
_Static_assert(offsetof(struct bw_status_hdr, bpf_info_off) == 200,
	       "bpf_info_off offset");

/*
 * Counters of one worker lcore. Written only by that worker (identity fields
 * by the main lcore before the worker starts). Aligned to a cache line so
 * that no two writers share one.
 */
/*
 * bw_worker_stats.flow[]: TCP stream tracking of the content rules
 * (docs/rules.md, "TCP streams"), counted by the worker.
 */
#define BW_FLOW_NEW    0 /* flows entered in the table */
#define BW_FLOW_CLOSED 1 /* removed on RST or FIN both ways */
#define BW_FLOW_AGED   2 /* removed after their idle time */
/* segments of new flows the full table had no entry for */
#define BW_FLOW_FULL 3
/* segments refused: ahead of the next byte, beyond what may be held */
#define BW_FLOW_OOO	4
#define BW_FLOW_RETRANS 5 /* segments wholly already scanned: compared */
/* segments partly already scanned: the new bytes scanned */
#define BW_FLOW_OVERLAP 6
/* segments dropped because an earlier one of their direction hit a drop rule */
#define BW_FLOW_DROP 7
/* segments held ahead of a gap (copies), scanned when it fills */
#define BW_FLOW_AHEAD 8
/* held chunks scanned because the gap before them filled */
#define BW_FLOW_JOINED 9
/* flows evicted to make room for a new one (not established ones) */
#define BW_FLOW_EVICTED 10
/* held chunks released before the receiver acknowledged them */
#define BW_FLOW_UNACKED 11
/* chunks of held bytes in use now (a gauge, not a count) */
#define BW_FLOW_HELD_NOW 12
/* directions whose tracking started mid-stream (--tcp-midstream pickup) */
#define BW_FLOW_MIDSTREAM 13
#define BW_FLOW_COUNTERS  14
#define BW_FLOW_NAMES                                                          \
	{                                                                      \
		"new", "closed", "aged", "table_full", "out_of_order",         \
			"retransmitted", "overlap", "dropped_after_match",     \
			"held_ahead", "gaps_filled", "evicted",                \
			"released_unacked", "held_chunks_now", "midstream"     \
	}

/*
 * bw_worker_stats.frag[]: IP fragment reassembly (docs/architecture.md,
 * "IP fragments"), counted by the worker. Since status ABI minor 3.
 */
#define BW_FRAG_HELD	    0 /* fragments taken in and held */
#define BW_FRAG_REASSEMBLED 1 /* datagrams completed and classified */
#define BW_FRAG_TIMEOUT	    2 /* datagrams dropped: not complete in time */
#define BW_FRAG_OVERLAP	    3 /* datagrams dropped: overlapping fragments */
/* datagrams dropped: too many fragments, table full, too long */
#define BW_FRAG_LIMIT	  4
#define BW_FRAG_DUP	  5 /* exact duplicate fragments dropped alone */
#define BW_FRAG_HELD_NOW  6 /* fragments held now (a gauge) */
#define BW_FRAG_DGRAM_NOW 7 /* datagrams under reassembly now (a gauge) */
#define BW_FRAG_COUNTERS  8
#define BW_FRAG_NAMES                                                          \
	{                                                                      \
		"held", "reassembled", "timeouts", "overlaps", "over_limit",   \
			"duplicates", "held_now", "datagrams_now"              \
	}

/*
 * bw_worker_stats.tun_pkts[]: decapsulated packets by tunnel type (index
 * 0: every packet with at least one level; a packet counts once under each
 * type it crosses); tun_depth_pkts[d - 1]: packets whose innermost layer
 * lies d levels deep (docs/architecture.md, "Tunnels").
 */
#define BW_TUN_TYPES	 8
#define BW_TUN_DEPTH_MAX 3
#define BW_TUN_NAMES                                                           \
	{                                                                      \
		"any", "ip", "gre", "vxlan", "geneve", "gtpu", "mpls", "pppoe" \
	}

struct bw_worker_stats {
	uint32_t lcore_id;   /* EAL lcore id; main lcore before launch */
	uint32_t socket_id;  /* NUMA socket; main lcore before launch */
	uint64_t rx_pkts;    /* packets received from all queues */
	uint64_t rx_bytes;   /* bytes received (frame length, no FCS) */
	uint64_t tx_pkts;    /* packets accepted by tx queues */
	uint64_t tx_bytes;   /* bytes accepted by tx queues */
	uint64_t drop_pkts;  /* packets dropped, all reasons */
	uint64_t drop_bytes; /* bytes dropped, all reasons */
	uint64_t busy_tsc;   /* TSC ticks in loops that received packets */
	uint64_t idle_tsc;   /* TSC ticks in loops that received nothing */
	uint64_t loops;	     /* poll loop iterations */
	uint64_t ipv4_pkts;  /* decoded as IPv4 */
	uint64_t ipv6_pkts;  /* decoded as IPv6 */
	uint64_t nonip_pkts; /* neither (ARP, LLDP, ...): passed untouched */
	uint64_t frag_pkts;  /* IPv4 or IPv6 fragments */
	uint64_t anomaly_pass_pkts; /* malformed, passed by policy */
	uint64_t flow[16];	    /* BW_FLOW_*: TCP stream tracking */
	uint64_t frag[8];	    /* BW_FRAG_*: IP reassembly (minor 3) */
	uint64_t tun_pkts[BW_TUN_TYPES]; /* tunnelled packets, by type */
	uint64_t tun_depth_pkts[BW_TUN_DEPTH_MAX]; /* by levels crossed */
	uint64_t events;       /* events queued for the writer (minor 5) */
	uint64_t events_lost;  /* events lost: the worker's ring was full */
	uint64_t capture_pkts; /* packets copied for an armed capture */
	uint64_t capture_lost; /* matching packets the capture ring lost */
	uint64_t reserved[10]; /* zero */
	uint64_t reason_drop_pkts[BW_REASON_MAX]; /* drops per BW_REASON_* */
	uint64_t reason_pass_pkts[BW_REASON_MAX]; /* malformed but passed */
} __attribute__((aligned(BW_CACHE_LINE)));

_Static_assert(sizeof(struct bw_worker_stats) % BW_CACHE_LINE == 0,
	       "worker record must be whole cache lines");
_Static_assert(sizeof(struct bw_worker_stats) == 1536, "worker record size");
_Static_assert(offsetof(struct bw_worker_stats, reason_drop_pkts) == 512,
	       "reason_drop_pkts offset");

/* Counters of one ethdev port, copied by the main lcore from rte_eth_stats. */
struct bw_port_stats {
	char name[BW_PORT_NAME_LEN]; /* ethdev name, NUL terminated */
	uint16_t port_id;	     /* DPDK port id */
	uint16_t pair;		     /* index of its --pair */
	uint16_t role;		     /* BW_ROLE_* */
	uint16_t link_up;	     /* 1 when the link is up */
	uint32_t link_speed_mbps;    /* Mbit/s, 0 when unknown */
	uint32_t nb_queues;	     /* rx (= tx) queues configured */
	uint64_t ipackets;	     /* packets received by the port */
	uint64_t opackets;	     /* packets sent by the port */
	uint64_t ibytes;	     /* bytes received by the port */
	uint64_t obytes;	     /* bytes sent by the port */
	uint64_t imissed;	     /* dropped by hardware: rx queue full */
	uint64_t ierrors;	     /* erroneous received packets */
	uint64_t oerrors;	     /* failed transmissions */
	uint64_t rx_nombuf;	     /* rx mbuf allocation failures */
	uint64_t updated_ns;	     /* CLOCK_MONOTONIC ns of the copy */
	uint8_t mac[6];		     /* port MAC address */
	uint8_t reserved[34];	     /* zero */
} __attribute__((aligned(BW_CACHE_LINE)));

_Static_assert(sizeof(struct bw_port_stats) == 192, "port record size");

/*
 * Lists known to the status region: one slot per list id of the ruleset
 * (bw_image.h BW_LIST_MAX). Written by the dataplane's control thread when
 * a ruleset is applied, under the list_seq sequence lock: it makes
 * list_seq odd (release), rewrites, makes it even (release); a reader
 * retries while list_seq is odd or changed around its copy.
 */
#define BW_LIST_SLOTS 128

struct bw_list_info {
	char name[32];	     /* NUL terminated; empty: slot unused */
	uint16_t action;     /* BW_ACTION_* of bw_image.h */
	uint16_t match;	     /* BW_MATCH_* of bw_image.h */
	uint32_t nb_v4;	     /* IPv4 prefixes */
	uint32_t nb_v6;	     /* IPv6 prefixes */
	uint32_t reserved0;  /* zero */
	uint64_t base_pkts;  /* sum of worker hits when the slot was taken */
	uint64_t base_bytes; /* likewise, bytes */
	uint64_t since_gen;  /* generation that created the list */
	uint8_t reserved[8]; /* zero */
};

_Static_assert(sizeof(struct bw_list_info) == 80, "list info size");

/* Hits of one list on one worker; written only by that worker. */
struct bw_list_stats {
	uint64_t pkts;	/* packets this list decided (dropped or allowed) */
	uint64_t bytes; /* their bytes */
};

/*
 * eBPF programs known to the status region. A program of the ruleset
 * holds a slot for as long as it exists with the same code; a new or
 * replaced program takes a slot that no program in force uses, so that
 * its counters start from the slot's sums at that moment (base_*). There
 * are twice as many slots as programs in a ruleset (bw_image.h
 * BW_BPF_MAX) so that a whole set can be replaced at once. Written by the
 * dataplane's control thread when a ruleset is applied, under the bpf_seq
 * sequence lock (as list_seq above).
 */
#define BW_BPF_SLOTS 32

struct bw_bpf_info {
	char name[32];	      /* NUL terminated; empty: slot unused */
	uint32_t order;	      /* run order */
	uint32_t nb_insns;    /* instructions */
	uint32_t crc32c;      /* CRC32C of the instructions (bw_image.h) */
	uint32_t jit;	      /* 1: JIT-compiled, 0: interpreted */
	uint64_t since_gen;   /* generation that loaded this code */
	uint64_t base_runs;   /* sums of the workers' counters when the */
	uint64_t base_drops;  /* slot was taken; readers subtract them */
	uint64_t base_passes; /* likewise */
	uint64_t base_errors; /* likewise */
	uint64_t base_tsc;    /* likewise */
	uint64_t base_faults; /* likewise (minor 4) */
	uint32_t on_fault;    /* BW_IMAGE_BPF_ON_FAULT_* (minor 4) */
	uint8_t reserved[20]; /* zero */
};

_Static_assert(sizeof(struct bw_bpf_info) == 128, "bpf info size");

/* Counters of one program slot on one worker; written only by that worker. */
struct bw_bpf_stats {
	uint64_t runs;	      /* packets the program ran on */
	uint64_t drops;	      /* it returned BW_BPF_DROP */
	uint64_t passes;      /* it returned BW_BPF_PASS */
	uint64_t errors;      /* it returned something else (continue) */
	uint64_t busy_tsc;    /* TSC ticks spent in it (see docs/bpf.md) */
	uint64_t faults;      /* it faulted: division by zero (minor 4) */
	uint64_t reserved[2]; /* zero */
};

_Static_assert(sizeof(struct bw_bpf_stats) == 64, "bpf stats size");

/* Bytes of one worker's block of program counters (whole cache lines). */
#define BW_BPF_STATS_BLOCK (BW_BPF_SLOTS * sizeof(struct bw_bpf_stats))

/* Bytes of one worker's block of list counters (whole cache lines). */
#define BW_LIST_STATS_BLOCK (BW_LIST_SLOTS * sizeof(struct bw_list_stats))

/*
 * Content rule counters (docs/rules.md, "Counters"). Rule i of the set in
 * force counts in slot i of bank bw_rule_tab.bank of each worker's block:
 * a new rule set takes the other bank, which the main lcore zeroes before
 * the swap (no worker writes it then: the set that last used it was
 * retired by an RCU grace period), so a hit is only ever counted for a
 * rule of the set the worker runs. Readers take the table under its
 * sequence lock and sum the bank it names.
 */
#define BW_RULE_SLOTS 32768 /* = BW_RULE_MAX of bw_image.h */

struct bw_rule_tab {
	uint32_t seq;	      /* odd while the table is rewritten */
	uint32_t bank;	      /* 0 or 1: bank of the set in force */
	uint32_t nb_rules;    /* entries of info[] in use */
	uint32_t reserved0;   /* zero */
	uint64_t generation;  /* generation that loaded the set */
	uint64_t tsc_ref;     /* TSC at tsc_ref_ns, for last_tsc */
	uint64_t tsc_ref_ns;  /* CLOCK_REALTIME ns at tsc_ref */
	uint8_t reserved[24]; /* zero */
};

_Static_assert(sizeof(struct bw_rule_tab) == 64, "rule tab size");

/* Rule i of the set in force, after struct bw_rule_tab. */
struct bw_rule_info {
	uint32_t sid;	    /* signature id */
	uint32_t rev;	    /* revision */
	uint8_t action;	    /* BW_RULE_ALERT/DROP/PASS of bw_image.h */
	uint8_t proto;	    /* BW_RULE_PROTO_* of bw_image.h */
	uint16_t reserved0; /* zero */
	uint32_t reserved;  /* zero */
};

_Static_assert(sizeof(struct bw_rule_info) == 16, "rule info size");

struct bw_rule_stats {
	uint64_t pkts;	   /* packets the rule hit */
	uint64_t bytes;	   /* their frame bytes */
	uint64_t last_tsc; /* worker TSC of the last hit, 0: never */
};

_Static_assert(sizeof(struct bw_rule_stats) == 24, "rule stats size");

#define BW_RULE_STATS_BLOCK (2 * BW_RULE_SLOTS * sizeof(struct bw_rule_stats))

/*
 * Bytes of a region that holds nb_workers and nb_ports records, the list
 * info table, the per-worker list counters, the program info table and
 * the per-worker program counters, in that order.
 */
static inline size_t
bw_status_region_size(uint32_t nb_workers, uint32_t nb_ports)
{
	return sizeof(struct bw_status_hdr) +
	       (size_t)nb_workers * sizeof(struct bw_worker_stats) +
	       (size_t)nb_ports * sizeof(struct bw_port_stats) +
	       BW_LIST_SLOTS * sizeof(struct bw_list_info) +
	       (size_t)nb_workers * BW_LIST_STATS_BLOCK +
	       BW_BPF_SLOTS * sizeof(struct bw_bpf_info) +
	       (size_t)nb_workers * BW_BPF_STATS_BLOCK +
	       sizeof(struct bw_rule_tab) +
	       BW_RULE_SLOTS * sizeof(struct bw_rule_info) +
	       (size_t)nb_workers * BW_RULE_STATS_BLOCK;
}

#endif /* BW_STATUS_H */
