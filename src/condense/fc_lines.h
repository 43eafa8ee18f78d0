/* condense/fc_lines.h -- counting the lines the input weights w_j condense on (FC paper Sec. 4:
 * "directors", u and -u the same line; the measure is D(u, v) = u . v of eq. (7), the cosine
 * of observables.h).
 *
 * The rule: weights with |w_j| < min_norm_frac max_k |w_k| are discarded (the paper drops
 * "the input weight with very small amplitude" in Fig. 1(d) and 2(a)); the others are taken
 * in order j = 1..m, and w_j joins the first line whose representative (its first member) v
 * has |D(w_j, v)| >= cos_min, else it starts a new line with itself as representative. */
#ifndef CONDENSE_FC_LINES_H
#define CONDENSE_FC_LINES_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* label value of a discarded weight */
#define CONDENSE_FC_NO_LINE ((size_t)-1)

/* w: m vectors of len entries one after another.  *lines receives the number of lines;
 * label (m entries, may be NULL) the 0-based line of each weight or CONDENSE_FC_NO_LINE.
 * CONDENSE_EINVAL for NULL w or lines, CONDENSE_ESIZE for m = 0 or len = 0, CONDENSE_EDOM for
 * a non-finite entry, cos_min outside (0, 1], min_norm_frac outside [0, 1) or all w_j = 0. */
int condense_fc_count_lines(const double *w, size_t m, size_t len, double cos_min,
                            double min_norm_frac, size_t *lines, size_t *label);

#ifdef __cplusplus
}
#endif
#endif
