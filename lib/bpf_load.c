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
#define OP_ALU	     0x04
#define OP_JMP	     0x05
#define OP_JMP32     0x06
#define OP_ALU64     0x07
#define OP_EXIT	     0x95 /* JMP | EXIT */
#define OP_JSET_K    0x45 /* JMP | JSET | K */
#define OP_SRC_X     0x08 /* source: a register, not the immediate */
#define OP_ALU_OP(c) ((c)&0xf0)
#define OP_DIV	     0x30
#define OP_MOD	     0x90
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
		case OP_ALU:
		case OP_ALU64:
			if ((OP_ALU_OP(in->code) == OP_DIV ||
			     OP_ALU_OP(in->code) == OP_MOD) &&
			    !(in->code & OP_SRC_X) && in->imm == 0)
				return refuse(why, why_len, -EINVAL,
					      "insn %u: division by the "
					      "constant 0",
					      i);
			break;
		case OP_JMP:
			if (in->code == OP_JSET_K && in->imm >= INT8_MIN &&
			    in->imm <= INT8_MAX)
				return refuse(
					why, why_len, -EINVAL,
					"insn %u: jset with the immediate "
					"%d: rte_bpf's JIT miscompiles a "
					"jset whose immediate fits a "
					"byte (test with & and a compare)",
					i, (int)in->imm);
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

/* A division or remainder by a register: it faults when that is zero. */
static int
is_div_x(const struct bw_image_insn *in)
{
	uint8_t cls = OP_CLASS(in->code);

	return (cls == OP_ALU || cls == OP_ALU64) && (in->code & OP_SRC_X) &&
	       (OP_ALU_OP(in->code) == OP_DIV || OP_ALU_OP(in->code) == OP_MOD);
}

/* Instructions put before a division by a register (guard()). */
static uint32_t
guard_len(const struct bw_image_insn *in)
{
	if (!is_div_x(in))
		return 0;
	return OP_CLASS(in->code) == OP_ALU64 ? 4 : 7;
}

static struct bw_image_insn
mk(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	struct bw_image_insn in = {.code = code,
				   .regs = (uint8_t)(dst | src << 4),
				   .off = off,
				   .imm = imm};

	return in;
}

/*
 * The guard of division d at out: when its divisor is zero, the program
 * ends with BW_BPF_FAULT_RC in r0 instead of reaching rte_bpf's own check
 * (which returns 0, a verdict, and in the interpreter logs a line). A
 * 64-bit division tests the whole register:
 *
 *     jne src, 0, +3 ; lddw r0, FAULT ; exit ; div
 *
 * a 32-bit one only its low half, without a scratch register: when bits
 * 0..30 are all zero, shifting right by 24 loses nothing, bit 31 is then
 * bit 7, and shifting back restores the register exactly:
 *
 *     jset src, 0x7fffffff, +6 ; rsh src, 24 ; jset src, 0x80, +3 ;
 *     lddw r0, FAULT ; exit ; lsh src, 24 ; div32
 *
 * (24 and 0x80, not 31 and 1: rte_bpf 22.11's x86 JIT encodes a jset
 * whose immediate fits a byte with a one-byte immediate, which the
 * instruction it emits does not have: the native code is garbage.)
 */
static void
guard(const struct bw_image_insn *d, struct bw_image_insn *out)
{
	uint8_t src = INSN_SRC(d);
	uint64_t rc = BW_BPF_FAULT_RC;
	uint32_t k = 0;

	if (OP_CLASS(d->code) == OP_ALU64) {
		out[k++] = mk(0x55, src, 0, 3, 0); /* jne src, 0 */
	} else {
		out[k++] = mk(0x45, src, 0, 6, 0x7fffffff); /* jset */
		out[k++] = mk(0x77, src, 0, 0, 24);	    /* rsh64 */
		out[k++] = mk(0x45, src, 0, 3, 0x80);	    /* jset */
	}
	out[k++] = mk(OP_LD_IMM64, 0, 0, 0, (int32_t)(uint32_t)rc);
	out[k++] = mk(0, 0, 0, 0, (int32_t)(uint32_t)(rc >> 32));
	out[k++] = mk(OP_EXIT, 0, 0, 0, 0);
	if (OP_CLASS(d->code) == OP_ALU)
		out[k++] = mk(0x67, src, 0, 0, 24); /* lsh64: restore */
}

/*
 * insns with a guard before each division by a register, jumps moved to
 * match (a jump to a division lands on its guard); NULL and *nb_out 0
 * when there is none. -ERANGE when a moved jump no longer fits 16 bits.
 */
static int
guard_divisions(const struct bw_image_insn *insns, uint32_t nb,
		struct bw_image_insn **out, uint32_t *nb_out, char *why,
		size_t why_len)
{
	struct bw_image_insn *code;
	uint32_t *pos, i, n = 0, extra = 0;
	int64_t target, off;

	*out = NULL;
	*nb_out = 0;
	for (i = 0; i < nb; i++)
		extra += guard_len(&insns[i]);
	if (extra == 0)
		return 0;
	pos = malloc(((size_t)nb + 1) * sizeof(*pos));
	code = malloc(((size_t)nb + extra) * sizeof(*code));
	if (pos == NULL || code == NULL) {
		free(pos);
		free(code);
		return refuse(why, why_len, -ENOMEM, "out of memory");
	}
	for (i = 0; i < nb; i++) {
		pos[i] = n; /* where a jump to insn i lands */
		if (guard_len(&insns[i]) != 0) {
			guard(&insns[i], code + n);
			n += guard_len(&insns[i]);
		}
		code[n++] = insns[i];
	}
	pos[nb] = n;
	for (i = 0; i < nb; i++) {
		uint8_t cls = OP_CLASS(insns[i].code);

		if ((cls != OP_JMP && cls != OP_JMP32) ||
		    insns[i].code == OP_CALL || insns[i].code == OP_EXIT)
			continue;
		target = (int64_t)i + 1 + insns[i].off;
		if (target < 0 || target > nb)
			continue; /* rte_bpf refuses it with its own words */
		/* a jump has no guard: it sits at pos[i] */
		off = (int64_t)pos[target] - ((int64_t)pos[i] + 1);
		if (off < INT16_MIN || off > INT16_MAX) {
			free(pos);
			free(code);
			return refuse(why, why_len, -ERANGE,
				      "insn %u: jump too long once divisions "
				      "are guarded",
				      i);
		}
		code[pos[i]].off = (int16_t)off;
	}
	free(pos);
	*out = code;
	*nb_out = n;
	return 0;
}

/*
 * rte_bpf_load() of insns with prm, its log lines captured into *log
 * (rte_openlog_stream()) and made the reason in why when it refuses;
 * *err is its rte_errno.
 */
static struct rte_bpf *
load_captured(struct rte_bpf_prm *prm, const struct bw_image_insn *insns,
	      uint32_t nb_insns, char **log, char *why, size_t why_len,
	      int *err)
{
	struct rte_bpf *bpf;
	size_t log_len = 0;
	FILE *prev, *cap;

	/* struct bw_image_insn has the layout of struct ebpf_insn */
	prm->ins = (const struct ebpf_insn *)insns;
	prm->nb_ins = nb_insns;
	*log = NULL;
	prev = rte_log_get_stream();
	cap = open_memstream(log, &log_len);
	if (cap != NULL)
		rte_openlog_stream(cap);
	bpf = rte_bpf_load(prm);
	*err = rte_errno;
	if (cap != NULL) {
		rte_openlog_stream(prev);
		fclose(cap);
	}
	if (bpf == NULL && why != NULL && why_len > 0) {
		why[0] = '\0';
		if (*log != NULL && (*log)[0] != '\0')
			reason_from_log(*log, why, why_len);
		if (why[0] == '\0')
			snprintf(why, why_len, "rte_bpf_load: %s",
				 strerror(*err));
	}
	return bpf;
}

int
bw_bpf_code_load(struct bw_bpf_code *c, const struct bw_image_insn *insns,
		 uint32_t nb_insns, const struct bw_bpf_helpers *helpers,
		 int want_jit, char *why, size_t why_len)
{
	struct rte_bpf_xsym xsym[BW_BPF_HELPER_MAX + 1];
	struct rte_bpf_prm prm;
	struct rte_bpf_jit jit;
	struct bw_image_insn *guarded;
	uint32_t nb_guarded;
	char *log = NULL;
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
	prm.xsym = xsym;
	prm.nb_xsym = BW_BPF_HELPER_MAX + 1;
	/*
	 * rte_bpf trusts this size: every access the verifier lets through
	 * stays inside it, and the caller hands a whole struct bw_bpf_ctx.
	 */
	prm.prog_arg.type = RTE_BPF_ARG_PTR;
	prm.prog_arg.size = sizeof(struct bw_bpf_ctx);

	ret = guard_divisions(insns, nb_insns, &guarded, &nb_guarded, why,
			      why_len);
	if (ret < 0)
		return ret;
	/*
	 * The program as written goes to the verifier first, so that its
	 * reasons name the operator's instruction numbers; then, when it
	 * divides by a register, the guarded code (load_captured()).
	 */
	c->bpf = load_captured(&prm, insns, nb_insns, &log, why, why_len, &err);
	if (c->bpf != NULL && guarded != NULL) {
		rte_bpf_destroy(c->bpf);
		free(log);
		log = NULL;
		c->bpf = load_captured(&prm, guarded, nb_guarded, &log, why,
				       why_len, &err);
		c->guarded = 1;
	}
	free(guarded);
	if (c->bpf == NULL) {
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
