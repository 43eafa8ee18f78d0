/* fuzz_cli_train.c -- the option parser of `condense train` (parse_train in src/cli_train.c,
 * included so that the static parser is reachable) on hostile argument vectors.  Input: the
 * arguments, separated by NUL bytes.  Nothing but parsing runs. */
#include "../src/cli_train.c"

#include "fuzz_common.h"

#define FUZZ_MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1), *argv[FUZZ_MAX_ARGS + 1];
    if (buf == NULL) abort();
    const int argc = fuzz_argv(data, size, buf, argv, FUZZ_MAX_ARGS);
    train_options o = train_defaults;
    int help = 0;
    if (parse_train(argc, argv, &o, &help) == 0 && !help) {
        if (o.n_save > MAX_SAVES) abort();
        condense_activation sigma;
        condense_exp_loss loss;
        (void)condense_activation_lookup(o.activation, 0, &sigma);
        (void)condense_exp_loss_lookup(o.loss_name, &loss);
    }
    free(buf);
    return 0;
}
