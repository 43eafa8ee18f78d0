/* condense/cnn.h -- the (L+1)-layer CNN of the CNN paper, Sec. 3.2 = App. B.2, in the paper's
 * own notation.
 *
 * Index conventions (exactly the paper's, see NOTES.md):
 *   i in [1:n]              sample
 *   u in [1:W_l], v in [1:H_l]  positions (1-based); u runs over image rows, v over columns
 *   p, q in [0:m_l - 1]     filter offsets (0-based)
 *   alpha in [1:C_{l-1}], beta in [1:C_l]  channels (1-based)
 *   l in [1:L]              layer; x^[0](i) = x_i is the input, W_l = W_{l-1} - m_l + 1
 *
 * Storage (C order, matching the .npy shapes used for exchange):
 *   W^[l]_{p,q,alpha,beta}  array (m_l, m_l, C_{l-1}, C_l)
 *   b^[l]_beta              array (C_l)
 *   a_{u,v,beta}            array (W_L, H_L, C_L)
 *   x^[l]_{u,v,beta}(i)     array (W_l, H_l, C_l) per sample, in a workspace
 * The accessors below take the paper's indices and hide only the offset arithmetic.
 */
#ifndef CONDENSE_CNN_H
#define CONDENSE_CNN_H

#include <stddef.h>

#include "condense/activation.h"
#include "condense/data.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CONDENSE_MAX_LAYERS 16

/* The architecture: L convolution layers, input W_0 x H_0 x C_0, then C_l channels and filter
 * size m_l per layer (valid convolution, stride 1). */
typedef struct condense_cnn_shape {
    size_t L;
    size_t W0, H0, C0;
    size_t C[CONDENSE_MAX_LAYERS + 1]; /* C[1..L]; C[0] is ignored (C0 is used) */
    size_t m[CONDENSE_MAX_LAYERS + 1]; /* m[1..L]; m[0] is ignored */
} condense_cnn_shape;

/* A network: its sizes for every layer and its parameters theta = (W^[l], b^[l], a). */
typedef struct condense_cnn {
    size_t L;
    size_t W[CONDENSE_MAX_LAYERS + 1];       /* W_l, l = 0..L */
    size_t H[CONDENSE_MAX_LAYERS + 1];       /* H_l, l = 0..L */
    size_t C[CONDENSE_MAX_LAYERS + 1];       /* C_l, l = 0..L */
    size_t m[CONDENSE_MAX_LAYERS + 1];       /* m_l, l = 1..L (m[0] = 0) */
    double *kernel[CONDENSE_MAX_LAYERS + 1]; /* W^[l], l = 1..L (kernel[0] = NULL) */
    double *bias[CONDENSE_MAX_LAYERS + 1];   /* b^[l], l = 1..L (bias[0] = NULL) */
    double *a;                               /* a_{u,v,beta} */
    condense_activation sigma;
} condense_cnn;

/* Allocate a network of the given shape with all parameters zero.  Fails with CONDENSE_ESIZE
 * for L = 0 or L > CONDENSE_MAX_LAYERS, a zero size or channel count, m_l = 0, or m_l larger
 * than the layer's input (m_l > W_{l-1} or m_l > H_{l-1}). */
int condense_cnn_alloc(const condense_cnn_shape *shape, condense_activation sigma,
                       condense_cnn **net);
void condense_cnn_free(condense_cnn *net);

/* A second network of the same shape (for gradients or copies), parameters copied or zero. */
int condense_cnn_clone(const condense_cnn *net, int copy_parameters, condense_cnn **out);

/* Number of entries of W^[l], of b^[l], of a, and of the whole theta. */
size_t condense_cnn_W_size(const condense_cnn *net, size_t l);
size_t condense_cnn_b_size(const condense_cnn *net, size_t l);
size_t condense_cnn_a_size(const condense_cnn *net);
size_t condense_cnn_nparams(const condense_cnn *net);

/* theta as one flat vector, in this fixed order: for l = 1..L, W^[l] (storage order) then
 * b^[l]; then a.  pack copies into theta (nparams doubles), unpack copies back. */
void condense_cnn_pack(const condense_cnn *net, double *theta);
void condense_cnn_unpack(condense_cnn *net, const double *theta);

/* CONDENSE_ESIZE unless the two networks have the same W_l, H_l, C_l, m_l for every l. */
int condense_cnn_same_shape(const condense_cnn *x, const condense_cnn *y);

/* Set every parameter to zero; y <- y + alpha x for two networks of one shape. */
void condense_cnn_zero(condense_cnn *net);
int condense_cnn_axpy(double alpha, const condense_cnn *x, condense_cnn *y);

/* CONDENSE_EDOM if any parameter is NaN or infinite (naming which one). */
int condense_cnn_check_finite(const condense_cnn *net);

/* CONDENSE_ESIZE unless data's W_0, H_0, C_0 equal the network's. */
int condense_cnn_check_data(const condense_cnn *net, const condense_data *data);

/* W^[l]_{p,q,alpha,beta}: p, q 0-based, alpha, beta 1-based. */
static inline double *condense_W(const condense_cnn *net, size_t l, size_t p, size_t q,
                                 size_t alpha, size_t beta)
{
    const size_t m = net->m[l];
    return net->kernel[l] + ((p * m + q) * net->C[l - 1] + (alpha - 1)) * net->C[l] + (beta - 1);
}

/* b^[l]_beta, beta 1-based. */
static inline double *condense_b(const condense_cnn *net, size_t l, size_t beta)
{
    return net->bias[l] + (beta - 1);
}

/* a_{u,v,beta}: all 1-based. */
static inline double *condense_a(const condense_cnn *net, size_t u, size_t v, size_t beta)
{
    const size_t L = net->L;
    return net->a + ((u - 1) * net->H[L] + (v - 1)) * net->C[L] + (beta - 1);
}

/* ---- forward and backward pass for one sample: App. B.2 and B.3 -------------------------- */

/* Per-sample buffers: x^[l](i) and z^[l](i) of eq. (21) for l = 1..L. */
/* Which implementation condense_risk and condense_gd_field use (condense_workspace_set_path):
 * the direct reference of eq. (2), (21)-(23), or the fast path of fast.h (im2col, CBLAS
 * dgemm, OpenMP across samples), tested against the direct one. */
typedef enum condense_path { CONDENSE_PATH_DIRECT = 0, CONDENSE_PATH_FAST = 1 } condense_path;

struct condense_fast_buffers; /* private to fast.c */

typedef struct condense_workspace {
    size_t L;
    size_t W[CONDENSE_MAX_LAYERS + 1], H[CONDENSE_MAX_LAYERS + 1], C[CONDENSE_MAX_LAYERS + 1];
    double *x[CONDENSE_MAX_LAYERS + 1]; /* x^[l], l = 1..L, array (W_l, H_l, C_l) */
    double *z[CONDENSE_MAX_LAYERS + 1]; /* z^[l], l = 1..L, array (W_l, H_l, C_l) */
    condense_path path;                 /* CONDENSE_PATH_DIRECT after alloc */
    struct condense_fast_buffers *fast; /* the fast path's buffers, NULL until selected */
} condense_workspace;

int condense_workspace_alloc(const condense_cnn *net, condense_workspace **ws);
void condense_workspace_free(condense_workspace *ws);

/* CONDENSE_ESIZE unless ws was allocated for a network of the same sizes as net. */
int condense_workspace_check(const condense_workspace *ws, const condense_cnn *net);

/* Shared argument checks of the passes: non-NULL, data and workspace fit net, 1 <= i <= n. */
int condense_pass_check(const condense_cnn *net, const condense_data *data, size_t i,
                        const condense_workspace *ws);

/* x^[l]_{u,v,beta}(i) and z^[l]_{u,v,beta}(i) of the last sample run through the workspace. */
static inline double *condense_ws_x(const condense_workspace *ws, size_t l, size_t u, size_t v,
                                    size_t beta)
{
    return ws->x[l] + ((u - 1) * ws->H[l] + (v - 1)) * ws->C[l] + (beta - 1);
}
static inline double *condense_ws_z(const condense_workspace *ws, size_t l, size_t u, size_t v,
                                    size_t beta)
{
    return ws->z[l] + ((u - 1) * ws->H[l] + (v - 1)) * ws->C[l] + (beta - 1);
}

/* Eq. (2)/(17): x^[l](i) for l = 1..L into ws, and f(x_i, theta) = <a, sigma(x^[L])> into *f.
 * i is 1-based.  CONDENSE_EDOM if f is not finite. */
int condense_cnn_forward(const condense_cnn *net, const condense_data *data, size_t i,
                         condense_workspace *ws, double *f);

/* Eq. (21)-(22), after condense_cnn_forward on the same sample: z^[l](i) into ws, and
 * grad <- grad + weight * d f(x_i, theta) / d theta (grad has the network's shape). */
int condense_cnn_backward(const condense_cnn *net, const condense_data *data, size_t i,
                          condense_workspace *ws, double weight, condense_cnn *grad);

/* ---- empirical risk and gradient-descent flow: eq. (1), (20), (23) ------------------------ */

/* Eq. (1): R_S(theta) = 1/(2n) sum_i (f(x_i, theta) - y_i)^2.  e (may be NULL) receives
 * e_i = f(x_i, theta) - y_i for i = 1..n, stored at e[i-1]. */
int condense_risk(const condense_cnn *net, const condense_data *data, condense_workspace *ws,
                  double *R_S, double *e);

/* Eq. (23): the GD vector field d theta / dt = -grad R_S(theta)
 * = -(1/n) sum_i e_i d f(x_i, theta) / d theta, written into dtheta (overwritten); R_S (may be
 * NULL) receives the risk at theta. */
int condense_gd_field(const condense_cnn *net, const condense_data *data, condense_workspace *ws,
                      condense_cnn *dtheta, double *R_S);

#ifdef __cplusplus
}
#endif
#endif
