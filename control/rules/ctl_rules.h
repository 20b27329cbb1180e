/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Content rules for bulwarkctl: the Suricata/Snort rule subset Bulwark
 * takes, parsed into a rule model, and the rule variables ($HOME_NET, ...).
 * Pure libc; mapping to Hyperscan is ctl_hsmap.h, compiling ctl_hsdb.h.
 *
 * A rule file is read line by line: '#' starts a comment line, a line
 * ending in '\' continues on the next one, every other non-blank logical
 * line is one rule. Each rule is either taken (a struct ctl_rule in
 * struct ctl_rules) or skipped with a reason (a struct ctl_rule_skip,
 * "FILE:LINE sid N: REASON"); none is dropped silently. (struct
 * ctl_rules is the content-rule set alone; the image writer's struct
 * ctl_ruleset of ctl_image.h holds lists and programs.)
 *
 * The subset (docs/rules.md has the full table):
 *   actions   alert, drop, pass
 *   protocols tcp, udp, icmp, ip; tcp-pkt and tcp-stream as tcp with the
 *             scan scope forced
 *   addresses any, CIDR, a-b ranges, [lists], !negation, $VARS, nested
 *   ports     any, N, A:B, A:, :B, [lists], !negation, $VARS
 *   direction -> and <>
 *   options   msg sid rev classtype priority reference metadata target
 *             content (|hex|, escapes, !) nocase depth offset distance
 *             within startswith fast_pattern (ignored) pcre dsize flow
 *             isdataat (absolute ones make the rule packet-scoped)
 * Any other keyword skips the rule: "unsupported keyword K". The keyword
 * table (ctl_rulekw.c, ctl_rule_keyword()) is the list.
 *
 * The library of control/rules/ implements it: ctl_ruleparse.c (rule
 * files, headers), ctl_rulekw.c (option keywords), ctl_ruleaddr.c
 * (address and port sets), ctl_rulevars.c (variables), ctl_ruleset.c (the
 * rule set), ctl_rulelex.c (shared text input); and ctl_compile.c drives
 * a whole compile, from rule and pattern files to the rule table of the
 * ruleset image (ctl_rules_compile()).
 */
#ifndef CTL_RULES_H
#define CTL_RULES_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ctl_prefix.h"

struct ctl_rtab; /* ctl_model.h: the rule table ctl_rules_compile() fills */

#define CTL_RULE_LEN_MAX     65536 /* bytes in one logical rule line */
#define CTL_RULE_MATCH_MAX   64	   /* content/pcre/isdataat per rule */
#define CTL_RULE_CONTENT_MAX 65535 /* bytes in one content */
#define CTL_RULE_WHY_LEN     256   /* room for any skip reason */

enum ctl_rule_action {
	CTL_RULE_ALERT = 1, /* count the hit, forward */
	CTL_RULE_DROP,	    /* count the hit, drop */
	CTL_RULE_PASS,	    /* forward, skip the remaining content rules */
};

enum ctl_rule_proto {
	CTL_RULE_PROTO_IP = 1, /* any IP packet: the L4 payload */
	CTL_RULE_PROTO_TCP,
	CTL_RULE_PROTO_UDP,
	CTL_RULE_PROTO_ICMP, /* ICMP and ICMPv6 */
};

/* Where the dataplane scans a rule's contents (ctl_rule_scan()). */
enum ctl_rule_scan {
	CTL_RULE_SCAN_PACKET = 0, /* each packet's payload on its own */
	CTL_RULE_SCAN_STREAM = 1, /* the TCP byte stream of a flow */
};

/* struct ctl_rule.flags */
#define CTL_RULE_BIDIR		  0x0001 /* <>: either direction matches */
#define CTL_RULE_FLOW_ESTABLISHED 0x0002 /* flow:established */
#define CTL_RULE_FLOW_TO_SERVER	  0x0004 /* flow:to_server / from_client */
#define CTL_RULE_FLOW_TO_CLIENT	  0x0008 /* flow:to_client / from_server */
#define CTL_RULE_PACKET		  0x0010 /* tcp-pkt, no_stream, dsize, isdataat */
#define CTL_RULE_STREAM		  0x0020 /* tcp-stream, flow:only_stream */
#define CTL_RULE_PATTERN	  0x0040 /* from a Hyperscan pattern file */

/*
 * A set of addresses of both families: the addresses inside one of pfx
 * (sorted, disjoint, fewest prefixes), or outside all of them when
 * negated. Whichever of the two spellings has fewer prefixes is kept;
 * "any" is negated with no prefix. Never empty (such rules are skipped).
 */
struct ctl_rule_addr {
	struct ctl_prefix_set pfx;
	int negated;
};

struct ctl_rule_port_range {
	uint16_t lo; /* first port, host order */
	uint16_t hi; /* last port, inclusive */
};

/* Ports inside one of r (sorted, disjoint), or outside all when negated. */
struct ctl_rule_ports {
	struct ctl_rule_port_range *r;
	size_t n;
	int negated; /* "any" is negated with n == 0 */
};

/* Payload size: len in [min, max] (inclusive), or outside it for OUT. */
enum ctl_rule_dsize_op {
	CTL_DSIZE_NONE = 0, /* no dsize option */
	CTL_DSIZE_IN,
	CTL_DSIZE_OUT, /* dsize:!N */
};

struct ctl_rule_dsize {
	enum ctl_rule_dsize_op op;
	uint32_t min; /* bytes */
	uint32_t max; /* bytes */
};

/*
 * The absolute isdataat conditions of a rule folded into one payload
 * length range (rule_finish()): isdataat:N holds when the payload has a
 * byte at position N (len > N), isdataat:!N when it has not (len <= N),
 * and, as in Suricata, no payload keyword holds on an empty payload (its
 * signature needs a payload to be inspected at all). Set only on
 * packet-scoped rules: a stream has no packet length to hold it to.
 */
struct ctl_rule_dataat {
	int set;      /* the rule has an absolute isdataat */
	uint32_t min; /* payload bytes, at least (>= 1) */
	uint32_t max; /* ... and at most */
};

enum ctl_match_kind {
	CTL_MATCH_CONTENT = 1, /* data/len: the bytes */
	CTL_MATCH_PCRE,	       /* data: the regex body, pcre: CTL_PCRE_* */
	CTL_MATCH_ISDATAAT,    /* offset: the position */
	CTL_MATCH_HSEXPR,      /* pattern file: data, pcre: HS_FLAG_*, ext */
};

/* struct ctl_rule_match.flags */
#define CTL_MATCH_NEGATED  0x0001 /* content:!, pcre:!, isdataat:! */
#define CTL_MATCH_NOCASE   0x0002 /* content: ASCII caseless */
#define CTL_MATCH_RELATIVE 0x0004 /* to the previous content/pcre match */
#define CTL_MATCH_OFFSET   0x0008 /* content: offset set */
#define CTL_MATCH_DEPTH	   0x0010 /* content: depth set */
#define CTL_MATCH_DISTANCE 0x0020 /* content: distance set */
#define CTL_MATCH_WITHIN   0x0040 /* content: within set */

/* struct ctl_rule_match.pcre for CTL_MATCH_PCRE */
#define CTL_PCRE_CASELESS  0x0001 /* i */
#define CTL_PCRE_DOTALL	   0x0002 /* s */
#define CTL_PCRE_MULTILINE 0x0004 /* m */
#define CTL_PCRE_EXTENDED  0x0008 /* x */
#define CTL_PCRE_ANCHORED  0x0010 /* A */

/* Hyperscan extended parameters of a pattern-file expression. */
struct ctl_rule_hsext {
	uint64_t flags; /* HS_EXT_FLAG_* */
	uint64_t min_offset;
	uint64_t max_offset;
	uint64_t min_length;
	uint32_t edit_distance;
	uint32_t hamming_distance;
};

/*
 * One payload condition, in rule order (relative ones refer to the last
 * positive content or pcre before them). Offsets and lengths in bytes.
 * Content: match anywhere in [offset, offset + depth) when OFFSET/DEPTH,
 * or, when DISTANCE/WITHIN, start at or after prev_end + distance and end
 * at or before prev_end + distance + within (Suricata's arithmetic).
 * Isdataat without RELATIVE is the dataplane's to check, as Suricata does:
 * true when the payload has a byte at position offset (len > offset),
 * with NEGATED when it has not; struct ctl_rule.dataat holds them all as
 * one range, and they make the rule packet-scoped. Relative ones are in
 * the Hyperscan expression (ctl_hsexpr.c).
 */
struct ctl_rule_match {
	enum ctl_match_kind kind;
	uint32_t flags;	  /* CTL_MATCH_* */
	uint8_t *data;	  /* bytes; NUL-terminated (the NUL not in len) */
	uint32_t len;	  /* bytes in data */
	uint32_t offset;  /* content offset, isdataat position */
	uint32_t depth;	  /* content depth */
	int32_t distance; /* content distance, may be negative */
	uint32_t within;  /* content within */
	uint32_t pcre;	  /* CTL_PCRE_* or, for HSEXPR, HS_FLAG_* */
	uint32_t hs_id;	  /* HSEXPR: the ID in its pattern file */
	struct ctl_rule_hsext ext; /* HSEXPR only */
};

struct ctl_rule {
	uint32_t sid;	  /* pattern files: the expression ID */
	uint32_t rev;	  /* 0 when absent */
	uint32_t flags;	  /* CTL_RULE_* */
	int32_t priority; /* 1..255, 0 when absent */
	enum ctl_rule_action action;
	enum ctl_rule_proto proto;
	char *msg;	 /* "" when absent */
	char *classtype; /* "" when absent */
	struct ctl_rule_addr src;
	struct ctl_rule_addr dst;
	struct ctl_rule_ports sport;
	struct ctl_rule_ports dport;
	struct ctl_rule_dsize dsize;
	struct ctl_rule_dataat dataat; /* absolute isdataat, folded */
	struct ctl_rule_match *m;      /* payload conditions, in rule order */
	uint32_t nb_m;
	const char *file; /* owned by the struct ctl_rules */
	uint32_t line;	  /* first line of the rule, 1-based */
};

struct ctl_rule_skip {
	const char *file; /* owned by the struct ctl_rules */
	uint32_t line;	  /* first line of the rule */
	uint32_t sid;	  /* 0 when the rule had none (or it was unreadable) */
	char *reason;	  /* "unsupported keyword byte_test", no file:line */
	int action;	  /* enum ctl_rule_action of the rule, 0: unread */
};

/* What one load saw. */
struct ctl_rules_stats {
	size_t rules;	/* logical rule lines */
	size_t taken;	/* rules added to the set */
	size_t skipped; /* rules skipped, each with a reason */
};

/* Every rule taken so far (index = rule id) and every rule skipped. */
struct ctl_rules {
	struct ctl_rule *rules;
	size_t nb_rules;
	size_t cap_rules;
	struct ctl_rule_skip *skips;
	size_t nb_skips;
	size_t cap_skips;
	char **files; /* interned file names */
	size_t nb_files;
	size_t cap_files;
	struct ctl_rules_sid *sids; /* open addressing: sid -> first rule */
	size_t cap_sids;
	size_t nb_sids;
};

/* A reason and how many rules it skipped (ctl_rules_tally()). */
struct ctl_rules_reason {
	char *reason;
	size_t count;
};

/*
 * Rule variables, NAME -> VALUE (an address or a port expression, which
 * may use other variables). Expanded when a rule is parsed; a name not
 * set here falls back to its built-in default (ctl_rule_vars_defaults()).
 */
struct ctl_rule_var {
	char *name;  /* without '$' */
	char *value; /* as given, e.g. "[192.168.0.0/16,10.0.0.0/8]" */
};

struct ctl_rule_vars {
	struct ctl_rule_var *v;
	size_t n;
	size_t cap;
};

/*
 * Optional check of each rule the parser would take: returns 0 to take
 * it, -ENOMEM to fail the load, or another non-zero value after writing a
 * reason (lowercase, no file:line) into why (why_len bytes) to skip it.
 * ctl_hsmap_check() is one.
 */
typedef int (*ctl_rule_check_fn)(const struct ctl_rule *r, char *why,
				 size_t why_len, void *arg);

struct ctl_rules_opts {
	const struct ctl_rule_vars *vars; /* NULL: the defaults only */
	ctl_rule_check_fn check;	  /* NULL: parse only */
	void *check_arg;
};

/* An empty set; ctl_rules_free() releases it. */
void ctl_rules_init(struct ctl_rules *rs);

/* Release everything the set holds; it is left empty and reusable. */
void ctl_rules_free(struct ctl_rules *rs);

/*
 * Parse the rule file at path and append its rules to rs: taken ones to
 * rs->rules, skipped ones to rs->skips. A sid already taken (from this or
 * an earlier file) skips the later rule. o may be NULL, st may be NULL.
 * Returns 0 (also when rules were skipped: the caller decides whether
 * that fails, e.g. --strict), -ENOMEM (rs then holds part of the file),
 * or the negative errno of open/read (rs then unchanged). A load builds a
 * new rule set; the one in force is replaced only once the new one has
 * compiled (ctl_hsdb_compile()), so bad input never touches it. Control
 * thread.
 */
int ctl_rules_load_file(struct ctl_rules *rs, const char *path,
			const struct ctl_rules_opts *o,
			struct ctl_rules_stats *st);

/* ctl_rules_load_file() on the len bytes at buf, named name. */
int ctl_rules_load_buf(struct ctl_rules *rs, const char *name, const char *buf,
		       size_t len, const struct ctl_rules_opts *o,
		       struct ctl_rules_stats *st);

/*
 * For loaders of the bytes of a file named name into rs: zero *st (or,
 * when it is NULL, local, which *st then points at) and return the copy
 * of name the rules and skips point at (ctl_rules_intern()), or NULL on
 * -ENOMEM.
 */
const char *ctl_rules_load_start(struct ctl_rules *rs, const char *name,
				 struct ctl_rules_stats **st,
				 struct ctl_rules_stats *local);

/*
 * For loaders: the next line of the text from *p to end as [*s, *e),
 * without its '\n'; *p moves past it. Returns 0 at the end of the text.
 */
int ctl_rules_next_line(const char **p, const char *end, const char **s,
			const char **e);

/*
 * A loader of the len bytes at buf, named name, into rs, with its options
 * at arg (ctl_rules_load_buf(), ctl_hsmap_load_patterns_buf()).
 */
typedef int (*ctl_rules_load_fn)(struct ctl_rules *rs, const char *name,
				 const char *buf, size_t len, const void *arg,
				 struct ctl_rules_stats *st);

/*
 * Read the file at path (ctl_rules_read_file()) and hand its bytes to
 * load; st (may be NULL) is zeroed when the file cannot be read. Returns
 * as ctl_rules_load_file().
 */
int ctl_rules_load_path(struct ctl_rules *rs, const char *path,
			ctl_rules_load_fn load, const void *arg,
			struct ctl_rules_stats *st);

/*
 * Read the whole file at path (up to 1 GiB) into a malloc'd buffer with a
 * NUL after its *len bytes. Returns 0, -EISDIR, -EFBIG, -ENOMEM or the
 * negative errno of open/read.
 */
int ctl_rules_read_file(const char *path, char **buf, size_t *len);

/*
 * "FILE:LINE sid N: REASON" (or "FILE:LINE: REASON" without a sid) into
 * buf (len bytes). Returns what snprintf returns.
 */
int ctl_rule_skip_format(const struct ctl_rule_skip *s, char *buf, size_t len);

/*
 * Count skips by reason, where a reason counts up to its first ": " or
 * " (" ("invalid content: odd hex digits" counts as "invalid content").
 * Only skips of file (the pointer from ctl_rules_intern() or a rule's
 * file, compared by name) when file is not NULL. *out is malloc'd, sorted
 * by count (descending) then reason; free with ctl_rules_reasons_free().
 * Returns the number of entries or -ENOMEM.
 */
long ctl_rules_tally(const struct ctl_rules *rs, const char *file,
		     struct ctl_rules_reason **out);

void ctl_rules_reasons_free(struct ctl_rules_reason *t, size_t n);

/*
 * The copy of name the set keeps (added when new), so that rules and skips
 * can point at it. NULL on -ENOMEM.
 */
const char *ctl_rules_intern(struct ctl_rules *rs, const char *name);

/*
 * Append a taken rule (moved: rs owns its memory afterwards, *r is zeroed)
 * or a skip record (reason copied). Return 0 or -ENOMEM; on -ENOMEM the
 * rule is released. For loaders of other formats (pattern files).
 */
int ctl_rules_add(struct ctl_rules *rs, struct ctl_rule *r);
int ctl_rules_add_skip(struct ctl_rules *rs, const char *file, uint32_t line,
		       uint32_t sid, const char *reason);

/*
 * The i-th option keyword the parser takes (in the order of its keyword
 * table), NULL past the last one. Any thread.
 */
const char *ctl_rule_keyword(size_t i);

/* Release what one rule holds (not the struct itself). */
void ctl_rule_free(struct ctl_rule *r);

/* Scan scope of a taken rule: STREAM for TCP unless packet-only. */
enum ctl_rule_scan ctl_rule_scan(const struct ctl_rule *r);

/* "alert", "drop", "pass"; "?" when bad. */
const char *ctl_rule_action_name(enum ctl_rule_action a);

/* "ip", "tcp", "udp", "icmp"; "?" when bad. */
const char *ctl_rule_proto_name(enum ctl_rule_proto p);

/*
 * 1 when addr (4 or 16 bytes, network order, family CTL_PREFIX_V4/V6)
 * is in the set, else 0.
 */
int ctl_rule_addr_match(const struct ctl_rule_addr *a, int family,
			const uint8_t *addr);

/* 1 when port (host order) is in the set, else 0. */
int ctl_rule_ports_match(const struct ctl_rule_ports *p, uint16_t port);

/*
 * Write the set as rule syntax into buf: "any", "10.0.0.0/8",
 * "[10.0.0.0/8,172.16.0.0/12]", "![...]"; "80", "[80,443,1000:2000]".
 * Returns 0 or -ENOSPC (buf then holds a cut string ending in "...").
 */
int ctl_rule_addr_format(const struct ctl_rule_addr *a, char *buf, size_t len);
int ctl_rule_ports_format(const struct ctl_rule_ports *p, char *buf,
			  size_t len);

/*
 * Parse an address or port expression (with $VARS from vars, NULL: the
 * defaults only) into *out, which is freed first. Return 0 or -EINVAL
 * after writing a reason into why, or -ENOMEM. At most 16 levels of
 * variables and 4096 expansions per expression. Any thread.
 */
int ctl_rule_addr_parse(const char *s, const struct ctl_rule_vars *vars,
			struct ctl_rule_addr *out, char *why, size_t why_len);
int ctl_rule_ports_parse(const char *s, const struct ctl_rule_vars *vars,
			 struct ctl_rule_ports *out, char *why, size_t why_len);

void ctl_rule_addr_free(struct ctl_rule_addr *a);
void ctl_rule_ports_free(struct ctl_rule_ports *p);

/*
 * The default variables, as in Suricata's suricata.yaml with the ULA
 * range added to HOME_NET:
 *   HOME_NET      [192.168.0.0/16,10.0.0.0/8,172.16.0.0/12,fc00::/7]
 *   EXTERNAL_NET  !$HOME_NET
 *   *_SERVERS     $HOME_NET (HTTP, SMTP, SQL, DNS, TELNET, DC, ...)
 *   AIM_SERVERS   $EXTERNAL_NET
 *   HTTP_PORTS 80, SHELLCODE_PORTS !80, ORACLE_PORTS 1521, SSH_PORTS 22,
 *   DNP3_PORTS 20000, MODBUS_PORTS 502, FTP_PORTS 21, ...
 * docs/rules.md lists them all. Returns 0 or -ENOMEM (vars then as
 * before). Names already set are kept.
 */
int ctl_rule_vars_defaults(struct ctl_rule_vars *vars);

/*
 * Set NAME (1-63 of [A-Za-z0-9_], not starting with a digit; a leading
 * '$' is ignored) to value. The value must parse as an address or a port
 * expression with the variables now in vars (itself included, so a cycle
 * is refused). Returns 0, -EINVAL after writing a reason into why, or
 * -ENOMEM; vars unchanged unless 0.
 */
int ctl_rule_vars_set(struct ctl_rule_vars *vars, const char *name,
		      const char *value, char *why, size_t why_len);

/*
 * The value of name (with or without '$') in force: set in vars, else the
 * built-in default; NULL when neither.
 */
const char *ctl_rule_vars_get(const struct ctl_rule_vars *vars,
			      const char *name);

/*
 * Read a vars file ("NAME VALUE" per line, '#' comments, blank lines)
 * into vars; values are checked once the whole file is read, so a file
 * may use a name before it defines it. Each bad line is reported to diag
 * (NULL: stderr) as "FILE:LINE: error: REASON". Returns 0, -EINVAL (vars
 * unchanged), -ENOMEM or the negative errno of open/read.
 */
int ctl_rule_vars_load_file(struct ctl_rule_vars *vars, const char *path,
			    FILE *diag);

/* Release all variables; vars is left empty and reusable. */
void ctl_rule_vars_free(struct ctl_rule_vars *vars);

/* What ctl_rules_compile() builds a rule table from. */
struct ctl_rules_build {
	char *const *files; /* rule files (Suricata/Snort) */
	size_t nb_files;
	const char *const *patterns; /* Hyperscan pattern files */
	size_t nb_patterns;
	enum ctl_rule_action action;	  /* of the pattern rules */
	const struct ctl_rule_vars *vars; /* NULL: the defaults only */
	int strict;			  /* one skipped rule fails */
	int single_db;	      /* one per-packet database, no scan groups */
	size_t *drop_skipped; /* NULL, or set to the drop rules skipped */
};

/*
 * What the expressions of one rule set may cost to compile together, in
 * unrolled repeat positions (ctl_hsexpr_cost(); one expression alone gets
 * CTL_HSEXPR_COST_MAX): about 15 s and 200 MB at worst.
 */
#define CTL_RULES_COST_MAX 65536u

/*
 * And whatever the cost says, a compile that runs longer than this ends
 * the process with "compiling the rules took more than N s" (nothing is
 * committed); the environment variable overrides it (seconds). It may use
 * CTL_RULES_COMPILE_MEM of address space more than the process had
 * (RLIMIT_AS while it runs; CTL_RULES_COMPILE_MEM_ENV overrides it, in
 * MiB): past that Hyperscan fails and the set is refused.
 */
#define CTL_RULES_COMPILE_TIMEOUT_S   60u
#define CTL_RULES_COMPILE_TIMEOUT_ENV "BULWARK_COMPILE_TIMEOUT"
#define CTL_RULES_COMPILE_MEM	      (2ull << 30)
#define CTL_RULES_COMPILE_MEM_ENV     "BULWARK_COMPILE_MEMORY"

/* Room for the reason of a failed ctl_rules_compile(): a path and more. */
#define CTL_RULES_COMPILE_WHY_LEN (PATH_MAX + 512)

/*
 * Compile the files of b: parse them into one rule set (each rule checked
 * with ctl_hsmap_check()), report every skipped rule on diag ("FILE:LINE
 * sid N: REASON", then the counts by reason) and "rules: N read, N taken,
 * N skipped" on out, build the scan groups, compile the Hyperscan
 * databases into *tab (ctl_rtab_build_layout()) and tell on out what was
 * compiled. Returns 0 (*tab then the caller's: ctl_rtab_free()), or a
 * negative errno with the reason in why (why_len bytes,
 * CTL_RULES_COMPILE_WHY_LEN is enough) and *tab empty: a file that cannot
 * be read, a skip with strict (-EINVAL), no rule taken of some (-EINVAL),
 * or a compile error. Control thread.
 */
int ctl_rules_compile(const struct ctl_rules_build *b, FILE *out, FILE *diag,
		      struct ctl_rtab *tab, char *why, size_t why_len);

#endif /* CTL_RULES_H */
