/* fuzz_cli_eval.c -- the option parser of `condense eval` (parse_eval in src/cli.c, with the
 * helpers cli_parse_size/double/seed/wxh/list it calls) on hostile argument vectors.  The
 * source file is included so that its static parser is reachable without exporting it; its
 * main is renamed.  Input: the arguments, separated by NUL bytes.  Nothing but parsing runs. */
#define main condense_cli_main
int condense_cli_main(int argc, char **argv);
#include "../src/cli.c"
#undef main

#include "fuzz_common.h"

#define FUZZ_MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1), *argv[FUZZ_MAX_ARGS + 1];
    if (buf == NULL) abort();
    const int argc = fuzz_argv(data, size, buf, argv, FUZZ_MAX_ARGS);
    eval_options o = {.seed = 1,
                      .n = 8,
                      .W0 = 8,
                      .H0 = 8,
                      .C0 = 1,
                      .L = 1,
                      .nm = 1,
                      .activation = "tanh",
                      .eps = 0.1,
                      .sigma2 = 1e-4,
                      .c = 4.0};
    o.C[1] = 4;
    o.m[1] = 3;
    if (parse_eval(argc, argv, &o) == 0) {
        /* What cmd_eval relies on: 1..16 layers, each with a channel count and a filter size. */
        if (o.L < 1 || o.L > CONDENSE_MAX_LAYERS || o.n == 0 || o.W0 == 0 || o.H0 == 0 ||
            o.C0 == 0 || !(o.eps > 0) || !(o.c > 1) || !(o.sigma2 >= 0))
            abort();
        for (size_t l = 1; l <= o.L; ++l)
            if (o.C[l] == 0 || o.m[l] == 0) abort();
        condense_activation sigma;
        (void)condense_activation_lookup(o.activation, o.normalize, &sigma);
    }
    free(buf);
    return 0;
}
