/* proof_main.h -- the common main of the programs in proofs/: one program per stated result.
 * Each builds the built-in verification instance (condense_verify_default; --quick for the
 * small one), runs the real flows if the result needs them, and prints the instance, the
 * claim, its hypotheses as checked, the measured quantities, the margin and PASS or FAIL.
 * Exit status: 0 PASS, 1 FAIL or error, 2 bad usage. */
#ifndef CONDENSE_PROOF_MAIN_H
#define CONDENSE_PROOF_MAIN_H

#include "condense/verify.h"

typedef int (*proof_check)(const condense_verify_instance *, condense_verify_result *);

int proof_main(int argc, char **argv, proof_check check, int needs_runs);

#endif
