/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ruleset image validator, the sections that inspect payloads: eBPF
 * programs, content rules with their address and port sets, and scan
 * groups (see image.c for the rest and bw_image_view.h for the checks).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>

#include "bw_bpf.h"
#include "bw_image_view.h"
#include "image_check.h"

static int
check_bpf_name(struct val *c, uint32_t i, const struct bw_image_bpf *b,
	       const struct bw_image_bpf *progs)
{
	uint32_t j;
	int ret;

	ret = img_check_name(c, "program", i, b->name, sizeof(b->name));
	if (ret != 0)
		return ret;
	/* At most BW_BPF_MAX programs: quadratic is cheap. */
	for (j = 0; j < i; j++) {
		if (strcmp(progs[j].name, b->name) == 0)
			return img_refuse(c, -EINVAL,
					  "program %" PRIu32 ": duplicate name "
					  "'%s' (also program %" PRIu32 ")",
					  i, b->name, j);
	}
	return 0;
}

/* FULL: the program table against the instruction section. */
int
img_check_bpf(struct val *c)
{
	const struct bw_image_bpf *progs, *b;
	uint32_t i, k, nb, nb_insns = img_sec_count(c, BW_SEC_BPF_INSNS);
	uint64_t sum = 0;
	int r;

	if (c->sec[BW_SEC_BPF] == NULL) {
		if (nb_insns != 0)
			return img_refuse(c, -EINVAL,
					  "bpf_insns section without a bpf "
					  "section");
		return 0;
	}
	progs = img_at(c, c->sec[BW_SEC_BPF]->off);
	nb = c->sec[BW_SEC_BPF]->count;
	for (i = 0; i < nb; i++) {
		b = &progs[i];
		r = check_bpf_name(c, i, b, progs);
		if (r < 0)
			return r;
		if (i > 0 && b->order <= progs[i - 1].order)
			return img_refuse(
				c, -EINVAL,
				"program orders not ascending at %" PRIu32
				" ('%s': %" PRIu32 " after %" PRIu32 ")",
				i, b->name, b->order, progs[i - 1].order);
		if (b->nb_insns == 0 || b->nb_insns > BW_BPF_INSNS_MAX)
			return img_refuse(c, -EINVAL,
					  "program %" PRIu32 " ('%s'): %" PRIu32
					  " instructions (1 to %d)",
					  i, b->name, b->nb_insns,
					  BW_BPF_INSNS_MAX);
		if (b->insn_first != sum)
			return img_refuse(c, -EINVAL,
					  "program %" PRIu32
					  " ('%s'): insn_first "
					  "%" PRIu32 ", want %" PRIu64
					  " (ranges follow each other in table "
					  "order)",
					  i, b->name, b->insn_first, sum);
		if (b->ctx_size != sizeof(struct bw_bpf_ctx))
			return img_refuse(c, -EINVAL,
					  "program %" PRIu32
					  " ('%s'): verified "
					  "for a context of %" PRIu32 " bytes, "
					  "this dataplane has %zu",
					  i, b->name, b->ctx_size,
					  sizeof(struct bw_bpf_ctx));
		if (b->on_fault > BW_IMAGE_BPF_ON_FAULT_CONTINUE)
			return img_refuse(c, -EINVAL,
					  "program %" PRIu32
					  " ('%s'): unknown on_fault %u",
					  i, b->name, b->on_fault);
		for (k = 0; k < sizeof(b->reserved); k++) {
			if (b->reserved[k] != 0)
				return img_refuse(c, -EINVAL,
						  "program %" PRIu32
						  " ('%s'): reserved not zero",
						  i, b->name);
		}
		sum += b->nb_insns;
	}
	if (sum != nb_insns)
		return img_refuse(c, -EINVAL,
				  "program ranges cover %" PRIu64
				  " instructions, "
				  "the bpf_insns section has %" PRIu32,
				  sum, nb_insns);
	return 0;
}

/* A rule's [first, first + nb) inside a table of count entries. */
static int
range_ok(uint32_t first, uint32_t nb, uint32_t count)
{
	return (uint64_t)first + nb <= count;
}

/* One raddr entry on its own; NULL when fine, else what is wrong. */
static const char *
raddr_fault(const struct bw_image_raddr *a)
{
	uint32_t v4;
	size_t k;

	if (a->reserved0 != 0 || a->reserved != 0)
		return "reserved not zero";
	if (a->family == 4) {
		if (a->len > 32)
			return "prefix length over 32";
		for (k = 4; k < sizeof(a->addr); k++) {
			if (a->addr[k] != 0)
				return "ipv4 address with bytes past 4";
		}
		v4 = (uint32_t)a->addr[0] << 24 | (uint32_t)a->addr[1] << 16 |
		     (uint32_t)a->addr[2] << 8 | (uint32_t)a->addr[3];
		if (img_host_bits4(v4, a->len))
			return "host bits set";
		return NULL;
	}
	if (a->family == 6) {
		if (a->len > 128)
			return "prefix length over 128";
		if (img_host_bits6(a->addr, a->len))
			return "host bits set";
		return NULL;
	}
	return "unknown family";
}

/*
 * Entries [first, first + nb) of section sec, the noun ("addresses") set of
 * rule i: *t is their section (NULL when nb is 0); refused past its end.
 */
static int
rule_range(struct val *c, uint32_t i, const char *which, const char *noun,
	   uint32_t sec, uint32_t first, uint32_t nb, const void **t)
{
	uint32_t count = img_sec_count(c, sec);

	*t = NULL;
	if (!range_ok(first, nb, count))
		return img_refuse(c, -EINVAL,
				  "rule %" PRIu32 ": %s %s [%" PRIu32
				  ", +%" PRIu32
				  ") past the %s section (%" PRIu32 ")",
				  i, which, noun, first, nb,
				  img_sec_infos[sec].name, count);
	if (nb > 0)
		*t = img_at(c, c->sec[sec]->off);
	return 0;
}

/* A rule's address range: in bounds and sorted, unique. */
static int
check_rule_addrs(struct val *c, uint32_t i, const char *which, uint32_t first,
		 uint32_t nb)
{
	const struct bw_image_raddr *t;
	const void *sec;
	uint32_t k;
	int ret;

	ret = rule_range(c, i, which, "addresses", BW_SEC_RADDRS, first, nb,
			 &sec);
	if (ret != 0)
		return ret;
	t = sec;
	for (k = first; k < first + nb; k++) {
		const char *f = raddr_fault(&t[k]);

		if (f != NULL)
			return img_refuse(c, -EINVAL,
					  "raddr %" PRIu32 " (rule %" PRIu32
					  " %s): %s",
					  k, i, which, f);
		if (k > first && bw_raddr_cmp(&t[k - 1], &t[k]) >= 0)
			return img_refuse(c, -EINVAL,
					  "rule %" PRIu32 ": %s addresses not "
					  "sorted and unique at raddr %" PRIu32,
					  i, which, k);
	}
	return 0;
}

/* A rule's port range: in bounds, lo <= hi, sorted and disjoint. */
static int
check_rule_ports(struct val *c, uint32_t i, const char *which, uint32_t first,
		 uint32_t nb)
{
	const struct bw_image_rport *t;
	const void *sec;
	uint32_t k;
	int ret;

	ret = rule_range(c, i, which, "ports", BW_SEC_RPORTS, first, nb, &sec);
	if (ret != 0)
		return ret;
	t = sec;
	for (k = first; k < first + nb; k++) {
		if (t[k].lo > t[k].hi)
			return img_refuse(c, -EINVAL,
					  "rport %" PRIu32 " (rule %" PRIu32
					  " %s): lo %u above hi %u",
					  k, i, which, t[k].lo, t[k].hi);
		if (k > first && t[k].lo <= t[k - 1].hi)
			return img_refuse(c, -EINVAL,
					  "rule %" PRIu32
					  ": %s ports not sorted "
					  "and disjoint at rport %" PRIu32,
					  i, which, k);
	}
	return 0;
}

/* A string offset: inside the string table (which ends with a NUL). */
static int
check_rule_string(struct val *c, uint32_t i, const char *which, uint32_t off)
{
	uint32_t count = img_sec_count(c, BW_SEC_RSTRINGS);

	if (off >= count)
		return img_refuse(c, -EINVAL,
				  "rule %" PRIu32 ": %s offset %" PRIu32
				  " past the rstrings section (%" PRIu32
				  " bytes)",
				  i, which, off, count);
	return 0;
}

/* The fields of one rule that need no other section. */
static int
check_rule_fields(struct val *c, uint32_t i, const struct bw_image_rule *r)
{
	if (r->action < BW_RULE_ALERT || r->action > BW_RULE_PASS)
		return img_refuse(c, -EINVAL,
				  "rule %" PRIu32 " (sid %" PRIu32
				  "): unknown action %u",
				  i, r->sid, r->action);
	if (r->proto < BW_RULE_PROTO_IP || r->proto > BW_RULE_PROTO_ICMP)
		return img_refuse(c, -EINVAL,
				  "rule %" PRIu32 " (sid %" PRIu32
				  "): unknown protocol %u",
				  i, r->sid, r->proto);
	if (r->scan != BW_RULE_SCAN_PACKET && r->scan != BW_RULE_SCAN_STREAM)
		return img_refuse(c, -EINVAL,
				  "rule %" PRIu32 " (sid %" PRIu32
				  "): unknown scan scope %u",
				  i, r->sid, r->scan);
	if (r->scan == BW_RULE_SCAN_STREAM && r->proto != BW_RULE_PROTO_TCP)
		return img_refuse(c, -EINVAL,
				  "rule %" PRIu32 " (sid %" PRIu32
				  "): stream scope for a non-tcp rule",
				  i, r->sid);
	if (r->dsize_op > BW_DSIZE_OUT)
		return img_refuse(c, -EINVAL,
				  "rule %" PRIu32 " (sid %" PRIu32
				  "): unknown dsize op %u",
				  i, r->sid, r->dsize_op);
	if (r->dsize_op != BW_DSIZE_NONE && r->dsize_min > r->dsize_max)
		return img_refuse(c, -EINVAL,
				  "rule %" PRIu32 " (sid %" PRIu32
				  "): dsize min %" PRIu32 " above max %" PRIu32,
				  i, r->sid, r->dsize_min, r->dsize_max);
	if (r->dsize_op == BW_DSIZE_NONE &&
	    (r->dsize_min != 0 || r->dsize_max != 0))
		return img_refuse(c, -EINVAL,
				  "rule %" PRIu32 " (sid %" PRIu32
				  "): dsize bounds without a dsize op",
				  i, r->sid);
	if ((r->flags & ~(uint32_t)BW_RULE_F_ALL) != 0)
		return img_refuse(c, -EINVAL,
				  "rule %" PRIu32 " (sid %" PRIu32
				  "): unknown flags 0x%" PRIx32,
				  i, r->sid,
				  r->flags & ~(uint32_t)BW_RULE_F_ALL);
	if ((r->flags & BW_RULE_F_TO_SERVER) &&
	    (r->flags & BW_RULE_F_TO_CLIENT))
		return img_refuse(c, -EINVAL,
				  "rule %" PRIu32 " (sid %" PRIu32
				  "): flow to_server and to_client",
				  i, r->sid);
	if (r->priority < 0 || r->priority > 255)
		return img_refuse(c, -EINVAL,
				  "rule %" PRIu32 " (sid %" PRIu32
				  "): priority %" PRId32 " not in 0..255",
				  i, r->sid, r->priority);
	if (!(r->flags & BW_RULE_F_DATAAT) &&
	    (r->data_min != 0 || r->data_max != 0))
		return img_refuse(c, -EINVAL,
				  "rule %" PRIu32 " (sid %" PRIu32
				  "): isdataat bounds without the isdataat "
				  "flag",
				  i, r->sid);
	if ((r->flags & BW_RULE_F_DATAAT) && r->data_min > r->data_max)
		return img_refuse(c, -EINVAL,
				  "rule %" PRIu32 " (sid %" PRIu32
				  "): isdataat min %u above max %u",
				  i, r->sid, r->data_min, r->data_max);
	/* a stream has no packet length to hold it to (ctl_rules.h) */
	if ((r->flags & BW_RULE_F_DATAAT) && r->scan != BW_RULE_SCAN_PACKET)
		return img_refuse(c, -EINVAL,
				  "rule %" PRIu32 " (sid %" PRIu32
				  "): isdataat on a stream-scoped rule",
				  i, r->sid);
	if ((r->flags & BW_RULE_F_CONTENT) &&
	    c->sec[BW_SEC_HSDB_BLOCK] == NULL &&
	    c->sec[BW_SEC_HSGROUPS] == NULL)
		return img_refuse(c, -EINVAL,
				  "rule %" PRIu32 " (sid %" PRIu32
				  "): content rule without a block database or "
				  "scan groups",
				  i, r->sid);
	if ((r->flags & BW_RULE_F_CONTENT) && r->scan == BW_RULE_SCAN_STREAM &&
	    c->sec[BW_SEC_HSDB_STREAM] == NULL && c->nb_stream_groups == 0)
		return img_refuse(c, -EINVAL,
				  "rule %" PRIu32 " (sid %" PRIu32
				  "): stream content rule without a stream "
				  "database or stream groups",
				  i, r->sid);
	return 0;
}

/*
 * Which per-packet layout the image carries: scan groups (HSGROUPS with
 * their databases in HSDB_GROUPS, HSPORTS optional) or one block
 * database, never both.
 */
static int
check_hs_layout(struct val *c)
{
	int groups = c->sec[BW_SEC_HSGROUPS] != NULL;

	if (groups && c->sec[BW_SEC_HSDB_GROUPS] == NULL)
		return img_refuse(c, -EINVAL,
				  "hsgroups section without an hsdb_groups "
				  "section");
	if (!groups && c->sec[BW_SEC_HSDB_GROUPS] != NULL)
		return img_refuse(c, -EINVAL,
				  "hsdb_groups section without an hsgroups "
				  "section");
	if (!groups && c->sec[BW_SEC_HSPORTS] != NULL)
		return img_refuse(
			c, -EINVAL,
			"hsports section without an hsgroups section");
	if (groups && c->sec[BW_SEC_HSDB_BLOCK] != NULL)
		return img_refuse(c, -EINVAL,
				  "both a block database and scan groups "
				  "(sections %" PRIu32 " and %" PRIu32 ")",
				  c->sec_idx[BW_SEC_HSDB_BLOCK],
				  c->sec_idx[BW_SEC_HSGROUPS]);
	return 0;
}

/* The fields of one scan group that need no other group. */
static int
check_hsgroup_fields(struct val *c, uint32_t i,
		     const struct bw_image_hsgroup *g)
{
	uint32_t blob = img_sec_count(c, BW_SEC_HSDB_GROUPS);
	uint32_t nb_rules = img_sec_count(c, BW_SEC_RULES);

	if (g->lane < 1 || g->lane > BW_HSLANE_MAX)
		return img_refuse(c, -EINVAL,
				  "hsgroup %" PRIu32 ": lane %u unknown", i,
				  g->lane);
	if (g->role > BW_HSROLE_SRC)
		return img_refuse(c, -EINVAL,
				  "hsgroup %" PRIu32 ": role %u unknown", i,
				  g->role);
	if (g->scope > BW_HSSCOPE_STREAM)
		return img_refuse(c, -EINVAL,
				  "hsgroup %" PRIu32 ": scope %u unknown", i,
				  g->scope);
	if (g->role == BW_HSROLE_BASE && g->cls != 0)
		return img_refuse(c, -EINVAL,
				  "hsgroup %" PRIu32
				  ": base group with class %u "
				  "(want 0)",
				  i, g->cls);
	if (g->role != BW_HSROLE_BASE && g->lane != BW_HSLANE_TCP &&
	    g->lane != BW_HSLANE_UDP)
		return img_refuse(c, -EINVAL,
				  "hsgroup %" PRIu32
				  ": role %u on lane %u (port "
				  "roles only on the tcp and udp lanes)",
				  i, g->role, g->lane);
	if (g->role != BW_HSROLE_BASE &&
	    (g->cls < 1 || g->cls > BW_HSCLASS_MAX))
		return img_refuse(c, -EINVAL,
				  "hsgroup %" PRIu32 ": class %u not in 1..%d",
				  i, g->cls, BW_HSCLASS_MAX);
	if (g->scope == BW_HSSCOPE_STREAM && g->lane != BW_HSLANE_TCP)
		return img_refuse(c, -EINVAL,
				  "hsgroup %" PRIu32
				  ": stream scope on lane %u "
				  "(tcp only)",
				  i, g->lane);
	if (g->db_off % SEC_ALIGN != 0)
		return img_refuse(c, -EINVAL,
				  "hsgroup %" PRIu32 ": db_off %" PRIu32
				  " not 8-aligned",
				  i, g->db_off);
	if (g->db_len == 0)
		return img_refuse(c, -EINVAL, "hsgroup %" PRIu32 ": db_len 0",
				  i);
	if (g->db_len > BW_HSDB_MAX)
		return img_refuse(c, -E2BIG,
				  "hsgroup %" PRIu32 ": db_len %" PRIu32
				  " over the limit %u",
				  i, g->db_len, BW_HSDB_MAX);
	/* 64-bit sum: db_off + db_len cannot wrap. */
	if ((uint64_t)g->db_off + g->db_len > blob)
		return img_refuse(c, -EINVAL,
				  "hsgroup %" PRIu32 ": database [%" PRIu32
				  ", +%" PRIu32
				  ") past the hsdb_groups section "
				  "(%" PRIu32 " bytes)",
				  i, g->db_off, g->db_len, blob);
	if (g->nb_rules > nb_rules)
		return img_refuse(c, -EINVAL,
				  "hsgroup %" PRIu32 ": %" PRIu32
				  " rules, the image has %" PRIu32,
				  i, g->nb_rules, nb_rules);
	if (g->mode > BW_HSMODE_STREAM)
		return img_refuse(c, -EINVAL,
				  "hsgroup %" PRIu32 ": mode %u unknown", i,
				  g->mode);
	if (g->mode == BW_HSMODE_STREAM && g->scope != BW_HSSCOPE_STREAM)
		return img_refuse(c, -EINVAL,
				  "hsgroup %" PRIu32
				  ": stream mode in the packet "
				  "scope",
				  i);
	if (g->mode == BW_HSMODE_STREAM && c->sec[BW_SEC_HSDB_STREAM] != NULL)
		return img_refuse(c, -EINVAL,
				  "hsgroup %" PRIu32
				  ": stream mode with a stream "
				  "database",
				  i);
	if (g->flags & ~BW_HSGROUP_F_ALL)
		return img_refuse(c, -EINVAL,
				  "hsgroup %" PRIu32 ": flags 0x%x unknown", i,
				  g->flags & ~BW_HSGROUP_F_ALL);
	if ((g->flags & BW_HSGROUP_F_BASE) &&
	    (g->role == BW_HSROLE_BASE || g->mode != BW_HSMODE_BLOCK))
		return img_refuse(
			c, -EINVAL,
			"hsgroup %" PRIu32 ": flag base on a %s group "
			"(class groups in block mode only)",
			i, g->role == BW_HSROLE_BASE ? "base" : "stream mode");
	if ((g->flags & BW_HSGROUP_F_STREAM) &&
	    (g->lane != BW_HSLANE_TCP || g->scope != BW_HSSCOPE_PACKET ||
	     g->mode != BW_HSMODE_BLOCK))
		return img_refuse(c, -EINVAL,
				  "hsgroup %" PRIu32
				  ": flag stream off a TCP group of the packet "
				  "scope in block mode",
				  i);
	return 0;
}

/*
 * FULL with HSGROUPS: each group on its own, then (lane, role, cls,
 * scope) unique and each class in one (lane, role). The per-class and
 * per-lane tables of struct val make this one pass.
 */
static int
check_hsgroups(struct val *c)
{
	const struct bw_image_hsgroup *groups, *g, *o;
	uint32_t i, s, nb = img_sec_count(c, BW_SEC_HSGROUPS);
	uint16_t *slot, other;
	int r, k;

	if (nb == 0)
		return 0;
	groups = img_at(c, c->sec[BW_SEC_HSGROUPS]->off);
	for (i = 0; i < nb; i++) {
		g = &groups[i];
		r = check_hsgroup_fields(c, i, g);
		if (r < 0)
			return r;
		/* (scope, mode): PACKET, STREAM, STREAM in stream mode */
		k = g->scope + g->mode;
		c->nb_stream_groups += g->mode == BW_HSMODE_STREAM;
		if (g->role == BW_HSROLE_BASE) {
			slot = &c->grp_of_base[g->lane][k];
		} else {
			slot = &c->grp_of_cls[g->cls][k];
			for (s = 0; s < 3; s++) {
				other = c->grp_of_cls[g->cls][s];
				if (other == 0)
					continue;
				o = &groups[other - 1];
				if (o->lane != g->lane || o->role != g->role)
					return img_refuse(
						c, -EINVAL,
						"hsgroup %" PRIu32
						": class %u on lane %u role "
						"%u, hsgroup %u has it on "
						"lane %u role %u",
						i, g->cls, g->lane, g->role,
						other - 1u, o->lane, o->role);
			}
		}
		if (*slot != 0)
			return img_refuse(
				c, -EINVAL,
				"hsgroup %" PRIu32 ": duplicate of "
				"hsgroup %u (lane %u role %u class %u "
				"scope %u mode %u)",
				i, *slot - 1u, g->lane, g->role, g->cls,
				g->scope, g->mode);
		*slot = (uint16_t)(i + 1);
	}
	return 0;
}

/*
 * FULL with HSPORTS: each range names a class of a group of its own
 * (lane, role); ranges sorted by (lane, role, lo), disjoint within one
 * (lane, role). Runs after check_hsgroups() filled grp_of_cls.
 */
static int
check_hsports(struct val *c)
{
	const struct bw_image_hsgroup *groups = NULL, *g;
	const struct bw_image_hsport *ports, *p, *q;
	uint32_t k, nb = img_sec_count(c, BW_SEC_HSPORTS);
	uint16_t idx;

	if (nb == 0)
		return 0;
	if (img_sec_count(c, BW_SEC_HSGROUPS) > 0)
		groups = img_at(c, c->sec[BW_SEC_HSGROUPS]->off);
	ports = img_at(c, c->sec[BW_SEC_HSPORTS]->off);
	for (k = 0; k < nb; k++) {
		p = &ports[k];
		if (p->lane != BW_HSLANE_TCP && p->lane != BW_HSLANE_UDP)
			return img_refuse(c, -EINVAL,
					  "hsport %" PRIu32
					  ": lane %u (tcp or udp "
					  "only)",
					  k, p->lane);
		if (p->role != BW_HSROLE_DST && p->role != BW_HSROLE_SRC)
			return img_refuse(c, -EINVAL,
					  "hsport %" PRIu32
					  ": role %u (dst or src "
					  "only)",
					  k, p->role);
		if (p->lo > p->hi)
			return img_refuse(c, -EINVAL,
					  "hsport %" PRIu32
					  ": lo %u above hi %u",
					  k, p->lo, p->hi);
		if (p->cls < 1 || p->cls > BW_HSCLASS_MAX)
			return img_refuse(c, -EINVAL,
					  "hsport %" PRIu32 ": class %u not in "
					  "1..%d",
					  k, p->cls, BW_HSCLASS_MAX);
		idx = c->grp_of_cls[p->cls][BW_HSSCOPE_PACKET];
		if (idx == 0)
			idx = c->grp_of_cls[p->cls][BW_HSSCOPE_STREAM];
		g = idx != 0 && groups != NULL ? &groups[idx - 1] : NULL;
		if (g == NULL || g->lane != p->lane || g->role != p->role)
			return img_refuse(c, -EINVAL,
					  "hsport %" PRIu32 ": class %u has no "
					  "group of lane %u role %u",
					  k, p->cls, p->lane, p->role);
		if (k == 0)
			continue;
		q = &ports[k - 1];
		if (p->lane < q->lane ||
		    (p->lane == q->lane && p->role < q->role) ||
		    (p->lane == q->lane && p->role == q->role &&
		     p->lo <= q->hi))
			return img_refuse(c, -EINVAL,
					  "hsports not sorted and disjoint at "
					  "hsport %" PRIu32 " (lane %u role %u "
					  "ports %u-%u after lane %u role %u "
					  "ports %u-%u)",
					  k, p->lane, p->role, p->lo, p->hi,
					  q->lane, q->role, q->lo, q->hi);
	}
	return 0;
}

/*
 * FULL: the rule table against the address, port and string tables, then
 * the scan groups and their port map; the databases only as byte blobs
 * (their contents are checked by Hyperscan when the dataplane
 * deserializes them, dp_match.h).
 */
int
img_check_rules(struct val *c)
{
	static const uint32_t needs_rules[] = {
		BW_SEC_RADDRS,	   BW_SEC_RPORTS,      BW_SEC_RSTRINGS,
		BW_SEC_HSDB_BLOCK, BW_SEC_HSDB_STREAM, BW_SEC_HSGROUPS,
		BW_SEC_HSPORTS,	   BW_SEC_HSDB_GROUPS};
	const struct bw_image_rule *rules, *r;
	const char *str;
	uint32_t i, nb, nb_str;
	int ret;

	if (c->sec[BW_SEC_RULES] == NULL) {
		for (i = 0; i < sizeof(needs_rules) / sizeof(needs_rules[0]);
		     i++) {
			if (c->sec[needs_rules[i]] != NULL)
				return img_refuse(
					c, -EINVAL,
					"%s section without a rules "
					"section",
					img_sec_infos[needs_rules[i]].name);
		}
		return 0;
	}
	nb_str = img_sec_count(c, BW_SEC_RSTRINGS);
	if (nb_str == 0)
		return img_refuse(c, -EINVAL,
				  "rules without a rstrings section");
	str = img_at(c, c->sec[BW_SEC_RSTRINGS]->off);
	/* one NUL at the end makes every offset inside a terminated string */
	if (str[nb_str - 1] != '\0')
		return img_refuse(c, -EINVAL,
				  "rstrings section does not end with a NUL");
	ret = check_hs_layout(c);
	if (ret == 0)
		ret = check_hsgroups(c); /* before the rules: they need it */
	if (ret < 0)
		return ret;
	rules = img_at(c, c->sec[BW_SEC_RULES]->off);
	nb = c->sec[BW_SEC_RULES]->count;
	for (i = 0; i < nb; i++) {
		r = &rules[i];
		ret = check_rule_fields(c, i, r);
		if (ret == 0)
			ret = check_rule_addrs(c, i, "source", r->src_first,
					       r->nb_src);
		if (ret == 0)
			ret = check_rule_addrs(c, i, "destination",
					       r->dst_first, r->nb_dst);
		if (ret == 0)
			ret = check_rule_ports(c, i, "source", r->sport_first,
					       r->nb_sport);
		if (ret == 0)
			ret = check_rule_ports(c, i, "destination",
					       r->dport_first, r->nb_dport);
		if (ret == 0)
			ret = check_rule_string(c, i, "msg", r->msg_off);
		if (ret == 0)
			ret = check_rule_string(c, i, "classtype",
						r->classtype_off);
		if (ret < 0)
			return ret;
	}
	return check_hsports(c);
}
