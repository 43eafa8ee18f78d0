/* backward.c -- the backward pass of the (L+1)-layer CNN, CNN paper App. B.3, eq. (21)-(22).
 *
 * Direct reference implementation, like forward.c: the recursion for z^[l] sums over every
 * output position (s, t) of layer l+1 and lets chi(u - s, v - t) of eq. (2) decide which ones
 * reach (u, v). */
#include <config.h>

#include "condense/chi.h"
#include "condense/cnn.h"
#include "condense/error.h"

/* CNN paper eq. (21), last line: z^[L]_{u,v,beta}(i) = a_{u,v,beta} sigma'(x^[L]_{u,v,beta}(i)). */
static void z_top(const condense_cnn *net, condense_workspace *ws)
{
    const size_t L = net->L;
    for (size_t u = 1; u <= net->W[L]; ++u)
        for (size_t v = 1; v <= net->H[L]; ++v)
            for (size_t beta = 1; beta <= net->C[L]; ++beta)
                *condense_ws_z(ws, L, u, v, beta) =
                    *condense_a(net, u, v, beta) *
                    condense_sigma1(&net->sigma, *condense_ws_x(ws, L, u, v, beta));
}

/* CNN paper eq. (21), first line, for l in [L-1]: z^[l]_{u,v,beta}(i) = sum_alpha sum_s sum_t
 * z^[l+1]_{s,t,alpha}(i) W^[l+1]_{u-s,v-t,beta,alpha} sigma'(x^[l]_{u,v,beta}(i)) chi(u-s,v-t). */
static void z_layer(const condense_cnn *net, condense_workspace *ws, size_t l)
{
    const size_t m = net->m[l + 1];
#ifdef _OPENMP
#pragma omp parallel for if (net->C[l] * net->W[l] * net->H[l] * net->W[l + 1] > 65536)
#endif
    for (size_t beta = 1; beta <= net->C[l]; ++beta)
        for (size_t u = 1; u <= net->W[l]; ++u)
            for (size_t v = 1; v <= net->H[l]; ++v) {
                const double s1 = condense_sigma1(&net->sigma, *condense_ws_x(ws, l, u, v, beta));
                double sum = 0.0;
                for (size_t alpha = 1; alpha <= net->C[l + 1]; ++alpha)
                    for (size_t s = 1; s <= net->W[l + 1]; ++s)
                        for (size_t t = 1; t <= net->H[l + 1]; ++t) {
                            const long p = (long)u - (long)s, q = (long)v - (long)t;
                            const int chi = condense_chi(p, q, m);
                            if (chi == 0) continue; /* W_{u-s,v-t} exists only where chi = 1 */
                            sum += *condense_ws_z(ws, l + 1, s, t, alpha) *
                                   *condense_W(net, l + 1, (size_t)p, (size_t)q, beta, alpha) * s1 *
                                   chi;
                        }
                *condense_ws_z(ws, l, u, v, beta) = sum;
            }
}

/* The factor that multiplies W^[l]_{p,q,alpha,beta} in eq. (2): x^[0] for l = 1, sigma(x^[l-1])
 * for l >= 2 -- the second factor of the W-derivatives in eq. (22). */
static double layer_input(const condense_cnn *net, const condense_data *data, size_t i,
                          const condense_workspace *ws, size_t l, size_t u, size_t v, size_t alpha)
{
    if (l == 1) return *condense_data_x(data, i, u, v, alpha);
    return condense_sigma(&net->sigma, *condense_ws_x(ws, l - 1, u, v, alpha));
}

/* CNN paper eq. (22): df/dW^[l]_{p,q,alpha,beta} = sum_{u,v} z^[l]_{u,v,beta}(i)
 * in^[l]_{u+p,v+q,alpha}(i) and df/db^[l]_beta = sum_{u,v} z^[l]_{u,v,beta}(i); added to grad
 * with the given weight. */
static void layer_gradient(const condense_cnn *net, const condense_data *data, size_t i,
                           const condense_workspace *ws, size_t l, double weight,
                           condense_cnn *grad)
{
    const size_t m = net->m[l];
#ifdef _OPENMP
#pragma omp parallel for if (net->C[l] * m * m * net->C[l - 1] * net->W[l] * net->H[l] > 65536)
#endif
    for (size_t beta = 1; beta <= net->C[l]; ++beta) {
        for (size_t alpha = 1; alpha <= net->C[l - 1]; ++alpha)
            for (size_t p = 0; p < m; ++p)
                for (size_t q = 0; q < m; ++q) {
                    double sum = 0.0;
                    for (size_t u = 1; u <= net->W[l]; ++u)
                        for (size_t v = 1; v <= net->H[l]; ++v)
                            sum += *condense_ws_z(ws, l, u, v, beta) *
                                   layer_input(net, data, i, ws, l, u + p, v + q, alpha);
                    *condense_W(grad, l, p, q, alpha, beta) += weight * sum;
                }
        double sum = 0.0;
        for (size_t u = 1; u <= net->W[l]; ++u)
            for (size_t v = 1; v <= net->H[l]; ++v)
                sum += *condense_ws_z(ws, l, u, v, beta);
        *condense_b(grad, l, beta) += weight * sum;
    }
}

/* CNN paper eq. (22)-(23): df/da_{u,v,beta} = sigma(x^[L]_{u,v,beta}(i)). */
static void a_gradient(const condense_cnn *net, const condense_workspace *ws, double weight,
                       condense_cnn *grad)
{
    const size_t L = net->L;
    for (size_t u = 1; u <= net->W[L]; ++u)
        for (size_t v = 1; v <= net->H[L]; ++v)
            for (size_t beta = 1; beta <= net->C[L]; ++beta)
                *condense_a(grad, u, v, beta) +=
                    weight * condense_sigma(&net->sigma, *condense_ws_x(ws, L, u, v, beta));
}

int condense_cnn_backward(const condense_cnn *net, const condense_data *data, size_t i,
                          condense_workspace *ws, double weight, condense_cnn *grad)
{
    CONDENSE_TRY(condense_pass_check(net, data, i, ws));
    CONDENSE_TRY(condense_cnn_same_shape(net, grad));
    z_top(net, ws);
    for (size_t l = net->L - 1; l >= 1; --l)
        z_layer(net, ws, l);
    for (size_t l = 1; l <= net->L; ++l)
        layer_gradient(net, data, i, ws, l, weight, grad);
    a_gradient(net, ws, weight, grad);
    return CONDENSE_OK;
}
