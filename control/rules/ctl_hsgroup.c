/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scan group planning (ctl_hsgroup.h). For each content rule: its lanes
 * (tcp: TCP; udp: UDP; icmp: ICMP; ip: TCP and UDP, and ICMP and OTHER
 * when both its port conditions are "any"), its scope (stream rules are
 * the TCP lane's STREAM scope), and in the TCP and UDP lanes its key: the
 * narrower of its two port conditions when that covers at most
 * CTL_HSGROUP_WIDE ports (role DST for the destination port, SRC for the
 * source port, both for a <> rule), else none (the lane's BASE).
 *
 * Classes: per (lane, role) a sweep over the ports keyed rules cover
 * cuts 0..65535 into intervals with one set of keyed rules each; equal
 * sets share one class. One group per (class, scope) with rules.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_array.h"
#include "ctl_hsgroup.h"

#define NB_PORTS 65536u

/* A growing array of elem-size elements. */
struct arr {
	void *p;
	size_t n;
	size_t cap;
};

/* A new zeroed last element of elem bytes, or NULL. */
static void *
arr_add(struct arr *a, size_t elem)
{
	return ctl_array_push(&a->p, &a->n, &a->cap, elem, 16);
}

/* One keyed rule of a (lane, role): its ports as ranges. */
struct keyed {
	uint32_t rule;
	uint32_t first; /* into ports */
	uint32_t nb;
	int neg;
};

/* Ports of a condition: how many (any: all). */
static uint32_t
set_size(const struct bw_image_rport *ports, uint32_t first, uint32_t nb,
	 int neg)
{
	uint32_t k, n = 0;

	for (k = first; k < first + nb; k++)
		n += (uint32_t)ports[k].hi - ports[k].lo + 1;
	return neg ? NB_PORTS - n : n;
}

/* An event of the sweep: at port pos, rule enters (+1) or leaves (-1). */
struct event {
	uint32_t pos;
	int32_t delta;
	uint32_t rule;
};

static int
event_cmp(const void *a, const void *b)
{
	const struct event *x = a, *y = b;

	return CTL_CMP(x->pos, y->pos) ?: CTL_CMP(x->rule, y->rule) ?:
					  CTL_CMP(x->delta, y->delta);
}

/* Rule enters at port lo and leaves at port end (exclusive). */
static int
ev_range(struct arr *ev, uint32_t lo, uint32_t end, uint32_t rule)
{
	struct event *e = arr_add(ev, sizeof(*e));

	if (e == NULL)
		return -ENOMEM;
	*e = (struct event){lo, 1, rule};
	e = arr_add(ev, sizeof(*e));
	if (e == NULL)
		return -ENOMEM;
	*e = (struct event){end, -1, rule};
	return 0;
}

/* Events of one keyed rule: its ranges, or their complement. */
static int
events_of(const struct keyed *k, const struct bw_image_rport *ports,
	  struct arr *ev)
{
	uint32_t j, at = 0;
	int r = 0;

	for (j = k->first; j < k->first + k->nb && r == 0; j++) {
		uint32_t lo = ports[j].lo, hi = ports[j].hi;

		if (!k->neg)
			r = ev_range(ev, lo, hi + 1, k->rule);
		else if (lo > at)
			r = ev_range(ev, at, lo, k->rule);
		at = hi + 1;
	}
	if (r == 0 && k->neg && at < NB_PORTS)
		r = ev_range(ev, at, NB_PORTS, k->rule);
	return r;
}

/* A class of one (lane, role): its rule set. */
struct cls {
	uint16_t id;
	uint32_t nb;
	uint32_t *rules;
	uint64_t hash;
};

static uint64_t
set_hash(const uint32_t *r, uint32_t n)
{
	uint64_t h = 1469598103934665603ull;
	uint32_t i;

	for (i = 0; i < n; i++)
		h = (h ^ r[i]) * 1099511628211ull;
	return h ^ n;
}

/* Add group (lane, role, cls, scope) with the rules of list of scope. */
static int
group_add(struct arr *groups, const struct bw_image_rule *rules,
	  const uint32_t *list, uint32_t n, uint8_t lane, uint8_t role,
	  uint16_t cls, uint8_t scope)
{
	struct ctl_hsgroup *g;
	uint32_t i, m = 0;

	for (i = 0; i < n; i++)
		m += (rules[list[i]].scan == BW_RULE_SCAN_STREAM) ==
		     (scope == BW_HSSCOPE_STREAM);
	if (m == 0)
		return 0;
	if (groups->n >= BW_HSGROUP_MAX)
		return -E2BIG;
	g = arr_add(groups, sizeof(*g));
	if (g == NULL)
		return -ENOMEM;
	g->rules = malloc((size_t)m * sizeof(*g->rules));
	if (g->rules == NULL) {
		groups->n--;
		return -ENOMEM;
	}
	g->lane = lane;
	g->role = role;
	g->cls = cls;
	g->scope = scope;
	for (i = 0; i < n; i++)
		if ((rules[list[i]].scan == BW_RULE_SCAN_STREAM) ==
		    (scope == BW_HSSCOPE_STREAM))
			g->rules[g->nb++] = list[i];
	return 0;
}

/* Groups of both scopes for one rule list. */
static int
groups_add(struct arr *groups, const struct bw_image_rule *rules,
	   const uint32_t *list, uint32_t n, uint8_t lane, uint8_t role,
	   uint16_t cls)
{
	int r;

	r = group_add(groups, rules, list, n, lane, role, cls,
		      BW_HSSCOPE_PACKET);
	if (r == 0)
		r = group_add(groups, rules, list, n, lane, role, cls,
			      BW_HSSCOPE_STREAM);
	return r;
}

/*
 * Sweep the keyed rules of one (lane, role): classes, port ranges, the
 * classes' groups.
 */
static int
sweep(const struct bw_image_rule *rules, const struct bw_image_rport *ports,
      const struct keyed *kd, uint32_t nb_kd, uint8_t lane, uint8_t role,
      struct ctl_hsgroup_plan *p, struct arr *groups, struct arr *hsports)
{
	struct arr ev = {0}, cl = {0};
	uint32_t *active = NULL, nb_active = 0, i, j, at;
	int r = 0;

	if (nb_kd == 0)
		return 0;
	for (i = 0; i < nb_kd && r == 0; i++)
		r = events_of(&kd[i], ports, &ev);
	active = malloc((size_t)nb_kd * sizeof(*active));
	if (r == 0 && active == NULL)
		r = -ENOMEM;
	if (r < 0)
		goto out;
	qsort(ev.p, ev.n, sizeof(struct event), event_cmp);
	for (i = 0; i < ev.n;) {
		const struct event *e = (const struct event *)ev.p;
		uint32_t pos = e[i].pos, end;
		struct cls *c = NULL;
		uint64_t h;

		/* every event at pos, then the interval [pos, next pos) */
		for (; i < ev.n && e[i].pos == pos; i++) {
			uint32_t rule = e[i].rule;

			for (j = 0; j < nb_active && active[j] < rule; j++)
				;
			if (e[i].delta > 0) {
				if (j < nb_active && active[j] == rule)
					continue; /* ranges touch */
				memmove(&active[j + 1], &active[j],
					(nb_active - j) * sizeof(*active));
				active[j] = rule;
				nb_active++;
			} else if (j < nb_active && active[j] == rule) {
				/* a range of the same rule may start here */
				uint32_t k;
				int again = 0;

				for (k = i + 1; k < ev.n && e[k].pos == pos;
				     k++)
					again |= e[k].rule == rule &&
						 e[k].delta > 0;
				if (again)
					continue;
				memmove(&active[j], &active[j + 1],
					(nb_active - j - 1) * sizeof(*active));
				nb_active--;
			}
		}
		end = i < ev.n ? e[i].pos : NB_PORTS;
		if (nb_active == 0 || pos >= NB_PORTS || end <= pos)
			continue;
		h = set_hash(active, nb_active);
		for (j = 0; j < cl.n; j++) {
			struct cls *x = (struct cls *)cl.p + j;

			if (x->hash == h && x->nb == nb_active &&
			    memcmp(x->rules, active,
				   nb_active * sizeof(*active)) == 0) {
				c = x;
				break;
			}
		}
		if (c == NULL) {
			if (p->nb_classes >= BW_HSCLASS_MAX) {
				r = -E2BIG;
				goto out;
			}
			c = arr_add(&cl, sizeof(*c));
			if (c == NULL) {
				r = -ENOMEM;
				goto out;
			}
			c->id = (uint16_t)++p->nb_classes;
			c->nb = nb_active;
			c->hash = h;
			c->rules = malloc(nb_active * sizeof(*active));
			if (c->rules == NULL) {
				cl.n--;
				r = -ENOMEM;
				goto out;
			}
			memcpy(c->rules, active, nb_active * sizeof(*active));
			r = groups_add(groups, rules, c->rules, c->nb, lane,
				       role, c->id);
			if (r < 0)
				goto out;
		}
		at = (uint32_t)hsports->n;
		if (at > 0) {
			struct bw_image_hsport *last =
				(struct bw_image_hsport *)hsports->p + at - 1;

			if (last->lane == lane && last->role == role &&
			    last->cls == c->id && last->hi + 1u == pos) {
				last->hi = (uint16_t)(end - 1);
				continue;
			}
		}
		{
			struct bw_image_hsport *hp =
				arr_add(hsports, sizeof(*hp));

			if (hp == NULL) {
				r = -ENOMEM;
				goto out;
			}
			*hp = (struct bw_image_hsport){(uint16_t)pos,
						       (uint16_t)(end - 1),
						       c->id, lane, role};
		}
	}
out:
	for (j = 0; j < cl.n; j++)
		free(((struct cls *)cl.p)[j].rules);
	free(cl.p);
	free(ev.p);
	free(active);
	return r;
}

/* The lanes of rule r: bit 1 << BW_HSLANE_*. */
static unsigned int
lanes_of(const struct bw_image_rule *r)
{
	int any = r->nb_sport == 0 && (r->flags & BW_RULE_F_SPORT_NOT) &&
		  r->nb_dport == 0 && (r->flags & BW_RULE_F_DPORT_NOT);

	switch (r->proto) {
	case BW_RULE_PROTO_TCP:
		return 1u << BW_HSLANE_TCP;
	case BW_RULE_PROTO_UDP:
		return 1u << BW_HSLANE_UDP;
	case BW_RULE_PROTO_ICMP:
		return 1u << BW_HSLANE_ICMP;
	default:
		return (1u << BW_HSLANE_TCP) | (1u << BW_HSLANE_UDP) |
		       (any ? (1u << BW_HSLANE_ICMP) | (1u << BW_HSLANE_OTHER)
			    : 0);
	}
}

void
ctl_hsgroup_plan_free(struct ctl_hsgroup_plan *p)
{
	CTL_ARRAY_FREE(p->groups, p->nb_groups, rules);
	free(p->hsports);
	memset(p, 0, sizeof(*p));
}

int
ctl_hsgroup_plan(const struct bw_image_rule *rules, uint32_t nb,
		 const struct bw_image_rport *ports, uint32_t nb_ports,
		 struct ctl_hsgroup_plan *p)
{
	struct arr groups = {0}, hsports = {0};
	struct keyed *kd[2][2] = {{NULL, NULL}, {NULL, NULL}};
	uint32_t nb_kd[2][2] = {{0, 0}, {0, 0}};
	uint32_t *base[BW_HSLANE_MAX + 1] = {NULL};
	uint32_t nb_base[BW_HSLANE_MAX + 1] = {0};
	uint32_t i;
	int r = -ENOMEM, l, o;

	memset(p, 0, sizeof(*p));
	for (l = 0; l <= BW_HSLANE_MAX; l++) {
		base[l] = malloc((nb ? nb : 1) * sizeof(uint32_t));
		if (base[l] == NULL)
			goto out;
	}
	for (l = 0; l < 2; l++)
		for (o = 0; o < 2; o++) {
			kd[l][o] = malloc((nb ? nb : 1) * sizeof(struct keyed));
			if (kd[l][o] == NULL)
				goto out;
		}
	for (i = 0; i < nb; i++) {
		const struct bw_image_rule *ru = &rules[i];
		int sneg = (ru->flags & BW_RULE_F_SPORT_NOT) != 0;
		int dneg = (ru->flags & BW_RULE_F_DPORT_NOT) != 0;
		uint32_t ns, nd, first, cnt;
		unsigned int lanes;
		int keyed, role, neg;

		if (!(ru->flags & BW_RULE_F_CONTENT))
			continue;
		if ((uint64_t)ru->sport_first + ru->nb_sport > nb_ports ||
		    (uint64_t)ru->dport_first + ru->nb_dport > nb_ports) {
			r = -EINVAL;
			goto out;
		}
		ns = set_size(ports, ru->sport_first, ru->nb_sport, sneg);
		nd = set_size(ports, ru->dport_first, ru->nb_dport, dneg);
		/* the narrower condition; the destination port on a tie */
		role = nd <= ns ? BW_HSROLE_DST : BW_HSROLE_SRC;
		keyed = (role == BW_HSROLE_DST ? nd : ns) <= CTL_HSGROUP_WIDE;
		first = role == BW_HSROLE_DST ? ru->dport_first
					      : ru->sport_first;
		cnt = role == BW_HSROLE_DST ? ru->nb_dport : ru->nb_sport;
		neg = role == BW_HSROLE_DST ? dneg : sneg;
		lanes = lanes_of(ru);
		for (l = 1; l <= BW_HSLANE_MAX; l++) {
			if (!(lanes & (1u << l)))
				continue;
			if (!keyed ||
			    (l != BW_HSLANE_TCP && l != BW_HSLANE_UDP)) {
				base[l][nb_base[l]++] = i;
				continue;
			}
			for (o = 0; o < 2; o++) {
				int ro = o == 0 ? BW_HSROLE_DST : BW_HSROLE_SRC;

				if (ro != role &&
				    !(ru->flags & BW_RULE_F_BIDIR))
					continue;
				kd[l - 1][o][nb_kd[l - 1][o]++] =
					(struct keyed){i, first, cnt, neg};
			}
		}
	}
	r = 0;
	for (l = 1; l <= BW_HSLANE_MAX && r == 0; l++)
		r = groups_add(&groups, rules, base[l], nb_base[l], (uint8_t)l,
			       BW_HSROLE_BASE, 0);
	for (l = 0; l < 2 && r == 0; l++)
		for (o = 0; o < 2 && r == 0; o++)
			r = sweep(rules, ports, kd[l][o], nb_kd[l][o],
				  (uint8_t)(l + 1),
				  (uint8_t)(o == 0 ? BW_HSROLE_DST
						   : BW_HSROLE_SRC),
				  p, &groups, &hsports);
out:
	for (l = 0; l <= BW_HSLANE_MAX; l++)
		free(base[l]);
	for (l = 0; l < 2; l++)
		for (o = 0; o < 2; o++)
			free(kd[l][o]);
	p->groups = groups.p;
	p->nb_groups = (uint32_t)groups.n;
	p->hsports = hsports.p;
	p->nb_hsports = (uint32_t)hsports.n;
	if (r < 0)
		ctl_hsgroup_plan_free(p);
	return r;
}
