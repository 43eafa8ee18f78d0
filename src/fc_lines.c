/* fc_lines.c -- the number of lines the input weights condense on, by the rule stated in
 * condense/fc_lines.h, measured with the cosine D of FC paper eq. (7). */
#include <config.h>

#include <math.h>
#include <stdlib.h>

#include "condense/error.h"
#include "condense/fc_lines.h"
#include "condense/observables.h"

/* FC paper eq. (7) and Sec. 4: weights on one line have |D(u, v)| close to 1. */
int condense_fc_count_lines(const double *w, size_t m, size_t len, double cos_min,
                            double min_norm_frac, size_t *lines, size_t *label)
{
    CONDENSE_CHECK_NULL(w);
    CONDENSE_CHECK_NULL(lines);
    if (m == 0 || len == 0) CONDENSE_ERROR(CONDENSE_ESIZE, "m = %zu weights of length %zu", m, len);
    if (!(cos_min > 0.0 && cos_min <= 1.0))
        CONDENSE_ERROR(CONDENSE_EDOM, "cos_min = %g: need 0 < cos_min <= 1", cos_min);
    if (!(min_norm_frac >= 0.0 && min_norm_frac < 1.0))
        CONDENSE_ERROR(CONDENSE_EDOM, "min_norm_frac = %g: need 0 <= min_norm_frac < 1",
                       min_norm_frac);
    for (size_t k = 0; k < m * len; ++k)
        if (!isfinite(w[k]))
            CONDENSE_ERROR(CONDENSE_EDOM, "weight %zu entry %zu = %g is not finite", k / len + 1,
                           k % len, w[k]);
    double norm_max = 0.0;
    for (size_t j = 0; j < m; ++j)
        norm_max = fmax(norm_max, condense_norm2(w + j * len, len, 1));
    if (!(norm_max > 0.0)) CONDENSE_ERROR(CONDENSE_EDOM, "every weight is 0: no director");
    size_t *rep = malloc(2 * m * sizeof(size_t)); /* representatives, then the labels */
    if (rep == NULL) CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate %zu labels", m);
    size_t *lab = rep + m;
    size_t count = 0;
    for (size_t j = 0; j < m; ++j) {
        const double norm = condense_norm2(w + j * len, len, 1);
        lab[j] = CONDENSE_FC_NO_LINE;
        if (!(norm > 0.0) || norm < min_norm_frac * norm_max) continue;
        for (size_t l = 0; l < count && lab[j] == CONDENSE_FC_NO_LINE; ++l) {
            double D;
            condense_cosine(w + j * len, w + rep[l] * len, len, &D); /* both nonzero */
            if (fabs(D) >= cos_min) lab[j] = l;
        }
        if (lab[j] == CONDENSE_FC_NO_LINE) {
            rep[count] = j;
            lab[j] = count++;
        }
    }
    *lines = count;
    if (label != NULL)
        for (size_t j = 0; j < m; ++j)
            label[j] = lab[j];
    free(rep);
    return CONDENSE_OK;
}
