/* theta.c -- the theta_beta layout of CNN paper eq. (33) (single channel) and Sec. 5 / App. D
 * (C_0 channels), and theta_W = vec({theta_{W,beta}}).  The order of the loops below IS the
 * layout: alpha outermost, then p, then q, then b_beta; then u, then v for a. */
#include <config.h>

#include "condense/error.h"
#include "condense/theta.h"

size_t condense_theta_W_beta_size(const condense_cnn *net)
{
    return net->C[0] * net->m[1] * net->m[1] + 1;
}

size_t condense_theta_a_beta_size(const condense_cnn *net)
{
    return net->W[1] * net->H[1];
}

size_t condense_theta_beta_size(const condense_cnn *net)
{
    return condense_theta_W_beta_size(net) + condense_theta_a_beta_size(net);
}

/* theta_beta exists for the two-layer network of App. C/D, and beta must be in [M]. */
static int check_kernel(const condense_cnn *net, size_t beta, const void *vec)
{
    CONDENSE_CHECK_NULL(net);
    CONDENSE_CHECK_NULL(vec);
    if (net->L != 1)
        CONDENSE_ERROR(CONDENSE_EINVAL,
                       "theta_beta is defined for the two-layer CNN (L = 1), not for L = %zu",
                       net->L);
    if (beta < 1 || beta > net->C[1])
        CONDENSE_ERROR(CONDENSE_EINVAL, "kernel index beta = %zu outside [1, M = %zu]", beta,
                       net->C[1]);
    return CONDENSE_OK;
}

/* CNN paper Sec. 5 / eq. (33): theta_{W,beta} = (W_{p,q,alpha,beta} by alpha, p, q; b_beta). */
static void W_beta_copy(condense_cnn *net, size_t beta, double *theta_W_beta, int to_net)
{
    const size_t m = net->m[1];
    size_t k = 0;
    for (size_t alpha = 1; alpha <= net->C[0]; ++alpha)
        for (size_t p = 0; p < m; ++p)
            for (size_t q = 0; q < m; ++q, ++k) {
                double *W = condense_W(net, 1, p, q, alpha, beta);
                if (to_net)
                    *W = theta_W_beta[k];
                else
                    theta_W_beta[k] = *W;
            }
    if (to_net)
        *condense_b(net, 1, beta) = theta_W_beta[k];
    else
        theta_W_beta[k] = *condense_b(net, 1, beta);
}

/* CNN paper Sec. 5 / eq. (33): theta_{a,beta} = (a_{u,v,beta} by u, then v). */
static void a_beta_copy(condense_cnn *net, size_t beta, double *theta_a_beta, int to_net)
{
    size_t k = 0;
    for (size_t u = 1; u <= net->W[1]; ++u)
        for (size_t v = 1; v <= net->H[1]; ++v, ++k) {
            double *a = condense_a(net, u, v, beta);
            if (to_net)
                *a = theta_a_beta[k];
            else
                theta_a_beta[k] = *a;
        }
}

int condense_theta_beta_pack(const condense_cnn *net, size_t beta, double *theta_beta)
{
    CONDENSE_TRY(check_kernel(net, beta, theta_beta));
    /* The copy helpers serve both directions; with to_net = 0 they only read net. */
    condense_cnn *readonly = (condense_cnn *)net;
    W_beta_copy(readonly, beta, theta_beta, 0);
    a_beta_copy(readonly, beta, theta_beta + condense_theta_W_beta_size(net), 0);
    return CONDENSE_OK;
}

int condense_theta_beta_unpack(condense_cnn *net, size_t beta, const double *theta_beta)
{
    CONDENSE_TRY(check_kernel(net, beta, theta_beta));
    /* With to_net = 1 the helpers only read the vector. */
    double *readonly = (double *)theta_beta;
    W_beta_copy(net, beta, readonly, 1);
    a_beta_copy(net, beta, readonly + condense_theta_W_beta_size(net), 1);
    return CONDENSE_OK;
}

/* CNN paper Sec. 5: theta_W := vec({theta_{W,beta}}_{beta=1}^M). */
int condense_theta_W_pack(const condense_cnn *net, double *theta_W)
{
    CONDENSE_TRY(check_kernel(net, 1, theta_W));
    const size_t len = condense_theta_W_beta_size(net);
    for (size_t beta = 1; beta <= net->C[1]; ++beta)
        W_beta_copy((condense_cnn *)net, beta, theta_W + (beta - 1) * len, 0);
    return CONDENSE_OK;
}

int condense_theta_W_unpack(condense_cnn *net, const double *theta_W)
{
    CONDENSE_TRY(check_kernel(net, 1, theta_W));
    const size_t len = condense_theta_W_beta_size(net);
    for (size_t beta = 1; beta <= net->C[1]; ++beta)
        W_beta_copy(net, beta, (double *)theta_W + (beta - 1) * len, 1);
    return CONDENSE_OK;
}
