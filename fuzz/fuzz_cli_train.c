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
    train_options o = {.channels = 32,
                       .layers = 1,
                       .m = 3,
                       .hidden = 0,
                       .outputs = 1,
                       .activation = "tanh",
                       .loss_name = "mse",
                       .optimizer = "gd",
                       .dataset = "synthetic",
                       .normalize = "raw",
                       .lr = 5e-6,
                       .gamma = 2.0,
                       .sigma2 = 1e-4,
                       .beta1 = 0.9,
                       .beta2 = 0.999,
                       .adam_eps = 1e-8,
                       .c = 4.0,
                       .epochs = 100,
                       .n = 500,
                       .W0 = 8,
                       .H0 = 8,
                       .C0 = 3,
                       .seed = 1,
                       .plot = 1};
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
