/* proof_theorem1_15.c -- prints the check of one stated result of the CNN paper (see proof_main.h
 * and src/verify_theorem1.c). */
#include <config.h>

#include "proof_main.h"

int main(int argc, char **argv)
{
    return proof_main(argc, argv, condense_verify_theorem1_15, 1);
}
