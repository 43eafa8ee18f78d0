/* fuzz_cli_spectrum.c -- the option parser of `condense spectrum` (parse_spectrum in
 * src/cli_spectrum.c, included so that the static parser is reachable) on hostile argument
 * vectors.  Input: the arguments, separated by NUL bytes.  Nothing but parsing runs. */
#include "../src/cli_spectrum.c"

#include "fuzz_common.h"

#define FUZZ_MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1), *argv[FUZZ_MAX_ARGS + 1];
    if (buf == NULL) abort();
    const int argc = fuzz_argv(data, size, buf, argv, FUZZ_MAX_ARGS);
    spectrum_options o = {.dataset = "mnist",
                          .cfg = {.n = 500,
                                  .m = 3,
                                  .trials = 10,
                                  .top = 5,
                                  .seed = 1,
                                  .norm = CONDENSE_NORMALIZE_RAW,
                                  .W0 = 28,
                                  .H0 = 28,
                                  .C0 = 1,
                                  .c = 4.0}};
    if (parse_spectrum(argc, argv, &o) == 0) {
        if (o.cfg.n == 0 || o.cfg.m == 0 || o.cfg.trials == 0 || o.cfg.top == 0 || o.cfg.W0 == 0 ||
            o.cfg.H0 == 0 || o.cfg.C0 == 0 || !(o.cfg.c > 1))
            abort();
    }
    free(buf);
    return 0;
}
