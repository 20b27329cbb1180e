/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 and IPv6 prefixes as bulwarkctl reads them from block lists, and
 * sorted sets of them. Pure libc; used by the list parsers and `list add`.
 */
#ifndef CTL_PREFIX_H
#define CTL_PREFIX_H

#include <stddef.h>
#include <stdint.h>

#define CTL_PREFIX_V4 4
#define CTL_PREFIX_V6 6

/* "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128" and the NUL */
#define CTL_PREFIX_STR_LEN 52

/* Room for any reason ctl_prefix_parse_why() writes (quoted text is cut). */
#define CTL_PREFIX_WHY_LEN 192

struct ctl_prefix {
	uint8_t family;	  /* CTL_PREFIX_V4 or CTL_PREFIX_V6 */
	uint8_t len;	  /* prefix length in bits: 0..32 or 0..128 */
	uint8_t addr[16]; /* network byte order; IPv4 in addr[0..3], rest 0 */
};

/* A growable array; sorted and unique after ctl_prefix_set_sort_unique(). */
struct ctl_prefix_set {
	struct ctl_prefix *v;
	size_t n;   /* entries in use */
	size_t cap; /* entries allocated */
};

/*
 * Parse the n bytes at s (no NUL needed): "a.b.c.d", "a.b.c.d/nn", an IPv6
 * address (inet_pton syntax, so "::ffff:1.2.3.4" is IPv6) with or without
 * "/nn". Strict: no spaces, no sign, the length is decimal digits only,
 * 0..32 for IPv4 and 0..128 for IPv6; an address without a length is a
 * host (/32, /128). Host bits below the length are cleared and *host_bits
 * (may be NULL) is set to 1 when there were any, else 0.
 * Returns 0, -EINVAL on bad syntax or -ERANGE on a length out of range;
 * *out is written only on success. Any thread.
 */
int ctl_prefix_parse(const char *s, size_t n, struct ctl_prefix *out,
		     int *host_bits);

/*
 * ctl_prefix_parse() that also writes, on failure, a lowercase reason
 * without a trailing period into why (why_len bytes, CTL_PREFIX_WHY_LEN is
 * enough; why may be NULL), e.g. "bad address '1.2.3.256' (octet 256 out
 * of range 0..255)" or "prefix length 33 out of range 0..32". Quoted input
 * is cut to 64 bytes and its non-printable bytes written as \xNN.
 */
int ctl_prefix_parse_why(const char *s, size_t n, struct ctl_prefix *out,
			 int *host_bits, char *why, size_t why_len);

/*
 * Copy the n bytes at s into buf (len bytes, always NUL-terminated) for a
 * message: non-printable bytes as \xNN, at most CTL_PREFIX_EXCERPT_LEN
 * characters, "..." appended when cut.
 */
#define CTL_PREFIX_EXCERPT_LEN 64
void ctl_prefix_excerpt(char *buf, size_t len, const char *s, size_t n);

/* Order by family, then address bytes, then length: <0, 0 or >0. */
int ctl_prefix_cmp(const struct ctl_prefix *a, const struct ctl_prefix *b);

/*
 * One step of a merge walk over two sets sorted by ctl_prefix_cmp(), at
 * a->v[i] and b->v[j] (one of them at least not past its end): <0 when
 * a's entry comes first or b is done, >0 when b's comes first or a is
 * done, 0 when both are equal (take both).
 */
int ctl_prefix_walk_cmp(const struct ctl_prefix_set *a, size_t i,
			const struct ctl_prefix_set *b, size_t j);

/*
 * "1.2.3.0/24", "2001:db8::/32" (inet_ntop), always with the length, into
 * buf (CTL_PREFIX_STR_LEN is enough). Returns 0, -EINVAL for a bad family
 * or length, -ENOSPC when buf is too small (buf then holds "").
 */
int ctl_prefix_format(const struct ctl_prefix *p, char *buf, size_t len);

/*
 * 1 when addr (4 bytes for CTL_PREFIX_V4, 16 for CTL_PREFIX_V6, network
 * order) lies inside p, 0 otherwise (also for another family).
 */
int ctl_prefix_contains(const struct ctl_prefix *p, int family,
			const uint8_t *addr);

/* Append a copy of *p. Returns 0 or -ENOMEM (the set is then unchanged). */
int ctl_prefix_set_add(struct ctl_prefix_set *s, const struct ctl_prefix *p);

/*
 * Append every entry of src to dst. Returns 0 or -ENOMEM, in which case
 * dst is unchanged.
 */
int ctl_prefix_set_merge(struct ctl_prefix_set *dst,
			 const struct ctl_prefix_set *src);

/*
 * Sort with ctl_prefix_cmp() and drop exact duplicates. Nested prefixes
 * (10.0.0.0/8 and 10.1.0.0/16) both stay: the longest prefix decides.
 */
void ctl_prefix_set_sort_unique(struct ctl_prefix_set *s);

/* Entries of one family (CTL_PREFIX_V4 or CTL_PREFIX_V6), or all for 0. */
size_t ctl_prefix_set_count(const struct ctl_prefix_set *s, int family);

/*
 * Index of the entry equal to *p (same family, address and length) in a
 * set sorted by ctl_prefix_set_sort_unique(), by binary search; -1 when
 * absent.
 */
int ctl_prefix_set_find(const struct ctl_prefix_set *s,
			const struct ctl_prefix *p);

/* Release the entries; the set is left empty and reusable. */
void ctl_prefix_set_free(struct ctl_prefix_set *s);

#endif /* CTL_PREFIX_H */
