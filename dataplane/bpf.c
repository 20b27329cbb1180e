/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The eBPF stage: program sets built by the control thread (dp_bpf.h) and
 * run by the workers (dp_bpf_classify()), and the helpers programs call.
 *
 * The worker fills one context (dp_bpf_ctx.h) per packet of the burst
 * still undecided after the list stage, then runs the programs one after
 * the other over those contexts, program-major: the first over every
 * pending packet, the second over what the first left undecided, and so
 * on, until a program returns pass or drop for each packet or none is
 * left. Each program's pass over the burst is timed with two TSC reads
 * (its busy_tsc / runs is its cost per packet; the reads are shared by
 * the burst, not paid per packet). Counters are summed per burst and
 * written to the status region once per burst.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_bpf.h>
#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_fib.h>
#include <rte_fib6.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_per_lcore.h>

#include "bw_crc32c.h"
#include "dp.h"
#include "dp_bpf.h"
#include "dp_bpf_ctx.h"
#include "dp_ruleset.h"

/*
 * The ruleset the worker classifies the current burst under: helpers run
 * inside a program, on the worker's own thread, and read it from here.
 */
static RTE_DEFINE_PER_LCORE(const struct dp_ruleset *, bpf_rs);

/*
 * bw_list_lookup() of bw_bpf.h: which list decides for the address at
 * addr (16 bytes, checked readable by the verifier) as a source and/or a
 * destination, from the FIBs of the burst's ruleset. Worker lcores.
 */
static uint64_t
helper_list_lookup(uint64_t addr, uint64_t family, uint64_t how, uint64_t a4,
		   uint64_t a5)
{
	const struct dp_ruleset *rs = RTE_PER_LCORE(bpf_rs);
	const uint8_t *a = (const uint8_t *)(uintptr_t)addr;
	int act, id = -1;
	uint64_t nh = BW_NH_NONE;

	(void)a4;
	(void)a5;
	if (rs == NULL ||
	    (how & ~(uint64_t)(BW_BPF_LOOKUP_SRC | BW_BPF_LOOKUP_DST |
			       BW_BPF_LOOKUP_ALLOW)) != 0 ||
	    (how & (BW_BPF_LOOKUP_SRC | BW_BPF_LOOKUP_DST)) == 0)
		return (uint64_t)-1;
	act = (how & BW_BPF_LOOKUP_ALLOW) ? BW_ACT_ALLOW : BW_ACT_BLOCK;
	if (family == 4) {
		uint32_t ip = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
			      (uint32_t)a[2] << 8 | a[3];

		if (rs->fib4[act] == NULL)
			return (uint64_t)-1;
		rte_fib_lookup_bulk(rs->fib4[act], &ip, &nh, 1);
	} else if (family == 6) {
		uint8_t ip6[1][RTE_FIB6_IPV6_ADDR_SIZE];

		if (rs->fib6[act] == NULL)
			return (uint64_t)-1;
		memcpy(ip6[0], a, sizeof(ip6[0]));
		rte_fib6_lookup_bulk(rs->fib6[act], ip6, &nh, 1);
	} else {
		return (uint64_t)-1;
	}
	if (how & BW_BPF_LOOKUP_SRC)
		id = bw_nh_src(nh);
	if (id < 0 && (how & BW_BPF_LOOKUP_DST))
		id = bw_nh_dst(nh);
	return (uint64_t)(int64_t)id;
}

static const struct bw_bpf_helpers helpers = {
	.fn = {[BW_BPF_HELPER_LIST_LOOKUP] = helper_list_lookup},
};

/* Sum of the slot's counters over every worker. Control thread. */
static void
slot_sums(const struct dp_status *st, uint32_t nb_workers, uint32_t slot,
	  struct bw_bpf_stats *sum)
{
	const struct bw_bpf_stats *b;
	uint32_t w;

	memset(sum, 0, sizeof(*sum));
	for (w = 0; w < nb_workers; w++) {
		b = &dp_status_bpf_stats(st, w)[slot];
		sum->runs += __atomic_load_n(&b->runs, __ATOMIC_RELAXED);
		sum->drops += __atomic_load_n(&b->drops, __ATOMIC_RELAXED);
		sum->passes += __atomic_load_n(&b->passes, __ATOMIC_RELAXED);
		sum->errors += __atomic_load_n(&b->errors, __ATOMIC_RELAXED);
		sum->faults += __atomic_load_n(&b->faults, __ATOMIC_RELAXED);
		sum->busy_tsc +=
			__atomic_load_n(&b->busy_tsc, __ATOMIC_RELAXED);
	}
}

/* The program of cur with the same name and code, or NULL. */
static const struct dp_bpf_prog *
same_prog(const struct dp_bpf_set *cur, const struct dp_bpf_prog *p)
{
	uint32_t k;

	for (k = 0; cur != NULL && k < cur->nb; k++) {
		const struct dp_bpf_prog *o = &cur->prog[k];

		if (strcmp(o->name, p->name) == 0 && o->crc32c == p->crc32c &&
		    o->nb_insns == p->nb_insns)
			return o;
	}
	return NULL;
}

int
dp_bpf_set_build(const struct bw_image_view *v, const struct dp_bpf_set *cur,
		 const struct dp_status *st, uint32_t nb_workers, int jit,
		 uint64_t gen, struct dp_bpf_set **out, char *why,
		 size_t why_len)
{
	uint8_t busy[BW_BPF_SLOTS] = {0}, taken[BW_BPF_SLOTS] = {0};
	char lwhy[BW_BPF_WHY_LEN];
	const struct dp_bpf_prog *old;
	struct dp_bpf_set *s;
	struct dp_bpf_prog *p;
	uint32_t i, slot;
	int ret;

	*out = NULL;
	if (v->nb_progs == 0)
		return 0;
	if (v->nb_progs > BW_BPF_MAX) {
		snprintf(why, why_len, "%u programs, at most %d", v->nb_progs,
			 BW_BPF_MAX);
		return -E2BIG;
	}
	s = rte_zmalloc("bw_bpf_set", sizeof(*s), RTE_CACHE_LINE_SIZE);
	if (s == NULL) {
		snprintf(why, why_len, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; cur != NULL && i < cur->nb; i++)
		busy[cur->prog[i].slot] = 1;
	for (i = 0; i < v->nb_progs; i++) {
		const struct bw_image_bpf *b = &v->progs[i];
		const struct bw_image_insn *code = v->insns + b->insn_first;

		p = &s->prog[i];
		/* validated: NUL terminated within the field */
		memcpy(p->name, b->name, sizeof(p->name));
		p->order = b->order;
		p->on_fault = b->on_fault;
		p->nb_insns = b->nb_insns;
		p->crc32c =
			bw_crc32c(0, code, (size_t)b->nb_insns * sizeof(*code));
		ret = bw_bpf_code_load(&p->code, code, b->nb_insns, &helpers,
				       jit, lwhy, sizeof(lwhy));
		if (ret < 0) {
			snprintf(why, why_len, "program '%s': %s", p->name,
				 lwhy);
			goto err_free;
		}
		s->nb = i + 1;
		p->jit = p->code.jit;

		old = same_prog(cur, p);
		if (old != NULL) {
			p->slot = old->slot;
			p->since_gen = old->since_gen;
			p->base = old->base;
			taken[p->slot] = 1;
			continue;
		}
		/* BW_BPF_SLOTS is twice BW_BPF_MAX: one is always free */
		for (slot = 0; slot < BW_BPF_SLOTS; slot++)
			if (!busy[slot] && !taken[slot])
				break;
		if (slot == BW_BPF_SLOTS) {
			snprintf(why, why_len,
				 "program '%s': no free counter "
				 "slot",
				 p->name);
			ret = -ENOSPC;
			goto err_free;
		}
		taken[slot] = 1;
		p->slot = slot;
		p->since_gen = gen;
		slot_sums(st, nb_workers, slot, &p->base);
	}
	*out = s;
	return 0;

err_free:
	dp_bpf_set_free(s);
	return ret;
}

void
dp_bpf_set_publish(const struct dp_bpf_set *s, struct dp_status *st)
{
	struct bw_status_hdr *hdr = st->hdr;
	struct bw_bpf_info *info = dp_status_bpf_info(st);
	uint32_t k;

	__atomic_store_n(&hdr->bpf_seq, hdr->bpf_seq + 1, __ATOMIC_RELEASE);
	memset(info, 0, BW_BPF_SLOTS * sizeof(*info));
	for (k = 0; s != NULL && k < s->nb; k++) {
		const struct dp_bpf_prog *p = &s->prog[k];
		struct bw_bpf_info *in = &info[p->slot];

		memcpy(in->name, p->name, sizeof(in->name));
		in->order = p->order;
		in->nb_insns = p->nb_insns;
		in->crc32c = p->crc32c;
		in->jit = p->jit != NULL;
		in->since_gen = p->since_gen;
		in->base_runs = p->base.runs;
		in->base_drops = p->base.drops;
		in->base_passes = p->base.passes;
		in->base_errors = p->base.errors;
		in->base_tsc = p->base.busy_tsc;
		in->base_faults = p->base.faults;
		in->on_fault = p->on_fault;
	}
	/* pairs with the acquire loads of bpf_seq in bulwarkctl */
	__atomic_store_n(&hdr->bpf_seq, hdr->bpf_seq + 1, __ATOMIC_RELEASE);
}

void
dp_bpf_set_free(struct dp_bpf_set *s)
{
	uint32_t k;

	if (s == NULL)
		return;
	for (k = 0; k < s->nb; k++)
		bw_bpf_code_free(&s->prog[k].code);
	rte_free(s);
}

/*
 * Run the programs of rs on the packets of a burst whose verdict is still
 * DP_VERDICT_PASS; set BW_REASON_BPF (drop) or DP_VERDICT_ALLOW (pass).
 * A run that faulted (BW_BPF_FAULT_RC) is counted in the program's faults
 * and, by its on_fault, sets BW_REASON_BPF_FAULT or leaves the packet to
 * the next program. Worker lcore only.
 */
void
dp_bpf_classify(struct dp_worker *w, const struct dp_ruleset *rs,
		struct rte_mbuf **pkts, uint16_t n, uint8_t *verdict)
{
	const struct dp_bpf_set *set = rs->bpf;
	struct bw_bpf_ctx *ctx[DP_BURST];
	uint16_t idx[DP_BURST], i, j, nb_pend = 0, nb_left;
	uint64_t rc, t0, drops, passes, errors, faults;
	uint32_t k;

	for (i = 0; i < n; i++) {
		const struct rte_mbuf *m = pkts[i];

		if (verdict[i] != DP_VERDICT_PASS)
			continue;
		ctx[nb_pend] = &w->bpf_scr.ctx[nb_pend];
		dp_bpf_ctx_fill(ctx[nb_pend],
				rte_pktmbuf_mtod(m, const uint8_t *),
				m->data_len, m->pkt_len, &w->info[i]);
		idx[nb_pend++] = i;
	}
	RTE_PER_LCORE(bpf_rs) = rs;
	for (k = 0; k < set->nb && nb_pend != 0; k++) {
		const struct dp_bpf_prog *p = &set->prog[k];
		struct bw_bpf_stats *b = &w->bst[p->slot];

		drops = passes = errors = faults = 0;
		nb_left = 0;
		t0 = rte_rdtsc();
		for (j = 0; j < nb_pend; j++) {
			rc = p->jit != NULL ? p->jit(ctx[j])
					    : rte_bpf_exec(p->code.bpf, ctx[j]);
			if (rc == BW_BPF_DROP) {
				verdict[idx[j]] = BW_REASON_BPF;
				w->obj[idx[j]] = p->slot;
				drops++;
				continue;
			}
			if (rc == BW_BPF_PASS) {
				verdict[idx[j]] = DP_VERDICT_ALLOW;
				passes++;
				continue;
			}
			if (unlikely(rc == BW_BPF_FAULT_RC)) {
				faults++;
				if (p->on_fault == BW_IMAGE_BPF_ON_FAULT_DROP) {
					verdict[idx[j]] = BW_REASON_BPF_FAULT;
					w->obj[idx[j]] = p->slot;
					continue;
				}
			} else if (unlikely(rc != BW_BPF_CONTINUE)) {
				errors++;
			}
			/* undecided: the next program sees it */
			ctx[nb_left] = ctx[j];
			idx[nb_left++] = idx[j];
		}
		dp_cnt_add(&b->busy_tsc, rte_rdtsc() - t0);
		dp_cnt_add(&b->runs, nb_pend);
		if (drops != 0)
			dp_cnt_add(&b->drops, drops);
		if (passes != 0)
			dp_cnt_add(&b->passes, passes);
		if (errors != 0)
			dp_cnt_add(&b->errors, errors);
		if (faults != 0)
			dp_cnt_add(&b->faults, faults);
		nb_pend = nb_left;
	}
	RTE_PER_LCORE(bpf_rs) = NULL;
}

/* What dp_bpf_fault_report() last logged of each slot. */
static struct {
	char name[BW_BPF_NAME_LEN];
	uint32_t crc32c;
	uint64_t logged; /* faults covered by a line, since the slot's base */
	uint64_t at_s;	 /* when the last line was written */
} fault_log[BW_BPF_SLOTS];

void
dp_bpf_fault_report(const struct dp_status *st, uint32_t nb_workers,
		    uint64_t now_s)
{
	const struct bw_bpf_info *info = dp_status_bpf_info(st);
	struct bw_bpf_info in;
	struct bw_bpf_stats sum;
	uint32_t seq, s;
	uint64_t faults;

	for (s = 0; s < BW_BPF_SLOTS; s++) {
		seq = __atomic_load_n(&st->hdr->bpf_seq, __ATOMIC_ACQUIRE);
		if (seq & 1)
			return; /* being rewritten: the next period */
		memcpy(&in, &info[s], sizeof(in));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&st->hdr->bpf_seq, __ATOMIC_RELAXED) != seq)
			return;
		in.name[sizeof(in.name) - 1] = '\0';
		if (in.name[0] == '\0')
			continue;
		if (strcmp(in.name, fault_log[s].name) != 0 ||
		    in.crc32c != fault_log[s].crc32c) {
			/* another program in the slot: its own count */
			memcpy(fault_log[s].name, in.name,
			       sizeof(fault_log[s].name));
			fault_log[s].crc32c = in.crc32c;
			fault_log[s].logged = 0;
			fault_log[s].at_s = 0;
		}
		slot_sums(st, nb_workers, s, &sum);
		faults = sum.faults - in.base_faults;
		/* the first line at once, then one per DP_BPF_FAULT_LOG_S */
		if (faults <= fault_log[s].logged ||
		    (fault_log[s].logged != 0 &&
		     now_s - fault_log[s].at_s < DP_BPF_FAULT_LOG_S))
			continue;
		DP_LOG(WARNING,
		       "bpf program '%s': %" PRIu64
		       " run-time faults (division by zero), %" PRIu64
		       " in all; packets %s",
		       in.name, faults - fault_log[s].logged, faults,
		       in.on_fault == BW_IMAGE_BPF_ON_FAULT_CONTINUE
			       ? "go on to the next stage (on-fault continue)"
			       : "dropped as bpf-fault");
		fault_log[s].logged = faults;
		fault_log[s].at_s = now_s;
	}
}
