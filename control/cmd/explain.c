/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `bulwarkctl explain SRC DST [PROTO [SPORT DPORT]] [--payload-file F]`:
 * walk the stages of the current generation (the newest in the state
 * directory: what the running dataplane applied, or what it starts with)
 * for one packet, and say which stage decides:
 *   1. lists: allow lists win and skip the later stages; else a block
 *      list on a side its --match covers drops (reason blocklist), with
 *      the deciding list and prefix (ctl_lookup.h, the lookup command's
 *      code);
 *   2. eBPF: the programs that would run, in order; they are not run
 *      here (their verdict depends on the packet bytes and on maps of the
 *      running process), so a packet that reaches them is "pass unless a
 *      program drops it";
 *   3. content rules: every rule whose header (protocol, addresses, ports,
 *      direction) matches, and whether its payload conditions hold on the
 *      payload file: the rule set's own serialized Hyperscan databases are
 *      deserialized and scanned here, then dsize and isdataat are
 *      checked. A pass rule that matches wins; else a drop rule drops
 *      (reason content-rule). Flow conditions (flow:established, ...)
 *      depend on the flow table and are not evaluated.
 * The last line is "decision: ..." with key=value fields (docs/metrics.md).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <hs.h>

#include "ctl.h"
#include "ctl_cli.h"
#include "ctl_cmd.h"
#include "ctl_lookup.h"
#include "ctl_region.h"
#include "ctl_rtab.h"
#include "ctl_state.h"
#include "bw_image.h"

#define PAYLOAD_MAX (1u << 20) /* bytes read from --payload-file */
#define PROTO_NONE  (-1)       /* no PROTO given: any IP protocol */

struct explain_req {
	const char *payload_file;
};

/* The packet asked about. */
struct pkt {
	struct ctl_prefix src, dst; /* len = full */
	int proto;		    /* IP protocol number, or PROTO_NONE */
	int has_ports;
	uint16_t sport, dport;
	const uint8_t *payload;
	size_t len;
	int payload_given;
};

static int
proto_parse(const char *s, int *proto)
{
	uint64_t v;

	if (strcmp(s, "tcp") == 0)
		*proto = 6;
	else if (strcmp(s, "udp") == 0)
		*proto = 17;
	else if (strcmp(s, "icmp") == 0)
		*proto = 1;
	else if (strcmp(s, "icmpv6") == 0 || strcmp(s, "icmp6") == 0)
		*proto = 58;
	else if (ctl_uint_parse(s, 0, 255, &v) == 0)
		*proto = (int)v;
	else
		return -EINVAL;
	return 0;
}

static const char *
proto_name(int p)
{
	switch (p) {
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 1:
		return "icmp";
	case 58:
		return "icmpv6";
	case PROTO_NONE:
		return "ip";
	default:
		return "ip-proto";
	}
}

/* --- content rules -------------------------------------------------- */

static int
raddr_has(const struct bw_image_raddr *a, const struct ctl_prefix *p)
{
	struct ctl_prefix q;

	if (a->family != p->family)
		return 0;
	memset(&q, 0, sizeof(q));
	q.family = a->family;
	q.len = a->len;
	memcpy(q.addr, a->addr, sizeof(q.addr));
	return ctl_prefix_contains(&q, p->family, p->addr);
}

/* The address condition [first, first + nb) with its NOT flag on addr. */
static int
addr_cond(const struct ctl_rtab *t, uint32_t first, uint32_t nb, int neg,
	  const struct ctl_prefix *addr)
{
	uint32_t i;
	int in = 0;

	for (i = 0; i < nb && first + i < t->nb_addrs && !in; i++)
		in = raddr_has(&t->addrs[first + i], addr);
	return neg ? !in : in;
}

static int
port_cond(const struct ctl_rtab *t, uint32_t first, uint32_t nb, int neg,
	  int has_ports, uint16_t port)
{
	uint32_t i;
	int in = 0;

	if (!has_ports) /* only "any" (nb 0, negated) holds */
		return nb == 0 && neg;
	for (i = 0; i < nb && first + i < t->nb_ports && !in; i++)
		in = port >= t->ports[first + i].lo &&
		     port <= t->ports[first + i].hi;
	return neg ? !in : in;
}

static int
proto_cond(uint8_t rp, int proto)
{
	switch (rp) {
	case BW_RULE_PROTO_IP:
		return 1;
	case BW_RULE_PROTO_TCP:
		return proto == 6;
	case BW_RULE_PROTO_UDP:
		return proto == 17;
	case BW_RULE_PROTO_ICMP:
		return proto == 1 || proto == 58;
	default:
		return 0;
	}
}

/* The header of rule r matches the packet one way (swap: the other). */
static int
header_way(const struct ctl_rtab *t, const struct bw_image_rule *r,
	   const struct pkt *p, int swap)
{
	const struct ctl_prefix *s = swap ? &p->dst : &p->src;
	const struct ctl_prefix *d = swap ? &p->src : &p->dst;
	uint16_t sp = swap ? p->dport : p->sport;
	uint16_t dp = swap ? p->sport : p->dport;

	return addr_cond(t, r->src_first, r->nb_src,
			 (r->flags & BW_RULE_F_SRC_NOT) != 0, s) &&
	       addr_cond(t, r->dst_first, r->nb_dst,
			 (r->flags & BW_RULE_F_DST_NOT) != 0, d) &&
	       port_cond(t, r->sport_first, r->nb_sport,
			 (r->flags & BW_RULE_F_SPORT_NOT) != 0, p->has_ports,
			 sp) &&
	       port_cond(t, r->dport_first, r->nb_dport,
			 (r->flags & BW_RULE_F_DPORT_NOT) != 0, p->has_ports,
			 dp);
}

static int
header_match(const struct ctl_rtab *t, const struct bw_image_rule *r,
	     const struct pkt *p)
{
	if (!proto_cond(r->proto, p->proto))
		return 0;
	return header_way(t, r, p, 0) ||
	       ((r->flags & BW_RULE_F_BIDIR) != 0 && header_way(t, r, p, 1));
}

static int
on_match(unsigned int id, unsigned long long from, unsigned long long to,
	 unsigned int flags, void *ctx)
{
	struct {
		uint8_t *hit;
		uint32_t nb;
	} *m = ctx;

	(void)from;
	(void)to;
	(void)flags;
	if (id < m->nb)
		m->hit[id] = 1;
	return 0;
}

/*
 * Scan the payload with one serialized database (block or stream mode)
 * and mark the rule ids it reports in hit[]. Returns 0 or -EINVAL.
 */
static int
scan_db(const uint8_t *bytes, size_t len, int stream, const struct pkt *p,
	uint8_t *hit, uint32_t nb)
{
	struct {
		uint8_t *hit;
		uint32_t nb;
	} m = {hit, nb};
	hs_database_t *db = NULL;
	hs_scratch_t *scratch = NULL;
	hs_stream_t *s = NULL;
	static const char empty[1];
	const char *data = p->len ? (const char *)p->payload : empty;
	int ret = -EINVAL;

	if (len == 0)
		return 0;
	if (hs_deserialize_database((const char *)bytes, len, &db) !=
	    HS_SUCCESS)
		return -EINVAL;
	if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS)
		goto out;
	if (!stream) {
		if (hs_scan(db, data, (unsigned int)p->len, 0, scratch,
			    on_match, &m) != HS_SUCCESS)
			goto out;
	} else {
		if (hs_open_stream(db, 0, &s) != HS_SUCCESS)
			goto out;
		if (p->len != 0)
			hs_scan_stream(s, data, (unsigned int)p->len, 0,
				       scratch, on_match, &m);
		hs_close_stream(s, scratch, on_match, &m);
	}
	ret = 0;
out:
	hs_free_scratch(scratch);
	hs_free_database(db);
	return ret;
}

/* Every database of t over the payload; hit[] marks the rules reported. */
static int
scan_all(const struct ctl_rtab *t, const struct pkt *p, uint8_t *hit)
{
	uint32_t g;
	int ret = 0;

	if (t->block_len != 0)
		ret |= scan_db(t->block, t->block_len, 0, p, hit, t->nb_rules);
	if (t->stream_len != 0)
		ret |= scan_db(t->stream, t->stream_len, 1, p, hit,
			       t->nb_rules);
	for (g = 0; g < t->nb_groups; g++) {
		const struct bw_image_hsgroup *gr = &t->groups[g];

		if ((uint64_t)gr->db_off + gr->db_len > t->gdb_len)
			return -EINVAL;
		ret |= scan_db(t->gdb + gr->db_off, gr->db_len,
			       gr->mode == BW_HSMODE_STREAM, p, hit,
			       t->nb_rules);
	}
	return ret;
}

/* The payload conditions hold: dsize, isdataat; hit: the expression. */
static const char *
payload_verdict(const struct bw_image_rule *r, const struct pkt *p, int hit,
		int *ok)
{
	int in;

	*ok = 0;
	if (r->dsize_op != BW_DSIZE_NONE) {
		in = p->len >= r->dsize_min && p->len <= r->dsize_max;
		if (r->dsize_op == BW_DSIZE_OUT ? in : !in)
			return "dsize does not hold";
	}
	if ((r->flags & BW_RULE_F_DATAAT) != 0 &&
	    (p->len < r->data_min || p->len > r->data_max))
		return "isdataat does not hold";
	if ((r->flags & BW_RULE_F_CONTENT) != 0 && !hit)
		return p->payload_given ? "payload does not match"
					: "payload does not match (no "
					  "--payload-file: empty)";
	*ok = 1;
	return (r->flags & BW_RULE_F_CONTENT) != 0 ? "payload matches"
						   : "no payload condition";
}

/* --- the walk ------------------------------------------------------- */

static void
side_line(FILE *f, const struct ctl_ruleset *rs, const char *what,
	  const struct ctl_prefix *a, const struct ctl_lookup_side *s)
{
	char addr[CTL_PREFIX_STR_LEN], pfx[CTL_PREFIX_STR_LEN];
	const struct ctl_lookup_hit *h;
	const struct ctl_list *l;

	ctl_prefix_format(a, addr, sizeof(addr));
	*strchr(addr, '/') = '\0';
	if (s->decider < 0) {
		fprintf(f, "  %s %s: %s\n", what, addr,
			s->nb_hits ? "in lists that do not match this side"
				   : "in no list");
		return;
	}
	h = &s->hits[s->decider];
	l = &rs->lists[h->index];
	ctl_prefix_format(&h->match, pfx, sizeof(pfx));
	fprintf(f, "  %s %s: %s list '%s' (match %s), prefix %s\n", what, addr,
		l->action == BW_ACTION_ALLOW ? "allow" : "block", l->name,
		ctl_match_name(l->match), pfx);
}

/* The side that decides the list stage, or NULL; *allow when an allow. */
static const struct ctl_lookup_side *
lists_decide(const struct ctl_ruleset *rs, const struct ctl_lookup_side *src,
	     const struct ctl_lookup_side *dst, int *allow)
{
	const struct ctl_lookup_side *s[2] = {src, dst};
	int i;

	*allow = 0;
	for (i = 0; i < 2; i++)
		if (s[i]->decider >= 0 && !s[i]->drop) {
			*allow = 1;
			return s[i];
		}
	for (i = 0; i < 2; i++)
		if (s[i]->decider >= 0 && s[i]->drop)
			return s[i];
	(void)rs;
	return NULL;
}

static int
walk(struct ctl_ctx *ctx, const struct ctl_ruleset *rs, const struct pkt *p,
     uint64_t running_gen, int running)
{
	FILE *f = ctx->out;
	struct ctl_lookup_side *sides;
	const struct ctl_lookup_side *dec;
	const struct ctl_rtab *t = &rs->rtab;
	const struct bw_image_rule *r, *drop_rule = NULL, *pass_rule = NULL;
	char pfx[CTL_PREFIX_STR_LEN], sa[CTL_PREFIX_STR_LEN],
		da[CTL_PREFIX_STR_LEN];
	uint8_t *hit = NULL;
	uint32_t i, nb_hdr = 0, nb_flow = 0;
	const char *why;
	int allow, ok;

	sides = malloc(2 * sizeof(*sides));
	if (t->nb_rules != 0)
		hit = calloc(t->nb_rules, 1);
	if (sides == NULL || (t->nb_rules != 0 && hit == NULL)) {
		free(sides);
		free(hit);
		fprintf(ctx->err, CTL_PROG ": out of memory\n");
		return CTL_EXIT_FAIL;
	}
	ctl_prefix_format(&p->src, sa, sizeof(sa));
	*strchr(sa, '/') = '\0';
	ctl_prefix_format(&p->dst, da, sizeof(da));
	*strchr(da, '/') = '\0';
	fprintf(f, "generation %" PRIu64 "%s\n", rs->generation,
		!running			? " (dataplane not running)"
		: running_gen == rs->generation ? " (running)"
						: " (staged; the dataplane "
						  "runs another)");
	if (p->has_ports)
		fprintf(f,
			"packet: %s %s port %u -> %s port %u, payload %zu "
			"bytes\n",
			proto_name(p->proto), sa, p->sport, da, p->dport,
			p->len);
	else
		fprintf(f, "packet: %s %s -> %s, payload %zu bytes\n",
			proto_name(p->proto), sa, da, p->len);

	/* 1. lists */
	ctl_lookup_side(rs, p->src.family, p->src.addr, CTL_SIDE_SRC,
			&sides[0]);
	ctl_lookup_side(rs, p->dst.family, p->dst.addr, CTL_SIDE_DST,
			&sides[1]);
	fprintf(f, "1. lists (%" PRIu32 "):\n", rs->nb_lists);
	side_line(f, rs, "source", &p->src, &sides[0]);
	side_line(f, rs, "destination", &p->dst, &sides[1]);
	dec = lists_decide(rs, &sides[0], &sides[1], &allow);
	if (dec != NULL) {
		const struct ctl_lookup_hit *h = &dec->hits[dec->decider];

		ctl_prefix_format(&h->match, pfx, sizeof(pfx));
		fprintf(f, "  => %s by list '%s' (%s); later stages skipped\n",
			allow ? "allowed" : "dropped", rs->lists[h->index].name,
			pfx);
		if (allow)
			fprintf(f,
				"decision: pass stage=lists list=%s "
				"prefix=%s\n",
				rs->lists[h->index].name, pfx);
		else
			fprintf(f,
				"decision: drop reason=blocklist list=%s "
				"prefix=%s\n",
				rs->lists[h->index].name, pfx);
		goto out;
	}
	fprintf(f, "  => no list decides\n");

	/* 2. eBPF */
	fprintf(f, "2. eBPF programs (%" PRIu32 "):", rs->nb_progs);
	if (rs->nb_progs == 0)
		fprintf(f, " none\n");
	else
		fprintf(f, " would run in this order; not evaluated offline "
			   "(their verdict depends on the packet's bytes)\n");
	for (i = 0; i < rs->nb_progs; i++)
		fprintf(f,
			"  %s (order %" PRIu32 ", %" PRIu32 " instructions)\n",
			rs->progs[i].name, rs->progs[i].order,
			rs->progs[i].nb_insns);

	/* 3. content rules */
	fprintf(f, "3. content rules (%" PRIu32 "):", t->nb_rules);
	if (t->nb_rules != 0 && scan_all(t, p, hit) < 0) {
		fprintf(f, "\n");
		fprintf(ctx->err,
			CTL_PROG ": cannot load the rule set's Hyperscan "
				 "databases\n");
		free(sides);
		free(hit);
		return CTL_EXIT_FAIL;
	}
	for (i = 0; i < t->nb_rules; i++)
		nb_hdr += header_match(t, &t->rules[i], p);
	fprintf(f, " %" PRIu32 " whose header matches\n", nb_hdr);
	for (i = 0; i < t->nb_rules; i++) {
		r = &t->rules[i];
		if (!header_match(t, r, p))
			continue;
		why = payload_verdict(r, p, hit[i], &ok);
		fprintf(f, "  sid %" PRIu32 " rev %" PRIu32 " %s \"%s\": %s",
			r->sid, r->rev, ctl_rtab_action_name(r->action),
			ctl_rtab_string(t, r->msg_off), why);
		if (ok &&
		    (r->flags & (BW_RULE_F_ESTABLISHED | BW_RULE_F_TO_SERVER |
				 BW_RULE_F_TO_CLIENT)) != 0) {
			fprintf(f, "; its flow condition is not evaluated "
				   "offline\n");
			nb_flow++;
			continue;
		}
		if (ok && r->scan == BW_RULE_SCAN_STREAM)
			fprintf(f, " (scanned on the TCP stream with flows "
				   "tracked: the payload stands for it)");
		fputc('\n', f);
		if (!ok)
			continue;
		if (r->action == BW_RULE_PASS && pass_rule == NULL)
			pass_rule = r;
		if (r->action == BW_RULE_DROP && drop_rule == NULL)
			drop_rule = r;
	}
	if (pass_rule != NULL) {
		fprintf(f, "  => passed by pass rule sid %" PRIu32 "\n",
			pass_rule->sid);
		fprintf(f,
			"decision: pass stage=content-rule sid=%" PRIu32 "%s\n",
			pass_rule->sid, rs->nb_progs ? " unless=bpf" : "");
	} else if (drop_rule != NULL) {
		fprintf(f, "  => dropped by drop rule sid %" PRIu32 "\n",
			drop_rule->sid);
		fprintf(f,
			"decision: drop reason=content-rule sid=%" PRIu32
			"%s\n",
			drop_rule->sid, rs->nb_progs ? " unless=bpf" : "");
	} else {
		fprintf(f, "  => no content rule drops it\n");
		fprintf(f, "decision: pass%s%s\n",
			rs->nb_progs ? " unless=bpf" : "",
			nb_flow ? " unless=flow-rules" : "");
	}
out:
	free(sides);
	free(hit);
	return ferror(f) ? CTL_EXIT_FAIL : CTL_EXIT_OK;
}

static int
payload_read(struct ctl_ctx *ctx, const char *path, uint8_t **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL) {
		fprintf(ctx->err, CTL_PROG ": %s: %s\n", path, strerror(errno));
		return -1;
	}
	*buf = malloc(PAYLOAD_MAX + 1);
	if (*buf == NULL) {
		fclose(f);
		fprintf(ctx->err, CTL_PROG ": out of memory\n");
		return -1;
	}
	n = fread(*buf, 1, PAYLOAD_MAX + 1, f);
	if (ferror(f) || n > PAYLOAD_MAX) {
		fprintf(ctx->err, CTL_PROG ": %s: %s\n", path,
			ferror(f) ? "cannot read it"
				  : "longer than 1 MiB, the most a packet's "
				    "payload is taken from");
		fclose(f);
		free(*buf);
		*buf = NULL;
		return -1;
	}
	fclose(f);
	*len = n;
	return 0;
}

/* An address operand: a host address, no prefix length. */
static int
addr_parse(struct ctl_ctx *ctx, const struct ctl_args *a, const char *s,
	   struct ctl_prefix *out)
{
	char why[CTL_PREFIX_WHY_LEN];
	int hb;

	if (strchr(s, '/') != NULL)
		return ctl_usage_report(ctx, NULL, a->usage,
					"'%s' is a prefix: give an address", s);
	if (ctl_prefix_parse_why(s, strlen(s), out, &hb, why, sizeof(why)) < 0)
		return ctl_usage_report(ctx, NULL, a->usage, "%s", why);
	return CTL_EXIT_OK;
}

int
ctl_cmd_explain_run(struct ctl_ctx *ctx, const struct ctl_args *a)
{
	const struct explain_req *q = CTL_REQ(a, struct explain_req);
	struct ctl_ruleset *rs;
	struct ctl_region r;
	struct pkt p;
	uint8_t *payload = NULL;
	uint64_t v, running_gen = 0;
	int rc, running = 0;

	memset(&p, 0, sizeof(p));
	p.proto = PROTO_NONE;
	rc = addr_parse(ctx, a, a->argv[0], &p.src);
	if (rc == CTL_EXIT_OK)
		rc = addr_parse(ctx, a, a->argv[1], &p.dst);
	if (rc != CTL_EXIT_OK)
		return rc;
	if (p.src.family != p.dst.family)
		return ctl_usage_report(ctx, NULL, a->usage,
					"SRC and DST are of different "
					"families");
	if (a->argc >= 3 && proto_parse(a->argv[2], &p.proto) < 0)
		return ctl_usage_report(ctx, NULL, a->usage,
					"PROTO is tcp, udp, icmp, icmpv6 or "
					"0-255, not '%s'",
					a->argv[2]);
	if (a->argc == 4)
		return ctl_usage_report(ctx, NULL, a->usage,
					"SPORT needs DPORT");
	if (a->argc == 5) {
		if (p.proto != 6 && p.proto != 17)
			return ctl_usage_report(ctx, NULL, a->usage,
						"ports need tcp or udp");
		if (ctl_uint_parse(a->argv[3], 0, 65535, &v) < 0)
			return ctl_usage_report(ctx, NULL, a->usage,
						"bad SPORT '%s'", a->argv[3]);
		p.sport = (uint16_t)v;
		if (ctl_uint_parse(a->argv[4], 0, 65535, &v) < 0)
			return ctl_usage_report(ctx, NULL, a->usage,
						"bad DPORT '%s'", a->argv[4]);
		p.dport = (uint16_t)v;
		p.has_ports = 1;
	} else if (p.proto == 6 || p.proto == 17) {
		/* a TCP or UDP packet has ports: 0 stands for "not given" */
		p.has_ports = 1;
	}
	if (q->payload_file != NULL) {
		if (payload_read(ctx, q->payload_file, &payload, &p.len) < 0)
			return CTL_EXIT_FAIL;
		p.payload = payload;
		p.payload_given = 1;
	}
	rs = calloc(1, sizeof(*rs));
	if (rs == NULL) {
		free(payload);
		fprintf(ctx->err, CTL_PROG ": out of memory\n");
		return CTL_EXIT_FAIL;
	}
	if (ctl_state_current(ctx->state_dir, ctx->err, rs, NULL) < 0) {
		free(rs);
		free(payload);
		return CTL_EXIT_FAIL;
	}
	if (ctl_region_open(&r, ctx->instance) == 0) {
		const struct bw_status_hdr *h = ctl_region_hdr(&r);

		running = ctl_region_liveness(&r, ctl_now_mono_ns()) ==
			  CTL_VERDICT_RUNNING;
		running_gen =
			__atomic_load_n(&h->applied_gen, __ATOMIC_ACQUIRE);
		ctl_region_close(&r);
	}
	rc = walk(ctx, rs, &p, running_gen, running);
	ctl_ruleset_free(rs);
	free(rs);
	free(payload);
	return rc;
}

const struct ctl_opt ctl_cmd_explain_opts[] = {
	{.name = "payload-file",
	 .type = CTL_OPT_STR,
	 .off = offsetof(struct explain_req, payload_file),
	 .min = 1,
	 .bad = "%o needs a file name",
	 .value = "FILE",
	 .help = "the packet's L4 payload (at most 1 MiB); without it, the "
		 "payload is empty"},
	CTL_OPTS_END(struct explain_req),
};
