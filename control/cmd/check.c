/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `bulwarkctl check FILE...`: validate ruleset images and list files,
 * commit nothing. The row of the command is in table.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ctl_bpfobj.h"
#include "ctl_cli.h"
#include "ctl_cmd.h"
#include "ctl_image.h"
#include "ctl_json.h"
#include "ctl_listfile.h"
#include "ctl_lookup.h"
#include "ctl_text.h"
#include "bw_image_view.h"

/* 1 when the file starts with the image magic. */
static int
is_image(const char *path)
{
	uint64_t magic = 0;
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return 0;
	n = fread(&magic, 1, sizeof(magic), f);
	fclose(f);
	return n == sizeof(magic) && magic == BW_IMAGE_MAGIC;
}

/* check --json: one object a file, errors still on stderr. */
static void
json_end(struct ctl_json *j, int ok)
{
	ctl_json_bool(j, "ok", ok != 0);
	ctl_json_object_end(j);
	fputc('\n', j->f);
}

static int
check_image_json(struct ctl_ctx *ctx, const char *path)
{
	char why[BW_IMAGE_WHY_LEN];
	char vwhy[CTL_BPFOBJ_WHY_LEN];
	struct bw_image_view v;
	uint64_t n4 = 0, n6 = 0;
	struct ctl_json j;
	int ret, ok = 0;
	size_t len = 0;
	void *img;
	uint32_t i;

	ctl_json_init(&j, ctx->out);
	ctl_json_object_begin(&j, NULL);
	ctl_json_str(&j, "file", path);
	ctl_json_str(&j, "kind", "image");
	ret = ctl_image_load_file(path, &img, &len);
	if (ret < 0) {
		fprintf(ctx->err, "%s: error: %s\n", path, strerror(-ret));
		ctl_json_str(&j, "error", strerror(-ret));
		json_end(&j, 0);
		return -1;
	}
	ret = bw_image_validate(img, len, &v, why, sizeof(why));
	if (ret < 0) {
		fprintf(ctx->err, "%s: error: invalid image: %s\n", path, why);
		ctl_json_str(&j, "error", why);
		json_end(&j, 0);
		free(img);
		return -1;
	}
	for (i = 0; i < v.nb_lists; i++) {
		n4 += v.lists[i].nb_v4;
		n6 += v.lists[i].nb_v6;
	}
	ctl_json_str(&j, "image",
		     v.hdr->kind == BW_IMAGE_FULL ? "full" : "delta");
	ctl_json_u64(&j, "generation", v.hdr->generation);
	ctl_json_u64(&j, "parent", v.hdr->parent_gen);
	ctl_json_u64(&j, "bytes", len);
	ctl_json_ns_as_s(&j, "created", v.hdr->created_ns);
	ctl_json_u64(&j, "creator_uid", v.hdr->creator_uid);
	ctl_json_strn(&j, "comment", v.hdr->comment, sizeof(v.hdr->comment));
	ctl_json_u64(&j, "lists", v.nb_lists);
	if (v.hdr->kind == BW_IMAGE_FULL) {
		ctl_json_u64(&j, "ipv4_prefixes", n4);
		ctl_json_u64(&j, "ipv6_prefixes", n6);
	} else {
		ctl_json_u64(&j, "ipv4_changes", v.nb_d4);
		ctl_json_u64(&j, "ipv6_changes", v.nb_d6);
	}
	ctl_json_u64(&j, "programs", v.nb_progs);
	ok = 1;
	for (i = 0; i < v.nb_progs; i++) {
		const struct bw_image_bpf *b = &v.progs[i];

		if (ctl_bpfobj_verify(v.insns + b->insn_first, b->nb_insns,
				      vwhy, sizeof(vwhy)) < 0) {
			fprintf(ctx->err,
				"%s: error: program '%s': verifier: %s\n", path,
				b->name, vwhy);
			ok = 0;
		}
	}
	json_end(&j, ok);
	free(img);
	return ok ? 0 : -1;
}

static int
check_image(struct ctl_ctx *ctx, const char *path)
{
	char why[BW_IMAGE_WHY_LEN], when[32];
	struct bw_image_view v;
	uint64_t n4 = 0, n6 = 0;
	size_t len;
	uint32_t i;
	void *img;
	int ret;

	ret = ctl_image_load_file(path, &img, &len);
	if (ret < 0) {
		fprintf(ctx->err, "%s: error: %s\n", path, strerror(-ret));
		return -1;
	}
	ret = bw_image_validate(img, len, &v, why, sizeof(why));
	if (ret < 0) {
		fprintf(ctx->err, "%s: error: invalid image: %s\n", path, why);
		free(img);
		return -1;
	}
	for (i = 0; i < v.nb_lists; i++) {
		n4 += v.lists[i].nb_v4;
		n6 += v.lists[i].nb_v6;
	}
	ctl_fmt_utc(when, sizeof(when), v.hdr->created_ns / 1000000000ull);
	fprintf(ctx->out,
		"%s: %s image, generation %" PRIu64 " (parent %" PRIu64
		"), %zu bytes, created %s by uid %" PRIu32 ": %s\n",
		path, v.hdr->kind == BW_IMAGE_FULL ? "full" : "delta",
		v.hdr->generation, v.hdr->parent_gen, len, when,
		v.hdr->creator_uid, v.hdr->comment);
	if (v.hdr->kind == BW_IMAGE_FULL)
		fprintf(ctx->out,
			"%s: %" PRIu32 " lists, %" PRIu64 " IPv4 and %" PRIu64
			" IPv6 prefixes\n",
			path, v.nb_lists, n4, n6);
	else
		fprintf(ctx->out,
			"%s: %" PRIu32 " lists, %" PRIu32 " IPv4 and %" PRIu32
			" IPv6 changes\n",
			path, v.nb_lists, v.nb_d4, v.nb_d6);
	for (i = 0; i < v.nb_lists; i++)
		fprintf(ctx->out,
			"  %-20s id %-3" PRIu32 " %-5s %-3s %" PRIu32
			" IPv4, %" PRIu32 " IPv6\n",
			v.lists[i].name, v.lists[i].id,
			ctl_action_name(v.lists[i].action),
			ctl_match_name(v.lists[i].match), v.lists[i].nb_v4,
			v.lists[i].nb_v6);
	if (v.nb_progs > 0)
		fprintf(ctx->out, "%s: %" PRIu32 " eBPF programs\n", path,
			v.nb_progs);
	/* programs are verified as the dataplane will load them */
	ret = 0;
	for (i = 0; i < v.nb_progs; i++) {
		const struct bw_image_bpf *b = &v.progs[i];
		char vwhy[CTL_BPFOBJ_WHY_LEN];

		if (ctl_bpfobj_verify(v.insns + b->insn_first, b->nb_insns,
				      vwhy, sizeof(vwhy)) < 0) {
			fprintf(ctx->err,
				"%s: error: program '%s': verifier: %s\n", path,
				b->name, vwhy);
			ret = -1;
			continue;
		}
		fprintf(ctx->out,
			"  %-20s order %-10" PRIu32 " %" PRIu32
			" instructions, verified\n",
			b->name, b->order, b->nb_insns);
	}
	free(img);
	return ret;
}

static int
check_list(struct ctl_ctx *ctx, const char *path,
	   const struct ctl_list_parse_opts *o, int json)
{
	struct ctl_list_parse_stats st;
	struct ctl_prefix_set set = {0};
	int ret;

	memset(&st, 0, sizeof(st));
	ret = ctl_list_parse_file(path, o, &set, &st);
	ctl_prefix_set_free(&set);
	if (ret < 0 && ret != -EINVAL) {
		if (json) {
			struct ctl_json j;

			ctl_json_init(&j, ctx->out);
			ctl_json_object_begin(&j, NULL);
			ctl_json_str(&j, "file", path);
			ctl_json_str(&j, "kind", "list");
			ctl_json_str(&j, "error", strerror(-ret));
			json_end(&j, 0);
		}
		return -1; /* the parser said why */
	}
	if (json) {
		struct ctl_json j;

		ctl_json_init(&j, ctx->out);
		ctl_json_object_begin(&j, NULL);
		ctl_json_str(&j, "file", path);
		ctl_json_str(&j, "kind", "list");
		ctl_json_str(&j, "format", ctl_list_format_name(st.format));
		ctl_json_u64(&j, "lines", st.lines);
		ctl_json_u64(&j, "ipv4_prefixes", st.nb_v4);
		ctl_json_u64(&j, "ipv6_prefixes", st.nb_v6);
		ctl_json_u64(&j, "invalid", st.invalid);
		ctl_json_u64(&j, "host_bits_fixed", st.host_bits_fixed);
		ctl_json_u64(&j, "duplicates", st.duplicates);
		json_end(&j, st.invalid == 0);
		return st.invalid > 0 ? -1 : 0;
	}
	fprintf(ctx->out,
		"%s: %s list, %zu lines, %zu IPv4 and %zu IPv6 prefixes, "
		"%zu invalid, %zu with host bits, %zu duplicates\n",
		path, ctl_list_format_name(st.format), st.lines, st.nb_v4,
		st.nb_v6, st.invalid, st.host_bits_fixed, st.duplicates);
	return st.invalid > 0 ? -1 : 0;
}

/* A parsed `check` command line. */
struct check_req {
	struct ctl_list_parse_opts popts;
	int json;
};

int
ctl_cmd_check_run(struct ctl_ctx *ctx, const struct ctl_args *a)
{
	struct ctl_list_parse_opts o = CTL_REQ(a, struct check_req)->popts;
	int json = CTL_REQ(a, struct check_req)->json;
	int i, bad = 0;

	o.diag = ctx->err;
	for (i = 0; i < a->argc; i++) {
		if (is_image(a->argv[i])) {
			if ((json ? check_image_json(ctx, a->argv[i])
				  : check_image(ctx, a->argv[i])) < 0)
				bad++;
		} else if (check_list(ctx, a->argv[i], &o, json) < 0) {
			bad++;
		}
	}
	return bad > 0 ? CTL_EXIT_FAIL : CTL_EXIT_OK;
}

const struct ctl_opt ctl_cmd_check_opts[] = {
	{.name = "format",
	 .type = CTL_OPT_PARSE,
	 .off = offsetof(struct check_req, popts),
	 .parse = ctl_list_format_opt,
	 .choices = ctl_cmd_format_words,
	 .bad = "unknown format '%a': auto, plain, spamhaus, ipsum, csv, "
		"csv:N, rules",
	 .value = "F",
	 .help = "the format of list files: auto (default), plain, "
		 "spamhaus, ipsum, csv, csv:N, rules"},
	{.name = "json",
	 .type = CTL_OPT_FLAG,
	 .off = offsetof(struct check_req, json),
	 .help = "one JSON object a file (errors still on stderr)"},
	CTL_OPTS_END(struct check_req),
};
