/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One eBPF program through our checks, rte_bpf's verifier and its JIT
 * (bw_bpf_load.h). Linked by the dataplane and by bulwarkctl: it needs
 * librte_bpf (and librte_eal for the log stream) but never an EAL.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bpf.h>
#include <rte_errno.h>
#include <rte_log.h>

#include "bw_bpf_load.h"

/* Opcode fields of the eBPF instruction set (RFC 9669). */
#define OP_CLASS(c)  ((c)&0x07)
#define OP_LD	     0x00
#define OP_ST	     0x02
#define OP_STX	     0x03
#define OP_JMP	     0x05
#define OP_CALL	     0x85 /* JMP | CALL */
#define OP_LD_IMM64  0x18 /* LD | IMM | DW: two instruction slots */
#define REG_FP	     10	  /* read-only frame pointer: the stack */
#define INSN_DST(in) ((in)->regs & 0x0f)
#define INSN_SRC(in) ((in)->regs >> 4)

static const char *const helper_names[BW_BPF_HELPER_MAX + 1] = {
	[BW_BPF_HELPER_LIST_LOOKUP] = "bw_list_lookup",
};

/* bw_bpf.h: the stub answers "no list". */
static uint64_t
stub_list_lookup(uint64_t addr, uint64_t family, uint64_t how, uint64_t a4,
		 uint64_t a5)
{
	(void)addr;
	(void)family;
	(void)how;
	(void)a4;
	(void)a5;
	return (uint64_t)-1;
}

/* Entry 0 of the external table is never called (bw_bpf_code_check()). */
static uint64_t
stub_reserved(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	(void)a1;
	(void)a2;
	(void)a3;
	(void)a4;
	(void)a5;
	return 0;
}

int
bw_bpf_jit_supported(void)
{
#if defined(RTE_ARCH_X86_64) || defined(RTE_ARCH_ARM64)
	return 1;
#else
	return 0;
#endif
}

static int __attribute__((format(printf, 4, 5)))
refuse(char *why, size_t why_len, int err, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && why_len > 0) {
		va_start(ap, fmt);
		vsnprintf(why, why_len, fmt, ap);
		va_end(ap);
	}
	return err;
}

int
bw_bpf_code_check(const struct bw_image_insn *insns, uint32_t nb_insns,
		  char *why, size_t why_len)
{
	const struct bw_image_insn *in;
	uint32_t i;

	if (insns == NULL || nb_insns == 0)
		return refuse(why, why_len, -EINVAL, "no instructions");
	if (nb_insns > BW_BPF_INSNS_MAX)
		return refuse(why, why_len, -EINVAL,
			      "%u instructions, at most %d", nb_insns,
			      BW_BPF_INSNS_MAX);
	for (i = 0; i < nb_insns; i++) {
		in = &insns[i];
		switch (OP_CLASS(in->code)) {
		case OP_ST:
		case OP_STX:
			if (INSN_DST(in) != REG_FP)
				return refuse(why, why_len, -EINVAL,
					      "insn %u: store through r%u: a "
					      "program may write its stack "
					      "(r10) only, the context is "
					      "read-only",
					      i, INSN_DST(in));
			break;
		case OP_LD:
			if (in->code != OP_LD_IMM64)
				break;
			if (INSN_SRC(in) != 0)
				return refuse(why, why_len, -EINVAL,
					      "insn %u: 64-bit load of a map "
					      "or global data: not supported",
					      i);
			i++; /* the second half of the immediate */
			break;
		case OP_JMP:
			if (in->code != OP_CALL)
				break;
			if (INSN_SRC(in) != 0)
				return refuse(why, why_len, -EINVAL,
					      "insn %u: call to another "
					      "function of the object: not "
					      "supported (make it static "
					      "inline)",
					      i);
			if (in->imm < 1 || in->imm > BW_BPF_HELPER_MAX)
				return refuse(why, why_len, -EINVAL,
					      "insn %u: call to unknown helper "
					      "%d (helpers: 1 %s; no kernel "
					      "helpers)",
					      i, (int)in->imm, helper_names[1]);
			break;
		default:
			break;
		}
	}
	return 0;
}

/*
 * rte_bpf's log lines, made into one reason: "validate(0x7ffc...) loops
 * detected;" and "evaluate: memory boundary violation at pc: 3" lose the
 * name of the function that logged them.
 */
static void
reason_from_log(const char *log, char *why, size_t why_len)
{
	size_t used = 0, k;
	const char *p = log, *eol, *s;
	int n;

	why[0] = '\0';
	while (*p != '\0') {
		eol = strchr(p, '\n');
		if (eol == NULL)
			eol = p + strlen(p);
		s = p;
		/* skip "identifier(0x...)" or "identifier:" */
		for (k = 0; s + k < eol &&
			    (isalnum((unsigned char)s[k]) || s[k] == '_');
		     k++)
			;
		if (k > 0 && s + k < eol && s[k] == '(') {
			const char *close =
				memchr(s + k, ')', (size_t)(eol - s - k));

			if (close != NULL)
				s = close + 1;
		} else if (k > 0 && s + k < eol && s[k] == ':') {
			s += k + 1;
		}
		while (s < eol && (*s == ' ' || *s == ':'))
			s++;
		if (s < eol && used + 2 < why_len) {
			n = snprintf(why + used, why_len - used, "%s%.*s",
				     used > 0 ? " " : "", (int)(eol - s), s);
			if (n > 0)
				used += (size_t)n < why_len - used
						? (size_t)n
						: why_len - used - 1;
		}
		p = *eol == '\0' ? eol : eol + 1;
	}
	/* "loops detected; loop at pc:12 --> pc:6;": no trailing ';' */
	while (used > 0 && (why[used - 1] == ';' || why[used - 1] == ' '))
		why[--used] = '\0';
}

int
bw_bpf_code_load(struct bw_bpf_code *c, const struct bw_image_insn *insns,
		 uint32_t nb_insns, const struct bw_bpf_helpers *helpers,
		 int want_jit, char *why, size_t why_len)
{
	struct rte_bpf_xsym xsym[BW_BPF_HELPER_MAX + 1];
	struct rte_bpf_prm prm;
	struct rte_bpf_jit jit;
	char *log = NULL;
	size_t log_len = 0;
	FILE *prev, *cap;
	int ret, err;

	memset(c, 0, sizeof(*c));
	ret = bw_bpf_code_check(insns, nb_insns, why, why_len);
	if (ret < 0)
		return ret;

	memset(xsym, 0, sizeof(xsym));
	xsym[0].name = "bw_reserved";
	xsym[0].type = RTE_BPF_XTYPE_FUNC;
	xsym[0].func.val = stub_reserved;
	xsym[0].func.ret.type = RTE_BPF_ARG_RAW;
	xsym[0].func.ret.size = sizeof(uint64_t);

	xsym[BW_BPF_HELPER_LIST_LOOKUP].name =
		helper_names[BW_BPF_HELPER_LIST_LOOKUP];
	xsym[BW_BPF_HELPER_LIST_LOOKUP].type = RTE_BPF_XTYPE_FUNC;
	xsym[BW_BPF_HELPER_LIST_LOOKUP].func.val =
		helpers != NULL &&
				helpers->fn[BW_BPF_HELPER_LIST_LOOKUP] != NULL
			? helpers->fn[BW_BPF_HELPER_LIST_LOOKUP]
			: stub_list_lookup;
	xsym[BW_BPF_HELPER_LIST_LOOKUP].func.nb_args = 3;
	/* 16 readable bytes: an IPv6 address, or IPv4 in the first 4 */
	xsym[BW_BPF_HELPER_LIST_LOOKUP].func.args[0].type = RTE_BPF_ARG_PTR;
	xsym[BW_BPF_HELPER_LIST_LOOKUP].func.args[0].size = 16;
	xsym[BW_BPF_HELPER_LIST_LOOKUP].func.args[1].type = RTE_BPF_ARG_RAW;
	xsym[BW_BPF_HELPER_LIST_LOOKUP].func.args[1].size = sizeof(uint64_t);
	xsym[BW_BPF_HELPER_LIST_LOOKUP].func.args[2].type = RTE_BPF_ARG_RAW;
	xsym[BW_BPF_HELPER_LIST_LOOKUP].func.args[2].size = sizeof(uint64_t);
	xsym[BW_BPF_HELPER_LIST_LOOKUP].func.ret.type = RTE_BPF_ARG_RAW;
	xsym[BW_BPF_HELPER_LIST_LOOKUP].func.ret.size = sizeof(uint64_t);

	memset(&prm, 0, sizeof(prm));
	/* struct bw_image_insn has the layout of struct ebpf_insn */
	prm.ins = (const struct ebpf_insn *)insns;
	prm.nb_ins = nb_insns;
	prm.xsym = xsym;
	prm.nb_xsym = BW_BPF_HELPER_MAX + 1;
	/*
	 * rte_bpf trusts this size: every access the verifier lets through
	 * stays inside it, and the caller hands a whole struct bw_bpf_ctx.
	 */
	prm.prog_arg.type = RTE_BPF_ARG_PTR;
	prm.prog_arg.size = sizeof(struct bw_bpf_ctx);

	prev = rte_log_get_stream();
	cap = open_memstream(&log, &log_len);
	if (cap != NULL)
		rte_openlog_stream(cap);
	c->bpf = rte_bpf_load(&prm);
	err = rte_errno;
	if (cap != NULL) {
		rte_openlog_stream(prev);
		fclose(cap);
	}
	if (c->bpf == NULL) {
		if (log != NULL && log[0] != '\0')
			reason_from_log(log, why, why_len);
		if (why != NULL && why_len > 0 && why[0] == '\0')
			snprintf(why, why_len, "rte_bpf_load: %s",
				 strerror(err));
		free(log);
		return err > 0 ? -err : -EINVAL;
	}
	if (want_jit && bw_bpf_jit_supported()) {
		if (rte_bpf_get_jit(c->bpf, &jit) != 0 || jit.func == NULL) {
			char jwhy[BW_BPF_WHY_LEN] = "";

			if (log != NULL && log[0] != '\0')
				reason_from_log(log, jwhy, sizeof(jwhy));
			ret = refuse(why, why_len, -ENOEXEC,
				     "JIT compilation failed%s%s",
				     jwhy[0] != '\0' ? ": " : "", jwhy);
			free(log);
			bw_bpf_code_free(c);
			return ret;
		}
		c->jit = jit.func;
		c->jit_size = jit.sz;
	}
	free(log);
	if (why != NULL && why_len > 0)
		why[0] = '\0';
	return 0;
}

uint64_t
bw_bpf_code_interp(const struct bw_bpf_code *c, struct bw_bpf_ctx *ctx)
{
	return rte_bpf_exec(c->bpf, ctx);
}

void
bw_bpf_code_free(struct bw_bpf_code *c)
{
	if (c->bpf != NULL)
		rte_bpf_destroy(c->bpf);
	memset(c, 0, sizeof(*c));
}
