/* proof_main.c -- the common main of the proofs/ programs (see proof_main.h). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "condense/error.h"
#include "proof_main.h"

static void progress(size_t done, size_t total, void *user)
{
    fprintf(stderr, "%s: run %zu/%zu done\n", (const char *)user, done, total);
}

int proof_main(int argc, char **argv, proof_check check, int needs_runs)
{
    int quick = 0;
    for (int k = 1; k < argc; ++k) {
        if (strcmp(argv[k], "--quick") == 0) {
            quick = 1;
        } else {
            fprintf(stderr, "%s: unknown argument '%s' (usage: %s [--quick])\n", argv[0], argv[k],
                    argv[0]);
            return 2;
        }
    }
    condense_gsl_quiet();
    condense_verify_config cfg;
    condense_verify_default(&cfg, quick);
    condense_verify_instance *inst = NULL;
    condense_verify_result res;
    int status = condense_verify_instance_alloc(&cfg, &inst);
    if (status == CONDENSE_OK && needs_runs)
        status = condense_verify_instance_run(inst, progress, argv[0]);
    if (status == CONDENSE_OK) status = check(inst, &res);
    if (status != CONDENSE_OK) {
        fprintf(stderr, "%s: error: %s (%s)\n", argv[0], condense_errmsg(),
                condense_strerror(status));
        condense_verify_instance_free(inst);
        return 1;
    }
    static char text[8192];
    condense_verify_describe(inst, text, sizeof text);
    printf("%s\n\n", text);
    condense_verify_format(&res, text, sizeof text);
    printf("%s", text);
    condense_verify_instance_free(inst);
    return res.pass ? 0 : 1;
}
