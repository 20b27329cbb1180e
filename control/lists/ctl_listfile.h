/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Block-list files for bulwarkctl: one address or CIDR per line (FireHOL
 * netsets, ET compromised-ips), Spamhaus DROP/EDROP/DROPv6, ipsum
 * "ADDRESS<TAB>count", CSV with an address column (abuse.ch) and
 * Suricata/Snort IP-reputation rules (ET et-*.rules). IPv4 and IPv6 mix
 * freely in every format. Pure libc.
 */
#ifndef CTL_LISTFILE_H
#define CTL_LISTFILE_H

#include <stddef.h>
#include <stdio.h>

#include "ctl_prefix.h"

enum ctl_list_format {
	CTL_FMT_AUTO,	  /* detect from the first data line */
	CTL_FMT_PLAIN,	  /* ENTRY [# or ; comment] */
	CTL_FMT_SPAMHAUS, /* CIDR ; SBLnnnn */
	CTL_FMT_IPSUM,	  /* ADDRESS<TAB>COUNT */
	CTL_FMT_CSV,	  /* fields separated by ',', "..." quoting */
	CTL_FMT_RULES,	  /* ACTION PROTO [list] SPORT -> DST DPORT (...) */
};

/*
 * Parse a --format value: "auto", "plain", "spamhaus", "ipsum", "csv"
 * (column detected), "csv:N" (N 1-based) or "rules". *csv_column is set
 * to N, or 0 for the others. Returns 0 or -EINVAL.
 */
int ctl_list_format_parse(const char *s, enum ctl_list_format *fmt,
			  unsigned int *csv_column);

/* "auto", "plain", ... as ctl_list_format_parse() reads them; "?" if bad. */
const char *ctl_list_format_name(enum ctl_list_format fmt);

struct ctl_list_parse_opts {
	enum ctl_list_format format; /* CTL_FMT_AUTO to detect */
	unsigned int csv_column;     /* 1-based; 0 = detect */
	int skip_invalid;	     /* load the valid lines, count the rest */
	FILE *diag;		     /* file:line messages; NULL = stderr */
};

/* What one parse saw; describes the file alone, not the merged set. */
struct ctl_list_parse_stats {
	enum ctl_list_format format; /* used; PLAIN for an empty file */
	unsigned int csv_column;     /* 1-based column used, 0 if not csv */
	size_t lines;		     /* lines in the file, comments too */
	size_t entries;		     /* distinct prefixes: nb_v4 + nb_v6 */
	size_t nb_v4;		     /* distinct IPv4 prefixes */
	size_t nb_v6;		     /* distinct IPv6 prefixes */
	size_t invalid;		     /* bad lines (skipped or rejecting) */
	size_t host_bits_fixed;	     /* entries with host bits cleared */
	size_t duplicates;	     /* repeated entries dropped */
};

/*
 * Read the block list at path and add its prefixes to *out, which is then
 * sorted and unique (ctl_prefix_set_sort_unique()). Every bad line is
 * reported to o->diag as "FILE:LINE: error: REASON" and every entry with
 * host bits as "FILE:LINE: warning: host bits set in 'x', using 'y'";
 * a file that cannot be read as "FILE: error: REASON". o may be NULL
 * (auto, strict, stderr), st may be NULL.
 * Returns 0; -EINVAL when a line was bad and !o->skip_invalid, after all
 * bad lines were reported; -ENOMEM; or the negative errno of open/read.
 * *out is unchanged unless 0 is returned; *st is filled in either case
 * (after -EINVAL its counts are those of the valid lines, none loaded).
 * Control thread.
 */
int ctl_list_parse_file(const char *path, const struct ctl_list_parse_opts *o,
			struct ctl_prefix_set *out,
			struct ctl_list_parse_stats *st);

/*
 * ctl_list_parse_file() on the len bytes at buf (no NUL needed), named
 * name in messages: for tests and `list add` arguments.
 */
int ctl_list_parse_buf(const char *name, const char *buf, size_t len,
		       const struct ctl_list_parse_opts *o,
		       struct ctl_prefix_set *out,
		       struct ctl_list_parse_stats *st);

#endif /* CTL_LISTFILE_H */
