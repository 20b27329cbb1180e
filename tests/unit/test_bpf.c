/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the eBPF stage, without EAL: the loader shared by
 * bulwarkctl and the dataplane (bw_bpf_load.h: our checks, rte_bpf's
 * verifier, its JIT and interpreter), the object reader of bulwarkctl
 * (ctl_bpfobj.h), the context filled from the real decoder
 * (dp_bpf_ctx.h), the example programs on crafted frames and on every
 * capture of tests/data/pcaps (JIT and interpreter agree on each packet;
 * the drops equal counts made here by a parser of our own), the program
 * sections of the ruleset image, and the program model of bulwarkctl.
 *
 * Usage: test_bpf [DATA_DIR [BUILD_DIR]]. DATA_DIR (else $BW_TEST_DATA,
 * else tests/data beside this source) holds pcaps/. BUILD_DIR (else
 * $BW_BUILD) holds the objects of examples/bpf and tests/bpf, built by meson
 * when clang has the BPF target; without them the tests that need an
 * object say so and pass.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <CUnit/Basic.h>
#include <pcap/pcap.h>

#include "bw_crc32c.h"
#include "bw_cunit.h"
#include "bw_testdata.h"
#include "bw_bpf.h"
#include "bw_image.h"
#include "ctl_bpfobj.h"
#include "ctl_image.h"
#include "ctl_txn.h"
#include "dp_bpf_ctx.h"
#include "bw_bpf_load.h"
#include "dp_decode.h"
#include "bw_image_view.h"

#define NB_EXAMPLES 3

static const char *build_dir_arg; /* argv[2] */

/* Report at the caller's line, like CU_ASSERT. */
static void
check_at(int line, int cond, const char *what)
{
	CU_assertImplementation(cond ? CU_TRUE : CU_FALSE, (unsigned int)line,
				what, __FILE__, "", CU_FALSE);
}

/* ------------------------------------------------------------ paths */

static const char *
build_dir(void)
{
	if (build_dir_arg != NULL)
		return build_dir_arg;
	return getenv("BW_BUILD");
}

/* Path of BUILD_DIR/sub/name.o into buf when it exists, else NULL. */
static const char *
obj_path(char *buf, size_t size, const char *sub, const char *name)
{
	const char *b = build_dir();
	struct stat st;

	if (b == NULL ||
	    snprintf(buf, size, "%s/%s/%s.o", b, sub, name) >= (int)size ||
	    stat(buf, &st) != 0)
		return NULL;
	return buf;
}

/* Folder (or file) of the bundled test data, or NULL: bw_testdata.h. */
static const char *
pcaps_dir(char *buf, size_t size)
{
	return bw_testdata_path("pcaps", buf, size);
}

/*
 * A test object is missing: that is a failure, not a skip (scripts/test
 * installs clang, whose BPF target builds them). Returns 1.
 */
static int
skip(const char *why)
{
	fprintf(stderr,
		"\n  missing: %s (built by clang -target bpf, see "
		"examples/bpf/meson.build) ",
		why);
	CU_FAIL("eBPF test object missing");
	return 1;
}

/* ------------------------------------------------------------ code */

#define INS(c, dst, src, o, i)                                                 \
	((struct bw_image_insn){.code = (c),                                   \
				.regs = (uint8_t)((dst) | (src) << 4),         \
				.off = (o),                                    \
				.imm = (i)})
#define EXIT	       INS(0x95, 0, 0, 0, 0)
#define MOV_K(d, k)    INS(0xb7, d, 0, 0, k) /* dst = imm */
#define ADD_K(d, k)    INS(0x07, d, 0, 0, k) /* dst += imm */
#define LDX_B(d, s, o) INS(0x71, d, s, o, 0) /* dst = *(u8 *)(src + off) */
#define JLT_K(d, k, o) INS(0xa5, d, 0, o, k) /* if dst < imm goto +off */
#define CALL(k)	       INS(0x85, 0, 0, 0, k)
#define ST_W(d, o, k)  INS(0x62, d, 0, o, k) /* *(u32 *)(dst + off) = imm */
#define NB(a)	       ((uint32_t)(sizeof(a) / sizeof((a)[0])))

/* Loaded through the shared loader: JIT and interpreter available. */
struct prog {
	struct bw_bpf_code code;
	char name[32];
};

/* Load code; on failure why holds the reason. Returns the loader's code. */
static int
load(struct prog *p, const struct bw_image_insn *ins, uint32_t nb,
     const struct bw_bpf_helpers *h, char *why, size_t why_len)
{
	return bw_bpf_code_load(&p->code, ins, nb, h, 1, why, why_len);
}

/* Refused with a reason that contains keyword. */
static void
expect_reject_at(int line, const struct bw_image_insn *ins, uint32_t nb,
		 const char *keyword)
{
	char why[BW_BPF_WHY_LEN] = "";
	struct prog p;
	int r = load(&p, ins, nb, NULL, why, sizeof(why));
	int ok = r < 0 && strstr(why, keyword) != NULL;

	check_at(line, ok, "refused with the expected reason");
	if (!ok)
		fprintf(stderr, "\n  line %d: got %d '%s', want '%s'", line, r,
			why, keyword);
	if (r == 0)
		bw_bpf_code_free(&p.code);
}

#define EXPECT_REJECT(ins, kw) expect_reject_at(__LINE__, ins, NB(ins), kw)

/* Run both ways; they must agree. Returns the JIT's result. */
static uint64_t
run_both_at(int line, const struct prog *p, struct bw_bpf_ctx *ctx)
{
	uint64_t a, b;

	a = p->code.jit(ctx);
	b = bw_bpf_code_interp(&p->code, ctx);
	check_at(line, a == b, "JIT and interpreter agree");
	if (a != b)
		fprintf(stderr, "\n  line %d: %s: JIT %llu, interpreter %llu",
			line, p->name, (unsigned long long)a,
			(unsigned long long)b);
	return a;
}

#define RUN(p, ctx) run_both_at(__LINE__, (p), (ctx))

static void
test_reject_crafted(void)
{
	const struct bw_image_insn oob[] = {LDX_B(0, 1, 640), EXIT};
	const struct bw_image_insn oob_neg[] = {LDX_B(0, 1, -1), EXIT};
	const struct bw_image_insn loop[] = {MOV_K(0, 0), ADD_K(0, 1),
					     JLT_K(0, 10, -2), EXIT};
	const struct bw_image_insn helper99[] = {CALL(99), EXIT};
	const struct bw_image_insn helper0[] = {CALL(0), EXIT};
	const struct bw_image_insn pseudo[] = {INS(0x85, 0, 1, 0, 1), EXIT};
	const struct bw_image_insn store_ctx[] = {ST_W(1, 8, 0), MOV_K(0, 0),
						  EXIT};
	const struct bw_image_insn xadd_ctx[] = {INS(0xdb, 1, 2, 0, 0),
						 MOV_K(0, 0), EXIT};
	const struct bw_image_insn map_ld[] = {
		INS(0x18, 1, 1, 0, 3), INS(0, 0, 0, 0, 0), MOV_K(0, 0), EXIT};
	/* the helper's 16 bytes would pass the end of the context */
	const struct bw_image_insn helper_oob[] = {ADD_K(1, 630), MOV_K(2, 4),
						   MOV_K(3, 1), CALL(1), EXIT};
	const struct bw_image_insn no_ret[] = {EXIT};
	struct bw_image_insn *many;
	char why[BW_BPF_WHY_LEN];
	struct prog p;
	uint32_t i;

	EXPECT_REJECT(oob, "memory boundary violation");
	EXPECT_REJECT(oob_neg, "memory boundary violation");
	EXPECT_REJECT(loop, "loops detected");
	EXPECT_REJECT(helper99, "unknown helper 99");
	EXPECT_REJECT(helper0, "unknown helper 0");
	EXPECT_REJECT(pseudo, "call to another function");
	EXPECT_REJECT(store_ctx, "store through r1");
	EXPECT_REJECT(xadd_ctx, "store through r1");
	EXPECT_REJECT(map_ld, "map or global data");
	EXPECT_REJECT(helper_oob, "memory boundary violation");
	EXPECT_REJECT(no_ret, "undefined return value");
	CU_ASSERT(load(&p, oob, 0, NULL, why, sizeof(why)) == -EINVAL);
	CU_ASSERT(strstr(why, "no instructions") != NULL);
	many = calloc(BW_BPF_INSNS_MAX + 1, sizeof(*many));
	CU_ASSERT_FATAL(many != NULL);
	for (i = 0; i < BW_BPF_INSNS_MAX; i++)
		many[i] = MOV_K(0, 0);
	many[BW_BPF_INSNS_MAX] = EXIT;
	CU_ASSERT(load(&p, many, BW_BPF_INSNS_MAX + 1, NULL, why,
		       sizeof(why)) == -EINVAL);
	CU_ASSERT(strstr(why, "at most 4096") != NULL);
	/* the largest program allowed loads */
	many[BW_BPF_INSNS_MAX - 1] = EXIT;
	CU_ASSERT(load(&p, many, BW_BPF_INSNS_MAX, NULL, why, sizeof(why)) ==
		  0);
	bw_bpf_code_free(&p.code);
	free(many);
}

static void
test_accept_crafted(void)
{
	/* stores to the stack are fine, loads of the last context byte too */
	const struct bw_image_insn ok[] = {ST_W(10, -8, 7), LDX_B(2, 1, 639),
					   LDX_B(0, 10, -8), EXIT};
	struct bw_bpf_ctx *ctx = calloc(1, sizeof(*ctx));
	char why[BW_BPF_WHY_LEN];
	struct prog p = {.name = "ok"};

	CU_ASSERT_FATAL(ctx != NULL);
	CU_ASSERT_FATAL(load(&p, ok, NB(ok), NULL, why, sizeof(why)) == 0);
	CU_ASSERT(why[0] == '\0');
	CU_ASSERT(p.code.bpf != NULL);
	if (bw_bpf_jit_supported())
		CU_ASSERT_FATAL(p.code.jit != NULL);
	if (p.code.jit != NULL)
		CU_ASSERT(RUN(&p, ctx) == 7);
	CU_ASSERT(bw_bpf_code_interp(&p.code, ctx) == 7);
	bw_bpf_code_free(&p.code);
	CU_ASSERT(p.code.bpf == NULL && p.code.jit == NULL);
	/* want_jit 0: the interpreter only */
	CU_ASSERT_FATAL(bw_bpf_code_load(&p.code, ok, NB(ok), NULL, 0, why,
					 sizeof(why)) == 0);
	CU_ASSERT(p.code.jit == NULL);
	CU_ASSERT(bw_bpf_code_interp(&p.code, ctx) == 7);
	bw_bpf_code_free(&p.code);
	free(ctx);
}

/* A helper of our own: records what the program passed. */
static uint64_t seen_addr, seen_family, seen_how, seen_calls;

static uint64_t
spy_lookup(uint64_t addr, uint64_t family, uint64_t how, uint64_t a4,
	   uint64_t a5)
{
	(void)a4;
	(void)a5;
	seen_addr = addr;
	seen_family = family;
	seen_how = how;
	seen_calls++;
	return 42;
}

static void
test_helper_call(void)
{
	/* bw_list_lookup(ctx->dst, 6, SRC | DST) */
	const struct bw_image_insn call[] = {
		ADD_K(1, (int32_t)offsetof(struct bw_bpf_ctx, dst)),
		MOV_K(2, 6), MOV_K(3, 3), CALL(BW_BPF_HELPER_LIST_LOOKUP),
		EXIT};
	struct bw_bpf_helpers h = {
		.fn = {[BW_BPF_HELPER_LIST_LOOKUP] = spy_lookup}};
	struct bw_bpf_ctx *ctx = calloc(1, sizeof(*ctx));
	char why[BW_BPF_WHY_LEN];
	struct prog p = {.name = "call"};

	CU_ASSERT_FATAL(ctx != NULL);
	/* with the stub (bulwarkctl's verifier): no list */
	CU_ASSERT_FATAL(load(&p, call, NB(call), NULL, why, sizeof(why)) == 0);
	CU_ASSERT(bw_bpf_code_interp(&p.code, ctx) == (uint64_t)-1);
	if (p.code.jit != NULL)
		CU_ASSERT(RUN(&p, ctx) == (uint64_t)-1);
	bw_bpf_code_free(&p.code);
	/* with an implementation: the arguments arrive as the ABI says */
	CU_ASSERT_FATAL(load(&p, call, NB(call), &h, why, sizeof(why)) == 0);
	seen_calls = 0;
	CU_ASSERT(bw_bpf_code_interp(&p.code, ctx) == 42);
	CU_ASSERT(seen_calls == 1);
	CU_ASSERT(seen_addr == (uintptr_t)ctx->dst);
	CU_ASSERT(seen_family == 6 && seen_how == 3);
	if (p.code.jit != NULL) {
		seen_addr = 0;
		CU_ASSERT(RUN(&p, ctx) == 42);
		CU_ASSERT(seen_calls == 3);
		CU_ASSERT(seen_addr == (uintptr_t)ctx->dst);
	}
	bw_bpf_code_free(&p.code);
	free(ctx);
}

/* ------------------------------------------------------------ objects */

static void
expect_obj_at(int line, const char *sub, const char *name, const char *sec,
	      int err, const char *keyword)
{
	char path[PATH_MAX], why[CTL_BPFOBJ_WHY_LEN] = "";
	struct ctl_bpfobj_prog p;
	int r, ok;

	if (obj_path(path, sizeof(path), sub, name) == NULL) {
		skip(name);
		return;
	}
	r = ctl_bpfobj_load(path, sec, &p, why, sizeof(why));
	ok = err == 0 ? r == 0
		      : (r == err && strstr(why, keyword) != NULL &&
			 strncmp(why, path, strlen(path)) == 0);
	check_at(line, ok, "object loads or is refused as expected");
	if (!ok)
		fprintf(stderr, "\n  line %d: %s: got %d '%s', want %d '%s'",
			line, name, r, why, err, keyword);
	if (r == 0) {
		CU_ASSERT(p.nb_insns > 0 && p.insns != NULL);
		ctl_bpfobj_prog_free(&p);
	}
}

#define EXPECT_OBJ(sub, name, sec, err, kw)                                    \
	expect_obj_at(__LINE__, sub, name, sec, err, kw)

static void
test_objects(void)
{
	char path[PATH_MAX], why[CTL_BPFOBJ_WHY_LEN];
	struct ctl_bpfobj_prog p;

	EXPECT_OBJ("examples/bpf", "modbus_write", NULL, 0, "");
	EXPECT_OBJ("examples/bpf", "dnp3_restart", "bulwark", 0, "");
	EXPECT_OBJ("examples/bpf", "tcp_flags", NULL, 0, "");
	EXPECT_OBJ("examples/bpf", "tcp_flags", "other", -ENOENT,
		   ": no program in section 'other' (sections: bulwark)");
	EXPECT_OBJ("tests/bpf", "bad_oob", NULL, -EINVAL,
		   ": section bulwark: verifier: memory boundary violation");
	EXPECT_OBJ("tests/bpf", "bad_loop", NULL, -EINVAL,
		   ": section bulwark: verifier: loops detected");
	EXPECT_OBJ("tests/bpf", "bad_helper", NULL, -EINVAL,
		   ": section bulwark: verifier: insn 1: call to unknown "
		   "helper 6");
	EXPECT_OBJ("tests/bpf", "bad_store", NULL, -EINVAL,
		   "verifier: insn 1: store through r1");
	EXPECT_OBJ("tests/bpf", "bad_call", NULL, -EINVAL,
		   "call to another function of the object");
	EXPECT_OBJ("tests/bpf", "bad_maps", NULL, -ENOTSUP,
		   ": maps are not supported: seen");
	EXPECT_OBJ("tests/bpf", "bad_data", NULL, -ENOTSUP,
		   ": maps are not supported: bad_data.bss (global or static "
		   "data)");
	EXPECT_OBJ("tests/bpf", "two_progs", NULL, -EINVAL,
		   ": 3 programs (sections: bulwark, drop_all, lookup): "
		   "choose one with --section");
	EXPECT_OBJ("tests/bpf", "two_progs", "drop_all", 0, "");
	EXPECT_OBJ("tests/bpf", "two_progs", "lookup", 0, "");
	EXPECT_OBJ("tests/bpf", "two_progs", "nope", -ENOENT,
		   "no program in section 'nope' (sections: bulwark, "
		   "drop_all, lookup)");

	/* not objects at all */
	CU_ASSERT(ctl_bpfobj_read("/nonexistent/x.o", NULL, &p, why,
				  sizeof(why)) == -ENOENT);
	CU_ASSERT(strstr(why, "/nonexistent/x.o: No such file") != NULL);
	if (pcaps_dir(path, sizeof(path)) != NULL &&
	    strlen(path) + 32 < sizeof(path)) {
		strcat(path, "/ics/modbus_test.pcap");
		CU_ASSERT(ctl_bpfobj_read(path, NULL, &p, why, sizeof(why)) ==
			  -EINVAL);
		CU_ASSERT(strstr(why, "not an eBPF object") != NULL);
	}
}

/* ------------------------------------------------------------ frames */

/* A frame under construction: Ethernet, optional tag, IP, TCP/UDP. */
struct frame {
	uint8_t b[1600];
	uint32_t len;
};

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/*
 * IPv4 (ip6 0) or IPv6 frame, VLAN tag when vlan != 0, TCP (proto 6, with
 * flags) or UDP (17), from 198.51.100.7:40000 to 192.0.2.1:dport, payload.
 */
static void
frame_make(struct frame *f, int ip6, uint16_t vlan, uint8_t proto,
	   uint16_t dport, uint8_t tcp_flags, const uint8_t *pay, uint32_t plen)
{
	uint32_t o = 12, l4, l4len = proto == 6 ? 20 : 8;

	memset(f, 0, sizeof(*f));
	memset(f->b, 0x02, 12);
	if (vlan != 0) {
		put16(f->b + o, 0x8100);
		put16(f->b + o + 2, vlan);
		o += 4;
	}
	put16(f->b + o, ip6 ? 0x86dd : 0x0800);
	o += 2;
	if (ip6) {
		f->b[o] = 0x60;
		put16(f->b + o + 4, (uint16_t)(l4len + plen));
		f->b[o + 6] = proto;
		f->b[o + 7] = 64;
		f->b[o + 8] = 0x20; /* 2001:db8::7 -> 2001:db8::1 */
		f->b[o + 9] = 0x01;
		f->b[o + 10] = 0x0d;
		f->b[o + 11] = 0xb8;
		f->b[o + 23] = 7;
		memcpy(f->b + o + 24, f->b + o + 8, 15);
		f->b[o + 39] = 1;
		l4 = o + 40;
	} else {
		f->b[o] = 0x45;
		put16(f->b + o + 2, (uint16_t)(20 + l4len + plen));
		f->b[o + 8] = 64;
		f->b[o + 9] = proto;
		f->b[o + 12] = 198;
		f->b[o + 13] = 51;
		f->b[o + 14] = 100;
		f->b[o + 15] = 7;
		f->b[o + 16] = 192;
		f->b[o + 17] = 0;
		f->b[o + 18] = 2;
		f->b[o + 19] = 1;
		l4 = o + 20;
	}
	put16(f->b + l4, 40000);
	put16(f->b + l4 + 2, dport);
	if (proto == 6) {
		f->b[l4 + 12] = 5 << 4;
		f->b[l4 + 13] = tcp_flags;
	} else {
		put16(f->b + l4 + 4, (uint16_t)(8 + plen));
	}
	if (plen > 0)
		memcpy(f->b + l4 + l4len, pay, plen);
	f->len = l4 + l4len + plen;
	if (f->len < 60)
		f->len = 60; /* Ethernet padding */
}

/* The loaded examples, indexed EX_*. */
enum { EX_MODBUS, EX_DNP3, EX_FLAGS };
static const char *const ex_names[NB_EXAMPLES] = {"modbus_write",
						  "dnp3_restart", "tcp_flags"};
static struct prog ex[NB_EXAMPLES];
static int ex_loaded;

/* Load the examples once; 0 when they are not built. */
static int
examples_load(void)
{
	char path[PATH_MAX], why[CTL_BPFOBJ_WHY_LEN];
	struct ctl_bpfobj_prog op;
	int i;

	if (ex_loaded)
		return ex_loaded > 0;
	ex_loaded = -1;
	for (i = 0; i < NB_EXAMPLES; i++) {
		if (obj_path(path, sizeof(path), "examples/bpf", ex_names[i]) ==
		    NULL)
			return 0;
		if (ctl_bpfobj_load(path, NULL, &op, why, sizeof(why)) != 0) {
			fprintf(stderr, "\n  %s", why);
			CU_FAIL("example does not load");
			return 0;
		}
		snprintf(ex[i].name, sizeof(ex[i].name), "%s", ex_names[i]);
		if (load(&ex[i], op.insns, op.nb_insns, NULL, why,
			 sizeof(why)) != 0) {
			fprintf(stderr, "\n  %s: %s", ex_names[i], why);
			CU_FAIL("example does not load");
			ctl_bpfobj_prog_free(&op);
			return 0;
		}
		ctl_bpfobj_prog_free(&op);
		if (bw_bpf_jit_supported() && ex[i].code.jit == NULL) {
			CU_FAIL("example not JIT-compiled");
			return 0;
		}
	}
	ex_loaded = 1;
	return 1;
}

static void
examples_free(void)
{
	int i;

	for (i = 0; i < NB_EXAMPLES; i++)
		bw_bpf_code_free(&ex[i].code);
	ex_loaded = 0;
}

/* Verdict of example e on frame f arriving in direction dir. */
static uint64_t
verdict_at(int line, int e, const struct frame *f, uint8_t dir)
{
	static struct bw_bpf_ctx ctx;
	struct dp_pkt pk;

	dp_decode(f->b, f->len, f->len, dir, &pk);
	dp_bpf_ctx_fill(&ctx, f->b, f->len, f->len, &pk);
	if (ex[e].code.jit == NULL)
		return bw_bpf_code_interp(&ex[e].code, &ctx);
	return run_both_at(line, &ex[e], &ctx);
}

#define VERDICT(e, f, dir) verdict_at(__LINE__, (e), (f), (dir))

static void
test_modbus_crafted(void)
{
	uint8_t req[12] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x06,
			   0x01, 0x00, 0x00, 0x10, 0x00, 0x01};
	struct frame f;
	unsigned int fc;
	int write;

	if (!examples_load() && skip("examples not built"))
		return;
	for (fc = 0; fc < 256; fc++) {
		req[7] = (uint8_t)fc;
		write = fc == 5 || fc == 6 || fc == 15 || fc == 16 ||
			fc == 22 || fc == 23;
		frame_make(&f, 0, 0, 6, 502, 0x18, req, sizeof(req));
		CU_ASSERT(VERDICT(EX_MODBUS, &f, BW_BPF_DIR_INBOUND) ==
			  (write ? BW_BPF_DROP : BW_BPF_CONTINUE));
		/* from the inside: never */
		CU_ASSERT(VERDICT(EX_MODBUS, &f, BW_BPF_DIR_OUTBOUND) ==
			  BW_BPF_CONTINUE);
		/* IPv6 and VLAN-tagged alike */
		frame_make(&f, 1, 0, 6, 502, 0x18, req, sizeof(req));
		CU_ASSERT(VERDICT(EX_MODBUS, &f, BW_BPF_DIR_INBOUND) ==
			  (write ? BW_BPF_DROP : BW_BPF_CONTINUE));
		frame_make(&f, 0, 100, 6, 502, 0x18, req, sizeof(req));
		CU_ASSERT(VERDICT(EX_MODBUS, &f, BW_BPF_DIR_INBOUND) ==
			  (write ? BW_BPF_DROP : BW_BPF_CONTINUE));
	}
	req[7] = 6;
	/* other port, UDP, protocol id not 0, MBAP cut short: not Modbus */
	frame_make(&f, 0, 0, 6, 503, 0x18, req, sizeof(req));
	CU_ASSERT(VERDICT(EX_MODBUS, &f, 0) == BW_BPF_CONTINUE);
	frame_make(&f, 0, 0, 17, 502, 0, req, sizeof(req));
	CU_ASSERT(VERDICT(EX_MODBUS, &f, 0) == BW_BPF_CONTINUE);
	req[3] = 1;
	frame_make(&f, 0, 0, 6, 502, 0x18, req, sizeof(req));
	CU_ASSERT(VERDICT(EX_MODBUS, &f, 0) == BW_BPF_CONTINUE);
	req[3] = 0;
	frame_make(&f, 0, 0, 6, 502, 0x18, req, 7);
	/* Ethernet padding holds a 6 after the payload: still not Modbus */
	f.b[14 + 20 + 20 + 7] = 6;
	CU_ASSERT(VERDICT(EX_MODBUS, &f, 0) == BW_BPF_CONTINUE);
	frame_make(&f, 0, 0, 6, 502, 0x18, req, 8);
	CU_ASSERT(VERDICT(EX_MODBUS, &f, 0) == BW_BPF_DROP);
}

static void
test_dnp3_crafted(void)
{
	/* link: start, len 11 (5 + 6 user data), ctrl DIR|PRM|unconfirmed
	 * data, dst 10, src 1, CRC; transport FIN|FIR; app ctrl; FC */
	uint8_t fr[18] = {0x05, 0x64, 0x0b, 0xc4, 0x0a, 0x00, 0x01, 0x00, 0xaa,
			  0xbb, 0xc0, 0xc1, 0x0d, 0x00, 0x00, 0x00, 0x11, 0x22};
	struct frame f;
	unsigned int fc;
	int restart;

	if (!examples_load() && skip("examples not built"))
		return;
	for (fc = 0; fc < 256; fc++) {
		fr[12] = (uint8_t)fc;
		restart = fc == 13 || fc == 14;
		frame_make(&f, 0, 0, 6, 20000, 0x18, fr, sizeof(fr));
		CU_ASSERT(VERDICT(EX_DNP3, &f, 0) ==
			  (restart ? BW_BPF_DROP : BW_BPF_CONTINUE));
		frame_make(&f, 0, 0, 17, 20000, 0, fr, sizeof(fr));
		CU_ASSERT(VERDICT(EX_DNP3, &f, 0) ==
			  (restart ? BW_BPF_DROP : BW_BPF_CONTINUE));
		CU_ASSERT(VERDICT(EX_DNP3, &f, 1) == BW_BPF_CONTINUE);
	}
	fr[12] = 13;
	frame_make(&f, 1, 0, 6, 20000, 0x18, fr, sizeof(fr));
	CU_ASSERT(VERDICT(EX_DNP3, &f, 0) == BW_BPF_DROP);
	fr[10] = 0x81; /* not the first segment: no application header */
	frame_make(&f, 0, 0, 6, 20000, 0x18, fr, sizeof(fr));
	CU_ASSERT(VERDICT(EX_DNP3, &f, 0) == BW_BPF_CONTINUE);
	fr[10] = 0xc0;
	fr[3] = 0x80; /* secondary frame: a link-layer ACK, no user data */
	frame_make(&f, 0, 0, 6, 20000, 0x18, fr, sizeof(fr));
	CU_ASSERT(VERDICT(EX_DNP3, &f, 0) == BW_BPF_CONTINUE);
	fr[3] = 0xc9; /* primary, request link status: no user data */
	frame_make(&f, 0, 0, 6, 20000, 0x18, fr, sizeof(fr));
	CU_ASSERT(VERDICT(EX_DNP3, &f, 0) == BW_BPF_CONTINUE);
	fr[3] = 0xc3; /* primary, confirmed user data */
	frame_make(&f, 0, 0, 6, 20000, 0x18, fr, sizeof(fr));
	CU_ASSERT(VERDICT(EX_DNP3, &f, 0) == BW_BPF_DROP);
	fr[2] = 7; /* length too short to hold the function code */
	frame_make(&f, 0, 0, 6, 20000, 0x18, fr, sizeof(fr));
	CU_ASSERT(VERDICT(EX_DNP3, &f, 0) == BW_BPF_CONTINUE);
	fr[2] = 0x0b;
	fr[1] = 0x65; /* not a DNP3 start */
	frame_make(&f, 0, 0, 6, 20000, 0x18, fr, sizeof(fr));
	CU_ASSERT(VERDICT(EX_DNP3, &f, 0) == BW_BPF_CONTINUE);
	fr[1] = 0x64;
	frame_make(&f, 0, 0, 6, 20000, 0x18, fr, 12); /* cut before the FC */
	CU_ASSERT(VERDICT(EX_DNP3, &f, 0) == BW_BPF_CONTINUE);
	frame_make(&f, 0, 0, 6, 20001, 0x18, fr, sizeof(fr));
	CU_ASSERT(VERDICT(EX_DNP3, &f, 0) == BW_BPF_CONTINUE);
}

static void
test_flags_crafted(void)
{
	struct frame f;
	unsigned int fl;
	int bad;

	if (!examples_load() && skip("examples not built"))
		return;
	for (fl = 0; fl < 256; fl++) {
		bad = (fl & 0x03) == 0x03 || (fl & 0x3f) == 0 ||
		      (fl & 0x29) == 0x29;
		frame_make(&f, 0, 0, 6, 80, (uint8_t)fl, NULL, 0);
		CU_ASSERT(VERDICT(EX_FLAGS, &f, 0) ==
			  (bad ? BW_BPF_DROP : BW_BPF_CONTINUE));
		CU_ASSERT(VERDICT(EX_FLAGS, &f, 1) ==
			  (bad ? BW_BPF_DROP : BW_BPF_CONTINUE));
		frame_make(&f, 1, 7, 6, 443, (uint8_t)fl, NULL, 0);
		CU_ASSERT(VERDICT(EX_FLAGS, &f, 0) ==
			  (bad ? BW_BPF_DROP : BW_BPF_CONTINUE));
	}
	/* UDP has no flags; a later IPv4 fragment has no TCP header */
	frame_make(&f, 0, 0, 17, 53, 0, NULL, 0);
	CU_ASSERT(VERDICT(EX_FLAGS, &f, 0) == BW_BPF_CONTINUE);
	frame_make(&f, 0, 0, 6, 80, 0, NULL, 0);
	f.b[14 + 6] = 0x00;
	f.b[14 + 7] = 0x10; /* offset 128 bytes */
	CU_ASSERT(VERDICT(EX_FLAGS, &f, 0) == BW_BPF_CONTINUE);
}

/* ------------------------------------------------------------ oracle */

/*
 * What the examples should drop, worked out here from the frame bytes
 * without the decoder or the context: Ethernet, up to two VLAN tags,
 * IPv4 (not a later fragment) or IPv6 without extension headers, TCP or
 * UDP whose header is all in the capture. A frame the oracle cannot
 * parse counts for nothing.
 */
struct oracle {
	int ok;	       /* parsed down to L4 */
	uint8_t proto; /* 6 or 17 */
	uint16_t dport;
	uint8_t flags;	    /* TCP */
	const uint8_t *pay; /* L4 payload */
	uint32_t plen;	    /* its bytes, bounded by the IP length */
};

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static struct oracle
oracle_parse(const uint8_t *b, uint32_t caplen)
{
	struct oracle o = {0};
	uint32_t off = 12, l4, hl, end;
	uint16_t et;
	int tags = 0;

	if (caplen < 14)
		return o;
	et = be16(b + 12);
	while ((et == 0x8100 || et == 0x88a8) && tags < 2 &&
	       off + 6 <= caplen) {
		et = be16(b + off + 4);
		off += 4;
		tags++;
	}
	off += 2;
	if (et == 0x0800 && off + 20 <= caplen && (b[off] >> 4) == 4) {
		hl = (uint32_t)(b[off] & 0x0f) * 4;
		if ((be16(b + off + 6) & 0x1fff) != 0 || hl < 20)
			return o;
		o.proto = b[off + 9];
		end = off + be16(b + off + 2);
		l4 = off + hl;
	} else if (et == 0x86dd && off + 40 <= caplen && (b[off] >> 4) == 6) {
		o.proto = b[off + 6];
		end = off + 40 + be16(b + off + 4);
		l4 = off + 40;
	} else {
		return o;
	}
	if (end > caplen)
		end = caplen;
	if (o.proto == 6 && l4 + 20 <= end) {
		hl = (uint32_t)(b[l4 + 12] >> 4) * 4;
		if (hl < 20 || l4 + hl > end)
			return o;
		o.flags = b[l4 + 13];
	} else if (o.proto == 17 && l4 + 8 <= end) {
		hl = 8;
	} else {
		return o;
	}
	o.dport = be16(b + l4 + 2);
	o.pay = b + l4 + hl;
	o.plen = end - l4 - hl;
	o.ok = 1;
	return o;
}

/* Modbus/TCP write request: port 502, protocol id 0, FC at byte 7. */
static int
oracle_modbus(const struct oracle *o)
{
	uint8_t fc;

	if (!o->ok || o->proto != 6 || o->dport != 502 || o->plen < 8 ||
	    be16(o->pay + 2) != 0)
		return 0;
	fc = o->pay[7];
	return fc == 5 || fc == 6 || fc == 15 || fc == 16 || fc == 22 ||
	       fc == 23;
}

/* DNP3 restart request: frame header, user data, FIR, FC 13 or 14. */
static int
oracle_dnp3(const struct oracle *o)
{
	const uint8_t *p = o->pay;

	if (!o->ok || o->dport != 20000 || o->plen < 13 || p[0] != 0x05 ||
	    p[1] != 0x64 || p[2] < 8 || !(p[3] & 0x40) ||
	    ((p[3] & 0x0f) != 3 && (p[3] & 0x0f) != 4) || !(p[10] & 0x40))
		return 0;
	return p[12] == 13 || p[12] == 14;
}

static int
oracle_flags(const struct oracle *o)
{
	uint8_t f = o->flags;

	if (!o->ok || o->proto != 6)
		return 0;
	return (f & 0x03) == 0x03 || (f & 0x3f) == 0 || (f & 0x29) == 0x29;
}

/* Per example: packets run, dropped by JIT and by the oracle. */
struct tally {
	unsigned long pkts, files, mismatch;
	unsigned long drops[NB_EXAMPLES][2]; /* [dir] */
	unsigned long expect[NB_EXAMPLES];   /* inbound */
	unsigned long expect_ics[NB_EXAMPLES];
	unsigned long drops_ics[NB_EXAMPLES];
};

static void
run_capture(const char *path, struct bw_bpf_ctx *ctx, struct tally *t)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	struct oracle o;
	struct dp_pkt pk;
	unsigned long n = 0;
	uint64_t a, b;
	int ics = strstr(path, "/ics/") != NULL, e, want[NB_EXAMPLES];
	uint8_t dir;
	pcap_t *pc;

	pc = pcap_open_offline(path, errbuf);
	if (pc == NULL) {
		fprintf(stderr, "\n  %s: %s", path, errbuf);
		CU_FAIL("capture does not open");
		return;
	}
	while (pcap_next_ex(pc, &h, &data) == 1) {
		n++;
		o = oracle_parse(data, h->caplen);
		want[EX_MODBUS] = oracle_modbus(&o);
		want[EX_DNP3] = oracle_dnp3(&o);
		want[EX_FLAGS] = oracle_flags(&o);
		for (e = 0; e < NB_EXAMPLES; e++) {
			t->expect[e] += (unsigned long)want[e];
			if (ics)
				t->expect_ics[e] += (unsigned long)want[e];
		}
		for (dir = 0; dir < 2; dir++) {
			dp_decode(data, h->caplen, h->len, dir, &pk);
			dp_bpf_ctx_fill(ctx, data, h->caplen, h->len, &pk);
			for (e = 0; e < NB_EXAMPLES; e++) {
				a = ex[e].code.jit != NULL
					    ? ex[e].code.jit(ctx)
					    : bw_bpf_code_interp(&ex[e].code,
								 ctx);
				b = bw_bpf_code_interp(&ex[e].code, ctx);
				if (a != b) {
					t->mismatch++;
					fprintf(stderr,
						"\n  %s packet %lu dir %u: %s "
						"JIT %llu, interpreter %llu",
						path, n, dir, ex_names[e],
						(unsigned long long)a,
						(unsigned long long)b);
				}
				if (a != BW_BPF_DROP)
					continue;
				t->drops[e][dir]++;
				if (ics && dir == 0)
					t->drops_ics[e]++;
				if (dir == 0 && !want[e])
					fprintf(stderr,
						"\n  %s packet %lu: %s drops, "
						"the oracle does not",
						path, n, ex_names[e]);
			}
			if (dir == 0)
				for (e = 0; e < NB_EXAMPLES; e++)
					if (want[e] && ex[e].code.jit != NULL &&
					    ex[e].code.jit(ctx) != BW_BPF_DROP)
						fprintf(stderr,
							"\n  %s packet %lu: "
							"the oracle drops, "
							"%s does not",
							path, n, ex_names[e]);
		}
	}
	CU_ASSERT(n > 0);
	t->pkts += n;
	t->files++;
	pcap_close(pc);
}

static void
run_captures_in(const char *dir, int depth, struct bw_bpf_ctx *ctx,
		struct tally *t)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;

	d = opendir(dir);
	if (d == NULL) {
		CU_FAIL("cannot open capture folder");
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
		    (int)sizeof(path))
			continue;
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode) && depth > 0)
			run_captures_in(path, depth - 1, ctx, t);
		else if (S_ISREG(st.st_mode))
			run_capture(path, ctx, t);
	}
	closedir(d);
}

static void
test_captures(void)
{
	struct tally t;
	struct bw_bpf_ctx *ctx;
	char dir[PATH_MAX];
	int e;

	if (!examples_load() && skip("examples not built"))
		return;
	if (pcaps_dir(dir, sizeof(dir)) == NULL) {
		fprintf(stderr, "\n  no tests/data/pcaps: pass DATA_DIR");
		CU_FAIL_FATAL("test data not found");
	}
	memset(&t, 0, sizeof(t));
	/* a heap block of exactly one context: ASan sees any overrun */
	ctx = malloc(sizeof(*ctx));
	CU_ASSERT_FATAL(ctx != NULL);
	memset(ctx, 0xa5, sizeof(*ctx));
	run_captures_in(dir, 1, ctx, &t);
	free(ctx);
	fprintf(stderr,
		"\n  %lu captures, %lu packets, both directions:", t.files,
		t.pkts);
	for (e = 0; e < NB_EXAMPLES; e++)
		fprintf(stderr,
			"\n    %-13s drops %lu inbound (oracle %lu; ics %lu, "
			"oracle %lu), %lu outbound",
			ex_names[e], t.drops[e][0], t.expect[e], t.drops_ics[e],
			t.expect_ics[e], t.drops[e][1]);
	fprintf(stderr, "\n  ");
	CU_ASSERT(t.files >= 2 && t.pkts > 9000);
	CU_ASSERT(t.mismatch == 0);
	for (e = 0; e < NB_EXAMPLES; e++)
		CU_ASSERT(t.drops[e][0] == t.expect[e]);
	/* the ICS captures hold writes and restarts to find */
	CU_ASSERT(t.expect_ics[EX_MODBUS] == 71);
	CU_ASSERT(t.expect_ics[EX_DNP3] == 5);
	CU_ASSERT(t.drops_ics[EX_MODBUS] == t.expect_ics[EX_MODBUS]);
	CU_ASSERT(t.drops_ics[EX_DNP3] == t.expect_ics[EX_DNP3]);
	/* from the inside, writes and restarts are not dropped */
	CU_ASSERT(t.drops[EX_MODBUS][1] == 0);
	CU_ASSERT(t.drops[EX_DNP3][1] == 0);
	/* flags are judged the same way in both directions */
	CU_ASSERT(t.drops[EX_FLAGS][1] == t.drops[EX_FLAGS][0]);
}

/* ------------------------------------------------------------ context */

static void
test_ctx_fill(void)
{
	uint8_t big[700];
	struct bw_bpf_ctx *c = malloc(sizeof(*c));
	struct frame f;
	struct dp_pkt pk;
	uint32_t i;

	CU_ASSERT_FATAL(c != NULL);
	memset(c, 0xee, sizeof(*c));
	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)i;
	frame_make(&f, 0, 0x123, 6, 502, 0x18, big, 200);
	dp_decode(f.b, f.len, f.len, DP_DIR_OUTBOUND, &pk);
	dp_bpf_ctx_fill(c, f.b, f.len, f.len, &pk);
	CU_ASSERT(c->pkt_len == f.len && c->data_len == f.len);
	CU_ASSERT(c->l3 == BW_BPF_L3_IPV4 && c->l4_proto == BW_IPPROTO_TCP);
	CU_ASSERT(c->dir == BW_BPF_DIR_OUTBOUND);
	CU_ASSERT(c->nb_vlan == 1 && c->vlan[0] == 0x123);
	CU_ASSERT(c->l3_off == 18 && c->l4_off == 38 && c->payload_off == 58);
	CU_ASSERT(c->payload_len == 200 && c->ttl == 64);
	CU_ASSERT(c->sport == 40000 && c->dport == 502);
	CU_ASSERT(c->tcp_flags == 0x18 && (c->flags & BW_BPF_F_L4));
	CU_ASSERT(c->src[0] == 198 && c->src[3] == 7 && c->dst[0] == 192);
	CU_ASSERT(c->reserved0 == 0 && c->reserved1 == 0);
	CU_ASSERT(c->reserved2[0] == 0 && c->reserved3[31] == 0);
	CU_ASSERT(memcmp(c->data, f.b, f.len) == 0);
	/* the rest of the window is left as it was */
	CU_ASSERT(c->data[f.len] == 0xee && c->data[511] == 0xee);
	/* a frame longer than the window: its first 512 bytes */
	frame_make(&f, 0, 0, 17, 9, 0, big, sizeof(big));
	dp_decode(f.b, f.len, f.len, 0, &pk);
	dp_bpf_ctx_fill(c, f.b, f.len, f.len, &pk);
	CU_ASSERT(c->data_len == BW_BPF_DATA_MAX && c->pkt_len == f.len);
	CU_ASSERT(memcmp(c->data, f.b, BW_BPF_DATA_MAX) == 0);
	CU_ASSERT(c->payload_len == sizeof(big));
	/* data_len is what the first segment holds, pkt_len the frame */
	dp_bpf_ctx_fill(c, f.b, 100, f.len, &pk);
	CU_ASSERT(c->data_len == 100 && c->pkt_len == f.len);
	free(c);
}

/* ------------------------------------------------------------ image */

static void
meta_init(struct ctl_image_meta *m, uint64_t gen, uint64_t parent)
{
	memset(m, 0, sizeof(*m));
	m->generation = gen;
	m->parent_gen = parent;
	m->creator_uid = 1000;
	m->created_ns = 1737133427000000000ull;
	snprintf(m->comment, sizeof(m->comment), "bpf test");
}

/* Three programs with distinct code; one list so the image has LISTS. */
static void
ruleset_with_progs(struct ctl_ruleset *rs)
{
	struct bw_image_insn code[4] = {MOV_K(0, 0), EXIT, EXIT, EXIT};
	uint32_t order;

	memset(rs, 0, sizeof(*rs));
	CU_ASSERT_FATAL(ctl_ruleset_add_list(rs, "l", BW_ACTION_DROP,
					     BW_MATCH_ANY, NULL) == 0);
	code[0] = MOV_K(0, 1);
	CU_ASSERT_FATAL(ctl_ruleset_put_prog(rs, "one", code, 2, NULL) == 0);
	code[0] = MOV_K(0, 2);
	CU_ASSERT_FATAL(ctl_ruleset_put_prog(rs, "two", code, 2, NULL) == 0);
	code[0] = MOV_K(0, 3);
	order = 5;
	CU_ASSERT_FATAL(ctl_ruleset_put_prog(rs, "first", code, 3, &order) ==
			0);
}

static const struct bw_image_section *
sec_of(const uint8_t *img, uint32_t type)
{
	const struct bw_image_hdr *h = (const struct bw_image_hdr *)img;
	const struct bw_image_section *s =
		(const struct bw_image_section *)(img + h->section_off);
	uint32_t i;

	for (i = 0; i < h->nb_sections; i++)
		if (s[i].type == type)
			return &s[i];
	return NULL;
}

static void
recrc(uint8_t *img)
{
	struct bw_image_hdr *h = (struct bw_image_hdr *)img;

	h->crc32c = bw_crc32c(0, img + h->hdr_size, h->size - h->hdr_size);
}

/* A copy of img with one change to program entry k, validated. */
static void
prog_case_at(int line, const uint8_t *img, size_t len, uint32_t k,
	     size_t field_off, const void *val, size_t val_len,
	     const char *keyword)
{
	char why[BW_IMAGE_WHY_LEN] = "";
	struct bw_image_view v;
	uint8_t *b = aligned_alloc(64, (len + 63) & ~(size_t)63);
	const struct bw_image_section *s;
	int r, ok;

	CU_ASSERT_FATAL(b != NULL);
	memcpy(b, img, len);
	s = sec_of(b, BW_SEC_BPF);
	CU_ASSERT_FATAL(s != NULL);
	if (s == NULL)
		abort(); /* not reached: the assertion jumped out */
	memcpy(b + s->off + k * sizeof(struct bw_image_bpf) + field_off, val,
	       val_len);
	recrc(b);
	r = bw_image_validate(b, len, &v, why, sizeof(why));
	ok = r == -EINVAL && strstr(why, keyword) != NULL;
	check_at(line, ok, "program entry refused with the expected reason");
	if (!ok)
		fprintf(stderr, "\n  line %d: got %d '%s', want '%s'", line, r,
			why, keyword);
	free(b);
}

#define PROG_CASE(img, len, k, field, v, kw)                                   \
	do {                                                                   \
		__typeof__(((struct bw_image_bpf *)0)->field) val_ = (v);      \
		prog_case_at(__LINE__, img, len, k,                            \
			     offsetof(struct bw_image_bpf, field), &val_,      \
			     sizeof(val_), kw);                                \
	} while (0)

static void
test_image_programs(void)
{
	struct ctl_ruleset rs, back;
	struct ctl_image_meta m;
	struct bw_image_view v;
	char why[BW_IMAGE_WHY_LEN];
	void *img = NULL, *delta = NULL;
	uint8_t name[BW_BPF_NAME_LEN];
	size_t len = 0, dlen = 0;

	ruleset_with_progs(&rs);
	CU_ASSERT(rs.nb_progs == 3);
	CU_ASSERT(strcmp(rs.progs[0].name, "first") == 0 &&
		  rs.progs[0].order == 5);
	CU_ASSERT(strcmp(rs.progs[1].name, "one") == 0 &&
		  rs.progs[1].order == CTL_PROG_ORDER_STEP);
	CU_ASSERT(rs.progs[2].order == 2 * CTL_PROG_ORDER_STEP);
	meta_init(&m, 7, 6);
	CU_ASSERT_FATAL(ctl_image_write_full(&rs, &m, &img, &len) == 0);
	CU_ASSERT_FATAL(bw_image_validate(img, len, &v, why, sizeof(why)) == 0);
	CU_ASSERT(v.nb_progs == 3 && v.nb_insns == 7);
	CU_ASSERT(v.progs[1].insn_first == 3 && v.progs[2].insn_first == 5);
	CU_ASSERT(v.progs[0].ctx_size == sizeof(struct bw_bpf_ctx));
	CU_ASSERT(v.insns[0].imm == 3 && v.insns[3].imm == 1);
	/* read back: the same programs */
	CU_ASSERT_FATAL(
		ctl_image_read(img, len, &back, NULL, why, sizeof(why)) == 0);
	CU_ASSERT(ctl_ruleset_progs_equal(&rs, &back));
	CU_ASSERT(back.generation == 7);
	ctl_ruleset_free(&back);

	/* refusals, each on a copy */
	PROG_CASE(img, len, 1, order, 5, "program orders not ascending at 1");
	PROG_CASE(img, len, 2, order, 10, "not ascending at 2");
	PROG_CASE(img, len, 0, nb_insns, 0,
		  "program 0 ('first'): 0 "
		  "instructions");
	PROG_CASE(img, len, 0, nb_insns, BW_BPF_INSNS_MAX + 1,
		  "4097 instructions");
	PROG_CASE(img, len, 1, nb_insns, 1,
		  "program 2 ('two'): insn_first 5, want 4");
	PROG_CASE(img, len, 2, nb_insns, 3,
		  "program ranges cover 8 instructions, the bpf_insns "
		  "section has 7");
	PROG_CASE(img, len, 1, insn_first, 2, "insn_first 2, want 3");
	PROG_CASE(img, len, 2, ctx_size, 512,
		  "verified for a context of 512 bytes, this dataplane has "
		  "640");
	PROG_CASE(img, len, 2, reserved[3], 1, "('two'): reserved not zero");
	memset(name, 0, sizeof(name));
	memcpy(name, "one", 3);
	prog_case_at(__LINE__, img, len, 2, 0, name, sizeof(name),
		     "program 2: duplicate name 'one' (also program 1)");
	name[0] = '\0';
	prog_case_at(__LINE__, img, len, 0, 0, name, 1,
		     "program 0: empty name");
	memcpy(name, "a b", 4);
	prog_case_at(__LINE__, img, len, 0, 0, name, 4,
		     "name has character 0x20 at 1");
	memset(name, 'x', sizeof(name));
	prog_case_at(__LINE__, img, len, 0, 0, name, sizeof(name),
		     "program 0: name not NUL terminated");
	memset(name, 0, sizeof(name));
	name[5] = 'z';
	memcpy(name, "ab", 2);
	prog_case_at(__LINE__, img, len, 0, 0, name, sizeof(name),
		     "name byte 5 after the NUL not zero");

	/* a DELTA image never carries programs, and keeps those in force */
	meta_init(&m, 8, 7);
	CU_ASSERT_FATAL(
		ctl_image_write_delta(&rs, NULL, 0, &m, &delta, &dlen) == 0);
	CU_ASSERT_FATAL(bw_image_validate(delta, dlen, &v, why, sizeof(why)) ==
			0);
	CU_ASSERT(v.nb_progs == 0 && v.progs == NULL && v.insns == NULL);
	CU_ASSERT(sec_of(delta, BW_SEC_BPF) == NULL);
	free(delta);
	/* a DELTA with a program section, or instructions without a table */
	{
		uint8_t *b = aligned_alloc(64, (len + 63) & ~(size_t)63);
		struct bw_image_hdr *h = (struct bw_image_hdr *)b;
		const struct bw_image_section *last;
		struct bw_image_section *s;

		CU_ASSERT_FATAL(b != NULL);
		memcpy(b, img, len);
		h->kind = BW_IMAGE_DELTA;
		/* FULL's prefix sections are absent here: only BPF remains */
		recrc(b);
		CU_ASSERT(bw_image_validate(b, len, &v, why, sizeof(why)) ==
			  -EINVAL);
		CU_ASSERT(strstr(why, "delta image has a bpf section") != NULL);
		/* drop the table's BPF entry: the last one takes its place */
		memcpy(b, img, len);
		s = (struct bw_image_section *)(uintptr_t)sec_of(b, BW_SEC_BPF);
		last = sec_of(b, BW_SEC_BPF_INSNS);
		if (s == NULL || last == NULL)
			abort(); /* the writer made both: checked above */
		*s = *last;
		h->nb_sections--;
		recrc(b);
		CU_ASSERT(bw_image_validate(b, len, &v, why, sizeof(why)) ==
			  -EINVAL);
		CU_ASSERT(strstr(why, "bpf_insns section without a bpf "
				      "section") != NULL);
		free(b);
	}
	free(img);

	/* no programs: no program sections at all (images stay as before) */
	ctl_ruleset_free(&rs);
	memset(&rs, 0, sizeof(rs));
	CU_ASSERT_FATAL(ctl_ruleset_add_list(&rs, "l", BW_ACTION_DROP,
					     BW_MATCH_ANY, NULL) == 0);
	meta_init(&m, 1, 0);
	CU_ASSERT_FATAL(ctl_image_write_full(&rs, &m, &img, &len) == 0);
	CU_ASSERT(sec_of(img, BW_SEC_BPF) == NULL);
	CU_ASSERT(sec_of(img, BW_SEC_BPF_INSNS) == NULL);
	CU_ASSERT(((struct bw_image_hdr *)img)->nb_sections == 1);
	free(img);
	ctl_ruleset_free(&rs);
}

/* ------------------------------------------------------------ model */

static void
test_model(void)
{
	struct bw_image_insn code[2] = {MOV_K(0, 0), EXIT};
	struct ctl_ruleset rs, cur;
	struct ctl_delta_entry *d;
	uint32_t order, i;
	size_t nb;
	char name[16];

	memset(&rs, 0, sizeof(rs));
	CU_ASSERT(ctl_ruleset_put_prog(&rs, "bad name", code, 2, NULL) ==
		  -EINVAL);
	CU_ASSERT(ctl_ruleset_put_prog(&rs, "x", code, 0, NULL) == -EINVAL);
	CU_ASSERT(ctl_ruleset_put_prog(&rs, "a", code, 2, NULL) == 0);
	CU_ASSERT(ctl_ruleset_put_prog(&rs, "b", code, 2, NULL) == 0);
	CU_ASSERT(ctl_ruleset_put_prog(&rs, "c", code, 2, NULL) == 0);
	CU_ASSERT(rs.progs[0].order == 10 && rs.progs[2].order == 30);
	/* --order of a taken place: that one and the later ones move down */
	order = 20;
	CU_ASSERT(ctl_ruleset_put_prog(&rs, "d", code, 2, &order) == 0);
	CU_ASSERT(strcmp(rs.progs[1].name, "d") == 0 &&
		  rs.progs[1].order == 20);
	CU_ASSERT(strcmp(rs.progs[2].name, "b") == 0 &&
		  rs.progs[2].order == 21);
	CU_ASSERT(rs.progs[3].order == 31);
	/* replacing keeps the order unless one is given */
	code[0] = MOV_K(0, 2);
	CU_ASSERT(ctl_ruleset_put_prog(&rs, "a", code, 2, NULL) == 0);
	CU_ASSERT(strcmp(rs.progs[0].name, "a") == 0 &&
		  rs.progs[0].order == 10 && rs.progs[0].insns[0].imm == 2);
	order = 100;
	CU_ASSERT(ctl_ruleset_put_prog(&rs, "a", code, 2, &order) == 0);
	CU_ASSERT(strcmp(rs.progs[3].name, "a") == 0);
	/* moving onto its own place is no clash */
	CU_ASSERT(ctl_ruleset_put_prog(&rs, "a", code, 2, &order) == 0);
	CU_ASSERT(rs.progs[2].order == 31 && rs.progs[3].order == 100);
	/* copies: equal, then not */
	CU_ASSERT_FATAL(ctl_ruleset_dup(&cur, &rs) == 0);
	CU_ASSERT(cur.progs[0].insns != rs.progs[0].insns);
	CU_ASSERT(ctl_ruleset_progs_equal(&rs, &cur));
	CU_ASSERT(ctl_txn_plan(&rs, &cur, 0, 100, &d, &nb) == CTL_PLAN_NOOP);
	cur.progs[1].insns[0].imm = 9;
	CU_ASSERT(!ctl_ruleset_progs_equal(&rs, &cur));
	CU_ASSERT(ctl_txn_plan(&rs, &cur, 0, 100, &d, &nb) == CTL_PLAN_FULL);
	CU_ASSERT(d == NULL);
	cur.progs[1].insns[0].imm = rs.progs[1].insns[0].imm;
	CU_ASSERT(ctl_ruleset_del_prog(&cur, "d") == 0);
	CU_ASSERT(ctl_ruleset_del_prog(&cur, "d") == -ENOENT);
	CU_ASSERT(cur.nb_progs == 3);
	CU_ASSERT(ctl_txn_plan(&rs, &cur, 0, 100, &d, &nb) == CTL_PLAN_FULL);
	ctl_ruleset_free(&cur);
	/* order overflow, and the most programs a ruleset holds */
	order = UINT32_MAX;
	CU_ASSERT(ctl_ruleset_put_prog(&rs, "z", code, 2, &order) == 0);
	CU_ASSERT(ctl_ruleset_put_prog(&rs, "y", code, 2, NULL) == -ERANGE);
	CU_ASSERT(ctl_ruleset_put_prog(&rs, "y", code, 2, &order) == -ERANGE);
	for (i = rs.nb_progs; i < BW_BPF_MAX; i++) {
		snprintf(name, sizeof(name), "p%u", i);
		order = 1000 + i;
		CU_ASSERT(ctl_ruleset_put_prog(&rs, name, code, 2, &order) ==
			  0);
	}
	CU_ASSERT(rs.nb_progs == BW_BPF_MAX);
	order = 7;
	CU_ASSERT(ctl_ruleset_put_prog(&rs, "one-more", code, 2, &order) ==
		  -ENOSPC);
	/* replacing one of the sixteen still works */
	CU_ASSERT(ctl_ruleset_put_prog(&rs, "p10", code, 1, NULL) == 0);
	ctl_ruleset_free(&rs);
	CU_ASSERT(rs.nb_progs == 0);
}

static const struct bw_cunit_test tests[] = {
	{"verifier rejects crafted code", test_reject_crafted},
	{"verifier accepts, both engines run", test_accept_crafted},
	{"helper call through the xsym table", test_helper_call},
	{"object files: load, reject, sections", test_objects},
	{"context fill", test_ctx_fill},
	{"modbus_write on crafted frames", test_modbus_crafted},
	{"dnp3_restart on crafted frames", test_dnp3_crafted},
	{"tcp_flags on crafted frames", test_flags_crafted},
	{"examples on every capture", test_captures},
	{"image program sections", test_image_programs},
	{"program model and commit plan", test_model},
};

/* Returns 0 when every assertion passed, 1 otherwise (CUnit error too). */
int
main(int argc, char **argv)
{
	int rc;

	if (argc > 1)
		bw_testdata_set(argv[1]);
	if (argc > 2)
		build_dir_arg = argv[2];
	rc = BW_CUNIT_RUN("bpf", tests);
	examples_free();
	return rc;
}
