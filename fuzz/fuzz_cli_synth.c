/* fuzz_cli_synth.c -- the whole of `condense synth` (src/cli_synth.c: its option parsing, then
 * the data set written as x.npy, y.npy and meta.txt) on hostile argument vectors, with the
 * verify/flow option parser (parse_common in src/cli_verify.c) on the same arguments taken in
 * pairs.  Input: the arguments, separated by NUL bytes.  So that nothing heavy runs and nothing
 * is written outside the target's temporary directory, an input is skipped when it gives --n or
 * --C0 more than one character or --size more than three ("9x9"), and "--out DIR" (DIR the
 * temporary directory) is appended: the last --out wins, and an option that swallows it as its
 * value makes the command fail with a usage error. */
#include "../src/cli_verify.c"

#include "fuzz_common.h"

#define FUZZ_MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1), *argv[FUZZ_MAX_ARGS + 3];
    if (buf == NULL) abort();
    int argc = fuzz_argv(data, size, buf, argv, FUZZ_MAX_ARGS);

    condense_verify_config cfg;
    condense_verify_default(&cfg, 1);
    for (int k = 0; k + 1 < argc; k += 2) {
        int handled;
        (void)parse_common(argv[k], argv[k + 1], &cfg, &handled);
    }

    for (int k = 0; k + 1 < argc; ++k) {
        const size_t len = strlen(argv[k + 1]);
        if (((strcmp(argv[k], "--n") == 0 || strcmp(argv[k], "--C0") == 0) && len > 1) ||
            (strcmp(argv[k], "--size") == 0 && len > 3)) {
            free(buf);
            return 0;
        }
    }
    char out[] = "--out";
    argv[argc++] = out;
    argv[argc++] = (char *)fuzz_tmpdir();
    argv[argc] = NULL;
    (void)cli_synth(argc, argv);
    free(buf);
    return 0;
}
