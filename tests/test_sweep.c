/* test_sweep.c -- tests of src/sweep.c: the grid order, keys, seeds, the resumable results
 * file and the rows of the three kinds of run.
 *
 * Independent routes: the grid order is recomputed by nested loops written here from the order
 * sweep.h documents; seed_t by a GSL mt19937 stepped here; lambda_1 of a spectrum row from the
 * eigenvalues of Z^T Z (gsl_eigen_symm) instead of the SVD; a row's independence from the grid
 * by running the same point inside two different grids.  File contents are checked byte for
 * byte against text assembled here. */
#define _POSIX_C_SOURCE 200809L /* mkstemp */
#include <config.h>

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

#include <cmocka.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort_vector.h>

#include "condense/data.h"
#include "condense/error.h"
#include "condense/linearization.h"
#include "condense/sweep.h"

/* |a - b| <= tol, with the numbers in the message when it fails. */
#define assert_close(a, b, tol)                                                                    \
    do {                                                                                           \
        const double a_ = (a), b_ = (b), t_ = (tol);                                               \
        if (!(fabs(a_ - b_) <= t_))                                                                \
            fail_msg("%s = %.17g, %s = %.17g, tolerance %g", #a, a_, #b, b_, t_);                  \
    } while (0)

/* A small grid with every axis of length >= 2 (not the same lengths, so a mixed-up radix shows). */
static void small_grid(condense_sweep_grid *g)
{
    condense_sweep_grid_default(g, CONDENSE_SWEEP_THEOREM1);
    g->n_activation = 2;
    snprintf(g->activation[1], CONDENSE_SWEEP_NAME_LEN, "silu");
    g->n_m = 2;
    g->m[1] = 2;
    g->n_scale = 3;
    g->scale[0] = 1.5;
    g->scale[1] = 2.0;
    g->scale[2] = 4.0;
    g->n_M = 2;
    g->M[0] = 4;
    g->M[1] = 8;
    g->n_seed = 2;
    g->seed[1] = 7;
    g->trials = 3;
}

static void test_kind_names(void **state)
{
    (void)state;
    condense_sweep_kind k;
    const char *names[] = {"flow", "theorem1", "spectrum"};
    for (int j = 0; j < 3; ++j) {
        assert_int_equal(condense_sweep_kind_lookup(names[j], &k), CONDENSE_OK);
        assert_int_equal((int)k, j);
        assert_string_equal(condense_sweep_kind_name(k), names[j]);
    }
    assert_string_equal(condense_sweep_kind_name((condense_sweep_kind)7), "unknown");
    assert_int_equal(condense_sweep_kind_lookup("flows", &k), CONDENSE_EINVAL);
    assert_int_equal(condense_sweep_kind_lookup(NULL, &k), CONDENSE_EINVAL);
    assert_int_equal(condense_sweep_kind_lookup("flow", NULL), CONDENSE_EINVAL);
    char h[512];
    condense_sweep_header(CONDENSE_SWEEP_SPECTRUM, h, sizeof h);
    assert_string_equal(h, "run,activation,m,gamma,eps,M,seed,trial,seed_run,lambda_1,lambda_2,"
                           "delta_lambda,gap_rel,cos_v1_ones\n");
}

/* The grid order by nested loops, outermost first: activation, m, scale, M, seed, trial. */
static void test_grid_order(void **state)
{
    (void)state;
    condense_sweep_grid g;
    small_grid(&g);
    size_t total = 0;
    assert_int_equal(condense_sweep_grid_check(&g, &total), CONDENSE_OK);
    assert_int_equal(total, 2 * 2 * 3 * 2 * 2 * 3);
    size_t k = 0;
    for (size_t a = 0; a < 2; ++a)
        for (size_t m = 0; m < 2; ++m)
            for (size_t s = 0; s < 3; ++s)
                for (size_t M = 0; M < 2; ++M)
                    for (size_t seed = 0; seed < 2; ++seed)
                        for (size_t t = 1; t <= 3; ++t, ++k) {
                            condense_sweep_point p;
                            assert_int_equal(condense_sweep_point_at(&g, k, &p), CONDENSE_OK);
                            assert_int_equal(p.index, k);
                            assert_string_equal(p.activation, g.activation[a]);
                            assert_int_equal(p.m, g.m[m]);
                            assert_true(p.gamma == g.scale[s]);
                            /* eps = M^(-gamma/2): M = 4, 8 are powers of 2, so exact up to
                             * pow's rounding (1 ulp) */
                            assert_close(p.eps, pow(2.0, -(double)(M + 2) * g.scale[s] / 2),
                                         4e-16 * p.eps);
                            assert_int_equal(p.M, g.M[M]);
                            assert_int_equal(p.seed, g.seed[seed]);
                            assert_int_equal(p.trial, t);
                            size_t back;
                            assert_int_equal(condense_sweep_index_of(&g, &p, &back), CONDENSE_OK);
                            assert_int_equal(back, k);
                        }
    condense_sweep_point p;
    assert_int_equal(condense_sweep_point_at(&g, total, &p), CONDENSE_ESIZE);
    assert_int_equal(condense_sweep_point_at(&g, 0, NULL), CONDENSE_EINVAL);
    /* the eps axis: gamma derived as -2 log eps / log M */
    g.use_eps = 1;
    g.n_scale = 1;
    g.scale[0] = 0.01;
    assert_int_equal(condense_sweep_point_at(&g, 0, &p), CONDENSE_OK);
    assert_true(p.eps == 0.01);
    assert_close(p.gamma, 2.0 * log(100.0) / log(4.0), 1e-15 * p.gamma);
}

static void test_index_of_errors(void **state)
{
    (void)state;
    condense_sweep_grid g;
    small_grid(&g);
    condense_sweep_point p;
    size_t k;
    assert_int_equal(condense_sweep_point_at(&g, 5, &p), CONDENSE_OK);
    condense_sweep_point q = p;
    q.M = 5;
    assert_int_equal(condense_sweep_index_of(&g, &q, &k), CONDENSE_EUNDEF);
    q = p;
    q.gamma = nextafter(p.gamma, 10.0); /* one ulp away is another run */
    assert_int_equal(condense_sweep_index_of(&g, &q, &k), CONDENSE_EUNDEF);
    q = p;
    q.trial = 4;
    assert_int_equal(condense_sweep_index_of(&g, &q, &k), CONDENSE_EUNDEF);
    q.trial = 0;
    assert_int_equal(condense_sweep_index_of(&g, &q, &k), CONDENSE_EUNDEF);
    q = p;
    snprintf(q.activation, sizeof q.activation, "relu");
    assert_int_equal(condense_sweep_index_of(&g, &q, &k), CONDENSE_EUNDEF);
    q = p;
    q.seed = 2;
    assert_int_equal(condense_sweep_index_of(&g, &q, &k), CONDENSE_EUNDEF);
    q = p;
    q.m = 4;
    assert_int_equal(condense_sweep_index_of(&g, &q, &k), CONDENSE_EUNDEF);
    assert_int_equal(condense_sweep_index_of(&g, NULL, &k), CONDENSE_EINVAL);
    assert_int_equal(condense_sweep_index_of(&g, &p, NULL), CONDENSE_EINVAL);
    assert_int_equal(condense_sweep_index_of(NULL, &p, &k), CONDENSE_EINVAL);
}

static void test_grid_check_errors(void **state)
{
    (void)state;
    condense_sweep_grid g, base;
    condense_sweep_grid_default(&base, CONDENSE_SWEEP_FLOW);
    size_t total;
    assert_int_equal(condense_sweep_grid_check(&base, &total), CONDENSE_OK);
    assert_int_equal(total, 1);
    assert_int_equal(condense_sweep_grid_check(NULL, &total), CONDENSE_EINVAL);
#define EXPECT(status, change)                                                                     \
    do {                                                                                           \
        g = base;                                                                                  \
        change;                                                                                    \
        assert_int_equal(condense_sweep_grid_check(&g, NULL), status);                             \
    } while (0)
    EXPECT(CONDENSE_EINVAL, g.kind = (condense_sweep_kind)3);
    EXPECT(CONDENSE_ESIZE, g.n_activation = 0);
    EXPECT(CONDENSE_ESIZE, g.n_m = CONDENSE_SWEEP_MAX_VALUES + 1);
    EXPECT(CONDENSE_ESIZE, g.n_scale = 0);
    EXPECT(CONDENSE_ESIZE, g.n_M = 0);
    EXPECT(CONDENSE_ESIZE, g.n_seed = 0);
    EXPECT(CONDENSE_ESIZE, g.trials = 0);
    EXPECT(CONDENSE_EINVAL, (g.kind = CONDENSE_SWEEP_SPECTRUM, g.n_M = 2, g.M[1] = 9));
    EXPECT(CONDENSE_ESIZE, g.n = 0);
    EXPECT(CONDENSE_ESIZE, g.C0 = 0);
    EXPECT(CONDENSE_EDOM, g.c = 1.0);
    EXPECT(CONDENSE_EDOM, g.c = NAN);
    EXPECT(CONDENSE_ESIZE, g.m[0] = 7); /* 6 x 6 images */
    EXPECT(CONDENSE_ESIZE, g.m[0] = 0);
    EXPECT(CONDENSE_ESIZE, g.n_times = 1);
    EXPECT(CONDENSE_EDOM, g.t_end = -1.0);
    EXPECT(CONDENSE_EDOM, g.t_end = INFINITY);
    EXPECT(CONDENSE_EINVAL, snprintf(g.activation[0], CONDENSE_SWEEP_NAME_LEN, "nope"));
    /* x tanh x has multiplicity 2 (Definition 1): no flow of verify.h, but its spectrum is fine */
    EXPECT(CONDENSE_EDOM, snprintf(g.activation[0], CONDENSE_SWEEP_NAME_LEN, "xtanh"));
    EXPECT(CONDENSE_OK, (g.kind = CONDENSE_SWEEP_SPECTRUM,
                         snprintf(g.activation[0], CONDENSE_SWEEP_NAME_LEN, "xtanh")));
    EXPECT(CONDENSE_EINVAL, memset(g.activation[0], 'a', CONDENSE_SWEEP_NAME_LEN));
    EXPECT(CONDENSE_ESIZE, g.M[0] = 0);
    EXPECT(CONDENSE_EDOM, g.scale[0] = 1.0);
    EXPECT(CONDENSE_EDOM, g.scale[0] = NAN);
    EXPECT(CONDENSE_EDOM, (g.use_eps = 1, g.scale[0] = 1.0));
    EXPECT(CONDENSE_EDOM, (g.use_eps = 1, g.scale[0] = 0.0));
    /* eps = 0.1 at M = 64: gamma = 2 log 10 / log 64 = 1.107 > 1 passes; at M = 1024 0.66 */
    EXPECT(CONDENSE_OK, (g.use_eps = 1, g.scale[0] = 0.1));
    EXPECT(CONDENSE_EDOM, (g.use_eps = 1, g.scale[0] = 0.1, g.M[0] = 1024));
    EXPECT(CONDENSE_EDOM, (g.use_eps = 1, g.scale[0] = 0.01, g.M[0] = 1));
    /* spectra do not use M: eps and M = 1 pass there */
    EXPECT(CONDENSE_OK,
           (g.kind = CONDENSE_SWEEP_SPECTRUM, g.use_eps = 1, g.scale[0] = 0.5, g.M[0] = 1));
    /* too many runs for size_t */
    EXPECT(CONDENSE_ESIZE, g.trials = ((size_t)-1) / 2 + 1; g.n_seed = 2; g.seed[1] = 2);
    /* a stored set: n may not exceed its samples; its image size bounds m */
    condense_data *pool = NULL;
    assert_int_equal(condense_data_synthetic(5, 4, 4, 1, 4.0, 3, &pool), CONDENSE_OK);
    EXPECT(CONDENSE_ESIZE, (g.kind = CONDENSE_SWEEP_SPECTRUM, g.pool = pool, g.n = 6));
    EXPECT(CONDENSE_ESIZE, (g.kind = CONDENSE_SWEEP_SPECTRUM, g.pool = pool, g.n = 5, g.m[0] = 5));
    EXPECT(CONDENSE_OK, (g.kind = CONDENSE_SWEEP_SPECTRUM, g.pool = pool, g.n = 5));
    condense_data_free(pool);
#undef EXPECT
}

/* seed_t: the t-th gsl_rng_get of mt19937(base), stepped here. */
static void test_trial_seed(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 42);
    for (size_t t = 1; t <= 5; ++t) {
        const unsigned long want = gsl_rng_get(r);
        unsigned long got;
        assert_int_equal(condense_sweep_trial_seed(42, t, &got), CONDENSE_OK);
        assert_int_equal(got, want);
    }
    gsl_rng_free(r);
    unsigned long s = 99;
    assert_int_equal(condense_sweep_trial_seed(42, 0, &s), CONDENSE_ESIZE);
    assert_int_equal(s, 99);
    assert_int_equal(condense_sweep_trial_seed(42, 1, NULL), CONDENSE_EINVAL);
}

static void test_key_round_trip(void **state)
{
    (void)state;
    condense_sweep_grid g;
    small_grid(&g);
    size_t total;
    assert_int_equal(condense_sweep_grid_check(&g, &total), CONDENSE_OK);
    char key[256];
    for (size_t k = 0; k < total; ++k) {
        condense_sweep_point p, q;
        assert_int_equal(condense_sweep_point_at(&g, k, &p), CONDENSE_OK);
        assert_int_equal(condense_sweep_key_format(&g, &p, key, sizeof key), CONDENSE_OK);
        strcat(key, ",123,4.5\n"); /* the rest of a row is not read */
        assert_int_equal(condense_sweep_key_parse(&g, key, &q), CONDENSE_OK);
        assert_int_equal(q.index, k);
        assert_true(q.eps == p.eps && q.gamma == p.gamma); /* %.17g round-trips */
    }
    condense_sweep_point p;
    assert_int_equal(condense_sweep_point_at(&g, 0, &p), CONDENSE_OK);
    assert_int_equal(condense_sweep_key_format(&g, &p, key, 10), CONDENSE_ESIZE);
    assert_int_equal(condense_sweep_key_format(&g, &p, key, sizeof key), CONDENSE_OK);
    assert_string_equal(key, "theorem1,tanh,3,1.5,0.35355339059327379,4,1,1");
    assert_int_equal(condense_sweep_key_format(NULL, &p, key, sizeof key), CONDENSE_EINVAL);
    assert_int_equal(condense_sweep_key_format(&g, NULL, key, sizeof key), CONDENSE_EINVAL);
    assert_int_equal(condense_sweep_key_format(&g, &p, NULL, 1), CONDENSE_EINVAL);
    condense_sweep_point q;
    const char *bad[] = {"theorem1,tanh,3,1.5,0.3,4,1\n",    /* 7 columns */
                         "flow,tanh,3,1.5,0.3,4,1,1\n",      /* another kind */
                         "theorem1,tanh,x,1.5,0.3,4,1,1\n",  /* m not a number */
                         "theorem1,tanh,3,1.5z,0.3,4,1,1\n", /* gamma not a number */
                         "theorem1,tanh,3,1.5,0.3,-4,1,1\n", /* M negative */
                         "theorem1,,3,1.5,0.3,4,1,1\n",      /* empty field */
                         "theorem1,tanh,3,1.5,0.3,4,1,99999999999999999999999\n",
                         "theorem1,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,3,1.5,0.3,4,1,1\n"};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; ++k)
        assert_int_equal(condense_sweep_key_parse(&g, bad[k], &q), CONDENSE_EFORMAT);
    assert_int_equal(condense_sweep_key_parse(&g, "theorem1,tanh,3,1.5,0.3,5,1,1\n", &q),
                     CONDENSE_EUNDEF);
    assert_int_equal(condense_sweep_key_parse(NULL, "x", &q), CONDENSE_EINVAL);
    assert_int_equal(condense_sweep_key_parse(&g, NULL, &q), CONDENSE_EINVAL);
    assert_int_equal(condense_sweep_key_parse(&g, "x", NULL), CONDENSE_EINVAL);
}

/* A row of run k of g (its key and a fake result), as the text a file holds. */
static void fake_row(const condense_sweep_grid *g, size_t k, char *row, size_t size)
{
    condense_sweep_point p;
    assert_int_equal(condense_sweep_point_at(g, k, &p), CONDENSE_OK);
    assert_int_equal(condense_sweep_key_format(g, &p, row, size), CONDENSE_OK);
    const size_t used = strlen(row);
    snprintf(row + used, size - used, ",%zu\n", k * k);
}

static void test_scan(void **state)
{
    (void)state;
    condense_sweep_grid g;
    small_grid(&g);
    size_t total;
    assert_int_equal(condense_sweep_grid_check(&g, &total), CONDENSE_OK);
    char text[4096], row[256], header[512];
    condense_sweep_header(g.kind, header, sizeof header);
    snprintf(text, sizeof text, "# provenance\n%s", header);
    const size_t runs[] = {7, 3, 7, 100}; /* 7 twice: counted once */
    for (size_t j = 0; j < 4; ++j) {
        fake_row(&g, runs[j], row, sizeof row);
        strcat(text, row);
    }
    strcat(text, "\n");
    const size_t full = strlen(text);
    fake_row(&g, 9, row, sizeof row);
    row[10] = '\0'; /* an interrupted write: no newline */
    strcat(text, row);
    unsigned char *done = malloc(total);
    size_t n_done = 0, complete = 0;
    assert_int_equal(condense_sweep_scan(&g, text, strlen(text), done, &n_done, &complete),
                     CONDENSE_OK);
    assert_int_equal(n_done, 3);
    assert_int_equal(complete, full);
    for (size_t k = 0; k < total; ++k)
        assert_int_equal(done[k], k == 3 || k == 7 || k == 100);
    /* an empty text */
    assert_int_equal(condense_sweep_scan(&g, NULL, 0, done, &n_done, &complete), CONDENSE_OK);
    assert_int_equal(n_done, 0);
    assert_int_equal(complete, 0);
    /* a header of another kind, a row outside the grid, a malformed row: EFORMAT, untouched */
    char other[512];
    condense_sweep_header(CONDENSE_SWEEP_FLOW, other, sizeof other);
    n_done = 77;
    assert_int_equal(condense_sweep_scan(&g, other, strlen(other), done, &n_done, &complete),
                     CONDENSE_EFORMAT);
    assert_int_equal(n_done, 77);
    const char *outside = "# x\ntheorem1,tanh,3,1.5,0.3,5,1,1,2\n";
    assert_int_equal(condense_sweep_scan(&g, outside, strlen(outside), done, &n_done, &complete),
                     CONDENSE_EFORMAT);
    assert_non_null(strstr(condense_errmsg(), "line 2"));
    assert_int_equal(condense_sweep_scan(&g, "garbage\n", 8, done, &n_done, &complete),
                     CONDENSE_EFORMAT);
    assert_int_equal(condense_sweep_scan(&g, NULL, 3, done, &n_done, &complete), CONDENSE_EINVAL);
    assert_int_equal(condense_sweep_scan(&g, text, 3, NULL, &n_done, &complete), CONDENSE_EINVAL);
    assert_int_equal(condense_sweep_scan(&g, text, 3, done, NULL, &complete), CONDENSE_EINVAL);
    assert_int_equal(condense_sweep_scan(&g, text, 3, done, &n_done, NULL), CONDENSE_EINVAL);
    g.trials = 0;
    assert_int_equal(condense_sweep_scan(&g, text, 3, done, &n_done, &complete), CONDENSE_ESIZE);
    free(done);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 16];
    const size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* resume cuts the partial line; append adds whole rows; finish sorts them in grid order. */
static void test_file_cycle(void **state)
{
    (void)state;
    condense_sweep_grid g;
    condense_sweep_grid_default(&g, CONDENSE_SWEEP_FLOW);
    g.n_M = 3;
    g.M[0] = 4;
    g.M[1] = 8;
    g.M[2] = 16;
    g.trials = 2; /* 6 runs */
    char path[] = "/tmp/test_sweep_XXXXXX";
    const int fd0 = mkstemp(path);
    assert_true(fd0 >= 0);
    close(fd0);
    remove(path);
    unsigned char done[6];
    size_t n_done = 9;
    /* a missing file: nothing done */
    assert_int_equal(condense_sweep_resume(path, &g, done, &n_done), CONDENSE_OK);
    assert_int_equal(n_done, 0);
    char rows[6][256], header[512], expect[4096];
    for (size_t k = 0; k < 6; ++k)
        fake_row(&g, k, rows[k], sizeof rows[k]);
    condense_sweep_header(g.kind, header, sizeof header);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
    assert_true(fd >= 0);
    assert_int_equal(condense_sweep_append(fd, "# old provenance\n"), CONDENSE_OK);
    assert_int_equal(condense_sweep_append(fd, header), CONDENSE_OK);
    assert_int_equal(condense_sweep_append(fd, rows[4]), CONDENSE_OK);
    assert_int_equal(condense_sweep_append(fd, rows[1]), CONDENSE_OK);
    assert_int_equal(write(fd, rows[2], 12), 12); /* interrupted */
    close(fd);
    assert_int_equal(condense_sweep_resume(path, &g, done, &n_done), CONDENSE_OK);
    assert_int_equal(n_done, 2);
    for (size_t k = 0; k < 6; ++k)
        assert_int_equal(done[k], k == 1 || k == 4);
    snprintf(expect, sizeof expect, "# old provenance\n%s%s%s", header, rows[4], rows[1]);
    assert_string_equal(slurp(path), expect);
    /* not every run done: finish refuses and leaves the file */
    assert_int_equal(condense_sweep_finish(path, &g, "# new\n"), CONDENSE_ESIZE);
    assert_string_equal(slurp(path), expect);
    fd = open(path, O_WRONLY | O_APPEND);
    for (size_t k = 0; k < 6; ++k)
        if (!done[k]) assert_int_equal(condense_sweep_append(fd, rows[5 - k]), CONDENSE_OK);
    assert_int_equal(condense_sweep_append(fd, rows[0]), CONDENSE_OK); /* a duplicate */
    close(fd);
    assert_int_equal(condense_sweep_finish(path, &g, "# new\n"), CONDENSE_OK);
    snprintf(expect, sizeof expect, "# new\n%s%s%s%s%s%s%s", header, rows[0], rows[1], rows[2],
             rows[3], rows[4], rows[5]);
    assert_string_equal(slurp(path), expect);
    /* a long comment (past the first read buffer of 64 KiB) before the rows */
    FILE *f = fopen(path, "w");
    fputc('#', f);
    for (int k = 0; k < 100000; ++k)
        fputc('x', f);
    fputc('\n', f);
    fputs(rows[2], f);
    fclose(f);
    assert_int_equal(condense_sweep_resume(path, &g, done, &n_done), CONDENSE_OK);
    assert_int_equal(n_done, 1);
    assert_int_equal(done[2], 1);
    f = fopen(path, "w");
    fputs(expect, f);
    fclose(f);
    /* a file of another kind is refused by resume and finish */
    g.kind = CONDENSE_SWEEP_THEOREM1;
    assert_int_equal(condense_sweep_resume(path, &g, done, &n_done), CONDENSE_EFORMAT);
    assert_int_equal(condense_sweep_finish(path, &g, NULL), CONDENSE_EFORMAT);
    g.kind = CONDENSE_SWEEP_FLOW;
    assert_int_equal(condense_sweep_finish(path, &g, NULL), CONDENSE_OK); /* no preamble */
    assert_int_equal(strncmp(slurp(path), header, strlen(header)), 0);
    remove(path);
    /* errors: unreadable paths, a bad descriptor, NULL */
    assert_int_equal(condense_sweep_resume("/tmp", &g, done, &n_done), CONDENSE_EIO); /* a dir */
    assert_int_equal(condense_sweep_resume("/dev/null/x", &g, done, &n_done), CONDENSE_EIO);
    assert_int_equal(condense_sweep_finish("/tmp", &g, NULL), CONDENSE_EIO);
    assert_int_equal(condense_sweep_finish("/nonexistent-dir/x", &g, NULL), CONDENSE_ESIZE);
    assert_int_equal(condense_sweep_append(-1, "x\n"), CONDENSE_EIO);
    assert_int_equal(condense_sweep_append(1, NULL), CONDENSE_EINVAL);
    assert_int_equal(condense_sweep_resume(NULL, &g, done, &n_done), CONDENSE_EINVAL);
    assert_int_equal(condense_sweep_resume(path, &g, NULL, &n_done), CONDENSE_EINVAL);
    assert_int_equal(condense_sweep_resume(path, &g, done, NULL), CONDENSE_EINVAL);
    assert_int_equal(condense_sweep_finish(NULL, &g, NULL), CONDENSE_EINVAL);
    g.trials = 0;
    assert_int_equal(condense_sweep_resume(path, &g, done, &n_done), CONDENSE_ESIZE);
    assert_int_equal(condense_sweep_finish(path, &g, NULL), CONDENSE_ESIZE);
}

/* A row depends on its own parameters only: the same point in two different grids. */
static void test_run_independent_of_grid(void **state)
{
    (void)state;
    for (int kind = 0; kind < 2; ++kind) {
        condense_sweep_grid a, b;
        condense_sweep_grid_default(&a, (condense_sweep_kind)kind);
        a.n = 4;
        a.W0 = a.H0 = 4;
        a.m[0] = 2;
        a.M[0] = 4;
        a.n_times = 6;
        a.trials = 2;
        b = a;
        b.n_M = 2;
        b.M[0] = 2;
        b.M[1] = 4;
        b.trials = 3;
        condense_sweep_point pa, pb;
        assert_int_equal(condense_sweep_point_at(&a, 1, &pa), CONDENSE_OK); /* M 4, trial 2 */
        assert_int_equal(condense_sweep_point_at(&b, 4, &pb), CONDENSE_OK); /* M 4, trial 2 */
        assert_int_equal(pa.M, pb.M);
        assert_int_equal(pa.trial, pb.trial);
        char ra[2048], rb[2048];
        assert_int_equal(condense_sweep_run(&a, &pa, ra, sizeof ra), CONDENSE_OK);
        assert_int_equal(condense_sweep_run(&b, &pb, rb, sizeof rb), CONDENSE_OK);
        assert_string_equal(ra, rb);
        condense_sweep_point back;
        assert_int_equal(condense_sweep_key_parse(&a, ra, &back), CONDENSE_OK);
        assert_int_equal(back.index, 1);
        /* the columns: as many as the header names, the row ends in one newline */
        char header[512];
        condense_sweep_header(a.kind, header, sizeof header);
        size_t ch = 0, cr = 0;
        for (const char *s = header; *s; ++s)
            ch += *s == ',';
        for (const char *s = ra; *s; ++s)
            cr += *s == ',';
        assert_int_equal(ch, cr);
        assert_int_equal(ra[strlen(ra) - 1], '\n');
        /* seed_run is the 9th column */
        unsigned long seed_t;
        assert_int_equal(condense_sweep_trial_seed(1, 2, &seed_t), CONDENSE_OK);
        char want[64];
        snprintf(want, sizeof want, ",1,2,%lu,", seed_t);
        assert_non_null(strstr(ra, want));
        /* a row too long for the buffer */
        assert_int_equal(condense_sweep_run(&a, &pa, ra, 60), CONDENSE_ESIZE);
        assert_int_equal(condense_sweep_run(&a, &pa, NULL, 60), CONDENSE_EINVAL);
    }
}

/* lambda_1 of a spectrum row against sqrt of the top eigenvalue of Z^T Z (gsl_eigen_symm). */
static void test_spectrum_row(void **state)
{
    (void)state;
    condense_sweep_grid g;
    condense_sweep_grid_default(&g, CONDENSE_SWEEP_SPECTRUM);
    g.n = 10;
    g.W0 = g.H0 = 7;
    g.trials = 2;
    condense_sweep_point p;
    assert_int_equal(condense_sweep_point_at(&g, 1, &p), CONDENSE_OK);
    char row[2048];
    assert_int_equal(condense_sweep_run(&g, &p, row, sizeof row), CONDENSE_OK);
    /* the results after the 9 key columns */
    const char *s = row;
    for (int k = 0; k < 9; ++k)
        s = strchr(s, ',') + 1;
    double lambda_1, lambda_2, delta, gap, cosv;
    assert_int_equal(sscanf(s, "%lf,%lf,%lf,%lf,%lf", &lambda_1, &lambda_2, &delta, &gap, &cosv),
                     5);
    unsigned long seed_t;
    assert_int_equal(condense_sweep_trial_seed(1, 2, &seed_t), CONDENSE_OK);
    condense_data *d = NULL;
    gsl_matrix *Z = NULL;
    assert_int_equal(condense_data_synthetic(10, 7, 7, 1, 4.0, seed_t, &d), CONDENSE_OK);
    assert_int_equal(condense_Z_alloc(d, 3, &Z), CONDENSE_OK);
    const size_t N = Z->size2;
    gsl_matrix *G = gsl_matrix_alloc(N, N);
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, Z, Z, 0.0, G);
    gsl_vector *ev = gsl_vector_alloc(N);
    gsl_eigen_symm_workspace *w = gsl_eigen_symm_alloc(N);
    gsl_eigen_symm(G, ev, w);
    gsl_sort_vector(ev);
    const double mu1 = gsl_vector_get(ev, N - 1), mu2 = gsl_vector_get(ev, N - 2);
    /* eigenvalues of the Gram matrix: absolute error ~ N eps mu_1, so sqrt relative 1e-12 for
     * lambda_1 and (mu_1 / mu_2) 1e-13 for lambda_2 */
    assert_close(lambda_1, sqrt(mu1), 1e-12 * lambda_1);
    assert_close(lambda_2, sqrt(mu2), 1e-13 * mu1 / lambda_2);
    assert_close(delta, lambda_1 - lambda_2, 1e-12 * lambda_1);
    assert_close(gap, delta / lambda_1, 1e-12);
    assert_true(fabs(cosv) <= 1.0);
    /* from a stored set: n of its samples */
    condense_data *pool = NULL;
    assert_int_equal(condense_data_synthetic(20, 7, 7, 1, 4.0, 5, &pool), CONDENSE_OK);
    g.pool = pool;
    assert_int_equal(condense_sweep_run(&g, &p, row, sizeof row), CONDENSE_OK);
    g.n = 21;
    assert_int_equal(condense_sweep_run(&g, &p, row, sizeof row), CONDENSE_ESIZE);
    condense_data_free(pool);
    gsl_eigen_symm_free(w);
    gsl_vector_free(ev);
    gsl_matrix_free(G);
    gsl_matrix_free(Z);
    condense_data_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kind_names),
        cmocka_unit_test(test_grid_order),
        cmocka_unit_test(test_index_of_errors),
        cmocka_unit_test(test_grid_check_errors),
        cmocka_unit_test(test_trial_seed),
        cmocka_unit_test(test_key_round_trip),
        cmocka_unit_test(test_scan),
        cmocka_unit_test(test_file_cycle),
        cmocka_unit_test(test_run_independent_of_grid),
        cmocka_unit_test(test_spectrum_row),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
