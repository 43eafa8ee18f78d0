/* condense/experiment.h -- the networks, losses and trainers of the CNN paper's experiments,
 * Sec. 4.1 "Experimental setup" and App. A.1: the CNN "n x 32C-(1024)-d",
 *
 *   x^[l] = W^[l] * sigma(x^[l-1]) + b^[l]   (valid convolution, eq. 2; sigma(x^[0]) := x_i)
 *           for l = 1..L convolution layers of C channels and kernel size m,
 *   s     = vec(sigma(x^[L]))                (array (W_L, H_L, C) flattened, length F)
 *   h     = ReLU(U s + c)                    (optional fully-connected layer of `hidden` units)
 *   o     = V h + v  (or V s + v without the hidden layer), d outputs.
 *
 * With L = 1, no hidden layer, d = 1 and no output bias this is exactly the two-layer CNN of the
 * theory, f(x_i, theta) = <a, sigma(x^[1])> with a = V (eq. 2, App. B.2).
 *
 * Losses over n samples (labels y_i from condense_data; for d > 1 and for cross-entropy y_i is
 * the class index in [0, d)):
 *   MSE, d = 1:  R = 1/(2n) sum_i (o_i - y_i)^2                          (eq. 1)
 *   MSE, d > 1:  R = 1/(2n) sum_i |softmax(o_i) - onehot(y_i)|^2          (Fig. 5: "one hot
 *                vector as label and softmax")
 *   CE (d >= 2): R = 1/n sum_i (log sum_k exp o_ik - o_{i,y_i})          (softmax cross-entropy)
 * (The 1/2 of eq. (1) is kept for MSE; PyTorch's MSELoss has none and averages over n d.)
 * Accuracy: the fraction of samples with argmax_k o_ik = y_i (d > 1), or with |o_i - y_i| < 1/2
 * (d = 1: the regression output rounds to the class index).
 *
 * Parameters live in one flat vector theta, in the order of initialization: for l = 1..L, W^[l]
 * (array (m, m, C_{l-1}, C), as in cnn.h) then b^[l] (C); then U (hidden x F, row-major) and c
 * (hidden); then V (d x K, K = hidden or F) and v (d, when present).  Gradients use the same
 * layout.  Initialization (Sec. 4.1): convolution parameters N(0, sigma_1^2) with sigma_1 =
 * ((c_in + c_out) m^2 / 2)^(-gamma), linear parameters N(0, sigma_2^2).
 *
 * The passes use im2col and CBLAS dgemm (as fast.h), OpenMP across samples for the
 * convolutions, and one dgemm over all samples for each fully-connected layer.  All buffers are
 * allocated once, in the workspace.
 */
#ifndef CONDENSE_EXPERIMENT_H
#define CONDENSE_EXPERIMENT_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "condense/activation.h"
#include "condense/adam.h" /* Adam, the experiments' optimizer */
#include "condense/cnn.h"
#include "condense/data.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum condense_exp_loss { CONDENSE_LOSS_MSE = 0, CONDENSE_LOSS_CE = 1 } condense_exp_loss;

/* "mse" / "ce" both ways; lookup: CONDENSE_EINVAL for another name.  name: NULL out of range. */
int condense_exp_loss_lookup(const char *name, condense_exp_loss *loss);
const char *condense_exp_loss_name(condense_exp_loss loss);

/* The architecture "layers x channels C - (hidden) - outputs". */
typedef struct condense_exp_shape {
    size_t W0, H0, C0; /* input */
    size_t layers;     /* L, number of convolution layers, 1..CONDENSE_MAX_LAYERS */
    size_t channels;   /* C of every convolution layer */
    size_t m;          /* kernel size of every convolution layer */
    size_t hidden;     /* ReLU units of the fully-connected layer; 0: none */
    size_t outputs;    /* d */
    int output_bias;   /* 1: o = V h + v (the experiments' linear layer); 0: o = V h (theory) */
} condense_exp_shape;

typedef struct condense_exp_net {
    condense_exp_shape shape;
    size_t L;
    size_t W[CONDENSE_MAX_LAYERS + 1], H[CONDENSE_MAX_LAYERS + 1], C[CONDENSE_MAX_LAYERS + 1];
    size_t F;                  /* W_L H_L C: length of s */
    size_t K;                  /* columns of V: hidden, or F without the hidden layer */
    condense_activation sigma; /* of the convolution layers */
    condense_activation relu;  /* of the hidden layer */
    condense_exp_loss loss;
    size_t nparams;
    double *theta; /* all parameters, in the layout above */
    /* offsets into theta (and into a gradient) and the matching views of theta */
    size_t off_W[CONDENSE_MAX_LAYERS + 1], off_b[CONDENSE_MAX_LAYERS + 1];
    size_t off_U, off_c, off_V, off_v;
    double *kernel[CONDENSE_MAX_LAYERS + 1], *bias[CONDENSE_MAX_LAYERS + 1];
    double *U, *c; /* NULL without the hidden layer */
    double *V, *v; /* v NULL without the output bias */
} condense_exp_net;

/* A network of the given shape, all parameters zero.  CONDENSE_ESIZE for a zero size, layers
 * outside [1, CONDENSE_MAX_LAYERS], a kernel larger than a layer's input, or sizes too large
 * for CBLAS's int; CONDENSE_EINVAL for an activation without type, cross-entropy with d < 2 or
 * an unknown loss.  *net untouched on failure. */
int condense_exp_net_alloc(const condense_exp_shape *shape, condense_activation sigma,
                           condense_exp_loss loss, condense_exp_net **net);
void condense_exp_net_free(condense_exp_net *net);

/* Sec. 4.1 / App. A.1: W^[l], b^[l] ~ N(0, sigma_1^2), sigma_1 = condense_init_sigma1(C_{l-1},
 * C, m, gamma); U, c, V, v ~ N(0, sigma_2^2); drawn in theta's order from rng.  CONDENSE_EDOM
 * for gamma not finite, sigma_1 not positive and finite, sigma_2 not finite or < 0. */
int condense_exp_init(condense_exp_net *net, double gamma, double sigma_2, gsl_rng *rng);

/* theta_{W,beta}^[l] for beta = 1..C (theta.h's order: alpha major, then p, q; then b_beta):
 * C blocks of C_{l-1} m^2 + 1 entries, for the cosine matrix D of eq. (5) and the kernel views.
 * CONDENSE_EINVAL for l outside [1, L]. */
int condense_exp_theta_W(const condense_exp_net *net, size_t l, double *theta_W);

/* Buffers for up to n_max samples (made for the current OpenMP thread count). */
struct condense_exp_thread; /* private to experiment.c */
typedef struct condense_exp_workspace {
    size_t n_max, F, K, d, hidden;
    double *S;                           /* n x F: s of every sample; after a backward pass dR/ds */
    double *Hpre;                        /* n x hidden: U s + c */
    double *Hact;                        /* n x hidden: ReLU(U s + c) */
    double *out;                         /* n x d: o of every sample after the last evaluation */
    double *G;                           /* n x d: dR/do */
    double *Gh;                          /* n x hidden: dR/d(U s + c) */
    double *ones;                        /* max(n_max, max_l W_l H_l) ones */
    double *Sl[CONDENSE_MAX_LAYERS + 1]; /* n x W_l H_l C: sigma(x^[l]) of every sample, l < L */
    double *D1[CONDENSE_MAX_LAYERS + 1]; /* n x W_l H_l C: sigma'(x^[l]) of every sample */
    size_t conv_params;
    int nthreads;
    struct condense_exp_thread *t;
} condense_exp_workspace;

int condense_exp_workspace_alloc(const condense_exp_net *net, size_t n_max,
                                 condense_exp_workspace **ws);
void condense_exp_workspace_free(condense_exp_workspace *ws);

/* The loss R (above) and accuracy at theta on data, and, when grad is not NULL, grad R (nparams
 * doubles, overwritten).  accuracy may be NULL.  CONDENSE_ESIZE when data does not fit the
 * network or has more than n_max samples or ws was made for another network; CONDENSE_EDOM for
 * a label that is not a class index in [0, d) where one is needed, or a non-finite output or
 * loss (outputs untouched). */
int condense_exp_evaluate(const condense_exp_net *net, const condense_data *data,
                          condense_exp_workspace *ws, double *R, double *accuracy, double *grad);

/* Full-batch gradient descent, eq. (20) discretized: theta <- theta - lr grad.  CONDENSE_EDOM
 * for lr not finite or <= 0. */
int condense_exp_gd_step(condense_exp_net *net, const double *grad, double lr);

#ifdef __cplusplus
}
#endif
#endif
