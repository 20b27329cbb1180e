/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the scan group planner (control/rules/ctl_hsgroup.c): a crafted
 * rule table with the groups and port classes spelled out, and random
 * rule tables against an oracle: for random packets (lane, source port,
 * destination port), the rules in the groups the dataplane would scan
 * must include every content rule whose protocol and port conditions
 * hold for the packet (nothing that could match is left unscanned), and
 * every group rule must be one that the lane and port key allow.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "bw_cunit.h"
#include "ctl_hsgroup.h"

#define ANY_PORTS 0xffffffffu

struct tab {
	struct bw_image_rule r[64];
	uint32_t nb;
	struct bw_image_rport p[256];
	uint32_t nb_p;
};

/* Append a port condition: n ranges at lohi (lo, hi pairs), neg flag. */
static void
cond(struct tab *t, uint32_t *first, uint32_t *nb, const uint16_t *lohi,
     uint32_t n)
{
	uint32_t i;

	*first = t->nb_p;
	*nb = n;
	for (i = 0; i < n; i++) {
		t->p[t->nb_p].lo = lohi[2 * i];
		t->p[t->nb_p].hi = lohi[2 * i + 1];
		t->nb_p++;
	}
}

/* Add a content rule; sp/dp NULL means "any". Returns its index. */
static uint32_t
rule(struct tab *t, uint8_t proto, uint8_t scan, uint32_t flags,
     const uint16_t *sp, uint32_t nsp, const uint16_t *dp, uint32_t ndp)
{
	struct bw_image_rule *r = &t->r[t->nb];

	memset(r, 0, sizeof(*r));
	r->proto = proto;
	r->scan = scan;
	r->flags = flags | BW_RULE_F_CONTENT;
	if (sp == NULL)
		r->flags |= BW_RULE_F_SPORT_NOT;
	else
		cond(t, &r->sport_first, &r->nb_sport, sp, nsp);
	if (dp == NULL)
		r->flags |= BW_RULE_F_DPORT_NOT;
	else
		cond(t, &r->dport_first, &r->nb_dport, dp, ndp);
	return t->nb++;
}

static const struct ctl_hsgroup *
find(const struct ctl_hsgroup_plan *p, uint8_t lane, uint8_t role, uint16_t cls,
     uint8_t scope)
{
	uint32_t i;

	for (i = 0; i < p->nb_groups; i++)
		if (p->groups[i].lane == lane && p->groups[i].role == role &&
		    p->groups[i].cls == cls && p->groups[i].scope == scope)
			return &p->groups[i];
	return NULL;
}

/* The class of port in (lane, role), 0 when none. */
static uint16_t
cls_of(const struct ctl_hsgroup_plan *p, uint8_t lane, uint8_t role,
       uint32_t port)
{
	uint32_t i;

	for (i = 0; i < p->nb_hsports; i++) {
		const struct bw_image_hsport *h = &p->hsports[i];

		if (h->lane == lane && h->role == role && port >= h->lo &&
		    port <= h->hi)
			return h->cls;
	}
	return 0;
}

/* 1 when group g holds exactly the n rules of want (ascending). */
static int
holds(const struct ctl_hsgroup *g, const uint32_t *want, uint32_t n)
{
	return g != NULL && g->nb == n &&
	       memcmp(g->rules, want, n * sizeof(*want)) == 0;
}

static void
test_crafted(void)
{
	static const uint16_t p80[] = {80, 80}, p2404[] = {2404, 2404},
			      p53[] = {53, 53, 5353, 5353}, p502[] = {502, 502},
			      p1024[] = {1024, 65535}, p80_81[] = {80, 81};
	struct ctl_hsgroup_plan p;
	struct tab t = {.nb = 0};
	uint32_t r0, r1, r2, r3, r4, r5, r6, r7, r8, r9, r10, r11;
	uint16_t c80, c81, c53, c5353, c2404, c502d, c502s;

	r0 = rule(&t, BW_RULE_PROTO_TCP, BW_RULE_SCAN_PACKET, 0, NULL, 0, p80,
		  1);
	r1 = rule(&t, BW_RULE_PROTO_TCP, BW_RULE_SCAN_PACKET, 0, p2404, 1, NULL,
		  0);
	r2 = rule(&t, BW_RULE_PROTO_TCP, BW_RULE_SCAN_STREAM, 0, NULL, 0, NULL,
		  0);
	r3 = rule(&t, BW_RULE_PROTO_UDP, BW_RULE_SCAN_PACKET, 0, NULL, 0, p53,
		  2);
	r4 = rule(&t, BW_RULE_PROTO_IP, BW_RULE_SCAN_PACKET, 0, NULL, 0, NULL,
		  0);
	r5 = rule(&t, BW_RULE_PROTO_IP, BW_RULE_SCAN_PACKET, 0, NULL, 0, p1024,
		  1);
	r6 = rule(&t, BW_RULE_PROTO_TCP, BW_RULE_SCAN_PACKET, BW_RULE_F_BIDIR,
		  NULL, 0, p502, 1);
	r7 = rule(&t, BW_RULE_PROTO_ICMP, BW_RULE_SCAN_PACKET, 0, NULL, 0, NULL,
		  0);
	r8 = rule(&t, BW_RULE_PROTO_TCP, BW_RULE_SCAN_STREAM, 0, NULL, 0, p80,
		  1);
	r9 = rule(&t, BW_RULE_PROTO_TCP, BW_RULE_SCAN_PACKET, 0, NULL, 0,
		  p80_81, 1);
	/* no payload condition: in no group */
	r10 = rule(&t, BW_RULE_PROTO_TCP, BW_RULE_SCAN_PACKET, 0, NULL, 0, p80,
		   1);
	t.r[r10].flags &= ~(uint32_t)BW_RULE_F_CONTENT;
	/* source port !80: 65,535 ports, wider than half: BASE */
	r11 = rule(&t, BW_RULE_PROTO_TCP, BW_RULE_SCAN_PACKET, 0, p80, 1, NULL,
		   0);
	t.r[r11].flags |= BW_RULE_F_SPORT_NOT;

	CU_ASSERT_FATAL(ctl_hsgroup_plan(t.r, t.nb, t.p, t.nb_p, &p) == 0);
	{
		const uint32_t tcp_pkt[] = {r4, r5, r11}, tcp_str[] = {r2},
			       udp_pkt[] = {r4, r5}, icmp[] = {r4, r7},
			       other[] = {r4};

		CU_ASSERT(holds(find(&p, BW_HSLANE_TCP, BW_HSROLE_BASE, 0,
				     BW_HSSCOPE_PACKET),
				tcp_pkt, 3));
		CU_ASSERT(holds(find(&p, BW_HSLANE_TCP, BW_HSROLE_BASE, 0,
				     BW_HSSCOPE_STREAM),
				tcp_str, 1));
		CU_ASSERT(holds(find(&p, BW_HSLANE_UDP, BW_HSROLE_BASE, 0,
				     BW_HSSCOPE_PACKET),
				udp_pkt, 2));
		CU_ASSERT(find(&p, BW_HSLANE_UDP, BW_HSROLE_BASE, 0,
			       BW_HSSCOPE_STREAM) == NULL);
		CU_ASSERT(holds(find(&p, BW_HSLANE_ICMP, BW_HSROLE_BASE, 0,
				     BW_HSSCOPE_PACKET),
				icmp, 2));
		CU_ASSERT(holds(find(&p, BW_HSLANE_OTHER, BW_HSROLE_BASE, 0,
				     BW_HSSCOPE_PACKET),
				other, 1));
	}
	c80 = cls_of(&p, BW_HSLANE_TCP, BW_HSROLE_DST, 80);
	c81 = cls_of(&p, BW_HSLANE_TCP, BW_HSROLE_DST, 81);
	c53 = cls_of(&p, BW_HSLANE_UDP, BW_HSROLE_DST, 53);
	c5353 = cls_of(&p, BW_HSLANE_UDP, BW_HSROLE_DST, 5353);
	c2404 = cls_of(&p, BW_HSLANE_TCP, BW_HSROLE_SRC, 2404);
	c502d = cls_of(&p, BW_HSLANE_TCP, BW_HSROLE_DST, 502);
	c502s = cls_of(&p, BW_HSLANE_TCP, BW_HSROLE_SRC, 502);
	CU_ASSERT(c80 != 0 && c81 != 0 && c80 != c81);
	CU_ASSERT(c53 != 0 && c53 == c5353);
	CU_ASSERT(c2404 != 0 && c502d != 0 && c502s != 0 && c502d != c502s);
	/* nothing keyed elsewhere */
	CU_ASSERT(cls_of(&p, BW_HSLANE_TCP, BW_HSROLE_DST, 79) == 0);
	CU_ASSERT(cls_of(&p, BW_HSLANE_TCP, BW_HSROLE_DST, 2404) == 0);
	CU_ASSERT(cls_of(&p, BW_HSLANE_TCP, BW_HSROLE_SRC, 80) == 0);
	CU_ASSERT(cls_of(&p, BW_HSLANE_UDP, BW_HSROLE_DST, 54) == 0);
	CU_ASSERT(cls_of(&p, BW_HSLANE_UDP, BW_HSROLE_DST, 80) == 0);
	CU_ASSERT(cls_of(&p, BW_HSLANE_TCP, BW_HSROLE_DST, 1024) == 0);
	{
		const uint32_t g80p[] = {r0, r9}, g80s[] = {r8}, g81[] = {r9},
			       g53[] = {r3}, g2404[] = {r1}, g502[] = {r6};

		CU_ASSERT(holds(find(&p, BW_HSLANE_TCP, BW_HSROLE_DST, c80,
				     BW_HSSCOPE_PACKET),
				g80p, 2));
		CU_ASSERT(holds(find(&p, BW_HSLANE_TCP, BW_HSROLE_DST, c80,
				     BW_HSSCOPE_STREAM),
				g80s, 1));
		CU_ASSERT(holds(find(&p, BW_HSLANE_TCP, BW_HSROLE_DST, c81,
				     BW_HSSCOPE_PACKET),
				g81, 1));
		CU_ASSERT(find(&p, BW_HSLANE_TCP, BW_HSROLE_DST, c81,
			       BW_HSSCOPE_STREAM) == NULL);
		CU_ASSERT(holds(find(&p, BW_HSLANE_UDP, BW_HSROLE_DST, c53,
				     BW_HSSCOPE_PACKET),
				g53, 1));
		CU_ASSERT(holds(find(&p, BW_HSLANE_TCP, BW_HSROLE_SRC, c2404,
				     BW_HSSCOPE_PACKET),
				g2404, 1));
		CU_ASSERT(holds(find(&p, BW_HSLANE_TCP, BW_HSROLE_DST, c502d,
				     BW_HSSCOPE_PACKET),
				g502, 1));
		CU_ASSERT(holds(find(&p, BW_HSLANE_TCP, BW_HSROLE_SRC, c502s,
				     BW_HSSCOPE_PACKET),
				g502, 1));
	}
	/* the rule without content is nowhere */
	{
		uint32_t i, k;

		for (i = 0; i < p.nb_groups; i++)
			for (k = 0; k < p.groups[i].nb; k++)
				CU_ASSERT(p.groups[i].rules[k] != r10);
	}
	CU_ASSERT(p.nb_classes == 6);
	ctl_hsgroup_plan_free(&p);

	/* a port range outside the table */
	t.r[r0].dport_first = t.nb_p;
	CU_ASSERT(ctl_hsgroup_plan(t.r, t.nb, t.p, t.nb_p, &p) == -EINVAL);
	CU_ASSERT(p.nb_groups == 0 && p.groups == NULL);
}

/* The oracle: does port condition (first, nb, neg) hold for port? */
static int
port_in(const struct tab *t, uint32_t first, uint32_t nb, int neg,
	uint32_t port)
{
	uint32_t k;

	for (k = first; k < first + nb; k++)
		if (port >= t->p[k].lo && port <= t->p[k].hi)
			return !neg;
	return neg;
}

/* Protocol and ports of rule r against the packet, as the dataplane. */
static int
could_match(const struct tab *t, const struct bw_image_rule *r, uint8_t lane,
	    uint32_t sp, uint32_t dp)
{
	int sneg = (r->flags & BW_RULE_F_SPORT_NOT) != 0;
	int dneg = (r->flags & BW_RULE_F_DPORT_NOT) != 0;
	int ports = lane == BW_HSLANE_TCP || lane == BW_HSLANE_UDP;
	int any = r->nb_sport == 0 && sneg && r->nb_dport == 0 && dneg;

	if (!(r->flags & BW_RULE_F_CONTENT))
		return 0;
	if ((r->proto == BW_RULE_PROTO_TCP && lane != BW_HSLANE_TCP) ||
	    (r->proto == BW_RULE_PROTO_UDP && lane != BW_HSLANE_UDP) ||
	    (r->proto == BW_RULE_PROTO_ICMP && lane != BW_HSLANE_ICMP))
		return 0;
	if (!ports)
		return any;
	if (port_in(t, r->sport_first, r->nb_sport, sneg, sp) &&
	    port_in(t, r->dport_first, r->nb_dport, dneg, dp))
		return 1;
	return (r->flags & BW_RULE_F_BIDIR) &&
	       port_in(t, r->sport_first, r->nb_sport, sneg, dp) &&
	       port_in(t, r->dport_first, r->nb_dport, dneg, sp);
}

static void
mark(const struct ctl_hsgroup *g, uint8_t *in)
{
	uint32_t k;

	if (g != NULL)
		for (k = 0; k < g->nb; k++)
			in[g->rules[k]] = 1;
}

/* A random port: mostly from a few interesting ones, else anywhere. */
static uint16_t
rport(unsigned int *seed)
{
	static const uint16_t hot[] = {0,    1,	    21,	   22,	  23,	 53,
				       80,   443,   502,   1023,  1024,	 2404,
				       5353, 20000, 32767, 32768, 65534, 65535};
	unsigned int x = (unsigned int)rand_r(seed);

	if (x % 3 != 0)
		return hot[(x / 3) % (sizeof(hot) / sizeof(hot[0]))];
	return (uint16_t)(x >> 8);
}

/* A random port condition into t (*first, *nb); returns the NOT flag. */
static int
rcond(struct tab *t, uint32_t *first, uint32_t *nb, unsigned int *seed)
{
	uint32_t n = (uint32_t)rand_r(seed) % 4, i, at;
	uint16_t lohi[8];
	int neg = rand_r(seed) % 3 == 0;

	if (n == 0) { /* any */
		*first = 0;
		*nb = 0;
		return 1;
	}
	/* sorted, disjoint ranges */
	at = (uint32_t)rand_r(seed) % 3000;
	for (i = 0; i < n; i++) {
		uint32_t lo = at + (uint32_t)rand_r(seed) % 40000 / (n * 2);
		uint32_t len = rand_r(seed) % 4 == 0
				       ? (uint32_t)rand_r(seed) % 30000
				       : (uint32_t)rand_r(seed) % 3;
		uint32_t hi = lo + len;

		if (lo > 65535)
			break;
		if (hi > 65535)
			hi = 65535;
		lohi[2 * i] = (uint16_t)lo;
		lohi[2 * i + 1] = (uint16_t)hi;
		at = hi + 2;
		if (at > 65535) {
			i++;
			break;
		}
	}
	if (i == 0)
		return 1;
	cond(t, first, nb, lohi, i);
	return neg;
}

static void
test_random_oracle(void)
{
	unsigned int seed = 20261126;
	uint32_t round, i, k, fails = 0;

	for (round = 0; round < 300; round++) {
		struct ctl_hsgroup_plan p;
		struct tab t = {.nb = 0};
		uint32_t nb = 1 + (uint32_t)rand_r(&seed) % 40;

		for (i = 0; i < nb; i++) {
			struct bw_image_rule *r = &t.r[t.nb++];
			static const uint8_t protos[] = {
				BW_RULE_PROTO_IP, BW_RULE_PROTO_TCP,
				BW_RULE_PROTO_UDP, BW_RULE_PROTO_ICMP};

			memset(r, 0, sizeof(*r));
			r->proto = protos[rand_r(&seed) % 4];
			r->scan = r->proto == BW_RULE_PROTO_TCP &&
						  rand_r(&seed) % 2
					  ? BW_RULE_SCAN_STREAM
					  : BW_RULE_SCAN_PACKET;
			r->flags = rand_r(&seed) % 8 ? BW_RULE_F_CONTENT : 0;
			if (rand_r(&seed) % 4 == 0)
				r->flags |= BW_RULE_F_BIDIR;
			if (rcond(&t, &r->sport_first, &r->nb_sport, &seed))
				r->flags |= BW_RULE_F_SPORT_NOT;
			if (rcond(&t, &r->dport_first, &r->nb_dport, &seed))
				r->flags |= BW_RULE_F_DPORT_NOT;
		}
		if (ctl_hsgroup_plan(t.r, t.nb, t.p, t.nb_p, &p) != 0) {
			CU_FAIL("plan failed");
			continue;
		}
		for (k = 0; k < 400; k++) {
			uint8_t lane = (uint8_t)(1 + rand_r(&seed) % 4);
			uint16_t sp = rport(&seed), dp = rport(&seed), cd = 0,
				 cs = 0;
			uint8_t in[2][64];
			int sc;

			memset(in, 0, sizeof(in));
			if (lane == BW_HSLANE_TCP || lane == BW_HSLANE_UDP) {
				cd = cls_of(&p, lane, BW_HSROLE_DST, dp);
				cs = cls_of(&p, lane, BW_HSROLE_SRC, sp);
			}
			for (sc = 0; sc < 2; sc++) {
				mark(find(&p, lane, BW_HSROLE_BASE, 0,
					  (uint8_t)sc),
				     in[sc]);
				if (cd != 0)
					mark(find(&p, lane, BW_HSROLE_DST, cd,
						  (uint8_t)sc),
					     in[sc]);
				if (cs != 0)
					mark(find(&p, lane, BW_HSROLE_SRC, cs,
						  (uint8_t)sc),
					     in[sc]);
			}
			for (i = 0; i < t.nb; i++) {
				int want =
					could_match(&t, &t.r[i], lane, sp, dp);
				int s = t.r[i].scan == BW_RULE_SCAN_STREAM;

				/* sound: every rule that could match */
				if (want && !in[s][i])
					fails++;
				/* right scope, and in no group of the
				   other scope */
				if (in[!s][i])
					fails++;
			}
		}
		/* every group's rules have content and sit in its lane */
		for (i = 0; i < p.nb_groups; i++)
			for (k = 0; k < p.groups[i].nb; k++) {
				const struct bw_image_rule *r =
					&t.r[p.groups[i].rules[k]];
				uint8_t l = p.groups[i].lane;

				if (!(r->flags & BW_RULE_F_CONTENT) ||
				    (r->proto == BW_RULE_PROTO_TCP &&
				     l != BW_HSLANE_TCP) ||
				    (r->proto == BW_RULE_PROTO_UDP &&
				     l != BW_HSLANE_UDP) ||
				    (r->proto == BW_RULE_PROTO_ICMP &&
				     l != BW_HSLANE_ICMP))
					fails++;
			}
		/* port ranges sorted and disjoint per (lane, role) */
		for (i = 1; i < p.nb_hsports; i++) {
			const struct bw_image_hsport *a = &p.hsports[i - 1],
						     *b = &p.hsports[i];

			if (a->lane == b->lane && a->role == b->role &&
			    b->lo <= a->hi)
				fails++;
			if (a->lane > b->lane ||
			    (a->lane == b->lane && a->role > b->role))
				fails++;
		}
		ctl_hsgroup_plan_free(&p);
	}
	CU_ASSERT_EQUAL(fails, 0);
}

static const struct bw_cunit_test tests[] = {
	{"crafted plan", test_crafted},
	{"random rules against the oracle", test_random_oracle},
};

int
main(void)
{
	return BW_CUNIT_RUN("hsgroup", tests);
}
