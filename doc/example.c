/* doc/example.c -- the manual's worked example: initial condensation of a two-layer CNN,
 * measured through the public API of libcondense.  `make doc` compiles this file against the
 * library, runs it, and includes its output in the manual (chapter "Using condense").
 *
 * Steps: a seeded synthetic data set (Assumption 2), Z and its SVD (eq. 35-37), the real
 * gradient flow in rescaled coordinates (App. C/D) from theta_bar(0) ~ N(0, 1) (eq. 28) with
 * eps^2 = M^(-gamma) (Assumption 3), and along it the condensation ratio of eq. (15), the
 * energy E_max (eq. 47) and the explicit bound of Proposition 2 (eq. 48). */
#include <condense/condense.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* What the observer needs: the SVD direction v_1, sizes, and a buffer for theta_W. */
typedef struct example_state {
    condense_real_flow *flow;
    const double *v_1;
    size_t M, N_W, N_a;
    double *theta_beta, *theta_W;
    condense_prop2 prop2;
} example_state;

/* Called by condense_real_flow_integrate at every requested time. */
static int observe(double t, const double *theta_bar, void *user)
{
    example_state *s = user;
    for (size_t beta = 1; beta <= s->M; beta++) { /* theta_W = vec({theta_{W,beta}}) */
        CONDENSE_TRY(condense_real_flow_theta_beta(s->flow, theta_bar, beta, s->theta_beta));
        for (size_t j = 0; j < s->N_W; j++)
            s->theta_W[(beta - 1) * s->N_W + j] = s->theta_beta[j];
    }
    double ratio, E_max;
    CONDENSE_TRY(condense_condensation_ratio(s->theta_W, s->M, s->N_W, s->v_1, &ratio));
    CONDENSE_TRY(condense_energy(s->flow, theta_bar, NULL, &E_max));
    double B = condense_prop2_bound(&s->prop2, s->M, s->flow->eps, E_max);
    printf("%6.3f  %10.4f  %12.8f  %11.3e\n", t, E_max, ratio, B);
    return CONDENSE_OK;
}

static int run(void)
{
    const size_t n = 12, W0 = 6, H0 = 6, C0 = 1, m = 3, M = 64;
    const double gamma = 4.0, eps = pow((double)M, -gamma / 2.0);
    condense_data *data = NULL;
    gsl_matrix *Z = NULL;
    condense_spectrum *s = NULL;
    condense_real_flow *flow = NULL;
    gsl_rng *rng = NULL;
    double *theta_bar = NULL;
    example_state st = {0};
    condense_activation act;
    int status;
    double c, gap_rel;
    int holds;

    if ((status = condense_data_synthetic(n, W0, H0, C0, 4.0, 1, &data)) != CONDENSE_OK ||
        (status = condense_data_assumption2_c(data, &c)) != CONDENSE_OK ||
        (status = condense_Z_alloc(data, m, &Z)) != CONDENSE_OK ||
        (status = condense_spectrum_alloc(Z, -1.0, &s)) != CONDENSE_OK ||
        (status = condense_assumption4(s, 1e-8, &holds, &gap_rel)) != CONDENSE_OK ||
        (status = condense_activation_lookup("tanh", 0, &act)) != CONDENSE_OK ||
        (status = condense_real_flow_alloc(data, M, m, act, eps, &flow)) != CONDENSE_OK ||
        (status = condense_rng_alloc(7, &rng)) != CONDENSE_OK)
        goto done;

    printf("%s: n = %zu, %zux%zux%zu, m = %zu, M = %zu, eps = %g\n", condense_version(), n, W0, H0,
           C0, m, M, eps);
    printf("Assumption 2: c = %g;  Z is %zu x %zu, rank %zu\n", c, Z->size1, Z->size2, s->r);
    printf("lambda_1 = %.6f, lambda_2 = %.6f, Delta lambda / lambda_1 = %.4f (Assumption 4 %s)\n",
           condense_spectrum_lambda(s, 1), condense_spectrum_lambda(s, 2), gap_rel,
           holds ? "holds" : "fails");
    gsl_vector_const_view v1 = condense_spectrum_v(s, 1);
    double ones_dot = 0.0;
    for (size_t j = 0; j < v1.vector.size; j++)
        ones_dot += gsl_vector_get(&v1.vector, j);
    printf("cosine of v_1 with the all-ones vector: %.6f\n",
           ones_dot / sqrt((double)v1.vector.size));

    st.flow = flow;
    st.M = M;
    st.N_W = C0 * m * m + 1;
    st.N_a = (W0 - m + 1) * (H0 - m + 1);
    double *v_1 = malloc(st.N_W * sizeof *v_1);
    st.theta_beta = malloc((st.N_W + st.N_a) * sizeof *st.theta_beta);
    st.theta_W = malloc(M * st.N_W * sizeof *st.theta_W);
    theta_bar = malloc(flow->dim * sizeof *theta_bar);
    if (!v_1 || !st.theta_beta || !st.theta_W || !theta_bar) {
        free(v_1);
        status = CONDENSE_ENOMEM;
        goto done;
    }
    /* V is stored with a stride: copy v_1 into a contiguous buffer. */
    for (size_t j = 0; j < st.N_W; j++)
        v_1[j] = gsl_vector_get(&v1.vector, j);
    st.v_1 = v_1;
    if ((status = condense_prop2_init(c, act.scale * act.type->C_L, st.N_W, st.N_a, &st.prop2)) !=
        CONDENSE_OK) {
        free(v_1);
        goto done;
    }
    for (size_t j = 0; j < flow->dim; j++)
        theta_bar[j] = gsl_ran_gaussian(rng, 1.0); /* eq. 28 */

    double times[9];
    for (size_t k = 0; k < 9; k++)
        times[k] = 0.05 * (double)k;
    printf("\n     t       E_max   ratio (15)   Prop. 2 B\n");
    status = condense_real_flow_integrate(flow, theta_bar, times, 9, 1e-9, 1e-9, observe, &st);
    printf("field evaluations: %lu\n", flow->n_field);
    free(v_1);
done:
    if (status != CONDENSE_OK) fprintf(stderr, "example: %s\n", condense_errmsg());
    free(theta_bar);
    free(st.theta_beta);
    free(st.theta_W);
    gsl_rng_free(rng);
    condense_real_flow_free(flow);
    condense_spectrum_free(s);
    gsl_matrix_free(Z);
    condense_data_free(data);
    return status;
}

int main(void)
{
    return run() == CONDENSE_OK ? EXIT_SUCCESS : EXIT_FAILURE;
}
