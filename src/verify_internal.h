/* verify_internal.h -- helpers shared by the verify_*.c files (not installed). */
#ifndef CONDENSE_VERIFY_INTERNAL_H
#define CONDENSE_VERIFY_INTERNAL_H

#include <stddef.h>

#include "condense/verify.h"

/* Clear res and set its name and equation. */
void condense_verify_begin(condense_verify_result *res, const char *name, const char *equation);

/* snprintf into a fixed field of a result. */
void condense_verify_text(char *field, size_t size, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Append with snprintf to a fixed field. */
void condense_verify_append(char *field, size_t size, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* The hypotheses a result needs, checked on inst: gamma > 1 (need_gamma: Assumption 3 with
 * eps^2 = M^-gamma, Theorem 1, App. C.5) and Assumption 4 (need_a4).  If one fails, res is
 * marked NOT APPLICABLE (not_applicable = 1, pass = 0, margin NaN, the reason in margin_text)
 * and 1 is returned; otherwise 0 and res is untouched. */
int condense_verify_inapplicable(const condense_verify_instance *inst, condense_verify_result *res,
                                 int need_gamma, int need_a4);

/* CONDENSE_EINVAL unless inst has done every run of its M-sweep. */
int condense_verify_need_runs(const condense_verify_instance *inst);

/* Least-squares slope of log(y) against log(x) over the entries with y > 0 (gsl_fit_linear);
 * NaN when fewer than two such entries. */
double condense_verify_loglog_slope(const double *x, const double *y, size_t n);

#endif
