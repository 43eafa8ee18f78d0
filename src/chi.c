/* chi.c -- the filter operator chi(p, q) of eq. (2).
 *
 * The paper writes the convolution as a sum over ALL integer offsets p, q, weighted by
 * chi(p, q); the forward and backward passes (forward.c, backward.c) are written that way, so
 * the support of the filter is decided here and nowhere else. */
#include <config.h>

#include "condense/chi.h"

/* CNN paper eq. (2)/(17): chi(p, q) = 1 if 0 <= p, q <= m - 1, else 0. */
int condense_chi(long p, long q, size_t m)
{
    return p >= 0 && q >= 0 && (size_t)p < m && (size_t)q < m;
}
