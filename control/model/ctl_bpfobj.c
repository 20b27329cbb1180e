/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * eBPF object files (ctl_bpfobj.h): libbpf opens the ELF object and hands
 * out a program's instructions; nothing goes near the kernel, since
 * bpf_object__load() is never called. libbpf resolves no relocation at
 * open time, which is why objects with maps or global data (the only
 * relocations a program of ours could need) are refused outright, and
 * calls into other functions are refused by bw_bpf_code_check().
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "ctl_bpfobj.h"
#include "bw_bpf_load.h"

/* The last warning libbpf printed while opening an object. */
static char libbpf_said[256];

static int __attribute__((format(printf, 2, 0)))
libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[sizeof(libbpf_said)];
	const char *s = line;
	size_t n;

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == ' '))
		line[--n] = '\0';
	if (strncmp(s, "libbpf: ", 8) == 0)
		s += 8;
	snprintf(libbpf_said, sizeof(libbpf_said), "%s", s);
	return 0;
}

/* Append ", name" (or "name" first) to buf; cut with "..." when full. */
static void
names_add(char *buf, size_t len, const char *name)
{
	size_t used = strlen(buf);
	int n;

	if (used + 4 >= len)
		return;
	n = snprintf(buf + used, len - used, "%s%s", used > 0 ? ", " : "",
		     name);
	if (n < 0 || (size_t)n >= len - used)
		memcpy(buf + len - 4, "...", 4);
}

/* 1 when name is one of the ", "-separated names of buf. */
static int
names_has(const char *buf, const char *name)
{
	size_t n = strlen(name);
	const char *s = buf;

	while ((s = strstr(s, name)) != NULL) {
		if ((s == buf || (s >= buf + 2 && s[-2] == ',')) &&
		    (s[n] == '\0' || s[n] == ','))
			return 1;
		s += n;
	}
	return 0;
}

/* printf into why (why_len bytes); returns err. */
static int __attribute__((format(printf, 4, 5)))
why_err(char *why, size_t why_len, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
	return err;
}

void
ctl_bpfobj_prog_free(struct ctl_bpfobj_prog *p)
{
	free(p->insns);
	memset(p, 0, sizeof(*p));
}

int
ctl_bpfobj_read(const char *path, const char *sec, struct ctl_bpfobj_prog *p,
		char *why, size_t why_len)
{
	char maps[256] = "", secs[256] = "";
	const struct bpf_program *pick = NULL;
	struct bpf_program *prog;
	struct bpf_object *obj;
	struct bpf_map *map;
	libbpf_print_fn_t prev;
	int nb = 0, nb_in_sec = 0, internal = 0, ret = 0, err;
	size_t cnt;

	memset(p, 0, sizeof(*p));
	libbpf_said[0] = '\0';
	prev = libbpf_set_print(libbpf_print);
	obj = bpf_object__open_file(path, NULL);
	err = errno;
	libbpf_set_print(prev);
	if (obj == NULL) {
		char what[128];

		if (err == ENOENT || err == EACCES || err == EPERM ||
		    err == EISDIR) {
			snprintf(why, why_len, "%s: %s", path, strerror(err));
			return -err;
		}
		/* libbpf's own codes start at 4000 (libbpf_strerror) */
		if (libbpf_strerror(err, what, sizeof(what)) != 0)
			snprintf(what, sizeof(what), "error %d", err);
		snprintf(why, why_len, "%s: not an eBPF object%s%s (%s)", path,
			 libbpf_said[0] != '\0' ? ": " : "", libbpf_said, what);
		return err > 0 && err < 4000 ? -err : -EINVAL;
	}
	bpf_object__for_each_map(map, obj)
	{
		names_add(maps, sizeof(maps), bpf_map__name(map));
		internal |= bpf_map__is_internal(map);
	}
	if (maps[0] != '\0') {
		snprintf(why, why_len, "%s: maps are not supported: %s%s", path,
			 maps, internal ? " (global or static data)" : "");
		ret = -ENOTSUP;
		goto out;
	}
	bpf_object__for_each_program(prog, obj)
	{
		const char *s = bpf_program__section_name(prog);

		nb++;
		if (!names_has(secs, s))
			names_add(secs, sizeof(secs), s);
		if (sec == NULL || strcmp(s, sec) == 0) {
			pick = prog;
			nb_in_sec++;
		}
	}
	if (nb == 0)
		ret = why_err(why, why_len, -ENOENT,
			      "%s: no program in the object", path);
	else if (sec == NULL && nb > 1)
		ret = why_err(why, why_len, -EINVAL,
			      "%s: %d programs (sections: %s): choose one with "
			      "--section",
			      path, nb, secs);
	else if (pick == NULL)
		ret = why_err(why, why_len, -ENOENT,
			      "%s: no program in section '%s' (sections: %s)",
			      path, sec, secs);
	else if (nb_in_sec > 1)
		ret = why_err(why, why_len, -EINVAL,
			      "%s: section '%s' holds %d programs: one program "
			      "a section",
			      path, sec, nb_in_sec);
	if (ret < 0)
		goto out;
	snprintf(p->section, sizeof(p->section), "%s",
		 bpf_program__section_name(pick));
	snprintf(p->func, sizeof(p->func), "%s", bpf_program__name(pick));
	cnt = bpf_program__insn_cnt(pick);
	if (cnt == 0 || cnt > BW_BPF_INSNS_MAX) {
		snprintf(why, why_len,
			 "%s: section %s: %zu instructions (1 to %d)", path,
			 p->section, cnt, BW_BPF_INSNS_MAX);
		ret = -E2BIG;
		goto out;
	}
	p->insns = malloc(cnt * sizeof(*p->insns));
	if (p->insns == NULL) {
		snprintf(why, why_len, "out of memory");
		ret = -ENOMEM;
		goto out;
	}
	/* struct bpf_insn and struct bw_image_insn share their layout */
	_Static_assert(sizeof(struct bpf_insn) == sizeof(struct bw_image_insn),
		       "instruction size");
	memcpy(p->insns, bpf_program__insns(pick), cnt * sizeof(*p->insns));
	p->nb_insns = (uint32_t)cnt;
out:
	bpf_object__close(obj);
	if (ret < 0)
		ctl_bpfobj_prog_free(p);
	return ret;
}

int
ctl_bpfobj_verify(const struct bw_image_insn *insns, uint32_t nb, char *why,
		  size_t why_len)
{
	struct bw_bpf_code code;
	int ret;

	ret = bw_bpf_code_load(&code, insns, nb, NULL, 1, why, why_len);
	if (ret == 0)
		bw_bpf_code_free(&code);
	return ret;
}

int
ctl_bpfobj_load(const char *path, const char *sec, struct ctl_bpfobj_prog *p,
		char *why, size_t why_len)
{
	char vwhy[BW_BPF_WHY_LEN];
	int ret;

	ret = ctl_bpfobj_read(path, sec, p, why, why_len);
	if (ret < 0)
		return ret;
	ret = ctl_bpfobj_verify(p->insns, p->nb_insns, vwhy, sizeof(vwhy));
	if (ret < 0) {
		snprintf(why, why_len, "%s: section %s: verifier: %s", path,
			 p->section, vwhy);
		ctl_bpfobj_prog_free(p);
	}
	return ret;
}
