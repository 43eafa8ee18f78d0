/* condense/sweep.h -- sweeps: a grid of runs over the parameters of the CNN paper's theory
 * (M, gamma or eps of Assumption 3, the filter size m, the activation, base seeds and trials),
 * one CSV row per run, resumable and in a fixed grid order.
 *
 * Three kinds of run, each on the built-in synthetic instance of verify.h (n images of
 * W_0 x H_0 x C_0 satisfying Assumption 2 with c) or, for spectra, a stored data set:
 *   flow      the real flow (App. C/D) beside the linear flow of Proposition 1 (eq. 44) from
 *             the same theta_bar(0): sup over the sampled t of |theta_W - theta_W^lin| /
 *             |theta_W^lin| and of |ratio - ratio^lin|, and the observables at the end;
 *   theorem1  the observables of Theorem 1: the sup of the relative change (eq. 14) and of the
 *             condensation ratio (eq. 15) over t <= T_eff (eq. 54) and over t <= t_bar_0,
 *             with T_eff, t_0 (eq. 58), t_bar_0;
 *   spectrum  lambda_1, lambda_2, the gap Delta lambda (Assumption 4, eq. 37) and the cosine of
 *             v_1 with the all-ones direction (spectra.h, bias excluded) for one draw of data.
 *
 * The grid order (outermost first): activation, m, gamma (or eps), M, seed, trial.  Run k of the
 * grid is the mixed-radix digit expansion of k over these axes.  Every run's random draws
 * depend only on its own parameters and its seed seed_t, the t-th output of gsl_rng_get of a
 * GSL mt19937 seeded with the base seed (as spectra.h), never on the run's place in the grid
 * or on the process that runs it: rows are the same whatever the order they are computed in.
 *
 * A row starts with its key, the columns run,activation,m,gamma,eps,M,seed,trial (seed is the
 * base seed); a file of rows is read back by condense_sweep_scan, which recognizes the rows
 * already done by their key (a trailing partial line is dropped), and condense_sweep_finish
 * rewrites it atomically in grid order. */
#ifndef CONDENSE_SWEEP_H
#define CONDENSE_SWEEP_H

#include <stddef.h>

#include "condense/data.h"
#include "condense/fast.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum condense_sweep_kind {
    CONDENSE_SWEEP_FLOW = 0,
    CONDENSE_SWEEP_THEOREM1 = 1,
    CONDENSE_SWEEP_SPECTRUM = 2
} condense_sweep_kind;

#define CONDENSE_SWEEP_MAX_VALUES 64 /* values per axis */
#define CONDENSE_SWEEP_NAME_LEN 32   /* activation names */
#define CONDENSE_SWEEP_KEY_COLUMNS 8 /* run,activation,m,gamma,eps,M,seed,trial */

typedef struct condense_sweep_grid {
    condense_sweep_kind kind;
    /* the axes, outermost first */
    size_t n_activation;
    char activation[CONDENSE_SWEEP_MAX_VALUES][CONDENSE_SWEEP_NAME_LEN];
    size_t n_m;
    size_t m[CONDENSE_SWEEP_MAX_VALUES];
    int use_eps; /* 0: the scale axis is gamma (eps^2 = M^-gamma); 1: it is eps, and
                  * gamma = -2 log(eps) / log(M) (Assumption 3 at that M) */
    size_t n_scale;
    double scale[CONDENSE_SWEEP_MAX_VALUES];
    size_t n_M;
    size_t M[CONDENSE_SWEEP_MAX_VALUES];
    size_t n_seed;
    unsigned long seed[CONDENSE_SWEEP_MAX_VALUES]; /* base seeds */
    size_t trials;                                 /* trials t = 1..trials per base seed */
    /* the settings every run shares */
    size_t n, W0, H0, C0;      /* synthetic data */
    double c;                  /* Assumption 2 constant of the synthetic data */
    size_t n_times;            /* flow, theorem1: sampled times per run */
    double t_end;              /* flow, theorem1: 0 = verify.h's horizon past T_eff, t_0, t_bar_0 */
    condense_path path;        /* flow, theorem1: the real flow's implementation */
    const condense_data *pool; /* spectrum: n samples of this stored set per run (NULL:
                                * synthetic data) */
} condense_sweep_grid;

/* One run of the grid. */
typedef struct condense_sweep_point {
    size_t index; /* its place in the grid order */
    char activation[CONDENSE_SWEEP_NAME_LEN];
    size_t m;
    double gamma, eps; /* the scale axis' value and the other one derived from it and M */
    size_t M;
    unsigned long seed; /* the base seed */
    size_t trial;       /* 1..trials */
} condense_sweep_point;

/* The defaults: one value per axis (tanh, m = 3, gamma = 4, M = 64, seed 1, 1 trial), the
 * verify.h instance n = 12, 6 x 6 x 1, c = 4, 100 sampled times. */
void condense_sweep_grid_default(condense_sweep_grid *grid, condense_sweep_kind kind);

/* The run kind's name ("flow", "theorem1", "spectrum") and back (CONDENSE_EINVAL if unknown). */
const char *condense_sweep_kind_name(condense_sweep_kind kind);
int condense_sweep_kind_lookup(const char *name, condense_sweep_kind *kind);

/* Check a grid: CONDENSE_EINVAL for NULL, an unknown kind or activation name or more than one
 * value on an axis a spectrum run does not use (activation, gamma/eps, M); CONDENSE_ESIZE for an
 * empty axis or one longer than CONDENSE_SWEEP_MAX_VALUES, zero trials, sizes, m > min(W_0, H_0)
 * or n_times < 2 (flow, theorem1); CONDENSE_EDOM for gamma <= 1, eps outside (0, 1), an (eps,
 * M) pair with gamma <= 1 or M < 2, c <= 1, t_end < 0 or non-finite values.  On success the
 * number of runs (the product of the axis lengths) is stored in *total (may be NULL). */
int condense_sweep_grid_check(const condense_sweep_grid *grid, size_t *total);

/* Run `index` of the grid order.  CONDENSE_ESIZE when index >= the number of runs. */
int condense_sweep_point_at(const condense_sweep_grid *grid, size_t index,
                            condense_sweep_point *point);

/* The place of a point in the grid: every axis value must be one of the grid's (exactly, as
 * %.17g round-trips doubles), CONDENSE_EUNDEF otherwise.  point->index is not read. */
int condense_sweep_index_of(const condense_sweep_grid *grid, const condense_sweep_point *point,
                            size_t *index);

/* seed_t of trial t >= 1 of base seed: the t-th output of gsl_rng_get of an mt19937 seeded
 * with base.  CONDENSE_ESIZE for trial 0. */
int condense_sweep_trial_seed(unsigned long base, size_t trial, unsigned long *seed);

/* The column names of the kind's rows, one line ending in '\n' (truncated to size). */
void condense_sweep_header(condense_sweep_kind kind, char *buf, size_t size);

/* A row's key (its first 8 columns, no newline).  condense_sweep_key_parse reads the key at the
 * start of a row of this grid's kind into *point (index included, via condense_sweep_index_of):
 * CONDENSE_EFORMAT for a malformed key or another kind, CONDENSE_EUNDEF for a key outside the
 * grid. */
int condense_sweep_key_format(const condense_sweep_grid *grid, const condense_sweep_point *point,
                              char *buf, size_t size);
int condense_sweep_key_parse(const condense_sweep_grid *grid, const char *row,
                             condense_sweep_point *point);

/* Do one run and write its whole row (key, results, '\n') into row.  Errors of the run (of
 * verify.h or spectra.h) are returned as they are; CONDENSE_ESIZE when the row does not fit. */
int condense_sweep_run(const condense_sweep_grid *grid, const condense_sweep_point *point,
                       char *row, size_t size);

/* Read a results file back: text[0..len) is scanned line by line; comment lines ('#') and the
 * header are skipped, every other complete line must be a row of this grid (its key parsed,
 * done[index] set to 1; done has one entry per run).  *complete is the length of the text up
 * to the last '\n' (a trailing partial line, from an interrupted write, is not counted) and
 * *n_done the number of distinct runs found.  CONDENSE_EFORMAT names the line of a row that is
 * not of this grid, or of a header of another kind. */
int condense_sweep_scan(const condense_sweep_grid *grid, const char *text, size_t len,
                        unsigned char *done, size_t *n_done, size_t *complete);

/* condense_sweep_scan on the file at path, which is then cut back to its complete lines (a
 * missing file is an empty one: *n_done = 0).  CONDENSE_EIO when it cannot be read or cut. */
int condense_sweep_resume(const char *path, const condense_sweep_grid *grid, unsigned char *done,
                          size_t *n_done);

/* Append one whole row to the open file descriptor fd and make it durable (write, then
 * fsync), so an interruption leaves at most a partial last line.  CONDENSE_EIO on failure. */
int condense_sweep_append(int fd, const char *row);

/* Rewrite the file at path in grid order: the lines of `preamble` (each starting with '#',
 * may be NULL), the header, then each run's row (the first occurrence of its key) -- through
 * path.tmp, fsync and rename.  CONDENSE_ESIZE (naming the first missing run) unless every run
 * of the grid has a row; CONDENSE_EIO on a file error. */
int condense_sweep_finish(const char *path, const condense_sweep_grid *grid, const char *preamble);

#ifdef __cplusplus
}
#endif
#endif
