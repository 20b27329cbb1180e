/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `bulwarkctl lookup ADDRESS [--json]`: which lists contain an address,
 * which one decides for it as a packet's source and as its destination,
 * and the verdict, from the current generation in the state directory.
 * The decision rules are in ctl_lookup.h.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ctl_json.h"
#include "ctl_lookup.h"
#include "ctl_state.h"

#define LOOKUP_USAGE "lookup ADDRESS... [--json]"

const char *
ctl_action_name(uint16_t action)
{
	switch (action) {
	case BW_ACTION_DROP:
		return "drop";
	case BW_ACTION_ALLOW:
		return "allow";
	default:
		return "?";
	}
}

const char *
ctl_match_name(uint16_t match)
{
	switch (match) {
	case BW_MATCH_SRC:
		return "src";
	case BW_MATCH_DST:
		return "dst";
	case BW_MATCH_ANY:
		return "any";
	default:
		return "?";
	}
}

int
ctl_action_parse(const char *s, uint16_t *action)
{
	if (strcmp(s, "drop") == 0)
		*action = BW_ACTION_DROP;
	else if (strcmp(s, "allow") == 0)
		*action = BW_ACTION_ALLOW;
	else
		return -EINVAL;
	return 0;
}

int
ctl_match_parse(const char *s, uint16_t *match)
{
	if (strcmp(s, "src") == 0)
		*match = BW_MATCH_SRC;
	else if (strcmp(s, "dst") == 0)
		*match = BW_MATCH_DST;
	else if (strcmp(s, "any") == 0)
		*match = BW_MATCH_ANY;
	else
		return -EINVAL;
	return 0;
}

/* addr with the bits below len cleared, as a prefix of length len. */
static void
prefix_of(struct ctl_prefix *p, int family, const uint8_t *addr,
	  unsigned int len)
{
	unsigned int alen = family == CTL_PREFIX_V4 ? 4 : 16, i;

	memset(p, 0, sizeof(*p));
	p->family = (uint8_t)family;
	p->len = (uint8_t)len;
	for (i = 0; i < alen; i++) {
		if (len >= 8 * (i + 1))
			p->addr[i] = addr[i];
		else if (len > 8 * i)
			p->addr[i] =
				addr[i] & (uint8_t)(0xff00u >> (len - 8 * i));
	}
}

int
ctl_lookup_longest(const struct ctl_prefix_set *s, int family,
		   const uint8_t *addr, struct ctl_prefix *out)
{
	int len = family == CTL_PREFIX_V4 ? 32 : 128;
	struct ctl_prefix p;

	if (family != CTL_PREFIX_V4 && family != CTL_PREFIX_V6)
		return 0;
	for (; len >= 0; len--) {
		prefix_of(&p, family, addr, (unsigned int)len);
		if (ctl_prefix_set_find(s, &p) >= 0) {
			*out = p;
			return 1;
		}
	}
	return 0;
}

/* 1 when hit a beats hit b for deciding (same action assumed). */
static int
beats(const struct ctl_ruleset *rs, const struct ctl_lookup_hit *a,
      const struct ctl_lookup_hit *b)
{
	if (a->match.len != b->match.len)
		return a->match.len > b->match.len;
	return rs->lists[a->index].id < rs->lists[b->index].id;
}

void
ctl_lookup_side(const struct ctl_ruleset *rs, int family, const uint8_t *addr,
		int side, struct ctl_lookup_side *out)
{
	uint16_t need = side == CTL_SIDE_SRC ? BW_MATCH_SRC : BW_MATCH_DST;
	int best_allow = -1, best_block = -1;
	struct ctl_lookup_hit *h;
	uint32_t i;

	out->nb_hits = 0;
	out->decider = -1;
	out->drop = 0;
	for (i = 0; i < rs->nb_lists && i < BW_LIST_MAX; i++) {
		const struct ctl_list *l = &rs->lists[i];

		h = &out->hits[out->nb_hits];
		if (!ctl_lookup_longest(&l->set, family, addr, &h->match))
			continue;
		h->index = i;
		h->counts = (l->match & need) != 0;
		if (h->counts) {
			int *best = l->action == BW_ACTION_ALLOW ? &best_allow
								 : &best_block;

			if (*best < 0 || beats(rs, h, &out->hits[*best]))
				*best = (int)out->nb_hits;
		}
		out->nb_hits++;
	}
	if (best_allow >= 0) {
		out->decider = best_allow;
	} else if (best_block >= 0) {
		out->decider = best_block;
		out->drop = 1;
	}
}

static void
side_text(FILE *f, const struct ctl_ruleset *rs, const char *addr_s, int side,
	  const struct ctl_lookup_side *s)
{
	const char *side_name = side == CTL_SIDE_SRC ? "source" : "destination";
	char pfx[CTL_PREFIX_STR_LEN], line[256];
	const char *note;
	size_t n;
	const struct ctl_lookup_hit *h;
	const struct ctl_list *l;
	uint32_t i;

	fprintf(f, "%s as %s: %s", addr_s, side_name,
		s->drop ? "drop" : "pass");
	if (s->decider >= 0) {
		h = &s->hits[s->decider];
		l = &rs->lists[h->index];
		ctl_prefix_format(&h->match, pfx, sizeof(pfx));
		fprintf(f, " (%s list '%s', %s)\n",
			l->action == BW_ACTION_ALLOW ? "allow" : "block",
			l->name, pfx);
	} else {
		fprintf(f, " (no list decides)\n");
	}
	for (i = 0; i < s->nb_hits; i++) {
		h = &s->hits[i];
		l = &rs->lists[h->index];
		ctl_prefix_format(&h->match, pfx, sizeof(pfx));
		if ((int)i == s->decider)
			note = "decides";
		else if (!h->counts)
			note = side == CTL_SIDE_SRC
				       ? "ignored: matches destinations only"
				       : "ignored: matches sources only";
		else
			note = "";
		snprintf(line, sizeof(line),
			 "  %-20s id %-3" PRIu32 " %-5s %-3s %-20s %s", l->name,
			 l->id, ctl_action_name(l->action),
			 ctl_match_name(l->match), pfx, note);
		n = strlen(line);
		while (n > 0 && line[n - 1] == ' ')
			line[--n] = '\0';
		fprintf(f, "%s\n", line);
	}
}

static void
side_json(struct ctl_json *j, const char *key, const struct ctl_ruleset *rs,
	  const struct ctl_lookup_side *s)
{
	char pfx[CTL_PREFIX_STR_LEN];
	const struct ctl_lookup_hit *h;
	const struct ctl_list *l;
	uint32_t i;

	ctl_json_object_begin(j, key);
	ctl_json_str(j, "verdict", s->drop ? "drop" : "pass");
	if (s->decider >= 0) {
		h = &s->hits[s->decider];
		l = &rs->lists[h->index];
		ctl_prefix_format(&h->match, pfx, sizeof(pfx));
		ctl_json_object_begin(j, "decided_by");
		ctl_json_str(j, "list", l->name);
		ctl_json_u64(j, "id", l->id);
		ctl_json_str(j, "action", ctl_action_name(l->action));
		ctl_json_str(j, "match", ctl_match_name(l->match));
		ctl_json_str(j, "prefix", pfx);
		ctl_json_object_end(j);
	} else {
		ctl_json_null(j, "decided_by");
	}
	ctl_json_array_begin(j, "lists");
	for (i = 0; i < s->nb_hits; i++) {
		h = &s->hits[i];
		l = &rs->lists[h->index];
		ctl_prefix_format(&h->match, pfx, sizeof(pfx));
		ctl_json_object_begin(j, NULL);
		ctl_json_str(j, "list", l->name);
		ctl_json_u64(j, "id", l->id);
		ctl_json_str(j, "action", ctl_action_name(l->action));
		ctl_json_str(j, "match", ctl_match_name(l->match));
		ctl_json_str(j, "prefix", pfx);
		ctl_json_bool(j, "counts", h->counts != 0);
		ctl_json_bool(j, "decides", (int)i == s->decider);
		ctl_json_object_end(j);
	}
	ctl_json_array_end(j);
	ctl_json_object_end(j);
}

int
ctl_cmd_lookup(struct ctl_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char why[CTL_PREFIX_WHY_LEN], addr_s[CTL_PREFIX_STR_LEN];
	struct ctl_lookup_side *src = NULL, *dst = NULL;
	struct ctl_ruleset rs;
	struct ctl_prefix p;
	int c, i, json = 0, hb, rc = CTL_EXIT_FAIL;
	const char *arg;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = 1;
			break;
		case 'h':
			fprintf(ctx->out,
				"usage: " CTL_PROG
				" [GLOBAL OPTIONS] " LOOKUP_USAGE "\n\n"
				"Which lists of the current generation (the "
				"newest in the state\n"
				"directory) contain ADDRESS, which one decides "
				"for it as a packet's\n"
				"source and as its destination, and the "
				"verdict. Allow lists win\n"
				"over block lists; among lists of one action "
				"the longest prefix\n"
				"wins, then the lowest list id; a list counts "
				"only on the sides its\n"
				"--match covers. With --json, the top-level "
				"\"verdict\" is drop when\n"
				"the address is dropped as a source or as a "
				"destination; \"source\" and\n"
				"\"destination\" hold each side's verdict, "
				"deciding list and matches.\n"
				"Several addresses: one answer each (with "
				"--json, one object a line).\n");
			return CTL_EXIT_OK;
		default:
			return ctl_getopt_error(ctx, LOOKUP_USAGE, c, argv);
		}
	}
	if (optind >= argc)
		return ctl_usage_error(ctx, LOOKUP_USAGE, "no address given");
	for (i = optind; i < argc; i++) {
		arg = argv[i];
		if (strchr(arg, '/') != NULL)
			return ctl_usage_error(
				ctx, LOOKUP_USAGE,
				"'%s' is a prefix: give addresses", arg);
		if (ctl_prefix_parse_why(arg, strlen(arg), &p, &hb, why,
					 sizeof(why)) < 0)
			return ctl_usage_error(ctx, LOOKUP_USAGE, "%s", why);
	}

	if (ctl_state_current(ctx->state_dir, ctx->err, &rs, NULL) < 0)
		return CTL_EXIT_FAIL;
	src = malloc(sizeof(*src));
	dst = malloc(sizeof(*dst));
	if (src == NULL || dst == NULL) {
		fprintf(ctx->err, CTL_PROG ": out of memory\n");
		goto out;
	}
	if (!json) {
		if (rs.generation == 0)
			fprintf(ctx->out, "no generation in %s: no lists\n",
				ctx->state_dir);
		else
			fprintf(ctx->out, "generation %" PRIu64 "\n",
				rs.generation);
	}
	/* one answer per address: text blocks, or one JSON object a line */
	for (i = optind; i < argc; i++) {
		arg = argv[i];
		ctl_prefix_parse_why(arg, strlen(arg), &p, &hb, why,
				     sizeof(why));
		ctl_lookup_side(&rs, p.family, p.addr, CTL_SIDE_SRC, src);
		ctl_lookup_side(&rs, p.family, p.addr, CTL_SIDE_DST, dst);
		/* the canonical spelling: "::ffff:1.2.3.4", not what was
		 * typed */
		ctl_prefix_format(&p, addr_s, sizeof(addr_s));
		*strchr(addr_s, '/') = '\0';
		if (json) {
			struct ctl_json j;

			ctl_json_init(&j, ctx->out);
			ctl_json_object_begin(&j, NULL);
			ctl_json_str(&j, "address", addr_s);
			ctl_json_u64(&j, "family", p.family);
			ctl_json_u64(&j, "generation", rs.generation);
			ctl_json_str(&j, "verdict",
				     src->drop || dst->drop ? "drop" : "pass");
			side_json(&j, "source", &rs, src);
			side_json(&j, "destination", &rs, dst);
			ctl_json_object_end(&j);
			fputc('\n', ctx->out);
		} else {
			side_text(ctx->out, &rs, addr_s, CTL_SIDE_SRC, src);
			side_text(ctx->out, &rs, addr_s, CTL_SIDE_DST, dst);
		}
	}
	rc = CTL_EXIT_OK;
out:
	free(src);
	free(dst);
	ctl_ruleset_free(&rs);
	return rc;
}
