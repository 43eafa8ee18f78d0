/* cli_sweep.c -- the command `condense sweep`: a grid of flow, theorem1 or spectrum runs
 * (sweep.h), one CSV row per run appended as it is done (resumable), the file rewritten in grid
 * order at the end.  Built with MPI (./configure --with-mpi, CONDENSE_MPI), under mpirun rank 0
 * hands out the runs one at a time to the other ranks and writes their rows: the file is the
 * same, bit for bit, as the serial run's. */
#define _POSIX_C_SOURCE 200809L /* open, clock_gettime */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef CONDENSE_MPI
#include <mpi.h>
#endif

#include "cli.h"
#include "condense/condense.h"
#include "condense/sweep.h"

#define ROW_SIZE 2048

static void sweep_usage(void)
{
    printf(
        "Usage: %s sweep --run flow|theorem1|spectrum --out FILE [--M LIST]\n"
        "                      [--gamma LIST | --eps LIST] [--m LIST] [--activation LIST]\n"
        "                      [--seed LIST] [--trials T] [--n N] [--size WxH] [--C0 N] [--c X]\n"
        "                      [--times N] [--t-end T] [--path P] [--data DIR]\n"
        "\n"
        "Runs every point of a grid and writes one CSV row per run to FILE.  LISTs are comma\n"
        "separated; the grid order (outermost first) is activation, m, gamma (or eps), M,\n"
        "seed, trial.  Run (seed s, trial t) draws everything from seed_t = the t-th gsl_rng_get\n"
        "of an mt19937 seeded with s, whatever its place in the grid or the process running it.\n"
        "  --run flow       the real flow (App. C/D) beside the linear flow of Proposition 1\n"
        "                   from the same start, on the built-in synthetic instance\n"
        "  --run theorem1   the observables of Theorem 1: relative change (eq. 14) and\n"
        "                   condensation ratio (eq. 15), sup over t <= T_eff and t <= t_bar_0\n"
        "  --run spectrum   lambda_1, lambda_2, the gap and cos(v_1, 1) of Z for a draw of data\n"
        "  --out FILE       the results (required).  Rows are appended (and synced) one whole\n"
        "                   line at a time; rerunning the same command skips the runs FILE\n"
        "                   already has (a partial last line is dropped; a FILE made with\n"
        "                   other data, times, t-end or path is refused); at the end FILE is\n"
        "                   rewritten in grid order\n"
        "  --M LIST         numbers of kernels (default 64)\n"
        "  --gamma LIST     eps^2 = M^-gamma, gamma > 1 (default 4); or\n"
        "  --eps LIST       eps in (0, 1), gamma = -2 log(eps) / log(M) must be > 1\n"
        "  --m LIST         filter sizes (default 3)\n"
        "  --activation LIST  activations of Assumption 1 (default tanh)\n"
        "  --seed LIST      base seeds (default 1)\n"
        "  --trials T       trials per base seed (default 1)\n"
        "  --n N, --size WxH, --C0 N, --c X   the synthetic data (default 12, 6x6, 1, 4)\n"
        "  --times N        sampled times per flow (default 100)\n"
        "  --t-end T        end of each flow (default: past T_eff, t_0 and t_bar_0)\n"
        "  --path P         direct (default) or fast\n"
        "  --data DIR       spectrum: n samples of the stored set DIR (x.npy, y.npy) per run\n"
        "                   instead of synthetic data\n"
        "\n"
        "Columns (the file starts with comment lines recording the version, the seeds and the\n"
        "grid, then this header):\n"
        "  key: run,activation,m,gamma,eps,M,seed,trial (seed: the base seed), then seed_run\n"
        "  flow: lambda_1 (of Z), t_end, T_eff (eq. 54; T_eff_found 0 if not reached),\n"
        "    sup_lin_dev = sup_t |theta_W - theta_W^lin| / |theta_W^lin|, sup_ratio_diff =\n"
        "    sup_t |ratio - ratio^lin| (eq. 15), rel_change_end (eq. 14), ratio_end,\n"
        "    lin_ratio_end, E_max_end (eq. 47) at t_end, n_times, n_field (field evaluations)\n"
        "  theorem1: lambda_1, gap_rel (Delta lambda / lambda_1), T_eff, T_eff_found, t0\n"
        "    (eq. 58), t0_bar, sup_rel_change and sup_ratio over t <= T_eff,\n"
        "    sup_rel_change_t0_bar and sup_ratio_t0_bar over t <= t_bar_0 (NaN if t_bar_0 < 0),\n"
        "    ratio_t0_bar, n_times, n_field\n"
        "  spectrum: lambda_1, lambda_2 (singular values of Z), delta_lambda, gap_rel,\n"
        "    cos_v1_ones (v_1 against the all-ones direction, bias entry excluded)\n"
        "Progress on stderr: runs done/total, rate and remaining time.  Built with MPI, run it\n"
        "as mpirun -np N %s sweep ...: rank 0 writes, the others compute.\n"
        "Exit status: 0 success, 1 failure, 2 bad usage.\n",
        cli_program, cli_program);
}

typedef struct sweep_options {
    condense_sweep_grid grid;
    const char *out, *data_dir;
    int have_gamma, have_eps, have_run;
    char lists[6][512]; /* the lists as given, for the provenance line */
} sweep_options;

/* Split a comma list into at most CONDENSE_SWEEP_MAX_VALUES fields; 0 on an empty field. */
static int split_list(const char *s, char fields[][64], size_t *count)
{
    size_t k = 0, len = 0;
    if (s == NULL || *s == '\0') return 0;
    for (const char *p = s;; ++p) {
        if (*p == ',' || *p == '\0') {
            if (len == 0 || k == CONDENSE_SWEEP_MAX_VALUES) return 0;
            fields[k++][len] = '\0';
            len = 0;
            if (*p == '\0') break;
        } else {
            if (len + 1 >= 64) return 0;
            fields[k][len++] = *p;
        }
    }
    *count = k;
    return 1;
}

static int parse_sizes(const char *opt, const char *val, size_t *out, size_t *count)
{
    static char f[CONDENSE_SWEEP_MAX_VALUES][64];
    size_t n;
    if (!split_list(val, f, &n)) goto bad;
    for (size_t k = 0; k < n; ++k)
        if ((out[k] = cli_parse_size(f[k], 100000000)) == 0) goto bad;
    *count = n;
    return 0;
bad:;
    char fmt[128];
    snprintf(fmt, sizeof fmt, "%s needs a comma list of 1 to 64 positive integers, not '%%s'", opt);
    return cli_bad_usage(fmt, val);
}

static int parse_doubles(const char *opt, const char *val, double *out, size_t *count)
{
    static char f[CONDENSE_SWEEP_MAX_VALUES][64];
    size_t n;
    if (!split_list(val, f, &n)) goto bad;
    for (size_t k = 0; k < n; ++k)
        if (!cli_parse_double(f[k], &out[k])) goto bad;
    *count = n;
    return 0;
bad:;
    char fmt[128];
    snprintf(fmt, sizeof fmt, "%s needs a comma list of 1 to 64 numbers, not '%%s'", opt);
    return cli_bad_usage(fmt, val);
}

static int parse_sweep(int argc, char **argv, sweep_options *o)
{
    condense_sweep_grid *g = &o->grid;
    static char f[CONDENSE_SWEEP_MAX_VALUES][64];
    size_t n;
    for (int k = 0; k < argc; ++k) {
        const char *opt = argv[k];
        if (strncmp(opt, "--", 2) != 0) return cli_bad_usage("unexpected argument '%s'", opt);
        if (k + 1 >= argc) return cli_bad_usage("option '%s' needs a value", opt);
        const char *val = argv[++k];
        int bad = 0;
        if (strcmp(opt, "--run") == 0) {
            if (condense_sweep_kind_lookup(val, &g->kind) != CONDENSE_OK)
                return cli_bad_usage("--run needs flow, theorem1 or spectrum, not '%s'", val);
            o->have_run = 1;
        } else if (strcmp(opt, "--out") == 0) {
            o->out = val;
        } else if (strcmp(opt, "--data") == 0) {
            o->data_dir = val;
        } else if (strcmp(opt, "--M") == 0) {
            bad = parse_sizes(opt, val, g->M, &g->n_M);
        } else if (strcmp(opt, "--m") == 0) {
            bad = parse_sizes(opt, val, g->m, &g->n_m);
        } else if (strcmp(opt, "--gamma") == 0 || strcmp(opt, "--eps") == 0) {
            bad = parse_doubles(opt, val, g->scale, &g->n_scale);
            g->use_eps = opt[2] == 'e';
            *(g->use_eps ? &o->have_eps : &o->have_gamma) = 1;
        } else if (strcmp(opt, "--activation") == 0) {
            if (!split_list(val, f, &n))
                return cli_bad_usage("--activation needs a comma list of names, not '%s'", val);
            for (size_t j = 0; j < n; ++j) {
                condense_activation act;
                if (strlen(f[j]) >= CONDENSE_SWEEP_NAME_LEN ||
                    condense_activation_lookup(f[j], 0, &act) != CONDENSE_OK)
                    return cli_bad_usage("unknown activation in '%s' (see condense activations)",
                                         val);
                snprintf(g->activation[j], CONDENSE_SWEEP_NAME_LEN, "%s", f[j]);
            }
            g->n_activation = n;
        } else if (strcmp(opt, "--seed") == 0) {
            if (!split_list(val, f, &n))
                return cli_bad_usage("--seed needs a comma list of seeds, not '%s'", val);
            for (size_t j = 0; j < n; ++j)
                if (!cli_parse_seed(f[j], &g->seed[j]))
                    return cli_bad_usage("--seed needs integers in [0, 4294967295], not '%s'", val);
            g->n_seed = n;
        } else if (strcmp(opt, "--trials") == 0) {
            if ((g->trials = cli_parse_size(val, 1000000)) == 0)
                return cli_bad_usage("--trials needs a positive integer, not '%s'", val);
        } else if (strcmp(opt, "--n") == 0) {
            if ((g->n = cli_parse_size(val, 100000000)) == 0)
                return cli_bad_usage("--n needs a positive integer, not '%s'", val);
        } else if (strcmp(opt, "--size") == 0) {
            bad = cli_parse_wxh(val, &g->W0, &g->H0);
        } else if (strcmp(opt, "--C0") == 0) {
            if ((g->C0 = cli_parse_size(val, 100000)) == 0)
                return cli_bad_usage("--C0 needs a positive integer, not '%s'", val);
        } else if (strcmp(opt, "--c") == 0) {
            if (!cli_parse_double(val, &g->c) || !(g->c > 1.0))
                return cli_bad_usage("--c needs a number > 1 (Assumption 2), not '%s'", val);
        } else if (strcmp(opt, "--times") == 0) {
            if ((g->n_times = cli_parse_size(val, 1000000)) < 2)
                return cli_bad_usage("--times needs an integer >= 2, not '%s'", val);
        } else if (strcmp(opt, "--t-end") == 0) {
            if (!cli_parse_double(val, &g->t_end) || !(g->t_end > 0.0))
                return cli_bad_usage("--t-end needs a positive number, not '%s'", val);
        } else if (strcmp(opt, "--path") == 0) {
            if (condense_path_from_name(val, &g->path) != CONDENSE_OK)
                return cli_bad_usage("--path needs 'direct' or 'fast', not '%s'", val);
        } else {
            return cli_bad_usage("unknown option '%s'", opt);
        }
        if (bad) return bad;
    }
    if (!o->have_run) return cli_bad_usage("%s", "--run flow|theorem1|spectrum is required");
    if (o->out == NULL) return cli_bad_usage("%s", "--out FILE is required");
    if (o->have_gamma && o->have_eps) return cli_bad_usage("%s", "give --gamma or --eps, not both");
    if (o->data_dir != NULL && g->kind != CONDENSE_SWEEP_SPECTRUM)
        return cli_bad_usage("%s", "--data is for --run spectrum");
    return 0;
}

/* A list of the grid as text, e.g. "16,64,256". */
static void list_sizes(char *buf, size_t size, const size_t *v, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < n && used < size; ++k)
        used += (size_t)snprintf(buf + used, size - used, "%s%zu", k ? "," : "", v[k]);
}

/* The comment lines the file starts with: version, seeds, the grid, the settings, the order. */
static void preamble(const sweep_options *o, size_t total, char *buf, size_t size)
{
    const condense_sweep_grid *g = &o->grid;
    char M[1024], m[1024], seeds[1024], acts[2200], scale[1600];
    list_sizes(M, sizeof M, g->M, g->n_M);
    list_sizes(m, sizeof m, g->m, g->n_m);
    size_t used = 0;
    seeds[0] = acts[0] = scale[0] = '\0';
    for (size_t k = 0; k < g->n_seed; ++k)
        used +=
            (size_t)snprintf(seeds + used, sizeof seeds - used, "%s%lu", k ? "," : "", g->seed[k]);
    used = 0;
    for (size_t k = 0; k < g->n_activation; ++k)
        used += (size_t)snprintf(acts + used, sizeof acts - used, "%s%s", k ? "," : "",
                                 g->activation[k]);
    used = 0;
    for (size_t k = 0; k < g->n_scale; ++k)
        used += (size_t)snprintf(scale + used, sizeof scale - used, "%s%.17g", k ? "," : "",
                                 g->scale[k]);
    char data[4400];
    if (g->kind == CONDENSE_SWEEP_SPECTRUM && o->data_dir != NULL)
        snprintf(data, sizeof data, "stored set %s, n = %zu per run", o->data_dir, g->n);
    else
        snprintf(data, sizeof data, "synthetic n = %zu, %zu x %zu x %zu, c = %.17g", g->n, g->W0,
                 g->H0, g->C0, g->c);
    snprintf(buf, size,
             "# %s; sweep --run %s; base seeds %s; trials %zu; grid: activation %s; m %s; %s %s; "
             "M %s (%zu runs)\n"
             "# data %s; times %zu; t_end %.17g (0: past T_eff, t_0, t_bar_0); path %s\n"
             "# grid order: activation, m, %s, M, seed, trial (innermost); run (seed s, trial t) "
             "draws from seed_run = the t-th gsl_rng_get of mt19937(s)\n",
             condense_version(), condense_sweep_kind_name(g->kind), seeds, g->trials, acts, m,
             g->use_eps ? "eps" : "gamma", scale, M, total, data, g->n_times, g->t_end,
             condense_path_name(g->path), g->use_eps ? "eps" : "gamma");
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Progress after each run: done/total, the rate of this session, the remaining time. */
typedef struct sweep_progress {
    double start;
    size_t total, skipped, done; /* done counts the rows present, skipped ones included */
} sweep_progress;

static void progress_line(sweep_progress *p)
{
    const double elapsed = now_seconds() - p->start;
    const double rate = elapsed > 0.0 ? (double)(p->done - p->skipped) / elapsed : 0.0;
    fprintf(stderr,
            "%s sweep: %zu/%zu runs done (%zu from an earlier session); %.1f s elapsed, %.2f "
            "runs/min, about %.0f s left\n",
            cli_program, p->done, p->total, p->skipped, elapsed, 60.0 * rate,
            rate > 0.0 ? (double)(p->total - p->done) / rate : 0.0);
}

/* The rows of an existing FILE may be reused only if it was made with the same settings
 * outside the grid (data, times, t_end, path): its "# data" line must be the preamble's. */
static int check_settings(const char *path, const char *pre)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) return CONDENSE_OK; /* no file yet (other errors: condense_sweep_resume) */
    const char *want = strstr(pre, "\n# data ");
    static char line[8192];
    int status = CONDENSE_OK;
    while (fgets(line, sizeof line, f) != NULL && line[0] == '#')
        if (strncmp(line, "# data ", 7) == 0) {
            const size_t len = strcspn(want + 1, "\n") + 1;
            if (strlen(line) != len || strncmp(line, want + 1, len) != 0)
                status = condense_error_set(CONDENSE_EFORMAT, __func__,
                                            "%s was made with other settings (%.*s): give "
                                            "another --out, or the same settings",
                                            path, (int)strcspn(line + 2, "\n"), line + 2);
            break;
        }
    fclose(f);
    return status;
}

/* Open FILE for appending, writing the preamble and the header when it is empty. */
static int open_results(const sweep_options *o, const char *pre, int *fd)
{
    *fd = open(o->out, O_WRONLY | O_APPEND | O_CREAT, 0666);
    if (*fd < 0)
        return condense_error_set(CONDENSE_EIO, __func__, "%s: %s", o->out, strerror(errno));
    if (lseek(*fd, 0, SEEK_END) == 0) {
        char header[512];
        condense_sweep_header(o->grid.kind, header, sizeof header);
        CONDENSE_TRY(condense_sweep_append(*fd, pre));
        CONDENSE_TRY(condense_sweep_append(*fd, header));
    }
    return CONDENSE_OK;
}

/* The serial loop: every run not yet in the file, in grid order. */
static int run_serial(const sweep_options *o, const unsigned char *done, int fd, sweep_progress *p)
{
    static char row[ROW_SIZE];
    for (size_t k = 0; k < p->total; ++k) {
        if (done[k]) continue;
        condense_sweep_point pt;
        CONDENSE_TRY(condense_sweep_point_at(&o->grid, k, &pt));
        CONDENSE_TRY(condense_sweep_run(&o->grid, &pt, row, sizeof row));
        CONDENSE_TRY(condense_sweep_append(fd, row));
        p->done++;
        progress_line(p);
    }
    return CONDENSE_OK;
}

#ifdef CONDENSE_MPI
enum { TAG_READY = 1, TAG_ROW = 2, TAG_ERROR = 3, TAG_WORK = 4 };

/* Rank 0: hand out the runs not yet done, one at a time, to whichever rank asks; write the rows
 * that come back.  After a failure no more work is handed out; every worker is stopped. */
static int mpi_manager(const unsigned char *done, int fd, sweep_progress *p, int size)
{
    static char msg[ROW_SIZE];
    size_t next = 0;
    int active = size - 1, status = CONDENSE_OK;
    while (active > 0) {
        MPI_Status st;
        int count;
        MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
        MPI_Get_count(&st, MPI_CHAR, &count);
        if (count >= (int)sizeof msg) count = (int)sizeof msg - 1;
        MPI_Recv(msg, count, MPI_CHAR, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
        msg[count] = '\0';
        if (st.MPI_TAG == TAG_ROW && status == CONDENSE_OK) {
            status = condense_sweep_append(fd, msg);
            if (status == CONDENSE_OK) {
                p->done++;
                progress_line(p);
            }
        } else if (st.MPI_TAG == TAG_ERROR && status == CONDENSE_OK) {
            status =
                condense_error_set(CONDENSE_EUNDEF, __func__, "rank %d: %s", st.MPI_SOURCE, msg);
        }
        while (next < p->total && done[next])
            ++next;
        long work = -1;
        if (status == CONDENSE_OK && next < p->total) work = (long)next++;
        MPI_Send(&work, 1, MPI_LONG, st.MPI_SOURCE, TAG_WORK, MPI_COMM_WORLD);
        if (work < 0) --active;
    }
    return status;
}

/* Ranks > 0: ask for work, run it, send the row (or the error message) back. */
static void mpi_worker(const sweep_options *o)
{
    static char row[ROW_SIZE];
    MPI_Send(row, 0, MPI_CHAR, 0, TAG_READY, MPI_COMM_WORLD);
    for (;;) {
        long work;
        MPI_Recv(&work, 1, MPI_LONG, 0, TAG_WORK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (work < 0) return;
        condense_sweep_point pt;
        int status = condense_sweep_point_at(&o->grid, (size_t)work, &pt);
        if (status == CONDENSE_OK) status = condense_sweep_run(&o->grid, &pt, row, sizeof row);
        if (status != CONDENSE_OK)
            snprintf(row, sizeof row, "%s (%s)", condense_errmsg(), condense_strerror(status));
        MPI_Send(row, (int)strlen(row), MPI_CHAR, 0, status == CONDENSE_OK ? TAG_ROW : TAG_ERROR,
                 MPI_COMM_WORLD);
    }
}
#endif

/* Everything after the options: resume, run, rewrite in grid order. */
static int sweep_main(const sweep_options *o, size_t total, int rank, int size)
{
    (void)rank;
    (void)size;
    static char pre[8192];
    preamble(o, total, pre, sizeof pre);
    sweep_progress p = {now_seconds(), total, 0, 0};
    int status = CONDENSE_OK, fd = -1;
#ifdef CONDENSE_MPI
    if (size > 1 && rank > 0) {
        mpi_worker(o);
        return CONDENSE_OK;
    }
#endif
    unsigned char *done = calloc(total, 1);
    if (done == NULL) status = condense_error_set(CONDENSE_ENOMEM, __func__, "no memory");
    if (status == CONDENSE_OK) status = check_settings(o->out, pre);
    if (status == CONDENSE_OK) status = condense_sweep_resume(o->out, &o->grid, done, &p.skipped);
    p.done = p.skipped;
    if (status == CONDENSE_OK && p.skipped > 0)
        fprintf(stderr, "%s sweep: %s has %zu of the %zu runs already: skipping them\n",
                cli_program, o->out, p.skipped, total);
    if (status == CONDENSE_OK) status = open_results(o, pre, &fd);
#ifdef CONDENSE_MPI
    if (size > 1) {
        /* the workers wait for work whatever happened here: stop them cleanly on a failure */
        static const unsigned char all_done = 1;
        const int ok = status == CONDENSE_OK;
        if (ok)
            status = mpi_manager(done, fd, &p, size);
        else
            (void)mpi_manager(&all_done, -1, &(sweep_progress){0.0, 0, 0, 0}, size);
    } else
#endif
        if (status == CONDENSE_OK)
        status = run_serial(o, done, fd, &p);
    if (fd >= 0 && close(fd) != 0 && status == CONDENSE_OK)
        status = condense_error_set(CONDENSE_EIO, __func__, "%s: %s", o->out, strerror(errno));
    if (status == CONDENSE_OK) status = condense_sweep_finish(o->out, &o->grid, pre);
    free(done);
    return status;
}

int cli_sweep(int argc, char **argv)
{
    for (int k = 0; k < argc; ++k)
        if (strcmp(argv[k], "--help") == 0 || strcmp(argv[k], "-h") == 0) {
            sweep_usage();
            return EXIT_SUCCESS;
        }
    static sweep_options o;
    memset(&o, 0, sizeof o);
    condense_sweep_grid_default(&o.grid, CONDENSE_SWEEP_FLOW);
    const int bad = parse_sweep(argc, argv, &o);
    if (bad) return bad;
    condense_data *pool = NULL;
    if (o.data_dir != NULL) {
        const int status = condense_data_npy_load(o.data_dir, &pool);
        if (status != CONDENSE_OK) return cli_failure(status);
        o.grid.pool = pool;
    }
    size_t total;
    const int checked = condense_sweep_grid_check(&o.grid, &total);
    if (checked != CONDENSE_OK) {
        condense_data_free(pool);
        return cli_bad_usage("%s", condense_errmsg());
    }
    int rank = 0, size = 1;
#ifdef CONDENSE_MPI
    MPI_Init(NULL, NULL);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
#endif
    const int status = sweep_main(&o, total, rank, size);
    condense_data_free(pool);
#ifdef CONDENSE_MPI
    /* every rank learns whether rank 0 succeeded, so mpirun sees one exit status */
    int ok = status == CONDENSE_OK;
    MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Finalize();
    if (rank > 0) return ok ? EXIT_SUCCESS : EXIT_FAILURE;
#endif
    return status == CONDENSE_OK ? EXIT_SUCCESS : cli_failure(status);
}
