/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the eBPF unit tests (test_bpf_*.c) share: where the objects of
 * examples/bpf and tests/bpf are, crafted instructions, loading code through
 * the shared loader and running it both ways, the example programs loaded
 * once, and the main of every one of those binaries.
 *
 * Usage of each binary: test_bpf_X [DATA_DIR [BUILD_DIR]]. DATA_DIR (else
 * $BW_TEST_DATA, else tests/data beside the sources) holds pcaps/.
 * BUILD_DIR (else $BW_BUILD) holds the objects of examples/bpf and
 * tests/bpf, built by meson when clang has the BPF target; a test that needs
 * a missing object fails and says so.
 */
#ifndef TEST_BPF_UTIL_H
#define TEST_BPF_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "bw_bpf.h"
#include "bw_bpf_load.h"
#include "bw_cunit.h"
#include "bw_image.h"

#define NB(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))

/* An assertion reported at file:line, like CU_ASSERT at the caller's. */
void bpf_check_at(const char *file, int line, int cond, const char *what);

/* Path of BUILD_DIR/sub/name.o into buf when it exists, else NULL. */
const char *bpf_obj_path(char *buf, size_t size, const char *sub,
			 const char *name);

/* Folder (or file) of the bundled captures, or NULL: bw_testdata.h. */
const char *bpf_pcaps_dir(char *buf, size_t size);

/*
 * A test object is missing: that is a failure, not a skip (scripts/test
 * installs clang, whose BPF target builds them). Returns 1.
 */
int bpf_missing(const char *why);

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

/* Loaded through the shared loader: JIT and interpreter available. */
struct prog {
	struct bw_bpf_code code;
	char name[32];
};

/* Load code with the JIT; on failure why holds the reason. */
int bpf_prog_load(struct prog *p, const struct bw_image_insn *ins, uint32_t nb,
		  const struct bw_bpf_helpers *h, char *why, size_t why_len);

/* Run both ways at file:line; they must agree. Returns the JIT's result. */
uint64_t bpf_run_both_at(const char *file, int line, const struct prog *p,
			 struct bw_bpf_ctx *ctx);

#define RUN(p, ctx) bpf_run_both_at(__FILE__, __LINE__, (p), (ctx))

/* ------------------------------------------------------------ examples */

#define NB_EXAMPLES 3

/* The example programs, indexed EX_*. */
enum { EX_MODBUS, EX_DNP3, EX_FLAGS };
extern const char *const bpf_ex_names[NB_EXAMPLES];
extern struct prog bpf_ex[NB_EXAMPLES];

/* Load the examples once; 0 when they are not built or do not load. */
int bpf_examples_load(void);

/*
 * The tests of the binary, up to an entry whose fn is NULL: each
 * test_bpf_X.c defines them, and the main of test_bpf_util.c runs them as
 * suite "bpf" with DATA_DIR and BUILD_DIR from its arguments.
 */
extern const struct bw_cunit_test bpf_tests[];

#endif /* TEST_BPF_UTIL_H */
