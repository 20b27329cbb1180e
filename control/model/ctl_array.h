/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Owns the arrays of control/ that grow as they fill: making room in one
 * (ctl_array_reserve(), CTL_ARRAY_GROW()), appending to one
 * (CTL_ARRAY_PUSH()), freeing one whose elements
 * each own a buffer (CTL_ARRAY_FREE()), and the three-way comparison that
 * the qsort() callbacks of their elements chain (CTL_CMP()).
 */
#ifndef CTL_ARRAY_H
#define CTL_ARRAY_H

#include <stddef.h>

/*
 * Make room in the array *pv (the address of a pointer to the elements,
 * of elem bytes each; *cap allocated, n in use) for more elements: *cap
 * doubles, from min (at least 1) when smaller, until it holds n + more.
 * Returns 0 or -ENOMEM, the array and *cap then unchanged. Any thread.
 */
int ctl_array_reserve(void *pv, size_t *cap, size_t n, size_t more, size_t elem,
		      size_t min);

/* Room for one more element in array v of n used and cap allocated. */
#define CTL_ARRAY_GROW(v, n, cap, min)                                         \
	ctl_array_reserve(&(v), &(cap), (n), 1, sizeof(*(v)), (min))

/*
 * Append a zeroed element to the array *pv of *n elements of elem bytes
 * (*cap allocated, grown as by ctl_array_reserve()) and count it in *n.
 * Returns the element, or NULL when out of memory (nothing changed).
 */
void *ctl_array_push(void *pv, size_t *n, size_t *cap, size_t elem, size_t min);

/* A new zeroed last element of array v (n used, cap allocated), or NULL. */
#define CTL_ARRAY_PUSH(v, n, cap, min)                                         \
	ctl_array_push(&(v), &(n), &(cap), sizeof(*(v)), (min))

/*
 * free() the pointer at byte offset member of each of the n elements of
 * elem bytes at v, then v itself. Any thread.
 */
void ctl_array_free(void *v, size_t n, size_t elem, size_t member);

/* Free array v of n elements and what member (a pointer) of each owns. */
#define CTL_ARRAY_FREE(v, n, member)                                           \
	ctl_array_free((v), (n), sizeof(*(v)),                                 \
		       offsetof(__typeof__(*(v)), member))

/*
 * -1, 0 or 1 as a is below, equal to or above b (integers): a link of a
 * comparison chain, CTL_CMP(x->a, y->a) ?: CTL_CMP(x->b, y->b).
 */
#define CTL_CMP(a, b) (((a) > (b)) - ((a) < (b)))

#endif /* CTL_ARRAY_H */
