/* condense/bounds.h -- the explicit estimates of CNN paper App. C.3-C.5: Proposition 2 with
 * every constant written back, Lemma 1 (eq. 49), Proposition 3 (eq. 51), the effective time
 * T_eff (eq. 54), t_0 (eq. 58), t_bar_0 and the lower bound (59).
 *
 * Sizes: N_W = C_0 m^2 + 1 (length of theta_{W,beta}), N_a = W_1 H_1 (theta_{a,beta}).  The
 * paper's single-channel formulas use m^2 + 1 for N_W; with C_0 channels it is C_0 m^2 + 1.
 *
 * Errors: the int-valued functions return a status and leave their outputs untouched on
 * failure.  The double-valued functions (condense_prop2_bound, condense_lemma1_eta,
 * condense_t0, condense_t0_bar, condense_teff_lower, condense_rate64) return NaN on invalid
 * input (a zero size, NULL, delta outside (0, 1), a non-finite or out-of-domain number) and
 * record a message readable with condense_errmsg(); valid input never gives NaN.
 */
#ifndef CONDENSE_BOUNDS_H
#define CONDENSE_BOUNDS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Proposition 2, explicit ------------------------------------------------------------
 * With 1/c <= |x| <= c, |y| <= c (Assumption 2 with the upper bound on |x| that the proof uses;
 * then c >= 1), |sigma'|, |sigma''| <= C_L (Assumption 1; for an activation in use this is
 * scale * type->C_L), sigma(0) = 0, sigma'(0) = 1, for every beta, t and eps > 0:
 *   |f_beta| <= B |theta_{a,beta}|,  |g_beta| <= B |theta_{W,beta}|,
 *   B = K_2 M eps^2 E_max^2 + K_1 eps E_max,
 *   K_2 = C_L^2 c^2 N_W N_a / 2,   K_1 = C_L c^3 N_W sqrt(N_a).
 * and (|f_beta|^2 + |g_beta|^2)^(1/2) <= B E_beta.
 * The derivation follows the printed proof step by step (bounds.c, comment block), which also
 * lists the printed steps that do not hold as written.
 * init: CONDENSE_EINVAL for p NULL, CONDENSE_ESIZE for a zero size, CONDENSE_EDOM unless
 * 1 <= c < inf and 0 < C_L < inf.  bound: NaN unless p != NULL, M >= 1, 0 < eps < inf and
 * 0 <= E_max < inf. */
typedef struct condense_prop2 {
    double c, C_L;
    size_t N_W, N_a;
    double K_1, K_2;
} condense_prop2;

int condense_prop2_init(double c, double C_L, size_t N_W, size_t N_a, condense_prop2 *p);
double condense_prop2_bound(const condense_prop2 *p, size_t M, double eps, double E_max);

/* ---- Lemma 1, eq. (49): with probability >= 1 - delta over theta^0 ~ N(0, 1) entries,
 * max_beta max(|theta^0_{W,beta}|_inf, |theta^0_{a,beta}|_inf) <= eta,
 * eta = sqrt(2 log(2 M (N_W + N_a) / delta)).  NaN unless M, N_W, N_a >= 1, 0 < delta < 1. */
double condense_lemma1_eta(size_t M, size_t N_W, size_t N_a, double delta);

/* ---- Proposition 3, eq. (51): sqrt(M N_W / 2) <= |theta^0_W| <= sqrt(3 M N_W / 2).  The
 * exact probability of this event: |theta^0_W|^2 ~ chi^2(M N_W), so
 * P = F(3 M N_W / 2) - F(M N_W / 2) with F the chi-square CDF, computed as
 * 1 - P(X < M N_W / 2) - P(X > 3 M N_W / 2) from gsl_cdf_chisq_P and gsl_cdf_chisq_Q (each tail
 * to full relative accuracy).  CONDENSE_EINVAL for NULL outputs, CONDENSE_ESIZE for M = 0 or
 * N_W = 0, CONDENSE_ENUM if GSL fails. */
int condense_prop3_bounds(size_t M, size_t N_W, double *lower, double *upper);
int condense_prop3_probability(size_t M, size_t N_W, double *p);

/* ---- Effective time, App. C.5 -------------------------------------------------------------
 * tau = (gamma - 1) / 4; T_eff = inf{t > 0 : M eps^2 phi(t)^3 > M^(-tau)}  (eq. 54), with
 * phi(t) = sup_{s <= t} E_max(s) (eq. 52).  This predicate is what a run tests: *exceeded = 1
 * when M eps^2 phi^3 > M^(-tau) (compared in logarithms), else 0.  CONDENSE_EINVAL for NULL,
 * CONDENSE_ESIZE for M = 0, CONDENSE_EDOM unless 0 < eps < inf, gamma finite, 0 <= phi < inf. */
int condense_teff_exceeded(size_t M, double eps, double gamma, double phi, int *exceeded);

/* eq. (58): t_0 with 2 sqrt(2 N log(2 M N / delta)) exp(lambda_1 t_0) = M^((gamma-1)/4) / 2,
 * N = N_W + N_a, i.e. t_0 = [((gamma-1)/4) log M - log 4 - log(2N log(2MN/delta))/2]/lambda_1.
 * NaN unless M, N_W, N_a >= 1, 0 < delta < 1, gamma finite, 0 < lambda_1 < inf (same domain
 * for t_bar_0, (59) and (64) below as far as their arguments go). */
double condense_t0(size_t M, size_t N_W, size_t N_a, double delta, double gamma, double lambda_1);

/* t_bar_0 = [((gamma - 1)/8) log M - log 2] / lambda_1 (proof of Theorem 1). */
double condense_t0_bar(size_t M, double gamma, double lambda_1);

/* eq. (59): the lower bound [log(1/4) + ((gamma-1)/4 - eta_0) log M] / lambda_1, for
 * eta_0 > (gamma - 1)/100 > 0 (NaN outside that domain: gamma <= 1 or eta_0 too small). */
double condense_teff_lower(size_t M, double gamma, double eta_0, double lambda_1);

/* Theorem 1's rate, eq. (64): M^(-((gamma - 1)/8) Delta lambda / lambda_1), for a spectral gap
 * 0 <= Delta lambda <= lambda_1 (NaN outside). */
double condense_rate64(size_t M, double gamma, double delta_lambda, double lambda_1);

#ifdef __cplusplus
}
#endif
#endif
