/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prefix parsing, formatting, matching and sorted sets for bulwarkctl.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_util.h"
#include "ctl_array.h"
#include "ctl_prefix.h"

#define SET_CAP_MIN 64

/* Length in bytes and bits of an address of family (4 or 6), 0 if bad. */
static unsigned int
family_bytes(int family)
{
	if (family == CTL_PREFIX_V4)
		return 4;
	if (family == CTL_PREFIX_V6)
		return 16;
	return 0;
}

void
ctl_prefix_excerpt(char *buf, size_t len, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0, cap, need = 0;

	if (len == 0)
		return;
	cap = len - 1 < CTL_PREFIX_EXCERPT_LEN ? len - 1
					       : CTL_PREFIX_EXCERPT_LEN;
	for (i = 0; i < n && need <= cap; i++)
		need += s[i] >= 0x20 && s[i] < 0x7f ? 1 : 4;
	/* cut: keep room for "..." */
	if (need > cap)
		cap = cap > 3 ? cap - 3 : 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		size_t w = c >= 0x20 && c < 0x7f ? 1 : 4;

		if (o + w > cap)
			break;
		if (w == 1) {
			buf[o++] = (char)c;
		} else {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 0xf];
		}
	}
	if (i < n && o + 3 < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
}

/*
 * Reason for an address (the alen bytes at s) that inet_pton() refused, in
 * the token of n bytes. For dotted decimal, name an octet above 255 or one
 * with a leading zero (octal to some tools) when there is one.
 */
static void
why_bad_addr(const char *s, size_t alen, size_t n, char *why, size_t len)
{
	char text[CTL_PREFIX_EXCERPT_LEN + 8], part[CTL_PREFIX_EXCERPT_LEN + 8];
	size_t i, start = 0;

	ctl_prefix_excerpt(text, sizeof(text), s, n);
	for (i = 0; i < alen; i++) {
		if ((s[i] < '0' || s[i] > '9') && s[i] != '.')
			goto plain;
	}
	for (i = 0; i <= alen; i++) {
		size_t plen;

		if (i < alen && s[i] != '.')
			continue;
		plen = i - start;
		ctl_prefix_excerpt(part, sizeof(part), s + start, plen);
		if (plen > 1 && s[start] == '0') {
			bw_why_set(
				why, len,
				"bad address '%s' (leading zero in octet '%s')",
				text, part);
			return;
		}
		if (plen > 3 ||
		    (plen == 3 && memcmp(s + start, "255", 3) > 0)) {
			bw_why_set(why, len,
				   "bad address '%s' (octet %s out of range "
				   "0..255)",
				   text, part);
			return;
		}
		start = i + 1;
	}
plain:
	bw_why_set(why, len, "bad address '%s'", text);
}

/*
 * Parse the prefix length after the '/' at s[alen] of the n-byte token s
 * into *len. Returns 0, -EINVAL or -ERANGE with a reason in why.
 */
static int
parse_len(const char *s, size_t n, size_t alen, unsigned int bits,
	  unsigned int *len, char *why, size_t why_len)
{
	char ex[CTL_PREFIX_EXCERPT_LEN + 8], lex[CTL_PREFIX_EXCERPT_LEN + 8];
	const char *d = s + alen + 1;
	size_t i, dlen = n - alen - 1;
	unsigned int v = 0;

	for (i = 0; i < dlen; i++) {
		if (d[i] < '0' || d[i] > '9')
			break;
		/* saturate: anything above 999 is out of range as well */
		if (v < 1000)
			v = v * 10 + (unsigned int)(d[i] - '0');
	}
	if (dlen > 0 && i == dlen && v <= bits) {
		*len = v;
		return 0;
	}
	ctl_prefix_excerpt(ex, sizeof(ex), s, n);
	ctl_prefix_excerpt(lex, sizeof(lex), d, dlen);
	if (dlen == 0) {
		bw_why_set(why, why_len, "empty prefix length in '%s'", ex);
		return -EINVAL;
	}
	if (i < dlen) {
		bw_why_set(why, why_len, "bad prefix length '%s' in '%s'", lex,
			   ex);
		return -EINVAL;
	}
	bw_why_set(why, why_len, "prefix length %s out of range 0..%u", lex,
		   bits);
	return -ERANGE;
}

int
ctl_prefix_parse_why(const char *s, size_t n, struct ctl_prefix *out,
		     int *host_bits, char *why, size_t why_len)
{
	char text[INET6_ADDRSTRLEN], ex[CTL_PREFIX_EXCERPT_LEN + 8];
	unsigned int bits, len, nbytes, i;
	struct ctl_prefix p;
	const char *slash;
	size_t alen;
	int hb = 0, ret;

	if (n == 0) {
		bw_why_set(why, why_len, "empty address");
		return -EINVAL;
	}
	slash = memchr(s, '/', n);
	alen = slash != NULL ? (size_t)(slash - s) : n;
	if (alen == 0) {
		ctl_prefix_excerpt(ex, sizeof(ex), s, n);
		bw_why_set(why, why_len, "empty address in '%s'", ex);
		return -EINVAL;
	}
	memset(&p, 0, sizeof(p));
	p.family = memchr(s, ':', alen) != NULL ? CTL_PREFIX_V6 : CTL_PREFIX_V4;
	nbytes = family_bytes(p.family);
	bits = nbytes * 8;
	/* a NUL inside would end inet_pton()'s string early and pass */
	if (alen >= sizeof(text) || memchr(s, '\0', alen) != NULL)
		goto bad_addr;
	memcpy(text, s, alen);
	text[alen] = '\0';
	if (inet_pton(p.family == CTL_PREFIX_V6 ? AF_INET6 : AF_INET, text,
		      p.addr) != 1)
		goto bad_addr;
	len = bits;
	if (slash != NULL) {
		ret = parse_len(s, n, alen, bits, &len, why, why_len);
		if (ret < 0)
			return ret;
	}
	p.len = (uint8_t)len;
	for (i = len / 8; i < nbytes; i++) {
		/* the first byte keeps its top len % 8 bits, later ones none */
		uint8_t keep =
			i == len / 8 ? (uint8_t)(0xff00 >> (len % 8)) : 0;

		if (p.addr[i] & (uint8_t)~keep)
			hb = 1;
		p.addr[i] &= keep;
	}
	*out = p;
	if (host_bits != NULL)
		*host_bits = hb;
	return 0;

bad_addr:
	why_bad_addr(s, alen, n, why, why_len);
	return -EINVAL;
}

int
ctl_prefix_parse(const char *s, size_t n, struct ctl_prefix *out,
		 int *host_bits)
{
	return ctl_prefix_parse_why(s, n, out, host_bits, NULL, 0);
}

int
ctl_prefix_cmp(const struct ctl_prefix *a, const struct ctl_prefix *b)
{
	return CTL_CMP(a->family, b->family) ?:
		       memcmp(a->addr, b->addr, sizeof(a->addr)) ?:
		       CTL_CMP(a->len, b->len);
}

int
ctl_prefix_walk_cmp(const struct ctl_prefix_set *a, size_t i,
		    const struct ctl_prefix_set *b, size_t j)
{
	if (i == a->n)
		return 1;
	if (j == b->n)
		return -1;
	return ctl_prefix_cmp(&a->v[i], &b->v[j]);
}

int
ctl_prefix_format(const struct ctl_prefix *p, char *buf, size_t len)
{
	char text[INET6_ADDRSTRLEN];
	unsigned int nbytes = family_bytes(p->family);

	if (len > 0)
		buf[0] = '\0';
	if (nbytes == 0 || p->len > nbytes * 8)
		return -EINVAL;
	if (inet_ntop(p->family == CTL_PREFIX_V6 ? AF_INET6 : AF_INET, p->addr,
		      text, sizeof(text)) == NULL)
		return -errno;
	if (snprintf(buf, len, "%s/%u", text, p->len) >= (int)len) {
		if (len > 0)
			buf[0] = '\0';
		return -ENOSPC;
	}
	return 0;
}

int
ctl_prefix_contains(const struct ctl_prefix *p, int family, const uint8_t *addr)
{
	unsigned int full, rem;

	if (family != p->family || family_bytes(family) == 0)
		return 0;
	full = p->len / 8;
	rem = p->len % 8;
	if (memcmp(p->addr, addr, full) != 0)
		return 0;
	if (rem != 0) {
		uint8_t mask = (uint8_t)(0xff00 >> rem);

		if ((p->addr[full] & mask) != (addr[full] & mask))
			return 0;
	}
	return 1;
}

/* Make room for extra more entries. Returns 0 or -ENOMEM, s unchanged. */
static int
set_reserve(struct ctl_prefix_set *s, size_t extra)
{
	return ctl_array_reserve(&s->v, &s->cap, s->n, extra, sizeof(*s->v),
				 SET_CAP_MIN);
}

int
ctl_prefix_set_add(struct ctl_prefix_set *s, const struct ctl_prefix *p)
{
	int ret = set_reserve(s, 1);

	if (ret < 0)
		return ret;
	s->v[s->n++] = *p;
	return 0;
}

int
ctl_prefix_set_merge(struct ctl_prefix_set *dst,
		     const struct ctl_prefix_set *src)
{
	int ret;

	if (src->n == 0)
		return 0;
	ret = set_reserve(dst, src->n);
	if (ret < 0)
		return ret;
	memcpy(dst->v + dst->n, src->v, src->n * sizeof(*src->v));
	dst->n += src->n;
	return 0;
}

static int
prefix_qsort_cmp(const void *a, const void *b)
{
	return ctl_prefix_cmp(a, b);
}

void
ctl_prefix_set_sort_unique(struct ctl_prefix_set *s)
{
	size_t i, o;

	if (s->n < 2)
		return;
	qsort(s->v, s->n, sizeof(*s->v), prefix_qsort_cmp);
	for (i = 1, o = 1; i < s->n; i++) {
		if (ctl_prefix_cmp(&s->v[o - 1], &s->v[i]) != 0)
			s->v[o++] = s->v[i];
	}
	s->n = o;
}

size_t
ctl_prefix_set_count(const struct ctl_prefix_set *s, int family)
{
	size_t i, c = 0;

	if (family == 0)
		return s->n;
	for (i = 0; i < s->n; i++) {
		if (s->v[i].family == family)
			c++;
	}
	return c;
}

int
ctl_prefix_set_find(const struct ctl_prefix_set *s, const struct ctl_prefix *p)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = ctl_prefix_cmp(&s->v[mid], p);

		if (r == 0)
			return mid <= INT_MAX ? (int)mid : -1;
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

void
ctl_prefix_set_free(struct ctl_prefix_set *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}
