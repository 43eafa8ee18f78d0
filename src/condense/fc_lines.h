/* condense/fc_lines.h -- counting the lines the input weights w_j condense on (FC paper Sec. 4:
 * "directors", u and -u the same line; the measure is D(u, v) = u . v of eq. (7), the cosine
 * of observables.h).
 *
 * The rule, in three stated steps:
 *  1. Discard: weights with |w_j| < min_norm_frac max_k |w_k| (and w_j = 0) take no part (the
 *     paper drops "the input weight with very small amplitude" in Fig. 1(d) and 2(a)).
 *  2. Group: two kept weights are linked when |D(w_j, w_k)| >= cos_min; the groups are the
 *     connected components of this graph (single linkage: independent of the order of the
 *     neurons, and a line whose members spread over more than acos(cos_min) still is one
 *     group as long as no gap along it exceeds acos(cos_min)).
 *  3. Count: a group is a condensed line when it has at least min_members members.  With
 *     min_members = 2 (the CLI's default): condensation is two or more neurons sharing one
 *     director, and a lone neuron, which shares its director with no other, is not a line but
 *     a stray neuron, counted separately.  min_members = 1 counts every group.
 * Lines are numbered 0, 1, ... in the order of their first member (smallest j). */
#ifndef CONDENSE_FC_LINES_H
#define CONDENSE_FC_LINES_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* label value of a discarded weight (step 1) */
#define CONDENSE_FC_NO_LINE ((size_t)-1)
/* label value of a stray weight (step 3: kept, but in a group of fewer than min_members) */
#define CONDENSE_FC_STRAY ((size_t)-2)

/* w: m vectors of len entries one after another.  *lines receives the number of lines;
 * strays (may be NULL) the number of stray weights; label (m entries, may be NULL) the 0-based
 * line of each weight, CONDENSE_FC_STRAY or CONDENSE_FC_NO_LINE.  CONDENSE_EINVAL for NULL w or
 * lines, CONDENSE_ESIZE for m = 0 or len = 0, CONDENSE_EDOM for a non-finite entry, cos_min
 * outside (0, 1], min_norm_frac outside [0, 1), min_members = 0, or all w_j = 0;
 * CONDENSE_ENOMEM. */
int condense_fc_count_lines(const double *w, size_t m, size_t len, double cos_min,
                            double min_norm_frac, size_t min_members, size_t *lines, size_t *strays,
                            size_t *label);

#ifdef __cplusplus
}
#endif
#endif
