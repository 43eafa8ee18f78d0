/* risk.c -- the empirical risk R_S of eq. (1) and the gradient-descent flow of eq. (20)/(23). */
#include <config.h>

#include <math.h>

#include "condense/cnn.h"
#include "condense/error.h"
#include "condense/fast.h"

/* CNN paper eq. (1): R_S(theta) = 1/(2n) sum_{i=1}^n (f(x_i, theta) - y_i)^2, with
 * e_i = f(x_i, theta) - y_i (App. B.2). */
int condense_risk(const condense_cnn *net, const condense_data *data, condense_workspace *ws,
                  double *R_S, double *e)
{
    /* the fast path of fast.h, same contract (its functions check the arguments) */
    if (ws != NULL && ws->path == CONDENSE_PATH_FAST)
        return condense_fast_risk(net, data, ws, R_S, e);
    CONDENSE_CHECK_NULL(R_S);
    CONDENSE_CHECK_NULL(data);
    double sum = 0.0;
    for (size_t i = 1; i <= data->n; ++i) {
        double f;
        CONDENSE_TRY(condense_cnn_forward(net, data, i, ws, &f));
        const double e_i = f - *condense_data_y(data, i);
        if (e != NULL) e[i - 1] = e_i;
        sum += e_i * e_i;
    }
    const double risk = sum / (2.0 * (double)data->n);
    if (!isfinite(risk)) CONDENSE_ERROR(CONDENSE_EDOM, "R_S(theta) = %g is not finite", risk);
    *R_S = risk;
    return CONDENSE_OK;
}

/* CNN paper eq. (20) and (23): d theta/dt = -grad R_S(theta) = -(1/n) sum_i e_i df(x_i)/d theta. */
int condense_gd_field(const condense_cnn *net, const condense_data *data, condense_workspace *ws,
                      condense_cnn *dtheta, double *R_S)
{
    /* the fast path of fast.h, same contract */
    if (ws != NULL && ws->path == CONDENSE_PATH_FAST)
        return condense_fast_gd_field(net, data, ws, dtheta, R_S);
    CONDENSE_CHECK_NULL(data);
    CONDENSE_TRY(condense_cnn_same_shape(net, dtheta));
    condense_cnn_zero(dtheta);
    double sum = 0.0;
    const double n = (double)data->n;
    for (size_t i = 1; i <= data->n; ++i) {
        double f;
        CONDENSE_TRY(condense_cnn_forward(net, data, i, ws, &f));
        const double e_i = f - *condense_data_y(data, i);
        sum += e_i * e_i;
        CONDENSE_TRY(condense_cnn_backward(net, data, i, ws, -e_i / n, dtheta));
    }
    if (R_S != NULL) *R_S = sum / (2.0 * n);
    return CONDENSE_OK;
}
