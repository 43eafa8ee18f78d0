/* version.c -- the package version, from configure. */
#include <config.h>

#include "condense/version.h"

const char *condense_version(void)
{
    return PACKAGE_STRING;
}
