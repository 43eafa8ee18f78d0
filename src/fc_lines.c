/* fc_lines.c -- the number of lines the input weights condense on, by the rule stated in
 * condense/fc_lines.h (discard tiny weights; single-linkage groups of |D| >= cos_min; a group
 * is a line when it has at least min_members members, its members otherwise stray),
 * measured with the cosine D of FC paper eq. (7).
 *
 * Why this rule: with Adam at the step of the paper's Fig. 3 (1000), the neurons lie in tight
 * bundles near (not on) the Sec. 5.2 lines, but for x^2 tanh x one or two neurons (often the
 * largest: they left the origin first) sit alone between the lines.  Counting each as a line
 * gave 4 or 5 "lines" where the paper sees 3; requiring 5% of the neurons instead gave 2,
 * because the third Sec. 5.2 line (b ~ 0) holds only 2-4 of the 100 neurons at step 1000.
 * A line of at least two members separates the two: 1, 2, 3 lines for tanh, x tanh x,
 * x^2 tanh x on 10, 10 and 9 of 10 seeds (doc/experiments/fc/lines/README.md).
 * The groups are found with a union-find over the pairs (hand-written: a few lines, no GSL
 * equivalent), O(m^2) cosines. */
#include <config.h>

#include <math.h>
#include <stdlib.h>

#include "condense/error.h"
#include "condense/fc_lines.h"
#include "condense/observables.h"

/* the root of j in the union-find forest parent[], halving the path on the way */
static size_t find_root(size_t *parent, size_t j)
{
    while (parent[j] != j) {
        parent[j] = parent[parent[j]];
        j = parent[j];
    }
    return j;
}

/* FC paper eq. (7) and Sec. 4: weights on one line have |D(u, v)| close to 1. */
int condense_fc_count_lines(const double *w, size_t m, size_t len, double cos_min,
                            double min_norm_frac, size_t min_members, size_t *lines, size_t *strays,
                            size_t *label)
{
    CONDENSE_CHECK_NULL(w);
    CONDENSE_CHECK_NULL(lines);
    if (m == 0 || len == 0) CONDENSE_ERROR(CONDENSE_ESIZE, "m = %zu weights of length %zu", m, len);
    if (!(cos_min > 0.0 && cos_min <= 1.0))
        CONDENSE_ERROR(CONDENSE_EDOM, "cos_min = %g: need 0 < cos_min <= 1", cos_min);
    if (!(min_norm_frac >= 0.0 && min_norm_frac < 1.0))
        CONDENSE_ERROR(CONDENSE_EDOM, "min_norm_frac = %g: need 0 <= min_norm_frac < 1",
                       min_norm_frac);
    if (min_members == 0) CONDENSE_ERROR(CONDENSE_EDOM, "min_members = 0: need at least 1");
    for (size_t k = 0; k < m * len; ++k)
        if (!isfinite(w[k]))
            CONDENSE_ERROR(CONDENSE_EDOM, "weight %zu entry %zu = %g is not finite", k / len + 1,
                           k % len, w[k]);
    double norm_max = 0.0;
    for (size_t j = 0; j < m; ++j)
        norm_max = fmax(norm_max, condense_norm2(w + j * len, len, 1));
    if (!(norm_max > 0.0)) CONDENSE_ERROR(CONDENSE_EDOM, "every weight is 0: no director");
    /* parent (union-find), size of each root's group, line number of each root, labels */
    size_t *parent = malloc(4 * m * sizeof(size_t));
    if (parent == NULL) CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate %zu labels", m);
    size_t *size = parent + m, *line_of = parent + 2 * m, *lab = parent + 3 * m;
    for (size_t j = 0; j < m; ++j) {
        const double norm = condense_norm2(w + j * len, len, 1);
        parent[j] = j;
        size[j] = 0;
        line_of[j] = CONDENSE_FC_NO_LINE;
        lab[j] = norm > 0.0 && norm >= min_norm_frac * norm_max ? 0 : CONDENSE_FC_NO_LINE;
    }
    for (size_t j = 0; j < m; ++j)
        for (size_t k = j + 1; k < m && lab[j] == 0; ++k) {
            if (lab[k] != 0) continue;
            double D;
            condense_cosine(w + j * len, w + k * len, len, &D); /* both nonzero */
            if (fabs(D) >= cos_min) {
                const size_t rj = find_root(parent, j), rk = find_root(parent, k);
                if (rj != rk) parent[rk < rj ? rj : rk] = rk < rj ? rk : rj;
            }
        }
    for (size_t j = 0; j < m; ++j)
        if (lab[j] == 0) ++size[find_root(parent, j)];
    size_t count = 0, stray = 0;
    for (size_t j = 0; j < m; ++j) {
        if (lab[j] != 0) continue;
        const size_t r = find_root(parent, j); /* r <= j: the group's first member */
        if (size[r] < min_members) {
            lab[j] = CONDENSE_FC_STRAY;
            ++stray;
            continue;
        }
        if (line_of[r] == CONDENSE_FC_NO_LINE) line_of[r] = count++;
        lab[j] = line_of[r];
    }
    *lines = count;
    if (strays != NULL) *strays = stray;
    if (label != NULL)
        for (size_t j = 0; j < m; ++j)
            label[j] = lab[j];
    free(parent);
    return CONDENSE_OK;
}
