/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hyperscan databases for bulwarkctl: compile the expressions of
 * ctl_hsmap.h for a chosen part of a rule set, serialize the result for
 * the ruleset image, and scan buffers with it (tests, `rules check
 * --payload`). Expression ids are rule indexes in the rule set, so a match
 * names the rule; header conditions (addresses, ports, flow, dsize,
 * absolute isdataat) are the dataplane's to check.
 *
 * Which rules: by default a block database holds the rules scanned per
 * packet (ctl_rule_scan() PACKET: UDP, ICMP, IP, and TCP with dsize,
 * absolute isdataat, tcp-pkt or no_stream) and a stream database the TCP
 * rules scanned on the byte stream; the caller compiles either or both, and may filter by
 * protocol or put every rule in a block database (CTL_HSDB_SCOPE_ALL).
 */
#ifndef CTL_HSDB_H
#define CTL_HSDB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include <hs.h>

#include "ctl_hsmap.h"
#include "ctl_rules.h"

#define CTL_HSDB_MAX_RULES    200000u	     /* default limit */
#define CTL_HSDB_MAX_EXPRS    1000000u	     /* default limit */
#define CTL_HSDB_MAX_DB_BYTES (256ull << 20) /* default limit */
#define CTL_HSDB_ERR_LEN      512	     /* room for any error */

struct ctl_hsdb_limits {
	uint32_t max_rules;    /* rules with expressions in one database */
	uint32_t max_exprs;    /* expressions in one database */
	uint64_t max_db_bytes; /* hs_database_size() */
};

enum ctl_hsdb_mode {
	CTL_HSDB_BLOCK = 1, /* HS_MODE_BLOCK: one packet payload per scan */
	CTL_HSDB_STREAM,    /* HS_MODE_STREAM: a TCP byte stream */
};

/* struct ctl_hsdb_opts.scopes: which ctl_rule_scan() scopes go in */
#define CTL_HSDB_SCOPE_PACKET (1u << CTL_RULE_SCAN_PACKET)
#define CTL_HSDB_SCOPE_STREAM (1u << CTL_RULE_SCAN_STREAM)
#define CTL_HSDB_SCOPE_ALL    (CTL_HSDB_SCOPE_PACKET | CTL_HSDB_SCOPE_STREAM)

struct ctl_hsdb_opts {
	enum ctl_hsdb_mode mode;
	unsigned int scopes; /* 0: PACKET for BLOCK, STREAM for STREAM */
	unsigned int protos; /* 1u << CTL_RULE_PROTO_*; 0: all */
	const struct ctl_hsdb_limits *limits; /* NULL: the defaults */
	const uint8_t *pick; /* per rule: 0 leaves it out; NULL: all */
};

struct ctl_hsdb {
	hs_database_t *db;     /* NULL when no chosen rule has expressions */
	hs_scratch_t *scratch; /* for ctl_hsdb_scan*(); made on first use */
	enum ctl_hsdb_mode mode;
	uint32_t nb_rules;   /* rules with expressions in db */
	uint32_t nb_exprs;   /* expressions compiled, sub-expressions too */
	uint32_t rule_space; /* ids below this are rule indexes */
	uint64_t compile_ns; /* wall time of hs_compile_ext_multi() */
	size_t db_bytes;     /* hs_database_size() */
};

/*
 * Compile the chosen rules of rs (mapped in map by ctl_hsmap_build() from
 * the same rs) and, only on success, replace *db with the result (the old
 * database freed; db may hold one or be zeroed). Returns 0; -E2BIG when a
 * limit is passed ("12000 rules with payload conditions exceed the limit
 * of 10000"); -EINVAL when Hyperscan refuses, with the rule named:
 * "FILE:LINE sid N: hyperscan: MESSAGE (expression 'X')"; -ENOMEM. The
 * message goes to err (err_len bytes, CTL_HSDB_ERR_LEN is enough). On
 * error *db is unchanged, so a database in use stays usable. Control
 * thread.
 */
int ctl_hsdb_compile(const struct ctl_rules *rs, const struct ctl_hsmap *map,
		     const struct ctl_hsdb_opts *o, struct ctl_hsdb *db,
		     char *err, size_t err_len);

/*
 * hs_serialize_database() of db into *buf (malloc'd: free() it), *len
 * bytes. Returns 0, -ENOENT when db has no database, or -ENOMEM.
 */
int ctl_hsdb_serialize(const struct ctl_hsdb *db, char **buf, size_t *len);

/*
 * Scan len bytes with a block database and write the indexes of the rules
 * whose payload expression matched, sorted and unique, into ids (at most
 * max_ids); *nb_ids is set to how many matched (may exceed max_ids).
 * Returns 0, -EINVAL (not a block database, or len above 4 GiB), -ENOMEM
 * or -EIO when Hyperscan fails. Not for the hot path: it may allocate.
 */
int ctl_hsdb_scan(struct ctl_hsdb *db, const void *data, size_t len,
		  uint32_t *ids, size_t max_ids, size_t *nb_ids);

/*
 * The same with a stream database: the nb_seg segments are written to one
 * stream in order, which is then closed (end-of-stream matches count).
 */
int ctl_hsdb_scan_stream(struct ctl_hsdb *db, const struct iovec *seg,
			 size_t nb_seg, uint32_t *ids, size_t max_ids,
			 size_t *nb_ids);

/* Release the database and scratch; db is left empty. */
void ctl_hsdb_free(struct ctl_hsdb *db);

#endif /* CTL_HSDB_H */
