/* cnn.c -- the (L+1)-layer CNN of the CNN paper, Sec. 3.2 / App. B.2: its sizes W_l, H_l, C_l,
 * m_l and the storage of theta = (W^[l], b^[l], a). */
#include <config.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "condense/cnn.h"
#include "condense/error.h"

/* App. B.2: valid convolution with stride 1 gives W_l = W_{l-1} - m_l + 1 (and so for H). */
int condense_cnn_alloc(const condense_cnn_shape *shape, condense_activation sigma,
                       condense_cnn **net)
{
    CONDENSE_CHECK_NULL(shape);
    CONDENSE_CHECK_NULL(net);
    if (sigma.type == NULL) CONDENSE_ERROR(CONDENSE_EINVAL, "activation has no type");
    if (!(isfinite(sigma.scale) && sigma.scale != 0.0))
        CONDENSE_ERROR(CONDENSE_EINVAL, "activation scale %g is not a finite non-zero number",
                       sigma.scale);
    if (shape->L == 0 || shape->L > CONDENSE_MAX_LAYERS)
        CONDENSE_ERROR(CONDENSE_ESIZE, "L = %zu convolution layers: need 1 <= L <= %d", shape->L,
                       CONDENSE_MAX_LAYERS);
    if (shape->W0 == 0 || shape->H0 == 0 || shape->C0 == 0)
        CONDENSE_ERROR(CONDENSE_ESIZE, "input W_0 x H_0 x C_0 = %zu x %zu x %zu has a zero size",
                       shape->W0, shape->H0, shape->C0);

    condense_cnn tmp;
    memset(&tmp, 0, sizeof tmp);
    tmp.L = shape->L;
    tmp.W[0] = shape->W0;
    tmp.H[0] = shape->H0;
    tmp.C[0] = shape->C0;
    tmp.sigma = sigma;
    for (size_t l = 1; l <= shape->L; ++l) {
        const size_t m = shape->m[l];
        if (shape->C[l] == 0) CONDENSE_ERROR(CONDENSE_ESIZE, "C_%zu = 0 channels", l);
        if (m == 0) CONDENSE_ERROR(CONDENSE_ESIZE, "filter size m_%zu = 0", l);
        if (m > tmp.W[l - 1] || m > tmp.H[l - 1])
            CONDENSE_ERROR(CONDENSE_ESIZE,
                           "filter size m_%zu = %zu is larger than the layer's input %zu x %zu", l,
                           m, tmp.W[l - 1], tmp.H[l - 1]);
        tmp.m[l] = m;
        tmp.C[l] = shape->C[l];
        tmp.W[l] = tmp.W[l - 1] - m + 1;
        tmp.H[l] = tmp.H[l - 1] - m + 1;
    }

    condense_cnn *out = malloc(sizeof *out);
    if (out == NULL) CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate the network");
    *out = tmp;
    int failed = 0;
    for (size_t l = 1; l <= out->L; ++l) {
        out->kernel[l] = calloc(condense_cnn_W_size(out, l), sizeof(double));
        out->bias[l] = calloc(condense_cnn_b_size(out, l), sizeof(double));
        failed |= out->kernel[l] == NULL || out->bias[l] == NULL;
    }
    out->a = calloc(condense_cnn_a_size(out), sizeof(double));
    failed |= out->a == NULL;
    if (failed) {
        condense_cnn_free(out);
        CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate the parameters");
    }
    *net = out;
    return CONDENSE_OK;
}

void condense_cnn_free(condense_cnn *net)
{
    if (net == NULL) return;
    for (size_t l = 1; l <= net->L; ++l) {
        free(net->kernel[l]);
        free(net->bias[l]);
    }
    free(net->a);
    free(net);
}

static condense_cnn_shape shape_of(const condense_cnn *net)
{
    condense_cnn_shape s;
    memset(&s, 0, sizeof s);
    s.L = net->L;
    s.W0 = net->W[0];
    s.H0 = net->H[0];
    s.C0 = net->C[0];
    for (size_t l = 1; l <= net->L; ++l) {
        s.C[l] = net->C[l];
        s.m[l] = net->m[l];
    }
    return s;
}

int condense_cnn_clone(const condense_cnn *net, int copy_parameters, condense_cnn **out)
{
    CONDENSE_CHECK_NULL(net);
    CONDENSE_CHECK_NULL(out);
    const condense_cnn_shape s = shape_of(net);
    condense_cnn *c = NULL;
    CONDENSE_TRY(condense_cnn_alloc(&s, net->sigma, &c));
    if (copy_parameters) {
        for (size_t l = 1; l <= net->L; ++l) {
            memcpy(c->kernel[l], net->kernel[l], condense_cnn_W_size(net, l) * sizeof(double));
            memcpy(c->bias[l], net->bias[l], condense_cnn_b_size(net, l) * sizeof(double));
        }
        memcpy(c->a, net->a, condense_cnn_a_size(net) * sizeof(double));
    }
    *out = c;
    return CONDENSE_OK;
}

size_t condense_cnn_W_size(const condense_cnn *net, size_t l)
{
    return net->m[l] * net->m[l] * net->C[l - 1] * net->C[l];
}

size_t condense_cnn_b_size(const condense_cnn *net, size_t l)
{
    return net->C[l];
}

size_t condense_cnn_a_size(const condense_cnn *net)
{
    return net->W[net->L] * net->H[net->L] * net->C[net->L];
}

size_t condense_cnn_nparams(const condense_cnn *net)
{
    size_t n = condense_cnn_a_size(net);
    for (size_t l = 1; l <= net->L; ++l)
        n += condense_cnn_W_size(net, l) + condense_cnn_b_size(net, l);
    return n;
}

void condense_cnn_pack(const condense_cnn *net, double *theta)
{
    for (size_t l = 1; l <= net->L; ++l) {
        const size_t nw = condense_cnn_W_size(net, l), nb = condense_cnn_b_size(net, l);
        memcpy(theta, net->kernel[l], nw * sizeof(double));
        memcpy(theta + nw, net->bias[l], nb * sizeof(double));
        theta += nw + nb;
    }
    memcpy(theta, net->a, condense_cnn_a_size(net) * sizeof(double));
}

void condense_cnn_unpack(condense_cnn *net, const double *theta)
{
    for (size_t l = 1; l <= net->L; ++l) {
        const size_t nw = condense_cnn_W_size(net, l), nb = condense_cnn_b_size(net, l);
        memcpy(net->kernel[l], theta, nw * sizeof(double));
        memcpy(net->bias[l], theta + nw, nb * sizeof(double));
        theta += nw + nb;
    }
    memcpy(net->a, theta, condense_cnn_a_size(net) * sizeof(double));
}

void condense_cnn_zero(condense_cnn *net)
{
    for (size_t l = 1; l <= net->L; ++l) {
        memset(net->kernel[l], 0, condense_cnn_W_size(net, l) * sizeof(double));
        memset(net->bias[l], 0, condense_cnn_b_size(net, l) * sizeof(double));
    }
    memset(net->a, 0, condense_cnn_a_size(net) * sizeof(double));
}

/* Two networks have one shape when every W_l, H_l, C_l and m_l agree. */
static int same_shape(const condense_cnn *x, const condense_cnn *y)
{
    if (x->L != y->L) return 0;
    for (size_t l = 0; l <= x->L; ++l)
        if (x->W[l] != y->W[l] || x->H[l] != y->H[l] || x->C[l] != y->C[l] || x->m[l] != y->m[l])
            return 0;
    return 1;
}

int condense_cnn_same_shape(const condense_cnn *x, const condense_cnn *y)
{
    CONDENSE_CHECK_NULL(x);
    CONDENSE_CHECK_NULL(y);
    if (!same_shape(x, y)) CONDENSE_ERROR(CONDENSE_ESIZE, "the two networks have different shapes");
    return CONDENSE_OK;
}

int condense_cnn_axpy(double alpha, const condense_cnn *x, condense_cnn *y)
{
    CONDENSE_TRY(condense_cnn_same_shape(x, y));
    for (size_t l = 1; l <= x->L; ++l) {
        for (size_t k = 0; k < condense_cnn_W_size(x, l); ++k)
            y->kernel[l][k] += alpha * x->kernel[l][k];
        for (size_t k = 0; k < condense_cnn_b_size(x, l); ++k)
            y->bias[l][k] += alpha * x->bias[l][k];
    }
    for (size_t k = 0; k < condense_cnn_a_size(x); ++k)
        y->a[k] += alpha * x->a[k];
    return CONDENSE_OK;
}

int condense_cnn_check_finite(const condense_cnn *net)
{
    CONDENSE_CHECK_NULL(net);
    for (size_t l = 1; l <= net->L; ++l) {
        for (size_t k = 0; k < condense_cnn_W_size(net, l); ++k)
            if (!isfinite(net->kernel[l][k]))
                CONDENSE_ERROR(CONDENSE_EDOM, "W^[%zu] entry %zu is %g", l, k, net->kernel[l][k]);
        for (size_t k = 0; k < condense_cnn_b_size(net, l); ++k)
            if (!isfinite(net->bias[l][k]))
                CONDENSE_ERROR(CONDENSE_EDOM, "b^[%zu]_%zu is %g", l, k + 1, net->bias[l][k]);
    }
    for (size_t k = 0; k < condense_cnn_a_size(net); ++k)
        if (!isfinite(net->a[k])) CONDENSE_ERROR(CONDENSE_EDOM, "a entry %zu is %g", k, net->a[k]);
    return CONDENSE_OK;
}

int condense_cnn_check_data(const condense_cnn *net, const condense_data *data)
{
    CONDENSE_CHECK_NULL(net);
    CONDENSE_CHECK_NULL(data);
    if (data->W0 != net->W[0] || data->H0 != net->H[0] || data->C0 != net->C[0])
        CONDENSE_ERROR(CONDENSE_ESIZE,
                       "data of size %zu x %zu x %zu do not fit a network with input %zu x %zu x "
                       "%zu",
                       data->W0, data->H0, data->C0, net->W[0], net->H[0], net->C[0]);
    return CONDENSE_OK;
}
