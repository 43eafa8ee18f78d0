/* cli_synth.c -- the command `condense synth`: a seeded synthetic data set satisfying
 * Assumption 2 of the CNN paper (condense_data_synthetic), stored as x.npy, y.npy and meta.txt
 * in a directory (the sets in data/ are made by it: `make synth-data`). */
#define _POSIX_C_SOURCE 200809L
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "condense/condense.h"

static void synth_usage(void)
{
    printf("Usage: %s synth --out DIR [--n N] [--size WxH] [--C0 C] [--c X] [--seed S]\n"
           "\n"
           "Draws the synthetic set of condense_data_synthetic (every pixel magnitude in\n"
           "[1/c, 1], labels y_i = c tanh(mean pixel of x_i)) and writes DIR/x.npy (n, W_0,\n"
           "H_0, C_0), DIR/y.npy (n) and DIR/meta.txt (version, seed, parameters).\n"
           "  --n N        samples (default 64)\n"
           "  --size WxH   W_0 x H_0 (default 16x16)\n"
           "  --C0 C       channels (default 1)\n"
           "  --c X        Assumption 2 constant, > 1 (default 4)\n"
           "  --seed S     seed (default 1)\n"
           "Exit status: 0 success, 1 failure, 2 bad usage.\n",
           cli_program);
}

int cli_synth(int argc, char **argv)
{
    size_t n = 64, W0 = 16, H0 = 16, C0 = 1;
    double c = 4.0;
    unsigned long seed = 1;
    const char *out = NULL;
    for (int k = 0; k < argc; ++k) {
        const char *opt = argv[k];
        if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
            synth_usage();
            return EXIT_SUCCESS;
        }
        if (strncmp(opt, "--", 2) != 0) return cli_bad_usage("unexpected argument '%s'", opt);
        if (k + 1 >= argc) return cli_bad_usage("option '%s' needs a value", opt);
        const char *val = argv[++k];
        if (strcmp(opt, "--out") == 0) {
            out = val;
        } else if (strcmp(opt, "--n") == 0) {
            if ((n = cli_parse_size(val, 100000000)) == 0)
                return cli_bad_usage("--n needs a positive integer, not '%s'", val);
        } else if (strcmp(opt, "--size") == 0) {
            const int bad = cli_parse_wxh(val, &W0, &H0);
            if (bad) return bad;
        } else if (strcmp(opt, "--C0") == 0) {
            if ((C0 = cli_parse_size(val, 1000)) == 0)
                return cli_bad_usage("--C0 needs a positive integer, not '%s'", val);
        } else if (strcmp(opt, "--c") == 0) {
            if (!cli_parse_double(val, &c) || !(c > 1.0))
                return cli_bad_usage("--c needs a number > 1 (Assumption 2), not '%s'", val);
        } else if (strcmp(opt, "--seed") == 0) {
            if (!cli_parse_seed(val, &seed))
                return cli_bad_usage("--seed needs an integer in [0, 4294967295], not '%s'", val);
        } else {
            return cli_bad_usage("unknown option '%s'", opt);
        }
    }
    if (out == NULL) return cli_bad_usage("%s synth needs --out DIR", cli_program);
    condense_data *d = NULL;
    int status = condense_data_synthetic(n, W0, H0, C0, c, seed, &d);
    if (status == CONDENSE_OK) status = condense_data_npy_save(out, d);
    cli_out_file o;
    if (status == CONDENSE_OK) status = cli_out_open(&o, out, "meta.txt");
    if (status == CONDENSE_OK) {
        double c_measured = 0.0;
        condense_data_assumption2_c(d, &c_measured);
        fprintf(o.f,
                "# %s; synth; seed %lu; n = %zu; W_0 x H_0 = %zu x %zu; C_0 = %zu; c = %g\n"
                "generator = condense_data_synthetic (src/data.c), GSL mt19937\n"
                "x.npy = (n, W_0, H_0, C_0) float64, y.npy = (n) float64\n"
                "assumption2_c_measured = %.17g\n",
                condense_version(), seed, n, W0, H0, C0, c, c_measured);
        status = cli_out_close(&o);
    }
    condense_data_free(d);
    return status == CONDENSE_OK ? EXIT_SUCCESS : cli_failure(status);
}
