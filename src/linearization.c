/* linearization.c -- the data-only objects of the effective linear dynamics of the two-layer
 * CNN: z_{s,t,alpha} and z (CNN paper eq. 31/66), the matrix Z (eq. 35, multi-channel eq. 70 as
 * completed in NOTES.md) and A = [[0, Z^T], [Z, 0]] (eq. 10/34). */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>

#include <gsl/gsl_matrix.h>

#include "condense/error.h"
#include "condense/linearization.h"

/* Offset of z_{s,t,alpha} in the (W_0, H_0, C_0) C-order array; s, t, alpha 1-based. */
static size_t z_off(const condense_data *d, size_t s, size_t t, size_t alpha)
{
    return ((s - 1) * d->H0 + (t - 1)) * d->C0 + (alpha - 1);
}

/* CNN paper eq. (31)/(66): z_{s,t,alpha} = (1/n) sum_i y_i x_{s,t,alpha}(i), z = (1/n) sum_i y_i.
 */
int condense_z(const condense_data *data, double *z_st, double *z)
{
    CONDENSE_CHECK_NULL(data);
    CONDENSE_CHECK_NULL(z_st);
    CONDENSE_CHECK_NULL(z);
    /* A hand-made struct can carry zero sizes; (1/n) with n = 0 is undefined. */
    if (data->n == 0 || data->W0 == 0 || data->H0 == 0 || data->C0 == 0)
        CONDENSE_ERROR(CONDENSE_ESIZE, "data set of n = %zu samples of %zu x %zu x %zu: zero size",
                       data->n, data->W0, data->H0, data->C0);
    /* Checked before any output is written, so that a failure leaves z_st and z untouched. */
    CONDENSE_TRY(condense_data_check_finite(data));
    const double n = (double)data->n;
    for (size_t s = 1; s <= data->W0; ++s)
        for (size_t t = 1; t <= data->H0; ++t)
            for (size_t alpha = 1; alpha <= data->C0; ++alpha) {
                double sum = 0.0;
                for (size_t i = 1; i <= data->n; ++i)
                    sum += *condense_data_y(data, i) * *condense_data_x(data, i, s, t, alpha);
                z_st[z_off(data, s, t, alpha)] = sum / n;
            }
    double sum_y = 0.0;
    for (size_t i = 1; i <= data->n; ++i)
        sum_y += *condense_data_y(data, i);
    *z = sum_y / n;
    return CONDENSE_OK;
}

/* CNN paper eq. (35) (one channel) and eq. (70) as completed in NOTES.md (C_0 channels): row
 * (u-1) H_1 + (v-1) of Z holds z_{u+p,v+q,alpha} at column (alpha-1) m^2 + p m + q, and z in the
 * last column -- the column order of theta_{W,beta} (theta.h), so that d theta_{a,beta}/dt =
 * Z theta_{W,beta} is eq. (67). */
int condense_Z_alloc(const condense_data *data, size_t m, gsl_matrix **Z)
{
    CONDENSE_CHECK_NULL(data);
    CONDENSE_CHECK_NULL(Z);
    if (m == 0 || m > data->W0 || m > data->H0)
        CONDENSE_ERROR(CONDENSE_ESIZE, "filter size m = %zu: need 1 <= m <= min(W_0, H_0) = %zu", m,
                       data->W0 < data->H0 ? data->W0 : data->H0);
    condense_gsl_quiet();
    const size_t W1 = data->W0 - m + 1, H1 = data->H0 - m + 1, m2 = m * m;
    const size_t cols = data->C0 * m2 + 1;
    /* W_0 H_0 C_0 doubles: data_alloc has ruled out overflow of the count.  One element at least,
     * so that a hand-made struct with C_0 = 0 reaches condense_z's size check. */
    double *z_st = malloc((data->W0 * data->H0 * data->C0 + 1) * sizeof(double));
    gsl_matrix *out = gsl_matrix_alloc(W1 * H1, cols);
    double z = 0.0;
    int status = (z_st == NULL || out == NULL)
                     ? condense_error_set(CONDENSE_ENOMEM, __func__,
                                          "cannot allocate Z of %zu x %zu", W1 * H1, cols)
                     : condense_z(data, z_st, &z);
    if (status != CONDENSE_OK) {
        free(z_st);
        gsl_matrix_free(out);
        return status;
    }
    for (size_t u = 1; u <= W1; ++u)
        for (size_t v = 1; v <= H1; ++v) {
            const size_t row = (u - 1) * H1 + (v - 1);
            for (size_t alpha = 1; alpha <= data->C0; ++alpha)
                for (size_t p = 0; p < m; ++p)
                    for (size_t q = 0; q < m; ++q)
                        gsl_matrix_set(out, row, (alpha - 1) * m2 + p * m + q,
                                       z_st[z_off(data, u + p, v + q, alpha)]);
            gsl_matrix_set(out, row, cols - 1, z);
        }
    free(z_st);
    *Z = out;
    return CONDENSE_OK;
}

/* CNN paper eq. (10)/(34): A = [[0_{N_W x N_W}, Z^T], [Z, 0_{N_a x N_a}]], N_W = columns of Z,
 * N_a = rows of Z, so that A theta_beta = (Z^T theta_{a,beta}; Z theta_{W,beta}) (eq. 38). */
int condense_A_alloc(const gsl_matrix *Z, gsl_matrix **A)
{
    CONDENSE_CHECK_NULL(Z);
    CONDENSE_CHECK_NULL(A);
    const size_t Na = Z->size1, NW = Z->size2;
    if (Na == 0 || NW == 0) CONDENSE_ERROR(CONDENSE_ESIZE, "Z of %zu x %zu is empty", Na, NW);
    /* (N_W + N_a)^2 doubles must be addressable: refuse sizes whose byte count overflows size_t
     * before GSL multiplies them. */
    if (Na > SIZE_MAX - NW || NW + Na > SIZE_MAX / sizeof(double) / (NW + Na))
        CONDENSE_ERROR(CONDENSE_ESIZE, "A for Z of %zu x %zu is too large", Na, NW);
    condense_gsl_quiet();
    gsl_matrix *out = gsl_matrix_calloc(NW + Na, NW + Na);
    if (out == NULL) CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate A of order %zu", NW + Na);
    /* The two blocks written entry by entry as the equation reads them; the diagonal blocks stay
     * the exact zeros of calloc. */
    for (size_t i = 0; i < Na; ++i)
        for (size_t j = 0; j < NW; ++j) {
            const double Zij = gsl_matrix_get(Z, i, j);
            gsl_matrix_set(out, j, NW + i, Zij); /* upper right: (Z^T)_{j,i} */
            gsl_matrix_set(out, NW + i, j, Zij); /* lower left: Z_{i,j} */
        }
    *A = out;
    return CONDENSE_OK;
}
