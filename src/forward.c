/* forward.c -- the forward pass of the (L+1)-layer CNN, CNN paper eq. (2) = eq. (17).
 *
 * This is the direct reference implementation: the convolution is written as the paper writes
 * it, a sum over every integer offset (p, q) for which x_{u+p, v+q} exists, weighted by the
 * filter operator chi(p, q).  That costs W_{l-1} H_{l-1} tests of chi per output instead of
 * m^2, on purpose: the support of the filter is decided by chi alone, so this file can be read
 * against eq. (2) symbol by symbol.  Speed is the business of a separate fast path. */
#include <config.h>

#include <math.h>

#include "condense/chi.h"
#include "condense/cnn.h"
#include "condense/error.h"

/* The input of layer l at (u, v, alpha): x^[0]_{u,v,alpha}(i) for l = 1, and
 * sigma(x^[l-1]_{u,v,alpha}(i)) for l >= 2, as in the two lines of eq. (2). */
static double layer_input(const condense_cnn *net, const condense_data *data, size_t i,
                          const condense_workspace *ws, size_t l, size_t u, size_t v, size_t alpha)
{
    if (l == 1) return *condense_data_x(data, i, u, v, alpha);
    return condense_sigma(&net->sigma, *condense_ws_x(ws, l - 1, u, v, alpha));
}

/* CNN paper eq. (2): x^[l]_{u,v,beta} = [sum_alpha sum_p sum_q in_{u+p,v+q,alpha}
 * W^[l]_{p,q,alpha,beta} chi(p,q)] + b^[l]_beta, the sums over all p, q where in exists. */
static void layer_forward(const condense_cnn *net, const condense_data *data, size_t i,
                          condense_workspace *ws, size_t l)
{
    const long W_in = (long)net->W[l - 1], H_in = (long)net->H[l - 1];
    const size_t m = net->m[l];
#ifdef _OPENMP
#pragma omp parallel for if (net->C[l] * net->W[l] * net->H[l] * net->W[l - 1] > 65536)
#endif
    for (size_t beta = 1; beta <= net->C[l]; ++beta)
        for (size_t u = 1; u <= net->W[l]; ++u)
            for (size_t v = 1; v <= net->H[l]; ++v) {
                double sum = 0.0;
                for (size_t alpha = 1; alpha <= net->C[l - 1]; ++alpha)
                    for (long p = 1 - (long)u; p <= W_in - (long)u; ++p)
                        for (long q = 1 - (long)v; q <= H_in - (long)v; ++q) {
                            const int chi = condense_chi(p, q, m);
                            if (chi == 0) continue; /* W_{p,q} exists only where chi = 1 */
                            sum += layer_input(net, data, i, ws, l, u + (size_t)p, v + (size_t)q,
                                               alpha) *
                                   *condense_W(net, l, (size_t)p, (size_t)q, alpha, beta) * chi;
                        }
                *condense_ws_x(ws, l, u, v, beta) = sum + *condense_b(net, l, beta);
            }
}

/* CNN paper eq. (2): f(x, theta) = <a, sigma(x^[L])> = sum_{beta,u,v} a_{u,v,beta}
 * sigma(x^[L]_{u,v,beta}). */
static double output(const condense_cnn *net, const condense_workspace *ws)
{
    const size_t L = net->L;
    double f = 0.0;
    for (size_t beta = 1; beta <= net->C[L]; ++beta)
        for (size_t u = 1; u <= net->W[L]; ++u)
            for (size_t v = 1; v <= net->H[L]; ++v)
                f += *condense_a(net, u, v, beta) *
                     condense_sigma(&net->sigma, *condense_ws_x(ws, L, u, v, beta));
    return f;
}

/* Arguments shared by the forward and backward passes. */
int condense_pass_check(const condense_cnn *net, const condense_data *data, size_t i,
                        const condense_workspace *ws)
{
    CONDENSE_CHECK_NULL(net);
    CONDENSE_CHECK_NULL(data);
    CONDENSE_CHECK_NULL(ws);
    CONDENSE_TRY(condense_cnn_check_data(net, data));
    CONDENSE_TRY(condense_workspace_check(ws, net));
    if (i < 1 || i > data->n)
        CONDENSE_ERROR(CONDENSE_EINVAL, "sample index i = %zu outside [1, n = %zu]", i, data->n);
    return CONDENSE_OK;
}

int condense_cnn_forward(const condense_cnn *net, const condense_data *data, size_t i,
                         condense_workspace *ws, double *f)
{
    CONDENSE_CHECK_NULL(f);
    CONDENSE_TRY(condense_pass_check(net, data, i, ws));
    for (size_t l = 1; l <= net->L; ++l)
        layer_forward(net, data, i, ws, l);
    const double value = output(net, ws);
    if (!isfinite(value))
        CONDENSE_ERROR(CONDENSE_EDOM, "f(x_%zu, theta) = %g is not finite", i, value);
    *f = value;
    return CONDENSE_OK;
}
