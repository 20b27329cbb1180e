/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Content rule tables of the ruleset image from a parsed rule set. The
 * address and port tables are shared: a rule whose set equals one of the
 * last few sets written points at that one ($HOME_NET and
 * $EXTERNAL_NET repeat in nearly every rule of a signature file).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bw_util.h"
#include "ctl_array.h"
#include "ctl_hsgroup.h"
#include "ctl_rtab.h"

#define REUSE_WINDOW 16 /* recent address/port/string ranges compared */

/* A growable byte array. */
struct vec {
	uint8_t *p;
	size_t len; /* bytes in use */
	size_t cap; /* bytes allocated */
};

/* Recently written ranges of one table, compared before appending. */
struct recent {
	uint32_t first[REUSE_WINDOW];
	uint32_t nb[REUSE_WINDOW];
	unsigned int next;
};

static int
vec_reserve(struct vec *v, size_t more)
{
	return ctl_array_reserve(&v->p, &v->cap, v->len, more, 1, 256);
}

/*
 * Append nb elements of size bytes at src, or find them among the recent
 * ranges of v; *first is the element index. Returns 0 or -ENOMEM.
 */
static int
vec_put(struct vec *v, struct recent *rc, const void *src, uint32_t nb,
	size_t size, uint32_t *first)
{
	size_t bytes = (size_t)nb * size;
	unsigned int i;

	*first = 0;
	if (nb == 0)
		return 0;
	for (i = 0; i < REUSE_WINDOW; i++) {
		if (rc->nb[i] == nb &&
		    memcmp(v->p + (size_t)rc->first[i] * size, src, bytes) ==
			    0) {
			*first = rc->first[i];
			return 0;
		}
	}
	if (vec_reserve(v, bytes) < 0)
		return -ENOMEM;
	*first = (uint32_t)(v->len / size);
	memcpy(v->p + v->len, src, bytes);
	v->len += bytes;
	rc->first[rc->next] = *first;
	rc->nb[rc->next] = nb;
	rc->next = (rc->next + 1) % REUSE_WINDOW;
	return 0;
}

static int
raddr_cmp(const void *a, const void *b)
{
	return bw_raddr_cmp(a, b);
}

static int
rport_cmp(const void *pa, const void *pb)
{
	const struct bw_image_rport *a = pa, *b = pb;

	return (int)a->lo - (int)b->lo;
}

/*
 * An address set into the table, sorted and unique. tmp has room for
 * the set. Returns 0 or -ENOMEM.
 */
static int
addrs_put(struct vec *v, struct recent *rc, const struct ctl_rule_addr *a,
	  struct bw_image_raddr *tmp, uint32_t *first, uint32_t *nb)
{
	size_t i, n = 0;

	for (i = 0; i < a->pfx.n; i++) {
		memset(&tmp[n], 0, sizeof(tmp[n]));
		memcpy(tmp[n].addr, a->pfx.v[i].addr, sizeof(tmp[n].addr));
		tmp[n].family = a->pfx.v[i].family;
		tmp[n].len = a->pfx.v[i].len;
		n++;
	}
	qsort(tmp, n, sizeof(*tmp), raddr_cmp);
	for (i = 1, *nb = n > 0 ? 1 : 0; i < n; i++) {
		if (raddr_cmp(&tmp[*nb - 1], &tmp[i]) != 0)
			tmp[(*nb)++] = tmp[i];
	}
	return vec_put(v, rc, tmp, *nb, sizeof(*tmp), first);
}

/* A port set into the table, sorted and merged. */
static int
ports_put(struct vec *v, struct recent *rc, const struct ctl_rule_ports *p,
	  struct bw_image_rport *tmp, uint32_t *first, uint32_t *nb)
{
	size_t i, n = 0;

	for (i = 0; i < p->n; i++) {
		tmp[i].lo = p->r[i].lo;
		tmp[i].hi = p->r[i].hi;
	}
	qsort(tmp, p->n, sizeof(*tmp), rport_cmp);
	for (i = 0; i < p->n; i++) {
		if (n > 0 && tmp[i].lo <= tmp[n - 1].hi) {
			if (tmp[i].hi > tmp[n - 1].hi)
				tmp[n - 1].hi = tmp[i].hi;
			continue;
		}
		tmp[n++] = tmp[i];
	}
	*nb = (uint32_t)n;
	return vec_put(v, rc, tmp, *nb, sizeof(*tmp), first);
}

/* A string (its NUL included) into the string table. */
static int
string_put(struct vec *v, struct recent *rc, const char *s, uint32_t *off)
{
	const char *str = s != NULL ? s : "";

	if (str[0] == '\0') {
		*off = 0; /* the table starts with "" */
		return 0;
	}
	return vec_put(v, rc, str, (uint32_t)strlen(str) + 1, 1, off);
}

static uint8_t
action_of(enum ctl_rule_action a)
{
	switch (a) {
	case CTL_RULE_DROP:
		return BW_RULE_DROP;
	case CTL_RULE_PASS:
		return BW_RULE_PASS;
	case CTL_RULE_ALERT:
		break;
	}
	return BW_RULE_ALERT;
}

static uint8_t
proto_of(enum ctl_rule_proto p)
{
	switch (p) {
	case CTL_RULE_PROTO_TCP:
		return BW_RULE_PROTO_TCP;
	case CTL_RULE_PROTO_UDP:
		return BW_RULE_PROTO_UDP;
	case CTL_RULE_PROTO_ICMP:
		return BW_RULE_PROTO_ICMP;
	case CTL_RULE_PROTO_IP:
		break;
	}
	return BW_RULE_PROTO_IP;
}

/* The rule flags (CTL_RULE_*) that stand in the image as they are. */
static const struct {
	uint32_t rule;	/* CTL_RULE_* */
	uint32_t image; /* BW_RULE_F_* */
} flag_map[] = {
	{CTL_RULE_BIDIR, BW_RULE_F_BIDIR},
	{CTL_RULE_FLOW_ESTABLISHED, BW_RULE_F_ESTABLISHED},
	{CTL_RULE_FLOW_TO_SERVER, BW_RULE_F_TO_SERVER},
	{CTL_RULE_FLOW_TO_CLIENT, BW_RULE_F_TO_CLIENT},
	{CTL_RULE_PACKET, BW_RULE_F_PACKET},
	{CTL_RULE_STREAM, BW_RULE_F_STREAM},
	{CTL_RULE_PATTERN, BW_RULE_F_PATTERN},
};

/* The header fields of rule r; the table ranges are filled by the caller. */
static void
rule_fill(struct bw_image_rule *o, const struct ctl_rule *r, int content)
{
	uint32_t f = 0;
	size_t i;

	memset(o, 0, sizeof(*o));
	o->sid = r->sid;
	o->rev = r->rev;
	o->action = action_of(r->action);
	o->proto = proto_of(r->proto);
	o->scan = ctl_rule_scan(r) == CTL_RULE_SCAN_STREAM
			  ? BW_RULE_SCAN_STREAM
			  : BW_RULE_SCAN_PACKET;
	if (r->dsize.op == CTL_DSIZE_IN || r->dsize.op == CTL_DSIZE_OUT) {
		o->dsize_op = r->dsize.op == CTL_DSIZE_IN ? BW_DSIZE_IN
							  : BW_DSIZE_OUT;
		o->dsize_min = r->dsize.min;
		o->dsize_max = r->dsize.max;
	}
	for (i = 0; i < sizeof(flag_map) / sizeof(flag_map[0]); i++) {
		if (r->flags & flag_map[i].rule)
			f |= flag_map[i].image;
	}
	if (r->dataat.set) {
		/* ctl_ruleparse.c bounds both by the largest payload */
		f |= BW_RULE_F_DATAAT;
		o->data_min = (uint16_t)r->dataat.min;
		o->data_max = (uint16_t)r->dataat.max;
	}
	f |= (content ? BW_RULE_F_CONTENT : 0) |
	     (r->src.negated ? BW_RULE_F_SRC_NOT : 0) |
	     (r->dst.negated ? BW_RULE_F_DST_NOT : 0) |
	     (r->sport.negated ? BW_RULE_F_SPORT_NOT : 0) |
	     (r->dport.negated ? BW_RULE_F_DPORT_NOT : 0);
	o->flags = f;
	o->priority = r->priority;
}

/* Compile one database and serialize it into *buf (NULL when empty). */
static int
db_make(const struct ctl_rules *rs, const struct ctl_hsmap *map,
	const struct ctl_hsdb_limits *lim, enum ctl_hsdb_mode mode,
	unsigned int scopes, struct ctl_hsdb *db, uint8_t **buf, uint32_t *len,
	char *err, size_t err_len)
{
	struct ctl_hsdb_opts o = {
		.mode = mode, .scopes = scopes, .protos = 0, .limits = lim};
	size_t n = 0;
	char *p = NULL;
	int r;

	*buf = NULL;
	*len = 0;
	r = ctl_hsdb_compile(rs, map, &o, db, err, err_len);
	if (r < 0)
		return r;
	if (db->db == NULL)
		return 0;
	r = ctl_hsdb_serialize(db, &p, &n);
	if (r < 0) {
		snprintf(err, err_len, "cannot serialize the %s database: %s",
			 mode == CTL_HSDB_BLOCK ? "block" : "stream",
			 strerror(-r));
		return r;
	}
	if (n > BW_HSDB_MAX) {
		snprintf(err, err_len,
			 "%s database of %zu bytes exceeds the limit of %u",
			 mode == CTL_HSDB_BLOCK ? "block" : "stream", n,
			 BW_HSDB_MAX);
		free(p);
		return -E2BIG;
	}
	*buf = (uint8_t *)p;
	*len = (uint32_t)n;
	return 0;
}

/* The group (lane, role, cls, scope) of plan p, NULL if it has none. */
static const struct ctl_hsgroup *
plan_group(const struct ctl_hsgroup_plan *p, uint8_t lane, uint8_t role,
	   uint16_t cls, uint8_t scope)
{
	uint32_t i;

	for (i = 0; i < p->nb_groups; i++)
		if (p->groups[i].role == role && p->groups[i].lane == lane &&
		    p->groups[i].cls == cls && p->groups[i].scope == scope)
			return &p->groups[i];
	return NULL;
}

/* Mark g's rules (g may be NULL) in pick; return how many were new. */
static uint32_t
pick_group(uint8_t *pick, const struct ctl_hsgroup *g)
{
	uint32_t k, nb = 0;

	for (k = 0; g != NULL && k < g->nb; k++) {
		nb += !pick[g->rules[k]];
		pick[g->rules[k]] = 1;
	}
	return nb;
}

/*
 * The scan groups of t's rules (ctl_hsgroup.h): one database per group,
 * serialized one after the other (8-aligned) into t->gdb.
 *
 * Block mode (per packet). Every TCP segment is scanned with the packet
 * rules and the stream rules of its lane and ports (Suricata's
 * pkt_stream, docs/rules.md), so a TCP PACKET group also holds the stream
 * rules of its (lane, role, class) (BW_HSGROUP_F_STREAM): one hs_scan
 * call where there were two. A STREAM group without a PACKET group of its
 * key goes into the image as that PACKET group; the others are not
 * written in block mode. A class group of the PACKET
 * scope also takes its lane's BASE packet rules (BW_HSGROUP_F_BASE), so
 * that a packet with a class is scanned once where it would be scanned
 * twice, unless the lane has BASE stream rules: they stay out of the
 * classes (they would add the larger BASE stream group to every class:
 * compile time and memory), so such a packet takes two calls either way,
 * the BASE group (with its stream rules) and the class's.
 * Stream mode: the STREAM groups again, for the flow table's streams;
 * they stay apart from the BASE one (that would duplicate state in every
 * flow).
 */
static int
groups_make(const struct ctl_rules *rs, const struct ctl_hsmap *map,
	    const struct ctl_hsdb_limits *lim, struct ctl_rtab *t,
	    struct ctl_rtab_info *info, char *err, size_t err_len)
{
	struct ctl_hsgroup_plan plan;
	struct ctl_hsdb db = {0};
	struct vec blob = {0};
	uint8_t *pick = NULL;
	uint32_t i;
	int r;

	r = ctl_hsgroup_plan(t->rules, t->nb_rules, t->ports, t->nb_ports,
			     &plan);
	if (r < 0) {
		snprintf(err, err_len, "%s",
			 r == -E2BIG	? "scan groups exceed the image limits"
			 : r == -ENOMEM ? "out of memory"
					: "bad port table");
		return r;
	}
	t->groups = calloc(2 * (size_t)plan.nb_groups + 1, sizeof(*t->groups));
	pick = calloc(rs->nb_rules ? rs->nb_rules : 1, 1);
	if (t->groups == NULL || pick == NULL) {
		snprintf(err, err_len, "out of memory");
		r = -ENOMEM;
		goto out;
	}
	/*
	 * Each group in block mode (the STREAM scope's as above); a
	 * STREAM-scope group a second time in stream mode.
	 */
	for (i = 0; i < 2 * plan.nb_groups; i++) {
		const struct ctl_hsgroup *g = &plan.groups[i % plan.nb_groups];
		const struct ctl_hsgroup *base = NULL;
		int smode = i >= plan.nb_groups;
		uint8_t scope = g->scope;
		uint16_t flags = 0;
		uint32_t nb;
		struct ctl_hsdb_opts o = {.mode = smode ? CTL_HSDB_STREAM
							: CTL_HSDB_BLOCK,
					  .scopes = CTL_HSDB_SCOPE_ALL,
					  .limits = lim,
					  .pick = pick};
		char *ser = NULL;
		size_t n = 0, pad;

		if (smode && g->scope != BW_HSSCOPE_STREAM)
			continue;
		if (!smode && g->scope == BW_HSSCOPE_STREAM) {
			if (plan_group(&plan, g->lane, g->role, g->cls,
				       BW_HSSCOPE_PACKET) != NULL)
				continue; /* in the PACKET group of its key */
			scope = BW_HSSCOPE_PACKET; /* stands for that group */
		}
		memset(pick, 0, rs->nb_rules);
		nb = pick_group(pick, g);
		if (!smode && scope == BW_HSSCOPE_PACKET &&
		    g->lane == BW_HSLANE_TCP) {
			flags |= BW_HSGROUP_F_STREAM;
			if (g->scope == BW_HSSCOPE_PACKET)
				nb += pick_group(pick,
						 plan_group(&plan, g->lane,
							    g->role, g->cls,
							    BW_HSSCOPE_STREAM));
		}
		if (!smode && scope == BW_HSSCOPE_PACKET &&
		    g->role != BW_HSROLE_BASE &&
		    plan_group(&plan, g->lane, BW_HSROLE_BASE, 0,
			       BW_HSSCOPE_STREAM) == NULL) {
			base = plan_group(&plan, g->lane, BW_HSROLE_BASE, 0,
					  BW_HSSCOPE_PACKET);
			nb += pick_group(pick, base);
			if (base != NULL)
				flags |= BW_HSGROUP_F_BASE;
		}
		r = ctl_hsdb_compile(rs, map, &o, &db, err, err_len);
		if (r < 0)
			goto out;
		if (db.db == NULL)
			continue; /* cannot happen: every rule has content */
		r = ctl_hsdb_serialize(&db, &ser, &n);
		if (r < 0 || n > BW_HSDB_MAX) {
			free(ser);
			snprintf(err, err_len,
				 "cannot serialize a scan group database");
			r = r < 0 ? r : -E2BIG;
			goto out;
		}
		pad = (8 - blob.len % 8) % 8;
		if (blob.len + pad + n > UINT32_MAX ||
		    vec_reserve(&blob, pad + n) < 0) {
			free(ser);
			snprintf(err, err_len, "scan group databases too big");
			r = -E2BIG;
			goto out;
		}
		memset(blob.p + blob.len, 0, pad);
		blob.len += pad;
		t->groups[t->nb_groups] = (struct bw_image_hsgroup){
			.db_off = (uint32_t)blob.len,
			.db_len = (uint32_t)n,
			.nb_rules = nb,
			.cls = g->cls,
			.lane = g->lane,
			.role = g->role,
			.scope = scope,
			.mode = smode ? BW_HSMODE_STREAM : BW_HSMODE_BLOCK,
			.flags = flags,
		};
		memcpy(blob.p + blob.len, ser, n);
		blob.len += n;
		free(ser);
		t->nb_groups++;
		if (smode)
			info->stream_db_bytes += n;
		else
			info->nb_exprs += db.nb_exprs;
	}
	t->hsports = plan.hsports;
	t->nb_hsports = plan.nb_hsports;
	plan.hsports = NULL;
	plan.nb_hsports = 0;
	t->gdb = blob.p;
	t->gdb_len = (uint32_t)blob.len;
	blob.p = NULL;
	info->nb_groups = t->nb_groups;
	info->nb_classes = plan.nb_classes;
	info->groups_db_bytes = t->gdb_len;
	r = 0;
out:
	ctl_hsdb_free(&db);
	ctl_hsgroup_plan_free(&plan);
	free(blob.p);
	free(pick);
	return r;
}

/* The rule, address, port and string tables of rs into t. */
static int
tables_make(const struct ctl_rules *rs, const struct ctl_hsmap *map,
	    struct ctl_rtab *t, struct ctl_rtab_info *info)
{
	struct vec va = {0}, vp = {0}, vs = {0};
	struct recent ra = {0}, rp = {0}, rstr = {0}, rcls = {0};
	struct bw_image_raddr *ta = NULL;
	struct bw_image_rport *tp = NULL;
	size_t i, max_a = 1, max_p = 1;
	int r = -ENOMEM;

	for (i = 0; i < rs->nb_rules; i++) {
		const struct ctl_rule *c = &rs->rules[i];

		if (c->src.pfx.n > max_a)
			max_a = c->src.pfx.n;
		if (c->dst.pfx.n > max_a)
			max_a = c->dst.pfx.n;
		if (c->sport.n > max_p)
			max_p = c->sport.n;
		if (c->dport.n > max_p)
			max_p = c->dport.n;
	}
	ta = calloc(max_a, sizeof(*ta));
	tp = calloc(max_p, sizeof(*tp));
	t->rules =
		calloc(rs->nb_rules > 0 ? rs->nb_rules : 1, sizeof(*t->rules));
	if (ta == NULL || tp == NULL || t->rules == NULL ||
	    vec_reserve(&vs, 1) < 0)
		goto out;
	vs.p[vs.len++] = '\0'; /* offset 0: "" */
	for (i = 0; i < rs->nb_rules; i++) {
		const struct ctl_rule *c = &rs->rules[i];
		struct bw_image_rule *o = &t->rules[i];
		int content = i < map->nb_rules && map->count[i] > 0;

		rule_fill(o, c, content);
		if (content) {
			info->nb_content++;
			if (o->scan == BW_RULE_SCAN_STREAM)
				info->nb_stream++;
		}
		if (addrs_put(&va, &ra, &c->src, ta, &o->src_first,
			      &o->nb_src) < 0 ||
		    addrs_put(&va, &ra, &c->dst, ta, &o->dst_first,
			      &o->nb_dst) < 0 ||
		    ports_put(&vp, &rp, &c->sport, tp, &o->sport_first,
			      &o->nb_sport) < 0 ||
		    ports_put(&vp, &rp, &c->dport, tp, &o->dport_first,
			      &o->nb_dport) < 0 ||
		    string_put(&vs, &rstr, c->msg, &o->msg_off) < 0 ||
		    string_put(&vs, &rcls, c->classtype, &o->classtype_off) < 0)
			goto out;
	}
	if (va.len / sizeof(*ta) > BW_RULE_ADDRS_MAX ||
	    vp.len / sizeof(*tp) > BW_RULE_PORTS_MAX ||
	    vs.len > BW_RULE_STRINGS_MAX) {
		r = -E2BIG;
		goto out;
	}
	t->nb_rules = (uint32_t)rs->nb_rules;
	t->addrs = (struct bw_image_raddr *)va.p;
	t->nb_addrs = (uint32_t)(va.len / sizeof(*ta));
	t->ports = (struct bw_image_rport *)vp.p;
	t->nb_ports = (uint32_t)(vp.len / sizeof(*tp));
	t->strings = (char *)vs.p;
	t->strings_len = (uint32_t)vs.len;
	va.p = vp.p = vs.p = NULL;
	r = 0;
out:
	free(va.p);
	free(vp.p);
	free(vs.p);
	free(ta);
	free(tp);
	return r;
}

int
ctl_rtab_build(const struct ctl_rules *rs, const struct ctl_hsdb_limits *lim,
	       struct ctl_rtab *t, struct ctl_rtab_info *info, char *err,
	       size_t err_len)
{
	return ctl_rtab_build_layout(rs, lim, CTL_RTAB_GROUPS, t, info, err,
				     err_len);
}

int
ctl_rtab_build_layout(const struct ctl_rules *rs,
		      const struct ctl_hsdb_limits *lim,
		      enum ctl_rtab_layout layout, struct ctl_rtab *t,
		      struct ctl_rtab_info *info, char *err, size_t err_len)
{
	struct ctl_hsdb block = {0}, stream = {0};
	struct ctl_rtab_info dummy;
	struct ctl_hsmap map = {0};
	uint64_t t0;
	int r;

	if (info == NULL)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	memset(t, 0, sizeof(*t));
	err[0] = '\0';
	if (rs->nb_rules > BW_RULE_MAX) {
		snprintf(err, err_len,
			 "%zu rules exceed the limit of %u in one ruleset",
			 rs->nb_rules, BW_RULE_MAX);
		return -E2BIG;
	}
	if (rs->nb_rules == 0)
		return 0;
	r = ctl_hsmap_build(rs, &map, err, err_len);
	if (r < 0)
		goto out;
	r = tables_make(rs, &map, t, info);
	if (r < 0) {
		snprintf(err, err_len, "%s",
			 r == -E2BIG ? "rule tables exceed the image limits"
				     : "out of memory");
		goto out;
	}
	t0 = bw_clock_ns(CLOCK_MONOTONIC);
	if (layout == CTL_RTAB_SINGLE) {
		r = db_make(rs, &map, lim, CTL_HSDB_BLOCK, CTL_HSDB_SCOPE_ALL,
			    &block, &t->block, &t->block_len, err, err_len);
		info->nb_exprs = block.nb_exprs;
	} else {
		r = groups_make(rs, &map, lim, t, info, err, err_len);
	}
	if (r == 0 && layout == CTL_RTAB_SINGLE)
		r = db_make(rs, &map, lim, CTL_HSDB_STREAM,
			    CTL_HSDB_SCOPE_STREAM, &stream, &t->stream,
			    &t->stream_len, err, err_len);
	info->compile_ns = bw_clock_ns(CLOCK_MONOTONIC) - t0;
	if (r < 0)
		goto out;
	info->nb_rules = t->nb_rules;
	info->block_db_bytes = t->block_len;
	if (layout == CTL_RTAB_SINGLE)
		info->stream_db_bytes = t->stream_len;
out:
	if (r < 0)
		ctl_rtab_free(t);
	ctl_hsdb_free(&block);
	ctl_hsdb_free(&stream);
	ctl_hsmap_free(&map);
	return r;
}

const char *
ctl_rtab_string(const struct ctl_rtab *t, uint32_t off)
{
	if (t->strings == NULL || off >= t->strings_len ||
	    t->strings[t->strings_len - 1] != '\0')
		return "";
	return t->strings + off;
}

const char *
ctl_rtab_action_name(uint8_t action)
{
	switch (action) {
	case BW_RULE_ALERT:
		return "alert";
	case BW_RULE_DROP:
		return "drop";
	case BW_RULE_PASS:
		return "pass";
	}
	return "?";
}
