/* condense/chi.h -- the filter operator chi of the CNN paper, eq. (2) = eq. (17). */
#ifndef CONDENSE_CHI_H
#define CONDENSE_CHI_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* CNN paper eq. (2): chi(p, q) = 1 for 0 <= p, q <= m - 1, and 0 otherwise, for a filter of
 * size m x m.  p and q are signed: the paper sums p, q over all integers. */
int condense_chi(long p, long q, size_t m);

#ifdef __cplusplus
}
#endif
#endif
