/* init.c -- initialization of theta, CNN paper eq. (3)-(4)/(18)-(19) and Sec. 4.1. */
#include <config.h>

#include <math.h>

#include <gsl/gsl_randist.h>

#include "condense/error.h"
#include "condense/init.h"

int condense_rng_alloc(unsigned long seed, gsl_rng **rng)
{
    CONDENSE_CHECK_NULL(rng);
    condense_gsl_quiet(); /* a failing gsl_rng_alloc must return NULL, not abort */
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (r == NULL) CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate a random number generator");
    gsl_rng_set(r, seed);
    *rng = r;
    return CONDENSE_OK;
}

/* Fill n entries with N(0, sd^2) draws, in order. */
static void draw_normal(double *x, size_t n, double sd, gsl_rng *rng)
{
    for (size_t k = 0; k < n; ++k)
        x[k] = gsl_ran_gaussian(rng, sd);
}

/* Draw every parameter: layer by layer W^[l] then b^[l] with sd_W[l], then a with sd_a. */
static void draw_all(condense_cnn *net, const double *sd_W, double sd_a, gsl_rng *rng)
{
    for (size_t l = 1; l <= net->L; ++l) {
        draw_normal(net->kernel[l], condense_cnn_W_size(net, l), sd_W[l], rng);
        draw_normal(net->bias[l], condense_cnn_b_size(net, l), sd_W[l], rng);
    }
    draw_normal(net->a, condense_cnn_a_size(net), sd_a, rng);
}

/* CNN paper eq. (3)-(4): W, b ~ N(0, beta_1^2), a ~ N(0, beta_2^2), beta_1 = beta_2 = eps. */
int condense_init_normal(condense_cnn *net, double eps, gsl_rng *rng)
{
    CONDENSE_CHECK_NULL(net);
    CONDENSE_CHECK_NULL(rng);
    if (!(isfinite(eps) && eps > 0.0))
        CONDENSE_ERROR(CONDENSE_EDOM, "initialization scale eps = %g: need a finite eps > 0", eps);
    double sd_W[CONDENSE_MAX_LAYERS + 1];
    for (size_t l = 0; l <= net->L; ++l)
        sd_W[l] = eps;
    draw_all(net, sd_W, eps, rng);
    return CONDENSE_OK;
}

/* CNN paper Sec. 4.1: sigma_1 = ((c_in + c_out) * m^2 / 2)^(-gamma). */
double condense_init_sigma1(size_t c_in, size_t c_out, size_t m, double gamma)
{
    /* In double from the start: size_t products could wrap around. */
    const double md = (double)m;
    return pow(((double)c_in + (double)c_out) * md * md / 2.0, -gamma);
}

int condense_init_experiment(condense_cnn *net, double gamma, double sigma_2, gsl_rng *rng)
{
    CONDENSE_CHECK_NULL(net);
    CONDENSE_CHECK_NULL(rng);
    if (!isfinite(gamma)) CONDENSE_ERROR(CONDENSE_EDOM, "gamma = %g is not a finite number", gamma);
    if (!(isfinite(sigma_2) && sigma_2 >= 0.0))
        CONDENSE_ERROR(CONDENSE_EDOM, "sigma_2 = %g: need a finite sigma_2 >= 0", sigma_2);
    double sd_W[CONDENSE_MAX_LAYERS + 1];
    sd_W[0] = 0.0;
    for (size_t l = 1; l <= net->L; ++l) {
        sd_W[l] = condense_init_sigma1(net->C[l - 1], net->C[l], net->m[l], gamma);
        if (!(isfinite(sd_W[l]) && sd_W[l] > 0.0))
            CONDENSE_ERROR(CONDENSE_EDOM, "sigma_1 of layer %zu = %g is not a positive number", l,
                           sd_W[l]);
    }
    draw_all(net, sd_W, sigma_2, rng);
    return CONDENSE_OK;
}
