/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ruleset image validator: the header, the section table, lists and
 * prefixes, and the entry point (image_match.c checks programs, rules and
 * scan groups). The image is untrusted: every field is checked
 * against the bytes actually present before any other field is derived from
 * it, all offset and length arithmetic is done in 64 bits from 32-bit or
 * range-checked 64-bit values so that it cannot wrap, and the view handed
 * back is filled only once the whole image passed. The first failure found
 * is reported in words; nothing is logged here (the caller logs it once).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>

#include "bw_crc32c.h"
#include "bw_bpf.h"
#include "bw_image_view.h"
#include "image_check.h"

const struct sec_info img_sec_infos[SEC_TYPE_MAX + 1] = {
	[BW_SEC_LISTS] = {"lists", sizeof(struct bw_image_list), BW_LIST_MAX},
	[BW_SEC_PREFIX4] = {"prefix4", sizeof(struct bw_image_prefix4),
			    BW_PREFIX_MAX},
	[BW_SEC_PREFIX6] = {"prefix6", sizeof(struct bw_image_prefix6),
			    BW_PREFIX_MAX},
	[BW_SEC_DELTA4] = {"delta4", sizeof(struct bw_image_prefix4),
			   BW_PREFIX_MAX},
	[BW_SEC_DELTA6] = {"delta6", sizeof(struct bw_image_prefix6),
			   BW_PREFIX_MAX},
	[BW_SEC_BPF] = {"bpf", sizeof(struct bw_image_bpf), BW_BPF_MAX},
	[BW_SEC_BPF_INSNS] = {"bpf_insns", sizeof(struct bw_image_insn),
			      INSNS_MAX},
	[BW_SEC_RULES] = {"rules", sizeof(struct bw_image_rule), BW_RULE_MAX},
	[BW_SEC_RADDRS] = {"raddrs", sizeof(struct bw_image_raddr),
			   BW_RULE_ADDRS_MAX},
	[BW_SEC_RPORTS] = {"rports", sizeof(struct bw_image_rport),
			   BW_RULE_PORTS_MAX},
	[BW_SEC_RSTRINGS] = {"rstrings", 1, BW_RULE_STRINGS_MAX},
	[BW_SEC_HSDB_BLOCK] = {"hsdb_block", 1, BW_HSDB_MAX},
	[BW_SEC_HSDB_STREAM] = {"hsdb_stream", 1, BW_HSDB_MAX},
	[BW_SEC_HSGROUPS] = {"hsgroups", sizeof(struct bw_image_hsgroup),
			     BW_HSGROUP_MAX},
	[BW_SEC_HSPORTS] = {"hsports", sizeof(struct bw_image_hsport),
			    BW_HSPORTS_MAX},
	[BW_SEC_HSDB_GROUPS] = {"hsdb_groups", 1, HSDB_GROUPS_MAX},
};

/* Write the reason and return err (a negative errno). */
int
img_refuse(struct val *c, int err, const char *fmt, ...)
{
	va_list ap;

	if (c->why != NULL && c->why_len > 0) {
		va_start(ap, fmt);
		/* A reason longer than why_len is cut: still names the field. */
		vsnprintf(c->why, c->why_len, fmt, ap);
		va_end(ap);
	}
	return err;
}

const void *
img_at(const struct val *c, uint64_t off)
{
	return c->base + off;
}

static void
addr4_str(uint32_t addr, char *buf, size_t size)
{
	snprintf(buf, size, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff,
		 (addr >> 8) & 0xff, addr & 0xff);
}

static void
addr6_str(const uint8_t addr[16], char *buf, size_t size)
{
	if (inet_ntop(AF_INET6, addr, buf, (socklen_t)size) == NULL)
		snprintf(buf, size, "?");
}

int
img_host_bits4(uint32_t addr, uint8_t len)
{
	if (len >= 32)
		return 0;
	return (addr & (UINT32_MAX >> len)) != 0;
}

int
img_host_bits6(const uint8_t addr[16], uint8_t len)
{
	unsigned int i = len / 8u;

	if (len >= 128)
		return 0;
	if (len % 8u != 0) {
		if ((addr[i] & (0xffu >> (len % 8u))) != 0)
			return 1;
		i++;
	}
	for (; i < 16; i++) {
		if (addr[i] != 0)
			return 1;
	}
	return 0;
}

/* <0, 0, >0 as (addr, len) of a sorts before, with, after b. */
static int
cmp4(const struct bw_image_prefix4 *a, const struct bw_image_prefix4 *b)
{
	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	return (int)a->len - (int)b->len;
}

static int
cmp6(const struct bw_image_prefix6 *a, const struct bw_image_prefix6 *b)
{
	int r = memcmp(a->addr, b->addr, sizeof(a->addr));

	if (r != 0)
		return r;
	return (int)a->len - (int)b->len;
}

int
img_name_char_ok(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-';
}

int
bw_image_name_valid(const char *name)
{
	size_t i;

	if (name == NULL || name[0] == '\0')
		return 0;
	for (i = 0; name[i] != '\0'; i++) {
		if (i >= BW_LIST_NAME_LEN - 1 || !img_name_char_ok(name[i]))
			return 0;
	}
	return 1;
}

/*
 * Header fields, then the section table's place. Only the header's own
 * bytes are read before len >= sizeof(hdr) is known.
 */
static int
check_header(struct val *c, size_t len)
{
	const struct bw_image_hdr *h;
	uint64_t tab_end;
	const char *nul;
	size_t i;

	if (len < sizeof(*h))
		return img_refuse(c, -EINVAL,
				  "image too short (%zu bytes, header is %zu)",
				  len, sizeof(*h));
	h = (const struct bw_image_hdr *)c->base;
	if (h->magic != BW_IMAGE_MAGIC)
		return img_refuse(c, -EINVAL, "bad magic 0x%016" PRIx64,
				  h->magic);
	if (h->abi_major != BW_IMAGE_ABI_MAJOR)
		return img_refuse(c, -EINVAL,
				  "abi major %u not supported (want %u)",
				  h->abi_major, BW_IMAGE_ABI_MAJOR);
	if (h->hdr_size < sizeof(*h))
		return img_refuse(c, -EINVAL, "hdr_size %" PRIu32 " below %zu",
				  h->hdr_size, sizeof(*h));
	if (h->hdr_size > sizeof(*h)) {
		/* A later minor may append header fields; we skip them. */
		if (h->abi_minor <= BW_IMAGE_ABI_MINOR)
			return img_refuse(c, -EINVAL,
					  "hdr_size %" PRIu32
					  " in abi minor %u (want %zu)",
					  h->hdr_size, h->abi_minor,
					  sizeof(*h));
		if (h->hdr_size % SEC_ALIGN != 0)
			return img_refuse(c, -EINVAL,
					  "hdr_size %" PRIu32 " not 8-aligned",
					  h->hdr_size);
		if (h->hdr_size > len)
			return img_refuse(c, -EINVAL,
					  "hdr_size %" PRIu32
					  " past the image (%zu bytes)",
					  h->hdr_size, len);
	}
	if (h->size != len)
		return img_refuse(c, -EINVAL,
				  "size %" PRIu64
				  " differs from image length %zu",
				  h->size, len);
	if (h->size > BW_IMAGE_SIZE_MAX)
		return img_refuse(c, -E2BIG,
				  "size %" PRIu64 " over the limit %llu bytes",
				  h->size, BW_IMAGE_SIZE_MAX);
	if (h->kind != BW_IMAGE_FULL && h->kind != BW_IMAGE_DELTA)
		return img_refuse(c, -EINVAL, "unknown kind %" PRIu32, h->kind);
	if (h->generation == 0)
		return img_refuse(c, -EINVAL, "generation 0 (must be >= 1)");
	if (h->parent_gen >= h->generation)
		return img_refuse(c, -EINVAL,
				  "parent_gen %" PRIu64
				  " not below generation %" PRIu64,
				  h->parent_gen, h->generation);
	if (h->reserved0 != 0)
		return img_refuse(c, -EINVAL, "header reserved0 not zero");
	for (i = 0; i < sizeof(h->reserved); i++) {
		if (h->reserved[i] != 0)
			return img_refuse(c, -EINVAL,
					  "header reserved byte %zu not zero",
					  i);
	}
	nul = memchr(h->comment, '\0', sizeof(h->comment));
	if (nul == NULL)
		return img_refuse(c, -EINVAL, "comment not NUL terminated");
	/* Zero padding keeps images canonical: same ruleset, same bytes. */
	for (i = (size_t)(nul - h->comment) + 1; i < sizeof(h->comment); i++) {
		if (h->comment[i] != '\0')
			return img_refuse(
				c, -EINVAL,
				"comment byte %zu after the NUL not zero", i);
	}
	if (h->nb_sections > BW_IMAGE_SECTIONS_MAX)
		return img_refuse(c, -EINVAL,
				  "nb_sections %" PRIu32 " over the limit %d",
				  h->nb_sections, BW_IMAGE_SECTIONS_MAX);
	if (h->section_off % SEC_ALIGN != 0)
		return img_refuse(c, -EINVAL,
				  "section table off %" PRIu32 " not 8-aligned",
				  h->section_off);
	if (h->section_off < h->hdr_size)
		return img_refuse(c, -EINVAL,
				  "section table off %" PRIu32
				  " overlaps the header (%" PRIu32 " bytes)",
				  h->section_off, h->hdr_size);
	tab_end = (uint64_t)h->section_off +
		  (uint64_t)h->nb_sections * sizeof(struct bw_image_section);
	if (tab_end > h->size)
		return img_refuse(
			c, -EINVAL,
			"section table ends past the image (off %" PRIu32
			", %" PRIu32 " sections, size %" PRIu64 ")",
			h->section_off, h->nb_sections, h->size);
	c->hdr = h;
	c->size = h->size;
	c->tab = img_at(c, h->section_off);
	return 0;
}

static int
check_crc(struct val *c)
{
	uint32_t crc = bw_crc32c(0, img_at(c, c->hdr->hdr_size),
				 (size_t)(c->size - c->hdr->hdr_size));

	if (crc != c->hdr->crc32c)
		return img_refuse(c, -EINVAL,
				  "crc32c mismatch: header 0x%08" PRIx32
				  ", body 0x%08" PRIx32,
				  c->hdr->crc32c, crc);
	return 0;
}

/* [a, a + alen) and [b, b + blen), both inside the image, share a byte. */
static int
overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen > 0 && blen > 0 && a < b + blen && b < a + alen;
}

static int
check_section(struct val *c, uint32_t i)
{
	const struct bw_image_section *s = &c->tab[i];
	uint64_t tab_len = (uint64_t)c->hdr->nb_sections * sizeof(*s);
	const struct sec_info *info;
	const struct bw_image_section *o;
	uint32_t j;

	if (s->type == 0 || s->type > SEC_TYPE_MAX)
		return img_refuse(c, -EINVAL,
				  "section %" PRIu32 ": unknown type %" PRIu32,
				  i, s->type);
	info = &img_sec_infos[s->type];
	if (c->sec[s->type] != NULL)
		return img_refuse(c, -EINVAL,
				  "section %" PRIu32 " (%s): duplicate type, "
				  "also section %" PRIu32,
				  i, info->name, c->sec_idx[s->type]);
	if (s->elem_size != info->elem_size)
		return img_refuse(c, -EINVAL,
				  "section %" PRIu32 " (%s): elem_size %" PRIu32
				  " (want %" PRIu32 ")",
				  i, info->name, s->elem_size, info->elem_size);
	if (s->reserved != 0)
		return img_refuse(c, -EINVAL,
				  "section %" PRIu32 " (%s): reserved not zero",
				  i, info->name);
	/* 64-bit product: count * elem_size cannot wrap. */
	if (s->len != (uint64_t)s->count * s->elem_size)
		return img_refuse(
			c, -EINVAL,
			"section %" PRIu32 " (%s): len %" PRIu64
			" is not count %" PRIu32 " * elem_size %" PRIu32,
			i, info->name, s->len, s->count, s->elem_size);
	if (s->count > info->count_max)
		return img_refuse(c, -E2BIG,
				  "section %" PRIu32 " (%s): %" PRIu32
				  " entries over the limit %" PRIu32,
				  i, info->name, s->count, info->count_max);
	if (s->off % SEC_ALIGN != 0)
		return img_refuse(c, -EINVAL,
				  "section %" PRIu32 " (%s): off %" PRIu64
				  " not 8-aligned",
				  i, info->name, s->off);
	if (s->off < c->hdr->hdr_size)
		return img_refuse(c, -EINVAL,
				  "section %" PRIu32
				  " (%s) overlaps the header "
				  "(off %" PRIu64 ", header %" PRIu32 " bytes)",
				  i, info->name, s->off, c->hdr->hdr_size);
	if (s->off > c->size || s->len > c->size - s->off)
		return img_refuse(
			c, -EINVAL,
			"section %" PRIu32 " (%s) ends past the image "
			"(off %" PRIu64 " len %" PRIu64 ", size %" PRIu64 ")",
			i, info->name, s->off, s->len, c->size);
	if (overlap(s->off, s->len, c->hdr->section_off, tab_len))
		return img_refuse(c, -EINVAL,
				  "section %" PRIu32
				  " (%s) overlaps the section "
				  "table (off %" PRIu64 " len %" PRIu64
				  ", table off %" PRIu32 " len %" PRIu64 ")",
				  i, info->name, s->off, s->len,
				  c->hdr->section_off, tab_len);
	for (j = 0; j < i; j++) {
		o = &c->tab[j];
		if (overlap(s->off, s->len, o->off, o->len))
			return img_refuse(c, -EINVAL,
					  "section %" PRIu32 " (%s) overlaps "
					  "section %" PRIu32 " (%s)",
					  i, info->name, j,
					  img_sec_infos[o->type].name);
	}
	c->sec[s->type] = s;
	c->sec_idx[s->type] = i;
	return 0;
}

/* Every section on its own, then which types the image kind allows. */
static int
check_sections(struct val *c)
{
	static const uint32_t full_no[] = {BW_SEC_DELTA4, BW_SEC_DELTA6};
	static const uint32_t delta_no[] = {
		BW_SEC_PREFIX4,	    BW_SEC_PREFIX6,  BW_SEC_BPF,
		BW_SEC_BPF_INSNS,   BW_SEC_RULES,    BW_SEC_RADDRS,
		BW_SEC_RPORTS,	    BW_SEC_RSTRINGS, BW_SEC_HSDB_BLOCK,
		BW_SEC_HSDB_STREAM, BW_SEC_HSGROUPS, BW_SEC_HSPORTS,
		BW_SEC_HSDB_GROUPS};
	const uint32_t *no;
	const char *kind;
	uint32_t i, nb_no;
	int r;

	for (i = 0; i < c->hdr->nb_sections; i++) {
		r = check_section(c, i);
		if (r < 0)
			return r;
	}
	if (c->sec[BW_SEC_LISTS] == NULL)
		return img_refuse(c, -EINVAL, "no lists section");
	if (c->hdr->kind == BW_IMAGE_FULL) {
		no = full_no;
		nb_no = sizeof(full_no) / sizeof(full_no[0]);
		kind = "full";
	} else {
		no = delta_no;
		nb_no = sizeof(delta_no) / sizeof(delta_no[0]);
		kind = "delta";
	}
	for (i = 0; i < nb_no; i++) {
		if (c->sec[no[i]] != NULL)
			return img_refuse(
				c, -EINVAL,
				"%s image has a %s section (section %" PRIu32
				")",
				kind, img_sec_infos[no[i]].name,
				c->sec_idx[no[i]]);
	}
	return 0;
}

uint32_t
img_sec_count(const struct val *c, uint32_t type)
{
	return c->sec[type] != NULL ? c->sec[type]->count : 0;
}

/*
 * A name field of size bytes of item i of a kind ("list", "program"): NUL
 * terminated, not empty, of the name charset, zero after the NUL.
 */
int
img_check_name(struct val *c, const char *kind, uint32_t i, const char *name,
	       size_t size)
{
	const char *nul = memchr(name, '\0', size);
	size_t n, k;

	if (nul == NULL)
		return img_refuse(c, -EINVAL,
				  "%s %" PRIu32 ": name not NUL terminated",
				  kind, i);
	n = (size_t)(nul - name);
	if (n == 0)
		return img_refuse(c, -EINVAL, "%s %" PRIu32 ": empty name",
				  kind, i);
	for (k = 0; k < n; k++) {
		if (!img_name_char_ok(name[k]))
			return img_refuse(
				c, -EINVAL,
				"%s %" PRIu32 ": name has character "
				"0x%02x at %zu (charset A-Za-z0-9_.-)",
				kind, i, (unsigned int)(uint8_t)name[k], k);
	}
	for (k = n + 1; k < size; k++) {
		if (name[k] != '\0')
			return img_refuse(c, -EINVAL,
					  "%s %" PRIu32 ": name byte %zu after "
					  "the NUL not zero",
					  kind, i, k);
	}
	return 0;
}

static int
check_list_name(struct val *c, uint32_t i, const struct bw_image_list *l)
{
	uint32_t j;
	int ret;

	ret = img_check_name(c, "list", i, l->name, sizeof(l->name));
	if (ret != 0)
		return ret;
	/* At most BW_LIST_MAX lists: quadratic is a few thousand strcmp. */
	for (j = 0; j < i; j++) {
		if (strcmp(c->lists[j].name, l->name) == 0)
			return img_refuse(c, -EINVAL,
					  "list %" PRIu32
					  ": duplicate name '%s' "
					  "(also list %" PRIu32 ")",
					  i, l->name, j);
	}
	return 0;
}

static int
check_lists(struct val *c)
{
	const struct bw_image_section *s = c->sec[BW_SEC_LISTS];
	int full = c->hdr->kind == BW_IMAGE_FULL;
	const struct bw_image_list *l;
	uint64_t sum4 = 0, sum6 = 0;
	uint32_t i;
	int r;

	c->lists = img_at(c, s->off);
	c->nb_lists = s->count;
	for (i = 0; i < c->nb_lists; i++) {
		l = &c->lists[i];
		r = check_list_name(c, i, l);
		if (r < 0)
			return r;
		if (l->id >= BW_LIST_MAX)
			return img_refuse(c, -EINVAL,
					  "list %" PRIu32 " ('%s'): id %" PRIu32
					  " not below %d",
					  i, l->name, l->id, BW_LIST_MAX);
		if (i > 0 && l->id <= c->lists[i - 1].id)
			return img_refuse(c, -EINVAL,
					  "list ids not ascending at %" PRIu32
					  " (id %" PRIu32 " after %" PRIu32 ")",
					  i, l->id, c->lists[i - 1].id);
		if (l->action != BW_ACTION_DROP && l->action != BW_ACTION_ALLOW)
			return img_refuse(c, -EINVAL,
					  "list %" PRIu32
					  " ('%s'): unknown action %u",
					  i, l->name, l->action);
		if (l->match != BW_MATCH_SRC && l->match != BW_MATCH_DST &&
		    l->match != BW_MATCH_ANY)
			return img_refuse(c, -EINVAL,
					  "list %" PRIu32
					  " ('%s'): unknown match %u",
					  i, l->name, l->match);
		if (l->reserved != 0)
			return img_refuse(c, -EINVAL,
					  "list %" PRIu32
					  " ('%s'): reserved not zero",
					  i, l->name);
		if (full && (l->v4_first != sum4 || l->v6_first != sum6))
			return img_refuse(
				c, -EINVAL,
				"list %" PRIu32
				" ('%s'): range v4_first %" PRIu32
				" v6_first %" PRIu32 ", want %" PRIu64
				" and %" PRIu64
				" (ranges follow each other in id order)",
				i, l->name, l->v4_first, l->v6_first, sum4,
				sum6);
		if (!full && (l->v4_first != 0 || l->v6_first != 0))
			return img_refuse(c, -EINVAL,
					  "list %" PRIu32
					  " ('%s'): v4_first %" PRIu32
					  " v6_first %" PRIu32
					  " not zero in a delta image",
					  i, l->name, l->v4_first, l->v6_first);
		sum4 += l->nb_v4;
		sum6 += l->nb_v6;
		c->list_of_id[l->id] = (uint8_t)(i + 1);
	}
	if (full && sum4 != img_sec_count(c, BW_SEC_PREFIX4))
		return img_refuse(
			c, -EINVAL,
			"list ranges cover %" PRIu64
			" ipv4 entries, the prefix4 section has %" PRIu32,
			sum4, img_sec_count(c, BW_SEC_PREFIX4));
	if (full && sum6 != img_sec_count(c, BW_SEC_PREFIX6))
		return img_refuse(
			c, -EINVAL,
			"list ranges cover %" PRIu64
			" ipv6 entries, the prefix6 section has %" PRIu32,
			sum6, img_sec_count(c, BW_SEC_PREFIX6));
	if (sum4 > BW_PREFIX_MAX || sum6 > BW_PREFIX_MAX)
		return img_refuse(c, -E2BIG,
				  "list sizes sum to %" PRIu64
				  " ipv4 and %" PRIu64
				  " ipv6 prefixes, over the limit %u",
				  sum4, sum6, BW_PREFIX_MAX);
	return 0;
}

/* What is wrong with one prefix entry, if anything. */
enum entry_fault {
	ENTRY_OK = 0,
	ENTRY_LEN,	/* longer than the family allows */
	ENTRY_HOST,	/* bits set past the prefix length */
	ENTRY_RESERVED, /* reserved field not zero */
	ENTRY_DUP,	/* same (addr, len) as the previous entry */
	ENTRY_ORDER,	/* sorts before the previous entry */
};

/* prev: the entry p must sort after, or NULL. */
static enum entry_fault
entry4_fault(const struct bw_image_prefix4 *p,
	     const struct bw_image_prefix4 *prev)
{
	int d;

	if (p->len > 32)
		return ENTRY_LEN;
	if (img_host_bits4(p->addr, p->len))
		return ENTRY_HOST;
	if (prev == NULL)
		return ENTRY_OK;
	d = cmp4(prev, p);
	return d == 0 ? ENTRY_DUP : d > 0 ? ENTRY_ORDER : ENTRY_OK;
}

static enum entry_fault
entry6_fault(const struct bw_image_prefix6 *p,
	     const struct bw_image_prefix6 *prev)
{
	int d;

	if (p->len > 128)
		return ENTRY_LEN;
	if (img_host_bits6(p->addr, p->len))
		return ENTRY_HOST;
	if (p->reserved != 0)
		return ENTRY_RESERVED;
	if (prev == NULL)
		return ENTRY_OK;
	d = cmp6(prev, p);
	return d == 0 ? ENTRY_DUP : d > 0 ? ENTRY_ORDER : ENTRY_OK;
}

/*
 * Report fault f of entry k of section type sec ("prefix4 17 of list 'x':
 * host bits set (10.0.0.1/24)"); a4 or a6 is the entry's address.
 */
static int
refuse_entry(struct val *c, enum entry_fault f, uint32_t sec, uint32_t k,
	     const char *list, uint32_t a4, const uint8_t *a6, uint8_t len)
{
	const char *sname = img_sec_infos[sec].name;
	char a[ADDR_STR_LEN];

	if (a6 != NULL)
		addr6_str(a6, a, sizeof(a));
	else
		addr4_str(a4, a, sizeof(a));
	switch (f) {
	case ENTRY_LEN:
		return img_refuse(c, -EINVAL,
				  "%s %" PRIu32 " of list '%s': len %u over %u",
				  sname, k, list, len, a6 != NULL ? 128u : 32u);
	case ENTRY_HOST:
		return img_refuse(c, -EINVAL,
				  "%s %" PRIu32 " of list '%s': host bits set "
				  "(%s/%u)",
				  sname, k, list, a, len);
	case ENTRY_RESERVED:
		return img_refuse(c, -EINVAL,
				  "%s %" PRIu32
				  " of list '%s': reserved not zero",
				  sname, k, list);
	case ENTRY_DUP:
		return img_refuse(c, -EINVAL,
				  "%s %" PRIu32
				  " of list '%s': duplicate (%s/%u)",
				  sname, k, list, a, len);
	case ENTRY_ORDER:
		return img_refuse(
			c, -EINVAL,
			"%s entries of list '%s' not sorted at %" PRIu32
			" (%s/%u)",
			sname, list, k, a, len);
	case ENTRY_OK:
		break;
	}
	return 0;
}

/*
 * FULL: entry k of section sec (a prefix of list l) is present and says it
 * belongs to l.
 */
static int
check_full_member(struct val *c, uint32_t sec, uint32_t k,
		  const struct bw_image_list *l, unsigned int op,
		  unsigned int list)
{
	const char *sname = img_sec_infos[sec].name;

	if (op != BW_OP_PRESENT)
		return img_refuse(c, -EINVAL,
				  "%s %" PRIu32 " of list '%s': "
				  "op %u in a full image (want 0)",
				  sname, k, l->name, op);
	if (list != l->id)
		return img_refuse(c, -EINVAL,
				  "%s %" PRIu32 " of list '%s': "
				  "list %u, want %" PRIu32,
				  sname, k, l->name, list, l->id);
	return 0;
}

/* FULL: the entries of each list's range, as check_lists() bounded them. */
static int
check_full(struct val *c)
{
	const struct bw_image_prefix4 *p4 = NULL;
	const struct bw_image_prefix6 *p6 = NULL;
	const struct bw_image_list *l;
	enum entry_fault f;
	uint32_t i, k;
	int ret;

	if (c->sec[BW_SEC_PREFIX4] != NULL)
		p4 = img_at(c, c->sec[BW_SEC_PREFIX4]->off);
	if (c->sec[BW_SEC_PREFIX6] != NULL)
		p6 = img_at(c, c->sec[BW_SEC_PREFIX6]->off);
	for (i = 0; i < c->nb_lists; i++) {
		l = &c->lists[i];
		for (k = l->v4_first; k < l->v4_first + l->nb_v4; k++) {
			ret = check_full_member(c, BW_SEC_PREFIX4, k, l,
						p4[k].op, p4[k].list);
			if (ret != 0)
				return ret;
			f = entry4_fault(&p4[k],
					 k > l->v4_first ? &p4[k - 1] : NULL);
			if (f != ENTRY_OK)
				return refuse_entry(c, f, BW_SEC_PREFIX4, k,
						    l->name, p4[k].addr, NULL,
						    p4[k].len);
		}
		for (k = l->v6_first; k < l->v6_first + l->nb_v6; k++) {
			ret = check_full_member(c, BW_SEC_PREFIX6, k, l,
						p6[k].op, p6[k].list);
			if (ret != 0)
				return ret;
			f = entry6_fault(&p6[k],
					 k > l->v6_first ? &p6[k - 1] : NULL);
			if (f != ENTRY_OK)
				return refuse_entry(c, f, BW_SEC_PREFIX6, k,
						    l->name, 0, p6[k].addr,
						    p6[k].len);
		}
	}
	return 0;
}

/*
 * DELTA: op and list of each entry first, so that reasons can name the
 * list; entries sort by list, then by (addr, len) within a list.
 */
static int
check_delta_list(struct val *c, uint32_t sec, uint32_t k, uint8_t op,
		 uint16_t list, uint16_t prev_list)
{
	const char *sname = img_sec_infos[sec].name;

	if (op != BW_OP_ADD && op != BW_OP_DEL)
		return img_refuse(c, -EINVAL,
				  "%s %" PRIu32 ": op %u (want add 1 or del 2)",
				  sname, k, op);
	if (list >= BW_LIST_MAX || c->list_of_id[list] == 0)
		return img_refuse(c, -EINVAL,
				  "%s %" PRIu32
				  ": list %u not in the lists section",
				  sname, k, list);
	if (k > 0 && prev_list > list)
		return img_refuse(c, -EINVAL,
				  "%s entries not sorted at %" PRIu32
				  " (list %u after %u)",
				  sname, k, list, prev_list);
	return 0;
}

static int
check_delta(struct val *c)
{
	const struct bw_image_section *s4 = c->sec[BW_SEC_DELTA4];
	const struct bw_image_section *s6 = c->sec[BW_SEC_DELTA6];
	const struct bw_image_prefix4 *d4 = NULL;
	const struct bw_image_prefix6 *d6 = NULL;
	uint32_t k, nb4 = 0, nb6 = 0;
	enum entry_fault f;
	int r;

	if (s4 != NULL) {
		d4 = img_at(c, s4->off);
		nb4 = s4->count;
	}
	if (s6 != NULL) {
		d6 = img_at(c, s6->off);
		nb6 = s6->count;
	}
	for (k = 0; k < nb4; k++) {
		r = check_delta_list(c, BW_SEC_DELTA4, k, d4[k].op, d4[k].list,
				     k > 0 ? d4[k - 1].list : 0);
		if (r < 0)
			return r;
		f = entry4_fault(&d4[k], k > 0 && d4[k - 1].list == d4[k].list
						 ? &d4[k - 1]
						 : NULL);
		if (f != ENTRY_OK)
			return refuse_entry(
				c, f, BW_SEC_DELTA4, k,
				c->lists[c->list_of_id[d4[k].list] - 1].name,
				d4[k].addr, NULL, d4[k].len);
	}
	for (k = 0; k < nb6; k++) {
		r = check_delta_list(c, BW_SEC_DELTA6, k, d6[k].op, d6[k].list,
				     k > 0 ? d6[k - 1].list : 0);
		if (r < 0)
			return r;
		f = entry6_fault(&d6[k], k > 0 && d6[k - 1].list == d6[k].list
						 ? &d6[k - 1]
						 : NULL);
		if (f != ENTRY_OK)
			return refuse_entry(
				c, f, BW_SEC_DELTA6, k,
				c->lists[c->list_of_id[d6[k].list] - 1].name, 0,
				d6[k].addr, d6[k].len);
	}
	return 0;
}

static const void *
sec_ptr(const struct val *c, uint32_t type)
{
	return c->sec[type] != NULL ? img_at(c, c->sec[type]->off) : NULL;
}

int
bw_image_validate(const void *buf, size_t len, struct bw_image_view *v,
		  char *why, size_t why_len)
{
	struct val c;
	int r;

	memset(&c, 0, sizeof(c));
	c.base = buf;
	c.why = why;
	c.why_len = why_len;
	if (v == NULL)
		return img_refuse(&c, -EINVAL, "no view to fill");
	memset(v, 0, sizeof(*v));
	if (buf == NULL)
		return img_refuse(&c, -EINVAL, "no image");
	/* The structs hold 64-bit fields; offsets are 8-aligned from buf. */
	if ((uintptr_t)buf % SEC_ALIGN != 0)
		return img_refuse(&c, -EINVAL,
				  "image buffer not 8-byte aligned");
	r = check_header(&c, len);
	if (r < 0)
		return r;
	r = check_crc(&c);
	if (r < 0)
		return r;
	r = check_sections(&c);
	if (r < 0)
		return r;
	r = check_lists(&c);
	if (r < 0)
		return r;
	if (c.hdr->kind == BW_IMAGE_FULL) {
		r = check_full(&c);
		if (r == 0)
			r = img_check_bpf(&c);
		if (r == 0)
			r = img_check_rules(&c);
	} else {
		r = check_delta(&c);
	}
	if (r < 0)
		return r;

	v->hdr = c.hdr;
	v->lists = c.lists;
	v->nb_lists = c.nb_lists;
	if (c.hdr->kind == BW_IMAGE_FULL) {
		v->p4 = sec_ptr(&c, BW_SEC_PREFIX4);
		v->nb_p4 = img_sec_count(&c, BW_SEC_PREFIX4);
		v->p6 = sec_ptr(&c, BW_SEC_PREFIX6);
		v->nb_p6 = img_sec_count(&c, BW_SEC_PREFIX6);
		v->progs = sec_ptr(&c, BW_SEC_BPF);
		v->nb_progs = img_sec_count(&c, BW_SEC_BPF);
		v->insns = sec_ptr(&c, BW_SEC_BPF_INSNS);
		v->nb_insns = img_sec_count(&c, BW_SEC_BPF_INSNS);
		v->rules = sec_ptr(&c, BW_SEC_RULES);
		v->nb_rules = img_sec_count(&c, BW_SEC_RULES);
		v->raddrs = sec_ptr(&c, BW_SEC_RADDRS);
		v->nb_raddrs = img_sec_count(&c, BW_SEC_RADDRS);
		v->rports = sec_ptr(&c, BW_SEC_RPORTS);
		v->nb_rports = img_sec_count(&c, BW_SEC_RPORTS);
		v->rstrings = sec_ptr(&c, BW_SEC_RSTRINGS);
		v->rstrings_len = img_sec_count(&c, BW_SEC_RSTRINGS);
		v->hsdb_block = sec_ptr(&c, BW_SEC_HSDB_BLOCK);
		v->hsdb_block_len = img_sec_count(&c, BW_SEC_HSDB_BLOCK);
		v->hsdb_stream = sec_ptr(&c, BW_SEC_HSDB_STREAM);
		v->hsdb_stream_len = img_sec_count(&c, BW_SEC_HSDB_STREAM);
		v->hsgroups = sec_ptr(&c, BW_SEC_HSGROUPS);
		v->nb_hsgroups = img_sec_count(&c, BW_SEC_HSGROUPS);
		v->hsports = sec_ptr(&c, BW_SEC_HSPORTS);
		v->nb_hsports = img_sec_count(&c, BW_SEC_HSPORTS);
		v->hsdb_groups = sec_ptr(&c, BW_SEC_HSDB_GROUPS);
		v->hsdb_groups_len = img_sec_count(&c, BW_SEC_HSDB_GROUPS);
	} else {
		v->d4 = sec_ptr(&c, BW_SEC_DELTA4);
		v->nb_d4 = img_sec_count(&c, BW_SEC_DELTA4);
		v->d6 = sec_ptr(&c, BW_SEC_DELTA6);
		v->nb_d6 = img_sec_count(&c, BW_SEC_DELTA6);
	}
	if (why != NULL && why_len > 0)
		why[0] = '\0';
	return 0;
}
