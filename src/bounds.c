/* bounds.c -- the explicit estimates of CNN paper App. C.3-C.5: Proposition 2 with every
 * constant written back, Lemma 1 (eq. 49), Proposition 3 (eq. 51), T_eff (eq. 54), t_0
 * (eq. 58), t_bar_0, the lower bound (59) and the rate (64).
 *
 * ==== Proposition 2, derived with every constant (CNN paper App. C.3, eq. 48) ================
 *
 * Setting (rescaled coordinates, bars dropped as in the paper; C_0 channels as in App. D):
 *   x_{u,v,beta}(i) = sum_{alpha,p,q} x_{u+p,v+q,alpha}(i) W_{p,q,alpha,beta} + b_beta   (x^[1])
 *   e_i + y_i = eps sum_{beta,u,v} a_{u,v,beta} sigma(eps x_{u,v,beta}(i))
 *   N_W = C_0 m^2 + 1 = |theta_{W,beta}| length,  N_a = W_1 H_1 = |theta_{a,beta}| length.
 * Hypotheses actually used:
 *   (A1) sigma in C^2, sup|sigma'| <= C_L, sup|sigma''| <= C_L, sigma(0) = 0, sigma'(0) = 1;
 *   (A2) |x_{u,v,alpha}(i)| <= c and |y_i| <= c for all entries, and c >= 1.
 * All norms are Euclidean unless marked; |v|_1 <= sqrt(len) |v| (Cauchy-Schwarz).
 *
 * Step 0 (x^[1]).  x_{u,v,beta} is a sum of N_W products: N_W - 1 of them x * W with |x| <= c,
 * one of them 1 * b with 1 <= c (here c >= 1 is needed).  Hence
 *   |x_{u,v,beta}(i)| <= c |theta_{W,beta}|_1 <= c sqrt(N_W) |theta_{W,beta}|.             (0)
 *
 * Step 1 (the three facts about sigma, from A1 by the mean value theorem / Taylor):
 *   |sigma(eps x)|               = |sigma(eps x) - sigma(0)|          <= C_L eps |x|,     (1a)
 *   |sigma'(eps x) - 1|          = |sigma'(eps x) - sigma'(0)|        <= C_L eps |x|,     (1b)
 *   |sigma(eps x)/eps - x|       = |sigma(eps x) - sigma(0) - sigma'(0) eps x| / eps
 *                                                                      <= C_L eps x^2 / 2. (1c)
 *
 * Step 2 (|e_i + y_i|).  By (1a), (0) and |theta_{a,beta}|_1 <= sqrt(N_a) |theta_{a,beta}|:
 *   |e_i + y_i| <= eps sum_beta sum_{u,v} |a_{u,v,beta}| C_L eps |x_{u,v,beta}(i)|
 *              <= eps^2 C_L c sqrt(N_W N_a) sum_beta |theta_{a,beta}| |theta_{W,beta}|
 *              <= (C_L c sqrt(N_W N_a) / 2) M eps^2 E_max^2 =: D,                       (2)
 * using |theta_a| |theta_W| <= (|theta_a|^2 + |theta_W|^2) / 2 = E_beta^2 / 2 <= E_max^2 / 2.
 *
 * Step 3 (f_beta).  Each entry is (1/n) sum_i sum_{u,v} a_{u,v,beta} X (e_i sigma' + y_i) with
 * X = x_{u+p,v+q,alpha}(i) for the W entries and X = 1 for the bias entry, so |X| <= c.  Split
 *   e_i sigma' + y_i = (e_i + y_i) sigma' - y_i (sigma' - 1).
 * First part, by (2), |sigma'| <= C_L and |X| <= c:
 *   |.| <= D C_L c |theta_{a,beta}|_1 <= D C_L c sqrt(N_a) |theta_{a,beta}|.
 * Second part, by |y_i| <= c, |X| <= c, (1b) and (0):
 *   |.| <= c c sum_{u,v} |a| C_L eps c sqrt(N_W) |theta_{W,beta}|
 *       <= C_L c^3 eps sqrt(N_W N_a) |theta_{W,beta}| |theta_{a,beta}|.
 * f_beta has N_W entries, so |f_beta| <= sqrt(N_W) max_entry:
 *   |f_beta| <= [ C_L c sqrt(N_W N_a) D + C_L c^3 N_W sqrt(N_a) eps |theta_{W,beta}| ]
 *              |theta_{a,beta}|
 *            = [ K_2 M eps^2 E_max^2 + K_1 eps |theta_{W,beta}| ] |theta_{a,beta}|
 *           <= B |theta_{a,beta}|,
 * with K_2 = C_L c sqrt(N_W N_a) * C_L c sqrt(N_W N_a) / 2 = C_L^2 c^2 N_W N_a / 2 and
 * K_1 = C_L c^3 N_W sqrt(N_a), and |theta_{W,beta}| <= E_beta <= E_max.
 *
 * Step 4 (g_beta).  Each entry is (1/n) sum_i (e_i sigma(eps x)/eps + y_i x) with
 * x = x_{u,v,beta}(i).  Split
 *   e_i sigma(eps x)/eps + y_i x = (e_i + y_i) sigma(eps x)/eps - y_i (sigma(eps x)/eps - x).
 * First part, by (2), (1a) and (0):  |.| <= D C_L c sqrt(N_W) |theta_{W,beta}|.
 * Second part, by |y_i| <= c, (1c) and (0):
 *   |.| <= c C_L eps c^2 N_W |theta_{W,beta}|^2 / 2.
 * g_beta has N_a entries, so
 *   |g_beta| <= [ C_L c sqrt(N_W N_a) D + (C_L c^3 N_W sqrt(N_a) / 2) eps |theta_{W,beta}| ]
 *              |theta_{W,beta}|
 *           <= [ K_2 M eps^2 E_max^2 + (K_1 / 2) eps E_max ] |theta_{W,beta}| <= B
 * |theta_{W,beta}|.
 *
 * Result: B = K_2 M eps^2 E_max^2 + K_1 eps E_max with K_2 = C_L^2 c^2 N_W N_a / 2 and
 * K_1 = C_L c^3 N_W sqrt(N_a), for every eps > 0 and every state (no smallness is used), and
 * therefore also (|f_beta|^2 + |g_beta|^2)^(1/2) <= B E_beta <= B E_max.
 *
 * Printed steps that do not hold as written (the bound above repairs each):
 *  (i)   Assumption 2 bounds |x| only from below (1/c <= |x|), but the proof uses |x| <= c
 *        (step 0 and the X factors of step 3).  c must bound |x| from above too, and c >= 1
 *        (the bias enters x^[1] with coefficient 1; with both bounds 1/c <= |x| <= c already
 *        forces c >= 1).  condense_data_assumption2_c measures c accordingly, as
 *        max(1/min|x|, max|x|, max|y|).
 *  (ii)  "(|f_beta| + |g_beta|)^(1/2) <= (M eps^2 E_max^2 + eps E_max) E_beta" should read
 *        (|f_beta|^2 + |g_beta|^2)^(1/2) <= B E_beta: squaring and adding the two lines of (48)
 *        gives |f|^2 + |g|^2 <= B^2 (|theta_a|^2 + |theta_W|^2) = B^2 E_beta^2.
 *  (iii) The sign of (f; g) in eq. (45): with f, g defined as printed, the real field is
 *        A theta_beta - (f_beta; g_beta) (the first display of App. C.3 subtracts them), not
 *        A theta_beta + (f; g).  Norms do not see the sign, so (48) is unaffected.
 *  (iv)  The printed constants "c sqrt(m^2 + 1) sqrt(W_1 H_1)" and "c^2 sqrt(m^2+1) sqrt(W_1 H_1)"
 *        drop C_L (Assumption 1 is used three times: (1a), (1b), (1c) and |sigma'| <= C_L), and
 *        the second term drops one factor c and one factor sqrt(N_W) (from |x^[1]| <=
 *        c sqrt(N_W) |theta_W| inside sigma' - 1, on top of |y| <= c, |X| <= c and the sqrt(N_W)
 *        of the norm).  For C_0 channels m^2 + 1 becomes C_0 m^2 + 1.  K_1, K_2 above carry all
 *        of them; conversely the printed proof does not take the factor 1/2 of step 2.
 */
#include <config.h>

#include <math.h>

#include <gsl/gsl_cdf.h>

#include "condense/bounds.h"
#include "condense/error.h"

/* Record why a double-valued function has no value; it then returns NaN (documented in
 * bounds.h's comments below: every double-valued function returns NaN on invalid input and
 * records a message readable with condense_errmsg()). */
#define NAN_ERROR(status, ...)                                                                     \
    do {                                                                                           \
        (void)condense_error_set((status), __func__, __VA_ARGS__);                                 \
        return NAN;                                                                                \
    } while (0)

static int is_prob(double delta)
{
    return delta > 0.0 && delta < 1.0; /* false for NaN */
}

/* ---- Proposition 2 -------------------------------------------------------------------------- */

/* CNN paper App. C.3, Proposition 2 (eq. 48), constants of the derivation above. */
int condense_prop2_init(double c, double C_L, size_t N_W, size_t N_a, condense_prop2 *p)
{
    CONDENSE_CHECK_NULL(p);
    if (N_W == 0 || N_a == 0)
        CONDENSE_ERROR(CONDENSE_ESIZE, "sizes N_W = %zu, N_a = %zu must be positive", N_W, N_a);
    if (!(isfinite(c) && c >= 1.0))
        CONDENSE_ERROR(CONDENSE_EDOM, "Assumption 2 constant c = %g: need a finite c >= 1", c);
    if (!(isfinite(C_L) && C_L > 0.0))
        CONDENSE_ERROR(CONDENSE_EDOM, "Assumption 1 constant C_L = %g: need a finite C_L > 0", C_L);
    const double nw = (double)N_W, na = (double)N_a;
    const double K_2 = C_L * C_L * c * c * nw * na / 2.0;
    const double K_1 = C_L * c * c * c * nw * sqrt(na);
    if (!(isfinite(K_1) && isfinite(K_2)))
        CONDENSE_ERROR(CONDENSE_EDOM, "constants K_1 = %g, K_2 = %g overflow", K_1, K_2);
    p->c = c;
    p->C_L = C_L;
    p->N_W = N_W;
    p->N_a = N_a;
    p->K_1 = K_1;
    p->K_2 = K_2;
    return CONDENSE_OK;
}

/* CNN paper eq. (48) with constants: B = K_2 M eps^2 E_max^2 + K_1 eps E_max. */
double condense_prop2_bound(const condense_prop2 *p, size_t M, double eps, double E_max)
{
    if (p == NULL) NAN_ERROR(CONDENSE_EINVAL, "argument 'p' is NULL");
    if (M == 0) NAN_ERROR(CONDENSE_ESIZE, "M = 0 kernels");
    if (!(isfinite(eps) && eps > 0.0))
        NAN_ERROR(CONDENSE_EDOM, "eps = %g: need a finite eps > 0", eps);
    if (!(isfinite(E_max) && E_max >= 0.0))
        NAN_ERROR(CONDENSE_EDOM, "E_max = %g: need a finite E_max >= 0", E_max);
    const double eE = eps * E_max;
    return p->K_2 * (double)M * eE * eE + p->K_1 * eE;
}

/* ---- Lemma 1 -------------------------------------------------------------------------------- */

/* CNN paper App. C.4, Lemma 1, eq. (49): eta = sqrt(2 log(2 M (N_W + N_a) / delta)), the level
 * at which the union bound 2 M (N_W + N_a) exp(-eta^2 / 2) equals delta. */
double condense_lemma1_eta(size_t M, size_t N_W, size_t N_a, double delta)
{
    if (M == 0 || N_W == 0 || N_a == 0)
        NAN_ERROR(CONDENSE_ESIZE, "sizes M = %zu, N_W = %zu, N_a = %zu must be positive", M, N_W,
                  N_a);
    if (!is_prob(delta)) NAN_ERROR(CONDENSE_EDOM, "delta = %g outside (0, 1)", delta);
    /* The logarithm of the product as a sum: 2 M N cannot overflow a double this way. */
    const double N = (double)N_W + (double)N_a;
    return sqrt(2.0 * (log(2.0) + log((double)M) + log(N) - log(delta)));
}

/* ---- Proposition 3 -------------------------------------------------------------------------- */

static int check_prop3(size_t M, size_t N_W)
{
    if (M == 0 || N_W == 0)
        CONDENSE_ERROR(CONDENSE_ESIZE, "sizes M = %zu, N_W = %zu must be positive", M, N_W);
    return CONDENSE_OK;
}

/* CNN paper App. C.4, Proposition 3, eq. (51): sqrt(M N_W / 2) <= |theta^0_W| <= sqrt(3 M N_W/2).
 */
int condense_prop3_bounds(size_t M, size_t N_W, double *lower, double *upper)
{
    CONDENSE_CHECK_NULL(lower);
    CONDENSE_CHECK_NULL(upper);
    CONDENSE_TRY(check_prop3(M, N_W));
    const double k = (double)M * (double)N_W;
    *lower = sqrt(k / 2.0);
    *upper = sqrt(1.5 * k);
    return CONDENSE_OK;
}

/* CNN paper eq. (51), its exact probability: |theta^0_W|^2 ~ chi^2(k), k = M N_W, so
 * P = P(k/2 <= X <= 3k/2) = 1 - F(k/2) - Q(3k/2).  Each tail comes from the GSL routine that
 * computes it with full relative accuracy (gsl_cdf_chisq_P for the lower, gsl_cdf_chisq_Q for
 * the upper), so P near 1 (large k) keeps absolute error ~ 1 ulp instead of losing the upper
 * tail in F(3k/2) = 1 - Q(3k/2). */
int condense_prop3_probability(size_t M, size_t N_W, double *p)
{
    CONDENSE_CHECK_NULL(p);
    CONDENSE_TRY(check_prop3(M, N_W));
    condense_gsl_quiet(); /* GSL reports a failure as NaN instead of aborting */
    const double k = (double)M * (double)N_W;
    const double lower_tail = gsl_cdf_chisq_P(k / 2.0, k);
    const double upper_tail = gsl_cdf_chisq_Q(1.5 * k, k);
    const double prob = 1.0 - (lower_tail + upper_tail);
    if (!(isfinite(prob) && prob >= 0.0 && prob <= 1.0))
        CONDENSE_ERROR(CONDENSE_ENUM, "chi-square tails P(%g; %g) = %g, Q(%g; %g) = %g failed",
                       k / 2.0, k, lower_tail, 1.5 * k, k, upper_tail);
    *p = prob;
    return CONDENSE_OK;
}

/* ---- Effective time ------------------------------------------------------------------------- */

/* CNN paper App. C.5, eq. (54): has t passed T_eff, i.e. M eps^2 phi^3 > M^(-tau),
 * tau = (gamma - 1)/4?  Compared in logarithms, log M + 2 log eps + 3 log phi > -tau log M, so
 * that neither eps^2 (underflow for eps < 1e-154) nor phi^3 (overflow) decides the answer. */
int condense_teff_exceeded(size_t M, double eps, double gamma, double phi, int *exceeded)
{
    CONDENSE_CHECK_NULL(exceeded);
    if (M == 0) CONDENSE_ERROR(CONDENSE_ESIZE, "M = 0 kernels");
    if (!(isfinite(eps) && eps > 0.0))
        CONDENSE_ERROR(CONDENSE_EDOM, "eps = %g: need a finite eps > 0", eps);
    if (!isfinite(gamma)) CONDENSE_ERROR(CONDENSE_EDOM, "gamma = %g is not finite", gamma);
    if (!(isfinite(phi) && phi >= 0.0))
        CONDENSE_ERROR(CONDENSE_EDOM, "phi = %g: need a finite phi >= 0", phi);
    if (phi == 0.0) { /* the left side is 0 and M^(-tau) > 0 */
        *exceeded = 0;
        return CONDENSE_OK;
    }
    const double logM = log((double)M);
    const double tau = (gamma - 1.0) / 4.0;
    *exceeded = logM + 2.0 * log(eps) + 3.0 * log(phi) > -tau * logM;
    return CONDENSE_OK;
}

/* Shared domain of t_0, t_bar_0, (59), (64): M >= 1, gamma finite, lambda_1 > 0 finite. */
static int bad_time_args(size_t M, double gamma, double lambda_1)
{
    return M == 0 || !isfinite(gamma) || !(isfinite(lambda_1) && lambda_1 > 0.0);
}

/* CNN paper App. C.5, eq. (58) solved for t:
 *   t_0 = [((gamma-1)/4) log M - log 4 - (1/2) log(2 N log(2 M N / delta))] / lambda_1. */
double condense_t0(size_t M, size_t N_W, size_t N_a, double delta, double gamma, double lambda_1)
{
    if (N_W == 0 || N_a == 0 || bad_time_args(M, gamma, lambda_1))
        NAN_ERROR(CONDENSE_EDOM,
                  "need M, N_W, N_a >= 1, finite gamma and finite lambda_1 > 0 "
                  "(M = %zu, N_W = %zu, N_a = %zu, gamma = %g, lambda_1 = %g)",
                  M, N_W, N_a, gamma, lambda_1);
    if (!is_prob(delta)) NAN_ERROR(CONDENSE_EDOM, "delta = %g outside (0, 1)", delta);
    const double N = (double)N_W + (double)N_a;
    const double logM = log((double)M);
    const double L = log(2.0) + logM + log(N) - log(delta); /* log(2 M N / delta) > log 2 */
    return ((gamma - 1.0) / 4.0 * logM - log(4.0) - 0.5 * log(2.0 * N * L)) / lambda_1;
}

/* CNN paper App. C.5, proof of Theorem 1 (= Theorem 3):
 * t_bar_0 = [((gamma - 1)/8) log M - log 2] / lambda_1. */
double condense_t0_bar(size_t M, double gamma, double lambda_1)
{
    if (bad_time_args(M, gamma, lambda_1))
        NAN_ERROR(CONDENSE_EDOM,
                  "need M >= 1, finite gamma and finite lambda_1 > 0 "
                  "(M = %zu, gamma = %g, lambda_1 = %g)",
                  M, gamma, lambda_1);
    return ((gamma - 1.0) / 8.0 * log((double)M) - log(2.0)) / lambda_1;
}

/* CNN paper eq. (59) (= eq. 13): [log(1/4) + ((gamma-1)/4 - eta_0) log M] / lambda_1, stated
 * for eta_0 > (gamma - 1)/100 > 0; outside that domain the paper claims nothing: NaN. */
double condense_teff_lower(size_t M, double gamma, double eta_0, double lambda_1)
{
    if (bad_time_args(M, gamma, lambda_1))
        NAN_ERROR(CONDENSE_EDOM,
                  "need M >= 1, finite gamma and finite lambda_1 > 0 "
                  "(M = %zu, gamma = %g, lambda_1 = %g)",
                  M, gamma, lambda_1);
    if (!(gamma > 1.0 && isfinite(eta_0) && eta_0 > (gamma - 1.0) / 100.0))
        NAN_ERROR(CONDENSE_EDOM,
                  "(59) holds for eta_0 > (gamma - 1)/100 > 0; got eta_0 = %g, gamma = %g", eta_0,
                  gamma);
    return (log(0.25) + ((gamma - 1.0) / 4.0 - eta_0) * log((double)M)) / lambda_1;
}

/* CNN paper eq. (64): M^(-((gamma - 1)/8) Delta lambda / lambda_1), for a gap
 * 0 <= Delta lambda <= lambda_1 (Delta lambda = lambda_1 - lambda_2 with lambda_2 >= 0). */
double condense_rate64(size_t M, double gamma, double delta_lambda, double lambda_1)
{
    if (bad_time_args(M, gamma, lambda_1))
        NAN_ERROR(CONDENSE_EDOM,
                  "need M >= 1, finite gamma and finite lambda_1 > 0 "
                  "(M = %zu, gamma = %g, lambda_1 = %g)",
                  M, gamma, lambda_1);
    if (!(delta_lambda >= 0.0 && delta_lambda <= lambda_1))
        NAN_ERROR(CONDENSE_EDOM, "spectral gap Delta lambda = %g outside [0, lambda_1 = %g]",
                  delta_lambda, lambda_1);
    return pow((double)M, -((gamma - 1.0) / 8.0) * delta_lambda / lambda_1);
}
