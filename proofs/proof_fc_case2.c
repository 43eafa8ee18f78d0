/* proof_fc_case2.c -- prints the check of one stated result of the FC paper (see proof_main.h
 * and src/verify_fc.c). */
#include <config.h>

#include "proof_main.h"

int main(int argc, char **argv)
{
    return proof_main(argc, argv, condense_verify_fc_case2, 0);
}
