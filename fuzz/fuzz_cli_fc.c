/* fuzz_cli_fc.c -- the option parser of `condense fc` (parse_fc and parse_steps in
 * src/cli_fc.c, included so that the static parsers are reachable) on hostile argument vectors.
 * Input: the arguments, separated by NUL bytes.  Nothing but parsing runs. */
#include "../src/cli_fc.c"

#include "fuzz_common.h"

#define FUZZ_MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1), *argv[FUZZ_MAX_ARGS + 1];
    if (buf == NULL) abort();
    const int argc = fuzz_argv(data, size, buf, argv, FUZZ_MAX_ARGS);
    fc_options o = {"sin1d", "tanh", "adam", NULL, 0, 0,   1000, 21, 0,
                    5e-4,    0.005,  0.99,   1e-3, 1, {0}, 0,    0};
    int help = 0;
    if (parse_fc(argc, argv, &o, &help) == 0 && !help) {
        if (o.n_field_steps > MAX_FIELD_STEPS) abort();
        size_t d;
        (void)condense_fc_target_dim(o.target, &d);
    }
    free(buf);
    return 0;
}
