/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-worker flow table (dp_flow.h): rte_hash over the symmetric
 * 5-tuple and protocol, entries in an array indexed by the hash position.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <netinet/in.h>

#include <rte_cycles.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "dp.h"
#include "dp_flow.h"
#include "dp_stream.h"

_Static_assert(DP_BURST <= RTE_HASH_LOOKUP_BULK_MAX,
	       "a burst's flows are looked up in one rte_hash_lookup_bulk()");

/* KiB of held bytes per direction in chunks, at least one. */
static uint8_t
kib_chunks(uint32_t kib)
{
	uint64_t n =
		((uint64_t)kib * 1024 + DP_RCHUNK_DATA - 1) / DP_RCHUNK_DATA;

	return (uint8_t)RTE_MAX(RTE_MIN(n, (uint64_t)255), (uint64_t)1);
}

int
dp_flow_table_init(struct dp_flow_table *t, unsigned int id,
		   const struct dp_flow_params *fp, int socket)
{
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters p = {
		.name = name,
		.entries = fp->nb,
		.key_len = sizeof(struct dp_flow_key),
		.hash_func = rte_hash_crc,
		.hash_func_init_val = 0,
		.socket_id = socket,
		/*
		 * one writer and reader: the worker; extendable buckets, so
		 * that an insert fails only when every entry is taken
		 */
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};
	uint64_t chunks;
	void *mem;

	memset(t, 0, sizeof(*t));
	if (fp->nb == 0)
		return 0;
	if (p.entries < 8)
		p.entries = 8; /* rte_hash: one bucket at least */
	t->cap = p.entries;
	/*
	 * A quarter more positions than flows: rte_hash rounds its buckets
	 * up to a power of two above them, so a full table leaves buckets
	 * with room and an insert never runs the cuckoo search of a table
	 * at 100% (a SYN flood keeps it full: measured, most of its cost)
	 */
	p.entries += p.entries / 4;
	if (snprintf(name, sizeof(name), "bw_flows_%u", id) >=
	    (int)sizeof(name))
		return -ENAMETOOLONG;
	t->h = rte_hash_create(&p);
	if (t->h == NULL)
		return -ENOMEM;
	/* positions go up to the table's real size, which may be larger */
	t->nb = (uint32_t)rte_hash_max_key_id(t->h) + 1;
	t->flows = rte_zmalloc_socket("bw_flows",
				      (size_t)t->nb * sizeof(*t->flows),
				      RTE_CACHE_LINE_SIZE, socket);
	if (t->flows == NULL) {
		rte_hash_free(t->h);
		t->h = NULL;
		return -ENOMEM;
	}
	chunks = (uint64_t)fp->pool_mib * 1024 * 1024 / DP_RCHUNK_SIZE;
	chunks = RTE_MIN(chunks, (uint64_t)DP_RNIL - 1);
	mem = chunks > 0 ? rte_malloc_socket("bw_held", chunks * DP_RCHUNK_SIZE,
					     RTE_CACHE_LINE_SIZE, socket)
			 : NULL;
	if (chunks > 0 && mem == NULL) {
		dp_flow_table_fini(t);
		return -ENOMEM;
	}
	dp_rpool_init(&t->pool, mem, (uint32_t)chunks, kib_chunks(fp->hold_kib),
		      kib_chunks(fp->ahead_kib));
	t->idle_tsc = rte_get_tsc_hz() * fp->idle_s;
	t->embryo_tsc = rte_get_tsc_hz() *
			RTE_MIN(fp->idle_s, (uint32_t)DP_FLOW_EMBRYO_S);
	t->age_step_tsc = rte_get_tsc_hz() / 1000000 * DP_FLOW_AGE_STEP_US;
	t->age_budget = RTE_MAX((uint32_t)DP_FLOW_AGE_BUDGET,
				t->nb >> DP_FLOW_AGE_SHIFT);
	t->other_cap = RTE_MAX(t->cap / DP_FLOW_OTHER_SHARE, 1u);
	t->other_tsc = rte_get_tsc_hz() *
		       RTE_MIN(fp->idle_s, (uint32_t)DP_FLOW_OTHER_IDLE_S);
	return 0;
}

void
dp_flow_table_fini(struct dp_flow_table *t)
{
	rte_free(t->pool.c);
	rte_free(t->flows);
	rte_hash_free(t->h);
	memset(t, 0, sizeof(*t));
}

void
dp_flow_lookup_bulk(struct dp_flow_table *t,
		    const struct dp_flow_key *const *keys, uint32_t n,
		    int32_t *pos)
{
	if (n > 0)
		rte_hash_lookup_bulk(t->h, (const void **)(uintptr_t)keys, n,
				     pos);
}

/* Not an established flow: evicted first, aged out sooner. */
static inline int
embryonic(const struct dp_flow *f)
{
	if (f->proto != IPPROTO_TCP)
		return f->seen != 3;
	return f->state != DP_TCPS_ESTABLISHED;
}

/* How long f may stay idle. */
static inline uint64_t
idle_limit(const struct dp_flow_table *t, const struct dp_flow *f)
{
	if (embryonic(f))
		return t->embryo_tsc;
	return f->proto == IPPROTO_TCP ? t->idle_tsc : t->other_tsc;
}

int
dp_flow_evict(struct dp_flow_table *t, int other_only)
{
	uint32_t n, i, victim = UINT32_MAX;
	uint64_t oldest = UINT64_MAX;

	for (n = 0; n < DP_FLOW_EVICT_SCAN; n++) {
		i = t->evict_cursor;
		t->evict_cursor = i + 1 < t->nb ? i + 1 : 0;
		if (t->flows[i].used && embryonic(&t->flows[i]) &&
		    (!other_only || t->flows[i].proto != IPPROTO_TCP) &&
		    t->flows[i].last_tsc < oldest) {
			oldest = t->flows[i].last_tsc;
			victim = i;
		}
	}
	if (victim == UINT32_MAX)
		return 0;
	/* the flow counters count TCP flows (docs/stats-json.md) */
	t->nb_evicted += t->flows[victim].proto == IPPROTO_TCP;
	dp_flow_del(t, victim);
	return 1;
}

struct dp_flow *
dp_flow_get(struct dp_flow_table *t, const struct dp_flow_key *k, int32_t pos,
	    uint32_t dels, uint64_t now, int create, uint32_t *slot,
	    int *created)
{
	struct dp_flow *f;
	uint32_t stamp;

	*created = 0;
	/* only a removal of the flow at pos makes pos stale */
	if (pos >= 0 && (uint32_t)pos < t->nb &&
	    (int32_t)(t->flows[pos].del_stamp - dels) > 0)
		pos = rte_hash_lookup(t->h, k);
	if (pos < 0 && !create) {
		/* an earlier packet of the burst may have added it */
		pos = rte_hash_lookup(t->h, k);
		if (pos < 0 || (uint32_t)pos >= t->nb)
			return NULL;
	}
	if (pos < 0) {
		/*
		 * new, or added by an earlier packet of the burst (a SYN-ACK
		 * after its SYN: looked up before a full table evicts); a
		 * full table makes room first (a failed add costs rte_hash
		 * a search of every bucket it could use)
		 */
		int other = k->proto != IPPROTO_TCP;

		if (t->nb_used >= t->cap ||
		    (other && t->nb_other >= t->other_cap)) {
			pos = rte_hash_lookup(t->h, k);
			/* a non-TCP flow makes room among its kind only */
			if (pos < 0 && !dp_flow_evict(t, other))
				return NULL;
		}
		if (pos < 0)
			pos = rte_hash_add_key(t->h, k);
		if (pos < 0 || (uint32_t)pos >= t->nb)
			return NULL;
		f = &t->flows[pos];
		/*
		 * A used slot holds a key rte_hash still has (dp_flow_del()
		 * clears used when it removes one), so the position add gave
		 * back is k's own: a packet earlier in the burst added it.
		 */
		if (f->used)
			goto found;
		stamp = f->del_stamp;
		memset(f, 0, sizeof(*f));
		f->del_stamp = stamp;
		dp_rdir_init(&f->d[0]);
		dp_rdir_init(&f->d[1]);
		f->used = 1;
		f->client = 2;
		f->proto = k->proto;
		*created = 1;
		t->nb_used++;
		t->nb_other += k->proto != IPPROTO_TCP;
	}
found:
	f = &t->flows[pos];
	f->last_tsc = now;
	*slot = (uint32_t)pos;
	return f;
}

void
dp_flow_del(struct dp_flow_table *t, uint32_t slot)
{
	struct dp_flow *f = &t->flows[slot];
	struct dp_flow_key k;
	void *kp;

	if (!f->used)
		return;
	/* a copy: the key store's entry is freed with the key */
	if (rte_hash_get_key_with_position(t->h, (int32_t)slot, &kp) == 0) {
		memcpy(&k, kp, sizeof(k));
		rte_hash_del_key(t->h, &k);
	}
	if (f->dropped[0] || f->dropped[1])
		t->nb_marked--;
	dp_reasm_free(&t->pool, &f->d[0]);
	dp_reasm_free(&t->pool, &f->d[1]);
	f->used = 0;
	f->del_stamp = ++t->dels;
	t->nb_used--;
	t->nb_other -= f->proto != IPPROTO_TCP;
}

uint32_t
dp_flow_age(struct dp_flow_table *t, uint64_t now)
{
	const void *key;
	void *data;
	uint32_t n, removed = 0;
	int32_t pos;

	if (t->h == NULL || now < t->age_next_tsc)
		return 0;
	t->age_next_tsc = now + t->age_step_tsc;
	for (n = 0; n < t->age_budget; n++) {
		pos = rte_hash_iterate(t->h, &key, &data, &t->age_cursor);
		if (pos < 0) {
			t->age_cursor = 0; /* wrapped: start again next time */
			break;
		}
		if ((uint32_t)pos < t->nb && t->flows[pos].used &&
		    now - t->flows[pos].last_tsc >
			    idle_limit(t, &t->flows[pos])) {
			removed += t->flows[pos].proto == IPPROTO_TCP;
			dp_flow_del(t, (uint32_t)pos);
		}
	}
	return removed;
}

int
dp_flow_other_view(struct dp_flow_table *t, const struct dp_flow_key *k,
		   uint8_t dir, int32_t pos, uint32_t dels, uint64_t now)
{
	struct dp_flow *f;
	uint32_t slot;
	int created;

	f = dp_flow_get(t, k, pos, dels, now, 1, &slot, &created);
	if (f == NULL)
		return DP_FV_TRACKED | DP_FV_KNOWN | DP_FV_SERVER;
	if (created)
		f->client = dir;
	f->seen |= (uint8_t)(1u << dir);
	return DP_FV_TRACKED | DP_FV_KNOWN |
	       (f->client == dir ? DP_FV_SERVER : 0) |
	       (f->seen == 3 ? DP_FV_EST : 0);
}
