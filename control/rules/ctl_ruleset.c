/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Owns the rule set: taken rules and skip records, interned file names,
 * the sid index, the tally of skip reasons and the rule model's names.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_array.h"
#include "ctl_rules.h"
#include "ctl_ruleset.h"

void
ctl_rules_init(struct ctl_rules *rs)
{
	memset(rs, 0, sizeof(*rs));
}

static void
match_free(struct ctl_rule_match *m)
{
	free(m->data);
	m->data = NULL;
}

void
ctl_rule_free(struct ctl_rule *r)
{
	uint32_t i;

	free(r->msg);
	free(r->classtype);
	ctl_rule_addr_free(&r->src);
	ctl_rule_addr_free(&r->dst);
	ctl_rule_ports_free(&r->sport);
	ctl_rule_ports_free(&r->dport);
	for (i = 0; i < r->nb_m; i++)
		match_free(&r->m[i]);
	free(r->m);
	memset(r, 0, sizeof(*r));
}

void
ctl_rules_free(struct ctl_rules *rs)
{
	size_t i;

	for (i = 0; i < rs->nb_rules; i++)
		ctl_rule_free(&rs->rules[i]);
	free(rs->rules);
	CTL_ARRAY_FREE(rs->skips, rs->nb_skips, reason);
	for (i = 0; i < rs->nb_files; i++)
		free(rs->files[i]);
	free(rs->files);
	free(rs->sids);
	memset(rs, 0, sizeof(*rs));
}

const char *
ctl_rules_intern(struct ctl_rules *rs, const char *name)
{
	size_t i;
	char *c;

	for (i = 0; i < rs->nb_files; i++) {
		if (strcmp(rs->files[i], name) == 0)
			return rs->files[i];
	}
	if (CTL_ARRAY_GROW(rs->files, rs->nb_files, rs->cap_files, 8) < 0)
		return NULL;
	c = strdup(name);
	if (c == NULL)
		return NULL;
	rs->files[rs->nb_files++] = c;
	return c;
}

static size_t
sid_slot(uint32_t sid, size_t cap)
{
	/* Fibonacci hashing; cap is a power of two */
	return (size_t)((sid * 2654435769u) & (cap - 1));
}

const struct ctl_rules_sid *
ctl_ruleset_sid_find(const struct ctl_rules *rs, uint32_t sid)
{
	size_t i;

	if (rs->cap_sids == 0 || sid == 0)
		return NULL;
	for (i = sid_slot(sid, rs->cap_sids); rs->sids[i].sid != 0;
	     i = (i + 1) & (rs->cap_sids - 1)) {
		if (rs->sids[i].sid == sid)
			return &rs->sids[i];
	}
	return NULL;
}

int
ctl_ruleset_sid_insert(struct ctl_rules *rs, uint32_t sid, const char *file,
		       uint32_t line)
{
	size_t i;

	if ((rs->nb_sids + 1) * 2 > rs->cap_sids) {
		size_t cap = rs->cap_sids ? rs->cap_sids * 2 : 1024;
		struct ctl_rules_sid *t = calloc(cap, sizeof(*t));

		if (t == NULL)
			return -ENOMEM;
		for (i = 0; i < rs->cap_sids; i++) {
			size_t j;

			if (rs->sids[i].sid == 0)
				continue;
			for (j = sid_slot(rs->sids[i].sid, cap); t[j].sid != 0;
			     j = (j + 1) & (cap - 1))
				;
			t[j] = rs->sids[i];
		}
		free(rs->sids);
		rs->sids = t;
		rs->cap_sids = cap;
	}
	for (i = sid_slot(sid, rs->cap_sids); rs->sids[i].sid != 0;
	     i = (i + 1) & (rs->cap_sids - 1))
		;
	rs->sids[i].sid = sid;
	rs->sids[i].file = file;
	rs->sids[i].line = line;
	rs->nb_sids++;
	return 0;
}

int
ctl_rules_add(struct ctl_rules *rs, struct ctl_rule *r)
{
	if (CTL_ARRAY_GROW(rs->rules, rs->nb_rules, rs->cap_rules, 256) < 0) {
		ctl_rule_free(r);
		return -ENOMEM;
	}
	rs->rules[rs->nb_rules++] = *r;
	memset(r, 0, sizeof(*r));
	return 0;
}

int
ctl_rules_add_skip(struct ctl_rules *rs, const char *file, uint32_t line,
		   uint32_t sid, const char *reason)
{
	char *why;

	if (CTL_ARRAY_GROW(rs->skips, rs->nb_skips, rs->cap_skips, 256) < 0)
		return -ENOMEM;
	why = strdup(reason);
	if (why == NULL)
		return -ENOMEM;
	rs->skips[rs->nb_skips].file = file;
	rs->skips[rs->nb_skips].line = line;
	rs->skips[rs->nb_skips].sid = sid;
	rs->skips[rs->nb_skips].reason = why;
	rs->skips[rs->nb_skips].action = 0;
	rs->nb_skips++;
	return 0;
}

int
ctl_rule_skip_format(const struct ctl_rule_skip *s, char *buf, size_t len)
{
	if (s->sid != 0)
		return snprintf(buf, len, "%s:%u sid %u: %s", s->file, s->line,
				s->sid, s->reason);
	return snprintf(buf, len, "%s:%u: %s", s->file, s->line, s->reason);
}

/* Length of the part of a reason that is counted. */
static size_t
reason_key_len(const char *r)
{
	const char *a = strstr(r, ": "), *b = strstr(r, " (");
	size_t n = strlen(r);

	if (a != NULL && (size_t)(a - r) < n)
		n = (size_t)(a - r);
	if (b != NULL && (size_t)(b - r) < n)
		n = (size_t)(b - r);
	return n;
}

static int
tally_cmp(const void *a, const void *b)
{
	const struct ctl_rules_reason *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->reason, y->reason);
}

long
ctl_rules_tally(const struct ctl_rules *rs, const char *file,
		struct ctl_rules_reason **out)
{
	struct ctl_rules_reason *t = NULL;
	size_t i, j, n = 0;

	*out = NULL;
	for (i = 0; i < rs->nb_skips; i++) {
		const struct ctl_rule_skip *s = &rs->skips[i];
		size_t kl = reason_key_len(s->reason);

		if (file != NULL && strcmp(s->file, file) != 0)
			continue;
		for (j = 0; j < n; j++) {
			if (strlen(t[j].reason) == kl &&
			    memcmp(t[j].reason, s->reason, kl) == 0)
				break;
		}
		if (j == n) {
			struct ctl_rules_reason *nt =
				realloc(t, (n + 1) * sizeof(*t));

			if (nt == NULL)
				goto err_nomem;
			t = nt;
			t[n].reason = strndup(s->reason, kl);
			if (t[n].reason == NULL)
				goto err_nomem;
			t[n].count = 0;
			n++;
		}
		t[j].count++;
	}
	if (n > 0)
		qsort(t, n, sizeof(*t), tally_cmp);
	*out = t;
	return (long)n;

err_nomem:
	ctl_rules_reasons_free(t, n);
	return -ENOMEM;
}

void
ctl_rules_reasons_free(struct ctl_rules_reason *t, size_t n)
{
	CTL_ARRAY_FREE(t, n, reason);
}

enum ctl_rule_scan
ctl_rule_scan(const struct ctl_rule *r)
{
	if (r->proto != CTL_RULE_PROTO_TCP || (r->flags & CTL_RULE_PACKET))
		return CTL_RULE_SCAN_PACKET;
	return CTL_RULE_SCAN_STREAM;
}

const char *
ctl_rule_action_name(enum ctl_rule_action a)
{
	switch (a) {
	case CTL_RULE_ALERT:
		return "alert";
	case CTL_RULE_DROP:
		return "drop";
	case CTL_RULE_PASS:
		return "pass";
	}
	return "?";
}

const char *
ctl_rule_proto_name(enum ctl_rule_proto p)
{
	switch (p) {
	case CTL_RULE_PROTO_IP:
		return "ip";
	case CTL_RULE_PROTO_TCP:
		return "tcp";
	case CTL_RULE_PROTO_UDP:
		return "udp";
	case CTL_RULE_PROTO_ICMP:
		return "icmp";
	}
	return "?";
}
