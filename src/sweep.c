/* sweep.c -- grids of runs over the parameters of the CNN paper's theory (sweep.h): the grid
 * order, the seeds, the rows of the three kinds of run, and the resumable results file. */
#define _POSIX_C_SOURCE 200809L /* fsync, ftruncate, fileno */
#include <config.h>

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_rng.h>

#include "condense/activation.h"
#include "condense/dataset.h"
#include "condense/error.h"
#include "condense/spectra.h"
#include "condense/spectrum.h"
#include "condense/sweep.h"
#include "condense/verify.h"

static const char *const kind_names[] = {"flow", "theorem1", "spectrum"};

static const char key_header[] = "run,activation,m,gamma,eps,M,seed,trial,seed_run";

/* The result columns of each kind (after the key and seed_run). */
static const char *const result_header[] = {
    /* flow */
    ",lambda_1,t_end,T_eff,T_eff_found,sup_lin_dev,sup_ratio_diff,rel_change_end,ratio_end,"
    "lin_ratio_end,E_max_end,n_times,n_field\n",
    /* theorem1 */
    ",lambda_1,gap_rel,T_eff,T_eff_found,t0,t0_bar,sup_rel_change,sup_ratio,"
    "sup_rel_change_t0_bar,sup_ratio_t0_bar,ratio_t0_bar,n_times,n_field\n",
    /* spectrum */
    ",lambda_1,lambda_2,delta_lambda,gap_rel,cos_v1_ones\n"};

void condense_sweep_grid_default(condense_sweep_grid *grid, condense_sweep_kind kind)
{
    memset(grid, 0, sizeof *grid);
    grid->kind = kind;
    grid->n_activation = 1;
    snprintf(grid->activation[0], CONDENSE_SWEEP_NAME_LEN, "tanh");
    grid->n_m = 1;
    grid->m[0] = 3;
    grid->n_scale = 1;
    grid->scale[0] = 4.0;
    grid->n_M = 1;
    grid->M[0] = 64;
    grid->n_seed = 1;
    grid->seed[0] = 1;
    grid->trials = 1;
    grid->n = 12;
    grid->W0 = 6;
    grid->H0 = 6;
    grid->C0 = 1;
    grid->c = 4.0;
    grid->n_times = 100;
}

const char *condense_sweep_kind_name(condense_sweep_kind kind)
{
    return (unsigned)kind < 3 ? kind_names[kind] : "unknown";
}

int condense_sweep_kind_lookup(const char *name, condense_sweep_kind *kind)
{
    CONDENSE_CHECK_NULL(name);
    CONDENSE_CHECK_NULL(kind);
    for (int k = 0; k < 3; ++k)
        if (strcmp(name, kind_names[k]) == 0) {
            *kind = (condense_sweep_kind)k;
            return CONDENSE_OK;
        }
    CONDENSE_ERROR(CONDENSE_EINVAL, "unknown run kind '%s' (flow, theorem1 or spectrum)", name);
}

/* gamma of Assumption 3 at M for eps^2 = M^-gamma. */
static double gamma_of(double eps, size_t M)
{
    return -2.0 * log(eps) / log((double)M);
}

static int check_axis(size_t count, const char *name)
{
    if (count == 0 || count > CONDENSE_SWEEP_MAX_VALUES)
        CONDENSE_ERROR(CONDENSE_ESIZE, "the %s axis has %zu values: need 1 to %d", name, count,
                       CONDENSE_SWEEP_MAX_VALUES);
    return CONDENSE_OK;
}

int condense_sweep_grid_check(const condense_sweep_grid *grid, size_t *total)
{
    CONDENSE_CHECK_NULL(grid);
    if ((unsigned)grid->kind > CONDENSE_SWEEP_SPECTRUM)
        CONDENSE_ERROR(CONDENSE_EINVAL, "unknown run kind %d", (int)grid->kind);
    CONDENSE_TRY(check_axis(grid->n_activation, "activation"));
    CONDENSE_TRY(check_axis(grid->n_m, "m"));
    CONDENSE_TRY(check_axis(grid->n_scale, grid->use_eps ? "eps" : "gamma"));
    CONDENSE_TRY(check_axis(grid->n_M, "M"));
    CONDENSE_TRY(check_axis(grid->n_seed, "seed"));
    if (grid->trials == 0) CONDENSE_ERROR(CONDENSE_ESIZE, "need at least one trial");
    if (grid->kind == CONDENSE_SWEEP_SPECTRUM &&
        (grid->n_activation > 1 || grid->n_scale > 1 || grid->n_M > 1))
        CONDENSE_ERROR(CONDENSE_EINVAL, "a spectrum sweep does not use the activation, gamma, eps "
                                        "or M: give at most one value of each");
    const condense_data *pool = grid->kind == CONDENSE_SWEEP_SPECTRUM ? grid->pool : NULL;
    const size_t W0 = pool ? pool->W0 : grid->W0, H0 = pool ? pool->H0 : grid->H0;
    if (grid->n == 0 || W0 == 0 || H0 == 0 || (pool == NULL && grid->C0 == 0))
        CONDENSE_ERROR(CONDENSE_ESIZE, "zero data size (n = %zu, %zu x %zu x %zu)", grid->n, W0, H0,
                       grid->C0);
    if (pool != NULL && grid->n > pool->n)
        CONDENSE_ERROR(CONDENSE_ESIZE, "n = %zu is more than the %zu samples of the data set",
                       grid->n, pool->n);
    if (pool == NULL && !(isfinite(grid->c) && grid->c > 1.0))
        CONDENSE_ERROR(CONDENSE_EDOM, "c = %g: Assumption 2 needs c > 1", grid->c);
    for (size_t k = 0; k < grid->n_m; ++k)
        if (grid->m[k] == 0 || grid->m[k] > W0 || grid->m[k] > H0)
            CONDENSE_ERROR(CONDENSE_ESIZE, "m = %zu does not fit the %zu x %zu images", grid->m[k],
                           W0, H0);
    if (grid->kind != CONDENSE_SWEEP_SPECTRUM) {
        if (grid->n_times < 2) CONDENSE_ERROR(CONDENSE_ESIZE, "need at least 2 sampled times");
        if (!(isfinite(grid->t_end) && grid->t_end >= 0.0))
            CONDENSE_ERROR(CONDENSE_EDOM, "t_end = %g: need a finite t_end >= 0", grid->t_end);
    }
    for (size_t k = 0; k < grid->n_activation; ++k) {
        condense_activation act;
        if (memchr(grid->activation[k], '\0', CONDENSE_SWEEP_NAME_LEN) == NULL ||
            condense_activation_lookup(grid->activation[k], 0, &act) != CONDENSE_OK)
            CONDENSE_ERROR(CONDENSE_EINVAL, "unknown activation '%.*s'",
                           CONDENSE_SWEEP_NAME_LEN - 1, grid->activation[k]);
        /* the flows of verify.h need Assumption 1 (multiplicity 1, finite C_L): refuse the
         * others here rather than in the middle of a sweep */
        if (grid->kind != CONDENSE_SWEEP_SPECTRUM && (act.type->r != 1 || !isfinite(act.type->C_L)))
            CONDENSE_ERROR(CONDENSE_EDOM,
                           "activation %s does not satisfy Assumption 1 (multiplicity %d, C_L "
                           "= %g)",
                           act.type->name, act.type->r, act.type->C_L);
    }
    for (size_t k = 0; k < grid->n_M; ++k)
        if (grid->M[k] == 0) CONDENSE_ERROR(CONDENSE_ESIZE, "M = 0");
    for (size_t k = 0; k < grid->n_scale; ++k) {
        const double s = grid->scale[k];
        if (!grid->use_eps && !(isfinite(s) && s > 1.0))
            CONDENSE_ERROR(CONDENSE_EDOM, "gamma = %g: Theorem 1 needs gamma > 1", s);
        if (grid->use_eps && !(s > 0.0 && s < 1.0))
            CONDENSE_ERROR(CONDENSE_EDOM, "eps = %g is not in (0, 1)", s);
        for (size_t j = 0; grid->use_eps && grid->kind != CONDENSE_SWEEP_SPECTRUM && j < grid->n_M;
             ++j)
            if (grid->M[j] < 2 || !(gamma_of(s, grid->M[j]) > 1.0))
                CONDENSE_ERROR(CONDENSE_EDOM,
                               "eps = %g at M = %zu: gamma = -2 log(eps) / log(M) must be > 1 "
                               "(Assumption 3)",
                               s, grid->M[j]);
    }
    const size_t lengths[6] = {grid->n_activation, grid->n_m,    grid->n_scale,
                               grid->n_M,          grid->n_seed, grid->trials};
    size_t count = 1;
    for (int k = 0; k < 6; ++k) {
        if (count > ((size_t)-1) / lengths[k])
            CONDENSE_ERROR(CONDENSE_ESIZE, "the grid has too many runs");
        count *= lengths[k];
    }
    if (total != NULL) *total = count;
    return CONDENSE_OK;
}

/* The derived half of the (gamma, eps) pair. */
static void complete_scale(const condense_sweep_grid *grid, double scale, size_t M,
                           condense_sweep_point *p)
{
    if (grid->use_eps) {
        p->eps = scale;
        p->gamma = M >= 2 ? gamma_of(scale, M) : NAN;
    } else {
        p->gamma = scale;
        p->eps = pow((double)M, -scale / 2.0); /* Assumption 3: eps^2 = M^-gamma */
    }
}

int condense_sweep_point_at(const condense_sweep_grid *grid, size_t index,
                            condense_sweep_point *point)
{
    size_t total;
    CONDENSE_TRY(condense_sweep_grid_check(grid, &total));
    CONDENSE_CHECK_NULL(point);
    if (index >= total)
        CONDENSE_ERROR(CONDENSE_ESIZE, "run %zu is outside the grid of %zu runs", index, total);
    condense_sweep_point p;
    memset(&p, 0, sizeof p);
    p.index = index;
    size_t k = index; /* mixed radix, innermost axis (trial) first */
    p.trial = k % grid->trials + 1;
    k /= grid->trials;
    p.seed = grid->seed[k % grid->n_seed];
    k /= grid->n_seed;
    p.M = grid->M[k % grid->n_M];
    k /= grid->n_M;
    const double scale = grid->scale[k % grid->n_scale];
    k /= grid->n_scale;
    p.m = grid->m[k % grid->n_m];
    k /= grid->n_m;
    snprintf(p.activation, sizeof p.activation, "%s", grid->activation[k]);
    complete_scale(grid, scale, p.M, &p);
    *point = p;
    return CONDENSE_OK;
}

/* The position of a value on an axis, or -1. */
static long find_size(const size_t *values, size_t count, size_t v)
{
    for (size_t k = 0; k < count; ++k)
        if (values[k] == v) return (long)k;
    return -1;
}

int condense_sweep_index_of(const condense_sweep_grid *grid, const condense_sweep_point *point,
                            size_t *index)
{
    CONDENSE_TRY(condense_sweep_grid_check(grid, NULL));
    CONDENSE_CHECK_NULL(point);
    CONDENSE_CHECK_NULL(index);
    long a = -1, s = -1, seed = -1;
    for (size_t k = 0; k < grid->n_activation; ++k)
        if (strcmp(grid->activation[k], point->activation) == 0) a = (long)k;
    const double scale = grid->use_eps ? point->eps : point->gamma;
    for (size_t k = 0; k < grid->n_scale; ++k)
        if (grid->scale[k] == scale) s = (long)k;
    for (size_t k = 0; k < grid->n_seed; ++k)
        if (grid->seed[k] == point->seed) seed = (long)k;
    const long m = find_size(grid->m, grid->n_m, point->m);
    const long M = find_size(grid->M, grid->n_M, point->M);
    if (a < 0 || m < 0 || s < 0 || M < 0 || seed < 0 || point->trial < 1 ||
        point->trial > grid->trials)
        CONDENSE_ERROR(CONDENSE_EUNDEF,
                       "the run (%.31s, m = %zu, %s = %.17g, M = %zu, seed %lu, trial %zu) is not "
                       "in the grid",
                       point->activation, point->m, grid->use_eps ? "eps" : "gamma", scale,
                       point->M, point->seed, point->trial);
    size_t k = (size_t)a;
    k = k * grid->n_m + (size_t)m;
    k = k * grid->n_scale + (size_t)s;
    k = k * grid->n_M + (size_t)M;
    k = k * grid->n_seed + (size_t)seed;
    *index = k * grid->trials + (point->trial - 1);
    return CONDENSE_OK;
}

int condense_sweep_trial_seed(unsigned long base, size_t trial, unsigned long *seed)
{
    CONDENSE_CHECK_NULL(seed);
    if (trial == 0) CONDENSE_ERROR(CONDENSE_ESIZE, "trials are numbered from 1");
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (rng == NULL) CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate the generator");
    gsl_rng_set(rng, base);
    unsigned long s = 0;
    for (size_t t = 1; t <= trial; ++t)
        s = gsl_rng_get(rng);
    gsl_rng_free(rng);
    *seed = s;
    return CONDENSE_OK;
}

void condense_sweep_header(condense_sweep_kind kind, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s", key_header, result_header[(unsigned)kind < 3 ? (unsigned)kind : 0]);
}

int condense_sweep_key_format(const condense_sweep_grid *grid, const condense_sweep_point *point,
                              char *buf, size_t size)
{
    CONDENSE_CHECK_NULL(grid);
    CONDENSE_CHECK_NULL(point);
    CONDENSE_CHECK_NULL(buf);
    const int used = snprintf(buf, size, "%s,%s,%zu,%.17g,%.17g,%zu,%lu,%zu",
                              condense_sweep_kind_name(grid->kind), point->activation, point->m,
                              point->gamma, point->eps, point->M, point->seed, point->trial);
    if (used < 0 || (size_t)used >= size)
        CONDENSE_ERROR(CONDENSE_ESIZE, "the key does not fit in %zu bytes", size);
    return CONDENSE_OK;
}

/* The next comma-separated field of a row: [*s, end) copied into out (NUL-terminated). */
static int next_field(const char **s, char *out, size_t size)
{
    const char *p = *s;
    size_t k = 0;
    while (*p != '\0' && *p != ',' && *p != '\n') {
        if (k + 1 >= size) return 0;
        out[k++] = *p++;
    }
    out[k] = '\0';
    if (*p == ',') ++p;
    *s = p;
    return k > 0;
}

static int parse_size_field(const char *f, size_t *v)
{
    char *end;
    if (*f < '0' || *f > '9') return 0;
    errno = 0;
    const unsigned long long x = strtoull(f, &end, 10);
    if (errno != 0 || *end != '\0' || x > (size_t)-1) return 0;
    *v = (size_t)x;
    return 1;
}

static int parse_double_field(const char *f, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(f, &end);
    return errno == 0 && *end == '\0';
}

int condense_sweep_key_parse(const condense_sweep_grid *grid, const char *row,
                             condense_sweep_point *point)
{
    CONDENSE_CHECK_NULL(grid);
    CONDENSE_CHECK_NULL(row);
    CONDENSE_CHECK_NULL(point);
    char f[CONDENSE_SWEEP_KEY_COLUMNS][CONDENSE_SWEEP_NAME_LEN + 8];
    const char *s = row;
    for (int k = 0; k < CONDENSE_SWEEP_KEY_COLUMNS; ++k)
        if (!next_field(&s, f[k], sizeof f[k]))
            CONDENSE_ERROR(CONDENSE_EFORMAT, "not a row of a sweep: key column %d of '%.60s'",
                           k + 1, row);
    if (strcmp(f[0], condense_sweep_kind_name(grid->kind)) != 0)
        CONDENSE_ERROR(CONDENSE_EFORMAT, "a row of a '%s' sweep, not of a '%s' one", f[0],
                       condense_sweep_kind_name(grid->kind));
    condense_sweep_point p;
    memset(&p, 0, sizeof p);
    size_t seed = 0;
    if (strlen(f[1]) >= sizeof p.activation || !parse_size_field(f[2], &p.m) ||
        !parse_double_field(f[3], &p.gamma) || !parse_double_field(f[4], &p.eps) ||
        !parse_size_field(f[5], &p.M) || !parse_size_field(f[6], &seed) ||
        !parse_size_field(f[7], &p.trial))
        CONDENSE_ERROR(CONDENSE_EFORMAT, "a malformed key in '%.60s'", row);
    snprintf(p.activation, sizeof p.activation, "%s", f[1]);
    p.seed = (unsigned long)seed;
    CONDENSE_TRY(condense_sweep_index_of(grid, &p, &p.index));
    *point = p;
    return CONDENSE_OK;
}

/* ---- the runs ------------------------------------------------------------------------------ */

/* The verify.h instance of one flow or theorem1 run. */
static void run_config(const condense_sweep_grid *grid, const condense_sweep_point *p,
                       unsigned long seed_run, condense_verify_config *cfg)
{
    condense_verify_default(cfg, 1);
    cfg->seed = seed_run;
    cfg->n = grid->n;
    cfg->W0 = grid->W0;
    cfg->H0 = grid->H0;
    cfg->C0 = grid->C0;
    cfg->c = grid->c;
    cfg->m = p->m;
    cfg->activation = p->activation;
    cfg->gamma = p->gamma;
    cfg->n_M = 1;
    cfg->M[0] = p->M;
    cfg->n_times = grid->n_times;
    cfg->prop2_max_M = 0; /* Proposition 2 is verify's business */
    cfg->t_end = grid->t_end;
    cfg->path = grid->path;
    cfg->run_to_end = grid->kind == CONDENSE_SWEEP_FLOW; /* theorem1 stops once T_eff is past */
}

/* snprintf into row[*used..size), or CONDENSE_ESIZE. */
static int row_append(char *row, size_t size, size_t *used, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static int row_append(char *row, size_t size, size_t *used, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const int k = *used < size ? vsnprintf(row + *used, size - *used, fmt, ap) : -1;
    va_end(ap);
    if (k < 0 || *used + (size_t)k >= size)
        CONDENSE_ERROR(CONDENSE_ESIZE, "the row does not fit in %zu bytes", size);
    *used += (size_t)k;
    return CONDENSE_OK;
}

/* flow: sup over the sampled times of the real flow's distance from the linear flow. */
static int flow_row(const condense_verify_instance *inst, char *row, size_t size, size_t *used)
{
    const condense_verify_run *r = &inst->runs[0];
    double sup_dev = 0.0, sup_diff = 0.0;
    for (size_t k = 0; k < r->nt; ++k) {
        sup_dev = fmax(sup_dev, r->lin_dev[k]);
        sup_diff = fmax(sup_diff, fabs(r->ratio[k] - r->lin_ratio[k]));
    }
    const size_t e = r->nt - 1;
    return row_append(
        row, size, used, ",%.17g,%.17g,%.17g,%d,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%zu,%lu\n",
        condense_spectrum_lambda(inst->spec, 1), r->t[e], r->T_eff, r->T_eff_found, sup_dev,
        sup_diff, r->rel_change[e], r->ratio[e], r->lin_ratio[e], r->E_max[e], r->nt, r->n_field);
}

/* theorem1: eq. (14) and (15) as sup over t <= T_eff (verify.h) and over t <= t_bar_0. */
static int theorem1_row(const condense_verify_instance *inst, char *row, size_t size, size_t *used)
{
    const condense_verify_run *r = &inst->runs[0];
    double sup_rel = NAN, sup_ratio = NAN;
    for (size_t k = 0; r->t0_bar >= 0.0 && k < r->nt && r->t[k] <= r->t0_bar; ++k) {
        sup_rel = k == 0 ? r->rel_change[k] : fmax(sup_rel, r->rel_change[k]);
        sup_ratio = k == 0 ? r->ratio[k] : fmax(sup_ratio, r->ratio[k]);
    }
    return row_append(row, size, used,
                      ",%.17g,%.17g,%.17g,%d,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%zu,%lu\n",
                      condense_spectrum_lambda(inst->spec, 1), inst->gap_rel, r->T_eff,
                      r->T_eff_found, r->t0, r->t0_bar, r->sup_rel_change, r->sup_ratio, sup_rel,
                      sup_ratio, r->ratio_t0_bar, r->nt, r->n_field);
}

/* spectrum: one draw of n images (synthetic, or sampled from the stored set) by seed_run. */
static int spectrum_row(const condense_sweep_grid *grid, const condense_sweep_point *p,
                        unsigned long seed_run, char *row, size_t size, size_t *used)
{
    condense_data *d = NULL;
    if (grid->pool != NULL)
        CONDENSE_TRY(condense_data_sample(grid->pool, grid->n, seed_run, &d, NULL));
    else
        CONDENSE_TRY(
            condense_data_synthetic(grid->n, grid->W0, grid->H0, grid->C0, grid->c, seed_run, &d));
    double eig[2], delta_lambda, gap_rel, *cos = malloc((d->C0 + 1) * sizeof(double));
    int status = cos == NULL
                     ? condense_error_set(CONDENSE_ENOMEM, __func__, "no memory")
                     : condense_spectra_trial(d, p->m, 2, eig, &delta_lambda, &gap_rel, cos);
    if (status == CONDENSE_OK)
        status = row_append(row, size, used, ",%.17g,%.17g,%.17g,%.17g,%.17g\n", sqrt(eig[0]),
                            sqrt(eig[1]), delta_lambda, gap_rel, cos[d->C0]);
    free(cos);
    condense_data_free(d);
    return status;
}

int condense_sweep_run(const condense_sweep_grid *grid, const condense_sweep_point *point,
                       char *row, size_t size)
{
    CONDENSE_CHECK_NULL(row);
    CONDENSE_TRY(condense_sweep_key_format(grid, point, row, size));
    size_t index;
    CONDENSE_TRY(condense_sweep_index_of(grid, point, &index));
    unsigned long seed_run;
    CONDENSE_TRY(condense_sweep_trial_seed(point->seed, point->trial, &seed_run));
    size_t used = strlen(row);
    CONDENSE_TRY(row_append(row, size, &used, ",%lu", seed_run));
    if (grid->kind == CONDENSE_SWEEP_SPECTRUM)
        return spectrum_row(grid, point, seed_run, row, size, &used);
    condense_verify_config cfg;
    run_config(grid, point, seed_run, &cfg);
    condense_verify_instance *inst = NULL;
    int status = condense_verify_instance_alloc(&cfg, &inst);
    if (status == CONDENSE_OK) status = condense_verify_instance_run(inst, NULL, NULL);
    if (status == CONDENSE_OK)
        status = grid->kind == CONDENSE_SWEEP_FLOW ? flow_row(inst, row, size, &used)
                                                   : theorem1_row(inst, row, size, &used);
    condense_verify_instance_free(inst);
    return status;
}

/* ---- the results file ---------------------------------------------------------------------- */

int condense_sweep_scan(const condense_sweep_grid *grid, const char *text, size_t len,
                        unsigned char *done, size_t *n_done, size_t *complete)
{
    size_t total;
    CONDENSE_TRY(condense_sweep_grid_check(grid, &total));
    CONDENSE_CHECK_NULL(done);
    CONDENSE_CHECK_NULL(n_done);
    CONDENSE_CHECK_NULL(complete);
    if (len > 0) CONDENSE_CHECK_NULL(text);
    char header[512];
    condense_sweep_header(grid->kind, header, sizeof header);
    const size_t header_len = strlen(header);
    unsigned char *seen = calloc(total, 1);
    if (seen == NULL) CONDENSE_ERROR(CONDENSE_ENOMEM, "cannot allocate %zu flags", total);
    size_t pos = 0, count = 0, line = 0;
    int status = CONDENSE_OK;
    while (status == CONDENSE_OK && pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        if (nl == NULL) break; /* a partial last line: not counted */
        const size_t end = (size_t)(nl - text) + 1;
        ++line;
        const char *s = text + pos;
        if (s[0] == '#' || s[0] == '\n') {
            /* a comment or an empty line */
        } else if (strncmp(s, "run,", 4) == 0) {
            if (end - pos != header_len || memcmp(s, header, header_len) != 0)
                status = condense_error_set(CONDENSE_EFORMAT, __func__,
                                            "line %zu: the header of another kind of sweep", line);
        } else {
            condense_sweep_point p;
            status = condense_sweep_key_parse(grid, s, &p);
            if (status != CONDENSE_OK) {
                char why[256];
                snprintf(why, sizeof why, "%s", condense_errmsg());
                status = condense_error_set(CONDENSE_EFORMAT, __func__, "line %zu: %s", line, why);
            } else if (!seen[p.index]) {
                seen[p.index] = 1;
                ++count;
            }
        }
        pos = end;
    }
    if (status == CONDENSE_OK) {
        for (size_t k = 0; k < total; ++k)
            done[k] = seen[k];
        *n_done = count;
        size_t c = len;
        while (c > 0 && text[c - 1] != '\n')
            --c;
        *complete = c;
    }
    free(seen);
    return status;
}

/* The whole file into a malloc'd buffer (*text NULL and *len 0 for a missing file). */
static int read_all(const char *path, char **text, size_t *len)
{
    *text = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        if (errno == ENOENT) return CONDENSE_OK;
        CONDENSE_ERROR(CONDENSE_EIO, "%s: %s", path, strerror(errno));
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    int status =
        buf == NULL ? condense_error_set(CONDENSE_ENOMEM, __func__, "no memory") : CONDENSE_OK;
    while (status == CONDENSE_OK) {
        if (n + 1 >= cap) {
            char *bigger = realloc(buf, cap * 2);
            if (bigger == NULL) {
                status = condense_error_set(CONDENSE_ENOMEM, __func__, "no memory for %s", path);
                break;
            }
            buf = bigger;
            cap *= 2;
        }
        const size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) {
            if (ferror(f))
                status = condense_error_set(CONDENSE_EIO, __func__, "%s: read error", path);
            break;
        }
    }
    fclose(f);
    if (status != CONDENSE_OK) {
        free(buf);
        return status;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return CONDENSE_OK;
}

int condense_sweep_resume(const char *path, const condense_sweep_grid *grid, unsigned char *done,
                          size_t *n_done)
{
    CONDENSE_CHECK_NULL(path);
    CONDENSE_TRY(condense_sweep_grid_check(grid, NULL));
    CONDENSE_CHECK_NULL(done);
    CONDENSE_CHECK_NULL(n_done);
    char *text;
    size_t len, complete;
    CONDENSE_TRY(read_all(path, &text, &len));
    int status = condense_sweep_scan(grid, text, len, done, n_done, &complete);
    if (status == CONDENSE_OK && complete < len && truncate(path, (off_t)complete) != 0)
        status = condense_error_set(CONDENSE_EIO, __func__,
                                    "%s: cannot cut the partial last "
                                    "line: %s",
                                    path, strerror(errno));
    free(text);
    return status;
}

int condense_sweep_append(int fd, const char *row)
{
    CONDENSE_CHECK_NULL(row);
    size_t left = strlen(row);
    while (left > 0) {
        const ssize_t k = write(fd, row, left);
        if (k < 0) {
            if (errno == EINTR) continue;
            CONDENSE_ERROR(CONDENSE_EIO, "cannot append a row: %s", strerror(errno));
        }
        row += k;
        left -= (size_t)k;
    }
    if (fsync(fd) != 0) CONDENSE_ERROR(CONDENSE_EIO, "cannot sync a row: %s", strerror(errno));
    return CONDENSE_OK;
}

int condense_sweep_finish(const char *path, const condense_sweep_grid *grid, const char *preamble)
{
    CONDENSE_CHECK_NULL(path);
    size_t total;
    CONDENSE_TRY(condense_sweep_grid_check(grid, &total));
    char *text;
    size_t len;
    CONDENSE_TRY(read_all(path, &text, &len));
    const char **rows = calloc(total ? total : 1, sizeof *rows);
    size_t *lens = calloc(total ? total : 1, sizeof *lens);
    int status =
        rows && lens ? CONDENSE_OK : condense_error_set(CONDENSE_ENOMEM, __func__, "no memory");
    for (size_t pos = 0; status == CONDENSE_OK && pos < len;) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        if (nl == NULL) break;
        const size_t end = (size_t)(nl - text) + 1;
        const char *s = text + pos;
        condense_sweep_point p;
        if (s[0] != '#' && s[0] != '\n' && strncmp(s, "run,", 4) != 0) {
            status = condense_sweep_key_parse(grid, s, &p);
            if (status == CONDENSE_OK && rows[p.index] == NULL) {
                rows[p.index] = s;
                lens[p.index] = end - pos;
            }
        }
        pos = end;
    }
    for (size_t k = 0; status == CONDENSE_OK && k < total; ++k)
        if (rows[k] == NULL)
            status = condense_error_set(CONDENSE_ESIZE, __func__,
                                        "%s has no row for run %zu of the grid (of %zu)", path,
                                        k + 1, total);
    char tmp[4200];
    FILE *f = NULL;
    if (status == CONDENSE_OK) {
        snprintf(tmp, sizeof tmp, "%s.tmp", path);
        f = fopen(tmp, "w");
        if (f == NULL)
            status = condense_error_set(CONDENSE_EIO, __func__, "%s: %s", tmp, strerror(errno));
    }
    if (status == CONDENSE_OK) {
        char header[512];
        condense_sweep_header(grid->kind, header, sizeof header);
        if (preamble != NULL) fputs(preamble, f);
        fputs(header, f);
        for (size_t k = 0; k < total; ++k)
            fwrite(rows[k], 1, lens[k], f);
        const int bad = fflush(f) != 0 || fsync(fileno(f)) != 0;
        const int err = errno;
        if (fclose(f) != 0 || bad)
            status = condense_error_set(CONDENSE_EIO, __func__, "%s: %s", tmp, strerror(err));
        else if (rename(tmp, path) != 0)
            status = condense_error_set(CONDENSE_EIO, __func__, "%s: %s", path, strerror(errno));
        if (status != CONDENSE_OK) remove(tmp);
    }
    free(rows);
    free(lens);
    free(text);
    return status;
}
