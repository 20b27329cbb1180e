/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Owns the growth and release of control/'s arrays (ctl_array.h): one
 * doubling policy, with its overflow checks, for every array that fills
 * as it is read or built, and one release for arrays of elements that
 * each own a buffer.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_array.h"

int
ctl_array_reserve(void *pv, size_t *cap, size_t n, size_t more, size_t elem,
		  size_t min)
{
	size_t want, ncap = *cap < min ? min : *cap;
	void *p, *np;

	if (more <= *cap - n)
		return 0;
	if (more > SIZE_MAX / elem - n)
		return -ENOMEM;
	want = n + more;
	if (ncap == 0)
		ncap = 1;
	while (ncap < want)
		ncap = ncap > SIZE_MAX / elem / 2 ? want : ncap * 2;
	/* pv points at a pointer of any object type: copy it, don't alias */
	memcpy(&p, pv, sizeof(p));
	np = realloc(p, ncap * elem);
	if (np == NULL)
		return -ENOMEM;
	memcpy(pv, &np, sizeof(np));
	*cap = ncap;
	return 0;
}

void *
ctl_array_push(void *pv, size_t *n, size_t *cap, size_t elem, size_t min)
{
	uint8_t *e;

	if (ctl_array_reserve(pv, cap, *n, 1, elem, min) < 0)
		return NULL;
	memcpy(&e, pv, sizeof(e));
	e += *n * elem;
	(*n)++;
	memset(e, 0, elem);
	return e;
}

void
ctl_array_free(void *v, size_t n, size_t elem, size_t member)
{
	const uint8_t *e = v;
	void *p;
	size_t i;

	for (i = 0; i < n; i++, e += elem) {
		memcpy(&p, e + member, sizeof(p));
		free(p);
	}
	free(v);
}
